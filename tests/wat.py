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


def golem_host_api(*, version: str = "1.1.7", agent: bool = False, promises: bool = True, extra_core: str = "") -> str:
    """A component calling Golem's host API (``golem:api/host``), 1.1-style
    (worker-named) or, with ``agent``, 1.3-style (agent-named, no 1.1 promises).

    Exports ``golem:component/api``: ``key`` (generate-idempotency-key, the
    high 64 bits), ``last-key``, ``index`` (get-oplog-index), ``region(fail)``
    (an atomic region around a key; traps inside it when ``fail`` is not 0),
    ``set-attempts``/``attempts`` (the retry policy), ``set-level``/``level``
    (persistence level as its case number), ``set-idem``/``idem``,
    ``self-version``/``self-status``/``self-name-len``/``self-env-count``
    (get-self-metadata), ``other-version(name)`` (metadata of another worker
    of the same component; 2^64-1 when there is none), ``update-self(target,
    manual)``, ``commit`` (oplog-commit), ``resolve-component(name)`` (the
    component id's high 64 bits, 2^64-1 for none), ``resolve-worker(component,
    name, strict)`` (the id's high bits plus the name's length, 2^64-1 for
    none), ``update-then-trap(target)`` (an automatic update, then a
    trap), ``fork-self`` (fork-worker), and with ``promises``:
    ``promise-new``, ``promise-await(idx)``, ``promise-poll(idx)``,
    ``promise-complete(idx, data)``, ``promise-delete(idx)``.
    """
    wname = "agent-id" if agent else "worker-name"
    wid = "agent-id" if agent else "worker-id"
    get_meta = "get-agent-metadata" if agent else "get-worker-metadata"
    update = "update-agent" if agent else "update-worker"
    fork = "fork-agent" if agent else "fork-worker"
    resolve = "resolve-agent-id" if agent else "resolve-worker-id"
    status = "agent-status" if agent else "worker-status"
    meta = "agent-metadata" if agent else "worker-metadata"
    promise_types = f"""
    (type $pid0 (record (field "{wid}" $wid) (field "oplog-idx" u64)))
    (export "promise-id" (type $pid (eq $pid0)))
    (export "create-promise" (func (result $pid)))
    (export "await-promise" (func (param "promise-id" $pid) (result (list u8))))
    (export "poll-promise" (func (param "promise-id" $pid) (result (option (list u8)))))
    (export "complete-promise" (func (param "promise-id" $pid) (param "data" (list u8)) (result bool)))
    (export "delete-promise" (func (param "promise-id" $pid)))""" if promises else ""
    promise_lower = """
  (core func $create_promise (canon lower (func $h "create-promise") (memory $mem) (realloc $realloc)))
  (core func $await_promise (canon lower (func $h "await-promise") (memory $mem) (realloc $realloc)))
  (core func $poll_promise (canon lower (func $h "poll-promise") (memory $mem) (realloc $realloc)))
  (core func $complete_promise (canon lower (func $h "complete-promise") (memory $mem) (realloc $realloc)))
  (core func $delete_promise (canon lower (func $h "delete-promise") (memory $mem)))""" if promises else ""
    promise_imports = """
    (import "host" "create-promise" (func $create_promise (param i32)))
    (import "host" "await-promise" (func $await_promise (param i64 i64 i32 i32 i64 i32)))
    (import "host" "poll-promise" (func $poll_promise (param i64 i64 i32 i32 i64 i32)))
    (import "host" "complete-promise" (func $complete_promise (param i64 i64 i32 i32 i64 i32 i32) (result i32)))
    (import "host" "delete-promise" (func $delete_promise (param i64 i64 i32 i32 i64)))""" if promises else ""
    promise_core = """
    (func (export "promise-new") (result i64) i32.const 896 call $create_promise i32.const 920 i64.load)
    (func (export "promise-await") (param $idx i64) (result i32)
      call $self
      i32.const 512 i64.load i32.const 520 i64.load i32.const 528 i32.load i32.const 532 i32.load
      local.get $idx i32.const 960 call $await_promise i32.const 960)
    (func (export "promise-poll") (param $idx i64) (result i32)
      call $self
      i32.const 512 i64.load i32.const 520 i64.load i32.const 528 i32.load i32.const 532 i32.load
      local.get $idx i32.const 960 call $poll_promise i32.const 960)
    (func (export "promise-complete") (param $idx i64) (param $p i32) (param $n i32) (result i32)
      call $self
      i32.const 512 i64.load i32.const 520 i64.load i32.const 528 i32.load i32.const 532 i32.load
      local.get $idx local.get $p local.get $n call $complete_promise)
    (func (export "promise-delete") (param $idx i64)
      call $self
      i32.const 512 i64.load i32.const 520 i64.load i32.const 528 i32.load i32.const 532 i32.load
      local.get $idx call $delete_promise)""" if promises else ""
    promise_host = """(export "create-promise" (func $create_promise)) (export "await-promise" (func $await_promise))
    (export "poll-promise" (func $poll_promise)) (export "complete-promise" (func $complete_promise))
    (export "delete-promise" (func $delete_promise))""" if promises else ""
    promise_lift = """
  (func $pnew (result u64) (canon lift (core func $i "promise-new")))
  (func $pawait (param "idx" u64) (result (list u8)) (canon lift (core func $i "promise-await") (memory $mem) (realloc $realloc)))
  (func $ppoll (param "idx" u64) (result (option (list u8))) (canon lift (core func $i "promise-poll") (memory $mem) (realloc $realloc)))
  (func $pcomplete (param "idx" u64) (param "data" (list u8)) (result bool) (canon lift (core func $i "promise-complete") (memory $mem) (realloc $realloc)))
  (func $pdelete (param "idx" u64) (canon lift (core func $i "promise-delete")))""" if promises else ""
    promise_exports = """(export "promise-new" (func $pnew)) (export "promise-await" (func $pawait))
    (export "promise-poll" (func $ppoll)) (export "promise-complete" (func $pcomplete)) (export "promise-delete" (func $pdelete))""" if promises else ""
    return f"""(component $C
  (import "golem:api/host@{version}" (instance $h
    (type $uuid0 (record (field "high-bits" u64) (field "low-bits" u64)))
    (export "uuid" (type $uuid (eq $uuid0)))
    (type $cid0 (record (field "uuid" $uuid)))
    (export "component-id" (type $cid (eq $cid0)))
    (type $wid0 (record (field "component-id" $cid) (field "{wname}" string)))
    (export "{wid}" (type $wid (eq $wid0)))
    (type $rp0 (record (field "max-attempts" u32) (field "min-delay" u64) (field "max-delay" u64)
      (field "multiplier" f64) (field "max-jitter-factor" (option f64))))
    (export "retry-policy" (type $rp (eq $rp0)))
    (type $pl0 (variant (case "persist-nothing") (case "persist-remote-side-effects") (case "smart")))
    (export "persistence-level" (type $pl (eq $pl0)))
    (type $um0 (enum "automatic" "snapshot-based"))
    (export "update-mode" (type $um (eq $um0)))
    (type $ws0 (enum "running" "idle" "suspended" "interrupted" "retrying" "failed" "exited"))
    (export "{status}" (type $ws (eq $ws0)))
    (type $wm0 (record (field "{wid}" $wid) (field "args" (list string)) (field "env" (list (tuple string string)))
      (field "status" $ws) (field "component-version" u64) (field "retry-count" u64)))
    (export "{meta}" (type $wm (eq $wm0)))
    (export "generate-idempotency-key" (func (result $uuid)))
    (export "get-oplog-index" (func (result u64)))
    (export "mark-begin-operation" (func (result u64)))
    (export "mark-end-operation" (func (param "begin" u64)))
    (export "get-retry-policy" (func (result $rp)))
    (export "set-retry-policy" (func (param "new-retry-policy" $rp)))
    (export "get-oplog-persistence-level" (func (result $pl)))
    (export "set-oplog-persistence-level" (func (param "new-persistence-level" $pl)))
    (export "get-idempotence-mode" (func (result bool)))
    (export "set-idempotence-mode" (func (param "idempotent" bool)))
    (export "get-self-metadata" (func (result $wm)))
    (export "{get_meta}" (func (param "{wid}" $wid) (result (option $wm))))
    (export "{update}" (func (param "{wid}" $wid) (param "target-version" u64) (param "mode" $um)))
    (export "{fork}" (func (param "source" $wid) (param "target" $wid) (param "oplog-idx-cut-off" u64)))
    (export "oplog-commit" (func (param "replicas" u8)))
    (export "resolve-component-id" (func (param "component-reference" string) (result (option $cid))))
    (export "{resolve}" (func (param "component-reference" string) (param "{wname}" string) (result (option $wid))))
    (export "{resolve}-strict" (func (param "component-reference" string) (param "{wname}" string) (result (option $wid))))
    {promise_types}))

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

  (core func $gen_key (canon lower (func $h "generate-idempotency-key") (memory $mem) (realloc $realloc)))
  (core func $get_index (canon lower (func $h "get-oplog-index")))
  (core func $begin (canon lower (func $h "mark-begin-operation")))
  (core func $end (canon lower (func $h "mark-end-operation")))
  (core func $get_rp (canon lower (func $h "get-retry-policy") (memory $mem) (realloc $realloc)))
  (core func $set_rp (canon lower (func $h "set-retry-policy")))
  (core func $get_pl (canon lower (func $h "get-oplog-persistence-level")))
  (core func $set_pl (canon lower (func $h "set-oplog-persistence-level")))
  (core func $get_idem (canon lower (func $h "get-idempotence-mode")))
  (core func $set_idem (canon lower (func $h "set-idempotence-mode")))
  (core func $get_self (canon lower (func $h "get-self-metadata") (memory $mem) (realloc $realloc)))
  (core func $get_meta (canon lower (func $h "{get_meta}") (memory $mem) (realloc $realloc)))
  (core func $update (canon lower (func $h "{update}") (memory $mem) (realloc $realloc)))
  (core func $fork (canon lower (func $h "{fork}") (memory $mem) (realloc $realloc)))
  (core func $commit (canon lower (func $h "oplog-commit")))
  (core func $resolve_c (canon lower (func $h "resolve-component-id") (memory $mem) (realloc $realloc)))
  (core func $resolve_w (canon lower (func $h "{resolve}") (memory $mem) (realloc $realloc)))
  (core func $resolve_ws (canon lower (func $h "{resolve}-strict") (memory $mem) (realloc $realloc)))
  {promise_lower}

  (core module $m
    (import "libc" "memory" (memory 1))
    (import "host" "gen-key" (func $gen_key (param i32)))
    (import "host" "get-index" (func $get_index (result i64)))
    (import "host" "begin" (func $begin (result i64)))
    (import "host" "end" (func $end (param i64)))
    (import "host" "get-rp" (func $get_rp (param i32)))
    (import "host" "set-rp" (func $set_rp (param i32 i64 i64 f64 i32 f64)))
    (import "host" "get-pl" (func $get_pl (result i32)))
    (import "host" "set-pl" (func $set_pl (param i32)))
    (import "host" "get-idem" (func $get_idem (result i32)))
    (import "host" "set-idem" (func $set_idem (param i32)))
    (import "host" "get-self" (func $get_self (param i32)))
    (import "host" "get-meta" (func $get_meta (param i64 i64 i32 i32 i32)))
    (import "host" "update" (func $update (param i64 i64 i32 i32 i64 i32)))
    (import "host" "fork" (func $fork (param i64 i64 i32 i32 i64 i64 i32 i32 i64)))
    (import "host" "commit" (func $commit (param i32)))
    (import "host" "resolve-c" (func $resolve_c (param i32 i32 i32)))
    (import "host" "resolve-w" (func $resolve_w (param i32 i32 i32 i32 i32)))
    (import "host" "resolve-ws" (func $resolve_ws (param i32 i32 i32 i32 i32)))
    {promise_imports}
    (global $last (mut i64) (i64.const 0))
    (func $self i32.const 512 call $get_self)
    (func (export "key") (result i64)
      i32.const 768 call $gen_key i32.const 768 i64.load global.set $last global.get $last)
    (func (export "last-key") (result i64) global.get $last)
    (func (export "index") (result i64) call $get_index)
    (func (export "region") (param $fail i32) (result i64)
      (local $b i64)
      call $begin local.set $b
      i32.const 768 call $gen_key i32.const 768 i64.load global.set $last
      local.get $fail if unreachable end
      local.get $b call $end
      local.get $b)
    (func (export "set-attempts") (param $n i32)
      local.get $n i64.const 1000 i64.const 2000 f64.const 2.0 i32.const 0 f64.const 0 call $set_rp)
    (func (export "attempts") (result i32) i32.const 800 call $get_rp i32.const 800 i32.load)
    (func (export "set-level") (param $n i32) local.get $n call $set_pl)
    (func (export "level") (result i32) call $get_pl)
    (func (export "set-idem") (param $b i32) local.get $b call $set_idem)
    (func (export "idem") (result i32) call $get_idem)
    (func (export "self-version") (result i64) call $self i32.const 560 i64.load)
    (func (export "self-status") (result i32) call $self i32.const 552 i32.load8_u)
    (func (export "self-name-len") (result i32) call $self i32.const 532 i32.load)
    (func (export "self-env-count") (result i32) call $self i32.const 548 i32.load)
    (func (export "other-version") (param $p i32) (param $n i32) (result i64)
      call $self
      i32.const 512 i64.load i32.const 520 i64.load local.get $p local.get $n i32.const 640 call $get_meta
      i32.const 640 i32.load8_u i32.eqz if i64.const -1 return end
      i32.const 696 i64.load)
    (func (export "update-self") (param $target i64) (param $manual i32)
      call $self
      i32.const 512 i64.load i32.const 520 i64.load i32.const 528 i32.load i32.const 532 i32.load
      local.get $target local.get $manual call $update)
    (func (export "update-then-trap") (param $target i64)
      call $self
      i32.const 512 i64.load i32.const 520 i64.load i32.const 528 i32.load i32.const 532 i32.load
      local.get $target i32.const 0 call $update
      unreachable)
    (func (export "commit") i32.const 1 call $commit)
    (func (export "resolve-component") (param $p i32) (param $n i32) (result i64)
      local.get $p local.get $n i32.const 1280 call $resolve_c
      i32.const 1280 i32.load8_u i32.eqz if i64.const -1 return end
      i32.const 1288 i64.load)
    (func (export "resolve-worker") (param $cp i32) (param $cn i32) (param $p i32) (param $n i32) (param $strict i32) (result i64)
      local.get $strict
      if local.get $cp local.get $cn local.get $p local.get $n i32.const 1280 call $resolve_ws
      else local.get $cp local.get $cn local.get $p local.get $n i32.const 1280 call $resolve_w end
      i32.const 1280 i32.load8_u i32.eqz if i64.const -1 return end
      i32.const 1288 i64.load i32.const 1308 i32.load i64.extend_i32_u i64.add)
    (func (export "fork-self")
      call $self
      i32.const 512 i64.load i32.const 520 i64.load i32.const 528 i32.load i32.const 532 i32.load
      i32.const 512 i64.load i32.const 520 i64.load i32.const 528 i32.load i32.const 532 i32.load
      i64.const 0 call $fork)
    {promise_core}
    {extra_core})
  (core instance $host
    (export "gen-key" (func $gen_key)) (export "get-index" (func $get_index))
    (export "begin" (func $begin)) (export "end" (func $end))
    (export "get-rp" (func $get_rp)) (export "set-rp" (func $set_rp))
    (export "get-pl" (func $get_pl)) (export "set-pl" (func $set_pl))
    (export "get-idem" (func $get_idem)) (export "set-idem" (func $set_idem))
    (export "get-self" (func $get_self)) (export "get-meta" (func $get_meta))
    (export "update" (func $update)) (export "fork" (func $fork))
    (export "commit" (func $commit)) (export "resolve-c" (func $resolve_c))
    (export "resolve-w" (func $resolve_w)) (export "resolve-ws" (func $resolve_ws))
    {promise_host})
  (core instance $i (instantiate $m (with "libc" (instance $libc)) (with "host" (instance $host))))
  (func $key (result u64) (canon lift (core func $i "key")))
  (func $last_key (result u64) (canon lift (core func $i "last-key")))
  (func $index (result u64) (canon lift (core func $i "index")))
  (func $region (param "fail" u32) (result u64) (canon lift (core func $i "region")))
  (func $set_attempts (param "n" u32) (canon lift (core func $i "set-attempts")))
  (func $attempts (result u32) (canon lift (core func $i "attempts")))
  (func $set_level (param "n" u32) (canon lift (core func $i "set-level")))
  (func $level (result u32) (canon lift (core func $i "level")))
  (func $set_idem2 (param "b" bool) (canon lift (core func $i "set-idem")))
  (func $idem (result bool) (canon lift (core func $i "idem")))
  (func $self_version (result u64) (canon lift (core func $i "self-version")))
  (func $self_status (result u32) (canon lift (core func $i "self-status")))
  (func $self_name_len (result u32) (canon lift (core func $i "self-name-len")))
  (func $self_env_count (result u32) (canon lift (core func $i "self-env-count")))
  (func $other_version (param "name" string) (result u64)
    (canon lift (core func $i "other-version") (memory $mem) (realloc $realloc)))
  (func $update_self (param "target" u64) (param "manual" u32) (canon lift (core func $i "update-self")))
  (func $update_trap (param "target" u64) (canon lift (core func $i "update-then-trap")))
  (func $fork_self (canon lift (core func $i "fork-self")))
  (func $commit2 (canon lift (core func $i "commit")))
  (func $resolve_component (param "name" string) (result u64)
    (canon lift (core func $i "resolve-component") (memory $mem) (realloc $realloc)))
  (func $resolve_worker (param "component" string) (param "name" string) (param "strict" bool) (result u64)
    (canon lift (core func $i "resolve-worker") (memory $mem) (realloc $realloc)))
  {promise_lift}
  (instance $api
    (export "key" (func $key)) (export "last-key" (func $last_key)) (export "index" (func $index))
    (export "region" (func $region)) (export "set-attempts" (func $set_attempts)) (export "attempts" (func $attempts))
    (export "set-level" (func $set_level)) (export "level" (func $level))
    (export "set-idem" (func $set_idem2)) (export "idem" (func $idem))
    (export "self-version" (func $self_version)) (export "self-status" (func $self_status))
    (export "self-name-len" (func $self_name_len)) (export "self-env-count" (func $self_env_count))
    (export "other-version" (func $other_version)) (export "update-self" (func $update_self))
    (export "update-then-trap" (func $update_trap))
    (export "fork-self" (func $fork_self)) (export "commit" (func $commit2))
    (export "resolve-component" (func $resolve_component)) (export "resolve-worker" (func $resolve_worker))
    {promise_exports})
  (export "golem:component/api" (instance $api))
)"""


