"""The profile against a damaged database, a full disk and a read-only disk, through the
installed command line in its own process (the exit code and stderr are what a user or
a script sees).

A real full disk is a 2 MB ``tmpfs`` mounted for the test, grown back afterwards; a real
read-only profile is a read-only bind mount (root ignores file modes, so ``chmod`` would
prove nothing on the CI, which runs as root). Mounting needs ``CAP_SYS_ADMIN``: it works
on this project's machines (root on Debian 12) but not in an unprivileged container.
There the tests fall back to the most honest substitutes, in this process:
``PRAGMA max_page_count`` (SQLite then fails with the same ``SQLITE_FULL`` a full disk
gives) and ``PRAGMA query_only`` (the same ``SQLITE_READONLY``).
"""

from __future__ import annotations

import contextlib
import io
import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from servers.dovecot import Dovecot
from sqlalchemy import Engine, event

from asyncdesk.cli import main
from asyncdesk.store.profile import ProfilePaths

ASYNCDESK = [sys.executable, "-m", "asyncdesk"]


def run(root: Path, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*ASYNCDESK, "--profile", str(root), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def in_process(
    capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, root: Path, *args: str
) -> tuple[int, str, str]:
    monkeypatch.setattr("sys.stdin", io.StringIO(""))
    try:
        code = main(["--profile", str(root), *args])
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    out, err = capfd.readouterr()
    return code, out, err


def one_line(stderr: str) -> str:
    assert "Traceback" not in stderr
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    return lines[0]


def query(root: Path, sql: str) -> list[tuple[Any, ...]]:
    with sqlite3.connect(ProfilePaths(root).database) as db:
        return list(db.execute(sql))


def mount(*args: str) -> bool:
    """``mount`` as root; False where it is not permitted (or with
    ``ASYNCDESK_TEST_NO_MOUNT=1``, to run the substitutes here)."""
    if os.environ.get("ASYNCDESK_TEST_NO_MOUNT") or os.geteuid() != 0 or not shutil.which("mount"):
        return False
    done = subprocess.run(["mount", *args], capture_output=True, check=False)
    return done.returncode == 0


@contextlib.contextmanager
def mounted(target: Path, *args: str) -> Iterator[bool]:
    target.mkdir(parents=True, exist_ok=True)
    ok = mount(*args, str(target))
    try:
        yield ok
    finally:
        if ok:
            subprocess.run(["umount", "-l", str(target)], check=False)


# ------------------------------------------------------------------------------- damage


def test_a_damaged_database_says_how_to_recover_and_restore_brings_the_backup_back(
    tmp_path: Path,
) -> None:
    root = tmp_path / "profile"
    assert run(root, "demo", "--no-gui", "--messages", "40").returncode == 0
    assert run(root, "schedule", "clear").returncode == 0
    # A backup, as the app or `asyncdesk sync` makes daily (here through the store).
    from asyncdesk.core.clock import SystemClock
    from asyncdesk.store.backup import make_backup

    make_backup(ProfilePaths(root), SystemClock())
    inbox = run(root, "inbox", "--json")
    database = ProfilePaths(root).database
    os.truncate(database, database.stat().st_size // 2)

    status = run(root, "status")
    assert status.returncode == 2
    line = one_line(status.stderr)
    assert "is damaged (database disk image is malformed)" in line
    assert f"run `asyncdesk --profile {root} profile restore`" in line

    listed = run(root, "profile", "restore", "--list")
    assert listed.returncode == 0
    assert "backups/asyncdesk-" in listed.stdout

    bad = run(root, "profile", "restore", str(tmp_path / "nothing.sqlite3"))
    assert bad.returncode == 2
    assert "no backup file" in one_line(bad.stderr)

    restored = run(root, "profile", "restore")
    assert restored.returncode == 0, restored.stderr
    assert "the previous database is kept as" in restored.stdout
    assert len(list(root.glob("asyncdesk.sqlite3.damaged-*"))) == 1
    after = run(root, "inbox", "--json")
    assert after.returncode == 0
    assert after.stdout == inbox.stdout
    assert query(root, "PRAGMA integrity_check") == [("ok",)]


def test_restore_refuses_while_the_profile_is_open(tmp_path: Path) -> None:
    root = tmp_path / "profile"
    assert run(root, "demo", "--no-gui", "--messages", "5").returncode == 0
    from asyncdesk.core.clock import SystemClock
    from asyncdesk.store.backup import make_backup

    make_backup(ProfilePaths(root), SystemClock())
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sqlite3, sys; db = sqlite3.connect(sys.argv[1]);"
            "db.execute('SELECT count(*) FROM messages').fetchone(); print('open', flush=True);"
            "sys.stdin.read()",
            str(ProfilePaths(root).database),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "open\n"
        before = ProfilePaths(root).database.read_bytes()
        refused = run(root, "profile", "restore")
        assert refused.returncode == 2
        assert "quit it, then restore" in one_line(refused.stderr)
        assert ProfilePaths(root).database.read_bytes() == before
    finally:
        holder.communicate("")


# ---------------------------------------------------------------------- read-only disk


def test_a_read_only_profile_is_one_clear_line(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "profile"
    assert run(source, "demo", "--no-gui", "--messages", "5").returncode == 0
    before = run(source, "schedule", "show", "--json").stdout
    view = tmp_path / "readonly"
    with mounted(view, "--bind", "-o", "ro", str(source)) as ok:
        if ok:
            # Bind mounts take "ro" on a remount only, on older kernels.
            mount("-o", "remount,bind,ro", str(view))
            assert not os.access(view, os.W_OK)
            added = run(
                view,
                "schedule",
                "window",
                "add",
                "--days",
                "mon",
                "--start",
                "07:00",
                "--end",
                "07:30",
            )
            code, err = added.returncode, added.stderr
        else:
            listener = _pragma_on_connect("PRAGMA query_only = ON")
            try:
                code, _out, err = in_process(
                    capfd,
                    monkeypatch,
                    source,
                    *(
                        "schedule",
                        "window",
                        "add",
                        "--days",
                        "mon",
                        "--start",
                        "07:00",
                        "--end",
                        "07:30",
                    ),
                )
            finally:
                listener()
    assert code == 2
    assert "is read-only" in one_line(err)
    assert run(source, "schedule", "show", "--json").stdout == before
    assert query(source, "PRAGMA integrity_check") == [("ok",)]


def _pragma_on_connect(pragma: str) -> Callable[[], None]:
    def on_connect(dbapi_connection: sqlite3.Connection, _record: object) -> None:
        dbapi_connection.execute(pragma)

    event.listen(Engine, "connect", on_connect)
    return lambda: event.remove(Engine, "connect", on_connect)


# ------------------------------------------------------------------------- full disk


def _mail(n: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Client {n} <client{n}@example.org>"
    message["To"] = "me@example.com"
    message["Subject"] = f"Question {n} {uuid.uuid4().hex}"
    message["Date"] = "Mon, 16 Nov 2026 09:00:00 +0000"
    message["Message-ID"] = f"<q{n}@example.org>"
    message.set_content(f"Could you have a look at {uuid.uuid4().hex}?\n" * 30)
    return bytes(message)


def _put_many(dovecot: Dovecot, user: str, count: int) -> None:
    dovecot.deliver(user, _mail(0))  # makes the Maildir with the right owner
    maildir = dovecot.maildir(user)
    owner = maildir.stat()
    for n in range(1, count):
        name = f"{time.time_ns()}.{n}.asyncdesk-test"
        tmp = maildir / "tmp" / name
        tmp.write_bytes(_mail(n))
        os.chown(tmp, owner.st_uid, owner.st_gid)
        tmp.rename(maildir / "new" / name)


def test_a_disk_that_fills_up_during_a_sync_loses_and_doubles_nothing(
    tmp_path: Path,
    dovecot: Dovecot,
    capfd: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """1,500 messages (about 4 MB in the database) synced into a profile with 256 KB of
    space left: one line, exit 2; once there is space, the next sync brings every message
    exactly once and the database is intact."""
    user, password = dovecot.add_user(f"user{secrets.token_hex(4)}")
    _put_many(dovecot, user, 1500)
    disk = tmp_path / "disk"
    with mounted(disk, "-t", "tmpfs", "-o", "size=8m", "tmpfs") as real:
        root = disk / "profile"
        added = run(
            root,
            *("account", "add", "imap", "work", "--host", "127.0.0.1"),
            *("--port", str(dovecot.plain_port), "--security", "plain", "--user", user),
            "--password-stdin",
            stdin=password + "\n",
        )
        assert added.returncode == 0, added.stderr
        if real:
            used = shutil.disk_usage(disk).used
            assert mount("-o", f"remount,size={used // 1024 + 256}k", str(disk))
            full = run(root, "sync", "--once")
            code, err = full.returncode, full.stderr
        else:
            pages = query(root, "PRAGMA page_count")[0][0]
            undo = _pragma_on_connect(f"PRAGMA max_page_count = {pages + 64}")
            try:
                code, _out, err = in_process(capfd, monkeypatch, root, "sync", "--once")
            finally:
                undo()
        assert code == 2
        assert "is full: this change was not saved" in one_line(err)
        before = query(root, "SELECT count(*) FROM messages")[0][0]
        assert before < 1500

        if real:
            assert mount("-o", "remount,size=64m", str(disk))
        again = run(root, "sync", "--once")
        assert again.returncode == 0, again.stderr
        ids = [row[0] for row in query(root, "SELECT message_id FROM messages")]
        assert Counter(ids) == Counter(f"q{n}@example.org" for n in range(1500))
        assert query(root, "PRAGMA integrity_check") == [("ok",)]
