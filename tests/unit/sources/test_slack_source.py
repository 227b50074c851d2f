"""The Slack source against REPLAYS of Slack's Web API: no real Slack server can run here.

``ReplaySlack`` answers, on a local HTTP server (pytest-httpserver on 127.0.0.1), the
methods the source calls, in the response shapes Slack documents for them
(``users.conversations``, ``conversations.history``, ``conversations.replies``,
``users.info``, ``auth.test``, ``chat.postMessage``): ``ok``/``error``, ``messages``
newest first in the history, the thread's root first in ``conversations.replies``,
``response_metadata.next_cursor`` for pages, HTTP 429 with ``Retry-After`` for rate
limits. It keeps its workspace as plain data, so a test can post more and sync again.
Edits and deletions are replayed as Slack shows them when the history is read again: an
edited message with its current text and ``edited: {"user", "ts"}``, a deleted one with
thread replies as a ``subtype: "tombstone"``, any other deleted one gone.

Every request the real slack-sdk sends is recorded as it arrived (the form-encoded POST
body and the Authorization header), and tests assert on that too: what is sent is as
much the contract as what is understood.
"""

from __future__ import annotations

import base64
import json
import socket
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.classify import CHAT_BOT_HEADER, Decision, decide
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction, Medium, Message
from asyncdesk.sources.base import AuthFailed, ConnectionFailed, Edit, SourceError, SyncBatch
from asyncdesk.sources.slack import (
    RateLimited,
    SlackError,
    SlackSource,
    datetime_to_ts,
    reply_target,
    ts_to_datetime,
)

TOKEN = "xoxp-1111-2222-3333-secretsecretsecret"
ME = "U0ALEX"
ADA = "U0ADA"
BOB = "U0BOB"
NOW = datetime(2026, 11, 10, 14, 30, tzinfo=UTC)
GENERAL = "C0GENERAL"
DM_ADA = "D0ADA"
GROUP = "G0GROUP"

METHODS = (
    "auth.test",
    "users.conversations",
    "users.info",
    "conversations.history",
    "conversations.replies",
    "chat.postMessage",
)


def ts_at(when: datetime, micros: int = 0) -> str:
    """A Slack ts for an instant, with its six decimals written out."""
    seconds = (when - datetime(1970, 1, 1, tzinfo=UTC)) // timedelta(seconds=1)
    return f"{seconds}.{micros:06d}"


@dataclass
class Call:
    """One request as it arrived: the method, its form fields, its Authorization."""

    method: str
    form: dict[str, str]
    authorization: str | None


def _page_cursor(offset: int) -> str:
    return base64.b64encode(f"next:{offset}".encode()).decode()


def _offset(cursor: str | None) -> int:
    if not cursor:
        return 0
    return int(base64.b64decode(cursor).decode().removeprefix("next:"))


