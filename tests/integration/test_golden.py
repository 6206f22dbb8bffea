"""The day-0 golden data folder still opens, recovers, updates and audits.

``tests/golden/day0`` was written once by ``tests/golden/build_day0.py`` with
the code of the commit that added it. Every later change to events, topics,
storage or replay must keep this history readable and its workers runnable.
"""

from __future__ import annotations

import pytest

from domain.services import audit

WORKERS = {
    "blobby/big": 1,
    "counter/alice": 1,
    "counter/bob": 2,
    "counter/carol": 2,
    "counter/dave": 1,
    "entropy/dice": 0,
    "seeded/s1": 0,
}


def test_the_golden_folder_lists_every_worker_on_its_version(golden):
    listed = {f"{w['workerId']['componentName']}/{w['workerId']['workerName']}": w["componentVersion"] for w in golden.workers.list()}
    assert listed == WORKERS


def test_golden_workers_read_with_no_memory_cap_of_their_own(golden):
    # Created events of version 1 are upcast: they predate per-worker caps.
    assert {golden.workers.get(ref)["maxMemory"] for ref in WORKERS} == {None}


def test_the_golden_audit_shows_every_recorded_update_attempt(golden):
    rows = sorted(
        (r.worker, r.fromVersion, r.toVersion, r.mode, r.outcome) for r in audit.update_attempts(golden.workers)
    )
    assert rows == [
        ("blobby/big", 0, 1, "manual", "succeeded"),
        ("counter/alice", 0, 1, "automatic", "succeeded"),
        ("counter/alice", 1, 2, "automatic", "failed"),
        ("counter/bob", 1, 2, "manual", "succeeded"),
        ("counter/bob", 2, 3, "manual", "failed"),
        ("counter/carol", 1, 2, "automatic", "failed"),
        ("counter/carol", 1, 2, "manual", "succeeded"),
    ]


@pytest.mark.parametrize(
    ("ref", "function", "expected"),
    [
        ("counter/alice", "get", "43"),  # replayed on v1 after an automatic update
        ("counter/bob", "get", "4500"),  # v2 from a state snapshot, then one increment, a reverted update, a trap
        ("counter/carol", "get", "3300"),  # recovered from a state snapshot
        ("counter/dave", "get", "4"),  # the second generation of a deleted name
        ("entropy/dice", "last", "3446578812562684739"),  # random values served from the history
        ("seeded/s1", "seed", "15573919092171265330"),  # a host call made at instantiation
        ("blobby/big", "bump", "7"),  # an 8 KiB state snapshot read from the blob folder
    ],
)
def test_golden_workers_recover_to_their_recorded_state(golden, ref, function, expected):
    assert golden.workers.invoke(ref, function, []).result_wave == expected


def test_golden_workers_update_both_ways(golden):
    outcome = golden.workers.update("counter/alice", "manual", 2)  # v2 migrates the total to cents
    assert outcome.ok, outcome.message()
    assert golden.workers.invoke("counter/alice", "get", []).result_wave == "4300"
    outcome = golden.workers.update("counter/dave", "auto", 2)
    assert not outcome.ok
    assert outcome.divergence["entry"] == 2
    assert golden.workers.invoke("counter/dave", "get", []).result_wave == "4"


def test_golden_histories_read_entry_by_entry(golden):
    kinds = [e.kind for e in golden.workers.oplog("blobby/big")]
    assert kinds[:2] == ["create", "invocation"]
    assert "snapshot-saved" in kinds and "snapshot-loaded" in kinds and "update-succeeded" in kinds
    bob = golden.workers.oplog("counter/bob")
    assert [e.kind for e in bob][-3:] == ["update-failed", "reverted", "invocation"]
    assert bob[-1].summary() == "golem:component/api.{increment}(3) -> 4500"
