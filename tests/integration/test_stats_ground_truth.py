"""Weekly stats of a seeded Dovecot mailbox against ground truth computed beside it.

A seeded generator writes a week of mail (plus the days around it) for a user in
Europe/Berlin: people writing to the user, Cc-only copies, mailing-list and bulk mail,
threads with full References chains, and the user's replies in Sent at delays from
minutes to days, some after the week and some after the export instant. While it
generates, it works out what ``asyncdesk stats`` must say by the definitions of
DESIGN.md ("Weekly stats"), in its own plain way: nothing from asyncdesk computes the
expected numbers. The mailbox is then appended over IMAP with explicit INTERNALDATEs,
synced into a fresh profile by the CLI (``account add imap``, ``sync --once``) and the
stats are exported as JSON with ``--at``: every message number of the week, of each
account and of each local day must match.

The simple cases of "needs a reply" are the only ones generated: To: the user from a
person needs one; only in Cc, a List-Id or ``Precedence: bulk`` does not.
"""

from __future__ import annotations

import io
import json
import random
import statistics
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from imapclient import IMAPClient
from servers.dovecot import Dovecot

from asyncdesk.cli import main

ZONE = ZoneInfo("Europe/Berlin")
SEED = 4620261109
SLA = timedelta(hours=48)
NUMBERS = (
    "received",
    "needs_reply",
    "replied",
    "median_response_minutes",
    "p90_response_minutes",
    "commitment_kept_pct",
    "overdue_open",
)

PEOPLE = [
    ("Ada Lovelace", "ada@clients.example"),
    ("Bob Stone", "bob@clients.example"),
    ("Cy Young", "cy@partner.example"),
    ("Dana Scully", "dana@partner.example"),
    ("Eve Moneypenny", "eve@agency.example"),
    ("Finn Larsen", "finn@agency.example"),
    ("Grace Hopper", "grace@university.example"),
    ("Hal Jordan", "hal@startup.example"),
    ("Ivy Chen", "ivy@startup.example"),
    ("Jon Snow", "jon@north.example"),
    ("Kim Park", "kim@design.example"),
    ("Lea Roth", "lea@design.example"),
]
COLLEAGUES = ["team@company.example", "boss@company.example", "ops@company.example"]
LISTS = [
    ("Python Dev", "python-dev@lists.example", "<python-dev.lists.example>"),
    ("Local Meetup", "meetup@groups.example", "<meetup.groups.example>"),
]
BULK = [("Shop Offers", "offers@shop.example"), ("Weekly Digest", "digest@media.example")]
TOPICS = [
    "Offer",
    "Invoice 2026-11",
    "Contract draft",
    "Lunch?",
    "Design review",
    "Quick question",
    "Release plan",
    "Workshop slides",
    "Budget",
    "Travel",
]


# --------------------------------------------------------------------------- the mailbox


@dataclass
class Thread:
    """A conversation as planned: who writes, how, and its messages by time."""

    number: int
    kind: str  # "direct" | "cc" | "list" | "bulk"
    person: tuple[str, str]
    subject: str
    list_id: str | None = None
    #: For "direct": who else is in To (besides the user) or Cc.
    also_to: tuple[str, ...] = ()
    also_cc: tuple[str, ...] = ()


@dataclass
class Mail:
    thread: Thread
    at: datetime  # UTC, whole seconds
    outbound: bool
    msgid: str = ""
    sender: str = ""
    to: tuple[str, ...] = ()
    cc: tuple[str, ...] = ()
    headers: dict[str, str] = field(default_factory=dict)


