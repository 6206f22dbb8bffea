"""Updates: a worker's update attempts (the Updates tab) and the update dialog."""

from desktop_app.gui.updates.dialog import QtUpdateDialog
from desktop_app.gui.updates.view import QtUpdatesView

__all__ = ["QtUpdateDialog", "QtUpdatesView"]
