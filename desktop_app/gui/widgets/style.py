"""The light theme: palette, font, style sheet, icons and the colours of badges."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from PySide6.QtGui import QColor, QFont, QGuiApplication, QIcon, QPalette
from PySide6.QtWidgets import QApplication, QWidget

RESOURCES_ENV = "WORKERDESK_RESOURCES"

# Badge styles: background, text, border.
BADGES: dict[str, tuple[str, str, str]] = {
    "save": ("#e3f4e8", "#1e6b37", "#b7e0c3"),
    "load": ("#e4edfb", "#2356b3", "#bfd2f3"),
    "muted": ("#f1f3f5", "#616e7c", "#dde1e6"),
    "version": ("#eef0f4", "#334e68", "#d3d9e1"),
    "ok": ("#e3f4e8", "#1e6b37", "#b7e0c3"),
    "warn": ("#fff4d6", "#7a5b00", "#f0d78c"),
    "bad": ("#fdecec", "#a61b1b", "#f3c2c2"),
}

STATUS_BADGE = {
    "Idle": "ok",
    "Running": "load",
    "Failed": "bad",
    "Interrupted": "warn",
    "Exited": "muted",
}

MONO_FAMILIES = ["DejaVu Sans Mono", "Menlo", "Consolas", "Liberation Mono", "monospace"]


def pill_style(kind: str) -> str:
    bg, fg, border = BADGES.get(kind, BADGES["muted"])
    return (
        f"QLabel {{ background: {bg}; color: {fg}; border: 1px solid {border};"
        " border-radius: 9px; padding: 1px 9px; font-weight: 600; }"
    )


def resources_dir() -> Path:
    """The ``resources`` folder: next to the packages, or inside a frozen app."""
    env = os.environ.get(RESOURCES_ENV)
    if env:
        return Path(env)
    frozen = getattr(sys, "_MEIPASS", None)
    if frozen:
        return Path(frozen) / "resources"
    return Path(__file__).resolve().parents[3] / "resources"


def icon(name: str) -> QIcon:
    """An icon from ``resources/icons`` (an empty icon when it is missing)."""
    path = resources_dir() / "icons" / f"{name}.svg"
    return QIcon(str(path)) if path.exists() else QIcon()


def style_sheet() -> str:
    root = resources_dir()
    try:
        text = (root / "style" / "light.qss").read_text(encoding="utf-8")
    except OSError:
        return ""
    return text.replace("@ICONS@", (root / "icons").as_posix())


def mono_font(point_size: float | None = None) -> QFont:
    font = QFont()
    font.setFamilies(MONO_FAMILIES)
    font.setStyleHint(QFont.StyleHint.Monospace)
    if point_size is not None:
        font.setPointSizeF(point_size)
    else:
        base = QGuiApplication.font().pointSizeF()
        if base > 0:
            font.setPointSizeF(base)
    return font


def light_palette() -> QPalette:
    p = QPalette()
    colours = {
        QPalette.ColorRole.Window: "#f5f6f8",
        QPalette.ColorRole.WindowText: "#1f2933",
        QPalette.ColorRole.Base: "#ffffff",
        QPalette.ColorRole.AlternateBase: "#f8f9fb",
        QPalette.ColorRole.Text: "#1f2933",
        QPalette.ColorRole.Button: "#ffffff",
        QPalette.ColorRole.ButtonText: "#1f2933",
        QPalette.ColorRole.Highlight: "#dce8fb",
        QPalette.ColorRole.HighlightedText: "#102a43",
        QPalette.ColorRole.ToolTipBase: "#102a43",
        QPalette.ColorRole.ToolTipText: "#ffffff",
        QPalette.ColorRole.PlaceholderText: "#8a96a3",
        QPalette.ColorRole.Link: "#2f6fde",
        QPalette.ColorRole.Mid: "#c9d1da",
        QPalette.ColorRole.Midlight: "#e4e7eb",
    }
    for role, colour in colours.items():
        p.setColor(role, QColor(colour))
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#9aa5b1"))
    return p


def apply_style(app: QApplication) -> None:
    """Fusion, the light palette, a readable font size and the style sheet."""
    app.setStyle("Fusion")
    app.setPalette(light_palette())
    font = app.font()
    if font.pointSizeF() < 10:
        font.setPointSizeF(10)
        app.setFont(font)
    app.setStyleSheet(style_sheet())
    window_icon = resources_dir() / "icons" / "workerdesk.svg"
    if window_icon.exists():
        app.setWindowIcon(QIcon(str(window_icon)))


def set_role(widget: QWidget, role: str) -> QWidget:
    """Tag a widget for the style sheet (``QLabel[role="error"]`` …)."""
    widget.setProperty("role", role)
    widget.style().unpolish(widget)
    widget.style().polish(widget)
    return widget
