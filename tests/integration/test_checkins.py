"""Check-ins on real servers (Dovecot for IMAP, aiosmtpd for SMTP; the ``Mailbox`` of
test_reply.py): asked once at their time, one private message per person, and the
answers gathered from the inbox with who has not answered.

Time is a :class:`FixedClock` (and ``ASYNCDESK_AT`` for the second process); the
schedule is Berlin's. The answer is put in the mailbox by IMAP APPEND with its
INTERNALDATE, so "received at" is the test's. Dates are in the past: Dovecot gives a
message APPENDed with a future INTERNALDATE the time of the APPEND instead.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage
from pathlib import Path
from urllib.parse import quote

import pytest
from servers.dovecot import Dovecot
from servers.smtp import SmtpServer
from servers.synapse import Synapse
from test_auto_reply import configure, imap, inbound, sync
from test_reply import Mailbox, make_mailbox

from asyncdesk.cli import main
from asyncdesk.core.clock import FixedClock, SystemClock
from asyncdesk.core.messages import ReplyState
from asyncdesk.services import checkins
from asyncdesk.services.accounts import profile_secrets, sync_accounts
from asyncdesk.services.chat_accounts import add_matrix_account, build_matrix_account
from asyncdesk.services.schedule import set_timezone
from asyncdesk.services.secrets import KeyringSecrets
from asyncdesk.store import checkins as stored
from asyncdesk.store.accounts import get_account, update_account
from asyncdesk.store.checkins import ANSWER_REASON
from asyncdesk.store.database import Store
from asyncdesk.store.messages import inbox_page

#: Wed 18 Nov 2026 12:00 CET: the check-in is made; it asks on Fridays at 15:00.
WED_1200 = datetime(2026, 11, 18, 11, 0, tzinfo=UTC)
FRI_1500 = datetime(2026, 11, 20, 14, 0, tzinfo=UTC)
QUESTION = "What did you finish this week?\nWhat is blocked?"
CHAT_PASSWORD = "a long and boring password"


@pytest.fixture
def mailbox(
    dovecot: Dovecot, smtp_server: SmtpServer, smtp_user: tuple[str, str], tmp_path: Path
) -> Mailbox:
    box = make_mailbox(dovecot, smtp_server, smtp_user, tmp_path / "profile")
    configure(box.root, "24h")
    assert main(["autoreply", "off", "--profile", str(box.root)]) == 0
    client = imap(box)
    try:
        client.create_folder("Sent")
    finally:
        client.logout()
    with box.store() as store:
        checkins.add_checkin(
            store,
            FixedClock(WED_1200),
            name="weekly",
            days="fri",
            at="15:00",
            to="ana@team.example,bo@team.example",
            account=None,
            question=QUESTION,
        )
    return box


def answer(box: Mailbox, at: datetime, parent: str, sender: str, text: str) -> None:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = f"Me Myself <{box.user}>"
    message["Subject"] = "Re: Check-in: weekly (Fri 20 Nov)"
    message["Date"] = at.strftime("%a, %d %b %Y %H:%M:%S +0000")
    message["Message-ID"] = f"<answer-{at.timestamp():.0f}@team.example>"
    message["In-Reply-To"] = f"<{parent}>"
    message["References"] = f"<{parent}>"
    quoted = "".join(f"> {line}\n" for line in QUESTION.splitlines())
    message.set_content(f"{text}\n\nOn Fri, 20 Nov 2026, Me Myself wrote:\n{quoted}")
    client = imap(box)
    try:
        client.append("INBOX", bytes(message), msg_time=at)
    finally:
        client.logout()


def results(box: Mailbox) -> dict[str, object]:
    shown = subprocess.run(
        [sys.executable, "-m", "asyncdesk", "checkin", "results", "weekly", "--json",
         "--profile", str(box.root)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    document: dict[str, object] = json.loads(shown.stdout)
    return document


def test_asked_once_at_its_time_and_the_answers_gathered(
    mailbox: Mailbox, smtp_server: SmtpServer
) -> None:
    sync(mailbox, FRI_1500 - timedelta(minutes=1))
    assert smtp_server.messages == []  # not yet

    sync(mailbox, FRI_1500 + timedelta(minutes=1))
    smtp_server.wait_for(2)
    sent = smtp_server.messages
    assert sorted(m.rcpt_tos for m in sent) == [("ana@team.example",), ("bo@team.example",)]
    for one in sent:
        message = one.message
        assert message["Subject"] == "Check-in: weekly (Fri 20 Nov)"
        assert message["In-Reply-To"] is None  # a new conversation: it answers nothing
        assert len(message.get_all("To")) == 1  # one person each: answers stay private
        body = " ".join(str(message.get_content()).split())
        assert body.startswith("What did you finish this week? What is blocked?")
        assert "your answer is gathered for Me Myself's next reading time" in body

    # A second pass, and a second process (`asyncdesk sync --once`), ask nothing again.
    sync(mailbox, FRI_1500 + timedelta(minutes=5))
    env = {**os.environ, "ASYNCDESK_AT": "2026-11-20T15:10:00+01:00"}
    again = subprocess.run(
        [sys.executable, "-m", "asyncdesk", "sync", "--once", "--profile", str(mailbox.root)],
        capture_output=True, text=True, timeout=120, check=False, env=env,
    )  # fmt: skip
    assert again.returncode == 0, again.stderr
    with mailbox.store() as store, store.writing() as session:
        weekly = stored.find(session, "weekly")
        assert weekly is not None
        assert stored.claim_run(session, weekly.id, FRI_1500, FRI_1500) is None
    assert len(smtp_server.messages) == 2

    # Ana answers on Saturday; Bo does not.
    to_ana = next(m.message for m in sent if m.rcpt_tos == ("ana@team.example",))
    ana_id = str(to_ana["Message-ID"]).strip("<>")
    saturday = FRI_1500 + timedelta(hours=19)
    answer(mailbox, saturday, ana_id, "Ana Lima <ana@team.example>", "Shipped the export.")
    sync(mailbox, saturday + timedelta(minutes=10))

    shown = results(mailbox)
    assert shown["run"] == {
        "due_at": "2026-11-20T14:00:00Z",
        "state": "sent",
        "sent_at": "2026-11-20T14:01:00Z",
        "error": None,
    }
    assert shown["asked"] == ["ana@team.example", "bo@team.example"]
    assert shown["answered"] == [
        {
            "recipient": "ana@team.example",
            "sender": "ana@team.example",
            "sender_name": "Ana Lima",
            "received_at": "2026-11-21T09:00:00Z",
            "text": "Shipped the export.",
            "id": shown["answered"][0]["id"],  # type: ignore[index]
        }
    ]
    assert shown["not_answered"] == ["bo@team.example"]

    # The answer was asked for: no deadline, and the inbox says why.
    assert inbound(mailbox) == {f"answer-{saturday.timestamp():.0f}@team.example": (False, None)}
    with mailbox.store() as store, store.reading() as session:
        reason = session.execute(
            stored.text("SELECT reply_reason FROM messages WHERE direction = 'inbound'")
        ).scalar()
    assert reason == ANSWER_REASON


def test_a_run_found_more_than_a_day_late_is_skipped(
    mailbox: Mailbox, smtp_server: SmtpServer
) -> None:
    # The laptop slept from Friday morning to Monday: Friday's run is not sent Monday.
    sync(mailbox, FRI_1500 + timedelta(days=2, hours=19))
    assert smtp_server.messages == []
    shown = results(mailbox)
    assert shown["run"] is None


# ------------------------------------------------------------------------------ chat


def room_texts(synapse: Synapse, token: str, room: str) -> list[tuple[str, str]]:
    """(sender, body) of the room's text messages, oldest first, as a client sees them."""
    path = f"/_matrix/client/v3/rooms/{quote(room, safe='')}/messages?dir=b&limit=50"
    events = synapse.request("GET", path, token)["chunk"]
    return [
        (str(e["sender"]), str(e["content"].get("body", "")))
        for e in reversed(events)
        if e.get("type") == "m.room.message"
    ]


