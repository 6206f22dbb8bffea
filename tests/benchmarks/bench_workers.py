"""Durable workers on SQLite.

Prints, from one run:
- durable invocations per second of a trivial function versus a bare sqlite3
  loop doing one insert and commit per iteration with the same pragmas
  (target >= 0.5);
- the cost of one invocation at 20,000 history entries versus at 0
  (target <= 1.25);
- recovery of a 20,000-invocation worker versus making the same 20,000 calls
  on a fresh wasmtime instance directly (target <= 3).
"""

from __future__ import annotations

import os
import sqlite3
import tempfile
import time
import uuid
from pathlib import Path

from domain.model.hostcalls import HostCalls
from domain.runtime import InstanceConfig
from tests.benchmarks._common import best_of, counter_binary, report, temp_desk

N = 1_000
HISTORY = 20_000


PRAGMAS = ("journal_mode", "synchronous", "wal_autocheckpoint", "locking_mode", "cache_size")


def event_store_pragmas(desk) -> dict[str, object]:
    """The pragmas in force on the event store's own connections."""
    found = {}
    with desk.workers.recorder.datastore.transaction(commit=False) as cursor:
        for name in PRAGMAS:
            cursor.execute(f"PRAGMA {name}")
            found[name] = cursor.fetchone()[0]
    return found


def bare_sqlite_rate(n: int, pragmas: dict[str, object]) -> float:
    """One INSERT + COMMIT per iteration with the event store's pragmas."""
    with tempfile.TemporaryDirectory() as tmp:
        conn = sqlite3.connect(os.path.join(tmp, "bare.sqlite"), isolation_level=None)
        for name, value in pragmas.items():
            conn.execute(f"PRAGMA {name}={value}")
        conn.execute(
            "CREATE TABLE stored_events (originator_id TEXT, originator_version INTEGER, topic TEXT, state BLOB, "
            "PRIMARY KEY (originator_id, originator_version))"
        )
        oid = str(uuid.uuid4())
        state = b'{"function":"golem:component/api.{increment}","args":["1"],"result":"1"}'
        started = time.perf_counter()
        for i in range(n):
            conn.execute("BEGIN")
            conn.execute("INSERT INTO stored_events VALUES (?, ?, ?, ?)", (oid, i, "topic", state))
            conn.execute("COMMIT")
        elapsed = time.perf_counter() - started
        conn.close()
    return n / elapsed


def durable_rate(desk, ref: str, n: int) -> float:
    invoke = desk.workers.invoke
    started = time.perf_counter()
    for _ in range(n):
        invoke(ref, "increment", ["1"])
    return n / (time.perf_counter() - started)


def grow_history(desk, ref: str, entries: int) -> None:
    """Append recorded invocations quickly, in large batches (they replay exactly)."""
    w = desk.workers.worker(ref)
    total = int(desk.workers.invoke(ref, "get", []).result_wave)
    batch = 0
    for _ in range(entries):
        total += 1
        w.complete_invocation("golem:component/api.{increment}", ["1"], str(total), 1e-5, [], "", "")
        batch += 1
        if batch == 5_000:
            desk.workers.save(w)
            batch = 0
    if batch:
        desk.workers.save(w)
    desk.workers.refresh()


def main() -> dict[str, float]:
    rows = []
    out: dict[str, float] = {}
    with temp_desk() as desk:
        desk.components.add("counter", counter_binary())
        desk.workers.create("counter", "fresh")
        desk.workers.create("counter", "long")
        durable_rate(desk, "counter/fresh", 50)  # warm up: compile, recover
        pragmas = event_store_pragmas(desk)
        bare = max(bare_sqlite_rate(N, pragmas) for _ in range(2))
        ours = max(durable_rate(desk, "counter/fresh", N) for _ in range(2))
        out["durable_vs_bare_sqlite"] = ours / bare
        rows.append(("durable invocations/s vs bare sqlite3 insert+commit", ours / bare, ">= 0.5",
                     f"ours {ours:,.0f}/s, bare {bare:,.0f}/s, pragmas {pragmas}"))

        grow_history(desk, "counter/long", HISTORY)
        desk.workers.invoke("counter/long", "get", [])  # recover once
        at_zero = min(1 / durable_rate(desk, "counter/fresh", N) for _ in range(2))
        at_20k = min(1 / durable_rate(desk, "counter/long", N) for _ in range(2))
        out["cost_at_20k_vs_0"] = at_20k / at_zero
        rows.append((f"one invocation at {HISTORY:,} entries vs at 0", at_20k / at_zero, "<= 1.25",
                     f"{at_20k * 1e6:.0f} µs vs {at_zero * 1e6:.0f} µs"))

        # Recovery versus the same calls made directly on a fresh instance.
        long_history = desk.workers.history_length("counter/long")

        def recover() -> None:
            desk.workers.refresh()
            desk.workers.recover("counter/long")

        t_recover = best_of(recover)
        version = desk.components.version("counter", 0)
        runtime = desk.runtime
        loaded = runtime.load(desk.workers.blobs.get(version.sha256))
        calls = desk.workers.worker("counter/long").invocations

        def direct() -> None:
            inst = runtime.instantiate(loaded, InstanceConfig("d", "c", 0), HostCalls())
            store, func = inst.store, inst._function("increment").func
            for _ in range(calls):
                func(store, 1)
                func.post_return(store)

        t_direct = best_of(direct)
        out["recovery_vs_direct"] = t_recover / t_direct
        rows.append((f"recovery of {calls:,} invocations vs direct calls", t_recover / t_direct, "<= 3",
                     f"recovery {t_recover:.2f} s, direct {t_direct:.2f} s, {long_history:,} entries"))
    report("durable workers (SQLite)", rows)
    return out


if __name__ == "__main__":
    main()
