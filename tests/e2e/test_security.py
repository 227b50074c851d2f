"""What DESIGN.md promises about security, checked on a real session.

- The profile holds mail: its folder is 0700 and every file in it 0600.
- Passwords and tokens go only to the keyring: never into a profile file, a log or a
  process's command line.
- A log line that carries a secret by mistake is redacted before it is written.
- TLS is verified by default (IMAP, Matrix, Slack): a self-signed server is refused
  in one line. (SMTP's refusal is tested in tests/integration/test_smtp_send.py, the
  IMAP implicit-TLS one through the CLI in tests/integration/test_account_cli.py.)
"""

from __future__ import annotations

import http.server
import io
import logging
import os
import secrets
import signal
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from servers.dovecot import Dovecot
from servers.tls import SelfSignedCert, make_self_signed_cert

from asyncdesk.cli import main
from asyncdesk.services.logs import REDACTED, remove_logging, setup_logging
from asyncdesk.store.profile import ProfilePaths


def cli(root: Path, *args: str, stdin: str = "") -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    saved = sys.stdin, sys.stdout, sys.stderr
    sys.stdin, sys.stdout, sys.stderr = io.StringIO(stdin), out, err
    try:
        try:
            code = main([*args, "--profile", str(root)])
        except SystemExit as exit_:
            code = int(exit_.code or 0)
    finally:
        sys.stdin, sys.stdout, sys.stderr = saved
    return code, out.getvalue(), err.getvalue()


def modes(root: Path) -> dict[str, str]:
    """Every folder and file under ``root`` (and root itself) with its permission bits."""
    found = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for item in root.rglob("*"):
        found[str(item.relative_to(root))] = oct(stat.S_IMODE(item.lstat().st_mode))
    return found


def assert_private(root: Path) -> None:
    """The folder and its sub-folders 0700, every file 0600: readable by the user alone."""
    wrong = {
        name: mode
        for name, mode in modes(root).items()
        if mode != ("0o700" if (root / name).is_dir() else "0o600")
    }
    assert wrong == {}


def mail(n: int) -> bytes:
    message = EmailMessage()
    message["From"] = f"Client {n} <client{n}@example.org>"
    message["To"] = "me@example.com"
    message["Subject"] = f"Question {n}"
    message["Date"] = "Mon, 16 Nov 2026 09:00:00 +0000"
    message["Message-ID"] = f"<q{n}-{secrets.token_hex(4)}@example.org>"
    message.set_content("Could you have a look?\n")
    return bytes(message)


# --- a session: files private, the password nowhere ---------------------------------------


