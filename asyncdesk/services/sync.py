"""Running a source to completion: each batch and its cursor committed together.

Thread contract: :func:`sync_source` blocks on network and disk; the CLI runs it on its
main thread, the UI on a task-runner worker. ``progress`` is called on that same thread
after every committed batch; ``should_stop`` is polled between batches, so stopping
never leaves a half-written batch (there is no such thing: a batch is one transaction).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from asyncdesk.core import settings as declared
from asyncdesk.core.clock import Clock
from asyncdesk.services.triage import triage
from asyncdesk.sources.base import Source, SyncBatch
from asyncdesk.store import locations
from asyncdesk.store.database import Store
from asyncdesk.store.messages import add_batch, get_cursor
from asyncdesk.store.settings import get_setting

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
) -> SyncResult:
    account = source.account
    if account.id is None:
        raise ValueError("sync needs an account that is stored in the profile")
    with store.reading() as session:
        sla = timedelta(hours=get_setting(session, declared.SLA_DEFAULT_HOURS))
    result = SyncResult(account=account.name)
    for stream in source.streams():
        with store.reading() as session:
            cursor = get_cursor(session, account.id, stream)
        for batch in source.sync(stream, cursor):
            result.new_messages += _commit(store, source, batch, sla, clock)
            result.batches += 1
            if progress is not None:
                progress(
                    SyncProgress(account.name, stream, batch.done, batch.total, result.new_messages)
                )
            if should_stop():
                result.stopped = True
                log.info(
                    "sync of %s stopped on request after %d batches", account.name, result.batches
                )
                return result
    log.info("sync of %s: %d new messages", account.name, result.new_messages)
    return result


def _commit(store: Store, source: Source, batch: SyncBatch, sla: timedelta, clock: Clock) -> int:
    account = source.account
    assert account.id is not None
    triaged = [(message, triage(message, account, sla)) for message in batch.messages]
    now = clock.now()
    with store.writing() as session:
        if batch.reset:
            locations.reset_stream(session, account.id, batch.stream, now)
        new = add_batch(
            session, account.id, triaged, stream=batch.stream, cursor=batch.cursor, now=now
        )
        if batch.positions:
            placed = [
                (message.remote_id, position)
                for message, position in zip(batch.messages, batch.positions, strict=True)
            ]
            locations.place(session, account.id, batch.stream, placed)
        if batch.flags:
            flags = [(flag.position, flag.seen, flag.flagged) for flag in batch.flags]
            locations.set_flags(session, account.id, batch.stream, flags)
        if batch.vanished:
            locations.vanish(session, account.id, batch.stream, batch.vanished, now)
        if batch.present is not None:
            locations.keep_only(session, account.id, batch.stream, batch.present, now)
        return new
