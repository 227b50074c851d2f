"""Chat in the window against a real Synapse: the window syncs the Matrix account,
new messages arrive by long-poll, and a reply typed in the chat view reaches the room
and clears the deadline."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from servers.synapse import Synapse

from asyncdesk.core.clock import SystemClock
from asyncdesk.core.messages import ReplyState
from asyncdesk.services.chat_accounts import add_matrix_account, build_matrix_account
from asyncdesk.services.secrets import KeyringSecrets
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.main_window import MainWindow

# Windows are collected on the GUI thread, as the app does (tests/integration/conftest).
pytestmark = pytest.mark.usefixtures("gui_collector")

PASSWORD = "a long and boring password"


@dataclass
class Scene:
    window: MainWindow
    room: str
    ann_token: str
    me: str


@pytest.fixture
def scene(qtbot: QtBot, synapse: Synapse, tmp_path: Path) -> Iterator[Scene]:
    tag = uuid.uuid4().hex[:8]
    me, my_token = synapse.register(f"me-{tag}", PASSWORD)
    ann, ann_token = synapse.register(f"ann-{tag}", PASSWORD)
    room = synapse.create_room(ann_token, invite=[me], is_direct=True)
    synapse.join(my_token, room)
    synapse.set_direct(my_token, me, ann, room)
    synapse.send_text(ann_token, room, "Did the invoice go out?")
    root = tmp_path / "profile"
    with Store.open(root) as store:
        account = build_matrix_account("chat", homeserver=synapse.base_url, user=me)
        add_matrix_account(store, SystemClock(), KeyringSecrets, account, PASSWORD)
    made = MainWindow(ProfilePaths(root))
    qtbot.addWidget(made)
    made.resize(1200, 700)
    made.show()
    yield Scene(made, room, ann_token, me)
    made.close()


def test_reply_from_the_chat_view_reaches_the_room_and_clears_the_deadline(
    qtbot: QtBot, scene: Scene, synapse: Synapse
) -> None:
    window = scene.window
    with qtbot.waitSignal(window.sync.synced, timeout=20_000) as first:
        window.open_profile()
    assert first.args == ["chat", 1]
    qtbot.waitUntil(lambda: window.model.rowCount() == 1, timeout=5000)
    asked = window.model.message_at(0)
    assert asked.needs_reply

    synapse.send_text(scene.ann_token, scene.room, "It's for the October work.")
    qtbot.waitUntil(lambda: window.model.rowCount() == 2, timeout=10_000)

    row = next(
        r for r in range(2) if window.model.message_at(r).snippet.startswith("Did the invoice")
    )
    window.view.setCurrentIndex(window.model.index(row, 0))
    with qtbot.waitSignal(window.chat.loaded, timeout=10_000):
        qtbot.keyClick(window.view, Qt.Key.Key_Return)
    assert [window.chat.model.line(r).body for r in range(2)] == [
        "Did the invoice go out?",
        "It's for the October work.",
    ]
    window.chat.box.setPlainText("Yes, sent it this morning.")
    with qtbot.waitSignal(window.chat.sent, timeout=20_000):
        window.chat.send_button.click()
    qtbot.waitUntil(lambda: window.chat.model.rowCount() == 3, timeout=10_000)
    assert window.chat.model.line(2).outbound
    assert window.chat.box.toPlainText() == ""

    events = synapse.request(
        "GET", f"/_matrix/client/v3/rooms/{scene.room}/messages", scene.ann_token,
        query={"dir": "b"},
    )["chunk"]  # fmt: skip
    newest = next(e for e in events if e.get("type") == "m.room.message")
    assert newest["sender"] == scene.me
    assert newest["content"]["body"] == "Yes, sent it this morning."

    def answered() -> bool:
        states = {window.model.message_at(r).state for r in range(window.model.rowCount())}
        return ReplyState.OPEN not in states

    qtbot.waitUntil(answered, timeout=10_000)


def test_invitations_are_offered_and_joined_or_declined(
    qtbot: QtBot, scene: Scene, synapse: Synapse
) -> None:
    window = scene.window
    offsite = synapse.create_room(scene.ann_token, invite=[scene.me], name="Offsite")
    spam = synapse.create_room(scene.ann_token, invite=[scene.me], name="Crypto deals")
    with qtbot.waitSignal(window.sync.synced, timeout=20_000):
        window.open_profile()
    qtbot.waitUntil(lambda: len(window.invitations.offers) == 2, timeout=10_000)
    bar = window.invitations
    assert bar.isVisible()
    first = bar.offers[0].invitation
    assert bar.label.text() == f"{first.inviter} invited you to {first.name} · chat  (1 more)"

    rooms = {offer.invitation.name: offer.invitation.room_id for offer in bar.offers}
    assert rooms == {"Offsite": offsite, "Crypto deals": spam}
    wanted = {offsite: True, spam: False}
    for _ in range(2):
        room = bar.offers[0].invitation.room_id
        answered: list[str] = []
        bar.answered.connect(answered.append)
        # Answered, then the list read again (a sync may read it in between too).
        with qtbot.waitSignals([bar.answered, bar.loaded], timeout=20_000):
            (bar.join_button if wanted[room] else bar.decline_button).click()
        bar.answered.disconnect(answered.append)
        assert answered == [room]
        qtbot.waitUntil(lambda room=room: room not in {o.invitation.room_id for o in bar.offers})
    qtbot.waitUntil(lambda: not bar.isVisible(), timeout=10_000)

    def membership(room: str) -> str:
        state = synapse.request(
            "GET",
            f"/_matrix/client/v3/rooms/{room}/state/m.room.member/{scene.me}",
            scene.ann_token,
        )
        return str(state["membership"])

    assert membership(offsite) == "join"
    assert membership(spam) == "leave"
    # The joined room's messages come through the running sync.
    synapse.send_text(scene.ann_token, offsite, "Agenda attached.")
    qtbot.waitUntil(
        lambda: any(
            window.model.message_at(r).snippet == "Agenda attached."
            for r in range(window.model.rowCount())
        ),
        timeout=15_000,
    )
