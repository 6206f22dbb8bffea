"""The history (oplog) of one worker: a lazy table that stays fast for 100,000 entries.

Rows are history entries in one order only, history index ascending. The
model knows how many rows there are from the worker's history length and
reads the entries themselves in pages, off the UI thread, keeping the most
recently used pages in memory. Filters run as a background scan of the event
store that yields the matching indices; the table then shows just those rows,
still read page by page.
"""

from __future__ import annotations

import bisect
import html
import json
import re
from collections import OrderedDict
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Callable, Iterable, Iterator, Sequence
from uuid import UUID

from PySide6.QtCore import (
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QAction, QBrush, QColor, QFont, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QTextBrowser,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.widgets.files import write_bytes
from desktop_app.gui.widgets.ops import Op, Operations
from desktop_app.gui.widgets.table import QtColumnsModel
from domain.services.workers import OplogEntry, Workers

PAGE_SIZE = 500
MAX_PAGES = 40
PLACEHOLDER = "…"

KINDS: tuple[str, ...] = (
    "create",
    "startup",
    "invocation",
    "invocation-failed",
    "interrupted",
    "update-requested",
    "update-started",
    "snapshot-saved",
    "snapshot-loaded",
    "update-succeeded",
    "update-failed",
    "reverted",
    "update-cancelled",
    "deleted",
)

MARKERS: dict[str, str] = {
    "update-requested": "pending",
    "update-started": "pending",
    "snapshot-saved": "pending",
    "snapshot-loaded": "pending",
    "update-succeeded": "succeeded",
    "update-failed": "failed",
    "reverted": "reverted",
    "update-cancelled": "cancelled",
}

MARKER_COLOURS: dict[str, str] = {
    "pending": "#d29922",
    "succeeded": "#2da44e",
    "failed": "#cf222e",
    "reverted": "#8250df",
    "cancelled": "#6e7781",
}

VERSION_TINTS = ("#e7f0fb", "#e6f4e8", "#fbf0df", "#f1e9fb", "#e1f4f2", "#fbe6ec")
VERSION_STRIPES = ("#3b7dc4", "#3a9a4a", "#c9822a", "#8a5cc2", "#23968c", "#c4506c")
TEXT_COLOUR = "#1d2330"


class HistoryRole(IntEnum):
    """Data roles of :class:`HistoryModel` beyond the standard ones."""

    Entry = Qt.ItemDataRole.UserRole + 1
    Index = Qt.ItemDataRole.UserRole + 2
    Version = Qt.ItemDataRole.UserRole + 3
    SegmentStart = Qt.ItemDataRole.UserRole + 4
    Marker = Qt.ItemDataRole.UserRole + 5
    Loaded = Qt.ItemDataRole.UserRole + 6


def version_tint(version: int) -> QColor:
    return QColor(VERSION_TINTS[version % len(VERSION_TINTS)])


def version_stripe(version: int) -> QColor:
    return QColor(VERSION_STRIPES[version % len(VERSION_STRIPES)])


_icons: dict[str, QIcon] = {}


def marker_icon(marker: str) -> QIcon:
    """A small coloured badge for an update marker."""
    icon = _icons.get(marker)
    if icon is None:
        pix = QPixmap(14, 14)
        pix.fill(Qt.GlobalColor.transparent)
        p = QPainter(pix)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor(MARKER_COLOURS.get(marker, "#6e7781")))
        p.drawEllipse(1, 1, 12, 12)
        p.end()
        icon = _icons[marker] = QIcon(pix)
    return icon


# --------------------------------------------------------------------------- background jobs


@dataclass(frozen=True)
class HistoryFilter:
    """Which entries to show: a set of kinds and a text or regular expression."""

    kinds: frozenset[str] | None = None
    text: str = ""
    regex: bool = False

    @property
    def active(self) -> bool:
        return (self.kinds is not None and set(self.kinds) != set(KINDS)) or bool(self.text)

    def pattern(self) -> re.Pattern[str] | None:
        """The compiled text filter; raises ``re.error`` for a bad expression."""
        if not self.text:
            return None
        return re.compile(self.text if self.regex else re.escape(self.text), re.IGNORECASE)


