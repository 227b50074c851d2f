"""One running app per profile: real local sockets, in one process and across processes.

Two :class:`SingleInstance` objects in this process meet on one key exactly as two
processes would (a local connection needs no event loop to be accepted). The end-to-end
tests start real child processes with a tiny ``python -c`` script, and one kills the
first instance with SIGKILL to leave its socket behind, as a crash would.
"""

from __future__ import annotations

import logging
import select
import socket
import struct
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QDir
from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from asyncdesk.ui import app, single_instance
from asyncdesk.ui.single_instance import APP_ID, RAISE, SingleInstance, instance_key

posix_only = pytest.mark.skipif(
    sys.platform == "win32", reason="Unix domain sockets and SIGKILL (named pipes on Windows)"
)

# Claims, and prints "first" then every message it gets; or "second" and sends argv[2].
_CHILD = r"""
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication

from asyncdesk.ui.single_instance import SingleInstance

app = QCoreApplication(sys.argv[:1])
instance = SingleInstance(Path(sys.argv[1]))
if instance.claim():
    print("first", flush=True)
    instance.message_received.connect(lambda message: print(message, flush=True))
    sys.exit(app.exec())
print("second", flush=True)
sys.exit(0 if instance.notify_first(sys.argv[2]) else 1)
"""


def _child_args(profile: Path, message: str = RAISE) -> list[str]:
    return [sys.executable, "-c", _CHILD, str(profile), message]


def _run_child(profile: Path, message: str = RAISE) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        _child_args(profile, message), capture_output=True, text=True, timeout=60, check=False
    )


def _read_line(process: subprocess.Popen[str], timeout: float = 30) -> str:
    """The child's next line of stdout, failing (not hanging) after ``timeout`` s."""
    assert process.stdout is not None
    ready, _, _ = select.select([process.stdout], [], [], timeout)
    assert ready, "the child said nothing"
    return process.stdout.readline().strip()


@pytest.fixture
def profile(tmp_path: Path) -> Path:
    root = tmp_path / "profile"
    root.mkdir()
    return root


@pytest.fixture
def instances() -> Iterator[Callable[[Path], SingleInstance]]:
    """``make(profile)`` → a :class:`SingleInstance`, closed at teardown."""
    made: list[SingleInstance] = []

    def make(root: Path) -> SingleInstance:
        instance = SingleInstance(root)
        made.append(instance)
        return instance

    yield make
    for instance in made:
        instance.close()


@pytest.fixture
def children() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """``start(profile, message)`` → a running child process, killed at teardown."""
    started: list[subprocess.Popen[str]] = []

    def start(root: Path, message: str = RAISE) -> subprocess.Popen[str]:
        process = subprocess.Popen(
            _child_args(root, message), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=30)


def _socket_path(key: str) -> Path:
    return Path(QDir.tempPath()) / key


# -- the key ------------------------------------------------------------------------------


def test_the_app_id_is_the_desktop_file_name() -> None:
    assert APP_ID == app.DESKTOP_FILE_NAME


def test_one_profile_gives_one_key_however_it_is_spelled(tmp_path: Path) -> None:
    root = tmp_path / "profile"
    root.mkdir()
    (tmp_path / "link").symlink_to(root, target_is_directory=True)
    key = instance_key(root)
    assert instance_key(tmp_path / "link") == key
    assert instance_key(tmp_path / "profile" / ".." / "profile") == key
    assert instance_key(tmp_path / "other") != key
    assert key.startswith(f"{APP_ID}-")


def test_the_key_names_the_user_and_differs_between_users(profile: Path) -> None:
    ada = instance_key(profile, user="ada")
    assert ada.startswith(f"{APP_ID}-ada-")
    assert instance_key(profile, user="grace") != ada
    # Anything that cannot be in a socket name is replaced; the name stays short.
    odd = instance_key(profile, user="DOMAIN\\a very/long user name indeed")
    assert odd.startswith(f"{APP_ID}-DOMAIN_a_very_lo-")
    assert len(odd) <= len(APP_ID) + 1 + 16 + 1 + 16
    assert "/" not in odd


# -- two instances in one process ----------------------------------------------------------


def test_the_first_claims_the_second_hands_its_message_over(
    qtbot: QtBot, profile: Path, instances: Callable[[Path], SingleInstance]
) -> None:
    first = instances(profile)
    assert first.claim()
    assert first.is_first
    assert first.claim()  # claiming again changes nothing
    assert _socket_path(first.key).exists()

    second = instances(profile / ".." / profile.name)
    assert not second.claim()
    assert not second.is_first
    with qtbot.waitSignal(first.message_received, timeout=5000) as received:
        assert second.notify_first("mailto:ada@analytical.example?subject=Hello%20%E2%9C%93")
    assert received.args == ["mailto:ada@analytical.example?subject=Hello%20%E2%9C%93"]
    assert not second.notify_first()  # one message per claim
    with pytest.raises(ValueError, match="at most"):
        second.notify_first("x" * (single_instance.MAX_MESSAGE_BYTES + 1))

    with pytest.raises(RuntimeError, match="first instance"):
        first.notify_first()