@dataclass
class ReplaySlack:
    """A workspace seen through Slack's documented Web API answers; see the module doc."""

    server: HTTPServer
    calls: list[Call] = field(default_factory=list)
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    channels: list[dict[str, Any]] = field(default_factory=list)
    #: channel -> top-level messages (and replies also sent to the channel)
    history: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    #: (channel, root ts) -> replies, oldest first
    threads: dict[tuple[str, str], list[dict[str, Any]]] = field(default_factory=dict)
    #: method -> Retry-After values to answer with HTTP 429, one per request
    rate_limits: dict[str, list[int]] = field(default_factory=dict)
    #: method -> an error code to answer with
    errors: dict[str, str] = field(default_factory=dict)
    #: the tokens Slack accepts (a rotation revokes the old one)
    tokens: set[str] = field(default_factory=lambda: {TOKEN})
    _clock: int = 0

    def __post_init__(self) -> None:
        for method in METHODS:
            self.server.expect_request(f"/api/{method}", method="POST").respond_with_handler(
                lambda request, method=method: self._answer(method, request)
            )
        self.users = {
            ME: _user(ME, "alex", "Alex Doe"),
            ADA: _user(ADA, "ada", "Ada Lovelace", display="Ada"),
            BOB: _user(BOB, "bob", "Bob Ross"),
        }
        self.channels = [
            {"id": GENERAL, "name": "general", "is_channel": True, "is_private": False},
            {"id": DM_ADA, "is_im": True, "user": ADA},
            {"id": GROUP, "name": "mpdm-ada--bob--alex-1", "is_mpim": True, "is_group": True},
        ]

    @property
    def url(self) -> str:
        return self.server.url_for("/api/")

    # -- the workspace

    def post(
        self,
        channel: str,
        ts: str,
        text: str,
        *,
        user: str | None = ADA,
        thread_ts: str | None = None,
        **extra: Any,
    ) -> dict[str, Any]:
        message: dict[str, Any] = {"type": "message", "ts": ts, "text": text, **extra}
        if user is not None:
            message["user"] = user
        if thread_ts is None:
            self.history.setdefault(channel, []).append(message)
            return message
        message["thread_ts"] = thread_ts
        message["parent_user_id"] = self._root(channel, thread_ts).get("user")
        self.threads.setdefault((channel, thread_ts), []).append(message)
        root = self._root(channel, thread_ts)
        replies = self.threads[(channel, thread_ts)]
        root.update(
            thread_ts=thread_ts,
            reply_count=len(replies),
            latest_reply=max((r["ts"] for r in replies), key=Decimal),
            reply_users=sorted({r.get("user", "") for r in replies}),
        )
        if extra.get("subtype") == "thread_broadcast":
            self.history[channel].append(message)
        return message

    def _root(self, channel: str, ts: str) -> dict[str, Any]:
        return next(m for m in self.history[channel] if m["ts"] == ts)

    def edit(self, channel: str, ts: str, text: str, *, at: str) -> dict[str, Any]:
        """The author changes a top-level message's text at ``at`` (chat.update): Slack
        shows it with the new text and ``edited`` from then on."""
        message = self._root(channel, ts)
        message["text"] = text
        message["edited"] = {"user": message.get("user") or message.get("bot_id"), "ts": at}
        return message

    def delete(self, channel: str, ts: str) -> None:
        """The author deletes a top-level message (chat.delete): one with thread replies
        stays as Slack's tombstone, keeping its thread fields; any other is gone."""
        message = self._root(channel, ts)
        if not message.get("reply_count"):
            self.history[channel].remove(message)
            return
        keys = ("thread_ts", "reply_count", "latest_reply", "reply_users")
        thread = {key: message[key] for key in keys}
        message.clear()
        message.update(
            type="message",
            subtype="tombstone",
            text="This message was deleted.",
            user="USLACKBOT",
            hidden=True,
            ts=ts,
            parent_user_id="USLACKBOT",
            reply_users_count=len(thread["reply_users"]),
            is_locked=False,
            subscribed=False,
            **thread,
        )

    def calls_to(self, method: str) -> list[Call]:
        return [call for call in self.calls if call.method == method]

    # -- the wire

    def _answer(self, method: str, request: Request) -> Response:
        form = {key: values[-1] for key, values in parse_qs(request.get_data(as_text=True)).items()}
        self.calls.append(Call(method, form, request.headers.get("Authorization")))
        waits = self.rate_limits.get(method)
        if waits:
            body = json.dumps({"ok": False, "error": "ratelimited"})
            return Response(
                body, 429, {"Retry-After": str(waits.pop(0))}, content_type="application/json"
            )
        if request.headers.get("Authorization") not in {f"Bearer {t}" for t in self.tokens}:
            return _json({"ok": False, "error": "invalid_auth"})
        if method in self.errors:
            return _json({"ok": False, "error": self.errors[method]})
        return _json(getattr(self, "_" + method.replace(".", "_"))(form))

    def _auth_test(self, form: dict[str, str]) -> dict[str, Any]:
        return {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": "Acme",
            "user": "alex",
            "team_id": "T0ACME",
            "user_id": ME,
        }

    def _users_info(self, form: dict[str, str]) -> dict[str, Any]:
        user = self.users.get(form["user"])
        if user is None:
            return {"ok": False, "error": "user_not_found"}
        return {"ok": True, "user": user}

    def _users_conversations(self, form: dict[str, str]) -> dict[str, Any]:
        page, more = _page(self.channels, form)
        return {"ok": True, "channels": page, "response_metadata": {"next_cursor": more}}

    def _conversations_history(self, form: dict[str, str]) -> dict[str, Any]:
        messages = _window(self.history.get(form["channel"], []), form)
        newest_first = sorted(messages, key=lambda m: Decimal(m["ts"]), reverse=True)
        page, more = _page(newest_first, form)
        return {
            "ok": True,
            "messages": page,
            "has_more": bool(more),
            "pin_count": 0,
            "response_metadata": {"next_cursor": more},
        }

    def _conversations_replies(self, form: dict[str, str]) -> dict[str, Any]:
        channel, root_ts = form["channel"], form["ts"]
        root = self._root(channel, root_ts)
        replies = sorted(
            _window(self.threads.get((channel, root_ts), []), form), key=lambda m: Decimal(m["ts"])
        )
        page, more = _page(replies, form)
        # Slack puts the thread's root first on every page.
        return {
            "ok": True,
            "messages": [root, *page],
            "has_more": bool(more),
            "response_metadata": {"next_cursor": more},
        }

    def _chat_postMessage(self, form: dict[str, str]) -> dict[str, Any]:
        self._clock += 1
        ts = ts_at(NOW, self._clock)
        thread_ts = form.get("thread_ts")
        message = self.post(form["channel"], ts, form["text"], user=ME, thread_ts=thread_ts)
        return {"ok": True, "channel": form["channel"], "ts": ts, "message": message}


def _user(user_id: str, name: str, real: str, *, display: str = "") -> dict[str, Any]:
    return {
        "id": user_id,
        "name": name,
        "real_name": real,
        "profile": {"display_name": display, "real_name": real},
    }


def _json(body: dict[str, Any]) -> Response:
    return Response(json.dumps(body), 200, content_type="application/json")


def _window(messages: Iterable[dict[str, Any]], form: dict[str, str]) -> list[dict[str, Any]]:
    """The messages after ``oldest`` (at it too with ``inclusive=1``), as Slack filters."""
    oldest = Decimal(form.get("oldest") or "0")
    inclusive = form.get("inclusive") in ("1", "true")
    return [
        m
        for m in messages
        if Decimal(m["ts"]) > oldest or (inclusive and Decimal(m["ts"]) == oldest)
    ]


def _page(items: list[dict[str, Any]], form: dict[str, str]) -> tuple[list[dict[str, Any]], str]:
    start = _offset(form.get("cursor"))
    limit = int(form.get("limit") or 100)
    end = start + limit
    return items[start:end], _page_cursor(end) if end < len(items) else ""


# ------------------------------------------------------------------------------ fixtures


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    """slack-sdk routes every request through a proxy named in the environment."""
    for name in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def slack(httpserver_ipv4: HTTPServer) -> Iterator[ReplaySlack]:
    replay = ReplaySlack(httpserver_ipv4)
    yield replay
    httpserver_ipv4.check_assertions()  # no request the replay had no answer for
    httpserver_ipv4.check_handler_errors()


def source(
    replay: ReplaySlack,
    *,
    token: str = TOKEN,
    config: dict[str, Any] | None = None,
    **options: Any,
) -> SlackSource:
    settings = {"api_url": replay.url, "user_id": ME, **(config or {})}
    account = Account("work", AccountKind.SLACK, (ME,), settings)
    return SlackSource(account, token, clock=FixedClock(NOW), **options)


def messages_of(batches: Iterable[SyncBatch]) -> list[Message]:
    return [message for batch in batches for message in batch.messages]


def edits_of(batches: Iterable[SyncBatch]) -> list[Edit]:
    return [edit for batch in batches for edit in batch.edits]


def redactions_of(batches: Iterable[SyncBatch]) -> list[str]:
    return [remote_id for batch in batches for remote_id in batch.redactions]


def sync_all(src: SlackSource, stream: str, cursor: str | None = None) -> list[SyncBatch]:
    return list(src.sync(stream, cursor))


# ------------------------------------------------------------------------------- streams