class Mailbox:
    """One account's mail: planned, then rendered into IMAP APPENDs."""

    def __init__(self, rng: random.Random, me: str, tag: str) -> None:
        self.rng = rng
        self.me = me
        self.tag = tag
        self.threads: list[Thread] = []
        self.mails: list[Mail] = []

    def thread(self, kind: str, person: tuple[str, str] | None = None) -> Thread:
        rng = self.rng
        number = len(self.threads)
        subject = f"{rng.choice(TOPICS)} #{number}"
        if kind == "list":
            name, address, list_id = rng.choice(LISTS)
            made = Thread(number, kind, (name, address), subject, list_id=list_id)
        elif kind == "bulk":
            made = Thread(number, kind, rng.choice(BULK), subject)
        else:
            made = Thread(number, kind, person or rng.choice(PEOPLE), subject)
            if kind == "direct" and rng.random() < 0.2:
                made.also_to = (rng.choice(COLLEAGUES),)
            elif kind == "direct" and rng.random() < 0.2:
                made.also_cc = (rng.choice(COLLEAGUES),)
        self.threads.append(made)
        return made

    def inbound(self, thread: Thread, at: datetime) -> Mail:
        mail = Mail(thread, at.astimezone(UTC), outbound=False)
        self.mails.append(mail)
        return mail

    def outbound(self, thread: Thread, at: datetime) -> Mail:
        mail = Mail(thread, at.astimezone(UTC), outbound=True)
        self.mails.append(mail)
        return mail

    def render(self) -> list[tuple[str, bytes, datetime]]:
        """``(folder, raw message, INTERNALDATE)`` for every mail, threads chained by
        time: In-Reply-To the previous message, References the whole chain."""
        chains: dict[int, list[str]] = {}
        appends = []
        ordered = sorted(self.mails, key=lambda m: m.at)
        instants = Counter((m.thread.number, m.at) for m in ordered)
        assert max(instants.values()) == 1, "two messages of a thread at the same second"
        for index, mail in enumerate(ordered):
            thread = mail.thread
            chain = chains.setdefault(thread.number, [])
            mail.msgid = f"{self.tag}.{index}.t{thread.number}@mail.example"
            message = EmailMessage()
            if mail.outbound:
                mail.sender = self.me
                message["From"] = f"Me <{self.me}>"
                mail.to = (thread.person[1],)
            else:
                name, address = thread.person
                mail.sender = address
                message["From"] = f"{name} <{address}>"
                if thread.kind == "cc":
                    mail.to, mail.cc = (COLLEAGUES[0],), (self.me,)
                elif thread.kind == "list":
                    mail.to = (address,)
                else:
                    mail.to, mail.cc = (self.me, *thread.also_to), thread.also_cc
            message["To"] = ", ".join(mail.to)
            if mail.cc:
                message["Cc"] = ", ".join(mail.cc)
            message["Subject"] = ("Re: " if chain else "") + thread.subject
            # The Date header says the same instant in local time, as a client writes it.
            message["Date"] = format_datetime(mail.at.astimezone(ZONE))
            message["Message-ID"] = f"<{mail.msgid}>"
            if chain:
                message["In-Reply-To"] = f"<{chain[-1]}>"
                message["References"] = " ".join(f"<{ref}>" for ref in chain)
            if not mail.outbound and thread.kind == "list":
                mail.headers["List-Id"] = f"{thread.person[0]} {thread.list_id}"
            if not mail.outbound and thread.kind == "bulk":
                mail.headers["Precedence"] = "bulk"
            for name, value in mail.headers.items():
                message[name] = value
            message.set_content(f"Message {index} of thread {thread.number}.\n")
            chain.append(mail.msgid)
            appends.append(("Sent" if mail.outbound else "INBOX", bytes(message), mail.at))
        return appends


# --------------------------------------------------------------------------- ground truth


def needs_reply(mail: Mail, me: str) -> bool:
    """The simple cases of DESIGN.md: To: me from a person, not list or bulk mail."""
    assert mail.msgid, "render the mailbox first: it sets the headers read here"
    if mail.outbound or mail.sender == me:
        return False
    if "List-Id" in mail.headers or mail.headers.get("Precedence") == "bulk":
        return False
    return me in mail.to


def first_reply(mail: Mail, box: Mailbox, now: datetime) -> datetime | None:
    """The first outbound message of the conversation after ``mail``, sent by ``now``."""
    replies = [
        other.at
        for other in box.mails
        if other.outbound
        and other.thread.number == mail.thread.number
        and mail.at < other.at <= now
    ]
    return min(replies, default=None)


