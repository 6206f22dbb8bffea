"""Durable workers, as narrated scenarios on the services (in memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import pytest

from domain.model.errors import BadArguments, CorruptHistory, InvocationFailed, NotFound, WorkerDeskError
from tests import wat


def test_a_worker_keeps_its_state_across_a_restart(open_home, counter_family):
    desk = open_home()
    # A component with one version and a worker on it.
    desk.components.add("counter", counter_family[1])
    desk.workers.create("counter", "w1")
    # Two invocations, each durable once it returns.
    assert desk.workers.invoke("counter/w1", "increment", ["5"]).result_wave == "5"
    assert desk.workers.invoke("counter/w1", "golem:component/api.{increment}", ["7"]).result_wave == "12"
    # A restarted process rebuilds the worker from its history.
    again = open_home()
    assert again.workers.invoke("counter/w1", "get", []).result_wave == "12"
    meta = again.workers.get("counter/w1")
    assert meta["status"] == "Idle"
    assert meta["componentVersion"] == 0
    assert meta["invocationCount"] == 3
    assert meta["updates"] == []


def test_worker_metadata_has_golems_shape(desk, counter_family):
    desk.components.add("counter", counter_family[0])
    meta = desk.workers.create("counter", "w1", env={"K": "V"}, args=["--x"])
    for key in ("status", "componentVersion", "componentSize", "createdAt", "env", "args",
                "pendingInvocationCount", "lastError", "updates"):
        assert key in meta
    assert meta["env"] == {"K": "V"} and meta["args"] == ["--x"]
    assert meta["componentSize"] == len(counter_family[0])


def test_the_oplog_numbers_creation_invocations_and_failures(desk, counter_family):
    desk.components.add("counter", counter_family[1])
    desk.workers.create("counter", "w1")
    desk.workers.invoke("counter/w1", "increment", ["2"])
    with pytest.raises(InvocationFailed):
        desk.workers.invoke("counter/w1", "boom", [])
    log = desk.workers.oplog("counter/w1")
    assert [(e.index, e.kind) for e in log] == [(1, "create"), (2, "invocation"), (3, "invocation-failed")]
    assert log[1].data["args"] == ["2"] and log[1].data["result"] == "2"
    assert "unreachable" in log[2].data["message"]
    assert [e.index for e in desk.workers.oplog("counter/w1", start=2)] == [2, 3]


def test_a_trap_never_leaves_a_half_changed_instance_serving(desk, to_wasm):
    # increment-then-trap changes memory and then traps: the change must not survive.
    partial = wat.counter(
        extra_core='(func (export "bump-and-trap") (result i64) '
        "global.get $total i64.const 100 i64.add global.set $total unreachable)",
        extra_api='(func $bt (result u64) (canon lift (core func $i "bump-and-trap")))',
    ).replace('(export "increment" (func $increment))', '(export "increment" (func $increment)) (export "bump-and-trap" (func $bt))')
    desk.components.add("counter", to_wasm(partial))
    desk.workers.create("counter", "w1")
    desk.workers.invoke("counter/w1", "increment", ["1"])
    with pytest.raises(InvocationFailed):
        desk.workers.invoke("counter/w1", "bump-and-trap", [])
    assert desk.workers.get("counter/w1")["status"] == "Failed"
    assert desk.workers.invoke("counter/w1", "get", []).result_wave == "1"
    meta = desk.workers.get("counter/w1")
    assert meta["lastError"].endswith("wasm `unreachable` instruction executed")
    assert meta["status"] == "Idle"


def test_an_endless_loop_times_out_and_the_worker_goes_on(open_home, counter_family):
    desk = open_home(time_limit=0.3)
    desk.components.add("counter", counter_family[1])
    desk.workers.create("counter", "w1")
    desk.workers.invoke("counter/w1", "increment", ["3"])
    with pytest.raises(InvocationFailed) as e:
        desk.workers.invoke("counter/w1", "spin", [])
    assert e.value.kind == "timeout"
    assert desk.workers.invoke("counter/w1", "increment", ["1"]).result_wave == "4"


def test_bad_arguments_are_refused_before_anything_is_recorded(desk, counter_family):
    desk.components.add("counter", counter_family[1])
    desk.workers.create("counter", "w1")
    with pytest.raises(BadArguments) as e:
        desk.workers.invoke("counter/w1", "increment", ["300000000000"])
    assert "u32" in str(e.value)
    with pytest.raises(BadArguments):
        desk.workers.invoke("counter/w1", "increment", ['"five"'])
    with pytest.raises(BadArguments):
        desk.workers.invoke("counter/w1", "increment", [])
    assert [e.kind for e in desk.workers.oplog("counter/w1")] == ["create"]


def test_unknown_workers_components_and_functions_are_clear_errors(desk, counter_family):
    with pytest.raises(NotFound, match="no component named 'nope'"):
        desk.workers.create("nope", "w1")
    desk.components.add("counter", counter_family[1])
    with pytest.raises(NotFound, match="no worker counter/ghost"):
        desk.workers.invoke("counter/ghost", "get", [])
    desk.workers.create("counter", "w1")
    with pytest.raises(WorkerDeskError, match="already exists"):
        desk.workers.create("counter", "w1")
    with pytest.raises(NotFound, match="no exported function 'nothing'"):
        desk.workers.invoke("counter/w1", "nothing", [])


def test_a_deleted_worker_is_gone_but_its_name_can_be_reused(desk, counter_family):
    desk.components.add("counter", counter_family[1])
    desk.workers.create("counter", "w1")
    desk.workers.invoke("counter/w1", "increment", ["9"])
    desk.workers.delete("counter/w1")
    assert desk.workers.list() == [] and desk.workers.count() == 0
    desk.workers.create("counter", "w1")
    desk.workers.create("counter", "w2")
    assert desk.workers.count() == len(desk.workers.list()) == 2
    assert desk.workers.invoke("counter/w1", "get", []).result_wave == "0"


def test_random_and_time_are_replayed_after_restart_and_fresh_afterwards(open_home, to_wasm):
    desk = open_home()
    desk.components.add("entropy", to_wasm(wat.ENTROPY))
    desk.workers.create("entropy", "dice")
    rolled = desk.workers.invoke("entropy/dice", "roll", []).result_wave
    now = desk.workers.invoke("entropy/dice", "now", []).result_wave
    # In a new process the recorded values come back during recovery…
    again = open_home()
    assert again.workers.invoke("entropy/dice", "last", []).result_wave == rolled
    recorded = again.workers.oplog("entropy/dice")[2].data["hostCalls"]
    assert recorded == [["wasi:clocks/monotonic-clock.now", int(now)]]
    # …and the next call gets a fresh one.
    assert again.workers.invoke("entropy/dice", "roll", []).result_wave != rolled


def test_recovery_that_does_not_reproduce_the_history_is_a_corruption_error(open_home, counter_family):
    desk = open_home()
    desk.components.add("counter", counter_family[1])
    desk.workers.create("counter", "w1")
    desk.workers.invoke("counter/w1", "increment", ["5"])
    # Tamper with the recorded result of entry #2.
    w = desk.workers.worker("counter/w1")
    w.complete_invocation("golem:component/api.{increment}", ["1"], "999", 0.0, [], "", "")
    desk.workers.save(w)
    again = open_home()
    with pytest.raises(CorruptHistory) as e:
        again.workers.invoke("counter/w1", "get", [])
    assert "entry #3" in str(e.value) and "999" in str(e.value)


def test_listing_workers_and_components(desk, counter_family):
    desk.components.add("counter", counter_family[0])
    desk.components.add("counter", counter_family[1])
    desk.workers.create("counter", "b", version=0)
    desk.workers.create("counter", "a")
    assert [c.name for c in desk.components.list()] == ["counter"]
    assert [v.version for v in desk.components.get("counter").versions] == [0, 1]
    listed = desk.workers.list()
    assert [(m["workerId"]["workerName"], m["componentVersion"]) for m in listed] == [("a", 1), ("b", 0)]


def test_values_are_stored_losslessly(desk, kitchen_wasm):
    desk.components.add("kitchen", kitchen_wasm)
    desk.workers.create("kitchen", "k")
    for function, text in [
        ("echo-u64", "18446744073709551615"),
        ("echo-f64", "0.1"),
        ("echo-f32", "-0.0"),
        ("echo-bytes", "[0, 255, 7]"),
        ("echo-nested", '[none, some(rect({x: -1, y: 2, label: "✓"}))]'),
    ]:
        assert desk.workers.invoke("kitchen/k", function, [text]).result_wave == text
    log = desk.workers.oplog("kitchen/k")
    assert log[1].data["args"] == ["18446744073709551615"]
    assert log[-1].data["result"] == '[none, some(rect({x: -1, y: 2, label: "✓"}))]'


def test_read_metadata_is_a_pure_read(desk, counter_family):
    desk.components.add("counter", counter_family[1])
    desk.workers.create("counter", "w1")
    desk.workers.invoke("counter/w1", "increment", ["2"])
    before = desk.workers.history_length("counter/w1")
    meta = desk.workers.read_metadata("counter/w1")
    assert meta["invocationCount"] == 1
    assert desk.workers.history_length("counter/w1") == before
    with pytest.raises(NotFound):
        desk.workers.read_metadata("counter/nobody")


def test_long_histories_reload_from_aggregate_snapshots(open_home, counter_family):
    desk = open_home()
    desk.components.add("counter", counter_family[1])
    desk.workers.create("counter", "w1")
    for _ in range(450):
        desk.workers.invoke("counter/w1", "increment", ["1"])
    wid = desk.workers.worker_id("counter/w1")
    taken = list(desk.workers.snapshots.get(wid))
    assert [s.originator_version for s in taken] == [200, 400]
    again = open_home()
    meta = again.workers.get("counter/w1")
    assert meta["invocationCount"] == 450 and meta["historyLength"] == 451
    assert again.workers.invoke("counter/w1", "get", []).result_wave == "450"


def test_host_calls_made_while_instantiating_are_recorded_and_replayed(open_home, to_wasm):
    desk = open_home()
    desk.components.add("seeded", to_wasm(wat.SEEDED))
    desk.workers.create("seeded", "s")
    # The start function drew a random seed; the first call sees it.
    seed = desk.workers.invoke("seeded/s", "seed", []).result_wave
    assert desk.workers.invoke("seeded/s", "tick", []).result_wave == str(int(seed) + 1)
    kinds = [e.kind for e in desk.workers.oplog("seeded/s")]
    assert kinds == ["create", "startup", "invocation", "invocation"]
    # A restarted process instantiates with the recorded seed, so the history replays.
    again = open_home()
    assert again.workers.invoke("seeded/s", "tick", []).result_wave == str(int(seed) + 2)
    assert again.workers.time_travel("seeded/s", 3).call("seed", []) == seed


def test_a_version_that_draws_different_startup_randomness_diverges_on_automatic_update(desk, to_wasm):
    desk.components.add("seeded", to_wasm(wat.SEEDED))
    # Version 1 draws its seed lazily instead of at startup.
    lazy = wat.SEEDED.replace("    (start $init)\n", "").replace(
        '(func (export "seed") (result i64) global.get $seed)',
        '(func (export "seed") (result i64) call $init global.get $seed)',
    )
    desk.components.add("seeded", to_wasm(lazy))
    desk.workers.create("seeded", "s", version=0)
    desk.workers.invoke("seeded/s", "seed", [])
    outcome = desk.workers.update("seeded/s", "auto", 1)
    assert not outcome.ok
    assert outcome.divergence["function"] == "(instantiation)"
    assert outcome.divergence["kind"] == "host-call"
    assert desk.workers.get("seeded/s")["componentVersion"] == 0
