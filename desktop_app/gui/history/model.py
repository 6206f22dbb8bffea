"""The history table model: entries of one worker read lazily in pages, off the UI thread.

Rows are history entries in one order only, history index ascending. The
model knows how many rows there are from the worker's history length and
reads the entries themselves in pages, keeping the most recently used pages in
memory; a filtered model shows just the matching indices, still page by page.
"""

from __future__ import annotations

import bisect
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Sequence
from uuid import UUID

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont

from desktop_app.gui.history.jobs import PageResult, read_page
from desktop_app.gui.history.marks import (
    MARKERS,
    TEXT_COLOUR,
    HistoryRole,
    marker_icon,
    version_tint,
)
from desktop_app.gui.widgets.formats import precise_time, short_time
from desktop_app.gui.widgets.ops import Op, Operations
from desktop_app.gui.widgets.table import QtColumnsModel
from domain.services.workers import OplogEntry, Workers

PAGE_SIZE = 500
MAX_PAGES = 40
PLACEHOLDER = "…"

@dataclass
class _Page:
    entries: list[OplogEntry]
    prev_version: int | None
    epoch: int


class HistoryModel(QtColumnsModel):
    """History entries of one worker, read lazily in pages; unloaded cells show ``…``."""

    page_loaded = Signal(int)
    page_failed = Signal(str)

    COLUMNS = ("#", "Time", "Version", "Kind", "Summary")
    COL_INDEX, COL_TIME, COL_VERSION, COL_KIND, COL_SUMMARY = range(5)

    def __init__(
        self,
        workers: Workers,
        ops: Operations,
        parent: QObject | None = None,
        page_size: int = PAGE_SIZE,
        max_pages: int = MAX_PAGES,
    ) -> None:
        super().__init__(parent)
        self._workers = workers
        self._ops = ops
        self.page_size = page_size
        self.max_pages = max_pages
        self._wid: UUID | None = None
        self._length = 0
        self._rows: list[int] | None = None
        self._pages: OrderedDict[int, _Page] = OrderedDict()
        self._inflight: dict[Op, int] = {}
        self._requested: set[int] = set()
        self._generation = 0
        self._epoch = 0
        self._bold = QFont()
        self._bold.setBold(True)

    # -- state ------------------------------------------------------------------------

    @property
    def wid(self) -> UUID | None:
        return self._wid

    @property
    def history_length(self) -> int:
        return self._length

    @property
    def filtered(self) -> bool:
        return self._rows is not None

    def set_source(self, wid: UUID | None, length: int, rows: list[int] | None = None) -> None:
        """Show another worker's history (or nothing)."""
        self.beginResetModel()
        self._wid = wid
        self._length = length if wid is not None else 0
        self._rows = rows
        self._drop_pages()
        self.endResetModel()

    def set_rows(self, rows: list[int] | None) -> None:
        """Show only the entries at ``rows`` (ascending history indices), or all of them."""
        self.beginResetModel()
        self._rows = rows
        self._drop_pages()
        self.endResetModel()

    def set_length(self, length: int) -> None:
        """The history grew (or shrank): append rows when every entry is shown."""
        if length == self._length:
            return
        if length < self._length:
            self.beginResetModel()
            self._length = length
            if self._rows is not None:
                self._rows = [i for i in self._rows if i <= length]
            self._drop_pages()
            self.endResetModel()
            return
        old = self._length
        self._length = length
        if self._rows is None:
            self._forget_page((old - 1) // self.page_size if old else 0)
            self.beginInsertRows(QModelIndex(), old, length - 1)
            self.endInsertRows()

    def append_rows(self, indices: Sequence[int]) -> None:
        """Add newly matching entries at the end of a filtered view."""
        if self._rows is None or not indices:
            return
        old = len(self._rows)
        self._forget_page((old - 1) // self.page_size if old else 0)
        self.beginInsertRows(QModelIndex(), old, old + len(indices) - 1)
        self._rows.extend(indices)
        self.endInsertRows()

    def shown_indices(self) -> Sequence[int]:
        """History indices of every row, in row order."""
        if self._rows is not None:
            return list(self._rows)
        return range(1, self._length + 1)

    def history_index(self, row: int) -> int:
        return self._rows[row] if self._rows is not None else row + 1

    def row_of(self, history_index: int) -> int | None:
        """The row that shows ``history_index``, if it is shown."""
        if self._rows is None:
            return history_index - 1 if 1 <= history_index <= self._length else None
        i = bisect.bisect_left(self._rows, history_index)
        return i if i < len(self._rows) and self._rows[i] == history_index else None

    def entry(self, row: int) -> OplogEntry | None:
        """The entry of ``row`` if its page is loaded (otherwise the page is requested)."""
        if not 0 <= row < self.rowCount():
            return None
        number = row // self.page_size
        page = self._page(number)
        if page is None:
            return None
        offset = row % self.page_size
        if offset < len(page.entries):
            return page.entries[offset]
        if page.epoch != self._epoch:
            # read before the rows grew: read the page again
            self._pages.pop(number, None)
            self._request(number)
        return None

    @property
    def loaded_pages(self) -> list[int]:
        """Numbers of the pages held in memory, least recently used first."""
        return list(self._pages)

    def is_loaded(self, row: int) -> bool:
        page = self._pages.get(row // self.page_size)
        return page is not None and row % self.page_size < len(page.entries)

    # -- Qt model -------------------------------------------------------------------

    def row_total(self) -> int:
        return len(self._rows) if self._rows is not None else self._length

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        row, col = index.row(), index.column()
        if not 0 <= row < self.rowCount():
            return None
        if role == HistoryRole.Index:
            return self.history_index(row)
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if col in (self.COL_INDEX, self.COL_VERSION):
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        entry = self.entry(row)
        if role == HistoryRole.Loaded:
            return entry is not None
        if entry is None:
            if role == Qt.ItemDataRole.DisplayRole:
                return str(self.history_index(row)) if col == self.COL_INDEX else PLACEHOLDER
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(entry, col)
        if role == HistoryRole.Entry:
            return entry
        if role == HistoryRole.Version:
            return entry.version
        if role == HistoryRole.Marker:
            return MARKERS.get(entry.kind)
        if role == HistoryRole.SegmentStart:
            return self._segment_start(row, entry)
        if role == Qt.ItemDataRole.BackgroundRole:
            return QBrush(version_tint(entry.version)) if entry.version >= 0 else None
        if role == Qt.ItemDataRole.ForegroundRole:
            return QBrush(QColor(TEXT_COLOUR)) if entry.version >= 0 else None
        if role == Qt.ItemDataRole.FontRole:
            return self._bold if col == self.COL_VERSION and self._segment_start(row, entry) else None
        if role == Qt.ItemDataRole.DecorationRole and col == self.COL_KIND:
            marker = MARKERS.get(entry.kind)
            return marker_icon(marker) if marker else None
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, entry, col)
        return None

    # -- helpers ----------------------------------------------------------------------

    def _display(self, entry: OplogEntry, col: int) -> str:
        if col == self.COL_INDEX:
            return str(entry.index)
        if col == self.COL_TIME:
            return short_time(entry.timestamp)
        if col == self.COL_VERSION:
            return str(entry.version) if entry.version >= 0 else "?"
        if col == self.COL_KIND:
            return entry.kind
        return entry.summary()

    def _tooltip(self, row: int, entry: OplogEntry, col: int) -> str:
        if col == self.COL_TIME:
            return f"{precise_time(entry.timestamp)} (to the millisecond)"
        if col == self.COL_VERSION:
            start = " — a new version segment starts here" if self._segment_start(row, entry) else ""
            return f"produced by component version {entry.version}{start}"
        if col == self.COL_KIND and entry.kind in MARKERS:
            return f"update {MARKERS[entry.kind]}"
        return entry.summary()

    def _segment_start(self, row: int, entry: OplogEntry) -> bool:
        if row == 0:
            return True
        offset = row % self.page_size
        page = self._pages.get(row // self.page_size)
        if page is None:
            return False
        prev = page.entries[offset - 1].version if offset > 0 else page.prev_version
        return prev is not None and prev != entry.version

    def _page(self, number: int) -> _Page | None:
        page = self._pages.get(number)
        if page is not None:
            self._pages.move_to_end(number)
            return page
        self._request(number)
        return None

    def _page_indices(self, number: int) -> Sequence[int]:
        first = number * self.page_size
        last = min(first + self.page_size, self.rowCount())
        lo = max(first - 1, 0)  # one row more: the version before the page
        if self._rows is None:
            return range(lo + 1, last + 1)
        return self._rows[lo:last]

    def _request(self, number: int) -> None:
        if self._wid is None or number in self._requested:
            return
        self._requested.add(number)
        indices = self._page_indices(number)
        op = Op("Reading history", read_page, self._workers, self._wid, indices, self._generation, self._epoch, number)
        op.succeeded.connect(self._on_page)
        op.failed.connect(self._on_page_failed)
        op.finished.connect(self._on_page_finished)
        self._inflight[op] = self._generation
        self._ops.read(op)

    def _on_page(self, result: PageResult) -> None:
        if result.generation != self._generation:
            return
        self._requested.discard(result.page)
        entries = result.entries
        prev_version: int | None = None
        if result.page > 0 and entries:
            prev_version = entries[0].version
            entries = entries[1:]
        self._pages[result.page] = _Page(entries, prev_version, result.epoch)
        self._pages.move_to_end(result.page)
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        first = result.page * self.page_size
        last = min(first + len(entries), self.rowCount()) - 1
        if last >= first:
            self.dataChanged.emit(self.index(first, 0), self.index(last, self.columnCount() - 1))
        self.page_loaded.emit(result.page)

    def _on_page_failed(self, message: str) -> None:
        self.page_failed.emit(message)

    def _on_page_finished(self) -> None:
        op = self.sender()
        if isinstance(op, Op):
            self._inflight.pop(op, None)

    def _forget_page(self, number: int) -> None:
        self._epoch += 1
        for n in (number, number + 1):
            self._pages.pop(n, None)
            self._requested.discard(n)

    def _drop_pages(self) -> None:
        self._generation += 1
        self._pages.clear()
        self._requested.clear()
