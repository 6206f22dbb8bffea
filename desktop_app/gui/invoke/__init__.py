"""The Invoke tab: a form generated from a function's types, or WAVE text."""

from desktop_app.gui.invoke.view import QtInvokeView

__all__ = ["QtInvokeView"]
