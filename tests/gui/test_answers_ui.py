"""Saved answers in the window: Message ▸ Save as Answer…, the picker in a reply
(search as you type, Enter inserts at the cursor, Ctrl+Z takes it back), and Save as
answer… from a reply. Real profiles (the GUI fixtures' inbox); the answers are read
back through the services. The dialogs' audits run in the tour (conftest
``every_surface``); the picker's list is checked filled here too."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ME, NOW
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction, Medium, Message, Sender, Triage
from asyncdesk.services.answers import add_answer, iter_answers
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store
from asyncdesk.store.messages import add_batch
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.store.settings import set_setting
from asyncdesk.ui.answers_picker import AnswerPicker, SaveAnswerDialog, reply_subject_title
from asyncdesk.ui.compose import ComposeWindow
from asyncdesk.ui.main_window import MainWindow, Page

WAIT = 10_000
CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier

REFUND = "Refunds are paid within 14 days of the request.\nWrite to billing@example.org."
DEPLOY = (
    "Deploys run from main every afternoon.\n"
    "The walkthrough is here:\n"
    "https://www.loom.com/share/0123abcd\n"
)
ONBOARD = "Welcome aboard! Start with the handbook, then say hello in #general."


def _answers(store: Store) -> list[tuple[str, tuple[str, ...], str]]:
    return [(a.title, a.tags, a.body) for a in iter_answers(store)]


@pytest.fixture
def profile(make_profile: Callable[..., ProfilePaths]) -> ProfilePaths:
    """The 12-message inbox, with three saved answers (the newest: Onboarding)."""
    paths = make_profile(12)
    with Store.open(paths.root) as store:
        for minutes, (title, tags, body) in enumerate(
            [
                ("Refund policy", "billing,faq", REFUND),
                ("Deploying", "ops", DEPLOY),
                ("Onboarding", "people", ONBOARD),
            ]
        ):
            add_answer(
                store,
                FixedClock(NOW - timedelta(minutes=3 - minutes)),
                title=title,
                tags=tags,
                body=body,
            )
    return paths


@pytest.fixture
def window(
    qtbot: QtBot,
    profile: ProfilePaths,
    make_window: Callable[..., MainWindow],
    clock: FixedClock,
) -> MainWindow:
    made = make_window(profile, clock)
    with qtbot.waitSignal(made.model.page_loaded, timeout=WAIT):
        made.show()
        made.open_profile()
    qtbot.waitUntil(lambda: made.page is Page.INBOX, timeout=WAIT)
    made.view.setCurrentIndex(made.model.index(0, 0))
    return made


@pytest.fixture
def compose(qtbot: QtBot, window: MainWindow) -> Iterator[ComposeWindow]:
    made = window.reply_to_current(reply_all=False)
    assert made is not None
    qtbot.waitUntil(made.body.isEnabled, timeout=WAIT)
    yield made
    if made.isVisible():
        made.close()


def _titles(picker: AnswerPicker) -> list[str]:
    return [answer.title for answer in picker.answers]


def _type(qtbot: QtBot, picker: AnswerPicker, text: str) -> None:
    with qtbot.waitSignal(picker.results_shown, timeout=WAIT):
        picker.search.clear()
        qtbot.keyClicks(picker.search, text)


# -- Message ▸ Save as Answer… -----------------------------------------------------------


def test_message_menu_saves_the_current_message_as_an_answer(
    qtbot: QtBot, window: MainWindow
) -> None:
    assert window.save_answer_action.isEnabled()
    assert window.save_answer_action in window.keyboard_actions()
    message = window.model.message_at(0)
    window.save_answer_action.trigger()
    dialog = window.findChild(SaveAnswerDialog)
    assert dialog is not None
    assert dialog.isVisible()
    # The subject to start from, without "Re:".
    assert dialog.title_edit.text() == reply_subject_title(message.subject)
    dialog.title_edit.setText("How we number messages")
    dialog.tags_edit.setText("Demo, numbers ,demo")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT) as saved:
        qtbot.keyClick(dialog.tags_edit, Qt.Key.Key_Return)
    assert saved.args == ["Saved the answer “How we number messages”."]
    assert window.status_text() == saved.args[0]
    assert window.store is not None
    found = list(iter_answers(window.store))
    assert len(found) == 4
    newest = found[0]
    assert (newest.title, newest.tags) == ("How we number messages", ("demo", "numbers"))
    assert newest.body == "Hello, this is message number 0."
    assert newest.source is not None
    assert newest.source.message_id == message.id


def test_save_as_answer_waits_for_the_inbox(
    profile: ProfilePaths, make_window: Callable[..., MainWindow], clock: FixedClock
) -> None:
    closed = make_window(profile, clock)  # not opened: no inbox shown
    assert not closed.save_answer_action.isEnabled()
    assert closed.save_current_as_answer() is None


@pytest.mark.parametrize(
    ("title", "tags", "line"),
    [
        ("   ", "", "Title: needs some text"),
        ("two\u2028lines", "", "Title: must be one line of text"),
        ("x" * 201, "", "Title: at most 200 characters, please (201 given)"),
        ("Fine", "not a tag", "Tags: 'not a tag' is not a tag"),
    ],
)
def test_a_bad_title_or_tag_is_refused_in_one_line_and_nothing_is_written(
    qtbot: QtBot, window: MainWindow, title: str, tags: str, line: str
) -> None:
    dialog = window.save_current_as_answer()
    assert dialog is not None
    dialog.title_edit.setText(title)
    dialog.tags_edit.setText(tags)
    with qtbot.waitSignal(dialog.refused, timeout=WAIT) as refused:
        dialog.save_button.click()
    shown = refused.args[0]
    assert shown.startswith(line)
    assert "\n" not in shown
    assert dialog.error.text() == shown
    assert dialog.isVisible()  # what was typed stays, to be put right
    qtbot.wait(100)  # nothing on its way to the database either
    assert window.store is not None
    assert [title for title, _, _ in _answers(window.store)] == [
        "Onboarding",
        "Deploying",
        "Refund policy",
    ]
    dialog.close()


# -- the picker in a reply ------------------------------------------------------------


def test_the_picker_lists_the_newest_then_searches_as_you_type(
    qtbot: QtBot, compose: ComposeWindow, pytestconfig: pytest.Config
) -> None:
    picker = compose.open_answer_picker()
    assert picker is not None
    with qtbot.waitSignal(picker.results_shown, timeout=WAIT):
        pass
    assert _titles(picker) == ["Onboarding", "Deploying", "Refund policy"]
    with qtbot.waitActive(picker):
        picker.activateWindow()
    assert QApplication.focusWidget() is picker.search  # typing searches at once
    tester = ModelTester(pytestconfig)  # the list filled (the tour sees it empty)
    try:
        tester.check(picker.results.model(), force_py=True)
    finally:
        tester._cleanup()

    _type(qtbot, picker, "ref")  # the start of a word finds it while typing
    assert _titles(picker) == ["Refund policy"]
    assert picker.title_label.text() == "Refund policy"
    assert "Tags: billing, faq" in picker.about_label.text()
    assert "14 days" in picker.preview.toPlainText()

    _type(qtbot, picker, "afternoon walkthrough")  # words of the text, any order
    assert _titles(picker) == ["Deploying"]
    shown = picker.preview.toPlainText()
    assert "https://www.loom.com/share/0123abcd" in shown
    assert shown.endswith("Loom: The walkthrough is here")  # the link, with its context

    _type(qtbot, picker, "ops")  # a tag
    assert _titles(picker) == ["Deploying"]
    _type(qtbot, picker, "nothing like this")
    assert _titles(picker) == []
    assert "No saved answer" in picker.status.text()
    assert not picker.insert_button.isEnabled()
    _type(qtbot, picker, "*")
    assert picker.status.text() == "QUERY has no words to search for (letters or digits)"

    with qtbot.waitSignal(picker.results_shown, timeout=WAIT):
        picker.search.clear()
    assert _titles(picker) == ["Onboarding", "Deploying", "Refund policy"]
    qtbot.keyClick(picker.search, Qt.Key.Key_Escape)
    assert not picker.isVisible()
    assert compose.body.toPlainText() == ""


def test_enter_inserts_the_answer_at_the_cursor_and_ctrl_z_takes_it_back(
    qtbot: QtBot, compose: ComposeWindow
) -> None:
    compose.body.setPlainText("Hi Ada,\n\nBest, me")
    cursor = compose.body.textCursor()
    cursor.setPosition(len("Hi Ada,\n\n"))
    compose.body.setTextCursor(cursor)
    with qtbot.waitActive(compose):
        compose.activateWindow()
    compose.body.setFocus()
    qtbot.keyClick(compose.body, Qt.Key.Key_I, CTRL_SHIFT)
    picker = compose.findChild(AnswerPicker)
    assert picker is not None
    assert picker.isVisible()
    with qtbot.waitSignal(picker.results_shown, timeout=WAIT):
        pass
    _type(qtbot, picker, "refund")
    with qtbot.waitSignal(compose.answer_inserted, timeout=WAIT):
        qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert not picker.isVisible()
    assert compose.body.toPlainText() == f"Hi Ada,\n\n{REFUND}Best, me"
    assert compose.body.textCursor().position() == len("Hi Ada,\n\n") + len(REFUND)
    qtbot.keyClick(compose.body, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert compose.body.toPlainText() == "Hi Ada,\n\nBest, me"


def test_arrow_keys_move_in_the_list_while_typing(qtbot: QtBot, compose: ComposeWindow) -> None:
    picker = compose.open_answer_picker()
    assert picker is not None
    with qtbot.waitSignal(picker.results_shown, timeout=WAIT):
        pass
    qtbot.keyClick(picker.search, Qt.Key.Key_Down)
    assert picker.current_answer() is not None
    assert picker.current_answer().title == "Deploying"  # type: ignore[union-attr]
    with qtbot.waitSignal(compose.answer_inserted, timeout=WAIT):
        qtbot.keyClick(picker.search, Qt.Key.Key_Return)
    assert compose.body.toPlainText() == DEPLOY


# -- Save as answer… from a reply ------------------------------------------------------


def test_a_reply_is_saved_as_an_answer(
    qtbot: QtBot, window: MainWindow, compose: ComposeWindow
) -> None:
    assert compose.save_as_answer() is None  # nothing typed: nothing to save
    assert compose.status.text() == "Nothing to save yet: write the answer first."
    compose.body.setPlainText("Our office hours are Tuesdays at 15:00.")
    with qtbot.waitActive(compose):
        compose.activateWindow()
    compose.body.setFocus()
    qtbot.keyClick(compose.body, Qt.Key.Key_A, CTRL_SHIFT)
    dialog = compose.findChild(SaveAnswerDialog)
    assert dialog is not None
    assert dialog.isVisible()
    subject = window.model.message_at(0).subject
    assert dialog.title_edit.text() == reply_subject_title(f"Re: {subject}")
    dialog.title_edit.setText("Office hours")
    dialog.tags_edit.setText("meetings")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.save_button.click()
    assert compose.status.text() == "Saved the answer “Office hours”."
    assert window.store is not None
    assert _answers(window.store)[0] == (
        "Office hours",
        ("meetings",),
        "Our office hours are Tuesdays at 15:00.",
    )
    assert compose.isVisible()  # the reply itself is still being written


def test_subjects_become_titles() -> None:
    assert reply_subject_title("Re: AW: Fwd:  Refund   policy") == "Refund policy"
    assert reply_subject_title("Re: ") == "Re:"
    assert len(reply_subject_title("x" * 300)) == 80


def test_a_chat_message_is_saved_alone_with_ctrl_shift_a(
    qtbot: QtBot,
    tmp_path: Path,
    make_window: Callable[..., MainWindow],
    clock: FixedClock,
) -> None:
    root = tmp_path / "chat"
    said = "The cert renewal steps: https://example.org/renew.mp4 shows all of it."
    lines = [("$1", "Deploy went fine."), ("$2", said)]
    with Store.open(root) as store, store.writing() as session:
        set_setting(session, declared.TIMEZONE, "Europe/Berlin")
        account = add_account(session, Account("chat", AccountKind.MATRIX, (ME,)), NOW)
        assert account.id is not None
        batch = [
            (
                Message(
                    remote_id=remote_id,
                    direction=Direction.INBOUND,
                    medium=Medium.CHAT,
                    conversation="!ops:example.org",
                    sender=Sender("@ann:example.org", "Ann"),
                    subject="Ops",
                    received_at=NOW - timedelta(minutes=10 - index),
                    body_text=body,
                ),
                Triage(needs_reply=False),
            )
            for index, (remote_id, body) in enumerate(lines)
        ]
        add_batch(session, account.id, batch, stream="matrix", cursor="c", now=NOW)
    window = make_window(ProfilePaths(root), clock)
    with qtbot.waitSignal(window.model.page_loaded, timeout=WAIT):
        window.show()
        window.open_profile()
    qtbot.waitUntil(lambda: window.page is Page.INBOX, timeout=WAIT)
    row = next(r for r in range(2) if window.model.message_at(r).snippet.startswith("The cert"))
    window.view.setCurrentIndex(window.model.index(row, 0))
    with qtbot.waitActive(window):
        window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_A, CTRL_SHIFT)
    dialog = window.findChild(SaveAnswerDialog)
    assert dialog is not None
    assert dialog.title_edit.text() == said  # its words; "Ops" is only the room
    dialog.title_edit.setText("Renewing the cert")
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.save_button.click()
    assert window.store is not None
    (saved,) = list(iter_answers(window.store))
    assert saved.body == said  # the one message, not its room
    assert saved.source is not None
    assert (saved.source.sender, saved.source.subject) == ("Ann", "Ops")
    assert [(link.kind, link.url) for link in saved.links] == [
        ("video", "https://example.org/renew.mp4")
    ]
    # The same message, its conversation this time ("Save the whole thread instead").
    with qtbot.waitActive(window):
        window.activateWindow()
    window.view.setFocus()
    qtbot.keyClick(window.view, Qt.Key.Key_A, CTRL_SHIFT)
    dialogs = [d for d in window.findChildren(SaveAnswerDialog) if d.isVisible()]
    assert len(dialogs) == 1
    dialog = dialogs[0]
    assert dialog.thread_check.isVisible()
    assert not dialog.thread_check.isChecked()
    dialog.title_edit.setText("Deploy and renewal")
    dialog.thread_check.click()
    assert dialog.thread_check.isChecked()
    with qtbot.waitSignal(dialog.saved, timeout=WAIT):
        dialog.save_button.click()
    thread = next(a for a in iter_answers(window.store) if a.title == "Deploy and renewal")
    berlin = ZoneInfo("Europe/Berlin")

    def head(at: datetime) -> str:
        return "Ann · " + at.astimezone(berlin).strftime("%a %d %b %Y %H:%M")

    first, second = NOW - timedelta(minutes=10), NOW - timedelta(minutes=9)
    assert thread.body == f"{head(first)}\nDeploy went fine.\n\n{head(second)}\n{said}"
    assert thread.source is not None
    assert thread.source.text == "thread"
