"""Secrets: the keyring interface on real backends (keyrings.alt's plaintext file, the fail
backend), the plain in-memory one, and reading a secret from standard input.

The real Secret Service (gnome-keyring-daemon) is in tests/integration/test_secret_service.py.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import select
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from pathlib import Path

import jeepney
import keyring
import keyring.backend
import keyring.backends.fail
import keyring.backends.null
import keyring.core
import keyring.errors
import pytest
import secretstorage.exceptions
from keyring.backend import KeyringBackend
from keyring.compat import properties
from keyrings.alt.file import PlaintextKeyring

from asyncdesk.core.errors import EXIT_BAD_INPUT, AsyncDeskError, BadInput
from asyncdesk.services.secrets import (
    SERVICE,
    KeyringSecrets,
    MemorySecrets,
    Secrets,
    SecretsUnavailable,
    read_secret_from_stdin,
)

SECRET = "hunter2-Zq9!unique-secret-text"
NAMESPACE = "0b5e2f8c-7a41-4d8e-9c53-2f7f0a1d6e90"


@pytest.fixture
def plaintext() -> PlaintextKeyring:
    """keyrings.alt's plaintext file, under this test's own XDG_DATA_HOME."""
    return PlaintextKeyring()


@pytest.fixture
def secrets(plaintext: PlaintextKeyring) -> KeyringSecrets:
    return KeyringSecrets(NAMESPACE, backend=plaintext)


@pytest.fixture
def restore_keyring() -> Iterator[None]:
    """Put back keyring's process-wide backend, and forget what its detection saw."""
    saved = keyring.get_keyring()
    yield
    keyring.set_keyring(saved)
    with contextlib.suppress(KeyError):
        keyring.backend.get_all_keyring.reset()  # type: ignore[attr-defined]


@pytest.fixture
def all_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    """Every logger at DEBUG, keyring's own included."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="asyncdesk")
    return caplog


def forget_keyring_choice(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make keyring detect its backend afresh, as in a new process.

    It caches its pick, and (in ``get_all_keyring``) which backends were viable when it
    first looked: a Secret Service that an earlier test ran would still be listed.
    """
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    with contextlib.suppress(KeyError):  # nothing remembered yet
        keyring.backend.get_all_keyring.reset()  # type: ignore[attr-defined]


def assert_one_line_without(error: BaseException, secret: str) -> None:
    text = str(error)
    assert "\n" not in text
    assert secret not in text
    assert secret not in repr(error)
    assert secret not in "".join(traceback.format_exception(error))
    # Raised outside the except block: nothing chained for a crash handler to print.
    assert error.__cause__ is None
    assert error.__context__ is None


# --- the keyring implementation on keyrings.alt's plaintext file -----------------------


def test_a_secret_round_trips_and_can_be_replaced(secrets: KeyringSecrets) -> None:
    assert secrets.get("work") is None
    secrets.set("work", SECRET)
    assert secrets.get("work") == SECRET
    secrets.set("work", "a newer one")
    assert secrets.get("work") == "a newer one"


def test_delete_forgets_and_is_quiet_when_nothing_is_there(
    secrets: KeyringSecrets, all_logs: pytest.LogCaptureFixture
) -> None:
    secrets.set("work", SECRET)
    secrets.set("home", "another")
    secrets.delete("work")
    assert secrets.get("work") is None
    assert secrets.get("home") == "another"
    secrets.delete("work")  # absent: no error
    secrets.delete("never-had-one")
    assert "no secret of account 'never-had-one' to delete" in all_logs.text


def test_secrets_sit_under_the_service_with_the_namespace_in_the_username(
    plaintext: PlaintextKeyring, secrets: KeyringSecrets
) -> None:
    secrets.set("work", SECRET)
    assert secrets.username("work") == f"{NAMESPACE}/work"
    assert plaintext.get_password(SERVICE, f"{NAMESPACE}/work") == SECRET
    assert plaintext.get_password(SERVICE, "work") is None


def test_two_profiles_with_the_same_account_name_do_not_clash(
    plaintext: PlaintextKeyring,
) -> None:
    first = KeyringSecrets("profile-a", backend=plaintext)
    second = KeyringSecrets("profile-b", backend=plaintext)
    first.set("work", "secret of a")
    assert second.get("work") is None
    second.set("work", "secret of b")
    assert first.get("work") == "secret of a"
    first.delete("work")
    assert first.get("work") is None
    assert second.get("work") == "secret of b"


@pytest.mark.parametrize(
    "secret",
    [
        "pässwörd-ÄÖÜß",
        "密码🔑パスワード",
        "  spaces at both ends  ",
        "ini [section] = ; # % $ { } \\ ' \"",
        "x" * 4096,
    ],
    ids=["latin", "cjk-emoji", "spaces", "ini-syntax", "long"],
)
def test_any_text_survives_the_keyring(secrets: KeyringSecrets, secret: str) -> None:
    secrets.set("work", secret)
    assert KeyringSecrets(NAMESPACE, backend=PlaintextKeyring()).get("work") == secret


