"""Undo of reply-by choices on real profiles: what was saved is what comes back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from factories import ME, T0, add_test_account, email, open_store, store_triaged

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction, ReplyState
from asyncdesk.services import choices
from asyncdesk.services import deadlines as service
from asyncdesk.services.inbox import by_id
from asyncdesk.services.profile import write_setting
from asyncdesk.store.database import Store
from asyncdesk.store.messages import StoredMessage, inbox_page

H = timedelta(hours=1)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "p") as opened:
        write_setting(opened, declared.TIMEZONE, "Europe/Berlin")
        yield opened


@pytest.fixture
def account(store: Store) -> Account:
    return add_test_account(store)


def by_subject(store: Store) -> dict[str, StoredMessage]:
    with store.reading() as session:
        return {m.subject: m for m in inbox_page(session, 1000)}


def test_undo_of_dismiss_and_snooze_puts_the_state_back(store: Store, account: Account) -> None:
    store_triaged(store, account, [email("a", subject="A"), email("b", subject="B")])
    pk = {subject: m.id for subject, m in by_subject(store).items()}
    clock = FixedClock(T0 + H)
    service.snooze(store, clock, pk["B"], T0 + 5 * H)

    saved = choices.save_choices(store, [pk["A"], pk["B"], 999])
    assert [c.message_pk for c in saved] == sorted([pk["A"], pk["B"]])  # 999 is no message
    service.dismiss(store, pk["A"])
    service.dismiss(store, pk["B"])
    assert {m.state for m in by_subject(store).values()} == {ReplyState.DISMISSED}

    choices.restore_choices(store, saved)
    after = by_subject(store)
    assert after["A"].state is ReplyState.OPEN
    assert (after["B"].state, after["B"].snoozed_until) == (ReplyState.SNOOZED, T0 + 5 * H)
    assert [c.subject for c in service.deadlines(store, T0 + 6 * H)] == ["A", "B"]


def test_undo_of_an_override_brings_back_the_dismissal_it_erased(
    store: Store, account: Account
) -> None:
    store_triaged(store, account, [email("a", subject="A")])
    pk = by_subject(store)["A"].id
    service.dismiss(store, pk)
    saved = choices.save_choices(store, [pk])

    assert service.override_message(store, pk, False) is False
    marked = by_subject(store)["A"]
    assert (marked.needs_reply, marked.state, marked.override) == (False, None, False)

    choices.restore_choices(store, saved)
    back = by_subject(store)["A"]
    assert (back.needs_reply, back.state, back.override) == (True, ReplyState.DISMISSED, None)
    assert back.due_at == T0 + 48 * H
    assert back.reason == "Sent to you by a person"


def test_a_reply_that_came_while_dismissed_wins_over_the_snapshot(
    store: Store, account: Account
) -> None:
    store_triaged(store, account, [email("a", subject="A")])
    pk = by_subject(store)["A"].id
    saved = choices.save_choices(store, [pk])
    service.dismiss(store, pk)
    store_triaged(
        store,
        account,
        [
            email(
                "r",
                subject="Re: A",
                at=T0 + 50 * H,
                direction=Direction.OUTBOUND,
                sender=ME,
                to=["client@example.org"],
                conversation="a@mail.example",
            )
        ],
    )
    assert by_subject(store)["A"].state is ReplyState.DISMISSED  # a reply does not clear it

    choices.restore_choices(store, saved)
    back = by_id(store, [pk])[pk]
    assert (back.state, back.replied_at) == (ReplyState.REPLIED, T0 + 50 * H)


def test_undo_of_a_rule_removes_it_and_restores_what_it_erased(
    store: Store, account: Account
) -> None:
    store_triaged(
        store,
        account,
        [
            email("a", subject="A", sender="ada@clients.example"),
            email("b", subject="B", sender="bob@clients.example"),
            email("c", subject="C", sender="cy@other.example"),
        ],
    )
    pk = {subject: m.id for subject, m in by_subject(store).items()}
    clock = FixedClock(T0 + H)
    service.snooze(store, clock, pk["B"], T0 + 3 * H)

    saved = choices.save_rule(store, "domain", "@Clients.Example")
    assert (saved.key, saved.needs_reply) == ("clients.example", None)
    assert [c.message_pk for c in saved.covered] == [pk["B"]]
    assert service.set_reply_rule(store, clock, "domain", "clients.example", False) == 2
    assert by_subject(store)["B"].state is None

    choices.restore_rule(store, clock, saved)
    after = by_subject(store)
    assert after["A"].state is ReplyState.OPEN
    assert (after["B"].state, after["B"].snoozed_until) == (ReplyState.SNOOZED, T0 + 3 * H)
    assert after["C"].state is ReplyState.OPEN
    assert service.load_rules(store).reply.domains == {}


def test_undo_of_a_changed_rule_puts_the_old_verdict_back(store: Store, account: Account) -> None:
    store_triaged(store, account, [email("a", subject="A", sender="ada@clients.example")])
    clock = FixedClock(T0 + H)
    service.set_reply_rule(store, clock, "sender", "ada@clients.example", True)
    saved = choices.save_rule(store, "sender", "ADA@clients.example")
    assert saved.needs_reply is True

    service.set_reply_rule(store, clock, "sender", "ada@clients.example", False)
    assert by_subject(store)["A"].needs_reply is False
    choices.restore_rule(store, clock, saved)
    assert service.load_rules(store).reply.senders == {"ada@clients.example": True}
    restored = by_subject(store)["A"]
    assert restored.needs_reply is True
    assert restored.reason == "Your rule: always for ada@clients.example"
