"""The check-ins panel: the answers of each check-in's latest run, gathered together,
and who has not answered yet.

A dock beside the inbox (View ▸ Check-ins, Ctrl+Shift+K). Per check-in: its name,
when it was asked and how many answered; each answer (who, when, what they wrote,
without the quoted question); then "Not answered yet: …". The issue asks for the
answers "shown together in the next window": the panel opens by itself when the inbox
opens and a run is new or has new answers since the panel last showed it (remembered
in the profile's window state), so the first window after a Friday check-in shows it
once, and a later window again only when more people answered. The user may close it;
the menu item brings it back.

Behind the gate it is hidden *and emptied*: answers are messages, and the schedule
gates messages, so nothing of them stays in a widget outside a window (the owner calls
:meth:`CheckinsPanel.set_inbox_open`). What people wrote is shown as plain text (it is
escaped into the panel's rich text, so nobody's reply can add markup or load anything).

Data: ``services.checkins.all_results`` on the task runner's database worker.
Threading contract: GUI thread only; the worker task touches nothing here.
"""

from __future__ import annotations

import html
import json
import logging
from datetime import UTC, datetime, tzinfo
from pathlib import Path

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence
from PySide6.QtWidgets import QDockWidget, QTextBrowser, QWidget

from asyncdesk.core.checkins import answer_preview
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.services.checkins import Results, all_results
from asyncdesk.store.database import Store
from asyncdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

#: Where the panel remembers what it has shown: run id -> answers seen.
_SEEN_KEY = "checkins/seen"
SHORTCUT = "Ctrl+Shift+K"


