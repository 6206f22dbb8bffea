"""The status bar widget: what runs in the background, its progress, and a Cancel button."""

from __future__ import annotations

import time

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QWidget,
)

from desktop_app.gui.widgets.ops import Op, Operations


class QtStatus(QWidget):
    """Shows the most recent running op; Cancel stops it when it can be stopped.

    Commands (the write lane) show at once and end with their outcome in words.
    Queries (the read lane, and ops marked ``background``) are usually over in
    a blink: they show only when they run longer than ``READ_DELAY_MS`` or
    report progress, and end without a word: the view that asked shows what it read,
    or why it could not.
    """

    shown = Signal(object)  # the op now on display, or None
    MESSAGE_MS = 6000
    READ_DELAY_MS = 400

    def __init__(self, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ops = ops
        self._running: list[Op] = []
        self._started: dict[int, float] = {}
        self._progress: dict[int, tuple[int, int]] = {}
        self._current: Op | None = None
        self._note: str | None = None
        self._last_words: str | None = None  # the last command's outcome, shown again after a long read

        self.label = QLabel("Ready", self)
        self.label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.bar = QProgressBar(self)
        self.bar.setFixedWidth(180)
        self.bar.setTextVisible(False)
        self.bar.hide()
        self.cancel_button = QPushButton("Cancel", self)
        self.cancel_button.setToolTip("Stop this background task (nothing half-done is recorded)")
        self.cancel_button.setStyleSheet("QPushButton { padding: 1px 12px; }")
        self.cancel_button.hide()
        self.cancel_button.clicked.connect(self.cancel_current)
        self._clear = QTimer(self)
        self._clear.setSingleShot(True)
        self._clear.timeout.connect(self._show_ready)

        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 0, 6, 0)
        layout.setSpacing(10)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)

        ops.op_started.connect(self._on_started)
        ops.op_progressed.connect(self._on_progressed)
        ops.op_finished.connect(self._on_finished)

    @property
    def current(self) -> Op | None:
        """The op on display."""
        return self._current

    @property
    def text(self) -> str:
        return self.label.text()

    @Slot()
    def cancel_current(self) -> None:
        op = self._current
        if op is not None and op.cancellable:
            op.cancel()
            self.cancel_button.setEnabled(False)
            self.label.setText(f"Cancelling: {op.title}…")

    def show_message(self, text: str, msecs: int = MESSAGE_MS) -> None:
        """A note for the user; while work is on display it waits until that work ends."""
        self._last_words = text
        if self._current is None:
            self.label.setText(text)
            self._clear.start(msecs)
        else:
            self._note = text

    # -- slots -------------------------------------------------------------------------------

    @Slot(object)
    def _on_started(self, op: Op) -> None:
        if op in self._running:
            return
        self._running.append(op)
        self._started[id(op)] = time.monotonic()
        if _quiet(op):
            QTimer.singleShot(self.READ_DELAY_MS + 10, self._refresh)
        else:
            self._refresh()

    @Slot(object, int, int)
    def _on_progressed(self, op: Op, done: int, total: int) -> None:
        if op not in self._running:
            return
        self._progress[id(op)] = (done, total)
        if op is self._current:
            self._show_progress(done, total)
        else:
            self._refresh()

    @Slot(object)
    def _on_finished(self, op: Op) -> None:
        if op not in self._running:
            return
        self._running.remove(op)
        self._started.pop(id(op), None)
        self._progress.pop(id(op), None)
        was_current = op is self._current
        if was_current:
            self._current = None
        visible = self._visible()
        if visible:
            self._show(visible[-1])
            if _quiet(op):
                pass
            elif op.error:
                self._note = f"{op.title} failed: {op.error}"
            elif op.outcome == "succeeded":
                self._note = _done_text(op)
            return
        if not was_current and (_quiet(op) or (not op.error and op.outcome != "succeeded")):
            return
        self.bar.hide()
        self.cancel_button.hide()
        note, self._note = self._note, None
        if op.error and not _quiet(op):
            self.label.setText(f"{op.title} failed: {op.error}")
        elif note:
            self.label.setText(note)
        elif op.outcome == "cancelled":
            self.label.setText(f"{op.title}: cancelled")
        elif not _quiet(op):
            self.label.setText(_done_text(op))
        elif self._last_words and not was_current:
            self.label.setText(self._last_words)
        elif self._last_words:
            self.label.setText(self._last_words)
        else:
            self.label.setText("Ready")
        if not _quiet(op):
            self._last_words = self.label.text()
        self._clear.start(self.MESSAGE_MS)
        self.shown.emit(None)

    # -- display -------------------------------------------------------------------------------

    def _visible(self) -> list[Op]:
        now = time.monotonic()
        delay = self.READ_DELAY_MS / 1000
        return [
            op
            for op in self._running
            if not _quiet(op) or id(op) in self._progress or now - self._started.get(id(op), now) >= delay
        ]

    @Slot()
    def _refresh(self) -> None:
        visible = self._visible()
        if visible and visible[-1] is not self._current:
            self._show(visible[-1])
        elif self._current is not None:
            self._update_label()

    def _show(self, op: Op) -> None:
        self._clear.stop()
        self._current = op
        self.bar.show()
        done, total = self._progress.get(id(op), (0, 0))
        self._show_progress(done, total)
        self.cancel_button.setVisible(op.cancellable)
        self.cancel_button.setEnabled(op.cancellable and not op.is_cancelled)
        self._update_label()
        self.shown.emit(op)

    def _show_progress(self, done: int, total: int) -> None:
        if total <= 0:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))

    def _update_label(self) -> None:
        op = self._current
        if op is None:
            return
        more = len(self._visible()) - 1
        suffix = f"  (+{more} more)" if more > 0 else ""
        self.label.setText(f"{op.title}…{suffix}")

    def _show_ready(self) -> None:
        if self._current is None:
            self._last_words = None
            self.label.setText("Ready")


def _quiet(op: Op) -> bool:
    """A query: shown only when slow, and not reported when it ends (its view reports it).

    An op with ``done_words`` is something the user asked for (an export runs on
    the read lane), so it is reported like any command.
    """
    return op.background or (op.lane == "read" and op.done_words is None)


def _done_text(op: Op) -> str:
    if op.done_words is not None:
        try:
            return op.done_words(op.result)
        except Exception:  # noqa: BLE001 - words must never break the status bar
            pass
    return f"{op.title}: done"
