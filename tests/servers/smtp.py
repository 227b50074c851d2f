"""A real SMTP server (aiosmtpd) on 127.0.0.1 that requires AUTH and records what it accepts.

``SmtpServer`` runs aiosmtpd's threaded ``Controller`` on a free port. Three kinds:

- ``tls="starttls"`` (default): plain SMTP offering STARTTLS (port 587 style); AUTH is
  required before MAIL FROM but allowed with or without STARTTLS.
- ``tls="none"``: plain SMTP, no STARTTLS offered.
- ``tls="implicit"``: TLS from the first byte (port 465 style).

Every accepted message is kept as a ``ReceivedMessage`` (envelope sender, recipients,
raw bytes) in a thread-safe list; ``wait_for(n)`` blocks until *n* have arrived.
"""

from __future__ import annotations

import asyncio
import contextlib
import email
import email.message
import email.policy
import secrets
import socket
import ssl
import threading
import time
from collections.abc import Coroutine
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from servers.net import HOST
from servers.tls import SelfSignedCert, make_self_signed_cert

TlsMode = Literal["none", "starttls", "implicit"]


@dataclass(frozen=True)
class ReceivedMessage:
    mail_from: str
    rcpt_tos: tuple[str, ...]
    raw: bytes
    #: The login the client authenticated as.
    auth_user: str | None = None

    @property
    def message(self) -> email.message.EmailMessage:
        parsed = email.message_from_bytes(self.raw, policy=email.policy.default)
        assert isinstance(parsed, email.message.EmailMessage)
        return parsed


@dataclass
class _Recorder:
    """aiosmtpd handler: keeps every message it accepts."""

    messages: list[ReceivedMessage] = field(default_factory=list)
    condition: threading.Condition = field(default_factory=threading.Condition)

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        content = envelope.original_content or envelope.content or b""
        if isinstance(content, str):
            content = content.encode("utf-8", "surrogateescape")
        login = session.auth_data.login if isinstance(session.auth_data, LoginPassword) else None
        received = ReceivedMessage(
            mail_from=envelope.mail_from or "",
            rcpt_tos=tuple(envelope.rcpt_tos),
            raw=content,
            auth_user=login.decode() if login is not None else None,
        )
        with self.condition:
            self.messages.append(received)
            self.condition.notify_all()
        return "250 OK"


class _Authenticator:
    def __init__(self, users: dict[str, str]) -> None:
        self.users = users

    def __call__(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        mechanism: str,
        auth_data: Any,
    ) -> AuthResult:
        if isinstance(auth_data, LoginPassword):
            login = auth_data.login.decode("utf-8", "replace")
            password = auth_data.password.decode("utf-8", "replace")
            if self.users.get(login) == password:
                return AuthResult(success=True, auth_data=auth_data)
        # handled=False lets aiosmtpd answer "535 authentication failed"; with
        # handled=True it would send nothing and the client would hang.
        return AuthResult(success=False, handled=False)


class _Controller(Controller):
    """``Controller`` serving on a socket bound beforehand, relaxing AUTH-over-TLS if asked.

    The socket: ``Controller`` cannot listen on port 0 (it connects to ``self.port`` to
    check it is up), and a port picked free beforehand may be taken meanwhile; binding
    first avoids both. (On a bind failure ``Controller.start()`` would also wait its
    whole ready timeout before raising.)

    AUTH: aiosmtpd warns (``UserWarning``) whenever an ``SMTP`` is made with AUTH
    required but TLS not required, once per connection, from the server's thread,
    where the test run's ``-W error`` turns it into a failed connection. It also never
    offers AUTH over implicit TLS unless TLS is "not required" (it only counts
    STARTTLS). So each session is built with ``auth_require_tls=True`` and then relaxed.
    """

    def __init__(
        self, handler: Any, sock: socket.socket, *, auth_require_tls: bool, **kwargs: Any
    ) -> None:
        host, port = sock.getsockname()[:2]
        super().__init__(handler, hostname=host, port=port, auth_require_tls=True, **kwargs)
        self._sock = sock
        self._relax_auth_tls = not auth_require_tls

    def _create_server(self) -> Coroutine[Any, Any, asyncio.Server]:
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)

    def factory(self) -> SMTP:
        smtp = super().factory()
        if self._relax_auth_tls:
            # A private attribute: fail loudly if an aiosmtpd upgrade renames it.
            assert hasattr(smtp, "_auth_require_tls"), "aiosmtpd changed; update _Controller"
            smtp._auth_require_tls = False
        return smtp