def searchable_fields(entry: OplogEntry) -> list[str]:
    """The texts a filter looks at: function names, arguments, results and the summary."""
    d = entry.data
    fields = [entry.summary()]
    function = d.get("function")
    if function:
        fields.append(function)
        short = re.search(r"\{([^}]*)\}$", function)
        if short:
            fields.append(short.group(1))
    fields.extend(str(a) for a in d.get("args") or ())
    for key in ("result", "message", "reason"):
        value = d.get(key)
        if value is not None:
            fields.append(str(value))
    return fields


def entry_matches(entry: OplogEntry, kinds: frozenset[str] | None, pattern: re.Pattern[str] | None) -> bool:
    if kinds is not None and entry.kind not in kinds:
        return False
    return pattern is None or any(pattern.search(f) for f in searchable_fields(entry))


def scan_history(
    workers: Workers,
    wid: UUID,
    start: int,
    stop: int,
    kinds: frozenset[str] | None,
    pattern: re.Pattern[str] | None,
    progress: Callable[[int, int], None],
) -> tuple[int, list[int]]:
    """History indices in ``[start, stop]`` that pass the filter; returns ``(stop, indices)``."""
    total = max(0, stop - start + 1)
    found: list[int] = []
    for n, entry in enumerate(workers.iter_oplog(wid, start, total), 1):
        if entry_matches(entry, kinds, pattern):
            found.append(entry.index)
        if n % 2000 == 0:
            progress(n, total)
    progress(total, total)
    return stop, found


def _runs(indices: Sequence[int], gap: int = 64) -> list[tuple[int, int]]:
    """Group sorted indices into ranges, bridging gaps shorter than ``gap``."""
    runs: list[list[int]] = []
    for i in indices:
        if runs and i - runs[-1][1] <= gap:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return [(a, b) for a, b in runs]


def read_entries(workers: Workers, wid: UUID, indices: Sequence[int]) -> Iterator[OplogEntry]:
    """The entries at ``indices`` (ascending), read in as few event-store scans as possible."""
    if not indices:
        return
    if isinstance(indices, range) and indices.step == 1:
        yield from workers.iter_oplog(wid, indices.start, len(indices))
        return
    wanted = set(indices)
    for a, b in _runs(indices):
        for entry in workers.iter_oplog(wid, a, b - a + 1):
            if entry.index in wanted:
                yield entry


@dataclass
class _PageResult:
    generation: int
    epoch: int
    page: int
    entries: list[OplogEntry]


def _read_page(workers: Workers, wid: UUID, indices: Sequence[int], generation: int, epoch: int, page: int) -> _PageResult:
    return _PageResult(generation, epoch, page, list(read_entries(workers, wid, indices)))


@dataclass(frozen=True)
class _Located:
    ref: str
    wid: UUID
    length: int


def _locate(workers: Workers, ref: str) -> _Located:
    """The worker's stream id and length: pure event-store reads."""
    return _Located(ref, workers.worker_id(ref), workers.history_length(ref))


def export_entries(
    workers: Workers, wid: UUID, indices: Sequence[int], path: str, progress: Callable[[int, int], None]
) -> int:
    """Write the entries at ``indices`` to ``path`` as a JSON array; returns how many."""
    total = len(indices)
    count = 0

    def chunks() -> Iterator[bytes]:
        nonlocal count
        yield b"["
        for entry in read_entries(workers, wid, indices):
            yield (",\n  " if count else "\n  ").encode() + json.dumps(entry.to_json(), ensure_ascii=False).encode()
            count += 1
            if count % 2000 == 0:
                progress(count, total)
        yield b"\n]\n"

    write_bytes(path, chunks())
    return count


# --------------------------------------------------------------------------- the model


@dataclass
class _Page:
    entries: list[OplogEntry]
    prev_version: int | None
    epoch: int


