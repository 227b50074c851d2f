"""A private Synapse (Matrix homeserver) on 127.0.0.1 for integration tests.

``Synapse(work_dir)`` writes a minimal configuration into *work_dir* (SQLite database,
signing key, media store and log all live there), then runs
``python -m synapse.app.homeserver -c homeserver.yaml`` from Synapse's **own**
virtualenv, so Twisted and Synapse's pinned dependencies never enter the app's
environment (``synapse_venv()`` says where that venv is; ``scripts/test`` creates it).

The configuration serves only the client API (and Synapse's admin API, which comes with
it) on a free port of 127.0.0.1, trusts no key server, federates with nobody, has
presence and URL previews off and every rate limit raised far enough that a test can
send thousands of messages or create hundreds of rooms at full speed. Users are made
with the shared-secret admin registration (``register()``); registration by the public
API is off.

This module needs only the standard library: tests play "another client" through the
small helpers here (``create_room``, ``send_text``, ``edit``, ...) or raw ``request()``
calls, never through the app's Matrix code.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import hmac
import itertools
import json
import os
import secrets
import signal
import subprocess
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Sequence
from pathlib import Path
from types import TracebackType
from typing import Any

from servers.net import HOST, free_port

SERVER_NAME = "localhost"

#: Every rate limit in the configuration: per second, and burst.
_UNLIMITED = {"per_second": 100_000, "burst_count": 100_000}


def synapse_venv() -> Path:
    """Where Synapse's own virtualenv is (or is to be): ``$ASYNCDESK_SYNAPSE_VENV``, or
    ``~/.cache/asyncdesk-test/synapse-venv``. ``scripts/test`` uses the same rule.

    Not ``$XDG_CACHE_HOME``: the test suite points that at a fresh temp dir per test.
    """
    configured = os.environ.get("ASYNCDESK_SYNAPSE_VENV")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".cache" / "asyncdesk-test" / "synapse-venv"


def find_synapse_python() -> Path | None:
    """The Python of Synapse's venv if Synapse is installed in it, else None."""
    venv = synapse_venv()
    python = venv / "bin" / "python"
    # pip installs matrix-synapse (and its console scripts) after all its dependencies,
    # so a venv whose install was cut short has no synapse_homeserver.
    if python.exists() and (venv / "bin" / "synapse_homeserver").exists():
        return python
    return None


class SynapseError(RuntimeError):
    """Synapse did not start, or answered a request with an error (the message says)."""


class MatrixHttpError(SynapseError):
    """A request got an HTTP error status; ``status`` and ``body`` (parsed JSON) tell."""

    def __init__(self, method: str, path: str, status: int, body: Any) -> None:
        super().__init__(f"{method} {path} -> {status}: {body}")
        self.status = status
        self.body = body


# Every Synapse not yet stopped: stopped at exit if a test forgot (backstop).
_LIVE: set[Synapse] = set()


@atexit.register
def _stop_all() -> None:
    for server in list(_LIVE):
        server.stop()


def _q(segment: str) -> str:
    """One path segment, quoted: room ids hold ``!`` and ``:``, event ids ``$``."""
    return urllib.parse.quote(segment, safe="")


