"""The Settings dialog: storage and limits, applied at the next start."""

from desktop_app.gui.settings.dialog import QtSettingsDialog, settings_dialog

__all__ = ["QtSettingsDialog", "settings_dialog"]