def test_the_default_backend_is_the_configured_one(restore_keyring: None) -> None:
    # tests/conftest.py names keyrings.alt's plaintext file in PYTHON_KEYRING_BACKEND.
    keyring.core.init_backend()
    secrets = KeyringSecrets(NAMESPACE)
    secrets.set("work", SECRET)
    assert keyring.get_password(SERVICE, f"{NAMESPACE}/work") == SECRET
    assert secrets.get("work") == SECRET
    secrets.delete("work")
    assert keyring.get_password(SERVICE, f"{NAMESPACE}/work") is None


def test_operations_are_logged_by_account_and_the_secret_never(
    secrets: KeyringSecrets, all_logs: pytest.LogCaptureFixture
) -> None:
    secrets.set("work", SECRET)
    assert secrets.get("work") == SECRET
    secrets.delete("work")
    assert "stored the secret of account 'work'" in all_logs.text
    assert "deleted the secret of account 'work'" in all_logs.text
    assert SECRET not in all_logs.text
    assert all(SECRET not in str(record.args) for record in all_logs.records)


def test_an_empty_secret_is_bad_input_and_nothing_is_stored(secrets: KeyringSecrets) -> None:
    with pytest.raises(BadInput, match="empty password for account 'work'"):
        secrets.set("work", "")
    assert secrets.get("work") is None


@pytest.mark.parametrize("namespace", ["", "a/b", "with space", "../up", "-lead", "x" * 129])
def test_a_namespace_must_be_a_plain_identifier(namespace: str) -> None:
    with pytest.raises(ValueError, match="invalid secrets namespace"):
        KeyringSecrets(namespace)


@pytest.mark.parametrize("account", ["", "   ", "tab\there", "new\nline"])
def test_a_malformed_account_name_is_a_bug(secrets: KeyringSecrets, account: str) -> None:
    with pytest.raises(ValueError, match="invalid account name"):
        secrets.get(account)
    with pytest.raises(ValueError, match="invalid account name"):
        secrets.set(account, SECRET)


# --- no usable keyring -----------------------------------------------------------------


def _every_operation(secrets: Secrets) -> list[Callable[[], object]]:
    return [
        lambda: secrets.get("work"),
        lambda: secrets.set("work", SECRET),
        lambda: secrets.delete("work"),
    ]