class HistoryModel(QtColumnsModel):
    """History entries of one worker, read lazily in pages; unloaded cells show ``…``."""

    page_loaded = Signal(int)
    page_failed = Signal(str)

    COLUMNS = ("#", "Time (UTC)", "Version", "Kind", "Summary")
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
            return entry.timestamp[:23].replace("T", " ")
        if col == self.COL_VERSION:
            return str(entry.version) if entry.version >= 0 else "?"
        if col == self.COL_KIND:
            return entry.kind
        return entry.summary()

    def _tooltip(self, row: int, entry: OplogEntry, col: int) -> str:
        if col == self.COL_TIME:
            return entry.timestamp
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
        op = Op("Reading history", _read_page, self._workers, self._wid, indices, self._generation, self._epoch, number)
        op.succeeded.connect(self._on_page)
        op.failed.connect(self._on_page_failed)
        op.finished.connect(self._on_page_finished)
        self._inflight[op] = self._generation
        self._ops.read(op)

    def _on_page(self, result: _PageResult) -> None:
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


# --------------------------------------------------------------------------- the view


class _HistoryDelegate(QStyledItemDelegate):
    """Draws the version stripe on the index column and a rule where a version segment starts."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        super().paint(painter, option, index)
        version = index.data(HistoryRole.Version)
        if version is None or version < 0:
            return
        rect: QRect = option.rect  # type: ignore[attr-defined]
        colour = version_stripe(version)
        painter.save()
        if index.column() == HistoryModel.COL_INDEX:
            painter.fillRect(QRect(rect.left(), rect.top(), 4, rect.height()), colour)
        if index.data(HistoryRole.SegmentStart):
            painter.fillRect(QRect(rect.left(), rect.top(), rect.width(), 2), colour)
        painter.restore()


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def entry_html(entry: OplogEntry) -> str:
    """The detail pane's text for one entry: a heading and a two-column table."""
    d = entry.data
    marker = MARKERS.get(entry.kind)
    badge = (
        f" <span style='color:{MARKER_COLOURS[marker]}'>● update {marker}</span>" if marker else ""
    )
    rows: list[tuple[str, str]] = []

    def pre(text: Any) -> str:
        return f"<pre style='margin:0'>{_esc(text)}</pre>"

    if "function" in d:
        rows.append(("Function", pre(d["function"])))
        args = d.get("args") or []
        rows.append(("Arguments", pre("\n".join(f"{i + 1}. {a}" for i, a in enumerate(args)) if args else "(none)")))
    if entry.kind == "invocation":
        rows.append(("Result", pre(d["result"] if d["result"] is not None else "()")))
        rows.append(("Duration", pre(f"{d.get('durationSeconds', 0.0) * 1000:.3f} ms")))
        calls = d.get("hostCalls") or []
        text = "\n".join(" ".join(str(x) for x in c) if isinstance(c, (list, tuple)) else str(c) for c in calls)
        rows.append((f"Host calls ({len(calls)})", pre(text or "(none)")))
    if entry.kind == "invocation-failed":
        rows.append(("Failure", pre(f"{d.get('errorKind')}: {d.get('message')}")))
    if entry.kind == "interrupted":
        rows.append(("Reason", pre(d.get("reason", ""))))
    if "stdout" in d or "stderr" in d:
        rows.append(("stdout", pre(d.get("stdout") or "(empty)")))
        rows.append(("stderr", pre(d.get("stderr") or "(empty)")))
    if "function" not in d:
        rows.append(("Summary", _esc(entry.summary())))
        shown = {k: v for k, v in d.items() if v is not None}
        if shown:
            rows.append(("Data", pre(json.dumps(shown, indent=2, ensure_ascii=False))))
    table = "".join(
        f"<tr><td valign='top' style='padding-right:14px; white-space:nowrap'><b>{_esc(k)}</b></td><td>{v}</td></tr>"
        for k, v in rows
    )
    return (
        f"<p style='margin:0 0 4px 0'><b style='font-size:larger'>#{entry.index} · {_esc(entry.kind)}</b>{badge}"
        f"<br>{_esc(entry.timestamp)} · component version {entry.version}</p>"
        f"<table cellspacing='0' cellpadding='2'>{table}</table>"
    )


