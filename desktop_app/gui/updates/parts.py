"""Pieces of the update dialog: the side-by-side divergence, the report that grows with its text, the scrolling body."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import (
    QGridLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QTextBrowser,
    QWidget,
)

REPORT_MAX_LINES = 24  # the report grows with its text up to this many lines (it scrolls beyond)
def side_by_side(parent: QWidget) -> tuple[QWidget, QLabel, QPlainTextEdit, QPlainTextEdit]:
    box = QWidget(parent)
    where = QLabel(box)
    where.setWordWrap(True)
    expected = QPlainTextEdit(box)
    actual = QPlainTextEdit(box)
    for w in (expected, actual):
        w.setReadOnly(True)
        w.setMaximumHeight(70)
    grid = QGridLayout(box)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.addWidget(where, 0, 0, 1, 2)
    grid.addWidget(QLabel("<b>Recorded in the history (expected)</b>"), 1, 0)
    grid.addWidget(QLabel("<b>Target version returned (actual)</b>"), 1, 1)
    grid.addWidget(expected, 2, 0)
    grid.addWidget(actual, 2, 1)
    return box, where, expected, actual


class ReportView(QTextBrowser):
    """The compatibility report: as tall as its text (up to a limit), so nothing of it is hidden."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.document().documentLayout().documentSizeChanged.connect(lambda _size: self.updateGeometry())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        text = int(self.document().size().height()) + 2 * self.frameWidth() + 2
        cap = REPORT_MAX_LINES * self.fontMetrics().lineSpacing()
        return QSize(hint.width(), max(self.minimumHeight(), min(text, cap)))


class Body(QScrollArea):
    """The dialog's content; it scrolls when the dialog cannot be tall enough to show all of it."""

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        hint = content.sizeHint()
        frame = 2 * self.frameWidth()
        return QSize(hint.width() + frame + self.verticalScrollBar().sizeHint().width(), hint.height() + frame)
