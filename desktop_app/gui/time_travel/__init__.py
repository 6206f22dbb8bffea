"""The Time travel tab: a worker rebuilt as it was after any history entry."""

from desktop_app.gui.time_travel.view import QtTimeTravelView

__all__ = ["QtTimeTravelView"]
