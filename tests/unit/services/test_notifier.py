"""The notifier on a real profile: what it shows, what it holds back, what it records.

A pinned clock drives :meth:`Notifier.process` step by step (the thread's one step);
``show`` is a recorder, or raises as plyer does when the desktop has no notification
service. One test runs the real thread against a running clock.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from factories import add_test_account, email, store_messages

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account
from asyncdesk.core.clock import FixedClock, ShiftedClock
from asyncdesk.core.messages import Direction
from asyncdesk.core.schedule import BlockKind, WeeklyBlock, parse_clock, parse_days
from asyncdesk.services.live_sync import LiveEvent
from asyncdesk.services.notifications import Notifier, Shown, notification_counts
from asyncdesk.services.profile import write_setting
from asyncdesk.services.schedule import change_schedule, set_timezone
from asyncdesk.store.database import Store
from asyncdesk.store.notifications import NOTIFICATION_DEFERRED, NOTIFICATION_SENT
from asyncdesk.store.schedule import events_between

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=BERLIN).astimezone(UTC)


MONDAY_EARLY = berlin("2026-11-23 07:00")
WINDOW_START = berlin("2026-11-23 09:00")
DEEP_WORK = berlin("2026-11-23 10:00")
EVENING = berlin("2026-11-23 19:00")


class Recorder:
    """Stands in for the desktop: keeps what it was asked to show, or fails like plyer."""

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []
        self.error: Exception | None = None
        self.called = threading.Event()

    def __call__(self, title: str, body: str) -> None:
        self.called.set()
        if self.error is not None:
            raise self.error
        self.shown.append((title, body))


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    clock = FixedClock(MONDAY_EARLY - timedelta(days=30))
    with Store.open(tmp_path / "profile") as opened:
        set_timezone(opened, clock, "Europe/Berlin")
        for kind, start, end in (
            (BlockKind.WINDOW, "09:00", "09:30"),
            (BlockKind.DEEP_WORK, "09:30", "12:00"),
            (BlockKind.WINDOW, "13:00", "13:30"),
        ):
            block = WeeklyBlock(kind, parse_days("mon-fri"), parse_clock(start), parse_clock(end))
            change_schedule(opened, clock, lambda s, b=block: s.with_weekly(b))
        yield opened


@pytest.fixture
def account(store: Store) -> Account:
    return add_test_account(store)


def events(store: Store, kind: str) -> list[dict[str, object]]:
    with store.reading() as session:
        found = events_between(
            session, kind, datetime(2000, 1, 1, tzinfo=UTC), EVENING.replace(year=2100)
        )
    return [data for _, data in found]


def arrive(store: Store, account: Account, notifier: Notifier, *names: str, at: datetime) -> None:
    """Messages land in the store, then the live sync reports them (as it does). The
    sender is the name without digits: ``boss2`` comes from boss@example.org."""
    store_messages(
        store,
        account,
        [email(name, at=at, sender=f"{name.rstrip('0123456789')}@example.org") for name in names],
    )
    notifier.sync_report(LiveEvent(account.name, "synced", new_messages=len(names)))


def test_a_window_start_gives_one_summary_of_what_waits(store: Store, account: Account) -> None:
    # Two messages since Friday's last window, one of them due before 13:00 today.
    store_messages(store, account, [email("old", at=MONDAY_EARLY - timedelta(hours=47))])
    store_messages(store, account, [email("new", at=MONDAY_EARLY)], needs_reply=False)
    clock = FixedClock(WINDOW_START - timedelta(seconds=10))
    show = Recorder()
    notifier = Notifier(store, clock, show=show)
    try:
        assert notifier.process() == pytest.approx(10.0)  # it sleeps until 09:00
        assert show.shown == []
        clock.set(WINDOW_START)
        notifier.process()
        clock.advance(timedelta(seconds=1))
        notifier.process()
    finally:
        notifier.stop()
    assert show.shown == [("Inbox open until 09:30", "2 waiting · 1 due before the next window")]
    assert events(store, NOTIFICATION_SENT) == [
        {
            "kind": "summary",
            "mode": "window",
            "waiting": 2,
            "due": 1,
            "window_start": "2026-11-23T08:00:00Z",
            "delivered": True,
        }
    ]
    assert notification_counts(store, MONDAY_EARLY, EVENING).sent == 1


def test_mail_in_deep_work_is_held_back_and_counted_and_the_catch_up_is_not(
    store: Store, account: Account
) -> None:
    clock = FixedClock(DEEP_WORK)
    show = Recorder()
    notifier = Notifier(store, clock, show=show)
    try:
        notifier.process()
        # The first sync of the account is its catch-up: mail from while nothing ran.
        arrive(store, account, notifier, "overnight1", "overnight2", at=MONDAY_EARLY)
        notifier.process()
        assert events(store, NOTIFICATION_DEFERRED) == []

        arrive(store, account, notifier, "a", "b", "c", at=DEEP_WORK)
        store_messages(  # our own reply, from the phone: not an arrival
            store, account, [email("mine", at=DEEP_WORK, direction=Direction.OUTBOUND)]
        )
        notifier.sync_report(LiveEvent(account.name, "synced", new_messages=1))
        clock.advance(timedelta(minutes=1))
        notifier.process()
    finally:
        notifier.stop()
    assert show.shown == []
    assert events(store, NOTIFICATION_DEFERRED) == [
        {"kind": "new_mail", "mode": "deep_work", "messages": 3}
    ]
    totals = notification_counts(store, MONDAY_EARLY, EVENING)
    assert (totals.sent, totals.deferred) == (0, 3)


def test_in_a_window_new_mail_neither_notifies_nor_counts(store: Store, account: Account) -> None:
    clock = FixedClock(WINDOW_START + timedelta(minutes=10))
    show = Recorder()
    notifier = Notifier(store, clock, show=show)
    try:
        notifier.sync_report(LiveEvent(account.name, "synced"))
        arrive(store, account, notifier, "x", at=clock.now())
        notifier.process()
    finally:
        notifier.stop()
    assert show.shown == []
    assert events(store, NOTIFICATION_DEFERRED) == events(store, NOTIFICATION_SENT) == []


def test_a_vip_may_notify_when_closed(store: Store, account: Account) -> None:
    write_setting(store, declared.NOTIFY_VIP, '["Boss@example.org"]')
    clock = FixedClock(EVENING)
    show = Recorder()
    reports: list[Shown] = []
    notifier = Notifier(store, clock, show=show, report=reports.append)
    try:
        notifier.sync_report(LiveEvent(account.name, "synced"))
        arrive(store, account, notifier, "boss", "newsletter", at=EVENING)
        notifier.process()
    finally:
        notifier.stop()
    assert show.shown == [("boss@example.org", "Hello")]
    assert [(r.delivered, r.problem) for r in reports] == [(True, None)]
    assert events(store, NOTIFICATION_SENT) == [
        {"kind": "new_mail", "mode": "closed", "messages": 1, "delivered": True}
    ]
    assert events(store, NOTIFICATION_DEFERRED) == [
        {"kind": "new_mail", "mode": "closed", "messages": 1}
    ]


def test_a_missing_notification_service_is_one_warning_per_outage_and_never_a_crash(
    store: Store, account: Account, caplog: pytest.LogCaptureFixture
) -> None:
    write_setting(store, declared.NOTIFY_VIP, '["boss@example.org"]')
    clock = FixedClock(EVENING)
    show = Recorder()
    show.error = NotImplementedError("No usable implementation found!")
    reports: list[Shown] = []
    notifier = Notifier(store, clock, show=show, report=reports.append)
    try:
        notifier.sync_report(LiveEvent(account.name, "synced"))
        for n in range(3):
            arrive(store, account, notifier, f"boss{n}", at=EVENING)
            notifier.process()
        show.error = None
        arrive(store, account, notifier, "boss3", at=EVENING)
        notifier.process()
        show.error = RuntimeError("the daemon went away")
        arrive(store, account, notifier, "boss4", at=EVENING)
        notifier.process()
    finally:
        notifier.stop()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert warnings == [
        "cannot show notifications (they are still counted): "
        "NotImplementedError: No usable implementation found!",
        "cannot show notifications (they are still counted): RuntimeError: the daemon went away",
    ]
    assert [(r.delivered, r.problem is not None) for r in reports] == [
        (False, True),
        (False, False),
        (False, False),
        (True, False),
        (False, True),
    ]
    assert [e["delivered"] for e in events(store, NOTIFICATION_SENT)] == [
        False,
        False,
        False,
        True,
        False,
    ]


def test_a_start_slept_through_is_summarised_while_its_window_is_open_only(
    store: Store, account: Account
) -> None:
    clock = FixedClock(WINDOW_START - timedelta(minutes=1))
    show = Recorder()
    notifier = Notifier(store, clock, show=show)
    try:
        notifier.process()
        clock.set(WINDOW_START + timedelta(minutes=20))  # the machine slept
        notifier.process()
        assert [title for title, _ in show.shown] == ["Inbox open until 09:30"]
        clock.set(berlin("2026-11-23 12:59"))
        notifier.process()
        clock.set(berlin("2026-11-23 13:40"))  # slept through the whole 13:00 window
        notifier.process()
    finally:
        notifier.stop()
    assert len(show.shown) == 1


def test_one_profile_has_one_notifier_at_a_time(store: Store, account: Account) -> None:
    clock = FixedClock(WINDOW_START - timedelta(minutes=1))
    first_show, second_show = Recorder(), Recorder()
    first = Notifier(store, clock, show=first_show)
    second = Notifier(store, clock, show=second_show)
    try:
        first.process()
        second.process()
        clock.set(WINDOW_START)
        first.process()
        second.process()
        assert (len(first_show.shown), len(second_show.shown)) == (1, 0)
        first.stop()  # e.g. the app closed while `asyncdesk sync` runs on
        clock.set(berlin("2026-11-23 13:00"))
        second.process()
    finally:
        first.stop()
        second.stop()
    assert (len(first_show.shown), len(second_show.shown)) == (1, 1)
    assert len(events(store, NOTIFICATION_SENT)) == 2


def test_the_thread_wakes_for_the_window_start_and_stops_promptly(store: Store) -> None:
    clock = ShiftedClock(WINDOW_START - timedelta(seconds=1))
    show = Recorder()
    notifier = Notifier(store, clock, show=show)
    notifier.start()
    try:
        assert show.called.wait(5)
        assert clock.now() >= WINDOW_START
    finally:
        started = datetime.now(UTC)
        notifier.stop()
        assert datetime.now(UTC) - started < timedelta(seconds=1)
    assert show.shown == [("Inbox open until 09:30", "Nothing waiting")]
