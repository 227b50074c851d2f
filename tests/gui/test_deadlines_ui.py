"""Reply-by promises in the window: badges, reasons, the deadlines panel, the actions.

A real profile (SQLite, the profile's own needs-reply rules and reasons, a real
schedule in Berlin) and a window whose clock is pinned inside the Monday 09:00-09:30
window; the next window starts at 13:00. Each test checks what the user sees, and the
store where a change must have been written.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt
from PySide6.QtGui import QBrush, QContextMenuEvent, QFont, QKeySequence
from PySide6.QtWidgets import QAbstractButton, QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction, Medium, Message, ReplyState, Sender, Triage
from asyncdesk.core.schedule import BlockKind, Schedule, WeeklyBlock, parse_clock, parse_days
from asyncdesk.services import deadlines as service
from asyncdesk.services.inbox import by_id
from asyncdesk.services.schedule import change_schedule, set_timezone
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store
from asyncdesk.store.messages import StoredMessage, add_batch
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.store.settings import set_setting
from asyncdesk.ui.deadlines_panel import EMPTY_TEXT
from asyncdesk.ui.due import Due
from asyncdesk.ui.inbox_model import Column
from asyncdesk.ui.main_window import MainWindow, Page

BERLIN = ZoneInfo("Europe/Berlin")
ME = "me@example.org"


def berlin(day: int, hour: int, minute: int = 0) -> datetime:
    """A Berlin wall-clock time in November 2026, as a UTC instant."""
    return datetime(2026, 11, day, hour, minute, tzinfo=BERLIN).astimezone(UTC)


NOW = berlin(23, 9, 10)  # Monday, inside the 09:00-09:30 window
NEXT_WINDOW = berlin(23, 13, 0)


@dataclass(frozen=True)
class Mail:
    subject: str
    sender: str
    name: str
    received: datetime
    replied: datetime | None = None
    headers: dict[str, str] | None = None


# Newest first, as the inbox lists them. With the 48-hour promise:
MAILS = [
    Mail("Lunch", "linus@chem.example", "Linus Pauling", berlin(22, 16)),  # due Tue 16:00
    Mail("Slides", "eve@other.example", "Eve Adams", berlin(22, 9)),  # snoozed to 13:00
    Mail(
        "Weekly digest",
        "news@news.example",
        "News",
        berlin(22, 8),
        headers={"list-id": "Digest <digest.news.example>"},
    ),
    Mail("Budget", "grace@navy.example", "Grace Hopper", berlin(21, 11)),  # due 11:00 today
    Mail("Old thread", "cy@other.example", "Cy Young", berlin(21, 9)),  # dismissed
    Mail("Offer", "ada@clients.example", "Ada Lovelace", berlin(20, 14)),  # due Sun 14:00
    Mail("Travel", "kj@nasa.example", "Katherine J", berlin(20, 10), replied=berlin(20, 11)),
    Mail("Report", "bob@other.example", "Bob Smith", berlin(18, 10), replied=berlin(21, 10)),
]
ROW = {mail.subject: row for row, mail in enumerate(MAILS)}


def _email(mail: Mail) -> Message:
    return Message(
        remote_id=mail.subject,
        direction=Direction.INBOUND,
        medium=Medium.EMAIL,
        conversation=f"{mail.subject}@mail.example",
        sender=Sender(mail.sender, mail.name),
        subject=mail.subject,
        received_at=mail.received,
        body_text="Could you have a look?",
        to=(ME,),
        message_id=f"{mail.subject}@mail.example",
        headers=mail.headers or {},
    )


def _reply(mail: Mail, at: datetime) -> Message:
    return Message(
        remote_id=f"re-{mail.subject}",
        direction=Direction.OUTBOUND,
        medium=Medium.EMAIL,
        conversation=f"{mail.subject}@mail.example",
        sender=Sender(ME, "Me"),
        subject=f"Re: {mail.subject}",
        received_at=at,
        to=(mail.sender,),
        in_reply_to=f"{mail.subject}@mail.example",
    )


def _block(kind: BlockKind, start: str, end: str) -> WeeklyBlock:
    return WeeklyBlock(kind, parse_days("mon-fri"), parse_clock(start), parse_clock(end))


def _three_windows(schedule: Schedule) -> Schedule:
    for start, end in (("09:00", "09:30"), ("13:00", "13:30"), ("16:30", "17:00")):
        schedule = schedule.with_weekly(_block(BlockKind.WINDOW, start, end))
    return schedule


def build_profile(root: Path, mails: list[Mail], *, windows: bool = True) -> ProfilePaths:
    """A profile with ``mails`` classified by the profile's own rules, as a sync does."""
    writer = FixedClock(berlin(1, 12))
    with Store.open(root) as store:
        with store.writing() as session:
            set_setting(session, declared.TIMEZONE, "Europe/Berlin")
            account = add_account(
                session,
                Account(name="work", kind=AccountKind.EMAIL, identities=(ME,)),
                created_at=berlin(1, 12),
            )
        set_timezone(store, writer, "Europe/Berlin")
        if windows:
            change_schedule(store, writer, _three_windows)
        rules = service.load_rules(store)
        batch: list[tuple[Message, Triage]] = []
        for mail in mails:
            message = _email(mail)
            batch.append((message, service.triage(message, account, rules)))
            if mail.replied is not None:
                batch.append((_reply(mail, mail.replied), Triage(needs_reply=False)))
        assert account.id is not None
        with store.writing() as session:
            add_batch(session, account.id, batch, stream="INBOX", cursor="1", now=NOW)
        pks = {m.subject: m.id for m in by_id(store, range(1, 100)).values()}
        if "Slides" in pks:
            service.snooze(store, FixedClock(NOW), pks["Slides"], NEXT_WINDOW)
        if "Old thread" in pks:
            service.dismiss(store, pks["Old thread"])
    return ProfilePaths(root)


