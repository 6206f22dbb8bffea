"""The version timeline: a strip of a worker's whole life above its history.

Version bands fill the strip, one colour per version; update attempts,
state snapshots and failures are ticks on it. It paints from the domain's
per-pixel summary (``Workers.timeline``), so a 1,000,000-entry history
paints like a small one. The wheel zooms around the pointer, a double
click shows the whole life again, and a click asks to jump to the entry
under the pointer (``entry_clicked``).
"""

from __future__ import annotations

from PySide6.QtCore import QPoint, QRect, QSize, Qt, Signal
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent, QWheelEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from domain.services.timeline import Bucket, TimelineSummary

# One colour per version, cycled.
VERSION_COLOURS = ("#d9e8fb", "#dff3e4", "#fdebd3", "#ece1fb", "#fbe0e6", "#dcf3f3", "#f3f0d4", "#e6e8ec")
# Marker colours, by history kind.
MARKER_COLOURS = {
    "update-failed": "#c62828",
    "invocation-failed": "#e57373",
    "interrupted": "#8d6e63",
    "reverted": "#ef6c00",
    "update-succeeded": "#2e7d32",
    "snapshot-saved": "#1565c0",
    "update-requested": "#78909c",
    "deleted": "#37474f",
}
MARKER_WORDS = {
    "update-requested": "update requested",
    "update-succeeded": "update succeeded",
    "update-failed": "update failed",
    "reverted": "reverted",
    "snapshot-saved": "state snapshot",
    "invocation-failed": "failed invocation",
    "interrupted": "interrupted invocation",
    "deleted": "deleted",
}
_MIN_SPAN = 10


class TimelineStrip(QWidget):
    entry_clicked = Signal(int)
    window_changed = Signal(int, int)  # first and last entry shown

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("timelineStrip")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setMinimumHeight(34)
        self.setToolTip("")
        self.summary: TimelineSummary | None = None
        self.start = 1
        self.end = 0
        self._length = 0  # the length last shown (a summary grows in place)
        self._buckets: list[Bucket] = []
        self._buckets_for: tuple[int, int, int, int] | None = None

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(400, 40)

    # -- data ------------------------------------------------------------------------

    def set_summary(self, summary: TimelineSummary | None, keep_window: bool = False) -> None:
        grew_at_end = self.end == self._length
        self.summary = summary
        length = summary.length if summary is not None else 0
        self._length = length
        if not keep_window or self.end == 0:
            self.start, self.end = 1, length
        elif grew_at_end:
            self.end = length
        self.end = min(self.end, length)
        self._buckets_for = None
        self.update()
        self.window_changed.emit(self.start, self.end)

    def buckets(self) -> list[Bucket]:
        """The per-pixel buckets of what is shown now (computed once per size and window)."""
        s = self.summary
        if s is None or s.length == 0:
            return []
        key = (self.width(), self.start, self.end, s.length)
        if key != self._buckets_for:
            self._buckets = s.bucket(max(1, self.width()), self.start, self.end)
            self._buckets_for = key
        return self._buckets

    def zoom(self, factor: float, around: int | None = None) -> None:
        """Show ``factor`` times fewer entries (a factor below 1 shows more), keeping ``around`` in place."""
        s = self.summary
        if s is None or s.length == 0:
            return
        span = self.end - self.start + 1
        new_span = int(min(s.length, max(_MIN_SPAN, round(span / factor))))
        centre = around if around is not None else (self.start + self.end) // 2
        ratio = (centre - self.start) / max(1, span)
        start = int(round(centre - ratio * new_span))
        start = max(1, min(start, s.length - new_span + 1))
        self.start, self.end = start, start + new_span - 1
        self._buckets_for = None
        self.update()
        self.window_changed.emit(self.start, self.end)

    def reset_zoom(self) -> None:
        if self.summary is not None:
            self.start, self.end = 1, self.summary.length
            self._buckets_for = None
            self.update()
            self.window_changed.emit(self.start, self.end)

    def entry_at(self, x: int) -> int | None:
        s = self.summary
        if s is None or s.length == 0:
            return None
        return s.entry_at(x, max(1, self.width()), self.start, self.end)

    def describe(self, x: int) -> str:
        """The tooltip for pixel ``x``: entries, versions and markers under it."""
        buckets = self.buckets()
        if not buckets:
            return ""
        i = min(len(buckets) - 1, max(0, x * len(buckets) // max(1, self.width())))
        b = buckets[i]
        where = f"entry #{b.start:,}" if b.start == b.end else f"entries #{b.start:,}–#{b.end:,}"
        versions = ", ".join(f"v{v}" for v in b.versions)
        parts = [f"{where} · {versions}"]
        for kind, n in b.markers.items():
            word = MARKER_WORDS.get(kind, kind)
            parts.append(f"{n:,} × {word}" if n > 1 else word)
        return "\n".join(parts)

    # -- painting and input ------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        p = QPainter(self)
        rect = self.rect()
        p.fillRect(rect, QColor("#fafbfc"))
        buckets = self.buckets()
        if not buckets:
            p.setPen(QColor("#8a96a3"))
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, "no history yet")
            p.end()
            return
        w = max(1, self.width())
        n = len(buckets)
        h = rect.height()
        band_top, band_h = 4, h - 8
        for i, b in enumerate(buckets):
            x0, x1 = i * w // n, (i + 1) * w // n
            version = b.versions[-1] if b.versions else 0
            p.fillRect(QRect(x0, band_top, max(1, x1 - x0), band_h), QColor(VERSION_COLOURS[version % len(VERSION_COLOURS)]))
            first = b.first_marker
            if first is not None:
                colour = QColor(MARKER_COLOURS.get(first[0], "#455a64"))
                p.fillRect(QRect(x0, 1, max(2, x1 - x0), h - 2), colour)
        # Version labels where a band starts inside the window.
        p.setPen(QColor("#334e68"))
        last_version = None
        for i, b in enumerate(buckets):
            if b.versions and b.versions[0] != last_version:
                last_version = b.versions[-1]
                x0, x1 = i * w // n, (i + 1) * w // n
                after_marker = max(2, x1 - x0) if b.first_marker is not None else 0
                p.drawText(QPoint(x0 + after_marker + 3, h // 2 + 5), f"v{last_version}")
        p.setPen(QColor("#c4ccd5"))
        p.drawRect(rect.adjusted(0, 0, -1, -1))
        p.end()

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        if event.button() == Qt.MouseButton.LeftButton:
            entry = self.entry_at(int(event.position().x()))
            if entry is not None:
                self.entry_clicked.emit(entry)
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        self.reset_zoom()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        text = self.describe(int(event.position().x()))
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        super().mouseMoveEvent(event)

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt's name
        steps = event.angleDelta().y() / 120
        if steps:
            self.zoom(1.5**steps, self.entry_at(int(event.position().x())))
        event.accept()
