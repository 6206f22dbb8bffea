"""Updates.

Prints, from one run:
- an automatic update of a 20,000-invocation worker versus making the same
  calls directly on a fresh instance (target <= 3);
- a manual update with a 1 MiB snapshot versus calling save + load directly
  (target <= 2).
"""

from __future__ import annotations

from domain.model.hostcalls import HostCalls
from domain.runtime import InstanceConfig
from tests import wat
from tests.benchmarks._common import best_of, counter_binary, report, temp_desk
from tests.benchmarks.bench_workers import HISTORY, grow_history

MIB = 1024 * 1024

# A counter whose snapshot is 1 MiB: `save` returns the first MiB of memory.
BIG_SNAPSHOT = wat.counter().replace(
    """      i32.const 4 i32.const 8 i32.store
      i32.const 0)""",
    f"""      i32.const 4 i32.const {MIB} i32.store
      i32.const 0)""",
).replace('(memory (export "memory") 1)', '(memory (export "memory") 40)').replace(
    """      local.get $len i32.const 8 i32.ne
      if""",
    """      local.get $len i32.const 8 i32.lt_u
      if""",
)


def main() -> dict[str, float]:
    rows = []
    out: dict[str, float] = {}
    with temp_desk() as desk:
        desk.components.add("counter", counter_binary(save=False, load=False))
        desk.components.add("counter", counter_binary())
        desk.workers.create("counter", "long", version=0)
        grow_history(desk, "counter/long", HISTORY)
        calls = desk.workers.worker("counter/long").invocations
        runtime = desk.runtime
        target = runtime.load(desk.workers.blobs.get(desk.components.version("counter", 1).sha256))

        def direct() -> None:
            inst = runtime.instantiate(target, InstanceConfig("d", "c", 1), HostCalls())
            store, func = inst.store, inst._function("increment").func
            for _ in range(calls):
                func(store, 1)
                func.post_return(store)

        t_direct = best_of(direct)
        versions = iter([1, 0, 1, 0, 1])

        def update() -> None:
            outcome = desk.workers.update("counter/long", "auto", next(versions))
            assert outcome.ok, outcome.message()

        t_update = best_of(update)
        out["auto_update_vs_direct"] = t_update / t_direct
        rows.append((f"automatic update of {calls:,} invocations vs direct calls", t_update / t_direct, "<= 3",
                     f"update {t_update:.2f} s, direct {t_direct:.2f} s"))

    with temp_desk() as desk:
        big = runtime_binary = None
        import wasmtime

        runtime_binary = bytes(wasmtime.wat2wasm(BIG_SNAPSHOT))
        desk.components.add("big", runtime_binary)
        desk.components.add("big", runtime_binary + b"")  # same code as a second version
        desk.workers.create("big", "w", version=0)
        desk.workers.invoke("big/w", "increment", ["3"])
        loaded = desk.runtime.load(runtime_binary)

        def direct_snapshot() -> None:
            a = desk.runtime.instantiate(loaded, InstanceConfig("a", "c", 0), HostCalls())
            a.call("increment", [3])
            data = a.save_snapshot()
            assert len(data) == MIB
            b = desk.runtime.instantiate(loaded, InstanceConfig("b", "c", 1), HostCalls())
            assert b.load_snapshot(data) is None

        t_direct = best_of(direct_snapshot)
        versions = iter([1, 0, 1, 0, 1])
        sizes = []

        def manual() -> None:
            outcome = desk.workers.update("big/w", "manual", next(versions))
            assert outcome.ok, outcome.message()
            sizes.append(outcome.snapshot_size)

        t_manual = best_of(manual)
        assert sizes[0] == MIB
        out["manual_update_vs_direct"] = t_manual / t_direct
        rows.append(("manual update with a 1 MiB snapshot vs save + load directly", t_manual / t_direct, "<= 2",
                     f"update {t_manual * 1000:.1f} ms, direct {t_direct * 1000:.1f} ms"))
        del big
    report("updates", rows)
    return out


if __name__ == "__main__":
    main()