class Desk:
    """A window opened on a profile, with helpers that read what the user sees."""

    def __init__(self, qtbot: QtBot, window: MainWindow) -> None:
        self.qtbot = qtbot
        self.window = window
        self.model = window.model
        self.panel = window.deadlines
        self.actions = window.message_actions
        window.show()
        qtbot.waitExposed(window)
        signals = [window.schedule_loaded, window.model.page_loaded, window.deadlines.loaded]
        with qtbot.waitSignals(signals, timeout=10_000):
            window.open_profile()

    def badge(self, subject: str) -> str:
        return str(self.model.index(self.row(subject), Column.REPLY_BY).data())

    def row(self, subject: str) -> int:
        for row in range(self.model.rowCount()):
            if self.model.message_at(row).subject == subject:
                return row
        raise LookupError(subject)

    def cell(self, subject: str, column: Column, role: Qt.ItemDataRole) -> object:
        return self.model.index(self.row(subject), column).data(role)

    def stored(self, subject: str) -> StoredMessage:
        """The message as the store has it now, read on the window's database worker."""
        store = self.window.store
        assert store is not None
        pk = self.model.message_at(self.row(subject)).id
        return self.window.tasks.run_db(lambda: by_id(store, [pk])[pk]).result(timeout=10)

    def select(self, subject: str) -> None:
        """Click the row (as a plain click: no modifier a previous key left behind)."""
        index = self.model.index(self.row(subject), Column.SUBJECT)
        self.window.view.selectionModel().setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.window.view.setFocus()

    def press(
        self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier
    ) -> None:
        """A key on the inbox table; waits until the rows and the panel show the change."""
        done = [self.model.rows_refreshed, self.panel.loaded]
        with self.qtbot.waitSignals(done, timeout=10_000):
            self.qtbot.keyClick(self.window.view, key, modifier)

    def trigger(self, action_text: str) -> None:
        """Choose an entry of the open context menu; waits until the change is shown."""
        menu = self.actions.menu
        assert menu.isVisible()
        (action,) = [a for a in menu.actions() if a.text().replace("&", "") == action_text]
        assert action.isEnabled(), action_text
        with self.qtbot.waitSignals([self.model.rows_refreshed, self.panel.loaded], timeout=10_000):
            action.trigger()
        menu.hide()

    def context_menu(self, subject: str) -> list[tuple[str, str, bool, bool]]:
        """Right-click the row; the menu's entries as (text, shortcut, enabled, checked)."""
        view = self.window.view
        position = view.visualRect(self.model.index(self.row(subject), Column.SUBJECT)).center()
        event = QContextMenuEvent(
            QContextMenuEvent.Reason.Mouse, position, view.viewport().mapToGlobal(position)
        )
        QApplication.sendEvent(view.viewport(), event)
        menu = self.actions.menu
        self.qtbot.waitUntil(menu.isVisible)
        return [
            (
                action.text().replace("&", ""),
                action.shortcut().toString(),
                action.isEnabled(),
                action.isChecked(),
            )
            for action in menu.actions()
            if not action.isSeparator()
        ]