def test_streams_are_every_conversation_across_pages(slack: ReplaySlack) -> None:
    """REPLAY: users.conversations in pages of two, followed by next_cursor."""
    src = source(slack, page_size=2)
    assert src.streams() == [f"slack:{GENERAL}", f"slack:{DM_ADA}", f"slack:{GROUP}"]
    calls = slack.calls_to("users.conversations")
    assert len(calls) == 2
    assert calls[0].form == {
        "types": "public_channel,private_channel,mpim,im",
        "exclude_archived": "1",
        "limit": "2",
    }
    assert calls[1].form["cursor"] == _page_cursor(2)
    assert {call.authorization for call in slack.calls} == {f"Bearer {TOKEN}"}


def test_verify_says_whose_token_it_is(slack: ReplaySlack) -> None:
    """REPLAY: auth.test's documented answer."""
    identity = source(slack, config={"user_id": None}).verify()
    assert (identity.user_id, identity.user, identity.team_id, identity.team) == (
        ME,
        "alex",
        "T0ACME",
        "Acme",
    )


def test_a_stream_the_user_is_not_in_is_refused(slack: ReplaySlack) -> None:
    """REPLAY: a channel id that users.conversations does not list."""
    with pytest.raises(SourceError, match=r"slack:C0ELSEWHERE is not a conversation of"):
        sync_all(source(slack), "slack:C0ELSEWHERE")


# ---------------------------------------------------------------------------------- sync


def test_a_first_sync_reads_two_history_pages_and_yields_oldest_first(
    slack: ReplaySlack,
) -> None:
    """REPLAY: conversations.history newest first, three messages in pages of two."""
    day = NOW - timedelta(days=2)
    stamps = [ts_at(day, 100), ts_at(day + timedelta(minutes=5)), ts_at(day, 200)]
    slack.post(GENERAL, stamps[0], "Morning all", user=BOB)
    slack.post(GENERAL, stamps[1], "Standup in 5", user=ADA)
    slack.post(GENERAL, stamps[2], "Coffee is ready", user=BOB)

    batches = sync_all(source(slack, page_size=2), f"slack:{GENERAL}")

    calls = slack.calls_to("conversations.history")
    assert [call.form for call in calls] == [
        {
            "channel": GENERAL,
            "oldest": datetime_to_ts(NOW - timedelta(days=30)),
            "inclusive": "0",
            "limit": "2",
        },
        {
            "channel": GENERAL,
            "oldest": datetime_to_ts(NOW - timedelta(days=30)),
            "inclusive": "0",
            "limit": "2",
            "cursor": _page_cursor(2),
        },
    ]
    got = messages_of(batches)
    assert [m.remote_id for m in got] == [
        f"{GENERAL}:{stamps[0]}",
        f"{GENERAL}:{stamps[2]}",
        f"{GENERAL}:{stamps[1]}",
    ]
    first = got[0]
    assert first.medium is Medium.CHAT
    assert first.direction is Direction.INBOUND
    assert first.conversation == GENERAL
    assert first.thread is None
    assert first.subject == "#general"
    assert (first.sender.address, first.sender.name) == (BOB.lower(), "Bob Ross")
    assert first.body_text == "Morning all"
    assert not first.is_direct
    assert not first.mentions_me
    assert json.loads(batches[-1].cursor)["oldest"] == stamps[1]


def test_resuming_from_any_batch_cursor_yields_exactly_the_rest(slack: ReplaySlack) -> None:
    """REPLAY: seven messages synced two per batch; each cursor resumes where it stood."""
    start = NOW - timedelta(hours=6)
    for minute in range(7):
        slack.post(GENERAL, ts_at(start + timedelta(minutes=minute), 10), f"note {minute}")
    config = {"thread_watch_days": 0}
    full = sync_all(source(slack, config=config, batch_size=2), f"slack:{GENERAL}")
    everything = [m.remote_id for m in messages_of(full)]
    assert len(everything) == 7
    assert [len(batch.messages) for batch in full] == [2, 2, 2, 1]
    for batch in full[:-1]:
        rest = messages_of(source(slack, config=config).sync(f"slack:{GENERAL}", batch.cursor))
        assert [m.remote_id for m in rest] == everything[batch.done :]
    assert sync_all(source(slack, config=config), f"slack:{GENERAL}", full[-1].cursor) == []


def test_a_later_sync_asks_only_for_newer_messages_and_repeats_none(slack: ReplaySlack) -> None:
    """REPLAY: the history after the cursor's oldest ts, exclusive."""
    first_ts = ts_at(NOW - timedelta(hours=3), 500_000)
    slack.post(GENERAL, first_ts, "first")
    config = {"thread_watch_days": 0}
    first = sync_all(source(slack, config=config), f"slack:{GENERAL}")
    assert [m.body_text for m in messages_of(first)] == ["first"]

    slack.post(GENERAL, ts_at(NOW - timedelta(hours=1)), "second")
    slack.post(GENERAL, ts_at(NOW - timedelta(minutes=1)), "third")
    slack.calls.clear()
    later = sync_all(source(slack, config=config), f"slack:{GENERAL}", first[-1].cursor)

    assert [m.body_text for m in messages_of(later)] == ["second", "third"]
    history = slack.calls_to("conversations.history")
    assert [(c.form["oldest"], c.form["inclusive"]) for c in history] == [(first_ts, "0")]


def test_ts_strings_are_kept_exactly_and_instants_to_the_microsecond(
    slack: ReplaySlack,
) -> None:
    """REPLAY: ts values whose trailing zeros and last microsecond a float would lose."""
    base = NOW - timedelta(hours=2)
    stamps = [ts_at(base, 100_000), ts_at(base, 1), ts_at(base, 999_999)]
    for ts in stamps:
        slack.post(GENERAL, ts, "tick")
    batches = sync_all(source(slack, config={"thread_watch_days": 0}), f"slack:{GENERAL}")
    got = messages_of(batches)
    assert [m.remote_id for m in got] == [f"{GENERAL}:{ts}" for ts in sorted(stamps)]
    assert [m.received_at.microsecond for m in got] == [1, 100_000, 999_999]
    assert got[0].received_at == base + timedelta(microseconds=1)
    cursor = batches[-1].cursor
    assert json.loads(cursor)["oldest"] == stamps[2]

    slack.calls.clear()
    sync_all(source(slack, config={"thread_watch_days": 0}), f"slack:{GENERAL}", cursor)
    assert slack.calls_to("conversations.history")[0].form["oldest"] == stamps[2]


