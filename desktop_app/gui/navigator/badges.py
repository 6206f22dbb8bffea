"""Painting the navigator's rows: a name followed by small coloured badges."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QPainter,
    QPen,
)
from PySide6.QtWidgets import (
    QApplication,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from desktop_app.gui.navigator.model import ATTENTION_ROLE, BADGES_ROLE, Badge
from desktop_app.gui.widgets.style import BADGES


class BadgeDelegate(QStyledItemDelegate):
    """Paints an item's text followed by small rounded badges ("pills")."""

    PAD_X = 7
    GAP = 5

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        badges = _badges(index)
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        small = self._badge_font(opt.font)
        fm_small = _metrics(small)
        widths = [fm_small.horizontalAdvance(b) + 2 * self.PAD_X for b, _ in badges]
        badges_width = sum(widths) + self.GAP * len(badges)
        painter.save()
        painter.setFont(opt.font)
        fm = opt.fontMetrics
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        colour = opt.palette.color(opt.palette.ColorRole.HighlightedText if selected else opt.palette.ColorRole.Text)
        fg = index.data(Qt.ItemDataRole.ForegroundRole)
        if fg is not None and not selected:
            colour = fg.color() if hasattr(fg, "color") else QColor(fg)
        painter.setPen(colour)
        available = max(0, text_rect.width() - badges_width - 6)
        shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, available)
        painter.drawText(text_rect.adjusted(2, 0, 0, 0), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), shown)
        x = text_rect.left() + 2 + fm.horizontalAdvance(shown) + 10
        painter.setFont(small)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = fm_small.height() + 2
        y = text_rect.center().y() - h // 2 + 1
        for (label, kind), w in zip(badges, widths):
            bg, fgc, border = BADGES.get(kind, BADGES["muted"])
            rect = QRect(x, y, w, h)
            painter.setPen(QPen(QColor(border)))
            painter.setBrush(QColor(bg))
            painter.drawRoundedRect(rect, h / 2, h / 2)
            painter.setPen(QColor(fgc))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), label)
            x += w + self.GAP
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        badges = _badges(index)
        small = self._badge_font(option.font)
        fm_small = _metrics(small)
        extra = sum(fm_small.horizontalAdvance(b) + 2 * self.PAD_X + self.GAP for b, _ in badges) + 12
        height = max(base.height(), fm_small.height() + 10, option.fontMetrics.height() + 8)
        return QSize(base.width() + extra, height)

    @staticmethod
    def _badge_font(font: QFont) -> QFont:
        small = QFont(font)
        size = font.pointSizeF()
        if size > 0:
            small.setPointSizeF(max(7.5, size - 1.5))
        small.setBold(False)
        small.setWeight(QFont.Weight.DemiBold)
        return small


def _badges(index: QModelIndex | QPersistentModelIndex) -> list[Badge]:
    return list(index.data(BADGES_ROLE) or []) + list(index.data(ATTENTION_ROLE) or [])


def _metrics(font: QFont) -> Any:
    from PySide6.QtGui import QFontMetrics

    return QFontMetrics(font)
