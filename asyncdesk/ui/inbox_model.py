"""The inbox as a lazy table model: rows arrive a page at a time, off the GUI thread.

Like Spyder's lazy models, the view pulls rows with ``canFetchMore``/``fetchMore`` as it
scrolls; unlike them, a page is read on the task runner's database worker (keyset
pagination: ``services.inbox.page(store, limit, after=page_key(last row))``) and
appended with ``beginInsertRows`` when it comes back, so a profile of 100,000 messages
opens as fast as an empty one and scrolling never blocks the window.

The "Reply by" column is a badge (:mod:`asyncdesk.ui.due`): overdue, due before the
next window, later, replied, snoozed, dismissed. "Before the next window" needs the next
window's start, which the owner keeps current with :meth:`InboxModel.set_horizon`.
After the user changes a message's decision, :meth:`InboxModel.refresh` re-reads just
those rows in place (``services.inbox.by_id``), so the selection and the scroll
position stay where they were.

Labels (``ItemRole.LabelsRole``: meeting request, first contact, video) are read after
each page is shown, for the whole page at once (``services.triage.page_labels``: who
the user has written with is read once per listing, then each page's bodies), and the
rows repaint when they arrive: they never delay the listing.

Threading contract: every method runs on the GUI thread. The only work sent to the
worker is the ``services.inbox.page``/``by_id`` calls, which receive the store and
their keys as arguments and touch nothing of the model.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime, tzinfo
from enum import IntEnum
from typing import Any, cast

from PySide6.QtCore import (
    QT_TRANSLATE_NOOP,
    QAbstractTableModel,
    QByteArray,
    QCoreApplication,
    QDate,
    QLocale,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QFont

from asyncdesk.core.accounts import AccountKind
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.messages import Medium
from asyncdesk.services import inbox
from asyncdesk.store.database import Store
from asyncdesk.store.labels import ContactHistory
from asyncdesk.store.messages import StoredMessage
from asyncdesk.ui import due as badges
from asyncdesk.ui.due import Due
from asyncdesk.ui.roles import ItemRole
from asyncdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

# How many messages a search shows (the newest); more words narrow it.
SEARCH_LIMIT = 1000
DEFAULT_PAGE_SIZE = 200

ModelIndex = QModelIndex | QPersistentModelIndex

# The invalid index, i.e. the table's root; a module-level default, never mutated.
_ROOT = QModelIndex()


class Column(IntEnum):
    """The inbox's columns, in display order."""

    FROM = 0
    SUBJECT = 1
    ACCOUNT = 2
    RECEIVED = 3
    REPLY_BY = 4


# The English titles (marked for translation; :meth:`InboxModel.headerData` translates).
HEADERS: dict[Column, str] = {
    Column.FROM: cast(str, QT_TRANSLATE_NOOP("InboxModel", "From")),
    Column.SUBJECT: cast(str, QT_TRANSLATE_NOOP("InboxModel", "Subject")),
    Column.ACCOUNT: cast(str, QT_TRANSLATE_NOOP("InboxModel", "Account")),
    Column.RECEIVED: cast(str, QT_TRANSLATE_NOOP("InboxModel", "Received")),
    Column.REPLY_BY: cast(str, QT_TRANSLATE_NOOP("InboxModel", "Reply by")),
}