def test_ts_to_datetime_is_exact_and_refuses_garbage() -> None:
    assert ts_to_datetime("1794400000.000001") == datetime(2026, 11, 11, 12, 26, 40, 1, tzinfo=UTC)
    assert ts_to_datetime("1794400000") == datetime(2026, 11, 11, 12, 26, 40, tzinfo=UTC)
    with pytest.raises(ValueError, match="not a Slack timestamp"):
        ts_to_datetime("1.7e9")


def test_room_notices_are_skipped_and_the_cursor_still_moves_past_them(
    slack: ReplaySlack,
) -> None:
    """REPLAY: channel_join and channel_topic subtypes between two messages."""
    base = NOW - timedelta(hours=1)
    slack.post(GENERAL, ts_at(base, 1), "<@U0BOB> has joined the channel", user=BOB,
               subtype="channel_join")  # fmt: skip
    slack.post(GENERAL, ts_at(base, 2), "hello", user=BOB)
    slack.post(GENERAL, ts_at(base, 3), "set the topic", user=BOB, subtype="channel_topic")
    batches = sync_all(source(slack), f"slack:{GENERAL}")
    assert [m.body_text for m in messages_of(batches)] == ["hello"]
    assert json.loads(batches[-1].cursor)["oldest"] == ts_at(base, 3)


# ------------------------------------------------------------------------------- threads


def test_thread_replies_are_fetched_and_belong_to_their_root(slack: ReplaySlack) -> None:
    """REPLAY: a root with reply_count/latest_reply, its replies from conversations.replies."""
    base = NOW - timedelta(hours=5)
    root = ts_at(base)
    slack.post(GENERAL, root, "Who can review the release notes?", user=ADA)
    slack.post(GENERAL, ts_at(base + timedelta(minutes=30)), "Unrelated: lunch?", user=BOB)
    slack.post(GENERAL, ts_at(base + timedelta(minutes=10)), "I can", user=BOB, thread_ts=root)
    slack.post(GENERAL, ts_at(base + timedelta(minutes=40)), "Done", user=ME, thread_ts=root)

    got = messages_of(sync_all(source(slack), f"slack:{GENERAL}"))

    assert [(m.body_text, m.thread) for m in got] == [
        ("Who can review the release notes?", None),
        ("I can", f"{GENERAL}:{root}"),
        ("Unrelated: lunch?", None),
        ("Done", f"{GENERAL}:{root}"),
    ]
    assert got[0].headers["x-slack-reply-count"] == "2"
    assert got[3].direction is Direction.OUTBOUND
    (replies,) = slack.calls_to("conversations.replies")
    assert replies.form == {
        "channel": GENERAL,
        "ts": root,
        "oldest": root,
        "inclusive": "0",
        "limit": "200",
    }


def test_a_thread_started_under_an_old_message_is_found_on_the_next_sync(
    slack: ReplaySlack,
) -> None:
    """REPLAY: a message synced with no replies; the user answers it in a thread later.

    Slack's history does not list that reply, and the message is older than the cursor:
    the source must still see the reply, or the reply-by promise would stay open.
    """
    asked = ts_at(NOW - timedelta(days=1))
    slack.post(DM_ADA, asked, "Can you send me the invoice?", user=ADA)
    first = sync_all(source(slack), f"slack:{DM_ADA}")
    assert [m.body_text for m in messages_of(first)] == ["Can you send me the invoice?"]

    answer = ts_at(NOW - timedelta(hours=1))
    slack.post(DM_ADA, answer, "Sent!", user=ME, thread_ts=asked)
    slack.calls.clear()
    second = sync_all(source(slack), f"slack:{DM_ADA}", first[-1].cursor)

    (reply,) = messages_of(second)
    assert (reply.remote_id, reply.direction, reply.thread) == (
        f"{DM_ADA}:{answer}",
        Direction.OUTBOUND,
        f"{DM_ADA}:{asked}",
    )
    history = slack.calls_to("conversations.history")
    assert history[0].form["oldest"] == datetime_to_ts(NOW - timedelta(days=7))
    assert [c.form["oldest"] for c in slack.calls_to("conversations.replies")] == [asked]

    # Nothing moved since: no thread is fetched again, nothing is yielded.
    slack.calls.clear()
    assert sync_all(source(slack), f"slack:{DM_ADA}", second[-1].cursor) == []
    assert slack.calls_to("conversations.replies") == []


def test_a_thread_goes_on_without_repeating_its_replies(slack: ReplaySlack) -> None:
    """REPLAY: a root whose latest_reply moves between two syncs."""
    root = ts_at(NOW - timedelta(days=2))
    slack.post(GENERAL, root, "Plan for Q1?", user=ADA)
    slack.post(GENERAL, ts_at(NOW - timedelta(days=1)), "Draft attached", user=BOB,
               thread_ts=root)  # fmt: skip
    first = sync_all(source(slack), f"slack:{GENERAL}")
    assert [m.body_text for m in messages_of(first)] == ["Plan for Q1?", "Draft attached"]

    late = ts_at(NOW - timedelta(minutes=3))
    slack.post(GENERAL, late, "<@U0ALEX> thoughts?", user=ADA, thread_ts=root)
    slack.calls.clear()
    second = messages_of(sync_all(source(slack), f"slack:{GENERAL}", first[-1].cursor))

    assert [(m.body_text, m.thread, m.mentions_me) for m in second] == [
        ("@Alex Doe thoughts?", f"{GENERAL}:{root}", True)
    ]
    (replies,) = slack.calls_to("conversations.replies")
    assert replies.form["oldest"] == ts_at(NOW - timedelta(days=1))


