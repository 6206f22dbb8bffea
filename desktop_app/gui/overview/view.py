"""The Overview tab: a worker's status, version, counts, last error and update records."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFormLayout,
    QHeaderView,
    QLabel,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.widgets.formats import held_by_text, short_time
from desktop_app.gui.widgets.ops import Op, Operations
from desktop_app.gui.widgets.style import BADGES, STATUS_BADGE, pill_style, set_role
from domain.services.workers import Workers

UPDATE_KINDS = {
    "pendingUpdate": ("pending", "warn"),
    "successfulUpdate": ("succeeded", "ok"),
    "failedUpdate": ("failed", "bad"),
    "cancelledUpdate": ("cancelled", "muted"),
}


@dataclass
class _Loaded:
    ref: str
    meta: dict[str, Any]


class QtOverview(QWidget):
    """Shows :meth:`Workers.read_metadata` for one worker, refreshed when it changes."""

    loaded = Signal(str)

    def __init__(self, workers: Workers, ops: Operations, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._workers = workers
        self._ops = ops
        self._ref: str | None = None
        self.meta: dict[str, Any] | None = None

        self.status = QLabel(self)
        self.status.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
        self.version = QLabel(self)
        self.created = QLabel(self)
        self.env = QLabel(self)
        self.args = QLabel(self)
        self.grants = QLabel(self)
        self.invocations = QLabel(self)
        self.history = QLabel(self)
        self.last_error = QLabel(self)
        self.held_by = QLabel(self)
        self.held_by.setWordWrap(True)
        self.held_by.setToolTip("The process running this worker's update; others wait until it ends")
        for label in (self.held_by, self.version, self.created, self.env, self.args, self.grants, self.invocations, self.history, self.last_error):
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        for label in (self.env, self.args, self.last_error):
            label.setWordWrap(True)

        form = QFormLayout()
        form.setHorizontalSpacing(18)
        form.setVerticalSpacing(8)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.ExpandingFieldsGrow)
        rows = (
            ("Status", self.status),
            ("Component version", self.version),
            ("Created", self.created),
            ("Environment", self.env),
            ("Arguments", self.args),
            ("Access", self.grants),
            ("Invocations", self.invocations),
            ("History entries", self.history),
            ("Last error", self.last_error),
        )
        for text, w in rows:
            label = set_role(QLabel(text, self), "subtle")
            form.addRow(label, w)
        form.insertRow(1, set_role(QLabel("Update in progress", self), "subtle"), self.held_by)
        self._form = form
        form.setRowVisible(1, False)

        self.updates = QTableWidget(0, 6, self)
        self.updates.setHorizontalHeaderLabels(["Time", "Outcome", "Mode", "From", "To", "Details"])
        self.updates.verticalHeader().setVisible(False)
        self.updates.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.updates.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.updates.setAlternatingRowColors(True)
        self.updates.setShowGrid(False)
        self.updates.setWordWrap(False)
        header = self.updates.horizontalHeader()
        header.setStretchLastSection(True)
        for col in range(5):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.no_updates = set_role(QLabel("No update attempts yet.", self), "subtle")
        self.message = set_role(QLabel(self), "error")
        self.message.hide()

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 14, 16, 14)
        layout.setSpacing(8)
        layout.addWidget(self.message)
        layout.addLayout(form)
        layout.addSpacing(6)
        layout.addWidget(set_role(QLabel("Update records", self), "section"))
        layout.addWidget(self.no_updates)
        layout.addWidget(self.updates, 1)
        self._filler = QWidget(self)
        self._filler.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
        layout.addWidget(self._filler, 1)
        self.updates.hide()
        ops.changed.connect(self._on_changed)

    @property
    def ref(self) -> str | None:
        return self._ref

    def show_worker(self, ref: str | None) -> None:
        if ref != self._ref:
            self.meta = None
            self._clear()
        self._ref = ref
        if ref is not None:
            self.refresh()

    def refresh(self) -> None:
        if self._ref is None:
            return
        op = Op(f"Reading {self._ref}", _read, self._workers, self._ref)
        op.succeeded.connect(self._on_loaded)
        op.failed.connect(self._on_failed)
        self._ops.read(op)

    @Slot(str)
    def _on_changed(self, what: str) -> None:
        if self._ref is not None and what in (f"worker:{self._ref}", "workers"):
            self.refresh()

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.message.setText(message)
        self.message.show()

    @Slot(object)
    def _on_loaded(self, result: _Loaded) -> None:
        if result.ref != self._ref:
            return
        self.meta = m = result.meta
        self.message.hide()
        status = str(m["status"])
        self.status.setText(status)
        self.status.setStyleSheet(pill_style(STATUS_BADGE.get(status, "muted")))
        self.version.setText(f"{m['componentVersion']}  ({_size(m['componentSize'])})")
        self.created.setText(short_time(m["createdAt"]))
        self.env.setText(", ".join(f"{k}={v}" for k, v in m["env"].items()) or "none")
        self.args.setText(" ".join(m["args"]) or "none")
        grants = m.get("grants") or {}
        access = ["its own private files"]
        if grants.get("copiedDir"):
            access[0] = f"its own private files (started from a copy of {grants['copiedDir']['from']})"
        if grants.get("dir"):
            access.append(f"the host folder {grants['dir']}")
        access.append("outgoing HTTP" if grants.get("http") else "no network")
        self.grants.setText(", ".join(access))
        self.invocations.setText(
            f"{m['invocationCount']:,} succeeded · {m['failedInvocationCount']:,} failed · "
            f"{m['interruptedInvocationCount']:,} interrupted"
        )
        self.history.setText(f"{m['historyLength']:,}")
        error = m.get("lastError")
        self.last_error.setText(error or "none")
        set_role(self.last_error, "error" if error else "")
        held = held_by_text(m.get("heldBy"))
        self.held_by.setText(held)
        self._form.setRowVisible(1, bool(held))
        self._fill_updates(m.get("updates") or [])
        self.loaded.emit(result.ref)

    def _fill_updates(self, updates: list[dict[str, Any]]) -> None:
        self.updates.setRowCount(0)
        self.updates.setVisible(bool(updates))
        self.no_updates.setVisible(not updates)
        self._filler.setVisible(not updates)
        for u in reversed(updates):
            row = self.updates.rowCount()
            self.updates.insertRow(row)
            kind, badge = UPDATE_KINDS.get(u.get("type", ""), (u.get("type", "?"), "muted"))
            frm = u.get("fromVersion")
            cells = [
                short_time(u.get("timestamp")),
                kind,
                str(u.get("mode", "")),
                "—" if frm is None else str(frm),
                str(u.get("targetVersion", "")),
                str(u.get("details") or ""),
            ]
            for col, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if col == 5:
                    item.setToolTip(text)
                if col == 1:
                    item.setForeground(_colour(badge))
                self.updates.setItem(row, col, item)

    def _clear(self) -> None:
        for label in (self.status, self.version, self.created, self.env, self.args, self.grants, self.invocations, self.history, self.last_error):
            label.clear()
        self.status.setStyleSheet("")
        self.updates.setRowCount(0)
        self.message.hide()


def _read(workers: Workers, ref: str) -> _Loaded:
    return _Loaded(ref, workers.read_metadata(ref))


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KiB"
    return f"{n / 1024 / 1024:.1f} MiB"


def _colour(badge: str) -> Any:
    from PySide6.QtGui import QColor

    return QColor(BADGES.get(badge, BADGES["muted"])[1])