OpenDesk = Callable[..., Desk]

# A context menu is a popup: the offscreen platform says it can neither raise it nor
# grab the keyboard for it. Platform noise, like the propagateSizeHints() entry of the
# allowlist in pyproject.toml; xcb does both.
popup = pytest.mark.qt_log_ignore(
    r"^This plugin does not support raise\(\)$",
    r"^This plugin does not support grabbing the keyboard$",
)


class Recorder:
    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def __call__(self, title: str, body: str) -> None:
        self.shown.append((title, body))


@pytest.fixture
def open_desk(qtbot: QtBot, make_window: Callable[..., MainWindow], tmp_path: Path) -> OpenDesk:
    """``open_desk(mails=MAILS, clock=..., windows=True, page_size=200)`` → a Desk."""

    def opener(
        mails: list[Mail] = MAILS,
        *,
        clock: FixedClock | None = None,
        windows: bool = True,
        page_size: int = 200,
        root: Path | None = None,
    ) -> Desk:
        where = root or tmp_path / "profile"
        paths = (
            ProfilePaths(where) if where.exists() else build_profile(where, mails, windows=windows)
        )
        window = make_window(
            paths,
            clock or FixedClock(NOW),
            page_size=page_size,
            show_notification=Recorder(),
        )
        return Desk(qtbot, window)

    return opener


# -- badges ---------------------------------------------------------------------------


def test_each_badge_says_where_the_promise_stands(open_desk: OpenDesk) -> None:
    desk = open_desk()
    assert desk.model.horizon == NEXT_WINDOW
    assert [desk.badge(mail.subject) for mail in MAILS] == [
        "Tue 16:00",  # later: plain
        "Snoozed until 13:00",
        "",  # a mailing list needs no reply
        "11:00",  # due before the 13:00 window
        "Dismissed",
        "Overdue · Sun 14:00",
        "Replied",
        "Replied late",  # answered Saturday, due Friday
    ]

    def colour(subject: str) -> object:
        brush = desk.cell(subject, Column.REPLY_BY, Qt.ItemDataRole.ForegroundRole)
        return brush.color().name() if isinstance(brush, QBrush) else None

    def bold(subject: str) -> bool:
        font = desk.cell(subject, Column.REPLY_BY, Qt.ItemDataRole.FontRole)
        return isinstance(font, QFont) and font.bold()

    assert colour("Offer") == "#c62828"  # red
    assert colour("Budget") == "#a05f00"  # amber
    assert colour("Lunch") is None  # plain
    grey = colour("Report")
    assert grey is not None
    assert {colour(s) for s in ("Travel", "Report", "Slides", "Old thread")} == {grey}
    assert grey not in ("#c62828", "#a05f00")
    assert (bold("Offer"), bold("Budget"), bold("Lunch"), bold("Travel")) == (
        True,
        True,
        False,
        False,
    )
    # The rest of an open row is bold (it waits for an answer); a dismissed one is not.
    subject_font = desk.cell("Lunch", Column.SUBJECT, Qt.ItemDataRole.FontRole)
    assert isinstance(subject_font, QFont)
    assert subject_font.bold()
    assert desk.cell("Old thread", Column.SUBJECT, Qt.ItemDataRole.FontRole) is None


