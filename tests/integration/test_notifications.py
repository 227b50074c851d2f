"""`asyncdesk sync` notifying on a real D-Bus session: python-dbusmock's
``notification_daemon`` template plays the desktop's notification service on the
tests' private session bus (tests/conftest.py), and records every ``Notify`` call.

The sync runs as a subprocess against a real Dovecot, as in test_live_sync.py, with
``ASYNCDESK_AT`` so that its clock starts a few seconds before a window opens and then
runs at real speed. The schedule is made around the real time: a daily deep-work block
ending, and a window starting, at the next whole minute at least 15 s away, in an
``Etc/GMT`` zone chosen so that both fall within one local day.
"""

from __future__ import annotations

import contextlib
import json
import sqlite3
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from servers.dovecot import Dovecot
from test_account_cli import cli
from test_live_sync import SyncProcess, db_subjects, mail, wait_until

from asyncdesk.core import settings as declared
from asyncdesk.services.profile import write_setting
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths

dbus = pytest.importorskip("dbus")
dbusmock = pytest.importorskip("dbusmock")

NOTIFICATIONS = "org.freedesktop.Notifications"
LEAD = timedelta(seconds=15)  # deep work left when the sync starts


class NotificationDaemon:
    """The mock daemon's record of ``Notify`` calls: ``(app_name, replaces_id, app_icon,
    summary, body, actions, hints, expire_timeout)`` each."""

    def __init__(self, server: Any) -> None:
        self._server = server

    def calls(self) -> list[tuple[Any, ...]]:
        recorded = self._server.obj.GetMethodCalls("Notify", dbus_interface=dbusmock.MOCK_IFACE)
        return [tuple(args) for _timestamp, args in recorded]

    def clear(self) -> None:
        self._server.obj.ClearCalls(dbus_interface=dbusmock.MOCK_IFACE)


def _name_owned() -> bool:
    return bool(dbus.SessionBus().name_has_owner(NOTIFICATIONS))


