"""Secrets on the real Secret Service: gnome-keyring-daemon on the tests' private bus.

Each test gets its own daemon (start and stop take about 20 ms) with its own keyring
files, unlocked by a password given on its standard input. The daemon's environment has
no DISPLAY: with one, a locked keyring would wait behind a password prompt (TESTING.md).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backend
import keyring.core
import pytest
import secretstorage
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
from keyring.backends.SecretService import Keyring as SecretServiceKeyring

from asyncdesk.services.secrets import SERVICE, KeyringSecrets, SecretsUnavailable

BUS_NAME = "org.freedesktop.secrets"
UNLOCK_PASSWORD = b"unlock-the-test-keyring"
SECRET = "hunter2-Zq9!unique-secret-text"
NAMESPACE = "0b5e2f8c-7a41-4d8e-9c53-2f7f0a1d6e90"
DAEMON = shutil.which("gnome-keyring-daemon")
GDBUS = shutil.which("gdbus")
# keyring 25.7's Secret Service backend leaves its D-Bus connection open when the
# collection is locked or gone; KeyringSecrets collects it at once, which closes the
# socket with this warning (jaraco/keyring#380 reported the leak; its error paths remain).
LEAKED_CONNECTION = pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning")

pytestmark = pytest.mark.skipif(
    DAEMON is None or GDBUS is None,
    reason="needs gnome-keyring-daemon and gdbus (scripts/test installs gnome-keyring)",
)


def _name_has_owner() -> bool:
    with open_dbus_connection(bus="SESSION") as connection:
        reply = connection.send_and_get_reply(message_bus.NameHasOwner(BUS_NAME), timeout=5)
    return bool(reply.body[0])


@dataclass
class SecretService:
    """A running gnome-keyring-daemon and the files it keeps."""

    process: subprocess.Popen[bytes]
    root: Path

    def log(self) -> str:
        return (self.root / "daemon.log").read_text(encoding="utf-8", errors="replace")

    def stop(self) -> None:
        """Stop the daemon and wait until its name has left the bus.

        The next daemon could not take the name while the old owner holds it, and
        ``gdbus wait`` would return at once for the wrong one.
        """
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _name_has_owner():
            assert time.monotonic() < deadline, f"{BUS_NAME} still owned after the daemon ended"
            time.sleep(0.01)


@contextmanager
def secret_service() -> Iterator[SecretService]:
    assert DAEMON is not None
    assert GDBUS is not None
    assert not _name_has_owner(), f"something else owns {BUS_NAME} on the tests' bus"
    # Not tmp_path: the daemon's control socket lives under XDG_RUNTIME_DIR, and a unix
    # socket path must stay under 108 bytes.
    with tempfile.TemporaryDirectory(prefix="asyncdesk-gk-") as name:
        root = Path(name)
        data, runtime = root / "data", root / "run"
        data.mkdir(mode=0o700)
        runtime.mkdir(mode=0o700)
        env = {k: v for k, v in os.environ.items() if k not in {"DISPLAY", "WAYLAND_DISPLAY"}}
        env.update(XDG_DATA_HOME=str(data), XDG_RUNTIME_DIR=str(runtime))
        with open(root / "daemon.log", "wb") as log:
            process = subprocess.Popen(
                [DAEMON, "--foreground", "--unlock", "--components=secrets"],
                stdin=subprocess.PIPE,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
            )
        service = SecretService(process, root)
        try:
            assert process.stdin is not None
            # --unlock reads the password to end of input; with a fresh XDG_DATA_HOME it
            # creates the "login" keyring with it, unlocked, as the default collection.
            process.stdin.write(UNLOCK_PASSWORD)
            process.stdin.close()
            waited = subprocess.run(
                [GDBUS, "wait", "--session", "--timeout", "10", BUS_NAME],
                capture_output=True,
                timeout=30,
                check=False,
            )
            assert waited.returncode == 0, f"no {BUS_NAME} on the bus: {service.log()}"
            yield service
        finally:
            service.stop()


@pytest.fixture
def daemon() -> Iterator[SecretService]:
    with secret_service() as service:
        yield service


def forget_keyring_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make keyring detect its backend afresh, as in a new process.

    It caches its pick, and (in ``get_all_keyring``) which backends were viable when it
    first looked: a Secret Service that was not running then would never be considered.
    """
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    with suppress(KeyError):  # nothing remembered yet
        keyring.backend.get_all_keyring.reset()  # type: ignore[attr-defined]


