"""`asyncdesk sync` as a running process against a real Dovecot: push, faults, kills.

The CLI runs as a subprocess (``python -m asyncdesk``), as a user or a systemd unit would
run it, so that signals and ``kill -9`` hit a real process. The keyring is the plaintext
file backend the test environment names (tests/conftest.py), inherited by the child.
"""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from servers.dovecot import Dovecot

from asyncdesk.store.profile import ProfilePaths


def mail(n: int, tag: str = "m") -> bytes:
    message = EmailMessage()
    message["From"] = f"Client {n} <client{n}@example.org>"
    message["To"] = "me@example.com"
    message["Subject"] = f"Question {tag}{n}"
    message["Date"] = "Mon, 16 Nov 2026 09:00:00 +0000"
    message["Message-ID"] = f"<{tag}{n}@example.org>"
    message.set_content("Could you have a look?\n" * 20)
    return bytes(message)


def put_many(dovecot: Dovecot, user: str, raws: list[bytes]) -> None:
    """Drop messages straight into the user's Maildir ``new/``, as a local MDA does;
    thousands in a blink, where one ``doveadm save`` each would take a minute."""
    dovecot.deliver(user, mail(0, f"seed{time.time_ns()}-"))  # makes the Maildir, owned right
    maildir = dovecot.maildir(user)
    owner = maildir.stat()
    for raw in raws:
        name = f"{time.time_ns()}.{random.getrandbits(64):x}.asyncdesk-test"
        tmp = maildir / "tmp" / name
        tmp.write_bytes(raw)
        os.chown(tmp, owner.st_uid, owner.st_gid)
        tmp.rename(maildir / "new" / name)


def db_subjects(root: Path) -> list[str]:
    with sqlite3.connect(ProfilePaths(root).database) as db:
        return [row[0] for row in db.execute("SELECT subject FROM messages")]


def bodies_fetched(root: Path) -> int:
    with sqlite3.connect(ProfilePaths(root).database) as db:
        row = db.execute("SELECT count(*) FROM messages WHERE body_fetched_at IS NOT NULL")
        return int(row.fetchone()[0])


