"""The timeline summary: version bands and markers of a worker's whole life, per pixel."""

from __future__ import annotations

from array import array

import pytest

from domain.services.timeline import Band, TimelineSummary, drain


def test_bob_has_two_version_bands_and_every_update_marked(golden):
    s = golden.workers.timeline("counter/bob")
    assert s.length == 14
    assert s.bands == [Band(1, 7, 1), Band(8, 14, 2)]
    assert s.marker_entries("update-requested") == [4, 9]
    assert s.marker_entries("snapshot-saved") == [6, 11]
    assert s.marker_entries("update-succeeded") == [8]
    assert s.marker_entries("update-failed") == [12]
    assert s.marker_entries("reverted") == [13]


def test_buckets_count_markers_and_name_the_versions_they_span(golden):
    s = golden.workers.timeline("counter/bob")
    buckets = s.bucket(2)
    assert [(b.start, b.end) for b in buckets] == [(1, 7), (8, 14)]
    assert buckets[0].markers == {"update-requested": 1, "snapshot-saved": 1}
    assert buckets[1].markers == {
        "update-requested": 1, "snapshot-saved": 1, "update-succeeded": 1, "update-failed": 1, "reverted": 1
    }
    assert buckets[1].first_marker == ("update-failed", 1)
    assert [b.versions for b in s.bucket(14)][6:8] == [(1,), (2,)]
    assert s.bucket(100)[-1].start == 14  # never more buckets than entries
    zoomed = s.bucket(4, start=8, end=14)
    assert zoomed[0].start == 8 and zoomed[-1].end == 14


def test_a_click_maps_to_the_entry_under_it(golden):
    s = golden.workers.timeline("counter/bob")
    assert s.entry_at(0, 140) == 1
    assert s.entry_at(139, 140) == 14
    assert s.entry_at(70, 140) == 8
    assert s.entry_at(0, 140, start=8) == 8


def test_new_entries_extend_the_summary(golden):
    before = golden.workers.timeline("counter/alice")
    n = before.length
    golden.workers.invoke("counter/alice", "increment", ["1"])
    with pytest.raises(Exception):
        golden.workers.invoke("counter/alice", "boom-not-there", [])
    golden.workers.update("counter/alice", "manual", 2)
    after = golden.workers.timeline("counter/alice")
    assert after.length == golden.workers.history_length("counter/alice") > n
    assert after.bands[-1].version == 2 and after.bands[-1].end == after.length
    assert after.marker_entries("update-succeeded")[-1] == after.length


def test_the_drain_view_counts_workers_per_version_over_time(golden):
    points = drain(golden.workers.worker(ref) for ref in ("counter/alice", "counter/bob", "counter/carol", "counter/dave"))
    assert points[-1].counts == {1: 2, 2: 2}  # alice and dave on v1, bob and carol on v2
    assert points[0].counts == {0: 1}  # alice was the first, on v0
    assert golden.workers.drain("counter")[-1].counts == {1: 2, 2: 2}


def test_bucketing_a_million_entries_reads_no_entry():
    s = TimelineSummary(length=1_000_000, bands=[Band(1, 400_000, 0), Band(400_001, 1_000_000, 1)])
    s.markers["invocation-failed"] = array("l", range(7, 1_000_000, 97))
    buckets = s.bucket(1200)
    assert len(buckets) == 1200 and buckets[0].start == 1 and buckets[-1].end == 1_000_000
    assert sum(b.markers.get("invocation-failed", 0) for b in buckets) == len(s.markers["invocation-failed"])
    assert {v for b in buckets for v in b.versions} == {0, 1}
