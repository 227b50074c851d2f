"""A private Dovecot IMAP server on 127.0.0.1 for one test.

``Dovecot`` writes its own configuration, certificate, password file and mail store
into a fresh directory under the system temp dir and runs ``dovecot -F -c CONF``. It
never reads ``/etc/dovecot`` and never touches a system instance: its own
``base_dir``/``state_dir``/``instance_name``, and listeners on free ports of 127.0.0.1:

- ``plain_port``: IMAP without TLS, offering STARTTLS (what port 143 is);
- ``tls_port``: implicit TLS (what port 993 is), with a self-signed certificate for
  ``localhost`` and ``127.0.0.1`` made with the object (``cert_path``, ``cert_sha256``).

Logins are allowed without TLS on the plain port, so tests can exercise every
combination. The default trust store refuses the certificate, as it would on a user's
machine; ``client_ssl_context()`` trusts exactly this certificate.

As root (the CI machines), mail is owned by ``nobody:nogroup`` and the login and
internal processes run as Dovecot's own users (see the shared TESTING notes); as any
other user, everything runs as that user.
"""

from __future__ import annotations

import atexit
import contextlib
import grp
import os
import pwd
import secrets
import shutil
import signal
import socket
import ssl
import subprocess
import tempfile
import time
from pathlib import Path
from types import TracebackType

from servers.net import HOST, free_port
from servers.tls import SelfSignedCert, make_self_signed_cert

# Debian installs dovecot in /usr/sbin, which is not on a normal user's PATH.
_SEARCH_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/usr/local/sbin"])


def find_dovecot() -> str | None:
    """The ``dovecot`` binary, or None when it is not installed."""
    return shutil.which("dovecot", path=_SEARCH_PATH)


def _find_doveadm() -> str:
    return shutil.which("doveadm", path=_SEARCH_PATH) or "doveadm"


_CONFIG = """\
# A private test instance written by tests/servers/dovecot.py. Nothing here is shared
# with a system Dovecot: own base_dir, state_dir, instance name, ports and users.
instance_name = {instance}
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
auth_verbose = yes

protocols = imap
listen = {host}

ssl = yes
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
# Logins without TLS are allowed on the plain port: the app decides what it accepts.
disable_plaintext_auth = no
auth_mechanisms = plain login
# No failed-login penalty: otherwise later logins slow down 2 -> 4 -> 8 s.
auth_failure_delay = 0

{identity}

mail_location = maildir:~/Maildir
mail_fsync = never

passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = home={root}/mail/%u
}}

namespace inbox {{
  inbox = yes
  separator = {separator}
  mailbox Sent {{
    special_use = \\Sent
    auto = subscribe
  }}
  mailbox Drafts {{
    special_use = \\Drafts
    auto = subscribe
  }}
  mailbox Trash {{
    special_use = \\Trash
    auto = subscribe
  }}
}}

protocol imap {{
  mail_max_userip_connections = 100
{capability}}}

service imap-login {{
  chroot =
  inet_listener imap {{
    address = {host}
    port = {plain_port}
  }}
  inet_listener imaps {{
    address = {host}
    port = {tls_port}
    ssl = yes
  }}
}}

service anvil {{
  chroot =
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
{services}
"""

_ROOT_IDENTITY = """\
default_login_user = dovenull
default_internal_user = dovecot
mail_uid = nobody
mail_gid = nogroup"""

_ROOT_SERVICES = """
service auth {
  user = root
}
"""

# Every Dovecot not yet closed: stopped and deleted at exit if a test forgot (backstop).
_LIVE: set[Dovecot] = set()


@atexit.register
def _close_all() -> None:
    for server in list(_LIVE):
        server.close()


class DovecotError(RuntimeError):
    """Dovecot did not start, or a doveadm command failed; the message has the log."""


