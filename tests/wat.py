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


# --- a component shaped like the ones Golem's toolchains build ----------------------------

# wasi:http's error-code, case by case (the import's type must match wasmtime's exactly).
HTTP_ERROR_CASES = [
    ("DNS-timeout", None),
    ("DNS-error", "$dnsp"),
    ("destination-not-found", None),
    ("destination-unavailable", None),
    ("destination-IP-prohibited", None),
    ("destination-IP-unroutable", None),
    ("connection-refused", None),
    ("connection-terminated", None),
    ("connection-timeout", None),
    ("connection-read-timeout", None),
    ("connection-write-timeout", None),
    ("connection-limit-reached", None),
    ("TLS-protocol-error", None),
    ("TLS-certificate-error", None),
    ("TLS-alert-received", "$tlsp"),
    ("HTTP-request-denied", None),
    ("HTTP-request-length-required", None),
    ("HTTP-request-body-size", "(option u64)"),
    ("HTTP-request-method-invalid", None),
    ("HTTP-request-URI-invalid", None),
    ("HTTP-request-URI-too-long", None),
    ("HTTP-request-header-section-size", "(option u32)"),
    ("HTTP-request-header-size", "(option $fsp)"),
    ("HTTP-request-trailer-section-size", "(option u32)"),
    ("HTTP-request-trailer-size", "$fsp"),
    ("HTTP-response-incomplete", None),
    ("HTTP-response-header-section-size", "(option u32)"),
    ("HTTP-response-header-size", "$fsp"),
    ("HTTP-response-body-size", "(option u64)"),
    ("HTTP-response-trailer-section-size", "(option u32)"),
    ("HTTP-response-trailer-size", "$fsp"),
    ("HTTP-response-transfer-coding", "(option string)"),
    ("HTTP-response-content-coding", "(option string)"),
    ("HTTP-response-timeout", None),
    ("HTTP-upgrade-failed", None),
    ("HTTP-protocol-error", None),
    ("loop-detected", None),
    ("configuration-error", None),
    ("internal-error", "(option string)"),
]
HTTP_REQUEST_DENIED = [name for name, _ in HTTP_ERROR_CASES].index("HTTP-request-denied")
# What ``fetch`` returns besides an HTTP status: 1000 + the error-code case, or these.
FETCH_NO_RESPONSE = 2000


