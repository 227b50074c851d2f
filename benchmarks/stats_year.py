"""How long a year of weekly stats takes at 100,000 messages; prints a Markdown table.

    .venv/bin/python benchmarks/stats_year.py [--messages 100000] [--repeat 5] [--seed 7]

Builds a profile in a temporary directory (not timed): ``--messages`` inbound messages
spread over the 52 ISO weeks of 2026 (Europe/Berlin), in three accounts (email, Matrix,
Slack), at working-day hours, with email threads and chat rooms with threads; about 45 %
answered (some late, some after their week), classified and given deadlines by the
profile's own rules as a sync would; a weekday schedule (three windows, two deep-work
blocks) and some break-glass events. Then times computing all 52 weeks with
``asyncdesk.services.stats.compute`` in one process, best and median of ``--repeat``.

Goal (the stats issue): a year of weekly stats at 100,000 messages in under 0.5 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import FixedClock
from asyncdesk.core.messages import Direction, Medium, Message, Sender
from asyncdesk.core.schedule import BlockKind, WeeklyBlock, parse_days
from asyncdesk.core.stats import Week
from asyncdesk.services.deadlines import load_rules, triage
from asyncdesk.services.profile import user_timezone, write_setting
from asyncdesk.services.schedule import change_schedule, open_inbox
from asyncdesk.services.stats import compute
from asyncdesk.store.accounts import add_account
from asyncdesk.store.database import Store
from asyncdesk.store.messages import add_batch

ME = "me@example.com"
START = datetime(2025, 12, 29, 8, 0, tzinfo=UTC)  # Monday of 2026-W01


def build(root: Path, count: int, seed: int) -> Store:
    rng = random.Random(seed)
    store = Store.open(root)
    write_setting(store, declared.TIMEZONE, "Europe/Berlin")
    clock = FixedClock(START - timedelta(days=1))

    def add_block(kind: BlockKind, start: int, end: int):  # type: ignore[no-untyped-def]
        block = WeeklyBlock(kind, parse_days("mon-fri"), start, end)
        return lambda schedule: schedule.with_weekly(block)

    for kind, start, end in [
        (BlockKind.WINDOW, 9 * 60, 9 * 60 + 30),
        (BlockKind.DEEP_WORK, 9 * 60 + 30, 12 * 60),
        (BlockKind.WINDOW, 13 * 60, 13 * 60 + 30),
        (BlockKind.DEEP_WORK, 13 * 60 + 30, 16 * 60),
        (BlockKind.WINDOW, 16 * 60 + 30, 17 * 60),
    ]:
        change_schedule(store, clock, add_block(kind, start, end))
    accounts = []
    with store.writing() as session:
        for name, kind in [
            ("work", AccountKind.EMAIL),
            ("matrix", AccountKind.MATRIX),
            ("slack", AccountKind.SLACK),
        ]:
            accounts.append(add_account(session, Account(name, kind, (ME,)), clock.now()))
    rules = load_rules(store)
    year = timedelta(weeks=52)
    batch: list[tuple[Message, object]] = []
    by_account: dict[int, list[tuple[Message, object]]] = {}
    for index in range(count):
        account = accounts[rng.choices((0, 1, 2), (6, 2, 2))[0]]
        at = START + timedelta(seconds=rng.uniform(0, year.total_seconds()))
        at = at.replace(hour=rng.choice((7, 8, 9, 10, 11, 12, 13, 14, 15, 16)))
        email_like = account.kind is AccountKind.EMAIL
        conversation = f"c{rng.randrange(count // 4)}"
        thread = None if email_like or rng.random() < 0.7 else f"root{rng.randrange(count)}"
        message = Message(
            remote_id=f"in-{index}",
            direction=Direction.INBOUND,
            medium=Medium.EMAIL if email_like else Medium.CHAT,
            conversation=conversation,
            thread=thread,
            sender=Sender(f"person{rng.randrange(2000)}@clients{rng.randrange(50)}.example"),
            subject=f"Message {index}",
            received_at=at,
            to=(ME,),
            is_direct=not email_like and rng.random() < 0.4,
            headers={"list-id": "<l.example>"} if email_like and rng.random() < 0.2 else {},
        )
        assert account.id is not None
        group = by_account.setdefault(account.id, [])
        group.append((message, triage(message, account, rules)))
        if rng.random() < 0.45:
            delay = timedelta(minutes=rng.choice((5, 30, 90, 240, 1440, 3000, 5000)))
            reply = Message(
                remote_id=f"out-{index}",
                direction=Direction.OUTBOUND,
                medium=message.medium,
                conversation=conversation,
                thread=thread,
                sender=Sender(ME),
                subject=f"Re: Message {index}",
                received_at=at + delay,
            )
            group.append((reply, triage(reply, account, rules)))
    for account_id, rows in by_account.items():
        for offset in range(0, len(rows), 5000):
            with store.writing() as session:
                add_batch(
                    session,
                    account_id,
                    rows[offset : offset + 5000],
                    stream="x",  # type: ignore[arg-type]
                    cursor=str(offset),
                    now=START,
                )
    del batch
    for week in range(1, 53, 3):
        at = Week(2026, week, user_timezone(store)).start + timedelta(hours=10)
        open_inbox(store, FixedClock(at), break_glass=f"incident {week}")
    return store


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        help="also write the results as JSON to FILE (benchmarks/all.py reads it)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="asyncdesk-stats-bench-") as tmp:
        started = time.perf_counter()
        store = build(Path(tmp) / "profile", args.messages, args.seed)
        built = time.perf_counter() - started
        zone = user_timezone(store)
        weeks = [Week(2026, number, zone) for number in range(1, 53)]
        now = weeks[-1].end + timedelta(days=2)
        runs = []
        received = 0
        for _ in range(args.repeat):
            started = time.perf_counter()
            results = [compute(store, week, now) for week in weeks]
            runs.append(time.perf_counter() - started)
            received = sum(result.totals.received for result in results)
        store.close()
    print(f"profile built in {built:.1f} s; {received:,} inbound messages in 52 weeks")
    print()
    print("| measure | best | median | goal |")
    print("|---|---|---|---|")
    print(
        f"| 52 weeks of stats, {args.messages:,} messages | {min(runs):.3f} s | "
        f"{statistics.median(runs):.3f} s | < 0.5 s |"
    )
    if args.json is not None:
        results = {
            "messages": args.messages,
            "received": received,
            "build_seconds": round(built, 1),
            "runs": [round(run, 4) for run in runs],
            "best_seconds": round(min(runs), 4),
            "median_seconds": round(statistics.median(runs), 4),
            "repeat": args.repeat,
            "seed": args.seed,
            "cpus": os.cpu_count(),
            "python": sys.version.split()[0],
            "sqlite": sqlite3.sqlite_version,
        }
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
