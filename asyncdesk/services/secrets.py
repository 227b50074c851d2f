"""Passwords and tokens: one small interface, backed by the system keyring.

Secrets live only in the system keyring (GNOME Keyring, KWallet, macOS Keychain, the
Windows Credential Locker, through the ``keyring`` package); never in the database, the
config, a log, argv or the text of an exception. This module is the only one that talks
to ``keyring``. Trojitá's PasswordPlugin is the model: one interface (:class:`Secrets`:
get / set / delete), a keychain implementation (:class:`KeyringSecrets`) and a plain one
(:class:`MemorySecrets`, for tests of other layers and for runs without a keyring).

Edge translation (STYLE.md habit 4): every failure of the keyring or of the D-Bus below
it (``keyring.errors.*``, ``secretstorage``, ``jeepney``, ``dbus``, an ``OSError``)
leaves this module as :class:`SecretsUnavailable`, whose one-line message names the
account, the operation and what the user can do, plus the backend's exception *type*.
The backend's own message is neither shown nor logged (only the types along its chain
go to the DEBUG log): some backends echo their arguments, the secret among them. The
translated error is raised outside the ``except`` block, so it carries no
``__context__`` or ``__cause__`` (nor traceback frames holding the secret) for a crash
handler to print. Account names and operations are logged; secrets never are.

Threads: :class:`KeyringSecrets` blocks on D-Bus round trips, and the Secret Service
may show an unlock prompt and wait for the user; call it from a worker, never from the
GUI thread. It keeps no state of its own, so any thread may call it (keyring's
process-wide choice of backend is redone only when the one it holds is unusable).
"""

from __future__ import annotations

import contextlib
import gc
import getpass
import logging
import os
import re
from collections.abc import Callable, Mapping
from typing import Protocol, TextIO, TypeVar

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.core
import keyring.errors
import keyring.util.platform_
from keyring.backend import KeyringBackend

from asyncdesk.core.errors import EXIT_BAD_INPUT, AsyncDeskError, BadInput

log = logging.getLogger(__name__)

T = TypeVar("T")

SERVICE = "AsyncDesk"
"""The keyring's service name for every AsyncDesk secret (what Seahorse shows)."""

_NAMESPACE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$")
_SEPARATOR = "/"  # never in a namespace, so "namespace/account" splits one way only
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

_NEVER_ELSEWHERE = "passwords are never stored elsewhere"
_NO_KEYRING = (
    "start your desktop's keyring (GNOME Keyring, KWallet) or set PYTHON_KEYRING_BACKEND; "
    + _NEVER_ELSEWHERE
)
# Modules whose exceptions mean "the D-Bus below the keyring failed".
_DBUS_MODULES = ("secretstorage", "jeepney", "dbus")
# secretstorage's names for "locked" and "the user dismissed the unlock prompt".
_LOCKED = {"LockedException", "PromptDismissedException"}


class SecretsUnavailable(AsyncDeskError):
    """The system keyring cannot be used right now: absent, locked, or it failed.

    The message is one line that says what to do; it never contains a secret.
    """

    exit_code = EXIT_BAD_INPUT


class Secrets(Protocol):
    """Where an account's password or token lives, looked up by account name.

    Every call may block (see the module docstring) and raises
    :class:`SecretsUnavailable` when the store behind it cannot be used.
    """

    def get(self, account: str) -> str | None:
        """The secret of ``account``, or ``None`` when none is stored."""
        ...

    def set(self, account: str, secret: str) -> None:
        """Store (or replace) the secret of ``account``; an empty secret is :class:`BadInput`."""
        ...

    def delete(self, account: str) -> None:
        """Forget the secret of ``account``; no error when there is none."""
        ...


def _check_account(account: str) -> str:
    # Account names reach here from our own code (the CLI checks the user's spelling
    # with core.accounts.check_account_name), so a bad one is a bug, not bad input.
    if not isinstance(account, str) or not account.strip() or _CONTROL.search(account):
        raise ValueError(f"invalid account name for a secret: {account!r}")
    return account


def _check_secret(account: str, secret: str) -> str:
    if not isinstance(secret, str):
        raise TypeError(f"the secret of account {account!r} must be a str")
    if not secret:
        raise BadInput(f"empty password for account {account!r}: nothing stored")
    return secret


