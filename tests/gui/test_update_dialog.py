"""The update dialog: preflight report, dry run, update, failure wording and bulk updates."""

from __future__ import annotations

import re
import threading

from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel

from desktop_app.gui.updates import QtUpdateDialog
from desktop_app.gui.widgets.ops import Op, Operations
from domain.bootstrap import Desk
from domain.services.bulk import WorkerResult
from tests.gui.fixtures_updates import counter_desk, desk, ops  # noqa: F401
from tests.wat import counter

REF = "counter/w1"


def _dialog(qtbot, desk: Desk, ops: Operations, refs: list[str]) -> QtUpdateDialog:
    dialog = QtUpdateDialog(desk.workers, desk.components, ops, refs)
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.report_ready, timeout=10000):
        pass
    return dialog


def _choose(qtbot, dialog: QtUpdateDialog, target: int, mode: str = "auto") -> None:
    dialog.set_mode(mode)
    if dialog.target() != target:
        with qtbot.waitSignal(dialog.report_ready, timeout=10000):
            dialog.set_target(target)


def _updates(desk: Desk, ref: str = REF) -> list[str]:
    return [u["type"] for u in desk.workers.worker(ref).updates]


def test_offers_every_other_version_with_size_and_snapshot_badges(qtbot, counter_desk: Desk, ops: Operations) -> None:
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    combo = dialog.version_combo
    labels = [combo.itemText(i) for i in range(combo.count())]
    assert labels[0].startswith("Version 0 ·") and labels[0].endswith("no snapshots · current")
    assert "save + load snapshot · newer" in labels[1]
    assert "save snapshot only" not in labels[1] and re.search(r"· \d+(\.\d)? (B|KiB) ·", labels[1])
    model = combo.model()
    assert isinstance(model, QStandardItemModel)
    assert not model.item(0).isEnabled() and model.item(3).isEnabled()
    # The newest version is proposed, and the header says where the worker is
    assert dialog.target() == 3
    assert "runs version 0" in dialog.header.text()
    # Each mode comes with a one-line explanation
    texts = [lbl.text() for lbl in dialog.findChildren(QLabel)]
    assert any(t.startswith("Replays the worker's whole history") for t in texts)
    assert any(t.startswith("Saves the worker's state with save-snapshot") for t in texts)


def test_preflight_report_lists_functions_added_removed_changed_and_snapshot_support(
    qtbot, desk: Desk, ops: Operations
) -> None:
    # Given version 0 without boom/spin and version 1 with them and get() changed to u32
    base = counter(with_boom=False, with_spin=False)
    changed = (
        counter()
        .replace('(func (export "get") (result i64) global.get $total)', '(func (export "get") (result i32) global.get $total i32.wrap_i64)')
        .replace('(func $get (result u64)', '(func $get (result u32)')
    )
    desk.components.add("c", base.encode())
    desk.components.add("c", changed.encode())
    desk.components.add("c", counter(with_boom=False, with_spin=False, save=False).encode())
    desk.workers.create("c", "w", version=0)
    dialog = _dialog(qtbot, desk, ops, ["c/w"])
    _choose(qtbot, dialog, 1)
    text = dialog.report_text()
    assert "Version 0 → 1" in text
    assert "+ added" in text and "golem:component/api.{boom}" in text and "func() -> u64" in text
    assert "golem:component/api.{spin}" in text
    assert "~ changed" in text and "golem:component/api.{get}" in text and "func() -> u32" in text
    assert "version 0 exports save-snapshot" in text and "version 1 exports load-snapshot" in text
    assert "Manual update: possible" in text
    # Going to a version that cannot save: both sides' capabilities and the note
    _choose(qtbot, dialog, 2)
    text = dialog.report_text()
    assert "Functions: identical" in text
    assert "version 2 exports load-snapshot (and does not export save-snapshot)" in text
    # Nothing was written by looking
    assert _updates(desk, "c/w") == []


def test_preflight_shows_removed_functions_and_notes(qtbot, counter_desk: Desk, ops: Operations) -> None:
    counter_desk.components.add("counter", counter(with_boom=False).encode())
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    _choose(qtbot, dialog, 4)
    text = dialog.report_text()
    assert "− removed" in text and "golem:component/api.{boom}" in text
    assert "version 0 does not export save-snapshot" in text
    assert "Manual update: not possible" in text
    assert "an automatic update fails if the worker's history calls a removed function" in text


