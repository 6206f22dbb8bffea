"""The drain view: how many of a component's workers ran each version over time.

A stacked step chart, one colour per version (the timeline strip's), from
the domain's ``Workers.drain``: who is still on the old version shows as the
band that has not yet drained.

The x axis runs from the first change to the last, then a short tail up to
now. Each change sits half by its time and half by its rank, so a burst of
changes in one second (a scripted fleet update) still shows each step, and a
quiet month still looks long.
"""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPaintEvent
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from desktop_app.gui.widgets.formats import short_time
from domain.services.timeline import DrainPoint

from .strip import VERSION_COLOURS

_BAND_EDGES = ("#7aa7e0", "#73c08a", "#e7a95c", "#a78bd9", "#e08599", "#6cc1c1", "#c9be5c", "#9aa3ae")


class DrainChart(QWidget):
    MIN_HEIGHT = 36
    TAIL = 0.1  # the share of the width after the last change, up to now

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("drainChart")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setMinimumHeight(self.MIN_HEIGHT)
        self.points: list[DrainPoint] = []
        self._times: list[float] = []

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(400, 90)

    def set_points(self, points: list[DrainPoint]) -> None:
        self.points = list(points)
        self._times = [datetime.fromisoformat(p.at).timestamp() for p in self.points]
        self.update()

    def versions(self) -> list[int]:
        return sorted({v for p in self.points for v in p.counts})

    def peak(self) -> int:
        return max((sum(p.counts.values()) for p in self.points), default=0)

    def xs(self, w: int) -> list[int]:
        """Where each change starts on a chart ``w`` pixels wide (see the module's note on the axis)."""
        n = len(self._times)
        if n <= 1:
            return [0] * n
        body = (w - 1) * (1 - self.TAIL)
        first, span = self._times[0], self._times[-1] - self._times[0]
        return [
            int(body * (0.5 * i / (n - 1) + (0.5 * (t - first) / span if span > 0 else 0.5 * i / (n - 1))))
            for i, t in enumerate(self._times)
        ]

    def point_at(self, x: int) -> DrainPoint | None:
        if not self.points:
            return None
        found = None
        for p, px in zip(self.points, self.xs(max(1, self.width()))):
            if px <= x:
                found = p
        return found or self.points[0]

    def describe(self, x: int) -> str:
        p = self.point_at(x)
        if p is None:
            return ""
        counts = ", ".join(f"v{v}: {n:,}" for v, n in sorted(p.counts.items())) or "no workers"
        return f"from {short_time(p.at)}: {counts}"

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        painter = QPainter(self)
        rect = self.rect()
        painter.fillRect(rect, QColor("#fafbfc"))
        peak = self.peak()
        if not self.points or peak == 0:
            painter.setPen(QColor("#8a96a3"))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "no workers yet")
            painter.end()
            return
        w, h = max(1, self.width()), rect.height() - 4
        versions = self.versions()
        xs = self.xs(w) + [w]
        for i, p in enumerate(self.points):
            x0, x1 = xs[i], xs[i + 1]
            y = h + 2
            for v in versions:
                n = p.counts.get(v, 0)
                if not n:
                    continue
                height = max(1, n * h // peak)
                fill = QColor(VERSION_COLOURS[v % len(VERSION_COLOURS)])
                painter.fillRect(QRect(x0, y - height, max(1, x1 - x0), height), fill)
                painter.setPen(QColor(_BAND_EDGES[v % len(_BAND_EDGES)]))
                painter.drawLine(x0, y - height, x1, y - height)
                y -= height
        painter.setPen(QColor("#c4ccd5"))
        painter.drawRect(rect.adjusted(0, 0, -1, -1))
        painter.end()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt's name
        text = self.describe(int(event.position().x()))
        if text:
            QToolTip.showText(event.globalPosition().toPoint(), text, self)
        super().mouseMoveEvent(event)
