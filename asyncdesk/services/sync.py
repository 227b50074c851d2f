"""Running a source to completion: each batch and its cursor committed together.

Thread contract: :func:`sync_source` blocks on network and disk; the CLI runs it on its
main thread, the UI on a task-runner worker. ``progress`` is called on that same thread
after every committed batch; ``should_stop`` is polled between batches, so stopping
never leaves a half-written batch (there is no such thing: a batch is one transaction).

Published availability: given the keyring (``secrets``) and with ``autoreply.enabled``
on, the inbound email a batch stores for the first time is handed, after the batch is
committed, to :mod:`asyncdesk.services.auto_replies`, which may answer it (its failures
never stop the sync). Outbound messages carrying our auto-reply marker (a copy the mail
server filed in Sent by itself) are never stored: an auto-reply is not the user's reply.

Check-ins: after a pass has committed, :func:`asyncdesk.services.checkins.after_sync`
marks the answers it brought and sends the account's runs that are due (its failures
never stop the sync either). The chat messages a check-in posted are not stored when the
sync brings them back: a question is not the user's reply to the conversation.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Final, cast

from asyncdesk.core.auto_reply import MARKER_HEADER
from asyncdesk.core.clock import Clock
from asyncdesk.core.messages import Direction, Medium, Message, Triage
from asyncdesk.services import auto_replies, checkins
from asyncdesk.services.deadlines import Rules, load_rules, triage
from asyncdesk.services.secrets import Secrets
from asyncdesk.sources.base import Source, SyncBatch
from asyncdesk.store import locations
from asyncdesk.store.auto_replies import stored_remote_ids
from asyncdesk.store.checkins import checkin_remote_ids
from asyncdesk.store.database import Store
from asyncdesk.store.invitations import apply_invitations
from asyncdesk.store.messages import (
    add_batch,
    edit_messages,
    get_cursor,
    redact_messages,
    tell_apart,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class SyncProgress:
    account: str
    stream: str
    done: int
    total: int | None
    new_messages: int


@dataclass(slots=True)
class SyncResult:
    account: str
    new_messages: int = 0
    batches: int = 0
    stopped: bool = False


def sync_source(
    store: Store,
    source: Source,
    clock: Clock,
    *,
    progress: Callable[[SyncProgress], None] | None = None,
    should_stop: Callable[[], bool] = lambda: False,
    secrets: Secrets | None = None,
) -> SyncResult:
    """``secrets``: the keyring, for sending auto-replies; without it none is sent."""
    account = source.account
    if account.id is None:
        raise ValueError("sync needs an account that is stored in the profile")
    rules = load_rules(store)
    responder = auto_replies.prepare(store, clock, secrets, account, rules.sla)
    result = SyncResult(account=account.name)
    for stream in source.streams():
        with store.reading() as session:
            cursor = get_cursor(session, account.id, stream)
        with _Prefetch(source.sync(stream, cursor)) as batches:
            for batch in batches:
                fresh: list[tuple[Message, Triage]] | None = None if responder is None else []
                result.new_messages += _commit(store, source, batch, rules, clock, fresh)
                if responder is not None and fresh:
                    responder.answer(fresh)
                result.batches += 1
                if progress is not None:
                    progress(
                        SyncProgress(
                            account.name, stream, batch.done, batch.total, result.new_messages
                        )
                    )
                if should_stop():
                    result.stopped = True
                    log.info(
                        "sync of %s stopped on request after %d batches",
                        account.name,
                        result.batches,
                    )
                    return result
    log.info("sync of %s: %d new messages", account.name, result.new_messages)
    # After the pass has committed: gather check-in answers, ask the runs now due.
    checkins.after_sync(store, clock, secrets, account, source)
    return result


_DONE: Final = object()


class _Prefetch:
    """Runs a source's batch iterator one or two batches ahead on its own thread, so
    that the next batch is fetched and parsed while this one is committed (network,
    parsing and SQLite each wait on something else; a first sync got about a third
    faster). The source is used by that thread alone until :meth:`close` joins it,
    which keeps the one-thread-at-a-time rule of the sources; errors reach the reader
    unchanged, in order.
    """

    def __init__(self, batches: Iterator[SyncBatch], depth: int = 2) -> None:
        self._queue: queue.Queue[tuple[object, BaseException | None]] = queue.Queue(depth)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, args=(batches,), name="asyncdesk-sync-fetch", daemon=True
        )
        self._thread.start()

    def _put(self, item: object, error: BaseException | None = None) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put((item, error), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, batches: Iterator[SyncBatch]) -> None:
        try:
            for batch in batches:
                if not self._put(batch):
                    return
            self._put(_DONE)
        except BaseException as error:  # handed to the reader, who raises it
            self._put(None, error)
        finally:
            close = getattr(batches, "close", None)
            if close is not None:
                close()

    def __iter__(self) -> Iterator[SyncBatch]:
        while True:
            item, error = self._queue.get()
            if error is not None:
                raise error
            if item is _DONE:
                return
            yield cast(SyncBatch, item)

    def close(self) -> None:
        self._stop.set()
        self._thread.join()

    def __enter__(self) -> _Prefetch:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()


def _without_own_auto_replies(batch: SyncBatch) -> SyncBatch:
    """``batch`` without the outbound copies of our auto-replies (and their positions)."""
    keep = [
        not (message.direction is Direction.OUTBOUND and MARKER_HEADER in message.headers)
        for message in batch.messages
    ]
    return _keeping(batch, keep, "copies of auto-replies")


def _without_checkin_questions(store: Store, account_id: int, batch: SyncBatch) -> SyncBatch:
    """``batch`` without the chat messages our check-ins posted: asking a question in a
    direct conversation is not a reply to what the person wrote there before."""
    ours = [m.remote_id for m in batch.messages if m.direction is Direction.OUTBOUND]
    if not ours or not checkins.any_chat_sends(store):
        return batch
    with store.reading() as session:
        sent = checkin_remote_ids(session, account_id, ours)
    keep = [message.remote_id not in sent for message in batch.messages]
    return _keeping(batch, keep, "check-in questions")


def _keeping(batch: SyncBatch, keep: list[bool], what: str) -> SyncBatch:
    if all(keep):
        return batch
    log.debug("skipped %d %s in %s", keep.count(False), what, batch.stream)
    messages = [m for m, kept in zip(batch.messages, keep, strict=True) if kept]
    positions = (
        [p for p, kept in zip(batch.positions, keep, strict=True) if kept]
        if batch.positions
        else batch.positions
    )
    return replace(batch, messages=messages, positions=positions)


def _commit(
    store: Store,
    source: Source,
    batch: SyncBatch,
    rules: Rules,
    clock: Clock,
    fresh: list[tuple[Message, Triage]] | None = None,
) -> int:
    """Write ``batch`` and its cursor in one transaction; returns how many messages were
    new. ``fresh``, when given, receives the inbound email needing a reply that this
    batch stored for the first time (with its triage), for the auto-replies."""
    account = source.account
    assert account.id is not None
    batch = _without_own_auto_replies(batch)
    batch = _without_checkin_questions(store, account.id, batch)
    triaged = [(message, triage(message, account, rules)) for message in batch.messages]
    now = clock.now()
    with store.writing() as session:
        messages = tell_apart(session, account.id, batch.messages)
        triaged = [(message, rule) for message, (_, rule) in zip(messages, triaged, strict=True)]
        if batch.reset:
            locations.reset_stream(session, account.id, batch.stream, now)
        # New messages carry their flags in the insert; flags of messages that were
        # already stored (changed ones, or all after a UIDVALIDITY reset) are updates.
        flag_of = {flag.position: (flag.seen, flag.flagged) for flag in batch.flags}
        new_flags = (
            [flag_of.get(position, (False, False)) for position in batch.positions]
            if batch.positions
            else None
        )
        if fresh is not None:
            wanted = [
                (message, rule)
                for message, rule in triaged
                if message.direction is Direction.INBOUND
                and message.medium is Medium.EMAIL
                and rule.needs_reply
            ]
            known = stored_remote_ids(session, account.id, [m.remote_id for m, _ in wanted])
            fresh.extend(pair for pair in wanted if pair[0].remote_id not in known)
        new = add_batch(
            session,
            account.id,
            triaged,
            stream=batch.stream,
            cursor=batch.cursor,
            now=now,
            flags=new_flags,
        )
        if batch.positions:
            placed = list(zip((m.remote_id for m in messages), batch.positions, strict=True))
            locations.place(session, account.id, batch.stream, placed)
        updates = batch.flags
        if new == len(batch.messages) and batch.positions:
            inserted_at = set(batch.positions)
            updates = [flag for flag in batch.flags if flag.position not in inserted_at]
        if updates:
            flags = [(flag.position, flag.seen, flag.flagged) for flag in updates]
            locations.set_flags(session, account.id, batch.stream, flags)
        if batch.vanished:
            locations.vanish(session, account.id, batch.stream, batch.vanished, now)
        if batch.present is not None:
            locations.keep_only(session, account.id, batch.stream, batch.present, now)
        if batch.edits:
            edits = [(edit.remote_id, edit.body_text, edit.sender) for edit in batch.edits]
            edit_messages(session, account.id, edits)
        if batch.redactions:
            redact_messages(session, account.id, batch.redactions, now)
        if batch.invitations or batch.invitations_complete or batch.uninvited:
            apply_invitations(
                session,
                account.id,
                [(i.room_id, i.name, i.inviter) for i in batch.invitations],
                complete=batch.invitations_complete,
                gone=batch.uninvited,
                now=now,
            )
        return new
