"""The PyInstaller bundle (packaging/pyinstaller/asyncdesk.spec), built once per run and
used as a person would use it: the command line, then the window on a real X server.

The build (about 45 s on 2 cores) goes to a temporary directory, never to the
repository's dist/. Every run of the bundled ``asyncdesk`` gets the test's redirected
directories and private D-Bus, ``TZ=Europe/Berlin`` and an empty ``PYTHONTZPATH``: time
zones then come from the bundled tzdata alone, as on a machine without
/usr/share/zoneinfo.
"""

from __future__ import annotations

import importlib.metadata
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from datetime import time as clock_time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

import asyncdesk

ROOT = Path(__file__).resolve().parents[2]
SPEC = ROOT / "packaging" / "pyinstaller" / "asyncdesk.spec"
ZONE = "Europe/Berlin"
# A keyring backend that is in the bundle and touches no real keyring (the suite's
# keyrings.alt backend is a test dependency, not bundled).
KEYRING = "keyring.backends.fail.Keyring"


@dataclass(frozen=True)
class Bundle:
    folder: Path  # dist/asyncdesk
    executable: Path  # dist/asyncdesk/asyncdesk
    build_seconds: float
    megabytes: float


@pytest.fixture(scope="session")
def bundle(tmp_path_factory: pytest.TempPathFactory) -> Bundle:
    """The one-folder bundle, built from the spec into a temporary directory."""
    if importlib.util.find_spec("PyInstaller") is None:
        pytest.skip("PyInstaller is not installed (pip install -e '.[test]'; scripts/test does)")
    out = tmp_path_factory.mktemp("bundle")
    started = time.monotonic()
    built = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            "--noconfirm",
            "--log-level",
            "WARN",
            "--distpath",
            str(out / "dist"),
            "--workpath",
            str(out / "build"),
            str(SPEC),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    seconds = time.monotonic() - started
    assert built.returncode == 0, built.stderr[-5000:]
    folder = out / "dist" / "asyncdesk"
    executable = folder / "asyncdesk"
    assert executable.is_file()
    assert os.access(executable, os.X_OK)
    # PyInstaller links some libraries twice (symbolic links): count each file once.
    size = sum(
        path.stat().st_size
        for path in folder.rglob("*")
        if path.is_file() and not path.is_symlink()
    )
    return Bundle(folder, executable, seconds, size / 1e6)


def _env(**extra: str) -> dict[str, str]:
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in {"WAYLAND_DISPLAY", "ASYNCDESK_PROFILE", "ASYNCDESK_AT"}
    }
    env.update(TZ=ZONE, PYTHONTZPATH="", PYTHON_KEYRING_BACKEND=KEYRING)
    env.update(extra)
    return env


def _run(bundle: Bundle, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bundle.executable), *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_env(**env),
    )


@pytest.fixture
def demo_profile(bundle: Bundle, tmp_path: Path) -> Path:
    """A demo profile made by the bundled command (its default 300 messages)."""
    root = tmp_path / "demo"
    made = _run(bundle, "demo", "--no-gui", "--profile", str(root))
    assert made.returncode == 0, made.stderr
    assert made.stderr == ""
    assert "Demo profile created" in made.stdout
    return root


def _contents(bundle: Bundle) -> set[str]:
    """The module names in the bundle's archives (pyi-archive_viewer, recursively)."""
    listed = subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller.utils.cliutils.archive_viewer",
            "--recursive",
            "--brief",
            str(bundle.executable),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return {line.strip() for line in listed.stdout.splitlines() if line.startswith(" ")}


# -- the command line ---------------------------------------------------------------------


def test_help_shows_the_command_tree(bundle: Bundle) -> None:
    shown = _run(bundle, "--help")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("usage: asyncdesk ")
    for command in ("demo", "account", "sync", "schedule", "status", "inbox", "stats"):
        assert f"\n    {command} " in shown.stdout, command


def test_version_is_the_package_version(bundle: Bundle) -> None:
    shown = _run(bundle, "--version")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == f"asyncdesk {importlib.metadata.version('asyncdesk')}"
    # The distribution's metadata travels too (importlib.metadata works in the bundle).
    # (A dist-info from site-packages, or the egg-info pip leaves in a source checkout.)
    internal = bundle.folder / "_internal"
    bundled = [
        *internal.glob("asyncdesk-*.dist-info/METADATA"),
        *internal.glob("asyncdesk.egg-info/PKG-INFO"),
    ]
    assert bundled
    assert f"\nVersion: {asyncdesk.__version__}\n" in bundled[0].read_text(encoding="utf-8")