def test_a_snooze_that_ran_out_is_open_again(open_desk: OpenDesk) -> None:
    clock = FixedClock(NOW)
    desk = open_desk(clock=clock)
    assert desk.badge("Slides") == "Snoozed until 13:00"
    clock.set(NEXT_WINDOW + timedelta(minutes=5))
    # Due Tuesday 09:00, and the 16:30 window comes first: later, open, bold again.
    desk.window.reload_schedule()
    desk.qtbot.waitUntil(lambda: desk.model.horizon == berlin(23, 16, 30))
    assert desk.badge("Slides") == "Tue 09:00"
    font = desk.cell("Slides", Column.SUBJECT, Qt.ItemDataRole.FontRole)
    assert isinstance(font, QFont)
    assert font.bold()


def test_without_a_window_ahead_soon_means_within_24_hours(open_desk: OpenDesk) -> None:
    desk = open_desk(windows=False)
    assert desk.model.horizon is None
    assert desk.badge("Budget") == "11:00"  # in 2 hours
    assert desk.cell("Budget", Column.REPLY_BY, Qt.ItemDataRole.ForegroundRole) is not None
    assert desk.badge("Lunch") == "Tue 16:00"  # in 31 hours: later
    assert desk.cell("Lunch", Column.REPLY_BY, Qt.ItemDataRole.ForegroundRole) is None
    assert desk.panel.group_texts() == ["Overdue (1)", "Due within 24 hours (1)", "Later (1)"]
    assert not desk.actions.snooze_action.isEnabled()  # nothing to snooze until


def test_the_model_stays_consistent_through_badge_changes(
    open_desk: OpenDesk, qtmodeltester: ModelTester
) -> None:
    desk = open_desk()
    qtmodeltester.check(desk.model)
    desk.model.set_horizon(None)
    with desk.qtbot.waitSignal(desk.model.rows_refreshed, timeout=10_000):
        desk.model.refresh()
    assert desk.model.rowCount() == len(MAILS)


# -- the reason on hover --------------------------------------------------------------


def _hover(desk: Desk, subject: str, column: Column) -> str:
    """The tooltip the view shows over this cell (the model's ToolTipRole; showing a
    real QToolTip makes the offscreen platform warn that it cannot raise windows)."""
    text = desk.cell(subject, column, Qt.ItemDataRole.ToolTipRole)
    assert isinstance(text, str)
    return text


def test_hovering_says_why_a_message_needs_a_reply_or_not(open_desk: OpenDesk) -> None:
    desk = open_desk()
    assert _hover(desk, "Offer", Column.FROM) == (
        "Ada Lovelace <ada@clients.example>\nNeeds a reply: Sent to you by a person"
    )
    assert _hover(desk, "Weekly digest", Column.REPLY_BY) == (
        "No reply needed: Mailing list (List-Id: digest.news.example)"
    )
    assert _hover(desk, "Budget", Column.REPLY_BY) == (
        "Reply by Monday 23 November 2026 11:00 CET, before the next window (13:00)\n"
        "Needs a reply: Sent to you by a person"
    )
    assert _hover(desk, "Report", Column.REPLY_BY).startswith(
        "Replied Saturday 21 November 2026 10:00 CET, after the deadline"
    )


# -- the panel ------------------------------------------------------------------------


def test_the_panel_groups_open_promises_with_counts(open_desk: OpenDesk) -> None:
    desk = open_desk()
    panel = desk.panel
    assert panel.objectName() == "deadlinesDock"
    assert panel.isVisible()
    assert not panel.is_empty()
    # Snoozed, dismissed, replied and list mail are not waiting for an answer.
    assert panel.group_texts() == [
        "Overdue (1)",
        "Due before the next window (1)",
        "Later (1)",
    ]
    assert panel.item_texts(Due.OVERDUE) == ["Ada Lovelace — Offer · due Sun 14:00"]
    assert panel.item_texts(Due.SOON) == ["Grace Hopper — Budget · due 11:00"]
    assert panel.item_texts(Due.LATER) == ["Linus Pauling — Lunch · due Tue 16:00"]


