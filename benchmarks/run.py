"""Reproducible performance runs for AsyncDesk; prints a Markdown table.

    .venv/bin/python benchmarks/run.py [--messages 100000] [--repeat 5]

Measures, on real profiles in a temporary directory:
- the wall time of ``asyncdesk demo --no-gui --messages N`` (generation + storage);
- the time from starting ``asyncdesk`` until its window is shown with the first page
  of the inbox loaded (``ASYNCDESK_EXIT_AFTER_SHOWN=1`` makes the app exit right then),
  for an empty profile and for the N-message one, median of ``--repeat`` runs;
- the peak RSS of those GUI processes (``wait4``'s ``ru_maxrss``);
- on the N-message profile, the time from the window shown with its first page until
  the inbox view has scrolled to the very last message (``benchmarks/window_scroll.py``
  in a child process, median of ``--scroll-repeat`` runs), the longest the GUI event loop
  went without a tick of a 10 ms timer meanwhile, and the peak RSS after it; also, in
  that process, how long the opening took after ``show()`` (first page; everything the
  opening queued, such as the count and the deadlines panel) and the longest stall then.

Goals (issue 3): the window within 1.2x of the empty-profile time and under 1 s; RSS at
most 250 MB; none for the scroll (reported). The GUI runs on Qt's offscreen platform
unless ``--platform xcb`` is given (which needs a ``DISPLAY``, e.g. Xvfb).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
SCROLL_DRIVER = ROOT / "benchmarks" / "window_scroll.py"


def _command() -> list[str]:
    script = Path(sys.executable).with_name("asyncdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "asyncdesk"]


def time_demo(profile: Path, messages: int) -> float:
    start = time.perf_counter()
    subprocess.run(
        [*_command(), "demo", "--no-gui", "--messages", str(messages), "--profile", str(profile)],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return time.perf_counter() - start


def _gui_env(platform: str, **extra: str) -> dict[str, str]:
    env = dict(os.environ, QT_QPA_PLATFORM=platform, **extra)
    # Without a session bus, Qt under X autolaunches a dbus-daemon that outlives the run.
    env.setdefault("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/asyncdesk-bench-bus")
    return env


def time_window(profile: Path, platform: str) -> tuple[float, float]:
    """Seconds from spawn until the window is shown with its first page; peak RSS in MB."""
    env = _gui_env(platform, ASYNCDESK_EXIT_AFTER_SHOWN="1")
    # stderr goes to a file: the offscreen plugin's size-hint warning is noise, but if
    # the app fails, what it said is shown.
    with tempfile.TemporaryFile(mode="w+") as errors:
        start = time.perf_counter()
        process = subprocess.Popen(
            [*_command(), "--profile", str(profile)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        assert process.stdout is not None
        shown = None
        for line in process.stdout:
            if line.startswith("shown"):
                shown = time.perf_counter() - start
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        process.stdout.close()
        if process.returncode != 0 or shown is None:
            errors.seek(0)
            sys.stderr.write(errors.read())
            raise SystemExit(f"the app did not report its window (exit {process.returncode})")
    return shown, usage.ru_maxrss / 1024


def time_scroll(profile: Path, platform: str) -> dict[str, Any]:
    """What ``window_scroll.py`` measured scrolling the inbox to its last message."""
    with tempfile.TemporaryFile(mode="w+") as errors:
        process = subprocess.run(
            [sys.executable, str(SCROLL_DRIVER), str(profile)],
            env=_gui_env(platform),
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
            check=False,
        )
        lines = [line for line in process.stdout.splitlines() if line.startswith("{")]
        if process.returncode != 0 or not lines:
            errors.seek(0)
            sys.stderr.write(process.stdout + errors.read())
            raise SystemExit(f"the scroll driver failed (exit {process.returncode})")
    return json.loads(lines[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--scroll-repeat", type=int, default=None, help="default: --repeat")
    parser.add_argument("--platform", default="offscreen")
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        help="also write the results as JSON to FILE (benchmarks/all.py reads it)",
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="asyncdesk-bench-"))
    try:
        empty, full = work / "empty", work / "full"
        time_demo(empty, 0)
        demo_seconds = time_demo(full, args.messages)
        size_mb = (full / "asyncdesk.sqlite3").stat().st_size / 1e6
        time_window(empty, args.platform)  # warm the file cache once
        runs = {"empty": [], "full": []}
        for _ in range(args.repeat):
            for name, profile in (("empty", empty), ("full", full)):
                runs[name].append(time_window(profile, args.platform))
        scroll_repeat = args.repeat if args.scroll_repeat is None else args.scroll_repeat
        scrolls = [time_scroll(full, args.platform) for _ in range(scroll_repeat)]
    finally:
        shutil.rmtree(work, ignore_errors=True)

    def med(name: str, index: int) -> float:
        return statistics.median(run[index] for run in runs[name])

    results = {
        "messages": args.messages,
        "demo_seconds": round(demo_seconds, 2),
        "database_mb": round(size_mb, 1),
        "window_empty_seconds": round(med("empty", 0), 3),
        "window_full_seconds": round(med("full", 0), 3),
        "window_ratio": round(med("full", 0) / med("empty", 0), 2),
        "rss_empty_mb": round(med("empty", 1), 1),
        "rss_full_mb": round(med("full", 1), 1),
        "opened_seconds": statistics.median(run["opened_seconds"] for run in scrolls),
        "settled_seconds": statistics.median(run["settled_seconds"] for run in scrolls),
        "opening_tick_gap_max_ms": statistics.median(
            run["opening_tick_gap_max_ms"] for run in scrolls
        ),
        "scroll_seconds": statistics.median(run["seconds"] for run in scrolls),
        "scroll_rows": scrolls[0]["rows"],
        "scroll_pages": scrolls[0]["pages"],
        "scroll_page_ms": round(statistics.median(run["page_ms_mean"] for run in scrolls), 1),
        "scroll_tick_gap_max_ms": statistics.median(run["tick_gap_max_ms"] for run in scrolls),
        "scroll_tick_gap_worst_ms": max(run["tick_gap_max_ms"] for run in scrolls),
        "scroll_rss_before_mb": statistics.median(run["rss_before_mb"] for run in scrolls),
        "scroll_rss_mb": statistics.median(run["rss_after_mb"] for run in scrolls),
        "scroll_runs": scrolls,
        "repeat": args.repeat,
        "platform": args.platform,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2) + "\n"
    (RESULTS / "latest.json").write_text(text, encoding="utf-8")
    if args.json is not None:
        args.json.write_text(text, encoding="utf-8")
    n = f"{args.messages:,}"
    print("| measure | value | goal |")
    print("|---|---|---|")
    print(f"| demo generation, {n} messages | {results['demo_seconds']} s | well under 60 s |")
    print(f"| database size, {n} messages | {results['database_mb']} MB | |")
    print(f"| window shown, empty profile | {results['window_empty_seconds']} s | < 1 s |")
    print(
        f"| window shown, {n} messages | {results['window_full_seconds']} s "
        f"({results['window_ratio']}x) | ≤ 1.2x empty, < 1 s |"
    )
    print(f"| peak RSS, empty profile | {results['rss_empty_mb']} MB | ≤ 250 MB |")
    print(f"| peak RSS, {n} messages | {results['rss_full_mb']} MB | ≤ 250 MB |")
    print(
        f"| in process, {n} messages: show() to first page / to opening done "
        f"(count, deadlines...) | {results['opened_seconds']} / {results['settled_seconds']} s "
        f"(GUI stalled up to {results['opening_tick_gap_max_ms']} ms) | |"
    )
    print(
        f"| scroll to the last of {results['scroll_rows']:,} inbox rows "
        f"({results['scroll_pages']} pages, {results['scroll_page_ms']} ms each) | "
        f"{results['scroll_seconds']} s | |"
    )
    print(
        f"| longest GUI stall while scrolling (10 ms timer) | "
        f"{results['scroll_tick_gap_max_ms']} ms (worst run "
        f"{results['scroll_tick_gap_worst_ms']} ms) | |"
    )
    print(
        f"| peak RSS, window opened / scrolled to the end | "
        f"{results['scroll_rss_before_mb']} / {results['scroll_rss_mb']} MB | ≤ 250 MB |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
