"""Message bodies on demand and in the background: the sync fetches headers only.

- :func:`fetch_body`: for opening a message. Returns the stored body if there is one,
  else connects, fetches the whole message (never marking it read), stores its text,
  HTML and snippet, and returns it. Search covers it from then on.
- :func:`fetch_bodies_in_background`: for the sync loop, after a sync. Fetches the
  bodies of the account's newest messages within the size budget (settings
  ``sync.body_budget_mb`` and ``sync.body_max_message_kb``; what the budget counts is in
  :mod:`asyncdesk.store.bodies`), committing each batch, and stops between batches when
  asked.

Errors are one line (:class:`~asyncdesk.core.errors.AsyncDeskError`): a message that is
no longer on the server is :class:`MessageGone`; network and login failures are the
source's :class:`~asyncdesk.sources.base.SourceError` subclasses; a missing password is
:class:`~asyncdesk.core.errors.BadInput`.

Thread contract: everything here blocks on network, disk and the keyring; the CLI calls
it on its main thread, the UI from a task-runner worker (never the GUI thread). A
:class:`~asyncdesk.sources.imap_fetch.BodyFetcher` belongs to one worker at a time;
writes go through ``Store.writing()``, the store's one writer.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import BadInput
from asyncdesk.services.accounts import account_password
from asyncdesk.services.secrets import Secrets
from asyncdesk.sources.base import SourceError
from asyncdesk.sources.imap import ImapSettings
from asyncdesk.sources.imap_fetch import BodyFetcher, FetchBatch
from asyncdesk.store import bodies as stored_bodies
from asyncdesk.store.accounts import get_account
from asyncdesk.store.database import Store
from asyncdesk.store.locations import positions_of
from asyncdesk.store.settings import get_setting

log = logging.getLogger(__name__)

#: Bytes of a message read when it is opened; a bigger one is read up to here (its text
#: usually comes first) and says so at the end of its text.
OPEN_MAX_BYTES = 32 * 1024 * 1024


class MessageGone(SourceError):
    """The message is no longer on the server (deleted or moved elsewhere), or no longer
    where the last sync saw it; a sync brings the inbox up to date."""


@dataclass(frozen=True, slots=True)
class MessageBody:
    """What a message view shows. ``text`` is plain text (attachments listed at its end),
    ``html`` the HTML as sent (sanitise before showing) or ``None``. ``fetched_at`` is
    the UTC instant it was fetched; ``None`` for chat and demo messages, whose text
    came with the sync."""

    message_pk: int
    text: str
    html: str | None
    fetched_at: datetime | None


@dataclass(slots=True)
class BackgroundFetch:
    """How a background fetch went: bodies stored and their bytes on the server, and the
    messages skipped because they were gone, refused, or not the stored message."""

    account: str
    messages: int = 0
    bytes: int = 0
    missing: int = 0
    failed: int = 0
    mismatched: int = 0
    stopped: bool = False


# ----------------------------------------------------------------------------- helpers


def open_fetcher(secrets: Secrets, account: Account) -> BodyFetcher:
    """A logged-in :class:`BodyFetcher` for an email account (close it when done)."""
    if account.kind is not AccountKind.EMAIL:
        raise BadInput(f"account {account.name!r} is a {account.kind.value} account: no IMAP")
    return BodyFetcher.open(ImapSettings.from_account(account), account_password(secrets, account))


def background_limits(store: Store) -> tuple[int, int]:
    """``(budget_bytes, max_message_bytes)`` from the declared settings."""
    with store.reading() as session:
        budget_mb = get_setting(session, declared.BODY_BUDGET_MB)
        max_kb = get_setting(session, declared.BODY_MAX_MESSAGE_KB)
    return budget_mb * 1024 * 1024, max_kb * 1024


# ---------------------------------------------------------------------- on opening


@dataclass(frozen=True, slots=True)
class FetchPlan:
    """What fetching a body from the server needs (read from the database first)."""

    message_pk: int
    account: Account
    remote_id: str
    places: list[tuple[str, int]]


def body_or_plan(store: Store, message_pk: int) -> MessageBody | FetchPlan:
    """The stored body, or how to fetch it (database only). Raises :class:`MessageGone`,
    a :class:`SourceError` or :class:`BadInput`, each one line."""
    with store.reading() as session:
        body = stored_bodies.stored_body(session, message_pk)
        if body is None:
            raise BadInput(f"no message with id {message_pk}")
        if body.fetched_at is not None or body.kind is not AccountKind.EMAIL:
            return MessageBody(message_pk, body.text or "", body.html, body.fetched_at)
        places = positions_of(session, message_pk)
        account = get_account(session, body.account)
    if not places:
        if body.removed:
            raise MessageGone(
                f"message {message_pk} is no longer on the server (deleted or moved "
                "elsewhere): its text cannot be fetched"
            )
        raise SourceError(
            f"message {message_pk} has not been placed on the server yet: sync account "
            f"{account.name} first"
        )
    return FetchPlan(message_pk, account, body.remote_id, places)


def fetch_planned(
    plan: FetchPlan,
    secrets: Secrets,
    *,
    fetcher: BodyFetcher | None = None,
    max_bytes: int = OPEN_MAX_BYTES,
) -> tuple[str, str | None]:
    """``(text, html)`` from the server (network only; no database)."""
    own = fetcher is None
    active = open_fetcher(secrets, plan.account) if fetcher is None else fetcher
    try:
        return _fetch_one(active, plan.message_pk, plan.remote_id, plan.places, max_bytes)
    finally:
        if own:
            active.close()


def save_fetched(
    store: Store, clock: Clock, plan: FetchPlan, text: str, html: str | None
) -> MessageBody:
    """Keep a fetched body (database only), for search and the next opening."""
    now = clock.now()
    with store.writing() as session:
        if not stored_bodies.save_body(
            session, plan.message_pk, text=text, html=html, fetched_at=now
        ):
            raise BadInput(f"no message with id {plan.message_pk}")  # its account was removed
    log.info("fetched the body of message %d (%s)", plan.message_pk, plan.account.name)
    return MessageBody(plan.message_pk, text, html, now)


def fetch_body(
    store: Store,
    clock: Clock,
    secrets: Secrets,
    message_pk: int,
    *,
    fetcher: BodyFetcher | None = None,
    max_bytes: int = OPEN_MAX_BYTES,
) -> MessageBody:
    """The body of message ``message_pk``, fetched and stored first if need be: the
    three steps above in one call (the window runs them on different workers).

    ``fetcher`` reuses an open connection (else one is opened for this call and closed
    after it). Raises :class:`MessageGone`, a :class:`SourceError`, or :class:`BadInput`
    (no such message, no password); each has a one-line message.
    """
    found = body_or_plan(store, message_pk)
    if isinstance(found, MessageBody):
        return found
    text, html = fetch_planned(found, secrets, fetcher=fetcher, max_bytes=max_bytes)
    return save_fetched(store, clock, found, text, html)


def _fetch_one(
    fetcher: BodyFetcher,
    message_pk: int,
    remote_id: str,
    places: list[tuple[str, int]],
    max_bytes: int,
) -> tuple[str, str | None]:
    """``(text, html)`` from the first place that holds the message; else raises why."""
    refused: str | None = None
    elsewhere = False
    for folder, uid in places:
        for batch in fetcher.fetch(folder, [uid], max_bytes=max_bytes):
            for fetched in batch.bodies:
                if fetched.matches(remote_id):
                    return fetched.body.text, fetched.body.html
                elsewhere = True
            for _, reason in batch.failed:
                refused = reason
    if refused is not None:
        raise SourceError(f"the server would not return message {message_pk}: {refused}")
    if elsewhere:
        raise MessageGone(
            f"message {message_pk} is no longer where the last sync saw it (the folder was "
            "renumbered on the server): sync the account and open it again"
        )
    raise MessageGone(
        f"message {message_pk} is no longer on the server (deleted or moved elsewhere "
        "since the last sync): sync the account to update the inbox"
    )


# --------------------------------------------------------------------- in the background


def bodies_waiting(store: Store, account: Account) -> bool:
    """Whether the background fetch has anything to do for ``account`` (a cheap read,
    so the sync loop opens a second connection only when it will be used)."""
    if account.id is None:
        return False
    budget_bytes, max_message_bytes = background_limits(store)
    if budget_bytes <= 0:
        return False
    with store.reading() as session:
        return bool(
            stored_bodies.pick_for_background(
                session, account.id, budget_bytes=budget_bytes, max_message_bytes=max_message_bytes
            )
        )


def fetch_bodies_in_background(
    store: Store,
    clock: Clock,
    fetcher: BodyFetcher,
    account: Account,
    *,
    budget_bytes: int | None = None,
    max_message_bytes: int | None = None,
    should_stop: Callable[[], bool] = lambda: False,
) -> BackgroundFetch:
    """Fetch and store the bodies of ``account``'s newest messages within the budget.

    ``budget_bytes``/``max_message_bytes`` default to the settings
    (:func:`background_limits`). Each fetched batch is committed on its own;
    ``should_stop`` is polled between batches. Raises :class:`SourceError` if the
    connection fails (what was committed stays); one bad message stops nothing.
    """
    if account.id is None:
        raise ValueError("fetching bodies needs an account that is stored in the profile")
    if budget_bytes is None or max_message_bytes is None:
        default_budget, default_max = background_limits(store)
        budget_bytes = default_budget if budget_bytes is None else budget_bytes
        max_message_bytes = default_max if max_message_bytes is None else max_message_bytes
    result = BackgroundFetch(account.name)
    with store.reading() as session:
        candidates = stored_bodies.pick_for_background(
            session, account.id, budget_bytes=budget_bytes, max_message_bytes=max_message_bytes
        )
        identities = stored_bodies.remote_ids(session, [c.pk for c in candidates])
    if not candidates:
        return result
    by_folder: dict[str, dict[int, int]] = {}  # folder -> uid -> message pk, newest first
    for candidate in candidates:
        by_folder.setdefault(candidate.folder, {})[candidate.uid] = candidate.pk
    for folder, pks in by_folder.items():
        for batch in fetcher.fetch(folder, list(pks), max_bytes=max_message_bytes):
            _commit(store, clock, batch, pks, identities, result)
            if should_stop():
                result.stopped = True
                log.info(
                    "background fetch of %s stopped on request after %d bodies",
                    account.name,
                    result.messages,
                )
                return result
    log.info(
        "background fetch of %s: %d bodies, %d bytes (%d gone, %d refused, %d moved)",
        account.name,
        result.messages,
        result.bytes,
        result.missing,
        result.failed,
        result.mismatched,
    )
    return result


def _commit(
    store: Store,
    clock: Clock,
    batch: FetchBatch,
    pks: dict[int, int],
    identities: dict[int, str],
    result: BackgroundFetch,
) -> None:
    result.missing += len(batch.missing)
    result.failed += len(batch.failed)
    for uid, reason in batch.failed:
        log.warning("no body for UID %d of %s: %s", uid, batch.folder, reason)
    if not batch.bodies:
        return
    now = clock.now()
    with store.writing() as session:
        for fetched in batch.bodies:
            pk = pks[fetched.uid]
            if not fetched.matches(identities.get(pk, "")):
                result.mismatched += 1
                continue
            body = fetched.body
            if stored_bodies.save_body(session, pk, text=body.text, html=body.html, fetched_at=now):
                result.messages += 1
                result.bytes += fetched.size
