"""The Overview tab: a worker's status, counts and latest updates."""

from desktop_app.gui.overview.view import QtOverview

__all__ = ["QtOverview"]
