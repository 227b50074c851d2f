"""The welcome on a new, empty profile: a typical day, the time zone, the reply promise.

Three choices, each one click, each changeable later in File ▸ Settings:

- **Your day**: a schedule template (:data:`TEMPLATES`, :func:`template_blocks`); the
  default is three 30-minute windows (09:00, 13:00, 16:30) with deep work between, the
  day ``asyncdesk demo`` shows. "I'll set it up myself" adds no block, and a profile
  without a window is always open.
- **Time zone**: the machine's by default (services.profile).
- **Reply promise**: 24, 48 (the default) or 72 hours.

**Finish** writes them through the services on the database worker, in this order: the
time zone (``set_timezone``), the template's weekly blocks (``change_schedule``; they
replace any weekly block already there), the default promise (``set_default_sla``).
Then the second page offers **Add an account**, **Open the demo** or **Start**.

Whether the welcome is due is derived, not stored (:func:`needs_welcome`): a profile
with no account, no schedule block and no time zone of its own. Finish always writes
the time zone, and so do ``asyncdesk schedule timezone`` and the demo, so a profile set
up any of those ways is not welcomed again. **Not now** (or Esc) writes nothing: the
welcome comes back at the next start, until the profile has an account or a schedule.

Hook for the main window: :func:`offer_welcome` (checks on the database worker, then
opens the dialog if it is due). Threading contract: GUI thread only; tasks get the
store, clock and values as arguments and never touch a widget.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import timedelta
from functools import cache

from PySide6.QtCore import QCoreApplication, Qt, Signal, SignalInstance
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QCompleter,
    QDialog,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from asyncdesk.core import settings as declared
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError, BadInput
from asyncdesk.core.schedule import BlockKind, Schedule, WeeklyBlock, parse_clock, parse_days
from asyncdesk.store.database import Store
from asyncdesk.ui.colours import FollowPalette, error_colour, muted
from asyncdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

THREE_WINDOWS = "three-windows"
TWO_WINDOWS = "two-windows"
CUSTOM = "custom"
DEFAULT_TEMPLATE = THREE_WINDOWS
# The template names, in the order the welcome offers them.
TEMPLATES = (THREE_WINDOWS, TWO_WINDOWS, CUSTOM)
PROMISE_HOURS = (24, 48, 72)
DEFAULT_PROMISE_HOURS = 48

# Monday to Friday, local wall-clock times in the profile's zone.
_TEMPLATE_SPANS: dict[str, tuple[tuple[BlockKind, str, str], ...]] = {
    THREE_WINDOWS: (
        (BlockKind.WINDOW, "09:00", "09:30"),
        (BlockKind.DEEP_WORK, "09:30", "12:00"),
        (BlockKind.WINDOW, "13:00", "13:30"),
        (BlockKind.DEEP_WORK, "13:30", "16:00"),
        (BlockKind.WINDOW, "16:30", "17:00"),
    ),
    TWO_WINDOWS: (
        (BlockKind.WINDOW, "09:00", "09:30"),
        (BlockKind.WINDOW, "15:00", "15:30"),
    ),
    CUSTOM: (),
}


def template_blocks(name: str) -> list[WeeklyBlock]:
    """The weekly blocks of template ``name`` (one of :data:`TEMPLATES`), Monday to
    Friday, sorted by start; ``[]`` for :data:`CUSTOM`. ValueError for any other name."""
    try:
        spans = _TEMPLATE_SPANS[name]
    except KeyError:
        raise ValueError(f"unknown schedule template {name!r}") from None
    weekdays = parse_days("mon-fri")
    return [
        WeeklyBlock(kind, weekdays, parse_clock(start), parse_clock(end, end=True))
        for kind, start, end in spans
    ]


def _with_template(schedule: Schedule, blocks: list[WeeklyBlock]) -> Schedule:
    """``schedule`` with its weekly blocks replaced by ``blocks``, checked. One-off
    blocks, skips, closed days and calendar imports are the user's and stay."""
    return replace(schedule, weekly=tuple(blocks)).checked()


# --------------------------------------------------------------------- on the worker