def golem_context(*, version: str = "1.1.7", extra_core: str = "") -> str:
    """A component using Golem's invocation context (``golem:api/context``).

    Exports ``golem:component/api``: ``span-id(name)`` (starts a span, sets
    the attribute ``k`` to ``v``, returns the current context's span id),
    ``trace-id``, ``attr(key)`` (a span's inherited attribute ``key`` set to
    ``val``, or "" when the key is not ``k`` nor the given one) and
    ``started`` (a span's start, in seconds).
    """
    return f"""(component $C
  (import "golem:api/context@{version}" (instance $ctx
    (export "span" (type $span (sub resource)))
    (export "invocation-context" (type $ic (sub resource)))
    (type $av0 (variant (case "string" string)))
    (export "attribute-value" (type $av (eq $av0)))
    (type $dt0 (record (field "seconds" u64) (field "nanoseconds" u32)))
    (export "datetime" (type $dt (eq $dt0)))
    (export "start-span" (func (param "name" string) (result (own $span))))
    (export "current-context" (func (result (own $ic))))
    (export "[method]span.started-at" (func (param "self" (borrow $span)) (result $dt)))
    (export "[method]span.set-attribute" (func (param "self" (borrow $span)) (param "name" string) (param "value" $av)))
    (export "[method]span.finish" (func (param "self" (borrow $span))))
    (export "[method]invocation-context.trace-id" (func (param "self" (borrow $ic)) (result string)))
    (export "[method]invocation-context.span-id" (func (param "self" (borrow $ic)) (result string)))
    (export "[method]invocation-context.get-attribute"
      (func (param "self" (borrow $ic)) (param "key" string) (param "inherited" bool) (result (option $av))))))
  (alias export $ctx "span" (type $span_t))
  (alias export $ctx "invocation-context" (type $ic_t))

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

  (core func $start (canon lower (func $ctx "start-span") (memory $mem) (realloc $realloc)))
  (core func $current (canon lower (func $ctx "current-context")))
  (core func $started_at (canon lower (func $ctx "[method]span.started-at") (memory $mem) (realloc $realloc)))
  (core func $set_attr (canon lower (func $ctx "[method]span.set-attribute") (memory $mem) (realloc $realloc)))
  (core func $finish (canon lower (func $ctx "[method]span.finish")))
  (core func $trace_id (canon lower (func $ctx "[method]invocation-context.trace-id") (memory $mem) (realloc $realloc)))
  (core func $span_id (canon lower (func $ctx "[method]invocation-context.span-id") (memory $mem) (realloc $realloc)))
  (core func $get_attr (canon lower (func $ctx "[method]invocation-context.get-attribute") (memory $mem) (realloc $realloc)))
  (core func $drop_span (canon resource.drop $span_t))
  (core func $drop_ic (canon resource.drop $ic_t))

  (core module $m
    (import "libc" "memory" (memory 1))
    (import "host" "start" (func $start (param i32 i32) (result i32)))
    (import "host" "current" (func $current (result i32)))
    (import "host" "started-at" (func $started_at (param i32 i32)))
    (import "host" "set-attr" (func $set_attr (param i32 i32 i32 i32 i32 i32)))
    (import "host" "finish" (func $finish (param i32)))
    (import "host" "trace-id" (func $trace_id (param i32 i32)))
    (import "host" "span-id" (func $span_id (param i32 i32)))
    (import "host" "get-attr" (func $get_attr (param i32 i32 i32 i32 i32)))
    (import "host" "drop-span" (func $drop_span (param i32)))
    (import "host" "drop-ic" (func $drop_ic (param i32)))
    (data (i32.const 900) "k")
    (data (i32.const 904) "v")
    (data (i32.const 908) "val")
    (func (export "span-id") (param $p i32) (param $n i32) (result i32)
      (local $s i32) (local $c i32)
      local.get $p local.get $n call $start local.set $s
      local.get $s i32.const 900 i32.const 1 i32.const 0 i32.const 904 i32.const 1 call $set_attr
      call $current local.set $c
      local.get $c i32.const 1000 call $span_id
      local.get $c call $drop_ic
      local.get $s call $finish
      local.get $s call $drop_span
      i32.const 1000)
    (func (export "trace-id") (result i32)
      (local $c i32)
      call $current local.set $c
      local.get $c i32.const 1000 call $trace_id
      local.get $c call $drop_ic
      i32.const 1000)
    (func (export "attr") (param $p i32) (param $n i32) (result i32)
      (local $s i32) (local $c i32)
      i32.const 900 i32.const 1 call $start local.set $s
      local.get $s i32.const 900 i32.const 1 i32.const 0 i32.const 908 i32.const 3 call $set_attr
      i32.const 904 i32.const 1 call $start drop
      call $current local.set $c
      local.get $c local.get $p local.get $n i32.const 1 i32.const 1100 call $get_attr
      local.get $c call $drop_ic
      i32.const 1100 i32.load8_u i32.eqz
      if
        i32.const 1000 i32.const 0 i32.store
        i32.const 1004 i32.const 0 i32.store
        i32.const 1000 return
      end
      i32.const 1000 i32.const 1108 i32.load i32.store
      i32.const 1004 i32.const 1112 i32.load i32.store
      i32.const 1000)
    (func (export "started") (result i64)
      (local $s i32)
      i32.const 900 i32.const 1 call $start local.set $s
      local.get $s i32.const 1200 call $started_at
      local.get $s call $drop_span
      i32.const 1200 i64.load)
    {extra_core})
  (core instance $host
    (export "start" (func $start)) (export "current" (func $current)) (export "started-at" (func $started_at))
    (export "set-attr" (func $set_attr)) (export "finish" (func $finish)) (export "trace-id" (func $trace_id))
    (export "span-id" (func $span_id)) (export "get-attr" (func $get_attr))
    (export "drop-span" (func $drop_span)) (export "drop-ic" (func $drop_ic)))
  (core instance $i (instantiate $m (with "libc" (instance $libc)) (with "host" (instance $host))))
  (func $span_id2 (param "name" string) (result string) (canon lift (core func $i "span-id") (memory $mem) (realloc $realloc)))
  (func $trace_id2 (result string) (canon lift (core func $i "trace-id") (memory $mem) (realloc $realloc)))
  (func $attr (param "key" string) (result string) (canon lift (core func $i "attr") (memory $mem) (realloc $realloc)))
  (func $started (result u64) (canon lift (core func $i "started")))
  (instance $api (export "span-id" (func $span_id2)) (export "trace-id" (func $trace_id2))
    (export "attr" (func $attr)) (export "started" (func $started)))
  (export "golem:component/api" (instance $api))
)"""