@pytest.fixture
def notification_daemon() -> Iterator[NotificationDaemon]:
    """A notification daemon on the session bus for one test (spawning takes ~0.3 s)."""
    assert not _name_owned(), "a notification daemon is already on the test bus"
    server = dbusmock.SpawnedMock.spawn_with_template(
        "notification_daemon", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        daemon = NotificationDaemon(server)
        daemon.clear()
        yield daemon
    finally:
        server.terminate()
        # The name must have left the bus before the next test looks for a daemon.
        wait_until(lambda: not _name_owned(), timeout=5)


def zone_around(instant: datetime) -> tuple[str, datetime]:
    """An ``Etc/GMT`` zone in which ``instant`` falls between 02:00 and 22:00 (so an hour
    either side stays in one local day), and the local wall-clock time there."""
    offset = 0 if 2 <= instant.hour <= 21 else 12 - instant.hour
    zone = "UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # Etc/GMT-2 is UTC+2
    return zone, (instant + timedelta(hours=offset)).replace(tzinfo=None)


def window_soon(
    root: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> tuple[datetime, str]:
    """Schedule deep work until, and a 30-minute window from, the next whole minute at
    least :data:`LEAD` away; return that instant (UTC) and the window's local end."""
    start = datetime.now(UTC) + LEAD
    start = start.replace(second=0, microsecond=0) + timedelta(minutes=1)
    zone, local = zone_around(start)
    hhmm = f"{local:%H:%M}"
    before = f"{local - timedelta(minutes=30):%H:%M}"
    after = f"{local + timedelta(minutes=30):%H:%M}"
    for args in (
        ("schedule", "timezone", zone),
        ("schedule", "deepwork", "add", "--days", "daily", "--start", before, "--end", hhmm),
        ("schedule", "window", "add", "--days", "daily", "--start", hhmm, "--end", after),
    ):
        code, _, err = cli(capsys, monkeypatch, root, *args)
        assert code == 0, err
    return start, after


def events(root: Path, kind: str) -> list[tuple[str, dict[str, Any]]]:
    with sqlite3.connect(ProfilePaths(root).database) as db:
        rows = db.execute("SELECT at, data FROM events WHERE kind = ? ORDER BY id", (kind,))
        return [(str(at), json.loads(data)) for at, data in rows]


def held_back(root: Path) -> int:
    return sum(data["messages"] for _, data in events(root, "notification_deferred"))


@contextlib.contextmanager
def running_sync(root: Path) -> Iterator[SyncProcess]:
    process = SyncProcess(root)
    try:
        wait_until(lambda: "new message" in process.stdout, timeout=20)  # caught up
        yield process
    finally:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()


def test_nothing_during_deep_work_then_exactly_one_summary_when_the_window_opens(
    dovecot: Dovecot,
    mail_user: tuple[str, str],
    profile: Path,
    notification_daemon: NotificationDaemon,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user, _ = mail_user
    start, end = window_soon(profile, capsys, monkeypatch)
    with Store.open(profile) as store:  # a VIP, who must not get through deep work either
        write_setting(store, declared.NOTIFY_VIP, '["client0@example.org"]')
    monkeypatch.setenv("ASYNCDESK_AT", (start - LEAD).isoformat())

    with running_sync(profile) as sync:
        for n in range(2):
            dovecot.deliver(user, mail(n, "deep"))
        wait_until(lambda: len(db_subjects(profile)) == 2, timeout=10)
        wait_until(lambda: held_back(profile) == 2, timeout=5)
        assert notification_daemon.calls() == []  # nothing at all during deep work
        deferred = events(profile, "notification_deferred")
        assert {data["mode"] for _, data in deferred} == {"deep_work"}
        assert all(at < start.strftime("%Y-%m-%d %H:%M:%S") for at, _ in deferred)

        # The window opens (the sync's clock reaches it LEAD after it started).
        wait_until(lambda: len(notification_daemon.calls()) > 0, timeout=LEAD.seconds + 10)
        time.sleep(1.5)  # and nothing else follows
        calls = notification_daemon.calls()
        assert len(calls) == 1
        app_name, replaces, icon, summary, body, actions, hints, expire = calls[0]
        assert (app_name, replaces, actions, hints, expire) == ("AsyncDesk", 0, [], {}, 10_000)
        assert str(icon).endswith("asyncdesk-256.png")
        assert Path(str(icon)).is_file()
        assert summary == f"Inbox open until {end}"
        assert str(body).startswith("2 waiting")
        assert sync.stop() == 0
    assert f"notified: {summary} · {body}" in sync.stdout
    assert "Traceback" not in sync.stderr
    sent = events(profile, "notification_sent")
    assert [data["kind"] for _, data in sent] == ["summary"]
    assert sent[0][1]["delivered"] is True
    assert sent[0][1]["waiting"] == 2


def test_without_a_notification_daemon_the_sync_runs_on_and_warns_once(
    dovecot: Dovecot,
    mail_user: tuple[str, str],
    profile: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user, _ = mail_user
    assert not _name_owned()
    # Closed now (a window later in the day), and a VIP who may notify while closed.
    zone, local = zone_around(datetime.now(UTC) + timedelta(hours=6))
    window = ("--start", f"{local:%H:00}", "--end", f"{local:%H:30}")
    for args in (
        ("schedule", "timezone", zone),
        ("schedule", "window", "add", "--days", "daily", *window),
    ):
        code, _, err = cli(capsys, monkeypatch, profile, *args)
        assert code == 0, err
    with Store.open(profile) as store:
        write_setting(store, declared.NOTIFY_VIP, '["client0@example.org"]')

    with running_sync(profile) as sync:
        for n in range(2):
            dovecot.deliver(user, mail(0, f"vip{n}-"))
            wait_until(lambda n=n: len(events(profile, "notification_sent")) == n + 1, timeout=10)
        assert sync.proc.poll() is None  # still running
        dovecot.deliver(user, mail(1, "after"))
        wait_until(lambda: "Question after1" in db_subjects(profile), timeout=10)
        assert sync.stop() == 0
    sent = events(profile, "notification_sent")
    assert [(d["kind"], d["mode"], d["delivered"]) for _, d in sent] == [
        ("new_mail", "closed", False),
        ("new_mail", "closed", False),
    ]
    log = ProfilePaths(profile).log_file.read_text(encoding="utf-8")
    warnings = [line for line in log.splitlines() if "cannot show notifications" in line]
    assert len(warnings) == 1, warnings
    assert " WARNING " in warnings[0]
    assert "DBusException" in warnings[0]
    problems = [line for line in sync.stderr.splitlines() if "cannot show notifications" in line]
    assert len(problems) == 1
    assert "Traceback" not in sync.stderr
    assert "notified:" not in sync.stdout
