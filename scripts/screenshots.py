"""Take the README's screenshots of the app on demo data, under a real X server.

    DISPLAY=:99 .venv/bin/python scripts/screenshots.py [OUTPUT_DIR]   # default docs/screenshots

Makes a demo profile in a temporary directory, opens the window at pinned instants
(inside a communication window, and in deep work for the gate) and saves each state:
the gate, the inbox, an email, a chat conversation, a reply being written, the weekly
stats, the keyboard sheet, Settings ▸ Schedule with its week grid, and the welcome of
a new profile. Run it under
Xvfb (``Xvfb :99 -screen 0 1280x900x24``) with ``QT_QPA_PLATFORM=xcb``; look at every
picture before committing it.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time as time_module
from collections.abc import Callable
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

os.environ.setdefault("QT_QPA_PLATFORM", "xcb")

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from PySide6.QtCore import QEventLoop, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from asyncdesk.cli import main as cli
from asyncdesk.core.clock import FixedClock
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.first_run import WelcomeDialog
from asyncdesk.ui.main_window import MainWindow, Page
from asyncdesk.ui.tasks import TaskRunner


def next_weekday_at(hour: int, minute: int, zone: ZoneInfo) -> datetime:
    """The next weekday after today at this local time: the demo's messages (made up
    to the real now) are then all in the past, and its schedule is on."""
    day = datetime.now(zone).date() + timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return datetime.combine(day, time(hour, minute), tzinfo=zone)


def wait(ms: int) -> None:
    loop = QEventLoop()
    QTimer.singleShot(ms, loop.quit)
    loop.exec()


def wait_for(condition: Callable[[], bool], timeout_ms: int = 10_000) -> None:
    waited = 0
    while not condition() and waited < timeout_ms:
        wait(50)
        waited += 50


def save(widget: QWidget, path: Path) -> None:
    wait(400)
    widget.grab().save(str(path))
    print("saved", path)


def open_window(root: Path, at: datetime) -> MainWindow:
    window = MainWindow(ProfilePaths(root), clock=FixedClock(at))
    window.resize(1180, 780)
    window.show()
    window.open_profile()
    wait_for(lambda: window.model.rowCount() > 0 and window.page is not Page.OPENING)
    return window


def first_row(window: MainWindow, medium: str, *, needs_reply: bool = True) -> int:
    for row in range(window.model.rowCount()):
        message = window.model.message_at(row)
        if message.medium == medium and message.needs_reply == needs_reply:
            return row
    return 0


def main() -> int:
    # A place, not Etc/UTC, whatever the machine says: the demo and the welcome take
    # the machine's zone, and the pictures show it.
    os.environ["TZ"] = "Europe/Berlin"
    time_module.tzset()
    out = Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots")
    out.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="asyncdesk-shots-") as tmp:
        root = Path(tmp) / "profile"
        assert cli(["demo", "--no-gui", "--messages", "2000", "--profile", str(root)]) == 0
        from asyncdesk.services.profile import user_timezone

        with Store.open(root) as store:
            zone = user_timezone(store)
        inside, deep_work = next_weekday_at(9, 10, zone), next_weekday_at(10, 40, zone)

        gate = open_window(root, deep_work)
        wait_for(lambda: gate.page is Page.GATE)
        save(gate, out / "gate.png")
        gate.close()

        window = open_window(root, inside)
        wait_for(lambda: window.page is Page.INBOX)
        window.view.setFocus()
        save(window, out / "inbox.png")

        email_row = first_row(window, "email")
        window.view.setCurrentIndex(window.model.index(email_row, 0))
        window.open_message(window.model.index(email_row, 0))
        wait_for(lambda: window.message_view.body is not None)
        save(window, out / "email.png")

        chat_row = first_row(window, "chat")
        window.view.setCurrentIndex(window.model.index(chat_row, 0))
        window.open_message(window.model.index(chat_row, 0))
        wait_for(lambda: window.chat.conversation is not None)
        save(window, out / "conversation.png")

        window.view.setCurrentIndex(window.model.index(email_row, 0))
        compose = window.reply_to_current(reply_all=False)
        if compose is not None:
            wait_for(lambda: compose.status.text() != "Preparing…")
            compose.body.setPlainText("Thanks, I'll look at it in this afternoon's window.")
            save(compose, out / "compose.png")
            compose.close()

        stats = window.show_stats()
        wait_for(lambda: stats.shown is not None)
        stats.resize(960, 900)
        save(stats, out / "stats.png")
        stats.close()

        sheet = window.show_shortcuts()
        save(sheet, out / "shortcuts.png")
        sheet.close()

        settings = window.open_settings("schedule")
        if settings is not None:
            wait_for(lambda: settings.schedule.schedule is not None)
            section = settings.schedule
            rows = section.model.rowCount()
            for row in range(rows):  # the afternoon window, selected: grid and list agree
                if section.model.item(row, 2).text() == "13:00":
                    section.select_row(row)
            section.grid.setFocus()
            save(settings, out / "settings.png")
            settings.close()
        window.close()

        # The welcome, as a new profile shows it.
        with Store.open(Path(tmp) / "new") as store:
            tasks = TaskRunner()
            welcome = WelcomeDialog(tasks, FixedClock(inside), store)
            welcome.show()
            save(welcome, out / "first-run.png")
            welcome.close()
            tasks.shutdown()
    app.processEvents()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
