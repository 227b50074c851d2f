"""The tray icon: its texts (a pure function), its three icons, its menu, and a real tray.

Offscreen (the test process) there is no system tray, so :class:`Tray` makes no icon but
keeps its menu and tooltip text: those are tested here directly, and with a real main
window on a real profile through :meth:`Tray.follow`. One test runs a child process on
pytest-xvfb's X server with ``trayer`` hosting a tray (TESTING.md, Screens), and checks
that the icon really lands on screen, shows the mode, opens the window on a real
(XTest) click and quits the app from its menu.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QCoreApplication, Qt, QTranslator
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from asyncdesk.core.clock import FixedClock
from asyncdesk.core.schedule import BlockKind, Mode, Schedule, WeeklyBlock, parse_clock, parse_days
from asyncdesk.services.deadlines import deadlines
from asyncdesk.services.schedule import change_schedule, format_duration, set_timezone
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.due import Due
from asyncdesk.ui.main_window import MainWindow
from asyncdesk.ui.tray import (
    ICON_SIZES,
    Tray,
    due_count,
    duration_text,
    mode_icon,
    mode_image,
    next_change,
    next_refresh_ms,
    tooltip_text,
)

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(year: int, month: int, day: int, hour: int, minute: int, second: int = 0) -> datetime:
    """A Berlin wall-clock time as a UTC instant."""
    return datetime(year, month, day, hour, minute, second, tzinfo=BERLIN).astimezone(UTC)


def _block(kind: BlockKind, start: str, end: str, days: str = "mon-fri") -> WeeklyBlock:
    return WeeklyBlock(kind, parse_days(days), parse_clock(start), parse_clock(end))


def typical_day(schedule: Schedule) -> Schedule:
    """09:00-09:30 window, deep work to 12:00, 16:00-16:30 window; weekdays only."""
    return (
        schedule.with_weekly(_block(BlockKind.WINDOW, "09:00", "09:30"))
        .with_weekly(_block(BlockKind.DEEP_WORK, "09:30", "12:00"))
        .with_weekly(_block(BlockKind.WINDOW, "16:00", "16:30"))
    )


# -- the tooltip: a pure function --------------------------------------------------------

MONDAY_1140 = berlin(2026, 11, 23, 11, 40)


def test_the_tooltip_of_a_closed_inbox_says_when_the_next_window_opens_and_what_is_due() -> None:
    opens = berlin(2026, 11, 23, 13, 0)
    assert (
        tooltip_text("closed", opens, 3, MONDAY_1140, BERLIN)
        == "Inbox closed · next window 13:00 (in 1 h 20 min) · 3 due"
    )
    assert (
        tooltip_text("closed", opens, 1, MONDAY_1140, BERLIN)
        == "Inbox closed · next window 13:00 (in 1 h 20 min) · 1 due"
    )
    # Nothing due: nothing said about it.
    assert (
        tooltip_text(Mode.CLOSED, opens, 0, MONDAY_1140, BERLIN)
        == "Inbox closed · next window 13:00 (in 1 h 20 min)"
    )


def test_the_tooltip_in_a_window_says_until_when_it_is_open() -> None:
    assert (
        tooltip_text("window", berlin(2026, 11, 23, 12, 0), 2, MONDAY_1140, BERLIN)
        == "Inbox open · until 12:00 (in 20 min) · 2 due"
    )
    # A profile without any window is always open: no end to announce.
    assert tooltip_text("window", None, 0, MONDAY_1140, BERLIN) == "Inbox open"
    assert tooltip_text("window", None, 4, MONDAY_1140, BERLIN) == "Inbox open · 4 due"


def test_the_tooltip_in_deep_work_names_the_next_window_and_nothing_that_pulls_one_in() -> None:
    assert (
        tooltip_text("deep_work", berlin(2026, 11, 23, 16, 0), 5, MONDAY_1140, BERLIN)
        == "Deep work · next window 16:00 (in 4 h 20 min)"
    )
    assert (
        tooltip_text("deep_work", None, 5, MONDAY_1140, BERLIN) == "Deep work · no window scheduled"
    )
    assert tooltip_text("closed", None, 0, MONDAY_1140, BERLIN) == (
        "Inbox closed · no window scheduled"
    )


def test_the_tooltip_names_the_weekday_of_a_later_window_and_counts_days() -> None:
    friday_evening = berlin(2026, 11, 27, 18, 0)
    monday_morning = berlin(2026, 11, 30, 9, 0)
    assert (
        tooltip_text("closed", monday_morning, 0, friday_evening, BERLIN)
        == "Inbox closed · next window Mon 09:00 (in 2 d 15 h)"
    )
    assert (
        tooltip_text("closed", berlin(2026, 12, 10, 9, 0), 0, friday_evening, BERLIN)
        == "Inbox closed · next window Thu 10 Dec 09:00 (in 12 d 15 h)"
    )


def test_the_countdown_rounds_up_as_a_wall_clock_counts_and_ends_at_now() -> None:
    opens = berlin(2026, 11, 23, 16, 0)
    at = berlin(2026, 11, 23, 13, 46, 20)
    assert tooltip_text("closed", opens, 0, at, BERLIN).endswith("(in 2 h 14 min)")
    assert tooltip_text("closed", opens, 0, opens - timedelta(seconds=42), BERLIN).endswith(
        "(in under a minute)"
    )
    assert tooltip_text("closed", opens, 0, opens, BERLIN).endswith("16:00 (now)")
    assert tooltip_text("closed", opens, 0, opens + timedelta(minutes=3), BERLIN).endswith("(now)")


def test_durations_read_as_the_gate_and_asyncdesk_status_write_them() -> None:
    for seconds in [*range(0, 7200, 7), 86_399, 86_400, 86_401, 90_000, 3 * 86_400 + 60]:
        delta = timedelta(seconds=seconds)
        assert duration_text(delta) == format_duration(delta), seconds


def test_an_unknown_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="holiday"):
        tooltip_text("holiday", None, 0, MONDAY_1140, BERLIN)


class _Brackets(QTranslator):
    """A pseudo-translation: every text of the tray (and the gate's durations it
    shows) comes back in «guillemets»."""

    def translate(
        self, context: str, source: str, disambiguation: str | None = None, n: int = -1
    ) -> str:
        return f"«{source}»" if context in ("Tray", "GateView") else ""


def test_every_text_goes_through_the_translator(qtbot: QtBot) -> None:
    translator = _Brackets()
    assert QCoreApplication.installTranslator(translator)
    try:
        text = tooltip_text("closed", berlin(2026, 11, 23, 13, 0), 3, MONDAY_1140, BERLIN)
        parent = QWidget()
        qtbot.addWidget(parent)
        tray = Tray(parent)
        menu = [action.text() for action in tray.menu.actions() if not action.isSeparator()]
    finally:
        QCoreApplication.removeTranslator(translator)
    # Placeholders filled after translation; %n replaced by Qt in the translated text.
    assert text == "««Inbox closed · next window 13:00 («in «1 h 20 min»»)» · 3 due»"
    assert menu == ["«Open AsyncDesk»", "«Open inbox anyway…»", "«Quit»"]


# -- what the owner feeds it -------------------------------------------------------------


def _day(schedule: Schedule) -> Schedule:
    """A window at 09:00, deep work 13:00-15:00, back-to-back windows 16:00-16:30-17:00."""
    return (
        schedule.with_weekly(_block(BlockKind.WINDOW, "09:00", "09:30"))
        .with_weekly(_block(BlockKind.DEEP_WORK, "13:00", "15:00"))
        .with_weekly(_block(BlockKind.WINDOW, "16:00", "16:30"))
        .with_weekly(_block(BlockKind.WINDOW, "16:30", "17:00"))
    )


def test_the_next_change_is_when_the_inbox_opens_or_closes_not_any_transition() -> None:
    schedule = _day(Schedule().with_zone(BERLIN))
    closed = berlin(2026, 11, 23, 12, 30)
    # The next transition is deep work at 13:00, but the inbox stays shut until 16:00.
    assert schedule.next_transition(closed) == berlin(2026, 11, 23, 13, 0)
    assert next_change(schedule, closed) == berlin(2026, 11, 23, 16, 0)
    assert next_change(schedule, berlin(2026, 11, 23, 14, 0)) == berlin(2026, 11, 23, 16, 0)
    assert next_change(schedule, berlin(2026, 11, 23, 9, 10)) == berlin(2026, 11, 23, 9, 30)
    # Back-to-back windows are one: it closes at 17:00.
    assert next_change(schedule, berlin(2026, 11, 23, 16, 10)) == berlin(2026, 11, 23, 17, 0)
    # Friday evening: Monday morning.
    assert next_change(schedule, berlin(2026, 11, 27, 18, 0)) == berlin(2026, 11, 30, 9, 0)
    # No window at all: always open, nothing ever changes.
    assert next_change(Schedule(), closed) is None


def test_due_counts_what_needs_an_answer_before_the_next_window() -> None:
    counts = {Due.OVERDUE: 2, Due.SOON: 3, Due.LATER: 7}
    assert due_count(counts) == 5
    assert due_count({}) == 0


def test_the_countdown_is_repainted_when_its_minute_changes() -> None:
    assert next_refresh_ms(timedelta(minutes=80)) == 60_000 + 20
    assert next_refresh_ms(timedelta(minutes=80, seconds=10)) == 10_000 + 20
    assert next_refresh_ms(timedelta(seconds=42.5)) == 42_500 + 20
    assert next_refresh_ms(timedelta(milliseconds=1)) == 1 + 20


# -- icons -------------------------------------------------------------------------------


def _difference(first: QImage, second: QImage) -> float:
    """The share of pixels that differ clearly between two images of one size."""
    differing = 0
    for y in range(first.height()):
        for x in range(first.width()):
            a, b = first.pixelColor(x, y), second.pixelColor(x, y)
            channels = zip(a.getRgb(), b.getRgb(), strict=True)
            differing += max(abs(p - q) for p, q in channels) > 48
    return differing / (first.width() * first.height())


@pytest.mark.parametrize("size", [16, 22, 32])
def test_the_three_modes_have_clearly_different_icons(qapp: object, size: int) -> None:
    images = {mode: mode_image(mode, size) for mode in Mode}
    for image in images.values():
        assert image.size().width() == size
        assert image.pixelColor(size // 2, size // 2).alpha() == 255  # an opaque tile
        assert image.pixelColor(0, 0).alpha() == 0  # with rounded corners
    modes = list(Mode)
    for index, first in enumerate(modes):
        for second in modes[index + 1 :]:
            assert _difference(images[first], images[second]) > 0.3, (first, second)


def test_each_icon_is_drawn_at_every_tray_size(qapp: object) -> None:
    for mode in Mode:
        icon = mode_icon(mode)
        assert not icon.isNull()
        assert sorted(size.width() for size in icon.availableSizes()) == sorted(ICON_SIZES)


# -- the tray without a system tray (offscreen) -----------------------------------------


@pytest.fixture
def window(qtbot: QtBot) -> QWidget:
    parent = QWidget()
    parent.setWindowTitle("AsyncDesk")
    parent.resize(400, 300)
    qtbot.addWidget(parent)
    return parent


def test_without_a_system_tray_it_makes_no_icon_but_keeps_its_menu_and_text(
    window: QWidget,
) -> None:
    assert not Tray.available()  # offscreen
    tray = Tray(window)
    assert tray.icon is None
    assert tray.mode is None
    assert [action.text() for action in tray.menu.actions()] == [
        "Open AsyncDesk",
        "Open inbox anyway…",
        "",
        "Quit",
    ]
    assert tray.menu.actions()[2].isSeparator()
    assert not tray.break_glass_action.isEnabled()  # no mode known yet

    now = MONDAY_1140
    tray.update("closed", berlin(2026, 11, 23, 13, 0), 3, now, BERLIN)
    assert tray.mode is Mode.CLOSED
    assert tray.tooltip() == "Inbox closed · next window 13:00 (in 1 h 20 min) · 3 due"
    assert tray.break_glass_action.isEnabled()
    assert not tray.refresh_timer.isActive()  # nothing to repaint without an icon
    tray.update("window", berlin(2026, 11, 23, 12, 0), 3, now, BERLIN)
    assert not tray.break_glass_action.isEnabled()  # no glass to break in a window
    tray.update("deep_work", berlin(2026, 11, 23, 16, 0), 3, now, BERLIN)
    assert tray.break_glass_action.isEnabled()
    tray.hide()  # harmless without an icon


def test_tray_available_is_false_rather_than_a_crash_before_the_application_exists() -> None:
    # Qt itself segfaults when asked before a QApplication exists.
    script = "from asyncdesk.ui.tray import Tray; print(Tray.available())"
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_open_shows_and_raises_the_window_even_when_minimised(
    qtbot: QtBot, window: QWidget
) -> None:
    tray = Tray(window)
    with qtbot.waitSignal(tray.open_requested, timeout=1000):
        tray.open_action.trigger()
    assert window.isVisible()
    window.showMinimized()
    assert window.windowState() & Qt.WindowState.WindowMinimized
    with qtbot.waitSignal(tray.open_requested, timeout=1000):
        tray.open_action.trigger()
    assert not window.windowState() & Qt.WindowState.WindowMinimized
    assert window.isVisible()


def test_break_glass_and_quit_are_signalled_to_the_owner(qtbot: QtBot, window: QWidget) -> None:
    tray = Tray(window)
    tray.update("closed", None, 0, MONDAY_1140, BERLIN)
    with qtbot.waitSignal(tray.break_glass_requested, timeout=1000):
        tray.break_glass_action.trigger()
    assert window.isVisible()  # the reason dialog is modal to it: it comes first
    with qtbot.waitSignal(tray.quit_requested, timeout=1000):
        tray.quit_action.trigger()


# -- following a real main window ------------------------------------------------------


def _schedule(paths: ProfilePaths, change: Callable[[Schedule], Schedule]) -> None:
    writer = FixedClock(berlin(2026, 11, 1, 12, 0))
    with Store.open(paths.root) as store:
        set_timezone(store, writer, "Europe/Berlin")
        change_schedule(store, writer, change)


def test_following_a_window_shows_its_mode_next_window_and_due_replies(
    qtbot: QtBot,
    make_profile: Callable[..., ProfilePaths],
    make_window: Callable[..., MainWindow],
) -> None:
    paths = make_profile(30)  # received Monday 11:00-14:23, each due 48 h later
    _schedule(paths, typical_day)
    clock = FixedClock(berlin(2026, 11, 25, 13, 0))  # Wednesday: closed until 16:00
    window = make_window(paths, clock)
    # The integration of the module docstring, as app.run() will do it:
    tray = Tray(window, clock=clock)
    tray.follow(window)
    tray.break_glass_requested.connect(window.ask_break_glass)
    tray.quit_requested.connect(window.close)
    window.show()
    qtbot.waitExposed(window)
    with qtbot.waitSignals([window.schedule_loaded, window.deadlines.loaded], timeout=10_000):
        window.open_profile()

    store = window.store
    assert store is not None
    found = window.tasks.run_db(lambda: deadlines(store, clock.now())).result(timeout=10)
    opens = berlin(2026, 11, 25, 16, 0)
    due = sum(1 for commitment in found if commitment.due_at < opens)
    overdue = sum(1 for commitment in found if commitment.due_at <= clock.now())
    assert 0 < overdue < due  # some overdue, some due before 16:00: both count
    expected = f"Inbox closed · next window 16:00 (in 3 h) · {due} due"
    qtbot.waitUntil(lambda: tray.tooltip() == expected, timeout=10_000)
    assert tray.mode is Mode.CLOSED

    # "Open inbox anyway…" from the tray asks the window's reason dialog.
    tray.break_glass_action.trigger()
    qtbot.waitUntil(window.break_glass_dialog.isVisible, timeout=5000)
    window.break_glass_dialog.reject()

    # The window opens at 16:00 (here: F5 after the clock moved): the tray follows.
    clock.set(berlin(2026, 11, 25, 16, 5))
    with qtbot.waitSignal(window.mode_changed, timeout=10_000):
        window.reload()
    assert tray.mode is Mode.WINDOW
    assert tray.tooltip().startswith("Inbox open · until 16:30 (in 25 min) · ")
    assert not tray.break_glass_action.isEnabled()


# -- a real system tray: trayer on the X server of pytest-xvfb ---------------------------

_CHILD = r"""
import ctypes, ctypes.util, json, sys, time
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QLocale, QRect, QTimer, Qt
from PySide6.QtGui import QGuiApplication, QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from asyncdesk.core.clock import FixedClock
from asyncdesk.ui.tray import Tray, mode_icon

