"""The fleet at a glance: the drain view in the audit, workers per version on the component page."""

from __future__ import annotations

from typing import Any

from desktop_app.gui.audit import QtAuditView
from desktop_app.gui.main_window import QtMainWindow
from desktop_app.gui.widgets.ops import Operations
from domain.bootstrap import Desk


def test_the_audit_of_one_component_shows_its_drain_and_who_is_behind(qtbot: Any, gui_desk: Desk, gui_ops: Operations) -> None:
    # Given counter/w1 on v0 and counter/w2 on v1 (with an update requested, so the audit lists the component)
    gui_desk.workers.request_update("counter/w2", "auto", 2)
    view = QtAuditView(gui_desk.workers, gui_ops)
    qtbot.addWidget(view)
    view.resize(1000, 500)
    view.show()
    with qtbot.waitSignal(view.refreshed, timeout=10000):
        view.refresh()
    assert view.drain.isHidden()  # all components: no drain view
    # When the audit is narrowed to the component
    with qtbot.waitSignal(view.drain_loaded, timeout=10000):
        view.set_filters(component="counter")
    # Then the drain chart shows both versions, and the words say who is still on the older one
    assert view.drain.isVisible()
    assert view.drain.chart.versions() == [0, 1] and view.drain.chart.peak() == 2
    words = view.drain.words.text()
    assert "v0: 1, v1: 1" in words and "older version than v1: v0: w1" in words
    # And back to every component, the drain view goes away
    view.set_filters(component=None)
    assert view.drain.isHidden()


def test_the_component_page_counts_workers_per_version(qtbot: Any, window: QtMainWindow) -> None:
    window.navigator.select_key("component:counter")
    qtbot.waitUntil(lambda: window.stack.currentWidget() is window.component_page)
    table = window.component_page.versions
    assert table.horizontalHeaderItem(2).text() == "Workers"
    counts = {table.item(r, 0).text(): table.item(r, 2).text() for r in range(table.rowCount())}
    assert counts == {"0": "1", "1": "1", "2": "0"}
    assert "2 workers" in window.component_page.subtitle.text()
