"""Search at 100,000 messages: query text in, first page of rows out; prints Markdown tables.

    .venv/bin/python benchmarks/search.py [--messages 100000] [--repeat 20]
                                          [--notmuch-repeat 10] [--no-notmuch]

Builds a demo profile in a temporary directory (``asyncdesk demo --no-gui --messages
N``, as ``benchmarks/run.py`` does; timed, for reference only), then times, in this
process, what the search box does for each query of a fixed list: parse the text
(``core.search_query.parse``), open a read session, run ``store.messages.search_query``
for the first page (100 rows, newest first) and build its ``StoredMessage`` rows. Each
query runs once untimed, then ``--repeat`` times; p50 and p95 are over every timed run
of every query (and per query). Goal (the desktop-app issue): p95 under 20 ms.

The same messages are then written as a Maildir (one RFC 5322 file each: From, To,
Subject, Date, Message-ID and the text body), indexed with ``notmuch new`` (timed, for
reference), and ``notmuch search --limit=100 QUERY`` is timed for the queries notmuch can
express (words, phrases, ``from:``, ``subject:``; a prefix being typed as ``inv*``), each
once untimed then ``--notmuch-repeat`` times, as a process (that is how it is used; its
start-up, measured with ``notmuch count`` on a query that matches nothing, is shown).
Needs the ``notmuch`` command (Debian: ``apt-get install notmuch``); without it that part
is skipped and said so.

Last, the cases this design is slow at, on the same profile: very common words, and
``is:unread`` once 99 % of the messages are read (that filter has no index to walk).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.header import Header
from email.utils import format_datetime, formataddr
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path.insert(0, str(ROOT))

from asyncdesk.core.search_query import parse  # noqa: E402
from asyncdesk.store.database import Store  # noqa: E402
from asyncdesk.store.messages import search_query  # noqa: E402

PAGE = 100


@dataclass(frozen=True)
class Query:
    kind: str
    typed: str  # as typed in the search box (no space after the last word: a prefix)
    notmuch: str | None = None  # the same search for notmuch, when it has one


QUERIES = [
    Query("word", "invoice", "invoice*"),
    Query("word", "contract", "contract*"),
    Query("word", "roadmap", "roadmap*"),
    Query("word", "offsite", "offsite*"),
    Query("word", "priya", "priya*"),
    Query("two words", "security review", "security review*"),
    Query("two words", "pipeline failed", "pipeline failed*"),
    Query("two words", "quarterly report", "quarterly report*"),
    Query("two words", "hiring plan", "hiring plan*"),
    Query("typing", "inv", "inv*"),
    Query("typing", "invo", "invo*"),
    Query("typing", "invoi", "invoi*"),
    Query("typing", "secu", "secu*"),
    Query("typing", "security rev", "security rev*"),
    Query("phrase", '"security review"', '"security review"'),
    Query("sender", "sender:priya", "from:priya*"),
    Query("sender", "sender:github", "from:github*"),
    Query("sender", "sender:oliver.smith@initech.example", "from:oliver.smith@initech.example"),
    Query("subject", "subject:contract", "subject:contract*"),
    Query("subject", 'subject:"security review"', 'subject:"security review"'),
    Query("filter", "is:due"),
    Query("filter", "is:overdue"),
    Query("filter", "is:unread"),
    Query("filter", "in:chat"),
    Query("filter", "account:demo-mail"),
    Query("combined", "is:due invoice"),
    Query("combined", "is:overdue in:email"),
    Query("combined", "in:email budget"),
    Query("combined", "sender:priya is:due"),
    Query("combined", "subject:invoice is:due in:email"),
    Query("combined", "account:demo-chat design"),
]
# What this design does worst (the second table).
WORST = [
    Query("common word", "alex", "alex*"),  # the user's own name: in half the messages
    Query("common word", "the", "the*"),
    Query("common word", "hi", "hi*"),
]


def _command() -> list[str]:
    script = Path(sys.executable).with_name("asyncdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "asyncdesk"]


def percentile(values: Sequence[float], share: float) -> float:
    """Linear interpolation between closest ranks (``statistics.quantiles`` inclusive)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * share
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def time_runs(run: Callable[[], int], repeat: int) -> tuple[list[float], int]:
    """Seconds of ``repeat`` timed runs after one untimed one, and the rows of the last."""
    rows = run()
    runs = []
    for _ in range(repeat):
        started = time.perf_counter()
        rows = run()
        runs.append(time.perf_counter() - started)
    return runs, rows


def ours(store: Store, typed: str, now: datetime) -> Callable[[], int]:
    def run() -> int:
        query = parse(typed)
        with store.reading() as session:
            return len(search_query(session, query, now=now, limit=PAGE))

    return run


# ---------------------------------------------------------------------------- notmuch


