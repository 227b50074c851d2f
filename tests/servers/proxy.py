"""A TCP proxy on 127.0.0.1 that breaks connections on demand, for fault tests.

``FaultyProxy(upstream_port)`` listens on a free port of 127.0.0.1 (``port``) and
forwards every connection to ``127.0.0.1:upstream_port``, byte for byte, until a test
asks for a fault:

- ``cut_after(n)``: every connection, open or new, is reset once it has carried *n*
  bytes (both directions counted; the *n*-th byte is delivered, nothing after it);
- ``reset_all()``: every open connection is reset now;
- ``refuse(True)``: new connections are accepted and reset at once (a server that is
  "up" on the port but drops every client, as a broken middlebox does);
- ``heal()``: back to forwarding everything.

A reset is a real TCP RST (``SO_LINGER`` with a zero timeout, then ``close``), so the
client sees ``ECONNRESET`` ("Connection reset by peer") rather than a polite end of
stream; the server side gets the same.

One thread runs a ``selectors`` loop over all sockets, so a fault is applied between
two reads, never in the middle of one, and a command returns once the loop applied it.
Only the standard library is used.
"""

from __future__ import annotations

import contextlib
import queue
import selectors
import socket
import struct
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from types import TracebackType

from servers.net import HOST

_CHUNK = 65536


def reset(sock: socket.socket) -> None:
    """Close *sock* with a TCP RST instead of a FIN."""
    with contextlib.suppress(OSError):
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    with contextlib.suppress(OSError):
        sock.close()


@dataclass(eq=False)
class _Pipe:
    """One proxied connection: the client's socket, the server's, and what waits to be
    written to each (read from the other side but not yet accepted by the kernel)."""

    client: socket.socket
    server: socket.socket
    carried: int = 0
    to_client: bytearray = field(default_factory=bytearray)
    to_server: bytearray = field(default_factory=bytearray)
    #: One side ended its stream: close both once the other side's data is out.
    ending: bool = False

    def other(self, sock: socket.socket) -> socket.socket:
        return self.server if sock is self.client else self.client

    def pending_for(self, sock: socket.socket) -> bytearray:
        return self.to_client if sock is self.client else self.to_server


