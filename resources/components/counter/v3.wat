;; Counter, version 3: same API and behaviour as version 2, new snapshot format.
;;
;; This version no longer migrates older snapshots: `load` rejects formats 1
;; and 2 with an error, so a manual update from version 1 or 2 fails and the
;; worker goes back to the version it ran. An automatic update from a
;; version 2 history succeeds, since the results are the same.
;;
;; Exports
;;   golem:component/api
;;     increment: func(by: u32) -> u64   adds `by` units, returns the total in cents
;;     get:       func() -> u64          the total in cents
;;     count:     func() -> u32          how many increments so far
;;     reset:     func()                 total and count back to zero
;;   golem:api/save-snapshot@1.1.0
;;     save: func() -> list<u8>
;;   golem:api/load-snapshot@1.1.0
;;     load: func(bytes: list<u8>) -> result<_, string>
;;
;; Snapshot formats
;;   format 1 (12 bytes): rejected
;;   format 2 (13 bytes, first byte 2): rejected
;;   format 3 (13 bytes): format byte 3, total in cents u64 LE, count u32 LE
;;
;; Linear memory layout
;;   0     total in cents  u64
;;   8     count           u32
;;   16    return area, 12 bytes: (ptr, len) of a list, or a result's
;;         discriminant byte followed by the error string's (ptr, len)
;;   32    snapshot buffer, 13 bytes (format 3)
;;   64    error messages
;;   1024  heap for cabi_realloc (argument buffers)
(component
  (core module $counter
    (memory (export "memory") 1)

    (global $heap_base i32 (i32.const 1024))
    (global $heap (mut i32) (i32.const 1024))

    (data (i32.const 64) "snapshot format 1 is no longer supported")
    (data (i32.const 128) "snapshot format 2 is no longer supported")
    (data (i32.const 192) "unrecognised snapshot: expected format 3 (13 bytes)")

    (func (export "increment") (param $by i32) (result i64)
      (local $total i64)
      (local.set $total
        (i64.add
          (i64.load (i32.const 0))
          (i64.mul (i64.extend_i32_u (local.get $by)) (i64.const 100))))
      (i64.store (i32.const 0) (local.get $total))
      (i32.store (i32.const 8) (i32.add (i32.load (i32.const 8)) (i32.const 1)))
      (local.get $total))

    (func (export "get") (result i64)
      (i64.load (i32.const 0)))

    (func (export "count") (result i32)
      (i32.load (i32.const 8)))

    (func (export "reset")
      (i64.store (i32.const 0) (i64.const 0))
      (i32.store (i32.const 8) (i32.const 0)))

    ;; Writes format 3 into the snapshot buffer.
    (func (export "save") (result i32)
      (i32.store8 (i32.const 32) (i32.const 3))
      (i64.store (i32.const 33) (i64.load (i32.const 0)))
      (i32.store (i32.const 41) (i32.load (i32.const 8)))
      (i32.store (i32.const 16) (i32.const 32))
      (i32.store (i32.const 20) (i32.const 13))
      (i32.const 16))

    (func (export "load") (param $ptr i32) (param $len i32) (result i32)
      (local $format i32)
      (if (i32.eq (local.get $len) (i32.const 12))
        (then (return (call $err (i32.const 64) (i32.const 40)))))
      (if (i32.ne (local.get $len) (i32.const 13))
        (then (return (call $err (i32.const 192) (i32.const 51)))))
      (local.set $format (i32.load8_u (local.get $ptr)))
      (if (i32.eq (local.get $format) (i32.const 2))
        (then (return (call $err (i32.const 128) (i32.const 40)))))
      (if (i32.ne (local.get $format) (i32.const 3))
        (then (return (call $err (i32.const 192) (i32.const 51)))))
      (i64.store (i32.const 0) (i64.load offset=1 (local.get $ptr)))
      (i32.store (i32.const 8) (i32.load offset=9 (local.get $ptr)))
      (call $ok))

    ;; result<_, string> in the return area
    (func $ok (result i32)
      (call $release_heap)
      (i32.store8 (i32.const 16) (i32.const 0))
      (i32.const 16))

    (func $err (param $msg i32) (param $len i32) (result i32)
      (call $release_heap)
      (i32.store8 (i32.const 16) (i32.const 1))
      (i32.store (i32.const 20) (local.get $msg))
      (i32.store (i32.const 24) (local.get $len))
      (i32.const 16))

    ;; Argument buffers are only needed during the call that received them.
    (func $release_heap
      (global.set $heap (global.get $heap_base)))

    ;; Bump allocator used by the host to pass list arguments in.
    ;; Only fresh allocations are requested, so the old block is ignored.
    (func (export "cabi_realloc")
      (param $old i32) (param $old_size i32) (param $align i32) (param $size i32)
      (result i32)
      (local $ptr i32) (local $end i32)
      (local.set $ptr
        (i32.and
          (i32.add (global.get $heap) (i32.sub (local.get $align) (i32.const 1)))
          (i32.sub (i32.const 0) (local.get $align))))
      (local.set $end (i32.add (local.get $ptr) (local.get $size)))
      (if (i32.lt_u (local.get $end) (local.get $ptr)) (then unreachable))
      (block $fits
        (loop $grow
          (br_if $fits
            (i64.le_u
              (i64.extend_i32_u (local.get $end))
              (i64.mul (i64.extend_i32_u (memory.size)) (i64.const 65536))))
          (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then unreachable))
          (br $grow)))
      (global.set $heap (local.get $end))
      (local.get $ptr))
  )
  (core instance $i (instantiate $counter))

  (func $increment (param "by" u32) (result u64)
    (canon lift (core func $i "increment")))
  (func $get (result u64)
    (canon lift (core func $i "get")))
  (func $count (result u32)
    (canon lift (core func $i "count")))
  (func $reset
    (canon lift (core func $i "reset")))
  (func $save (result (list u8))
    (canon lift (core func $i "save") (memory (core memory $i "memory"))))
  (func $load (param "bytes" (list u8)) (result (result (error string)))
    (canon lift (core func $i "load")
      (memory (core memory $i "memory"))
      (realloc (core func $i "cabi_realloc"))))

  (instance $api
    (export "increment" (func $increment))
    (export "get" (func $get))
    (export "count" (func $count))
    (export "reset" (func $reset)))
  (export "golem:component/api" (instance $api))

  (instance $save-snapshot (export "save" (func $save)))
  (export "golem:api/save-snapshot@1.1.0" (instance $save-snapshot))

  (instance $load-snapshot (export "load" (func $load)))
  (export "golem:api/load-snapshot@1.1.0" (instance $load-snapshot))
)
