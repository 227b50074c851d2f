"""Answering a message through its own account: compose, queue, send over SMTP, file in Sent.

A reply goes through the outbox (:mod:`asyncdesk.store.outbox`, where the states and
why they are safe are described), never straight to the server:

1. :func:`reply` checks everything it can before writing anything (the message, its
   account, the SMTP settings, a password in the keyring, a non-empty body): bad
   input is :class:`~asyncdesk.core.errors.BadInput` and leaves nothing behind.
2. In one transaction it queues the composed message and stores its outbound copy as
   a message row, so the answered message is ``replied`` at once; the row has the
   remote id the IMAP sync gives the copy it later reads from Sent (``sent:`` +
   Message-ID), so that sync adds nothing.
3. It flushes the account's outbox (:func:`flush_outbox`): each queued item is claimed
   (committed) before SMTP hears of it, then marked sent, failed, queued again (the
   server was unreachable or said "later": nothing was delivered) or unsure (the
   connection broke after the message was handed over); each sent item is then filed
   in the Sent folder by IMAP APPEND (``\\Seen``, INTERNALDATE = its Date), and a
   filing failure leaves it ``sent``, to be filed by a later flush and never sent again.

A reply the server refused for good is ``failed`` and its outbound row is removed, so
the message it answered is open again: nothing reached anyone. ``unsure`` items are
never resent by a flush; :func:`retry_reply` is the user's explicit "send it again".

Passwords: the SMTP login uses the account's one secret in the keyring (``account add
imap`` stores one password, for IMAP and SMTP alike), read through the same
:class:`~asyncdesk.services.secrets.Secrets` the sync uses. It never reaches a log,
an error or the outbox.

One flush at a time per profile: a flush holds an OS lock on
:attr:`~asyncdesk.store.profile.ProfilePaths.outbox_lock` (another process or thread
waits), which the kernel releases when its holder dies. So an item a flush finds in
``sending`` belongs to a flush that died, and becomes ``unsure``.

Thread contract: every function here blocks on disk, network and the keyring; the CLI
calls them on its main thread, the UI (and the sync loop) from a worker.
"""

from __future__ import annotations

import contextlib
import email.policy
import logging
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import getaddresses
from pathlib import Path
from typing import TYPE_CHECKING

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError, BadInput
from asyncdesk.core.messages import Direction, Medium, Message, normalize_message_id
from asyncdesk.core.outgoing_attachment import OutgoingAttachment
from asyncdesk.services.accounts import account_password
from asyncdesk.services.locks import try_lock
from asyncdesk.services.secrets import Secrets
from asyncdesk.sources.base import SourceError
from asyncdesk.sources.imap import ImapSettings
from asyncdesk.sources.imap_append import FilingRefused, SentFolder
from asyncdesk.sources.mail_headers import content_hash, conversation_key, parse_headers
from asyncdesk.sources.smtp import (
    DeliveryUnknown,
    SmtpPartlyRefused,
    SmtpRefused,
    SmtpSettings,
    compose_reply_as,
    envelope_recipients,
    header_block,
    send_raw,
)
from asyncdesk.store import outbox
from asyncdesk.store.accounts import get_account, list_accounts
from asyncdesk.store.database import Store
from asyncdesk.store.outbox import OutboxItem, OutboxState, ReplyTarget

if TYPE_CHECKING:
    from asyncdesk.services.chat_reply import ChatReplyOutcome

log = logging.getLogger(__name__)

#: How long a flush waits for another one (another process, another thread) to end.
LOCK_WAIT_SECONDS = 300.0
#: What a filing error on an item starts with, to tell it from a note on recipients.
NOT_FILED = "not filed in Sent"


# ------------------------------------------------------------------------------ results


@dataclass(slots=True)
class ItemReport:
    """What one flush did with one outbox item; ``state`` is where it ended."""

    item_id: int
    message_id: str
    state: OutboxState
    #: Why it was not sent, is unsure or failed, or which recipients were refused.
    send_error: str | None = None
    #: Why it is not filed in Sent yet.
    file_error: str | None = None


