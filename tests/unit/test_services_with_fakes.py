"""The worker services over fake ports: the real event store and state machine,
components and instances in plain Python (tests/fakes.py)."""

from __future__ import annotations

import pytest

from domain.bootstrap import open_desk
from domain.model.errors import UpdateRejected
from domain.services.replay import Divergence
from tests.fakes import FakeRuntime, MemoryBlobs, MemoryMarkers, RecordedCrashPoints


@pytest.fixture
def fake(tmp_path):
    runtime, markers, crash = FakeRuntime(), MemoryMarkers(), RecordedCrashPoints()
    desk = open_desk(tmp_path, in_memory=True, runtime=runtime, blobs=MemoryBlobs(), markers=markers, crash=crash)
    for text in ("fake:counter save", "fake:counter save load", "fake:counter factor=2 load"):
        desk.components.add("counter", text.encode())
    desk.workers.create("counter", "w", version=0)
    for n in ("5", "7"):
        desk.workers.invoke("counter/w", "increment", [n])
    yield desk, runtime, markers, crash
    desk.close()


def test_invocations_pass_their_crash_point_and_are_recorded(fake):
    desk, _, _, crash = fake
    assert crash.reached == ["mid-invocation", "mid-invocation"]
    assert [e.summary() for e in desk.workers.oplog("counter/w")][1:] == [
        "golem:component/api.{increment}(5) -> 5",
        "golem:component/api.{increment}(7) -> 12",
    ]


def test_an_automatic_update_replays_and_passes_its_crash_points_in_order(fake):
    desk, runtime, _, crash = fake
    before = runtime.instantiated
    outcome = desk.workers.update("counter/w", "auto", 1)
    assert outcome.ok, outcome.message()
    assert crash.reached[2:] == ["after-request", "after-start", "before-success"]
    assert runtime.instantiated == before + 1  # one scratch instance, the history replayed on it
    assert desk.workers.invoke("counter/w", "get", []).result_wave == "12"


def test_a_divergence_is_a_typed_value_stored_as_a_mapping(fake):
    desk, *_ = fake
    desk.workers.update("counter/w", "auto", 1)
    desk.workers.invoke("counter/w", "increment", ["1"])
    desk.workers.invoke("counter/w", "roll", [])
    outcome = desk.workers.update("counter/w", "auto", 2)
    assert not outcome.ok
    assert isinstance(outcome.divergence, Divergence)
    assert (outcome.divergence.entry, outcome.divergence.kind) == (2, "result")
    assert outcome.divergence["expected"] == "5" and outcome.divergence["actual"] == "10"
    stored = desk.workers.get("counter/w")["updates"][-1]
    assert stored["type"] == "failedUpdate" and "entry #2" in stored["details"]
    assert desk.workers.worker("counter/w").update(outcome_id(desk))["divergence"] == outcome.divergence.to_json()


def outcome_id(desk) -> str:
    return desk.workers.worker("counter/w").updates[-1]["id"]


def test_a_manual_update_carries_the_state_across_and_recovers_from_its_snapshot(fake):
    desk, runtime, _, crash = fake
    desk.workers.update("counter/w", "auto", 1)
    outcome = desk.workers.update("counter/w", "manual", 2)
    assert outcome.ok, outcome.message()
    assert crash.reached[-5:] == ["after-request", "after-start", "after-snapshot-saved", "during-load", "before-success"]
    assert desk.workers.invoke("counter/w", "get", []).result_wave == "24"  # v2 doubles what it loads
    desk.workers.forget_instances()
    assert desk.workers.invoke("counter/w", "increment", ["1"]).result_wave == "26"


def test_an_update_left_pending_by_a_dead_runner_is_failed_by_the_next_process(fake):
    desk, _, markers, _ = fake
    markers.token = "a-runner-that-dies"
    desk.workers.request_update("counter/w", "auto", 1)
    with pytest.raises(UpdateRejected, match="another process"):
        markers.token = "the-next-runner"
        desk.workers.request_update("counter/w", "auto", 2)
    markers.dead_runners.add("a-runner-that-dies")
    desk.workers.request_update("counter/w", "auto", 2)
    records = desk.workers.get("counter/w")["updates"]
    assert records[0]["type"] == "failedUpdate" and "interrupted" in records[0]["details"]
    assert records[1]["type"] == "pendingUpdate"