class MemorySecrets:
    """Secrets in a dict: the plain implementation, for tests and keyring-less runs.

    Nothing is written anywhere; everything is forgotten when the object goes. It
    checks its arguments as :class:`KeyringSecrets` does, so code tested against it
    behaves the same on the real keyring. Its ``repr`` shows account names only.
    """

    def __init__(self, initial: Mapping[str, str] | None = None) -> None:
        self._secrets: dict[str, str] = {}
        for account, secret in (initial or {}).items():
            self.set(account, secret)

    def get(self, account: str) -> str | None:
        return self._secrets.get(_check_account(account))

    def set(self, account: str, secret: str) -> None:
        self._secrets[_check_account(account)] = _check_secret(account, secret)

    def delete(self, account: str) -> None:
        self._secrets.pop(_check_account(account), None)

    def accounts(self) -> list[str]:
        """The accounts that have a secret, sorted (for tests' assertions)."""
        return sorted(self._secrets)

    def __repr__(self) -> str:
        return f"MemorySecrets(accounts={self.accounts()!r})"


class KeyringSecrets:
    """Secrets in the system keyring, through the ``keyring`` package.

    Each secret is stored under service :data:`SERVICE` (``"AsyncDesk"``) with the
    username ``"<namespace>/<account>"``. ``namespace`` must be a stable identifier of
    the profile (the caller keeps one, e.g. a random UUID saved in the profile when it
    is created), so that two profiles with an account of the same name never read or
    overwrite each other's secret. It is 1-128 letters, digits, ``.``, ``_`` or ``-``.

    ``backend`` is the keyring backend to use; by default the one ``keyring`` picks for
    this machine (``keyring.get_keyring()``, honouring ``PYTHON_KEYRING_BACKEND`` and
    ``keyringrc.cfg``), looked up at each call. Refused with :class:`SecretsUnavailable`:
    the fail backend (no keyring found), the null backend (keyring disabled: it would
    drop passwords silently) and, unless the user named it, a backend ``keyring`` does
    not recommend (keyrings.alt's plaintext file, picked when no desktop keyring runs).
    An injected ``backend`` is taken as chosen.
    """

    def __init__(self, namespace: str, *, backend: KeyringBackend | None = None) -> None:
        if not isinstance(namespace, str) or not _NAMESPACE.match(namespace):
            raise ValueError(
                f"invalid secrets namespace {namespace!r}: use 1-128 letters, digits, "
                "'.', '_' or '-' (a stable id of the profile)"
            )
        self.namespace = namespace
        self._backend = backend

    def __repr__(self) -> str:
        return f"KeyringSecrets(namespace={self.namespace!r})"

    def username(self, account: str) -> str:
        """The keyring username that holds ``account``'s secret."""
        return f"{self.namespace}{_SEPARATOR}{_check_account(account)}"

    def get(self, account: str) -> str | None:
        username = self.username(account)
        secret = self._call(
            account, "read", lambda backend: backend.get_password(SERVICE, username)
        )
        log.debug(
            "keyring: the secret of account %r is %s", account, "present" if secret else "absent"
        )
        return secret

    def set(self, account: str, secret: str) -> None:
        username = self.username(account)
        _check_secret(account, secret)

        def store(backend: KeyringBackend) -> str:
            backend.set_password(SERVICE, username, secret)
            return _backend_name(backend)

        backend_name = self._call(account, "store", store)
        log.info("keyring: stored the secret of account %r (%s)", account, backend_name)

    def delete(self, account: str) -> None:
        username = self.username(account)

        def delete(backend: KeyringBackend) -> bool:
            try:
                backend.delete_password(SERVICE, username)
            except keyring.errors.PasswordDeleteError:
                # Backends say "no such password" with this error, and real failures too:
                # an absent secret is no error, anything else is.
                if backend.get_password(SERVICE, username) is not None:
                    raise
                return False
            return True

        if self._call(account, "delete", delete):
            log.info("keyring: deleted the secret of account %r", account)
        else:
            log.debug("keyring: no secret of account %r to delete", account)

    def _call(self, account: str, operation: str, action: Callable[[KeyringBackend], T]) -> T:
        """``action`` on the backend, every failure translated to :class:`SecretsUnavailable`.

        A backend's exception is translated inside the ``except`` block and raised after
        it, so the error chains to nothing.
        """
        failure: SecretsUnavailable
        try:
            return action(self._resolve(account, operation))
        except SecretsUnavailable:
            raise  # ours (a refused backend), already chained to nothing
        except Exception as exc:
            failure = _translate(exc, account, operation)
        # keyring's Secret Service backend (25.7) opens a D-Bus connection per call and,
        # when the collection is locked or cannot be reached, raises before closing it; the
        # connection sits in a reference cycle until some later garbage collection closes
        # its socket with a ResourceWarning, in whatever code runs then. Collect now, so
        # the socket closes here (the paths that succeed close it: jaraco/keyring#380).
        gc.collect()
        raise failure

    def _resolve(self, account: str, operation: str) -> KeyringBackend:
        what = f"cannot {operation} the password of account {account!r}"
        if self._backend is not None:
            backend = self._backend
            refusal = _refusal(backend, explicit=True)
        else:
            backend, refusal = _system_backend(what)
        if refusal is not None:
            raise SecretsUnavailable(f"{what}: {refusal}")
        return backend


