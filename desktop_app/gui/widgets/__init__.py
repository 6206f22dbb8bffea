"""Widgets and plumbing every screen may use: background operations, the status bar, table base, style."""