def test_double_click_or_enter_selects_the_message_in_the_inbox(
    qtbot: QtBot, open_desk: OpenDesk
) -> None:
    desk = open_desk()
    tree = desk.panel.tree
    item = desk.panel.item_for(desk.model.message_at(ROW["Lunch"]).id)
    assert item is not None
    position = tree.visualItemRect(item).center()
    with qtbot.waitSignal(desk.window.message_revealed, timeout=5000):
        # A double-click is a click and a second one (QTest's alone lacks the first).
        qtbot.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=position)
        qtbot.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, pos=position)
    assert [i.row() for i in desk.window.view.selectionModel().selectedRows()] == [ROW["Lunch"]]
    assert desk.window.view.hasFocus()

    offer = desk.panel.item_for(desk.model.message_at(ROW["Offer"]).id)
    assert offer is not None
    tree.setCurrentItem(offer)
    tree.setFocus()
    with qtbot.waitSignal(desk.window.message_revealed, timeout=5000):
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert [i.row() for i in desk.window.view.selectionModel().selectedRows()] == [ROW["Offer"]]


def test_choosing_a_message_not_yet_loaded_loads_down_to_it(
    qtbot: QtBot, open_desk: OpenDesk
) -> None:
    desk = open_desk(page_size=2)
    # Pages of 2: the view may have asked for a second one already (a relayout, e.g. the
    # sidebar growing with its counts), but the Offer is still far below.
    assert desk.model.rowCount() < ROW["Offer"] + 1
    tree = desk.panel.tree
    overdue = tree.topLevelItem(0)
    assert overdue is not None
    offer = overdue.child(0)  # the Offer, in row 5: not loaded yet
    assert offer is not None
    assert offer.text(0).startswith("Ada Lovelace — Offer")
    tree.setCurrentItem(offer)
    tree.setFocus()
    with qtbot.waitSignal(desk.window.message_revealed, timeout=10_000) as revealed:
        qtbot.keyClick(tree, Qt.Key.Key_Return)
    assert desk.model.rowCount() >= ROW["Offer"] + 1
    (selected,) = desk.window.view.selectionModel().selectedRows()
    assert desk.model.message_at(selected.row()).id == revealed.args[0]
    assert desk.model.message_at(selected.row()).subject == "Offer"


def test_f5_reads_the_deadlines_again(qtbot: QtBot, open_desk: OpenDesk) -> None:
    desk = open_desk()
    store = desk.window.store
    assert store is not None
    late_news = Mail("Contract", "ada@clients.example", "Ada Lovelace", berlin(23, 9, 5))

    def arrive() -> None:  # as a sync would write it
        message = _email(late_news)
        rules = service.load_rules(store)
        account = Account(name="work", kind=AccountKind.EMAIL, identities=(ME,))
        with store.writing() as session:
            batch = [(message, service.triage(message, account, rules))]
            add_batch(session, 1, batch, stream="INBOX", cursor="2", now=NOW)

    desk.window.tasks.run_db(arrive).result(timeout=10)
    desk.window.activateWindow()
    qtbot.waitActive(desk.window)
    with qtbot.waitSignals([desk.model.page_loaded, desk.panel.loaded], timeout=10_000):
        qtbot.keyClick(desk.window.view, Qt.Key.Key_F5)
    assert desk.panel.item_texts(Due.LATER) == [
        "Linus Pauling — Lunch · due Tue 16:00",
        "Ada Lovelace — Contract · due Wed 09:05",
    ]
    assert desk.badge("Contract") == "Wed 09:05"


