"""The Stats view: a week's numbers and the report's charts, and export buttons.

A window of its own (View ▸ Weekly Stats, Ctrl+Shift+S), because a week is looked at
now and then, beside the inbox or behind the gate, and never gets in the way of the
messages. It opens on the last complete week (what ``asyncdesk stats`` reports by
default); **This week**, **Last week**, the arrows (Alt+Left / Alt+Right) and a date
picker (any day of the wanted week) move it. The numbers are the exported ones: the
summary figures, the per-account table and the four charts of the HTML report,
drawn by Qt's SVG module from the very SVG the report embeds
(:mod:`asyncdesk.services.stats_report`).

**Export HTML / CSV / JSON** write the week shown, computed at the moment shown (so the
file says what the screen says), through :func:`services.stats.write_atomically`. At
the bottom, the automatic weekly export (setting ``stats.export_dir``, also
``asyncdesk stats --auto-export DIR``) is switched on with a folder, or off.

Threading contract: GUI thread only. The week is computed on the task runner's
database worker, its charts drawn (pygal) and its files written on the network pool;
the tasks get the store, the week and the instant as arguments and touch nothing
here. A result that is no longer wanted (the user moved on) is dropped.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from PySide6.QtCore import QByteArray, QCoreApplication, QDate, QSize, QStandardPaths, Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
    QColor,
    QKeySequence,
    QPalette,
    QResizeEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtSvgWidgets import QSvgWidget
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDateEdit,
    QFileDialog,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from asyncdesk.core.clock import Clock
from asyncdesk.core.errors import AsyncDeskError
from asyncdesk.core.stats import MessageStats, Week, WeekStats, last_complete_week, week_of
from asyncdesk.store.database import Store
from asyncdesk.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

CHARTS = ("received", "response", "promise", "time")


def format_name(fmt: str) -> str:
    """What a file of ``fmt`` is called (a dialog's title and file filter)."""
    names = {
        "html": QCoreApplication.translate("StatsWindow", "HTML page"),
        "csv": QCoreApplication.translate("StatsWindow", "CSV table"),
        "json": QCoreApplication.translate("StatsWindow", "JSON"),
    }
    return names[fmt]


def chart_title(name: str) -> str:
    """The caption of chart ``name`` (one of :data:`CHARTS`)."""
    titles = {
        "received": QCoreApplication.translate("StatsWindow", "Received per day"),
        "response": QCoreApplication.translate("StatsWindow", "Response times"),
        "promise": QCoreApplication.translate("StatsWindow", "Promises kept"),
        "time": QCoreApplication.translate("StatsWindow", "Deep work and windows"),
    }
    return titles[name]


def table_columns() -> list[str]:
    """The per-account table's column titles."""
    return [
        QCoreApplication.translate("StatsWindow", "Account"),
        QCoreApplication.translate("StatsWindow", "Received"),
        QCoreApplication.translate("StatsWindow", "Needs reply"),
        QCoreApplication.translate("StatsWindow", "Replied"),
        QCoreApplication.translate("StatsWindow", "Median response"),
        QCoreApplication.translate("StatsWindow", "90th percentile"),
        QCoreApplication.translate("StatsWindow", "Promises kept"),
        QCoreApplication.translate("StatsWindow", "Overdue"),
    ]


@dataclass(frozen=True, slots=True)
class Shown:
    """A week as the view shows it: the numbers and its charts' SVG."""

    stats: WeekStats
    charts: dict[str, bytes]


def _compute(store: Store, week: Week, now: datetime) -> WeekStats:
    from asyncdesk.services.stats import compute

    return compute(store, week, now)


def _draw(stats: WeekStats) -> Shown:
    from asyncdesk.services import stats_report as report

    charts = {
        "received": report.received_chart(stats),
        "response": report.response_chart(stats),
        "time": report.time_chart(stats),
    }
    kept = stats.totals.commitment_kept_pct
    if kept is not None:
        charts["promise"] = report.promise_chart(kept)
    return Shown(stats, {name: svg.encode() for name, svg in charts.items()})


def _export(stats: WeekStats, fmt: str, target: Path) -> Path:
    from asyncdesk.services.stats import render, write_atomically

    write_atomically(target, render(stats, fmt))
    return target


def _export_folder(store: Store) -> Path | None:
    from asyncdesk.services.stats import export_folder

    return export_folder(store)


def _set_export_folder(store: Store, folder: Path | None) -> Path | None:
    from asyncdesk.services.stats import set_export_folder

    return set_export_folder(store, folder)


def _units() -> dict[str, str]:
    """The duration units of the figures, translated (services.stats_report.UNITS)."""
    return {
        "d": QCoreApplication.translate("StatsWindow", "{n} d", "days"),
        "h": QCoreApplication.translate("StatsWindow", "{n} h", "hours"),
        "min": QCoreApplication.translate("StatsWindow", "{n} min", "minutes"),
        "under": QCoreApplication.translate("StatsWindow", "under 1 min"),
    }


def _minutes(value: float | None) -> str:
    from asyncdesk.services.stats_report import DASH, human_minutes

    return DASH if value is None else human_minutes(value, units=_units())


def _pct(value: float | None) -> str:
    from asyncdesk.services.stats_report import DASH

    if value is None:
        return DASH
    return QCoreApplication.translate("StatsWindow", "{percent} %").format(percent=f"{value:.0f}")


def _week_title(week: Week) -> str:
    first, last = week.days[0], week.days[-1]
    if first.month == last.month:
        span = QCoreApplication.translate(
            "StatsWindow", "{first_day}–{last_day} {month} {year}"
        ).format(first_day=first.day, last_day=last.day, month=f"{last:%B}", year=last.year)
    elif first.year == last.year:
        span = QCoreApplication.translate(
            "StatsWindow", "{first_day} {first_month} – {last_day} {last_month} {year}"
        ).format(
            first_day=first.day,
            first_month=f"{first:%b}",
            last_day=last.day,
            last_month=f"{last:%b}",
            year=last.year,
        )
    else:
        span = QCoreApplication.translate(
            "StatsWindow",
            "{first_day} {first_month} {first_year} – {last_day} {last_month} {last_year}",
        ).format(
            first_day=first.day,
            first_month=f"{first:%b}",
            first_year=first.year,
            last_day=last.day,
            last_month=f"{last:%b}",
            last_year=last.year,
        )
    return QCoreApplication.translate("StatsWindow", "{week} · {days}").format(
        week=week.label, days=span
    )


class _Chart(QWidget):
    """One chart: its title, and the SVG scaled to the width, keeping its proportions."""

    def __init__(self, name: str, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(f"chart-{name}")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 8, 0, 8)
        self.title = QLabel(title, self)
        bold = self.title.font()
        bold.setBold(True)
        self.title.setFont(bold)
        self.note = QLabel(self)
        self.note.setObjectName("chartNote")
        self.note.setWordWrap(True)
        self.svg = QSvgWidget(self)
        self.svg.setAccessibleName(title)
        self.svg.renderer().setAspectRatioMode(Qt.AspectRatioMode.KeepAspectRatio)
        # The charts are drawn for paper (dark ink): on a dark desktop palette they
        # sit on a light card rather than vanish.
        self.svg.setAutoFillBackground(True)
        card = self.svg.palette()
        card.setColor(QPalette.ColorRole.Window, QColor("#ffffff"))
        self.svg.setPalette(card)
        layout.addWidget(self.title)
        layout.addWidget(self.note)
        layout.addWidget(self.svg, 0, Qt.AlignmentFlag.AlignLeft)
        self._size = QSize(820, 200)

    def show_svg(self, svg: bytes | None, note: str = "") -> None:
        self.note.setText(note)
        self.note.setVisible(bool(note))
        if svg is None:
            self.svg.load(QByteArray())
            self.svg.hide()
            return
        self.svg.load(QByteArray(svg))
        self._size = self.svg.renderer().defaultSize()
        self.svg.show()
        self._fit()

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def _fit(self) -> None:
        """As wide as there is room for, up to the chart's own size (its text then
        matches the window's), keeping its proportions."""
        native = self._size
        width = max(120, min(self.width(), native.width()))
        self.svg.setFixedSize(width, round(width * native.height() / max(1, native.width())))


class StatsWindow(QWidget):
    """The Stats view of one profile (see the module docstring).

    Signals (GUI thread):

    - ``loaded(str)``: the week with this label is shown.
    - ``load_failed(str)``: the week could not be computed, or the automatic export
      not changed; one line (also in the status line).
    - ``exported(str)``: a report was written to this path.
    - ``export_failed(str)``: it could not be written; one line.
    - ``auto_export_changed(object)``: the automatic export's folder (a ``str``), or
      None when it is off; read at open, and after each change.
    """

    loaded = Signal(str)
    load_failed = Signal(str)
    auto_export_changed = Signal(object)
    exported = Signal(str)
    export_failed = Signal(str)

    def __init__(self, tasks: TaskRunner, clock: Clock, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("statsWindow")
        self.setWindowTitle(self.tr("Weekly Stats — AsyncDesk"))
        self._tasks = tasks
        self._clock = clock
        self._store: Store | None = None
        self._zone = ZoneInfo("UTC")
        self._week: Week | None = None
        self._shown: Shown | None = None
        self._generation = 0
        self._export_dir: Path | None = None
        self._closed_by_user = False
        # Where :meth:`ask_export` gets its file name (replaced in tests).
        self.ask_path: Callable[[str, Path], Path | None] = self._ask_path

        self.previous_button = QToolButton(self)
        self.previous_button.setArrowType(Qt.ArrowType.LeftArrow)
        self.previous_button.setToolTip(self.tr("Previous week (Alt+Left)"))
        self.previous_button.setAccessibleName(self.tr("Previous week"))
        self.previous_button.clicked.connect(lambda: self._step(-1))
        self.next_button = QToolButton(self)
        self.next_button.setArrowType(Qt.ArrowType.RightArrow)
        self.next_button.setToolTip(self.tr("Next week (Alt+Right)"))
        self.next_button.setAccessibleName(self.tr("Next week"))
        self.next_button.clicked.connect(lambda: self._step(1))
        self.date_edit = QDateEdit(self)
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("ddd d MMM yyyy")
        self.date_edit.setToolTip(self.tr("Any day of the week to show"))
        self.date_edit.setAccessibleName(self.tr("Week"))
        self.date_edit.dateChanged.connect(self._on_date_picked)
        self.this_week_button = QPushButton(self.tr("&This week"), self)
        self.this_week_button.clicked.connect(self.show_this_week)
        self.last_week_button = QPushButton(self.tr("&Last week"), self)
        self.last_week_button.clicked.connect(self.show_last_week)
        self.export_buttons: dict[str, QPushButton] = {}
        for fmt, text, tip in (
            ("html", self.tr("Export &HTML…"), self.tr("Save this week as a HTML page")),
            ("csv", self.tr("Export &CSV…"), self.tr("Save this week as a CSV table")),
            ("json", self.tr("Export &JSON…"), self.tr("Save this week as a JSON")),
        ):
            button = QPushButton(text, self)
            button.setToolTip(tip)
            button.setEnabled(False)
            button.clicked.connect(lambda _=False, fmt=fmt: self.ask_export(fmt))
            self.export_buttons[fmt] = button
        QShortcut(QKeySequence("Alt+Left"), self, lambda: self._step(-1))
        QShortcut(QKeySequence("Alt+Right"), self, lambda: self._step(1))
        QShortcut(QKeySequence("F5"), self, self.reload)
        QShortcut(QKeySequence(QKeySequence.StandardKey.Close), self, self.close)

        bar = QHBoxLayout()
        bar.addWidget(self.previous_button)
        bar.addWidget(self.date_edit)
        bar.addWidget(self.next_button)
        bar.addWidget(self.this_week_button)
        bar.addWidget(self.last_week_button)
        bar.addStretch(1)
        for button in self.export_buttons.values():
            bar.addWidget(button)

        self.title = QLabel(self)
        self.title.setObjectName("statsTitle")
        font = self.title.font()
        font.setPointSizeF(font.pointSizeF() * 1.4)
        font.setBold(True)
        self.title.setFont(font)
        self.subtitle = QLabel(self)
        self.subtitle.setObjectName("statsSubtitle")
        self.subtitle.setWordWrap(True)
        self.figures: dict[str, QLabel] = {}
        figures = QGridLayout()
        figures.setHorizontalSpacing(24)
        for index, (key, label) in enumerate(
            (
                ("received", self.tr("Received")),
                ("needs_reply", self.tr("Needed a reply")),
                ("replied", self.tr("Replied")),
                ("median", self.tr("Median response")),
                ("p90", self.tr("90th percentile")),
                ("kept", self.tr("Promises kept")),
                ("overdue", self.tr("Overdue now")),
                ("deep_work", self.tr("Deep work")),
                ("windows", self.tr("Windows")),
                ("deferred", self.tr("Notifications held")),
                ("break_glass", self.tr("Inbox opened early")),
            )
        ):
            value = QLabel("—", self)
            value.setObjectName(f"figure-{key}")
            value.setAccessibleName(label)
            big = value.font()
            big.setPointSizeF(big.pointSizeF() * 1.6)
            value.setFont(big)
            caption = QLabel(label, self)
            caption.setBuddy(value)
            row, column = divmod(index, 6)
            figures.addWidget(value, row * 2, column)
            figures.addWidget(caption, row * 2 + 1, column)
            self.figures[key] = value
        self.charts = {name: _Chart(name, chart_title(name), self) for name in CHARTS}
        self.break_glass_label = QLabel(self)
        self.break_glass_label.setObjectName("breakGlassReasons")
        self.break_glass_label.setWordWrap(True)
        self.break_glass_label.setTextFormat(Qt.TextFormat.PlainText)
        columns = table_columns()
        self.table = QTableWidget(0, len(columns), self)
        self.table.setObjectName("accountsTable")
        self.table.setAccessibleName(self.tr("Per account"))
        self.table.setHorizontalHeaderLabels(columns)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.setSizeAdjustPolicy(QAbstractItemView.SizeAdjustPolicy.AdjustToContents)

        content = QWidget(self)
        body = QVBoxLayout(content)
        body.addWidget(self.title)
        body.addWidget(self.subtitle)
        body.addSpacing(8)
        body.addLayout(figures)
        for name in CHARTS:
            body.addWidget(self.charts[name])
        self.break_glass_title = QLabel(self.tr("<b>Inbox opened outside a window</b>"), self)
        body.addWidget(self.break_glass_title)
        body.addWidget(self.break_glass_label)
        body.addSpacing(8)
        body.addWidget(QLabel(self.tr("<b>Per account</b>"), self))
        body.addWidget(self.table)
        body.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(content)
        self.status = QLabel(self)
        self.status.setObjectName("statsStatus")
        self.status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.auto_export_box = QCheckBox(self.tr("Save each finished &week's report in"), self)
        self.auto_export_box.setToolTip(
            self.tr(
                "On the first run after a week ends, its HTML, CSV and JSON reports are "
                "written to this folder"
            )
        )
        self.auto_export_box.setEnabled(False)
        self.auto_export_box.clicked.connect(self._on_auto_export_clicked)
        self.auto_export_label = QLabel(self)
        self.auto_export_label.setObjectName("autoExportFolder")
        self.auto_export_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.auto_export_choose = QPushButton(self.tr("Choose &folder…"), self)
        self.auto_export_choose.setEnabled(False)
        self.auto_export_choose.clicked.connect(self._choose_auto_export)
        # Where :meth:`_choose_auto_export` gets a folder (replaced in tests).
        self.ask_folder: Callable[[Path | None], Path | None] = self._ask_folder
        self._auto_export: Path | None = None
        automatic = QHBoxLayout()
        automatic.addWidget(self.auto_export_box)
        automatic.addWidget(self.auto_export_label, 1)
        automatic.addWidget(self.auto_export_choose)
        layout = QVBoxLayout(self)
        layout.addLayout(bar)
        layout.addWidget(scroll, 1)
        layout.addLayout(automatic)
        layout.addWidget(self.status)
        self.resize(920, 760)

    # -- what is shown ------------------------------------------------------------------

    @property
    def week(self) -> Week | None:
        return self._week

    @property
    def shown(self) -> WeekStats | None:
        """The numbers on screen, once :attr:`loaded` was emitted for them."""
        return None if self._shown is None else self._shown.stats

    def set_store(self, store: Store | None, zone: ZoneInfo | None = None) -> None:
        self._store = store
        if zone is not None:
            self._zone = zone
        self._shown = None
        self._generation += 1
        for button in self.export_buttons.values():
            button.setEnabled(False)
        self.auto_export_box.setEnabled(False)
        self.auto_export_choose.setEnabled(False)
        if store is not None:
            self._tasks.run_db(
                lambda: _export_folder(store),
                success=self._show_auto_export,
                failure=self._on_failed,
            )
        if store is None:
            self._week = None
            self.status.setText(self.tr("No profile is open."))
        elif self._week is None:
            self.show_last_week()
        else:
            self.show_week(Week(self._week.year, self._week.number, self._zone))

    def show_this_week(self) -> None:
        self.show_week(week_of(self._clock.now(), self._zone))

    def show_last_week(self) -> None:
        self.show_week(last_complete_week(self._clock.now(), self._zone))

    def reload(self) -> None:
        if self._week is not None:
            self.show_week(self._week)

    def show_week(self, week: Week) -> None:
        """Compute ``week`` as of now on the database worker, then draw it."""
        current = week_of(self._clock.now(), self._zone)
        if week.start > current.start:
            week = current
        self._week = week
        self._generation += 1
        generation = self._generation
        monday = week.days[0]
        self.date_edit.blockSignals(True)
        self.date_edit.setMaximumDate(QDate(*_ymd(current.days[-1])))
        self.date_edit.setDate(QDate(*_ymd(monday)))
        self.date_edit.blockSignals(False)
        self.next_button.setEnabled(week.start < current.start)
        self.this_week_button.setEnabled(week != current)
        self.last_week_button.setEnabled(week != current.previous())
        self.title.setText(_week_title(week))
        store = self._store
        if store is None:
            return
        self.status.setText(self.tr("Counting…"))
        for button in self.export_buttons.values():
            button.setEnabled(False)
        now = self._clock.now()
        tasks = self._tasks

        def is_current() -> bool:
            return generation == self._generation

        def computed(stats: WeekStats) -> None:
            tasks.run_net(
                lambda: _draw(stats),
                success=self._on_drawn,
                failure=self._on_failed,
                is_current=is_current,
            )

        tasks.run_db(
            lambda: _compute(store, week, now),
            success=computed,
            failure=self._on_failed,
            is_current=is_current,
        )

    def _step(self, weeks: int) -> None:
        if self._week is None:
            return
        self.show_week(self._week.next() if weeks > 0 else self._week.previous())

    def _on_date_picked(self, picked: QDate) -> None:
        day = date(picked.year(), picked.month(), picked.day())
        year, number, _ = day.isocalendar()
        self.show_week(Week(year, number, self._zone))

    def _on_failed(self, error: BaseException) -> None:
        if isinstance(error, AsyncDeskError):
            message = error.message
        else:
            message = self.tr("Cannot count this week (see the log for details).")
            log.error("stats failed", exc_info=(type(error), error, error.__traceback__))
        self.status.setText(message)
        self.load_failed.emit(message)

    def _on_drawn(self, shown: Shown) -> None:
        self._shown = shown
        stats = shown.stats
        self._fill_figures(stats)
        self._fill_charts(shown)
        self._fill_table(stats)
        reasons = stats.break_glass_reasons
        self.break_glass_title.setVisible(bool(reasons))
        self.break_glass_label.setVisible(bool(reasons))
        self.break_glass_label.setText("\n".join(f"• {reason}" for reason in reasons))
        at = stats.generated_at or self._clock.now()
        local = at.astimezone(self._zone)
        self.status.setText(
            self.tr("Counted at {time} ({zone}). F5 counts again.").format(
                time=f"{local:%a %H:%M}", zone=self._zone.key
            )
        )
        for button in self.export_buttons.values():
            button.setEnabled(True)
        self.loaded.emit(stats.week.label)

    def _fill_figures(self, stats: WeekStats) -> None:
        totals = stats.totals
        from asyncdesk.services.stats_report import human_minutes

        values = {
            "received": f"{totals.received:,}",
            "needs_reply": f"{totals.needs_reply:,}",
            "replied": f"{totals.replied:,}",
            "median": _minutes(totals.median_response_minutes),
            "p90": _minutes(totals.p90_response_minutes),
            "kept": _pct(totals.commitment_kept_pct),
            "overdue": f"{totals.overdue_open:,}",
            "deep_work": human_minutes(stats.deep_work_minutes, with_days=False, units=_units()),
            "windows": f"{stats.windows}",
            "deferred": f"{stats.notifications_deferred:,}",
            "break_glass": f"{stats.break_glass}",
        }
        for key, text in values.items():
            self.figures[key].setText(text)
        zone = stats.week.zone.key
        promises = totals.promises_kept + totals.promises_missed
        self.subtitle.setText(
            self.tr(
                "Days in {zone}. {kept} of %n promises that fell due were kept; "
                "{pending} still pending.",
                "",
                promises,
            ).format(zone=zone, kept=totals.promises_kept, pending=totals.promises_pending)
        )

    def _fill_charts(self, shown: Shown) -> None:
        stats = shown.stats
        for name, chart in self.charts.items():
            note = ""
            # The report says the same in its own words (services.stats_report's
            # NO_REPLIES, NO_PROMISES); these are the window's, for translators.
            if name == "response" and not stats.response_minutes:
                note = self.tr("No replies this week.")
            if name == "promise" and "promise" not in shown.charts:
                note = self.tr("No promise fell due this week.")
            chart.show_svg(shown.charts.get(name), note)

    def _fill_table(self, stats: WeekStats) -> None:
        rows: list[tuple[str, MessageStats]] = sorted(stats.by_account.items())
        rows.append((self.tr("All accounts"), stats.totals))
        last = len(rows) - 1
        self.table.setRowCount(len(rows))
        for row, (name, numbers) in enumerate(rows):
            cells = (
                name,
                f"{numbers.received:,}",
                f"{numbers.needs_reply:,}",
                f"{numbers.replied:,}",
                _minutes(numbers.median_response_minutes),
                _minutes(numbers.p90_response_minutes),
                _pct(numbers.commitment_kept_pct),
                f"{numbers.overdue_open:,}",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if row == last:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                self.table.setItem(row, column, item)

    # -- export -------------------------------------------------------------------------

    def ask_export(self, fmt: str) -> None:
        """Ask where to save the week shown as ``fmt``, then write it."""
        if self._shown is None:
            return
        folder = self._export_dir or Path(
            QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
            or Path.home()
        )
        suggested = folder / f"asyncdesk-{self._shown.stats.week.label}.{fmt}"
        target = self.ask_path(fmt, suggested)
        if target is not None:
            self.export_to(target, fmt)

    def _ask_path(self, fmt: str, suggested: Path) -> Path | None:
        name = format_name(fmt)
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            self.tr("Export {format}").format(format=name),
            str(suggested),
            self.tr("{format} (*.{extension});;All files (*)").format(format=name, extension=fmt),
        )
        return Path(chosen) if chosen else None

    def export_to(self, target: Path, fmt: str) -> None:
        """Write the week shown to ``target`` (replaced whole) on the worker pool."""
        if self._shown is None:
            return
        stats = self._shown.stats
        self._export_dir = target.parent
        self.status.setText(self.tr("Saving {name}…").format(name=target.name))
        self._tasks.run_net(
            lambda: _export(stats, fmt, target),
            success=self._on_exported,
            failure=self._on_export_failed,
        )

    def _on_exported(self, target: Path) -> None:
        self.status.setText(self.tr("Saved {path}").format(path=target))
        self.exported.emit(str(target))

    def _on_export_failed(self, error: BaseException) -> None:
        if isinstance(error, OSError):
            reason = error.strerror or error
            if error.filename:
                message = self.tr("Cannot save the report: {reason} ({file})").format(
                    reason=reason, file=error.filename
                )
            else:
                message = self.tr("Cannot save the report: {reason}").format(reason=reason)
        else:
            message = self.tr("Cannot save the report (see the log for details).")
            sys.excepthook(type(error), error, error.__traceback__)
        self.status.setText(message)
        self.export_failed.emit(message)

    # -- the automatic export -----------------------------------------------------------

    @property
    def auto_export_folder(self) -> Path | None:
        """The folder each finished week's report goes to, as last read or set."""
        return self._auto_export

    def _show_auto_export(self, folder: Path | None) -> None:
        self._auto_export = folder
        self.auto_export_box.setChecked(folder is not None)
        self.auto_export_box.setEnabled(True)
        self.auto_export_choose.setEnabled(True)
        self.auto_export_label.setText(
            str(folder) if folder is not None else self.tr("(no folder)")
        )
        self.auto_export_changed.emit(None if folder is None else str(folder))

    def _on_auto_export_clicked(self, checked: bool) -> None:
        if checked:
            self._choose_auto_export()
        else:
            self.set_auto_export(None)

    def _choose_auto_export(self) -> None:
        folder = self.ask_folder(self._auto_export)
        if folder is None:  # cancelled: nothing changes
            self.auto_export_box.setChecked(self._auto_export is not None)
            return
        self.set_auto_export(folder)

    def _ask_folder(self, current: Path | None) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(
            self, self.tr("Folder for the weekly reports"), str(current or Path.home())
        )
        return Path(chosen) if chosen else None

    def set_auto_export(self, folder: Path | None) -> None:
        """Turn the automatic weekly export on into ``folder``, or off (None)."""
        store = self._store
        if store is None:
            return

        def failed(error: BaseException) -> None:
            self.auto_export_box.setChecked(self._auto_export is not None)
            self._on_failed(error)

        self._tasks.run_db(
            lambda: _set_export_folder(store, folder),
            success=self._show_auto_export,
            failure=failed,
        )

    # -- the window ---------------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        """Shown again after the user closed it: count again, time has moved on."""
        super().showEvent(event)
        if self._closed_by_user and not event.spontaneous():
            self._closed_by_user = False
            self.reload()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing hides it (the owner keeps it, and its week, for next time)."""
        self._closed_by_user = True
        event.accept()
        self.hide()


def _ymd(day: date) -> tuple[int, int, int]:
    return day.year, day.month, day.day
