"""The inbox's keyboard: single keys for triage, and the "?" sheet that lists them.

Single keys act only while the inbox table has the focus (``WidgetWithChildrenShortcut``
on the table), so typing anywhere else is never taken for a command. The sheet is
built from the actions themselves, so it cannot drift from what the keys do.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)


def key_action(
    view: QWidget, text: str, key: str, handler: Callable[[], object], *, tip: str = ""
) -> QAction:
    """An action on ``key`` that acts only while ``view`` (or a child) has the focus."""
    action = QAction(text, view)
    action.setShortcut(QKeySequence(key))
    action.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    if tip:
        action.setStatusTip(tip)
    action.triggered.connect(handler)
    view.addAction(action)
    return action


def move_current(view: QAbstractItemView, step: int) -> None:
    """j/k: the next or previous row becomes the current and only selected one."""
    model = view.model()
    if model is None or model.rowCount() == 0:
        return
    current = view.currentIndex()
    selection = view.selectionModel()
    nothing_chosen = selection is None or not selection.hasSelection()
    if not current.isValid():
        row = 0
    elif nothing_chosen:
        row = current.row()  # the first key chooses the row Qt merely focused
    else:
        row = current.row() + step
    row = max(0, min(model.rowCount() - 1, row))
    index = model.index(row, max(0, current.column()))
    view.setCurrentIndex(index)
    view.scrollTo(index)


class ShortcutSheet(QDialog):
    """Every key of the inbox and what it does."""

    def __init__(self, actions: Sequence[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcutSheet")
        self.setWindowTitle(self.tr("Keyboard shortcuts"))
        rows = [
            (action.shortcut().toString(QKeySequence.SequenceFormat.NativeText), action.text())
            for action in actions
            if not action.shortcut().isEmpty()
        ]
        self.table = QTableWidget(len(rows), 2, self)
        self.table.setObjectName("shortcutTable")
        self.table.setAccessibleName(self.tr("Keyboard shortcuts"))
        self.table.setHorizontalHeaderLabels([self.tr("Key"), self.tr("Does")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        for row, (key, text) in enumerate(rows):
            self.table.setItem(row, 0, QTableWidgetItem(key))
            self.table.setItem(row, 1, QTableWidgetItem(text.replace("&", "")))
        self.table.resizeColumnsToContents()
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(460, 420)

    def rows(self) -> list[tuple[str, str]]:
        def cell(row: int, column: int) -> str:
            item = self.table.item(row, column)
            return "" if item is None else item.text()

        return [(cell(row, 0), cell(row, 1)) for row in range(self.table.rowCount())]
