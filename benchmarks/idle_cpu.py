"""What ``asyncdesk sync`` costs while nothing happens; prints a Markdown table.

    .venv/bin/python benchmarks/idle_cpu.py [--seconds 300] [--no-matrix]
                                            [--strace-seconds 20] [--json FILE]

A headless sync runs for hours on a laptop. With nothing arriving it should cost nothing:
no polling, the process asleep until a server says something (IMAP IDLE, a Matrix
long-poll ``/sync``). Measured here:

- The setup (not measured): a profile in a temporary directory with an IMAP account on a
  private Dovecot (``tests/servers/dovecot.py``, IDLE) holding 20 messages, and, when
  Synapse is installed (``tests/servers/synapse.py``), a Matrix account on a private
  Synapse in a DM with one message; both added with ``asyncdesk account add`` as a user
  would. No schedule, so the inbox is always open. Then ``asyncdesk --profile DIR sync``
  starts (run through this script as ``--child``, which only records each thread's OS id
  and name as it starts, then calls the same ``asyncdesk.cli.main``), catches up, and
  is left 10 s to settle (bodies fetched, notifier started).
- **Idle**, ``--seconds`` (default 300): the CPU seconds the process used
  (``/proc/PID/stat``, every thread) and its wake-ups: voluntary context switches,
  summed over ``/proc/PID/task/*/status`` (a thread that blocks and is woken again counts
  one), per minute and per thread (named).
- **One message a minute**, the same length: one email delivered with ``doveadm save``
  (and one Matrix message from the correspondent) every minute, at the middle of each;
  each must be in the store at the end. The difference from the idle run is what
  the servers' news costs.
- **What wakes it**, when ``strace`` is installed: ``strace -f`` attached for
  ``--strace-seconds`` (default 20) with nothing arriving, and the system calls each
  thread made counted (e.g. a ``poll`` with a 500 ms timeout, twice a second). strace
  slows the process while attached, so this runs last and its figures are not the ones
  above.

Goal (the reliability issue): no polling: with nothing arriving, wake-ups only from the
servers (Dovecot's IDLE keep-alive every 2 minutes, IDLE re-issued every 5 minutes,
a Matrix long-poll answered at its timeout): at most 6 a minute for the whole process.
Results also go to ``benchmarks/results/idle_cpu.json`` (not committed).
"""

from __future__ import annotations

import sys

if __name__ == "__main__" and len(sys.argv) > 2 and sys.argv[1] == "--child":
    # The sync itself: record thread names, then run the real command line.
    from pathlib import Path as _Path

    sys.path.insert(0, str(_Path(__file__).resolve().parent))
    from livebench import thread_names_hook

    thread_names_hook(_Path(sys.argv[2]))
    from asyncdesk.cli import main as _cli_main

    sys.exit(_cli_main(sys.argv[3:]))

import argparse
import collections
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from livebench import (
    RESULTS,
    Mailbox,
    bench_env,
    cpu_seconds,
    load_average,
    make_mail,
    missing_dovecot,
    read_thread_names,
    run_cli,
    stored_once,
    thread_switches,
)
from servers.synapse import Synapse, find_synapse_python, synapse_venv

PASSWORD = "bench horse battery staple"
GOAL_PER_MINUTE = 6
SETTLE_SECONDS = 10.0


@dataclass(slots=True)
class Chat:
    """A private Synapse with the user and one correspondent in a DM."""

    server: Synapse
    me: str
    ann_token: str
    room: str
    sent: int = 0

    @classmethod
    def start(cls, work: Path) -> Chat:
        server = Synapse(work / "synapse")
        server.start()
        try:
            me, me_token = server.register("me", PASSWORD)
            _ann, ann_token = server.register("ann", PASSWORD)
            room = server.create_room(ann_token, invite=[me], is_direct=True)
            server.join(me_token, room)
            server.send_text(ann_token, room, "Hello, are you there?")
        except BaseException:
            server.stop()
            raise
        return cls(server, me, ann_token, room, 1)

    def send(self, text: str) -> None:
        self.server.send_text(self.ann_token, self.room, text)
        self.sent += 1


