"""Bulk updates: several workers one by one through the update queue, with stop-on-failure and dry runs."""

from __future__ import annotations

import pytest

from domain.services.bulk import BulkUpdates

NAMES = ("a", "b", "c")


@pytest.fixture
def fleet(desk, counter_family):
    for binary in counter_family:
        desk.components.add("counter", binary)
    for name in NAMES:
        desk.workers.create("counter", name, version=1)
        desk.workers.invoke(f"counter/{name}", "increment", ["1"])
    return desk


def _versions(desk):
    return [desk.workers.get(f"counter/{n}")["componentVersion"] for n in NAMES]


def test_the_workers_of_a_component_are_found_by_name(fleet):
    assert BulkUpdates(fleet.workers).refs_of("counter") == ["counter/a", "counter/b", "counter/c"]


def test_a_failure_stops_the_run_and_the_rest_are_not_attempted(fleet):
    bulk = BulkUpdates(fleet.workers)
    seen = []
    results = bulk.start(bulk.refs_of("counter"), "manual", 3, stop_on_failure=True).run(each=seen.append)
    assert [r.status for r in results] == ["failed", "not attempted", "not attempted"]
    assert seen == results and _versions(fleet) == [1, 1, 1]
    # the failed attempt went through the update queue and is in the worker's records
    assert fleet.workers.get("counter/a")["updates"][-1]["type"] == "failedUpdate"
    assert fleet.workers.get("counter/b")["updates"] == []


def test_without_stop_on_failure_every_worker_is_tried(fleet):
    bulk = BulkUpdates(fleet.workers)
    results = bulk.start(bulk.refs_of("counter"), "manual", 3, stop_on_failure=False).run()
    assert [r.status for r in results] == ["failed", "failed", "failed"]


def test_a_dry_run_says_what_would_happen_and_writes_nothing(fleet):
    bulk = BulkUpdates(fleet.workers)
    before = [fleet.workers.history_length(r) for r in bulk.refs_of("counter")]
    progress = []
    results = bulk.start(bulk.refs_of("counter"), "manual", 2, dry_run=True).run(progress=lambda d, t: progress.append((d, t)))
    assert [r.status for r in results] == ["would succeed"] * 3
    assert [fleet.workers.history_length(r) for r in bulk.refs_of("counter")] == before
    assert progress[0] == (0, 3) and progress[-1] == (3, 3)


def test_an_update_runs_worker_by_worker_and_stops_between_them(fleet):
    bulk = BulkUpdates(fleet.workers)
    run = bulk.start(bulk.refs_of("counter"), "manual", 2)
    assert run.next_ref == "counter/a"
    [first] = run.step()
    assert first.status == "succeeded" and first.outcome is not None and first.outcome.target_version == 2
    run.stop()
    assert run.finished and run.next_ref is None
    assert run.run() == [first]
    assert _versions(fleet) == [2, 1, 1]


def test_a_rejected_worker_is_a_result_not_an_exception(fleet):
    bulk = BulkUpdates(fleet.workers)
    results = bulk.start(["counter/a", "counter/ghost"], "auto", 1, stop_on_failure=False).run()
    assert results[0].status == "rejected" and "already runs version 1" in (results[0].error or "")
    assert results[1].status == "rejected" and "no worker counter/ghost" in (results[1].error or "")
