"""The main window: the batched inbox in a list, with the profile opened in the background.

The window is constructed and shown before the profile's database is touched; then
:meth:`MainWindow.open_profile` opens (and migrates) the store on the task runner's
database worker and hands it to the :class:`~asyncdesk.ui.inbox_model.InboxModel`. The
only disk access on the GUI thread is the tiny window-state file (QSettings, ini) read
before the window is shown, so it appears at the size the user left it.

Threading contract: every method runs on the GUI thread. The store is opened and closed
on the database worker; the window receives it only through task callbacks.
"""

from __future__ import annotations

import html
import logging
import sys
from concurrent import futures
from importlib import resources
from zoneinfo import ZoneInfo

from PySide6.QtCore import QByteArray, QEvent, QObject, QSettings, QSize, Qt, Signal
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QFont,
    QFontMetrics,
    QIcon,
    QKeySequence,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QMainWindow,
    QProgressBar,
    QStackedWidget,
    QTableView,
    QWidget,
)

from asyncdesk.core.clock import Clock, SystemClock
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.services import inbox
from asyncdesk.services.profile import open_profile, user_timezone
from asyncdesk.store.database import Store
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.inbox_model import DEFAULT_PAGE_SIZE, Column, InboxModel
from asyncdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

# The first-run size (width, height), before the user has chosen one.
DEFAULT_SIZE = (1100, 700)

_GEOMETRY_KEY = "main_window/geometry"
_STATE_KEY = "main_window/state"
_HEADER_KEY = "main_window/inbox_header"


def app_icon() -> QIcon | None:
    """The AsyncDesk icon shipped in ``asyncdesk/ui/resources``, or ``None`` if absent."""
    icon_file = resources.files("asyncdesk.ui").joinpath("resources", "asyncdesk.svg")
    if not icon_file.is_file():
        return None
    with resources.as_file(icon_file) as path:
        icon = QIcon(str(path))
    return None if icon.isNull() else icon