@dataclass(slots=True)
class SyncProcess:
    """``asyncdesk sync`` as a child; its output lines are collected as they come."""

    process: subprocess.Popen[str]
    names_file: Path
    lines: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, profile: Path, env: dict[str, str], work: Path) -> SyncProcess:
        names = work / "threads.tsv"
        args = [sys.executable, str(Path(__file__).resolve()), "--child", str(names)]
        process = subprocess.Popen(
            [*args, "--profile", str(profile), "sync"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        me = cls(process, names)
        threading.Thread(target=me._read, daemon=True).start()
        return me

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.append(line.rstrip("\n"))

    def wait_caught_up(self, accounts: list[str], timeout: float = 120.0) -> None:
        """Until each account printed its first ``NAME: N new messages in ...`` line."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = {
                m.group(1) for line in self.lines if (m := re.match(r"(\S+): [\d,]+ new", line))
            }
            if done >= set(accounts):
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise SystemExit("asyncdesk sync did not catch up:\n" + "\n".join(self.lines[-20:]))

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def measure(sync: SyncProcess, seconds: float, tick: Any = None) -> dict[str, Any]:
    """CPU seconds and wake-ups of the sync process over ``seconds``; ``tick(t)`` is
    called about once a second with the seconds elapsed (to deliver mail)."""
    pid = sync.process.pid
    cpu0, switches0 = cpu_seconds(pid), thread_switches(pid)
    load0 = load_average()
    started = time.monotonic()
    while (elapsed := time.monotonic() - started) < seconds:
        if tick is not None:
            tick(elapsed)
        time.sleep(min(1.0, max(0.0, seconds - elapsed)))
    elapsed = time.monotonic() - started
    cpu1, switches1 = cpu_seconds(pid), thread_switches(pid)
    names = read_thread_names(sync.names_file)
    per_thread = []
    for tid, (voluntary, involuntary) in switches1.items():
        before = switches0.get(tid, (0, 0))
        per_thread.append(
            {
                "tid": tid,
                "name": names.get(tid, "?"),
                "voluntary": voluntary - before[0],
                "involuntary": involuntary - before[1],
                "new": tid not in switches0,
            }
        )
    per_thread.sort(key=lambda t: -t["voluntary"])
    minutes = elapsed / 60
    wakeups = sum(t["voluntary"] for t in per_thread)
    ended = set(switches0) - set(switches1)  # threads gone meanwhile: their switches are lost
    return {
        "seconds": round(elapsed, 1),
        "cpu_seconds": round(cpu1 - cpu0, 3),
        "cpu_seconds_per_minute": round((cpu1 - cpu0) / minutes, 4),
        "cpu_percent": round(100 * (cpu1 - cpu0) / elapsed, 3),
        "wakeups": wakeups,
        "wakeups_per_minute": round(wakeups / minutes, 1),
        "involuntary_per_minute": round(sum(t["involuntary"] for t in per_thread) / minutes, 1),
        "threads": [{**t, "per_minute": round(t["voluntary"] / minutes, 1)} for t in per_thread],
        "threads_ended": len(ended),
        "load_average": f"{load0} → {load_average()}",
    }


_CALL = re.compile(r"^(\d+)\s+(?:\S+\s+)?([a-z_0-9]+)\((.*?)(?:\) += .*| <unfinished \.\.\.>)?$")


def strace_threads(sync: SyncProcess, seconds: float, work: Path) -> list[dict[str, Any]] | str:
    """Which system calls each thread made over ``seconds`` (strace attached), the most
    frequent first, with an example of their arguments; a string says why not run."""
    if shutil.which("strace") is None:
        return "strace is not installed"
    out = work / "strace.txt"
    tracer = subprocess.Popen(
        ["strace", "-f", "-qq", "-o", str(out), "-p", str(sync.process.pid)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(seconds)
    tracer.send_signal(signal.SIGINT)
    try:
        _, errors = tracer.communicate(timeout=20)
    except subprocess.TimeoutExpired:
        tracer.kill()
        _, errors = tracer.communicate()
    if not out.exists():
        return f"strace failed: {errors.strip()[-200:]}"
    names = read_thread_names(sync.names_file)
    counts: collections.Counter[tuple[int, str]] = collections.Counter()
    examples: dict[tuple[int, str], str] = {}
    for line in out.read_text(errors="replace").splitlines():
        found = _CALL.match(line)
        if found is None or "resumed>" in line:
            continue
        key = (int(found.group(1)), found.group(2))
        counts[key] += 1
        examples.setdefault(key, re.sub(r"0x[0-9a-f]+", "0x…", found.group(3))[:90])
    return [
        {
            "tid": tid,
            "name": names.get(tid, "?"),
            "call": call,
            "count": count,
            "per_second": round(count / seconds, 2),
            "example": examples[(tid, call)],
        }
        for (tid, call), count in counts.most_common(12)
    ]


def stored_chat(profile: Path) -> int:
    with sqlite3.connect(profile / "asyncdesk.sqlite3") as db:
        query = (
            "SELECT count(*) FROM messages JOIN accounts ON accounts.id = messages.account_id "
            "WHERE accounts.name = 'chat'"
        )
        return int(db.execute(query).fetchone()[0])


def run(args: argparse.Namespace) -> dict[str, Any]:
    work = Path(tempfile.mkdtemp(prefix="asyncdesk-idle-bench-"))
    env = bench_env(work)
    profile = work / "profile"
    mailbox = Mailbox.start()
    chat: Chat | None = None
    sync: SyncProcess | None = None
    matrix_skipped = None
    try:
        for index in range(20):
            mailbox.deliver(make_mail("seed", index)[1])
        mailbox.add_account(profile, env, "mail")
        accounts = ["mail"]
        if args.no_matrix:
            matrix_skipped = "--no-matrix"
        elif find_synapse_python() is None:
            matrix_skipped = f"Synapse is not installed in {synapse_venv()} (scripts/test)"
        else:
            chat = Chat.start(work)
            run_cli(
                [
                    "--profile",
                    str(profile),
                    "account",
                    "add",
                    "matrix",
                    "chat",
                    "--homeserver",
                    chat.server.base_url,
                    "--user",
                    chat.me,
                    "--password-stdin",
                ],
                env,
                stdin=PASSWORD + "\n",
            )
            accounts.append("chat")
        sync = SyncProcess.start(profile, env, work)
        sync.wait_caught_up(accounts)
        time.sleep(SETTLE_SECONDS)
        _report(f"caught up ({', '.join(accounts)}); idle for {args.seconds:.0f} s")
        idle = measure(sync, args.seconds)
        _report(
            f"idle: {idle['cpu_seconds']} CPU s, {idle['wakeups_per_minute']} wake-ups a minute"
        )

        delivered: list[str] = []
        chat_before = stored_chat(profile) if chat is not None else 0
        chat_sent_before = chat.sent if chat is not None else 0

        def deliver(elapsed: float) -> None:
            # One at 30 s, 90 s, 150 s... (a shorter run: one at its middle).
            every = min(60.0, args.seconds)
            due = int((elapsed + every / 2) // every)
            while len(delivered) < due:
                message_id, raw = make_mail("minute", len(delivered))
                mailbox.deliver(raw)
                delivered.append(message_id)
                if chat is not None:
                    chat.send(f"minute message {len(delivered)}")

        _report(f"one message a minute for {args.seconds:.0f} s")
        busy = measure(sync, args.seconds, tick=deliver)
        time.sleep(3)  # the last one's sync
        busy["delivered_email"] = len(delivered)
        busy["stored_email_once"] = stored_once(profile, delivered)
        if chat is not None:
            busy["delivered_chat"] = chat.sent - chat_sent_before
            busy["stored_chat"] = stored_chat(profile) - chat_before
        _report(
            f"one a minute: {busy['cpu_seconds']} CPU s, "
            f"{busy['wakeups_per_minute']} wake-ups a minute"
        )
        traced = strace_threads(sync, args.strace_seconds, work) if args.strace_seconds else None
        output = list(sync.lines)
    finally:
        if sync is not None:
            sync.stop()
        if chat is not None:
            chat.server.stop()
        mailbox.close()
        shutil.rmtree(work, ignore_errors=True)
    return {
        "date": datetime.now(UTC).date().isoformat(),
        "accounts": accounts,
        "matrix_skipped": matrix_skipped,
        "idle": idle,
        "one_a_minute": busy,
        "strace_seconds": args.strace_seconds,
        "strace": traced,
        "goal_wakeups_per_minute": GOAL_PER_MINUTE,
        "met": idle["wakeups_per_minute"] <= GOAL_PER_MINUTE,
        "sync_output": output[-30:],
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
    }


def _report(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def print_table(results: dict[str, Any]) -> None:
    idle, busy = results["idle"], results["one_a_minute"]
    print(f"accounts: {', '.join(results['accounts'])}", end="")
    if results["matrix_skipped"]:
        print(f" (Matrix not run: {results['matrix_skipped']})", end="")
    print("\n")
    print("| measure | idle | one message a minute | goal |")
    print("|---|---|---|---|")
    print(f"| seconds | {idle['seconds']} | {busy['seconds']} | |")
    print(f"| CPU seconds | {idle['cpu_seconds']} | {busy['cpu_seconds']} | |")
    print(f"| CPU | {idle['cpu_percent']} % | {busy['cpu_percent']} % | |")
    print(
        f"| wake-ups a minute (voluntary switches) | {idle['wakeups_per_minute']} | "
        f"{busy['wakeups_per_minute']} | ≤ {GOAL_PER_MINUTE} idle |"
    )
    stored = f"{busy['stored_email_once']}/{busy['delivered_email']} emails"
    if "stored_chat" in busy:
        stored += f", {busy['stored_chat']}/{busy['delivered_chat']} chat"
    print(f"| delivered and stored | | {stored} | all |")
    print("\nWake-ups by thread (idle, a minute):\n")
    print("| thread | wake-ups a minute | one a minute |")
    print("|---|---|---|")
    busy_by_name: dict[str, float] = collections.defaultdict(float)
    for thread in busy["threads"]:
        busy_by_name[thread["name"]] += thread["per_minute"]
    for thread in idle["threads"]:
        print(
            f"| {thread['name']} | {thread['per_minute']} | "
            f"{busy_by_name.get(thread['name'], 0):.1f} |"
        )
    traced = results["strace"]
    if isinstance(traced, list):
        print(f"\nSystem calls while idle ({results['strace_seconds']} s under strace):\n")
        print("| thread | call | a second | example |")
        print("|---|---|---|---|")
        for row in traced:
            example = row["example"].replace("|", "\\|")
            print(f"| {row['name']} | {row['call']} | {row['per_second']} | `{example}` |")
    elif traced:
        print(f"\n(strace not run: {traced})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=300.0, help="each phase (default 300)")
    parser.add_argument("--no-matrix", action="store_true", help="IMAP only")
    parser.add_argument(
        "--strace-seconds", type=float, default=20.0, help="0: do not look with strace"
    )
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        help="also write the results as JSON to FILE (benchmarks/all.py reads it)",
    )
    args = parser.parse_args()
    why = missing_dovecot()
    if why is not None:
        raise SystemExit(f"needs Dovecot: {why}")
    results = run(args)
    text = json.dumps(results, indent=2) + "\n"
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "idle_cpu.json").write_text(text, encoding="utf-8")
    if args.json is not None:
        args.json.write_text(text, encoding="utf-8")
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
