"""A Matrix account in the running `asyncdesk sync`: pushed by a long-poll, stopped at
once. Real Synapse, real processes, a real profile. (SIGKILL at random moments, and
connection resets, are in the fault suite, tests/e2e/test_sync_faults.py.)"""

from __future__ import annotations

import sqlite3
import time
import uuid
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
