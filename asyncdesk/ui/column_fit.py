"""Inbox columns that give way to the subject when the list is narrow.

Subject stretches into what the other columns leave; on a narrow list (a laptop, the
deadlines dock open) the defaults of From and Account left it a few pixels ("Sub…").
This shrinks those two, down to floors, so the subject keeps a readable width — only
while the user has not sized them: a column the user dragged (or whose width came back
from the saved window state) is theirs and is never touched again.

Threading contract: GUI thread only.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QHeaderView, QTableView


class FitColumns(QObject):
    """Watches ``view``'s viewport; ``flexible`` maps a column to (default, floor)
    widths in pixels; ``subject_min`` is what the stretching column should keep."""

    def __init__(
        self, view: QTableView, flexible: dict[int, tuple[int, int]], subject_min: int
    ) -> None:
        super().__init__(view)
        self._view = view
        self._flexible = dict(flexible)
        self._subject_min = subject_min
        self._fitting = False
        self._theirs: set[int] = set()
        view.horizontalHeader().sectionResized.connect(self._on_resized)
        view.viewport().installEventFilter(self)

    def keep_user_widths(self) -> None:
        """The widths now shown are the user's (restored from the saved state)."""
        self._theirs.update(self._flexible)

    def _on_resized(self, column: int, _old: int, _new: int) -> None:
        if not self._fitting and column in self._flexible:
            self._theirs.add(column)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Resize:
            self.fit()
        return False

    def fit(self) -> None:
        """Give the flexible columns their defaults, shrunk as far as the subject needs."""
        ours = {c: widths for c, widths in self._flexible.items() if c not in self._theirs}
        if not ours:
            return
        header = self._view.horizontalHeader()
        others = sum(
            header.sectionSize(c)
            for c in range(header.count())
            if c not in ours and header.sectionResizeMode(c) != QHeaderView.ResizeMode.Stretch
        )
        room = self._view.viewport().width() - others - self._subject_min
        defaults = sum(default for default, _ in ours.values())
        floors = sum(floor for _, floor in ours.values())
        share = 1.0 if room >= defaults else max(0.0, (room - floors) / max(1, defaults - floors))
        self._fitting = True
        try:
            for column, (default, floor) in ours.items():
                width = default if share >= 1.0 else floor + round((default - floor) * share)
                if header.sectionSize(column) != width:
                    header.resizeSection(column, width)
        finally:
            self._fitting = False