def write_maildir(database: Path, maildir: Path) -> int:
    """Every message of the profile (both directions) as one file in ``maildir/cur``."""
    for sub in ("cur", "new", "tmp"):
        (maildir / sub).mkdir(parents=True, exist_ok=True)
    connection = sqlite3.connect(database)
    rows = connection.execute(
        "SELECT id, sender_name, sender_address, subject, received_at, message_id, "
        "coalesce(body_text, snippet), direction FROM messages WHERE removed_at IS NULL"
    )
    count = 0
    for pk, name, address, subject, received, message_id, body, direction in rows:
        at = datetime.fromisoformat(received).replace(tzinfo=UTC)
        to = "Pat Example <pat@example.com>" if direction == "outbound" else "alex@example.com"
        headers = [
            f"From: {formataddr((name, address), charset='utf-8')}",
            f"To: {to}",
            f"Subject: {Header(subject, 'utf-8').encode() if not subject.isascii() else subject}",
            f"Date: {format_datetime(at)}",
            f"Message-ID: <{message_id or f'{pk}@demo.invalid'}>",
            "MIME-Version: 1.0",
            "Content-Type: text/plain; charset=utf-8",
            "Content-Transfer-Encoding: 8bit",
        ]
        text = "\r\n".join(headers) + "\r\n\r\n" + body.replace("\n", "\r\n") + "\r\n"
        (maildir / "cur" / f"{pk}.demo:2,S").write_bytes(text.encode("utf-8"))
        count += 1
    connection.close()
    return count


def notmuch_env(work: Path, maildir: Path) -> dict[str, str]:
    config = work / "notmuch-config"
    config.write_text(
        f"[database]\npath={maildir}\n\n[user]\nname=Alex Morgan\n"
        "primary_email=alex@example.com\n\n[new]\ntags=inbox;\nignore=\n\n"
        "[search]\nexclude_tags=\n\n[maildir]\nsynchronize_flags=false\n",
        encoding="utf-8",
    )
    return dict(os.environ, NOTMUCH_CONFIG=str(config), HOME=str(work))


def notmuch_run(env: dict[str, str], *args: str) -> Callable[[], int]:
    def run() -> int:
        done = subprocess.run(
            ["notmuch", *args], env=env, check=True, capture_output=True, text=True
        )
        return len(done.stdout.splitlines())

    return run


def notmuch_version() -> str | None:
    if shutil.which("notmuch") is None:
        return None
    done = subprocess.run(["notmuch", "--version"], capture_output=True, text=True, check=False)
    return done.stdout.strip() or "notmuch"


# ---------------------------------------------------------------------------- report


