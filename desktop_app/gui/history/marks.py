"""How the history looks: entry kinds, update markers, version tints and the model's data roles."""

from __future__ import annotations

from enum import IntEnum

from PySide6.QtCore import (
    Qt,
)
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap

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
