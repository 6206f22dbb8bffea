"""A small window: 1024×700 fits, long names shrink before anything else, the title names the app once."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QScrollArea

from desktop_app.gui.main_window import QtMainWindow
from domain.bootstrap import Desk

LONG = "w" * 128


def test_a_128_character_worker_name_does_not_widen_the_window(qtbot: Any, windows: Any, gui_desk: Desk) -> None:
    gui_desk.workers.create("counter", LONG, version=1)
    window: QtMainWindow = windows.open(gui_desk)
    window.resize(1024, 700)
    window.navigator.select_key(f"worker:counter/{LONG}")
    page = window.worker_page
    qtbot.waitUntil(lambda: window.stack.currentWidget() is page, timeout=10000)
    for tab in range(page.tabs.count()):
        page.show_tab(tab)
        qtbot.wait(50)
        assert window.minimumSizeHint().width() <= 1024, page.tabs.tabText(tab)
    window.ops.wait_idle()
    qtbot.wait(50)
    assert window.width() == 1024
    # The name is elided in the page header, whole in its tooltip, and the badges stay beside it
    title = page.title
    assert title.text() == f"counter/{LONG}" and "…" in title.fontMetrics().elidedText(
        title.text(), Qt.TextElideMode.ElideMiddle, title.width()
    )
    assert title.toolTip() == f"counter/{LONG}"
    qtbot.waitUntil(lambda: page.version_pill.isVisible(), timeout=10000)
    assert page.version_pill.geometry().right() <= page.width()


def test_the_toolbar_never_hides_commands_behind_an_overflow_button(qtbot: Any, window: QtMainWindow) -> None:
    window.resize(1600, 1000)
    qtbot.wait(20)
    assert window.toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon
    window.resize(700, 700)
    qtbot.waitUntil(lambda: window.toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonIconOnly, timeout=2000)
    assert window.toolbar.sizeHint().width() <= window.width()
    window.resize(1600, 1000)
    qtbot.waitUntil(lambda: window.toolbar.toolButtonStyle() == Qt.ToolButtonStyle.ToolButtonTextBesideIcon, timeout=2000)


def test_the_window_title_says_worker_desk_once(window: QtMainWindow, gui_desk: Desk) -> None:
    title = window.windowTitle()
    assert title.count("Worker Desk") == 1 and str(gui_desk.paths.data) in title
    # Window systems append the application's display name to a title that does not end with it
    assert title.endswith("Worker Desk")


def test_the_audit_fits_under_a_worker_page_in_a_700_pixel_high_window(qtbot: Any, window: QtMainWindow) -> None:
    window.resize(1024, 700)
    window.navigator.select_key("worker:counter/w1")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.worker_page, timeout=10000)
    with qtbot.waitSignal(window.audit.refreshed, timeout=10000):
        window.audit_action.trigger()
    for tab in range(window.worker_page.tabs.count()):
        window.worker_page.show_tab(tab)
        qtbot.wait(20)
        assert window.minimumSizeHint().height() <= 700, window.worker_page.tabs.tabText(tab)
    # The audit gets room of its own when it opens
    qtbot.waitUntil(lambda: window.audit_dock.height() >= 200, timeout=5000)


def _rows_visible(table: Any) -> int:
    """How many whole rows ``table`` shows in its viewport."""
    return table.viewport().height() // table.verticalHeader().defaultSectionSize()


def test_at_1024_by_700_the_history_and_the_audit_both_show_rows_even_after_shrinking(
    qtbot: Any, windows: Any, gui_desk: Desk
) -> None:
    from tests.gui.conftest import append_invocations

    append_invocations(gui_desk, "counter/w1", 40)
    gui_desk.workers.update("counter/w1", "auto", 1)
    window: QtMainWindow = windows.open(gui_desk)
    # Opened large with the audit, then made small (the way a user shrinks a window)
    window.resize(1600, 1000)
    window.navigator.select_key("worker:counter/w1")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.worker_page, timeout=10000)
    window.worker_page.show_tab(window.worker_page.HISTORY)
    with qtbot.waitSignal(window.audit.refreshed, timeout=10000):
        window.audit_action.trigger()
    qtbot.waitUntil(lambda: window.audit_dock.height() >= 380, timeout=5000)
    window.audit.set_filters(component="counter")  # with its drain chart
    qtbot.waitUntil(lambda: window.audit.drain.isVisible(), timeout=10000)
    window.resize(1024, 700)
    history = window.worker_page.history.table
    qtbot.waitUntil(lambda: window.height() == 700 and _rows_visible(history) >= 5, timeout=5000)
    assert _rows_visible(window.audit.table) >= 2
    # The history table is whole on screen (if the page scrolls at all, only the entry's details go below
    # its edge), and the audit needs no scrolling of its own
    page = window.worker_page.tabs.currentWidget()
    assert isinstance(page, QScrollArea) and page.widget().isAncestorOf(history)

    def table_on_screen() -> bool:
        bottom = history.mapTo(page.viewport(), history.rect().bottomLeft()).y()
        return history.mapTo(page.viewport(), history.rect().topLeft()).y() >= 0 and bottom <= page.viewport().height()

    qtbot.waitUntil(table_on_screen, timeout=5000)
    assert window.audit.height() <= window.audit.parentWidget().height()