def wait_until(condition: object, timeout: float, step: float = 0.02) -> float:
    """Seconds until ``condition()`` held; fails the test after ``timeout``."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if condition():  # type: ignore[operator]
            return time.monotonic() - started
        time.sleep(step)
    pytest.fail(f"not within {timeout} s")


class SyncProcess:
    def __init__(self, root: Path, *args: str) -> None:
        self.root = root
        self.stderr_path = root.parent / f"sync-stderr-{time.time_ns()}.txt"
        self.stdout_path = root.parent / f"sync-stdout-{time.time_ns()}.txt"
        with self.stdout_path.open("wb") as out, self.stderr_path.open("wb") as err:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "asyncdesk", "sync", *args, "--profile", str(root)],
                stdout=out,
                stderr=err,
            )

    @property
    def stdout(self) -> str:
        return self.stdout_path.read_text(encoding="utf-8", errors="replace")

    @property
    def stderr(self) -> str:
        return self.stderr_path.read_text(encoding="utf-8", errors="replace")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        return self.proc.wait(timeout=10)


@pytest.fixture
def running(profile: Path) -> Iterator[SyncProcess]:
    process = SyncProcess(profile)
    try:
        wait_until(lambda: "new message" in process.stdout, timeout=20)
        yield process
    finally:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()


def test_new_mail_arrives_through_idle_in_seconds(
    dovecot: Dovecot, mail_user: tuple[str, str], profile: Path, running: SyncProcess
) -> None:
    """The next periodic resync is five minutes away: arriving within seconds is the
    push. (Its latency, a few tenths of a second here, is a figure, not a bound: a
    2-second bound failed once on a loaded 2-core machine at 2.01 s.)"""
    user, _ = mail_user
    for n in range(3):
        dovecot.deliver(user, mail(n, "push"))
        wait_until(lambda n=n: f"Question push{n}" in db_subjects(profile), timeout=15)

    # Their bodies follow in the background, for search.
    wait_until(lambda: bodies_fetched(profile) == 3, timeout=10)
    assert running.stop() == 0
    assert "Sync stopped." in running.stdout
    assert "Traceback" not in running.stderr
    assert sorted(db_subjects(profile)) == ["Question push0", "Question push1", "Question push2"]
    with sqlite3.connect(ProfilePaths(profile).database) as db:
        found = db.execute(
            "SELECT count(*) FROM message_search WHERE message_search MATCH 'look'"
        ).fetchone()
    assert found == (3,)


def test_server_going_away_is_one_line_and_the_sync_comes_back(
    dovecot: Dovecot, mail_user: tuple[str, str], profile: Path, running: SyncProcess
) -> None:
    user, _ = mail_user
    dovecot.stop()
    wait_until(lambda: "retrying in" in running.stderr, timeout=10)
    line = running.stderr.strip().splitlines()[0]
    assert line.startswith("asyncdesk: sync of work failed: cannot talk to 127.0.0.1:")
    assert "Traceback" not in running.stderr

    dovecot.start()  # same ports: the backoff finds it again
    dovecot.deliver(user, mail(1, "back"))
    wait_until(lambda: "Question back1" in db_subjects(profile), timeout=20)
    assert running.proc.poll() is None  # it never gave up
    assert running.stop() == 0


def test_server_stopped_mid_fetch_then_a_clean_resume(
    dovecot: Dovecot, mail_user: tuple[str, str], profile: Path
) -> None:
    user, _ = mail_user
    put_many(dovecot, user, [mail(n) for n in range(12000)])  # six batches
    process = SyncProcess(profile, "--once")
    # Stop the server as soon as the first batches are in.
    wait_until(lambda: len(db_subjects(profile)) > 0, timeout=20, step=0.005)
    dovecot.kill()
    assert process.proc.wait(timeout=20) == 2
    err = process.stderr.strip()
    assert err.startswith("asyncdesk: sync of work failed: ")
    assert len(err.splitlines()) == 1
    assert "Traceback" not in err
    partial = len(db_subjects(profile))
    assert 0 < partial < 12001

    dovecot.start()
    again = SyncProcess(profile, "--once")
    assert again.proc.wait(timeout=60) == 0, again.stderr
    subjects = db_subjects(profile)
    assert len(subjects) == len(set(subjects)) == 12001  # with put_many's seed message


def test_kill_9_at_ten_random_moments_loses_and_doubles_nothing(
    dovecot: Dovecot, mail_user: tuple[str, str], profile: Path
) -> None:
    """Each round brings new mail, starts a sync and kills it with SIGKILL at a random
    moment of its run (measured first); the final sync must hold every message once."""
    user, _ = mail_user
    rng = random.Random(int(os.environ.get("ASYNCDESK_TEST_SEED", "5")))
    put_many(dovecot, user, [mail(n, "warm") for n in range(1000)])
    started = time.monotonic()
    assert SyncProcess(profile, "--once").proc.wait(timeout=60) == 0
    full_run = time.monotonic() - started

    expected = 1001
    stored_after_kill = []
    for round_ in range(10):
        put_many(dovecot, user, [mail(n, f"r{round_}-") for n in range(300)])
        expected += 301  # put_many's seed message too
        process = SyncProcess(profile, "--once")
        time.sleep(rng.uniform(0.0, full_run))
        process.proc.kill()
        process.proc.wait()
        assert "Traceback" not in process.stderr
        stored_after_kill.append(len(db_subjects(profile)))
    print("stored after each kill:", stored_after_kill, f"(full run {full_run:.2f} s)")

    final = SyncProcess(profile, "--once")
    assert final.proc.wait(timeout=60) == 0, final.stderr
    subjects = db_subjects(profile)
    assert len(subjects) == len(set(subjects)) == expected
    with sqlite3.connect(ProfilePaths(profile).database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        ids = [row[0] for row in db.execute("SELECT message_id FROM messages")]
    assert len(ids) == len(set(ids)) == expected
