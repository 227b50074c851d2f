"""Published availability on Slack against REPLAYS of Slack's Web API (no real Slack
server can run here).

A local HTTP server (pytest-httpserver on 127.0.0.1) answers ``users.profile.set``,
``dnd.setSnooze`` and ``dnd.endSnooze`` in the shapes Slack documents for them:
``{"ok": true, "profile": {...}}``; ``{"ok": true, "snooze_enabled": true,
"snooze_endtime": <unix>, "snooze_remaining": <seconds>}``; ``{"ok": true,
"dnd_enabled": true, "snooze_enabled": false, ...}``; and ``{"ok": false, "error":
"missing_scope", "needed": "dnd:write", "provided": "..."}`` for a token without the
scope. Every request the real slack-sdk sends is recorded as it arrived (method and
form fields), and the tests assert the exact calls over a simulated Berlin day: which
method, ``status_text``, ``status_emoji``, ``status_expiration``, ``num_minutes``, and
that nothing is sent again while nothing changed.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from zoneinfo import ZoneInfo

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.schedule import BlockKind, WeeklyBlock, parse_clock, parse_days
from asyncdesk.services import autoreply
from asyncdesk.services.presence import (
    Publisher,
    StatusRecord,
    Targets,
    keep_publishing,
    nudge,
    recent_statuses,
)
from asyncdesk.services.schedule import change_schedule
from asyncdesk.sources.slack import SlackError, SlackSource
from asyncdesk.store.database import Store

TOKEN = "xoxp-1111-2222-3333-secretsecretsecret"
ME = "U0ALEX"
BERLIN = ZoneInfo("Europe/Berlin")
SCOPES = "channels:history,users.profile:write"


def local(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN)


def unix(text: str) -> int:
    return int(local(text).timestamp())


@dataclass
class ReplaySlack:
    """Slack's answers to the three methods; ``missing`` lists scopes the token lacks."""

    server: HTTPServer
    now: FixedClock
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    missing: set[str] = field(default_factory=set)
    profile: dict[str, Any] = field(default_factory=dict)
    snooze_end: int | None = None

    def __post_init__(self) -> None:
        for method in ("users.profile.set", "dnd.setSnooze", "dnd.endSnooze"):
            self.server.expect_request(f"/api/{method}", method="POST").respond_with_handler(
                lambda request, method=method: self._answer(method, request)
            )

    def _answer(self, method: str, request: Request) -> Response:
        form = {k: v[-1] for k, v in parse_qs(request.get_data(as_text=True)).items()}
        if "profile" in form:
            form["profile"] = json.loads(form["profile"])
        self.calls.append((method, form))
        assert request.headers.get("Authorization") == f"Bearer {TOKEN}"
        needed = "users.profile:write" if method == "users.profile.set" else "dnd:write"
        if needed in self.missing:
            body: dict[str, Any] = {
                "ok": False,
                "error": "missing_scope",
                "needed": needed,
                "provided": SCOPES,
            }
        elif method == "users.profile.set":
            self.profile.update(form["profile"])
            body = {"ok": True, "profile": {"real_name": "Alex", **self.profile}}
        elif method == "dnd.setSnooze":
            minutes = int(form["num_minutes"])
            start = int(self.now.now().timestamp())
            self.snooze_end = start + 60 * minutes
            body = {
                "ok": True,
                "snooze_enabled": True,
                "snooze_endtime": self.snooze_end,
                "snooze_remaining": 60 * minutes,
            }
        else:
            if self.snooze_end is None:
                body = {"ok": False, "error": "snooze_not_active"}
            else:
                self.snooze_end = None
                body = {
                    "ok": True,
                    "dnd_enabled": True,
                    "next_dnd_start_ts": 1450418400,
                    "next_dnd_end_ts": 1450454400,
                    "snooze_enabled": False,
                }
        return Response(json.dumps(body), 200, content_type="application/json")

    def take(self) -> list[tuple[str, dict[str, Any]]]:
        calls, self.calls = self.calls, []
        return calls


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(local("2026-11-25T08:50").astimezone(UTC))


@pytest.fixture
def slack(httpserver: HTTPServer, clock: FixedClock) -> ReplaySlack:
    return ReplaySlack(httpserver, clock)