@dataclass(slots=True)
class FlushResult:
    """Counts of one flush (items it moved), and what is left waiting afterwards."""

    sent: int = 0
    filed: int = 0
    failed: int = 0
    #: Items it found interrupted (left ``sending``) or whose answer was lost.
    unsure: int = 0
    #: Still ``queued`` afterwards (unreachable server, a temporary refusal, no password).
    queued: int = 0
    #: Sent but still not filed afterwards.
    unfiled: int = 0
    #: One line per account that could not be flushed, or for a lock never obtained.
    errors: list[str] = field(default_factory=list)
    reports: dict[int, ItemReport] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ReplyOutcome:
    """How a reply went. ``to`` and ``cc`` are addresses; ``error`` is one line."""

    item_id: int
    message_id: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    state: OutboxState
    error: str | None = None
    file_error: str | None = None
    #: A new message (services.new_message), not a reply: only the wording differs.
    new: bool = False

    @property
    def sent(self) -> bool:
        return self.state in (OutboxState.SENT, OutboxState.FILED)

    @property
    def ok(self) -> bool:
        """Sent to every recipient (filed or not yet)."""
        return self.sent and self.error is None

    def describe(self) -> str:
        """One line for the user: what happened, and what happens next."""
        whom = ", ".join(self.to) or "nobody"
        if self.cc:
            whom += f", cc {', '.join(self.cc)}"
        what = f"{'message' if self.new else 'reply'} to {whom} ({self.subject})"
        if self.sent:
            filed = (
                "filed in Sent"
                if self.state is OutboxState.FILED
                else f"not filed in Sent yet ({self.file_error or 'not tried'}): the next "
                "reply or sync files it"
            )
            if self.error:
                return f"{what} {self.error}; {filed}"
            return f"sent {what}; {filed}"
        if self.state is OutboxState.FAILED:
            return f"{what} refused, nothing was sent: {self.error}"
        if self.state is OutboxState.UNSURE:
            return (
                f"{what} may or may not have been sent: {self.error}; it is not sent again "
                "unless you retry it"
            )
        reason = self.error or "another AsyncDesk was sending"
        return (
            f"{what} not sent yet: {reason}; it stays queued and goes out with the next "
            "reply or sync"
        )


# ------------------------------------------------------------------------------ checks


def check_reply_target(store: Store, message_pk: int) -> ReplyTarget:
    """The stored message ``message_pk``, if it can be answered; else :class:`BadInput`.

    Also checks the account can send (SMTP settings), so a user is told before typing.
    """
    with store.reading() as session:
        target = outbox.find_reply_target(session, message_pk)
    if target is None:
        raise BadInput(f"no message with id {message_pk} (see: asyncdesk inbox)")
    kind = target.account.kind
    if kind in (AccountKind.MATRIX, AccountKind.SLACK):
        return target  # sent through the chat account itself (services.chat_reply)
    if kind is not AccountKind.EMAIL:
        raise BadInput(
            f"message {message_pk} is from the {kind.value} account {target.account.name!r}, "
            "which cannot send: only email accounts can be answered from AsyncDesk"
        )
    _smtp_settings(target.account)
    _from_address(target.account)
    return target


def _smtp_settings(account: Account) -> SmtpSettings:
    try:
        return SmtpSettings.from_account(account)
    except SourceError as error:
        raise BadInput(
            f"{error.message}: add the account again with --smtp-host (asyncdesk account "
            f"remove {account.name}, then account add imap ... --smtp-host H)"
        ) from None


def _from_address(account: Account) -> str:
    """The account's first address (``account add imap --address``, else its login)."""
    address = account.identities[0] if account.identities else ""
    if "@" not in address:
        raise BadInput(f"account {account.name!r} has no email address to send from")
    return address


# ----------------------------------------------------------------------------- compose


def original_headers(target: ReplyTarget) -> bytes:
    """A minimal header block of the stored message, for :func:`compose_reply`.

    Rebuilt from the stored columns (the server's copy is not needed): From, To, Cc,
    Subject, Message-ID, In-Reply-To, References, and Reply-To, which the IMAP source
    keeps in ``headers["reply-to"]``. Values are raw UTF-8 (RFC 6532), which the
    header parser reads back as they were.
    """
    return header_block(
        sender=(target.sender_name, target.sender_address),
        to=target.to,
        cc=target.cc,
        reply_to=target.headers.get("reply-to"),
        subject=target.subject,
        message_id=target.message_id,
        in_reply_to=target.in_reply_to,
        references=target.references,
    )


# A reply is refused above this size before anything is queued: most servers refuse
# messages over 25 MB (base64 adds a third), and saying so now beats a bounce later.
MAX_ATTACHMENTS_BYTES = 18 * 1024 * 1024


