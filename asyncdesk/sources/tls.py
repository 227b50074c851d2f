"""Trusting a server, shared by every mail protocol: verified TLS, or one pinned certificate.

By default a connection verifies the certificate chain and the host name against the
system's trust store. A user may instead trust exactly one certificate (a self-signed
one, say) by the SHA-256 of its DER form: then the chain is not verified during the
handshake and :func:`check_pin` compares the peer's certificate right after it, in
constant time, before anything else is sent.
"""

from __future__ import annotations

import hashlib
import hmac
import socket
import ssl
from typing import Final, Literal

from asyncdesk.sources.base import CertificateRejected

#: How a connection is secured: implicit TLS, STARTTLS, or (only when asked) plain.
Security = Literal["tls", "starttls", "plain"]
SECURITIES: Final[tuple[str, ...]] = ("tls", "starttls", "plain")

_HEX = frozenset("0123456789abcdef")


def normalize_fingerprint(text: object) -> str:
    """A fingerprint as pasted (``AB:CD:...``, any case) → 64 lowercase hex digits."""
    return "".join(ch for ch in str(text) if ch not in ": ").lower()


def is_fingerprint(text: str) -> bool:
    return len(text) == 64 and set(text) <= _HEX


def unverified_context() -> ssl.SSLContext:
    """For a pinned certificate (checked by :func:`check_pin`), or to read a fingerprint."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


def client_context(pinned_sha256: str | None) -> ssl.SSLContext:
    """The system's verification, unless one certificate is pinned."""
    if pinned_sha256 is None:
        return ssl.create_default_context()
    return unverified_context()


def peer_fingerprint(sock: socket.socket | None) -> str:
    """SHA-256 of the peer's certificate on a TLS socket, ``""`` on anything else."""
    der = sock.getpeercert(binary_form=True) if isinstance(sock, ssl.SSLSocket) else None
    return hashlib.sha256(der).hexdigest() if der else ""


def check_pin(sock: socket.socket | None, pinned_sha256: str | None, where: str) -> None:
    """Raise :class:`CertificateRejected` unless the peer is the pinned certificate."""
    if pinned_sha256 is None:
        return
    actual = peer_fingerprint(sock)
    if not hmac.compare_digest(actual.encode(), pinned_sha256.encode()):
        raise CertificateRejected(
            f"the certificate of {where} is not the trusted one: "
            f"its SHA-256 fingerprint is {actual or 'unknown'}, expected {pinned_sha256}"
        )


def network_reason(error: BaseException) -> str | None:
    """What a socket-level failure means, in a few words; None if it is not one."""
    if isinstance(error, socket.gaierror):
        return f"host not found ({error.strerror or error})"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, TimeoutError | socket.timeout):
        return "timed out"
    if isinstance(error, ConnectionError | EOFError):
        return "connection closed by the server"
    return None