# A component that reads N random bytes and returns their sum (kept as `last`).
RANDOM_BYTES = """(component
  (import "wasi:random/random@0.2.3" (instance $r
    (export "get-random-bytes" (func (param "len" u64) (result (list u8))))))
  (core module $libc
    (memory (export "memory") 4)
    (global $heap (mut i32) (i32.const 1024))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $p i32)
      global.get $heap local.set $p
      local.get $p local.get 3 i32.add global.set $heap
      local.get $p))
  (core instance $libc (instantiate $libc))
  (alias core export $libc "memory" (core memory $mem))
  (alias core export $libc "realloc" (core func $realloc))
  (core func $bytes (canon lower (func $r "get-random-bytes") (memory $mem) (realloc $realloc)))
  (core module $m
    (import "libc" "memory" (memory 4))
    (import "host" "bytes" (func $bytes (param i64 i32)))
    (global $last (mut i64) (i64.const 0))
    (func (export "checksum") (param $n i32) (result i64)
      (local $p i32) (local $end i32) (local $sum i64)
      local.get $n i64.extend_i32_u i32.const 16 call $bytes
      i32.const 16 i32.load local.set $p
      local.get $p i32.const 20 i32.load i32.add local.set $end
      block $done
        loop $next
          local.get $p local.get $end i32.ge_u br_if $done
          local.get $sum local.get $p i64.load8_u i64.add local.set $sum
          local.get $p i32.const 1 i32.add local.set $p
          br $next
        end
      end
      local.get $sum global.set $last
      local.get $sum)
    (func (export "last") (result i64) global.get $last))
  (core instance $host (export "bytes" (func $bytes)))
  (core instance $i (instantiate $m (with "libc" (instance $libc)) (with "host" (instance $host))))
  (func $checksum (param "n" u32) (result u64) (canon lift (core func $i "checksum")))
  (func $last (result u64) (canon lift (core func $i "last")))
  (instance $api (export "checksum" (func $checksum)) (export "last" (func $last)))
  (export "golem:component/api" (instance $api))
)"""