def test_a_matrix_check_in_asks_in_each_direct_conversation_once(
    synapse: Synapse, tmp_path: Path
) -> None:
    tag = uuid.uuid4().hex[:8]
    me, my_token = synapse.register(f"me-{tag}", CHAT_PASSWORD)
    people = {name: synapse.register(f"{name}-{tag}", CHAT_PASSWORD) for name in ("ann", "bob")}
    carl, _ = synapse.register(f"carl-{tag}", CHAT_PASSWORD)  # no conversation with him yet
    rooms = {}
    for name, (user, token) in people.items():
        rooms[name] = synapse.create_room(token, invite=[me], is_direct=True)
        synapse.join(my_token, rooms[name])
        synapse.set_direct(my_token, me, user, rooms[name])
        synapse.send_text(token, rooms[name], f"Hi, {name} here: can you look at my draft?")
    ann, ann_token = people["ann"]
    now = datetime.now(UTC)
    root = tmp_path / "profile"
    with Store.open(root) as store:
        account = build_matrix_account("chat", homeserver=synapse.base_url, user=me)
        add_matrix_account(store, SystemClock(), KeyringSecrets, account, CHAT_PASSWORD)
        set_timezone(store, FixedClock(now), "UTC")
        checkins.add_checkin(
            store,
            FixedClock(now - timedelta(hours=1)),
            name="daily",
            days="daily",
            at=(now - timedelta(minutes=5)).strftime("%H:%M"),
            to=f"{ann},{people['bob'][0]},{carl}",
            account=None,
            question="What are you working on today?",
        )

    def sync_chat() -> None:
        with Store.open(root) as store:
            outcomes = sync_accounts(store, FixedClock(now), profile_secrets(store))
        assert [o.error for o in outcomes] == [None]

    sync_chat()  # stores the two messages, then asks
    sync_chat()  # brings the questions back (not stored as replies), asks nothing again
    asked = "What are you working on today?"
    for name, room in rooms.items():
        mine = [body for sender, body in room_texts(synapse, my_token, room) if sender == me]
        assert len(mine) == 1, name
        assert mine[0].startswith(asked)
        assert "your answer is gathered for" in mine[0]

    synapse.send_text(ann_token, rooms["ann"], "Finishing the onboarding flow.")
    sync_chat()
    with Store.open(root) as store:
        found = checkins.results(store, "daily")
        with store.reading() as session:
            states = {m.snippet: (m.needs_reply, m.state) for m in inbox_page(session, 100)}
    assert [(a.recipient, a.text) for a in found.answers] == [
        (ann, "Finishing the onboarding flow.")
    ]
    assert found.not_answered == (people["bob"][0],)
    assert found.run is not None
    assert found.run.state.value == "partial"
    failed = {s.recipient: s.error for s in found.run.sends if s.state.value == "failed"}
    assert failed == {carl: f"no direct conversation with {carl} yet: start one first"}
    # Asking in a direct conversation is not a reply: their messages still wait for one.
    assert states["Hi, ann here: can you look at my draft?"] == (True, ReplyState.OPEN)
    assert states["Finishing the onboarding flow."] == (False, None)


