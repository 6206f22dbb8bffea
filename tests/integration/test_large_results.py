"""Results and state snapshots above what wasmtime-py can lift out of a guest in
one call fail in one line that names the limit, and a dry run says so first."""

from __future__ import annotations

import pytest

from domain.model.errors import InvocationFailed
from domain.runtime._runtime import MAX_RESULT_BYTES

# save() returns SIZE bytes of its 4 MiB memory; load() accepts anything.
BIG_SNAPSHOT = """(component
  (core module $m
    (memory (export "memory") 64)
    (global $n (mut i32) (i32.const 0))
    (func (export "bump") (result i32) global.get $n i32.const 1 i32.add global.set $n global.get $n)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 65536)
    (func (export "save") (result i32)
      i32.const 0 i32.const 16 i32.store
      i32.const 4 i32.const SIZE i32.store
      i32.const 0)
    (func (export "load") (param i32 i32) (result i32) i32.const 8 i32.const 0 i32.store8 i32.const 8))
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))
  (func $bump (result u32) (canon lift (core func $i "bump")))
  (instance $api (export "bump" (func $bump)))
  (export "golem:component/api" (instance $api))
  (func $save (result (list u8)) (canon lift (core func $i "save") (memory $mem) (realloc $realloc)))
  (instance $save_i (export "save" (func $save)))
  (export "golem:api/save-snapshot@1.1.0" (instance $save_i))
  (func $load (param "bytes" (list u8)) (result (result (error string)))
    (canon lift (core func $i "load") (memory $mem) (realloc $realloc)))
  (instance $load_i (export "load" (func $load)))
  (export "golem:api/load-snapshot@1.1.0" (instance $load_i))
)"""


def test_a_result_over_the_limit_fails_naming_the_limit(desk, kitchen_wasm):
    desk.components.add("kitchen", kitchen_wasm)
    desk.workers.create("kitchen", "k")
    ok = desk.workers.invoke_values("kitchen/k", "echo-bytes", [b"x" * (MAX_RESULT_BYTES - 1000)])
    assert len(ok.result) == MAX_RESULT_BYTES - 1000
    with pytest.raises(InvocationFailed) as e:
        desk.workers.invoke_values("kitchen/k", "echo-bytes", [b"x" * (MAX_RESULT_BYTES + 1000)])
    assert e.value.kind == "too-large"
    assert "returned more than wasmtime-py can copy out of a component in one call (about 2.7 MiB" in str(e.value)
    assert desk.workers.invoke("kitchen/k", "echo-u8", ["7"]).result_wave == "7"  # the worker goes on


def test_a_state_snapshot_over_the_limit_is_reported_by_the_dry_run_and_the_update_fails_cleanly(desk, to_wasm):
    for size in (1000, 3_000_000):
        desk.components.add("big", to_wasm(BIG_SNAPSHOT.replace("SIZE", str(size))))
    desk.components.add("big", to_wasm(BIG_SNAPSHOT.replace("SIZE", "1000")))
    desk.workers.create("big", "small", version=0)
    assert desk.workers.update("big/small", "manual", 2).ok
    desk.workers.create("big", "w", version=1)
    desk.workers.invoke("big/w", "bump", [])
    dry = desk.workers.dry_run("big/w", "manual", 2)
    assert not dry.ok and dry.stage == "save"
    assert "about 2.7 MiB" in dry.reason
    outcome = desk.workers.update("big/w", "manual", 2)
    assert not outcome.ok and outcome.stage == "save" and "about 2.7 MiB" in outcome.reason
    assert desk.workers.get("big/w")["componentVersion"] == 1
    assert desk.workers.invoke("big/w", "bump", []).result_wave == "2"