class InboxModel(QAbstractTableModel):
    """Inbound messages, newest first, loaded lazily in pages of ``page_size`` rows.

    Signals (GUI thread):

    - ``loading_changed(bool)``: a page request started (``True``) or ended (``False``).
    - ``page_loaded(int)``: a page arrived and its rows (possibly 0) were appended.
    - ``load_failed(str)``: a page could not be read; one line for the user. Loading
      stops until :meth:`reload`.
    - ``rows_refreshed()``: rows re-read by :meth:`refresh` were updated in place.

    Times are shown in ``timezone`` (the user's zone); "today" is decided by ``clock``,
    never by the machine's wall clock directly, so tests can pin it.
    """

    loading_changed = Signal(bool)
    page_loaded = Signal(int)
    load_failed = Signal(str)
    rows_refreshed = Signal()
    #: Labels were read for these message ids (a list of ints).
    labels_read = Signal(list)

    def __init__(
        self,
        tasks: TaskRunner,
        clock: Clock,
        *,
        page_size: int = DEFAULT_PAGE_SIZE,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        if page_size <= 0:
            raise ValueError(f"page_size must be positive, not {page_size}")
        self._tasks = tasks
        self._clock = clock
        self._page_size = page_size
        self._store: Store | None = None
        self._timezone: tzinfo = UTC
        self._rows: list[StoredMessage] = []
        self._labels: dict[int, tuple[str, ...]] = {}
        # Who the user has exchanged messages with, read by the first page's labels and
        # used (only on the database worker) by the next pages' until a reload.
        self._history = ContactHistory()
        # Bumped on every reset; a page requested under an older generation is dropped.
        self._generation = 0
        self._loading = False
        self._loading_reported = False  # the last state loading_changed announced
        self._exhausted = True
        self._horizon: datetime | None = None
        self._query = ""  # what the search box holds; "" shows the inbox
        self._locale = QLocale()
        self._bold = QFont()
        self._bold.setBold(True)
        self._plain = QFont()

    # -- public API -----------------------------------------------------------------

    @property
    def page_size(self) -> int:
        return self._page_size

    @property
    def is_loading(self) -> bool:
        """Whether a page request is in flight."""
        return self._loading

    @property
    def all_loaded(self) -> bool:
        """Whether the last page has arrived (a short page, or no store at all)."""
        return self._exhausted and not self._loading

    def set_store(self, store: Store | None, timezone: tzinfo = UTC) -> None:
        """Show ``store``'s inbox (times in ``timezone``) and start loading its first page.

        ``None`` empties the model, e.g. when the profile could not be opened.
        """
        self._store = store
        self._timezone = timezone
        self.reload()

    def reload(self) -> None:
        """Forget every row and load again from the first page; in-flight pages are dropped."""
        self._generation += 1
        self.beginResetModel()
        # The whole state is reset before endResetModel(): a view or tester reacting to
        # the reset may call fetchMore() right away, and must start the one new request.
        self._rows = []
        self._labels = {}
        self._history = ContactHistory()
        self._exhausted = self._store is None
        self._loading = False
        self.endResetModel()
        self.fetchMore(_ROOT)  # a no-op if a listener of the reset already asked
        self._set_loading(self._loading)  # report the end of a dropped request, if any

    @property
    def query(self) -> str:
        """The search shown ("" for the inbox)."""
        return self._query

    def set_query(self, text: str) -> None:
        """Show what ``text`` finds (the search box's syntax, core.search_query), newest
        first, the first :data:`SEARCH_LIMIT`; an empty text shows the inbox again."""
        from asyncdesk.core.search_query import parse

        text = text if not parse(text).is_empty else ""
        if text == self._query:
            return
        self._query = text
        self.reload()

    def message_at(self, row: int) -> StoredMessage:
        """The message shown in ``row`` (raises IndexError past the loaded rows)."""
        return self._rows[row]

    def labels_of(self, message_pk: int) -> tuple[str, ...]:
        """The message's labels, once read (empty before)."""
        return self._labels.get(message_pk, ())

    def _read_labels(self, rows: list[StoredMessage]) -> None:
        store, generation, history = self._store, self._generation, self._history
        if store is None or not rows:
            return

        def read() -> dict[int, tuple[str, ...]]:
            from asyncdesk.services.triage import page_labels

            return page_labels(store, rows, history)

        self._tasks.run_db(
            read,
            success=self._on_labels,
            failure=self._on_refresh_failed,
            is_current=lambda: generation == self._generation,
        )

    def _on_labels(self, labels: dict[int, tuple[str, ...]]) -> None:
        changed = [
            row
            for row, m in enumerate(self._rows)
            if m.id in labels and labels[m.id] != self._labels.get(m.id, ())
        ]
        self._labels.update(labels)
        if changed:
            last = len(Column) - 1
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), last))
        self.labels_read.emit(list(labels))

    def row_of(self, message_pk: int) -> int | None:
        """The row showing the message with this id, if it is loaded."""
        return next((row for row, m in enumerate(self._rows) if m.id == message_pk), None)

    @property
    def timezone(self) -> tzinfo:
        """The zone times are shown in (the user's)."""
        return self._timezone

    @property
    def horizon(self) -> datetime | None:
        """The next window's start (UTC), or ``None`` when no window is ahead."""
        return self._horizon

    def set_horizon(self, horizon: datetime | None) -> None:
        """The next window starts at ``horizon``: what is due before it is marked."""
        if horizon != self._horizon:
            self._horizon = horizon
            self.update_badges()

    def update_badges(self) -> None:
        """Repaint every row's reply-by state, e.g. when a deadline has just passed."""
        if self._rows:
            self.dataChanged.emit(
                self.index(0, 0), self.index(len(self._rows) - 1, len(Column) - 1)
            )

    def refresh(self, message_pks: Iterable[int] | None = None) -> None:
        """Re-read these messages (default: every loaded row) and update them in place.

        For changes that keep the order (a reply-by decision); new or removed mail needs
        :meth:`reload`. Rows no longer in the store keep what they showed.
        """
        store = self._store
        if store is None:
            return
        wanted = {m.id for m in self._rows} if message_pks is None else set(message_pks)
        if not wanted:
            return
        generation = self._generation
        self._tasks.run_db(
            lambda: inbox.by_id(store, wanted),
            success=self._on_refreshed,
            failure=self._on_refresh_failed,
            is_current=lambda: generation == self._generation,
        )

    def _on_refreshed(self, fresh: dict[int, StoredMessage]) -> None:
        changed = [row for row, m in enumerate(self._rows) if fresh.get(m.id, m) != m]
        for row in changed:
            self._rows[row] = fresh[self._rows[row].id]
        if changed:
            last = len(Column) - 1
            self.dataChanged.emit(self.index(min(changed), 0), self.index(max(changed), last))
            self._read_labels([self._rows[row] for row in changed])
        self.rows_refreshed.emit()

    # -- lazy loading -----------------------------------------------------------------

    def canFetchMore(self, parent: ModelIndex = _ROOT) -> bool:
        if parent.isValid() or self._store is None:
            return False
        return not self._loading and not self._exhausted

    def fetchMore(self, parent: ModelIndex = _ROOT) -> None:
        """Request the next page in the background; rows are appended when it arrives."""
        if not self.canFetchMore(parent):
            return
        store = self._store
        assert store is not None  # canFetchMore checked it
        after = inbox.page_key(self._rows[-1]) if self._rows else None
        limit = self._page_size
        generation = self._generation
        self._set_loading(True)
        query = self._query
        if query:
            # A search is read in one go (newest first); the box narrows it further.
            now, horizon = self._clock.now(), self._horizon
            self._tasks.run_db(
                lambda: inbox.find(store, query, now, SEARCH_LIMIT, horizon),
                success=self._on_found,
                failure=self._on_page_failed,
                is_current=lambda: generation == self._generation,
            )
            return
        self._tasks.run_db(
            lambda: inbox.page(store, limit, after),
            success=self._on_page,
            failure=self._on_page_failed,
            is_current=lambda: generation == self._generation,
        )

    def _on_found(self, rows: list[StoredMessage]) -> None:
        self._exhausted = True
        if rows:
            self.beginInsertRows(_ROOT, 0, len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._set_loading(False)
        self.page_loaded.emit(len(rows))
        self._read_labels(rows)

    def _on_page(self, rows: list[StoredMessage]) -> None:
        if len(rows) < self._page_size:
            self._exhausted = True
        if rows:
            # Still "loading" while inserting: a view or tester reacting to the insert
            # signals must not ask for the next page before these rows are its key.
            first = len(self._rows)
            self.beginInsertRows(_ROOT, first, first + len(rows) - 1)
            self._rows.extend(rows)
            self.endInsertRows()
        self._set_loading(False)
        self.page_loaded.emit(len(rows))
        self._read_labels(rows)

    def _on_page_failed(self, error: BaseException) -> None:
        self._exhausted = True  # first: no listener of loading_changed may retry in a loop
        self._set_loading(False)
        if isinstance(error, AsyncDeskError):
            log.warning("cannot load the inbox: %s", error.message)
            self.load_failed.emit(error.message)
            return
        self.load_failed.emit(self.tr("cannot load the inbox: {error}").format(error=error))
        sys.excepthook(type(error), error, error.__traceback__)

    def _on_refresh_failed(self, error: BaseException) -> None:
        """The rows keep what they showed; paging goes on (unlike a failed page)."""
        if isinstance(error, AsyncDeskError):
            log.warning("cannot re-read messages: %s", error.message)
            self.load_failed.emit(error.message)
            return
        self.load_failed.emit(self.tr("cannot re-read messages: {error}").format(error=error))
        sys.excepthook(type(error), error, error.__traceback__)

    def _set_loading(self, loading: bool) -> None:
        self._loading = loading
        if loading != self._loading_reported:
            self._loading_reported = loading
            self.loading_changed.emit(loading)

    # -- QAbstractItemModel -----------------------------------------------------------

    def rowCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: ModelIndex = _ROOT) -> int:
        return 0 if parent.isValid() else len(Column)

    def flags(self, index: ModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(Column):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return QCoreApplication.translate("InboxModel", HEADERS[Column(section)])
        return None

    def roleNames(self) -> dict[int, QByteArray]:
        names = dict(super().roleNames())
        names.update({role: QByteArray(name) for role, name in ItemRole.role_names().items()})
        return names

    def data(self, index: ModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        message = self._rows[index.row()]
        column = Column(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(message, column)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(message, column)
        if role == Qt.ItemDataRole.FontRole:
            if column is Column.REPLY_BY:
                return self._bold if badges.emphasised(self._due(message)) else self._plain
            return self._bold if badges.is_open(message, self._clock.now()) else None
        if role == Qt.ItemDataRole.ForegroundRole:
            if column is Column.REPLY_BY:
                colour = badges.colour(self._due(message))
                return None if colour is None else QBrush(colour)
            return None
        if role == ItemRole.LabelsRole:
            return self._labels.get(message.id, ())
        return _custom_role_data(message, role)

    # -- presentation -----------------------------------------------------------------

    def _display(self, message: StoredMessage, column: Column) -> str:
        match column:
            case Column.FROM:
                return message.sender
            case Column.SUBJECT:
                return _subject_line(message)
            case Column.ACCOUNT:
                return message.account
            case Column.RECEIVED:
                return self._short_time(message.received_at)
            case Column.REPLY_BY:
                now = self._clock.now()
                return badges.badge_text(message, self._due(message), now, self._timezone)

    def _tooltip(self, message: StoredMessage, column: Column) -> str | None:
        match column:
            case Column.FROM:
                who = message.sender_address
                if message.sender_name:
                    who = f"{message.sender_name} <{message.sender_address}>"
                reason = badges.reason_line(message)
                return who if reason is None else f"{who}\n{reason}"
            case Column.SUBJECT:
                return message.snippet or None
            case Column.ACCOUNT:
                return self.tr("{account} ({kind})").format(
                    account=message.account, kind=self._kind_text(message.kind)
                )
            case Column.RECEIVED:
                return self._long_time(message.received_at)
            case Column.REPLY_BY:
                lines = [self._due_tooltip(message), badges.reason_line(message)]
                return "\n".join(line for line in lines if line) or None

    def _due(self, message: StoredMessage) -> Due:
        return badges.due_of(message, self._clock.now(), self._horizon)

    def _due_tooltip(self, message: StoredMessage) -> str | None:
        due = self._due(message)
        if due is Due.NONE or message.due_at is None:
            return None
        when = self._long_time(message.due_at)
        match due:
            case Due.OVERDUE:
                return self.tr("Overdue since {when}").format(when=when)
            case Due.SOON:
                if self._horizon is None:
                    return self.tr("Reply by {when}, within 24 hours").format(when=when)
                window = badges.when_text(self._horizon, self._clock.now(), self._timezone)
                return self.tr("Reply by {when}, before the next window ({window})").format(
                    when=when, window=window
                )
            case Due.REPLIED | Due.REPLIED_LATE:
                if message.replied_at is None:
                    return self.tr("Replied (due {when})").format(when=when)
                replied = self._long_time(message.replied_at)
                if due is Due.REPLIED_LATE:
                    template = self.tr("Replied {replied}, after the deadline (due {when})")
                else:
                    template = self.tr("Replied {replied} (due {when})")
                return template.format(replied=replied, when=when)
            case Due.SNOOZED:
                until = message.snoozed_until
                if until is None:
                    return self.tr("Snoozed (due {when})").format(when=when)
                return self.tr("Snoozed until {until} (due {when})").format(
                    until=self._long_time(until), when=when
                )
            case Due.DISMISSED:
                return self.tr("Dismissed: no reply needed (was due {when})").format(when=when)
            case _:
                return self.tr("Reply by {when}").format(when=when)

    def _kind_text(self, kind: AccountKind) -> str:
        """The kind of an account, as the account tooltip names it."""
        match kind:
            case AccountKind.EMAIL:
                return self.tr("email")
            case AccountKind.MATRIX:
                return self.tr("matrix")
            case AccountKind.SLACK:
                return self.tr("slack")
            case AccountKind.DEMO:
                return self.tr("demo")
        return str(kind.value)

    def _local(self, instant: datetime) -> datetime:
        return instant.astimezone(self._timezone)

    def _short_time(self, instant: datetime) -> str:
        """``14:05`` today, ``Mon 23 Nov 14:05`` this year, ``23 Nov 2024`` before."""
        local = self._local(instant)
        today = self._local(self._clock.now()).date()
        clock_time = f"{local.hour:02d}:{local.minute:02d}"
        if local.date() == today:
            return clock_time
        day = QDate(local.year, local.month, local.day)
        if local.year == today.year:
            return f"{self._locale.toString(day, 'ddd d MMM')} {clock_time}"
        return self._locale.toString(day, "d MMM yyyy")

    def _long_time(self, instant: datetime) -> str:
        return badges.long_text(instant, self._timezone)


def _subject_line(message: StoredMessage) -> str:
    """An email's subject; for chat, whose "subject" is only the room, room and text."""
    if message.medium == Medium.CHAT.value and message.snippet:
        return f"{message.subject} — {message.snippet}" if message.subject else message.snippet
    return (
        message.subject
        or message.snippet
        or QCoreApplication.translate("InboxModel", "(no subject)")
    )


def _custom_role_data(message: StoredMessage, role: int) -> Any:
    match role:
        case ItemRole.MessageIdRole:
            return message.id
        case ItemRole.ReceivedAtRole:
            return message.received_at
        case ItemRole.NeedsReplyRole:
            return message.needs_reply
        case ItemRole.StateRole:
            return None if message.state is None else message.state.value
        case ItemRole.DueAtRole:
            return message.due_at
        case ItemRole.AccountRole:
            return message.account
        case ItemRole.SenderAddressRole:
            return message.sender_address
        case ItemRole.MessageRole:
            return message
    return None
