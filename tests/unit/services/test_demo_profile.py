"""``asyncdesk demo``: deterministic, never duplicated, never mixed with real accounts."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from factories import add_test_account

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.errors import BadInput
from asyncdesk.services import inbox
from asyncdesk.services.demo import build_demo
from asyncdesk.store.database import Store
from asyncdesk.store.messages import count_messages

NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


def _inbox(store: Store) -> list[dict[str, object]]:
    rows = [inbox.inbox_json_row(row) for row in inbox.iter_inbox(store)]
    for row in rows:
        row.pop("id")
    return rows


def test_same_seed_same_data_in_two_profiles(tmp_path: Path) -> None:
    with Store.open(tmp_path / "a") as a, Store.open(tmp_path / "b") as b:
        build_demo(a, FixedClock(NOW), messages=300, seed=5)
        build_demo(b, FixedClock(NOW), messages=300, seed=5)
        first, second = _inbox(a), _inbox(b)
    assert first == second
    assert len(first) > 100
    with Store.open(tmp_path / "c") as c:
        build_demo(c, FixedClock(NOW), messages=300, seed=6)
        assert json.dumps(_inbox(c)) != json.dumps(first)


def test_running_demo_again_adds_nothing(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p") as store:
        first = build_demo(store, FixedClock(NOW), messages=300)
        assert (first.created, first.new_messages, first.total_messages) == (True, 300, 300)
        # Later, on another day: the stored anchor keeps the data identical.
        again = build_demo(store, FixedClock(datetime(2026, 12, 3, tzinfo=UTC)))
        assert (again.created, again.new_messages, again.total_messages) == (False, 0, 300)


def test_a_different_demo_on_an_existing_one_is_refused_untouched(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p") as store:
        build_demo(store, FixedClock(NOW), messages=100, seed=1)
        with pytest.raises(BadInput, match="--seed 1 and --messages 100"):
            build_demo(store, FixedClock(NOW), messages=200, seed=1)
        with store.reading() as session:
            assert count_messages(session) == 100


def test_demo_never_mixes_with_real_accounts(tmp_path: Path) -> None:
    with Store.open(tmp_path / "p") as store:
        add_test_account(store, "work")
        with pytest.raises(BadInput, match=r"real accounts \(work\)"):
            build_demo(store, FixedClock(NOW), messages=10)
        with store.reading() as session:
            assert count_messages(session) == 0