def attachment_from_file(path: Path) -> OutgoingAttachment:
    """Read a file to attach (its type guessed from its name, else octet-stream);
    a file that cannot be read is one line."""
    import mimetypes

    try:
        data = path.read_bytes()
    except OSError as error:
        raise BadInput(f"cannot attach {path.name}: {error.strerror or error}") from None
    guessed, _encoding = mimetypes.guess_type(path.name)
    return OutgoingAttachment(path.name, guessed or "application/octet-stream", data)


def check_attachments(attachments: Sequence[OutgoingAttachment]) -> None:
    total = sum(len(item.data) for item in attachments)
    if total > MAX_ATTACHMENTS_BYTES:
        raise BadInput(
            f"the attachments are {total / 1024 / 1024:.1f} MB: most mail servers refuse "
            f"more than {MAX_ATTACHMENTS_BYTES // 1024 // 1024} MB; share a link instead"
        )


@dataclass(frozen=True, slots=True)
class _Composed:
    message: EmailMessage
    raw: bytes
    message_id: str
    envelope_from: str
    recipients: list[str]


def _compose(
    target: ReplyTarget,
    body: str,
    *,
    reply_all: bool,
    now: datetime,
    attachments: Sequence[OutgoingAttachment] = (),
) -> _Composed:
    account = target.account
    from_address = _from_address(account)
    message = compose_reply_as(
        account,
        from_address,
        original_headers(target),
        body,
        reply_all=reply_all,
        now=now,
        attachments=attachments,
    )
    recipients = envelope_recipients(message)
    if not recipients:
        raise BadInput(f"message {target.id} has no address to reply to")
    message_id = normalize_message_id(str(message["Message-ID"]))
    assert message_id is not None  # compose_reply always sets one
    return _Composed(
        message=message,
        raw=message.as_bytes(policy=email.policy.SMTP),
        message_id=message_id,
        envelope_from=from_address,
        recipients=recipients,
    )


def outbound_message(raw: bytes, *, conversation: str | None, at: datetime, body: str) -> Message:
    """The outbound message row for a reply, as the sync of Sent would identify it.

    ``conversation``: the answered message's (so the reply lands in its thread even when
    the original had no Message-ID); ``None`` derives it from the headers.
    """
    parsed = parse_headers(raw)
    digest = content_hash(parsed)
    return Message(
        remote_id=f"sent:{parsed.message_id or digest}",
        direction=Direction.OUTBOUND,
        medium=Medium.EMAIL,
        conversation=conversation or conversation_key(parsed, fallback=digest),
        sender=parsed.sender,
        subject=parsed.subject,
        received_at=at,
        body_text=body,
        to=parsed.to,
        cc=parsed.cc,
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        size=len(raw),
    )


def _addresses(message: EmailMessage, name: str) -> tuple[str, ...]:
    return tuple(address for _n, address in getaddresses(message.get_all(name, [])) if address)


# ------------------------------------------------------------------------------- reply


def reply(
    store: Store,
    clock: Clock,
    secrets: Secrets,
    message_pk: int,
    body: str,
    *,
    reply_all: bool = False,
) -> ReplyOutcome | ChatReplyOutcome:
    """Answer stored message ``message_pk`` with ``body`` through its own account.

    A chat message is answered at once (services.chat_reply); the rest of this is email.

    Queues the reply (with its outbound message row), then flushes the account's
    outbox (see the module doc). Raises :class:`BadInput` before writing anything when
    the message, account, settings, password or body will not do; a failure to send
    is not raised but reported in the outcome (the reply stays in the outbox).
    """
    if not body.strip():
        raise BadInput("the reply is empty: nothing sent")
    target = check_reply_target(store, message_pk)
    account = target.account
    assert account.id is not None
    if account.kind in (AccountKind.MATRIX, AccountKind.SLACK):
        from asyncdesk.services.chat_reply import reply_in_chat

        if reply_all:
            raise BadInput("--all is for email: a chat reply goes to the whole room anyway")
        return reply_in_chat(store, clock, secrets, target, body)
    account_password(secrets, account)
    queued = queue_reply(store, clock, target, body, reply_all=reply_all)
    return send_queued(store, clock, secrets, queued)


@dataclass(frozen=True, slots=True)
class QueuedReply:
    """A reply in the outbox, before it is sent (what :func:`send_queued` needs)."""

    item_id: int
    account: str
    message_id: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    new: bool = False