def test_demo_then_inbox_lists_it_as_the_contract_says(bundle: Bundle, demo_profile: Path) -> None:
    # The migrations ran (Alembic read them from the bundle) and the inbox answers.
    listed = _run(
        bundle, "inbox", "--json", "--break-glass", "test", "--profile", str(demo_profile)
    )
    assert listed.returncode == 0, listed.stderr
    rows = json.loads(listed.stdout)
    assert isinstance(rows, list)
    assert rows
    contract = {"id", "account", "kind", "conversation", "sender", "subject", "received_at"}
    contract |= {"message_id", "needs_reply", "due_at", "state"}
    assert all(contract <= row.keys() for row in rows)
    assert any(row["needs_reply"] for row in rows)
    shown = _run(bundle, "schedule", "show", "--json", "--profile", str(demo_profile))
    assert shown.returncode == 0, shown.stderr
    assert json.loads(shown.stdout)["timezone"] == ZONE  # from the bundled tzdata


def test_the_html_report_is_drawn_with_the_bundled_pygal(
    bundle: Bundle, demo_profile: Path, tmp_path: Path
) -> None:
    # pygal reads its stylesheets from its package folder: without them it raises.
    bundled, installed = tmp_path / "bundled.html", tmp_path / "installed.html"
    args = ("stats", "--format", "html", "--profile", str(demo_profile))
    written = _run(bundle, *args, "-o", str(bundled))
    assert written.returncode == 0, written.stderr
    assert bundled.read_text(encoding="utf-8").count("<svg") >= 2
    # The same file, byte for byte, as the command installed from source writes.
    subprocess.run(
        [sys.executable, "-m", "asyncdesk", *args, "-o", str(installed)],
        capture_output=True,
        timeout=120,
        check=True,
        env=_env(),
    )
    assert bundled.read_bytes() == installed.read_bytes()


def test_the_bundle_holds_what_is_loaded_by_name_and_leaves_out_unused_qt(
    bundle: Bundle,
) -> None:
    modules = _contents(bundle)
    loaded_by_name = {
        # Imported at run time by name or only on some paths, never by --help or the demo.
        "asyncdesk.sources.matrix",
        "asyncdesk.sources.slack",
        "asyncdesk.sources.imap",
        "asyncdesk.ui.app",
        "nio",
        "slack_sdk.web.client",
        "plyer.platforms.linux.notification",
        "keyring.backends.SecretService",
        "keyring.backends.chainer",
        "sqlalchemy.dialects.sqlite.pysqlite",
        "alembic.runtime.migration",
        "alembic.ddl.sqlite",
        "icalendar",
        "recurring_ical_events",
        "platformdirs.unix",
        "tzdata",
    }
    assert loaded_by_name <= modules, sorted(loaded_by_name - modules)
    assert not {"tkinter", "setuptools", "pkg_resources"} & modules

    internal = bundle.folder / "_internal"
    migrations = ROOT / "asyncdesk" / "store" / "migrations"
    for source in [migrations / "env.py", *sorted((migrations / "versions").glob("0*.py"))]:
        assert (internal / source.relative_to(ROOT)).is_file(), source.name
    for data in (
        "asyncdesk/ui/resources/asyncdesk.svg",
        "asyncdesk/ui/resources/asyncdesk-256.png",
        "pygal/css/graph.css",
        "tzdata/zoneinfo/Europe/Berlin",
    ):
        assert (internal / data).is_file(), data
    # keyring finds its backends through its entry points.
    keyring_metadata = list(internal.glob("keyring-*.dist-info/entry_points.txt"))
    assert keyring_metadata
    assert "keyring.backends" in keyring_metadata[0].read_text(encoding="utf-8")

    qt = internal / "PySide6" / "Qt"
    for plugin in (
        "platforms/libqxcb.so",
        "platforms/libqoffscreen.so",
        "imageformats/libqsvg.so",
        "iconengines/libqsvgicon.so",
    ):
        assert (qt / "plugins" / plugin).is_file(), plugin
    unused = ("Qml", "Quick", "WebEngine", "3D", "Pdf", "Multimedia")
    present = [lib.name for lib in (qt / "lib").iterdir() if lib.name.startswith("libQt6")]
    assert not [name for name in present if name.removeprefix("libQt6").startswith(unused)]


