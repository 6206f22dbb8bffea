"""Worker updates: automatic (replay) and manual (snapshot), revert, dry run, queue and audit."""

from __future__ import annotations

import pytest

from domain.model.errors import UpdateRejected
from domain.services import audit
from tests import wat


@pytest.fixture
def counter(desk, counter_family):
    """A worker on version 0 with two increments; versions 0..3 registered."""
    for binary in counter_family:
        desk.components.add("counter", binary)
    desk.workers.create("counter", "w1", version=0)
    desk.workers.invoke("counter/w1", "increment", ["5"])
    desk.workers.invoke("counter/w1", "increment", ["7"])
    return desk


def update_types(desk, ref="counter/w1"):
    return [(u["type"], u["targetVersion"]) for u in desk.workers.get(ref)["updates"]]


# --- automatic ---------------------------------------------------------------------


def test_automatic_update_succeeds_when_the_history_replays_identically(counter):
    outcome = counter.workers.update("counter/w1", "auto", 1)
    assert outcome.ok, outcome.message()
    meta = counter.workers.get("counter/w1")
    assert meta["componentVersion"] == 1
    assert update_types(counter) == [("successfulUpdate", 1)]
    assert counter.workers.invoke("counter/w1", "increment", ["1"]).result_wave == "13"


def test_automatic_update_fails_on_a_changed_result_and_says_where(counter):
    outcome = counter.workers.update("counter/w1", "auto", 2)
    assert not outcome.ok
    d = outcome.divergence
    assert (d["entry"], d["kind"], d["expected"], d["actual"]) == (2, "result", "5", "10")
    assert d["function"] == "golem:component/api.{increment}"
    meta = counter.workers.get("counter/w1")
    assert meta["componentVersion"] == 0
    assert meta["updates"][-1]["type"] == "failedUpdate"
    assert "entry #2" in meta["updates"][-1]["details"]
    # The worker goes on serving from its old version, unchanged.
    assert counter.workers.invoke("counter/w1", "get", []).result_wave == "12"


def test_automatic_update_fails_when_a_recorded_function_was_removed(counter, to_wasm):
    counter.components.add("counter", to_wasm(wat.counter(with_get=False)))
    counter.workers.invoke("counter/w1", "get", [])
    outcome = counter.workers.update("counter/w1", "auto", 4)
    assert not outcome.ok
    assert outcome.divergence["kind"] == "missing-function"
    assert outcome.divergence["entry"] == 4
    assert "does not exist in this version" in outcome.reason


def test_automatic_update_fails_on_a_different_host_call_sequence(desk, to_wasm):
    desk.components.add("entropy", to_wasm(wat.ENTROPY))
    # Version 1 swaps what `roll` does: it reads the clock instead of random.
    swapped = wat.ENTROPY.replace('(func (export "roll") (result i64) call $rand', '(func (export "roll") (result i64) call $now')
    desk.components.add("entropy", to_wasm(swapped))
    desk.workers.create("entropy", "dice", version=0)
    desk.workers.invoke("entropy/dice", "roll", [])
    outcome = desk.workers.update("entropy/dice", "auto", 1)
    assert not outcome.ok
    d = outcome.divergence
    assert d["kind"] == "host-call"
    assert d["expected"].startswith("wasi:random/random.get-random-u64")
    assert d["actual"] == "wasi:clocks/monotonic-clock.now"


# --- manual --------------------------------------------------------------------------


def test_manual_update_moves_the_state_and_survives_a_restart(open_home, counter_family):
    desk = open_home()
    for binary in counter_family:
        desk.components.add("counter", binary)
    desk.workers.create("counter", "w1", version=1)
    desk.workers.invoke("counter/w1", "increment", ["5"])
    desk.workers.invoke("counter/w1", "increment", ["7"])
    outcome = desk.workers.update("counter/w1", "manual", 2)
    assert outcome.ok and outcome.snapshot_size == 8
    desk.workers.invoke("counter/w1", "increment", ["1"])  # version 2 doubles: 12 + 2
    # A new process loads the snapshot into version 2 and replays only what came after.
    again = open_home()
    assert again.workers.invoke("counter/w1", "get", []).result_wave == "14"
    kinds = [e.kind for e in again.workers.oplog("counter/w1")]
    assert kinds.count("snapshot-saved") == 1 and kinds.count("snapshot-loaded") == 1