def test_dry_run_success_is_shown_and_nothing_is_written(qtbot, counter_desk: Desk, ops: Operations) -> None:
    length = counter_desk.workers.history_length(REF)
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    _choose(qtbot, dialog, 1)
    with qtbot.waitSignal(dialog.dry_run_finished, timeout=10000) as done:
        qtbot.mouseClick(dialog.dry_run_button, Qt.MouseButton.LeftButton)
    [result] = done.args[0]
    assert result.ok and result.outcome.dry_run
    text = dialog.result_label.text()
    assert "would succeed" in text and "Nothing was written" in text
    assert not dialog.divergence.isVisibleTo(dialog)
    assert counter_desk.workers.history_length(REF) == length
    assert dialog.update_button.isEnabled()


def test_dry_run_divergence_shows_entry_and_expected_versus_actual(qtbot, counter_desk: Desk, ops: Operations) -> None:
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    _choose(qtbot, dialog, 2)
    with qtbot.waitSignal(dialog.dry_run_finished, timeout=10000):
        dialog.dry_run()
    text = dialog.result_label.text()
    assert "would fail at stage replay" in text
    assert "diverges at entry 2" in text and "expected 5, actual 10" in text
    assert dialog.divergence.isVisibleTo(dialog)
    assert "#2" in dialog.divergence_where.text()
    assert dialog.expected.toPlainText() == "5" and dialog.actual.toPlainText() == "10"
    assert _updates(counter_desk) == []


def test_update_runs_in_the_background_and_reports_success(qtbot, counter_desk: Desk, ops: Operations) -> None:
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    _choose(qtbot, dialog, 1)
    changed: list[str] = []
    ops.changed.connect(changed.append)
    with qtbot.waitSignal(dialog.update_finished, timeout=10000) as done:
        dialog.start_update()
        # While it runs every choice and button is disabled
        assert dialog.running
        assert not dialog.update_button.isEnabled() and not dialog.dry_run_button.isEnabled()
        assert not dialog.version_combo.isEnabled()
    [result] = done.args[0]
    assert result.ok
    assert "counter/w1 now runs version 1" in dialog.result_label.text()
    assert counter_desk.workers.get(REF)["componentVersion"] == 1
    qtbot.waitUntil(lambda: f"worker:{REF}" in changed and "audit" in changed, timeout=10000)
    # The dialog re-reads the worker: version 1 is now the current one
    qtbot.waitUntil(lambda: "runs version 1" in dialog.header.text(), timeout=10000)
    # It is ready for another update once the user picks its target
    assert dialog.version_combo.isEnabled() and dialog.target() is None
    _choose(qtbot, dialog, 3)
    assert dialog.update_button.isEnabled()


def test_failed_manual_update_says_why_and_that_the_worker_kept_its_version(
    qtbot, counter_desk: Desk, ops: Operations
) -> None:
    # Given the worker on version 1 (which can save a snapshot)
    assert counter_desk.workers.update(REF, "auto", 1).ok
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    # When a manual update to version 3, whose load rejects every snapshot, runs
    _choose(qtbot, dialog, 3, "manual")
    dialog.confirm = lambda text: True
    with qtbot.waitSignal(dialog.update_finished, timeout=10000) as done:
        qtbot.mouseClick(dialog.update_button, Qt.MouseButton.LeftButton)
    [result] = done.args[0]
    assert not result.ok
    # Then the dialog gives the reason and says the worker was kept on (reverted to) version 1
    text = dialog.result_label.text()
    assert "failed at stage load: this version rejects snapshots" in text
    assert "reverted and kept on its old version 1" in text
    assert counter_desk.workers.get(REF)["componentVersion"] == 1
    assert counter_desk.workers.invoke(REF, "get", []).result_wave == "12"


def test_rejected_update_is_reported_plainly(qtbot, counter_desk: Desk, ops: Operations) -> None:
    counter_desk.workers.request_update(REF, "auto", 3)
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    _choose(qtbot, dialog, 3)
    with qtbot.waitSignal(dialog.update_finished, timeout=10000) as done:
        dialog.start_update()
    [result] = done.args[0]
    assert result.outcome is None and "already pending" in (result.error or "")
    assert "Nothing was changed" in dialog.result_label.text()


