"""The first run: the demo's suggestions stay until dismissed; a folder with data is opened without a word of failure."""

from __future__ import annotations

import importlib.util
from typing import Any

import pytest
from PySide6.QtCore import Qt

from desktop_app.gui.main_window import QtMainWindow
from domain.bootstrap import Desk

pytestmark = pytest.mark.skipif(importlib.util.find_spec("domain.demo") is None, reason="no demo in this build")


def test_the_demo_suggestions_stay_in_a_panel_until_dismissed(qtbot: Any, windows: Any, empty_desk: Desk) -> None:
    window: QtMainWindow = windows.open(empty_desk)
    assert not window.demo_panel.isVisibleTo(window)
    op = window.create_demo()
    assert op is not None
    qtbot.waitUntil(lambda: window.demo_panel.isVisibleTo(window), timeout=30000)
    text = window.demo_text.text()
    assert text.count("<li>") == 3
    assert "automatic update to v1" in text and "v2 (diverges)" in text and "v3 (rejected, reverts)" in text
    # Still there after the status bar's messages have gone
    window.status._clear.timeout.emit()
    qtbot.wait(20)
    assert window.demo_panel.isVisibleTo(window)
    qtbot.mouseClick(window.demo_dismiss, Qt.MouseButton.LeftButton)
    assert not window.demo_panel.isVisibleTo(window)


def test_asking_for_the_demo_in_a_folder_with_data_is_not_reported_as_a_failure(qtbot: Any, window: QtMainWindow) -> None:
    op = window.create_demo()
    assert op is not None
    qtbot.waitUntil(lambda: op.outcome is not None, timeout=10000)
    window.ops.wait_idle()
    qtbot.waitUntil(lambda: "already has components" in window.status.text, timeout=5000)
    words = window.status.text.lower()
    assert "no demo was created" not in words and "failed" not in words and "not empty" not in words
    assert not window.demo_panel.isVisibleTo(window)
