"""Small component-model WAT fixtures written for Worker Desk's tests.

``counter(...)`` builds a family of counters that differ in exactly the
ways the update rules care about: snapshot exports, snapshot package
version, the behaviour of ``load``, and results that diverge.
"""

from __future__ import annotations


def counter(
    *,
    save: bool = True,
    load: bool = True,
    snapshot_version: str = "1.1.0",
    load_behaviour: str = "ok",  # ok | err | trap
    factor: int = 1,
    save_traps: bool = False,
    extra_api: str = "",
    extra_core: str = "",
    with_get: bool = True,
    with_boom: bool = True,
    with_spin: bool = True,
    record_snapshot: bool = False,
) -> str:
    """A counter exporting ``golem:component/api`` with ``increment(by) -> u64``.

    ``factor`` multiplies every increment, so ``factor=2`` replays a
    ``factor=1`` history with different results.
    """
    load_body = {
        "ok": """
      local.get $len i32.const 8 i32.ne
      if
        i32.const 32 i32.const 1 i32.store8
        i32.const 36 i32.const 64 i32.store
        i32.const 40 i32.const 24 i32.store
        i32.const 32 return
      end
      local.get $p i64.load global.set $total
      i32.const 32 i32.const 0 i32.store8
      i32.const 32""",
        "err": """
      i32.const 32 i32.const 1 i32.store8
      i32.const 36 i32.const 96 i32.store
      i32.const 40 i32.const 30 i32.store
      i32.const 32""",
        "trap": "unreachable",
    }[load_behaviour]
    save_body = "unreachable" if save_traps else """
      i32.const 16 global.get $total i64.store
      i32.const 0 i32.const 16 i32.store
      i32.const 4 i32.const 8 i32.store
      i32.const 0"""
    api_funcs = ['(export "increment" (func $increment))']
    if with_get:
        api_funcs.append('(export "get" (func $get))')
    if with_boom:
        api_funcs.append('(export "boom" (func $boom))')
    if with_spin:
        api_funcs.append('(export "spin" (func $spin))')
    snapshot_exports = ""
    if record_snapshot:
        # golem:api@1.5.0 shape: record snapshot { payload: list<u8>, mime-type: string }
        snapshot_exports += f"""
  (type $snap' (record (field "payload" (list u8)) (field "mime-type" string)))
  (export $snap "snapshot" (type $snap'))
  (func $save (result $snap)
    (canon lift (core func $i "save-record") (memory $mem) (realloc $realloc)))
  (instance $save_i (export "snapshot" (type $snap)) (export "save" (func $save)))
  (export "golem:api/save-snapshot@{snapshot_version}" (instance $save_i))
  (func $load (param "snapshot" $snap) (result (result (error string)))
    (canon lift (core func $i "load-record") (memory $mem) (realloc $realloc)))
  (instance $load_i (export "snapshot" (type $snap)) (export "load" (func $load)))
  (export "golem:api/load-snapshot@{snapshot_version}" (instance $load_i))"""
    if save and not record_snapshot:
        snapshot_exports += f"""
  (func $save (result (list u8))
    (canon lift (core func $i "save") (memory $mem) (realloc $realloc)))
  (instance $save_i (export "save" (func $save)))
  (export "golem:api/save-snapshot@{snapshot_version}" (instance $save_i))"""
    if load and not record_snapshot:
        snapshot_exports += f"""
  (func $load (param "bytes" (list u8)) (result (result (error string)))
    (canon lift (core func $i "load") (memory $mem) (realloc $realloc)))
  (instance $load_i (export "load" (func $load)))
  (export "golem:api/load-snapshot@{snapshot_version}" (instance $load_i))"""
    return f"""(component
  (core module $m
    (memory (export "memory") 1)
    (global $total (mut i64) (i64.const 0))
    (global $heap (mut i32) (i32.const 1024))
    (func (export "increment") (param $by i32) (result i64)
      global.get $total
      local.get $by i64.extend_i32_u
      i64.const {factor} i64.mul
      i64.add
      global.set $total
      global.get $total)
    (func (export "get") (result i64) global.get $total)
    (func (export "boom") (result i64) unreachable)
    (func (export "spin") (loop $l br $l))
    ;; bump allocator that grows memory on demand
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32) (local $end i32)
      global.get $heap local.get 2 i32.add i32.const 1 i32.sub
      i32.const 0 local.get 2 i32.sub i32.and
      local.set $p
      local.get $p local.get 3 i32.add local.set $end
      block $ok
        loop $grow
          local.get $end memory.size i32.const 65536 i32.mul i32.le_u br_if $ok
          i32.const 1 memory.grow i32.const -1 i32.eq
          if unreachable end
          br $grow
        end
      end
      local.get $end global.set $heap
      local.get $p)
    (func (export "save") (result i32) {save_body})
    (func (export "load") (param $p i32) (param $len i32) (result i32) {load_body})
    (func (export "save-record") (result i32)
      i32.const 16 global.get $total i64.store
      i32.const 0 i32.const 16 i32.store
      i32.const 4 i32.const 8 i32.store
      i32.const 8 i32.const 128 i32.store
      i32.const 12 i32.const 24 i32.store
      i32.const 0)
    (func (export "load-record") (param $p i32) (param $len i32) (param i32) (param i32) (result i32) {load_body})
    {extra_core}
    (data (i32.const 64) "snapshot must be 8 bytes")
    (data (i32.const 96) "this version rejects snapshots")
    (data (i32.const 128) "application/octet-stream")
  )
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))
  (func $increment (param "by" u32) (result u64) (canon lift (core func $i "increment")))
  (func $get (result u64) (canon lift (core func $i "get")))
  (func $boom (result u64) (canon lift (core func $i "boom")))
  (func $spin (canon lift (core func $i "spin")))
  {extra_api}
  (instance $api {' '.join(api_funcs)})
  (export "golem:component/api" (instance $api))
  {snapshot_exports}
)"""