def test_with_nothing_due_the_panel_says_so(open_desk: OpenDesk) -> None:
    desk = open_desk([mail for mail in MAILS if mail.replied or mail.headers])
    assert desk.panel.is_empty()
    assert desk.panel.empty_label.isVisible()
    assert desk.panel.empty_label.text() == EMPTY_TEXT == "Nothing due. Nice."


# -- the actions ----------------------------------------------------------------------


@popup
def test_the_context_menu_offers_the_actions_with_their_shortcuts(open_desk: OpenDesk) -> None:
    desk = open_desk()
    # Labels are read just after the page; the sender writes for the first time, so
    # once they are in, "Propose an introduction" is offered.
    offer = desk.model.message_at(desk.row("Offer"))
    desk.qtbot.waitUntil(lambda: "first_contact" in desk.model.labels_of(offer.id))
    entries = desk.context_menu("Offer")
    assert entries == [
        ("Needs a reply", "N", True, True),
        ("No reply needed", "Shift+N", True, False),
        ("Back to the automatic decision", "", False, False),
        ("Dismiss", "D", True, False),
        ("Snooze until the next window (13:00)", "S", True, False),
        ("Done (archive)", "E", True, False),
        ("Always needs a reply from ada@clients.example", "", True, False),
        ("Never needs a reply from ada@clients.example", "", True, False),
        ("Never for @clients.example", "", True, False),
        ("Ask for the topic", "T", True, False),
        ("Offer office hours", "O", False, False),
        ("Propose an introduction", "I", True, False),
    ]
    desk.actions.menu.hide()
    # A message already answered has no deadline to dismiss or snooze.
    replied = {text: enabled for text, _, enabled, _ in desk.context_menu("Travel")}
    assert not replied["Dismiss"]
    assert not replied["Snooze until the next window (13:00)"]
    desk.actions.menu.hide()
    # The shortcuts of the window don't clash.
    window = desk.window
    taken = [window.reload_action, window.break_glass_action, window.quit_action]
    assert desk.actions.undo_action.shortcut() == QKeySequence(QKeySequence.StandardKey.Undo)
    assert window.deadlines_action.shortcut() == QKeySequence("F9")
    own = [desk.actions.undo_action, window.deadlines_action, *window.view.actions()]
    keys = [a.shortcut().toString() for a in taken + own]
    assert len(keys) == len(set(keys))


def test_dismiss_then_undo(qtbot: QtBot, open_desk: OpenDesk) -> None:
    desk = open_desk()
    desk.window.activateWindow()
    qtbot.waitActive(desk.window)
    desk.select("Lunch")
    desk.press(Qt.Key.Key_D)
    assert desk.badge("Lunch") == "Dismissed"
    assert desk.stored("Lunch").state is ReplyState.DISMISSED
    assert desk.panel.group_texts() == ["Overdue (1)", "Due before the next window (1)"]
    assert desk.actions.feedback_text() == "Dismissed “Lunch”"
    assert desk.actions.undo_button.isVisible()
    assert desk.actions.undo_action.text().replace("&", "") == "Undo Dismiss"
    # The selection stays where it was: the row changed in place, nothing reloaded.
    assert [i.row() for i in desk.window.view.selectionModel().selectedRows()] == [ROW["Lunch"]]

    desk.press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert desk.badge("Lunch") == "Tue 16:00"
    assert desk.stored("Lunch").state is ReplyState.OPEN
    assert desk.panel.item_texts(Due.LATER) == ["Linus Pauling — Lunch · due Tue 16:00"]
    assert desk.actions.feedback_text() == "Undone: Dismissed “Lunch”"
    assert not desk.actions.undo_button.isVisible()
    assert not desk.actions.undo_action.isEnabled()  # one step