@pytest.mark.parametrize(
    "target_wat, stage, reason",
    [
        (wat.counter(load_behaviour="err"), "load", "this version rejects snapshots"),
        (wat.counter(load_behaviour="trap"), "load", "load-snapshot failed"),
        (wat.counter(load=False), "load", "does not export golem:api/load-snapshot"),
    ],
    ids=["load-returns-err", "load-traps", "load-missing"],
)
def test_manual_update_failures_revert_with_state_intact(desk, to_wasm, target_wat, stage, reason):
    desk.components.add("counter", to_wasm(wat.counter()))
    desk.components.add("counter", to_wasm(target_wat))
    desk.workers.create("counter", "w1", version=0)
    desk.workers.invoke("counter/w1", "increment", ["40"])
    outcome = desk.workers.update("counter/w1", "manual", 1)
    assert not outcome.ok
    assert outcome.stage == stage and reason in outcome.reason
    assert desk.workers.get("counter/w1")["componentVersion"] == 0
    assert desk.workers.invoke("counter/w1", "get", []).result_wave == "40"


def test_manual_update_fails_when_the_old_version_cannot_save(counter):
    outcome = counter.workers.update("counter/w1", "manual", 1)
    assert not outcome.ok and outcome.stage == "save"
    assert "version 0 does not export golem:api/save-snapshot" in outcome.reason
    assert counter.workers.invoke("counter/w1", "get", []).result_wave == "12"


def test_manual_update_fails_when_save_traps_and_the_worker_keeps_its_state(desk, to_wasm):
    desk.components.add("counter", to_wasm(wat.counter(save_traps=True)))
    desk.components.add("counter", to_wasm(wat.counter()))
    desk.workers.create("counter", "w1", version=0)
    desk.workers.invoke("counter/w1", "increment", ["3"])
    outcome = desk.workers.update("counter/w1", "manual", 1)
    assert not outcome.ok and outcome.stage == "save"
    assert desk.workers.invoke("counter/w1", "get", []).result_wave == "3"


def test_large_snapshots_go_to_the_blob_store(desk, to_wasm):
    big_save = wat.counter().replace(
        """      i32.const 4 i32.const 8 i32.store
      i32.const 0)""",
        """      i32.const 4 i32.const 60000 i32.store
      i32.const 0)""",
    )
    desk.components.add("counter", to_wasm(big_save))
    desk.components.add("counter", to_wasm(wat.counter(load_behaviour="err")))
    desk.workers.create("counter", "w1", version=0)
    outcome = desk.workers.update("counter/w1", "manual", 1)
    u = desk.workers.worker("counter/w1").updates[-1]
    assert outcome.snapshot_size == 60000 and u["snapshotSize"] == 60000
    assert u["snapshotInline"] is None
    assert desk.workers.blobs.exists(u["snapshotHash"])
    assert len(desk.workers.snapshot_bytes("counter/w1", u["id"])) == 60000


# --- both modes -----------------------------------------------------------------------


def test_immediate_rejections_record_nothing(counter):
    before = len(counter.workers.oplog("counter/w1"))
    with pytest.raises(UpdateRejected, match="already runs version 0"):
        counter.workers.update("counter/w1", "auto", 0)
    with pytest.raises(UpdateRejected, match="has no version 9"):
        counter.workers.update("counter/w1", "auto", 9)
    with pytest.raises(UpdateRejected, match="unknown update mode"):
        counter.workers.update("counter/w1", "sideways", 1)
    counter.workers.request_update("counter/w1", "auto", 1)
    with pytest.raises(UpdateRejected, match="already pending"):
        counter.workers.request_update("counter/w1", "auto", 1)
    assert len(counter.workers.oplog("counter/w1")) == before + 1
    # The worker is still usable after each rejection (Golem once hung here).
    assert counter.workers.invoke("counter/w1", "get", []).result_wave == "12"


