"""Triage drafts and the window's labels, on a real profile (SQLite): the same labels as
``inbox --json``, however the listing's history is read; office hours offered only when
there are some; an introduction that falls back to the windows. New York, in the week
the clocks go back (Sun 1 Nov 2026)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import ME, add_test_account, email, open_store, store_messages

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.errors import BadInput
from asyncdesk.core.messages import Direction
from asyncdesk.core.schedule import BlockKind, OfficeHoursBlock, WeeklyBlock, parse_days
from asyncdesk.services.inbox import labelled_rows, page
from asyncdesk.services.schedule import add_office_hours, change_schedule, set_timezone
from asyncdesk.services.triage import TriageAction, page_labels, triage_draft
from asyncdesk.store.database import Store
from asyncdesk.store.labels import ContactHistory

NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 10, 29, 10, 0, tzinfo=NEW_YORK)  # Thu 10:00 EDT


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(tmp_path / "p")
    set_timezone(opened, FixedClock(NOW), "America/New_York")
    account = add_test_account(opened)
    store_messages(
        opened,
        account,
        [
            email("old", at=NOW - timedelta(days=20), direction=Direction.OUTBOUND, sender=ME,
                  to=("ada@example.org",)),
            email("ada", at=NOW - timedelta(hours=2), sender="ada@example.org", name="Ada",
                  subject="Numbers", body="Could you check the table?"),
            email("sam", at=NOW - timedelta(hours=1), sender="sam@newco.example",
                  name="Sam Jones", subject="Quick call?",
                  body="Can we hop on a quick call? https://www.loom.com/share/abc123"),
        ],
    )  # fmt: skip
    yield opened
    opened.close()


def pk_of(store: Store, sender: str) -> int:
    return next(m.id for m in page(store, 50) if m.sender_address == sender)


def test_the_window_labels_match_inbox_json_with_or_without_a_kept_history(
    store: Store,
) -> None:
    rows = page(store, 50)
    with store.reading() as session:
        expected = {row["id"]: tuple(row["labels"]) for row in labelled_rows(session, rows)}
    assert expected[pk_of(store, "sam@newco.example")] == (
        "first_contact",
        "meeting_request",
        "video",
    )
    assert expected[pk_of(store, "ada@example.org")] == ()
    history = ContactHistory()
    assert page_labels(store, rows, history) == expected
    assert history.complete  # read once for the listing
    assert page_labels(store, rows, history) == expected
    assert page_labels(store, rows) == expected


def test_office_hours_are_offered_in_local_time_with_an_invitation(store: Store) -> None:
    clock = FixedClock(NOW)
    sam = pk_of(store, "sam@newco.example")
    with pytest.raises(BadInput, match="schedule officehours add"):
        triage_draft(store, clock, sam, TriageAction.OFFER_OFFICE_HOURS)
    add_office_hours(store, clock, OfficeHoursBlock(parse_days("mon,thu"), 15 * 60, 16 * 60))
    draft = triage_draft(store, clock, sam, TriageAction.OFFER_OFFICE_HOURS)
    assert [slot.phrase() for slot in draft.slots] == [
        "Thu 29 Oct, 15:00-16:00 EDT",
        "Mon 2 Nov, 15:00-16:00 EST",
        "Thu 5 Nov, 15:00-16:00 EST",
    ]
    assert draft.text.startswith("Hi Sam,\n\nHappy to talk it through.")
    (invite,) = draft.attachments
    assert invite.params == (("method", "REQUEST"),)
    assert b"DTSTART;TZID=America/New_York:20261029T150000" in invite.data
    assert b"mailto:sam@newco.example" in invite.data


def test_an_introduction_without_office_hours_proposes_the_next_windows(store: Store) -> None:
    clock = FixedClock(NOW)
    window = WeeklyBlock(BlockKind.WINDOW, parse_days("mon-fri"), 16 * 60, 16 * 60 + 30)
    change_schedule(store, clock, lambda s: s.with_weekly(window))
    draft = triage_draft(
        store, clock, pk_of(store, "sam@newco.example"), TriageAction.PROPOSE_INTRODUCTION
    )
    assert "I'm free around these times:" in draft.text
    assert "- Thu 29 Oct, 16:00-16:30 EDT" in draft.text
    assert draft.attachments == ()
    ask = triage_draft(store, clock, pk_of(store, "ada@example.org"), TriageAction.ASK_TOPIC)
    assert ask.text.startswith("Hi Ada,\n\nHappy to help. What is it about")
