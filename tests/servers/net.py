"""Ports on 127.0.0.1: pick a free one, wait until one accepts connections."""

from __future__ import annotations

import socket
import time

HOST = "127.0.0.1"


def free_port() -> int:
    """A port that was free a moment ago (the OS's choice for port 0).

    For servers that cannot listen on port 0 themselves. Another process may take it
    in between; callers that can tell ("Address already in use") should retry.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def port_accepts(port: int, host: str = HOST, timeout: float = 0.5) -> bool:
    """True if a TCP connection to *host*:*port* succeeds now."""
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def wait_for_port(port: int, host: str = HOST, timeout: float = 10.0) -> None:
    """Block until *host*:*port* accepts a connection, or raise ``TimeoutError``."""
    deadline = time.monotonic() + timeout
    while not port_accepts(port, host):
        if time.monotonic() > deadline:
            raise TimeoutError(f"nothing accepted connections on {host}:{port} in {timeout} s")
        time.sleep(0.01)
