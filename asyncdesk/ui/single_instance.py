"""One running app per profile: the second start hands its wish to the first, then exits.

Two windows on one profile would mean two writers on one database, two syncs on the
same accounts and two notifiers — so a second ``asyncdesk-gui`` on a profile already
open asks the first one to come to the front (``"raise"``, or the ``"mailto:..."``
link it was started with) and exits with code 0. Different profiles run side by side.

How: a local socket (:class:`QLocalServer`; a Unix domain socket under Qt's temporary
directory on Linux and macOS, a named pipe on Windows) whose name is the profile's
:func:`instance_key` — :data:`APP_ID`, the user's name and a hash of the profile's
resolved absolute path (and of the user), so two spellings of one profile (a symlink,
``..``) meet on one name while other users and other profiles never do. The socket is
made accessible to its owner only.

:meth:`SingleInstance.claim`, under a lock file (:class:`QLockFile`, next to the
socket) so that two simultaneous starts cannot both win:

1. connect to the name: someone answers → another instance runs → ``False``;
2. nobody there → listen on the name → ``True``;
3. the name exists but the connection is refused: a socket left behind by a crashed
   (or ``kill -9``-ed) instance → remove it, listen → ``True``;
4. the connection times out: an instance holds the name but is wedged → ``False``
   (taking the name would make two writers; the new start exits).

The order matters: with :attr:`QLocalServer.SocketOption.UserAccessOption`, Qt's
``listen`` on Unix renames its new socket over whatever has the name, a live one
included, so only the connect test tells a live instance from a stale file. A lock file
left by a process killed inside those few milliseconds is recognised by its dead process
id and taken over (QLockFile's stale-lock check).

The wire format, one message per connection: a 4-byte big-endian length, then that
many bytes of UTF-8 (at most :data:`MAX_MESSAGE_BYTES`). The first instance emits
``message_received(str)`` for each complete message and drops a connection that is
malformed or silent for :data:`READ_TIMEOUT_MS`. Nothing is acknowledged: a message
written is in the socket's buffer and delivered when the first instance's event loop
gets to it — so two instances in one process (the tests) work, and a first instance
that hangs simply never answers (the second still exits).

Signals (GUI thread):

- ``message_received(str)``: in the first instance, a later start sent this message
  (:data:`RAISE`: show and raise the window).

Threading contract: GUI thread only, and after the QApplication exists. The server and
its sockets are QObjects whose notifications run on the event loop of the thread that
made them; ``message_received`` is meant to touch the window; and :meth:`claim` and
:meth:`notify_first` block briefly (at most :data:`CONNECT_TIMEOUT_MS` and
:data:`WRITE_TIMEOUT_MS`, only at start-up, before any window exists).

Integration (``asyncdesk/ui/app.py``, in ``run()``; nothing in ``main_window.py``
changes). Right after ``app = _application(argv)``, before anything touches the
profile::

    instance = SingleInstance(profile_root)
    if not instance.claim():
        instance.notify_first(RAISE)  # the running app comes to the front
        return 0

right after ``window = MainWindow(paths, tasks=tasks, clock=clock)``::

    instance.raise_on_message(window)

and as the *last* line of ``run()``'s ``finally`` block (after ``tasks.shutdown()`` and
the collection: the profile is free only once its store is closed)::

    instance.close()

``instance`` has no parent and lives in ``run()``: tests call ``run()`` again in one
process, and an instance not closed would answer the next claim as if still running.
A ``claim()`` that raises :class:`OSError` (no writable temporary directory) may be
logged and the app run unguarded.
"""

from __future__ import annotations

import getpass
import hashlib
import logging
import os
import re
import struct
from pathlib import Path

from PySide6.QtCore import QByteArray, QDir, QLockFile, QObject, QTimer, Signal
from PySide6.QtDBus import QDBusConnection
from PySide6.QtNetwork import QLocalServer, QLocalSocket
from PySide6.QtWidgets import QWidget

from asyncdesk.ui.tray import bring_to_front

log = logging.getLogger(__name__)

# The application's reverse-DNS id: the desktop file's name (packaging/, ui.app's
# DESKTOP_FILE_NAME), so every per-user artefact of the app carries one name.
APP_ID = "app.asyncdesk.AsyncDesk"
# The message asking the first instance to show and raise its window.
RAISE = "raise"
# A message is a line of intent ("raise", "mailto:..."), never a payload.
MAX_MESSAGE_BYTES = 64 * 1024
# A local connection is made in microseconds; these only bound a wedged peer.
CONNECT_TIMEOUT_MS = 1000
WRITE_TIMEOUT_MS = 2000
READ_TIMEOUT_MS = 5000
# Two starts at once wait for each other at most this long.
LOCK_TIMEOUT_MS = 5000
_HEADER = struct.Struct(">I")
# Socket paths are short on macOS (104 bytes with the temporary directory): bound the name.
_USER_CHARS = 16
_HASH_CHARS = 16