def _bulk_desk(desk: Desk) -> list[str]:
    desk.workers.create("counter", "w2", version=0)
    desk.workers.create("counter", "w3", version=0)
    return [REF, "counter/w2", "counter/w3"]


def test_bulk_update_stops_on_first_failure(qtbot, counter_desk: Desk, ops: Operations) -> None:
    refs = _bulk_desk(counter_desk)
    dialog = _dialog(qtbot, counter_desk, ops, refs)
    assert dialog.stop_on_failure.isChecked() and dialog.bulk
    assert "Update 3 workers" in dialog.header.text()
    _choose(qtbot, dialog, 2)  # w1's history diverges on version 2
    with qtbot.waitSignal(dialog.update_finished, timeout=20000) as done:
        dialog.start_update()
    results: list[WorkerResult] = done.args[0]
    assert [r.status for r in results] == ["failed", "not attempted", "not attempted"]
    table = dialog.results_table
    assert [table.item(r, 1).text() for r in range(table.rowCount())] == ["failed", "not attempted", "not attempted"]
    assert "kept on its old version 0" in table.item(0, 2).text()
    assert "1 failed or rejected, 2 not attempted" in dialog.result_label.text()
    assert _updates(counter_desk, "counter/w2") == []


def test_bulk_update_goes_on_after_a_failure_when_asked(qtbot, counter_desk: Desk, ops: Operations) -> None:
    refs = _bulk_desk(counter_desk)
    dialog = _dialog(qtbot, counter_desk, ops, refs)
    dialog.stop_on_failure.setChecked(False)
    _choose(qtbot, dialog, 2)
    finished: list[WorkerResult] = []
    dialog.worker_finished.connect(finished.append)
    with qtbot.waitSignal(dialog.update_finished, timeout=20000) as done:
        dialog.start_update()
    assert [r.status for r in done.args[0]] == ["failed", "succeeded", "succeeded"]
    assert [r.ref for r in finished] == refs
    assert "2 of 3 succeeded, 1 failed or rejected" in dialog.result_label.text()
    assert counter_desk.workers.get("counter/w3")["componentVersion"] == 2


def test_bulk_dry_run_lists_each_worker(qtbot, counter_desk: Desk, ops: Operations) -> None:
    refs = _bulk_desk(counter_desk)
    dialog = _dialog(qtbot, counter_desk, ops, refs)
    _choose(qtbot, dialog, 2)
    with qtbot.waitSignal(dialog.dry_run_finished, timeout=20000):
        dialog.dry_run()
    table = dialog.results_table
    assert [table.item(r, 1).text() for r in range(3)] == ["would fail", "would succeed", "would succeed"]
    assert dialog.divergence.isVisibleTo(dialog)
    assert all(_updates(counter_desk, r) == [] for r in refs)


def test_closing_while_an_update_runs_waits_for_it(qtbot, counter_desk: Desk, ops: Operations) -> None:
    # Given the write lane is busy, so the update waits in line
    gate = threading.Event()
    ops.write(Op("Hold", gate.wait, 10))
    dialog = _dialog_after_gate(qtbot, counter_desk, ops, gate)
    _choose_nowait(dialog, 1)
    dialog.show()
    dialog.start_update()
    assert dialog.running
    # When the user closes the dialog, it stays open and says it will close when done
    dialog.reject()
    assert dialog.isVisible()
    assert "Closing when the running step finishes" in dialog.status.text()
    # Then it closes by itself once the update has finished
    with qtbot.waitSignal(dialog.finished, timeout=20000):
        gate.set()
    assert not dialog.isVisible()
    assert counter_desk.workers.get(REF)["componentVersion"] == 1


def _dialog_after_gate(qtbot, desk: Desk, ops: Operations, gate: threading.Event) -> QtUpdateDialog:
    """A dialog whose preflight is queued behind ``gate``: release, read, then hold the lane again."""
    dialog = QtUpdateDialog(desk.workers, desk.components, ops, [REF])
    qtbot.addWidget(dialog)
    with qtbot.waitSignal(dialog.report_ready, timeout=20000):
        gate.set()
    gate.clear()
    ops.write(Op("Hold", gate.wait, 10))
    return dialog


