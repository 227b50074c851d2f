"""What the user can decide about a message's reply-by promise, and undo.

The actions, shown in the inbox's context menu and in the window's Message menu, with
their shortcuts (active while the inbox table has the focus):

- **Needs a reply** (N) / **No reply needed** (Shift+N): the user's own call on the
  selected messages (``override_message``); **Back to the automatic decision** hands
  them back to the rules.
- **Dismiss** (D): no reply needed for this one commitment (``dismiss``).
- **Snooze until the next window** (S): hidden until the next window starts
  (``snooze``); disabled when no window is ahead.
- **Always / Never needs a reply from <sender>**, **Never for @<domain>**: the user's
  rules (``set_reply_rule``); checked when the rule is in force, and choosing a checked
  one removes the rule.
- **Undo** (Ctrl+Z, in the Edit menu and as a button in the status bar): puts back what
  the last action changed, from a snapshot taken before it (``services.choices``).

Every change runs on the task runner's database worker. When it is done ``changed``
says which messages to re-read (``None``: any, after a rule), and ``feedback`` shows
one line — or the error, for a refused change (``BadInput``) — with an Undo button
that fades after :data:`FEEDBACK_SECONDS` (Ctrl+Z keeps working until the next
change).

Every line is worded (and translated, ``self.tr`` / context ``"MessageActions"``) on the
GUI thread: before the work goes to the database worker, and for a rule's "(3 messages
changed)", once it is back.

Threading contract: GUI thread only. Worker tasks receive the store, the ids and the
values they need as arguments, never a widget.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from PySide6.QtCore import (
    QCoreApplication,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QMenu,
    QTableView,
    QToolButton,
    QWidget,
)

from asyncdesk.core.classify import ReplyRules
from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.messages import Medium, ReplyState, address_domain, most_specific_domain
from asyncdesk.services import choices, inbox
from asyncdesk.services.deadlines import (
    dismiss,
    load_rules,
    override_message,
    remove_reply_rule,
    set_reply_rule,
    snooze,
)
from asyncdesk.store.database import Store
from asyncdesk.store.messages import StoredMessage
from asyncdesk.ui.due import when_text
from asyncdesk.ui.inbox_model import InboxModel
from asyncdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

# How long the status bar's "… · Undo" stays before it fades.
FEEDBACK_SECONDS = 30
_SUBJECT_CHARS = 48


@dataclass(frozen=True, slots=True)
class Change:
    """What a finished action did: the line to show and how to put it back."""

    message: str
    name: str  # for "Undo <name>" (translated)
    restore: Callable[[Store], object] | None
    pks: frozenset[int] | None  # the messages to re-read; None: any (a rule)
    # Messages left (or came back to) the inbox: its rows must be read again.
    rows: bool = False
    # A rule's change: how many messages it moved (said on the GUI thread, then 0).
    moved: int = 0


def email_domain(address: str) -> str | None:
    """The domain of an email address; ``None`` for chat ids (``@ada:server``, ``U024``)."""
    if address.startswith("@") or "@" not in address:
        return None
    domain = address_domain(address)
    return domain if domain is not None and "." in domain else None


def _quoted(message: StoredMessage) -> str:
    """The subject, or what a chat message said (its "subject" is only the room)."""
    text = message.subject or message.snippet
    if message.medium == Medium.CHAT.value and message.snippet:
        text = message.snippet
    subject = " ".join(
        (text or QCoreApplication.translate("MessageActions", "(no subject)")).split()
    )
    if len(subject) > _SUBJECT_CHARS:
        subject = subject[: _SUBJECT_CHARS - 1].rstrip() + "…"
    return QCoreApplication.translate("MessageActions", "“{subject}”").format(subject=subject)


def _what(messages: Sequence[StoredMessage]) -> str:
    """What the line names: the one message's subject, quoted, or how many there are."""
    if len(messages) == 1:
        return _quoted(messages[0])
    return QCoreApplication.translate("MessageActions", "%n messages", "", len(messages))


