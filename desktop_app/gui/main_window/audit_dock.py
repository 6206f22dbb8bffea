"""The update audit docked under the page: its frame, its title and how tall it is.

The audit needs rows to be of use, and so does the page above it. When the
dock opens it takes 40% of the window; once laid out (what the page needs
depends on fonts and styles), a page that has to scroll gets the pixels it
lacks from the dock, down to what the audit needs to show without scrolling
of its own. A window made shorter takes its room from the dock too.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer, Slot
from PySide6.QtWidgets import QDockWidget, QFrame, QMainWindow, QScrollArea

from desktop_app.gui.audit import QtAuditView

SHARE = 0.4  # of the window's height, when the dock opens
LEAST = 200  # pixels, whatever the audit's own minimum


class QtAuditDock(QDockWidget):
    def __init__(self, audit: QtAuditView, window: QMainWindow, page_scroll: Callable[[], QScrollArea | None]) -> None:
        super().__init__("Update audit", window)
        self.audit = audit
        self._window = window
        self._page_scroll = page_scroll  # the scroll area of the page on show, if it has one
        self.setObjectName("auditDock")
        # Scrolls rather than growing the window; its table scrolls sideways by itself, so a
        # second horizontal bar (which would take a row at 1024×700) is never shown.
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(audit)
        scroll.setMinimumHeight(120)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(scroll)
        self.setAllowedAreas(Qt.DockWidgetArea.BottomDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        # The audit's status line goes into the title bar: a line more for attempts.
        audit.status.hide()
        audit.status_changed.connect(self._on_status)
        self._on_status(audit.status.text())

    @Slot(str)
    def _on_status(self, text: str) -> None:
        self.setWindowTitle(f"Update audit — {text}" if text else "Update audit")

    def fit(self, shrink_only: bool = False) -> None:
        """Size the dock as the module says (``shrink_only``: a shorter window, never grow it)."""
        window = self._window
        if not self.isVisible() or self.isFloating() or window.dockWidgetArea(self) != Qt.DockWidgetArea.BottomDockWidgetArea:
            return
        least = max(LEAST, self.audit.minimumSizeHint().height() + self.height() - self.widget().height())
        height = max(least, int(window.height() * SHARE))
        if not shrink_only or self.height() > height:
            window.resizeDocks([self], [height], Qt.Orientation.Vertical)
        QTimer.singleShot(0, self, lambda: self._give_page_room(least))

    def _give_page_room(self, least: int) -> None:
        tab = self._page_scroll()
        if tab is None or tab.widget() is None or not self.isVisible():
            return
        lacking = tab.widget().minimumSizeHint().height() - tab.viewport().height()
        height = max(least, self.height() - lacking)
        if lacking > 0 and height < self.height():
            self._window.resizeDocks([self], [height], Qt.Orientation.Vertical)