class SmtpServer:
    """An aiosmtpd server requiring AUTH PLAIN/LOGIN. A context manager, or start()/stop()."""

    host = HOST

    def __init__(
        self,
        users: dict[str, str],
        *,
        tls: TlsMode = "starttls",
        cert: SelfSignedCert | None = None,
        cert_dir: Path | None = None,
    ) -> None:
        if tls != "none" and cert is None:
            if cert_dir is None:
                raise ValueError("a TLS server needs cert= or cert_dir= to make one in")
            cert = make_self_signed_cert(cert_dir, "smtp")
        #: Logins and passwords; the authenticator reads this very dict.
        self.users = dict(users)
        self.tls: TlsMode = tls
        self.cert = cert
        self.port = 0
        self._recorder = _Recorder()
        self._controller: _Controller | None = None

    def add_user(self, name: str, password: str | None = None) -> tuple[str, str]:
        """Allow another login (also while running). Returns ``(name, password)``."""
        if password is None:
            password = secrets.token_urlsafe(12)
        self.users[name] = password
        return name, password

    @property
    def cert_path(self) -> Path | None:
        return self.cert.cert_path if self.cert is not None else None

    @property
    def cert_sha256(self) -> str | None:
        return self.cert.sha256 if self.cert is not None else None

    def client_ssl_context(self) -> ssl.SSLContext:
        """A client context trusting exactly this server's certificate."""
        if self.cert is None:
            raise ValueError("this SMTP server has no TLS")
        return self.cert.client_context()

    @property
    def messages(self) -> list[ReceivedMessage]:
        """A snapshot of the messages accepted so far, oldest first."""
        with self._recorder.condition:
            return list(self._recorder.messages)

    def wait_for(self, count: int = 1, timeout: float = 5.0) -> list[ReceivedMessage]:
        """Block until at least *count* messages arrived; raise ``TimeoutError`` if not."""
        deadline = time.monotonic() + timeout
        with self._recorder.condition:
            while len(self._recorder.messages) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(
                        f"{len(self._recorder.messages)} of {count} messages in {timeout} s"
                    )
                self._recorder.condition.wait(remaining)
            return list(self._recorder.messages)

    def clear(self) -> None:
        with self._recorder.condition:
            self._recorder.messages.clear()

    def start(self) -> None:
        if self._controller is not None:
            return
        server_context = self.cert.server_context() if self.cert is not None else None
        kwargs: dict[str, Any] = {
            "authenticator": _Authenticator(self.users),
            "auth_required": True,
            "auth_require_tls": False,
        }
        if self.tls == "starttls":
            kwargs["tls_context"] = server_context
        elif self.tls == "implicit":
            kwargs["ssl_context"] = server_context
        sock = socket.create_server((self.host, self.port))  # port 0 at first: any free one
        controller = _Controller(self._recorder, sock, **kwargs)
        try:
            controller.start()
        except BaseException:
            sock.close()
            with contextlib.suppress(Exception):
                controller.stop(no_assert=True)
            controller.loop.close()
            raise
        self.port = controller.port
        self._controller = controller

    def stop(self) -> None:
        if self._controller is not None:
            controller, self._controller = self._controller, None
            controller.stop()

    def __enter__(self) -> SmtpServer:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    def __repr__(self) -> str:
        return f"<SmtpServer tls={self.tls} {self.host}:{self.port}>"