class MainWindow(QMainWindow):
    """The inbox window of one profile.

    Signals (GUI thread):

    - ``exposed()``: the window was first exposed on screen (painted at least once).
    - ``profile_opened()``: the store is open and the first page has been requested.
    - ``profile_failed(str)``: the profile cannot be used; the one-line reason.
    - ``count_loaded(int)``: the number of inbox messages was counted.
    """

    exposed = Signal()
    profile_opened = Signal()
    profile_failed = Signal(str)
    count_loaded = Signal(int)

    def __init__(
        self,
        paths: ProfilePaths,
        *,
        tasks: TaskRunner | None = None,
        clock: Clock | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.paths = paths
        self.tasks = tasks if tasks is not None else TaskRunner(self)
        self._clock: Clock = clock if clock is not None else SystemClock()
        self._store: Store | None = None
        # Written and read only on the database worker (FIFO), so a store opened by a
        # task whose result was dropped at shutdown is still closed by a later task.
        self._opened_on_worker: list[Store] = []
        self._was_exposed = False
        self._opening = False
        self._closed = False
        self.error_message: str | None = None

        self.setObjectName("MainWindow")
        self.setWindowTitle("AsyncDesk")
        icon = app_icon()
        if icon is not None:
            self.setWindowIcon(icon)

        self.model = InboxModel(self.tasks, self._clock, page_size=page_size, parent=self)
        self.view = self._make_view()
        self.error_label = QLabel(self)
        self.error_label.setObjectName("profileError")
        self.error_label.setTextFormat(Qt.TextFormat.RichText)
        self.error_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.error_label.setWordWrap(True)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.error_label.setMargin(24)
        self._pages = QStackedWidget(self)
        self._pages.addWidget(self.view)
        self._pages.addWidget(self.error_label)
        self.setCentralWidget(self._pages)

        self._status_label = QLabel(self)
        self._status_label.setObjectName("inboxStatus")
        self._progress = QProgressBar(self)
        self._progress.setRange(0, 0)  # busy indicator: we cannot tell how long it takes
        self._progress.setMaximumWidth(120)
        self._progress.setTextVisible(False)
        self._progress.hide()
        self.statusBar().addWidget(self._status_label, 1)
        self.statusBar().addPermanentWidget(self._progress)

        self._make_actions()
        self.model.loading_changed.connect(self._on_loading_changed)
        self.model.load_failed.connect(self._on_load_failed)
        self._restore_geometry()

    # -- construction -----------------------------------------------------------------

    def _make_view(self) -> QTableView:
        """A flat, mail-client-like table.

        A QTableView, not a QTreeView: QTreeView's layout calls ``fetchMore`` on the root
        whenever it can, which would pull page after page of a large inbox in the
        background; QTableView asks only when the last row scrolls into sight.
        """
        view = QTableView(self)
        view.setObjectName("inboxView")
        view.setModel(self.model)
        view.setSortingEnabled(False)
        view.setAlternatingRowColors(True)
        view.setShowGrid(False)
        view.setWordWrap(False)
        view.setCornerButtonEnabled(False)
        view.setTabKeyNavigation(False)
        view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        view.setTextElideMode(Qt.TextElideMode.ElideRight)
        view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        rows = view.verticalHeader()
        rows.hide()
        # Uniform row heights: no per-row size hints to compute, however many rows.
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        rows.setDefaultSectionSize(view.fontMetrics().height() + 8)
        self._set_default_columns(view)
        return view

    def _set_default_columns(self, view: QTableView) -> None:
        """Widths from the font, so they suit any DPI; Subject takes what is left."""
        header = view.horizontalHeader()
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        header.setStretchLastSection(False)
        header.setSectionsMovable(True)
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        header.setSectionResizeMode(Column.SUBJECT, QHeaderView.ResizeMode.Stretch)
        bold = QFont(view.font())
        bold.setBold(True)
        metrics = QFontMetrics(bold)
        # Wide enough for a bold "Wed 30 Sep 23:59" plus the cell's padding.
        time_width = metrics.horizontalAdvance("Wed 30 Sep 23:59") + 24
        view.setColumnWidth(Column.FROM, metrics.averageCharWidth() * 24)
        view.setColumnWidth(Column.ACCOUNT, metrics.averageCharWidth() * 12)
        view.setColumnWidth(Column.RECEIVED, time_width)
        view.setColumnWidth(Column.REPLY_BY, time_width)

    def _make_actions(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        self.reload_action = QAction("&Reload", self)
        self.reload_action.setShortcut(QKeySequence("F5"))
        self.reload_action.setStatusTip("Read the inbox again from the profile")
        self.reload_action.triggered.connect(self.reload)
        file_menu.addAction(self.reload_action)
        file_menu.addSeparator()
        self.quit_action = QAction("&Quit", self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

    # -- the profile ------------------------------------------------------------------

    @property
    def store(self) -> Store | None:
        """The open store, once :attr:`profile_opened` was emitted."""
        return self._store

    def open_profile(self) -> None:
        """Open the store on the database worker, then load the first page and the count."""
        self._opening = True
        self._set_status("Opening profile…", busy=True)
        root = self.paths.root
        opened = self._opened_on_worker

        def open_on_worker() -> tuple[Store, ZoneInfo]:
            store = open_profile(root)
            opened.append(store)
            return store, user_timezone(store)

        self.tasks.run_db(
            open_on_worker, success=self._on_profile_opened, failure=self._on_profile_failed
        )

    def _on_profile_opened(self, result: tuple[Store, ZoneInfo]) -> None:
        store, timezone = result
        self._opening = False
        self.error_message = None
        log.info("profile %s opened", self.paths.root)
        self._store = store
        self._pages.setCurrentWidget(self.view)
        self.model.set_store(store, timezone)
        self._count()
        self.profile_opened.emit()

    def _on_profile_failed(self, error: BaseException) -> None:
        self._opening = False
        if isinstance(error, AsyncDeskError):
            message = error.message
            log.warning("cannot open profile %s: %s", self.paths.root, message)
        else:
            message = f"Cannot open the profile {self.paths.root} (see the log for details)."
            sys.excepthook(type(error), error, error.__traceback__)
        self.show_profile_error(message)

    def show_profile_error(self, message: str) -> None:
        """Replace the inbox with ``message`` (one line for the user), calmly.

        The window itself says it, rather than a pop-up over a window that just opened:
        it stays readable (and selectable, to search for it) until the user acts.
        """
        self.error_message = message
        self.model.set_store(None)
        self.error_label.setText(
            "<h3>AsyncDesk cannot open this profile</h3>"
            f"<p>{html.escape(message)}</p>"
            "<p>Press F5 to try again.</p>"
        )
        self._pages.setCurrentWidget(self.error_label)
        self._set_status(message, busy=False)
        self.profile_failed.emit(message)

    def reload(self) -> None:
        """F5: read the inbox again (first page and count), or retry opening the profile."""
        if self._store is None:
            if not self._opening and not self._closed:
                self.open_profile()
            return
        self.model.reload()
        self._count()

    def _count(self) -> None:
        store = self._store
        assert store is not None
        self.tasks.run_db(
            lambda: inbox.count(store),
            success=self._on_count,
            is_current=lambda: self._store is store,
        )

    def _on_count(self, count: int) -> None:
        self._set_status(f"{count} message" if count == 1 else f"{count} messages")
        self.count_loaded.emit(count)

    def _on_loading_changed(self, loading: bool) -> None:
        self._progress.setVisible(loading or self._opening)

    def _on_load_failed(self, message: str) -> None:
        self._set_status(message, busy=False)

    # -- status bar -------------------------------------------------------------------

    def status_text(self) -> str:
        """What the status bar says (for tests and accessibility)."""
        return self._status_label.text()

    def _set_status(self, text: str, *, busy: bool | None = None) -> None:
        self._status_label.setText(text)
        if busy is not None:
            self._progress.setVisible(busy)
        elif not self.model.is_loading:
            self._progress.hide()

    # -- window state -----------------------------------------------------------------

    def _settings(self) -> QSettings:
        return QSettings(str(self.paths.ui_state), QSettings.Format.IniFormat)

    def _restore_geometry(self) -> None:
        settings = self._settings()
        geometry = settings.value(_GEOMETRY_KEY)
        if not (isinstance(geometry, QByteArray) and self.restoreGeometry(geometry)):
            self.resize(self.default_size())
        state = settings.value(_STATE_KEY)
        if isinstance(state, QByteArray):
            self.restoreState(state)
        header = settings.value(_HEADER_KEY)
        if isinstance(header, QByteArray):
            self.view.horizontalHeader().restoreState(header)

    def default_size(self) -> QSize:
        """:data:`DEFAULT_SIZE`, shrunk to 90 % of a screen too small for it."""
        width, height = DEFAULT_SIZE
        screen = self.screen()
        if screen is not None:
            available = screen.availableGeometry()
            width = min(width, int(available.width() * 0.9))
            height = min(height, int(available.height() * 0.9))
        return QSize(width, height)

    def save_geometry(self) -> None:
        """Remember size, position and column widths in the profile's ui-state file."""
        settings = self._settings()
        settings.setValue(_GEOMETRY_KEY, self.saveGeometry())
        settings.setValue(_STATE_KEY, self.saveState())
        settings.setValue(_HEADER_KEY, self.view.horizontalHeader().saveState())
        settings.sync()
        if settings.status() != QSettings.Status.NoError:
            log.warning("cannot save the window state to %s", self.paths.ui_state)

    # -- events -----------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        handle = self.windowHandle()
        if not self._was_exposed and handle is not None:
            handle.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if (
            not self._was_exposed
            and event.type() == QEvent.Type.Expose
            and watched == self.windowHandle()
            and self.windowHandle().isExposed()
        ):
            self._was_exposed = True
            watched.removeEventFilter(self)
            self.exposed.emit()
        return super().eventFilter(watched, event)

    @property
    def was_exposed(self) -> bool:
        return self._was_exposed

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the window state, close the store on its worker, stop the task runner."""
        if not self._closed:
            self._closed = True
            self.save_geometry()
            opened = self._opened_on_worker

            def close_on_worker() -> None:
                while opened:
                    opened.pop().close()

            # Wait for it: shutdown() cancels what is still queued, and this must run.
            futures.wait([self.tasks.run_db(close_on_worker)])
            self.tasks.shutdown()
            self._store = None
        super().closeEvent(event)