def quantiles(minutes: list[float]) -> tuple[float | None, float | None]:
    if not minutes:
        return None, None
    if len(minutes) == 1:
        return minutes[0], minutes[0]
    cuts = statistics.quantiles(minutes, n=10, method="inclusive")
    return cuts[4], cuts[8]


Numbers = dict[str, float | None]


def truth(rows: list[tuple[Mail, Mailbox]], now: datetime) -> Numbers:
    """The seven message numbers of DESIGN.md for these inbound messages at ``now``."""
    needs = replied = kept = promises = overdue = 0
    minutes: list[float] = []
    for mail, box in rows:
        reply = first_reply(mail, box, now)
        if reply is not None:
            replied += 1
            minutes.append((reply - mail.at).total_seconds() / 60)
        if not needs_reply(mail, box.me):
            continue
        needs += 1
        due = mail.at + SLA
        assert due != now, "keep the deadlines off the export instant: 'passed' is ambiguous"
        if reply is not None or due < now:
            promises += 1
            kept += reply is not None and reply <= due
        overdue += reply is None and due < now
    median, p90 = quantiles(minutes)
    return {
        "received": len(rows),
        "needs_reply": needs,
        "replied": replied,
        "median_response_minutes": median,
        "p90_response_minutes": p90,
        "commitment_kept_pct": None if promises == 0 else 100 * kept / promises,
        "overdue_open": overdue,
    }


def week_days(week: str) -> list[date]:
    year, number = int(week[:4]), int(week[6:])
    monday = date.fromisocalendar(year, number, 1)
    return [monday + timedelta(days=n) for n in range(7)]


@dataclass
class Expected:
    """What ``stats --week WEEK --format json --at NOW`` must say."""

    totals: Numbers
    by_account: dict[str, Numbers]
    by_day: dict[str, Numbers]  # by ISO date, Monday first


def expected(boxes: dict[str, Mailbox], week: str, now: datetime) -> Expected:
    """The ground truth of ``week``: messages go to the local date they arrived on."""
    days = week_days(week)
    inside = [
        (mail, box)
        for box in boxes.values()
        for mail in box.mails
        if not mail.outbound and mail.at.astimezone(ZONE).date() in days
    ]
    return Expected(
        totals=truth(inside, now),
        by_account={
            name: truth([row for row in inside if row[1] is box], now)
            for name, box in boxes.items()
        },
        by_day={
            day.isoformat(): truth(
                [row for row in inside if row[0].at.astimezone(ZONE).date() == day], now
            )
            for day in days
        },
    )


def assert_numbers(actual: dict[str, Any], wanted: Numbers, where: str) -> None:
    for key in NUMBERS:
        value, goal = actual[key], wanted[key]
        if goal is None or isinstance(goal, int):
            assert value == goal, f"{where}: {key} is {value!r}, ground truth {goal!r}"
        else:
            assert value == pytest.approx(goal, rel=1e-9, abs=1e-9), (
                f"{where}: {key} is {value!r}, ground truth {goal!r}"
            )


def assert_stats(actual: dict[str, Any], wanted: Expected) -> None:
    """Every message number of the week, of each account and of each day."""
    assert_numbers(actual, wanted.totals, "week")
    assert sorted(actual["by_account"]) == sorted(wanted.by_account)
    for name, numbers in wanted.by_account.items():
        assert_numbers(actual["by_account"][name], numbers, f"account {name}")
    assert [day["date"] for day in actual["by_day"]] == list(wanted.by_day)
    for day in actual["by_day"]:
        assert_numbers(day, wanted.by_day[day["date"]], f"day {day['date']}")


# --------------------------------------------------------------------------- generating


def local(day: date, hour: int, minute: int = 0, second: int = 0, *, fold: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=ZONE, fold=fold)


def random_instant(rng: random.Random, day: date) -> datetime:
    """Mostly working hours; otherwise anywhere in the local day (25 h on a DST end)."""
    if rng.random() < 0.75:
        return local(day, rng.randint(8, 18), rng.randrange(60), rng.randrange(60)).astimezone(UTC)
    start = local(day, 0).astimezone(UTC)
    end = local(day + timedelta(days=1), 0).astimezone(UTC)
    return start + timedelta(seconds=rng.randrange(int((end - start).total_seconds())))