def test_a_run_whose_mail_server_is_down_waits_in_the_outbox_and_goes_once_later(
    mailbox: Mailbox, smtp_server: SmtpServer
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    with mailbox.store() as store, store.writing() as session:
        account = get_account(session, "work")
        real_port = account.config["smtp_port"]
        update_account(
            session, replace(account, config={**account.config, "smtp_port": closed_port})
        )
    sync(mailbox, FRI_1500 + timedelta(minutes=1))
    shown = results(mailbox)
    assert shown["pending"] == ["ana@team.example", "bo@team.example"]
    assert shown["not_answered"] == []
    assert smtp_server.messages == []

    with mailbox.store() as store, store.writing() as session:
        account = get_account(session, "work")
        update_account(session, replace(account, config={**account.config, "smtp_port": real_port}))
    # `asyncdesk sync --once` flushes the outbox after catching up: sent, once.
    for minute in ("15:20", "15:25"):
        env = {**os.environ, "ASYNCDESK_AT": f"2026-11-20T{minute}:00+01:00"}
        again = subprocess.run(
            [sys.executable, "-m", "asyncdesk", "sync", "--once", "--profile", str(mailbox.root)],
            capture_output=True, text=True, timeout=120, check=False, env=env,
        )  # fmt: skip
        assert again.returncode == 0, again.stderr
    smtp_server.wait_for(2)
    assert sorted(m.rcpt_tos for m in smtp_server.messages) == [
        ("ana@team.example",),
        ("bo@team.example",),
    ]
    shown = results(mailbox)
    assert shown["pending"] == []
    assert shown["not_answered"] == ["ana@team.example", "bo@team.example"]