def _choose_nowait(dialog: QtUpdateDialog, target: int) -> None:
    dialog.version_combo.blockSignals(True)
    dialog.set_target(target)
    dialog.version_combo.blockSignals(False)


def test_handlers_run_on_the_ui_thread(qtbot, counter_desk: Desk, ops: Operations) -> None:
    ui = threading.get_ident()
    seen: list[bool] = []
    dialog = QtUpdateDialog(counter_desk.workers, counter_desk.components, ops, [REF])
    qtbot.addWidget(dialog)
    dialog.report_ready.connect(lambda: seen.append(threading.get_ident() == ui), Qt.ConnectionType.DirectConnection)
    qtbot.waitUntil(lambda: bool(seen), timeout=10000)
    assert seen == [True]


def test_closing_during_a_dry_run_stops_it(qtbot, counter_desk: Desk, ops: Operations) -> None:
    gate = threading.Event()
    ops.write(Op("Hold", gate.wait, 10))
    dialog = _dialog_after_gate(qtbot, counter_desk, ops, gate)
    dialog.show()
    op = dialog.dry_run()
    assert op is not None and dialog.cancel_button.isVisible()
    dialog.reject()
    assert dialog.isVisible()
    with qtbot.waitSignal(dialog.finished, timeout=20000):
        with qtbot.waitSignal(op.cancelled, timeout=20000):
            gate.set()
    assert not dialog.isVisible()


# --------------------------------------------------------------------------- updates only on purpose


def _record(desk: Desk, ref: str = REF) -> tuple[int, int, list[str]]:
    """What an update would change: the component version, the history length and the update records."""
    return desk.workers.get(ref)["componentVersion"], desk.workers.history_length(ref), _updates(desk, ref)


class Confirm:
    """Stands in for the confirmation box: records what it was asked and answers ``answer``."""

    def __init__(self, answer: bool) -> None:
        self.answer = answer
        self.asked: list[str] = []

    def __call__(self, text: str) -> bool:
        self.asked.append(text)
        return self.answer


def test_enter_runs_a_dry_run_and_never_an_update(qtbot, counter_desk: Desk, ops: Operations) -> None:
    # Given the dialog just opened, with the newest version proposed
    before = _record(counter_desk)
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    confirm = Confirm(True)
    dialog.confirm = confirm
    dialog.show()
    assert dialog.target() == 3
    # When the user presses Enter, on the dialog and then on the version list
    with qtbot.waitSignal(dialog.dry_run_finished, timeout=10000) as done:
        QTest.keyClick(dialog, Qt.Key.Key_Return)
    [result] = done.args[0]
    assert result.outcome is not None and result.outcome.dry_run
    with qtbot.waitSignal(dialog.dry_run_finished, timeout=10000):
        QTest.keyClick(dialog.version_combo, Qt.Key.Key_Return)
    # Then only dry runs ran: nothing was asked and nothing was written
    ops.wait_idle()
    assert confirm.asked == []
    assert _record(counter_desk) == before
    assert "Nothing was written" in dialog.result_label.text()
    assert dialog.dry_run_button.isDefault() and not dialog.update_button.isDefault()


def test_enter_after_clicking_update_still_does_not_update(qtbot, counter_desk: Desk, ops: Operations) -> None:
    before = _record(counter_desk)
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    dialog.confirm = Confirm(False)
    dialog.show()
    # The Update button has the focus after a click that was not confirmed
    qtbot.mouseClick(dialog.update_button, Qt.MouseButton.LeftButton)
    dialog.update_button.setFocus()
    with qtbot.waitSignal(dialog.dry_run_finished, timeout=10000):
        QTest.keyClick(dialog.update_button, Qt.Key.Key_Return)
    ops.wait_idle()
    assert _record(counter_desk) == before


def test_declined_confirmation_writes_nothing(qtbot, counter_desk: Desk, ops: Operations) -> None:
    before = _record(counter_desk)
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    _choose(qtbot, dialog, 1)
    ops.wait_idle()  # the compatibility report's read, so that any op seen below is the click's
    qtbot.waitUntil(lambda: ops.running == [], timeout=10000)  # and its finish delivered
    confirm = Confirm(False)
    dialog.confirm = confirm

    qtbot.mouseClick(dialog.update_button, Qt.MouseButton.LeftButton)

    # The question says what would have happened
    [text] = confirm.asked
    assert "automatic update of counter/w1 from version 0 to version 1" in text
    assert "Warning" not in text and "downgrade" not in text
    assert "No dry run was made" in text
    # And nothing ran or was written
    assert not dialog.running and ops.running == []
    ops.wait_idle()
    assert _record(counter_desk) == before
    assert "Nothing was written" in dialog.status.text()