def preview_reply(target: ReplyTarget, *, reply_all: bool, now: datetime) -> QueuedReply:
    """Who the reply goes to and its subject, before anything is written (for the
    compose window's header)."""
    composed = _compose(target, "", reply_all=reply_all, now=now)
    return QueuedReply(
        0,
        target.account.name,
        composed.message_id,
        _addresses(composed.message, "To"),
        _addresses(composed.message, "Cc"),
        str(composed.message["Subject"]),
    )


def queue_reply(
    store: Store,
    clock: Clock,
    target: ReplyTarget,
    body: str,
    *,
    reply_all: bool,
    attachments: Sequence[OutgoingAttachment] = (),
) -> QueuedReply:
    """Compose the reply and put it in the outbox with its outbound copy (database
    only: the window runs this on its database worker).

    ``attachments`` go into the composed message, which the outbox keeps whole: the
    copy sent and the copy filed in Sent both carry them."""
    account = target.account
    assert account.id is not None
    now = clock.now()
    check_attachments(attachments)
    composed = _compose(target, body, reply_all=reply_all, now=now, attachments=attachments)
    copy = outbound_message(composed.raw, conversation=target.conversation, at=now, body=body)
    with store.writing() as session:
        item_id = outbox.enqueue(
            session,
            account_id=account.id,
            reply_to_pk=target.id,
            message_id=composed.message_id,
            raw=composed.raw,
            envelope_from=composed.envelope_from,
            recipients=composed.recipients,
            now=now,
        )
        outbox.record_outbound(session, account.id, copy, answers=target.id, now=now)
    log.info("queued reply %s to message %d (%s)", composed.message_id, target.id, account.name)
    return QueuedReply(
        item_id,
        account.name,
        composed.message_id,
        _addresses(composed.message, "To"),
        _addresses(composed.message, "Cc"),
        str(composed.message["Subject"]),
    )


def send_queued(store: Store, clock: Clock, secrets: Secrets, queued: QueuedReply) -> ReplyOutcome:
    """Flush the account's outbox and say how this reply went. It holds the SMTP and
    IMAP connections while it writes the outbox's short transactions, so it runs where
    the sync runs (off the window's database worker), as the running sync's flush does."""
    result = flush_outbox(store, clock, secrets, account=queued.account)
    report = result.reports.get(queued.item_id)
    with store.reading() as session:
        item = outbox.get_item(session, queued.item_id)
    state = item.state if item is not None else OutboxState.QUEUED
    if report is not None:
        error = report.send_error
    else:
        error = result.errors[0] if result.errors else (item.error if item else None)
    return ReplyOutcome(
        item_id=queued.item_id,
        message_id=queued.message_id,
        to=queued.to,
        cc=queued.cc,
        subject=queued.subject,
        state=state,
        error=error,
        file_error=report.file_error if report is not None else None,
        new=queued.new,
    )


def pending_replies(store: Store, account: str | None = None) -> list[OutboxItem]:
    """Replies not yet filed (queued, sending, sent, unsure, failed), oldest first."""
    with store.reading() as session:
        account_id = None if account is None else get_account(session, account).id
        return outbox.pending(session, account_id)


def flush_if_waiting(
    store: Store, clock: Clock, secrets: Secrets, account: str, *, lock_wait: float = 5.0
) -> FlushResult | None:
    """What a sync does after catching up: flush the account's outbox if anything in it
    can move (queued, or sent and not filed); ``None`` when nothing was waiting, so a
    quiet sync writes nothing."""
    movable = (OutboxState.QUEUED, OutboxState.SENDING, OutboxState.SENT)
    if not any(item.state in movable for item in pending_replies(store, account)):
        return None
    return flush_outbox(store, clock, secrets, account, lock_wait=lock_wait)


def retry_reply(store: Store, clock: Clock, item_id: int) -> OutboxItem:
    """The user's "send it again" for an ``unsure`` or ``failed`` reply: queued again.

    An ``unsure`` one may then reach its recipients twice; that is the user's call. A
    ``failed`` one gets its outbound message row back. The next flush sends it.
    """
    now = clock.now()
    with store.writing() as session:
        item = outbox.retry(session, item_id, now)
        if item is None:
            raise BadInput(f"outbox item {item_id} is not unsure or failed: nothing to retry")
        target = (
            None
            if item.reply_to_pk is None
            else outbox.find_reply_target(session, item.reply_to_pk)
        )
        copy = outbound_message(
            item.raw,
            conversation=None if target is None else target.conversation,
            at=now,
            body=_body_of(item.raw),
        )
        outbox.record_outbound(session, item.account_id, copy, answers=item.reply_to_pk, now=now)
    log.info("reply %s queued again on request", item.message_id)
    return item