@pytest.fixture
def restore_keyring() -> Iterator[None]:
    """Put back keyring's process-wide backend, and forget what its detection saw."""
    saved = keyring.get_keyring()
    yield
    keyring.set_keyring(saved)
    with suppress(KeyError):
        keyring.backend.get_all_keyring.reset()  # type: ignore[attr-defined]


def test_a_secret_round_trips_through_gnome_keyring(daemon: SecretService) -> None:
    secrets = KeyringSecrets(NAMESPACE, backend=SecretServiceKeyring())
    assert secrets.get("work") is None
    secrets.set("work", SECRET)
    assert secrets.get("work") == SECRET
    secrets.set("work", "pässwörd 密码 🔑  ")
    assert secrets.get("work") == "pässwörd 密码 🔑  "
    secrets.delete("work")
    assert secrets.get("work") is None
    secrets.delete("work")  # absent: no error


def test_items_are_filed_under_the_service_and_the_namespaced_username(
    daemon: SecretService,
) -> None:
    backend = SecretServiceKeyring()
    first = KeyringSecrets("profile-a", backend=backend)
    second = KeyringSecrets("profile-b", backend=backend)
    first.set("work", "secret of a")
    second.set("work", "secret of b")
    with closing(secretstorage.dbus_init()) as connection:
        collection = secretstorage.get_default_collection(connection)
        items = list(collection.search_items({"service": SERVICE}))
        found = {item.get_attributes()["username"]: item.get_secret() for item in items}
        labels = sorted(item.get_label() for item in items)
    assert found == {"profile-a/work": b"secret of a", "profile-b/work": b"secret of b"}
    assert labels == [
        "Password for 'profile-a/work' on 'AsyncDesk'",
        "Password for 'profile-b/work' on 'AsyncDesk'",
    ]
    first.delete("work")
    assert second.get("work") == "secret of b"


def test_keyrings_own_detection_finds_the_secret_service(
    daemon: SecretService, monkeypatch: pytest.MonkeyPatch, restore_keyring: None
) -> None:
    # What a desktop session sees: nothing configured, the Secret Service on the bus.
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    forget_keyring_choice(monkeypatch)
    secrets = KeyringSecrets(NAMESPACE)
    secrets.set("work", SECRET)
    assert SecretServiceKeyring().get_password(SERVICE, f"{NAMESPACE}/work") == SECRET
    assert secrets.get("work") == SECRET


def test_a_keyring_started_after_the_app_is_found_without_a_restart(
    monkeypatch: pytest.MonkeyPatch, restore_keyring: None
) -> None:
    # A fresh process whose first keyring call comes before the session's keyring is up.
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    forget_keyring_choice(monkeypatch)
    secrets = KeyringSecrets(NAMESPACE)
    with pytest.raises(SecretsUnavailable, match="no usable system keyring"):
        secrets.set("work", SECRET)
    with secret_service():
        secrets.set("work", SECRET)
        assert SecretServiceKeyring().get_password(SERVICE, f"{NAMESPACE}/work") == SECRET


@LEAKED_CONNECTION
def test_a_locked_keyring_says_to_unlock_it(daemon: SecretService) -> None:
    secrets = KeyringSecrets(NAMESPACE, backend=SecretServiceKeyring())
    secrets.set("work", SECRET)
    with closing(secretstorage.dbus_init()) as connection:
        secretstorage.get_default_collection(connection).lock()
    # Unlocking needs a prompt; the private bus has no prompter, so it is dismissed.
    for operation in (
        lambda: secrets.get("work"),
        lambda: secrets.set("work", SECRET),
        lambda: secrets.delete("work"),
    ):
        with pytest.raises(SecretsUnavailable) as caught:
            operation()
        message = str(caught.value)
        assert "the system keyring is locked (KeyringLocked): unlock it" in message
        assert "\n" not in message
        assert SECRET not in message
        assert caught.value.exit_code == 2
    assert "couldn't create system prompt" in daemon.log()


@LEAKED_CONNECTION
def test_a_keyring_that_went_away_is_reported(daemon: SecretService) -> None:
    secrets = KeyringSecrets(NAMESPACE, backend=SecretServiceKeyring())
    secrets.set("work", SECRET)
    daemon.stop()
    with pytest.raises(SecretsUnavailable) as caught:
        secrets.get("work")
    assert str(caught.value) == (
        "cannot read the password of account 'work': the system keyring cannot be reached "
        "(InitError): start your desktop's keyring (GNOME Keyring, KWallet) or set "
        "PYTHON_KEYRING_BACKEND; passwords are never stored elsewhere"
    )
    with pytest.raises(SecretsUnavailable, match="cannot be reached") as caught:
        secrets.set("work", SECRET)
    assert SECRET not in str(caught.value)