def test_resuming_between_a_root_and_its_replies_loses_and_repeats_nothing(
    slack: ReplaySlack,
) -> None:
    """REPLAY: two threads (one rooted before the week the source re-reads) whose
    replies interleave with top-level messages, synced one message per batch."""
    old_root = ts_at(NOW - timedelta(days=10))
    slack.post(GENERAL, old_root, "Old question", user=ADA)
    slack.post(GENERAL, ts_at(NOW - timedelta(days=9)), "Top level B", user=BOB)
    new_root = ts_at(NOW - timedelta(days=1))
    slack.post(GENERAL, new_root, "New question", user=BOB)
    slack.post(GENERAL, ts_at(NOW - timedelta(minutes=30)), "Top level D", user=ADA)
    slack.post(GENERAL, ts_at(NOW - timedelta(days=10), 7), "old r1", user=BOB, thread_ts=old_root)
    slack.post(GENERAL, ts_at(NOW - timedelta(days=2)), "old r2", user=ME, thread_ts=old_root)
    slack.post(GENERAL, ts_at(NOW - timedelta(hours=1)), "new r1", user=ADA, thread_ts=new_root)

    full = sync_all(source(slack, batch_size=1), f"slack:{GENERAL}")
    everything = [m.body_text for m in messages_of(full)]
    assert everything == [
        "Old question",
        "old r1",
        "Top level B",
        "old r2",
        "New question",
        "new r1",
        "Top level D",
    ]
    for batch in full:
        rest = messages_of(source(slack).sync(f"slack:{GENERAL}", batch.cursor))
        assert [m.body_text for m in rest] == everything[batch.done :]


def test_a_reply_also_sent_to_the_channel_comes_once(slack: ReplaySlack) -> None:
    """REPLAY: a thread_broadcast, listed by both the history and the thread."""
    root = ts_at(NOW - timedelta(hours=4))
    slack.post(GENERAL, root, "Deploy today?", user=ADA)
    shout = ts_at(NOW - timedelta(hours=3))
    slack.post(GENERAL, shout, "Yes, at 15:00", user=BOB, thread_ts=root,
               subtype="thread_broadcast")  # fmt: skip
    got = messages_of(sync_all(source(slack), f"slack:{GENERAL}"))
    assert [(m.remote_id, m.thread) for m in got] == [
        (f"{GENERAL}:{root}", None),
        (f"{GENERAL}:{shout}", f"{GENERAL}:{root}"),
    ]


# ----------------------------------------------------------------- edits and deletions


def test_an_edit_of_a_delivered_message_comes_once_as_an_edit_by_its_sender(
    slack: ReplaySlack,
) -> None:
    """REPLAY: two messages synced (one a classic bot_message), then edited
    (chat.update): reading the history again, Slack shows them with their new text and
    ``edited``. The requests are those of any later sync; the edits come once each."""
    asked = ts_at(NOW - timedelta(days=2))
    slack.post(GENERAL, asked, "Can someone review PR 12?", user=ADA)
    note = ts_at(NOW - timedelta(days=1))
    slack.post(GENERAL, note, "Nightly build: red", user=None, subtype="bot_message",
               bot_id="B0NIGHTLY", username="Nightly")  # fmt: skip
    first = sync_all(source(slack), f"slack:{GENERAL}")
    assert edits_of(first) == []
    assert "changes" not in json.loads(first[-1].cursor)

    first_edit = ts_at(NOW - timedelta(hours=2))
    slack.edit(GENERAL, asked, "<@U0ALEX> can you review PR 12 &amp; 13?", at=first_edit)
    slack.edit(GENERAL, note, "Nightly build: green", at=ts_at(NOW - timedelta(hours=1)))
    slack.calls.clear()
    second = sync_all(source(slack), f"slack:{GENERAL}", first[-1].cursor)

    assert [call.form for call in slack.calls_to("conversations.history")] == [
        {
            "channel": GENERAL,
            "oldest": datetime_to_ts(NOW - timedelta(days=7)),
            "inclusive": "0",
            "limit": "200",
        }
    ]
    assert messages_of(second) == []
    assert edits_of(second) == [
        Edit(f"{GENERAL}:{asked}", "@Alex Doe can you review PR 12 & 13?", sender="u0ada"),
        Edit(f"{GENERAL}:{note}", "Nightly build: green", sender="b0nightly"),
    ]
    assert redactions_of(second) == []
    assert json.loads(second[-1].cursor)["changes"] == {
        asked: first_edit,
        note: ts_at(NOW - timedelta(hours=1)),
    }

    # Nothing changed since: nothing is yielded.
    assert sync_all(source(slack), f"slack:{GENERAL}", second[-1].cursor) == []

    # Edited again: the new text comes, and only that.
    slack.edit(GENERAL, asked, "PR 12 is merged, never mind", at=ts_at(NOW - timedelta(minutes=5)))
    third = sync_all(source(slack), f"slack:{GENERAL}", second[-1].cursor)
    assert edits_of(third) == [
        Edit(f"{GENERAL}:{asked}", "PR 12 is merged, never mind", sender="u0ada")
    ]


def test_edits_ride_in_the_first_batch_and_a_resume_does_not_repeat_them(
    slack: ReplaySlack,
) -> None:
    """REPLAY: a synced message edited, and two new ones, synced one per batch."""
    old = ts_at(NOW - timedelta(days=3))
    slack.post(DM_ADA, old, "Lunch at 12?", user=ADA)
    first = sync_all(source(slack), f"slack:{DM_ADA}")
    slack.edit(DM_ADA, old, "Lunch at 13?", at=ts_at(NOW - timedelta(hours=3)))
    slack.post(DM_ADA, ts_at(NOW - timedelta(hours=2)), "Or tomorrow", user=ADA)
    slack.post(DM_ADA, ts_at(NOW - timedelta(hours=1)), "Tomorrow works", user=ME)

    second = sync_all(source(slack, batch_size=1), f"slack:{DM_ADA}", first[-1].cursor)

    assert [[m.body_text for m in batch.messages] for batch in second] == [
        ["Or tomorrow"],
        ["Tomorrow works"],
    ]
    assert [list(batch.edits) for batch in second] == [
        [Edit(f"{DM_ADA}:{old}", "Lunch at 13?", sender="u0ada")],
        [],
    ]
    resumed = sync_all(source(slack), f"slack:{DM_ADA}", second[0].cursor)
    assert [m.body_text for m in messages_of(resumed)] == ["Tomorrow works"]
    assert edits_of(resumed) == []