def test_the_fail_backend_says_how_to_get_a_keyring(
    monkeypatch: pytest.MonkeyPatch, restore_keyring: None, all_logs: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core.init_backend()
    assert isinstance(keyring.get_keyring(), keyring.backends.fail.Keyring)
    for operation in _every_operation(KeyringSecrets(NAMESPACE)):
        with pytest.raises(SecretsUnavailable) as caught:
            operation()
        error = caught.value
        assert error.exit_code == EXIT_BAD_INPUT == 2
        assert isinstance(error, AsyncDeskError)
        assert "no usable system keyring (keyring found only its fail backend)" in str(error)
        assert "GNOME Keyring" in str(error)
        assert "PYTHON_KEYRING_BACKEND" in str(error)
        assert "passwords are never stored elsewhere" in str(error)
        assert_one_line_without(error, SECRET)
    assert SECRET not in all_logs.text


def test_an_injected_fail_backend_is_refused_too() -> None:
    for operation in _every_operation(
        KeyringSecrets(NAMESPACE, backend=keyring.backends.fail.Keyring())
    ):
        with pytest.raises(SecretsUnavailable, match="no usable system keyring") as caught:
            operation()
        assert_one_line_without(caught.value, SECRET)


def test_the_null_backend_is_refused_rather_than_dropping_the_secret() -> None:
    secrets = KeyringSecrets(NAMESPACE, backend=keyring.backends.null.Keyring())
    with pytest.raises(SecretsUnavailable, match="the keyring is disabled") as caught:
        secrets.set("work", SECRET)
    assert_one_line_without(caught.value, SECRET)


def test_an_unrecommended_backend_picked_by_detection_is_refused(
    monkeypatch: pytest.MonkeyPatch, restore_keyring: None
) -> None:
    # No Secret Service on the tests' private bus: keyring's own detection falls back to
    # keyrings.alt's plaintext file, which it does not recommend. A file is not a keyring.
    monkeypatch.delenv("PYTHON_KEYRING_BACKEND")
    forget_keyring_choice(monkeypatch)
    with pytest.raises(SecretsUnavailable, match="which it does not recommend") as caught:
        KeyringSecrets(NAMESPACE).set("work", SECRET)
    # keyrings.alt's plaintext file alone, or chained with its encrypted file (viable
    # when pycryptodome is installed, as matrix-nio does): neither is a keyring.
    assert "keyring found only " in str(caught.value)
    assert "keyrings.alt.file.PlaintextKeyring" in str(caught.value)
    picked = keyring.get_keyring()
    chained = getattr(picked, "backends", [picked])
    assert any(isinstance(one, PlaintextKeyring) for one in chained)
    assert_one_line_without(caught.value, SECRET)
    assert not list(Path(os.environ["XDG_DATA_HOME"]).rglob("*.cfg"))


def test_a_backend_that_cannot_load_is_reported(
    monkeypatch: pytest.MonkeyPatch, restore_keyring: None
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "asyncdesk_no_such_module.Keyring")
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    with pytest.raises(SecretsUnavailable, match="backend cannot be loaded") as caught:
        KeyringSecrets(NAMESPACE).get("work")
    assert "ModuleNotFoundError" in str(caught.value)
    assert_one_line_without(caught.value, SECRET)


def test_a_keyring_that_appears_later_is_found_without_a_restart(
    monkeypatch: pytest.MonkeyPatch, restore_keyring: None
) -> None:
    keyring.set_keyring(keyring.backends.fail.Keyring())  # what keyring cached at start
    secrets = KeyringSecrets(NAMESPACE)
    secrets.set("work", SECRET)  # PYTHON_KEYRING_BACKEND still names the plaintext file
    assert secrets.get("work") == SECRET


# --- backend errors: translated, the secret never in the text --------------------------


class EchoingKeyring(KeyringBackend):
    """A backend whose errors quote their arguments, as some D-Bus errors do.

    The one stand-in here: no real backend can be made to echo the secret on demand.
    Its priority raises, so keyring's detection never picks it.
    """

    def __init__(self, make_error: Callable[[str], Exception], stored: str) -> None:
        super().__init__()
        self.make_error = make_error
        self.stored = stored

    @properties.classproperty
    def priority(cls) -> float:
        raise RuntimeError("only for tests")

    def get_password(self, service: str, username: str) -> str | None:
        raise self.make_error(f"cannot read {service} {username}: it was {self.stored}")

    def set_password(self, service: str, username: str, password: str) -> None:
        raise self.make_error(f"cannot store {service} {username} {password!r}")

    def delete_password(self, service: str, username: str) -> None:
        raise self.make_error(f"cannot delete {username} holding {self.stored}")


def _dbus_error(text: str) -> Exception:
    call = jeepney.new_method_call(
        jeepney.DBusAddress(
            "/org/freedesktop/secrets",
            bus_name="org.freedesktop.secrets",
            interface="org.freedesktop.Secret.Service",
        ),
        "CreateItem",
    )
    reply = jeepney.new_error(call, "org.freedesktop.DBus.Error.InvalidArgs", "s", (text,))
    return jeepney.DBusErrorResponse(reply)


@pytest.mark.parametrize(
    ("make_error", "says"),
    [
        (keyring.errors.NoKeyringError, "no usable system keyring"),
        (keyring.errors.PasswordSetError, "the system keyring failed (PasswordSetError)"),
        (keyring.errors.PasswordDeleteError, "the system keyring failed (PasswordDeleteError)"),
        (keyring.errors.KeyringLocked, "the system keyring is locked (KeyringLocked): unlock it"),
        (keyring.errors.InitError, "cannot be reached (InitError)"),
        (secretstorage.exceptions.LockedException, "is locked (LockedException)"),
        (
            secretstorage.exceptions.SecretServiceNotAvailableException,
            "cannot be reached (SecretServiceNotAvailableException)",
        ),
        (_dbus_error, "cannot be reached (DBusErrorResponse)"),
        (ConnectionRefusedError, "cannot be reached (ConnectionRefusedError)"),
        (ValueError, "the system keyring failed (ValueError)"),
    ],
    ids=lambda value: getattr(value, "__name__", None),
)
def test_backend_errors_become_one_line_without_the_secret(
    make_error: Callable[[str], Exception], says: str, all_logs: pytest.LogCaptureFixture
) -> None:
    assert SECRET in str(make_error(SECRET))  # the backend's own text would leak it
    secrets = KeyringSecrets(NAMESPACE, backend=EchoingKeyring(make_error, stored=SECRET))
    for operation, verb in zip(_every_operation(secrets), ["read", "store", "delete"], strict=True):
        with pytest.raises(SecretsUnavailable) as caught:
            operation()
        assert str(caught.value).startswith(f"cannot {verb} the password of account 'work': ")
        assert says in str(caught.value)
        assert caught.value.exit_code == 2
        assert_one_line_without(caught.value, SECRET)
    assert SECRET not in all_logs.text
    assert all(SECRET not in str(record.args) for record in all_logs.records)
    assert "failed: " in all_logs.text  # the types of the chain are logged, at DEBUG


# --- the plain implementation ------------------------------------------------------------


def test_memory_secrets_behave_like_the_keyring() -> None:
    secrets: Secrets = MemorySecrets({"home": "x"})
    assert secrets.get("work") is None
    secrets.set("work", SECRET)
    assert secrets.get("work") == SECRET
    secrets.delete("work")
    secrets.delete("work")
    assert secrets.get("work") is None
    with pytest.raises(BadInput):
        secrets.set("work", "")
    with pytest.raises(ValueError, match="invalid account name"):
        secrets.get("")


def test_memory_secrets_show_accounts_but_never_secrets() -> None:
    secrets = MemorySecrets({"work": SECRET})
    assert secrets.accounts() == ["work"]
    assert repr(secrets) == "MemorySecrets(accounts=['work'])"
    assert SECRET not in repr(secrets)
    assert SECRET not in repr(KeyringSecrets(NAMESPACE))


# --- --password-stdin ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "secret"),
    [
        ("hunter2\n", "hunter2"),
        ("hunter2", "hunter2"),
        ("dos line\r\n", "dos line"),
        ("  spaces stay  \n", "  spaces stay  "),
        ("tab\tinside\n", "tab\tinside"),
        ("pässwörd 🔑\n", "pässwörd 🔑"),
    ],
)
def test_one_line_is_read_and_only_its_line_ending_removed(given: str, secret: str) -> None:
    assert read_secret_from_stdin(io.StringIO(given), prompt=False) == secret


