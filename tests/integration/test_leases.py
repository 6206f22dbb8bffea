"""Runner leases: a runner that died on another host is found dead once its lease
runs out; a live one keeps its lease however long it works."""

from __future__ import annotations

import json
import time

import pytest

from domain.storage.leases import sqlite_leases
from tests import wat
from tests.conftest import run_cli

TTL = "2"


def test_a_heartbeating_runner_keeps_its_lease_and_a_silent_one_loses_it(tmp_path):
    db = str(tmp_path / "store.sqlite")
    busy, silent, judge = sqlite_leases(db, ttl=1.0), sqlite_leases(db, ttl=1.0), sqlite_leases(db, ttl=1.0)
    try:
        busy.acquire("far-away:10:1", "far-away", 10)
        silent.acquire("far-away:11:1", "far-away", 11)
        silent._stop.set()  # its process is frozen: no more heartbeats
        assert judge.alive("far-away:10:1") and judge.alive("far-away:11:1")
        time.sleep(1.6)
        assert judge.alive("far-away:10:1")  # three lease lengths of work, still alive
        assert not judge.alive("far-away:11:1")
        holder = judge.holder("far-away:10:1")
        assert holder is not None and holder["host"] == "far-away" and holder["heartbeat"] >= holder["since"]
        busy.release()
        assert not judge.alive("far-away:10:1") and judge.holder("far-away:10:1") is None
    finally:
        for lease in (busy, silent, judge):
            lease.release()


def test_a_suspended_runner_takes_its_lease_again_with_a_new_epoch_before_writing(tmp_path):
    db = str(tmp_path / "store.sqlite")
    lease, judge = sqlite_leases(db, ttl=1.0), sqlite_leases(db, ttl=1.0)
    try:
        lease.acquire("h:1:1", "h", 1)
        lease._stop.set()
        time.sleep(1.2)
        assert not judge.alive("h:1:1")
        lease.check()
        assert lease.epoch == 2 and judge.alive("h:1:1")
    finally:
        lease.release()
        judge.release()


@pytest.fixture
def counter_home(home, to_wasm, tmp_path):
    comp = tmp_path / "counter.wasm"
    for v in (wat.counter(), wat.counter(factor=1, with_boom=False)):
        comp.write_bytes(to_wasm(v))
        assert run_cli(home, "component", "add", "counter", str(comp)).returncode == 0
    assert run_cli(home, "worker", "new", "counter", "w", "--version", "0").returncode == 0
    assert run_cli(home, "worker", "invoke", "counter/w", "increment", "3").returncode == 0
    return home


def test_an_update_orphaned_on_another_host_is_failed_once_its_lease_runs_out(counter_home):
    other = {"WORKERDESK_HOST_ID": "another-desktop", "WORKERDESK_LEASE_TTL": TTL}
    killed = run_cli(counter_home, "worker", "update", "counter/w", "auto", "1",
                     env={**other, "WORKERDESK_CRASH_AT": "after-start"})
    assert killed.returncode == -9
    mine = {"WORKERDESK_LEASE_TTL": TTL}
    refused = run_cli(counter_home, "worker", "update", "counter/w", "auto", "1", env=mine)
    assert refused.returncode != 0 and "in progress in another process" in refused.stderr
    held = json.loads(run_cli(counter_home, "worker", "get", "counter/w", "--json", env=mine).stdout)["heldBy"]
    assert held["host"] == "another-desktop" and held["since"] <= held["heartbeat"]
    time.sleep(float(TTL) + 0.5)
    done = run_cli(counter_home, "worker", "update", "counter/w", "auto", "1", env=mine)
    assert done.returncode == 0, done.stderr
    meta = json.loads(run_cli(counter_home, "worker", "get", "counter/w", "--json", env=mine).stdout)
    assert [u["type"] for u in meta["updates"]] == ["failedUpdate", "successfulUpdate"]
    assert "interrupted" in meta["updates"][0]["details"] and meta["heldBy"] is None
    assert meta["componentVersion"] == 1


def test_an_invocation_killed_on_another_host_is_recorded_as_interrupted_once_its_lease_runs_out(counter_home):
    other = {"WORKERDESK_HOST_ID": "another-desktop", "WORKERDESK_LEASE_TTL": TTL}
    killed = run_cli(counter_home, "worker", "invoke", "counter/w", "increment", "4",
                     env={**other, "WORKERDESK_CRASH_AT": "mid-invocation"})
    assert killed.returncode == -9
    mine = {"WORKERDESK_LEASE_TTL": TTL}
    early = json.loads(run_cli(counter_home, "worker", "get", "counter/w", "--json", env=mine).stdout)
    assert early["interruptedInvocationCount"] == 0  # its runner may still be alive: not judged yet
    time.sleep(float(TTL) + 0.5)
    late = json.loads(run_cli(counter_home, "worker", "get", "counter/w", "--json", env=mine).stdout)
    assert late["interruptedInvocationCount"] == 1
    assert run_cli(counter_home, "worker", "invoke", "counter/w", "get", env=mine).stdout.strip() == "3"
