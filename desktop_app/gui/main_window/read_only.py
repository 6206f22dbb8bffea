"""A window on another data folder's update audit, opened read-only."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import (
    QCloseEvent,
)
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.audit import QtAuditView
from desktop_app.gui.widgets.ops import Operations
from desktop_app.gui.widgets.style import set_role
from domain.bootstrap import Desk


class QtReadOnlyWindow(QMainWindow):
    """The update audit of another data folder, opened read-only."""

    closed = Signal(object)
    CLOSE_WAIT_MS = 30_000  # how long closing waits for running reads before leaving the desk open

    def __init__(self, desk: Desk, folder: Path, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.desk = desk
        self.folder = folder
        self.ops = Operations(self)
        self.setWindowTitle(f"Audit — {folder} (read-only)")
        self.audit = QtAuditView(desk.workers, self.ops)
        central = QWidget(self)
        lay = QVBoxLayout(central)
        lay.setContentsMargins(10, 10, 10, 6)
        lay.setSpacing(8)
        note = set_role(QLabel(f"Update audit of {folder}, opened read-only: nothing in this folder is changed.", central), "subtle")
        note.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        lay.addWidget(note)
        lay.addWidget(self.audit, 1)
        self.setCentralWidget(central)
        self.resize(1000, 600)
        self.audit.refresh()

    def closeEvent(self, event: QCloseEvent) -> None:
        self.closed.emit(self)
        self.ops.close()
        # Never close the store under a running query (that can crash sqlite): one still
        # running after CLOSE_WAIT_MS keeps this desk open until the process ends.
        if self.ops.wait_idle(self.CLOSE_WAIT_MS):
            self.desk.close()
        super().closeEvent(event)
