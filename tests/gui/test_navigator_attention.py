"""The navigator flags what needs attention: a failed last update, a newer version, a pending update."""

from __future__ import annotations

from typing import Any

from desktop_app.gui.navigator import QtNavigator
from desktop_app.gui.navigator.badges import BadgeDelegate
from desktop_app.gui.navigator.model import ATTENTION_ROLE, BADGES_ROLE
from desktop_app.gui.widgets.ops import Op
from domain.bootstrap import Desk


def _navigator(qtbot: Any, desk: Desk, ops: Any) -> QtNavigator:
    nav = QtNavigator(desk.workers, desk.components, ops)
    qtbot.addWidget(nav)
    with qtbot.waitSignal(nav.loaded, timeout=10000):
        nav.reload()
    return nav


def _flags(nav: QtNavigator, key: str) -> list[str]:
    index = nav.index_for(key)
    return [t for t, _ in (index.data(BADGES_ROLE) or [])] + [t for t, _ in (index.data(ATTENTION_ROLE) or [])]


def test_a_worker_behind_the_latest_version_says_a_newer_one_is_available(qtbot: Any, gui_desk: Desk, gui_ops: Any) -> None:
    # counter has versions 0-2; w1 runs v0, w2 v1
    nav = _navigator(qtbot, gui_desk, gui_ops)
    assert _flags(nav, "worker:counter/w1") == ["v0", "Idle", "v2 available"]
    assert "version 2 of counter is available" in nav.index_for("worker:counter/w1").data(0x03)


def test_a_failed_last_update_and_a_pending_update_are_flagged(qtbot: Any, gui_desk: Desk, gui_ops: Any) -> None:
    # Given w1's automatic update to v2 diverged, and w2 has an update requested
    assert not gui_desk.workers.update("counter/w1", "auto", 2).ok
    gui_desk.workers.request_update("counter/w2", "auto", 2)
    nav = _navigator(qtbot, gui_desk, gui_ops)
    # Then the navigator flags both
    w1 = _flags(nav, "worker:counter/w1")
    assert "update failed" in w1 and "v2 available" in w1
    w2 = _flags(nav, "worker:counter/w2")
    assert "update pending" in w2 and "update failed" not in w2
    assert _flags(nav, "group:counter") == ["2 workers", "1 update failed"]
    # And filtering by the flag finds the worker
    nav.set_filter("update failed")
    assert "worker:counter/w1" in nav.visible_keys() and "worker:counter/w2" not in nav.visible_keys()


def test_a_later_successful_update_clears_the_failure_flag(qtbot: Any, gui_desk: Desk, gui_ops: Any) -> None:
    assert not gui_desk.workers.update("counter/w1", "auto", 2).ok
    nav = _navigator(qtbot, gui_desk, gui_ops)
    assert "update failed" in _flags(nav, "worker:counter/w1")
    op = Op("Updating", gui_desk.workers.update, "counter/w1", "auto", 1)
    with qtbot.waitSignal(nav.loaded, timeout=15000):
        gui_ops.write(op, changes=("worker:counter/w1", "workers"))
    qtbot.waitUntil(lambda: "update failed" not in _flags(nav, "worker:counter/w1"), timeout=10000)
    assert _flags(nav, "worker:counter/w1") == ["v1", "Idle", "v2 available"]


def test_flags_are_painted_after_the_name_and_counted_in_the_row_width(qtbot: Any, gui_desk: Desk, gui_ops: Any) -> None:
    nav = _navigator(qtbot, gui_desk, gui_ops)
    index = nav.index_for("worker:counter/w1")
    delegate = nav.tree.itemDelegate()
    assert isinstance(delegate, BadgeDelegate)
    from PySide6.QtWidgets import QStyleOptionViewItem

    option = QStyleOptionViewItem()
    option.initFrom(nav.tree)
    with_flag = delegate.sizeHint(option, index).width()
    nav.model.itemFromIndex(nav.proxy.mapToSource(index)).setData([], ATTENTION_ROLE)
    assert delegate.sizeHint(option, nav.index_for("worker:counter/w1")).width() < with_flag
