"""Triage on one key in the window: T asks for the topic, O offers office hours (with
the invitation attached), I proposes an introduction to a first contact; labels show as
chips in the list and as a line above the message.

A real profile: an email account (no SMTP server, so the reply window says it cannot
send, and the draft is what is checked), a Matrix room, and a schedule in Berlin with
office hours on Tuesdays and Thursdays. Monday 23 Nov 2026, 14:30 CET.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

from conftest import ME, NOW
from icalendar import Calendar
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction, Medium, Message, Sender, Triage
from asyncdesk.core.outgoing_attachment import OutgoingAttachment
from asyncdesk.core.schedule import OfficeHoursBlock, parse_days
from asyncdesk.core.schedule_document import to_document
from asyncdesk.services.schedule import load_schedule
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store
from asyncdesk.store.messages import add_batch
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.store.schedule import save_document
from asyncdesk.store.settings import set_setting
from asyncdesk.ui.compose import ComposeWindow
from asyncdesk.ui.main_window import MainWindow, Page
from asyncdesk.ui.roles import ItemRole

SAM = ("Sam Jones", "sam@newco.example")  # never wrote before: a first contact
ADA = ("Ada Lovelace", "ada@analytical.example")  # the user wrote to her last month
TUE_THU = OfficeHoursBlock(parse_days("tue,thu"), 15 * 60, 16 * 60)


def mail(index: int, who: tuple[str, str], subject: str, body: str) -> tuple[Message, Triage]:
    at = NOW - timedelta(minutes=10 * (index + 1))
    message = Message(
        remote_id=f"in-{index}",
        direction=Direction.INBOUND,
        medium=Medium.EMAIL,
        conversation=f"thread-{index}",
        sender=Sender(who[1], who[0]),
        subject=subject,
        received_at=at,
        body_text=body,
        to=(ME,),
        message_id=f"in-{index}@example.org",
    )
    return message, Triage(needs_reply=True, due_at=at + timedelta(hours=48))


def earlier_mail_to_ada() -> tuple[Message, Triage]:
    return Message(
        remote_id="out-0",
        direction=Direction.OUTBOUND,
        medium=Medium.EMAIL,
        conversation="old",
        sender=Sender(ME, "Alex"),
        subject="Analytical engine",
        received_at=NOW - timedelta(days=30),
        to=(ADA[1],),
    ), Triage(needs_reply=False)


def make_profile(root: Path, *, office_hours: bool = True) -> ProfilePaths:
    with Store.open(root) as store:
        with store.writing() as session:
            set_setting(session, declared.TIMEZONE, "Europe/Berlin")
            account = add_account(
                session,
                Account(
                    name="work",
                    kind=AccountKind.EMAIL,
                    identities=(ME,),
                    config={"display_name": "Alex Doe"},
                ),
                created_at=NOW - timedelta(days=60),
            )
            assert account.id is not None
            batch = [
                mail(0, SAM, "Quick call?", "Hi, can we hop on a quick call this week?"),
                mail(1, ADA, "Numbers for Thursday", "Could you check the table I sent?"),
                earlier_mail_to_ada(),
            ]
            add_batch(session, account.id, batch, stream="INBOX", cursor="2", now=NOW)
            chat = add_account(
                session, Account("chat", AccountKind.MATRIX, ("@me:example.org",)), NOW
            )
            assert chat.id is not None
            line = Message(
                remote_id="$1",
                direction=Direction.INBOUND,
                medium=Medium.CHAT,
                conversation="!ops:example.org",
                sender=Sender("@ann:example.org", "Ann"),
                subject="Ops",
                received_at=NOW - timedelta(minutes=5),
                body_text="Can we have a quick call about the outage?",
                mentions_me=True,
            )
            add_batch(
                session,
                chat.id,
                [(line, Triage(True, NOW + timedelta(hours=48)))],
                stream="matrix",
                cursor="c",
                now=NOW,
            )
        if office_hours:
            schedule = load_schedule(store).with_office_hours(TUE_THU)
            with store.writing() as session:
                save_document(session, to_document(schedule), NOW - timedelta(days=1))
    return ProfilePaths(root)


def opened(qtbot: QtBot, make_window: Callable[..., MainWindow], paths: ProfilePaths) -> MainWindow:
    window = make_window(paths, FixedClock(NOW))
    with qtbot.waitSignal(window.schedule_loaded, timeout=10_000):
        window.show()
        window.open_profile()
    qtbot.waitUntil(lambda: window.page is Page.INBOX, timeout=10_000)
    qtbot.waitUntil(lambda: window.model.rowCount() == 3, timeout=10_000)
    # Labels arrive just after the page.
    qtbot.waitUntil(lambda: bool(window.model.labels_of(row_message(window, SAM[1]).id)))
    return window


def row_message(window: MainWindow, sender: str) -> object:
    return next(
        window.model.message_at(r)
        for r in range(window.model.rowCount())
        if window.model.message_at(r).sender_address == sender
    )


def select(window: MainWindow, sender: str) -> None:
    row = next(
        r
        for r in range(window.model.rowCount())
        if window.model.message_at(r).sender_address == sender
    )
    window.view.setCurrentIndex(window.model.index(row, 0))
    window.view.setFocus()


def reply_window(qtbot: QtBot, window: MainWindow, key: Qt.Key) -> ComposeWindow:
    before = len(window.compose_windows)
    with qtbot.waitSignal(window.triage_actions.drafted, timeout=10_000):
        qtbot.keyClick(window.view, key)
    assert len(window.compose_windows) == before + 1
    compose = window.compose_windows[-1]
    qtbot.waitUntil(lambda: compose.body.isEnabled(), timeout=10_000)
    return compose


def test_labels_show_as_chips_and_name_the_keys_above_the_message(
    qtbot: QtBot, tmp_path: Path, make_window: Callable[..., MainWindow]
) -> None:
    window = opened(qtbot, make_window, make_profile(tmp_path / "p"))
    rows = {
        window.model.message_at(r).sender_address: window.model.index(r, 1).data(
            ItemRole.LabelsRole
        )
        for r in range(window.model.rowCount())
    }
    assert rows[SAM[1]] == ("first_contact", "meeting_request")
    assert rows[ADA[1]] == ()
    delegate = window.view.itemDelegateForColumn(1)
    assert type(delegate).__name__ == "LabelChipDelegate"
    select(window, SAM[1])
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    line = window.message_view.labels_line
    qtbot.waitUntil(line.isVisible)
    assert line.text() == (
        "Meeting request — T asks for the topic, O offers office hours · "
        "First contact — I proposes a short introduction"
    )
    select(window, ADA[1])
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert not line.isVisible()


def test_a_message_opened_before_its_labels_were_read_gets_its_line_when_they_are(
    qtbot: QtBot, tmp_path: Path, make_window: Callable[..., MainWindow]
) -> None:
    """On a big profile the first labels take a moment; the line must not stay missing."""
    window = opened(qtbot, make_window, make_profile(tmp_path / "p"))
    sam = row_message(window, SAM[1])
    select(window, SAM[1])
    qtbot.keyClick(window.view, Qt.Key.Key_Return)
    line = window.message_view.labels_line
    qtbot.waitUntil(line.isVisible)
    window.message_view.set_labels(())  # as it was opened before the read finished
    assert not line.isVisible()
    window.model._on_labels({sam.id: ("meeting_request",)})  # the read's result arrives
    assert line.isVisible()
    assert line.text() == "Meeting request — T asks for the topic, O offers office hours"
    window.model._on_labels({row_message(window, ADA[1]).id: ()})  # another message's
    assert line.text() == "Meeting request — T asks for the topic, O offers office hours"


def test_t_opens_a_reply_asking_for_the_topic(
    qtbot: QtBot, tmp_path: Path, make_window: Callable[..., MainWindow]
) -> None:
    window = opened(qtbot, make_window, make_profile(tmp_path / "p"))
    select(window, SAM[1])
    actions = window.triage_actions
    assert actions.ask_topic_action.isEnabled()
    assert actions.ask_topic_action.shortcut().toString() == "T"
    compose = reply_window(qtbot, window, Qt.Key.Key_T)
    assert compose.body.toPlainText().startswith(
        "Hi Sam,\n\nHappy to help. What is it about, and could we settle it in writing?"
    )
    assert compose.attachments() == []
    assert compose.to_label.text() == SAM[1]
    assert compose.subject_label.text() == "Re: Quick call?"
    compose.close()


def test_o_offers_the_next_office_hours_with_the_invitation_attached(
    qtbot: QtBot, tmp_path: Path, make_window: Callable[..., MainWindow]
) -> None:
    window = opened(qtbot, make_window, make_profile(tmp_path / "p"))
    select(window, SAM[1])
    offer = window.triage_actions.offer_office_hours_action
    assert offer.isEnabled()
    assert offer.shortcut().toString() == "O"
    compose = reply_window(qtbot, window, Qt.Key.Key_O)
    text = compose.body.toPlainText()
    assert "- Tue 24 Nov, 15:00-16:00 CET\n- Thu 26 Nov, 15:00-16:00 CET\n" in text
    assert "- Tue 1 Dec, 15:00-16:00 CET" in text
    assert "The invitation for Tue 24 Nov, 15:00-16:00 CET is attached" in text
    (invite,) = compose.attachments()
    assert isinstance(invite, OutgoingAttachment)
    assert (invite.filename, invite.content_type) == ("office-hours.ics", "text/calendar")
    assert compose.attachment_list.item(0).text().startswith("office-hours.ics (")
    event = Calendar.from_ical(invite.data).walk("VEVENT")[0]
    assert event["dtstart"].to_ical() == b"20261124T150000"
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert str(event["attendee"]) == f"mailto:{SAM[1]}"
    assert str(event["organizer"]) == f"mailto:{ME}"
    compose.close()


def test_without_office_hours_o_is_disabled_and_says_how_to_add_them(
    qtbot: QtBot, tmp_path: Path, make_window: Callable[..., MainWindow]
) -> None:
    window = opened(qtbot, make_window, make_profile(tmp_path / "p", office_hours=False))
    select(window, SAM[1])
    offer = window.triage_actions.offer_office_hours_action
    assert not offer.isEnabled()
    assert "asyncdesk schedule officehours add" in offer.toolTip()
    qtbot.keyClick(window.view, Qt.Key.Key_O)
    assert window.compose_windows == []
    # The introduction still works: no office hours and no window, so it asks for times.
    compose = reply_window(qtbot, window, Qt.Key.Key_I)
    assert "Send me two or three times that suit you" in compose.body.toPlainText()
    assert compose.attachments() == []
    compose.close()


def test_i_proposes_an_introduction_to_a_first_contact_only(
    qtbot: QtBot, tmp_path: Path, make_window: Callable[..., MainWindow]
) -> None:
    window = opened(qtbot, make_window, make_profile(tmp_path / "p"))
    introduce = window.triage_actions.propose_introduction_action
    select(window, ADA[1])  # the user wrote to her before
    assert not introduce.isEnabled()
    qtbot.keyClick(window.view, Qt.Key.Key_I)
    assert window.compose_windows == []
    select(window, SAM[1])
    assert introduce.isEnabled()
    assert introduce.shortcut().toString() == "I"
    compose = reply_window(qtbot, window, Qt.Key.Key_I)
    text = compose.body.toPlainText()
    assert "how about a short live introduction" in text
    assert "- Tue 24 Nov, 15:00-16:00 CET" in text
    assert [a.filename for a in compose.attachments()] == ["office-hours.ics"]  # type: ignore[union-attr]
    compose.close()


def test_in_chat_the_slots_go_into_the_reply_box_and_nothing_is_attached(
    qtbot: QtBot, tmp_path: Path, make_window: Callable[..., MainWindow]
) -> None:
    window = opened(qtbot, make_window, make_profile(tmp_path / "p"))
    select(window, "@ann:example.org")
    with qtbot.waitSignal(window.triage_actions.drafted, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_O)
    assert window.compose_windows == []
    text = window.chat.box.toPlainText()
    assert text.startswith("Hi Ann,")
    assert "- Tue 24 Nov, 15:00-16:00 CET" in text
    assert "Just join whichever suits you" in text
    assert "attached" not in text


def test_the_keys_are_on_the_shortcut_sheet_and_off_behind_the_gate(
    qtbot: QtBot, tmp_path: Path, make_window: Callable[..., MainWindow]
) -> None:
    window = opened(qtbot, make_window, make_profile(tmp_path / "p"))
    rows = dict(window.show_shortcuts().rows())
    assert rows["T"] == "Ask for the topic"
    assert rows["O"] == "Offer office hours"
    assert rows["I"] == "Propose an introduction"
    select(window, SAM[1])
    window.triage_actions.set_enabled(False)
    assert not any(action.isEnabled() for action in window.triage_actions.actions)