def fmt(seconds: float) -> str:
    return f"{seconds * 1000:.1f} ms"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--notmuch-repeat", type=int, default=10)
    parser.add_argument("--no-notmuch", action="store_true")
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        help="also write the results as JSON to FILE (benchmarks/all.py reads it)",
    )
    args = parser.parse_args()
    version = None if args.no_notmuch else notmuch_version()
    results: dict[str, object] = {"messages": args.messages, "python": sys.version.split()[0]}
    results["sqlite"] = sqlite3.sqlite_version
    results["cpus"] = os.cpu_count()

    with tempfile.TemporaryDirectory(prefix="asyncdesk-search-bench-") as tmp:
        work = Path(tmp)
        profile = work / "profile"
        started = time.perf_counter()
        demo = ["demo", "--no-gui", "--messages", str(args.messages), "--profile", str(profile)]
        subprocess.run(
            [*_command(), *demo],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        demo_seconds = time.perf_counter() - started
        print(f"demo profile: {args.messages:,} messages in {demo_seconds:.1f} s")
        now = datetime.now(UTC)
        store = Store.open(profile)
        ours_runs: dict[str, tuple[list[float], int]] = {}
        for query in [*QUERIES, *WORST]:
            ours_runs[query.typed] = time_runs(ours(store, query.typed, now), args.repeat)

        theirs: dict[str, tuple[list[float], int]] = {}
        startup: list[float] = []
        if version is not None:
            maildir = work / "mail"
            started = time.perf_counter()
            written = write_maildir(profile / "asyncdesk.sqlite3", maildir)
            env = notmuch_env(work, maildir)
            exported = time.perf_counter() - started
            started = time.perf_counter()
            subprocess.run(["notmuch", "new", "--quiet"], env=env, check=True)
            indexed = time.perf_counter() - started
            print(
                f"notmuch: {written:,} files written in {exported:.1f} s, "
                f"indexed by `notmuch new` in {indexed:.1f} s ({version})"
            )
            results.update(notmuch=version, notmuch_new_seconds=round(indexed, 1))
            startup, _ = time_runs(
                notmuch_run(env, "count", "id:nothing@nowhere.invalid"), args.notmuch_repeat
            )
            for query in [*QUERIES, *WORST]:
                if query.notmuch is not None:
                    theirs[query.typed] = time_runs(
                        notmuch_run(env, "search", f"--limit={PAGE}", query.notmuch),
                        args.notmuch_repeat,
                    )
        else:
            reason = "--no-notmuch" if args.no_notmuch else "the notmuch command is not installed"
            print(f"notmuch: not measured ({reason})")

        # is:unread once nearly everything is read (in this temporary profile only).
        connection = sqlite3.connect(profile / "asyncdesk.sqlite3")
        with connection:
            connection.execute("UPDATE messages SET seen = (id % 100 != 0)")
        connection.close()
        unread = time_runs(ours(store, "is:unread", now), args.repeat)
        unread_word = time_runs(ours(store, "is:unread invoice", now), args.repeat)
        store.close()

    print()
    print(f"Query text in, first page ({PAGE} rows) out; p50 / p95 of {args.repeat} runs each")
    print("(AsyncDesk, in process) and of", args.notmuch_repeat, "runs each (notmuch, a process).")
    print()
    print("| kind | query | rows | AsyncDesk p50 / p95 | notmuch query | notmuch p50 / p95 |")
    print("|---|---|---|---|---|---|")

    def row(query: Query) -> None:
        runs, rows = ours_runs[query.typed]
        mine = f"{fmt(percentile(runs, 0.5))} / {fmt(percentile(runs, 0.95))}"
        other = "–"
        if query.typed in theirs:
            their_runs, _ = theirs[query.typed]
            other = f"{fmt(percentile(their_runs, 0.5))} / {fmt(percentile(their_runs, 0.95))}"
        shown = f"`{query.notmuch}`" if query.notmuch and theirs else "–"
        print(f"| {query.kind} | `{query.typed}` | {rows} | {mine} | {shown} | {other} |")

    for query in QUERIES:
        row(query)
    every = [seconds for query in QUERIES for seconds in ours_runs[query.typed][0]]
    words = [q for q in QUERIES if q.notmuch is not None]
    ours_words = [seconds for query in words for seconds in ours_runs[query.typed][0]]
    summary = {
        "ours_p50_ms": round(percentile(every, 0.5) * 1000, 2),
        "ours_p95_ms": round(percentile(every, 0.95) * 1000, 2),
        "ours_words_p50_ms": round(percentile(ours_words, 0.5) * 1000, 2),
        "ours_words_p95_ms": round(percentile(ours_words, 0.95) * 1000, 2),
    }
    print(
        f"| **all {len(QUERIES)} queries** | | | **{fmt(percentile(every, 0.5))} / "
        f"{fmt(percentile(every, 0.95))}** | | |"
    )
    line = (
        f"| **the {len(words)} notmuch can run** | | | {fmt(percentile(ours_words, 0.5))} / "
        f"{fmt(percentile(ours_words, 0.95))} | |"
    )
    if theirs:
        their_words = [seconds for query in words for seconds in theirs[query.typed][0]]
        summary["notmuch_p50_ms"] = round(percentile(their_words, 0.5) * 1000, 2)
        summary["notmuch_p95_ms"] = round(percentile(their_words, 0.95) * 1000, 2)
        summary["notmuch_startup_p50_ms"] = round(percentile(startup, 0.5) * 1000, 2)
        line += f" {fmt(percentile(their_words, 0.5))} / {fmt(percentile(their_words, 0.95))} |"
    else:
        line += " – |"
    print(line)
    if startup:
        print(
            f"| notmuch start-up | `notmuch count` (no match) | | | | "
            f"{fmt(percentile(startup, 0.5))} / {fmt(percentile(startup, 0.95))} |"
        )
    print()
    print("Worst cases:")
    print()
    print("| kind | query | rows | AsyncDesk p50 / p95 | notmuch p50 / p95 |")
    print("|---|---|---|---|---|")
    for query in WORST:
        runs, rows = ours_runs[query.typed]
        other = "–"
        if query.typed in theirs:
            their_runs, _ = theirs[query.typed]
            other = f"{fmt(percentile(their_runs, 0.5))} / {fmt(percentile(their_runs, 0.95))}"
        print(
            f"| {query.kind} | `{query.typed}` | {rows} | {fmt(percentile(runs, 0.5))} / "
            f"{fmt(percentile(runs, 0.95))} | {other} |"
        )
    for label, (runs, rows) in [("is:unread", unread), ("is:unread invoice", unread_word)]:
        print(
            f"| 99 % read | `{label}` | {rows} | {fmt(percentile(runs, 0.5))} / "
            f"{fmt(percentile(runs, 0.95))} | – |"
        )
    results.update(summary, demo_seconds=round(demo_seconds, 1), repeat=args.repeat)
    results["queries"] = {
        typed: {"rows": rows, "p50_ms": round(percentile(runs, 0.5) * 1000, 2)}
        for typed, (runs, rows) in ours_runs.items()
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2) + "\n"
    (RESULTS / "search.json").write_text(text, encoding="utf-8")
    if args.json is not None:
        args.json.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
