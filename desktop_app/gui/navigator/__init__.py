"""The navigator: components with their versions, and workers grouped by component."""

from desktop_app.gui.navigator.view import QtNavigator

__all__ = ["QtNavigator"]
