"""Every update attempt across all workers: filter it, and export it as CSV, JSON or HTML."""

from __future__ import annotations

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QTableView,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.audit.drain import Drain, DrainPanel, read_drain
from desktop_app.gui.audit.model import (
    FORMATS,
    OUTCOME_CHOICES,
    AuditFilter,
    AuditModel,
    _export,
    row_date,
)
from desktop_app.gui.widgets.formats import count
from desktop_app.gui.widgets.ops import Op, Operations
from domain.services import audit
from domain.services.audit import AuditRow
from domain.services.workers import Workers


class QtAuditView(QWidget):
    """All update attempts of the data folder, read-only, with filters and exports."""

    DETAILS = 7
    DETAILS_MIN = 260

    refreshed = Signal(int)
    drain_loaded = Signal(str)
    update_opened = Signal(str, str)  # worker ref, update id: open that update of the worker
    exported = Signal(str)
    export_failed = Signal(str)
    status_changed = Signal(str)  # the status line's words (the main window shows them in the dock's title)

    def __init__(self, workers: Workers, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workers = workers
        self._ops = ops
        self._dates_touched = False
        self._fitting = False
        self.model = AuditModel(self)
        self.proxy = AuditFilter(self)
        self.proxy.setSourceModel(self.model)

        self.component_combo = QComboBox(self)
        self.component_combo.addItem("All components", None)
        self.worker_edit = QLineEdit(self)
        self.worker_edit.setPlaceholderText("Worker contains…")
        self.worker_edit.setClearButtonEnabled(True)
        self.outcome_combo = QComboBox(self)
        self.outcome_combo.addItem("All outcomes", None)
        for o in OUTCOME_CHOICES:
            self.outcome_combo.addItem(o, o)
        self.dates_check = QCheckBox("Requested from", self)
        self.date_from = QDateEdit(self)
        self.date_to = QDateEdit(self)
        for edit in (self.date_from, self.date_to):
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setDate(QDate.currentDate())
            edit.setEnabled(False)
        self.refresh_button = QPushButton("Refresh", self)
        # One Export button with a menu, in the filter row: no row of buttons below the table
        # (at 1024×700 that row is worth a row of attempts).
        self.export_button = QToolButton(self)
        self.export_button.setText("Export")
        self.export_button.setToolTip("Write the attempts shown (after filtering) to a file")
        self.export_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.export_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        menu = QMenu(self.export_button)
        self.export_actions: dict[str, QAction] = {}
        for fmt, (label, _pattern, _fn) in FORMATS.items():
            action = menu.addAction(f"{label}…")
            action.triggered.connect(lambda _checked=False, f=fmt: self.export(f))
            self.export_actions[fmt] = action
        self.export_button.setMenu(menu)

        self.table = QTableView(self)
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)  # newest first
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        # Details is the widest: it takes the room left, but never less than DETAILS_MIN (the table scrolls then).
        hh.setSectionResizeMode(7, QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(False)
        hh.sectionResized.connect(self._fit_details)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setToolTip("Double-click (or Enter) opens the worker's update")
        self.table.activated.connect(self._on_activated)
        self.status = QLabel(self)
        self.drain = DrainPanel(self)
        self.drain.setToolTip("How many workers of the component ran each version over time")
        self.drain.hide()

        filters = QHBoxLayout()
        filters.addWidget(self.component_combo)
        filters.addWidget(self.worker_edit, 1)
        filters.addWidget(self.outcome_combo)
        filters.addWidget(self.dates_check)
        filters.addWidget(self.date_from)
        filters.addWidget(QLabel("to", self))
        filters.addWidget(self.date_to)
        filters.addWidget(self.refresh_button)
        filters.addWidget(self.export_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(filters)
        # In a short dock the chart shrinks (see resizeEvent) so the table keeps rows.
        rows = self.table.verticalHeader().defaultSectionSize()
        self.table.setMinimumHeight(self.table.horizontalHeader().sizeHint().height() + rows + 4)
        layout.addWidget(self.drain)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.status)

        self._refresh_timer = QTimer(self)
        self._refresh_timer.setSingleShot(True)
        self._refresh_timer.setInterval(200)
        self._refresh_timer.timeout.connect(self.refresh)
        self.component_combo.currentIndexChanged.connect(self._apply_filters)
        self.component_combo.currentIndexChanged.connect(self.load_drain)
        self.outcome_combo.currentIndexChanged.connect(self._apply_filters)
        self.worker_edit.textChanged.connect(self._apply_filters)
        self.dates_check.toggled.connect(self._on_dates_toggled)
        self.date_from.dateChanged.connect(self._on_date_edited)
        self.date_to.dateChanged.connect(self._on_date_edited)
        self.refresh_button.clicked.connect(self.refresh)
        ops.changed.connect(self._on_changed)
        self._update_status()

    # -- public -----------------------------------------------------------------------

    def refresh(self) -> Op:
        """Re-read every update attempt from the event store."""
        self._refresh_timer.stop()
        op = Op("Reading the update audit", audit.update_attempts, self._workers)
        op.succeeded.connect(self._on_rows)
        op.failed.connect(self._on_failed)
        self._say("Reading update attempts…")
        return self._submit(op)

    def load_drain(self) -> Op | None:
        """Read the drain view of the component chosen (hidden for all components)."""
        component = self.component_combo.currentData()
        if not component:
            self.drain.hide()
            return None
        op = Op("Reading the drain view", read_drain, self._workers, str(component))
        op.succeeded.connect(self._on_drain)
        return self._submit(op)

    def _on_drain(self, d: Drain) -> None:
        if d.component != self.component_combo.currentData():
            return
        self.drain.set_drain(d)
        self.drain.show()
        self.drain_loaded.emit(d.component)

    def set_filters(
        self,
        component: str | None = None,
        worker: str = "",
        outcome: str | None = None,
        date_from: QDate | None = None,
        date_to: QDate | None = None,
    ) -> None:
        """Set the filter controls (dates on when either date is given) and apply them."""
        widgets = (self.component_combo, self.worker_edit, self.outcome_combo, self.dates_check, self.date_from, self.date_to)
        for w in widgets:
            w.blockSignals(True)
        self.component_combo.setCurrentIndex(max(0, self.component_combo.findData(component)) if component else 0)
        self.worker_edit.setText(worker)
        self.outcome_combo.setCurrentIndex(max(0, self.outcome_combo.findData(outcome)) if outcome else 0)
        dates = date_from is not None or date_to is not None
        self.dates_check.setChecked(dates)
        if date_from is not None:
            self.date_from.setDate(date_from)
        if date_to is not None:
            self.date_to.setDate(date_to)
        if dates:
            self._dates_touched = True
        for w in widgets:
            w.blockSignals(False)
        self.date_from.setEnabled(dates)
        self.date_to.setEnabled(dates)
        self._apply_filters()
        self.load_drain()

    def shown_rows(self) -> list[AuditRow]:
        return self.proxy.rows()

    def export(self, fmt: str, path: str | None = None) -> Op | None:
        """Export the rows shown as ``csv``, ``json`` or ``html``."""
        label, pattern, _fn = FORMATS[fmt]
        if path is None:
            path, _ = QFileDialog.getSaveFileName(self, f"Export the update audit as {label}", f"update-audit.{fmt}", pattern)
            if not path:
                return None
        op = Op(f"Exporting the audit as {label}", _export, fmt, self.shown_rows(), path)
        op.setProperty("path", path)
        op.done_words = lambda n: f"Exported {count(n, 'update attempt')} as {label} to {path}"
        op.succeeded.connect(self._on_exported)
        op.failed.connect(self._on_export_failed)
        return self._submit(op)

    # -- slots ------------------------------------------------------------------------

    def _on_rows(self, rows: list[AuditRow]) -> None:
        self.model.set_rows(rows)
        current = self.component_combo.currentData()
        self.component_combo.blockSignals(True)
        self.component_combo.clear()
        self.component_combo.addItem("All components", None)
        for name in sorted({r.component for r in rows}):
            self.component_combo.addItem(name, name)
        self.component_combo.setCurrentIndex(max(0, self.component_combo.findData(current)) if current else 0)
        self.component_combo.blockSignals(False)
        if rows and not self._dates_touched:
            days = sorted(row_date(r) for r in rows)
            for edit, day in ((self.date_from, days[0]), (self.date_to, days[-1])):
                edit.blockSignals(True)
                edit.setDate(day)
                edit.blockSignals(False)
        self._apply_filters()
        self._fit_details()
        self.load_drain()
        self.refreshed.emit(len(rows))

    def _on_activated(self, index: QModelIndex) -> None:
        row = self.proxy.index(index.row(), 0).data(AuditModel.RowRole)
        if isinstance(row, AuditRow) and row.updateId:
            self.update_opened.emit(row.worker, row.updateId)

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        """Its minimum: the drain's wrapped words make the layout ask for a height for the width, which
        a scroll area takes as the least height, so a short dock would scroll instead of the chart shrinking."""
        return self.minimumSizeHint().height()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt's name
        super().resizeEvent(event)
        # A fifth of the audit's height for the drain chart, between its minimum and its natural height.
        chart = self.drain.chart
        chart.setMaximumHeight(max(chart.MIN_HEIGHT, min(chart.sizeHint().height(), self.height() // 5)))
        self._fit_details()

    def _fit_details(self, *_: object) -> None:
        hh = self.table.horizontalHeader()
        others = sum(hh.sectionSize(c) for c in range(hh.count()) if c != self.DETAILS and not hh.isSectionHidden(c))
        room = self.table.viewport().width() - others
        width = max(self.DETAILS_MIN, room)
        if hh.sectionSize(self.DETAILS) != width and not self._fitting:
            self._fitting = True
            try:
                hh.resizeSection(self.DETAILS, width)
            finally:
                self._fitting = False

    def _on_failed(self, message: str) -> None:
        self._say(f"Reading the audit failed: {message}")

    def _on_changed(self, what: str) -> None:
        if what in ("audit", "workers") or what.startswith("worker:"):
            self._refresh_timer.start()

    def _on_dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self._apply_filters()

    def _on_date_edited(self) -> None:
        self._dates_touched = True
        self._apply_filters()

    def _apply_filters(self) -> None:
        dates = self.dates_check.isChecked()
        self.proxy.set_filters(
            component=self.component_combo.currentData(),
            worker=self.worker_edit.text(),
            outcome=self.outcome_combo.currentData(),
            date_from=self.date_from.date() if dates else None,
            date_to=self.date_to.date() if dates else None,
        )
        self._update_status()

    def _update_status(self) -> None:
        total = self.model.rowCount()
        shown = self.proxy.rowCount()
        suffix = " (read-only data folder)" if self._workers.read_only else ""
        if shown == total:
            self._say(f"{count(total, 'update attempt')}{suffix}")
        else:
            self._say(f"{shown:,} of {total:,} update attempts match{suffix}")

    def _on_exported(self, n: int) -> None:
        op = self.sender()
        path = str(op.property("path")) if isinstance(op, Op) else ""
        self._say(f"Exported {count(n, 'update attempt')} to {path}")
        self.exported.emit(path)

    def _on_export_failed(self, message: str) -> None:
        self._say(f"Export failed: {message}")
        self.export_failed.emit(message)

    def _say(self, text: str) -> None:
        self.status.setText(text)
        self.status_changed.emit(text)

    def _submit(self, op: Op) -> Op:
        return self._ops.read(op)
