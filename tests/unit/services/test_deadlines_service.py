"""Commitments and the rules behind them, on real profiles (SQLite), with a pinned clock."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from factories import ME, T0, add_test_account, email, open_store, store_triaged

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.errors import BadInput
from asyncdesk.core.messages import Direction, ReplyState
from asyncdesk.services import deadlines as service
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


def ids(store: Store) -> dict[str, int]:
    return {subject: m.id for subject, m in by_subject(store).items()}


def test_new_mail_gets_the_default_promise_and_a_reason(store: Store, account: Account) -> None:
    store_triaged(
        store,
        account,
        [
            email("a", subject="Question", at=T0),
            email("b", subject="Newsletter", at=T0, headers={"list-id": "<news.example.org>"}),
            email("c", subject="Cc only", at=T0, to=["boss@example.org"], cc=[ME]),
        ],
    )
    found = service.deadlines(store, T0 + H)
    assert [(c.subject, c.due_at) for c in found] == [("Question", T0 + 48 * H)]
    assert found[0].reason
    messages = by_subject(store)
    assert messages["Newsletter"].state is None
    assert messages["Cc only"].needs_reply is False


def test_open_at_an_instant_is_exact(store: Store, account: Account) -> None:
    store_triaged(
        store,
        account,
        [
            email("q1", subject="early", at=T0),
            email("q2", subject="late", at=T0 + 5 * H),
            email(
                "r1",
                subject="Re: early",
                at=T0 + 2 * H,
                direction=Direction.OUTBOUND,
                sender=ME,
                to=["client@example.org"],
                conversation="q1@mail.example",
            ),
        ],
    )
    # At T0+1h: early is open (the reply came later), late has not arrived yet.
    assert [c.subject for c in service.deadlines(store, T0 + H)] == ["early"]
    # At T0+6h: early was answered at T0+2h; late is open.
    assert [c.subject for c in service.deadlines(store, T0 + 6 * H)] == ["late"]
    # Overdue: only after its due time.
    assert service.deadlines(store, T0 + 6 * H, overdue=True) == []
    assert [c.subject for c in service.deadlines(store, T0 + 60 * H, overdue=True)] == ["late"]


def test_dismiss_and_snooze(store: Store, account: Account) -> None:
    store_triaged(store, account, [email("a", subject="A"), email("b", subject="B", at=T0 + H)])
    pk = ids(store)
    clock = FixedClock(T0 + 2 * H)
    service.dismiss(store, pk["A"])
    service.snooze(store, clock, pk["B"], T0 + 24 * H)
    assert service.deadlines(store, T0 + 3 * H) == []
    # The snooze runs out by itself.
    assert [c.subject for c in service.deadlines(store, T0 + 25 * H)] == ["B"]
    assert by_subject(store)["A"].state is ReplyState.DISMISSED


@pytest.mark.parametrize(
    ("action", "message"),
    [
        (lambda s, c, pk: service.dismiss(s, 999), "no message with id 999"),
        (lambda s, c, pk: service.snooze(s, c, 999, T0 + 99 * H), "no message with id 999"),
        (lambda s, c, pk: service.snooze(s, c, pk, T0), "--until must be in the future"),
    ],
)
def test_bad_ids_and_instants_change_nothing(
    store: Store, account: Account, action: object, message: str
) -> None:
    store_triaged(store, account, [email("a", subject="A")])
    pk = ids(store)["A"]
    with pytest.raises(BadInput, match=message):
        action(store, FixedClock(T0 + H), pk)  # type: ignore[operator]
    assert by_subject(store)["A"].state is ReplyState.OPEN


def test_a_message_that_needs_no_reply_has_no_deadline_to_dismiss(
    store: Store, account: Account
) -> None:
    store_triaged(store, account, [email("n", subject="N", headers={"list-id": "<l.example>"})])
    with pytest.raises(BadInput, match="has no reply-by deadline"):
        service.dismiss(store, ids(store)["N"])


def test_changing_the_promise_moves_open_deadlines_only(store: Store, account: Account) -> None:
    store_triaged(
        store,
        account,
        [
            email("a", subject="open", sender="ada@clients.example"),
            email("b", subject="answered", sender="bob@other.example"),
            email(
                "r",
                subject="Re: answered",
                at=T0 + H,
                direction=Direction.OUTBOUND,
                sender=ME,
                to=["bob@other.example"],
                conversation="b@mail.example",
            ),
            email("c", subject="other domain", sender="cy@other.example"),
        ],
    )
    assert service.set_default_sla(store, 24 * H) == 2
    messages = by_subject(store)
    assert messages["open"].due_at == T0 + 24 * H
    assert messages["answered"].due_at == T0 + 48 * H

    clock = FixedClock(T0)
    assert service.add_sla_rule(store, clock, "domain", "Clients.Example", 4 * H) == 1
    messages = by_subject(store)
    assert messages["open"].due_at == T0 + 4 * H
    assert messages["other domain"].due_at == T0 + 24 * H
    # The sender beats the domain.
    service.add_sla_rule(store, clock, "sender", "ada@clients.example", 2 * H)
    assert by_subject(store)["open"].due_at == T0 + 2 * H
    service.remove_sla_rule(store, "sender", "ada@clients.example")
    assert by_subject(store)["open"].due_at == T0 + 4 * H


def test_working_hours_count_only_working_time(store: Store, account: Account) -> None:
    # Monday 16 Nov 2026, 17:00 in Berlin (16:00 UTC): after hours.
    friday_evening = datetime(2026, 11, 20, 17, 0, tzinfo=T0.tzinfo)
    store_triaged(store, account, [email("a", subject="A", at=friday_evening)])
    service.set_default_sla(store, 8 * H)
    service.set_working_hours(store, "mon-fri", "09:00", "17:00")
    # Counting starts Monday 09:00 Berlin (08:00 UTC) and takes the whole day.
    assert by_subject(store)["A"].due_at == datetime(2026, 11, 23, 16, 0, tzinfo=T0.tzinfo)
    service.set_working_hours(store, None, "", "")
    assert by_subject(store)["A"].due_at == friday_evening + 8 * H


def test_bad_rule_targets(store: Store, account: Account) -> None:
    clock = FixedClock(T0)
    for kind, value, message in [
        ("sender", "not an address", "--sender takes an email address"),
        ("domain", "localhost", "--domain takes a domain"),
        ("account", "nope", "no account"),
    ]:
        with pytest.raises(BadInput, match=message):
            service.add_sla_rule(store, clock, kind, value, H)
    with pytest.raises(BadInput, match="there is no promise"):
        service.remove_sla_rule(store, "domain", "example.org")


def test_needs_reply_rules_and_overrides_reclassify(store: Store, account: Account) -> None:
    store_triaged(
        store,
        account,
        [
            email("a", subject="from ada", sender="ada@clients.example"),
            email(
                "n",
                subject="digest",
                sender="news@clients.example",
                headers={"list-id": "<digest.clients.example>"},
            ),
            email("o", subject="elsewhere", sender="eve@other.example"),
        ],
    )
    clock = FixedClock(T0)
    # Never for the whole domain: ada's message no longer needs a reply.
    assert service.set_reply_rule(store, clock, "domain", "clients.example", False) == 1
    messages = by_subject(store)
    assert (messages["from ada"].needs_reply, messages["from ada"].state) == (False, None)
    assert messages["elsewhere"].state is ReplyState.OPEN
    # Always for the digest's sender: the sender rule beats the domain rule.
    service.set_reply_rule(store, clock, "sender", "news@clients.example", True)
    digest = by_subject(store)["digest"]
    assert (digest.needs_reply, digest.state) == (True, ReplyState.OPEN)
    assert digest.due_at == T0 + 48 * H
    # A per-message override wins over both.
    assert service.override_message(store, ids(store)["digest"], False) is False
    assert by_subject(store)["digest"].state is None
    assert service.override_message(store, ids(store)["digest"], None) is True
    service.remove_reply_rule(store, "domain", "clients.example")
    assert by_subject(store)["from ada"].state is ReplyState.OPEN