def test_a_message_edited_before_its_first_sync_comes_as_it_is_now_and_no_edit_follows(
    slack: ReplaySlack,
) -> None:
    """REPLAY: a message edited before the source ever read it."""
    ts = ts_at(NOW - timedelta(days=1))
    slack.post(GENERAL, ts, "Standup at 9:30", user=BOB)
    slack.edit(GENERAL, ts, "Standup at 10:00", at=ts_at(NOW - timedelta(hours=20)))
    first = sync_all(source(slack), f"slack:{GENERAL}")
    assert [m.body_text for m in messages_of(first)] == ["Standup at 10:00"]
    assert edits_of(first) == []
    assert sync_all(source(slack), f"slack:{GENERAL}", first[-1].cursor) == []


def test_an_edit_older_than_the_watch_window_is_not_seen(slack: ReplaySlack) -> None:
    """REPLAY: a message from ten days ago edited today. The source re-reads only the
    last thread_watch_days (7) of history, so Slack is never asked about it: the
    documented limit."""
    old = ts_at(NOW - timedelta(days=10))
    slack.post(GENERAL, old, "Offsite in March", user=ADA)
    slack.post(GENERAL, ts_at(NOW - timedelta(days=1)), "Noted", user=BOB)
    first = sync_all(source(slack), f"slack:{GENERAL}")
    slack.edit(GENERAL, old, "Offsite in April", at=ts_at(NOW - timedelta(hours=1)))
    slack.calls.clear()
    assert sync_all(source(slack), f"slack:{GENERAL}", first[-1].cursor) == []
    (history,) = slack.calls_to("conversations.history")
    assert history.form["oldest"] == datetime_to_ts(NOW - timedelta(days=7))


def test_a_deleted_message_with_replies_is_redacted_once_and_one_without_is_not_seen(
    slack: ReplaySlack,
) -> None:
    """REPLAY: chat.delete of a root with a reply (Slack keeps a tombstone in the
    history: subtype tombstone, "This message was deleted.", user USLACKBOT) and of a
    plain message (gone from the history: the documented limit)."""
    root = ts_at(NOW - timedelta(days=2))
    slack.post(GENERAL, root, "Who broke staging?", user=BOB)
    slack.post(GENERAL, ts_at(NOW - timedelta(days=1)), "Me, fixing", user=ADA, thread_ts=root)
    plain = ts_at(NOW - timedelta(hours=5))
    slack.post(GENERAL, plain, "Call me", user=BOB)
    first = sync_all(source(slack), f"slack:{GENERAL}")
    assert len(messages_of(first)) == 3

    slack.delete(GENERAL, root)
    slack.delete(GENERAL, plain)
    slack.calls.clear()
    second = sync_all(source(slack), f"slack:{GENERAL}", first[-1].cursor)

    assert messages_of(second) == []
    assert edits_of(second) == []
    assert redactions_of(second) == [f"{GENERAL}:{root}"]
    assert json.loads(second[-1].cursor)["changes"] == {root: "deleted"}
    assert slack.calls_to("conversations.replies") == []  # the thread did not move
    assert sync_all(source(slack), f"slack:{GENERAL}", second[-1].cursor) == []


def test_a_message_changed_event_in_the_history_is_read_as_the_edit_it_carries(
    slack: ReplaySlack,
) -> None:
    """REPLAY: Slack's documented message_changed shape (hidden, its own ts, the message
    as edited under ``message``, the one before under ``previous_message``), which the
    history holds only in some cases: for a message inside the watch window, whose
    current state (a later edit) wins; and for one older than it, which only the event
    shows."""
    recent = ts_at(NOW - timedelta(days=2))
    slack.post(GENERAL, recent, "Retro on Friday", user=ADA)
    old = ts_at(NOW - timedelta(days=12))
    slack.post(GENERAL, old, "Budget is 10k", user=BOB)
    first = sync_all(source(slack), f"slack:{GENERAL}")

    def changed(ts: str, text: str, user: str, at: str, before: str) -> None:
        slack.history[GENERAL].append(
            {
                "type": "message",
                "subtype": "message_changed",
                "hidden": True,
                "ts": at,
                "message": {
                    "type": "message",
                    "user": user,
                    "text": text,
                    "ts": ts,
                    "edited": {"user": user, "ts": at},
                },
                "previous_message": {"type": "message", "user": user, "text": before, "ts": ts},
            }
        )

    early = ts_at(NOW - timedelta(hours=3))
    changed(recent, "Retro on Thursday", ADA, early, "Retro on Friday")
    slack.edit(GENERAL, recent, "Retro on Wednesday", at=ts_at(NOW - timedelta(hours=2)))
    changed(old, "Budget is 12k", BOB, ts_at(NOW - timedelta(hours=1)), "Budget is 10k")
    slack.edit(GENERAL, old, "Budget is 12k", at=ts_at(NOW - timedelta(hours=1)))

    second = sync_all(source(slack), f"slack:{GENERAL}", first[-1].cursor)

    assert messages_of(second) == []  # the events are not messages of their own
    assert edits_of(second) == [
        Edit(f"{GENERAL}:{old}", "Budget is 12k", sender="u0bob"),
        Edit(f"{GENERAL}:{recent}", "Retro on Wednesday", sender="u0ada"),
    ]
    assert json.loads(second[-1].cursor)["oldest"] == ts_at(NOW - timedelta(hours=1))
    assert sync_all(source(slack), f"slack:{GENERAL}", second[-1].cursor) == []


# ------------------------------------------------------------------------------- mapping


def test_own_messages_are_outbound_and_others_inbound(slack: ReplaySlack) -> None:
    """REPLAY: the same room, one message from the user, one from a colleague."""
    base = NOW - timedelta(hours=1)
    slack.post(GENERAL, ts_at(base, 1), "Ping", user=ADA)
    slack.post(GENERAL, ts_at(base, 2), "Pong", user=ME)
    got = messages_of(sync_all(source(slack), f"slack:{GENERAL}"))
    assert [(m.body_text, m.direction) for m in got] == [
        ("Ping", Direction.INBOUND),
        ("Pong", Direction.OUTBOUND),
    ]


