"""One worker's update records: how they read (outcomes, snapshots as hex or text), their table model and background reads."""

from __future__ import annotations

import copy
import html
import json
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QWidget,
)

from desktop_app.gui.widgets.formats import (
    OUTCOME_COLOURS,
    human_duration,
    human_size,
    mode_label,
    short_time,
)
from desktop_app.gui.widgets.table import QtColumnsModel
from domain.services.workers import Workers

HEX_DUMP_LIMIT = 64 * 1024

OUTCOMES = {
    "pendingUpdate": "pending",
    "successfulUpdate": "succeeded",
    "failedUpdate": "failed",
    "cancelledUpdate": "cancelled",
}

def hex_dump(data: bytes, limit: int = HEX_DUMP_LIMIT) -> str:
    """Offset, 16 bytes in hex and their printable ASCII, one line per 16 bytes."""
    lines = []
    shown = data[:limit]
    for offset in range(0, len(shown), 16):
        chunk = shown[offset : offset + 16]
        hexes = " ".join(f"{b:02x}" for b in chunk)
        text = "".join(chr(b) if 32 <= b < 127 else "." for b in chunk)
        lines.append(f"{offset:08x}  {hexes:<47}  |{text}|")
    if len(data) > limit:
        lines.append(f"… showing the first {limit:,} of {len(data):,} bytes")
    return "\n".join(lines) if lines else "(empty)"


def snapshot_text(data: bytes) -> str | None:
    """The snapshot as readable text (pretty JSON when it is JSON), or None for binary data."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None
    try:
        return json.dumps(json.loads(text), indent=2, ensure_ascii=False)
    except ValueError:
        pass
    if text and all(c.isprintable() or c in "\n\r\t" for c in text):
        return text
    return None


def outcome_of(u: dict[str, Any]) -> str:
    return OUTCOMES.get(u.get("type", ""), u.get("type", "?"))


# --------------------------------------------------------------------------- background jobs


@dataclass
class _Updates:
    ref: str
    version: int
    updates: list[dict[str, Any]]


def _load_updates(workers: Workers, ref: str) -> _Updates:
    w = workers.worker(ref)
    updates = sorted(copy.deepcopy(w.updates), key=lambda u: u["timestamp"])
    return _Updates(ref, w.component_version, updates)


@dataclass
class _Snapshot:
    ref: str
    update_id: str
    data: bytes | None


def _load_snapshot(workers: Workers, ref: str, update_id: str) -> _Snapshot:
    return _Snapshot(ref, update_id, workers.snapshot_bytes(ref, update_id))


# --------------------------------------------------------------------------- the model


class UpdatesModel(QtColumnsModel):
    """Update attempts of one worker, oldest first."""

    UpdateRole = Qt.ItemDataRole.UserRole + 1
    COLUMNS = ("Requested", "Mode", "From → to", "Outcome", "Duration", "Snapshot", "Details")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._updates: list[dict[str, Any]] = []

    def set_updates(self, updates: list[dict[str, Any]]) -> None:
        """``updates`` oldest first, as the worker records them; shown newest first."""
        self.beginResetModel()
        self._updates = list(reversed(updates))
        self.endResetModel()

    def update_at(self, row: int) -> dict[str, Any] | None:
        return self._updates[row] if 0 <= row < len(self._updates) else None

    def row_of(self, update_id: str) -> int | None:
        for i, u in enumerate(self._updates):
            if u["id"] == update_id:
                return i
        return None

    def row_total(self) -> int:
        return len(self._updates)

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        u = self.update_at(index.row()) if index.isValid() else None
        if u is None:
            return None
        col = index.column()
        if role == self.UpdateRole:
            return u
        outcome = outcome_of(u)
        if role == Qt.ItemDataRole.DisplayRole:
            if col == 0:
                return short_time(str(u["timestamp"]))
            if col == 1:
                return mode_label(u["mode"])
            if col == 2:
                src = "?" if u.get("fromVersion") is None else str(u["fromVersion"])
                return f"{src} → {u['targetVersion']}"
            if col == 3:
                if outcome == "failed" and u.get("revertedTo") is not None:
                    return f"failed, reverted to {u['revertedTo']}"
                if outcome == "pending" and u.get("stage") not in (None, "requested"):
                    return f"pending ({u['stage']})"
                return outcome
            if col == 4:
                return human_duration(u.get("duration"))
            if col == 5:
                return human_size(u.get("snapshotSize"))
            if col == 6:
                return u.get("details") or ""
        if role == Qt.ItemDataRole.ForegroundRole and col == 3:
            return QBrush(QColor(OUTCOME_COLOURS.get(outcome, "#1d2330")))
        if role == Qt.ItemDataRole.ToolTipRole:
            return u.get("details") or outcome
        return None


def _when(timestamp: Any) -> str:
    return html.escape(short_time(str(timestamp)))


def _is_json(data: bytes) -> bool:
    try:
        json.loads(data.decode("utf-8"))
    except ValueError:
        return False
    return True


def _value_text(value: Any) -> str:
    if value is None:
        return "(nothing)"
    return value if isinstance(value, str) else json.dumps(value, indent=2, ensure_ascii=False)
