"""The Worker aggregate on its own: its events, its invariants, its stored shape.

Each test tells one story of a worker's life in the aggregate's own words.
"""

from __future__ import annotations

import pytest
from eventsourcing.utils import get_topic, resolve_topic

from domain.model.errors import NotFound, UpdateRejected
from domain.model.vocabulary import HistoryKind, UpdateMode, UpdateRecordType, WorkerStatus
from domain.model.worker import Worker, topics_of

AT = "2026-12-01T00:00:00+00:00"


def new_worker(version: int = 0) -> Worker:
    return Worker(
        component_name="counter",
        name="w1",
        generation=0,
        component_id="cid",
        component_version=version,
        component_size=100,
        env={},
        args=[],
        grants={},
    )


def kinds(events) -> list[str]:
    return [type(e).history_kind.value for e in events]


def test_a_new_worker_is_idle_on_its_version_with_no_cap_of_its_own():
    w = new_worker(version=2)
    assert (w.status, w.component_version, w.max_memory, w.version) == (WorkerStatus.IDLE, 2, None, 1)
    assert kinds(w.collect_events()) == ["create"]


def test_an_automatic_update_runs_requested_started_succeeded_and_moves_the_version():
    w = new_worker()
    w.request_update("u1", 1, UpdateMode.AUTOMATIC, "runner", AT)
    w.start_update("u1", 0, "runner")
    w.succeed_update("u1", 1, 120, 0.5, AT)
    assert w.component_version == 1 and w.recovery_base is None
    assert w.update("u1")["type"] == UpdateRecordType.SUCCESSFUL
    assert kinds(w.collect_events()) == ["create", "update-requested", "update-started", "update-succeeded"]


def test_a_manual_update_saves_then_loads_a_state_snapshot_and_recovery_starts_there():
    w = new_worker()
    w.request_update("u1", 1, UpdateMode.MANUAL, "runner", AT)
    w.start_update("u1", 0, "runner")
    w.record_snapshot_saved("u1", "ab" * 32, 8, "00" * 8)
    w.record_snapshot_loaded("u1")
    w.succeed_update("u1", 1, 120, 0.5, AT)
    assert w.recovery_base == {"update_id": "u1", "position": 6, "snapshot_hash": "ab" * 32, "snapshot_inline": "00" * 8}
    assert kinds(w.collect_events())[-3:] == ["snapshot-saved", "snapshot-loaded", "update-succeeded"]


def test_a_failed_manual_update_is_reverted_once():
    w = new_worker()
    w.request_update("u1", 1, UpdateMode.MANUAL, "runner", AT)
    w.start_update("u1", 0, "runner")
    w.record_snapshot_saved("u1", "ab" * 32, 8, None)
    w.fail_update("u1", "load", "rejected", None, 0.1, AT)
    w.revert("u1", 0)
    assert w.component_version == 0 and w.update("u1")["revertedTo"] == 0
    with pytest.raises(UpdateRejected, match="already reverted"):
        w.revert("u1", 0)


def test_an_update_that_is_not_pending_cannot_start_finish_or_be_cancelled():
    w = new_worker()
    w.request_update("u1", 1, UpdateMode.AUTOMATIC, "runner", AT)
    w.cancel_update("u1", AT)
    with pytest.raises(UpdateRejected, match="not pending"):
        w.start_update("u1", 0, "runner")
    with pytest.raises(UpdateRejected, match="not pending"):
        w.succeed_update("u1", 1, 1, 0.0, AT)
    with pytest.raises(UpdateRejected, match="not pending"):
        w.fail_update("u1", "replay", "x", None, 0.0, AT)
    with pytest.raises(UpdateRejected, match="not pending"):
        w.cancel_update("u1", AT)
    with pytest.raises(NotFound):
        w.start_update("nope", 0, "runner")


def test_steps_out_of_order_are_refused():
    w = new_worker()
    w.request_update("u1", 1, UpdateMode.MANUAL, "runner", AT)
    with pytest.raises(UpdateRejected, match="has not started"):
        w.succeed_update("u1", 1, 1, 0.0, AT)
    with pytest.raises(UpdateRejected, match="stage 'requested', not 'started'"):
        w.record_snapshot_saved("u1", "h", 1, None)
    w.start_update("u1", 0, "runner")
    with pytest.raises(UpdateRejected, match="before its snapshot is loaded"):
        w.succeed_update("u1", 1, 1, 0.0, AT)
    with pytest.raises(UpdateRejected, match="did not fail"):
        w.revert("u1", 0)
    with pytest.raises(UpdateRejected, match="already has an update"):
        w.request_update("u1", 2, UpdateMode.AUTOMATIC, "runner", AT)


def test_an_automatic_update_takes_no_state_snapshot():
    w = new_worker()
    w.request_update("u1", 1, UpdateMode.AUTOMATIC, "runner", AT)
    w.start_update("u1", 0, "runner")
    with pytest.raises(UpdateRejected, match="takes no state snapshot"):
        w.record_snapshot_saved("u1", "h", 1, None)


def test_a_deleted_worker_takes_no_more_invocations_or_updates():
    w = new_worker()
    w.delete()
    assert w.status == WorkerStatus.EXITED
    with pytest.raises(NotFound, match="was deleted"):
        w.complete_invocation("f", [], None, 0.0, [], "", "")
    with pytest.raises(NotFound, match="was deleted"):
        w.request_update("u1", 1, UpdateMode.AUTOMATIC, "runner", AT)
    with pytest.raises(NotFound, match="was deleted"):
        w.delete()


def test_a_failed_invocation_marks_the_worker_failed_until_the_next_success():
    w = new_worker()
    w.fail_invocation("f", [], "trap", "boom", "", "")
    assert (w.status, w.failures, w.last_error) == (WorkerStatus.FAILED, 1, "boom")
    w.complete_invocation("f", [], "1", 0.0, [], "", "")
    assert (w.status, w.invocations) == (WorkerStatus.IDLE, 1)


def test_every_event_class_has_a_version_and_a_history_kind_of_its_own():
    classes = [v for v in vars(Worker).values() if isinstance(v, type) and issubclass(v, (Worker.Event, Worker.Created))]
    classes = [c for c in classes if c is not Worker.Event]
    assert len(classes) == len(HistoryKind)
    assert {c.history_kind for c in classes} == set(HistoryKind)
    # Declared here, on each class (the library wraps each in a subclass of the same name).
    for c in classes:
        own = [k for k in c.__mro__ if k.__module__ == Worker.__module__ and "class_version" in k.__dict__]
        assert own and own[0].__qualname__ == c.__qualname__, c


def test_renamed_events_still_resolve_from_their_old_topics():
    assert get_topic(Worker.StateSnapshotSaved) == "domain.model.worker:Worker.StateSnapshotSaved"
    for cls in (Worker.StateSnapshotSaved, Worker.StateSnapshotLoaded, Worker.UpdateReverted):
        own, *old = topics_of(cls)
        assert old, cls
        assert all(resolve_topic(t) is cls for t in [own, *old])


def test_created_events_of_version_1_are_upcast_with_no_memory_cap():
    state = {"component_name": "c", "name": "w"}
    Worker.Created.upcast_v1_v2(state)
    assert state["max_memory"] is None
    snapshot_state: dict = {}
    Worker.upcast_v1_v2(snapshot_state)
    assert snapshot_state == {"max_memory": None}
