"""`workerdesk --self-check`: an end-to-end check of an installed or packaged build."""

from __future__ import annotations

import os
import tempfile
import time
from typing import Callable


def self_check(out: Callable[[str], None] = print) -> int:
    """Load a sample component, create a worker in a temporary home, invoke it,
    update it manually, check the state survives a restart, then print OK."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from domain.bootstrap import open_desk
    from domain.storage.samples import SAMPLES, read_source

    started = time.perf_counter()
    counters = sorted((s for s in SAMPLES if s.name == "counter"), key=lambda s: s.version)
    with tempfile.TemporaryDirectory(prefix="workerdesk-selfcheck-") as home:
        desk = open_desk(home)
        try:
            for sample in counters[:3]:
                desk.components.add("counter", read_source(sample).encode(), source=sample.source.name)
            out(f"components: counter v0..v2 loaded (wasmtime runtime, WASI {desk.runtime.wasi_version})")
            desk.workers.create("counter", "check", version=1)
            got = desk.workers.invoke("counter/check", "increment", ["21"]).result_wave
            got = desk.workers.invoke("counter/check", "increment", ["21"]).result_wave
            if got != "42":
                raise AssertionError(f"increment returned {got}, expected 42")
            out("invoke: counter/check increment -> 42")
            outcome = desk.workers.update("counter/check", "manual", 2)
            if not outcome.ok:
                raise AssertionError(outcome.message())
            out(f"update: {outcome.message()}")
        finally:
            desk.close()
        again = open_desk(home)
        try:
            meta = again.workers.get("counter/check")
            if meta["componentVersion"] != 2:
                raise AssertionError(f"after restart the worker runs version {meta['componentVersion']}")
            again.workers.invoke("counter/check", "get", [])
        finally:
            again.close()
        out("recovery: state and version survive a restart")
        try:
            from PySide6.QtWidgets import QApplication  # noqa: F401

            out("gui: PySide6 importable")
        except ImportError as e:
            out(f"gui: PySide6 missing ({e})")
            return 1
    out(f"OK ({time.perf_counter() - started:.1f} s)")
    return 0