def reply_delay(rng: random.Random) -> timedelta:
    """Minutes to days: quick answers, same or next day, around the deadline, late."""
    roll = rng.random()
    if roll < 0.3:
        return timedelta(seconds=rng.randint(2 * 60, 2 * 3600))
    if roll < 0.65:
        return timedelta(seconds=rng.randint(2 * 3600, 36 * 3600))
    if roll < 0.9:
        return timedelta(seconds=rng.randint(36 * 3600, 60 * 3600))
    return timedelta(seconds=rng.randint(60 * 3600, 7 * 24 * 3600))


REPLY_CHANCE = {"direct": 0.75, "cc": 0.2, "list": 0.08, "bulk": 0.0}
KIND_WEIGHTS = {"direct": 62, "cc": 14, "list": 13, "bulk": 11}


def random_mail(box: Mailbox, days: list[date], count: int) -> None:
    """``count`` inbound messages on ``days``: new threads or follow-ups of earlier ones,
    some answered from Sent after a random delay."""
    rng = box.rng
    arrivals = sorted(random_instant(rng, rng.choice(days)) for _ in range(count))
    open_threads: list[tuple[Thread, datetime]] = []
    kinds, weights = list(KIND_WEIGHTS), list(KIND_WEIGHTS.values())
    for at in arrivals:
        recent = [thread for thread, last in open_threads if at - last < timedelta(days=3)]
        if recent and rng.random() < 0.3:
            thread = rng.choice(recent)
        elif rng.random() < 0.08:
            # The user starts the conversation; the person answers it.
            thread = box.thread("direct")
            box.outbound(thread, at - timedelta(seconds=rng.randint(600, 2 * 86400)))
        else:
            thread = box.thread(rng.choices(kinds, weights)[0])
        box.inbound(thread, at)
        open_threads.append((thread, at))
        if rng.random() < REPLY_CHANCE[thread.kind]:
            box.outbound(thread, at + reply_delay(rng))


def special_mail(box: Mailbox, days: list[date], now: datetime) -> None:
    """The cases the definitions turn on, each at least once."""
    mon, wed, fri, sun = days[0], days[2], days[4], days[6]
    # Replied exactly at the deadline (kept: replied *by* due_at) and a second late.
    thread = box.thread("direct")
    received = box.inbound(thread, local(mon, 10, 15, 7)).at
    box.outbound(thread, received + SLA)
    thread = box.thread("direct")
    received = box.inbound(thread, local(mon, 11, 40, 3)).at
    box.outbound(thread, received + SLA + timedelta(seconds=1))
    # Replied after the week ended, before the export: replied (and kept).
    thread = box.thread("direct")
    box.inbound(thread, local(sun, 20, 5, 0))
    box.outbound(thread, local(sun + timedelta(days=1), 9, 30, 0))
    # Replied only after the export: open; overdue (and a broken promise).
    thread = box.thread("direct")
    box.inbound(thread, local(wed, 9, 0, 30))
    box.outbound(thread, now + timedelta(hours=5))
    # Not yet due at the export and not replied: no promise decided yet.
    thread = box.thread("direct")
    box.inbound(thread, local(sun, 22, 10, 0))
    # Two messages of a person, one answer: both replied, each with its own time.
    thread = box.thread("direct")
    box.inbound(thread, local(fri, 9, 1, 0))
    box.inbound(thread, local(fri, 9, 47, 0))
    box.outbound(thread, local(fri, 14, 0, 0))
    # The user answered before the person wrote again: the later message is open.
    thread = box.thread("direct")
    box.inbound(thread, local(mon, 8, 0, 0))
    box.outbound(thread, local(mon, 8, 30, 0))
    box.inbound(thread, local(mon, 9, 0, 0))
    # A Cc-only copy and a list message answered: replies count whatever the flag.
    thread = box.thread("cc")
    box.inbound(thread, local(wed, 13, 0, 0))
    box.outbound(thread, local(wed, 13, 25, 0))
    thread = box.thread("list")
    box.inbound(thread, local(fri, 16, 0, 0))
    box.outbound(thread, local(fri, 18, 30, 0))
    # Right at the week's edges and at a midnight inside it.
    before, after = days[0] - timedelta(days=1), days[6] + timedelta(days=1)
    for at in (
        local(before, 23, 59, 59),  # last second of the week before: out
        local(mon, 0, 0, 0),  # the week's first second: in, Monday
        local(days[1], 23, 59, 59),  # Tuesday's last second
        local(wed, 0, 0, 0),  # Wednesday's first
        local(sun, 23, 59, 59),  # the week's last second: in, Sunday
        local(after, 0, 0, 0),  # the next week's first second: out
    ):
        box.inbound(box.thread("direct"), at)


