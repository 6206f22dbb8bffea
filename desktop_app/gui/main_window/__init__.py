"""The main window: the navigator beside a worker's or a component's page."""

from desktop_app.gui.main_window.window import (
    QtMainWindow,
    QtNewWorkerDialog,
    QtReadOnlyWindow,
)

__all__ = ["QtMainWindow", "QtNewWorkerDialog", "QtReadOnlyWindow"]