def own_bus_name() -> bool:
    """Own the well-known name :data:`APP_ID` on the session bus, if there is one.

    The app id names the app on D-Bus as everywhere else (the desktop entry, AppStream,
    the Flatpak manifest's ``--own-name``): desktops and scripts can ask the bus whether
    AsyncDesk runs. Only the first instance gets it (profiles run side by side, a name
    has one owner); the local socket, not the bus, keeps one app per profile, so a
    machine without a session bus loses nothing. Returns whether the name is ours.
    """
    bus = QDBusConnection.sessionBus()
    if not bus.isConnected():
        return False
    owned = bool(bus.registerService(APP_ID))
    if owned:
        log.info("owns the D-Bus name %s", APP_ID)
    return owned


def release_bus_name() -> None:
    """Give :data:`APP_ID` up on the bus (the app ends, or a test's run does)."""
    bus = QDBusConnection.sessionBus()
    if bus.isConnected():
        bus.unregisterService(APP_ID)


def _user_name() -> str:
    try:
        return getpass.getuser()
    except (OSError, KeyError):  # no login name in the environment nor in passwd
        return str(os.getuid()) if hasattr(os, "getuid") else "user"


def instance_key(profile_dir: Path, user: str | None = None) -> str:
    """The local-socket name of the profile at ``profile_dir`` for ``user`` (default:
    the current user): ``app.asyncdesk.AsyncDesk-<user>-<16 hex digits>``.

    The path is resolved (symlinks, ``..``) and case-folded where the file system is
    (``os.path.normcase``), so every spelling of one profile gives one key.
    """
    user = _user_name() if user is None else user
    where = os.path.normcase(str(Path(profile_dir).expanduser().resolve()))
    digest = hashlib.sha256(f"{user}\0{where}".encode()).hexdigest()[:_HASH_CHARS]
    readable = re.sub(r"[^A-Za-z0-9_.-]", "_", user)[:_USER_CHARS] or "user"
    return f"{APP_ID}-{readable}-{digest}"


