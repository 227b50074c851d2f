"""File ▸ Settings…: accounts, the schedule, calendars, reply-by promises, notifications.

One tab per section. Every change is made by the section's own button and written at
once through the same services the command line uses; there is no OK/Cancel to
remember. Each section shows what is in the profile, re-read after every change, and
under its form one line: what went wrong (bad input changes nothing: the services
check everything before they write) or what was done.

- **Accounts**: the accounts with their kind and the user's identities in them;
  **Remove…** (after a confirmation: messages, deadlines and the keyring entry go,
  nothing on the server); forms to add an email (IMAP), Matrix or Slack account, and
  **Test connection** for IMAP. **Edit…** (or a double click) puts an account in the
  same form to change how it is reached: an email account's servers, addresses and
  password (empty keeps the one in the keyring), a Matrix account signed in again, a
  new Slack token; the account keeps its name, messages and promises, and the server
  is asked first, so a change that cannot log in changes nothing. Passwords and
  tokens are typed into password fields and handed straight to the service, which
  puts them in the keyring; they are never written to a setting or a log, and the
  field is emptied once the account is kept.
- **Schedule**: the time zone, and the weekly windows and deep-work blocks twice: on
  a week grid (``ui.week_grid``) where they are seen and dragged, and as a list with a
  form to add one and **Remove**, the exact and keyboard-first way. A drag or key on
  the grid is the same change as the form's, through the same checks; a refused one
  snaps back. One-off changes and imports are kept.
- **Calendar**: import an ``.ics`` file; its timed events become deep-work blocks
  (``services.schedule.import_calendar``); the calendars imported so far.
- **Reply-by**: the default promise, rules per sender, domain or account, and the
  working hours deadlines count in.
- **Notifications**: the reminder before a window ends, and the VIP senders who may
  notify while the inbox is closed (never during deep work). **Publish my
  availability** (off by default): the auto-reply by email while the inbox is closed,
  a Matrix and Slack status with the next window, and Slack's do-not-disturb during
  deep work; a line says what the status says now, and **Save calendar feed…** writes
  the .ics of the windows (``services.availability_feed``) to a file the user picks.

Threads: GUI thread only. Reading and writing the profile runs on the task runner's
database worker; network checks (an IMAP login, a Matrix login, Slack's
``auth.test``) on its network pool. Tasks get the store, clock and values as arguments
and never touch a widget. Results that arrive after the dialog closed are dropped.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from PySide6.QtCore import QCoreApplication, QLocale, Qt, Signal
from PySide6.QtGui import QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QCompleter,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from asyncdesk.core import settings as declared
from asyncdesk.core.accounts import Account, AccountKind
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import BadInput
from asyncdesk.core.schedule import (
    DAY_NAMES,
    BlockKind,
    Schedule,
    WeeklyBlock,
    format_clock,
    format_days,
    parse_clock,
)
from asyncdesk.services.accounts import SecretsFactory
from asyncdesk.services.secrets import KeyringSecrets
from asyncdesk.store.database import Store
from asyncdesk.ui.colours import muted
from asyncdesk.ui.first_run import error_label, one_line, zone_names
from asyncdesk.ui.tasks import TaskRunner
from asyncdesk.ui.week_grid import WeekGrid

log = logging.getLogger(__name__)

T = TypeVar("T")

ACCOUNTS = "accounts"
SCHEDULE = "schedule"
CALENDAR = "calendar"
REPLY_BY = "reply_by"
NOTIFICATIONS = "notifications"
# The sections (tabs), in order.
SECTIONS = (ACCOUNTS, SCHEDULE, CALENDAR, REPLY_BY, NOTIFICATIONS)

_NAME_ROLE = Qt.ItemDataRole.UserRole
_IMAP_PORTS = {"tls": 993, "starttls": 143, "plain": 143}
_SMTP_PORTS = {"tls": 465, "starttls": 587, "plain": 25}
_MAX_PROMISE_HOURS = 24 * 30


# --------------------------------------------------------------- on the worker


def profile_accounts(store: Store) -> list[Account]:
    """Every account of the profile, demo accounts included, by name (database worker).

    Read with the store's own function, as ``asyncdesk account list`` does: the
    services have no list of every account yet (``syncable_accounts`` leaves out the
    demo's).
    """
    from asyncdesk.store.accounts import list_accounts

    with store.reading() as session:
        return sorted(list_accounts(session), key=lambda account: account.name.lower())


@dataclass(frozen=True, slots=True)
class _ScheduleShown:
    schedule: Schedule
    zone_is_set: bool
    zones: tuple[str, ...]


def _read_schedule(store: Store) -> _ScheduleShown:
    from asyncdesk.services.profile import read_setting
    from asyncdesk.services.schedule import load_schedule

    return _ScheduleShown(
        load_schedule(store), bool(read_setting(store, declared.TIMEZONE)), zone_names()
    )


@dataclass(frozen=True, slots=True)
class _Notifications:
    reminder_minutes: int
    vip: list[str]
    autostart: bool = False
    autostart_problem: str | None = None
    published: bool = False
    # What a Matrix or Slack status says now (English, as the servers get it).
    status_text: str = ""


def _read_notifications(store: Store, clock: Clock) -> _Notifications:
    from asyncdesk.core.notify_policy import vip_addresses
    from asyncdesk.services import autoreply, presence
    from asyncdesk.services.autostart import autostart_support, is_enabled
    from asyncdesk.services.profile import read_setting

    reminder = read_setting(store, declared.NOTIFY_REMINDER_MINUTES)
    return _Notifications(
        reminder,
        sorted(vip_addresses(read_setting(store, declared.NOTIFY_VIP))),
        autostart=is_enabled(),
        autostart_problem=autostart_support(),
        published=autoreply.is_enabled(store),
        status_text=presence.status_now(store, clock.now()).text,
    )


def _write_published(store: Store, enabled: bool) -> bool:
    from asyncdesk.services import autoreply, presence

    autoreply.set_enabled(store, enabled)
    # A running sync of this process applies (or clears) the chat status at once.
    presence.nudge()
    return autoreply.is_enabled(store)


def _write_feed(store: Store, clock: Clock, path: Path) -> Path:
    from asyncdesk.services.availability_feed import write_feed
    from asyncdesk.services.presence import remember_feed

    if path.is_dir():
        raise BadInput(f"{path} is a folder: give the name of the .ics file to write")
    try:
        written = write_feed(store, clock, path)
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise BadInput(f"cannot write the calendar feed to {path}: {reason}") from None
    # While published availability is on, the sync keeps this file current.
    remember_feed(store, clock, written)
    return written


def _write_notifications(store: Store, reminder: int, vip_json: str) -> None:
    from asyncdesk.services.profile import write_setting

    # Both are checked before either is written.
    declared.NOTIFY_REMINDER_MINUTES.validate(reminder)
    declared.NOTIFY_VIP.validate(vip_json)
    write_setting(store, declared.NOTIFY_REMINDER_MINUTES, reminder)
    write_setting(store, declared.NOTIFY_VIP, vip_json)


# ------------------------------------------------------------------- small widgets


def _tr(text: str) -> str:
    """Translate where no widget's ``tr`` is at hand (module functions)."""
    return QCoreApplication.translate("SettingsDialog", text)


def _day_name(day: int, form: QLocale.FormatType = QLocale.FormatType.ShortFormat) -> str:
    """Weekday ``day`` (0 = Monday) as the user's locale writes it: ``Mon``, ``Monday``."""
    return QLocale().dayName(day + 1, form)


def _duration_text(minutes: int) -> str:
    """``48 h``, ``1 h 30 min``, ``45 min``."""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return _tr("{hours} h {minutes} min").format(hours=hours, minutes=rest)
    if hours:
        return _tr("{hours} h").format(hours=hours)
    return _tr("{minutes} min").format(minutes=rest)


def _table(
    parent: QWidget, name: str, headers: Sequence[str]
) -> tuple[QTableView, QStandardItemModel]:
    model = QStandardItemModel(0, len(headers), parent)
    model.setHorizontalHeaderLabels(list(headers))
    view = QTableView(parent)
    view.setObjectName(name)
    view.setModel(model)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    view.verticalHeader().hide()
    view.setAlternatingRowColors(True)
    view.setWordWrap(False)
    header = view.horizontalHeader()
    header.setStretchLastSection(True)
    header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    header.setMinimumSectionSize(view.fontMetrics().horizontalAdvance("0000000"))
    return view, model


def _fill(view: QTableView, model: QStandardItemModel, rows: Sequence[list[QStandardItem]]) -> None:
    """Replace the rows, and size the columns to what they now hold."""
    model.removeRows(0, model.rowCount())
    for row in rows:
        model.appendRow(row)
    for column in range(model.columnCount() - 1):  # the last one takes the rest
        view.resizeColumnToContents(column)


def _row(texts: Sequence[str], key: object = None) -> list[QStandardItem]:
    items = []
    for text in texts:
        item = QStandardItem(text)
        item.setEditable(False)
        item.setData(key, _NAME_ROLE)
        items.append(item)
    return items


def _selected_key(view: QTableView) -> Any:
    selection = view.selectionModel()
    rows = selection.selectedRows() if selection is not None else []
    return rows[0].data(_NAME_ROLE) if rows else None


class _DaysPicker(QWidget):
    """Seven check boxes, Monday first."""

    def __init__(self, what: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)
        self.boxes: list[QCheckBox] = []
        for day in range(len(DAY_NAMES)):
            box = QCheckBox(_day_name(day), self)
            full = _day_name(day, QLocale.FormatType.LongFormat)
            box.setAccessibleName(self.tr("{what} on {day}").format(what=what, day=full))
            self.boxes.append(box)
            layout.addWidget(box)
        layout.addStretch(1)
        self.set_days(frozenset(range(5)))

    def days(self) -> frozenset[int]:
        return frozenset(index for index, box in enumerate(self.boxes) if box.isChecked())

    def set_days(self, days: frozenset[int]) -> None:
        for index, box in enumerate(self.boxes):
            box.setChecked(index in days)


def _clock_edit(parent: QWidget, name: str, text: str) -> QLineEdit:
    edit = QLineEdit(text, parent)
    edit.setAccessibleName(name)
    edit.setPlaceholderText(_tr("HH:MM"))
    edit.setMaxLength(5)
    edit.setFixedWidth(edit.fontMetrics().horizontalAdvance("00:000") + 16)
    return edit


def _zone_combo(parent: QWidget, name: str) -> QComboBox:
    combo = QComboBox(parent)
    combo.setAccessibleName(name)
    combo.setEditable(True)
    combo.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
    combo.setMinimumContentsLength(24)
    completer = combo.completer()
    if completer is not None:
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
    return combo


def _hours_spin(parent: QWidget, name: str, value: int) -> QSpinBox:
    spin = QSpinBox(parent)
    spin.setAccessibleName(name)
    spin.setRange(1, _MAX_PROMISE_HOURS)
    spin.setSuffix(_tr(" h"))
    spin.setValue(value)
    return spin


def _button(parent: QWidget, text: str, name: str) -> QPushButton:
    button = QPushButton(text, parent)
    button.setAccessibleName(name)
    return button


# ------------------------------------------------------------------ the sections


class _Section(QWidget):
    """A tab: what the profile holds, forms that change it, one line under them."""

    key: ClassVar[str]

    def __init__(self, owner: SettingsDialog) -> None:
        super().__init__(owner)
        self.owner = owner
        self.setObjectName(f"{self.key}Section")
        self.error_label = error_label(self, f"{self.key}Error")
        self.status_label = QLabel(self)
        self.status_label.setObjectName(f"{self.key}Status")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        muted(self.status_label)
        # Buttons disabled while a change is on its way.
        self.action_buttons: list[QWidget] = []
        self._busy = False

    # -- reading and changing, on the database worker ----------------------------

    def load(self, then: Callable[[], None] | None = None) -> None:
        raise NotImplementedError

    def read(
        self,
        task: Callable[[], T],
        show: Callable[[T], None],
        then: Callable[[], None] | None = None,
    ) -> None:
        def shown(result: T) -> None:
            show(result)
            self.owner.loaded.emit(self.key)
            if then is not None:
                then()

        self.owner.tasks.run_db(task, success=shown, failure=self.fail, is_current=self.owner.alive)

    def change(
        self,
        task: Callable[[], T],
        done: Callable[[T], str],
        *,
        working: str = "",
    ) -> None:
        """Write with ``task`` (database worker), then say ``done(result)`` and re-read."""
        self.begin(working)
        self.owner.tasks.run_db(
            task,
            success=lambda result: self.succeed(done(result)),
            failure=self.fail,
            is_current=self.owner.alive,
        )

    def begin(self, working: str = "") -> None:
        self._busy = True
        self.show_error("")
        self.status_label.setText(working)
        for action in self.action_buttons:
            action.setEnabled(False)

    def succeed(self, message: str) -> None:
        self._end()
        self.status_label.setText(message)
        self.load(then=lambda: self.owner.changed.emit(self.key))

    def fail(self, error: BaseException) -> None:
        self.refuse(one_line(error))

    def refuse(self, message: str) -> None:
        """Say what is wrong, in one line under the form; nothing was changed."""
        self._end()
        self.status_label.setText("")
        self.show_error(message)
        self.owner.failed.emit(self.key, message)

    def show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.setVisible(bool(message))

    def _end(self) -> None:
        self._busy = False
        for action in self.action_buttons:
            action.setEnabled(True)
        self.selection_changed()

    def selection_changed(self) -> None:
        """Enable what depends on a selection (sections with lists override this)."""

    def footer(self, layout: QVBoxLayout) -> None:
        layout.addWidget(self.error_label)
        layout.addWidget(self.status_label)


class AccountsSection(_Section):
    """The accounts, removing one, adding one (see the module docstring)."""

    key = ACCOUNTS

    def __init__(self, owner: SettingsDialog) -> None:
        super().__init__(owner)
        self._select_next: str | None = None
        self.table, self.model = _table(
            self, "accountsTable", (self.tr("Name"), self.tr("Kind"), self.tr("Your address or id"))
        )
        self.table.setAccessibleName(self.tr("Accounts"))
        self.table.setMinimumHeight(110)
        self.empty_label = QLabel(self.tr("No accounts yet: add one below."), self)
        muted(self.empty_label)
        self.remove_button = _button(self, self.tr("Re&move…"), self.tr("Remove account"))
        self.remove_button.setToolTip(
            self.tr("Remove the account, its messages and its password from this profile")
        )
        self.remove_button.clicked.connect(self.remove_selected)
        self.edit_button = _button(self, self.tr("&Edit…"), self.tr("Edit account"))
        self.edit_button.setToolTip(
            self.tr("Change the server settings, the password or the token of the account")
        )
        self.edit_button.clicked.connect(self.edit_selected)
        self.table.doubleClicked.connect(lambda _: self.edit_selected())
        self.table.selectionModel().selectionChanged.connect(self.selection_changed)
        self._accounts: dict[str, Account] = {}
        self.editing: Account | None = None

        self.kind_combo = QComboBox(self)
        self.kind_combo.setAccessibleName(self.tr("Kind of account"))
        for text, kind in (
            (self.tr("Email (IMAP)"), AccountKind.EMAIL),
            (self.tr("Matrix"), AccountKind.MATRIX),
            (self.tr("Slack"), AccountKind.SLACK),
        ):
            self.kind_combo.addItem(text, kind)
        self.forms = QStackedWidget(self)
        self.forms.addWidget(self._imap_form())
        self.forms.addWidget(self._matrix_form())
        self.forms.addWidget(self._slack_form())
        self.kind_combo.currentIndexChanged.connect(self._on_kind)

        self.test_button = _button(self, self.tr("&Test connection"), self.tr("Test connection"))
        self.test_button.setToolTip(self.tr("Log in to the IMAP server once; nothing is saved"))
        self.test_button.clicked.connect(self.test_connection)
        self.add_button = _button(self, self.tr("A&dd account"), self.tr("Add account"))
        self.add_button.clicked.connect(self.add_account)
        self.cancel_button = _button(self, self.tr("&Cancel"), self.tr("Cancel the change"))
        self.cancel_button.clicked.connect(self.stop_editing)
        self.cancel_button.hide()
        self.action_buttons = [
            self.edit_button,
            self.remove_button,
            self.test_button,
            self.add_button,
            self.cancel_button,
        ]

        top = QHBoxLayout()
        top.addWidget(self.empty_label)
        top.addStretch(1)
        top.addWidget(self.edit_button)
        top.addWidget(self.remove_button)
        self.add_box = add_box = QGroupBox(self.tr("Add an account"), self)
        kind_row = QHBoxLayout()
        kind_label = QLabel(self.tr("&Kind:"), add_box)
        kind_label.setBuddy(self.kind_combo)
        kind_row.addWidget(kind_label)
        kind_row.addWidget(self.kind_combo)
        kind_row.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.test_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.add_button)
        add_layout = QVBoxLayout(add_box)
        add_layout.addLayout(kind_row)
        add_layout.addWidget(self.forms)
        add_layout.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table, 1)
        layout.addLayout(top)
        layout.addWidget(add_box)
        self.footer(layout)
        self.selection_changed()

    # -- the forms ---------------------------------------------------------------

    def _line(
        self, parent: QWidget, name: str, placeholder: str = "", *, secret: bool = False
    ) -> QLineEdit:
        edit = QLineEdit(parent)
        edit.setAccessibleName(name)
        edit.setPlaceholderText(placeholder)
        if secret:
            edit.setEchoMode(QLineEdit.EchoMode.Password)
        return edit

    def _security_combo(self, parent: QWidget, name: str) -> QComboBox:
        combo = QComboBox(parent)
        combo.setAccessibleName(name)
        combo.addItem(self.tr("TLS"), "tls")
        combo.addItem(self.tr("STARTTLS"), "starttls")
        combo.addItem(self.tr("None (this machine only)"), "plain")
        return combo

    def _imap_form(self) -> QWidget:
        form = QWidget(self)
        self.imap_name = self._line(form, self.tr("Account name"), self.tr("e.g. work"))
        self.imap_host = self._line(form, self.tr("IMAP host"), self.tr("imap.example.org"))
        self.imap_port = self._line(form, self.tr("IMAP port"))
        self.imap_port.setText("993")
        self.imap_port.setMaximumWidth(
            self.imap_port.fontMetrics().horizontalAdvance("000000") + 16
        )
        self.imap_security = self._security_combo(form, self.tr("IMAP security"))
        self.imap_security.currentIndexChanged.connect(
            lambda: self._default_port(self.imap_port, self.imap_security, _IMAP_PORTS)
        )
        self.imap_user = self._line(form, self.tr("User name"), self.tr("me@example.org"))
        self.imap_password = self._line(form, self.tr("Password"), secret=True)
        self.imap_address = self._line(
            form,
            self.tr("Your addresses"),
            self.tr("if the user name is not your address; several: separated by commas"),
        )
        self.imap_trust_cert = self._line(
            form,
            self.tr("Certificate fingerprint"),
            self.tr("SHA-256, only for a server with a self-signed certificate"),
        )
        self.smtp_host = self._line(form, self.tr("SMTP host"), self.tr("to send replies"))
        self.smtp_port = self._line(form, self.tr("SMTP port"))
        self.smtp_port.setText("465")
        self.smtp_port.setMaximumWidth(self.imap_port.maximumWidth())
        self.smtp_security = self._security_combo(form, self.tr("SMTP security"))
        self.smtp_security.currentIndexChanged.connect(
            lambda: self._default_port(self.smtp_port, self.smtp_security, _SMTP_PORTS)
        )
        self._ports = {self.imap_security: "tls", self.smtp_security: "tls"}

        def server_row(host: QLineEdit, port: QLineEdit, security: QComboBox) -> QHBoxLayout:
            row = QHBoxLayout()
            row.addWidget(host, 1)
            row.addWidget(QLabel(self.tr("Port"), form))
            row.addWidget(port)
            row.addWidget(security)
            return row

        layout = QFormLayout(form)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(self.tr("Name:"), self.imap_name)
        layout.addRow(
            self.tr("IMAP server:"), server_row(self.imap_host, self.imap_port, self.imap_security)
        )
        layout.addRow(self.tr("User name:"), self.imap_user)
        layout.addRow(self.tr("Password:"), self.imap_password)
        layout.addRow(self.tr("Your address:"), self.imap_address)
        layout.addRow(self.tr("Certificate:"), self.imap_trust_cert)
        layout.addRow(
            self.tr("SMTP server:"), server_row(self.smtp_host, self.smtp_port, self.smtp_security)
        )
        return form

    def _default_port(self, port: QLineEdit, security: QComboBox, defaults: dict[str, int]) -> None:
        """A new security level brings its usual port, unless the user typed another."""
        before = self._ports[security]
        now = str(security.currentData())
        if port.text().strip() in ("", str(defaults[before])):
            port.setText(str(defaults[now]))
        self._ports[security] = now

    def _matrix_form(self) -> QWidget:
        form = QWidget(self)
        self.matrix_name = self._line(form, self.tr("Account name"), self.tr("e.g. chat"))
        self.matrix_homeserver = self._line(
            form, self.tr("Homeserver"), self.tr("https://matrix.example.org")
        )
        self.matrix_user = self._line(form, self.tr("Matrix user"), self.tr("@me:example.org"))
        self.matrix_password = self._line(form, self.tr("Password"), secret=True)
        note = QLabel(
            self.tr("The password is used once, to log in; the keyring keeps the session."),
            form,
        )
        note.setWordWrap(True)
        muted(note)
        layout = QFormLayout(form)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(self.tr("Name:"), self.matrix_name)
        layout.addRow(self.tr("Homeserver:"), self.matrix_homeserver)
        layout.addRow(self.tr("User:"), self.matrix_user)
        layout.addRow(self.tr("Password:"), self.matrix_password)
        layout.addRow("", note)
        return form

    def _slack_form(self) -> QWidget:
        form = QWidget(self)
        self.slack_name = self._line(form, self.tr("Account name"), self.tr("e.g. team"))
        self.slack_token = self._line(form, self.tr("User token"), self.tr("xoxp-…"), secret=True)
        self.slack_api_url = self._line(
            form, self.tr("API URL"), self.tr("only for a Slack-compatible server")
        )
        layout = QFormLayout(form)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addRow(self.tr("Name:"), self.slack_name)
        layout.addRow(self.tr("User token:"), self.slack_token)
        layout.addRow(self.tr("API URL:"), self.slack_api_url)
        return form

    def _on_kind(self) -> None:
        self.forms.setCurrentIndex(self.kind_combo.currentIndex())
        self.test_button.setVisible(self.kind() is AccountKind.EMAIL)
        self.show_error("")

    def kind(self) -> AccountKind:
        return AccountKind(self.kind_combo.currentData())

    def choose_kind(self, kind: AccountKind) -> None:
        self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind))

    # -- the list ----------------------------------------------------------------

    def load(self, then: Callable[[], None] | None = None) -> None:
        store = self.owner.store
        self.read(lambda: profile_accounts(store), self._show, then)

    def _show(self, accounts: list[Account]) -> None:
        kinds = {
            AccountKind.EMAIL: self.tr("Email (IMAP)"),
            AccountKind.MATRIX: self.tr("Matrix"),
            AccountKind.SLACK: self.tr("Slack"),
            AccountKind.DEMO: self.tr("Demo"),
        }
        _fill(
            self.table,
            self.model,
            [
                _row(
                    (account.name, kinds[account.kind], ", ".join(account.identities)),
                    account.name,
                )
                for account in accounts
            ],
        )
        self._accounts = {account.name: account for account in accounts}
        self.empty_label.setVisible(not accounts)
        if self.editing is not None and self.editing.name not in self._accounts:
            self.stop_editing()  # removed meanwhile
        if self._select_next is not None:
            self.select(self._select_next)
            self._select_next = None
        self.selection_changed()

    def selection_changed(self) -> None:
        chosen = self.selected()
        self.remove_button.setEnabled(not self._busy and chosen is not None)
        account = self._accounts.get(chosen or "")
        self.edit_button.setEnabled(
            not self._busy and account is not None and account.kind is not AccountKind.DEMO
        )

    def selected(self) -> str | None:
        """The name of the selected account, if one is."""
        name = _selected_key(self.table)
        return name if isinstance(name, str) else None

    def select(self, name: str) -> None:
        for row in range(self.model.rowCount()):
            if self.model.item(row, 0).data(_NAME_ROLE) == name:
                self.table.selectRow(row)
                return

    def remove_selected(self) -> None:
        name = self.selected()
        if name is None or self._busy:
            return
        question = self.tr(
            "Remove the account {name}? Its messages and deadlines leave this profile and "
            "its password leaves the keyring. Nothing is deleted on the server."
        ).format(name=name)
        if not self.owner.confirm(self.tr("Remove account"), question):
            return
        store, factory = self.owner.store, self.owner.secrets_factory

        def remove() -> None:
            from asyncdesk.services.accounts import profile_secrets, remove_account

            remove_account(store, profile_secrets(store, factory), name)

        self.change(remove, lambda _: self.tr("Removed the account {name}.").format(name=name))

    # -- adding --------------------------------------------------------------------

    def _port(self, edit: QLineEdit, what: str, *, optional: bool = False) -> int | None:
        text = edit.text().strip()
        if optional and not text:
            return None
        try:
            return int(text)
        except ValueError:
            raise BadInput(
                self.tr("{what} must be a number between 1 and 65535, not {text!r}").format(
                    what=what, text=text
                )
            ) from None

    def imap_account(self) -> Account:
        """The IMAP account the form describes, checked (BadInput, in the form's words)."""
        from asyncdesk.services.accounts import build_imap_account

        smtp_host = self.smtp_host.text().strip() or None
        addresses = [part.strip() for part in self.imap_address.text().split(",") if part.strip()]
        trust = self.imap_trust_cert.text().strip()
        port = self._port(self.imap_port, self.tr("The IMAP port"))
        assert port is not None
        return build_imap_account(
            self.imap_name.text().strip(),
            host=self.imap_host.text(),
            port=port,
            security=str(self.imap_security.currentData()),
            user=self.imap_user.text().strip(),
            smtp_host=smtp_host,
            smtp_port=(
                self._port(self.smtp_port, self.tr("The SMTP port"), optional=True)
                if smtp_host
                else None
            ),
            smtp_security=str(self.smtp_security.currentData()) if smtp_host else None,
            trust_cert=trust or None,
            addresses=addresses,
        )

    def test_connection(self) -> None:
        """Log in once on the network pool; says how it went (``connection_tested``)."""
        if self._busy or self.kind() is not AccountKind.EMAIL:
            return
        try:
            account = self.imap_account()
        except BadInput as error:
            self.refuse(one_line(error))
            return
        password = self.imap_password.text()
        if not password:
            self.refuse(self.tr("Type the password to test the connection."))
            return
        host, port = account.config["host"], account.config["port"]
        self.begin(self.tr("Connecting to {host}:{port}…").format(host=host, port=port))

        def login() -> None:
            from asyncdesk.services.accounts import verify_imap_login

            verify_imap_login(account, password)

        def worked(_: None) -> None:
            message = self.tr("Logged in to {host}:{port}.").format(host=host, port=port)
            self._end()
            self.status_label.setText(message)
            self.owner.connection_tested.emit(True, message)

        def failed(error: BaseException) -> None:
            self.fail(error)
            self.owner.connection_tested.emit(False, self.error_label.text())

        self.owner.tasks.run_net(login, success=worked, failure=failed, is_current=self.owner.alive)

    def add_account(self) -> None:
        """Add the account the current form describes (see the module docstring), or,
        while one is being edited, save its changes."""
        if self._busy:
            return
        if self.editing is not None:
            try:
                self._save_edit(self.editing)
            except BadInput as error:
                self.refuse(one_line(error))
            return
        adders = {
            AccountKind.EMAIL: self._add_imap,
            AccountKind.MATRIX: self._add_matrix,
            AccountKind.SLACK: self._add_slack,
        }
        try:
            adders[self.kind()]()
        except BadInput as error:
            self.refuse(one_line(error))

    def _added(self, account: Account) -> str:
        self._clear_secrets()
        for edit in (self.imap_name, self.matrix_name, self.slack_name):
            edit.clear()
        self._select_next = account.name
        return self.tr("Added the account {name}.").format(name=account.name)

    def _clear_secrets(self) -> None:
        form = self.forms.currentWidget()
        for edit in form.findChildren(QLineEdit) if form is not None else []:
            if edit.echoMode() is QLineEdit.EchoMode.Password:
                edit.clear()

    def _checked_name(self, account: Account, then: Callable[[], object]) -> None:
        """Refuse a name in use before anything reaches a server (database worker)."""
        store = self.owner.store

        def check() -> None:
            from asyncdesk.services.accounts import check_new_account_name

            check_new_account_name(store, account.name)

        def checked(_: None) -> None:
            then()

        self.owner.tasks.run_db(
            check, success=checked, failure=self.fail, is_current=self.owner.alive
        )

    def _check_then_keep(
        self,
        account: Account,
        working: str,
        check: Callable[[], Any],
        keep: Callable[[Any], Account],
        *,
        new: bool = True,
    ) -> None:
        """Every account is added (or changed) the same way: the name is free (database
        worker; for a new account), ``check`` talks to the server (network pool),
        ``keep(its result)`` stores the account and its secret (database worker); a
        failure at any step is one line and changes nothing."""
        tasks, alive = self.owner.tasks, self.owner.alive
        self.begin(working)
        done = self._added if new else self._saved

        def checked(result: Any) -> None:
            tasks.run_db(
                lambda: keep(result),
                success=lambda kept: self.succeed(done(kept)),
                failure=self.fail,
                is_current=alive,
            )

        def talk() -> None:
            tasks.run_net(check, success=checked, failure=self.fail, is_current=alive)

        if new:
            self._checked_name(account, talk)
        else:
            talk()

    # -- editing -------------------------------------------------------------------

    def edit_selected(self) -> None:
        """Put the selected account in the form, to change its settings or secret."""
        account = self._accounts.get(self.selected() or "")
        if account is None or self._busy or account.kind is AccountKind.DEMO:
            return
        self.editing = account
        self.choose_kind(account.kind)
        self.kind_combo.setEnabled(False)
        config = account.config
        if account.kind is AccountKind.EMAIL:
            self.imap_host.setText(str(config.get("host", "")))
            self.imap_security.setCurrentIndex(self.imap_security.findData(config["security"]))
            self.imap_port.setText(str(config.get("port", "")))
            self.imap_user.setText(str(config.get("user", "")))
            self.imap_address.setText(", ".join(account.identities))
            self.imap_trust_cert.setText(str(config.get("trusted_cert_sha256", "")))
            self.smtp_host.setText(str(config.get("smtp_host", "")))
            if config.get("smtp_host"):
                self.smtp_security.setCurrentIndex(
                    self.smtp_security.findData(config.get("smtp_security", "tls"))
                )
                self.smtp_port.setText(str(config.get("smtp_port", "")))
            self.imap_password.setPlaceholderText(self.tr("leave empty to keep the password"))
        elif account.kind is AccountKind.MATRIX:
            self.matrix_homeserver.setText(str(config.get("homeserver", "")))
            self.matrix_user.setText(str(config.get("user_id") or account.identities[0]))
            self.matrix_password.setPlaceholderText(self.tr("type it to sign in again"))
        else:
            self.slack_api_url.setText(str(config.get("api_url", "")))
            self.slack_token.setPlaceholderText(self.tr("a new token replaces the old one"))
        # What the account is, is not edited: only how to reach it.
        for edit in (
            self.imap_name,
            self.matrix_name,
            self.matrix_homeserver,
            self.matrix_user,
            self.slack_name,
            self.slack_api_url,
        ):
            edit.setReadOnly(True)
        for edit in (self.imap_name, self.matrix_name, self.slack_name):
            edit.setText(account.name)
        self._clear_secrets()
        self.add_box.setTitle(self.tr("Change the account {name}").format(name=account.name))
        self.add_button.setText(self.tr("&Save changes"))
        self.add_button.setAccessibleName(self.tr("Save changes"))
        self.cancel_button.show()
        self.show_error("")
        self.status_label.setText("")
        first = {
            AccountKind.EMAIL: self.imap_host,
            AccountKind.MATRIX: self.matrix_password,
            AccountKind.SLACK: self.slack_token,
        }
        first[account.kind].setFocus()

    def stop_editing(self) -> None:
        """Back to adding a new account, with an empty form."""
        self.editing = None
        self.kind_combo.setEnabled(True)
        for edit in self.forms.findChildren(QLineEdit):
            edit.setReadOnly(False)
            if edit not in (self.imap_port, self.smtp_port):
                edit.clear()
        self.imap_port.setText(str(_IMAP_PORTS[str(self.imap_security.currentData())]))
        self.smtp_port.setText(str(_SMTP_PORTS[str(self.smtp_security.currentData())]))
        self.imap_password.setPlaceholderText("")
        self.matrix_password.setPlaceholderText("")
        self.slack_token.setPlaceholderText(self.tr("xoxp-…"))
        self.add_box.setTitle(self.tr("Add an account"))
        self.add_button.setText(self.tr("A&dd account"))
        self.add_button.setAccessibleName(self.tr("Add account"))
        self.cancel_button.hide()
        self.show_error("")

    def _saved(self, account: Account) -> str:
        self._select_next = account.name
        self.stop_editing()
        return self.tr("Saved the account {name}.").format(name=account.name)

    def _save_edit(self, before: Account) -> None:
        store, factory = self.owner.store, self.owner.secrets_factory
        name = before.name
        if before.kind is AccountKind.EMAIL:
            account = self.imap_account()
            # Settings the form does not show are kept as they were.
            hidden = ["display_name", "folders"]
            if account.config.get("smtp_host") == before.config.get("smtp_host"):
                hidden.append("smtp_trusted_cert_sha256")
            kept = {key: before.config[key] for key in hidden if key in before.config}
            account = dataclasses.replace(account, config={**kept, **account.config})
            password = self.imap_password.text() or None

            def login() -> None:
                from asyncdesk.services.accounts import (
                    account_password,
                    profile_secrets,
                    verify_imap_login,
                )

                secret = password or account_password(profile_secrets(store, factory), before)
                verify_imap_login(account, secret)

            def keep_email(_: None) -> Account:
                from asyncdesk.services.accounts import edit_imap_account

                return edit_imap_account(store, factory, account, password, verify=False)

            working = self.tr("Logging in to {host}…").format(host=account.config["host"])
            self._check_then_keep(account, working, login, keep_email, new=False)
        elif before.kind is AccountKind.MATRIX:
            password = self.matrix_password.text()
            if not password:
                raise BadInput(self.tr("Type the password to sign in again."))
            homeserver = str(before.config["homeserver"])
            user = str(before.config.get("user_id") or before.identities[0])

            def sign_in() -> object:
                from asyncdesk.sources.matrix import login as matrix_login

                return matrix_login(homeserver, user, password)

            def keep_matrix(credentials: object) -> Account:
                from asyncdesk.services.chat_accounts import renew_matrix_login

                return renew_matrix_login(
                    store, factory, name, password, login=lambda *_: credentials
                )

            working = self.tr("Logging in to {server}…").format(server=homeserver)
            self._check_then_keep(before, working, sign_in, keep_matrix, new=False)
        else:
            token = self.slack_token.text().strip()
            if not token:
                raise BadInput(self.tr("Paste the new Slack user token (xoxp-…)."))

            def verify() -> object:
                from asyncdesk.services.chat_accounts import verify_slack_token

                return verify_slack_token(before, token)

            def keep_slack(identity: Any) -> Account:
                from asyncdesk.services.chat_accounts import renew_slack_token

                return renew_slack_token(store, factory, name, token, identity=identity)

            working = self.tr("Checking the token with Slack…")
            self._check_then_keep(before, working, verify, keep_slack, new=False)

    def _add_imap(self) -> None:
        account = self.imap_account()
        password = self.imap_password.text()
        if not password:
            raise BadInput(self.tr("Type the password of the account."))
        store, clock, factory = self.owner.store, self.owner.clock, self.owner.secrets_factory

        def login() -> None:
            from asyncdesk.services.accounts import verify_imap_login

            verify_imap_login(account, password)

        def keep(_: None) -> Account:
            from asyncdesk.services.accounts import add_imap_account

            return add_imap_account(store, clock, factory, account, password, verify=False)

        working = self.tr("Logging in to {host}…").format(host=account.config["host"])
        self._check_then_keep(account, working, login, keep)

    def _add_matrix(self) -> None:
        from asyncdesk.services.chat_accounts import build_matrix_account

        account = build_matrix_account(
            self.matrix_name.text().strip(),
            homeserver=self.matrix_homeserver.text(),
            user=self.matrix_user.text(),
        )
        password = self.matrix_password.text()
        if not password:
            raise BadInput(self.tr("Type the password of the Matrix account."))
        store, clock, factory = self.owner.store, self.owner.clock, self.owner.secrets_factory
        homeserver, user = str(account.config["homeserver"]), account.identities[0]

        def login() -> object:
            # The login add_matrix_account would make, here on the network pool.
            from asyncdesk.sources.matrix import login as matrix_login

            return matrix_login(homeserver, user, password)

        def keep(credentials: object) -> Account:
            from asyncdesk.services.chat_accounts import add_matrix_account

            return add_matrix_account(
                store, clock, factory, account, password, login=lambda *_: credentials
            )

        working = self.tr("Logging in to {server}…").format(server=homeserver)
        self._check_then_keep(account, working, login, keep)

    def _add_slack(self) -> None:
        from asyncdesk.services.chat_accounts import build_slack_account

        account = build_slack_account(
            self.slack_name.text().strip(), api_url=self.slack_api_url.text().strip() or None
        )
        token = self.slack_token.text().strip()
        if not token:
            raise BadInput(self.tr("Paste the Slack user token (xoxp-…)."))
        store, clock, factory = self.owner.store, self.owner.clock, self.owner.secrets_factory

        def verify() -> object:
            # auth.test on the network pool; the database worker only stores.
            from asyncdesk.services.chat_accounts import verify_slack_token

            return verify_slack_token(account, token)

        def keep(identity: Any) -> Account:
            from asyncdesk.services.chat_accounts import add_slack_account

            return add_slack_account(store, clock, factory, account, token, identity=identity)

        self._check_then_keep(account, self.tr("Checking the token with Slack…"), verify, keep)


