"""Files attached to a reply: listed under the text, removable, and refused once sent.

The window opens on a demo message (nothing is ever sent from it); what is checked is
what the user sees in the list and what the window would send.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from asyncdesk.core.outgoing_attachment import OutgoingAttachment
from asyncdesk.ui.compose import ComposeWindow


def test_attached_files_are_listed_and_can_be_removed(
    qtbot: QtBot, tmp_path: Path, demo_reply: Callable[[], ComposeWindow]
) -> None:
    reply = demo_reply()
    qtbot.waitUntil(lambda: reply.body.isEnabled(), timeout=10_000)
    assert not reply.attachment_list.isVisible()  # nothing attached: no empty box
    recording = tmp_path / "answer.webm"
    recording.write_bytes(b"\x1a\x45\xdf\xa3" + b"0" * 3000)
    with qtbot.waitSignal(reply.attachments_changed):
        reply.add_attachment(recording)
    reply.add_attachment(recording)  # the same file twice is listed once
    invite = OutgoingAttachment("office-hours.ics", "text/calendar", b"BEGIN:VCALENDAR\r\n")
    reply.add_attachment(invite)
    assert reply.attachment_list.isVisible()
    assert [reply.attachment_list.item(i).text() for i in range(2)] == [
        "answer.webm (3 KB)",
        "office-hours.ics (17 B)",
    ]
    assert reply.attachments() == [recording, invite]
    reply.attachment_list.setCurrentRow(0)
    reply.attachment_list.setFocus()
    qtbot.keyClick(reply.attachment_list, Qt.Key.Key_Delete)
    assert reply.attachments() == [invite]
    assert reply.attachment_list.count() == 1
    reply.remove_selected_attachment()
    assert reply.attachments() == []
    assert not reply.attachment_list.isVisible()
    reply.close()


def test_attach_file_opens_a_picker_that_adds_the_chosen_files(
    qtbot: QtBot, tmp_path: Path, demo_reply: Callable[[], ComposeWindow]
) -> None:
    reply = demo_reply()
    qtbot.waitUntil(lambda: reply.body.isEnabled(), timeout=10_000)
    notes = tmp_path / "notes.txt"
    notes.write_text("agenda\n")
    assert reply.attach_button.text().replace("&", "") == "Attach file…"
    dialog = reply.choose_files()
    dialog.filesSelected.emit([str(notes)])
    dialog.close()
    assert reply.attachments() == [notes]
    assert reply.attachment_list.item(0).text() == "notes.txt (7 B)"
    reply.close()