class FaultyProxy:
    """See the module docstring. Use as a context manager, or ``start()``/``close()``."""

    host = HOST

    def __init__(self, upstream_port: int, upstream_host: str = HOST) -> None:
        self.upstream = (upstream_host, upstream_port)
        self._listener = socket.create_server((self.host, 0))
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self._selector = selectors.DefaultSelector()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._commands: queue.Queue[tuple[Callable[[], None], threading.Event]] = queue.Queue()
        self._pipes: dict[socket.socket, _Pipe] = {}
        self._limit: int | None = None
        self._refusing = False
        self._running = False
        self._thread = threading.Thread(target=self._loop, name="faulty-proxy", daemon=True)
        #: Connections accepted, and connections this proxy reset, since it started.
        self.accepted = 0
        self.resets = 0

    # -- what tests use ------------------------------------------------------------

    def start(self) -> FaultyProxy:
        self._selector.register(self._listener, selectors.EVENT_READ, "accept")
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._running = True
        self._thread.start()
        return self

    def cut_after(self, n: int) -> None:
        """Reset every connection once it has carried *n* bytes (open ones included)."""

        def apply() -> None:
            self._limit = n
            for pipe in self._all_pipes():
                if pipe.carried >= n:
                    self._reset(pipe)

        self._do(apply)

    def reset_all(self) -> int:
        """Reset every open connection now; returns how many there were."""
        count = 0

        def apply() -> None:
            nonlocal count
            for pipe in self._all_pipes():
                self._reset(pipe)
                count += 1

        self._do(apply)
        return count

    def refuse(self, on: bool = True) -> None:
        """While on, every new connection is reset as soon as it is accepted."""

        def apply() -> None:
            self._refusing = on

        self._do(apply)

    def heal(self) -> None:
        """Forward everything again: no byte limit, no refusing (open ones keep going)."""

        def apply() -> None:
            self._limit = None
            self._refusing = False

        self._do(apply)

    @property
    def open_connections(self) -> int:
        count = 0

        def apply() -> None:
            nonlocal count
            count = len(self._all_pipes())

        self._do(apply)
        return count

    def close(self) -> None:
        if not self._running:
            return

        def apply() -> None:
            self._running = False
            for pipe in self._all_pipes():
                self._close(pipe)

        self._do(apply)
        self._thread.join(5)
        self._selector.close()
        for sock in (self._listener, self._wake_r, self._wake_w):
            sock.close()

    def __enter__(self) -> FaultyProxy:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<FaultyProxy {self.host}:{self.port} -> {self.upstream[0]}:{self.upstream[1]}>"

    # -- inside: everything below runs on the loop's thread --------------------------

    def _do(self, apply: Callable[[], None]) -> None:
        """Run *apply* on the loop's thread and wait until it has."""
        done = threading.Event()
        self._commands.put((apply, done))
        self._wake_w.send(b"x")
        if not done.wait(10):
            raise TimeoutError("the proxy's loop did not answer")

    def _all_pipes(self) -> list[_Pipe]:
        return list({id(pipe): pipe for pipe in self._pipes.values()}.values())

    def _loop(self) -> None:
        while self._running:
            for key, events in self._selector.select(timeout=1.0):
                if key.data == "accept":
                    self._accept()
                elif key.data == "wake":
                    self._run_commands()
                else:
                    self._service(key.fileobj, events)  # type: ignore[arg-type]

    def _run_commands(self) -> None:
        with contextlib.suppress(BlockingIOError):
            self._wake_r.recv(4096)
        while True:
            try:
                apply, done = self._commands.get_nowait()
            except queue.Empty:
                return
            try:
                apply()
            finally:
                done.set()

    def _accept(self) -> None:
        try:
            client, _address = self._listener.accept()
        except BlockingIOError:
            return
        self.accepted += 1
        if self._refusing:
            self.resets += 1
            reset(client)
            return
        try:
            # Local: connecting blocks for microseconds, or fails at once.
            server = socket.create_connection(self.upstream, timeout=5)
        except OSError:
            self.resets += 1
            reset(client)
            return
        for sock in (client, server):
            sock.setblocking(False)
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        pipe = _Pipe(client, server)
        self._pipes[client] = self._pipes[server] = pipe
        self._selector.register(client, selectors.EVENT_READ)
        self._selector.register(server, selectors.EVENT_READ)

    def _service(self, sock: socket.socket, events: int) -> None:
        pipe = self._pipes.get(sock)
        if pipe is None:
            return
        if events & selectors.EVENT_WRITE and not self._flush(pipe, sock):
            return
        if events & selectors.EVENT_READ and sock in self._pipes:
            self._read(pipe, sock)

    def _read(self, pipe: _Pipe, sock: socket.socket) -> None:
        try:
            data = sock.recv(_CHUNK)
        except BlockingIOError:
            return
        except OSError:  # the peer reset: pass the reset on
            self._reset(pipe, count=False)
            return
        if not data:
            pipe.ending = True
            self._update(pipe)
            return
        cut = False
        if self._limit is not None and pipe.carried + len(data) >= self._limit:
            data = data[: max(0, self._limit - pipe.carried)]
            cut = True
        pipe.carried += len(data)
        target = pipe.other(sock)
        pipe.pending_for(target).extend(data)
        if cut:
            # Deliver what fits under the limit, then reset both sides.
            with contextlib.suppress(OSError):
                target.setblocking(True)
                target.settimeout(2)
                target.sendall(pipe.pending_for(target))
            self._reset(pipe)
            return
        self._flush(pipe, target)

    def _flush(self, pipe: _Pipe, target: socket.socket) -> bool:
        """Write what waits for *target*; False if the pipe is gone."""
        pending = pipe.pending_for(target)
        if pending:
            try:
                sent = target.send(pending)
            except BlockingIOError:
                sent = 0
            except OSError:
                self._reset(pipe, count=False)
                return False
            del pending[:sent]
        self._update(pipe)
        return pipe.client in self._pipes

    def _update(self, pipe: _Pipe) -> None:
        """Register each socket for what it must do now: write while data waits for it,
        read only while nothing waits for the other side (back-pressure)."""
        if pipe.ending and not pipe.to_client and not pipe.to_server:
            self._close(pipe)
            return
        for sock in (pipe.client, pipe.server):
            wanted = 0
            if pipe.pending_for(sock):
                wanted |= selectors.EVENT_WRITE
            if not pipe.ending and not pipe.pending_for(pipe.other(sock)):
                wanted |= selectors.EVENT_READ
            key = self._selector.get_map().get(sock)
            if key is None:
                if wanted:
                    self._selector.register(sock, wanted)
            elif not wanted:
                self._selector.unregister(sock)
            elif key.events != wanted:
                self._selector.modify(sock, wanted)

    def _forget(self, pipe: _Pipe) -> None:
        for sock in (pipe.client, pipe.server):
            self._pipes.pop(sock, None)
            with contextlib.suppress(KeyError, ValueError):
                self._selector.unregister(sock)

    def _reset(self, pipe: _Pipe, *, count: bool = True) -> None:
        if pipe.client not in self._pipes:
            return
        if count:
            self.resets += 1
        self._forget(pipe)
        reset(pipe.client)
        reset(pipe.server)

    def _close(self, pipe: _Pipe) -> None:
        self._forget(pipe)
        for sock in (pipe.client, pipe.server):
            with contextlib.suppress(OSError):
                sock.close()
