"""``inbox --json`` rows carry their labels (DESIGN.md): on a small profile built for
it, each label where it belongs and nowhere else."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from factories import T0, add_test_account, chat, email, open_store, store_messages

from asyncdesk.cli import main
from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.messages import Direction


def _profile(root: Path) -> None:
    with open_store(root) as store:
        work = add_test_account(store, "work")
        home = add_test_account(store, "home", identities=("me@home.example",))
        room = add_test_account(store, "team", AccountKind.MATRIX, ("@me:example.org",))
        store_messages(
            store,
            work,
            [
                email(
                    "ask",
                    sender="alice@example.org",
                    subject="Onboarding",
                    body="Could we hop on a call tomorrow to go through it?",
                    at=T0 + timedelta(hours=1),
                ),
                email(
                    "loom",
                    sender="alice@example.org",
                    subject="Re: Onboarding",
                    body="Recorded it instead: https://www.loom.com/share/0f1e2d3c",
                    at=T0 + timedelta(hours=2),
                ),
                email(
                    "mine",
                    sender="me@example.com",
                    direction=Direction.OUTBOUND,
                    to=("bob@example.org",),
                    subject="Proposal",
                    at=T0,
                ),
                email(
                    "bob",
                    sender="bob@example.org",
                    subject="Re: Proposal",
                    body="Thanks, looks good.",
                    at=T0 + timedelta(hours=3),
                ),
                email(
                    "carol2",
                    sender="carol@example.org",
                    subject="Next steps",
                    body="Sending the contract today.",
                    at=T0 + timedelta(hours=4),
                ),
            ],
        )
        store_messages(
            store,
            work,
            [
                email(
                    "news",
                    sender="news@letters.example",
                    subject="Five ways to run better meetings",
                    body="Let's schedule a meeting about meetings! Unsubscribe below.",
                    at=T0 + timedelta(hours=5),
                ),
                email(
                    "invite",
                    sender="calendar-notification@google.example",
                    subject="Invitation: Design review @ Tue 2 Dec 2026 14:00 - 15:00 (CET)",
                    body="Join with Google Meet\n\n[attachment: invite.ics]",
                    at=T0 + timedelta(hours=6),
                ),
            ],
            needs_reply=False,
            stream="bulk",
        )
        # Carol wrote first to the other account: her later mail is no first contact.
        store_messages(
            store, home, [email("carol1", sender="carol@example.org", to=("me@home.example",))]
        )
        store_messages(
            store,
            room,
            [chat("c1", body="anyone has the wifi password?", at=T0 + timedelta(hours=7))],
            needs_reply=False,
        )


def test_inbox_json_rows_carry_their_labels(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    root = tmp_path / "profile"
    _profile(root)
    assert main(["--profile", str(root), "inbox", "--json"]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    rows = json.loads(out)
    labels = {(row["account"], row["subject"], row["sender"]): row["labels"] for row in rows}
    assert labels == {
        ("work", "Onboarding", "alice@example.org"): ["first_contact", "meeting_request"],
        ("work", "Re: Onboarding", "alice@example.org"): ["video"],
        ("work", "Re: Proposal", "bob@example.org"): [],
        ("work", "Next steps", "carol@example.org"): [],
        ("home", "Hello", "carol@example.org"): ["first_contact"],
        ("work", "Five ways to run better meetings", "news@letters.example"): [
            "first_contact",
            "fyi",
        ],
        (
            "work",
            "Invitation: Design review @ Tue 2 Dec 2026 14:00 - 15:00 (CET)",
            "calendar-notification@google.example",
        ): ["first_contact", "fyi", "meeting_request"],
        ("team", "!room:example.org", "@priya:example.org"): ["first_contact", "fyi"],
    }
    # Every row keeps the contract's keys, labels a sorted list.
    for row in rows:
        assert row["labels"] == sorted(row["labels"])
        assert set(row) >= {"id", "state", "needs_reply", "labels"}


def test_a_page_read_alone_has_the_labels_of_the_whole_listing(tmp_path: Path) -> None:
    from asyncdesk.services import inbox

    root = tmp_path / "profile"
    _profile(root)
    with open_store(root) as store:
        whole = list(inbox.iter_inbox_json(store, chunk=3))
        first = inbox.page(store, 3)
        with store.reading() as session:
            page = inbox.labelled_rows(session, first)
    assert page == whole[:3]
    assert [row["id"] for row in whole] == [row.id for row in inbox.iter_inbox(store)]
