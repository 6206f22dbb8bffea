"""Runtime overhead and the compiled-component cache.

Prints, from one run:
- calls per second through the runtime versus a direct wasmtime call on the
  same instance (target >= 0.8);
- cached versus uncached load of a large component (target >= 20x).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from domain.model.hostcalls import HostCalls
from domain.runtime import InstanceConfig, WasmtimeRuntime
from tests.benchmarks._common import best_of, counter_binary, report

CALLS = 20_000


def calls_ratio() -> tuple[float, str]:
    runtime = WasmtimeRuntime(None)
    loaded = runtime.load(counter_binary())
    inst = runtime.instantiate(loaded, InstanceConfig("bench", "c", 0), HostCalls())
    inst.call("increment", [1])
    store, func = inst.store, inst._function("increment").func

    def direct() -> None:
        for _ in range(CALLS):
            func(store, 1)
            func.post_return(store)

    def through_runtime() -> None:
        call = inst.call
        for _ in range(CALLS):
            call("increment", [1])

    t_direct = best_of(direct)
    t_runtime = best_of(through_runtime)
    ratio = t_direct / t_runtime  # runtime calls/s divided by direct calls/s
    return ratio, f"direct {CALLS / t_direct:,.0f}/s, runtime {CALLS / t_runtime:,.0f}/s"


def cache_ratio(big: bytes) -> tuple[float, str]:
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        WasmtimeRuntime(Path(tmp)).load(big)
        uncached = time.perf_counter() - started
        cached = best_of(lambda: WasmtimeRuntime(Path(tmp)).load(big))
    return uncached / cached, f"uncached {uncached:.2f} s, cached {cached * 1000:.0f} ms, {len(big) / 1e6:.1f} MB"


def main(big_component: bytes | None = None) -> dict[str, float]:
    if big_component is None:
        from tests.conftest import build_kitchen

        big_component = build_kitchen()  # the 18 MB componentize-py test component
    r1, d1 = calls_ratio()
    r2, d2 = cache_ratio(big_component)
    report(
        "runtime",
        [
            ("calls/s through the runtime vs direct wasmtime", r1, ">= 0.8", d1),
            ("load time uncached vs cached (large component)", r2, ">= 20", d2),
        ],
    )
    return {"runtime_vs_direct": r1, "cache_speedup": r2}


if __name__ == "__main__":
    main()