def test_the_own_user_id_is_asked_of_slack_when_not_configured(slack: ReplaySlack) -> None:
    """REPLAY: no user_id in the account's config: auth.test says who "me" is."""
    slack.post(GENERAL, ts_at(NOW - timedelta(hours=1)), "Mine", user=ME)
    src = source(slack, config={"user_id": None})
    (message,) = messages_of(sync_all(src, f"slack:{GENERAL}"))
    assert message.direction is Direction.OUTBOUND
    assert len(slack.calls_to("auth.test")) == 1


def test_direct_and_group_messages_are_direct_and_named_after_the_others(
    slack: ReplaySlack,
) -> None:
    """REPLAY: an im with Ada and an mpim with Ada and Bob."""
    at = ts_at(NOW - timedelta(hours=2))
    slack.post(DM_ADA, at, "Got a minute?", user=ADA)
    slack.post(GROUP, at, "Dinner Friday?", user=BOB)
    (dm,) = messages_of(sync_all(source(slack), f"slack:{DM_ADA}"))
    (group,) = messages_of(sync_all(source(slack), f"slack:{GROUP}"))
    assert (dm.is_direct, dm.subject, dm.sender.name) == (True, "Ada", "Ada")
    assert (group.is_direct, group.subject) == (True, "ada, bob")
    assert decide(dm, (ME,)).needs_reply
    assert decide(group, (ME,)).needs_reply


def test_only_the_users_own_mention_is_a_mention(slack: ReplaySlack) -> None:
    """REPLAY: a personal mention, @here, @channel and someone else's mention."""
    base = NOW - timedelta(hours=1)
    slack.post(GENERAL, ts_at(base, 1), "<@U0ALEX|alex> can you check the build?")
    slack.post(GENERAL, ts_at(base, 2), "<!here> the build is red")
    slack.post(GENERAL, ts_at(base, 3), "<!channel> all hands at 4")
    slack.post(GENERAL, ts_at(base, 4), "<@U0BOB> see <https://ci.example.com/7|build 7> &amp; fix")
    got = messages_of(sync_all(source(slack), f"slack:{GENERAL}"))
    assert [(m.body_text, m.mentions_me) for m in got] == [
        ("@Alex Doe can you check the build?", True),
        ("@here the build is red", False),
        ("@channel all hands at 4", False),
        ("@Bob Ross see build 7 (https://ci.example.com/7) & fix", False),
    ]
    assert [decide(m, (ME,)).needs_reply for m in got] == [True, False, False, False]


def test_bot_messages_are_named_in_the_bot_header_and_never_need_a_reply(
    slack: ReplaySlack,
) -> None:
    """REPLAY: in a DM, a classic bot_message (username, bot_id), an app's bot user
    (bot_profile), a bot_message with both (bot_profile's name wins) and one with only
    a bot_id. The fields keep the truth (a DM is direct, a mention is one); the header
    is what makes the classifier say no reply is needed."""
    base = NOW - timedelta(hours=1)
    slack.post(DM_ADA, ts_at(base, 1), "Reminder: <@U0ALEX> submit timesheet", user=None,
               subtype="bot_message", bot_id="B0REMIND", username="Reminders")  # fmt: skip
    slack.post(DM_ADA, ts_at(base, 2), "Build 7 passed", user="U0CIBOT", bot_id="B0CI",
               bot_profile={"id": "B0CI", "name": "CI", "app_id": "A0CI"})  # fmt: skip
    slack.post(DM_ADA, ts_at(base, 3), "Deployed", user=None, subtype="bot_message",
               bot_id="B0JENKINS", username="Deploys",
               bot_profile={"id": "B0JENKINS", "name": "Jenkins"})  # fmt: skip
    slack.post(DM_ADA, ts_at(base, 4), "ping", user=None, bot_id="B0HOOK")
    got = messages_of(sync_all(source(slack), f"slack:{DM_ADA}"))
    assert [(m.sender.address, m.sender.name, m.headers) for m in got] == [
        ("b0remind", "Reminders", {CHAT_BOT_HEADER: "Reminders"}),
        ("u0cibot", "CI", {CHAT_BOT_HEADER: "CI"}),
        ("b0jenkins", "Deploys", {CHAT_BOT_HEADER: "Jenkins"}),
        ("b0hook", "", {CHAT_BOT_HEADER: "B0HOOK"}),
    ]
    assert [(m.direction, m.is_direct, m.mentions_me) for m in got] == [
        (Direction.INBOUND, True, True),
        (Direction.INBOUND, True, False),
        (Direction.INBOUND, True, False),
        (Direction.INBOUND, True, False),
    ]
    assert [decide(m, (ME,)) for m in got] == [
        Decision(False, "From a bot (Reminders)"),
        Decision(False, "From a bot (CI)"),
        Decision(False, "From a bot (Jenkins)"),
        Decision(False, "From a bot (B0HOOK)"),
    ]


def test_a_bot_mention_in_a_channel_is_still_a_mention_but_needs_no_reply(
    slack: ReplaySlack,
) -> None:
    """REPLAY: an app's bot user naming the user in #general."""
    slack.post(GENERAL, ts_at(NOW - timedelta(hours=1)), "<@U0ALEX> your PR is approved",
               user="U0GHBOT", bot_id="B0GH", bot_profile={"name": "GitHub"})  # fmt: skip
    (message,) = messages_of(sync_all(source(slack), f"slack:{GENERAL}"))
    assert (message.is_direct, message.mentions_me) == (False, True)
    assert decide(message, (ME,)) == Decision(False, "From a bot (GitHub)")


# -------------------------------------------------------------------------------- errors


def test_a_refused_token_is_one_clear_line_without_the_token(slack: ReplaySlack) -> None:
    """REPLAY: Slack's invalid_auth answer to a wrong token."""
    wrong = "xoxp-9999-wrong-token"
    src = source(slack, token=wrong)
    with pytest.raises(AuthFailed) as refused:
        src.streams()
    text = str(refused.value)
    assert (
        text
        == "Slack refused the token of account work (invalid_auth): give the account a new token"
    )
    assert "\n" not in text
    assert wrong not in text
    assert wrong not in repr(src)
    assert slack.calls[0].authorization == f"Bearer {wrong}"


