"""AsyncDesk's first IMAP sync and no-change resync against mbsync; prints a Markdown table.

    .venv/bin/python benchmarks/imap_sync.py [--messages 20000] [--repeat 3]
                                             [--resync-messages 100000] [--resync-repeat 5]
                                             [--seed 7] [--cprofile FILE]

Writes a generated mailbox straight into the Maildir of a private Dovecot on 127.0.0.1
(``tests/servers/dovecot.py``): ``--messages`` in INBOX plus the user's replies in Sent
(15 % of that, threaded to inbound messages), ~9 KB a message on average. Dovecot's
index is built once with ``doveadm index`` and each tool gets one untimed warm-up run,
so no timed run pays for indexing or a cold page cache. Then, ``--repeat`` times each:

- ``mbsync -c RC -a`` pulling INBOX and Sent into a fresh Maildir (``Sync Pull``,
  ``Create Near``), with its default ``FSync yes`` and with ``FSync no``;
  messages/s = message files written / process wall time;
- ``asyncdesk --profile NEW sync --once`` after ``account add imap --security plain``:
  process wall time; then ``sync --once`` again, with nothing new (the resync);
- the same in process: a child Python that opened another new profile times
  ``asyncdesk.services.accounts.sync_accounts`` for the first sync, then for a resync.

Medians are reported. Then the resync at ``--resync-messages`` (a second mailbox): one
untimed first sync, then ``--resync-repeat`` no-change resyncs in that same process and as
many ``sync --once`` processes. Results go to ``benchmarks/results/imap_sync.json`` (not
committed); ``--cprofile FILE`` also profiles one more in-process first sync.

Goals (the IMAP sync issue): the first sync at ≥ 5x mbsync's messages/s; a no-change
resync at 100,000 messages in < 0.3 s. Needs ``dovecot-imapd`` and ``isync`` (Debian).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from mailgen import USER, MailboxStats, MaildirWriter, write_mailbox  # noqa: E402
from servers.dovecot import Dovecot, find_dovecot  # noqa: E402

ACCOUNT = "bench"
# Debian installs dovecot and doveadm in sbin directories, not on every user's PATH.
_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])


def sent_folder_name(config: str) -> str:
    """The folder Dovecot's configuration gives the \\Sent special use (else "Sent")."""
    found = re.search(r"mailbox\s+\"?([^\"{]+?)\"?\s*\{[^}]*special_use\s*=\s*\\Sent", config)
    return found.group(1) if found else "Sent"


@dataclass(slots=True)
class Server:
    dovecot: Dovecot
    user: str
    password: str
    sent: str
    stats: MailboxStats
    index_seconds: float = 0.0


@dataclass(slots=True)
class Work:
    root: Path
    env: dict[str, str]
    counter: int = 0

    def fresh(self, prefix: str) -> Path:
        self.counter += 1
        path = self.root / f"{prefix}{self.counter}"
        path.mkdir()
        return path


def serve(inbox: int, seed: int) -> Server:
    """A started Dovecot with a generated mailbox for USER, its index built."""
    dovecot = Dovecot()
    try:
        user, password = dovecot.add_user(USER)
        home = dovecot.maildir(user).parent
        owner = (home.stat().st_uid, home.stat().st_gid)
        stats = MailboxStats()
        dovecot.start()  # writes the config; no session has opened the mailbox yet
        sent = sent_folder_name(dovecot.config_path.read_text())
        write_mailbox(MaildirWriter(dovecot.maildir(user), owner, sent), sent, inbox, seed, stats)
        server = Server(dovecot, user, password, sent, stats)
        started = time.perf_counter()
        for folder in ("INBOX", sent):
            doveadm(dovecot, "index", "-u", user, folder)
        status = doveadm(dovecot, "mailbox", "status", "-u", user, "messages", "INBOX", sent)
        server.index_seconds = time.perf_counter() - started
        counted = sum(int(n) for n in re.findall(r"messages=(\d+)", status))
        if counted != stats.inbox + stats.sent:
            raise SystemExit(f"Dovecot sees {counted:,} messages of {stats.inbox + stats.sent:,}")
        return server
    except BaseException:
        dovecot.close()
        raise