def test_downgrade_works_like_an_upgrade(counter):
    assert counter.workers.update("counter/w1", "auto", 1).ok
    assert counter.workers.update("counter/w1", "auto", 0).ok
    assert counter.workers.get("counter/w1")["componentVersion"] == 0
    assert update_types(counter) == [("successfulUpdate", 1), ("successfulUpdate", 0)]


def test_queued_updates_run_in_order_and_a_pending_one_can_be_cancelled(counter):
    counter.workers.request_update("counter/w1", "auto", 1)
    counter.workers.request_update("counter/w1", "manual", 2)
    counter.workers.request_update("counter/w1", "manual", 3)
    assert [u["type"] for u in counter.workers.get("counter/w1")["updates"]] == ["pendingUpdate"] * 3
    counter.workers.cancel_update("counter/w1", 3)
    results = counter.workers.run_pending_updates("counter/w1")
    assert [(o.target_version, o.ok) for _, o in results] == [(1, True), (2, True)]
    assert update_types(counter) == [("successfulUpdate", 1), ("successfulUpdate", 2), ("cancelledUpdate", 3)]
    with pytest.raises(UpdateRejected):
        counter.workers.cancel_update("counter/w1", 3)


def test_update_without_version_targets_the_latest(counter):
    outcome = counter.workers.update("counter/w1", "manual")
    assert outcome.target_version == 3


# --- dry run and preflight --------------------------------------------------------------


def test_dry_run_reports_without_appending_anything(counter):
    before = len(counter.workers.oplog("counter/w1"))
    ok = counter.workers.dry_run("counter/w1", "auto", 1)
    bad = counter.workers.dry_run("counter/w1", "auto", 2)
    no_save = counter.workers.dry_run("counter/w1", "manual", 2)
    assert ok.ok and ok.dry_run
    assert not bad.ok and bad.divergence["entry"] == 2
    assert not no_save.ok and no_save.stage == "save"
    assert len(counter.workers.oplog("counter/w1")) == before
    assert counter.workers.get("counter/w1")["componentVersion"] == 0


def test_manual_dry_run_exercises_save_and_load(counter):
    assert counter.workers.update("counter/w1", "auto", 1).ok
    assert counter.workers.dry_run("counter/w1", "manual", 2).ok
    rejected = counter.workers.dry_run("counter/w1", "manual", 3)
    assert not rejected.ok and rejected.stage == "load" and "rejects" in rejected.reason


def test_compatibility_report_lists_added_removed_changed_and_snapshot_capability(desk, to_wasm):
    desk.components.add("c", to_wasm(wat.counter(save=False, load=False)))
    changed = wat.counter(with_boom=False, with_spin=False).replace(
        '(func $get (result u64) (canon lift (core func $i "get")))',
        '(func $get (result u32) (canon lift (core func $i "count")))',
    ).replace('(func (export "get") (result i64) global.get $total)', '(func (export "get") (result i64) global.get $total)\n    (func (export "count") (result i32) i32.const 0)')
    desk.components.add("c", to_wasm(changed))
    desk.workers.create("c", "w", version=0)
    report = desk.workers.compatibility("c/w", 1)
    assert report.removed == ("golem:component/api.{boom}", "golem:component/api.{spin}")
    assert [(c.name, c.old, c.new) for c in report.changed] == [
        ("golem:component/api.{get}", "func() -> u64", "func() -> u32")
    ]
    assert report.old_exports_save is False and report.new_exports_load is True
    assert not report.manual_possible


# --- audit ---------------------------------------------------------------------------------