def _body_of(raw: bytes) -> str:
    parsed = email.message_from_bytes(raw, policy=email.policy.default)
    part = parsed.get_body(("plain",)) if isinstance(parsed, EmailMessage) else None
    if part is None or not isinstance(part, EmailMessage):
        return ""
    content = part.get_content()
    return content if isinstance(content, str) else ""


# ------------------------------------------------------------------------------- flush


def flush_outbox(
    store: Store,
    clock: Clock,
    secrets: Secrets,
    account: str | None = None,
    *,
    lock_wait: float = LOCK_WAIT_SECONDS,
) -> FlushResult:
    """Send what is ``queued`` and file what is ``sent``, for one account or all.

    First, items left ``sending`` by a flush that died become ``unsure`` (never resent
    by a flush). A server that cannot be reached stops that account's work for this
    flush (its items stay as they are); one account's trouble stops no other. Never
    raises for a network or keyring failure: those are in ``errors`` and on the items.
    """
    result = FlushResult()
    with _exclusive(store.paths.outbox_lock, lock_wait) as held:
        if not held:
            result.errors.append(
                f"another AsyncDesk process has been sending for {lock_wait:.0f} s; "
                "the outbox is left for it"
            )
            log.warning("outbox flush skipped: %s", result.errors[-1])
            return result
        with store.writing() as session:
            interrupted = outbox.interrupted_to_unsure(session, clock.now())
        for item_id in interrupted:
            log.warning("outbox item %d was interrupted while sending: now unsure", item_id)
        result.unsure += len(interrupted)
        with store.reading() as session:
            accounts = (
                list_accounts(session) if account is None else [get_account(session, account)]
            )
            work = outbox.items(session, (OutboxState.QUEUED, OutboxState.SENT))
        for one in accounts:
            mine = [item for item in work if item.account_id == one.id]
            if mine:
                _flush_account(store, clock, secrets, one, mine, result)
        with store.reading() as session:
            left = outbox.items(session, (OutboxState.QUEUED, OutboxState.SENT))
        wanted = {one.id for one in accounts}
        result.queued = sum(
            1 for i in left if i.account_id in wanted and i.state is OutboxState.QUEUED
        )
        result.unfiled = sum(
            1 for i in left if i.account_id in wanted and i.state is OutboxState.SENT
        )
    return result


def _flush_account(
    store: Store,
    clock: Clock,
    secrets: Secrets,
    account: Account,
    work: Sequence[OutboxItem],
    result: FlushResult,
) -> None:
    try:
        password = account_password(secrets, account)
    except AsyncDeskError as error:  # no password, or the keyring is unavailable
        _account_failed(store, clock, account, work, error.message, result)
        return
    queued = [item for item in work if item.state is OutboxState.QUEUED]
    if queued:
        try:
            settings = SmtpSettings.from_account(account)
        except SourceError as error:
            _account_failed(store, clock, account, queued, error.message, result)
        else:
            for index, item in enumerate(queued):
                stop = _send_one(store, clock, settings, password, item, result)
                if stop is not None:
                    for rest in queued[index + 1 :]:
                        _report(result, rest, rest.state).send_error = f"not tried: {stop}"
                    break
    with store.reading() as session:
        to_file = outbox.items(session, (OutboxState.SENT,), account.id)
    if not to_file:
        return
    try:
        imap = ImapSettings.from_account(account)
    except SourceError as error:
        _account_failed(store, clock, account, to_file, error.message, result, filing=True)
        return
    with SentFolder(imap, password) as folder:
        for item in to_file:
            if not _file_one(store, clock, folder, item, result):
                break


def _account_failed(
    store: Store,
    clock: Clock,
    account: Account,
    items: Sequence[OutboxItem],
    error: str,
    result: FlushResult,
    *,
    filing: bool = False,
) -> None:
    text = f"{NOT_FILED}: {error}" if filing else error
    log.warning("outbox of %s not flushed: %s", account.name, error)
    result.errors.append(f"{account.name}: {error}")
    with store.writing() as session:
        for item in items:
            outbox.note_error(session, item.id, text, clock.now())
    for item in items:
        report = _report(result, item, item.state)
        if filing:
            report.file_error = error
        else:
            report.send_error = error


