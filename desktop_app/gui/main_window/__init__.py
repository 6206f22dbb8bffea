"""The main window: the navigator beside a worker's or a component's page."""

from desktop_app.gui.main_window.new_worker import QtNewWorkerDialog
from desktop_app.gui.main_window.read_only import QtReadOnlyWindow
from desktop_app.gui.main_window.window import QtMainWindow

__all__ = ["QtMainWindow", "QtNewWorkerDialog", "QtReadOnlyWindow"]