def test_accepted_confirmation_writes_exactly_one_update(qtbot, counter_desk: Desk, ops: Operations) -> None:
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    _choose(qtbot, dialog, 1)
    with qtbot.waitSignal(dialog.dry_run_finished, timeout=10000):
        dialog.dry_run()
    confirm = Confirm(True)
    dialog.confirm = confirm
    with qtbot.waitSignal(dialog.update_finished, timeout=10000):
        qtbot.mouseClick(dialog.update_button, Qt.MouseButton.LeftButton)
    ops.wait_idle()
    [text] = confirm.asked
    assert "The dry run said it would succeed" in text
    assert _updates(counter_desk) == ["successfulUpdate"]
    assert counter_desk.workers.get(REF)["componentVersion"] == 1


def test_manual_update_confirmation_uses_the_gui_words(qtbot, counter_desk: Desk, ops: Operations) -> None:
    assert counter_desk.workers.update(REF, "auto", 1).ok
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    _choose(qtbot, dialog, 2, "manual")
    confirm = Confirm(False)
    dialog.confirm = confirm
    assert not dialog.confirm_and_update()
    [text] = confirm.asked
    assert "manual update of counter/w1 from version 1 to version 2" in text
    assert "save-snapshot" in text


def test_downgrade_confirmation_warns(qtbot, counter_desk: Desk, ops: Operations) -> None:
    # Given the worker on version 3
    assert counter_desk.workers.update(REF, "auto", 3).ok
    before = _record(counter_desk)
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    # When the user asks for version 1
    _choose(qtbot, dialog, 1)
    confirm = Confirm(False)
    dialog.confirm = confirm
    qtbot.mouseClick(dialog.update_button, Qt.MouseButton.LeftButton)
    # Then the question warns of a downgrade, and declining it writes nothing
    [text] = confirm.asked
    assert "from version 3 to version 1" in text
    assert "Warning: this is a downgrade" in text and "older than version 3" in text
    ops.wait_idle()
    assert _record(counter_desk) == before


def test_bulk_confirmation_lists_each_worker_and_its_downgrade(qtbot, counter_desk: Desk, ops: Operations) -> None:
    refs = _bulk_desk(counter_desk)
    assert counter_desk.workers.update("counter/w2", "auto", 3).ok
    dialog = _dialog(qtbot, counter_desk, ops, refs)
    _choose(qtbot, dialog, 1)
    confirm = Confirm(False)
    dialog.confirm = confirm
    qtbot.mouseClick(dialog.update_button, Qt.MouseButton.LeftButton)
    [text] = confirm.asked
    assert "automatic update of 3 workers to version 1" in text
    assert "counter/w1: version 0 → 1\n" in text and "counter/w2: version 3 → 1 (downgrade)" in text
    assert "Warning: this is a downgrade for counter/w2" in text
    assert all(_updates(counter_desk, r) == (["successfulUpdate"] if r == "counter/w2" else []) for r in refs)


def test_the_default_confirmation_defaults_to_cancel(qtbot, counter_desk: Desk, ops: Operations, monkeypatch) -> None:
    from PySide6.QtWidgets import QMessageBox

    seen: list[tuple[str, str, str]] = []

    def answer(box: QMessageBox) -> int:
        default = box.defaultButton()
        seen.append((box.text(), box.informativeText(), default.text() if default else ""))
        box.done(0)
        return 0

    monkeypatch.setattr(QMessageBox, "exec", answer)
    assert counter_desk.workers.update(REF, "auto", 3).ok
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    _choose(qtbot, dialog, 1)
    assert not dialog.confirm_and_update()
    [(question, details, default)] = seen
    assert question == "Run an automatic update of counter/w1 from version 3 to version 1?"
    assert "downgrade" in details
    assert default.replace("&", "") == "Cancel"