class QtHistoryView(QWidget):
    """A worker's history with kind and text filters, version segments, update markers and details."""

    entry_selected = Signal(int)
    filter_applied = Signal(int)
    exported = Signal(str)
    export_failed = Signal(str)
    located = Signal(str)

    def __init__(self, workers: Workers, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workers = workers
        self._ops = ops
        self._ref: str | None = None
        self._filter = HistoryFilter()
        self._filter_op: Op | None = None
        self._scanned_to = 0
        self.model = HistoryModel(workers, ops, self)

        self._kinds_button = QToolButton(self)
        self._kinds_button.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self._kinds_menu = QMenu(self._kinds_button)
        self._all_kinds = QAction("Show every kind", self._kinds_menu)
        self._all_kinds.triggered.connect(self._show_all_kinds)
        self._kinds_menu.addAction(self._all_kinds)
        self._kinds_menu.addSeparator()
        self._kind_actions: dict[str, QAction] = {}
        for kind in KINDS:
            action = QAction(kind, self._kinds_menu)
            action.setCheckable(True)
            action.setChecked(True)
            marker = MARKERS.get(kind)
            if marker:
                action.setIcon(marker_icon(marker))
            action.toggled.connect(self._on_kinds_toggled)
            self._kinds_menu.addAction(action)
            self._kind_actions[kind] = action
        self._kinds_button.setMenu(self._kinds_menu)
        self._kinds_button.setMinimumWidth(self.fontMetrics().horizontalAdvance("Kinds: 13 of 13") + 36)

        self._text = QLineEdit(self)
        self._text.setPlaceholderText("Filter by function, arguments or results…")
        self._text.setClearButtonEnabled(True)
        self._regex = QCheckBox("Regex", self)
        self._regex.setToolTip("Treat the filter text as a regular expression")
        self._status = QLabel(self)
        self._status.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._export = QPushButton("Export JSON…", self)
        self._export.setToolTip("Write the entries shown (after filtering) to a JSON file")
        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(300)
        self._debounce.timeout.connect(self.apply_filter)
        self._text.textChanged.connect(self._debounce.start)
        self._text.returnPressed.connect(self.apply_filter)
        self._regex.toggled.connect(self.apply_filter)
        self._export.clicked.connect(self._on_export_clicked)

        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setItemDelegate(_HistoryDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setSortingEnabled(False)
        self.table.setWordWrap(False)
        self.table.setAlternatingRowColors(False)
        self.table.setShowGrid(False)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setIconSize(QSize(12, 12))
        vh = self.table.verticalHeader()
        vh.setVisible(False)
        vh.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
        vh.setDefaultSectionSize(self.fontMetrics().height() + 8)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        hh.setStretchLastSection(True)
        fm = self.fontMetrics()
        for col, sample in (
            (HistoryModel.COL_INDEX, "  1000000 "),
            (HistoryModel.COL_TIME, "  2026-01-01 00:00:00.000  "),
            (HistoryModel.COL_VERSION, " Version  "),
            (HistoryModel.COL_KIND, "     invocation-failed   "),
        ):
            self.table.setColumnWidth(col, fm.horizontalAdvance(sample) + 12)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)
        self.model.dataChanged.connect(self._on_data_changed)
        self.model.modelReset.connect(self._update_status)
        self.model.rowsInserted.connect(self._update_status)
        self.model.page_failed.connect(self._on_page_failed)

        self.detail = QTextBrowser(self)
        self.detail.setOpenLinks(False)
        self.detail.setPlaceholderText("Select an entry to see its arguments, result, host calls and output.")

        bar = QHBoxLayout()
        bar.addWidget(self._kinds_button)
        bar.addWidget(self._text, 1)
        bar.addWidget(self._regex)
        bar.addWidget(self._export)
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(self.detail)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(bar)
        layout.addWidget(splitter, 1)
        layout.addWidget(self._status)
        self._update_kinds_button()
        self._update_status()
        ops.changed.connect(self._on_changed)

    # -- public -----------------------------------------------------------------------

    @property
    def ref(self) -> str | None:
        return self._ref

    @property
    def current_filter(self) -> HistoryFilter:
        return self._filter

    def show_worker(self, ref: str | None) -> None:
        """Show the history of ``ref`` (or nothing)."""
        if ref != self._ref:
            self._cancel_filter()
            self._ref = ref
            self._scanned_to = 0
            self.model.set_source(None, 0)
            self.detail.clear()
        if ref is None:
            self._update_status()
            return
        self._locate()

    def set_filter(self, kinds: Iterable[str] | None = None, text: str = "", regex: bool = False) -> None:
        """Set the filter controls and apply them at once."""
        chosen = set(KINDS) if kinds is None else set(kinds)
        for kind, action in self._kind_actions.items():
            action.blockSignals(True)
            action.setChecked(kind in chosen)
            action.blockSignals(False)
        for w, value in ((self._text, text), (self._regex, regex)):
            w.blockSignals(True)
            if isinstance(w, QLineEdit):
                w.setText(str(value))
            else:
                w.setChecked(bool(value))
            w.blockSignals(False)
        self._update_kinds_button()
        self.apply_filter()

    def apply_filter(self) -> None:
        """Run the filter of the controls as a background scan of the history."""
        self._debounce.stop()
        checked = frozenset(k for k, a in self._kind_actions.items() if a.isChecked())
        wanted = HistoryFilter(None if checked == frozenset(KINDS) else checked, self._text.text(), self._regex.isChecked())
        try:
            wanted.pattern()
        except re.error as e:
            self._status.setText(f"Invalid regular expression: {e}")
            return
        self._filter = wanted
        self._cancel_filter()
        self._scanned_to = 0
        if not wanted.active:
            if self.model.filtered:
                self.model.set_rows(None)
            self.filter_applied.emit(self.model.rowCount())
            return
        if self.model.wid is None:
            return
        self._scan(1, self.model.history_length, fresh=True)

    def select_index(self, history_index: int) -> bool:
        """Select the row that shows ``history_index``; False when it is filtered out."""
        row = self.model.row_of(history_index)
        if row is None:
            return False
        idx = self.model.index(row, 0)
        self.table.setCurrentIndex(idx)
        self.table.scrollTo(idx, QAbstractItemView.ScrollHint.PositionAtCenter)
        return True

    def export_json(self, path: str | None = None) -> Op | None:
        """Export the entries shown (after filtering) as a JSON array."""
        wid = self.model.wid
        if wid is None:
            return None
        if path is None:
            suggested = (self._ref or "history").replace("/", "-") + "-history.json"
            path, _ = QFileDialog.getSaveFileName(self, "Export history as JSON", suggested, "JSON (*.json)")
            if not path:
                return None
        op = Op("Exporting history", export_entries, self._workers, wid, self.model.shown_indices(), path)
        op.setProperty("path", path)
        op.succeeded.connect(self._on_exported)
        op.failed.connect(self._on_export_failed)
        self._status.setText(f"Exporting {self.model.rowCount()} entries…")
        return self._ops.read(op)

    # -- worker location and growth ---------------------------------------------------

    def _locate(self) -> None:
        if self._ref is None:
            return
        op = Op("Opening history", _locate, self._workers, self._ref)
        op.succeeded.connect(self._on_located)
        op.failed.connect(self._on_locate_failed)
        self._ops.read(op)

    def _on_located(self, loc: _Located) -> None:
        if loc.ref != self._ref:
            return
        if self.model.wid != loc.wid:
            self.model.set_source(loc.wid, loc.length)
            if self._filter.active:
                self._scan(1, loc.length, fresh=True)
        else:
            self.model.set_length(loc.length)
            if self._filter.active and self._filter_op is None and loc.length > self._scanned_to:
                self._scan(self._scanned_to + 1, loc.length, fresh=False)
        self._update_status()
        self.located.emit(loc.ref)

    def _on_locate_failed(self, message: str) -> None:
        self._status.setText(message)

    def _on_changed(self, what: str) -> None:
        if self._ref is not None and what in (f"worker:{self._ref}", "workers"):
            self._locate()

    # -- filtering --------------------------------------------------------------------

    def _scan(self, start: int, stop: int, fresh: bool) -> None:
        wid = self.model.wid
        if wid is None:
            return
        f = self._filter
        op = Op("Filtering history", scan_history, self._workers, wid, start, stop, f.kinds, f.pattern())
        op.setProperty("fresh", fresh)
        op.succeeded.connect(self._on_scanned)
        op.failed.connect(self._on_scan_failed)
        op.progressed.connect(self._on_scan_progress)
        op.finished.connect(self._on_scan_finished)
        self._filter_op = op
        self._status.setText("Filtering…")
        self._ops.read(op)

    def _on_scanned(self, result: tuple[int, list[int]]) -> None:
        op = self.sender()
        if op is not self._filter_op:
            return
        self._filter_op = None
        stop, indices = result
        if op.property("fresh"):
            self.model.set_rows(indices)
        else:
            self.model.append_rows(indices)
        self._scanned_to = stop
        self._update_status()
        self.filter_applied.emit(self.model.rowCount())
        if self._filter.active and self.model.history_length > self._scanned_to and self.model.filtered:
            self._scan(self._scanned_to + 1, self.model.history_length, fresh=False)

    def _on_scan_progress(self, done: int, total: int) -> None:
        if self.sender() is self._filter_op and total:
            self._status.setText(f"Filtering… {100 * done // total}%")

    def _on_scan_failed(self, message: str) -> None:
        if self.sender() is self._filter_op:
            self._filter_op = None
            self._status.setText(f"Filtering failed: {message}")

    def _on_scan_finished(self) -> None:
        if self.sender() is self._filter_op:
            self._filter_op = None

    def _cancel_filter(self) -> None:
        if self._filter_op is not None:
            self._filter_op.cancel()
            self._filter_op = None

    def _on_kinds_toggled(self) -> None:
        self._update_kinds_button()
        self.apply_filter()

    def _show_all_kinds(self) -> None:
        for action in self._kind_actions.values():
            action.blockSignals(True)
            action.setChecked(True)
            action.blockSignals(False)
        self._on_kinds_toggled()

    def _update_kinds_button(self) -> None:
        n = sum(a.isChecked() for a in self._kind_actions.values())
        self._kinds_button.setText("Kinds: all" if n == len(KINDS) else f"Kinds: {n} of {len(KINDS)}")

    # -- selection, status, export ----------------------------------------------------

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        self._show_detail(current.row() if current.isValid() else -1)
        if current.isValid():
            self.entry_selected.emit(self.model.history_index(current.row()))

    def _on_data_changed(self, top_left: QModelIndex, bottom_right: QModelIndex) -> None:
        current = self.table.currentIndex()
        if current.isValid() and top_left.row() <= current.row() <= bottom_right.row():
            self._show_detail(current.row())

    def _show_detail(self, row: int) -> None:
        entry = self.model.entry(row) if row >= 0 else None
        if entry is None:
            if row >= 0:
                self.detail.setHtml(f"<p>Loading entry #{self.model.history_index(row)}…</p>")
            else:
                self.detail.clear()
            return
        self.detail.setHtml(entry_html(entry))

    def _update_status(self) -> None:
        if self._filter_op is not None:
            return
        if self._ref is None:
            self._status.setText("No worker selected")
            return
        total = self.model.history_length
        if self.model.filtered:
            self._status.setText(f"{self._ref}: {self.model.rowCount():,} of {total:,} entries match the filter")
        else:
            self._status.setText(f"{self._ref}: {total:,} entries")

    def _on_page_failed(self, message: str) -> None:
        self._status.setText(f"Reading history failed: {message}")

    def _on_export_clicked(self) -> None:
        self.export_json()

    def _on_exported(self, count: int) -> None:
        op = self.sender()
        path = str(op.property("path")) if isinstance(op, Op) else ""
        self._status.setText(f"Exported {count:,} entries to {path}")
        self.exported.emit(path)

    def _on_export_failed(self, message: str) -> None:
        self._status.setText(f"Export failed: {message}")
        self.export_failed.emit(message)