class MessageActions(QObject):
    """The reply-by actions of one inbox view (see the module docstring).

    Signals (GUI thread):

    - ``changed(object)``: a change or an undo was written: the ids of the messages to
      re-read (a ``frozenset``), or ``None`` when any may have changed (a rule).
    - ``feedback_shown(str)``: the status line now says this (done, undone, refused).
    """

    changed = Signal(object)
    feedback_shown = Signal(str)
    rows_changed = Signal()

    def __init__(
        self,
        view: QTableView,
        model: InboxModel,
        tasks: TaskRunner,
        clock: Clock,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self._view = view
        self._model = model
        self._tasks = tasks
        self._clock = clock
        self._store: Store | None = None
        self._rules = ReplyRules()
        self._undo: Change | None = None
        self._busy = False
        self._enabled = True

        def action(text: str, shortcut: str | None = None, *, checkable: bool = False) -> QAction:
            made = QAction(text, parent)
            if shortcut is not None:
                made.setShortcut(QKeySequence(shortcut))
                # Single keys act only in the inbox table, never while typing elsewhere.
                made.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                view.addAction(made)
            made.setCheckable(checkable)
            return made

        self.needs_reply_action = action(self.tr("Needs a &reply"), "N", checkable=True)
        self.no_reply_action = action(self.tr("&No reply needed"), "Shift+N", checkable=True)
        verdicts = QActionGroup(self)
        verdicts.addAction(self.needs_reply_action)
        verdicts.addAction(self.no_reply_action)
        self.automatic_action = action(self.tr("Back to the &automatic decision"))
        self.dismiss_action = action(self.tr("&Dismiss"), "D")
        self.snooze_action = action(self.tr("&Snooze until the next window"), "S")
        self.always_sender_action = action(
            self.tr("Always needs a reply from this sender"), checkable=True
        )
        self.never_sender_action = action(
            self.tr("Never needs a reply from this sender"), checkable=True
        )
        self.never_domain_action = action(self.tr("Never for this domain"), checkable=True)
        self.archive_action = action(self.tr("&Done (archive)"), "E")
        self.archive_action.setStatusTip(
            self.tr("Out of the inbox; search still finds it (Z undoes)")
        )
        self.undo_action = QAction(self.tr("&Undo"), parent)
        self.undo_action.setShortcut(QKeySequence.StandardKey.Undo)
        self.undo_action.setEnabled(False)

        self.needs_reply_action.setStatusTip(
            self.tr("You will answer it: it gets a reply-by deadline")
        )
        self.no_reply_action.setStatusTip(self.tr("It needs no answer: no deadline"))
        self.automatic_action.setStatusTip(self.tr("Let your rules and AsyncDesk decide again"))
        self.dismiss_action.setStatusTip(
            self.tr("No reply needed for this one; it leaves the deadlines")
        )
        # Bound methods only: a lambda over self, held by a connection in C++, is a
        # cycle Python's collector cannot see.
        self.needs_reply_action.triggered.connect(self._on_needs_reply)
        self.no_reply_action.triggered.connect(self._on_no_reply)
        self.automatic_action.triggered.connect(self._on_automatic)
        self.dismiss_action.triggered.connect(self._on_dismiss)
        self.snooze_action.triggered.connect(self._on_snooze)
        self.always_sender_action.triggered.connect(self._on_always_sender)
        self.never_sender_action.triggered.connect(self._on_never_sender)
        self.never_domain_action.triggered.connect(self._on_never_domain)
        self.undo_action.triggered.connect(self._on_undo)
        self.archive_action.triggered.connect(self._on_archive)

        # The status bar's part: one line, and Undo while it is fresh.
        self.feedback = QWidget(parent)
        self.feedback.setObjectName("actionFeedback")
        self.feedback_label = QLabel(self.feedback)
        self.feedback_label.setObjectName("actionFeedbackText")
        self.feedback_label.setTextFormat(Qt.TextFormat.PlainText)
        self.undo_button = QToolButton(self.feedback)
        self.undo_button.setObjectName("undoButton")
        self.undo_button.setText(self.tr("Undo"))
        self.undo_button.setToolTip(self.tr("Put it back as it was (Ctrl+Z)"))
        self.undo_button.clicked.connect(self.undo)
        row = QHBoxLayout(self.feedback)
        row.setContentsMargins(0, 0, 12, 0)
        row.setSpacing(4)
        row.addWidget(self.feedback_label)
        row.addWidget(self.undo_button)
        self.feedback.hide()
        self.feedback_timer = QTimer(self)
        self.feedback_timer.setSingleShot(True)
        self.feedback_timer.timeout.connect(self.feedback.hide)

        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(self._on_context_menu)
        self.menu = QMenu(view)
        self.menu.setObjectName("messageMenu")
        self.fill_menu(self.menu)
        model.modelReset.connect(self.update_actions)
        model.dataChanged.connect(self.update_actions)
        model.rows_refreshed.connect(self.update_actions)
        selection = view.selectionModel()
        selection.selectionChanged.connect(self.update_actions)
        selection.currentChanged.connect(self.update_actions)
        self.update_actions()

    # -- wiring -----------------------------------------------------------------------

    def fill_menu(self, menu: QMenu) -> None:
        """Add the actions to ``menu`` (the context menu, the window's Message menu)."""
        menu.addAction(self.needs_reply_action)
        menu.addAction(self.no_reply_action)
        menu.addAction(self.automatic_action)
        menu.addSeparator()
        menu.addAction(self.dismiss_action)
        menu.addAction(self.snooze_action)
        menu.addAction(self.archive_action)
        menu.addSeparator()
        menu.addAction(self.always_sender_action)
        menu.addAction(self.never_sender_action)
        menu.addAction(self.never_domain_action)
        menu.aboutToShow.connect(self.update_actions)

    def set_store(self, store: Store | None) -> None:
        """Act on ``store`` (``None``: nothing to act on); forgets the undo."""
        self._store = store
        self._rules = ReplyRules()
        self._busy = False  # a change in flight on the old store is dropped
        self._set_undo(None)
        self.feedback.hide()
        self._load_rules()
        self.update_actions()

    def set_enabled(self, enabled: bool) -> None:
        """Off behind the gate: no action, no status line, nothing that pulls one in."""
        self._enabled = enabled
        if not enabled:
            self.menu.hide()
            self.feedback.hide()
        self.update_actions()

    def feedback_text(self) -> str:
        """The status line shown, '' when none (for tests and accessibility)."""
        return self.feedback_label.text() if self.feedback.isVisible() else ""

    # -- which messages ---------------------------------------------------------------

    def targets(self) -> list[StoredMessage]:
        """The selected messages (the current one when nothing is selected)."""
        rows = sorted({index.row() for index in self._view.selectionModel().selectedRows()})
        if not rows and self._view.currentIndex().isValid():
            rows = [self._view.currentIndex().row()]
        return [self._model.message_at(row) for row in rows if row < self._model.rowCount()]

    def _current(self) -> StoredMessage | None:
        index = self._view.currentIndex()
        if index.isValid() and index.row() < self._model.rowCount():
            return self._model.message_at(index.row())
        found = self.targets()
        return found[0] if found else None

    def update_actions(self) -> None:
        """Enable, check and name the actions for the selection."""
        targets = self.targets() if self._enabled and self._store is not None else []
        current = self._current() if targets else None
        usable = not self._busy and bool(targets)
        now = self._clock.now()
        horizon = self._model.horizon
        committed = [m for m in targets if _is_commitment(m)]
        self.needs_reply_action.setEnabled(usable)
        self.no_reply_action.setEnabled(usable)
        self.needs_reply_action.setChecked(current is not None and current.needs_reply)
        self.no_reply_action.setChecked(current is not None and not current.needs_reply)
        self.automatic_action.setEnabled(usable and any(m.override is not None for m in targets))
        self.dismiss_action.setEnabled(usable and bool(committed))
        snoozable = horizon is not None and horizon > now
        self.snooze_action.setEnabled(usable and bool(committed) and snoozable)
        if horizon is not None and snoozable:
            zone = self._model.timezone
            self.snooze_action.setText(
                self.tr("&Snooze until the next window ({when})").format(
                    when=when_text(horizon, now, zone)
                )
            )
        else:
            self.snooze_action.setText(self.tr("&Snooze until the next window"))
        self._update_rule_actions(current if usable else None)
        self.undo_action.setEnabled(self._enabled and not self._busy and self._undo is not None)

    def _update_rule_actions(self, current: StoredMessage | None) -> None:
        address = None if current is None else current.sender_address
        domain = None if address is None else email_domain(address)
        if address is None or domain is None:
            self.always_sender_action.setText(self.tr("Always needs a reply from this sender"))
            self.never_sender_action.setText(self.tr("Never needs a reply from this sender"))
            self.never_domain_action.setText(self.tr("Never for this domain"))
            for rule_action in self._rule_actions():
                rule_action.setEnabled(False)
                rule_action.setChecked(False)
            return
        sender_rule = self._rules.senders.get(address)
        domain_key = most_specific_domain(domain, self._rules.domains) or domain
        domain_rule = self._rules.domains.get(domain_key)
        self.always_sender_action.setText(
            self.tr("Always needs a reply from {address}").format(address=address)
        )
        self.never_sender_action.setText(
            self.tr("Never needs a reply from {address}").format(address=address)
        )
        self.never_domain_action.setText(self.tr("Never for @{domain}").format(domain=domain_key))
        self.always_sender_action.setChecked(sender_rule is True)
        self.never_sender_action.setChecked(sender_rule is False)
        self.never_domain_action.setChecked(domain_rule is False)
        for rule_action in self._rule_actions():
            rule_action.setEnabled(True)

    def _rule_actions(self) -> tuple[QAction, ...]:
        return (self.always_sender_action, self.never_sender_action, self.never_domain_action)

    # -- the actions ------------------------------------------------------------------

    def _on_needs_reply(self) -> None:
        self.override(True)

    def _on_no_reply(self) -> None:
        self.override(False)

    def _on_automatic(self) -> None:
        self.override(None)

    def _on_dismiss(self) -> None:
        self.dismiss()

    def _on_snooze(self) -> None:
        self.snooze()

    def _on_always_sender(self) -> None:
        self.toggle_rule("sender", True)

    def _on_never_sender(self) -> None:
        self.toggle_rule("sender", False)

    def _on_never_domain(self) -> None:
        self.toggle_rule("domain", False)

    def _on_undo(self) -> None:
        self.undo()

    def _on_archive(self) -> None:
        self.archive()

    def archive(self) -> None:
        """E: done with the selected messages; out of the inbox (Z puts them back)."""
        targets = self.targets()
        if not targets:
            return
        pks = [m.id for m in targets]
        now = self._clock.now()
        message = self.tr("Archived {what}").format(what=_what(targets))
        name = self.tr("Archive")

        def work(store: Store) -> Change:
            inbox.archive(store, pks, now)
            return Change(
                message,
                name,
                lambda active: inbox.unarchive(active, pks),
                frozenset(pks),
                rows=True,
            )

        self._run(work, pks)

    def override(self, needs_reply: bool | None) -> None:
        """The user's call on the selected messages (``None``: the rules decide again)."""
        targets = self.targets()
        if needs_reply is None:
            targets = [m for m in targets if m.override is not None]
        if not targets:
            return
        pks = [m.id for m in targets]
        if needs_reply is None:
            template = self.tr("{what}: back to the automatic decision")
        elif needs_reply:
            template = self.tr("Marked {what} as needing a reply")
        else:
            template = self.tr("Marked {what} as needing no reply")
        message, name = template.format(what=_what(targets)), self.tr("Mark")

        def work(store: Store) -> Change:
            saved = choices.save_choices(store, pks)
            for pk in pks:
                override_message(store, pk, needs_reply)
            return _change(message, name, saved, pks)

        self._run(work, pks)

    def dismiss(self) -> None:
        """No reply needed for the selected commitments."""
        targets = [m for m in self.targets() if _is_commitment(m)]
        if not targets:
            return
        pks = [m.id for m in targets]
        message = self.tr("Dismissed {what}").format(what=_what(targets))
        name = self.tr("Dismiss")

        def work(store: Store) -> Change:
            saved = choices.save_choices(store, pks)
            for pk in pks:
                dismiss(store, pk)
            return _change(message, name, saved, pks)

        self._run(work, pks)

    def snooze(self) -> None:
        """Hide the selected commitments until the next window starts."""
        until = self._model.horizon
        targets = [m for m in self.targets() if _is_commitment(m)]
        now = self._clock.now()
        if until is None or until <= now or not targets:
            return
        pks = [m.id for m in targets]
        clock = self._clock
        message = self.tr("Snoozed {what} until {when}").format(
            what=_what(targets), when=when_text(until, now, self._model.timezone)
        )
        name = self.tr("Snooze")

        def work(store: Store) -> Change:
            saved = choices.save_choices(store, pks)
            for pk in pks:
                snooze(store, clock, pk, until)
            return _change(message, name, saved, pks)

        self._run(work, pks)

    def toggle_rule(self, kind: str, needs_reply: bool) -> None:
        """Set the current sender's (or domain's) rule, or remove it if it is in force."""
        current = self._current()
        if current is None:
            return
        address = current.sender_address
        domain = email_domain(address)
        if domain is None:
            return
        if kind == "sender":
            value = address
            in_force = self._rules.senders.get(address)
        else:
            value = most_specific_domain(domain, self._rules.domains) or domain
            in_force = self._rules.domains.get(value)
        remove = in_force is needs_reply
        clock = self._clock
        said = self._rule_text(kind, needs_reply, removed=remove).format(
            address=value, domain=value
        )
        name = self.tr("Rule")

        def work(store: Store) -> Change:
            saved = choices.save_rule(store, kind, value)
            if remove:
                moved = remove_reply_rule(store, kind, value)
            else:
                moved = set_reply_rule(store, clock, kind, value, needs_reply)
            return Change(
                said, name, lambda s: choices.restore_rule(s, clock, saved), pks=None, moved=moved
            )

        self._run(work, None)

    def _rule_text(self, kind: str, needs_reply: bool, *, removed: bool) -> str:
        """The line for a rule set or removed: a template with ``{address}`` (a sender's
        rule) or ``{domain}`` (a domain's)."""
        if kind == "sender":
            if removed:
                if needs_reply:
                    return self.tr("Rule removed: always needs a reply from {address}")
                return self.tr("Rule removed: never needs a reply from {address}")
            if needs_reply:
                return self.tr("Always needs a reply from {address}")
            return self.tr("Never needs a reply from {address}")
        if removed:
            if needs_reply:
                return self.tr("Rule removed: always needs a reply for @{domain}")
            return self.tr("Rule removed: never needs a reply for @{domain}")
        if needs_reply:
            return self.tr("Always needs a reply for @{domain}")
        return self.tr("Never needs a reply for @{domain}")

    def _with_moved(self, said: str, moved: int) -> str:
        """``said``, and how many messages a rule moved (``moved`` > 0)."""
        if moved == 1:
            template = self.tr("{said} (%n message changed)", "", moved)
        else:
            template = self.tr("{said} (%n messages changed)", "", moved)
        return template.format(said=said)

    def undo(self) -> None:
        """Put back what the last change changed."""
        change = self._undo
        store = self._store
        if change is None or change.restore is None or store is None or self._busy:
            return
        restore = change.restore

        message = self.tr("Undone: {change}").format(change=change.message)

        def work(active: Store) -> Change:
            restore(active)
            return Change(message, change.name, None, change.pks, rows=change.rows)

        self._set_undo(None)
        self._run(work, change.pks)

    # -- running them -----------------------------------------------------------------

    def _run(self, work: Callable[[Store], Change], pks: Iterable[int] | None) -> None:
        """Run ``work`` on the database worker; ``pks`` None: it may change the rules."""
        store = self._store
        if store is None or self._busy or not self._enabled:
            return
        self._busy = True
        self.update_actions()
        reread: frozenset[int] | None = None if pks is None else frozenset(pks)
        reload_rules = pks is None

        def task() -> tuple[Change, ReplyRules | None]:
            done = work(store)
            return done, load_rules(store).reply if reload_rules else None

        def finished(result: tuple[Change, ReplyRules | None]) -> None:
            change, rules = result
            if change.moved:
                message = self._with_moved(change.message, change.moved)
                change = replace(change, message=message, moved=0)
            self._busy = False
            if rules is not None:
                self._rules = rules
            self._set_undo(change if change.restore is not None else None)
            self._show_feedback(change.message, undo=change.restore is not None)
            self.update_actions()
            self.changed.emit(change.pks)
            if change.rows:
                self.rows_changed.emit()

        def failed(error: BaseException) -> None:
            self._busy = False
            if isinstance(error, AsyncDeskError):
                log.warning("a reply-by action was refused: %s", error.message)
                self._show_feedback(error.message, undo=False)
            else:
                self._show_feedback(
                    self.tr("That did not work (see the log for details)."), undo=False
                )
                sys.excepthook(type(error), error, error.__traceback__)
            self._load_rules()
            self.update_actions()
            self.changed.emit(reread)  # part of it may have been written

        self._tasks.run_db(task, success=finished, failure=failed, is_current=self._is(store))

    def _is(self, store: Store) -> Callable[[], bool]:
        return lambda: self._store is store

    def _load_rules(self) -> None:
        store = self._store
        if store is None:
            return

        def loaded(rules: ReplyRules) -> None:
            self._rules = rules
            self.update_actions()

        self._tasks.run_db(
            lambda: load_rules(store).reply, success=loaded, is_current=self._is(store)
        )

    def _set_undo(self, change: Change | None) -> None:
        self._undo = change
        if change is None:
            self.undo_action.setText(self.tr("&Undo"))
        else:
            self.undo_action.setText(self.tr("&Undo {action}").format(action=change.name))
        self.undo_action.setEnabled(self._enabled and change is not None)

    def _show_feedback(self, text: str, *, undo: bool) -> None:
        self.feedback_label.setText(text)
        self.undo_button.setVisible(undo)
        self.feedback.setVisible(self._enabled)
        self.feedback_timer.start(FEEDBACK_SECONDS * 1000)
        self.feedback_shown.emit(text)

    def _on_context_menu(self, position: QPoint) -> None:
        index: QModelIndex = self._view.indexAt(position)
        if not index.isValid() or not self._enabled:
            return
        selection = self._view.selectionModel()
        if not selection.isRowSelected(index.row(), QModelIndex()):
            # Right-click acts on the row under it (as in mail clients), not the selection.
            selection.setCurrentIndex(
                index,
                QItemSelectionModel.SelectionFlag.ClearAndSelect
                | QItemSelectionModel.SelectionFlag.Rows,
            )
        self.update_actions()
        viewport = self._view.viewport()
        self.menu.popup(viewport.mapToGlobal(position))


def _is_commitment(message: StoredMessage) -> bool:
    """A deadline one may dismiss or snooze: needs a reply, not answered or dismissed."""
    return message.needs_reply and message.state in (ReplyState.OPEN, ReplyState.SNOOZED)


def _change(message: str, name: str, saved: list[choices.Choice], pks: Sequence[int]) -> Change:
    return Change(
        message, name, lambda store: choices.restore_choices(store, saved), frozenset(pks)
    )