class Synapse:
    """One private homeserver in *work_dir*. Use as a context manager, or ``start()``
    and ``stop()``; the caller owns *work_dir* and deletes it."""

    host = HOST
    server_name = SERVER_NAME

    def __init__(
        self,
        work_dir: Path,
        *,
        python: Path | None = None,
        start_timeout: float = 60.0,
        extra_config: dict[str, Any] | None = None,
    ) -> None:
        self.work_dir = Path(work_dir)
        self.work_dir.mkdir(parents=True, exist_ok=True)
        found = python or find_synapse_python()
        if found is None:
            raise SynapseError(f"Synapse is not installed in {synapse_venv()} (scripts/test)")
        self._python = found
        self._start_timeout = start_timeout
        # Merged over the generated configuration at the top level, e.g. to play a
        # server with other limits.
        self._extra_config = extra_config or {}
        # Made once, so a restart keeps every secret (and what was signed with it).
        self._shared_secret = secrets.token_hex(32)
        self._macaroon_secret = secrets.token_hex(32)
        self._form_secret = secrets.token_hex(32)
        self.port = 0
        self._proc: subprocess.Popen[bytes] | None = None
        self._txn = itertools.count()
        # No proxy from the environment may stand between a test and 127.0.0.1.
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        #: Seconds the last ``start()`` took until the client API answered.
        self.start_seconds = 0.0

    # -- where things are -----------------------------------------------------------

    @property
    def base_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def config_path(self) -> Path:
        return self.work_dir / "homeserver.yaml"

    @property
    def log_path(self) -> Path:
        return self.work_dir / "homeserver.log"

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    @property
    def pid(self) -> int | None:
        return self._proc.pid if self.running and self._proc is not None else None

    def log_tail(self, lines: int = 40) -> str:
        """The end of Synapse's log and of what it printed (early errors go there)."""
        parts = []
        for path in (self.log_path, self.work_dir / "stderr.log"):
            with contextlib.suppress(OSError):
                text = path.read_text(encoding="utf-8", errors="replace")
                parts.append(f"--- {path.name}\n" + "\n".join(text.splitlines()[-lines:]))
        return "\n".join(parts)

    # -- life cycle -----------------------------------------------------------------

    def start(self) -> None:
        """Start Synapse; after ``stop()`` it comes back on the same port with its data."""
        if self.running:
            return
        fixed_port = self.port != 0
        attempts = 1 if fixed_port else 3
        for attempt in range(attempts):
            if not fixed_port:
                self.port = free_port()
            try:
                self._start_once()
                return
            except SynapseError as error:
                in_use = "Address already in use" in str(error)
                if not in_use or attempt == attempts - 1:
                    if not fixed_port:
                        self.port = 0
                    raise

    def stop(self, grace: float = 5.0) -> None:
        """SIGTERM, and SIGKILL if Synapse has not exited after *grace* seconds."""
        proc, self._proc = self._proc, None
        _LIVE.discard(self)
        if proc is None:
            return
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)

    def __enter__(self) -> Synapse:
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
        state = "running" if self.running else "stopped"
        return f"<Synapse {state} {self.base_url} {self.work_dir}>"

    # -- what tests use: raw requests and users ------------------------------------

    def request(
        self,
        method: str,
        path: str,
        token: str | None = None,
        body: Any = None,
        *,
        query: dict[str, str] | None = None,
        timeout: float = 30.0,
    ) -> Any:
        """One JSON request to *path* (e.g. ``/_matrix/client/v3/sync``); the parsed answer.

        An HTTP error status raises ``MatrixHttpError`` carrying Matrix's error body.
        """
        url = self.base_url + path
        if query:
            url += "?" + urllib.parse.urlencode(query)
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(url, data=data, method=method)
        if data is not None:
            req.add_header("Content-Type", "application/json")
        if token is not None:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with self._opener.open(req, timeout=timeout) as response:
                return json.loads(response.read() or b"{}")
        except urllib.error.HTTPError as error:
            with error:
                raw = error.read()
            try:
                parsed = json.loads(raw)
            except ValueError:
                parsed = raw.decode(errors="replace")
            raise MatrixHttpError(method, path, error.code, parsed) from None

    def register(self, user: str, password: str, admin: bool = False) -> tuple[str, str]:
        """Make a user through the shared-secret admin API; ``(user_id, access_token)``.

        The MAC is HMAC-SHA1, keyed with ``registration_shared_secret``, over
        ``nonce NUL user NUL password NUL ("admin"|"notadmin")`` (Synapse's admin API
        docs, "Shared-Secret Registration").
        """
        path = "/_synapse/admin/v1/register"
        nonce = self.request("GET", path)["nonce"]
        mac = hmac.new(self._shared_secret.encode(), digestmod=hashlib.sha1)
        for part in (nonce, user, password):
            mac.update(part.encode())
            mac.update(b"\x00")
        mac.update(b"admin" if admin else b"notadmin")
        body = {
            "nonce": nonce,
            "username": user,
            "password": password,
            "admin": admin,
            "mac": mac.hexdigest(),
        }
        answer = self.request("POST", path, body=body)
        return answer["user_id"], answer["access_token"]

    # -- what tests use: acting as another client ----------------------------------

    def create_room(
        self,
        token: str,
        invite: Sequence[str] = (),
        is_direct: bool = False,
        name: str | None = None,
    ) -> str:
        """A new private room (a DM when *is_direct*) inviting *invite*; its room id."""
        body: dict[str, Any] = {
            "invite": list(invite),
            "is_direct": is_direct,
            "preset": "trusted_private_chat" if is_direct else "private_chat",
        }
        if name is not None:
            body["name"] = name
        return str(self.request("POST", "/_matrix/client/v3/createRoom", token, body)["room_id"])

    def join(self, token: str, room_id: str) -> None:
        self.request("POST", f"/_matrix/client/v3/rooms/{_q(room_id)}/join", token, {})

    def send_event(self, token: str, room_id: str, event_type: str, content: Any) -> str:
        """Send any room event with a fresh transaction id; its event id."""
        txn = f"t{next(self._txn)}-{secrets.token_hex(4)}"
        path = f"/_matrix/client/v3/rooms/{_q(room_id)}/send/{_q(event_type)}/{txn}"
        return str(self.request("PUT", path, token, content)["event_id"])

    def send_text(
        self,
        token: str,
        room_id: str,
        body: str,
        *,
        thread_root: str | None = None,
        mentions: Sequence[str] | None = None,
    ) -> str:
        """An ``m.text`` message, in the thread of *thread_root* if given, with
        ``m.mentions`` of the user ids in *mentions* if given; its event id."""
        content: dict[str, Any] = {"msgtype": "m.text", "body": body}
        if thread_root is not None:
            # As clients send it: the fallback reply lets thread-unaware clients show it.
            content["m.relates_to"] = {
                "rel_type": "m.thread",
                "event_id": thread_root,
                "is_falling_back": True,
                "m.in_reply_to": {"event_id": thread_root},
            }
        if mentions is not None:
            content["m.mentions"] = {"user_ids": list(mentions)}
        return self.send_event(token, room_id, "m.room.message", content)

    def edit(self, token: str, room_id: str, event_id: str, new_body: str) -> str:
        """Replace the text of *event_id* (an ``m.replace`` event); the edit's event id."""
        content = {
            "msgtype": "m.text",
            "body": f"* {new_body}",
            "m.new_content": {"msgtype": "m.text", "body": new_body},
            "m.relates_to": {"rel_type": "m.replace", "event_id": event_id},
        }
        return self.send_event(token, room_id, "m.room.message", content)

    def redact(self, token: str, room_id: str, event_id: str) -> str:
        """Redact (delete) *event_id*; the redaction's event id."""
        txn = f"r{next(self._txn)}-{secrets.token_hex(4)}"
        path = f"/_matrix/client/v3/rooms/{_q(room_id)}/redact/{_q(event_id)}/{txn}"
        return str(self.request("PUT", path, token, {})["event_id"])

    def set_direct(self, token: str, user_id: str, other_user_id: str, room_id: str) -> None:
        """Record *room_id* as a DM with *other_user_id* in *user_id*'s ``m.direct``
        account data, keeping the rooms already there (as clients do)."""
        path = f"/_matrix/client/v3/user/{_q(user_id)}/account_data/m.direct"
        try:
            direct = self.request("GET", path, token)
        except MatrixHttpError as error:
            if error.status != 404:
                raise
            direct = {}
        rooms = direct.setdefault(other_user_id, [])
        if room_id not in rooms:
            rooms.append(room_id)
        self.request("PUT", path, token, direct)

    # -- inside ---------------------------------------------------------------------

    def _config(self) -> dict[str, Any]:
        work = self.work_dir
        config: dict[str, Any] = {
            "server_name": self.server_name,
            "public_baseurl": self.base_url + "/",
            "pid_file": str(work / "homeserver.pid"),
            "listeners": [
                {
                    "port": self.port,
                    "bind_addresses": [self.host],
                    "type": "http",
                    "tls": False,
                    "x_forwarded": False,
                    "resources": [{"names": ["client"], "compress": False}],
                }
            ],
            "database": {"name": "sqlite3", "args": {"database": str(work / "homeserver.db")}},
            "log_config": str(work / "log.yaml"),
            "media_store_path": str(work / "media_store"),
            "signing_key_path": str(work / "signing.key"),
            "registration_shared_secret": self._shared_secret,
            "macaroon_secret_key": self._macaroon_secret,
            "form_secret": self._form_secret,
            "enable_registration": False,
            "report_stats": False,
            "enable_metrics": False,
            "trusted_key_servers": [],
            "suppress_key_server_warning": True,
            "federation_domain_whitelist": [],
            "presence": {"enabled": False},
            "url_preview_enabled": False,
            # Synapse answers a repeated /sync (same user, token and filter) from a cache
            # for 2 minutes by default: a second initial sync would miss what happened
            # since the first.
            "caches": {"sync_response_cache_duration": 0},
            "rc_message": _UNLIMITED,
            "rc_registration": _UNLIMITED,
            "rc_login": {
                "address": _UNLIMITED,
                "account": _UNLIMITED,
                "failed_attempts": _UNLIMITED,
            },
            "rc_joins": {"local": _UNLIMITED, "remote": _UNLIMITED},
            "rc_joins_per_room": _UNLIMITED,
            "rc_invites": {
                "per_room": _UNLIMITED,
                "per_user": _UNLIMITED,
                "per_issuer": _UNLIMITED,
            },
            "rc_admin_redaction": _UNLIMITED,
            "rc_room_creation": _UNLIMITED,
            "rc_third_party_invite": _UNLIMITED,
            "rc_3pid_validation": _UNLIMITED,
            "rc_delayed_event_mgmt": _UNLIMITED,
            "rc_media_create": _UNLIMITED,
            "rc_presence": {"per_user": _UNLIMITED},
            "rc_reports": _UNLIMITED,
            "rc_user_directory": _UNLIMITED,
            "rc_profile": _UNLIMITED,
        }
        config.update(self._extra_config)
        return config

    def _write_config(self) -> None:
        # JSON is YAML too, and needs nothing outside the standard library to write.
        self.config_path.write_text(json.dumps(self._config(), indent=2), encoding="utf-8")
        log_config = {
            "version": 1,
            "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
            "handlers": {
                "file": {
                    "class": "logging.FileHandler",
                    "filename": str(self.log_path),
                    "formatter": "plain",
                }
            },
            "root": {"level": "WARNING", "handlers": ["file"]},
            "disable_existing_loggers": False,
        }
        (self.work_dir / "log.yaml").write_text(json.dumps(log_config, indent=2), "utf-8")

    def _run(self, *args: str) -> subprocess.Popen[bytes]:
        """``python -m synapse.app.homeserver -c CONFIG ARGS`` in Synapse's venv."""
        # Nothing of the test run's Python set-up may reach Synapse's interpreter: a
        # PYTHONWARNINGS=error there would stop it on its first deprecation warning.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env.pop("VIRTUAL_ENV", None)
        with open(self.work_dir / "stderr.log", "ab") as out:
            return subprocess.Popen(
                [
                    str(self._python),
                    "-m",
                    "synapse.app.homeserver",
                    "-c",
                    str(self.config_path),
                    *args,
                ],
                cwd=self.work_dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=out,
                start_new_session=True,
            )

    def _start_once(self) -> None:
        self._write_config()
        began = time.perf_counter()
        if not (self.work_dir / "signing.key").exists():
            keygen = self._run("--generate-keys")
            try:
                code = keygen.wait(timeout=self._start_timeout)
            except subprocess.TimeoutExpired:
                keygen.kill()
                code = keygen.wait()
            if code != 0:
                raise SynapseError(f"--generate-keys failed ({code}):\n{self.log_tail()}")
        self._proc = self._run()
        _LIVE.add(self)
        try:
            self._wait_ready()
        except BaseException:
            self.stop(grace=1.0)
            raise
        self.start_seconds = time.perf_counter() - began

    def _wait_ready(self) -> None:
        assert self._proc is not None
        deadline = time.monotonic() + self._start_timeout
        while True:
            if self._proc.poll() is not None:
                raise SynapseError(
                    f"Synapse exited with {self._proc.returncode}:\n{self.log_tail()}"
                )
            try:
                self.request("GET", "/_matrix/client/versions", timeout=2)
                return
            except (OSError, SynapseError):
                pass
            if time.monotonic() > deadline:
                raise SynapseError(
                    f"Synapse not ready in {self._start_timeout} s:\n{self.log_tail()}"
                )
            time.sleep(0.05)