def test_snooze_until_the_next_window(qtbot: QtBot, open_desk: OpenDesk) -> None:
    desk = open_desk()
    desk.window.activateWindow()
    qtbot.waitActive(desk.window)
    desk.select("Budget")
    desk.press(Qt.Key.Key_S)
    assert desk.badge("Budget") == "Snoozed until 13:00"
    stored = desk.stored("Budget")
    assert (stored.state, stored.snoozed_until) == (ReplyState.SNOOZED, NEXT_WINDOW)
    assert desk.panel.group_texts() == ["Overdue (1)", "Later (1)"]
    assert desk.actions.feedback_text() == "Snoozed “Budget” until 13:00"
    with qtbot.waitSignals([desk.model.rows_refreshed, desk.panel.loaded], timeout=10_000):
        qtbot.mouseClick(desk.actions.undo_button, Qt.MouseButton.LeftButton)
    assert desk.badge("Budget") == "11:00"
    assert desk.stored("Budget").state is ReplyState.OPEN


@popup
def test_overriding_one_message_and_back(qtbot: QtBot, open_desk: OpenDesk) -> None:
    desk = open_desk()
    desk.window.activateWindow()
    qtbot.waitActive(desk.window)
    # "No reply needed" on a message with a deadline: the badge goes, the reason says why.
    desk.select("Budget")
    desk.press(Qt.Key.Key_N, Qt.KeyboardModifier.ShiftModifier)
    assert desk.badge("Budget") == ""
    stored = desk.stored("Budget")
    assert (stored.needs_reply, stored.override, stored.state) == (False, False, None)
    assert _hover(desk, "Budget", Column.REPLY_BY) == (
        "No reply needed: You marked it as needing no reply"
    )
    assert desk.panel.group_texts() == ["Overdue (1)", "Later (1)"]
    desk.press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert desk.badge("Budget") == "11:00"
    assert desk.stored("Budget").override is None

    # "Needs a reply" on list mail: it gets the promise (48 h from Sunday 08:00).
    desk.select("Weekly digest")
    desk.press(Qt.Key.Key_N)
    assert desk.badge("Weekly digest") == "Tue 08:00"
    assert desk.panel.item_texts(Due.LATER) == [
        "News — Weekly digest · due Tue 08:00",
        "Linus Pauling — Lunch · due Tue 16:00",
    ]
    entries = {
        text: (enabled, checked) for text, _, enabled, checked in desk.context_menu("Weekly digest")
    }
    assert entries["Needs a reply"] == (True, True)
    desk.trigger("Back to the automatic decision")
    assert desk.badge("Weekly digest") == ""
    assert desk.stored("Weekly digest").override is None
    assert desk.actions.feedback_text() == "“Weekly digest”: back to the automatic decision"


