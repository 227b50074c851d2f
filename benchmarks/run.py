"""Reproducible performance runs for AsyncDesk; prints a Markdown table.

    .venv/bin/python benchmarks/run.py [--messages 100000] [--repeat 5]

Measures, on real profiles in a temporary directory:
- the wall time of ``asyncdesk demo --no-gui --messages N`` (generation + storage);
- the time from starting ``asyncdesk`` until its window is shown with the first page
  of the inbox loaded (``ASYNCDESK_EXIT_AFTER_SHOWN=1`` makes the app exit right then),
  for an empty profile and for the N-message one, median of ``--repeat`` runs;
- the peak RSS of those GUI processes (``wait4``'s ``ru_maxrss``).

Goals (issue 3): the window within 1.2x of the empty-profile time and under 1 s; RSS at
most 250 MB. The GUI runs on Qt's offscreen platform unless ``--platform xcb`` is given
(which needs a ``DISPLAY``, e.g. Xvfb).
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

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"


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


def time_window(profile: Path, platform: str) -> tuple[float, float]:
    """Seconds from spawn until the window is shown with its first page; peak RSS in MB."""
    env = dict(os.environ, ASYNCDESK_EXIT_AFTER_SHOWN="1", QT_QPA_PLATFORM=platform)
    # Without a session bus, Qt under X autolaunches a dbus-daemon that outlives the run.
    env.setdefault("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/asyncdesk-bench-bus")
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--platform", default="offscreen")
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
        "repeat": args.repeat,
        "platform": args.platform,
        "python": sys.version.split()[0],
        "cpus": os.cpu_count(),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