@pytest.mark.parametrize("code", ["not_authed", "account_inactive", "token_revoked"])
def test_every_dead_token_code_is_auth_failed(slack: ReplaySlack, code: str) -> None:
    """REPLAY: the other error codes Slack documents for an unusable token."""
    slack.errors["auth.test"] = code
    with pytest.raises(AuthFailed, match=f"\\({code}\\)"):
        source(slack).verify()


def test_other_slack_errors_name_the_method_and_the_code(slack: ReplaySlack) -> None:
    """REPLAY: conversations.history answering channel_not_found."""
    slack.errors["conversations.history"] = "channel_not_found"
    with pytest.raises(SlackError) as failed:
        sync_all(source(slack), f"slack:{GENERAL}")
    assert str(failed.value) == "Slack conversations.history failed: channel_not_found"
    assert (failed.value.method, failed.value.code) == (
        "conversations.history",
        "channel_not_found",
    )


def test_a_rate_limit_is_waited_out_and_the_request_sent_again(slack: ReplaySlack) -> None:
    """REPLAY: HTTP 429 ratelimited with Retry-After: 1, then the answer."""
    slack.post(GENERAL, ts_at(NOW - timedelta(hours=1)), "after the wait")
    slack.rate_limits["conversations.history"] = [1]
    started = time.monotonic()
    got = messages_of(sync_all(source(slack), f"slack:{GENERAL}"))
    waited = time.monotonic() - started
    assert [m.body_text for m in got] == ["after the wait"]
    first, second = slack.calls_to("conversations.history")
    assert first.form == second.form
    assert waited >= 1.0


def test_a_longer_rate_limit_than_allowed_fails_at_once(slack: ReplaySlack) -> None:
    """REPLAY: HTTP 429 with Retry-After: 120, more than the source may wait."""
    slack.rate_limits["conversations.history"] = [120]
    started = time.monotonic()
    with pytest.raises(RateLimited) as limited:
        sync_all(source(slack, max_retry_wait=5), f"slack:{GENERAL}")
    assert time.monotonic() - started < 5
    assert limited.value.retry_after == 120
    assert (
        str(limited.value) == "Slack is rate limiting conversations.history; it asks to wait 120 s"
    )
    assert len(slack.calls_to("conversations.history")) == 1


def test_a_dropped_connection_is_tried_again_then_reported() -> None:
    """Not a replay: a listener that closes every connection unanswered."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(0.05)
    port = listener.getsockname()[1]
    accepted: list[int] = []
    stop = threading.Event()

    def drop() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            accepted.append(1)
            connection.close()

    thread = threading.Thread(target=drop, daemon=True)
    thread.start()
    try:
        account = Account(
            "work", AccountKind.SLACK, (ME,), {"api_url": f"http://127.0.0.1:{port}/api/"}
        )
        with pytest.raises(ConnectionFailed) as failed:
            SlackSource(account, TOKEN).verify()
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
    assert str(failed.value) == (
        f"cannot reach Slack at http://127.0.0.1:{port}/api/: connection closed by the server"
    )
    assert len(accepted) == 2  # slack-sdk's connection retry handler tried once more


def test_plain_http_to_another_machine_is_refused() -> None:
    account = Account(
        "work", AccountKind.SLACK, (ME,), {"api_url": "http://slack.example.com/api/"}
    )
    with pytest.raises(SourceError, match="plain http; the token would cross the network"):
        SlackSource(account, TOKEN)


def test_close_is_safe_twice_and_ends_the_source(slack: ReplaySlack) -> None:
    src = source(slack)
    src.close()
    src.close()
    with pytest.raises(SourceError, match="closed"):
        src.streams()
    assert slack.calls == []


# ------------------------------------------------------------------------------- sending


def test_send_reply_posts_in_the_thread_and_the_next_sync_sees_it_as_ours(
    slack: ReplaySlack,
) -> None:
    """REPLAY: chat.postMessage's documented answer (channel, ts, message)."""
    root = ts_at(NOW - timedelta(hours=2))
    slack.post(GENERAL, root, "Status?", user=ADA)
    slack.post(GENERAL, ts_at(NOW - timedelta(hours=1)), "Any news?", user=BOB, thread_ts=root)
    src = source(slack)
    first = sync_all(src, f"slack:{GENERAL}")
    question = messages_of(first)[1]
    channel, thread_ts = reply_target(question)
    assert (channel, thread_ts) == (GENERAL, root)

    remote_id = src.send_reply(channel, "Shipped <today> & tested", thread_ts)

    (post,) = slack.calls_to("chat.postMessage")
    assert post.form == {
        "channel": GENERAL,
        "text": "Shipped &lt;today&gt; &amp; tested",
        "thread_ts": root,
    }
    assert post.authorization == f"Bearer {TOKEN}"
    (mine,) = messages_of(src.sync(f"slack:{GENERAL}", first[-1].cursor))
    assert mine.remote_id == remote_id
    assert (mine.direction, mine.thread, mine.body_text) == (
        Direction.OUTBOUND,
        f"{GENERAL}:{root}",
        "Shipped <today> & tested",
    )


def test_reply_target_chooses_the_thread_only_when_there_is_one(slack: ReplaySlack) -> None:
    """REPLAY: a root with a reply, and a plain DM message."""
    root = ts_at(NOW - timedelta(hours=3))
    slack.post(GENERAL, root, "Thread root", user=ADA)
    slack.post(GENERAL, ts_at(NOW - timedelta(hours=2)), "in it", user=BOB, thread_ts=root)
    plain = ts_at(NOW - timedelta(hours=1))
    slack.post(DM_ADA, plain, "Plain DM", user=ADA)
    src = source(slack)
    threaded_root = messages_of(sync_all(src, f"slack:{GENERAL}"))[0]
    (dm,) = messages_of(sync_all(src, f"slack:{DM_ADA}"))
    assert reply_target(threaded_root) == (GENERAL, root)
    assert reply_target(dm) == (DM_ADA, None)
    assert reply_target(dm, thread_has_replies=True) == (DM_ADA, plain)

    assert src.send_reply(DM_ADA, "Sure") == f"{DM_ADA}:{ts_at(NOW, 1)}"
    (post,) = slack.calls_to("chat.postMessage")
    assert post.form == {"channel": DM_ADA, "text": "Sure"}