@pytest.fixture
def store(tmp_path: Path, clock: FixedClock) -> Iterator[Store]:
    """Berlin weekdays: windows 09:00-09:30 and 13:00-13:30, deep work 10:00-12:00;
    published availability on."""
    opened = Store.open(tmp_path / "profile")
    try:
        from asyncdesk.core import settings
        from asyncdesk.services.profile import write_setting

        write_setting(opened, settings.TIMEZONE, "Europe/Berlin")
        for kind, start, end in (
            (BlockKind.WINDOW, "09:00", "09:30"),
            (BlockKind.WINDOW, "13:00", "13:30"),
            (BlockKind.DEEP_WORK, "10:00", "12:00"),
        ):
            block = WeeklyBlock(kind, parse_days("mon-fri"), parse_clock(start), parse_clock(end))
            change_schedule(opened, clock, lambda s, block=block: s.with_weekly(block))
        autoreply.set_enabled(opened, True)
        yield opened
    finally:
        opened.close()


def source(httpserver: HTTPServer) -> tuple[Account, SlackSource]:
    account = Account(
        "team", AccountKind.SLACK, (ME,), {"api_url": httpserver.url_for("/api/"), "user_id": ME}
    )
    return account, SlackSource(account, TOKEN)


def profile_call(text: str, emoji: str, expiration: int) -> tuple[str, dict[str, Any]]:
    return (
        "users.profile.set",
        {
            "profile": {
                "status_text": text,
                "status_emoji": emoji,
                "status_expiration": expiration,
            }
        },
    )


def test_a_day_sets_status_and_do_not_disturb_once_per_change(
    httpserver: HTTPServer, slack: ReplaySlack, store: Store, clock: FixedClock
) -> None:
    account, client = source(httpserver)
    sources = {account.name: (account, client)}
    publisher = Publisher(store, clock)

    def at(text: str) -> list[tuple[str, dict[str, Any]]]:
        clock.set(local(text).astimezone(UTC))
        publisher.apply(sources)
        return slack.take()

    # Closed before the first window: the status says when, and expires then.
    assert at("2026-11-25T08:50") == [
        profile_call("Reading messages next at 09:00 CET", ":calendar:", unix("2026-11-25T09:00"))
    ]
    # Nothing changed: no call, however often it looks.
    assert at("2026-11-25T08:55") == []
    assert at("2026-11-25T08:59:59") == []
    # The window.
    assert at("2026-11-25T09:00") == [
        profile_call(
            "Reading messages now, until 09:30 CET", ":speech_balloon:", unix("2026-11-25T09:30")
        )
    ]
    assert at("2026-11-25T09:20") == []
    assert at("2026-11-25T09:30") == [
        profile_call("Reading messages next at 13:00 CET", ":calendar:", unix("2026-11-25T10:00"))
    ]
    # Deep work: the status, and do-not-disturb for the whole block (120 minutes).
    assert at("2026-11-25T10:00") == [
        profile_call(
            "Deep work until 12:00 — reading messages at 13:00 CET",
            ":no_bell:",
            unix("2026-11-25T12:00"),
        ),
        ("dnd.setSnooze", {"num_minutes": "120"}),
    ]
    assert slack.snooze_end == unix("2026-11-25T12:00")
    assert at("2026-11-25T11:00") == []
    # The block ends on time: the snooze ends by itself, no endSnooze.
    assert at("2026-11-25T12:00") == [
        profile_call("Reading messages next at 13:00 CET", ":calendar:", unix("2026-11-25T13:00"))
    ]
    assert at("2026-11-25T13:00")[0][1]["profile"]["status_text"] == (
        "Reading messages now, until 13:30 CET"
    )
    # Closed for the night: the next window is tomorrow, named by its day.
    assert at("2026-11-25T13:30") == [
        profile_call(
            "Reading messages next at Thu 09:00 CET", ":calendar:", unix("2026-11-26T09:00")
        )
    ]
    # After midnight the same closed period would be worded "09:00": not sent again.
    assert at("2026-11-26T00:30") == []
    assert [r.text for r in recent_statuses(store, now=clock.now())][:2] == [
        "Reading messages next at Thu 09:00 CET",
        "Reading messages now, until 13:30 CET",
    ]