def test_several_later_starts_each_deliver_their_message_in_order(
    qtbot: QtBot, profile: Path, instances: Callable[[Path], SingleInstance]
) -> None:
    first = instances(profile)
    assert first.claim()
    received: list[str] = []
    first.message_received.connect(received.append)
    for number in range(3):
        later = instances(profile)
        assert not later.claim()
        assert later.notify_first(f"raise {number} " + "x" * 20_000 * number)
    qtbot.waitUntil(lambda: len(received) == 3, timeout=5000)
    assert [message.split(" ")[:2] for message in received] == [
        ["raise", "0"],
        ["raise", "1"],
        ["raise", "2"],
    ]
    assert len(received[2]) == len("raise 2 ") + 40_000


def test_other_profiles_run_side_by_side(
    tmp_path: Path, instances: Callable[[Path], SingleInstance]
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    assert instances(tmp_path / "a").claim()
    assert instances(tmp_path / "b").claim()


def test_closing_gives_the_claim_up(
    profile: Path, instances: Callable[[Path], SingleInstance]
) -> None:
    first = instances(profile)
    assert first.claim()
    first.close()
    assert not first.is_first
    assert not _socket_path(first.key).exists()
    assert instances(profile).claim()
    first.close()  # twice is harmless


@posix_only
def test_a_stale_socket_left_by_a_crash_is_removed_and_claimed(
    profile: Path, instances: Callable[[Path], SingleInstance], caplog: pytest.LogCaptureFixture
) -> None:
    key = instance_key(profile)
    # What a killed instance leaves: the socket file, with nobody listening on it.
    stale = socket.socket(socket.AF_UNIX)
    stale.bind(str(_socket_path(key)))
    stale.close()
    assert _socket_path(key).exists()

    first = instances(profile)
    assert first.claim()
    assert "taking over the stale instance socket" in caplog.text
    assert not instances(profile).claim()  # and it really listens now


def test_a_malformed_or_silent_connection_is_dropped_without_a_message(
    qtbot: QtBot,
    profile: Path,
    instances: Callable[[Path], SingleInstance],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setattr(single_instance, "READ_TIMEOUT_MS", 200)
    first = instances(profile)
    assert first.claim()
    received: list[str] = []
    first.message_received.connect(received.append)

    too_long = QLocalSocket()
    too_long.connectToServer(first.key)
    assert too_long.waitForConnected(1000)
    too_long.write(struct.pack(">I", single_instance.MAX_MESSAGE_BYTES + 1))
    assert too_long.waitForBytesWritten(1000)
    silent = QLocalSocket()
    silent.connectToServer(first.key)
    assert silent.waitForConnected(1000)

    qtbot.waitUntil(lambda: too_long.state() == QLocalSocket.LocalSocketState.UnconnectedState)
    qtbot.waitUntil(lambda: silent.state() == QLocalSocket.LocalSocketState.UnconnectedState)
    assert received == []
    assert "ignoring an instance message of 65537 bytes" in caplog.text
    assert "sent nothing whole" in caplog.text
    # It still serves the next start.
    later = instances(profile)
    assert not later.claim()
    with qtbot.waitSignal(first.message_received, timeout=5000):
        later.notify_first()


def test_raise_brings_the_window_to_the_front(
    qtbot: QtBot, profile: Path, instances: Callable[[Path], SingleInstance]
) -> None:
    window = QWidget()
    qtbot.addWidget(window)
    first = instances(profile)
    assert first.claim()
    first.raise_on_message(window)
    later = instances(profile)
    assert not later.claim()
    later.notify_first("mailto:grace@navy.example")  # not for the window
    other = instances(profile)
    assert not other.claim()
    with qtbot.waitSignals([first.message_received] * 2, timeout=5000):
        other.notify_first(RAISE)
    qtbot.waitUntil(window.isVisible, timeout=5000)


# -- real second processes ---------------------------------------------------------------


def test_a_second_process_hands_over_and_exits_zero(
    qtbot: QtBot, profile: Path, instances: Callable[[Path], SingleInstance]
) -> None:
    first = instances(profile)
    assert first.claim()
    with qtbot.waitSignal(first.message_received, timeout=30_000) as received:
        done = _run_child(profile, "mailto:kj@nasa.example")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "second\n"
    assert received.args == ["mailto:kj@nasa.example"]
    assert done.stderr == ""


@posix_only
def test_after_kill_9_of_the_first_process_the_next_start_claims_the_profile(
    qtbot: QtBot,
    profile: Path,
    instances: Callable[[Path], SingleInstance],
    children: Callable[..., subprocess.Popen[str]],
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="asyncdesk")
    crashing = children(profile)
    assert _read_line(crashing) == "first"

    # While it runs, this process is the second: its message reaches the child.
    second = instances(profile)
    assert not second.claim()
    assert second.notify_first(RAISE)
    assert _read_line(crashing) == RAISE

    crashing.kill()  # SIGKILL: no clean-up of any kind
    crashing.wait(timeout=30)
    assert crashing.returncode == -9
    assert _socket_path(instance_key(profile)).exists()  # left behind

    first = instances(profile)
    assert first.claim()
    assert "taking over the stale instance socket" in caplog.text
    # And the next process finds this one running.
    with qtbot.waitSignal(first.message_received, timeout=30_000) as received:
        done = _run_child(profile, RAISE)
    assert done.stdout == "second\n"
    assert done.returncode == 0, done.stderr
    assert received.args == [RAISE]