def test_only_the_first_line_is_read() -> None:
    stream = io.StringIO("first\nsecond\n")
    assert read_secret_from_stdin(stream, prompt=False) == "first"
    assert stream.read() == "second\n"


@pytest.mark.parametrize("given", ["", "\n", "\r\n"])
def test_an_empty_secret_on_stdin_is_bad_input(given: str) -> None:
    with pytest.raises(BadInput) as caught:
        read_secret_from_stdin(io.StringIO(given), prompt=False, what="token")
    assert str(caught.value) == "empty token on standard input: nothing stored"
    assert caught.value.exit_code == 2


def test_undecodable_stdin_is_bad_input_without_its_bytes() -> None:
    stream = io.TextIOWrapper(io.BytesIO(b"caf\xe9-" + SECRET.encode() + b"\n"), encoding="utf-8")
    with pytest.raises(BadInput, match="not valid text") as caught:
        read_secret_from_stdin(stream, prompt=False)
    assert_one_line_without(caught.value, SECRET)


_PROMPT_SCRIPT = """
import os, sys
# A session leader that opens a terminal without O_NOCTTY makes it its controlling
# terminal: /dev/tty, where getpass reads, is then the pty the test drives.
os.close(os.open(os.ttyname(0), os.O_RDWR))
from asyncdesk.core.errors import BadInput
from asyncdesk.services.secrets import read_secret_from_stdin
try:
    secret = read_secret_from_stdin(sys.stdin, prompt=True)
except BadInput as error:
    print("BadInput:", error, file=sys.stderr)
    sys.exit(2)
print(repr(secret), file=sys.stderr)
"""


def _type_at_the_prompt(keys: bytes) -> tuple[int, str, str]:
    """Run the prompt in a child on a new pty; type ``keys`` once it asks.

    Returns the exit code, what the terminal showed, and the child's stderr.
    """
    master, slave = os.openpty()
    child = subprocess.Popen(
        [sys.executable, "-c", _PROMPT_SCRIPT],
        stdin=slave,
        stdout=slave,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    os.close(slave)
    shown = b""
    try:
        deadline = time.monotonic() + 30
        while b"Password: " not in shown:
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no prompt; the terminal showed {shown!r}"
            ready, _, _ = select.select([master], [], [], remaining)
            if ready:
                try:
                    shown += os.read(master, 1024)
                except OSError:  # EIO: the child is gone already
                    _, err = child.communicate(timeout=30)
                    pytest.fail(f"the child ended before its prompt: {err.decode()}")
        os.write(master, keys)
        _, err = child.communicate(timeout=30)
        while select.select([master], [], [], 0)[0]:
            try:
                chunk = os.read(master, 1024)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            shown += chunk
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        os.close(master)
    return child.returncode, shown.decode(errors="replace"), err.decode()


def test_on_a_terminal_the_secret_is_typed_without_echo() -> None:
    code, shown, err = _type_at_the_prompt(SECRET.encode() + b"\n")
    assert (code, err.strip()) == (0, repr(SECRET))
    assert "Password: " in shown
    assert SECRET not in shown


def test_nothing_typed_at_the_prompt_is_bad_input() -> None:
    code, _, err = _type_at_the_prompt(b"\x04")  # Ctrl-D
    assert (code, err.strip()) == (2, "BadInput: no password typed: nothing stored")