def _system_backend(what: str) -> tuple[KeyringBackend, str | None]:
    """The backend ``keyring`` picks, and why it must be refused (``None``: usable).

    ``keyring`` caches its pick for the life of the process; when the cached one is
    unusable, or detection fails on what it remembered, it detects once more, so a
    keyring daemon that started after us (a session still logging in) is found without
    restarting the app.
    """
    failure: SecretsUnavailable
    try:
        try:
            backend = keyring.get_keyring()
        except RuntimeError:
            # A backend remembered as viable that no longer is (its daemon went away)
            # makes the detection itself raise.
            _detect_again()
            backend = keyring.get_keyring()
        refusal = _refusal(backend, explicit=_explicitly_chosen())
        if refusal is not None:
            _detect_again()
            backend = keyring.get_keyring()
            refusal = _refusal(backend, explicit=_explicitly_chosen())
        return backend, refusal
    except Exception as exc:  # e.g. PYTHON_KEYRING_BACKEND names a backend that cannot load
        log.debug("keyring: no backend could be loaded: %s", _kinds(exc))
        failure = SecretsUnavailable(
            f"{what}: the keyring backend cannot be loaded ({type(exc).__name__}): {_NO_KEYRING}"
        )
    raise failure


def _detect_again() -> None:
    """Make ``keyring`` choose its backend afresh.

    ``keyring.backend.get_all_keyring`` remembers which backends were viable at its first
    call (``jaraco.functools.once``); forget that too, or a Secret Service that was not
    running then is never considered.
    """
    reset = getattr(keyring.backend.get_all_keyring, "reset", None)
    if callable(reset):
        with contextlib.suppress(KeyError):  # nothing remembered yet
            reset()
    keyring.core.init_backend()


def _explicitly_chosen() -> bool:
    """Whether the user named a backend (environment or ``keyringrc.cfg``)."""
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    return bool((keyring.util.platform_.config_root() / "keyringrc.cfg").is_file())


def _refusal(backend: KeyringBackend, *, explicit: bool) -> str | None:
    """Why ``backend`` must not hold our secrets, or ``None``.

    Refused: the fail backend (no keyring at all), the null backend (it would drop the
    secret and pretend it stored it), and, unless the user chose it, a backend that
    ``keyring`` itself does not recommend (priority below 1, e.g. keyrings.alt's
    plaintext file, picked only because the desktop's keyring is not running).
    """
    if isinstance(backend, keyring.backends.fail.Keyring):
        return f"no usable system keyring (keyring found only its fail backend): {_NO_KEYRING}"
    if isinstance(backend, keyring.backends.null.Keyring):
        return (
            "the keyring is disabled (keyring's null backend would drop it): choose a real "
            f"backend in keyringrc.cfg or PYTHON_KEYRING_BACKEND; {_NEVER_ELSEWHERE}"
        )
    if not explicit:
        # keyring's chainer is "recommended" whenever it chains two backends, even two
        # it does not recommend (keyrings.alt's encrypted file, viable once pycryptodome
        # is installed, and its plaintext file): judge what it chains.
        chained = (
            list(backend.backends)
            if isinstance(backend, keyring.backends.chainer.ChainerBackend)
            else [backend]
        )
        if not any(_recommended(one) for one in chained):
            names = ", ".join(_backend_name(one) for one in chained) or _backend_name(backend)
            return (
                f"no usable system keyring (keyring found only {names}, "
                f"which it does not recommend): {_NO_KEYRING}"
            )
    return None


