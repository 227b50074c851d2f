"""Real servers on 127.0.0.1 for integration tests: Dovecot (IMAP), aiosmtpd (SMTP) and
Synapse (Matrix).

The servers themselves live in ``tests/servers`` (``from servers.dovecot import Dovecot``),
so a test can also make its own, e.g. a second Dovecot, or one with other settings.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers.dovecot import Dovecot
from servers.smtp import SmtpServer
from servers.synapse import Synapse, find_synapse_python, synapse_venv
from servers.tls import SelfSignedCert, make_self_signed_cert


@pytest.fixture
def profile(
    dovecot: Dovecot,
    mail_user: tuple[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> Path:
    """A profile with ``mail_user`` added as account "work" through the CLI, as a user
    would (password on stdin, into the test keyring). Files may define their own."""
    from test_account_cli import add_args, cli

    user, password = mail_user
    root = tmp_path / "profile"
    code, _, err = cli(capsys, monkeypatch, root, *add_args(dovecot, user), stdin=password + "\n")
    assert code == 0, err
    return root


@pytest.fixture(scope="session")
def smtp_cert(tmp_path_factory: pytest.TempPathFactory) -> SelfSignedCert:
    """The self-signed certificate the SMTP servers present (localhost, 127.0.0.1)."""
    return make_self_signed_cert(tmp_path_factory.mktemp("smtp-cert"), "smtp")


@pytest.fixture
def smtp_user() -> tuple[str, str]:
    """The login the SMTP fixtures accept: ``(user, password)``."""
    return f"user{secrets.token_hex(4)}@example.test", secrets.token_urlsafe(12)


@pytest.fixture
def smtp_server(smtp_user: tuple[str, str], smtp_cert: SelfSignedCert) -> Iterator[SmtpServer]:
    """SMTP requiring AUTH (PLAIN/LOGIN) before MAIL FROM, offering STARTTLS (port 587 style).

    AUTH works with or without STARTTLS. Accepted mail is in ``messages``/``wait_for()``.
    """
    server = SmtpServer(dict([smtp_user]), tls="starttls", cert=smtp_cert)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def smtp_tls_server(smtp_user: tuple[str, str], smtp_cert: SelfSignedCert) -> Iterator[SmtpServer]:
    """SMTP over implicit TLS (port 465 style), requiring AUTH; same user and certificate."""
    server = SmtpServer(dict([smtp_user]), tls="implicit", cert=smtp_cert)
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def synapse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synapse]:
    """A running private Synapse, shared by the whole session: it takes ~1-2 s to start.

    Tests keep out of each other's way by registering their own users and making their
    own rooms. Without Synapse's venv (``scripts/test`` makes it) the test is skipped,
    but fails under CI (``$CI`` set), where a skip would hide a missing install step.
    """
    if find_synapse_python() is None:
        reason = (
            f"Synapse is not installed in {synapse_venv()} "
            "(scripts/test installs it there; ASYNCDESK_SYNAPSE_VENV names another venv)"
        )
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    server = Synapse(tmp_path_factory.mktemp("synapse"))
    try:
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def gui_collector(qapp: object) -> Iterator[None]:
    """For tests that make windows: garbage is collected on the GUI thread only, as the
    app does (ui.garbage); a window collected on a worker thread crashes Qt."""
    from asyncdesk.ui.garbage import GuiThreadCollector

    collector = GuiThreadCollector()
    collector.start()
    yield
    collector.stop()