def _report(result: FlushResult, item: OutboxItem, state: OutboxState) -> ItemReport:
    report = result.reports.get(item.id)
    if report is None:
        report = result.reports[item.id] = ItemReport(item.id, item.message_id, state)
    report.state = state
    return report


def _send_one(
    store: Store,
    clock: Clock,
    settings: SmtpSettings,
    password: str,
    item: OutboxItem,
    result: FlushResult,
) -> str | None:
    """Claim, send, record. Returns why the account's next items are not worth trying
    now (the server is unreachable, say), or ``None``."""
    with store.writing() as session:
        claimed = outbox.claim(session, item.id, clock.now())
    if claimed is None:  # retried, sent or dropped meanwhile: not ours any more
        return None
    attempt = claimed.attempts
    try:
        send_raw(settings, password, claimed.raw, claimed.envelope_from, claimed.recipients)
    except SmtpPartlyRefused as error:
        with store.writing() as session:
            outbox.mark_sent(session, item.id, attempt, clock.now(), note=error.message)
        log.warning("reply %s sent, but: %s", item.message_id, error.message)
        result.sent += 1
        _report(result, item, OutboxState.SENT).send_error = error.message
        return None
    except SmtpRefused as error:
        if error.temporary:
            _requeue(store, clock, item, attempt, error.message, result)
            return None
        with store.writing() as session:
            if outbox.mark_failed(session, item.id, attempt, error.message, clock.now()):
                outbox.forget_outbound(session, item.account_id, f"sent:{item.message_id}")
        log.warning("reply %s refused: %s", item.message_id, error.message)
        result.failed += 1
        _report(result, item, OutboxState.FAILED).send_error = error.message
        return None
    except DeliveryUnknown as error:
        with store.writing() as session:
            outbox.mark_unsure(session, item.id, attempt, error.message, clock.now())
        log.warning("reply %s may or may not have been sent: %s", item.message_id, error.message)
        result.unsure += 1
        _report(result, item, OutboxState.UNSURE).send_error = error.message
        return error.message
    except SourceError as error:  # nothing was delivered: unreachable, TLS, login
        _requeue(store, clock, item, attempt, error.message, result)
        return error.message
    with store.writing() as session:
        outbox.mark_sent(session, item.id, attempt, clock.now())
    log.info("reply %s sent to %d recipients", item.message_id, len(item.recipients))
    result.sent += 1
    _report(result, item, OutboxState.SENT)
    return None


def _requeue(
    store: Store, clock: Clock, item: OutboxItem, attempt: int, error: str, result: FlushResult
) -> None:
    with store.writing() as session:
        outbox.requeue(session, item.id, attempt, error, clock.now())
    log.warning("reply %s not sent, kept queued: %s", item.message_id, error)
    _report(result, item, OutboxState.QUEUED).send_error = error


def _file_one(
    store: Store, clock: Clock, folder: SentFolder, item: OutboxItem, result: FlushResult
) -> bool:
    """APPEND one sent item. Returns whether the next one is worth trying."""
    date = parse_headers(item.raw).date
    try:
        folder.file(item.raw, item.message_id, date)
    except SourceError as error:
        with store.writing() as session:
            outbox.note_error(session, item.id, f"{NOT_FILED}: {error.message}", clock.now())
        log.warning("reply %s not filed in Sent: %s", item.message_id, error.message)
        _report(result, item, OutboxState.SENT).file_error = error.message
        return isinstance(error, FilingRefused)
    # A note on refused recipients stays; an earlier filing error goes.
    note = item.error if item.error and not item.error.startswith(NOT_FILED) else None
    with store.writing() as session:
        outbox.mark_filed(session, item.id, clock.now(), note)
    result.filed += 1
    _report(result, item, OutboxState.FILED)
    return True


# -------------------------------------------------------------------------------- lock


@contextlib.contextmanager
def _exclusive(path: Path, wait: float) -> Iterator[bool]:
    """Hold the profile's outbox lock (yields True), or give up after ``wait`` seconds
    (yields False). The OS releases it when this process dies, however it dies."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        deadline = time.monotonic() + wait
        held = try_lock(fd)
        while not held and time.monotonic() < deadline:
            time.sleep(0.05)
            held = try_lock(fd)
        yield held
    finally:
        os.close(fd)  # closing the descriptor releases the lock
