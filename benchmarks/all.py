"""Every benchmark, one after the other, and one Markdown table of their figures.

    .venv/bin/python benchmarks/all.py [--quick] [-o benchmarks/results/TABLE.md]
                                       [--only NAME,NAME]

Each benchmark runs in a child process of its own (``benchmarks/NAME.py ... --json
FILE``) and hands its figures back as JSON; its output goes to
``benchmarks/results/all/NAME.log`` (and its JSON next to it). One row per figure:
the measure, AsyncDesk's value, the alternative's on the same data in the same run (if
there is one), the ratio, the goal and whether it is met, and the load average (1 and
5 minutes) when the benchmark started and ended: the machine may be shared, and the
figures should be read with it.

A benchmark whose tool is missing (mbsync, notmuch, Synapse, Dovecot) or that fails
does not stop the run: its rows say "not run: <why>" or "failed: <last line>".
``--quick`` runs small sizes (a few minutes in all, to check that everything works);
the default sizes are the real ones (about 35 minutes on 2 cores):

- imap_sync: first sync vs mbsync (same Dovecot, same run), no-change resync;
  23,000 messages, the resync at 115,000 (``--quick``: 1,150; 5,750).
- search: p95 of the search box vs notmuch on the same corpus; 100,000 messages (5,000).
- window (``run.py``): window shown and peak RSS at 100,000 messages vs an empty
  profile, and the RSS after scrolling to the end (5,000).
- stats_year: 52 weeks of stats at 100,000 messages (5,000).
- meeting_requests: precision and recall of meeting-request detection on the labelled
  set ``tests/data/meeting_requests.jsonl`` (a second, whatever the size).
- matrix_sync: first Matrix sync vs a plain client on the same Synapse; 5,000 messages
  in 50 rooms (200 in 10).
- idle_cpu: ``asyncdesk sync`` with nothing arriving vs one message a minute; 5 + 5
  minutes (30 + 30 s).
- gui_load: the window's event-loop lag under 500 messages a minute; 10 minutes (30 s).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
HERE = ROOT / "benchmarks"
sys.path[:0] = [str(HERE), str(ROOT / "tests")]

from livebench import missing_dovecot  # noqa: E402
from servers.synapse import find_synapse_python, synapse_venv  # noqa: E402

Row = tuple[str, str, str, str, str, str]  # measure, ours, alternative, ratio, goal, met


def _yes(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _n(value: float) -> str:
    return f"{value:,.0f}"


# ------------------------------------------------------------------- figures -> rows


def rows_imap(r: dict[str, Any]) -> list[Row]:
    first, big, rates, ratio = r["first_sync"], r["big_resync"], r["rates"], r["ratio_vs_mbsync"]
    n = _n(first["messages"])
    mbsync = f"{_n(rates['mbsync'])}/s (mbsync, `FSync yes`)"
    rows: list[Row] = [
        (
            f"IMAP first sync, {n} messages, in process (`sync_accounts`)",
            f"{_n(rates['inproc'])}/s",
            mbsync,
            f"{ratio['inproc']}x mbsync's rate",
            "≥ 5x",
            _yes(ratio["inproc"] >= 5),
        ),
        (
            f"IMAP first sync, {n} messages, `asyncdesk sync --once` process",
            f"{_n(rates['cli'])}/s",
            mbsync,
            f"{ratio['cli']}x mbsync's rate",
            "≥ 5x",
            _yes(ratio["cli"] >= 5),
        ),
    ]
    if big is not None:
        b, med = _n(big["messages"]), big["median"]
        rows += [
            (
                f"IMAP resync, no change, {b} messages, in process",
                f"{med['inproc_resync']:.3f} s",
                "",
                "",
                "< 0.3 s",
                _yes(med["inproc_resync"] < 0.3),
            ),
            (
                f"IMAP resync, no change, {b} messages, `sync --once` process",
                f"{med['cli_resync']:.3f} s",
                f"{med['process_start']:.3f} s (`asyncdesk --version`)",
                "",
                "",
                "–",
            ),
        ]
    return rows


def rows_search(r: dict[str, Any]) -> list[Row]:
    n = _n(r["messages"])
    words = r["ours_words_p95_ms"]
    if "notmuch_p95_ms" in r:
        theirs = r["notmuch_p95_ms"]
        alternative = f"{theirs} ms (notmuch, a process)"
        ratio = f"{words / theirs:.2f}x notmuch's time"
    else:
        alternative, ratio = f"not run: {r.get('notmuch_skipped', 'notmuch is not installed')}", ""
    return [
        (
            f"search p95, the queries notmuch can run, {n} messages",
            f"{words} ms",
            alternative,
            ratio,
            "",
            "–",
        ),
        (
            f"search p95, all queries, {n} messages",
            f"{r['ours_p95_ms']} ms",
            "",
            "",
            "< 20 ms",
            _yes(r["ours_p95_ms"] < 20),
        ),
    ]


def rows_window(r: dict[str, Any]) -> list[Row]:
    n = _n(r["messages"])
    return [
        (
            f"window shown, {n} messages vs empty profile",
            f"{r['window_full_seconds']} s",
            f"{r['window_empty_seconds']} s (empty)",
            f"{r['window_ratio']}x",
            "≤ 1.2x, < 1 s",
            _yes(r["window_ratio"] <= 1.2 and r["window_full_seconds"] < 1),
        ),
        (
            f"peak RSS, window at {n} messages vs empty profile",
            f"{r['rss_full_mb']} MB",
            f"{r['rss_empty_mb']} MB (empty)",
            f"{r['rss_full_mb'] / r['rss_empty_mb']:.2f}x",
            "≤ 250 MB",
            _yes(r["rss_full_mb"] <= 250),
        ),
        (
            f"peak RSS after scrolling to the last of {_n(r['scroll_rows'])} inbox rows",
            f"{r['scroll_rss_mb']} MB",
            "",
            "",
            "≤ 250 MB",
            _yes(r["scroll_rss_mb"] <= 250),
        ),
    ]


def rows_stats(r: dict[str, Any]) -> list[Row]:
    return [
        (
            f"a year (52 weeks) of stats, {_n(r['messages'])} messages, median",
            f"{r['median_seconds']:.3f} s",
            "",
            "",
            "< 0.5 s",
            _yes(r["median_seconds"] < 0.5),
        )
    ]


def rows_meeting_requests(r: dict[str, Any]) -> list[Row]:
    overall = r["overall"]
    heldout = r["heldout"]["overall"]
    worst = min(r["by_language"].items(), key=lambda item: item[1]["recall"])
    return [
        (
            f"meeting requests found, {overall['messages']} labelled messages in "
            f"{len(r['by_language'])} languages: precision / recall",
            f"{overall['precision']:.3f} / {overall['recall']:.3f}",
            "",
            "",
            "≥ 0.9 / ≥ 0.9",
            _yes(overall["precision"] >= 0.9 and overall["recall"] >= 0.9),
        ),
        (
            "meeting requests, the lowest recall of one language",
            f"{worst[1]['recall']:.3f} ({worst[0]})",
            "",
            "",
            "≥ 0.75",
            _yes(worst[1]["recall"] >= 0.75),
        ),
        (
            f"meeting requests, held-out set ({heldout['messages']} messages never tuned on):"
            " precision / recall",
            f"{heldout['precision']:.3f} / {heldout['recall']:.3f}",
            "",
            "",
            "precision ≥ 0.95",
            _yes(heldout["precision"] >= 0.95),
        ),
    ]


def rows_matrix(r: dict[str, Any]) -> list[Row]:
    messages = r["sent"]["messages"]
    ours = r["messages_per_second"]
    bare = messages / r["bare_median_seconds"]
    return [
        (
            f"Matrix first sync, {_n(messages)} messages in {r['rooms']} rooms",
            f"{_n(ours)}/s",
            f"{_n(bare)}/s (plain HTTP client, same requests)",
            f"{ours / bare:.2f}x its rate",
            "none given",
            "–",
        )
    ]


def rows_idle(r: dict[str, Any]) -> list[Row]:
    idle, busy = r["idle"], r["one_a_minute"]
    accounts = "IMAP + Matrix" if "chat" in r["accounts"] else "IMAP only (Matrix not run)"
    minutes = f"{idle['seconds'] / 60:g} min"
    stored = busy["stored_email_once"] == busy["delivered_email"] and busy.get(
        "stored_chat", 0
    ) >= busy.get("delivered_chat", 0)
    return [
        (
            f"`asyncdesk sync` idle ({accounts}, {minutes}): wake-ups a minute",
            f"{idle['wakeups_per_minute']}",
            f"{busy['wakeups_per_minute']} (one message a minute)",
            "",
            f"≤ {r['goal_wakeups_per_minute']} (only the servers')",
            _yes(r["met"]),
        ),
        (
            f"`asyncdesk sync` idle ({accounts}, {minutes}): CPU",
            f"{idle['cpu_seconds_per_minute']} s a minute ({idle['cpu_percent']} %)",
            f"{busy['cpu_seconds_per_minute']} s a minute (one message a minute)",
            "",
            "",
            "–" if stored else "**messages missing**",
        ),
    ]


def rows_gui(r: dict[str, Any]) -> list[Row]:
    load = f"{r['rate_per_minute']:g} messages a minute for {r['minutes']:g} min"
    return [
        (
            f"GUI event-loop lag under {load}, p99 (p50 / max)",
            f"{r['tick_gap_p99_ms']} ms ({r['tick_gap_p50_ms']} / {r['tick_gap_max_ms']} ms)",
            "",
            "",
            "p99 < 50 ms",
            _yes(r["tick_gap_p99_ms"] < 50),
        ),
        (
            f"messages lost under {load}",
            f"{r['lost']} of {_n(r['delivered'])} "
            f"(all stored {r['catch_up_seconds']} s after the last)",
            "",
            "",
            "0",
            _yes(r["lost"] == 0),
        ),
    ]


# ----------------------------------------------------------------------- the benchmarks


@dataclass(frozen=True)
class Bench:
    name: str
    script: str
    full: list[str]
    quick: list[str]
    measures: list[str]  # the rows' measures, for "not run" and "failed"
    rows: Callable[[dict[str, Any]], list[Row]]
    needs: Callable[[], str | None] = lambda: None  # why it cannot run, or None
    extra: Callable[[], list[str]] = lambda: []  # options decided at run time


def _needs_imap() -> str | None:
    why = missing_dovecot()
    if why is None and shutil.which("mbsync") is None:
        why = "mbsync is not installed (apt-get install isync)"
    return why


def _needs_synapse() -> str | None:
    if find_synapse_python() is None:
        return f"Synapse is not installed in its venv ({synapse_venv().name}; scripts/test)"
    return None


def _search_extra() -> list[str]:
    return [] if shutil.which("notmuch") else ["--no-notmuch"]


BENCHES = [
    Bench(
        "imap_sync",
        "imap_sync.py",
        [],
        [
            "--messages",
            "1000",
            "--repeat",
            "1",
            "--resync-messages",
            "5000",
            "--resync-repeat",
            "2",
        ],
        ["IMAP first sync vs mbsync", "IMAP resync, no change"],
        rows_imap,
        _needs_imap,
    ),
    Bench(
        "search",
        "search.py",
        [],
        ["--messages", "5000", "--repeat", "3", "--notmuch-repeat", "2"],
        ["search p95 vs notmuch"],
        rows_search,
        extra=_search_extra,
    ),
    Bench(
        "window",
        "run.py",
        [],
        ["--messages", "5000", "--repeat", "1", "--scroll-repeat", "1"],
        ["window shown and peak RSS, 100,000 messages vs empty"],
        rows_window,
    ),
    Bench(
        "stats_year",
        "stats_year.py",
        [],
        ["--messages", "5000", "--repeat", "2"],
        ["a year of stats"],
        rows_stats,
    ),
    Bench(
        "meeting_requests",
        "meeting_requests.py",
        [],
        [],
        [
            "meeting requests: precision / recall",
            "meeting requests: lowest recall",
            "meeting requests: held out",
        ],
        rows_meeting_requests,
    ),
    Bench(
        "matrix_sync",
        "matrix_sync.py",
        [],
        ["--messages", "200", "--rooms", "10", "--repeat", "1"],
        ["Matrix first sync"],
        rows_matrix,
        _needs_synapse,
    ),
    Bench(
        "idle_cpu",
        "idle_cpu.py",
        [],
        ["--seconds", "30", "--strace-seconds", "5"],
        ["`asyncdesk sync` idle: wake-ups and CPU"],
        rows_idle,
        missing_dovecot,
    ),
    Bench(
        "gui_load",
        "gui_load.py",
        [],
        ["--minutes", "0.5"],
        ["GUI event-loop lag under 500 messages a minute", "messages lost under that load"],
        rows_gui,
        missing_dovecot,
    ),
]


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f}/{five:.1f}"


def run_one(bench: Bench, quick: bool, out: Path) -> tuple[list[Row], str, str, float]:
    """Run one benchmark in its own process; its rows, the load average at its start and
    end, and its seconds."""
    load_start = _load()
    why = bench.needs()
    if why is not None:
        return [(m, f"not run: {why}", "", "", "", "–") for m in bench.measures], load_start, "", 0
    result = out / f"{bench.name}.json"
    result.unlink(missing_ok=True)
    log = out / f"{bench.name}.log"
    args = [*(bench.quick if quick else bench.full), *bench.extra(), "--json", str(result)]
    command = [sys.executable, str(HERE / bench.script), *args]
    print(f"== {bench.name}: {' '.join(command[1:])}", file=sys.stderr, flush=True)
    started = time.monotonic()
    with log.open("w", encoding="utf-8") as output:
        code = subprocess.run(
            command, stdout=output, stderr=subprocess.STDOUT, check=False, cwd=ROOT
        ).returncode
    seconds = time.monotonic() - started
    load_end = _load()
    if code != 0 or not result.exists():
        lines = [line for line in log.read_text(errors="replace").splitlines() if line.strip()]
        last = lines[-1].strip() if lines else f"exit {code}"
        last = last.replace("|", "\\|")[:160]
        rows = [(m, f"failed: {last}", "", "", "", "**no**") for m in bench.measures]
        return rows, load_start, load_end, seconds
    figures = json.loads(result.read_text(encoding="utf-8"))
    return bench.rows(figures), load_start, load_end, seconds


def _revision() -> str:
    def git(*args: str) -> str:
        return subprocess.run(
            ["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=False
        ).stdout.strip()

    dirty = git("status", "--porcelain", "--", "asyncdesk")
    return git("rev-parse", "--short", "HEAD") + (" + uncommitted asyncdesk/" if dirty else "")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, a few minutes")
    parser.add_argument(
        "-o", "--output", type=Path, default=HERE / "results" / "TABLE.md", help="Markdown file"
    )
    parser.add_argument(
        "--only", help="comma-separated names: " + ", ".join(b.name for b in BENCHES)
    )
    args = parser.parse_args()
    chosen = BENCHES
    if args.only:
        names = set(args.only.split(","))
        unknown = names - {b.name for b in BENCHES}
        if unknown:
            parser.error(f"unknown benchmark(s): {', '.join(sorted(unknown))}")
        chosen = [b for b in BENCHES if b.name in names]
    out = HERE / "results" / "all"
    out.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    when = datetime.now(UTC)
    revision = _revision()  # others may commit meanwhile: each benchmark runs the tree then
    lines = [
        "| measure | AsyncDesk | alternative | ratio | goal | met? | load (start → end) |",
        "|---|---|---|---|---|---|---|",
    ]
    for bench in chosen:
        rows, load_start, load_end, seconds = run_one(bench, args.quick, out)
        load = f"{load_start} → {load_end}" if load_end else load_start
        print(f"   {bench.name}: {seconds:.0f} s, load {load}", file=sys.stderr, flush=True)
        lines += ["| " + " | ".join([*row, load]) + " |" for row in rows]
    total = (time.monotonic() - started) / 60
    header = (
        f"{when:%Y-%m-%d %H:%M} UTC, AsyncDesk at {revision}"
        + (f" (at {_revision()} by the end)" if _revision() != revision else "")
        + ", "
        f"{'`--quick` sizes' if args.quick else 'full sizes'}, {os.cpu_count()} cores, "
        f"Python {sys.version.split()[0]}; the whole run took {total:.0f} min. "
        "Load: the 1- and 5-minute load averages when each benchmark started and ended."
    )
    text = header + "\n\n" + "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