class ScheduleSection(_Section):
    """The time zone and the weekly blocks (see the module docstring)."""

    key = SCHEDULE

    def __init__(self, owner: SettingsDialog) -> None:
        super().__init__(owner)
        self._shown: _ScheduleShown | None = None
        self.zone_combo = _zone_combo(self, self.tr("Time zone"))
        self.zone_button = _button(self, self.tr("Use this &zone"), self.tr("Use this time zone"))
        self.zone_button.clicked.connect(self.apply_zone)
        self.table, self.model = _table(
            self,
            "scheduleTable",
            (self.tr("Kind"), self.tr("Days"), self.tr("From"), self.tr("To")),
        )
        self.table.setAccessibleName(self.tr("Weekly blocks"))
        self.empty_label = QLabel(self.tr("No windows: the inbox is always open."), self)
        muted(self.empty_label)
        self.remove_button = _button(self, self.tr("Re&move"), self.tr("Remove block"))
        self.remove_button.clicked.connect(self.remove_selected)
        self.table.selectionModel().selectionChanged.connect(self.selection_changed)

        self.kind_combo = QComboBox(self)
        self.kind_combo.setAccessibleName(self.tr("Kind of block"))
        self.kind_combo.addItem(self.tr("Window (inbox open)"), BlockKind.WINDOW)
        self.kind_combo.addItem(self.tr("Deep work (no notifications)"), BlockKind.DEEP_WORK)
        self.days = _DaysPicker(self.tr("Block"), self)
        self.start_edit = _clock_edit(self, self.tr("Block starts at"), "09:00")
        self.end_edit = _clock_edit(self, self.tr("Block ends at"), "09:30")
        self.add_button = _button(self, self.tr("A&dd block"), self.tr("Add block"))
        self.add_button.clicked.connect(self.add_block)
        self.action_buttons = [self.zone_button, self.remove_button, self.add_button]
        # The grid and the table show the same blocks; while one follows the other's
        # selection (or both are refilled), the other's signals are not echoed back.
        self._syncing = False
        self.grid = WeekGrid(self)
        self.grid.setObjectName("scheduleGrid")
        self.grid.changed.connect(self._on_grid_changed)
        self.grid.block_selected.connect(self._on_grid_selected)
        self.kind_combo.currentIndexChanged.connect(self._on_kind)

        zone_row = QHBoxLayout()
        zone_label = QLabel(self.tr("&Time zone:"), self)
        zone_label.setBuddy(self.zone_combo)
        zone_row.addWidget(zone_label)
        zone_row.addWidget(self.zone_combo, 1)
        zone_row.addWidget(self.zone_button)
        under = QHBoxLayout()
        under.addWidget(self.empty_label)
        under.addStretch(1)
        under.addWidget(self.remove_button)
        add_box = QGroupBox(self.tr("Add a weekly block"), self)
        form = QFormLayout(add_box)
        times = QHBoxLayout()
        times.addWidget(self.start_edit)
        times.addWidget(QLabel(self.tr("–"), add_box))
        times.addWidget(self.end_edit)
        times.addStretch(1)
        times.addWidget(self.add_button)
        kind_row = QHBoxLayout()
        kind_row.addWidget(self.kind_combo)
        kind_row.addStretch(1)
        form.addRow(self.tr("Kind:"), kind_row)
        form.addRow(self.tr("Days:"), self.days)
        form.addRow(self.tr("From – to:"), times)
        note = QLabel(
            self.tr(
                "Windows are when the inbox opens; deep-work blocks keep every notification "
                "back. A window may not overlap another window or a deep-work block. "
                "Skipped windows and days off stay as they are. Office hours, hatched in "
                "green, are the group sessions a reply can offer (O in the inbox); they "
                "are set with asyncdesk schedule officehours add."
            ),
            self,
        )
        note.setWordWrap(True)
        muted(note)
        week = QHBoxLayout()
        week.addWidget(self.grid, 1)
        week.addWidget(self.table, 0)
        layout = QVBoxLayout(self)
        layout.addLayout(zone_row)
        layout.addLayout(week, 1)
        layout.addLayout(under)
        layout.addWidget(add_box)
        layout.addWidget(note)
        self.footer(layout)
        self.selection_changed()

    def load(self, then: Callable[[], None] | None = None) -> None:
        store = self.owner.store
        self.read(lambda: _read_schedule(store), self._show, then)

    def kind(self) -> BlockKind:
        """The kind the form adds, and a drag on the grid's empty days too."""
        return BlockKind(self.kind_combo.currentData())

    def _on_kind(self) -> None:
        self.grid.new_kind = self.kind()

    @property
    def schedule(self) -> Schedule | None:
        return None if self._shown is None else self._shown.schedule

    def _show(self, shown: _ScheduleShown) -> None:
        first = self._shown is None
        self._shown = shown
        if first:
            self.zone_combo.addItems(list(shown.zones))
        self.zone_combo.setCurrentText(shown.schedule.zone.key)
        self.zone_combo.setToolTip(
            ""
            if shown.zone_is_set
            else self.tr("This machine's zone; choose one to keep it when you travel.")
        )
        kinds = {BlockKind.WINDOW: self.tr("Window"), BlockKind.DEEP_WORK: self.tr("Deep work")}
        blocks = sorted(
            shown.schedule.weekly, key=lambda b: (b.start, b.end, min(b.days), b.kind.value)
        )
        self._syncing = True
        try:
            # The grid first: it knows which block a change made from it should select.
            self.grid.set_blocks(shown.schedule.weekly)
            self.grid.set_office_hours(shown.schedule.office_hours)
            _fill(
                self.table,
                self.model,
                [
                    _row(
                        (
                            kinds[block.kind],
                            _days_text(block.days),
                            format_clock(block.start),
                            format_clock(block.end),
                        ),
                        block,
                    )
                    for block in blocks
                ],
            )
            self._select_in_table(self.grid.selected())
        finally:
            self._syncing = False
        self._fit_table()
        self.empty_label.setVisible(not shown.schedule.has_windows)
        self.selection_changed()

    def selection_changed(self) -> None:
        self.remove_button.setEnabled(not self._busy and self.selected() is not None)
        if not self._syncing:
            self._syncing = True
            try:
                self.grid.select(self.selected())
            finally:
                self._syncing = False

    def _fit_table(self) -> None:
        """As wide as its columns need: the grid beside it takes the rest."""
        header = self.table.horizontalHeader()
        last = self.model.columnCount() - 1
        wanted = max(
            header.sectionSizeFromContents(last).width(),
            self.table.sizeHintForColumn(last),
            header.minimumSectionSize(),
        )
        header.resizeSection(last, wanted)  # (the stretch widens it again where there is room)
        columns = sum(header.sectionSize(column) for column in range(last)) + wanted
        scroll_bar = self.table.verticalScrollBar().sizeHint().width()
        self.table.setMinimumWidth(columns + scroll_bar + 2 * self.table.frameWidth())

    def _on_grid_selected(self, block: WeeklyBlock | None) -> None:
        if self._syncing:
            return
        self._syncing = True
        try:
            self._select_in_table(block)
        finally:
            self._syncing = False
        self.remove_button.setEnabled(not self._busy and self.selected() is not None)

    def _select_in_table(self, block: WeeklyBlock | None) -> None:
        for row in range(self.model.rowCount()):
            if block is not None and self.model.item(row, 0).data(_NAME_ROLE) == block:
                self.table.selectRow(row)
                self.table.scrollTo(self.model.index(row, 0))
                return
        self.table.clearSelection()

    def selected(self) -> WeeklyBlock | None:
        block = _selected_key(self.table)
        return block if isinstance(block, WeeklyBlock) else None

    def select_row(self, row: int) -> None:
        self.table.selectRow(row)

    def block(self) -> WeeklyBlock:
        """The block the form describes (BadInput when it cannot be one)."""
        days = self.days.days()
        if not days:
            raise BadInput(self.tr("Tick at least one day."))
        start = parse_clock(self.start_edit.text())
        end = parse_clock(self.end_edit.text(), end=True)
        return WeeklyBlock(self.kind(), days, start, end)

    def add_block(self) -> None:
        if self._busy:
            return
        try:
            block = self.block()
        except BadInput as error:
            self.refuse(one_line(error))
            return
        self._change_schedule(
            lambda schedule: schedule.with_weekly(block),
            self.tr("Added the {what}.").format(what=block.describe()),
        )

    def remove_selected(self) -> None:
        block = self.selected()
        if block is None or self._busy:
            return
        self._change_schedule(
            lambda schedule: schedule.without_weekly(
                block.kind, block.days, block.start, block.end
            ),
            self.tr("Removed the {what}.").format(what=block.describe()),
        )

    def _on_grid_changed(self, old: WeeklyBlock | None, new: WeeklyBlock | None) -> None:
        """A drag or key on the grid: the same change, and checks, as the form's."""
        if self._busy or self._shown is None:
            self._snap_back()
            return
        if new is None:
            if old is None:
                self._snap_back()
                return
            removed = old
            self._change_schedule(
                lambda schedule: schedule.without_weekly(
                    removed.kind, removed.days, removed.start, removed.end
                ),
                self.tr("Removed the {what}.").format(what=removed.describe()),
            )
        elif old is None:
            added = new
            self._change_schedule(
                lambda schedule: schedule.with_weekly(added),
                self.tr("Added the {what}.").format(what=added.describe()),
            )
        else:
            before, after = old, new
            self._change_schedule(
                lambda schedule: schedule.without_weekly(
                    before.kind, before.days, before.start, before.end
                ).with_weekly(after),
                self.tr("The {what} is now {start}–{end}.").format(
                    what=before.describe(),
                    start=format_clock(after.start),
                    end=format_clock(after.end),
                ),
            )

    def _snap_back(self) -> None:
        """Show the stored blocks again: a change asked for on the grid did not happen."""
        if self._shown is not None:
            self.grid.set_blocks(self._shown.schedule.weekly)
            self.grid.set_office_hours(self._shown.schedule.office_hours)

    def begin(self, working: str = "") -> None:
        super().begin(working)
        self.grid.set_busy(True)

    def _end(self) -> None:
        self.grid.set_busy(False)
        super()._end()

    def refuse(self, message: str) -> None:
        super().refuse(message)
        self._snap_back()

    def _change_schedule(self, change: Callable[[Schedule], Schedule], done: str) -> None:
        store, clock = self.owner.store, self.owner.clock

        def write() -> Schedule:
            from asyncdesk.services.schedule import change_schedule

            return change_schedule(store, clock, change)

        self.change(write, lambda _: done)

    def apply_zone(self) -> None:
        name = self.zone_combo.currentText().strip()
        try:
            declared.TIMEZONE.parse(name)
            if not name:
                raise BadInput(self.tr("Choose a time zone, e.g. Europe/Berlin."))
        except BadInput as error:
            self.refuse(one_line(error))
            return
        store, clock = self.owner.store, self.owner.clock

        def write() -> Schedule:
            from asyncdesk.services.schedule import set_timezone

            return set_timezone(store, clock, name)

        self.change(write, lambda _: self.tr("Times are now in {zone}.").format(zone=name))