QLocale.setDefault(QLocale(QLocale.Language.English, QLocale.Country.UnitedKingdom))
app = QApplication(sys.argv[:1])
report = {}


def spin(seconds, until):
    end = time.monotonic() + seconds
    while time.monotonic() < end and not until():
        app.processEvents()
        time.sleep(0.02)
    return bool(until())


def done():
    print(json.dumps(report), flush=True)
    sys.exit(0)


report["available"] = spin(10, Tray.available)  # trayer takes the tray selection
if not report["available"]:
    done()

window = QWidget()
window.setWindowTitle("AsyncDesk")
window.resize(300, 200)
now = datetime(2026, 11, 23, 10, 40, tzinfo=UTC)  # 11:40 in Berlin
tray = Tray(window, clock=FixedClock(now))
tray.update("closed", now + timedelta(minutes=80), 3, now, ZoneInfo("Europe/Berlin"))
# Embedded once the tray host has placed it (trayer sits at the top right).
report["embedded"] = spin(10, lambda: tray.icon.geometry().x() > 0)
geometry = tray.icon.geometry()
report["geometry"] = [geometry.x(), geometry.y(), geometry.width(), geometry.height()]
report["visible"] = tray.icon.isVisible()
report["tooltip"] = tray.icon.toolTip()
if not report["embedded"]:
    done()