class CheckinsPanel(QDockWidget):
    """The dock of gathered check-in answers (see the module docstring).

    Signals (GUI thread): ``loaded()`` after a reload is shown; ``closed_by_user()``
    when the user closed the dock.
    """

    loaded = Signal()
    closed_by_user = Signal()

    def __init__(self, tasks: TaskRunner, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(self.tr("Check-ins"))
        self.setObjectName("checkinsDock")
        self.setFeatures(
            QDockWidget.DockWidgetFeature.DockWidgetClosable
            | QDockWidget.DockWidgetFeature.DockWidgetMovable
            | QDockWidget.DockWidgetFeature.DockWidgetFloatable
        )
        self.setAllowedAreas(
            Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea
        )
        self._tasks = tasks
        self._clock = clock
        self._store: Store | None = None
        self._zone: tzinfo = UTC
        self._open = False
        self._wanted = False
        self._generation = 0
        self._results: list[Results] = []

        self.browser = QTextBrowser(self)
        self.browser.setObjectName("checkinsText")
        self.browser.setAccessibleName(self.tr("Check-in answers"))
        self.browser.setOpenLinks(False)
        self.browser.setOpenExternalLinks(False)
        self.browser.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.browser.setMinimumWidth(self.fontMetrics().averageCharWidth() * 30)
        self.setWidget(self.browser)

        self.action = QAction(self.tr("&Check-ins"), self)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence(SHORTCUT))
        self.action.setStatusTip(self.tr("The answers to your check-ins, and who has not answered"))
        self.action.setEnabled(False)  # only while the inbox is shown
        self.action.triggered.connect(self.set_wanted)
        self.hide()

    # -- what the owner tells it ------------------------------------------------------

    def set_store(self, store: Store | None, zone: tzinfo = UTC) -> None:
        self._store = store
        self._zone = zone
        self.reload()

    def set_inbox_open(self, inbox_open: bool) -> None:
        """The inbox is shown (or not): behind the gate the panel is hidden and empty."""
        opening = inbox_open and not self._open
        self._open = inbox_open
        self.action.setEnabled(inbox_open)
        if not inbox_open:
            self._results = []
            self.browser.clear()
        if opening or not inbox_open:
            self.reload(announce=opening)
        self._apply()

    def set_wanted(self, wanted: bool) -> None:
        """The menu item or the close button: show or hide the panel (inbox only)."""
        self._wanted = wanted
        self._apply()

    def reload(self, *, announce: bool = False) -> None:
        """Read the latest runs again (only while the inbox is open). ``announce``: open
        the panel if something is new since it was last shown."""
        self._generation += 1
        store = self._store
        if store is None or not self._open:
            self._results = []
            self._render()
            return
        generation = self._generation

        self._tasks.run_db(
            lambda: all_results(store),
            success=lambda found: self._on_loaded(found, announce),
            failure=self._on_failed,
            is_current=lambda: generation == self._generation and self._open,
        )

    # -- what it shows (for tests and accessibility) ----------------------------------

    @property
    def wanted(self) -> bool:
        return self._wanted

    @property
    def results(self) -> list[Results]:
        return list(self._results)

    def text(self) -> str:
        """The panel's text as a person reads it."""
        return self.browser.toPlainText()

    # -- loading and showing ----------------------------------------------------------

    def _on_loaded(self, found: list[Results], announce: bool) -> None:
        self._results = found
        self._render()
        if announce and self._news():
            self._wanted = True
        self._apply()
        self.loaded.emit()

    def _on_failed(self, error: BaseException) -> None:
        message = error.message if isinstance(error, AsyncDeskError) else repr(error)
        log.warning("Cannot read the check-ins: %s", message)

    def _apply(self) -> None:
        visible = self._open and self._wanted
        self.action.setChecked(self._wanted)
        self.setVisible(visible)
        if visible:
            self._remember()

    def _render(self) -> None:
        if not self._open:
            self.browser.clear()
            return
        if not self._results:
            empty = self.tr(
                "No check-in has been asked yet. Add one with: "
                "asyncdesk checkin add NAME --days fri --at 15:00 --to …"
            )
            self.browser.setHtml(f"<p>{html.escape(empty)}</p>")
            return
        parts = [self._section(found) for found in self._results]
        self.browser.setHtml("<hr/>".join(parts))

    def _when(self, instant: datetime) -> str:
        return instant.astimezone(self._zone).strftime("%a %d %b %H:%M")

    def _section(self, found: Results) -> str:
        run = found.run
        assert run is not None
        asked = len(found.asked)
        answered = len({a.recipient for a in found.answers})
        head = self.tr("Asked {when} · {answered} of {asked} answered").format(
            when=self._when(run.due_at), answered=answered, asked=asked
        )
        lines = [
            f"<h3>{html.escape(found.checkin.name)}</h3>",
            f"<p><i>{html.escape(head)}</i></p>",
        ]
        for answer in found.answers:
            who = answer.sender_name or answer.sender
            when = html.escape(self._when(answer.received_at))
            said = html.escape(answer_preview(answer.text))
            lines.append(f"<p><b>{html.escape(who)}</b> · {when}<br/>{said}</p>")
        if not found.answers:
            lines.append(f"<p>{html.escape(self.tr('No answers yet.'))}</p>")
        if found.not_answered:
            waiting = self.tr("Not answered yet: {people}").format(
                people=", ".join(found.not_answered)
            )
            lines.append(f"<p><i>{html.escape(waiting)}</i></p>")
        if found.pending:
            queued = self.tr("Not sent yet (the mail server was not reached): {people}").format(
                people=", ".join(found.pending)
            )
            lines.append(f"<p><i>{html.escape(queued)}</i></p>")
        for who, why in found.failed:
            failed = self.tr("Could not be asked: {person} ({reason})").format(
                person=who, reason=why
            )
            lines.append(f"<p><i>{html.escape(failed)}</i></p>")
        return "".join(lines)

    # -- what was shown ---------------------------------------------------------------

    def _seen_path(self) -> Path | None:
        store = self._store
        return None if store is None else Path(store.paths.ui_state)

    def _seen(self) -> dict[str, int]:
        path = self._seen_path()
        if path is None:
            return {}
        raw = QSettings(str(path), QSettings.Format.IniFormat).value(_SEEN_KEY, "{}")
        try:
            seen = json.loads(str(raw))
        except ValueError:
            return {}
        return {str(k): int(v) for k, v in seen.items()} if isinstance(seen, dict) else {}

    def _counts(self) -> dict[str, int]:
        return {str(r.run.id): len(r.answers) for r in self._results if r.run is not None}

    def _news(self) -> bool:
        seen = self._seen()
        return any(seen.get(run, -1) < count for run, count in self._counts().items())

    def _remember(self) -> None:
        path = self._seen_path()
        if path is None or not self._results:
            return
        settings = QSettings(str(path), QSettings.Format.IniFormat)
        settings.setValue(_SEEN_KEY, json.dumps(self._counts()))

    def closeEvent(self, event: QCloseEvent) -> None:
        """The close button: the user does not want the panel now."""
        super().closeEvent(event)
        if event.isAccepted():
            self._wanted = False
            self.action.setChecked(False)
            self.closed_by_user.emit()