def test_a_real_session_leaves_only_private_files_and_no_password(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    """Add an IMAP account, sync, use the commands a user uses, export a report into the
    profile, run the headless `asyncdesk sync` process: afterwards every folder of the
    profile is 0700, every file 0600, and the password is in no file and was on no
    command line (it is in the keyring, only there)."""
    password = "Pw-" + secrets.token_hex(12)
    user, _ = dovecot.add_user(f"sec{secrets.token_hex(3)}", password)
    for n in range(3):
        dovecot.deliver(user, mail(n))
    root = tmp_path / "profile"
    add = ["account", "add", "imap", "work", "--host", dovecot.host]
    add += ["--port", str(dovecot.plain_port), "--security", "plain", "--user", user]
    assert cli(root, *add, "--password-stdin", stdin=password + "\n")[0] == 0
    for command in (
        ["sync", "--once"],
        ["schedule", "window", "add", "--days", "daily", "--start", "00:00", "--end", "24:00"],
        ["sla", "default", "24h"],
        ["inbox", "--json"],
        ["deadlines", "--json"],
        ["stats", "--format", "html", "-o", str(root / "report.html")],
        ["stats", "--format", "csv", "-o", str(root / "report.csv")],
    ):
        code, _, err = cli(root, *command)
        assert code == 0, (command, err)
    assert (root / "logs" / "asyncdesk.log").stat().st_size > 0

    # The headless sync: the password must not be on its command line while it runs.
    script = Path(sys.executable).with_name("asyncdesk")
    process = subprocess.Popen(
        [str(script), "--profile", str(root), "sync"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ.copy(),
    )
    try:
        assert process.stdout is not None
        line = process.stdout.readline()  # "Syncing work; ..." once it is connected
        assert b"Syncing work" in line
        time.sleep(0.3)
        command_lines = [
            Path(f"/proc/{pid}/cmdline").read_bytes()
            for pid in [process.pid, *_children(process.pid)]
        ]
        assert command_lines
        assert all(password.encode() not in text for text in command_lines)
    finally:
        process.send_signal(signal.SIGTERM)
        process.communicate(timeout=20)
    assert process.returncode == 0

    assert_private(root)
    leaks = [
        str(path.relative_to(root))
        for path in root.rglob("*")
        if path.is_file() and password.encode() in path.read_bytes()
    ]
    assert leaks == []


def _children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def test_the_demo_profile_and_its_commands_leave_only_private_files(tmp_path: Path) -> None:
    """The demo and the commands run on it (break-glass, schedule, promises, an export
    into the profile): folder 0700, files 0600, whatever the umask."""
    root = tmp_path / "demo"
    old = os.umask(0o022)
    try:
        assert cli(root, "demo", "--no-gui", "--messages", "40")[0] == 0
        for command in (
            ["inbox", "--json", "--break-glass", "checking"],
            ["schedule", "timezone", "Europe/Berlin"],
            ["sla", "add", "--domain", "example.org", "12h"],
            ["stats", "--format", "json", "-o", str(root / "week.json")],
        ):
            code, _, err = cli(root, *command)
            assert code == 0, (command, err)
    finally:
        os.umask(old)
    assert_private(root)


# --- logs redact secrets -------------------------------------------------------------------

SECRETS = {
    "url": ("imaps://me:s3cret-Pa55@mail.example.org:993", "s3cret-Pa55"),
    "slack-user": ("token xoxp-1234567890-0987654321-abcdefABCDEF", "xoxp-1234567890"),
    "slack-bot": ("got xoxb-2222-3333-zzzzYYYY", "xoxb-2222-3333"),
    "matrix": ("access syt_bWU_aBcDeFgHiJkLmNoPqRsT_0a1b2c", "syt_bWU_aBcDeF"),
    "bearer": ("Authorization: Bearer abc.DEF-ghi_123", "abc.DEF-ghi_123"),
    "password": ("login failed: password=hunter2-XYZ&user=me", "hunter2-XYZ"),
}


@pytest.mark.allow_error_logs
def test_secrets_logged_by_mistake_never_reach_the_log_file(tmp_path: Path) -> None:
    """Through the app's own logging set-up, lines carrying a password or a token (in
    the message, in its arguments, in an exception's text) are written redacted; what is
    around them stays readable, and the log file is 0600."""
    paths = ProfilePaths(tmp_path / "profile")
    handler = setup_logging(paths)
    log = logging.getLogger("asyncdesk.sources.test")
    try:
        for name, (text, _) in SECRETS.items():
            log.warning("%s: %s", name, text)
        log.info("connecting to %s", SECRETS["url"][0])
        try:
            raise ConnectionError(f"refused: {SECRETS['bearer'][0]}")
        except ConnectionError:
            log.exception("sync failed with %s", SECRETS["slack-user"][0])
    finally:
        remove_logging(handler)
    written = paths.log_file.read_text(encoding="utf-8")
    for name, (_, secret) in SECRETS.items():
        assert secret not in written, name
    assert written.count(REDACTED) >= len(SECRETS) + 3
    assert "mail.example.org:993" in written  # the host stays: it is what helps
    assert "imaps://me:" in written
    assert oct(stat.S_IMODE(paths.log_file.stat().st_mode)) == "0o600"


def test_a_command_that_logs_nothing_makes_no_log_file(tmp_path: Path) -> None:
    """The log file appears with its first line: a refused command leaves no empty file."""
    paths = ProfilePaths(tmp_path / "profile")
    remove_logging(setup_logging(paths))
    assert not paths.log_file.exists()


# --- TLS verified by default -------------------------------------------------------------


class _Https:
    """A tiny HTTPS server presenting a self-signed certificate; counts the requests
    that got through the handshake (none should)."""

    def __init__(self, cert: SelfSignedCert) -> None:
        requests: list[str] = []

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                requests.append(self.path)
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"{}")

            do_POST = do_GET

            def log_message(self, *_args: object) -> None:
                pass

        self.requests = requests
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        context = cert.server_context()
        self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
        self.url = f"https://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()
        self.thread.join(timeout=5)


@pytest.fixture
def https(tmp_path: Path) -> Iterator[_Https]:
    server = _Https(make_self_signed_cert(tmp_path, "https"))
    try:
        yield server
    finally:
        server.close()


@pytest.mark.parametrize("kind", ["matrix", "slack"])
def test_chat_servers_with_an_untrusted_certificate_are_refused(
    https: _Https, tmp_path: Path, kind: str
) -> None:
    """Matrix and Slack over HTTPS verify the certificate: a self-signed server gets no
    request (so no password or token), the user gets one line, and no profile is made."""
    root = tmp_path / "profile"
    secret = "Tk-" + secrets.token_hex(8)
    if kind == "matrix":
        args = ["account", "add", "matrix", "chat", "--homeserver", https.url]
        args += ["--user", "@me:localhost", "--password-stdin"]
    else:
        args = ["account", "add", "slack", "chat", "--api-url", https.url + "/api/"]
        args += ["--token-stdin"]
    code, out, err = cli(root, *args, stdin=secret + "\n")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1, err
    assert "certificate" in err.lower()
    assert secret not in err
    assert https.requests == []
    assert not root.exists()


def test_imap_starttls_with_an_untrusted_certificate_is_refused(
    dovecot: Dovecot, tmp_path: Path
) -> None:
    """STARTTLS through the CLI (implicit TLS: tests/integration/test_account_cli.py):
    refused in one line naming the certificate's fingerprint, which --trust-cert takes."""
    user, password = dovecot.add_user(f"tls{secrets.token_hex(3)}")
    root = tmp_path / "profile"
    add = ["account", "add", "imap", "work", "--host", dovecot.host]
    add += ["--port", str(dovecot.plain_port), "--security", "starttls", "--user", user]
    code, out, err = cli(root, *add, "--password-stdin", stdin=password + "\n")
    assert (code, out) == (2, "")
    assert err.count("\n") == 1, err
    assert dovecot.cert_sha256 in err
    assert not root.exists()
    code, _, err = cli(
        root, *add, "--trust-cert", dovecot.cert_sha256, "--password-stdin", stdin=password + "\n"
    )
    assert code == 0, err