def test_a_block_that_ends_early_ends_the_snooze_and_off_clears_everything(
    httpserver: HTTPServer, slack: ReplaySlack, store: Store, clock: FixedClock
) -> None:
    account, client = source(httpserver)
    sources = {account.name: (account, client)}
    publisher = Publisher(store, clock)
    clock.set(local("2026-11-25T10:30").astimezone(UTC))
    publisher.apply(sources)
    assert slack.take()[1] == ("dnd.setSnooze", {"num_minutes": "90"})
    # The user shortens today's deep work to end at 11:00 (a new schedule): at 11:00
    # the block is over, an hour before the snooze would end.
    change_schedule(
        store,
        clock,
        lambda s: s.without_weekly(
            BlockKind.DEEP_WORK, parse_days("mon-fri"), parse_clock("10:00"), parse_clock("12:00")
        ).with_weekly(
            WeeklyBlock(
                BlockKind.DEEP_WORK,
                parse_days("mon-fri"),
                parse_clock("10:00"),
                parse_clock("11:00"),
            )
        ),
    )
    clock.set(local("2026-11-25T10:40").astimezone(UTC))
    publisher.apply(sources)
    # Still deep work, now until 11:00: the status and the snooze follow (20 minutes).
    assert slack.take() == [
        profile_call(
            "Deep work until 11:00 — reading messages at 13:00 CET",
            ":no_bell:",
            unix("2026-11-25T11:00"),
        ),
        ("dnd.setSnooze", {"num_minutes": "20"}),
    ]
    # Turned off during deep work: the status is cleared and the snooze ended.
    autoreply.set_enabled(store, False)
    publisher.apply(sources)
    assert slack.take() == [profile_call("", "", 0), ("dnd.endSnooze", {})]
    assert slack.snooze_end is None
    # Off and cleared: nothing more, ever.
    clock.set(local("2026-11-25T13:00").astimezone(UTC))
    publisher.apply(sources)
    assert slack.take() == []


