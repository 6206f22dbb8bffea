"""Run every benchmark and print the ratios measured in this one run.

    make bench            # or: python -m tests.benchmarks.run_all

Ratios, not absolute times: the machines are shared and noisy.
"""

from __future__ import annotations

import os
import sys

TARGETS = {
    "runtime_vs_direct": (">=", 0.8),
    "cache_speedup": (">=", 20.0),
    "durable_vs_bare_sqlite": (">=", 0.5),
    "cost_at_20k_vs_0": ("<=", 1.25),
    "recovery_vs_direct": ("<=", 3.0),
    "auto_update_vs_direct": ("<=", 3.0),
    "manual_update_vs_direct": ("<=", 2.0),
    "history_paint_100k_vs_100": ("<=", 2.0),
}


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from tests.benchmarks import bench_runtime, bench_updates, bench_workers

    results: dict[str, float] = {}
    results.update(bench_runtime.main())
    results.update(bench_workers.main())
    results.update(bench_updates.main())
    try:
        from tests.benchmarks import bench_history_paint
    except ImportError as e:  # the GUI benchmark needs PySide6
        print(f"\n(history paint benchmark skipped: {e})")
    else:
        paint = bench_history_paint.main()
        results["history_paint_100k_vs_100"] = float(paint["ratio"])
    print("\n== summary")
    failed = 0
    for key, value in results.items():
        if key not in TARGETS:
            continue
        op, target = TARGETS[key]
        met = (value >= target) if op == ">=" else (value <= target) if op == "<=" else True
        failed += not met
        print(f"  {'met ' if met else 'MISSED'} {key:30} {value:8.2f}  (target {op} {target:g})")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
