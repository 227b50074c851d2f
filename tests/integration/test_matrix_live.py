"""A Matrix account in the running `asyncdesk sync`: pushed by a long-poll, stopped at
once, and killed with SIGKILL at random moments without losing or doubling anything.
Real Synapse, real processes, a real profile."""

from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from servers.synapse import Synapse
from test_account_cli import cli
from test_live_sync import SyncProcess, wait_until
from test_matrix_cli import PASSWORD, add_args

from asyncdesk.store.profile import ProfilePaths


def bodies(root: Path) -> list[str]:
    with sqlite3.connect(ProfilePaths(root).database) as db:
        return [row[0] for row in db.execute("SELECT body_text FROM messages")]


@pytest.fixture
def chat_profile(
    synapse: Synapse,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[Path, dict[str, tuple[str, str]]]:
    tag = uuid.uuid4().hex[:8]
    people = {name: synapse.register(f"{name}-{tag}", PASSWORD) for name in ("me", "bob")}
    root = tmp_path / "profile"
    me, _ = people["me"]
    code, _, err = cli(capsys, monkeypatch, root, *add_args(synapse, me), stdin=PASSWORD + "\n")
    assert code == 0, err
    return root, people


def test_a_message_arrives_by_long_poll_and_sigterm_stops_promptly(
    synapse: Synapse, chat_profile: tuple[Path, dict[str, tuple[str, str]]]
) -> None:
    root, people = chat_profile
    (me, my_token), (_, bob_token) = people["me"], people["bob"]
    room = synapse.create_room(bob_token, invite=[me], name="Pager")
    synapse.join(my_token, room)
    synapse.send_text(bob_token, room, "first")
    process = SyncProcess(root)
    try:
        wait_until(lambda: "first" in bodies(root), timeout=20)
        time.sleep(1.0)  # now waiting in the long-poll
        synapse.send_text(bob_token, room, "pushed", mentions=[me])
        # The long-poll answers when the message comes (the periodic sync is five
        # minutes away), and a stop cancels it at once rather than waiting it out.
        wait_until(lambda: "pushed" in bodies(root), timeout=15)
        started = time.monotonic()
        assert process.stop() == 0
        assert time.monotonic() - started < 5.0
    finally:
        if process.proc.poll() is None:
            process.proc.kill()
            process.proc.wait()
    assert "Traceback" not in process.stderr


def test_kill_9_at_random_moments_loses_and_doubles_nothing(
    synapse: Synapse, chat_profile: tuple[Path, dict[str, tuple[str, str]]], tmp_path: Path
) -> None:
    """A first sync pages back through three long rooms; it is killed with SIGKILL at
    random moments of its run (measured first), each time with a few new messages
    waiting; the last sync must hold every message exactly once."""
    root, people = chat_profile
    (me, my_token), (_, bob_token) = people["me"], people["bob"]
    rng = random.Random(int(os.environ.get("ASYNCDESK_TEST_SEED", "8")))
    rooms = []
    for name in ("Alpha", "Beta", "Gamma"):
        room = synapse.create_room(bob_token, invite=[me], name=name)
        synapse.join(my_token, room)
        rooms.append(room)
    sent = [
        (room, f"{name} line {n}")
        for room, name in zip(rooms, "ABC", strict=True)
        for n in range(120)
    ]
    with ThreadPoolExecutor(4) as pool:
        list(pool.map(lambda one: synapse.send_text(bob_token, *one), sent))

    # How long a whole first sync takes, on a profile of its own.
    other = tmp_path / "measure"
    cli_add(synapse, me, other)
    started = time.monotonic()
    assert SyncProcess(other, "--once").proc.wait(timeout=120) == 0
    full_run = time.monotonic() - started

    expected = len(sent)
    after_kill = []
    for round_ in range(6):
        extra = f"round {round_}"
        synapse.send_text(bob_token, rooms[round_ % 3], extra)
        expected += 1
        process = SyncProcess(root, "--once")
        time.sleep(rng.uniform(0.0, full_run))
        process.proc.kill()
        process.proc.wait()
        assert "Traceback" not in process.stderr
        after_kill.append(len(bodies(root)))
    print("stored after each kill:", after_kill, f"(full run {full_run:.2f} s)")

    final = SyncProcess(root, "--once")
    assert final.proc.wait(timeout=120) == 0, final.stderr
    stored = bodies(root)
    assert len(stored) == len(set(stored)) == expected
    with sqlite3.connect(ProfilePaths(root).database) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)


def cli_add(synapse: Synapse, user: str, root: Path) -> None:
    """``account add matrix`` in a child process, for a second profile."""
    done = subprocess.run(
        [sys.executable, "-m", "asyncdesk", *add_args(synapse, user), "--profile", str(root)],
        input=PASSWORD + "\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
