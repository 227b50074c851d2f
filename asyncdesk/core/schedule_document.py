"""A schedule as a JSON-safe document: how it is stored and how ``schedule show`` prints it.

Imported calendar blocks are not part of the document (they are many, and kept in their
own table); the document holds what the user typed. Lists are in a canonical order, so
the same schedule always gives the same bytes.

Office hours are an optional key (``office_hours``), written only when there are some:
a document from before them loads as it is, and a schedule without them is stored
with the same bytes as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from asyncdesk.core.schedule import (
    DEFAULT_OFFICE_HOURS_TITLE,
    BlockKind,
    ImportedBlock,
    OfficeHoursBlock,
    OneOffBlock,
    Schedule,
    SkipWindow,
    WeeklyBlock,
    format_clock,
    format_days,
    parse_clock,
    parse_days,
)

Document = dict[str, Any]


def to_document(schedule: Schedule) -> Document:
    def weekly(kind: BlockKind) -> list[dict[str, str]]:
        blocks = sorted(
            (b for b in schedule.weekly if b.kind is kind),
            key=lambda b: (b.start, b.end, min(b.days)),
        )
        return [
            {
                "days": format_days(b.days),
                "start": format_clock(b.start),
                "end": format_clock(b.end),
            }
            for b in blocks
        ]

    overrides: list[dict[str, str | None]] = []
    for day in sorted(schedule.closed_days):
        overrides.append({"date": day.isoformat(), "kind": "closed", "start": None, "end": None})
    for skip in schedule.skips:
        overrides.append(
            {
                "date": skip.day.isoformat(),
                "kind": "skip",
                "start": None if skip.start is None else format_clock(skip.start),
                "end": None,
            }
        )
    for one_off in schedule.one_offs:
        overrides.append(
            {
                "date": one_off.day.isoformat(),
                "kind": one_off.kind.value,
                "start": format_clock(one_off.start),
                "end": format_clock(one_off.end),
            }
        )
    overrides.sort(key=lambda o: (o["date"] or "", o["start"] or "", o["kind"] or ""))
    document: Document = {
        "timezone": schedule.zone.key,
        "windows": weekly(BlockKind.WINDOW),
        "deep_work": weekly(BlockKind.DEEP_WORK),
        "overrides": overrides,
    }
    if schedule.office_hours:
        document["office_hours"] = office_hours_document(schedule.office_hours)
    return document


def office_hours_document(blocks: Sequence[OfficeHoursBlock]) -> list[dict[str, str]]:
    """The office hours as ``schedule show --json`` lists them, in canonical order."""
    ordered = sorted(blocks, key=lambda b: (b.start, b.end, min(b.days), b.title))
    return [
        {
            "days": format_days(b.days),
            "start": format_clock(b.start),
            "end": format_clock(b.end),
            "title": b.title,
        }
        for b in ordered
    ]


def from_document(
    document: Document | None, zone: ZoneInfo, imported: Sequence[ImportedBlock] = ()
) -> Schedule:
    """Rebuild a schedule; ``zone`` is the user's zone now (the document's is history)."""
    if document is None:
        return Schedule(zone=zone, imported=tuple(imported))
    weekly = [
        WeeklyBlock(
            kind, parse_days(b["days"]), parse_clock(b["start"]), parse_clock(b["end"], end=True)
        )
        for key, kind in (("windows", BlockKind.WINDOW), ("deep_work", BlockKind.DEEP_WORK))
        for b in document.get(key, [])
    ]
    one_offs: list[OneOffBlock] = []
    skips: list[SkipWindow] = []
    closed: set[date] = set()
    for override in document.get("overrides", []):
        day = date.fromisoformat(override["date"])
        kind = override["kind"]
        if kind == "closed":
            closed.add(day)
        elif kind == "skip":
            start = override.get("start")
            skips.append(SkipWindow(day, None if start is None else parse_clock(start)))
        else:
            one_offs.append(
                OneOffBlock(
                    BlockKind(kind),
                    day,
                    parse_clock(override["start"]),
                    parse_clock(override["end"], end=True),
                )
            )
    office_hours = tuple(
        OfficeHoursBlock(
            parse_days(b["days"]),
            parse_clock(b["start"]),
            parse_clock(b["end"], end=True),
            b.get("title") or DEFAULT_OFFICE_HOURS_TITLE,
        )
        for b in document.get("office_hours", [])
    )
    return Schedule(
        zone=zone,
        weekly=tuple(weekly),
        office_hours=office_hours,
        one_offs=tuple(one_offs),
        skips=tuple(skips),
        closed_days=frozenset(closed),
        imported=tuple(imported),
    )