def _swap(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, old
    return text.replace(old, new)


def golem_host_api_1_3(*, extra_core: str = "") -> str:
    """A component calling ``golem:api/host@1.3.0`` with the types of Golem's
    published WIT (``agent-metadata`` with ``config-vars`` and
    ``component-revision``, ``promise-id`` holding an ``agent-id``,
    ``fork: func() -> fork-result`` as a variant of ``fork-details``).

    Exports what :func:`golem_host_api` exports with ``agent`` (the metadata
    offsets follow the 1.3 layout), and: ``self-config-count`` (the length of
    ``config-vars``), ``promise-new`` (create-promise, its ``oplog-idx``),
    ``promise-agent-len`` (the length of the agent name in the last promise
    id created), ``promise-complete(idx, data)`` (complete-promise on a
    promise of this agent), ``fork-now`` (``fork``, the case number) and
    ``revert-self`` (revert-agent by one invocation).
    """
    core = """
    (func (export "self-config-count") (result i32) call $self i32.const 556 i32.load)
    (func (export "promise-new") (result i64) i32.const 896 call $create_promise i32.const 920 i64.load)
    (func (export "promise-agent-len") (result i32) i32.const 916 i32.load)
    (func (export "promise-complete") (param $idx i64) (param $p i32) (param $n i32) (result i32)
      call $self
      i32.const 512 i64.load i32.const 520 i64.load i32.const 528 i32.load i32.const 532 i32.load
      local.get $idx local.get $p local.get $n call $complete_promise)
    (func (export "fork-now") (result i32) i32.const 1024 call $fork0 i32.const 1024 i32.load8_u)
    (func (export "revert-self")
      call $self
      i32.const 512 i64.load i32.const 520 i64.load i32.const 528 i32.load i32.const 532 i32.load
      i32.const 1 i64.const 1 call $revert)
    """
    text = golem_host_api(version="1.3.0", agent=True, promises=False, extra_core=core + extra_core)
    # agent-metadata as published: config-vars after env, component-revision.
    text = _swap(
        text,
        '(field "status" $ws) (field "component-version" u64)',
        '(field "config-vars" (list (tuple string string)))\n      (field "status" $ws) (field "component-revision" u64)',
    )
    text = _swap(text, "call $self i32.const 560 i64.load", "call $self i32.const 568 i64.load")
    text = _swap(text, "call $self i32.const 552 i32.load8_u", "call $self i32.const 560 i32.load8_u")
    text = _swap(text, "i32.const 696 i64.load", "i32.const 704 i64.load")
    text = _swap(text, '(param "target-version" u64)', '(param "target-revision" u64)')
    text = _swap(text, '(param "source" $wid) (param "target" $wid)', '(param "source-agent-id" $wid) (param "target-agent-id" $wid)')
    text = _swap(
        text,
        '    (export "generate-idempotency-key" (func (result $uuid)))',
        """    (type $pid0 (record (field "agent-id" $wid) (field "oplog-idx" u64)))
    (export "promise-id" (type $pid (eq $pid0)))
    (type $rt0 (variant (case "revert-to-oplog-index" u64) (case "revert-last-invocations" u64)))
    (export "revert-agent-target" (type $rt (eq $rt0)))
    (type $fd0 (record (field "forked-phantom-id" $uuid)))
    (export "fork-details" (type $fd (eq $fd0)))
    (type $fr0 (variant (case "original" $fd) (case "forked" $fd)))
    (export "fork-result" (type $fr (eq $fr0)))
    (export "create-promise" (func (result $pid)))
    (export "complete-promise" (func (param "promise-id" $pid) (param "data" (list u8)) (result bool)))
    (export "revert-agent" (func (param "agent-id" $wid) (param "revert-target" $rt)))
    (export "fork" (func (result $fr)))
    (export "generate-idempotency-key" (func (result $uuid)))""",
    )
    text = _swap(
        text,
        '  (core func $resolve_ws (canon lower (func $h "resolve-agent-id-strict") (memory $mem) (realloc $realloc)))',
        """  (core func $resolve_ws (canon lower (func $h "resolve-agent-id-strict") (memory $mem) (realloc $realloc)))
  (core func $create_promise (canon lower (func $h "create-promise") (memory $mem) (realloc $realloc)))
  (core func $complete_promise (canon lower (func $h "complete-promise") (memory $mem) (realloc $realloc)))
  (core func $revert (canon lower (func $h "revert-agent") (memory $mem) (realloc $realloc)))
  (core func $fork0 (canon lower (func $h "fork") (memory $mem) (realloc $realloc)))""",
    )
    text = _swap(
        text,
        '    (import "host" "resolve-ws" (func $resolve_ws (param i32 i32 i32 i32 i32)))',
        """    (import "host" "resolve-ws" (func $resolve_ws (param i32 i32 i32 i32 i32)))
    (import "host" "create-promise" (func $create_promise (param i32)))
    (import "host" "complete-promise" (func $complete_promise (param i64 i64 i32 i32 i64 i32 i32) (result i32)))
    (import "host" "revert" (func $revert (param i64 i64 i32 i32 i32 i64)))
    (import "host" "fork0" (func $fork0 (param i32)))""",
    )
    text = _swap(
        text,
        '(export "resolve-ws" (func $resolve_ws))',
        """(export "resolve-ws" (func $resolve_ws))
    (export "create-promise" (func $create_promise)) (export "complete-promise" (func $complete_promise))
    (export "revert" (func $revert)) (export "fork0" (func $fork0))""",
    )
    text = _swap(
        text,
        "  (instance $api\n",
        """  (func $self_config_count (result u32) (canon lift (core func $i "self-config-count")))
  (func $pnew (result u64) (canon lift (core func $i "promise-new")))
  (func $pagent_len (result u32) (canon lift (core func $i "promise-agent-len")))
  (func $pcomplete (param "idx" u64) (param "data" (list u8)) (result bool)
    (canon lift (core func $i "promise-complete") (memory $mem) (realloc $realloc)))
  (func $fork_now (result u32) (canon lift (core func $i "fork-now")))
  (func $revert_self (canon lift (core func $i "revert-self")))
  (instance $api
    (export "self-config-count" (func $self_config_count)) (export "promise-new" (func $pnew))
    (export "promise-agent-len" (func $pagent_len)) (export "promise-complete" (func $pcomplete))
    (export "fork-now" (func $fork_now)) (export "revert-self" (func $revert_self))
""",
    )
    return text
