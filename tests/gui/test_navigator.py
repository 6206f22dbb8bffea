"""The navigator: components, versions with snapshot badges, workers by component, filtering."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QItemSelectionModel

from desktop_app.gui.main_window import QtMainWindow
from desktop_app.gui.navigator import QtNavigator
from desktop_app.gui.navigator.model import BADGES_ROLE, NavigatorModel
from desktop_app.gui.widgets.ops import Op
from domain.bootstrap import Desk


def _badges(nav: QtNavigator, key: str) -> list[str]:
    index = nav.index_for(key)
    assert index.isValid(), f"{key} is not shown"
    return [text for text, _style in index.data(BADGES_ROLE)]


def _navigator(qtbot: Any, desk: Desk, ops: Any) -> QtNavigator:
    nav = QtNavigator(desk.workers, desk.components, ops)
    qtbot.addWidget(nav)
    with qtbot.waitSignal(nav.loaded, timeout=10000):
        nav.reload()
    return nav


def test_components_list_their_versions_with_snapshot_badges(qtbot: Any, gui_desk: Desk, gui_ops: Any) -> None:
    nav = _navigator(qtbot, gui_desk, gui_ops)

    # The component, then one row per version under it
    assert nav.index_for("component:counter").data() == "counter"
    assert _badges(nav, "component:counter") == ["3 versions"]
    # v0 exports no snapshot interfaces; v1 and v2 export save and load; v2 is the latest
    assert _badges(nav, "version:counter:0") == ["no snapshot"]
    assert _badges(nav, "version:counter:1") == ["save", "load"]
    assert _badges(nav, "version:counter:2") == ["save", "load", "latest"]
    assert "save-snapshot" in nav.index_for("version:counter:1").data(0x03)  # tooltip


def test_workers_are_grouped_by_component_with_version_and_status(qtbot: Any, gui_desk: Desk, gui_ops: Any) -> None:
    nav = _navigator(qtbot, gui_desk, gui_ops)

    group = nav.index_for("group:counter")
    assert group.data() == "counter"
    assert nav.proxy.rowCount(group) == 2
    assert nav.index_for("worker:counter/w1").parent() == group
    assert _badges(nav, "worker:counter/w1") == ["v0", "Idle"]
    assert _badges(nav, "worker:counter/w2") == ["v1", "Idle"]


def test_the_filter_keeps_matches_with_their_parents_and_children(qtbot: Any, gui_desk: Desk, gui_ops: Any) -> None:
    nav = _navigator(qtbot, gui_desk, gui_ops)
    everything = nav.visible_keys()

    # A worker name: only that worker, under its section and group
    nav.set_filter("w2")
    assert nav.visible_keys() == ["section:workers", "group:counter", "worker:counter/w2"]

    # A badge: the versions that can save a snapshot
    nav.set_filter("SAVE")
    assert [k for k in nav.visible_keys() if k.startswith("version:")] == ["version:counter:1", "version:counter:2"]
    assert not [k for k in nav.visible_keys() if k.startswith("worker:")]

    # The component's name keeps everything below it
    nav.set_filter("counter")
    assert {"version:counter:0", "worker:counter/w1", "worker:counter/w2"} <= set(nav.visible_keys())

    # Nothing matches, then the filter is cleared
    nav.set_filter("no-such-thing")
    assert nav.visible_keys() == []
    nav.set_filter("")
    assert nav.visible_keys() == everything


def test_selection_yields_workers_and_a_group_means_all_its_workers(qtbot: Any, gui_desk: Desk, gui_ops: Any) -> None:
    nav = _navigator(qtbot, gui_desk, gui_ops)

    nav.select_key("worker:counter/w1")
    assert nav.current_key() == "worker:counter/w1"
    assert nav.selected_worker_refs() == ["counter/w1"]

    sm = nav.tree.selectionModel()
    sm.select(nav.index_for("worker:counter/w2"), QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows)
    assert nav.selected_worker_refs() == ["counter/w1", "counter/w2"]

    nav.select_key("group:counter")
    assert nav.selected_worker_refs() == ["counter/w1", "counter/w2"]
    assert nav.current_component() == "counter"


def test_a_worker_row_follows_changes_made_by_operations(qtbot: Any, gui_desk: Desk, gui_ops: Any) -> None:
    nav = _navigator(qtbot, gui_desk, gui_ops)
    assert _badges(nav, "worker:counter/w1") == ["v0", "Idle"]

    # An automatic update in the write lane announces the worker's change
    op = Op("Updating", gui_desk.workers.update, "counter/w1", "auto", 1)
    gui_ops.write(op, changes=("worker:counter/w1",))

    qtbot.waitUntil(lambda: _badges(nav, "worker:counter/w1")[0] == "v1", timeout=10000)


def test_new_components_and_workers_appear_after_a_change(qtbot: Any, gui_desk: Desk, gui_ops: Any) -> None:
    nav = _navigator(qtbot, gui_desk, gui_ops)
    nav.select_key("worker:counter/w2")

    op = Op("Creating", gui_desk.workers.create, "counter", "w3", 2)
    with qtbot.waitSignal(nav.loaded, timeout=10000):
        gui_ops.write(op, changes=("workers",))

    assert _badges(nav, "worker:counter/w3") == ["v2", "Idle"]
    assert _badges(nav, "group:counter") == ["3 workers"]
    # The current item survives the reload
    assert nav.current_key() == "worker:counter/w2"


def test_the_window_remembers_nothing_it_cannot_find(qtbot: Any, window: QtMainWindow) -> None:
    nav = window.navigator
    assert not nav.select_key("worker:counter/gone")
    assert isinstance(nav.model, NavigatorModel)
    assert nav.current_key() == ""