def golem_like(
    *,
    http: str = "0.2.3",
    random: str = "0.2.3",
    clocks: str = "0.2.0",
    cli: str = "0.2.9",
    golem_host: str = "1.3.0",
    extra_random: bool = False,
) -> str:
    """A component importing WASI at several 0.2.x patches, wasi:http, and Golem
    interfaces with resources that Worker Desk does not provide.

    Exports ``golem:component/api``:
    ``roll`` (random), ``now`` (monotonic clock), ``env-count`` (environment),
    ``ping`` (pure), ``promise`` (golem:api/host ``create-promise``),
    ``rpc`` (a golem:rpc resource constructor) and ``fetch(authority)``, a GET
    of ``http://AUTHORITY/`` that returns the status code, 1000 + the wasi:http
    error-code case, or :data:`FETCH_NO_RESPONSE`; ``must-fetch(authority)``
    traps unless it got a response. With ``extra_random`` the random import
    also names a function no WASI version has (``get-random-wish``), called by
    ``wish``.
    """
    extra_random_import = '(export "get-random-wish" (func (result u64)))' if extra_random else ""
    extra_random_lower = '(core func $wish (canon lower (func $r "get-random-wish")))' if extra_random else ""
    extra_random_core = '(import "host" "wish" (func $wish (result i64))) (func (export "wish") (result i64) call $wish)' if extra_random else ""
    extra_random_host = '(export "wish" (func $wish))' if extra_random else ""
    extra_random_lift = '(func $wish2 (result u64) (canon lift (core func $i "wish")))' if extra_random else ""
    extra_random_export = '(export "wish" (func $wish2))' if extra_random else ""
    cases = " ".join(f'(case "{n}")' if p is None else f'(case "{n}" {p})' for n, p in HTTP_ERROR_CASES)
    return f"""(component $C
  (import "wasi:random/random@{random}" (instance $r
    (export "get-random-u64" (func (result u64))) {extra_random_import}))
  (import "wasi:clocks/monotonic-clock@{clocks}" (instance $c
    (export "now" (func (result u64)))))
  (import "wasi:cli/environment@{cli}" (instance $e
    (export "get-environment" (func (result (list (tuple string string)))))))
  (import "wasi:io/poll@{http}" (instance $poll
    (export "pollable" (type (sub resource)))
    (export "[method]pollable.block" (func (param "self" (borrow 0))))))
  (alias export $poll "pollable" (type $pollable))
  (import "wasi:http/types@{http}" (instance $types
    (alias outer $C $pollable (type $p))
    (export "fields" (type $fields (sub resource)))
    (export "outgoing-request" (type $req (sub resource)))
    (export "request-options" (type $opts (sub resource)))
    (export "incoming-response" (type $resp (sub resource)))
    (export "future-incoming-response" (type $fut (sub resource)))
    (type $dnsp0 (record (field "rcode" (option string)) (field "info-code" (option u16))))
    (export "DNS-error-payload" (type $dnsp (eq $dnsp0)))
    (type $tlsp0 (record (field "alert-id" (option u8)) (field "alert-message" (option string))))
    (export "TLS-alert-received-payload" (type $tlsp (eq $tlsp0)))
    (type $fsp0 (record (field "field-name" (option string)) (field "field-size" (option u32))))
    (export "field-size-payload" (type $fsp (eq $fsp0)))
    (type $ec0 (variant {cases}))
    (export "error-code" (type $ec (eq $ec0)))
    (type $scheme0 (variant (case "HTTP") (case "HTTPS") (case "other" string)))
    (export "scheme" (type $scheme (eq $scheme0)))
    (export "[constructor]fields" (func (result (own $fields))))
    (export "[constructor]outgoing-request" (func (param "headers" (own $fields)) (result (own $req))))
    (export "[method]outgoing-request.set-scheme" (func (param "self" (borrow $req)) (param "scheme" (option $scheme)) (result (result))))
    (export "[method]outgoing-request.set-authority" (func (param "self" (borrow $req)) (param "authority" (option string)) (result (result))))
    (export "[method]outgoing-request.set-path-with-query" (func (param "self" (borrow $req)) (param "path-with-query" (option string)) (result (result))))
    (type $inner (result (own $resp) (error $ec)))
    (type $outer (result $inner))
    (export "[method]future-incoming-response.subscribe" (func (param "self" (borrow $fut)) (result (own $p))))
    (export "[method]future-incoming-response.get" (func (param "self" (borrow $fut)) (result (option $outer))))
    (export "[method]incoming-response.status" (func (param "self" (borrow $resp)) (result u16)))))
  (alias export $types "outgoing-request" (type $t_req))
  (alias export $types "request-options" (type $t_opts))
  (alias export $types "future-incoming-response" (type $t_fut))
  (alias export $types "error-code" (type $t_ec))
  (import "wasi:http/outgoing-handler@{http}" (instance $oh
    (alias outer $C $t_req (type $req))
    (alias outer $C $t_opts (type $opts))
    (alias outer $C $t_fut (type $fut))
    (alias outer $C $t_ec (type $ec))
    (export "handle" (func (param "request" (own $req)) (param "options" (option (own $opts)))
      (result (result (own $fut) (error $ec)))))))
  (import "golem:api/host@{golem_host}" (instance $h
    (export "get-promise-result" (type (sub resource)))
    (export "create-promise" (func (result u64)))
    (export "[method]get-promise-result.get" (func (param "self" (borrow 0)) (result (option (list u8)))))))
  (import "golem:rpc/types@0.2.2" (instance $rpc
    (export "wasm-rpc" (type (sub resource)))
    (export "[constructor]wasm-rpc" (func (param "location" string) (result (own 0))))))

  (core module $libc
    (memory (export "memory") 1)
    (global $heap (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      global.get $heap local.get 2 i32.add i32.const 1 i32.sub
      i32.const 0 local.get 2 i32.sub i32.and
      local.set $p
      local.get $p local.get 3 i32.add global.set $heap
      local.get $p))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))

  (core func $rand (canon lower (func $r "get-random-u64")))
  (core func $now (canon lower (func $c "now")))
  (core func $getenv (canon lower (func $e "get-environment") (memory $mem) (realloc $realloc)))
  (core func $block (canon lower (func $poll "[method]pollable.block")))
  (core func $fields_new (canon lower (func $types "[constructor]fields")))
  (core func $req_new (canon lower (func $types "[constructor]outgoing-request")))
  (core func $set_scheme (canon lower (func $types "[method]outgoing-request.set-scheme") (memory $mem) (realloc $realloc)))
  (core func $set_authority (canon lower (func $types "[method]outgoing-request.set-authority") (memory $mem) (realloc $realloc)))
  (core func $set_path (canon lower (func $types "[method]outgoing-request.set-path-with-query") (memory $mem) (realloc $realloc)))
  (core func $subscribe (canon lower (func $types "[method]future-incoming-response.subscribe")))
  (core func $fget (canon lower (func $types "[method]future-incoming-response.get") (memory $mem) (realloc $realloc)))
  (core func $status (canon lower (func $types "[method]incoming-response.status")))
  (core func $handle (canon lower (func $oh "handle") (memory $mem) (realloc $realloc)))
  (core func $create_promise (canon lower (func $h "create-promise")))
  (core func $rpc_new (canon lower (func $rpc "[constructor]wasm-rpc") (memory $mem) (realloc $realloc)))
  {extra_random_lower}

  (core module $m
    (import "libc" "memory" (memory 1))
    (import "host" "rand" (func $rand (result i64)))
    (import "host" "now" (func $now (result i64)))
    (import "host" "getenv" (func $getenv (param i32)))
    (import "host" "block" (func $block (param i32)))
    (import "host" "fields-new" (func $fields_new (result i32)))
    (import "host" "req-new" (func $req_new (param i32) (result i32)))
    (import "host" "set-scheme" (func $set_scheme (param i32 i32 i32 i32 i32) (result i32)))
    (import "host" "set-authority" (func $set_authority (param i32 i32 i32 i32) (result i32)))
    (import "host" "set-path" (func $set_path (param i32 i32 i32 i32) (result i32)))
    (import "host" "subscribe" (func $subscribe (param i32) (result i32)))
    (import "host" "fget" (func $fget (param i32 i32)))
    (import "host" "status" (func $status (param i32) (result i32)))
    (import "host" "handle" (func $handle (param i32 i32 i32 i32)))
    (import "host" "create-promise" (func $create_promise (result i64)))
    (import "host" "rpc-new" (func $rpc_new (param i32 i32) (result i32)))
    {extra_random_core}
    (data (i32.const 200) "/")
    (data (i32.const 208) "local")
    (func (export "roll") (result i64) call $rand)
    (func (export "now") (result i64) call $now)
    (func (export "env-count") (result i32) i32.const 16 call $getenv i32.const 20 i32.load)
    (func (export "ping") (result i32) i32.const 1)
    (func (export "promise") (result i64) call $create_promise)
    (func (export "rpc") (result i32) i32.const 208 i32.const 5 call $rpc_new)
    (func $fetch_core (export "fetch") (param $ptr i32) (param $len i32) (result i32)
      (local $req i32) (local $fut i32)
      call $fields_new call $req_new local.set $req
      local.get $req i32.const 1 i32.const 0 i32.const 0 i32.const 0 call $set_scheme drop
      local.get $req i32.const 1 local.get $ptr local.get $len call $set_authority drop
      local.get $req i32.const 1 i32.const 200 i32.const 1 call $set_path drop
      local.get $req i32.const 0 i32.const 0 i32.const 256 call $handle
      i32.const 256 i32.load8_u
      if
        i32.const 264 i32.load8_u i32.const 1000 i32.add return
      end
      i32.const 264 i32.load local.set $fut
      local.get $fut call $subscribe call $block
      local.get $fut i32.const 320 call $fget
      i32.const 320 i32.load8_u i32.eqz if i32.const {FETCH_NO_RESPONSE} return end
      i32.const 328 i32.load8_u if i32.const {FETCH_NO_RESPONSE + 1} return end
      i32.const 336 i32.load8_u if i32.const 344 i32.load8_u i32.const 1000 i32.add return end
      i32.const 344 i32.load call $status)
    (func (export "must-fetch") (param i32 i32) (result i32)
      local.get 0 local.get 1 call $fetch_core
      (local.tee 0) i32.const 1000 i32.ge_u if unreachable end
      local.get 0))
  (core instance $host
    (export "rand" (func $rand)) (export "now" (func $now)) (export "getenv" (func $getenv))
    (export "block" (func $block)) (export "fields-new" (func $fields_new)) (export "req-new" (func $req_new))
    (export "set-scheme" (func $set_scheme)) (export "set-authority" (func $set_authority))
    (export "set-path" (func $set_path)) (export "subscribe" (func $subscribe)) (export "fget" (func $fget))
    (export "status" (func $status)) (export "handle" (func $handle))
    (export "create-promise" (func $create_promise)) (export "rpc-new" (func $rpc_new)) {extra_random_host})
  (core instance $i (instantiate $m (with "libc" (instance $libc)) (with "host" (instance $host))))
  (func $roll (result u64) (canon lift (core func $i "roll")))
  (func $now2 (result u64) (canon lift (core func $i "now")))
  (func $envc (result u32) (canon lift (core func $i "env-count")))
  (func $ping (result u32) (canon lift (core func $i "ping")))
  (func $promise (result u64) (canon lift (core func $i "promise")))
  (func $rpc2 (result u32) (canon lift (core func $i "rpc")))
  (func $fetch (param "authority" string) (result u32)
    (canon lift (core func $i "fetch") (memory $mem) (realloc $realloc)))
  (func $must_fetch (param "authority" string) (result u32)
    (canon lift (core func $i "must-fetch") (memory $mem) (realloc $realloc)))
  {extra_random_lift}
  (instance $api (export "roll" (func $roll)) (export "now" (func $now2)) (export "env-count" (func $envc))
    (export "ping" (func $ping)) (export "promise" (func $promise)) (export "rpc" (func $rpc2))
    (export "fetch" (func $fetch)) (export "must-fetch" (func $must_fetch)) {extra_random_export})
  (export "golem:component/api" (instance $api))
)"""