def _recommended(backend: KeyringBackend) -> bool:
    try:
        return bool(keyring.core.recommended(backend))
    except RuntimeError:
        return False


def _backend_name(backend: KeyringBackend) -> str:
    kind = type(backend)
    return f"{kind.__module__}.{kind.__qualname__}"


def _kinds(exc: BaseException) -> str:
    """The types along an exception's chain, e.g. ``InitError <- SecretServiceNotAvailable...``.

    Only types: the text of a backend's exception may quote its arguments.
    """
    kinds: list[str] = []
    current: BaseException | None = exc
    while current is not None and len(kinds) < 6:
        kinds.append(type(current).__name__)
        current = current.__cause__ or current.__context__
    return " <- ".join(kinds)


def _from_dbus(exc: BaseException) -> bool:
    return isinstance(exc, OSError) or any(
        kind.__module__.split(".")[0] in _DBUS_MODULES for kind in type(exc).__mro__
    )


def _translate(exc: Exception, account: str, operation: str) -> SecretsUnavailable:
    """The user's one-line error for a backend failure: what to do, and the error's type.

    Never the backend's message, neither here nor in the log: some backends quote their
    arguments (the secret among them) in it.
    """
    kind = type(exc).__name__
    log.debug("keyring: %s of the secret of account %r failed: %s", operation, account, _kinds(exc))
    what = f"cannot {operation} the password of account {account!r}"
    if isinstance(exc, keyring.errors.NoKeyringError):
        return SecretsUnavailable(
            f"{what}: no usable system keyring (keyring found only its fail backend): {_NO_KEYRING}"
        )
    if isinstance(exc, keyring.errors.KeyringLocked) or kind in _LOCKED:
        return SecretsUnavailable(
            f"{what}: the system keyring is locked ({kind}): unlock it (log in to your "
            f"desktop session, or open your keyring manager) and try again; {_NEVER_ELSEWHERE}"
        )
    if isinstance(exc, keyring.errors.InitError | RuntimeError) or _from_dbus(exc):
        return SecretsUnavailable(
            f"{what}: the system keyring cannot be reached ({kind}): {_NO_KEYRING}"
        )
    return SecretsUnavailable(f"{what}: the system keyring failed ({kind}); {_NEVER_ELSEWHERE}")


def read_secret_from_stdin(stream: TextIO, *, prompt: bool, what: str = "password") -> str:
    """The secret for ``--password-stdin`` / ``--token-stdin``.

    With ``prompt`` (standard input is a terminal) the user types it through
    :func:`getpass.getpass`, unechoed, on the controlling terminal. Otherwise one line
    is read from ``stream``; only its line ending (``\\n`` or ``\\r\\n``) is removed, so
    spaces at either end stay part of the secret, and anything after the first line is
    left unread. An empty secret is :class:`BadInput`; ``what`` names it in messages.
    """
    if prompt:
        try:
            line = getpass.getpass(f"{what.capitalize()}: ")
        except EOFError:
            line = ""
        if not line:
            raise BadInput(f"no {what} typed: nothing stored")
        return line
    failure: BadInput | None = None
    line = ""
    try:
        line = stream.readline()
    except UnicodeDecodeError:
        # Raised outside the except block: the error object holds the raw bytes.
        failure = BadInput(f"the {what} on standard input is not valid text")
    if failure is not None:
        raise failure
    if line.endswith("\r\n"):
        line = line[:-2]
    elif line.endswith("\n"):
        line = line[:-1]
    if not line:
        raise BadInput(f"empty {what} on standard input: nothing stored")
    return line
