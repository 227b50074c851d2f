"""Schedule versions, imported calendar blocks and events in the profile."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session

from asyncdesk.core.schedule import ImportedBlock
from asyncdesk.store.schema import EventRow, ImportedBlockRow, ScheduleVersionRow


def load_document(session: Session, at: datetime | None = None) -> dict[str, Any] | None:
    """The schedule document valid at ``at`` (the newest if None); None before any."""
    statement = select(ScheduleVersionRow.document)
    if at is not None:
        statement = statement.where(ScheduleVersionRow.valid_from <= at)
    statement = statement.order_by(
        ScheduleVersionRow.valid_from.desc(), ScheduleVersionRow.id.desc()
    ).limit(1)
    return session.scalars(statement).first()


def save_document(session: Session, document: dict[str, Any], valid_from: datetime) -> None:
    session.add(ScheduleVersionRow(valid_from=valid_from, document=document))


def versions_between(
    session: Session, start: datetime, end: datetime
) -> list[tuple[datetime, dict[str, Any]]]:
    """The version in force at ``start`` and every later one before ``end``, in order."""
    first = session.execute(
        select(ScheduleVersionRow.valid_from, ScheduleVersionRow.document)
        .where(ScheduleVersionRow.valid_from <= start)
        .order_by(ScheduleVersionRow.valid_from.desc(), ScheduleVersionRow.id.desc())
        .limit(1)
    ).first()
    later = session.execute(
        select(ScheduleVersionRow.valid_from, ScheduleVersionRow.document)
        .where(ScheduleVersionRow.valid_from > start, ScheduleVersionRow.valid_from < end)
        .order_by(ScheduleVersionRow.valid_from, ScheduleVersionRow.id)
    ).all()
    rows = ([first] if first is not None else []) + list(later)
    return [(row[0], row[1]) for row in rows]


def load_imported(session: Session, at: datetime | None = None) -> list[ImportedBlock]:
    """Imported blocks in force at ``at`` (the current ones if None)."""
    statement = select(ImportedBlockRow)
    if at is None:
        statement = statement.where(ImportedBlockRow.removed_at.is_(None))
    else:
        statement = statement.where(
            ImportedBlockRow.imported_at <= at,
            or_(ImportedBlockRow.removed_at.is_(None), ImportedBlockRow.removed_at > at),
        )
    return [
        ImportedBlock(row.start_at, row.end_at, row.summary, row.source)
        for row in session.scalars(statement.order_by(ImportedBlockRow.start_at))
    ]


def replace_imported(
    session: Session, source: str, blocks: Sequence[tuple[str, ImportedBlock]], now: datetime
) -> None:
    """Retire what ``source`` imported before and store ``blocks`` (uid, block) instead."""
    session.execute(
        update(ImportedBlockRow)
        .where(and_(ImportedBlockRow.source == source, ImportedBlockRow.removed_at.is_(None)))
        .values(removed_at=now)
    )
    session.add_all(
        ImportedBlockRow(
            source=source,
            uid=uid,
            summary=block.summary,
            start_at=block.start,
            end_at=block.end,
            imported_at=now,
        )
        for uid, block in blocks
    )


def retire_all_imported(session: Session, now: datetime) -> None:
    session.execute(
        update(ImportedBlockRow).where(ImportedBlockRow.removed_at.is_(None)).values(removed_at=now)
    )


def add_event(session: Session, kind: str, at: datetime, data: dict[str, Any]) -> None:
    session.add(EventRow(kind=kind, at=at, data=data))


def events_between(
    session: Session, kind: str, start: datetime, end: datetime
) -> list[tuple[datetime, dict[str, Any]]]:
    rows = session.execute(
        select(EventRow.at, EventRow.data)
        .where(EventRow.kind == kind, EventRow.at >= start, EventRow.at < end)
        .order_by(EventRow.at, EventRow.id)
    ).all()
    return [(row[0], row[1]) for row in rows]
