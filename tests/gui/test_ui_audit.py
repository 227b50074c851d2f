"""Audits across the whole window, so a new control or model cannot slip past them.

One tour opens everything a user reaches from the main window on a real profile (the
GUI fixtures' email inbox, the clock inside a window): the inbox with a message open
in the reading pane, the deadlines dock, Settings with each of its pages, a reply in
a compose window, the Stats view, the "?" sheet and the welcome. Then, over every
widget found:

- every item view's model passes pytest-qt's ``qtmodeltester`` (Qt's QAbstractItemModelTester);
- every control a user operates has a name a screen reader can say;
- every key the "?" sheet lists reaches its action from the inbox.

The dialogs' own tests check the same within each dialog (test_settings_dialog,
test_first_run, test_week_grid).
"""

from __future__ import annotations

import pytest
from PySide6.QtCore import QAbstractItemModel, QEvent, QObject, Qt
from PySide6.QtGui import QAccessible, QAction, QKeySequence, QShortcutEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QTextEdit,
    QWidget,
)
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from asyncdesk.ui.main_window import MainWindow

WAIT = 10_000


@pytest.fixture
def window(inbox_window: MainWindow) -> MainWindow:
    return inbox_window


@pytest.fixture
def tour(every_surface: list[QWidget]) -> list[QWidget]:
    return every_surface


def _models(root: QWidget) -> list[QAbstractItemModel]:
    found: list[QAbstractItemModel] = []
    for view in root.findChildren(QAbstractItemView):
        model = view.model()
        if model is not None and not any(model is seen for seen in found):
            found.append(model)
    return found


def test_every_item_model_passes_the_model_tester(
    tour: list[QWidget], pytestconfig: pytest.Config
) -> None:
    models = [model for surface in tour for model in _models(surface)]
    names = {type(model).__name__ for model in models}
    # Ours, and the stock ones behind lists, tables and combo boxes: all of them.
    assert {"InboxModel", "ChatModel", "QStandardItemModel"} <= names
    testers = []
    try:
        for model in models:
            tester = ModelTester(pytestconfig)  # one a model: a tester watches one
            testers.append(tester)
            tester.check(model, force_py=True)
    finally:
        for tester in testers:
            tester._cleanup()


_CONTROLS = (
    QAbstractButton,
    QLineEdit,
    QComboBox,
    QAbstractSpinBox,
    QAbstractItemView,
    QTextEdit,
    QPlainTextEdit,
)


def _is_part_of_another(widget: QWidget) -> bool:
    """A piece of a composite control (a combo box's editor and list, a spin box's
    editor, a header, a scroll area's arrows): named by the control it belongs to."""
    if isinstance(widget, QHeaderView):
        return True
    parent = widget.parentWidget()
    while parent is not None:
        if isinstance(parent, (QComboBox, QAbstractSpinBox)):
            return True
        name = type(parent).__name__
        if name in ("QComboBoxPrivateContainer", "QTabBar", "QScrollBar", "QCalendarWidget"):
            return True
        parent = parent.parentWidget()
    return type(widget).__name__ in ("QToolBarExtension", "QDockWidgetTitleButton")


def _spoken_name(widget: QWidget) -> str:
    """What a screen reader says for ``widget``: its accessible name, which Qt takes
    from the text of a button or the buddy label of a field when none is set."""
    interface = QAccessible.queryAccessibleInterface(widget)
    if interface is None:
        return ""
    return interface.text(QAccessible.Text.Name).replace("&", "").strip()


def test_every_control_has_a_name_a_screen_reader_can_say(tour: list[QWidget]) -> None:
    unnamed = sorted(
        {
            f"{type(surface).__name__}: {type(widget).__name__} {widget.objectName()!r}"
            for surface in tour
            for widget in surface.findChildren(QWidget)
            if isinstance(widget, _CONTROLS)
            and widget.focusPolicy() != Qt.FocusPolicy.NoFocus
            and not _is_part_of_another(widget)
            and not _spoken_name(widget)
        }
    )
    assert unnamed == [], "\n".join(unnamed)


def _shortcut_actions(window: MainWindow) -> list[tuple[QAction, QKeySequence]]:
    """The keys of the "?" sheet that Qt's shortcut map handles. Enter is the list's
    own "activated" (its action only names it on the sheet; test_keyboard opens a
    message with it)."""
    return [
        (action, key)
        for action in window.keyboard_actions()
        if action.associatedObjects()
        for key in action.shortcuts()
        if not key.isEmpty()
    ]


def test_every_listed_key_reaches_its_action_from_the_inbox(
    qtbot: QtBot, window: MainWindow
) -> None:
    """The keys are typed at the inbox list as a user types them; each must reach its
    own action through Qt's shortcut map: not swallowed by the list, not ambiguous with
    another key. The shortcut event is caught before the action runs (a dialog would
    wait for an answer); what each action then does has its own tests (test_keyboard,
    test_main_window, test_deadlines_ui, test_stats_view and the rest)."""
    with qtbot.waitActive(window):
        window.activateWindow()
    pairs = _shortcut_actions(window)
    assert len(pairs) >= 18
    keys = [key.toString() for _, key in pairs]
    assert len(keys) == len(set(keys)), "a key is bound twice"
    catcher = _ShortcutCatcher()
    for action, _ in pairs:
        action.installEventFilter(catcher)
    try:
        for action, key in pairs:
            was_enabled = action.isEnabled()
            action.setEnabled(True)
            catcher.caught.clear()
            window.view.setFocus()
            combo = key[0]
            qtbot.keyClick(window.view, combo.key(), combo.keyboardModifiers())
            action.setEnabled(was_enabled)
            assert catcher.caught == [(action, False)], (
                f"{key.toString()} did not reach {action.text()!r} alone: {catcher.caught}"
            )
    finally:
        for action, _ in pairs:
            action.removeEventFilter(catcher)


class _ShortcutCatcher(QObject):
    """Records which action a shortcut event reaches (and whether it is ambiguous), and
    keeps the event from triggering it."""

    def __init__(self) -> None:
        super().__init__()
        self.caught: list[tuple[QObject, bool]] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if isinstance(event, QShortcutEvent):
            self.caught.append((watched, event.isAmbiguous()))
            return True
        return False
