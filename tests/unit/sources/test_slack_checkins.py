"""A Slack check-in, against REPLAYS of Slack's Web API (the ``ReplaySlack`` of
test_slack_source.py: Slack's documented response shapes for ``users.conversations``,
``conversations.history``, ``chat.postMessage``...; no real Slack server can run here).

The sync asks once: in the direct conversation with a person (found from what the
store already holds) and in a channel given by id; the person's answer in that
conversation is gathered; the channel's first message is gathered from whoever wrote.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from test_slack_source import (  # the replay and its fixtures (slack, no proxy)
    ADA,
    DM_ADA,
    GENERAL,
    ME,
    NOW,
    TOKEN,
    ReplaySlack,
    _no_proxy,  # noqa: F401
    slack,  # noqa: F401
    ts_at,
)

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.services import checkins
from asyncdesk.services.schedule import set_timezone
from asyncdesk.services.secrets import MemorySecrets
from asyncdesk.services.sync import sync_source
from asyncdesk.sources.slack import SlackSource
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = Store.open(tmp_path / "p")
    yield opened
    opened.close()


def test_a_slack_check_in_asks_in_the_direct_conversation_and_a_channel_once(
    slack: ReplaySlack,  # noqa: F811 (the fixture imported above)
    store: Store,
) -> None:
    with store.writing() as session:
        account = add_account(
            session,
            Account("work", AccountKind.SLACK, (ME,), {"api_url": slack.url, "user_id": ME}),
            NOW - timedelta(days=1),
        )
    set_timezone(store, FixedClock(NOW), "UTC")
    slack.post(DM_ADA, ts_at(NOW - timedelta(hours=2)), "Morning! Quick question later.")
    checkins.add_checkin(
        store,
        FixedClock(NOW - timedelta(days=1)),
        name="standup",
        days="daily",
        at=(NOW - timedelta(minutes=10)).strftime("%H:%M"),
        to=f"{ADA.lower()},{GENERAL}",
        account=None,
        question="What is blocked?",
    )
    secrets = MemorySecrets({"work": TOKEN})

    def sync() -> None:
        source = SlackSource(account, TOKEN, clock=FixedClock(NOW))
        try:
            sync_source(store, source, FixedClock(NOW), secrets=secrets)
        finally:
            source.close()

    sync()
    sync()
    posts = [
        (call.form["channel"], call.form["text"]) for call in slack.calls_to("chat.postMessage")
    ]
    assert sorted(channel for channel, _ in posts) == [GENERAL, DM_ADA]  # once each
    assert all(text.startswith("What is blocked?\n\nReply to this message;") for _, text in posts)

    slack.post(DM_ADA, ts_at(NOW + timedelta(minutes=5)), "The staging deploy, waiting on ops.")
    slack.post(GENERAL, ts_at(NOW + timedelta(minutes=6)), "Nothing here.", user="U0BOB")
    sync()
    found = checkins.results(store, "standup")
    assert [(a.recipient, a.sender, a.text) for a in found.answers] == [
        (ADA, ADA.lower(), "The staging deploy, waiting on ops."),
        (GENERAL, "u0bob", "Nothing here."),
    ]
    assert found.not_answered == ()
