"""Time travel: rebuild a worker as it was after any history entry and call it, side by side with now.

The work is :class:`domain.services.time_travel.TimeTravel`'s, run on the write lane; this is its screen.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.widgets.labels import shrinkable
from desktop_app.gui.widgets.ops import Op, Operations
from desktop_app.gui.widgets.outcomes import called_in_the_past, compared_with_now, rebuilt_in_the_past
from domain.model.types import FunctionSignature
from domain.services.time_travel import CallResult, Comparison, TimeTravel, Travel
from domain.services.workers import PastWorker, Workers

SAME_COLOUR = "#1a7f37"
DIFF_COLOUR = "#9a6700"


def signature_label(sig: FunctionSignature) -> str:
    return f"{sig.name}{sig.wit()[4:]}"


# --------------------------------------------------------------------------- background jobs


@dataclass
class _Length:
    ref: str
    length: int


def _history_length(workers: Workers, ref: str) -> _Length:
    return _Length(ref, workers.history_length(ref))


# --------------------------------------------------------------------------- the view


def _result_box() -> QPlainTextEdit:
    box = QPlainTextEdit()
    box.setReadOnly(True)
    box.setMaximumHeight(120)
    return box


class QtTimeTravelView(QWidget):
    """Rebuild a worker at any history entry and make calls on that past state, never recorded."""

    length_known = Signal(int)
    travelled = Signal(int)
    call_finished = Signal(str)
    compared = Signal(str, str)
    failed = Signal(str)

    def __init__(self, workers: Workers, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workers = workers
        self._time_travel = TimeTravel(workers)
        self._ops = ops
        self._ref: str | None = None
        self._length = 0
        self._past: PastWorker | None = None
        self._now: PastWorker | None = None
        self._busy: Op | None = None
        self._wanted_position: int | None = None

        self.title = shrinkable(QLabel("No worker selected", self))
        self.position = QSpinBox(self)
        self.position.setRange(1, 1)
        self.position.setAccelerated(True)
        self.of_label = QLabel("", self)
        self.travel_button = QPushButton("Rebuild", self)
        self.travel_button.setToolTip("Rebuild the worker as it was right after this history entry")
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.hide()
        self.status = shrinkable(QLabel(self))
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.RichText)

        self.function_combo = QComboBox(self)
        self.function_combo.setMinimumContentsLength(24)
        self.args_edit = QLineEdit(self)
        self.args_edit.setPlaceholderText('WAVE arguments, separated by commas: 5, "text", [1, 2]')
        self.call_button = QPushButton("Call", self)
        self.compare_button = QPushButton("Compare with now", self)
        self.compare_button.setToolTip("Make the same call on the worker as it is now (also a scratch copy) and show both")

        self.then_title = QLabel("<b>Then</b>", self)
        self.now_title = QLabel("<b>Now</b>", self)
        self.then_result = _result_box()
        self.now_result = _result_box()
        self.verdict = QLabel(self)

        travel_row = QHBoxLayout()
        travel_row.addWidget(QLabel("As it was right after entry", self))
        travel_row.addWidget(self.position)
        travel_row.addWidget(self.of_label)
        travel_row.addWidget(self.travel_button)
        travel_row.addWidget(self.cancel_button)
        travel_row.addStretch(1)
        call_box = QGroupBox("Call the past worker (read-only: nothing is recorded)", self)
        call_grid = QGridLayout(call_box)
        call_grid.addWidget(QLabel("Function", call_box), 0, 0)
        call_grid.addWidget(self.function_combo, 0, 1, 1, 3)
        call_grid.addWidget(QLabel("Arguments", call_box), 1, 0)
        call_grid.addWidget(self.args_edit, 1, 1)
        call_grid.addWidget(self.call_button, 1, 2)
        call_grid.addWidget(self.compare_button, 1, 3)
        call_grid.setColumnStretch(1, 1)
        results = QGridLayout()
        results.addWidget(self.then_title, 0, 0)
        results.addWidget(self.now_title, 0, 1)
        results.addWidget(self.then_result, 1, 0)
        results.addWidget(self.now_result, 1, 1)
        results.addWidget(self.verdict, 2, 0, 1, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.title)
        layout.addLayout(travel_row)
        layout.addWidget(self.status)
        layout.addWidget(call_box)
        layout.addLayout(results)
        layout.addStretch(1)

        self.travel_button.clicked.connect(self.travel)
        self.cancel_button.clicked.connect(self.cancel)
        self.call_button.clicked.connect(self.call)
        self.compare_button.clicked.connect(self.compare_with_now)
        self.args_edit.returnPressed.connect(self.call)
        self.function_combo.currentIndexChanged.connect(self._on_function_changed)
        ops.changed.connect(self._on_changed)
        self._update_controls()

    # -- public -----------------------------------------------------------------------

    @property
    def ref(self) -> str | None:
        return self._ref

    @property
    def past_position(self) -> int | None:
        return None if self._past is None else self._past.position

    def show_worker(self, ref: str | None) -> None:
        """Travel within ``ref``'s history (or show nothing)."""
        if ref != self._ref:
            self._ref = ref
            self._past = None
            self._now = None
            self._busy = None
            self.function_combo.clear()
            self._clear_results()
            self.status.setText("")
        if ref is None:
            self.title.setText("No worker selected")
            self._update_controls()
            return
        self.title.setText(f"<b>{html.escape(ref)}</b>")
        self._read_length()

    def set_position(self, position: int) -> None:
        """Choose the history entry to travel to (e.g. the entry selected in the history)."""
        self._wanted_position = position
        if position <= self.position.maximum():
            self.position.setValue(position)

    def travel(self) -> Op | None:
        """Rebuild the worker as it was right after the chosen entry."""
        if self._ref is None or self._busy is not None:
            return None
        position = self.position.value()
        op = Op(f"Rebuilding {self._ref} at entry {position}", self._time_travel.travel, self._ref, position)
        op.done_words = rebuilt_in_the_past
        op.succeeded.connect(self._on_travelled)
        self.status.setText(f"Rebuilding {html.escape(self._ref)} as it was right after entry {position}…")
        self.cancel_button.show()
        return self._run(op)

    def cancel(self) -> None:
        """Stop waiting for the rebuild; its result is discarded when it arrives."""
        if self._busy is None:
            return
        self._busy.cancel()
        self._busy = None
        self.cancel_button.hide()
        self.status.setText("Rebuild cancelled; nothing changed.")
        self._update_controls()

    def call(self) -> Op | None:
        """Call the chosen function on the past worker."""
        if self._past is None or self._busy is not None or self._ref is None:
            return None
        function = self.function_combo.currentData()
        if function is None:
            return None
        op = Op("Calling the past worker", self._time_travel.call, self._ref, self._past, function, self._args())
        op.done_words = called_in_the_past(self._past.position)
        op.succeeded.connect(self._on_called)
        return self._run(op)

    def compare_with_now(self) -> Op | None:
        """Make the same call on the past worker and on the worker as it is now."""
        if self._past is None or self._busy is not None or self._ref is None:
            return None
        function = self.function_combo.currentData()
        if function is None:
            return None
        compare = self._time_travel.compare
        op = Op("Comparing with now", compare, self._ref, self._past, self._now, function, self._args())
        op.done_words = compared_with_now
        op.succeeded.connect(self._on_compared)
        return self._run(op)

    def select_function(self, name: str) -> bool:
        for i in range(self.function_combo.count()):
            data = self.function_combo.itemData(i)
            if data == name or str(data).endswith(f"{{{name}}}"):
                self.function_combo.setCurrentIndex(i)
                return True
        return False

    # -- slots ------------------------------------------------------------------------

    def _read_length(self) -> None:
        if self._ref is None:
            return
        op = Op("Reading history length", _history_length, self._workers, self._ref)
        op.succeeded.connect(self._on_length)
        op.failed.connect(self._on_failed)
        self._ops.read(op)

    def _on_length(self, result: _Length) -> None:
        if result.ref != self._ref:
            return
        first = self._length == 0
        self._length = result.length
        self.position.setRange(1, max(1, result.length))
        if self._wanted_position is not None and self._wanted_position <= result.length:
            self.position.setValue(self._wanted_position)
        elif first:
            self.position.setValue(result.length)
        self.of_label.setText(f"of {result.length:,}")
        self.title.setText(f"<b>{html.escape(result.ref)}</b> · {result.length:,} history entries")
        self._update_controls()
        self.length_known.emit(result.length)

    def _on_changed(self, what: str) -> None:
        if self._ref is not None and what in (f"worker:{self._ref}", "workers"):
            self._read_length()

    def _on_travelled(self, t: Travel) -> None:
        if self.sender() is not self._busy or t.ref != self._ref:
            return
        self._past = t.past
        self._idle()
        current = self.function_combo.currentData()
        self.function_combo.blockSignals(True)
        self.function_combo.clear()
        for sig in t.functions:
            self.function_combo.addItem(signature_label(sig), sig.qualified_name)
            self.function_combo.setItemData(self.function_combo.count() - 1, sig.qualified_name, Qt.ItemDataRole.ToolTipRole)
        index = self.function_combo.findData(current)
        self.function_combo.setCurrentIndex(index if index >= 0 else 0)
        self.function_combo.blockSignals(False)
        self._clear_results()
        self.then_title.setText(f"<b>Then</b> (right after entry {t.position})")
        self.status.setText(
            f"Rebuilt {html.escape(t.ref)} as it was right after entry <b>{t.position}</b> "
            f"(component version {t.past.worker.component_version}). Calls run on a scratch copy and are "
            "never recorded; calls that change state change only that copy — rebuild to start over."
        )
        self.travelled.emit(t.position)

    def _on_called(self, r: CallResult) -> None:
        if self.sender() is not self._busy or r.ref != self._ref:
            return
        self._idle()
        self._past = r.past
        self.then_result.setPlainText(r.then)
        self.now_result.clear()
        self.now_title.setText("<b>Now</b>")
        self.verdict.clear()
        self.call_finished.emit(r.then)

    def _on_compared(self, c: Comparison) -> None:
        if self.sender() is not self._busy or c.ref != self._ref:
            return
        self._idle()
        self._past, self._now = c.past, c.now
        self.then_result.setPlainText(c.then)
        self.now_result.setPlainText(c.now_text)
        self.now_title.setText(f"<b>Now</b> (after entry {c.now.position}, version {c.now.worker.component_version})")
        colour = SAME_COLOUR if c.same else DIFF_COLOUR
        word = "The same result then and now." if c.same else "The results differ."
        self.verdict.setText(f"<span style='color:{colour}; font-weight:600'>{word}</span>")
        self.compared.emit(c.then, c.now_text)

    def _on_failed(self, message: str) -> None:
        self.status.setText(f"<span style='color:#c62828'>{html.escape(message)}</span>")
        self.failed.emit(message)

    def _on_busy_finished(self) -> None:
        if self.sender() is self._busy:
            self._idle()

    def _idle(self) -> None:
        self._busy = None
        self.cancel_button.hide()
        self._update_controls()

    def _on_function_changed(self) -> None:
        self.args_edit.setToolTip(str(self.function_combo.currentData() or ""))

    # -- helpers ----------------------------------------------------------------------

    def _args(self) -> str:
        return self.args_edit.text()

    def _run(self, op: Op) -> Op:
        op.failed.connect(self._on_op_failed)
        op.finished.connect(self._on_busy_finished)
        self._busy = op
        self._update_controls()
        return self._ops.write(op)

    def _on_op_failed(self, message: str) -> None:
        if self.sender() is self._busy:
            self._idle()
            self._on_failed(message)

    def _clear_results(self) -> None:
        self.then_result.clear()
        self.now_result.clear()
        self.verdict.clear()
        self.then_title.setText("<b>Then</b>")
        self.now_title.setText("<b>Now</b>")

    def _update_controls(self) -> None:
        idle = self._busy is None and self._ref is not None
        self.position.setEnabled(idle and self._length > 0)
        self.travel_button.setEnabled(idle and self._length > 0)
        ready = idle and self._past is not None
        for w in (self.function_combo, self.args_edit, self.call_button, self.compare_button):
            w.setEnabled(ready)