def test_a_missing_scope_is_one_line_naming_it_and_is_not_repeated(
    httpserver: HTTPServer,
    slack: ReplaySlack,
    store: Store,
    clock: FixedClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    account, client = source(httpserver)
    slack.missing.add("dnd:write")
    with pytest.raises(SlackError) as refused:
        client.snooze(30)
    assert "\n" not in refused.value.message
    assert "dnd:write scope" in refused.value.message
    slack.take()

    publisher = Publisher(store, clock)
    clock.set(local("2026-11-25T10:30").astimezone(UTC))
    caplog.set_level("WARNING", logger="asyncdesk.services.presence")
    changes = publisher.apply({account.name: (account, client)})
    # The status went through; the snooze was refused, said once, in one line.
    assert [method for method, _ in slack.take()] == ["users.profile.set", "dnd.setSnooze"]
    assert len(changes) == 1
    assert changes[0].error is not None
    assert "dnd:write" in changes[0].error
    said = [r.message for r in caplog.records if r.name == "asyncdesk.services.presence"]
    assert len(said) == 1
    assert "\n" not in said[0]
    assert "lacks the dnd:write scope" in said[0]
    assert changes[0].line() == (
        "team: status 'Deep work until 12:00 — reading messages at 13:00 CET': Slack "
        "dnd.setSnooze failed: the token of account team lacks the dnd:write scope (add it "
        "to the Slack app and install it again)"
    )
    # Not tried again while the wanted status is the same.
    clock.set(local("2026-11-25T10:45").astimezone(UTC))
    assert publisher.apply({account.name: (account, client)}) == []
    assert slack.take() == []
    shown = recent_statuses(store, now=clock.now())
    assert shown[0].error is not None
    assert "dnd:write" in shown[0].error


def test_the_status_thread_sleeps_until_the_next_change_and_wakes_on_a_nudge(
    httpserver: HTTPServer, slack: ReplaySlack, store: Store, clock: FixedClock
) -> None:
    """The loop the sync runs: it applies as soon as the account's source is ready,
    then sleeps until the next mode change (here 3 minutes: 08:57 to 09:00; at most
    5 minutes, to see a change made by another process), and a nudge (the Settings
    switch) makes it look again at once."""
    clock.set(local("2026-11-25T08:57").astimezone(UTC))
    account, client = source(httpserver)
    targets = Targets(store, clock)
    stop = threading.Event()
    seen: list[str] = []
    thread = threading.Thread(
        target=keep_publishing,
        args=(store, clock, stop, targets),
        kwargs={"report": lambda record: seen.append(record.text)},
    )
    thread.start()
    try:
        targets.ready(account, client)
        deadline = time.monotonic() + 10
        while not seen and time.monotonic() < deadline:
            time.sleep(0.02)
        assert seen == ["Reading messages next at 09:00 CET"]
        assert Publisher(store, clock).seconds_to_change() == pytest.approx(180.5)
        autoreply.set_enabled(store, False)
        nudge()
        while len(seen) < 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert seen == ["Reading messages next at 09:00 CET", ""]
    finally:
        stop.set()
        targets.wake()
        thread.join(5)
    assert not thread.is_alive()
    assert [method for method, _ in slack.take()] == ["users.profile.set", "users.profile.set"]


def test_the_live_sync_sets_the_status_once_the_account_has_synced(
    httpserver: HTTPServer, slack: ReplaySlack, store: Store, clock: FixedClock
) -> None:
    """``keep_syncing`` (``asyncdesk sync`` and the window's sync thread): the Slack
    account syncs (an empty workspace: ``users.conversations`` lists nothing), and the
    status thread beside it sets the status through the account's own source."""
    from asyncdesk.services.live_sync import LiveEvent, keep_syncing
    from asyncdesk.services.secrets import MemorySecrets
    from asyncdesk.store.accounts import add_account

    httpserver.expect_request("/api/users.conversations", method="POST").respond_with_json(
        {"ok": True, "channels": [], "response_metadata": {"next_cursor": ""}}
    )
    account, _ = source(httpserver)
    with store.writing() as session:
        stored = add_account(session, account, clock.now())
    stop = threading.Event()
    events: list[LiveEvent] = []
    statuses: list[str] = []

    def statused(record: StatusRecord) -> None:
        statuses.append(record.line())
        stop.set()

    thread = threading.Thread(
        target=keep_syncing,
        args=(store, clock, MemorySecrets({stored.name: TOKEN}), [stored], stop),
        kwargs={"report": events.append, "statuses": statused},
    )
    thread.start()
    thread.join(20)
    stop.set()
    assert not thread.is_alive()
    assert [event.kind for event in events if event.kind != "progress"] == ["synced"]
    assert statuses == ["team: status 'Reading messages next at 09:00 CET'"]
    assert slack.take() == [
        profile_call("Reading messages next at 09:00 CET", ":calendar:", unix("2026-11-25T09:00"))
    ]


def test_sync_once_sets_the_status_and_prints_it(
    httpserver: HTTPServer,
    slack: ReplaySlack,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``asyncdesk sync --once`` (the real clock, so a profile without windows: always
    "reading messages"): one call and one printed line when the status must change,
    none when it need not, and ``autoreply off`` clears it at the next sync."""
    import io

    from asyncdesk.cli import main

    httpserver.expect_request("/api/auth.test", method="POST").respond_with_json(
        {
            "ok": True,
            "url": "https://acme.slack.com/",
            "team": "Acme",
            "user": "alex",
            "team_id": "T0ACME",
            "user_id": ME,
        }
    )
    httpserver.expect_request("/api/users.conversations", method="POST").respond_with_json(
        {"ok": True, "channels": [], "response_metadata": {"next_cursor": ""}}
    )
    root = str(tmp_path / "cli-profile")

    def run(*args: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
        code = main([*args, "--profile", root])
        out, err = capsys.readouterr()
        return code, out, err

    add = ["account", "add", "slack", "team", "--token-stdin", "--api-url"]
    assert run(*add, httpserver.url_for("/api/"), stdin=TOKEN + "\n")[0] == 0
    assert run("autoreply", "on")[0] == 0
    code, out, err = run("sync", "--once")
    assert (code, err) == (0, "")
    assert "team: status 'Reading messages now'\n" in out
    assert slack.take() == [profile_call("Reading messages now", ":speech_balloon:", 0)]
    code, out, _ = run("sync", "--once")
    assert "status" not in out
    assert slack.take() == []
    assert run("autoreply", "off")[0] == 0
    code, out, _ = run("sync", "--once")
    assert "team: status cleared\n" in out
    assert slack.take() == [profile_call("", "", 0)]


def test_the_status_thread_ends_when_the_accounts_loops_end_by_themselves(
    store: Store, clock: FixedClock
) -> None:
    """Loops end without ``stop`` when an account cannot run (no token in the keyring):
    the status thread must end with them, not keep a sync that returned alive (the
    window's sync restarts after every account change, so each would leave one)."""
    from asyncdesk.services.live_sync import keep_syncing
    from asyncdesk.services.secrets import MemorySecrets

    before = {t for t in threading.enumerate() if t.name == "sync-presence"}
    stop = threading.Event()
    thread = threading.Thread(target=keep_syncing, args=(store, clock, MemorySecrets({}), [], stop))
    thread.start()
    thread.join(10)
    assert not thread.is_alive()
    left = {t for t in threading.enumerate() if t.name == "sync-presence"} - before
    for presence in left:
        presence.join(5)
    assert not any(t.is_alive() for t in left)
    assert not stop.is_set()