# --------------------------------------------------------------------------- the profile


def append_all(dovecot: Dovecot, user: str, password: str, box: Mailbox) -> None:
    client = IMAPClient(dovecot.host, port=dovecot.plain_port, ssl=False, timeout=10)
    try:
        client.login(user, password)
        for folder, raw, at in box.render():
            client.append(folder, raw, msg_time=at)
    finally:
        client.logout()


def cli(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    *args: str,
    stdin: str = "",
) -> str:
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    code = main([*args, "--profile", str(root)])
    out, err = capsys.readouterr()
    assert code == 0, f"asyncdesk {' '.join(args)} exited with {code}: {err}"
    return out


def sync_into_profile(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    dovecot: Dovecot,
    accounts: dict[str, tuple[str, str, str]],
) -> None:
    """``account add imap`` for each ``name: (user, password, address)``, the user's
    zone, then ``sync --once``."""
    for name, (user, password, address) in accounts.items():
        cli(
            capsys,
            monkeypatch,
            root,
            *("account", "add", "imap", name, "--host", dovecot.host),
            *("--port", str(dovecot.plain_port), "--security", "plain", "--user", user),
            *("--address", address, "--password-stdin"),
            stdin=password + "\n",
        )
    cli(capsys, monkeypatch, root, "schedule", "timezone", "Europe/Berlin")
    cli(capsys, monkeypatch, root, "sync", "--once")


def export(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    root: Path,
    week: str,
    now: datetime,
) -> dict[str, Any]:
    out = cli(
        capsys,
        monkeypatch,
        root,
        *("stats", "--week", week, "--format", "json", "--at", now.isoformat()),
    )
    result = json.loads(out)
    assert isinstance(result, dict)
    return result


def utc_z(instant: datetime) -> str:
    return instant.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# --------------------------------------------------------------------------- the tests


def test_a_seeded_week_matches_its_ground_truth(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dovecot: Dovecot,
    tmp_path: Path,
) -> None:
    week = "2026-W46"  # Mon 9 to Sun 15 November 2026, CET all week
    days = week_days(week)
    now = local(days[0] + timedelta(days=8), 10, 0, 0)  # the export: Tue 17 Nov, 10:00
    around = [days[0] - timedelta(days=n) for n in (3, 2, 1)] + [days[6] + timedelta(days=1)]
    rng = random.Random(SEED)
    work = Mailbox(rng, "me@example.com", "work")
    random_mail(work, days, 150)
    random_mail(work, around, 24)
    special_mail(work, days, now)
    side = Mailbox(rng, "me@side.example", "side")
    random_mail(side, days, 20)
    random_mail(side, around, 4)
    boxes = {"work": work, "side": side}

    # Both users before the first login: Dovecot may miss a second change of its
    # password file within the same second.
    users = {name: (*dovecot.add_user(f"{name}-{SEED}"), box.me) for name, box in boxes.items()}
    for name, box in boxes.items():
        append_all(dovecot, users[name][0], users[name][1], box)
    root = tmp_path / "profile"
    sync_into_profile(capsys, monkeypatch, root, dovecot, users)
    stats = export(capsys, monkeypatch, root, week, now)

    wanted = expected(boxes, week, now)
    assert (stats["week"], stats["timezone"]) == (week, "Europe/Berlin")
    assert stats["start"] == "2026-11-08T23:00:00Z"
    assert stats["end"] == "2026-11-15T23:00:00Z"
    assert_stats(stats, wanted)

    # The seed makes a week worth checking: every kind of case is in it.
    inbound = [m for box in boxes.values() for m in box.mails if not m.outbound]
    in_week = [m for m in inbound if m.at.astimezone(ZONE).date() in days]
    kinds = Counter(m.thread.kind for m in in_week)
    assert len(in_week) == wanted.totals["received"]
    assert 160 <= len(in_week) <= 200, len(in_week)
    assert min(kinds.values()) >= 10, kinds
    late_replies = [
        m
        for box in boxes.values()
        for m in box.mails
        if m.outbound and m.at > now and any(i.thread is m.thread for i in in_week)
    ]
    assert len(late_replies) >= 3
    assert (wanted.totals["overdue_open"] or 0) >= 3
    assert 0 < (wanted.totals["commitment_kept_pct"] or 0) < 100
    assert all(day["received"] for day in wanted.by_day.values())