def test_after_an_update_the_dialog_is_disarmed(qtbot, counter_desk: Desk, ops: Operations) -> None:
    # Given an update from version 0 to 1, confirmed
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    dialog.show()
    _choose(qtbot, dialog, 1)
    confirm = Confirm(True)
    dialog.confirm = confirm
    with qtbot.waitSignal(dialog.update_finished, timeout=10000):
        qtbot.mouseClick(dialog.update_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "runs version 1" in dialog.header.text(), timeout=10000)
    ops.wait_idle()
    qtbot.wait(50)
    # Then no next target is proposed and nothing can be run until the user picks one
    assert dialog.target() is None and dialog.version_combo.currentIndex() == -1
    assert not dialog.update_button.isEnabled() and not dialog.dry_run_button.isEnabled()
    # The explanation says what was written, not that nothing was
    assert "nothing has been written" not in dialog.report_box.title()
    written = dialog.report_text()
    assert "successful automatic update from version 0 to 1 was written" in written
    assert "now runs version 1" in written
    # And pressing Enter again neither asks nor writes anything
    before = _record(counter_desk)
    dry_runs: list[object] = []
    dialog.dry_run_finished.connect(dry_runs.append)
    QTest.keyClick(dialog, Qt.Key.Key_Return)
    QTest.keyClick(dialog.version_combo, Qt.Key.Key_Return)
    assert not dialog.running
    ops.wait_idle()
    qtbot.wait(50)
    assert dry_runs == [] and len(confirm.asked) == 1
    assert _record(counter_desk) == before == (1, before[1], ["successfulUpdate"])
    # Picking a target arms the dialog again, with the compatibility report back
    _choose(qtbot, dialog, 2)
    assert dialog.update_button.isEnabled() and dialog.dry_run_button.isEnabled()
    assert dialog.report_box.title() == "Compatibility (nothing has been written)"
    assert "Version 1 → 2" in dialog.report_text()


def test_after_a_failed_update_the_dialog_says_what_was_written(qtbot, counter_desk: Desk, ops: Operations) -> None:
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    _choose(qtbot, dialog, 2)  # the history diverges on version 2
    dialog.confirm = Confirm(True)
    with qtbot.waitSignal(dialog.update_finished, timeout=10000):
        assert dialog.confirm_and_update()
    assert dialog.target() is None
    assert "a failed automatic update to version 2 (stage replay) was written" in dialog.report_text()
    assert "still runs version 0" in dialog.report_text()
    assert _updates(counter_desk) == ["failedUpdate"]


def test_manual_is_disabled_with_its_reason_when_the_old_version_cannot_save(
    qtbot, counter_desk: Desk, ops: Operations
) -> None:
    # Given the worker on version 0, which has no save-snapshot, and version 1 as the target
    before = _record(counter_desk)
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    dialog.show()
    _choose(qtbot, dialog, 1)
    # Then Manual cannot be chosen, and the reason stands beside it
    assert not dialog.manual_radio.isEnabled() and dialog.auto_radio.isEnabled()
    assert dialog.manual_reason.isVisible()
    assert dialog.manual_reason.text() == "Not possible: version 0 does not export save-snapshot."
    assert not dialog.auto_reason.isVisible()
    qtbot.mouseClick(dialog.manual_radio, Qt.MouseButton.LeftButton)
    assert dialog.mode() == "auto"
    # And even when chosen from code, a manual update is neither offered nor run
    dialog.set_mode("manual")
    assert not dialog.update_button.isEnabled() and not dialog.dry_run_button.isEnabled()
    confirm = Confirm(True)
    dialog.confirm = confirm
    assert not dialog.confirm_and_update() and not dialog.start_update() and dialog.dry_run() is None
    assert confirm.asked == [] and not dialog.running
    assert "version 0 does not export save-snapshot" in dialog.status.text()
    ops.wait_idle()
    assert _record(counter_desk) == before


def test_a_chosen_manual_mode_falls_back_to_automatic_when_the_target_cannot_load(
    qtbot, counter_desk: Desk, ops: Operations
) -> None:
    assert counter_desk.workers.update(REF, "auto", 1).ok
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    _choose(qtbot, dialog, 2, "manual")
    assert dialog.manual_radio.isEnabled() and dialog.mode() == "manual"
    assert not dialog.manual_reason.isVisibleTo(dialog)
    # When the user picks version 0, which has no load-snapshot
    _choose(qtbot, dialog, 0)
    assert not dialog.manual_radio.isEnabled() and dialog.mode() == "auto"
    assert dialog.manual_reason.text() == "Not possible: version 0 does not export load-snapshot."
    assert dialog.update_button.isEnabled()


