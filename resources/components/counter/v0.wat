;; Counter, version 0: a running total with a count of increments.
;;
;; No snapshot support: this version can only be updated automatically,
;; by replaying its history on the new code.
;;
;; Exports
;;   golem:component/api
;;     increment: func(by: u32) -> u64   adds `by`, returns the new total
;;     get:       func() -> u64          the total
;;     count:     func() -> u32          how many increments so far
;;     reset:     func()                 total and count back to zero
;;
;; Linear memory layout
;;   0   total  u64
;;   8   count  u32
(component
  (core module $counter
    (memory (export "memory") 1)

    (func (export "increment") (param $by i32) (result i64)
      (local $total i64)
      (local.set $total
        (i64.add (i64.load (i32.const 0)) (i64.extend_i32_u (local.get $by))))
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

  (instance $api
    (export "increment" (func $increment))
    (export "get" (func $get))
    (export "count" (func $count))
    (export "reset" (func $reset)))
  (export "golem:component/api" (instance $api))
)