def doveadm(dovecot: Dovecot, *args: str) -> str:
    binary = shutil.which("doveadm", path=_PATH) or "doveadm"
    result = subprocess.run(
        [binary, "-c", str(dovecot.config_path), *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )
    if result.returncode != 0:
        raise SystemExit(f"doveadm {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


# ----------------------------------------------------------------------------- mbsync

_MBSYNCRC = """\
FSync {fsync}

IMAPAccount bench
Host {host}
Port {port}
User "{user}"
Pass "{password}"
SSLType None
AuthMechs LOGIN

IMAPStore remote
Account bench

MaildirStore local
Path {mail}/
Inbox {mail}/INBOX
SubFolders Verbatim

Channel bench
Far :remote:
Near :local:
Patterns INBOX "{sent}"
Sync Pull
Create Near
SyncState *
"""


def run_mbsync(work: Work, server: Server, *, fsync: bool = True) -> tuple[float, int]:
    """Seconds for ``mbsync -a`` into a fresh Maildir, and how many messages it wrote.

    ``fsync``: mbsync's default ``FSync yes`` (each message file is flushed to disk before
    its UID is recorded); ``False`` writes ``FSync no``.
    """
    run = work.fresh("mbsync-")
    mail = run / "mail"
    mail.mkdir()
    rc = run / "mbsyncrc"
    rc.write_text(
        _MBSYNCRC.format(
            fsync="yes" if fsync else "no",
            host=server.dovecot.host,
            port=server.dovecot.plain_port,
            user=server.user,
            password=server.password,
            mail=mail,
            sent=server.sent,
        ),
        encoding="utf-8",
    )
    rc.chmod(0o600)
    started = time.perf_counter()
    result = subprocess.run(
        ["mbsync", "-q", "-c", str(rc), "-a"], capture_output=True, text=True, check=False
    )
    seconds = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"mbsync failed ({result.returncode}): {result.stderr.strip()}")
    count = sum(
        len(os.listdir(mail / folder / sub))
        for folder in ("INBOX", server.sent)
        for sub in ("cur", "new")
    )
    shutil.rmtree(run)
    return seconds, count


# -------------------------------------------------------------------------- AsyncDesk


def _asyncdesk() -> list[str]:
    script = Path(sys.executable).with_name("asyncdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "asyncdesk"]


def _run(args: list[str], env: dict[str, str], stdin: str = "") -> str:
    result = subprocess.run(args, input=stdin, capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise SystemExit(
            f"{' '.join(args[:4])} ... failed ({result.returncode}):\n{result.stderr.strip()}"
        )
    return result.stdout


def new_profile(work: Work, server: Server) -> Path:
    """A fresh profile with the account added as a user would (not timed)."""
    profile = work.fresh("profile-")
    dovecot = server.dovecot
    _run(
        [
            *_asyncdesk(),
            "--profile",
            str(profile),
            "account",
            "add",
            "imap",
            ACCOUNT,
            "--host",
            dovecot.host,
            "--port",
            str(dovecot.plain_port),
            "--security",
            "plain",
            "--user",
            server.user,
            "--password-stdin",
        ],
        work.env,
        stdin=server.password + "\n",
    )
    return profile


def cli_sync(work: Work, profile: Path) -> float:
    """Wall time of ``asyncdesk --profile DIR sync --once``, from spawn to exit."""
    started = time.perf_counter()
    _run([*_asyncdesk(), "--profile", str(profile), "sync", "--once"], work.env)
    return time.perf_counter() - started


def stored(profile: Path) -> int:
    with sqlite3.connect(profile / "asyncdesk.sqlite3") as db:
        return int(db.execute("SELECT count(*) FROM messages").fetchone()[0])


def in_process(
    work: Work, profile: Path, times: int, *, cprofile: Path | None = None
) -> list[dict[str, float]]:
    """Seconds and new messages of ``times`` ``sync_accounts`` calls in one child process."""
    args = [sys.executable, str(Path(__file__).resolve()), "--child-sync", str(profile)]
    args += ["--child-times", str(times)]
    if cprofile is not None:
        args += ["--child-cprofile", str(cprofile)]
    output = _run(args, work.env)
    return list(json.loads(output.strip().splitlines()[-1]))


def child_sync(profile: Path, times: int, cprofile: str | None) -> int:
    """In the child: open the profile, then time each ``sync_accounts`` call (the first
    one under cProfile if asked); prints the runs as JSON."""
    from asyncdesk.core.clock import SystemClock
    from asyncdesk.services.accounts import profile_secrets, sync_accounts
    from asyncdesk.store.database import Store

    runs = []
    with Store.open(profile) as store:
        secrets = profile_secrets(store)
        for index in range(times):
            profiler = None
            if cprofile and index == 0:
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            started = time.perf_counter()
            outcomes = sync_accounts(store, SystemClock(), secrets)
            seconds = time.perf_counter() - started
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(cprofile)
            results = [o.result for o in outcomes if o.ok and o.result is not None]
            if not outcomes or len(results) != len(outcomes):
                raise SystemExit(f"sync_accounts failed: {[o.error for o in outcomes]}")
            runs.append({"seconds": seconds, "new": sum(r.new_messages for r in results)})
    print(json.dumps(runs))
    return 0


def process_start(work: Work) -> float:
    """Wall time of ``asyncdesk --version``: the interpreter and the CLI's imports."""
    started = time.perf_counter()
    _run([*_asyncdesk(), "--version"], work.env)
    return time.perf_counter() - started


# ------------------------------------------------------------------------------- runs


def _report(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def bench_first_sync(work: Work, args: argparse.Namespace) -> dict[str, object]:
    """mbsync (FSync yes and no) and AsyncDesk (process, in process) on one mailbox:
    one warm-up round, then ``--repeat`` timed rounds; AsyncDesk resyncs after each."""
    server = serve(args.messages, args.seed)
    try:
        total = server.stats.inbox + server.stats.sent
        _report(
            f"mailbox: {total:,} messages written in {server.stats.seconds:.1f} s, "
            f"indexed in {server.index_seconds:.1f} s"
        )
        names = ("mbsync", "mbsync_fsync_no", "cli", "inproc", "cli_resync", "inproc_resync")
        runs: dict[str, list[float]] = {name: [] for name in names}
        warmup: dict[str, float] = {}
        for attempt in range(args.repeat + 1):
            round_ = {}
            for name, fsync in (("mbsync", True), ("mbsync_fsync_no", False)):
                round_[name], pulled = run_mbsync(work, server, fsync=fsync)
                if pulled != total:
                    raise SystemExit(f"mbsync pulled {pulled:,} messages of {total:,}")
            profile = new_profile(work, server)
            round_["cli"] = cli_sync(work, profile)
            if stored(profile) != total:
                raise SystemExit(f"sync --once stored {stored(profile):,} of {total:,}")
            round_["cli_resync"] = cli_sync(work, profile)
            shutil.rmtree(profile)
            profile = new_profile(work, server)
            first, again = in_process(work, profile, 2)
            if first["new"] != total or again["new"] != 0 or stored(profile) != total:
                raise SystemExit(f"in-process sync stored {first['new']:,} of {total:,}")
            round_["inproc"], round_["inproc_resync"] = first["seconds"], again["seconds"]
            shutil.rmtree(profile)
            _report(
                f"{'warm-up' if attempt == 0 else f'run {attempt}'}: "
                + ", ".join(f"{name} {value:.3f} s" for name, value in round_.items())
            )
            if attempt == 0:  # Dovecot's caches and the page cache are warm now
                warmup = round_
                continue
            for name, value in round_.items():
                runs[name].append(value)
        if args.cprofile:
            profile = new_profile(work, server)
            in_process(work, profile, 1, cprofile=Path(args.cprofile).resolve())
            shutil.rmtree(profile)
        return {
            "messages": total,
            "mailbox": server.stats.summary(),
            "index_seconds": round(server.index_seconds, 2),
            "warmup_seconds": {k: round(v, 3) for k, v in warmup.items()},
            "runs": {k: [round(v, 3) for v in values] for k, values in runs.items()},
            "median": {k: round(statistics.median(v), 3) for k, v in runs.items()},
        }
    finally:
        server.dovecot.close()


def bench_big_resync(work: Work, args: argparse.Namespace) -> dict[str, object]:
    """A no-change resync of a big mailbox: one untimed first sync, then ``--resync-repeat``
    timed resyncs in that same process, and as many ``sync --once`` processes."""
    server = serve(args.resync_messages, args.seed + 1)
    try:
        total = server.stats.inbox + server.stats.sent
        _report(
            f"big mailbox: {total:,} messages written in {server.stats.seconds:.1f} s, "
            f"indexed in {server.index_seconds:.1f} s"
        )
        profile = new_profile(work, server)
        first, *resyncs = in_process(work, profile, 1 + args.resync_repeat)
        if first["new"] != total or any(run["new"] for run in resyncs):
            raise SystemExit(f"the first sync stored {first['new']:,} of {total:,}")
        runs = {
            "inproc_resync": [run["seconds"] for run in resyncs],
            "cli_resync": [cli_sync(work, profile) for _ in range(args.resync_repeat)],
            "process_start": [process_start(work) for _ in range(args.resync_repeat)],
        }
        database_mb = (profile / "asyncdesk.sqlite3").stat().st_size / 1e6
        shutil.rmtree(profile)
        _report(
            f"big: first sync {first['seconds']:.1f} s, resync "
            + ", ".join(f"{k} {statistics.median(v):.3f} s" for k, v in runs.items())
        )
        return {
            "messages": total,
            "mailbox": server.stats.summary(),
            "index_seconds": round(server.index_seconds, 2),
            "first_sync_inproc_seconds": round(first["seconds"], 2),
            "database_mb": round(database_mb, 1),
            "runs": {k: [round(v, 4) for v in values] for k, values in runs.items()},
            "median": {k: round(statistics.median(v), 4) for k, v in runs.items()},
        }
    finally:
        server.dovecot.close()


def _version(args: list[str]) -> str:
    try:
        result = subprocess.run(args, capture_output=True, text=True, check=False, timeout=10)
    except OSError:
        return "?"
    lines = (result.stdout or result.stderr).strip().splitlines()
    return lines[0] if lines else "?"


def _asyncdesk_revision(env: dict[str, str]) -> str:
    """The commit of the asyncdesk package the runs imported, and whether it was changed."""
    where = subprocess.run(
        [sys.executable, "-c", "import asyncdesk; print(asyncdesk.__file__)"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    ).stdout.strip()
    package = Path(where).parent if where else ROOT / "asyncdesk"
    rev = _version(["git", "-C", str(package), "rev-parse", "--short", "HEAD"])
    dirty = subprocess.run(
        ["git", "-C", str(package), "status", "--porcelain", "--", "."],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return f"{rev}{' + uncommitted changes in asyncdesk/' if dirty else ''}"


def print_table(results: dict[str, Any]) -> None:
    first, big = results["first_sync"], results["big_resync"]
    med, rates, box = first["median"], results["rates"], first["mailbox"]
    n = f"{first['messages']:,}"
    print(
        f"mailbox: {box['inbox']:,} in INBOX + {box['sent']:,} in Sent, {box['megabytes']} MB,"
        f" mean {box['mean_kb']} KB, median {box['median_kb']} KB, p90 {box['p90_kb']} KB\n"
    )
    print("| measure | seconds | messages/s | goal |")
    print("|---|---|---|---|")
    rows = [
        ("mbsync (`FSync yes`, its default), first sync", "mbsync", ""),
        ("mbsync `FSync no`, first sync", "mbsync_fsync_no", ""),
        ("AsyncDesk `sync --once`, first sync", "cli", "≥ 5x mbsync"),
        ("AsyncDesk `sync_accounts`, first sync", "inproc", "≥ 5x mbsync"),
    ]
    for label, key, goal in rows:
        rate = f"{rates[key]:,}"
        if key in ("cli", "inproc"):
            rate += (
                f" ({rates[key] / rates['mbsync']:.2f}x mbsync, "
                f"{rates[key] / rates['mbsync_fsync_no']:.2f}x `FSync no`)"
            )
        print(f"| {label}, {n} | {med[key]:.2f} | {rate} | {goal} |")
    print(f"| AsyncDesk `sync --once`, resync, no change, {n} | {med['cli_resync']:.3f} | | |")
    print(f"| AsyncDesk `sync_accounts`, resync, no change, {n} | {med['inproc_resync']:.3f} | | |")
    if big is not None:
        b, big_med = f"{big['messages']:,}", big["median"]
        print(
            f"| AsyncDesk `sync --once`, resync, no change, {b} | {big_med['cli_resync']:.3f}"
            f" | | (process start: {big_med['process_start']:.3f} s) |"
        )
        print(
            f"| AsyncDesk `sync_accounts`, resync, no change, {b} | "
            f"{big_med['inproc_resync']:.3f} | | < 0.3 s |"
        )
        print(
            f"| (untimed) AsyncDesk `sync_accounts`, first sync, {b} | "
            f"{big['first_sync_inproc_seconds']:.1f} | "
            f"{big['messages'] / big['first_sync_inproc_seconds']:,.0f} | |"
        )
    print(f"\n(the benchmark took {results['seconds_total'] / 60:.1f} min)")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000, help="INBOX size (default 20000)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--resync-messages",
        type=int,
        default=100_000,
        help="INBOX size for the big resync (default 100000; 0: skip it)",
    )
    parser.add_argument("--resync-repeat", type=int, default=5)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--cprofile",
        metavar="FILE",
        help="also profile one in-process first sync into FILE (pstats)",
    )
    parser.add_argument(
        "--json",
        metavar="FILE",
        type=Path,
        help="also write the results as JSON to FILE (benchmarks/all.py reads it)",
    )
    parser.add_argument("--child-sync", help=argparse.SUPPRESS)
    parser.add_argument("--child-times", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--child-cprofile", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child_sync:
        return child_sync(Path(args.child_sync), args.child_times, args.child_cprofile)
    if find_dovecot() is None or shutil.which("mbsync") is None:
        raise SystemExit("needs dovecot and mbsync (Debian: apt-get install dovecot-imapd isync)")

    started = time.perf_counter()
    root = Path(tempfile.mkdtemp(prefix="asyncdesk-imap-bench-"))
    # The keyring: keyrings.alt's plaintext file under a private XDG_DATA_HOME.
    env = {k: v for k, v in os.environ.items() if k != "ASYNCDESK_PROFILE"}
    env["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    for name in ("DATA", "CONFIG", "CACHE", "STATE"):
        env[f"XDG_{name}_HOME"] = str(root / "xdg" / name.lower())
    work = Work(root, env)
    try:
        first = bench_first_sync(work, args)
        big = bench_big_resync(work, args) if args.resync_messages else None
    finally:
        shutil.rmtree(root, ignore_errors=True)

    median = first["median"]
    assert isinstance(median, dict)
    total = int(str(first["messages"]))
    rates = {k: round(total / median[k]) for k in ("mbsync", "mbsync_fsync_no", "cli", "inproc")}
    results = {
        "date": datetime.now(UTC).date().isoformat(),
        "first_sync": first,
        "rates": rates,
        "ratio_vs_mbsync": {
            k: round(rates[k] / rates["mbsync"], 2) for k in ("cli", "inproc", "mbsync_fsync_no")
        },
        "big_resync": big,
        "seconds_total": round(time.perf_counter() - started),
        "repeat": args.repeat,
        "resync_repeat": args.resync_repeat,
        "seed": args.seed,
        "cpus": os.cpu_count(),
        "python": sys.version.split()[0],
        "sqlite": sqlite3.sqlite_version,
        "dovecot": _version([find_dovecot() or "dovecot", "--version"]),
        "mbsync": _version(["mbsync", "--version"]),
        "asyncdesk": _asyncdesk_revision(env),
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    text = json.dumps(results, indent=2) + "\n"
    (RESULTS / "imap_sync.json").write_text(text, "utf-8")
    if args.json is not None:
        args.json.write_text(text, "utf-8")
    print_table(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