def test_a_week_with_the_clocks_going_back_counts_local_days(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    dovecot: Dovecot,
    mail_user: tuple[str, str],
    tmp_path: Path,
) -> None:
    """2026-W43: Sunday 25 October has 25 hours (03:00 CEST becomes 02:00 CET)."""
    week = "2026-W43"
    days = week_days(week)
    sat, sun = days[5], days[6]
    now = local(days[0] + timedelta(days=8), 12, 0, 0)  # Tue 27 Oct, 12:00 CET
    rng = random.Random(SEED + 43)
    box = Mailbox(rng, "me@example.com", "dst")
    random_mail(box, days, 30)
    random_mail(box, [days[0] - timedelta(days=1), sun + timedelta(days=1)], 4)
    edges = [
        local(days[0], 0, 0, 0),  # Monday 00:00 CEST = Sunday 22:00 UTC: in
        local(days[0] - timedelta(days=1), 23, 59, 59),  # out
        local(sat, 23, 59, 59),  # Saturday, CEST
        local(sun, 0, 0, 0),  # Sunday's first second, CEST
        local(sun, 2, 30, 0, fold=0),  # 02:30 CEST (00:30 UTC)
        local(sun, 2, 30, 0, fold=1),  # 02:30 again, CET (01:30 UTC)
        local(sun, 23, 30, 0),  # 22:30 UTC: still Sunday (at +02:00 it would be Monday)
        local(sun, 23, 59, 59),  # the week's last second
        local(sun + timedelta(days=1), 0, 0, 0),  # Monday 00:00 CET = 23:00 UTC: out
    ]
    for at in edges:
        thread = box.thread("direct")
        box.inbound(thread, at)
        box.outbound(thread, at + timedelta(minutes=42))
    user, password = mail_user
    append_all(dovecot, user, password, box)
    root = tmp_path / "profile"
    sync_into_profile(capsys, monkeypatch, root, dovecot, {"work": (user, password, box.me)})
    stats = export(capsys, monkeypatch, root, week, now)

    wanted = expected({"work": box}, week, now)
    start = local(days[0], 0).astimezone(UTC)
    end = local(sun + timedelta(days=1), 0).astimezone(UTC)
    assert (end - start) == timedelta(hours=169)
    assert (stats["start"], stats["end"]) == (utc_z(start), utc_z(end))
    assert (stats["start"], stats["end"]) == ("2026-10-18T22:00:00Z", "2026-10-25T23:00:00Z")
    assert_stats(stats, wanted)
    # The Sunday of 25 hours holds its late-evening and doubled-hour messages.
    by_day = {day["date"]: day["received"] for day in stats["by_day"]}
    on_sunday = [m for m in box.mails if not m.outbound and m.at.astimezone(ZONE).date() == sun]
    assert by_day[sun.isoformat()] == len(on_sunday)
    assert sum(at.astimezone(ZONE).date() == sun for at in edges) == 5
    assert sum(by_day.values()) == stats["received"]
