"""A real headless Chromium driven over the DevTools protocol, for tests of HTML output.

Chromium is started with ``--remote-debugging-pipe``: it reads protocol commands from
file descriptor 3 and writes replies and events to descriptor 4, each message JSON
ending in a NUL byte, so no WebSocket client (nor any port) is needed. A page is opened
in a fresh target with the Network domain on before it is navigated, so every request
the page makes, from the document itself to a font or a frame, arrives as a
``Network.requestWillBeSent`` event, whatever happens to it afterwards.

Nothing can leave the machine meanwhile: the browser's proxy is a local port that
accepts connections, records them and closes them, and its resolver knows no name.
Background networking is switched off as far as flags allow; some remains (update
checks, a time query), which is why a test reads the page's own events and keeps the
proxy's record only as evidence. The browser's home, config and cache directories are
its throw-away profile, so nothing is written outside it.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

BINARIES = ("chromium", "chromium-browser", "google-chrome", "chrome")


def find_chromium() -> str | None:
    for name in BINARIES:
        path = shutil.which(name)
        if path is not None:
            return path
    return None


class RecordingProxy:
    """A TCP listener on 127.0.0.1 that records the first bytes of every connection
    (a proxy request line like ``CONNECT host:443``) and closes it."""

    def __init__(self) -> None:
        self._socket = socket.create_server(("127.0.0.1", 0))
        self._socket.settimeout(0.2)
        self.port: int = self._socket.getsockname()[1]
        self.requests: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, name="recording-proxy", daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._socket.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            with connection:
                connection.settimeout(1)
                try:
                    first = connection.recv(4096)
                except OSError:
                    first = b""
                line = first.split(b"\r\n", 1)[0].decode("latin-1")
                self.requests.append(line or "(connection without a request)")

    def close(self) -> None:
        self._stop.set()
        self._socket.close()
        self._thread.join(timeout=5)


class ProtocolError(RuntimeError):
    pass


def _high_pipe() -> tuple[int, int]:
    """A pipe whose two ends are numbered 10 or more, so that putting them on 3 and 4
    in the child can never overwrite one with the other."""
    ends = []
    for end in os.pipe():
        ends.append(fcntl.fcntl(end, fcntl.F_DUPFD_CLOEXEC, 10))
        os.close(end)
    return ends[0], ends[1]


class Chromium:
    """One headless browser process; use :func:`chromium` to start and stop it."""

    def __init__(self, binary: str, profile: Path, proxy: RecordingProxy) -> None:
        self.proxy = proxy
        to_browser_read, self._to_browser = _high_pipe()
        self._from_browser, from_browser_write = _high_pipe()
        args = [
            "--headless=new",
            "--disable-gpu",
            "--remote-debugging-pipe",
            f"--user-data-dir={profile}",
            "--no-first-run",
            "--no-default-browser-check",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-default-apps",
            "--disable-extensions",
            "--disable-sync",
            "--disable-breakpad",
            "--disable-domain-reliability",
            "--disable-client-side-phishing-detection",
            "--disable-features=Translate,OptimizationHints,MediaRouter,InterestFeedContentSuggestions",
            "--metrics-recording-only",
            "--no-pings",
            "--hide-scrollbars",
            "--mute-audio",
            "--font-render-hinting=none",
            f"--proxy-server=127.0.0.1:{proxy.port}",
            # Loopback too goes to the proxy (Chromium bypasses it by default).
            "--proxy-bypass-list=<-loopback>",
            "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
            "about:blank",
        ]
        if os.geteuid() == 0:
            args.insert(0, "--no-sandbox")  # Chromium refuses to sandbox as root
        # The browser wants the pipe on descriptors 3 and 4 exactly; bash puts it there
        # (dash takes single-digit descriptors only; preexec_fn is unsafe with threads).
        script = f'exec "$0" "$@" 3<&{to_browser_read} 4>&{from_browser_write}'
        self._stderr_path = profile / "stderr.log"
        self._stderr = self._stderr_path.open("wb")
        home = {
            "HOME": str(profile),
            "XDG_CONFIG_HOME": str(profile / "config"),
            "XDG_CACHE_HOME": str(profile / "cache"),
            "XDG_DATA_HOME": str(profile / "data"),
        }
        self._process = subprocess.Popen(
            ["bash", "-c", script, binary, *args],
            env={**os.environ, **home},
            pass_fds=(to_browser_read, from_browser_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            # Headless Chromium logs harmless errors (no D-Bus, no GPU) on stderr: kept
            # in a file, quoted only when the browser fails.
            stderr=self._stderr,
            start_new_session=True,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self._buffer = b""
        self._next_id = 0
        self._events: list[dict[str, Any]] = []

    # ------------------------------------------------------------------ protocol

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("Chromium did not answer in time")
            chunk = self._read_chunk(deadline)
            if not chunk:
                raise ProtocolError(
                    f"Chromium closed the pipe (exit {self._process.poll()}): {self.stderr_tail()}"
                )
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        decoded: dict[str, Any] = json.loads(message)
        return decoded

    def _read_chunk(self, deadline: float) -> bytes:
        remaining = max(0.0, deadline - time.monotonic())
        ready, _, _ = select.select([self._from_browser], [], [], remaining)
        if not ready:
            raise TimeoutError("Chromium did not answer in time")
        return os.read(self._from_browser, 1 << 20)

    def stderr_tail(self, lines: int = 15) -> str:
        self._stderr.flush()
        text = self._stderr_path.read_text(encoding="utf-8", errors="replace")
        return "\n".join(text.splitlines()[-lines:])

    def send(
        self,
        method: str,
        params: dict[str, Any] | None = None,
        *,
        session: str | None = None,
        timeout: float = 10,
    ) -> dict[str, Any]:
        """Send one command and return its result; events read meanwhile are kept."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session is not None:
            message["sessionId"] = session
        try:
            os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        except BrokenPipeError:
            raise ProtocolError(
                f"Chromium is gone (exit {self._process.poll()}): {self.stderr_tail()}"
            ) from None
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read_message(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise ProtocolError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self._events.append(reply)

    def wait_for(self, method: str, *, session: str, timeout: float = 10, **params: Any) -> None:
        """Wait until the event ``method`` (with these params) arrived for ``session``."""
        deadline = time.monotonic() + timeout
        seen = 0
        while True:
            for event in self._events[seen:]:
                if (
                    event.get("method") == method
                    and event.get("sessionId") == session
                    and all(event["params"].get(k) == v for k, v in params.items())
                ):
                    return
            seen = len(self._events)
            self._events.append(self._read_message(deadline))

    def events(self, method: str, session: str) -> list[dict[str, Any]]:
        return [
            event["params"]
            for event in self._events
            if event.get("method") == method and event.get("sessionId") == session
        ]

    # ------------------------------------------------------------------ pages

    @contextmanager
    def page(self, url: str, *, width: int = 1200, height: int = 900) -> Iterator[Page]:
        """Open ``url`` in a new tab and wait until it has loaded and the network has
        been idle (Chromium's ``networkIdle``: no request for 500 ms, so a font or an
        image that a stylesheet asks for late is still seen)."""
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})[
            "sessionId"
        ]
        try:
            for domain in ("Network", "Page", "Runtime", "Log"):
                self.send(f"{domain}.enable", session=session)
            self.send("Page.setLifecycleEventsEnabled", {"enabled": True}, session=session)
            self.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
            proxied_before = len(self.proxy.requests)
            navigation = self.send("Page.navigate", {"url": url}, session=session)
            if "errorText" in navigation:
                raise ProtocolError(f"cannot open {url}: {navigation['errorText']}")
            # Lifecycle events of this document only (loaderId), not of the about:blank
            # it replaces, whose late "networkIdle" would end the wait too early.
            for name in ("load", "networkIdle"):
                self.wait_for(
                    "Page.lifecycleEvent",
                    session=session,
                    frameId=navigation["frameId"],
                    loaderId=navigation["loaderId"],
                    name=name,
                )
            yield Page(self, session, url, proxied_before)
        finally:
            # A browser that died already said so; do not hide that error behind this one.
            with suppress(ProtocolError, TimeoutError):
                self.send("Target.closeTarget", {"targetId": target})

    def close(self) -> None:
        with suppress(ProtocolError, TimeoutError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            # Its own process group (start_new_session): the renderers go too.
            os.killpg(self._process.pid, signal.SIGKILL)
            self._process.wait(timeout=10)
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._stderr.close()


class Page:
    """An open tab: what it requested and logged, JavaScript in it, screenshots of it."""

    def __init__(self, browser: Chromium, session: str, url: str, proxied_before: int) -> None:
        self._browser = browser
        self._session = session
        self._proxied_before = proxied_before
        self.url = url

    def requests(self) -> list[str]:
        """Every URL the page asked for so far (``Network.requestWillBeSent``, plus
        WebSockets), in order, the page's own URL first."""
        events = self._browser.events
        return [
            event["request"]["url"] for event in events("Network.requestWillBeSent", self._session)
        ] + [
            f"websocket {event['url']}"
            for event in events("Network.webSocketCreated", self._session)
        ]

    def log(self) -> list[str]:
        """Browser log entries (a blocked load is reported there) and console messages."""
        events = self._browser.events
        entries = [
            f"{event['entry']['level']}: {event['entry']['text']}"
            for event in events("Log.entryAdded", self._session)
        ]
        return entries + [
            f"console {event['type']}: "
            + " ".join(str(arg.get("value", arg.get("description"))) for arg in event["args"])
            for event in events("Runtime.consoleAPICalled", self._session)
        ]

    def proxied(self) -> list[str]:
        """Connections the proxy saw since the page was opened (from any target)."""
        return self._browser.proxy.requests[self._proxied_before :]

    def evaluate(self, expression: str) -> Any:
        """The value of a JavaScript expression (JSON-serialisable) in the page."""
        result = self._browser.send(
            "Runtime.evaluate",
            {"expression": expression, "returnByValue": True, "awaitPromise": True},
            session=self._session,
        )
        if "exceptionDetails" in result:
            raise ProtocolError(f"script failed: {result['exceptionDetails']}")
        return result["result"].get("value")

    def screenshot(self, *, full_page: bool = True) -> bytes:
        """A PNG of the page (the whole document with ``full_page``)."""
        params: dict[str, Any] = {"format": "png"}
        if full_page:
            size = self.evaluate(
                "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
            )
            params["clip"] = {"x": 0, "y": 0, "width": size[0], "height": size[1], "scale": 1}
            params["captureBeyondViewport"] = True
        data = self._browser.send("Page.captureScreenshot", params, session=self._session)
        return base64.b64decode(data["data"])


@contextmanager
def chromium(binary: str) -> Iterator[Chromium]:
    """A headless Chromium with its own throw-away profile and a recording proxy."""
    proxy = RecordingProxy()
    with tempfile.TemporaryDirectory(prefix="asyncdesk-chromium-") as profile:
        browser = Chromium(binary, Path(profile), proxy)
        try:
            yield browser
        finally:
            browser.close()
            proxy.close()
