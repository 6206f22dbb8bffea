"""The History tab: a worker's oplog as a lazy, filterable table."""

from desktop_app.gui.history.view import QtHistoryView

__all__ = ["QtHistoryView"]