def needs_welcome(store: Store) -> bool:
    """Whether ``store`` is a new, empty profile: no account, no schedule block (weekly,
    one-off or imported) and no time zone of its own (see the module docstring).

    Blocks on disk: call it on the database worker.
    """
    from asyncdesk.services.accounts import syncable_accounts
    from asyncdesk.services.profile import read_setting
    from asyncdesk.services.schedule import load_schedule

    if read_setting(store, declared.TIMEZONE):
        return False
    # syncable_accounts leaves out demo accounts; a demo profile has a time zone.
    if syncable_accounts(store):
        return False
    schedule = load_schedule(store)
    return not (schedule.weekly or schedule.one_offs or schedule.imported)


@dataclass(frozen=True, slots=True)
class WelcomeChoices:
    """What Finish applies."""

    template: str
    timezone: str
    promise_hours: int


@cache
def zone_names() -> tuple[str, ...]:
    """Every IANA zone name this machine knows, sorted (reads the zone database once)."""
    from zoneinfo import available_timezones

    return tuple(sorted(name for name in available_timezones() if "/" in name or name == "UTC"))


def _prepare(store: Store) -> tuple[str, tuple[str, ...]]:
    from asyncdesk.services.profile import user_timezone

    return user_timezone(store).key, zone_names()


def apply_choices(store: Store, clock: Clock, choices: WelcomeChoices) -> Schedule:
    """Write the welcome's choices (database worker): zone, template, promise."""
    from asyncdesk.services.deadlines import set_default_sla
    from asyncdesk.services.schedule import change_schedule, set_timezone

    if choices.promise_hours not in PROMISE_HOURS:
        raise ValueError(f"not an offered promise: {choices.promise_hours} h")
    blocks = template_blocks(choices.template)
    declared.TIMEZONE.parse(choices.timezone)  # BadInput before anything is written
    set_timezone(store, clock, choices.timezone)
    schedule = change_schedule(store, clock, lambda current: _with_template(current, blocks))
    set_default_sla(store, timedelta(hours=choices.promise_hours))
    log.info("first run: template %s, promise %d h", choices.template, choices.promise_hours)
    return schedule


# -------------------------------------------------------------------------- the dialog


