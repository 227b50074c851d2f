"""The main window: the batched inbox, or the calm gate outside a communication window.

The window is constructed and shown before the profile's database is touched; then
:meth:`MainWindow.open_profile` opens (and migrates) the store on the task runner's
database worker, reads the schedule there, and hands the store to the
:class:`~asyncdesk.ui.inbox_model.InboxModel`. The only disk access on the GUI thread is
the tiny window-state file (QSettings, ini) read before the window is shown, so it
appears at the size the user left it.

Mode and pages: the window keeps the current :class:`~asyncdesk.core.schedule.Schedule`
(an immutable value) and computes the mode from its injected clock. In a window the
inbox page is shown; outside one, the :class:`~asyncdesk.ui.gate.GateView`. ONE
single-shot precise timer is set to the schedule's next transition (none if the mode
never changes); when it fires the mode is computed again, the page switched and the
timer re-armed. Nothing polls. The inbox model keeps loading behind the gate, unseen.

Break-glass: outside a window the user may open the inbox anyway with a reason; the
reason is recorded on the database worker (``services.schedule.open_inbox``) before the
inbox appears, under a slim banner that leads back to the gate. The session ends at
the next transition.

Deadlines: the "Reply by" badges of the inbox, the deadlines dock
(:class:`~asyncdesk.ui.deadlines_panel.DeadlinesPanel`) and the reply-by actions
(:class:`~asyncdesk.ui.message_actions.MessageActions`: context menu, Message menu,
undo) all know the next window's start, which the window hands them whenever it
decides the mode. The dock is hidden behind the gate whatever the user chose; the
user's choice (F9, or the dock's close button) is remembered with the window state.

Notifications: once the profile is open, a
:class:`~asyncdesk.services.notifications.Notifier` runs on its own thread (the same one
``asyncdesk sync`` runs) and hears the live sync's events from the sync thread; the GUI
thread only starts and stops it.

Texts go through Qt's translator (``self.tr``, context ``"MainWindow"``); what the
layers below say (services' one-line errors, shared with the command line) and the
search syntax (``is:due``, ``account:``) are shown as they are.

Threading contract: every method runs on the GUI thread. The store is opened and closed
on the database worker; the window receives it only through task callbacks.
"""

from __future__ import annotations

import html
import logging
import math
import subprocess
import sys
from concurrent import futures
from datetime import datetime
from enum import StrEnum
from importlib import resources
from pathlib import Path
from typing import cast
from zoneinfo import ZoneInfo

import shiboken6
from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QByteArray,
    QCoreApplication,
    QEvent,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QSettings,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QFont,
    QFontMetrics,
    QIcon,
    QKeySequence,
    QPalette,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDockWidget,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from asyncdesk.core.clock import Clock, SystemClock
from asyncdesk.core.errors import AsyncDeskError, BadInput
from asyncdesk.core.mailto import MailtoDraft, is_mailto, parse_mailto
from asyncdesk.core.messages import Medium
from asyncdesk.core.schedule import Mode, Schedule
from asyncdesk.services import inbox
from asyncdesk.services.notifications import Notifier, Show
from asyncdesk.services.profile import open_profile, restore_backup, user_timezone
from asyncdesk.services.schedule import load_schedule, open_inbox
from asyncdesk.services.stats import export_due_report
from asyncdesk.store.backup import Backup, backup_time
from asyncdesk.store.database import Store
from asyncdesk.store.messages import StoredMessage
from asyncdesk.store.profile import ProfilePaths
from asyncdesk.ui.answers_picker import SaveAnswerDialog
from asyncdesk.ui.chat_view import ChatView
from asyncdesk.ui.checkins_view import CheckinsPanel
from asyncdesk.ui.column_fit import FitColumns
from asyncdesk.ui.compose import ComposeWindow
from asyncdesk.ui.deadlines_panel import DeadlinesPanel
from asyncdesk.ui.due import overdue_text, snoozed_text
from asyncdesk.ui.first_run import WelcomeDialog, offer_welcome
from asyncdesk.ui.gate import BreakGlassDialog, GateView, local_when
from asyncdesk.ui.inbox_model import DEFAULT_PAGE_SIZE, Column, InboxModel
from asyncdesk.ui.invitation_bar import InvitationBar
from asyncdesk.ui.message_actions import MessageActions
from asyncdesk.ui.message_view import MessageView
from asyncdesk.ui.new_message import NewMessageWindow
from asyncdesk.ui.settings_dialog import SettingsDialog
from asyncdesk.ui.shortcuts import ShortcutSheet, key_action, move_current
from asyncdesk.ui.stats_view import StatsWindow
from asyncdesk.ui.sync_controller import SyncController
from asyncdesk.ui.tasks import TaskRunner
from asyncdesk.ui.tray import bring_to_front
from asyncdesk.ui.triage_actions import LabelChipDelegate, TriageActions

log = logging.getLogger(__name__)

# The pause after the last key before a search runs (results while typing).
SEARCH_PAUSE_MS = 150
# The pause after the inbox changed before the sidebar counts again (a sync brings
# many changes at once).
COUNTS_PAUSE_MS = 300
# The views that show how many messages they hold: the promises, what asks for the
# user's action (an unread count would be noise in a batched inbox, and costs a walk
# of every message).
COUNTED_VIEWS = ("is:due", "is:soon", "is:overdue")
_LABEL_ROLE = Qt.ItemDataRole.UserRole + 1

# The first-run size (width, height), before the user has chosen one.
DEFAULT_SIZE = (1100, 700)

_GEOMETRY_KEY = "main_window/geometry"
_STATE_KEY = "main_window/state"
_HEADER_KEY = "main_window/inbox_header"
# Whether the user wants the deadlines dock (it is hidden behind the gate regardless).
_DEADLINES_KEY = "main_window/deadlines_visible"

# QTimer takes a signed 32-bit interval (about 24.8 days); a later transition re-arms.
MAX_TIMER_MS = 2**31 - 1


class Page(StrEnum):
    """Which page the window shows."""

    OPENING = "opening"  # the profile or its schedule is still being read
    INBOX = "inbox"
    GATE = "gate"
    ERROR = "error"  # the profile cannot be used


def app_icon() -> QIcon | None:
    """The AsyncDesk icon shipped in ``asyncdesk/ui/resources``, or ``None`` if absent."""
    icon_file = resources.files("asyncdesk.ui").joinpath("resources", "asyncdesk.svg")
    if not icon_file.is_file():
        return None
    with resources.as_file(icon_file) as path:
        icon = QIcon(str(path))
    return None if icon.isNull() else icon


def _backup_when(backup: Path) -> str:
    """The local time a backup was taken, from its name (``asyncdesk-<UTC>.sqlite3``)."""
    taken = backup_time(backup)
    return backup.name if taken is None else taken.astimezone().strftime("%Y-%m-%d %H:%M")