def _days_text(days: frozenset[int]) -> str:
    """``Mon–Fri``, ``Mon, Wed, Fri``, ``Every day``, in the user's locale."""
    text = format_days(days)
    if text == "daily":
        return _tr("Every day")
    runs = [run.split("-") for run in text.split(",")]
    return ", ".join("–".join(_day_name(DAY_NAMES.index(name)) for name in run) for run in runs)


class CalendarSection(_Section):
    """Importing an .ics file as deep-work blocks (see the module docstring)."""

    key = CALENDAR

    def __init__(self, owner: SettingsDialog) -> None:
        super().__init__(owner)
        intro = QLabel(
            self.tr(
                "Focus time from your calendar: each timed event of an .ics file becomes a "
                "deep-work block (from 8 weeks back to a year ahead). Importing the same file "
                "again replaces its blocks. All-day events are skipped, and so are events "
                "that overlap a window."
            ),
            self,
        )
        intro.setWordWrap(True)
        self.path_edit = QLineEdit(self)
        self.path_edit.setAccessibleName(self.tr("Calendar file"))
        self.path_edit.setPlaceholderText(self.tr("a calendar exported as .ics"))
        self.browse_button = _button(self, self.tr("C&hoose…"), self.tr("Choose calendar file"))
        self.browse_button.clicked.connect(self.choose_file)
        self.import_button = _button(self, self.tr("&Import"), self.tr("Import calendar"))
        self.import_button.clicked.connect(self.import_file)
        self.action_buttons = [self.browse_button, self.import_button]
        self.table, self.model = _table(
            self, "calendarTable", (self.tr("Calendar file"), self.tr("Deep-work blocks"))
        )
        self.table.setAccessibleName(self.tr("Imported calendars"))
        self.empty_label = QLabel(self.tr("No calendar imported yet."), self)
        muted(self.empty_label)
        row = QHBoxLayout()
        label = QLabel(self.tr("&File:"), self)
        label.setBuddy(self.path_edit)
        row.addWidget(label)
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        row.addWidget(self.import_button)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addLayout(row)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty_label)
        self.footer(layout)
        layout.addStretch(0)
        self.table.hide()

    def load(self, then: Callable[[], None] | None = None) -> None:
        store = self.owner.store

        def imported() -> list[tuple[str, int]]:
            from asyncdesk.services.schedule import load_schedule

            counts: dict[str, int] = {}
            for block in load_schedule(store).imported:
                counts[block.source] = counts.get(block.source, 0) + 1
            return sorted(counts.items())

        self.read(imported, self._show, then)

    def _show(self, imported: list[tuple[str, int]]) -> None:
        rows = []
        for source, count in imported:
            items = _row((Path(source).name or source, str(count)), source)
            items[0].setToolTip(source)
            rows.append(items)
        _fill(self.table, self.model, rows)
        self.empty_label.setVisible(not imported)
        self.table.setVisible(bool(imported))

    def choose_file(self) -> None:
        current = self.path_edit.text().strip()
        chosen = self.owner.ask_calendar_file(Path(current) if current else None)
        if chosen is not None:
            self.path_edit.setText(str(chosen))

    def import_file(self) -> None:
        if self._busy:
            return
        text = self.path_edit.text().strip()
        if not text:
            self.refuse(self.tr("Choose a calendar file (.ics) first."))
            return
        path = Path(text).expanduser()
        store, clock = self.owner.store, self.owner.clock

        def run() -> Any:
            from asyncdesk.services.schedule import import_calendar

            return import_calendar(store, clock, path)

        self.change(run, self._report, working=self.tr("Reading {name}…").format(name=path.name))

    def _report(self, report: Any) -> str:
        name = Path(report.source).name
        if report.imported == 1:
            said = self.tr("Imported 1 deep-work block from {name}.")
        else:
            said = self.tr("Imported {count} deep-work blocks from {name}.")
        parts = [said.format(count=report.imported, name=name)]
        if report.all_day_skipped == 1:
            parts.append(self.tr("1 all-day event skipped."))
        elif report.all_day_skipped:
            parts.append(
                self.tr("{count} all-day events skipped.").format(count=report.all_day_skipped)
            )
        if report.overlapping:
            parts.append(
                self.tr("{count} left out, overlapping a window (first: {first}).").format(
                    count=len(report.overlapping), first=report.overlapping[0]
                )
            )
        return " ".join(parts)