# A component whose functions read the monotonic clock and a random u64.
ENTROPY = """(component
  (import "wasi:random/random@0.2.3" (instance $r
    (export "get-random-u64" (func (result u64)))))
  (import "wasi:clocks/monotonic-clock@0.2.0" (instance $c
    (export "now" (func (result u64)))))
  (core func $rand (canon lower (func $r "get-random-u64")))
  (core func $now (canon lower (func $c "now")))
  (core module $m
    (import "host" "rand" (func $rand (result i64)))
    (import "host" "now" (func $now (result i64)))
    (global $last (mut i64) (i64.const 0))
    (func (export "roll") (result i64) call $rand global.set $last global.get $last)
    (func (export "now") (result i64) call $now)
    (func (export "roll-twice") (result i64) call $rand call $rand i64.xor)
    (func (export "last") (result i64) global.get $last))
  (core instance $host (export "rand" (func $rand)) (export "now" (func $now)))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (func $roll (result u64) (canon lift (core func $i "roll")))
  (func $now2 (result u64) (canon lift (core func $i "now")))
  (func $roll2 (result u64) (canon lift (core func $i "roll-twice")))
  (func $last (result u64) (canon lift (core func $i "last")))
  (instance $api (export "roll" (func $roll)) (export "now" (func $now2))
                 (export "roll-twice" (func $roll2)) (export "last" (func $last)))
  (export "golem:component/api" (instance $api))
)"""

# A component that imports a Golem host interface Worker Desk does not provide.
GOLEM_HOST = """(component
  (import "golem:api/host@1.1.0" (instance $h
    (export "get-self-id" (func (result u64)))))
  (core func $id (canon lower (func $h "get-self-id")))
  (core module $m
    (import "host" "id" (func $id (result i64)))
    (func (export "whoami") (result i64) call $id)
    (func (export "ping") (result i32) i32.const 1))
  (core instance $host (export "id" (func $id)))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (func $whoami (result u64) (canon lift (core func $i "whoami")))
  (func $ping (result u32) (canon lift (core func $i "ping")))
  (instance $api (export "whoami" (func $whoami)) (export "ping" (func $ping)))
  (export "golem:component/api" (instance $api))
)"""

CORE_MODULE = "(module (func (export \"f\")))"

# A component whose start function reads a random number while it is instantiated.
SEEDED = """(component
  (import "wasi:random/random@0.2.3" (instance $r
    (export "get-random-u64" (func (result u64)))))
  (core func $rand (canon lower (func $r "get-random-u64")))
  (core module $m
    (import "host" "rand" (func $rand (result i64)))
    (global $seed (mut i64) (i64.const 0))
    (global $calls (mut i64) (i64.const 0))
    (func $init call $rand global.set $seed)
    (start $init)
    (func (export "seed") (result i64) global.get $seed)
    (func (export "tick") (result i64)
      global.get $calls i64.const 1 i64.add global.set $calls
      global.get $seed global.get $calls i64.add))
  (core instance $host (export "rand" (func $rand)))
  (core instance $i (instantiate $m (with "host" (instance $host))))
  (func $seed (result u64) (canon lift (core func $i "seed")))
  (func $tick (result u64) (canon lift (core func $i "tick")))
  (instance $api (export "seed" (func $seed)) (export "tick" (func $tick)))
  (export "golem:component/api" (instance $api))
)"""
