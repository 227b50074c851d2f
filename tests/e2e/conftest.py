"""Fixtures shared by the end-to-end tests: a real Dovecot per test."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from servers.dovecot import Dovecot, find_dovecot


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A private Dovecot on 127.0.0.1, stopped after the test."""
    if find_dovecot() is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; scripts/test does)")
    server = Dovecot()
    try:
        server.start()
        yield server
    finally:
        server.close()
