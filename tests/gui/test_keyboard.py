"""The inbox from the keyboard: j/k move, Enter opens, r/a reply, d dismisses and z
undoes it, ? lists every key. A real profile (the GUI fixtures' email inbox)."""

from __future__ import annotations

import re

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from asyncdesk.core.messages import ReplyState
from asyncdesk.ui.main_window import MainWindow
from asyncdesk.ui.shortcuts import ShortcutSheet


@pytest.fixture
def window(qtbot: QtBot, inbox_window: MainWindow) -> MainWindow:
    """The inbox, active, the list holding the keyboard focus."""
    made = inbox_window
    with qtbot.waitActive(made):
        made.activateWindow()
    made.view.setFocus()
    return made


def current_row(window: MainWindow) -> int:
    return window.view.currentIndex().row()


def test_j_and_k_move_through_the_inbox(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_J)
    assert current_row(window) == 0
    qtbot.keyClick(window.view, Qt.Key.Key_J)
    qtbot.keyClick(window.view, Qt.Key.Key_J)
    assert current_row(window) == 2
    qtbot.keyClick(window.view, Qt.Key.Key_K)
    assert current_row(window) == 1
    for _ in range(20):
        qtbot.keyClick(window.view, Qt.Key.Key_J)
    assert current_row(window) == window.model.rowCount() - 1  # stops at the end


def test_d_dismisses_and_z_undoes(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_J)  # the newest: needs a reply (fixtures)
    first = window.model.message_at(0)
    assert first.state is ReplyState.OPEN
    with qtbot.waitSignal(window.model.rows_refreshed, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_D)
    assert window.model.message_at(0).state is ReplyState.DISMISSED
    with qtbot.waitSignal(window.model.rows_refreshed, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_Z)
    assert window.model.message_at(0).state is ReplyState.OPEN


def test_r_and_a_open_a_reply_and_a_reply_to_all(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_J)
    qtbot.keyClick(window.view, Qt.Key.Key_R)
    (reply,) = window.compose_windows
    assert not reply.reply_all
    assert reply.windowTitle() == "Reply"
    # This account cannot send (no SMTP server set): said before anything is typed.
    qtbot.waitUntil(lambda: "no SMTP server to send with" in reply.status.text(), timeout=10_000)
    assert "Settings ▸ Accounts" in reply.status.text()  # where to set it, in the window
    assert not reply.send_button.isEnabled()
    newest = window.model.message_at(0)
    assert reply.to_label.text() == newest.sender_address  # still shows whom it would go to
    assert reply.subject_label.text() == f"Re: {newest.subject}"
    assert reply.body.isEnabled()  # and the text can be written, kept as a draft
    reply.close()
    with qtbot.waitActive(window):
        window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_A)
    assert window.compose_windows[-1].reply_all
    assert window.compose_windows[-1].windowTitle() == "Reply to all"


def test_question_mark_lists_every_key(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_Question, Qt.KeyboardModifier.ShiftModifier)
    sheets = [w for w in QApplication.topLevelWidgets() if isinstance(w, ShortcutSheet)]
    assert len(sheets) == 1
    rows = dict(sheets[0].rows())
    for key, does in {
        "J": "Next message",
        "K": "Previous message",
        "Return": "Open the message",
        "R": "Reply",
        "A": "Reply to all",
        "D": "Dismiss",
        "S": "Snooze until the next window",
        "Z": "Undo the last change",
        "E": "Done (archive)",
        "/": "Search",
        "F9": "Deadlines",
    }.items():
        assert rows.get(key) == does, (key, rows)
    sheets[0].close()


def test_closing_a_reply_at_once_keeps_the_draft_and_nothing_breaks(
    qtbot: QtBot, window: MainWindow
) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_J)
    qtbot.keyClick(window.view, Qt.Key.Key_R)
    (reply,) = window.compose_windows
    qtbot.waitUntil(lambda: reply.status.text() != "Preparing…", timeout=10_000)
    reply.body.setPlainText("half a thought")
    pk = reply.message_pk
    reply.close()  # deletes itself while the draft is being written
    drafts = window.paths.root / "drafts" / f"{pk}.txt"
    qtbot.waitUntil(drafts.exists, timeout=5000)
    qtbot.wait(200)  # the save's result arrives for a window that is gone: dropped
    assert drafts.read_text() == "half a thought"


def test_e_archives_out_of_the_inbox_and_z_brings_it_back(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.keyClick(window.view, Qt.Key.Key_J)
    count = window.model.rowCount()
    first = window.model.message_at(0)
    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_E)
    assert window.model.rowCount() == count - 1
    assert first.id not in {window.model.message_at(r).id for r in range(count - 1)}
    assert window.message_actions.feedback_label.text().startswith("Archived “")
    # Search still finds it.
    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        window.model.set_query(f'subject:"{first.subject.split(" #")[0]}"')
    assert first.id in {window.model.message_at(r).id for r in range(window.model.rowCount())}
    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        window.model.set_query("")
    window.view.setFocus()
    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_Z)
    assert window.model.rowCount() == count
    assert window.model.message_at(0).id == first.id


def test_slash_searches_while_typing_and_escape_clears(qtbot: QtBot, window: MainWindow) -> None:
    everything = window.model.rowCount()
    qtbot.keyClick(window.view, Qt.Key.Key_Slash)
    assert window.search_box.hasFocus()
    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        qtbot.keyClicks(window.search_box, "sender:grace")
    senders = {window.model.message_at(r).sender_address for r in range(window.model.rowCount())}
    assert senders == {"grace@navy.example"}
    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        qtbot.keyClick(window.search_box, Qt.Key.Key_Escape)
    assert window.search_box.text() == ""
    assert window.model.rowCount() == everything
    assert window.view.hasFocus()


def test_the_sidebar_is_saved_searches_shown_in_the_box(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.sidebar.count() == 9, timeout=5000)  # + the account
    qtbot.waitUntil(lambda: bool(window.sidebar_counts()), timeout=5000)
    counts = window.sidebar_counts()
    labels = [
        re.sub(r"\s+[\d,]+$", "", window.sidebar.item(r).text().strip())
        for r in range(window.sidebar.count())
    ]
    assert labels == [
        "Inbox", "Needs reply", "Due before the next window", "Overdue", "Unread",
        "FYI / bulk", "Email", "Chat", "work",
    ]  # fmt: skip
    needs = window.sidebar.item(1)
    assert counts["is:due"] > 0
    assert needs.text() == f"Needs reply  {counts['is:due']}"
    assert window.sidebar.item(3).text() == "Overdue"  # nothing overdue: no number
    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        window.sidebar.itemClicked.emit(needs)
    assert window.search_box.text() == "is:due"
    rows = [window.model.message_at(r) for r in range(window.model.rowCount())]
    assert len(rows) == counts["is:due"]  # the number said what the view shows
    assert all(m.needs_reply for m in rows)

    # Dismissing one (D) takes it off the count.
    window.view.setFocus()
    window.view.setCurrentIndex(window.model.index(0, 0))
    with qtbot.waitSignal(window.sidebar_counts_shown, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_D)
    assert window.sidebar_counts()["is:due"] == counts["is:due"] - 1
    assert needs.text() == f"Needs reply  {counts['is:due'] - 1}"

    with qtbot.waitSignal(window.model.page_loaded, timeout=10_000):
        window.sidebar.itemClicked.emit(window.sidebar.item(5))
    fyi = [window.model.message_at(r) for r in range(window.model.rowCount())]
    assert fyi
    assert not any(m.needs_reply for m in fyi)
