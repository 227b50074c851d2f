"""Driving ``asyncdesk`` as a real process against real servers: the helpers shared by
the live-sync tests (tests/integration) and the fault suite (tests/e2e).

The command runs as a subprocess (``python -m asyncdesk``), as a user or a systemd unit
would run it, so that signals and ``kill -9`` hit a real process. Its output goes to
files (a pipe nobody reads would block it); the keyring is the plaintext file backend
the test environment names (tests/conftest.py), inherited by the child.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from servers.dovecot import Dovecot

from asyncdesk.store.profile import ProfilePaths

_MAIL = (
    "From: Client {n} <client{n}@example.org>\n"
    "To: me@example.com\n"
    "Subject: Question {tag}{n}\n"
    "Date: Mon, 16 Nov 2026 09:00:00 +0000\n"
    "Message-ID: <{tag}{n}@example.org>\n"
    'Content-Type: text/plain; charset="utf-8"\n'
    "Content-Transfer-Encoding: 7bit\n"
    "MIME-Version: 1.0\n"
    "\n" + "Could you have a look?\n" * 20
)


def mail(n: int, tag: str = "m") -> bytes:
    """A plain question, byte for byte what ``bytes(EmailMessage)`` makes of it, from a
    template: building an ``EmailMessage`` takes about a millisecond, which is seconds
    for the thousands a first-sync test needs (*tag* must be ASCII)."""
    return _MAIL.format(n=n, tag=tag).encode("ascii")


def put_many(dovecot: Dovecot, user: str, raws: list[bytes]) -> None:
    """Drop messages straight into the user's Maildir ``new/``, as a local MDA does;
    thousands in a blink, where one ``doveadm save`` each would take a minute.

    One more message (a "seed", delivered with ``doveadm save``) makes the Maildir with
    the right owner first: callers count ``len(raws) + 1`` new messages."""
    dovecot.deliver(user, mail(0, f"seed{time.time_ns()}-"))
    maildir = dovecot.maildir(user)
    owner = maildir.stat()

    def put(numbered: tuple[int, bytes]) -> None:
        name = f"{time.time_ns()}.{numbered[0]}.{random.getrandbits(64):x}.asyncdesk-test"
        tmp = maildir / "tmp" / name
        tmp.write_bytes(numbered[1])
        os.chown(tmp, owner.st_uid, owner.st_gid)
        tmp.rename(maildir / "new" / name)

    # Threads: the file system calls wait on the disk, not on Python.
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(put, enumerate(raws)))


def db_subjects(root: Path) -> list[str]:
    with sqlite3.connect(ProfilePaths(root).database) as db:
        return [row[0] for row in db.execute("SELECT subject FROM messages")]


def wait_until(condition: Callable[[], object], timeout: float, step: float = 0.02) -> float:
    """Seconds until ``condition()`` held; fails the test after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():
            return time.monotonic() - started
        time.sleep(step)
    pytest.fail(f"not within {timeout} s")


def asyncdesk_command() -> list[str]:
    """The installed ``asyncdesk`` script next to this Python, else ``python -m``."""
    script = Path(sys.executable).with_name("asyncdesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "asyncdesk"]


class AsyncdeskProcess:
    """``asyncdesk ARGS --profile ROOT`` running; stdout and stderr go to files."""

    def __init__(self, root: Path, *args: str, stdin: Path | None = None) -> None:
        self.root = root
        stamp = time.time_ns()
        self.stderr_path = root.parent / f"{args[0] if args else 'gui'}-stderr-{stamp}.txt"
        self.stdout_path = root.parent / f"{args[0] if args else 'gui'}-stdout-{stamp}.txt"
        with (
            self.stdout_path.open("wb") as out,
            self.stderr_path.open("wb") as err,
            (stdin or Path(os.devnull)).open("rb") as given,
        ):
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "asyncdesk", *args, "--profile", str(root)],
                stdin=given,
                stdout=out,
                stderr=err,
            )

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def wait(self, timeout: float) -> int:
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        """SIGKILL (``kill -9``), and reap it."""
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait(timeout=30)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=10)


class SyncProcess(AsyncdeskProcess):
    """``asyncdesk sync [ARGS]``: the running sync, or with ``--once`` a catch-up."""

    def __init__(self, root: Path, *args: str) -> None:
        super().__init__(root, "sync", *args)