# -- the window, under Xvfb ---------------------------------------------------------------

# Run by the suite's Python on the X display: waits until the screen shows more than a
# handful of colours (a bare Xvfb root is one), lets the first page settle, saves the
# screen as PNG and prints the number of distinct colours in it.
_GRAB = r"""
import json, sys, time
from PySide6.QtGui import QGuiApplication, QImage

app = QGuiApplication(sys.argv[:1])
out, timeout = sys.argv[1], float(sys.argv[2])
screen = QGuiApplication.primaryScreen()


def grab():
    image = screen.grabWindow(0).toImage().convertToFormat(QImage.Format.Format_RGB32)
    return image, len(set(memoryview(bytes(image.constBits())).cast("I")))


end = time.monotonic() + timeout
image, colours = grab()
while colours <= 32 and time.monotonic() < end:
    time.sleep(0.2)
    image, colours = grab()
if colours > 32:
    time.sleep(1.5)  # the first inbox page and the deadlines panel fill in
    image, colours = grab()
image.save(out)
print(json.dumps({"colours": colours, "width": image.width(), "height": image.height()}))
"""


@pytest.fixture(scope="module")
def x_display() -> Iterator[str]:
    """A private Xvfb of 1280x900x24 (as scripts/screenshots.py asks for), on a free
    display chosen by the server itself; pytest-xvfb's (800x600x16) would cut the window.
    Started through pyvirtualdisplay, the library pytest-xvfb uses, without touching
    this process's DISPLAY."""
    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb; scripts/test does)")
    display_module = pytest.importorskip("pyvirtualdisplay.display")
    display = display_module.Display(size=(1280, 900), color_depth=24, manage_global_env=False)
    display.start()
    try:
        yield f":{display.display}"
    finally:
        display.stop()


def _window_env(display: str, **extra: str) -> dict[str, str]:
    return _env(DISPLAY=display, QT_QPA_PLATFORM="xcb", **extra)


def _inside_a_demo_window() -> str:
    """09:10 in Berlin on the next weekday: inside the demo's first window, so the
    window shows the inbox (not the gate), and after every demo message."""
    day = datetime.now(ZoneInfo(ZONE)).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, clock_time(9, 10), tzinfo=ZoneInfo(ZONE)).isoformat()


def test_the_bundled_window_is_shown_and_exits_cleanly_on_xcb(
    bundle: Bundle, demo_profile: Path, x_display: str
) -> None:
    shown = subprocess.run(
        [str(bundle.executable), "--profile", str(demo_profile)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=_window_env(x_display, ASYNCDESK_EXIT_AFTER_SHOWN="1"),
    )
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith("shown ")
    assert shown.stderr == ""  # no Qt warning: every plugin it looked for was there
    log = (demo_profile / "logs" / "asyncdesk.log").read_text(encoding="utf-8")
    assert "AsyncDesk starting" in log
    assert " ERROR " not in log


def test_a_screenshot_of_the_bundled_window_shows_the_inbox(
    bundle: Bundle, demo_profile: Path, x_display: str, tmp_path: Path
) -> None:
    shot = tmp_path / "bundle-smoke.png"
    app = subprocess.Popen(
        [str(bundle.executable), "--profile", str(demo_profile)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_window_env(x_display, ASYNCDESK_AT=_inside_a_demo_window()),
    )
    try:
        grabbed = subprocess.run(
            [sys.executable, "-c", _GRAB, str(shot), "60"],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
            env=_window_env(x_display),
        )
        still_running = app.poll() is None
    finally:
        app.terminate()
        _, err = app.communicate(timeout=30)
    assert grabbed.returncode == 0, grabbed.stderr
    assert still_running, err
    picture = json.loads(grabbed.stdout)
    print(f"screenshot of the bundled app: {shot} ({picture['colours']} colours)")
    assert shot.is_file()
    assert (picture["width"], picture["height"]) == (1280, 900)
    assert picture["colours"] > 32, "the screen stayed blank: no window was drawn"
    assert err == ""
    log = (demo_profile / "logs" / "asyncdesk.log").read_text(encoding="utf-8")
    assert "mode: window" in log  # the inbox, not the gate
    assert " ERROR " not in log
