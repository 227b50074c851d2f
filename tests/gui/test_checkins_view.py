"""The check-ins panel: the answers of the latest run with who has not answered, shown
by itself in the first window after the run, and never outside a window.

A real profile (SQLite, a Berlin schedule with a 09:00-09:30 window on weekdays), a
check-in asked on Friday 20 Nov 2026 at 15:00 of three people (one address refused),
and Ana's answer stored as a sync stores it (In-Reply-To the message she was sent). The
run is written through the store as the sync writes it; sending is covered by
tests/integration/test_checkins.py.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from pytestqt.qtbot import QtBot

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction, Medium, Message, Sender
from asyncdesk.core.schedule import BlockKind, WeeklyBlock, parse_clock, parse_days
from asyncdesk.services import checkins
from asyncdesk.services.deadlines import load_rules, triage
from asyncdesk.services.schedule import change_schedule, set_timezone
from asyncdesk.store import checkins as stored
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store
from asyncdesk.store.messages import add_batch
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.main_window import MainWindow, Page

BERLIN = ZoneInfo("Europe/Berlin")
ME = "me@example.org"


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


FRIDAY_1500 = berlin(20, 15)
MONDAY_IN_WINDOW = berlin(23, 9, 10)
MONDAY_CLOSED = berlin(23, 11)


def build_profile(root: Path) -> ProfilePaths:
    writer = FixedClock(berlin(16, 12))
    with Store.open(root) as store:
        with store.writing() as session:
            account = add_account(
                session,
                Account(
                    "work",
                    AccountKind.EMAIL,
                    (ME,),
                    {"host": "imap.example.org", "user": ME, "smtp_host": "smtp.example.org"},
                ),
                created_at=berlin(16, 12),
            )
        set_timezone(store, writer, "Europe/Berlin")
        window = WeeklyBlock(
            BlockKind.WINDOW, parse_days("mon-fri"), parse_clock("09:00"), parse_clock("09:30")
        )
        change_schedule(store, writer, lambda schedule: schedule.with_weekly(window))
        weekly = checkins.add_checkin(
            store,
            writer,
            name="weekly",
            days="fri",
            at="15:00",
            to="ana@team.example,bo@team.example,cy@team.example",
            account=None,
            question="What did you finish this week?\nWhat is blocked?",
        )
        with store.writing() as session:
            run = stored.claim_run(session, weekly.id, FRIDAY_1500, FRIDAY_1500)
            assert run is not None
            for person in ("ana", "bo"):
                stored.add_send(session, run, f"{person}@team.example", message_id=f"{person}@desk")
            stored.add_send(
                session,
                run,
                "cy@team.example",
                state=stored.SendState.FAILED,
                error="550 5.1.1 no such mailbox here",
            )
            stored.finish_run(session, run, FRIDAY_1500)
        answer = Message(
            remote_id="answer-1",
            direction=Direction.INBOUND,
            medium=Medium.EMAIL,
            conversation="ana@desk",
            sender=Sender("ana@team.example", "Ana Lima"),
            subject="Re: Check-in: weekly (Fri 20 Nov)",
            received_at=berlin(21, 10),
            body_text="Shipped the export.\nBlocked on the API key.\n\n> What did you finish?",
            to=(ME,),
            message_id="answer-1@team.example",
            in_reply_to="ana@desk",
            references=("ana@desk",),
        )
        assert account.id is not None
        with store.writing() as session:
            add_batch(
                session,
                account.id,
                [(answer, triage(answer, account, load_rules(store)))],
                stream="INBOX",
                cursor="1",
                now=berlin(21, 10),
            )
        checkins.classify_answers(store, FixedClock(berlin(21, 10)))
    return ProfilePaths(root)


def open_window(
    qtbot: QtBot, make_window: Callable[..., MainWindow], root: Path, clock: FixedClock
) -> MainWindow:
    window = make_window(build_profile(root), clock)
    window.show()
    qtbot.waitExposed(window)
    window.open_profile()
    qtbot.waitUntil(lambda: window.page in (Page.INBOX, Page.GATE), timeout=10_000)
    return window


def test_the_first_window_after_a_run_shows_the_answers_and_who_has_not_answered(
    qtbot: QtBot, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    window = open_window(qtbot, make_window, tmp_path / "p", FixedClock(MONDAY_IN_WINDOW))
    panel = window.checkins
    qtbot.waitUntil(panel.isVisible, timeout=10_000)  # by itself: the run is new
    text = panel.text()
    assert "weekly" in text
    assert "Asked Fri 20 Nov 15:00 · 1 of 3 answered" in text
    assert "Ana Lima · Sat 21 Nov 10:00" in text
    assert "Shipped the export. Blocked on the API key." in text
    assert "What did you finish?" not in text  # the quoted question is not repeated
    assert "Not answered yet: bo@team.example" in text
    assert "Could not be asked: cy@team.example (550 5.1.1 no such mailbox here)" in text
    assert panel.action.isEnabled()
    assert panel.action.isChecked()
    assert panel.action.shortcut().toString() == "Ctrl+Shift+K"
    view_menu = next(
        a.menu() for a in window.menuBar().actions() if a.text().replace("&", "") == "View"
    )
    assert panel.action in view_menu.actions()  # type: ignore[union-attr]

    # Closed by the user: it stays closed; the menu item brings it back.
    panel.close()
    assert not panel.isVisible()
    assert not panel.action.isChecked()
    panel.action.trigger()
    assert panel.isVisible()


def test_outside_a_window_the_panel_is_hidden_and_holds_no_answer(
    qtbot: QtBot, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    clock = FixedClock(MONDAY_CLOSED)
    window = open_window(qtbot, make_window, tmp_path / "p", clock)
    panel = window.checkins
    assert window.page is Page.GATE
    assert not panel.isVisible()
    assert panel.text() == ""
    assert not panel.action.isEnabled()
    panel.action.trigger()  # a disabled action does nothing
    assert not panel.isVisible()

    # The next window opens: the answers are there; closing again empties the panel.
    clock.set(berlin(24, 9, 0))
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        window.mode_timer.timeout.emit()
    assert window.page is Page.INBOX
    qtbot.waitUntil(panel.isVisible, timeout=10_000)
    assert "Shipped the export." in panel.text()
    clock.set(berlin(24, 9, 30))
    window.mode_timer.timeout.emit()
    qtbot.waitUntil(lambda: window.page is Page.GATE, timeout=10_000)
    assert not panel.isVisible()
    assert panel.text() == ""


def test_seen_answers_do_not_reopen_the_panel_in_the_next_window(
    qtbot: QtBot, make_window: Callable[..., MainWindow], tmp_path: Path
) -> None:
    clock = FixedClock(MONDAY_IN_WINDOW)
    window = open_window(qtbot, make_window, tmp_path / "p", clock)
    panel = window.checkins
    qtbot.waitUntil(panel.isVisible, timeout=10_000)
    panel.close()  # read and closed
    clock.set(berlin(23, 9, 30))
    window.mode_timer.timeout.emit()
    qtbot.waitUntil(lambda: window.page is Page.GATE, timeout=10_000)
    clock.set(berlin(24, 9, 0))
    with qtbot.waitSignal(panel.loaded, timeout=10_000):
        window.mode_timer.timeout.emit()
    assert window.page is Page.INBOX
    assert not panel.isVisible()  # nothing new since it was shown
    assert "Shipped the export." in panel.text()  # but it is filled, one key away