class Dovecot:
    """One private Dovecot instance. Use as a context manager, or call ``close()``."""

    host = HOST

    def __init__(
        self,
        *,
        separator: str = "/",
        start_timeout: float = 10.0,
        capabilities: str | None = None,
    ) -> None:
        self._root = Path(tempfile.mkdtemp(prefix="asyncdesk-dovecot-"))
        # The mail processes run as nobody and must traverse this directory.
        self._root.chmod(0o711)
        self._separator = separator
        # Replaces the advertised IMAP capabilities, e.g. to play a server without
        # CONDSTORE; None keeps Dovecot's own list.
        self._capabilities = capabilities
        self._start_timeout = start_timeout
        self._as_root = os.geteuid() == 0
        if self._as_root:
            self._mail_uid = pwd.getpwnam("nobody").pw_uid
            self._mail_gid = grp.getgrnam("nogroup").gr_gid
        else:
            self._mail_uid, self._mail_gid = os.getuid(), os.getgid()
        mail = self._root / "mail"
        mail.mkdir(mode=0o700)
        os.chown(mail, self._mail_uid, self._mail_gid)
        self._cert: SelfSignedCert = make_self_signed_cert(self._root, "dovecot")
        self._users: dict[str, str] = {}
        self._write_users()
        self.plain_port = 0
        self.tls_port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._closed = False
        #: How long the last start took, up to both ports being ready.
        self.start_seconds = 0.0
        _LIVE.add(self)

    # -- what tests use -------------------------------------------------------------

    @property
    def capabilities(self) -> str | None:
        """The advertised capabilities set at construction; None: Dovecot's own."""
        return self._capabilities

    @property
    def root(self) -> Path:
        return self._root

    @property
    def config_path(self) -> Path:
        return self._root / "dovecot.conf"

    @property
    def log_path(self) -> Path:
        return self._root / "dovecot.log"

    @property
    def cert_path(self) -> Path:
        return self._cert.cert_path

    @property
    def cert_sha256(self) -> str:
        """SHA-256 of the DER certificate: lowercase hex, no colons."""
        return self._cert.sha256

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def process_group(self) -> int | None:
        """The id of the process group all of this Dovecot's processes are in."""
        return self._proc.pid if self.running and self._proc is not None else None

    def pids(self) -> list[int]:
        """Ids of this Dovecot's live processes (master, log, auth, imap-login, imap...)."""
        return [] if self._proc is None else self.pids_in_group(self._proc.pid)

    def client_ssl_context(self) -> ssl.SSLContext:
        """A client context trusting exactly this server's certificate."""
        return self._cert.client_context()

    def add_user(self, name: str, password: str | None = None) -> tuple[str, str]:
        """Add (or re-password) a user; works before or after ``start()``.

        Dovecot re-reads the password file when it changes, so no reload is needed.
        Returns ``(name, password)``; a random password is made when none is given.
        """
        if not name or any(c in name for c in ":/\n\r\t ") or name.startswith("."):
            raise ValueError(f"unusable user name for a passwd-file: {name!r}")
        if password is None:
            password = secrets.token_urlsafe(12)
        if any(c in password for c in ":\n\r"):
            raise ValueError("a passwd-file password cannot contain ':' or a line break")
        home = self._root / "mail" / name
        home.mkdir(mode=0o700, exist_ok=True)
        os.chown(home, self._mail_uid, self._mail_gid)
        self._users[name] = password
        self._write_users()
        return name, password

    def maildir(self, user: str) -> Path:
        """The user's Maildir (INBOX); other folders are ``.NAME`` directories inside."""
        return self._root / "mail" / user / "Maildir"

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX") -> None:
        """Put a message into *folder* out of band, as an MDA would (IDLE sees it)."""
        self._doveadm("save", "-u", user, "-m", folder, stdin=raw)

    def reset_uidvalidity(self, user: str, *, kick: bool = True) -> None:
        """Make every folder of *user* get a new UIDVALIDITY (and fresh UIDs from 1).

        Deletes Dovecot's ``dovecot-uidlist`` and ``dovecot.index*`` files of each
        folder; the messages stay. Dovecot hands out the next UIDVALIDITY from its
        ``dovecot-uidvalidity`` counter, so the new value always differs. Sessions of
        the user are disconnected first (``kick``), since a running session would
        write its view of the index back.
        """
        if kick and self.running:
            # "doveadm kick" exits 68 when nobody was connected: not an error here.
            self._doveadm("kick", user, ok_codes=(0, 68))
            self._wait_no_sessions(user)
        maildir = self.maildir(user)
        if not maildir.exists():
            return
        folders = [maildir, *(p for p in maildir.iterdir() if p.is_dir() and p.name[0] == ".")]
        for folder in folders:
            for path in folder.iterdir():
                if path.name == "dovecot-uidlist" or path.name.startswith("dovecot.index"):
                    path.unlink()
        for path in maildir.glob("dovecot.list.index*"):
            path.unlink()

    # -- life cycle -----------------------------------------------------------------

    def start(self) -> None:
        """Start Dovecot, or restart it on the same ports after ``stop()``/``kill()``."""
        if self._closed:
            raise DovecotError("this Dovecot was closed; make a new one")
        if self.running:
            return
        if self._proc is not None:  # the master died by itself: clear up after it
            self._reap()
        fixed_ports = self.plain_port != 0
        attempts = 1 if fixed_ports else 3
        for attempt in range(attempts):
            if not fixed_ports:
                self.plain_port, self.tls_port = free_port(), free_port()
            try:
                self._start_once()
                return
            except DovecotError as error:
                if "Address already in use" not in str(error) or attempt == attempts - 1:
                    if not fixed_ports:
                        self.plain_port = self.tls_port = 0
                    raise

    def stop(self, grace: float = 5.0) -> None:
        """Shut Dovecot down, keeping the mail; ``start()`` brings it back on the same ports.

        Every Dovecot process gets SIGTERM at once, as at a system shutdown: each IMAP
        session sends ``* BYE Server shutting down.`` and closes, within milliseconds.
        (SIGTERM to the master alone takes seconds: it lets sessions run on and kills
        them after 6 s.) Once no ``imap``/``imap-login`` process is left, or after
        *grace* seconds, whatever remains is killed: the master itself can spend
        seconds at shutdown waiting for a lock on its instance registry.
        """
        if self._proc is None:
            return
        if self._proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self._proc.pid, signal.SIGTERM)
            deadline = time.monotonic() + grace
            while time.monotonic() < deadline and self._session_processes():
                time.sleep(0.005)
        self._reap()

    def kill(self) -> None:
        """SIGKILL Dovecot and all its processes at once, like a crash; keep the mail."""
        if self._proc is None:
            return
        self._reap()

    def close(self) -> None:
        """Stop Dovecot and delete its directory (configuration, mail, logs)."""
        if self._closed:
            return
        try:
            self.stop()
        finally:
            self._closed = True
            _LIVE.discard(self)
            shutil.rmtree(self._root, ignore_errors=True)

    def log(self) -> str:
        """Dovecot's log so far, plus what it said only on stderr (early fatal errors)."""
        texts = []
        for path in (self.log_path, self._root / "stderr.log"):
            try:
                texts.append(path.read_text(encoding="utf-8", errors="replace"))
            except OSError:
                texts.append("")
        log, stderr = texts
        extra = [line for line in stderr.splitlines(keepends=True) if line.strip() not in log]
        return log + "".join(extra)

    def __enter__(self) -> Dovecot:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        state = "running" if self.running else "stopped"
        return f"<Dovecot {state} plain={self.plain_port} tls={self.tls_port} {self._root}>"

    # -- inside ---------------------------------------------------------------------

    def _write_config(self) -> None:
        if self._as_root:
            identity, services = _ROOT_IDENTITY, _ROOT_SERVICES
        else:
            me = pwd.getpwuid(os.getuid()).pw_name
            identity = (
                f"default_login_user = {me}\ndefault_internal_user = {me}\n"
                f"default_internal_group = {grp.getgrgid(os.getgid()).gr_name}\n"
                f"mail_uid = {self._mail_uid}\nmail_gid = {self._mail_gid}"
            )
            services = ""
        text = _CONFIG.format(
            instance=f"asyncdesk-test-{self._root.name}",
            root=self._root,
            host=self.host,
            cert=self._cert.cert_path,
            key=self._cert.key_path,
            identity=identity,
            separator=self._separator,
            plain_port=self.plain_port,
            tls_port=self.tls_port,
            services=services,
            capability=(
                "" if self._capabilities is None else f"  imap_capability = {self._capabilities}\n"
            ),
        )
        self.config_path.write_text(text, encoding="utf-8")

    def _write_users(self) -> None:
        lines = "".join(f"{name}:{{PLAIN}}{pw}::::::\n" for name, pw in self._users.items())
        # Replace atomically: auth re-reads the file when it changes, never half of it.
        tmp = self._root / "users.tmp"
        tmp.write_text(lines, encoding="utf-8")
        os.replace(tmp, self._root / "users")

    def _start_once(self) -> None:
        self._write_config()
        # The master takes a dot-lock on its instance registry while shutting down; if
        # it was killed meanwhile, the next master waits for that stale lock forever.
        # None of our masters runs now, so any lock left is stale.
        (self._root / "state" / "instances.lock").unlink(missing_ok=True)
        dovecot = find_dovecot()
        if dovecot is None:
            raise DovecotError("dovecot is not installed (Debian: apt-get install dovecot-imapd)")
        began = time.perf_counter()
        with open(self._root / "stderr.log", "ab") as stderr:
            self._proc = subprocess.Popen(
                [dovecot, "-F", "-c", str(self.config_path)],
                stdin=subprocess.DEVNULL,
                stdout=stderr,
                stderr=stderr,
                # Its own process group, so kill() reaches every Dovecot process.
                start_new_session=True,
            )
        try:
            self._wait_ready()
        except BaseException:
            self.kill()
            raise
        self.start_seconds = time.perf_counter() - began

    def _wait_ready(self) -> None:
        """Ready when both ports greet with ``* OK`` (the TLS one after a handshake).

        A bare connect-and-close on the TLS port would leave an imap-login process
        waiting seconds for a handshake, and stop() waiting for it.
        """
        assert self._proc is not None
        deadline = time.monotonic() + self._start_timeout
        context = self.client_ssl_context()
        pending = [self.plain_port, self.tls_port]
        while pending:
            if self._proc.poll() is not None:
                raise DovecotError(f"dovecot exited with {self._proc.returncode}:\n{self.log()}")
            if time.monotonic() > deadline:
                raise DovecotError(f"dovecot not ready in {self._start_timeout} s:\n{self.log()}")
            port = pending[0]
            try:
                with socket.create_connection((self.host, port), timeout=2) as raw:
                    if port == self.tls_port:
                        with context.wrap_socket(raw, server_hostname="localhost") as tls:
                            greeting = tls.recv(512)
                    else:
                        greeting = raw.recv(512)
            except ssl.SSLError:
                raise
            except OSError:
                time.sleep(0.005)
                continue
            if not greeting.startswith(b"* OK"):
                raise DovecotError(f"port {port} greeted with {greeting!r}:\n{self.log()}")
            pending.pop(0)

    def _session_processes(self) -> list[int]:
        """The live ``imap`` and ``imap-login`` processes: the ones clients talk to."""
        found = []
        for pid in self.pids():
            try:
                argv0 = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0", 1)[0]
            except OSError:
                continue
            # Child process titles look like "dovecot-INSTANCE/imap-login".
            if argv0.rsplit(b"/", 1)[-1] in (b"imap", b"imap-login"):
                found.append(pid)
        return found

    @staticmethod
    def pids_in_group(group: int) -> list[int]:
        """Ids of the live (not zombie) processes in process group *group* (Linux)."""
        found = []
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # gone meanwhile
            # "pid (comm) state ppid pgrp ...": comm may hold spaces and parentheses.
            state, _ppid, pgrp = stat.rsplit(")", 1)[1].split()[:3]
            if int(pgrp) == group and state != "Z":
                found.append(int(entry.name))
        return found

    def _reap(self) -> None:
        """SIGKILL whatever is left of Dovecot's process group, then reap the master.

        The master (whose id is the group's id) is reaped only after the group was
        killed, so that id cannot have been reused by an unrelated process meanwhile.
        (If the master died by itself and was reaped already, the id stays reserved
        while any member of its group lives, which is when it matters.)
        """
        proc = self._proc
        assert proc is not None
        if proc.returncode is None or self.pids_in_group(proc.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            deadline = time.monotonic() + 5
            while self.pids_in_group(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.002)
        proc.wait(timeout=10)
        self._proc = None

    def _wait_no_sessions(self, user: str, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = self._doveadm("who", "-1", user, ok_codes=(0, 68))
            if user not in result.split():
                return
            time.sleep(0.02)
        raise DovecotError(f"sessions of {user} still open after doveadm kick")

    def _doveadm(self, *args: str, stdin: bytes = b"", ok_codes: tuple[int, ...] = (0,)) -> str:
        result = subprocess.run(
            [_find_doveadm(), "-c", str(self.config_path), *args],
            input=stdin,
            capture_output=True,
            timeout=30,
            check=False,
        )
        if result.returncode not in ok_codes:
            raise DovecotError(
                f"doveadm {' '.join(args)} exited with {result.returncode}: "
                f"{result.stderr.decode(errors='replace')}"
            )
        return result.stdout.decode(errors="replace")
