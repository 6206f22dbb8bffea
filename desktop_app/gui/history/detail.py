"""The history table's painting (version stripes, segment rules) and the detail pane's text."""

from __future__ import annotations

import html
import json
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
)
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import (
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from desktop_app.gui.history.marks import (
    MARKER_COLOURS,
    MARKERS,
    HistoryRole,
    version_stripe,
)
from desktop_app.gui.history.model import HistoryModel
from desktop_app.gui.widgets.formats import short_time
from domain.services.workers import OplogEntry


class HistoryDelegate(QStyledItemDelegate):
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
        f"<br>{_esc(short_time(entry.timestamp))} · component version {entry.version}</p>"
        f"<table cellspacing='0' cellpadding='2'>{table}</table>"
    )