class SingleInstance(QObject):
    """The claim of one profile by this process (see the module docstring)."""

    message_received = Signal(str)

    def __init__(self, profile_dir: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.key = instance_key(profile_dir)
        self._server: QLocalServer | None = None
        self._peer: QLocalSocket | None = None  # connected to the first instance
        self._buffers: dict[QLocalSocket, QByteArray] = {}
        self._window: QWidget | None = None  # raised on RAISE (raise_on_message)

    @property
    def is_first(self) -> bool:
        """Whether this object holds the claim (listens for later starts)."""
        return self._server is not None

    @property
    def lock_path(self) -> str:
        """The lock file serialising claims, in Qt's temporary directory."""
        return QDir(QDir.tempPath()).filePath(f"{self.key}.lock")

    def claim(self) -> bool:
        """``True`` if this is the first instance on the profile (it now listens),
        ``False`` if another one answered (then call :meth:`notify_first` and exit).

        Idempotent: claiming again after a success returns ``True``. Raises
        :class:`OSError` when the socket can be neither reached nor made (e.g. the
        temporary directory is not writable): the caller may then run unguarded.
        """
        if self._server is not None:
            return True
        lock = QLockFile(self.lock_path)
        lock.setStaleLockTime(0)  # stale only if its process is gone: never by age
        if not lock.tryLock(LOCK_TIMEOUT_MS):
            raise OSError(f"cannot lock {self.lock_path}: {lock.error().name}")
        try:
            return self._claim_locked()
        finally:
            lock.unlock()

    def _claim_locked(self) -> bool:
        peer = QLocalSocket(self)
        peer.connectToServer(self.key)
        if peer.waitForConnected(CONNECT_TIMEOUT_MS):
            self._peer = peer
            return False
        error = peer.error()
        reason = peer.errorString()
        peer.abort()
        peer.deleteLater()
        errors = QLocalSocket.LocalSocketError
        if error == errors.ConnectionRefusedError:
            # The name exists, yet nobody listens: left by an instance that died.
            log.info("taking over the stale instance socket %s", self.key)
            QLocalServer.removeServer(self.key)
        elif error == errors.SocketTimeoutError:
            # Someone holds the name but does not accept: a wedged instance. Taking the
            # name would make two writers; the caller exits instead.
            log.warning("the running instance on %s does not answer", self.key)
            return False
        elif error != errors.ServerNotFoundError:
            raise OSError(f"cannot reach {self.key}: {reason}")

        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.key):
            raise OSError(f"cannot listen on {self.key}: {server.errorString()}")
        server.newConnection.connect(self._on_new_connection)
        self._server = server
        return True

    def notify_first(self, message: str = RAISE) -> bool:
        """Send ``message`` to the first instance (after :meth:`claim` returned
        ``False``), then disconnect. ``True`` if it was written; ``False`` if the first
        instance cannot be reached (it went away meanwhile, or it did not answer the
        claim). One message per claim: a second call returns ``False``.
        """
        if self._server is not None:
            raise RuntimeError("notify_first(): this is the first instance")
        data = message.encode("utf-8")
        if len(data) > MAX_MESSAGE_BYTES:
            raise ValueError(f"a message is at most {MAX_MESSAGE_BYTES} bytes")
        peer = self._peer
        if peer is None:
            return False  # not claimed, or the running instance did not answer
        self._peer = None
        try:
            if peer.state() != QLocalSocket.LocalSocketState.ConnectedState:
                return False
            peer.write(QByteArray(_HEADER.pack(len(data)) + data))
            while peer.bytesToWrite() > 0:
                if not peer.waitForBytesWritten(WRITE_TIMEOUT_MS):
                    log.warning(
                        "the running instance did not take the message: %s", peer.errorString()
                    )
                    return False
            return True
        finally:
            peer.disconnectFromServer()
            peer.deleteLater()

    def raise_on_message(self, window: QWidget) -> None:
        """In the first instance: show and raise ``window`` whenever a later start
        sends :data:`RAISE` (other messages are left to other listeners)."""
        self._window = window
        self.message_received.connect(self._on_message)

    def _on_message(self, message: str) -> None:
        if message == RAISE and self._window is not None:
            bring_to_front(self._window)

    def close(self) -> None:
        """Give the claim up: stop listening (the socket file goes), drop connections."""
        self._window = None
        if self._peer is not None:
            self._peer.abort()
            self._peer.deleteLater()
            self._peer = None
        for socket in list(self._buffers):
            self._drop(socket)
        if self._server is not None:
            self._server.close()
            self._server.deleteLater()
            self._server = None

    # -- the first instance: reading messages ------------------------------------------

    def _on_new_connection(self) -> None:
        server = self._server
        if server is None:
            return
        while server.hasPendingConnections():
            socket = server.nextPendingConnection()
            self._buffers[socket] = QByteArray()
            # Drop a peer that connects and says nothing (bound methods only: no lambdas).
            timer = QTimer(socket)
            timer.setSingleShot(True)
            timer.timeout.connect(self._on_read_timeout)
            timer.start(READ_TIMEOUT_MS)
            socket.readyRead.connect(self._on_ready_read)
            socket.disconnected.connect(self._on_disconnected)
            if socket.bytesAvailable():
                self._read(socket)

    def _on_read_timeout(self) -> None:
        timer = self.sender()
        socket = timer.parent() if timer is not None else None
        if isinstance(socket, QLocalSocket) and socket in self._buffers:
            log.warning("dropping an instance connection that sent nothing whole")
            self._drop(socket)

    def _on_ready_read(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)

    def _on_disconnected(self) -> None:
        socket = self.sender()
        if isinstance(socket, QLocalSocket):
            self._read(socket)  # what arrived with the hang-up
            self._drop(socket)

    def _read(self, socket: QLocalSocket) -> None:
        buffer = self._buffers.get(socket)
        if buffer is None:
            return
        buffer.append(socket.readAll())
        data = bytes(buffer.data())
        if len(data) < _HEADER.size:
            return
        (length,) = _HEADER.unpack(data[: _HEADER.size])
        if length > MAX_MESSAGE_BYTES:
            log.warning("ignoring an instance message of %d bytes", length)
            self._drop(socket)
            return
        if len(data) < _HEADER.size + length:
            return
        payload = data[_HEADER.size : _HEADER.size + length]
        self._drop(socket)  # one message per connection
        try:
            message = payload.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("ignoring an instance message that is not UTF-8")
            return
        log.info("message from a later start: %s", message.split(":", 1)[0])
        self.message_received.emit(message)

    def _drop(self, socket: QLocalSocket) -> None:
        if self._buffers.pop(socket, None) is None:
            return
        socket.readyRead.disconnect(self._on_ready_read)
        socket.disconnected.disconnect(self._on_disconnected)
        socket.abort()
        socket.deleteLater()
