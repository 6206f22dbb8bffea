"""Every update attempt of one worker, with failure details, divergence and state snapshot."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.updates.records import (
    UpdatesModel,
    _is_json,
    _load_snapshot,
    _load_updates,
    _Snapshot,
    _Updates,
    _value_text,
    _when,
    hex_dump,
    outcome_of,
    snapshot_text,
)
from desktop_app.gui.widgets.formats import (
    OUTCOME_COLOURS,
    count,
    human_duration,
    mode_label,
)
from desktop_app.gui.widgets.labels import shrinkable
from desktop_app.gui.widgets.ops import Op, Operations
from domain.services.workers import Workers

# --------------------------------------------------------------------------- the view


def _mono() -> Any:
    return QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)


def _text_box(placeholder: str) -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)
    box.setFont(_mono())
    box.setPlaceholderText(placeholder)
    box.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
    return box


class QtUpdatesView(QWidget):
    """The update attempts of one worker and the details of the selected one."""

    loaded = Signal(int)
    snapshot_shown = Signal(str)
    cancel_finished = Signal(bool)
    entry_link_activated = Signal(int)  # a history entry named in the details, to jump to

    def __init__(self, workers: Workers, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workers = workers
        self._ops = ops
        self._ref: str | None = None
        self._version: int | None = None
        self._selected_id: str | None = None
        self._snapshot_base = ""
        self.model = UpdatesModel(self)

        self._title = shrinkable(QLabel("No worker selected", self))
        self.table = QTableView(self)
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setWordWrap(False)
        hh = self.table.horizontalHeader()
        hh.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        hh.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.selectionModel().currentRowChanged.connect(self._on_current_row)

        self.summary = QLabel(self)
        self.summary.setWordWrap(True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.cancel_button = QPushButton("Cancel pending update", self)
        self.cancel_button.setToolTip("Cancel the selected update; only updates that have not started can be cancelled")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel_selected)

        self.divergence_box = QGroupBox("Divergence", self)
        self.divergence_where = QLabel(self.divergence_box)
        self.divergence_where.setWordWrap(True)
        self.divergence_where.setTextFormat(Qt.TextFormat.RichText)
        self.divergence_where.setOpenExternalLinks(False)
        self.divergence_where.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.divergence_where.linkActivated.connect(self._on_link)
        self.expected = _text_box("expected")
        self.actual = _text_box("actual")
        for box in (self.expected, self.actual):
            box.setMaximumHeight(8 * box.fontMetrics().lineSpacing())
        grid = QGridLayout(self.divergence_box)
        grid.addWidget(self.divergence_where, 0, 0, 1, 2)
        grid.addWidget(QLabel("<b>Recorded in the history (expected)</b>"), 1, 0)
        grid.addWidget(QLabel("<b>Target version returned (actual)</b>"), 1, 1)
        grid.addWidget(self.expected, 2, 0)
        grid.addWidget(self.actual, 2, 1)

        self.snapshot_box = QGroupBox("State snapshot", self)
        self.snapshot_info = QLabel(self.snapshot_box)
        self.snapshot_info.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.snapshot_tabs = QTabWidget(self.snapshot_box)
        self.hex_view = _text_box("hex dump")
        self.hex_view.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.text_view = _text_box("text")
        self.snapshot_tabs.addTab(self.hex_view, "Hex")
        self.snapshot_tabs.addTab(self.text_view, "Text")
        snap = QVBoxLayout(self.snapshot_box)
        snap.addWidget(self.snapshot_info)
        snap.addWidget(self.snapshot_tabs)

        detail = QWidget(self)
        dl = QVBoxLayout(detail)
        dl.setContentsMargins(0, 0, 0, 0)
        head = QHBoxLayout()
        head.addWidget(self.summary, 1)
        head.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignTop)
        dl.addLayout(head)
        self.divergence_box.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        dl.addWidget(self.divergence_box, 0)
        dl.addWidget(self.snapshot_box, 4)
        dl.addStretch(1)

        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.addWidget(self.table)
        splitter.addWidget(detail)
        splitter.setStretchFactor(0, 2)
        splitter.setStretchFactor(1, 3)
        splitter.setSizes([220, 480])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self._title)
        layout.addWidget(splitter, 1)
        self._show_details(None)
        ops.changed.connect(self._on_changed)

    # -- public -----------------------------------------------------------------------

    @property
    def ref(self) -> str | None:
        return self._ref

    def show_worker(self, ref: str | None) -> None:
        """Show the update attempts of ``ref`` (or nothing)."""
        if ref != self._ref:
            self._selected_id = None
            self.model.set_updates([])
            self._show_details(None)
        self._ref = ref
        if ref is None:
            self._title.setText("No worker selected")
            return
        self.refresh()

    def refresh(self) -> None:
        if self._ref is None:
            return
        op = Op("Reading updates", _load_updates, self._workers, self._ref)
        op.background = True
        op.succeeded.connect(self._on_loaded)
        op.failed.connect(self._on_failed)
        self._submit(op, write=True)

    def select_update(self, update_id: str) -> bool:
        row = self.model.row_of(update_id)
        if row is None:
            return False
        self.table.setCurrentIndex(self.model.index(row, 0))
        return True

    def show_update(self, update_id: str) -> bool:
        """Select update ``update_id`` now, or as soon as the worker's updates are read."""
        self._selected_id = update_id
        return self.select_update(update_id)

    def selected_update(self) -> dict[str, Any] | None:
        idx = self.table.currentIndex()
        return self.model.update_at(idx.row()) if idx.isValid() else None

    def cancel_selected(self) -> Op | None:
        """Cancel the selected pending update."""
        u = self.selected_update()
        if self._ref is None or u is None or not self._cancellable(u):
            return None
        self.cancel_button.setEnabled(False)
        ref, target = self._ref, u["targetVersion"]
        op = Op("Cancelling update", self._workers.cancel_update, ref, target)
        op.done_words = lambda _r: f"Cancelled the pending update of {ref} to version {target}"
        op.succeeded.connect(self._on_cancelled)
        op.failed.connect(self._on_cancel_failed)
        return self._submit(op, write=True, changes=(f"worker:{self._ref}", "audit"))

    # -- slots ------------------------------------------------------------------------

    def _on_loaded(self, result: _Updates) -> None:
        if result.ref != self._ref:
            return
        self._version = result.version
        keep = self._selected_id
        self.model.set_updates(result.updates)
        n = len(result.updates)
        self._title.setText(
            f"<b>{html.escape(result.ref)}</b> runs version {result.version} · {count(n, 'update attempt')}"
        )
        if keep is not None and self.select_update(keep):
            pass
        elif n:
            self.table.setCurrentIndex(self.model.index(0, 0))  # the newest
        else:
            self._show_details(None)
        self.loaded.emit(n)

    def _on_failed(self, message: str) -> None:
        self._title.setText(html.escape(message))

    def _on_changed(self, what: str) -> None:
        if self._ref is not None and what in (f"worker:{self._ref}", "workers"):
            self.refresh()

    def _on_current_row(self, current: QModelIndex, _previous: QModelIndex) -> None:
        u = self.model.update_at(current.row()) if current.isValid() else None
        self._show_details(u)

    def _on_link(self, link: str) -> None:
        kind, _, value = link.partition(":")
        if kind == "entry" and value.isdigit():
            self.entry_link_activated.emit(int(value))

    def _on_cancelled(self, _result: object) -> None:
        self.cancel_finished.emit(True)

    def _on_cancel_failed(self, message: str) -> None:
        self.summary.setText(self.summary.text() + f"<p style='color:#c62828'>{html.escape(message)}</p>")
        self.cancel_finished.emit(False)

    def _on_snapshot(self, snap: _Snapshot) -> None:
        if snap.ref != self._ref or snap.update_id != self._selected_id:
            return
        data = snap.data
        if data is None:
            self.snapshot_info.setText("The snapshot bytes are not available.")
            return
        self.hex_view.setPlainText(hex_dump(data))
        text = snapshot_text(data)
        self.text_view.setPlainText(text if text is not None else "(binary data: not UTF-8 text)")
        kind = "JSON" if text is not None and _is_json(data) else ("UTF-8 text" if text is not None else "binary")
        self.snapshot_info.setText(f"{self._snapshot_base} · {kind}")
        self.snapshot_shown.emit(snap.update_id)

    def _on_snapshot_failed(self, message: str) -> None:
        self.snapshot_info.setText(f"Reading the snapshot failed: {message}")

    # -- helpers ----------------------------------------------------------------------

    @staticmethod
    def _cancellable(u: dict[str, Any]) -> bool:
        return u.get("type") == "pendingUpdate" and u.get("stage") == "requested"

    def _show_details(self, u: dict[str, Any] | None) -> None:
        self._selected_id = None if u is None else u["id"]
        self.cancel_button.setEnabled(u is not None and self._cancellable(u))
        self.cancel_button.setVisible(u is not None and u.get("type") == "pendingUpdate")
        if u is None:
            self.summary.setText("Select an update attempt to see its details.")
            self.divergence_box.hide()
            self.snapshot_box.hide()
            return
        self.summary.setText(self._summary_html(u))
        div = u.get("divergence")
        self.divergence_box.setVisible(bool(div))
        if div:
            self.divergence_where.setText(
                f"<a href='entry:{div.get('entry')}'>Entry <b>#{div.get('entry')}</b></a> · {html.escape(str(div.get('function')))} · "
                f"kind <b>{html.escape(str(div.get('kind')))}</b><br>{html.escape(str(div.get('message', '')))}"
            )
            self.expected.setPlainText(_value_text(div.get("expected")))
            self.actual.setPlainText(_value_text(div.get("actual")))
        has_snapshot = bool(u.get("snapshotHash"))
        self.snapshot_box.setVisible(has_snapshot)
        self.hex_view.clear()
        self.text_view.clear()
        if has_snapshot and self._ref is not None:
            self._snapshot_base = f"{u.get('snapshotSize')} bytes · sha256 {u['snapshotHash']}"
            self.snapshot_info.setText(f"{self._snapshot_base} · loading…")
            op = Op("Reading snapshot", _load_snapshot, self._workers, self._ref, u["id"])
            op.background = True
            op.succeeded.connect(self._on_snapshot)
            op.failed.connect(self._on_snapshot_failed)
            self._submit(op, write=True)

    def _summary_html(self, u: dict[str, Any]) -> str:
        outcome = outcome_of(u)
        colour = OUTCOME_COLOURS.get(outcome, "#1d2330")
        src = "?" if u.get("fromVersion") is None else u["fromVersion"]
        lines = [
            f"<b>{html.escape(mode_label(u['mode']).capitalize())} update {src} → {u['targetVersion']}</b> · "
            f"<span style='color:{colour}; font-weight:600'>{html.escape(outcome)}</span>",
            f"Requested {_when(u['timestamp'])}"
            + (f" · finished {_when(u['finishedAt'])}" if u.get("finishedAt") else "")
            + (f" · took {human_duration(u.get('duration'))}" if u.get("duration") is not None else ""),
        ]
        if outcome == "failed":
            lines.append(
                f"Failed at stage <b>{html.escape(str(u.get('failedStage', '?')))}</b>: {html.escape(str(u.get('details')))}"
            )
            if u.get("revertedTo") is not None:
                lines.append(f"The worker was reverted to version {u['revertedTo']}, its state intact.")
            else:
                lines.append(f"The worker was kept on version {src}.")
        elif outcome == "pending":
            stage = u.get("stage")
            lines.append(
                "Waiting to run; it can still be cancelled."
                if stage == "requested"
                else f"Running (stage {html.escape(str(stage))}); it can no longer be cancelled."
            )
        elif outcome == "cancelled":
            lines.append(html.escape(str(u.get("details") or "cancelled before it ran")))
        return "<br>".join(lines)

    def _submit(self, op: Op, write: bool, changes: tuple[str, ...] = ()) -> Op:
        return self._ops.write(op, changes=changes) if write else self._ops.read(op)