def drawn(mode):
    # The mode's icon painted as Qt's XEmbed tray paints it: into the icon's whole rect.
    image = QImage(geometry.size(), QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    mode_icon(mode).paint(painter, QRect(0, 0, geometry.width(), geometry.height()))
    painter.end()
    return image


def on_screen(mode):
    # The share of the drawing's opaque pixels found on screen where the icon is.
    shot = QGuiApplication.primaryScreen().grabWindow(
        0, geometry.x(), geometry.y(), geometry.width(), geometry.height()
    ).toImage()
    drawing = drawn(mode)
    total = same = 0
    for y in range(drawing.height()):
        for x in range(drawing.width()):
            want = drawing.pixelColor(x, y)
            if want.alpha() < 255:
                continue
            got = shot.pixelColor(x, y)
            total += 1
            same += max(
                abs(want.red() - got.red()),
                abs(want.green() - got.green()),
                abs(want.blue() - got.blue()),
            ) <= 24  # a 16-bit display rounds each channel
    return same / total


def screen_shows(mode):
    return spin(5, lambda: on_screen(mode) > 0.9)


report["shows"] = {}
report["shows"]["closed"] = screen_shows("closed")
report["matches_while_closed"] = {m: on_screen(m) for m in ("window", "closed", "deep_work")}
for mode in ("deep_work", "window"):
    tray.update(mode, now + timedelta(minutes=80), 3, now, ZoneInfo("Europe/Berlin"))
    report["shows"][mode] = screen_shows(mode)
    report[f"match_{mode}"] = on_screen(mode)

# A real click on the icon, through the X server (XTest), else through Qt.
opened = []
tray.open_requested.connect(lambda: opened.append(True))
center = geometry.center()
xtst = ctypes.util.find_library("Xtst")
x11 = ctypes.util.find_library("X11")
if xtst and x11:
    report["click"] = "xtest"
    libx11, libxtst = ctypes.CDLL(x11), ctypes.CDLL(xtst)
    libx11.XOpenDisplay.restype = ctypes.c_void_p
    libx11.XOpenDisplay.argtypes = [ctypes.c_char_p]
    display = ctypes.c_void_p(libx11.XOpenDisplay(None))
    libxtst.XTestFakeMotionEvent(display, -1, center.x(), center.y(), 0)
    libxtst.XTestFakeButtonEvent(display, 1, 1, 0)
    libxtst.XTestFakeButtonEvent(display, 1, 0, 0)
    libx11.XFlush(display)
else:
    report["click"] = "qtest"
    QTest.mouseClick(QApplication.widgetAt(center), Qt.MouseButton.LeftButton)
report["window_shown_by_click"] = spin(5, window.isVisible)
report["open_requested"] = bool(opened)

# Quit from the menu ends the app as closing the window does (the icon is no window).
tray.quit_requested.connect(window.close)
QTimer.singleShot(0, tray.quit_action.trigger)
QTimer.singleShot(5000, lambda: app.exit(7))
report["exit_code"] = app.exec()
tray.hide()
done()
"""


@dataclass
class TrayHost:
    display: str  # e.g. ":0"
    process: subprocess.Popen[bytes]  # trayer


@pytest.fixture
def tray_host(xvfb: object) -> Iterator[TrayHost]:
    """``trayer`` (an XEmbed tray host) on pytest-xvfb's display."""
    display = getattr(xvfb, "display", None)
    if display is None:
        pytest.skip("no Xvfb display (pytest-xvfb is off or Xvfb is not installed)")
    trayer = shutil.which("trayer")
    if trayer is None:
        pytest.skip("trayer is not installed (Debian: apt-get install trayer)")
    process = subprocess.Popen(
        [trayer, "--edge", "top", "--align", "right", "--widthtype", "request"],
        env={**os.environ, "DISPLAY": f":{display}"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        time.sleep(0.2)
        _skip_if_gone(process)
        yield TrayHost(f":{display}", process)
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=10)
        if process.stderr is not None:
            process.stderr.close()


def _skip_if_gone(trayer: subprocess.Popen[bytes]) -> None:
    if trayer.poll() is None:
        return
    assert trayer.stderr is not None
    reason = trayer.stderr.read().decode(errors="replace").strip()
    pytest.skip(f"trayer cannot run here: {reason or f'exit code {trayer.returncode}'}")


def test_in_a_real_system_tray_the_icon_shows_the_mode_and_a_click_opens_the_window(
    tray_host: TrayHost,
) -> None:
    env = {**os.environ, "DISPLAY": tray_host.display, "QT_QPA_PLATFORM": "xcb"}
    done = subprocess.run(
        [sys.executable, "-c", _CHILD],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    if not report["available"]:
        _skip_if_gone(tray_host.process)  # trayer died after its start: not our failure
    assert report["available"], "QSystemTrayIcon.isSystemTrayAvailable() under trayer"
    assert report["embedded"], report
    assert report["visible"]
    _x, _y, width, height = report["geometry"]
    assert min(width, height) >= 16
    assert report["tooltip"] == "Inbox closed · next window 13:00 (in 1 h 20 min) · 3 due"
    assert report["shows"] == {"closed": True, "deep_work": True, "window": True}, report
    # What is on screen is the closed icon, not one of the others.
    matches = report["matches_while_closed"]
    assert matches["closed"] > 0.9
    assert matches["window"] < 0.5
    assert matches["deep_work"] < 0.5
    assert report["window_shown_by_click"], report
    assert report["open_requested"]
    assert report["exit_code"] == 0  # Quit → window.close() → the event loop ended
    assert "Traceback" not in done.stderr