def test_bulk_manual_reason_names_the_workers_it_concerns(qtbot, counter_desk: Desk, ops: Operations) -> None:
    refs = _bulk_desk(counter_desk)
    assert counter_desk.workers.update("counter/w2", "auto", 1).ok
    dialog = _dialog(qtbot, counter_desk, ops, refs)
    _choose(qtbot, dialog, 2)
    assert not dialog.manual_radio.isEnabled()
    assert dialog.manual_reason.text() == (
        "Not possible: counter/w1, counter/w3: version 0 does not export save-snapshot."
    )


# --------------------------------------------------------------------------- nothing clipped


def _squeezed(dialog: QtUpdateDialog) -> list[str]:
    """Visible widgets of the dialog given less height than they need to show their content."""
    out = []
    widgets = [dialog.header, dialog.report_box, dialog.report, dialog.result_label, dialog.divergence, dialog.results_table]
    widgets += [w for w in dialog.findChildren(QLabel) if w.wordWrap()]
    for w in widgets:
        if not w.isVisible():
            continue
        need = w.heightForWidth(w.width()) if w.hasHeightForWidth() else w.minimumSizeHint().height()
        need = max(need, w.minimumHeight())
        if w.height() < need:
            name = w.text()[:30] if isinstance(w, QLabel) else type(w).__name__
            out.append(f"{name}: {w.height()} < {need}")
    return out


def _rows_shown(table) -> int:
    """Rows of ``table`` wholly inside its viewport."""
    height = table.viewport().height()
    return sum(
        1 for r in range(table.rowCount()) if table.rowViewportPosition(r) >= 0 and table.rowViewportPosition(r) + table.rowHeight(r) <= height
    )


def test_a_dry_run_result_grows_or_scrolls_the_dialog_instead_of_clipping(
    qtbot, counter_desk: Desk, ops: Operations
) -> None:
    dialog = _dialog(qtbot, counter_desk, ops, [REF])
    dialog.show()
    qtbot.waitExposed(dialog)
    _choose(qtbot, dialog, 2)  # a dry run that diverges: the longest text and the side-by-side boxes
    with qtbot.waitSignal(dialog.dry_run_finished, timeout=10000):
        dialog.dry_run()
    # The dialog grows: nothing is squeezed and the whole report shows, within the screen
    qtbot.waitUntil(lambda: _squeezed(dialog) == [] and dialog.report.verticalScrollBar().maximum() == 0, timeout=5000)
    assert dialog.frameGeometry().height() <= dialog.screen().availableGeometry().height()
    # Made smaller than its content, it scrolls instead: still nothing squeezed, and the buttons stay in view
    dialog.resize(dialog.minimumWidth(), 360)
    qtbot.waitUntil(lambda: dialog.height() == 360 and _squeezed(dialog) == [], timeout=5000)
    assert dialog.body.verticalScrollBar().maximum() > 0
    button = dialog.update_button
    assert dialog.rect().contains(button.mapTo(dialog, button.rect().bottomRight()))


def test_the_bulk_results_table_shows_its_rows(qtbot, counter_desk: Desk, ops: Operations) -> None:
    refs = _bulk_desk(counter_desk)
    dialog = _dialog(qtbot, counter_desk, ops, refs)
    dialog.show()
    qtbot.waitExposed(dialog)
    _choose(qtbot, dialog, 2)
    with qtbot.waitSignal(dialog.dry_run_finished, timeout=20000):
        dialog.dry_run()
    table = dialog.results_table
    assert table.rowCount() == 3
    qtbot.waitUntil(lambda: table.viewport().height() > 0 and _rows_shown(table) == 3, timeout=5000)
    # And after the update itself, with the failure's divergence shown above it
    dialog.stop_on_failure.setChecked(False)
    dialog.confirm = Confirm(True)
    with qtbot.waitSignal(dialog.update_finished, timeout=20000):
        assert dialog.confirm_and_update()
    assert table.rowCount() == 3
    qtbot.waitUntil(lambda: _rows_shown(table) == 3 and _squeezed(dialog) == [], timeout=5000)
