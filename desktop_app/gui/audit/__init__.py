"""The update audit: every update attempt across all workers."""

from desktop_app.gui.audit.view import QtAuditView

__all__ = ["QtAuditView"]
