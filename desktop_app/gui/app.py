"""The desktop app: open a data folder and show the main window."""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop_app.gui.main_window import QtMainWindow
from desktop_app.gui.widgets.ops import Operations
from desktop_app.gui.widgets.style import apply_style
from domain.bootstrap import Desk, open_desk
from domain.model.errors import WorkerDeskError, one_line

APP_NAME = "Worker Desk"
ORGANIZATION = "workerdesk"
SETTINGS_FILE = "gui.ini"


def settings_path(desk: Desk) -> Path:
    """Where the window remembers its layout: the config folder (a scratch file when read-only)."""
    if desk.read_only:
        return Path(tempfile.gettempdir()) / f"workerdesk-readonly-{os.getuid() if hasattr(os, 'getuid') else 0}.ini"
    return desk.paths.config / SETTINGS_FILE


def build_main_window(desk: Desk, settings_path: str | os.PathLike[str]) -> QtMainWindow:
    """A main window on ``desk`` with its own operations layer and settings file."""
    settings = QSettings(str(settings_path), QSettings.Format.IniFormat)
    ops = Operations()
    window = QtMainWindow(desk, ops, settings)
    ops.setParent(window)
    return window


def application() -> QApplication:
    app = QApplication.instance()
    if not isinstance(app, QApplication):
        app = QApplication(sys.argv[:1])
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_NAME)
    app.setOrganizationName(ORGANIZATION)
    app.setDesktopFileName("workerdesk")
    apply_style(app)
    return app


def run_gui(home: str | None = None, storage: str | None = None, demo: bool = False, read_only: bool = False) -> int:
    """Run the desktop app until its window closes; the process exit code."""
    app = application()
    try:
        desk = open_desk(home, storage=storage, read_only=read_only)
    except WorkerDeskError as e:
        QMessageBox.critical(None, APP_NAME, f"Cannot open the data folder: {one_line(e)}")
        return 1
    idle = True
    try:
        window = build_main_window(desk, settings_path(desk))
        window.show()
        if demo and not read_only:
            window.create_demo()
        code = app.exec()
        # Closing the store under a running query can crash sqlite: an operation still running
        # after a minute ends with the process instead, as a killed one would (nothing recorded is lost).
        idle = window.ops.wait_idle(60000)
        if not idle:
            print(f"{APP_NAME}: an operation was still running a minute after the window closed; it ends with the process", file=sys.stderr)
        return code
    finally:
        if idle:
            desk.close()