class MainWindow(QMainWindow):
    """The inbox window of one profile.

    Signals (GUI thread):

    - ``exposed()``: the window was first exposed on screen (painted at least once).
    - ``profile_opened()``: the store is open and the first page has been requested.
    - ``profile_failed(str)``: the profile cannot be used; the one-line reason.
    - ``count_loaded(int)``: the number of inbox messages was counted.
    - ``schedule_loaded()``: the schedule was read (at open, or again with F5) and the
      page decided from it.
    - ``schedule_failed(str)``: the schedule could not be read; the one-line reason. The
      inbox stays open (nobody is locked out by a broken schedule).
    - ``mode_changed(str)``: the mode is now this :class:`Mode` value; emitted when it is
      first known and whenever it differs from the last one emitted (at a transition,
      or after F5 read a changed schedule).
    - ``break_glass_opened(str)``: the inbox was opened outside a window; the reason,
      already recorded in the profile.
    - ``break_glass_failed(str)``: opening it anyway failed; the one-line reason.
    - ``message_revealed(int)``: the message with this id was selected in the inbox
      (asked for from the deadlines panel).
    - ``sidebar_counts_shown()``: the sidebar shows fresh counts beside its views.
    """

    exposed = Signal()
    sidebar_counts_shown = Signal()
    profile_opened = Signal()
    profile_failed = Signal(str)
    count_loaded = Signal(int)
    schedule_loaded = Signal()
    schedule_failed = Signal(str)
    mode_changed = Signal(str)
    break_glass_opened = Signal(str)
    break_glass_failed = Signal(str)
    message_revealed = Signal(int)

    def __init__(
        self,
        paths: ProfilePaths,
        *,
        tasks: TaskRunner | None = None,
        clock: Clock | None = None,
        page_size: int = DEFAULT_PAGE_SIZE,
        show_notification: Show | None = None,
        parent: QWidget | None = None,
    ) -> None:
        """``show_notification`` shows a desktop notification (default: plyer)."""
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
        self._schedule: Schedule | None = None
        self._mode: Mode | None = None  # the last mode announced by mode_changed
        self._break_glass_reason: str | None = None
        # The sidebar's counts follow what changes the inbox (a sync, a triage key).
        self._horizon: datetime | None = None
        self._counts: dict[str, int] = {}
        self._counts_timer = QTimer(self)
        self._counts_timer.setSingleShot(True)
        self._counts_timer.setInterval(COUNTS_PAUSE_MS)
        self._counts_timer.timeout.connect(self._refresh_counts)
        self._break_glass_pending = False
        self._message_count: int | None = None
        self._deadlines_wanted = True  # the user's choice; the gate hides it regardless
        self._size_deadlines = False
        self._reveal: tuple[int, datetime] | None = None  # a message to select once loaded
        self._show_notification = show_notification
        self.notifier: Notifier | None = None  # runs while the profile is open
        self.stats_window: StatsWindow | None = None  # made when first asked for
        self._timezone: ZoneInfo | None = None

        self.setObjectName("MainWindow")
        self.setWindowTitle(self.tr("AsyncDesk"))
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
        self.opening_page = QWidget(self)
        self.opening_page.setObjectName("opening")
        self.gate = GateView(self._clock, self)
        self.gate.break_glass_requested.connect(self.ask_break_glass)
        self.inbox_page = self._make_inbox_page()
        self._pages = QStackedWidget(self)
        self._page_widgets: dict[Page, QWidget] = {
            Page.OPENING: self.opening_page,
            Page.INBOX: self.inbox_page,
            Page.GATE: self.gate,
            Page.ERROR: self.error_label,
        }
        for widget in self._page_widgets.values():
            self._pages.addWidget(widget)
        self.setCentralWidget(self._pages)
        self.break_glass_dialog = BreakGlassDialog(self)
        self.break_glass_dialog.accepted.connect(self._on_break_glass_reason)

        # The one timer that decides when the mode is computed again: single-shot, set
        # to the next transition. Precise: a coarse timer may fire 5 % early.
        self.mode_timer = QTimer(self)
        self.mode_timer.setSingleShot(True)
        self.mode_timer.setTimerType(Qt.TimerType.PreciseTimer)
        self.mode_timer.timeout.connect(self._on_mode_timer)

        self._status_label = QLabel(self)
        self._status_label.setObjectName("inboxStatus")
        self._progress = QProgressBar(self)
        self._progress.setRange(0, 0)  # busy indicator: we cannot tell how long it takes
        self._progress.setMaximumWidth(120)
        self._progress.setTextVisible(False)
        self._progress.hide()
        self._sync_label = QLabel(self)
        self._sync_label.setObjectName("syncStatus")
        self._sync_label.hide()
        self.statusBar().addWidget(self._status_label, 1)
        self.statusBar().addPermanentWidget(self._sync_label)
        self.statusBar().addPermanentWidget(self._progress)

        self.sync = SyncController(self.tasks, self._clock, self)
        self.sync.progress.connect(self._on_sync_progress)
        self.sync.synced.connect(self._on_synced)
        self.sync.failed.connect(self._on_sync_failed)

        self.deadlines = DeadlinesPanel(self.tasks, self._clock, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.deadlines)
        self.deadlines.message_activated.connect(self.reveal_message)
        # Bound methods, not lambdas over self: a connection holds its lambda strongly
        # from C++, where Python's collector cannot see the cycle, and the window leaks.
        self.deadlines.closed_by_user.connect(self._on_deadlines_closed)
        self.deadlines.deadline_passed.connect(self.model.update_badges)
        # Check-ins: the gathered answers, shown (and filled) only with the inbox.
        self.checkins = CheckinsPanel(self.tasks, self._clock, self)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.checkins)
        # Chat conversations open beside the inbox (Enter or double-click on one).
        # The reading pane: an email (message view) or a chat conversation.
        self.chat = ChatView(self.tasks, self._clock, self)
        self.message_view = MessageView(self.tasks, self._clock, self)
        self._reading = QStackedWidget(self)
        self._reading.addWidget(self.message_view)
        self._reading.addWidget(self.chat)
        self.chat_dock = QDockWidget(self.tr("Conversation"), self)
        self.chat_dock.setObjectName("chatDock")
        self.chat_dock.setWidget(self._reading)
        self.chat_dock.hide()
        # Below the list, as a mail client's reading pane: the inbox keeps its width.
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.chat_dock)
        self._size_chat = True
        self.view.activated.connect(self.open_message)
        self.chat.sent.connect(self._on_chat_sent)
        self.deadlines.load_failed.connect(self._on_deadlines_failed)
        self.message_actions = MessageActions(self.view, self.model, self.tasks, self._clock, self)
        self.message_actions.rows_changed.connect(self.model.reload)
        self.message_actions.changed.connect(self._on_messages_changed)
        self.statusBar().insertWidget(0, self.message_actions.feedback)
        # T, O, I: a reply already written (ui.triage_actions); labels as chips.
        self.triage_actions = TriageActions(
            self.view, self.model, self.tasks, self._clock, self._reply_for, self._chat_for, self
        )
        self.triage_actions.fill_menu(self.message_actions.menu)
        self.view.setItemDelegateForColumn(Column.SUBJECT, LabelChipDelegate(self.view))

        self._make_actions()
        self.model.loading_changed.connect(self._on_loading_changed)
        self.model.load_failed.connect(self._on_load_failed)
        self.model.page_loaded.connect(self._try_reveal)
        # Not on every page: scrolling reads pages, it changes nothing.
        self.model.modelReset.connect(self._counts_timer.start)
        self.model.rows_refreshed.connect(self._counts_timer.start)
        self.model.labels_read.connect(self._on_labels_read)
        self._restore_geometry()
        self._apply_deadlines_visibility()

    # -- construction -----------------------------------------------------------------

    def _make_inbox_page(self) -> QWidget:
        """The inbox table, under a slim banner shown only during a break-glass session."""
        page = QWidget(self)
        page.setObjectName("inboxPage")
        self.banner = QFrame(page)
        self.banner.setObjectName("breakGlassBanner")
        self.banner.setAutoFillBackground(True)
        self.banner.setBackgroundRole(QPalette.ColorRole.AlternateBase)
        self.banner.setFrameShape(QFrame.Shape.NoFrame)
        self.banner_label = QLabel(self.banner)
        self.banner_label.setObjectName("breakGlassBannerText")
        self.banner_label.setTextFormat(Qt.TextFormat.PlainText)
        self.banner_label.setWordWrap(True)
        self.back_to_focus_button = QPushButton(self.tr("Back to focus"), self.banner)
        self.back_to_focus_button.setObjectName("backToFocus")
        self.back_to_focus_button.setToolTip(self.tr("Close the inbox again until the next window"))
        self.back_to_focus_button.setAutoDefault(False)
        self.back_to_focus_button.clicked.connect(self.back_to_focus)
        row = QHBoxLayout(self.banner)
        row.setContentsMargins(16, 8, 12, 8)
        row.setSpacing(16)
        row.addWidget(self.banner_label, 1)
        row.addWidget(self.back_to_focus_button)
        self.banner.hide()
        self.invitations = InvitationBar(self.tasks, page)
        # Search: results while typing (a short pause after the last key).
        self.search_box = QLineEdit(page)
        self.search_box.setObjectName("searchBox")
        self.search_box.setAccessibleName(self.tr("Search"))
        self.search_box.setClearButtonEnabled(True)
        # The search words (sender:, is:due, ...) are the syntax: never translated.
        self.search_box.setPlaceholderText(
            self.tr("Search (/): words, {operators}").format(
                operators="sender:, subject:, is:due, is:overdue, is:fyi, in:chat, account:"
            )
        )
        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_PAUSE_MS)
        self._search_timer.timeout.connect(self._apply_search)
        self.search_box.textChanged.connect(self._search_timer.start)
        self.search_box.returnPressed.connect(self._search_done)
        QShortcut(QKeySequence("Escape"), self.search_box, self._clear_search)
        # The sidebar: saved searches, shown in the box when chosen (nothing hidden).
        self.sidebar = QListWidget(page)
        self.sidebar.setObjectName("sidebar")
        self.sidebar.setAccessibleName(self.tr("Views"))
        self.sidebar.setFrameShape(QFrame.Shape.NoFrame)
        self.sidebar.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.sidebar.setTextElideMode(Qt.TextElideMode.ElideRight)
        self._fill_sidebar([])
        self.sidebar.itemActivated.connect(self._on_sidebar_item)
        self.sidebar.itemClicked.connect(self._on_sidebar_item)
        right = QVBoxLayout()
        right.setContentsMargins(0, 0, 0, 0)
        right.setSpacing(0)
        right.addWidget(self.search_box)
        right.addWidget(self.view, 1)
        split = QHBoxLayout()
        split.setContentsMargins(0, 0, 0, 0)
        split.setSpacing(0)
        split.addWidget(self.sidebar)
        split.addLayout(right, 1)
        column = QVBoxLayout(page)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.banner)
        column.addWidget(self.invitations)
        column.addLayout(split, 1)
        return page

    def _make_view(self) -> QTableView:
        """A flat, mail-client-like table.

        A QTableView, not a QTreeView: QTreeView's layout calls ``fetchMore`` on the root
        whenever it can, which would pull page after page of a large inbox in the
        background; QTableView asks only when the last row scrolls into sight.
        """
        view = QTableView(self)
        view.setObjectName("inboxView")
        view.setAccessibleName(self.tr("Inbox"))
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
        # The widest badges: a bold "Overdue · ..." and a plain "Snoozed until ...",
        # measured as they are worded in the user's language.
        badge_width = 24 + max(
            metrics.horizontalAdvance(overdue_text("Wed 23:59")),
            QFontMetrics(view.font()).horizontalAdvance(snoozed_text("Wed 23:59")),
        )
        char = metrics.averageCharWidth()
        view.setColumnWidth(Column.FROM, char * 24)
        view.setColumnWidth(Column.ACCOUNT, char * 12)
        view.setColumnWidth(Column.RECEIVED, time_width)
        view.setColumnWidth(Column.REPLY_BY, badge_width)
        # On a narrow list From and Account give way, so the subject stays readable.
        self.column_fit = FitColumns(
            view,
            {Column.FROM: (char * 24, char * 12), Column.ACCOUNT: (char * 12, char * 6)},
            subject_min=char * 30,
        )

    def _make_actions(self) -> None:
        file_menu = self.menuBar().addMenu(self.tr("&File"))
        self.reload_action = QAction(self.tr("&Reload"), self)
        self.reload_action.setShortcut(QKeySequence("F5"))
        self.reload_action.setStatusTip(self.tr("Read the inbox again from the profile"))
        self.reload_action.triggered.connect(self.reload)
        file_menu.addAction(self.reload_action)
        self.break_glass_action = QAction(self.tr("Open Inbox &Anyway…"), self)
        self.break_glass_action.setShortcut(QKeySequence("Ctrl+Shift+B"))
        self.break_glass_action.setStatusTip(
            self.tr("Open the inbox outside a window; you will be asked for a reason")
        )
        self.break_glass_action.setEnabled(False)  # only while the gate is shown
        self.break_glass_action.triggered.connect(self.ask_break_glass)
        file_menu.addAction(self.break_glass_action)
        self.settings_action = QAction(self.tr("&Settings…"), self)
        self.settings_action.setShortcut(QKeySequence.StandardKey.Preferences)
        self.settings_action.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.settings_action.triggered.connect(self._on_settings_action)
        file_menu.addAction(self.settings_action)
        file_menu.addSeparator()
        self.quit_action = QAction(self.tr("&Quit"), self)
        self.quit_action.setShortcut(QKeySequence("Ctrl+Q"))
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        self.quit_action.triggered.connect(self.close)
        file_menu.addAction(self.quit_action)

        edit_menu = self.menuBar().addMenu(self.tr("&Edit"))
        edit_menu.addAction(self.message_actions.undo_action)
        message_menu = self.menuBar().addMenu(self.tr("&Message"))
        # Writing is gated as reading is: only while the inbox is shown.
        self.new_message_action = QAction(self.tr("&New Message…"), self)
        self.new_message_action.setShortcut(QKeySequence(QKeySequence.StandardKey.New))
        self.new_message_action.setStatusTip(self.tr("Write a new email"))
        self.new_message_action.setEnabled(False)
        self.new_message_action.triggered.connect(lambda: self.write_to(MailtoDraft()))
        message_menu.addAction(self.new_message_action)
        message_menu.addSeparator()
        self.message_actions.fill_menu(message_menu)
        view_menu = self.menuBar().addMenu(self.tr("&View"))
        self.deadlines_action = QAction(self.tr("&Deadlines"), self)
        self.deadlines_action.setCheckable(True)
        self.deadlines_action.setChecked(True)
        self.deadlines_action.setShortcut(QKeySequence("F9"))
        self.deadlines_action.setStatusTip(self.tr("Show or hide the deadlines beside the inbox"))
        self.deadlines_action.triggered.connect(self.set_deadlines_wanted)
        view_menu.addAction(self.deadlines_action)
        view_menu.addAction(self.checkins.action)
        self.stats_action = QAction(self.tr("Weekly &Stats"), self)
        self.stats_action.setShortcut(QKeySequence("Ctrl+Shift+S"))
        self.stats_action.setStatusTip(self.tr("This week's and earlier weeks' numbers and charts"))
        self.stats_action.triggered.connect(self.show_stats)
        view_menu.addAction(self.stats_action)

        # The inbox's single keys (only while the inbox table has the focus).
        view = self.view
        self.next_action = key_action(
            view, self.tr("Next message"), "J", lambda: move_current(view, 1)
        )
        self.previous_action = key_action(
            view, self.tr("Previous message"), "K", lambda: move_current(view, -1)
        )
        self.open_action = QAction(self.tr("Open the message"), self)
        self.open_action.setShortcut(QKeySequence("Return"))
        self.reply_action = key_action(view, self.tr("&Reply"), "R", self._on_reply_key)
        self.reply_all_action = key_action(
            view, self.tr("Reply to &all"), "A", self._on_reply_all_key
        )
        self.undo_key_action = key_action(
            view, self.tr("Undo the last change"), "Z", self.message_actions.undo
        )
        self.search_key_action = key_action(view, self.tr("Search"), "/", self.focus_search)
        self.find_action = QAction(self.tr("&Find…"), self)
        self.find_action.setShortcut(QKeySequence.StandardKey.Find)
        self.find_action.triggered.connect(self.focus_search)
        edit_menu.addAction(self.find_action)
        self.shortcuts_action = QAction(self.tr("&Keyboard Shortcuts"), self)
        self.shortcuts_action.setShortcuts([QKeySequence("?"), QKeySequence("Shift+?")])
        self.shortcuts_action.setShortcutContext(Qt.ShortcutContext.WindowShortcut)
        self.shortcuts_action.triggered.connect(self.show_shortcuts)
        message_menu.addSeparator()
        message_menu.addAction(self.reply_action)
        message_menu.addAction(self.reply_all_action)
        self.triage_actions.fill_menu(message_menu)
        self.save_answer_action = QAction(self.tr("Save as &Answer…"), self)
        self.save_answer_action.setShortcut(QKeySequence("Ctrl+Shift+A"))
        self.save_answer_action.setStatusTip(
            self.tr("Keep the message's text as a saved answer, with a title and tags")
        )
        self.save_answer_action.setEnabled(False)  # only while the inbox is shown
        self.save_answer_action.triggered.connect(self.save_current_as_answer)
        message_menu.addAction(self.save_answer_action)
        help_menu = self.menuBar().addMenu(self.tr("&Help"))
        help_menu.addAction(self.shortcuts_action)
        self.compose_windows: list[ComposeWindow] = []
        self.new_message_windows: list[NewMessageWindow] = []
        self._waiting_drafts: list[MailtoDraft] = []  # mailto: links behind the gate

    # -- the profile ------------------------------------------------------------------

    @property
    def store(self) -> Store | None:
        """The open store, once :attr:`profile_opened` was emitted."""
        return self._store

    def open_profile(self) -> None:
        """Open the store on the database worker, then read the schedule, the first page
        and the count (in that order, so the page shown is decided first)."""
        self._opening = True
        self._set_status(self.tr("Opening profile…"), busy=True)
        root = self.paths.root
        opened = self._opened_on_worker
        clock = self._clock

        def open_on_worker() -> tuple[Store, ZoneInfo]:
            store = open_profile(root, clock)
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
        self._show_page(Page.OPENING)
        self.reload_schedule()
        self.model.set_store(store, timezone)
        self.deadlines.set_store(store, timezone)
        self.checkins.set_store(store, timezone)
        self.message_actions.set_store(store)
        self.triage_actions.set_store(store)
        self.chat.set_store(store, timezone)
        self.message_view.set_store(store, timezone)
        self.invitations.set_store(store)
        self._load_sidebar_accounts()
        if self.stats_window is not None:
            self.stats_window.set_store(store, timezone)
        self._timezone = timezone
        self._count()
        if self.notifier is None:
            self.notifier = Notifier(store, self._clock, show=self._show_notification)
            self.notifier.start()
        self.sync.start(store, listener=self.notifier.sync_report)
        # The weekly report, if one is due and a folder is set (also done by the sync).
        clock = self._clock
        self.tasks.run_db(lambda: export_due_report(store, clock))
        # A new, empty profile gets a short welcome (schedule, zone, promise).
        offer_welcome(self.tasks, self._clock, store, self, connect=self._connect_welcome)
        self.profile_opened.emit()

    # -- settings and the welcome -----------------------------------------------------

    def _on_settings_action(self) -> None:
        self.open_settings()

    def open_settings(self, section: str | None = None) -> SettingsDialog | None:
        """File ▸ Settings…: accounts, schedule, calendars, promises, notifications."""
        if self._store is None:
            return None
        dialog = SettingsDialog(self.tasks, self._clock, self._store, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self._on_settings_changed)
        if section is not None:
            dialog.show_section(section)
        dialog.open()
        return dialog

    def _on_settings_changed(self, section: str) -> None:
        store = self._store
        if store is None:
            return
        if section in ("schedule", "calendar"):
            self._reread_zone()
            self.reload_schedule()
        elif section == "reply_by":
            self.deadlines.reload()
            self.model.refresh(None)
        elif section == "accounts":
            self.model.reload()
            self._load_sidebar_accounts()
            self.sync.stop()  # the accounts to keep in step changed
            if self.notifier is not None:
                self.sync.start(store, listener=self.notifier.sync_report)

    def _reread_zone(self) -> None:
        """The user's zone may have changed (settings, welcome): every view follows."""
        store = self._store
        if store is None:
            return
        self.tasks.run_db(lambda: user_timezone(store), success=self._on_zone)

    def _on_zone(self, zone: ZoneInfo) -> None:
        if zone == self._timezone or self._store is None:
            return
        self._timezone = zone
        store = self._store
        self.model.set_store(store, zone)
        self.deadlines.set_store(store, zone)
        self.checkins.set_store(store, zone)
        self.chat.set_store(store, zone)
        self.message_view.set_store(store, zone)
        if self.stats_window is not None:
            self.stats_window.set_store(store, zone)

    def _connect_welcome(self, dialog: WelcomeDialog) -> None:
        dialog.applied.connect(self._on_welcome_applied)
        dialog.add_account_requested.connect(self._on_welcome_add_account)
        dialog.demo_requested.connect(self.open_demo)

    def _on_welcome_applied(self) -> None:
        self._reread_zone()
        self.reload_schedule()
        self.deadlines.reload()

    def _on_welcome_add_account(self) -> None:
        self.open_settings("accounts")

    def open_demo(self) -> None:
        """The welcome's "Open the demo": AsyncDesk on demo data, in a profile of its
        own (never this one), as a second window."""
        from platformdirs import user_data_dir

        demo = Path(user_data_dir("asyncdesk")) / "demo-profile"
        subprocess.Popen(
            [sys.executable, "-m", "asyncdesk", "demo", "--profile", str(demo)],
            start_new_session=True,
        )
        self._set_status(
            self.tr("Opening the demo in its own profile ({folder})…").format(folder=demo)
        )

    def _on_profile_failed(self, error: BaseException) -> None:
        self._opening = False
        if isinstance(error, AsyncDeskError):
            message = error.message
            log.warning("cannot open profile %s: %s", self.paths.root, message)
        else:
            message = self.tr("Cannot open the profile {folder} (see the log for details).").format(
                folder=self.paths.root
            )
            sys.excepthook(type(error), error, error.__traceback__)
        self.show_profile_error(message, restore=getattr(error, "backup", None))

    def show_profile_error(self, message: str, restore: Path | None = None) -> None:
        """Replace the inbox with ``message`` (one line for the user), calmly.

        The window itself says it, rather than a pop-up over a window that just opened:
        it stays readable (and selectable, to search for it) until the user acts. For a
        damaged database with a backup (``restore``), the page offers to restore it: the
        same as ``asyncdesk profile restore``, which the message names.
        """
        self.error_message = message
        self.model.set_store(None)
        self.deadlines.set_store(None)
        self.checkins.set_store(None)
        self.message_actions.set_store(None)
        self.triage_actions.set_store(None)
        self.chat.set_store(None)
        self.message_view.set_store(None)
        self.chat_dock.hide()
        self.invitations.set_store(None)
        if self.stats_window is not None:
            self.stats_window.set_store(None)
        self.mode_timer.stop()
        title = self.tr("AsyncDesk cannot open this profile")
        hint = self.tr("Press F5 to try again.")
        action = ""
        self._restorable = restore
        if restore is not None:
            link = self.tr("Restore the backup of {when}").format(when=_backup_when(restore))
            action = f'<p><a href="restore">{html.escape(link)}</a></p>'
            if not self._restore_link_connected:
                self._restore_link_connected = True
                self.error_label.linkActivated.connect(self._on_restore_link)
        self.error_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByKeyboard
        )
        self.error_label.setText(
            f"<h3>{html.escape(title)}</h3><p>{html.escape(message)}</p>{action}"
            f"<p>{html.escape(hint)}</p>"
        )
        self._show_page(Page.ERROR)
        self._set_status(message, busy=False)
        self.profile_failed.emit(message)

    _restorable: Path | None = None
    _restore_link_connected = False

    def _on_restore_link(self, _link: str) -> None:
        """The error page's "Restore the backup of …": put it in place (the damaged file
        is kept aside), then open the profile again."""
        backup = self._restorable
        if backup is None or self._opening or self._store is not None:
            return
        self._restorable = None
        self._opening = True
        self._set_status(self.tr("Restoring the backup…"), busy=True)
        root, clock = self.paths.root, self._clock
        self.tasks.run_db(
            lambda: restore_backup(root, clock, str(backup)),
            success=self._on_restored,
            failure=self._on_profile_failed,
        )

    def _on_restored(self, result: tuple[Backup, Path]) -> None:
        backup, aside = result
        log.info("restored %s; the damaged database is kept as %s", backup.path, aside)
        self._opening = False
        self.open_profile()

    def reload(self) -> None:
        """F5: read the schedule and the inbox again, or retry opening the profile."""
        if self._store is None:
            if not self._opening and not self._closed:
                self.open_profile()
            return
        self.reload_schedule()
        self.model.reload()
        self.deadlines.reload()
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
        self._message_count = count
        self._refresh_status()
        self.count_loaded.emit(count)

    def _on_loading_changed(self, loading: bool) -> None:
        # Behind the gate the inbox loads unseen: no busy indicator for it.
        self._progress.setVisible((loading or self._opening) and self.page is not Page.GATE)

    def _on_load_failed(self, message: str) -> None:
        self._set_status(message, busy=False)

    # -- the schedule and the mode ----------------------------------------------------

    @property
    def schedule(self) -> Schedule | None:
        """The schedule in force, once :attr:`schedule_loaded` was emitted."""
        return self._schedule

    @property
    def mode(self) -> Mode | None:
        """The mode last announced by :attr:`mode_changed` (``None`` before that)."""
        return self._mode

    @property
    def break_glass_reason(self) -> str | None:
        """The reason of the break-glass session in progress, if any."""
        return self._break_glass_reason

    def reload_schedule(self) -> None:
        """Read the schedule on the database worker, then decide the page and the timer."""
        store = self._store
        if store is None:
            return
        self.tasks.run_db(
            lambda: load_schedule(store),
            success=self._on_schedule,
            failure=self._on_schedule_failed,
            is_current=lambda: self._store is store,
        )

    def _on_schedule(self, schedule: Schedule) -> None:
        self._schedule = schedule
        self.triage_actions.set_schedule(schedule)
        self._evaluate()
        self.schedule_loaded.emit()

    def _on_schedule_failed(self, error: BaseException) -> None:
        if isinstance(error, AsyncDeskError):
            log.warning("Cannot read the schedule: %s", error.message)
            message = self.tr("Cannot read the schedule: {reason}").format(reason=error.message)
        else:
            message = self.tr("Cannot read the schedule (see the log for details).")
            sys.excepthook(type(error), error, error.__traceback__)
        # Nobody is locked out by a broken schedule: the inbox stays open.
        self._schedule = Schedule()
        self._evaluate()
        self._set_status(
            self.tr("{problem} The inbox stays open.").format(problem=message), busy=False
        )
        self.schedule_failed.emit(message)

    def _evaluate(self) -> None:
        """Compute the mode now, show its page, re-arm the timer, announce a change.

        Cheap (the schedule is a value in memory), so it runs whenever anything may have
        changed: the timer fired, the schedule was read, the window became active. A
        break-glass session ends when the mode changes (and cannot exist in a window).
        """
        schedule = self._schedule
        if schedule is None or self._store is None or self._closed:
            return
        now = self._clock.now()
        mode = schedule.mode_at(now)
        if mode is Mode.WINDOW or (self._mode is not None and mode is not self._mode):
            self._break_glass_reason = None
        if mode is Mode.WINDOW or self._break_glass_reason is not None:
            self._show_inbox()
        else:
            self.gate.show_state(schedule, mode, now)
            self._show_page(Page.GATE)
        self._arm_mode_timer(schedule, now)
        upcoming = schedule.next_window(now)
        horizon = None if upcoming is None else upcoming.start
        if horizon != self._horizon:
            self._horizon = horizon
            self._counts_timer.start()
        self.model.set_horizon(horizon)
        self.deadlines.set_horizon(horizon)
        self.message_actions.update_actions()
        self._refresh_status()
        if mode is not self._mode:
            log.info("mode: %s", mode.value)
            if self._mode is not None:
                self.deadlines.reload()  # a snooze may have run out; "now" moved on
            self._mode = mode
            self.mode_changed.emit(mode.value)

    def _arm_mode_timer(self, schedule: Schedule, now: datetime) -> None:
        until = schedule.next_transition(now)
        if until is None:
            self.mode_timer.stop()
            return
        milliseconds = math.ceil((until - now).total_seconds() * 1000)
        self.mode_timer.start(max(0, min(milliseconds, MAX_TIMER_MS)))

    def _on_mode_timer(self) -> None:
        """The mode timer fired: look again. A timer clamped to Qt's range, or one that
        fired a hair early, finds the same mode and is simply re-armed."""
        self._evaluate()

    # -- break-glass ------------------------------------------------------------------

    def ask_break_glass(self) -> None:
        """Ask for a reason to open the inbox outside a window (gate only, non-blocking)."""
        if self.page is not Page.GATE or self._break_glass_pending:
            return
        self.break_glass_dialog.ask()

    def _on_break_glass_reason(self) -> None:
        reason = self.break_glass_dialog.reason()
        if reason:
            self.open_anyway(reason)

    def open_anyway(self, reason: str) -> None:
        """Record a break-glass event with ``reason`` on the worker, then show the inbox."""
        store = self._store
        if store is None or not reason.strip() or self._break_glass_pending:
            return
        clock = self._clock
        self._break_glass_pending = True
        self.break_glass_action.setEnabled(False)
        self.gate.break_glass_button.setEnabled(False)

        def done() -> None:
            self._break_glass_pending = False
            self.gate.break_glass_button.setEnabled(True)

        def opened(mode: Mode) -> None:
            done()
            if mode is Mode.WINDOW:  # a window opened meanwhile: nothing was recorded
                self._evaluate()
                return
            recorded = " ".join(reason.split())  # as open_inbox recorded it
            self._break_glass_reason = recorded
            log.info("inbox opened outside a window (break-glass)")
            self._evaluate()
            self.break_glass_opened.emit(recorded)

        def failed(error: BaseException) -> None:
            done()
            self._evaluate()
            if isinstance(error, AsyncDeskError):
                message = error.message
                log.warning("cannot open the inbox anyway: %s", message)
            else:
                message = self.tr("Cannot open the inbox (see the log for details).")
                sys.excepthook(type(error), error, error.__traceback__)
            self._set_status(message, busy=False)
            self.break_glass_failed.emit(message)

        self.tasks.run_db(
            lambda: open_inbox(store, clock, reason),
            success=opened,
            failure=failed,
            is_current=lambda: self._store is store,
        )

    def back_to_focus(self) -> None:
        """End the break-glass session: back to the gate (if still outside a window)."""
        self._break_glass_reason = None
        self._evaluate()

    # -- pages ------------------------------------------------------------------------

    @property
    def page(self) -> Page:
        """The page shown."""
        current = self._pages.currentWidget()
        return next(page for page, widget in self._page_widgets.items() if widget is current)

    def _show_page(self, page: Page) -> None:
        self._pages.setCurrentWidget(self._page_widgets[page])
        gate = page is Page.GATE
        self.break_glass_action.setEnabled(gate and not self._break_glass_pending)
        if not gate and self.break_glass_dialog.isVisible():
            self.break_glass_dialog.reject()  # the window opened while it was asked
        if gate:
            self._progress.hide()
        self._sync_label.setVisible(bool(self._sync_label.text()) and not gate)
        self.message_actions.set_enabled(page is Page.INBOX)
        self.triage_actions.set_enabled(page is Page.INBOX)
        self.new_message_action.setEnabled(page is Page.INBOX)
        self.save_answer_action.setEnabled(page is Page.INBOX)
        self._apply_deadlines_visibility()
        self.checkins.set_inbox_open(page is Page.INBOX)
        if page is Page.INBOX:
            self._open_waiting_drafts()

    def _show_inbox(self) -> None:
        reason = self._break_glass_reason
        if reason is None:
            self.banner.hide()
        else:
            self.banner_label.setText(
                self.tr("Opened outside a window: {reason}.").format(reason=reason)
            )
            self.banner.show()
        self._show_page(Page.INBOX)

    # -- deadlines --------------------------------------------------------------------

    @property
    def deadlines_wanted(self) -> bool:
        """Whether the user wants the deadlines dock (shown only with the inbox)."""
        return self._deadlines_wanted

    def set_deadlines_wanted(self, wanted: bool) -> None:
        """F9 or the dock's close button: show or hide the deadlines beside the inbox."""
        self._deadlines_wanted = wanted
        self.deadlines_action.setChecked(wanted)
        self._apply_deadlines_visibility()

    def _on_deadlines_closed(self) -> None:
        self.set_deadlines_wanted(False)

    def _on_deadlines_failed(self, message: str) -> None:
        self._set_status(message)

    def _apply_deadlines_visibility(self) -> None:
        inbox = self.page is Page.INBOX
        self.deadlines_action.setEnabled(inbox)
        visible = inbox and self._deadlines_wanted
        self.deadlines.setVisible(visible)
        if not inbox:
            self.chat_dock.hide()  # behind the gate: no conversation either
        if visible and self._size_deadlines:
            self._size_deadlines = False
            width = self.fontMetrics().averageCharWidth() * 46
            self.resizeDocks([self.deadlines], [width], Qt.Orientation.Horizontal)

    def _on_labels_read(self, message_ids: list[int]) -> None:
        """A message opened before its page's labels were read gets its line now."""
        shown = self.message_view.message_id
        if shown is not None and shown in message_ids:
            self.message_view.set_labels(self.model.labels_of(shown))

    def open_message(self, index: QModelIndex) -> None:
        """Enter or double-click on a row: the message opens below the inbox, an email
        in the message view, a chat message in its conversation."""
        if not index.isValid() or self.page is not Page.INBOX:
            return
        message = self.model.message_at(index.row())
        self.chat_dock.show()
        if self._size_chat:  # the first time: two fifths of the window's height
            self._size_chat = False
            self.resizeDocks([self.chat_dock], [self.height() * 2 // 5], Qt.Orientation.Vertical)
        if message.medium == Medium.CHAT.value:
            self._reading.setCurrentWidget(self.chat)
            self.chat.open_message(message.id)
            self.chat.box.setFocus()
        else:
            self._reading.setCurrentWidget(self.message_view)
            self.message_view.open_message(message)
            self.message_view.set_labels(self.model.labels_of(message.id))

    # -- search and the sidebar ---------------------------------------------------------

    # (English label, query): the labels are shown translated, the queries never.
    SIDEBAR: tuple[tuple[str, str], ...] = (
        (cast(str, QT_TRANSLATE_NOOP("MainWindow", "Inbox")), ""),
        (cast(str, QT_TRANSLATE_NOOP("MainWindow", "Needs reply")), "is:due"),
        (cast(str, QT_TRANSLATE_NOOP("MainWindow", "Due before the next window")), "is:soon"),
        (cast(str, QT_TRANSLATE_NOOP("MainWindow", "Overdue")), "is:overdue"),
        (cast(str, QT_TRANSLATE_NOOP("MainWindow", "Unread")), "is:unread"),
        (cast(str, QT_TRANSLATE_NOOP("MainWindow", "FYI / bulk")), "is:fyi"),
        (cast(str, QT_TRANSLATE_NOOP("MainWindow", "Email")), "in:email"),
        (cast(str, QT_TRANSLATE_NOOP("MainWindow", "Chat")), "in:chat"),
    )

    def _fill_sidebar(self, accounts: list[str]) -> None:
        self.sidebar.clear()
        for label, query in self.SIDEBAR:
            item = QListWidgetItem(QCoreApplication.translate("MainWindow", label), self.sidebar)
            item.setData(Qt.ItemDataRole.UserRole, query)
            item.setData(_LABEL_ROLE, item.text())
            item.setToolTip(query or self.tr("Every message, newest first"))
        for name in accounts:
            item = QListWidgetItem(f"  {name}", self.sidebar)
            query = f'account:"{name}"' if " " in name else f"account:{name}"
            item.setData(Qt.ItemDataRole.UserRole, query)
            item.setData(_LABEL_ROLE, item.text())
            item.setToolTip(query)
        self.sidebar.setCurrentRow(0)
        self._fit_sidebar()
        self._counts_timer.start()

    def _fit_sidebar(self) -> None:
        """As wide as its longest line (with a count), within reason."""
        metrics = self.sidebar.fontMetrics()
        widest = max(
            (
                metrics.horizontalAdvance(self.sidebar.item(row).text())
                for row in range(self.sidebar.count())
            ),
            default=0,
        )
        cap = metrics.averageCharWidth() * 40
        width = min(widest + metrics.averageCharWidth() * 3, cap)
        if width != self.sidebar.width() or width != self.sidebar.minimumWidth():
            self.sidebar.setFixedWidth(width)  # (a relayout of the whole page)

    def sidebar_counts(self) -> dict[str, int]:
        """The counts shown beside the views, by their search (for tests)."""
        return dict(self._counts)

    def _refresh_counts(self) -> None:
        store = self._store
        if store is None:
            return
        now, horizon = self._clock.now(), self._horizon
        self.tasks.run_db(
            lambda: inbox.counts(store, COUNTED_VIEWS, now, horizon),
            success=self._show_counts,
        )

    def _show_counts(self, counts: dict[str, int]) -> None:
        self._counts = counts
        for row in range(self.sidebar.count()):
            item = self.sidebar.item(row)
            label = str(item.data(_LABEL_ROLE) or item.text())
            count = counts.get(str(item.data(Qt.ItemDataRole.UserRole) or ""))
            item.setText(
                self.tr("{view}  {count}").format(view=label, count=f"{count:,}")
                if count
                else label
            )
        self._fit_sidebar()
        self.sidebar_counts_shown.emit()

    def _on_sidebar_item(self, item: QListWidgetItem) -> None:
        self.search_box.setText(str(item.data(Qt.ItemDataRole.UserRole) or ""))
        self._apply_search()
        self.view.setFocus()

    def focus_search(self) -> None:
        """/ or Ctrl+F: type a search (the inbox shows what it finds while typing)."""
        if self.page is not Page.INBOX:
            return
        self.search_box.setFocus()
        self.search_box.selectAll()

    def _apply_search(self) -> None:
        self._search_timer.stop()
        self.model.set_query(self.search_box.text())

    def _search_done(self) -> None:
        self._apply_search()
        self.view.setFocus()

    def _clear_search(self) -> None:
        self.search_box.clear()
        self._apply_search()
        self.sidebar.setCurrentRow(0)
        self.view.setFocus()

    def _load_sidebar_accounts(self) -> None:
        store = self._store
        if store is None:
            return

        def names() -> list[str]:
            from asyncdesk.store.accounts import list_accounts

            with store.reading() as session:
                return [account.name for account in list_accounts(session)]

        self.tasks.run_db(names, success=self._fill_sidebar)

    def keyboard_actions(self) -> list[QAction]:
        """Every key of the inbox, for the "?" sheet (in the order it lists them)."""
        actions = self.message_actions
        return [
            self.next_action,
            self.previous_action,
            self.open_action,
            self.reply_action,
            self.reply_all_action,
            *self.triage_actions.actions,
            self.new_message_action,
            self.save_answer_action,
            actions.needs_reply_action,
            actions.no_reply_action,
            actions.dismiss_action,
            actions.snooze_action,
            actions.archive_action,
            self.undo_key_action,
            actions.undo_action,
            self.search_key_action,
            self.find_action,
            self.reload_action,
            self.deadlines_action,
            self.checkins.action,
            self.stats_action,
            self.break_glass_action,
            self.shortcuts_action,
        ]

    def show_shortcuts(self) -> ShortcutSheet:
        sheet = ShortcutSheet(self.keyboard_actions(), self)
        sheet.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        sheet.show()
        return sheet

    def _on_reply_key(self) -> None:
        self.reply_to_current(reply_all=False)

    def _on_reply_all_key(self) -> None:
        self.reply_to_current(reply_all=True)

    def reply_to_current(self, *, reply_all: bool) -> ComposeWindow | None:
        """R / A: answer the current message: an email in a compose window, a chat
        message in its conversation's reply box."""
        index = self.view.currentIndex()
        if not index.isValid() or self._store is None or self.page is not Page.INBOX:
            return None
        message = self.model.message_at(index.row())
        if message.medium == Medium.CHAT.value:
            self.open_message(index)
            return None
        return self._reply_for(message, reply_all=reply_all)

    def _reply_for(
        self, message: StoredMessage, *, reply_all: bool = False
    ) -> ComposeWindow | None:
        if self._store is None:
            return None
        compose = ComposeWindow(
            self.tasks,
            self._clock,
            self._store,
            self.paths.root,
            message.id,
            reply_all=reply_all,
            parent=self,
        )
        compose.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        compose.sent.connect(self._on_reply_sent)
        compose.destroyed.connect(self._forget_closed_compose)
        self.compose_windows.append(compose)
        compose.show()
        return compose

    def _chat_for(self, message: StoredMessage) -> ChatView | None:
        """Open a chat message's conversation (for a triage draft in its reply box)."""
        row = self.model.row_of(message.id)
        if row is None:
            return None
        self.open_message(self.model.index(row, 0))
        return self.chat

    def save_current_as_answer(self) -> SaveAnswerDialog | None:
        """Message ▸ Save as Answer… (Ctrl+Shift+A): the current message's text (email
        or chat), with a title and tags asked for."""
        index = self.view.currentIndex()
        if not index.isValid() or self._store is None or self.page is not Page.INBOX:
            return None
        message = self.model.message_at(index.row())
        dialog = SaveAnswerDialog.for_message(self.tasks, self._clock, self._store, message, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.saved.connect(self._set_status)
        dialog.open()
        return dialog

    def _forget_closed_compose(self) -> None:
        self.compose_windows = [w for w in self.compose_windows if shiboken6.isValid(w)]
        self.new_message_windows = [w for w in self.new_message_windows if shiboken6.isValid(w)]

    # -- mailto: links ------------------------------------------------------------------

    def open_link(self, message: str) -> None:
        """A ``mailto:`` link (from the command line, or a later start handed over by
        the single-instance socket): raise the window and write to it. Other messages
        are not links and are left alone; a link that cannot be read is logged."""
        if not is_mailto(message):
            return
        try:
            draft = parse_mailto(message)
        except BadInput as error:
            log.warning("ignored a mailto: link: %s", error.message)
            return
        bring_to_front(self)
        self.write_to(draft)

    def write_to(self, draft: MailtoDraft) -> None:
        """A ``mailto:`` link: a New message window as soon as the inbox is open — now
        in a window (or opened anyway); behind the gate it waits, and the gate says so.
        The schedule gates writing as it gates reading."""
        self._waiting_drafts.append(draft)
        self._open_waiting_drafts()

    @property
    def waiting_drafts(self) -> list[MailtoDraft]:
        return list(self._waiting_drafts)

    def _open_waiting_drafts(self) -> None:
        if self._store is None or self.page is not Page.INBOX:
            self.gate.show_waiting_drafts([", ".join(d.to) for d in self._waiting_drafts])
            if self._waiting_drafts:
                log.info("%d new message(s) wait for the inbox", len(self._waiting_drafts))
            return
        drafts, self._waiting_drafts = self._waiting_drafts, []
        self.gate.show_waiting_drafts([])
        for draft in drafts:
            log.info("new message window opened from a mailto: link")
            window = NewMessageWindow(self.tasks, self._clock, self._store, draft, parent=self)
            window.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            window.sent.connect(self._on_reply_sent)
            window.destroyed.connect(self._forget_closed_compose)
            self.new_message_windows.append(window)
            window.show()
            window.raise_()
            window.activateWindow()

    def _on_reply_sent(self, line: str) -> None:
        self._set_status(line[:1].upper() + line[1:])
        self.model.refresh(None)
        self.deadlines.reload()

    def _on_chat_sent(self) -> None:
        self.model.refresh(None)
        self.deadlines.reload()

    def _on_messages_changed(self, message_pks: frozenset[int] | None) -> None:
        """A reply-by action changed these messages (None: perhaps any): show it."""
        self.model.refresh(message_pks)
        self.deadlines.reload()

    def reveal_message(self, message_pk: int, received_at: datetime) -> None:
        """Select the message in the inbox, loading pages down to it if needed."""
        self._reveal = (message_pk, received_at)
        self._try_reveal()

    def _try_reveal(self) -> None:
        if self._reveal is None:
            return
        message_pk, received_at = self._reveal
        row = self.model.row_of(message_pk)
        if row is not None:
            self._reveal = None
            index = self.model.index(row, Column.SUBJECT)
            self.view.selectionModel().setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
            self.view.scrollTo(index, QAbstractItemView.ScrollHint.PositionAtCenter)
            self.view.setFocus(Qt.FocusReason.OtherFocusReason)
            self.message_revealed.emit(message_pk)
            return
        rows = self.model.rowCount()
        passed = rows > 0 and self.model.message_at(rows - 1).received_at < received_at
        if passed or self.model.all_loaded:
            self._reveal = None  # not in the inbox any more (removed on the server)
            self._set_status(self.tr("That message is no longer in the inbox."))
            return
        self.model.fetchMore()  # a no-op while a page is in flight; page_loaded retries

    # -- sync -------------------------------------------------------------------------

    def sync_text(self) -> str:
        """What the status bar says about syncing (for tests and accessibility)."""
        return self._sync_label.text()

    def _show_sync(self, text: str) -> None:
        self._sync_label.setText(text)
        # Behind the gate nothing hints at what is arriving.
        self._sync_label.setVisible(bool(text) and self.page is not Page.GATE)

    def _on_sync_progress(self, text: str) -> None:
        self._show_sync(text)

    def _on_synced(self, account: str, new: int) -> None:
        now = self._clock.now()
        zone = self._schedule.zone if self._schedule is not None else None
        when = now.astimezone(zone).strftime("%H:%M") if zone is not None else ""
        if when:
            self._show_sync(self.tr("Up to date {time}").format(time=when))
        else:
            self._show_sync(self.tr("Up to date"))
        if self._store is not None:
            # Joining a room wakes the account's long-poll: its messages come next.
            self.invitations.reload()
        if new and self._store is not None:
            self.model.reload()
            self.deadlines.reload()
            self.checkins.reload()
            self._count()

    def _on_sync_failed(self, account: str, error: str) -> None:
        if account:
            self._show_sync(self.tr("{account}: {error}").format(account=account, error=error))
        else:
            self._show_sync(error)

    # -- status bar -------------------------------------------------------------------

    def status_text(self) -> str:
        """What the status bar says (for tests and accessibility)."""
        return self._status_label.text()

    def _refresh_status(self) -> None:
        """The status line for the page shown: in the gate, nothing that pulls one in."""
        page = self.page
        if page is Page.GATE:
            self._set_status("")
            return
        if page is not Page.INBOX:
            return  # opening or error: their own messages stay
        parts: list[str] = []
        schedule = self._schedule
        if schedule is not None and schedule.has_windows and self._break_glass_reason is None:
            now = self._clock.now()
            current = schedule.current_window(now)
            if current is not None:
                parts.append(
                    self.tr("Window open until {when}").format(
                        when=local_when(current.end, now, schedule.zone)
                    )
                )
        count = self._message_count
        if count == 1:
            parts.append(self.tr("%n message", "", count))
        elif count is not None:
            parts.append(self.tr("%n messages", "", count))
        self._set_status(" · ".join(parts))

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
        else:
            self._size_deadlines = True  # the first time: a width that fits its lines
        header = settings.value(_HEADER_KEY)
        if isinstance(header, QByteArray) and self.view.horizontalHeader().restoreState(header):
            self.column_fit.keep_user_widths()
        wanted = settings.value(_DEADLINES_KEY)
        if isinstance(wanted, str):  # an ini file keeps booleans as text
            self._deadlines_wanted = wanted.lower() == "true"
        self.deadlines_action.setChecked(self._deadlines_wanted)

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
        settings.setValue(_DEADLINES_KEY, self._deadlines_wanted)
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

    def changeEvent(self, event: QEvent) -> None:
        """Coming back to the window, look at the mode again: cheap (a pure function),
        and it catches a transition the timer slept through (Qt's timers run on the
        monotonic clock, which stops while the machine is suspended)."""
        super().changeEvent(event)
        if event.type() == QEvent.Type.ActivationChange and self.isActiveWindow():
            self._evaluate()

    def show_stats(self) -> StatsWindow:
        """Show the Stats view (made on first use), on the last complete week."""
        if self.stats_window is None:
            self.stats_window = StatsWindow(self.tasks, self._clock, self)
            self.stats_window.set_store(self._store, self._timezone)
        self.stats_window.show()
        self.stats_window.raise_()
        self.stats_window.activateWindow()
        return self.stats_window

    def closeEvent(self, event: QCloseEvent) -> None:
        """Save the window state, close the store on its worker, stop the task runner."""
        if not self._closed:
            self._closed = True
            if self.stats_window is not None:
                self.stats_window.set_store(None)
                self.stats_window.close()
            self.mode_timer.stop()
            self.gate.display_timer.stop()
            self.break_glass_dialog.reject()
            self.save_geometry()
            self.sync.stop()  # before the store it writes to is closed
            if self.notifier is not None:
                self.notifier.stop()  # likewise
                self.notifier = None
            opened = self._opened_on_worker

            def close_on_worker() -> None:
                while opened:
                    opened.pop().close()

            # Wait for it: shutdown() cancels what is still queued, and this must run.
            futures.wait([self.tasks.run_db(close_on_worker)])
            self.tasks.shutdown()
            self._store = None
        super().closeEvent(event)