@dataclass(frozen=True, slots=True)
class _Promises:
    default_minutes: int
    working_hours: Any  # core.deadlines.WorkingHours | None
    rules: list[Any]  # store.promises.Rule


def _read_promises(store: Store, clock: Clock) -> _Promises:
    from zoneinfo import ZoneInfo

    from asyncdesk.services.deadlines import parse_working_hours, summary

    shown = summary(store, clock)
    try:
        hours = parse_working_hours(shown.working_hours, ZoneInfo(shown.timezone))
    except BadInput:
        hours = None  # a hand-edited setting; the deadlines ignore it too
    minutes = int(shown.default.total_seconds() // 60)
    return _Promises(minutes, hours, list(shown.rules))


class ReplyBySection(_Section):
    """The default promise, rules, working hours (see the module docstring)."""

    key = REPLY_BY

    def __init__(self, owner: SettingsDialog) -> None:
        super().__init__(owner)
        self._kinds = {
            "sender": self.tr("Sender"),
            "domain": self.tr("Domain"),
            "account": self.tr("Account"),
        }
        promise_box = QGroupBox(self.tr("My promise"), self)
        self.default_spin = _hours_spin(promise_box, self.tr("Default reply promise"), 48)
        self.default_button = _button(
            promise_box, self.tr("Save &promise"), self.tr("Save promise")
        )
        self.default_button.clicked.connect(self.save_default)
        promise_row = QHBoxLayout(promise_box)
        promise_row.addWidget(QLabel(self.tr("I reply to every message within"), promise_box))
        promise_row.addWidget(self.default_spin)
        promise_row.addStretch(1)
        promise_row.addWidget(self.default_button)

        rules_box = QGroupBox(self.tr("Other promises for some senders, domains or accounts"), self)
        self.rules_table, self.rules_model = _table(
            rules_box,
            "rulesTable",
            (self.tr("For"), self.tr("Who"), self.tr("Reply within")),
        )
        self.rules_table.setAccessibleName(self.tr("Promise rules"))
        self.rules_table.setMinimumHeight(90)
        self.rules_table.selectionModel().selectionChanged.connect(self.selection_changed)
        self.rule_remove_button = _button(
            rules_box, self.tr("Remo&ve rule"), self.tr("Remove rule")
        )
        self.rule_remove_button.clicked.connect(self.remove_selected_rule)
        self.rule_kind_combo = QComboBox(rules_box)
        self.rule_kind_combo.setAccessibleName(self.tr("Rule applies to"))
        for kind, text in self._kinds.items():
            self.rule_kind_combo.addItem(text, kind)
        self.rule_value_edit = QLineEdit(rules_box)
        self.rule_value_edit.setAccessibleName(self.tr("Rule for whom"))
        self.rule_kind_combo.currentIndexChanged.connect(self._on_rule_kind)
        self.rule_hours_spin = _hours_spin(rules_box, self.tr("Rule reply promise"), 24)
        self.rule_add_button = _button(rules_box, self.tr("A&dd rule"), self.tr("Add rule"))
        self.rule_add_button.clicked.connect(self.add_rule)
        self._on_rule_kind()
        add_row = QHBoxLayout()
        add_row.addWidget(self.rule_kind_combo)
        add_row.addWidget(self.rule_value_edit, 1)
        add_row.addWidget(self.rule_hours_spin)
        add_row.addWidget(self.rule_add_button)
        remove_row = QHBoxLayout()
        remove_row.addStretch(1)
        remove_row.addWidget(self.rule_remove_button)
        rules_layout = QVBoxLayout(rules_box)
        rules_layout.addWidget(self.rules_table, 1)
        rules_layout.addLayout(remove_row)
        rules_layout.addLayout(add_row)

        hours_box = QGroupBox(self.tr("Working hours"), self)
        self.hours_check = QCheckBox(self.tr("Count only &working hours"), hours_box)
        self.hours_check.setAccessibleName(self.tr("Count only working hours"))
        self.hours_check.setToolTip(
            self.tr("A 48-hour promise then means 48 working hours, in the profile's time zone")
        )
        self.hours_days = _DaysPicker(self.tr("Working hours"), hours_box)
        self.hours_start_edit = _clock_edit(hours_box, self.tr("Working hours start at"), "09:00")
        self.hours_end_edit = _clock_edit(hours_box, self.tr("Working hours end at"), "17:00")
        self.hours_button = _button(
            hours_box, self.tr("Save &hours"), self.tr("Save working hours")
        )
        self.hours_button.clicked.connect(self.save_working_hours)
        self.hours_check.toggled.connect(self._on_hours_toggled)
        hours_form = QFormLayout(hours_box)
        hours_form.addRow(self.hours_check)
        hours_form.addRow(self.tr("Days:"), self.hours_days)
        times = QHBoxLayout()
        times.addWidget(self.hours_start_edit)
        times.addWidget(QLabel(self.tr("–"), hours_box))
        times.addWidget(self.hours_end_edit)
        times.addStretch(1)
        times.addWidget(self.hours_button)
        hours_form.addRow(self.tr("From – to:"), times)
        self._on_hours_toggled(False)

        self.action_buttons = [
            self.default_button,
            self.rule_remove_button,
            self.rule_add_button,
            self.hours_button,
        ]
        note = QLabel(
            self.tr(
                "Changing a promise moves the deadlines of messages still waiting for a reply."
            ),
            self,
        )
        note.setWordWrap(True)
        muted(note)
        layout = QVBoxLayout(self)
        layout.addWidget(promise_box)
        layout.addWidget(rules_box, 1)
        layout.addWidget(hours_box)
        layout.addWidget(note)
        self.footer(layout)
        self.selection_changed()

    def _on_rule_kind(self) -> None:
        placeholders = {
            "sender": self.tr("someone@example.com"),
            "domain": self.tr("example.com"),
            "account": self.tr("an account's name"),
        }
        self.rule_value_edit.setPlaceholderText(placeholders[self.rule_kind()])

    def _on_hours_toggled(self, on: bool) -> None:
        for widget in (*self.hours_days.boxes, self.hours_start_edit, self.hours_end_edit):
            widget.setEnabled(on)

    def rule_kind(self) -> str:
        return str(self.rule_kind_combo.currentData())

    def load(self, then: Callable[[], None] | None = None) -> None:
        store, clock = self.owner.store, self.owner.clock
        self.read(lambda: _read_promises(store, clock), self._show, then)

    def _show(self, shown: _Promises) -> None:
        hours, rest = divmod(shown.default_minutes, 60)
        self.default_spin.setValue(max(1, hours + (1 if rest else 0)))
        self.default_spin.setToolTip(
            self.tr("Now: {now}").format(now=_duration_text(shown.default_minutes))
        )
        _fill(
            self.rules_table,
            self.rules_model,
            [
                _row(
                    (
                        self._kinds.get(rule.kind, rule.kind),
                        rule.value,
                        _duration_text(rule.minutes),
                    ),
                    (rule.kind, rule.value),
                )
                for rule in shown.rules
            ],
        )
        working = shown.working_hours
        self.hours_check.setChecked(working is not None)
        if working is not None:
            self.hours_days.set_days(working.days)
            self.hours_start_edit.setText(f"{working.start:%H:%M}")
            self.hours_end_edit.setText(f"{working.end:%H:%M}")
        self.selection_changed()

    def selection_changed(self) -> None:
        self.rule_remove_button.setEnabled(not self._busy and self.selected_rule() is not None)

    def selected_rule(self) -> tuple[str, str] | None:
        key = _selected_key(self.rules_table)
        return key if isinstance(key, tuple) else None

    def select_rule(self, kind: str, value: str) -> None:
        for row in range(self.rules_model.rowCount()):
            if self.rules_model.item(row, 0).data(_NAME_ROLE) == (kind, value):
                self.rules_table.selectRow(row)
                return

    def save_default(self) -> None:
        if self._busy:
            return
        hours = self.default_spin.value()
        store = self.owner.store

        def write() -> int:
            from asyncdesk.services.deadlines import set_default_sla

            return set_default_sla(store, timedelta(hours=hours))

        self.change(
            write,
            lambda moved: self._moved(self.tr("Promise: {hours} h.").format(hours=hours), moved),
        )

    def add_rule(self) -> None:
        if self._busy:
            return
        kind, value, hours = (
            self.rule_kind(),
            self.rule_value_edit.text().strip(),
            self.rule_hours_spin.value(),
        )
        if not value:
            self.refuse(self.tr("Say whom the rule is for."))
            return
        store, clock = self.owner.store, self.owner.clock

        def write() -> int:
            from asyncdesk.services.deadlines import add_sla_rule

            return add_sla_rule(store, clock, kind, value, timedelta(hours=hours))

        def done(moved: int) -> str:
            self.rule_value_edit.clear()
            return self._moved(
                self.tr("{value}: reply within {hours} h.").format(value=value, hours=hours), moved
            )

        self.change(write, done)

    def remove_selected_rule(self) -> None:
        rule = self.selected_rule()
        if rule is None or self._busy:
            return
        kind, value = rule
        store = self.owner.store

        def write() -> int:
            from asyncdesk.services.deadlines import remove_sla_rule

            return remove_sla_rule(store, kind, value)

        self.change(
            write,
            lambda moved: self._moved(
                self.tr("Removed the rule for {value}.").format(value=value), moved
            ),
        )

    def save_working_hours(self) -> None:
        if self._busy:
            return
        store = self.owner.store
        if self.hours_check.isChecked():
            days = self.hours_days.days()
            if not days:
                self.refuse(self.tr("Tick at least one working day."))
                return
            days_text, start, end = (
                format_days(days),
                self.hours_start_edit.text().strip(),
                self.hours_end_edit.text().strip(),
            )
            said = self.tr("Deadlines count {days} {start}–{end} only.").format(
                days=_days_text(days), start=start, end=end
            )
        else:
            days_text, start, end = None, "", ""
            said = self.tr("Deadlines count every hour.")

        def write() -> int:
            from asyncdesk.services.deadlines import set_working_hours

            return set_working_hours(store, days_text, start, end)

        self.change(write, lambda moved: self._moved(said, moved))

    def _moved(self, said: str, moved: int) -> str:
        if not moved:
            return said
        if moved == 1:
            return self.tr("{said} 1 deadline moved.").format(said=said)
        return self.tr("{said} {count} deadlines moved.").format(said=said, count=moved)


class NotificationsSection(_Section):
    """The reminder and the VIP senders (see the module docstring)."""

    key = NOTIFICATIONS

    def __init__(self, owner: SettingsDialog) -> None:
        super().__init__(owner)
        self.reminder_spin = QSpinBox(self)
        self.reminder_spin.setAccessibleName(self.tr("Reminder minutes before a window ends"))
        self.reminder_spin.setRange(0, 120)
        self.reminder_spin.setSuffix(self.tr(" min"))
        self.reminder_spin.setSpecialValueText(self.tr("Off"))
        self.vip_edit = QPlainTextEdit(self)
        self.vip_edit.setAccessibleName(self.tr("VIP senders"))
        self.vip_edit.setPlaceholderText(self.tr("ceo@example.com\nschool@example.org"))
        self.vip_edit.setTabChangesFocus(True)
        self.vip_edit.setFixedHeight(self.vip_edit.fontMetrics().lineSpacing() * 7 + 12)
        self.save_button = _button(self, self.tr("Sav&e"), self.tr("Save notification settings"))
        self.save_button.clicked.connect(self.save)
        self.autostart_box = QCheckBox(self.tr("S&tart AsyncDesk in the tray when I log in"), self)
        self.autostart_box.setObjectName("autostartBox")
        self.autostart_box.setAccessibleName(self.tr("Start AsyncDesk when I log in"))
        self.autostart_box.clicked.connect(self.set_autostart)
        self.autostart_note = QLabel(
            self.tr(
                "Reminders and notifications only come while AsyncDesk runs. It starts "
                "without its window."
            ),
            self,
        )
        self.autostart_note.setWordWrap(True)
        muted(self.autostart_note)
        self.publish_box = QCheckBox(self.tr("&Publish my availability"), self)
        self.publish_box.setObjectName("publishBox")
        self.publish_box.setAccessibleName(self.tr("Publish my availability"))
        self.publish_box.clicked.connect(self.set_published)
        publish_note = QLabel(
            self.tr(
                "While the inbox is closed, people who write by email get one automatic "
                "answer saying when you will reply; Matrix and Slack show a status with "
                "your next window, and Slack does not disturb you during deep work. "
                "Everything sent is logged (asyncdesk autoreply show)."
            ),
            self,
        )
        publish_note.setWordWrap(True)
        muted(publish_note)
        self.publish_status = QLabel(self)
        self.publish_status.setObjectName("publishStatus")
        self.publish_status.setWordWrap(True)
        self.publish_status.setTextFormat(Qt.TextFormat.PlainText)
        self.feed_button = _button(
            self, self.tr("Save calendar &feed…"), self.tr("Save the calendar feed of my windows")
        )
        self.feed_button.clicked.connect(self.save_feed)
        self.action_buttons = [
            self.save_button,
            self.autostart_box,
            self.publish_box,
            self.feed_button,
        ]
        reminder_note = QLabel(
            self.tr("One reminder before a window ends, if replies are due before the next one."),
            self,
        )
        reminder_note.setWordWrap(True)
        muted(reminder_note)
        vip_note = QLabel(
            self.tr(
                "One address per line. Their messages may notify you while the inbox is "
                "closed; never during deep work."
            ),
            self,
        )
        vip_note.setWordWrap(True)
        muted(vip_note)
        form = QFormLayout()
        reminder_label = QLabel(self.tr("Re&minder:"), self)
        reminder_label.setBuddy(self.reminder_spin)
        reminder_row = QHBoxLayout()
        reminder_row.addWidget(self.reminder_spin)
        reminder_row.addStretch(1)
        form.addRow(reminder_label, reminder_row)
        form.addRow("", reminder_note)
        vip_label = QLabel(self.tr("&VIP senders:"), self)
        vip_label.setBuddy(self.vip_edit)
        form.addRow(vip_label, self.vip_edit)
        form.addRow("", vip_note)
        form.addRow("", self.autostart_box)
        form.addRow("", self.autostart_note)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        # Written at once by its switch, apart from what Save writes.
        publishing = QGroupBox(self.tr("Published availability"), self)
        publishing.setObjectName("publishGroup")
        feed_row = QHBoxLayout()
        feed_row.addWidget(self.publish_status, 1)
        feed_row.addWidget(self.feed_button)
        publish_layout = QVBoxLayout(publishing)
        publish_layout.addWidget(self.publish_box)
        publish_layout.addWidget(publish_note)
        publish_layout.addLayout(feed_row)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(publishing)
        layout.addStretch(1)
        self.footer(layout)

    def load(self, then: Callable[[], None] | None = None) -> None:
        store, clock = self.owner.store, self.owner.clock
        self.read(lambda: _read_notifications(store, clock), self._show, then)

    def _show(self, shown: _Notifications) -> None:
        self.reminder_spin.setValue(shown.reminder_minutes)
        self.vip_edit.setPlainText("\n".join(shown.vip))
        self.autostart_box.setChecked(shown.autostart)
        self.autostart_box.setEnabled(shown.autostart_problem is None)
        problem = shown.autostart_problem
        if problem is not None:  # a service's line (English, as the CLI's)
            self.autostart_note.setText(f"{problem[:1].upper()}{problem[1:]}.")
        self.publish_box.setChecked(shown.published)
        # The status itself is what the servers get: English, as the auto-reply.
        if shown.published:
            template = self.tr("Your chat status now: “{status}”")
        else:
            template = self.tr("When on, your chat status would now be: “{status}”")
        self.publish_status.setText(template.format(status=shown.status_text))

    def set_published(self, enabled: bool) -> None:
        """The switch: published availability on or off, written at once."""
        if self._busy:
            self.publish_box.setChecked(not enabled)
            return
        store = self.owner.store
        self.change(
            lambda: _write_published(store, enabled),
            lambda now_on: (
                self.tr("Your availability is published.")
                if now_on
                else self.tr(
                    "Your availability is no longer published; the chat status is cleared."
                )
            ),
        )

    def save_feed(self) -> None:
        """Ask where, then write the .ics feed of the windows there."""
        if self._busy:
            return
        chosen = self.owner.ask_feed_file()
        if chosen is None:
            return
        store, clock = self.owner.store, self.owner.clock
        self.change(
            lambda: _write_feed(store, clock, chosen),
            lambda path: self.tr("Saved the calendar of your windows to {path}.").format(path=path),
        )

    def set_autostart(self, enabled: bool) -> None:
        """The switch: write or remove the session's autostart entry at once."""
        if self._busy:
            self.autostart_box.setChecked(not enabled)
            return
        root = self.owner.store.paths.root

        def write() -> bool:
            from asyncdesk.services.autostart import set_enabled

            return set_enabled(enabled, root)

        self.change(
            write,
            lambda now_on: (
                self.tr("AsyncDesk starts when you log in.")
                if now_on
                else self.tr("AsyncDesk no longer starts when you log in.")
            ),
        )

    def vip_json(self) -> str:
        """The VIP list as the setting keeps it: a JSON list, lower-case, no repeats."""
        addresses = [line.strip().lower() for line in self.vip_edit.toPlainText().splitlines()]
        return json.dumps(list(dict.fromkeys(a for a in addresses if a)))

    def save(self) -> None:
        if self._busy:
            return
        reminder, vip = self.reminder_spin.value(), self.vip_json()
        try:
            declared.NOTIFY_VIP.validate(vip)
        except BadInput as error:
            self.refuse(one_line(error))
            return
        store = self.owner.store
        self.change(
            lambda: _write_notifications(store, reminder, vip),
            lambda _: self.tr("Saved."),
        )


# ------------------------------------------------------------------ the dialog


class SettingsDialog(QDialog):
    """File ▸ Settings… of one open profile (see the module docstring).

    Signals (GUI thread), ``section`` being one of :data:`SECTIONS`:

    - ``loaded(str)``: the section shows what the profile holds (at open, and again
      after each change).
    - ``ready()``: every section has been shown once.
    - ``changed(str)``: a change was written to the profile and the section re-read:
      the owner may reload what depends on it (the inbox gate, deadlines, accounts).
    - ``failed(str, str)``: the section, and the one line shown under its form;
      nothing was changed.
    - ``connection_tested(bool, str)``: **Test connection** logged in (True) or not;
      the line shown.

    Hooks a test (or the owner) may replace: :attr:`confirm` (asks before removing an
    account), :attr:`ask_calendar_file` and :attr:`ask_feed_file` (the file dialogs).
    """

    loaded = Signal(str)
    ready = Signal()
    changed = Signal(str)
    failed = Signal(str, str)
    connection_tested = Signal(bool, str)

    def __init__(
        self,
        tasks: TaskRunner,
        clock: Clock,
        store: Store,
        parent: QWidget | None = None,
        *,
        secrets_factory: SecretsFactory = KeyringSecrets,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings — AsyncDesk"))
        self.tasks = tasks
        self.clock = clock
        self.store = store
        self.secrets_factory = secrets_factory
        self._alive = True
        self._unseen = set(SECTIONS)
        # Asks (title, question) before something is removed; True to go ahead.
        self.confirm: Callable[[str, str], bool] = self._confirm
        # Asks for an .ics file (starting near the one given); None when cancelled.
        self.ask_calendar_file: Callable[[Path | None], Path | None] = self._ask_calendar_file
        # Asks where to save the calendar feed; None when cancelled.
        self.ask_feed_file: Callable[[], Path | None] = self._ask_feed_file

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("settingsTabs")
        self.tabs.setAccessibleName(self.tr("Settings sections"))
        self.accounts = AccountsSection(self)
        self.schedule = ScheduleSection(self)
        self.calendar = CalendarSection(self)
        self.reply_by = ReplyBySection(self)
        self.notifications = NotificationsSection(self)
        for section, title in (
            (self.accounts, self.tr("&Accounts")),
            (self.schedule, self.tr("&Schedule")),
            (self.calendar, self.tr("&Calendar")),
            (self.reply_by, self.tr("&Reply-by")),
            (self.notifications, self.tr("&Notifications")),
        ):
            self.tabs.addTab(section, title)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        close = self.buttons.button(QDialogButtonBox.StandardButton.Close)
        if close is not None:
            close.setAccessibleName(self.tr("Close"))
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.buttons)
        self.loaded.connect(self._on_loaded)
        self.resize(900, 720)
        self.reload()

    @property
    def sections(self) -> dict[str, _Section]:
        return {section.key: section for section in self._all()}

    def _all(self) -> tuple[_Section, ...]:
        return (self.accounts, self.schedule, self.calendar, self.reply_by, self.notifications)

    def alive(self) -> bool:
        """False once the dialog closed: results still on their way are dropped."""
        return self._alive

    def show_section(self, section: str) -> None:
        """Bring a section's tab to the front (e.g. ``"accounts"`` after the welcome)."""
        self.tabs.setCurrentWidget(self.sections[section])

    def reload(self) -> None:
        """Read every section again (on the database worker)."""
        for section in self._all():
            section.load()

    def _on_loaded(self, section: str) -> None:
        if section in self._unseen:
            self._unseen.discard(section)
            if not self._unseen:
                self.ready.emit()

    def done(self, result: int) -> None:
        self._alive = False
        super().done(result)

    def _confirm(self, title: str, question: str) -> bool:
        answer = QMessageBox.question(
            self,
            title,
            question,
            QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.Cancel,
            QMessageBox.StandardButton.Cancel,
        )
        return answer == QMessageBox.StandardButton.Yes

    def _ask_feed_file(self) -> Path | None:
        name, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Save the calendar feed"),
            self.tr("my-windows.ics"),
            self.tr("iCalendar files (*.ics);;All files (*)"),
        )
        if not name:
            return None
        path = Path(name)
        return path if path.suffix else path.with_suffix(".ics")

    def _ask_calendar_file(self, current: Path | None) -> Path | None:
        name, _ = QFileDialog.getOpenFileName(
            self,
            self.tr("Import a calendar"),
            str(current.parent) if current is not None else "",
            self.tr("iCalendar files (*.ics);;All files (*)"),
        )
        return Path(name) if name else None
