"""The pinned Qt binding keeps Python's reference counts intact.

PySide6-Essentials 6.12.0's abi3 wheels return None/True from void methods and
Signal.emit without a new reference; on Python 3.11 that aborts the process
after a few hundred signals. This test fails on such a build.
"""

from __future__ import annotations

import sys

from PySide6.QtCore import QObject, Signal


class _Emitter(QObject):
    fired = Signal(int)


def test_signals_and_void_methods_do_not_steal_references(qapp):
    emitter = _Emitter()
    seen = []
    emitter.fired.connect(seen.append)
    none_before, true_before = sys.getrefcount(None), sys.getrefcount(True)
    for i in range(200):
        emitter.fired.emit(i)
        emitter.setObjectName(f"e{i}")
    assert len(seen) == 200
    # Other threads may hold a few references meanwhile; a steal loses one per call.
    assert sys.getrefcount(None) > none_before - 50
    assert sys.getrefcount(True) > true_before - 50
