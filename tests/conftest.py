"""Test-wide set-up: every standard directory redirected, offscreen Qt, a private D-Bus.

Nothing a test does may touch the developer's real profile, keyring, config or session
bus (qutebrowser's tests/helpers/fixtures.py). The D-Bus session bus is started once,
before Qt can connect to anything, in ``pytest_configure`` (TESTING.md: a bus set up after
Qt connected breaks dbus-python in that process).
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers.dovecot import Dovecot, find_dovecot

_session_tmp: tempfile.TemporaryDirectory[str] | None = None
_bus: subprocess.Popen[bytes] | None = None

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <listen>unix:tmpdir={tmp}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


def _start_private_bus(tmp: Path) -> None:
    """A session bus with no service directories, so nothing auto-activates."""
    global _bus
    daemon = shutil.which("dbus-daemon")
    if daemon is None:
        # No bus at all: make sure nothing autolaunches one that outlives the run.
        os.environ["DBUS_SESSION_BUS_ADDRESS"] = f"unix:path={tmp / 'no-bus'}"
        return
    config = tmp / "session.conf"
    config.write_text(_BUS_CONFIG.format(tmp=tmp), encoding="utf-8")
    _bus = subprocess.Popen(
        [daemon, f"--config-file={config}", "--nofork", "--print-address=1"],
        stdout=subprocess.PIPE,
        # As root it warns that it cannot raise its fd limit; that is noise, not news.
        stderr=subprocess.DEVNULL,
    )
    assert _bus.stdout is not None
    address = _bus.stdout.readline().decode().strip()
    os.environ["DBUS_SESSION_BUS_ADDRESS"] = address


def pytest_configure(config: pytest.Config) -> None:
    global _session_tmp
    _session_tmp = tempfile.TemporaryDirectory(prefix="asyncdesk-tests-")
    root = Path(_session_tmp.name)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    os.environ.pop("ASYNCDESK_PROFILE", None)
    # Session-wide fallbacks; the autouse fixture below gives each test its own.
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        os.environ[name] = str(root / name.lower())
    runtime = root / "runtime"
    runtime.mkdir(mode=0o700)
    os.environ["XDG_RUNTIME_DIR"] = str(runtime)
    os.environ["PYTHON_KEYRING_BACKEND"] = "keyrings.alt.file.PlaintextKeyring"
    _start_private_bus(root)


def pytest_unconfigure(config: pytest.Config) -> None:
    if _bus is not None:
        _bus.terminate()
        _bus.wait(timeout=10)
        if _bus.stdout is not None:
            _bus.stdout.close()
    if _session_tmp is not None:
        _session_tmp.cleanup()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark GUI tests automatically, and tests by the folder they live in."""
    for item in items:
        fixtures = getattr(item, "fixturenames", ())
        if "qtbot" in fixtures or "qapp" in fixtures or "qtmodeltester" in fixtures:
            item.add_marker(pytest.mark.gui)
        parts = Path(str(item.fspath)).parts
        if "integration" in parts:
            item.add_marker(pytest.mark.integration)
        if "e2e" in parts:
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(autouse=True)
def _isolated_dirs(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each test gets its own data, config and cache directories."""
    home = tmp_path_factory.mktemp("home")
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(home / name.lower()))
    monkeypatch.delenv("ASYNCDESK_PROFILE", raising=False)


@pytest.fixture(autouse=True)
def _no_unexpected_error_logs(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """An error logged by asyncdesk fails the test unless it says it expects one."""
    caplog.set_level(logging.INFO, logger="asyncdesk")
    yield
    if request.node.get_closest_marker("allow_error_logs"):
        return
    errors = [
        record
        for record in caplog.get_records("call")
        if record.levelno >= logging.ERROR and record.name.startswith("asyncdesk")
    ]
    if errors:
        pytest.fail("unexpected error logs: " + "; ".join(r.getMessage() for r in errors))


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    """A running private Dovecot: plain+STARTTLS on ``plain_port``, TLS on ``tls_port``.

    Started fresh for each test: ready in ~0.05 s, stopped in ~0.01 s, so there is no
    module-scoped variant. ``mail_user`` adds a user to it. (One fixture for the GUI,
    integration and end-to-end tests.)
    """
    if find_dovecot() is None:
        pytest.skip("dovecot is not installed (apt-get install dovecot-imapd; scripts/test does)")
    server = Dovecot()
    try:
        server.start()
        yield server
    finally:
        server.close()


@pytest.fixture
def mail_user(dovecot: Dovecot) -> tuple[str, str]:
    """A user of the ``dovecot`` fixture with a random password: ``(user, password)``."""
    return dovecot.add_user(f"user{secrets.token_hex(4)}")
