"""Small widgets of the Invoke tab: a scroll area that fits its content, a one-line label that elides."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal
from PySide6.QtWidgets import (
    QLabel,
    QScrollArea,
    QSizePolicy,
    QWidget,
)


class FitScrollArea(QScrollArea):
    """A scroll area that asks for the height of its content, and scrolls only when squeezed."""

    content_resized = Signal()

    def setWidget(self, widget: QWidget) -> None:  # type: ignore[override]
        super().setWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
            self.content_resized.emit()
        return super().eventFilter(obj, event)

    def sizeHint(self) -> QSize:  # type: ignore[override]
        w = self.widget()
        if w is None:
            return super().sizeHint()
        hint = w.sizeHint()
        frame = 2 * self.frameWidth()
        return QSize(hint.width() + frame, hint.height() + frame + 2)

    def minimumSizeHint(self) -> QSize:  # type: ignore[override]
        return QSize(120, min(self.sizeHint().height(), 80))


class ElidedLabel(QLabel):
    """One line of text, elided at the right when it does not fit; the tooltip holds it all."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text if text else "")
        self._elide()

    def resizeEvent(self, event: QEvent) -> None:  # type: ignore[override]
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._elide()

    def _elide(self) -> None:
        width = self.width() if self.width() > 20 else 600
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, width))


def duration_text(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"