def test_audit_lists_every_attempt_across_workers(counter):
    counter.workers.create("counter", "w2", version=1)
    counter.workers.update("counter/w1", "auto", 1)
    counter.workers.update("counter/w1", "auto", 2)
    counter.workers.update("counter/w2", "manual", 3)
    rows = audit.update_attempts(counter.workers)
    assert [(r.worker, r.fromVersion, r.toVersion, r.mode, r.outcome) for r in rows] == [
        ("counter/w1", 0, 1, "automatic", "succeeded"),
        ("counter/w1", 1, 2, "automatic", "failed"),
        ("counter/w2", 1, 3, "manual", "failed"),
    ]
    assert rows[2].snapshotSize == 8 and rows[2].snapshotHash and rows[2].revertedTo == 1
    csv_text = audit.to_csv(rows)
    assert csv_text.splitlines()[0].startswith("time,worker,component,fromVersion,toVersion,mode,outcome")
    assert "<table>" in audit.to_html(rows)


# --- time travel ---------------------------------------------------------------------------


def test_time_travel_rebuilds_a_past_state_without_recording(counter):
    before = len(counter.workers.oplog("counter/w1"))
    past = counter.workers.time_travel("counter/w1", 2)  # right after increment(5)
    assert past.call("get", []) == "5"
    assert past.call("increment", ["1"]) == "6"  # a scratch call, never recorded
    assert len(counter.workers.oplog("counter/w1")) == before
    assert counter.workers.invoke("counter/w1", "get", []).result_wave == "12"


def test_time_travel_across_a_manual_update_starts_from_its_snapshot(counter):
    assert counter.workers.update("counter/w1", "auto", 1).ok
    assert counter.workers.update("counter/w1", "manual", 2).ok
    counter.workers.invoke("counter/w1", "increment", ["1"])
    latest = counter.workers.history_length("counter/w1")
    assert counter.workers.time_travel("counter/w1", latest).call("get", []) == "14"
    assert counter.workers.time_travel("counter/w1", 3).call("get", []) == "12"


def test_an_update_cancelled_midway_is_recorded_as_failed_and_can_be_retried(counter):
    from domain.model.errors import OperationCancelled

    w = counter.workers.worker("counter/w1")
    total = 12
    for _ in range(1200):
        total += 1
        w.complete_invocation("golem:component/api.{increment}", ["1"], str(total), 1e-5, [], "", "")
    counter.workers.save(w)

    def cancel(done, total_entries):
        raise OperationCancelled()

    with pytest.raises(OperationCancelled):
        counter.workers.update("counter/w1", "auto", 1, progress=cancel)
    meta = counter.workers.get("counter/w1")
    assert meta["componentVersion"] == 0
    assert meta["updates"][-1]["type"] == "failedUpdate"
    assert meta["updates"][-1]["details"] == "cancelled by the user"
    assert counter.workers.update("counter/w1", "auto", 1).ok


def test_a_queued_update_to_the_version_left_after_a_failure_changes_nothing(counter):
    counter.workers.request_update("counter/w1", "auto", 2)  # will diverge
    counter.workers.request_update("counter/w1", "auto", 0)  # back to 0 after 2
    results = counter.workers.run_pending_updates("counter/w1")
    assert [o.ok for _, o in results] == [False, False]
    assert results[1][1].reason == "the worker already runs version 0"
    assert counter.workers.get("counter/w1")["componentVersion"] == 0


def test_manual_update_between_snapshot_interface_generations(desk, to_wasm):
    desk.components.add("counter", to_wasm(wat.counter(snapshot_version="0.2.0")))
    desk.components.add("counter", to_wasm(wat.counter(record_snapshot=True, snapshot_version="1.5.0")))
    desk.workers.create("counter", "w1", version=0)
    desk.workers.invoke("counter/w1", "increment", ["21"])
    assert desk.workers.update("counter/w1", "manual", 1).ok
    assert desk.workers.invoke("counter/w1", "get", []).result_wave == "21"
    assert desk.workers.update("counter/w1", "manual", 0).ok  # and back down
    assert desk.workers.invoke("counter/w1", "get", []).result_wave == "21"
