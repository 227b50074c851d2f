"""Needs-reply: direct human messages need one, bulk and machine mail does not."""

from __future__ import annotations

import pytest
from factories import ME, chat, email

from asyncdesk.core.classify import needs_reply
from asyncdesk.core.messages import Direction, normalize_message_id


def test_direct_mail_to_me_needs_a_reply() -> None:
    assert needs_reply(email("a", to=("Me@Example.com",)), [ME])


@pytest.mark.parametrize(
    "headers",
    [
        {"List-Id": "<news.example.org>"},
        {"Precedence": "bulk"},
        {"Auto-Submitted": "auto-generated"},
        {"List-Unsubscribe": "<mailto:unsub@example.org>"},
    ],
)
def test_bulk_and_machine_mail_needs_none(headers: dict[str, str]) -> None:
    assert not needs_reply(email("a", headers=headers), [ME])


def test_auto_submitted_no_is_a_person() -> None:
    assert needs_reply(email("a", headers={"Auto-Submitted": "no"}), [ME])


@pytest.mark.parametrize(
    "sender",
    [
        "noreply@example.org",
        "no-reply@x.example",
        "do_not_reply@x.example",
        "notifications@github.example",
    ],
)
def test_no_reply_senders_need_none(sender: str) -> None:
    assert not needs_reply(email("a", sender=sender), [ME])


def test_cc_only_and_my_own_mail_need_none() -> None:
    assert not needs_reply(email("a", to=("team@example.com",), cc=(ME,)), [ME])
    assert not needs_reply(email("a", sender=ME), [ME])
    assert not needs_reply(email("a", direction=Direction.OUTBOUND), [ME])


def test_chat_needs_a_reply_in_dms_and_mentions_only() -> None:
    me = ["@me:example.org"]
    assert needs_reply(chat("a", direct=True), me)
    assert needs_reply(chat("b", mention=True), me)
    assert not needs_reply(chat("c"), me)


def test_message_ids_are_compared_without_brackets() -> None:
    assert normalize_message_id(" <abc@x.example> ") == "abc@x.example"
    assert normalize_message_id("abc@x.example") == "abc@x.example"
    assert normalize_message_id("<>") is None
    assert normalize_message_id(None) is None