class WelcomeDialog(QDialog):
    """The welcome (see the module docstring).

    Signals (GUI thread):

    - ``ready()``: the time zones are listed and Finish can be pressed.
    - ``applied()``: Finish wrote the choices; the second page is shown.
    - ``failed(str)``: Finish could not write them; one line, also shown under the form.
    - ``add_account_requested()``: the user chose **Add an account** (the dialog then
      closes, accepted): open Settings on its Accounts tab.
    - ``demo_requested()``: the user chose **Open the demo** (then closes, accepted).
    - ``finished_setup()``: the user chose **Start** (then closes, accepted).

    Each of the last three follows ``applied()``; closing the second page otherwise
    (Esc, the window's close button) emits ``finished_setup()`` too.
    """

    ready = Signal()
    applied = Signal()
    failed = Signal(str)
    add_account_requested = Signal()
    demo_requested = Signal()
    finished_setup = Signal()

    def __init__(
        self, tasks: TaskRunner, clock: Clock, store: Store, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("welcomeDialog")
        self.setWindowTitle(self.tr("Welcome to AsyncDesk"))
        self._tasks = tasks
        self._clock = clock
        self._store = store
        self._alive = True
        self._busy = False
        self._done_choice: SignalInstance | None = None

        self.pages = QStackedWidget(self)
        self.setup_page = QWidget(self)
        self.done_page = QWidget(self)
        self.pages.addWidget(self.setup_page)
        self.pages.addWidget(self.done_page)
        self._build_setup_page()
        self._build_done_page()
        layout = QVBoxLayout(self)
        layout.addWidget(self.pages)
        self.resize(self.sizeHint().expandedTo(self.minimumSizeHint()))
        self.setMinimumWidth(600)
        self._load()

    # -- building -----------------------------------------------------------------

    def _title(self, text: str, parent: QWidget) -> QLabel:
        label = QLabel(text, parent)
        font = label.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        label.setFont(font)
        return label

    def _build_setup_page(self) -> None:
        page = self.setup_page
        title = self._title(self.tr("Welcome to AsyncDesk"), page)
        title.setObjectName("welcomeTitle")
        intro = QLabel(
            self.tr(
                "AsyncDesk opens your inbox in a few communication windows a day and keeps "
                "the time between them free of notifications. Three choices to start; you "
                "can change each of them later in File ▸ Settings."
            ),
            page,
        )
        intro.setWordWrap(True)

        day_box = QGroupBox(self.tr("Your day (Monday to Friday)"), page)
        self.template_group = QButtonGroup(self)
        labels = {
            THREE_WINDOWS: self.tr(
                "Three windows: 09:00, 13:00, 16:30 (30 min), deep work between"
            ),
            TWO_WINDOWS: self.tr("Two windows: 09:00 and 15:00 (30 min), nothing else"),
            CUSTOM: self.tr("I'll set it up myself (the inbox stays open until then)"),
        }
        self.template_buttons: dict[str, QRadioButton] = {}
        day_layout = QVBoxLayout(day_box)
        for index, name in enumerate(TEMPLATES):
            button = QRadioButton(labels[name], day_box)
            button.setObjectName(f"template-{name}")
            button.setAccessibleName(labels[name])
            self.template_group.addButton(button, index)
            self.template_buttons[name] = button
            day_layout.addWidget(button)
        self.template_buttons[DEFAULT_TEMPLATE].setChecked(True)

        self.zone_combo = QComboBox(page)
        self.zone_combo.setObjectName("welcomeZone")
        self.zone_combo.setAccessibleName(self.tr("Time zone"))
        self.zone_combo.setEditable(True)
        self.zone_combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.zone_combo.setEnabled(False)
        self.zone_combo.setMinimumContentsLength(24)
        completer = self.zone_combo.completer()
        if completer is not None:
            completer.setFilterMode(Qt.MatchFlag.MatchContains)
            completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
            completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

        promise_row = QHBoxLayout()
        self.promise_group = QButtonGroup(self)
        self.promise_buttons: dict[int, QRadioButton] = {}
        for hours in PROMISE_HOURS:
            button = QRadioButton(self.tr("%n hours", "", hours), page)
            button.setObjectName(f"promise-{hours}")
            button.setAccessibleName(self.tr("Reply within %n hours", "", hours))
            self.promise_group.addButton(button, hours)
            self.promise_buttons[hours] = button
            promise_row.addWidget(button)
        promise_row.addStretch(1)
        self.promise_buttons[DEFAULT_PROMISE_HOURS].setChecked(True)
        promise_note = QLabel(
            self.tr(
                "Every message that needs a reply gets a reply-by time this long after it "
                "arrives; the deadlines list keeps you to it."
            ),
            page,
        )
        promise_note.setWordWrap(True)
        muted(promise_note)

        form = QFormLayout()
        zone_label = QLabel(self.tr("&Time zone:"), page)
        zone_label.setBuddy(self.zone_combo)
        form.addRow(zone_label, self.zone_combo)
        form.addRow(self.tr("I reply within:"), promise_row)
        form.addRow("", promise_note)

        self.error_label = error_label(page, "welcomeError")
        self.not_now_button = QPushButton(self.tr("&Not now"), page)
        self.not_now_button.setAccessibleName(self.tr("Not now"))
        self.not_now_button.setToolTip(self.tr("Close without changing anything"))
        self.not_now_button.clicked.connect(self.reject)
        self.finish_button = QPushButton(self.tr("&Finish"), page)
        self.finish_button.setAccessibleName(self.tr("Finish"))
        self.finish_button.setDefault(True)
        self.finish_button.setEnabled(False)
        self.finish_button.clicked.connect(self.finish)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.not_now_button)
        buttons.addWidget(self.finish_button)

        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(intro)
        layout.addSpacing(6)
        layout.addWidget(day_box)
        layout.addSpacing(6)
        layout.addLayout(form)
        layout.addWidget(self.error_label)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def _build_done_page(self) -> None:
        page = self.done_page
        title = self._title(self.tr("You're set"), page)
        self.summary_label = QLabel(page)
        self.summary_label.setObjectName("welcomeSummary")
        self.summary_label.setWordWrap(True)
        what_next = QLabel(self.tr("<b>What now?</b>"), page)
        self.add_account_button = QPushButton(self.tr("&Add an account…"), page)
        self.add_account_button.setAccessibleName(self.tr("Add an account"))
        self.add_account_button.clicked.connect(lambda: self._leave(self.add_account_requested))
        self.demo_button = QPushButton(self.tr("Open the &demo"), page)
        self.demo_button.setAccessibleName(self.tr("Open the demo"))
        self.demo_button.clicked.connect(lambda: self._leave(self.demo_requested))
        self.start_button = QPushButton(self.tr("&Start"), page)
        self.start_button.setAccessibleName(self.tr("Start"))
        self.start_button.clicked.connect(lambda: self._leave(self.finished_setup))
        ways = QGridLayout()
        ways.setHorizontalSpacing(12)
        ways.setColumnStretch(1, 1)
        for row, (button, text) in enumerate(
            (
                (
                    self.add_account_button,
                    self.tr("Email (IMAP), Matrix or Slack; the password goes to your keyring."),
                ),
                (
                    self.demo_button,
                    self.tr("A separate profile with realistic email and chat, to look around."),
                ),
                (self.start_button, self.tr("An empty inbox; add accounts any time in Settings.")),
            )
        ):
            explanation = QLabel(text, page)
            explanation.setWordWrap(True)
            explanation.setBuddy(button)
            button.setToolTip(text)
            ways.addWidget(button, row, 0)
            ways.addWidget(explanation, row, 1)
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(title)
        layout.addWidget(self.summary_label)
        layout.addSpacing(16)
        layout.addWidget(what_next)
        layout.addLayout(ways)
        layout.addStretch(1)

    # -- what the user chose --------------------------------------------------------

    def choices(self) -> WelcomeChoices:
        template = next(
            (name for name, button in self.template_buttons.items() if button.isChecked()),
            DEFAULT_TEMPLATE,
        )
        hours = self.promise_group.checkedId()
        return WelcomeChoices(
            template=template,
            timezone=self.zone_combo.currentText().strip(),
            promise_hours=hours if hours in PROMISE_HOURS else DEFAULT_PROMISE_HOURS,
        )

    def choose(
        self,
        template: str | None = None,
        timezone: str | None = None,
        promise_hours: int | None = None,
    ) -> None:
        """Set the choices as the user would (for tests and for the caller's defaults)."""
        if template is not None:
            self.template_buttons[template].setChecked(True)
        if timezone is not None:
            self.zone_combo.setCurrentText(timezone)
        if promise_hours is not None:
            self.promise_buttons[promise_hours].setChecked(True)

    # -- work ---------------------------------------------------------------------

    def _load(self) -> None:
        store = self._store
        self._tasks.run_db(
            lambda: _prepare(store),
            success=self._on_prepared,
            failure=self._on_failed,
            is_current=lambda: self._alive,
        )

    def _on_prepared(self, result: tuple[str, tuple[str, ...]]) -> None:
        zone, names = result
        typed = self.zone_combo.currentText()
        self.zone_combo.addItems(list(names))
        self.zone_combo.setCurrentText(typed or zone)
        self.zone_combo.setEnabled(True)
        self.finish_button.setEnabled(True)
        self.ready.emit()

    def finish(self) -> None:
        """Apply the choices on the database worker, then show the second page."""
        if self._busy or not self.finish_button.isEnabled():
            return
        choices = self.choices()
        try:
            declared.TIMEZONE.parse(choices.timezone)
            if not choices.timezone:
                raise BadInput(self.tr("Choose a time zone, e.g. Europe/Berlin."))
        except BadInput as error:
            self._show_error(one_line(error))
            return
        self._busy = True
        self._show_error("")
        self.finish_button.setEnabled(False)
        self.not_now_button.setEnabled(False)
        store, clock = self._store, self._clock
        self._tasks.run_db(
            lambda: apply_choices(store, clock, choices),
            success=lambda _schedule: self._on_applied(choices),
            failure=self._on_failed,
            is_current=lambda: self._alive,
        )

    def _on_applied(self, choices: WelcomeChoices) -> None:
        self._busy = False
        day = {
            THREE_WINDOWS: self.tr(
                "Your inbox opens Monday to Friday at 09:00, 13:00 and 16:30, with deep "
                "work between."
            ),
            TWO_WINDOWS: self.tr("Your inbox opens Monday to Friday at 09:00 and 15:00."),
            CUSTOM: self.tr(
                "Your inbox stays open until you add a window in File ▸ Settings ▸ Schedule."
            ),
        }[choices.template]
        # One template, so that a translation may put the day after the promise.
        self.summary_label.setText(
            self.tr(
                "{day} Times are in {zone}; you promise to reply within %n hours.",
                "",
                choices.promise_hours,
            ).format(day=day, zone=choices.timezone)
        )
        self.pages.setCurrentWidget(self.done_page)
        self.start_button.setDefault(True)
        self.start_button.setFocus()
        self.applied.emit()

    def _on_failed(self, error: BaseException) -> None:
        self._busy = False
        message = one_line(error)
        self._show_error(message)
        self.finish_button.setEnabled(True)
        self.not_now_button.setEnabled(True)
        self.failed.emit(message)

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _leave(self, signal: SignalInstance) -> None:
        self._done_choice = signal
        self.accept()

    def done(self, result: int) -> None:
        """Closing: drop results still on their way; on the second page, say how."""
        self._alive = False
        on_done_page = self.pages.currentWidget() is self.done_page
        choice = self._done_choice
        super().done(result)
        if on_done_page:
            (choice or self.finished_setup).emit()


