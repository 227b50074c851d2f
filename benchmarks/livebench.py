"""What the live benchmarks share (``idle_cpu.py``, ``gui_load.py``): a private Dovecot
with a user, a profile set up through the command line as a user would, mail delivered
out of band with ``doveadm save`` (as an MDA would; IDLE sees it), and what Linux says
about a process in ``/proc`` (CPU time, context switches per thread).

Not a benchmark itself; the scripts import it from this directory.
"""

from __future__ import annotations

import collections
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from servers.dovecot import Dovecot, find_dovecot  # noqa: E402

USER = "me"
_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def asyncdesk_command() -> list[str]:
    script = Path(sys.executable).with_name("asyncdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "asyncdesk"]


def bench_env(root: Path) -> dict[str, str]:
    """The environment of every AsyncDesk process of a run: keyrings.alt's plaintext
    keyring and every XDG directory under *root*, no profile from the caller, no display
    and a session bus that does not exist (so nothing is autolaunched, and plyer's D-Bus
    call fails at once instead of showing anything)."""
    env = {k: v for k, v in os.environ.items() if k not in ("ASYNCDESK_PROFILE", "DISPLAY")}
    env["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    for name in ("DATA", "CONFIG", "CACHE", "STATE"):
        env[f"XDG_{name}_HOME"] = str(root / "xdg" / name.lower())
    env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=/nonexistent/asyncdesk-bench-bus"
    return env


def run_cli(args: list[str], env: dict[str, str], stdin: str = "") -> str:
    result = subprocess.run(
        [*asyncdesk_command(), *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"asyncdesk {' '.join(args[:4])} ... failed:\n{result.stderr.strip()}")
    return result.stdout


def missing_dovecot() -> str | None:
    """Why the IMAP part cannot run, or None."""
    if find_dovecot() is None or shutil.which("doveadm", path=_PATH) is None:
        return "Dovecot is not installed (apt-get install dovecot-imapd)"
    return None


@dataclass(slots=True)
class Mailbox:
    """A started private Dovecot with one user."""

    dovecot: Dovecot
    user: str
    password: str

    @classmethod
    def start(cls) -> Mailbox:
        dovecot = Dovecot()
        try:
            user, password = dovecot.add_user(USER)
            dovecot.start()
        except BaseException:
            dovecot.close()
            raise
        return cls(dovecot, user, password)

    def add_account(self, profile: Path, env: dict[str, str], name: str = "mail") -> None:
        """``asyncdesk account add imap`` for this user (plain IMAP on 127.0.0.1)."""
        run_cli(
            [
                "--profile",
                str(profile),
                "account",
                "add",
                "imap",
                name,
                "--host",
                self.dovecot.host,
                "--port",
                str(self.dovecot.plain_port),
                "--security",
                "plain",
                "--user",
                self.user,
                "--password-stdin",
            ],
            env,
            stdin=self.password + "\n",
        )

    def deliver(self, raw: bytes) -> float:
        """``doveadm save`` one message into INBOX; the seconds it took."""
        started = time.perf_counter()
        self.dovecot.deliver(self.user, raw)
        return time.perf_counter() - started

    def close(self) -> None:
        self.dovecot.close()


def make_mail(tag: str, index: int, sender: str = "ann@example.org") -> tuple[str, bytes]:
    """A small person-to-person message; its Message-ID (without brackets) and bytes."""
    message_id = make_msgid(idstring=f"{tag}.{index}", domain="bench.example")
    raw = (
        f"From: Ann Example <{sender}>\r\n"
        f"To: Me <{USER}@example.org>\r\n"
        f"Subject: {tag} message {index}\r\n"
        f"Date: {format_datetime(datetime.now(UTC))}\r\n"
        f"Message-ID: {message_id}\r\n"
        "MIME-Version: 1.0\r\n"
        "Content-Type: text/plain; charset=utf-8\r\n"
        "\r\n"
        f"Hello, this is message {index} of the {tag} run. Could you have a look?\r\n"
    )
    return message_id.strip("<>"), raw.encode()


def stored_once(profile: Path, message_ids: list[str]) -> int:
    """How many of *message_ids* (without brackets) the profile's store holds exactly once."""
    with sqlite3.connect(profile / "asyncdesk.sqlite3", timeout=30) as db:
        rows = db.execute("SELECT trim(message_id, '<>') FROM messages").fetchall()
    have = collections.Counter(row[0] for row in rows)
    return sum(1 for message_id in message_ids if have[message_id] == 1)


# ------------------------------------------------------------------------------ /proc


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of the whole process (every thread), from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # After "pid (comm)": state is field 3, utime 14 and stime 15 (1-based, man proc).
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS


def thread_switches(pid: int) -> dict[int, tuple[int, int]]:
    """Per thread id: (voluntary, involuntary) context switches so far.

    A voluntary switch is the thread blocking (a wait, a poll with a timeout, a read);
    each time such a wait ends the thread was woken up. /proc/PID/status counts only the
    main thread, so every /proc/PID/task/TID/status is read.
    """
    found: dict[int, tuple[int, int]] = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            text = (task / "status").read_text()
        except OSError:
            continue  # the thread ended meanwhile
        values = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        found[int(task.name)] = (
            int(values["voluntary_ctxt_switches"]),
            int(values["nonvoluntary_ctxt_switches"]),
        )
    return found


def read_thread_names(path: Path) -> dict[int, str]:
    """The ``native id<TAB>name`` lines ``thread_names_hook`` wrote."""
    names: dict[int, str] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            tid, _, name = line.partition("\t")
            names[int(tid)] = name
    return names


def thread_names_hook(path: Path) -> None:
    """In a child process: write each Python thread's native id and name to *path* as it
    starts (Python 3.11 does not name OS threads), so /proc's threads can be told apart.
    One line per thread start; nothing runs afterwards."""
    import threading

    with path.open("a") as out:
        out.write(f"{threading.get_native_id()}\tMainThread\n")
    original = threading.Thread._bootstrap_inner  # type: ignore[attr-defined]

    def bootstrap_inner(self: threading.Thread) -> None:
        with path.open("a") as out:
            out.write(f"{threading.get_native_id()}\t{self.name}\n")
        original(self)

    threading.Thread._bootstrap_inner = bootstrap_inner  # type: ignore[attr-defined]


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} / {five:.2f}"
