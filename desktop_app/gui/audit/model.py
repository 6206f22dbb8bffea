"""The audit table: one row per update attempt, its filter, and export to a file."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QDate,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QBrush, QColor

from desktop_app.gui.widgets.files import write_bytes
from desktop_app.gui.widgets.formats import (
    OUTCOME_COLOURS,
    human_duration,
    human_size,
    mode_label,
    short_time,
)
from desktop_app.gui.widgets.table import QtColumnsModel
from domain.services import audit
from domain.services.audit import AuditRow

FORMATS = {
    "csv": ("CSV", "CSV files (*.csv)", audit.to_csv),
    "json": ("JSON", "JSON files (*.json)", audit.to_json),
    "html": ("HTML report", "HTML files (*.html)", audit.to_html),
}
OUTCOME_CHOICES = ("succeeded", "failed", "pending", "cancelled")


def _export(fmt: str, rows: list[AuditRow], path: str) -> int:
    text = FORMATS[fmt][2](rows)
    write_bytes(path, [text.encode("utf-8")])
    return len(rows)


def row_date(row: AuditRow) -> QDate:
    return QDate.fromString(row.time[:10], "yyyy-MM-dd")


class AuditModel(QtColumnsModel):
    """Update attempts in the order they were requested."""

    RowRole = Qt.ItemDataRole.UserRole + 1
    SortRole = Qt.ItemDataRole.UserRole + 2
    COLUMNS = ("Requested", "Worker", "Component", "From → to", "Mode", "Outcome", "Stage", "Details", "Snapshot", "Duration")

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[AuditRow] = []

    def set_rows(self, rows: list[AuditRow]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> AuditRow:
        return self._rows[row]

    def row_total(self) -> int:
        return len(self._rows)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        r = self._rows[index.row()]
        col = index.column()
        if role == self.RowRole:
            return r
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(r, col)
        if role == self.SortRole:
            return self._sort_key(r, index.row(), col)
        if role == Qt.ItemDataRole.ForegroundRole and col == 5:
            return QBrush(QColor(OUTCOME_COLOURS.get(r.outcome, "#1d2330")))
        if role == Qt.ItemDataRole.ToolTipRole:
            if col == 7 and r.details:
                return r.details
            if col == 8 and r.snapshotHash:
                return f"sha256 {r.snapshotHash}"
            if col == 0:
                return r.time
        return None

    @staticmethod
    def _display(r: AuditRow, col: int) -> str:
        if col == 0:
            return short_time(r.time)
        if col == 1:
            return r.worker
        if col == 2:
            return r.component
        if col == 3:
            return f"{'?' if r.fromVersion is None else r.fromVersion} → {r.toVersion}"
        if col == 4:
            return mode_label(r.mode)
        if col == 5:
            return r.outcome if r.revertedTo is None else f"{r.outcome}, reverted to {r.revertedTo}"
        if col == 6:
            return r.stage or ""
        if col == 7:
            return r.details or ""
        if col == 8:
            return human_size(r.snapshotSize)
        return human_duration(r.durationSeconds)

    def _sort_key(self, r: AuditRow, row: int, col: int) -> Any:
        if col == 0:
            return f"{r.time}#{row:09d}"
        if col == 3:
            return (r.fromVersion if r.fromVersion is not None else -1) * 1_000_000 + r.toVersion
        if col == 8:
            return r.snapshotSize if r.snapshotSize is not None else -1
        if col == 9:
            return r.durationSeconds if r.durationSeconds is not None else -1.0
        return self._display(r, col)


class AuditFilter(QSortFilterProxyModel):
    """Filters attempts by component, worker, outcome and the date they were requested."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.component: str | None = None
        self.worker = ""
        self.outcome: str | None = None
        self.date_from: QDate | None = None
        self.date_to: QDate | None = None
        self.setSortRole(AuditModel.SortRole)

    def set_filters(
        self,
        component: str | None = None,
        worker: str = "",
        outcome: str | None = None,
        date_from: QDate | None = None,
        date_to: QDate | None = None,
    ) -> None:
        self.beginFilterChange()
        self.component = component or None
        self.worker = worker.strip().lower()
        self.outcome = outcome or None
        self.date_from, self.date_to = date_from, date_to
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, source_row: int, source_parent: QModelIndex | QPersistentModelIndex) -> bool:
        model = self.sourceModel()
        if not isinstance(model, AuditModel):
            return True
        r = model.row_at(source_row)
        if self.component is not None and r.component != self.component:
            return False
        if self.worker and self.worker not in r.worker.lower():
            return False
        if self.outcome is not None and r.outcome != self.outcome:
            return False
        if self.date_from is not None or self.date_to is not None:
            day = row_date(r)
            if self.date_from is not None and day < self.date_from:
                return False
            if self.date_to is not None and day > self.date_to:
                return False
        return True

    def rows(self) -> list[AuditRow]:
        """The rows that pass the filters, in the order shown."""
        return [self.data(self.index(i, 0), AuditModel.RowRole) for i in range(self.rowCount())]