@popup
def test_sender_and_domain_rules_from_the_menu(qtbot: QtBot, open_desk: OpenDesk) -> None:
    desk = open_desk()
    desk.window.activateWindow()
    qtbot.waitActive(desk.window)
    desk.context_menu("Offer")
    desk.trigger("Never needs a reply from ada@clients.example")
    assert desk.badge("Offer") == ""
    assert desk.stored("Offer").reason == "Your rule: never for ada@clients.example"
    assert desk.panel.group_texts() == ["Due before the next window (1)", "Later (1)"]
    assert desk.actions.feedback_text() == (
        "Never needs a reply from ada@clients.example (1 message changed)"
    )
    # The menu shows the rule in force; choosing it again removes it.
    checked = {text: checked for text, _, _, checked in desk.context_menu("Offer")}
    assert checked["Never needs a reply from ada@clients.example"]
    desk.trigger("Never needs a reply from ada@clients.example")
    assert desk.badge("Offer") == "Overdue · Sun 14:00"
    assert desk.actions.feedback_text().startswith("Rule removed: never needs a reply from")

    # A domain: every sender of other.example; undo puts back what it erased.
    desk.context_menu("Old thread")
    desk.trigger("Never for @other.example")
    assert [desk.badge(s) for s in ("Slides", "Old thread", "Report")] == ["", "", ""]
    desk.press(Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert [desk.badge(s) for s in ("Slides", "Old thread", "Report")] == [
        "Snoozed until 13:00",
        "Dismissed",
        "Replied late",
    ]

    # "Always" for the list's sender gives its mail a deadline.
    desk.context_menu("Weekly digest")
    desk.trigger("Always needs a reply from news@news.example")
    assert desk.badge("Weekly digest") == "Tue 08:00"


def test_a_refused_change_says_why_in_one_line(qtbot: QtBot, open_desk: OpenDesk) -> None:
    desk = open_desk()
    desk.window.activateWindow()
    qtbot.waitActive(desk.window)
    desk.select("Lunch")
    # A reply lands behind the window's back (another device), before the row shows it.
    store = desk.window.store
    assert store is not None

    def answer() -> None:
        with store.writing() as session:
            add_batch(
                session,
                1,
                [(_reply(MAILS[0], NOW), Triage(False))],
                stream="INBOX",
                cursor="2",
                now=NOW,
            )

    desk.window.tasks.run_db(answer).result(timeout=10)
    assert desk.badge("Lunch") == "Tue 16:00"  # not yet re-read
    desk.press(Qt.Key.Key_D)
    pk = desk.model.message_at(ROW["Lunch"]).id
    assert desk.actions.feedback_text() == f"message {pk} is already replied: nothing to dismiss"
    assert not desk.actions.undo_button.isVisible()
    assert desk.badge("Lunch") == "Replied"  # and the row now says what happened


# -- behind the gate ------------------------------------------------------------------


def test_the_panel_and_the_actions_stay_behind_the_gate(qtbot: QtBot, open_desk: OpenDesk) -> None:
    clock = FixedClock(berlin(23, 10, 0))  # closed (the next window is at 13:00)
    desk = open_desk(clock=clock)
    window = desk.window
    assert window.page is Page.GATE
    assert not desk.panel.isVisible()
    assert not window.deadlines_action.isEnabled()
    assert not desk.actions.dismiss_action.isEnabled()
    assert not desk.actions.undo_action.isEnabled()
    window.activateWindow()
    qtbot.waitActive(window)
    qtbot.keyClick(window, Qt.Key.Key_F9)
    assert not desk.panel.isVisible()
    assert window.deadlines_wanted  # the user's choice is kept, only hidden

    # The window opens: the panel comes with the inbox, read again for the new mode:
    # the Budget is overdue now, and the Slides' snooze ran out at 13:00.
    clock.set(NEXT_WINDOW + timedelta(minutes=1))
    with qtbot.waitSignals([window.mode_changed, desk.panel.loaded], timeout=5000):
        window.mode_timer.timeout.emit()
    assert window.page is Page.INBOX
    assert desk.panel.isVisible()
    assert window.deadlines_action.isEnabled()
    assert desk.panel.group_texts() == ["Overdue (2)", "Later (2)"]
    assert desk.panel.item_texts(Due.LATER)[0] == "Eve Adams — Slides · due Tue 09:00"


def test_closing_the_panel_is_remembered_but_the_gate_is_not(
    qtbot: QtBot, open_desk: OpenDesk, tmp_path: Path
) -> None:
    root = tmp_path / "profile"
    first = open_desk()
    assert first.panel.isVisible()
    close_button = first.panel.findChild(QAbstractButton, "qt_dockwidget_closebutton")
    assert close_button is not None
    qtbot.mouseClick(close_button, Qt.MouseButton.LeftButton)
    assert not first.panel.isVisible()
    assert not first.window.deadlines_action.isChecked()
    first.window.close()

    second = open_desk(root=root)
    assert not second.panel.isVisible()
    second.window.activateWindow()
    qtbot.waitActive(second.window)
    qtbot.keyClick(second.window.view, Qt.Key.Key_F9)
    assert second.panel.isVisible()
    second.window.close()

    # Closed during the gate (panel hidden by it): shown again in the next window.
    gated = open_desk(root=root, clock=FixedClock(berlin(23, 10, 0)))
    assert not gated.panel.isVisible()
    gated.window.close()
    third = open_desk(root=root)
    assert third.panel.isVisible()