def offer_welcome(
    tasks: TaskRunner,
    clock: Clock,
    store: Store,
    parent: QWidget | None = None,
    connect: Callable[[WelcomeDialog], None] | None = None,
) -> None:
    """The main window's hook: if :func:`needs_welcome` (checked on the database
    worker), open a window-modal :class:`WelcomeDialog` over ``parent``, deleted when
    closed. ``connect(dialog)`` runs first, to connect its signals."""

    def decided(needed: bool) -> None:
        if not needed:
            return
        dialog = WelcomeDialog(tasks, clock, store, parent)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        if connect is not None:
            connect(dialog)
        dialog.open()

    tasks.run_db(lambda: needs_welcome(store), success=decided)


# ------------------------------------------------------------------------- helpers
# (shared with ui.settings_dialog, so that both dialogs look and speak alike)

_FLAG = re.compile(r"(?<![\w-])--([a-z][a-z-]*[a-z])")
_SETTING_PREFIX = re.compile(r"^[a-z]+\.[a-z_]+: ")


def one_line(error: BaseException) -> str:
    """What to show the user for ``error``: its one line, worded for a form.

    The services word their errors for the command line (``--port must be between
    1 and 65535``); a form has fields, not flags (``Port must be between ...``).
    Anything that is not an :class:`AsyncDeskError` is a bug: logged with its
    traceback, and a generic line is shown.
    """
    if not isinstance(error, AsyncDeskError):
        log.error("unexpected failure", exc_info=(type(error), error, error.__traceback__))
        return QCoreApplication.translate(
            "AsyncDesk", "Something went wrong (see the log for details)."
        )

    def field(match: re.Match[str]) -> str:
        words = match.group(1).replace("-", " ")
        return words.replace("smtp", "SMTP")

    # "notify.vip: not an e-mail address" names a setting the form already shows.
    text = _FLAG.sub(field, _SETTING_PREFIX.sub("", error.message))
    return text[:1].upper() + text[1:]


def error_label(parent: QWidget, name: str) -> QLabel:
    """The one line under a form that says what is wrong (hidden while empty)."""
    label = QLabel(parent)
    label.setObjectName(name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    FollowPalette(label, error_colour)
    label.setAccessibleName(QCoreApplication.translate("AsyncDesk", "Error"))
    label.hide()
    return label
