"""The updates view: every attempt of a worker, its failure, divergence and state snapshot."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop_app.gui.updates import QtUpdatesView
from desktop_app.gui.updates.records import UpdatesModel, hex_dump, snapshot_text
from desktop_app.gui.widgets.ops import Op, Operations
from domain.bootstrap import Desk
from tests.gui.fixtures_updates import JSON_FACTOR, counter_desk, desk, ops  # noqa: F401
from tests.wat import counter

REF = "counter/w1"


def _view(qtbot, desk: Desk, ops: Operations, ref: str = REF) -> QtUpdatesView:
    view = QtUpdatesView(desk.workers, ops)
    qtbot.addWidget(view)
    view.resize(900, 700)
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.show_worker(ref)
    return view


def _rows(model: UpdatesModel) -> list[list[str]]:
    return [
        [model.data(model.index(r, c)) for c in range(model.columnCount())] for r in range(model.rowCount())
    ]


def _three_attempts(desk: Desk) -> None:
    assert desk.workers.update(REF, "auto", 1).ok
    assert not desk.workers.update(REF, "manual", 3).ok
    assert not desk.workers.update(REF, "auto", 2).ok


def test_lists_every_attempt_with_mode_versions_outcome_duration_and_snapshot_size(
    qtbot, counter_desk: Desk, ops: Operations
) -> None:
    _three_attempts(counter_desk)
    view = _view(qtbot, counter_desk, ops)
    rows = _rows(view.model)
    # Newest first
    assert [r[1:4] for r in rows] == [
        ["automatic", "1 → 2", "failed"],
        ["manual", "1 → 3", "failed, reverted to 1"],
        ["automatic", "0 → 1", "succeeded"],
    ]
    assert all(r[4].endswith(("ms", " s")) for r in rows)
    assert [r[5] for r in rows] == ["", "8 B", ""]
    assert all(r[0].endswith(" UTC") for r in rows)
    colour = view.model.data(view.model.index(0, 3), Qt.ItemDataRole.ForegroundRole).color().name()
    assert colour == "#c62828"
    assert "runs version 1" in view._title.text() and "3 update attempts" in view._title.text()


def test_divergence_is_shown_with_expected_and_actual_side_by_side(qtbot, counter_desk: Desk, ops: Operations) -> None:
    _three_attempts(counter_desk)
    view = _view(qtbot, counter_desk, ops)
    view.show()
    # The newest attempt (auto to the diverging version 2) is selected first
    assert view.selected_update()["targetVersion"] == 2
    assert view.divergence_box.isVisible()
    assert view.expected.toPlainText() == "5"
    assert view.actual.toPlainText() == "10"
    assert "#2" in view.divergence_where.text() and "result" in view.divergence_where.text()
    assert "Failed at stage <b>replay</b>" in view.summary.text()
    assert "kept on version 1" in view.summary.text()
    assert not view.snapshot_box.isVisible()


def test_failed_manual_update_shows_stage_reason_revert_and_snapshot_bytes(qtbot, counter_desk: Desk, ops: Operations) -> None:
    _three_attempts(counter_desk)
    view = _view(qtbot, counter_desk, ops)
    view.show()
    manual = counter_desk.workers.worker(REF).updates[1]
    with qtbot.waitSignal(view.snapshot_shown, timeout=10000) as shown:
        view.select_update(manual["id"])
    assert shown.args == [manual["id"]]
    text = view.summary.text()
    assert "stage <b>load</b>" in text and "this version rejects snapshots" in text
    assert "reverted to version 1" in text
    assert not view.divergence_box.isVisible()
    assert view.snapshot_box.isVisible()
    # The counter's snapshot is its total, 12, as a little-endian u64
    assert view.hex_view.toPlainText().startswith("00000000  0c 00 00 00 00 00 00 00")
    assert view.text_view.toPlainText() == "(binary data: not UTF-8 text)"
    assert "8 bytes" in view.snapshot_info.text() and "binary" in view.snapshot_info.text()


def test_a_json_snapshot_is_shown_as_pretty_text(qtbot, desk: Desk, ops: Operations) -> None:
    # Given a counter whose saved state reads as the JSON text {"n": 7}
    desk.components.add("jc", counter(factor=JSON_FACTOR).encode())
    desk.components.add("jc", counter().encode())
    desk.workers.create("jc", "w", version=0)
    desk.workers.invoke("jc/w", "increment", ["1"])
    assert desk.workers.update("jc/w", "manual", 1).ok
    # When the successful manual update is selected
    view = QtUpdatesView(desk.workers, ops)
    qtbot.addWidget(view)
    with qtbot.waitSignal(view.snapshot_shown, timeout=10000):
        view.show_worker("jc/w")
    # Then its snapshot is shown as hex and as pretty-printed JSON
    assert view.text_view.toPlainText() == '{\n  "n": 7\n}'
    assert view.hex_view.toPlainText().startswith('00000000  7b 22 6e 22 3a 20 37 7d')
    assert view.hex_view.toPlainText().endswith('|{"n": 7}|')
    assert "JSON" in view.snapshot_info.text()


def test_a_pending_update_can_be_cancelled(qtbot, counter_desk: Desk, ops: Operations) -> None:
    counter_desk.workers.request_update(REF, "auto", 1)
    view = _view(qtbot, counter_desk, ops)
    assert view.model.data(view.model.index(0, 3)) == "pending"
    assert view.cancel_button.isEnabled()
    assert "can still be cancelled" in view.summary.text()
    with qtbot.waitSignal(view.loaded, timeout=10000):
        with qtbot.waitSignal(view.cancel_finished, timeout=10000) as done:
            qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    assert done.args == [True]
    assert view.model.data(view.model.index(0, 3)) == "cancelled"
    assert not view.cancel_button.isEnabled()
    assert counter_desk.workers.worker(REF).updates[0]["type"] == "cancelledUpdate"


def test_finished_updates_cannot_be_cancelled(qtbot, counter_desk: Desk, ops: Operations) -> None:
    _three_attempts(counter_desk)
    view = _view(qtbot, counter_desk, ops)
    assert not view.cancel_button.isEnabled()
    assert view.cancel_selected() is None


def test_the_list_follows_the_worker(qtbot, counter_desk: Desk, ops: Operations) -> None:
    view = _view(qtbot, counter_desk, ops)
    assert view.model.rowCount() == 0
    assert "Select an update attempt" in view.summary.text()
    with qtbot.waitSignal(view.loaded, timeout=10000) as loaded:
        ops.write(Op("Update", counter_desk.workers.update, REF, "auto", 1), changes=(f"worker:{REF}",))
    assert loaded.args == [1]
    assert view.model.data(view.model.index(0, 3)) == "succeeded"
    view.show_worker(None)
    assert view.model.rowCount() == 0


def test_hex_dump_and_text_decoding() -> None:
    dump = hex_dump(bytes(range(20)))
    assert dump.splitlines()[1] == "00000010  10 11 12 13" + " " * 38 + "|....|"
    assert hex_dump(b"") == "(empty)"
    assert "showing the first 16 of 20 bytes" in hex_dump(bytes(20), limit=16)
    assert snapshot_text(b"hello\nworld") == "hello\nworld"
    assert snapshot_text(b'[1,2]') == "[\n  1,\n  2\n]"
    assert snapshot_text(b"\xff\xfe") is None
    assert snapshot_text(b"\x0c\x00") is None
