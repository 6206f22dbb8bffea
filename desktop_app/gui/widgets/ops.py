"""The operations layer: everything slow runs off the UI thread and reports by signals.

Two lanes:

* the **write lane**, one thread, runs every command that touches workers
  (invoke, update, dry run, recovery, time travel, adding components). wasm
  instances are not thread-safe, so they are only ever used from here;
* the **read lane**, a small pool, runs queries that only read the event
  store (history pages, audit rows, lists).

Widgets create an :class:`Op` with a function, connect to its signals and
submit it. The status bar reports what the user did and how it ended: a
command ends with ``done_words(result)``, which every command sets (a read
with ``done_words``, such as an export, is reported the same way); an op marked
``background`` (a read the user did not ask for, whichever lane it runs on)
shows only while it runs long and ends without a word (its view shows what it read).
A function that accepts a ``progress`` keyword gets a callable
``progress(done, total)``; calling it after :meth:`Op.cancel` raises
:class:`OperationCancelled`, which ends the op with the ``cancelled`` signal.
"""

from __future__ import annotations

import inspect
import threading
import traceback
from typing import Any, Callable

from PySide6.QtCore import QObject, QRunnable, QThreadPool, QTimer, Signal, Slot

from domain.model.errors import OperationCancelled, WorkerDeskError, one_line

__all__ = ["Op", "OperationCancelled", "Operations"]


class Op(QObject):
    started = Signal()
    progressed = Signal(int, int)  # done, total
    succeeded = Signal(object)
    failed = Signal(str)  # one line for the user
    cancelled = Signal()
    finished = Signal()

    def __init__(self, title: str, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.title = title
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self._cancel = threading.Event()
        self.result: Any = None
        self.error: str | None = None
        self.cancellable = "progress" in _params(fn)
        self.lane: str | None = None  # "write" or "read", set when submitted
        self.outcome: str | None = None  # "succeeded", "failed" or "cancelled" once run
        self.background = False  # a read the user did not ask for: not reported when it ends well
        self.done_words: Callable[[Any], str] | None = None  # the outcome in words, from the result

    def cancel(self) -> None:
        self._cancel.set()

    @property
    def is_cancelled(self) -> bool:
        return self._cancel.is_set()

    def _progress(self, done: int, total: int) -> None:
        if self._cancel.is_set():
            raise OperationCancelled()
        self.progressed.emit(done, total)

    def run(self) -> None:
        self.started.emit()
        try:
            if self._cancel.is_set():
                raise OperationCancelled()
            kwargs = dict(self.kwargs)
            if self.cancellable:
                kwargs["progress"] = self._progress
            self.result = self.fn(*self.args, **kwargs)
        except OperationCancelled:
            self.outcome = "cancelled"
            self.cancelled.emit()
        except WorkerDeskError as e:
            self.error = one_line(e)
            self.outcome = "failed"
            self.failed.emit(self.error)
        except Exception as e:  # noqa: BLE001 - surfaced to the user as one line
            traceback.print_exc()
            self.error = f"unexpected {type(e).__name__}: {one_line(e)}"
            self.outcome = "failed"
            self.failed.emit(self.error)
        else:
            self.outcome = "succeeded"
            self.succeeded.emit(self.result)
        finally:
            self.finished.emit()


def _params(fn: Callable[..., Any]) -> set[str]:
    try:
        return set(inspect.signature(fn).parameters)
    except (TypeError, ValueError):
        return set()


class _Runnable(QRunnable):
    def __init__(self, op: Op) -> None:
        super().__init__()
        self.op = op
        self.setAutoDelete(True)

    def run(self) -> None:
        self.op.run()


class Operations(QObject):
    """Submits ops to the two lanes and tells listeners what is running."""

    op_started = Signal(object)
    op_progressed = Signal(object, int, int)  # op, done, total
    op_finished = Signal(object)
    changed = Signal(str)  # what changed: "components", "workers", "worker:<ref>", "audit"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._write = QThreadPool(self)
        self._write.setMaxThreadCount(1)
        self._read = QThreadPool(self)
        self._read.setMaxThreadCount(2)
        self._running: list[Op] = []
        # Finished ops stay referenced until the event loop has delivered their
        # last signals to every listener, so widgets need not hold them.
        self._finishing: list[Op] = []
        self._changes: dict[Op, tuple[str, ...]] = {}
        self._closed = False

    def close(self) -> None:
        """Refuse new ops from now on (a closing window); those already submitted still run."""
        self._closed = True

    @property
    def closed(self) -> bool:
        return self._closed

    def write(self, op: Op, changes: tuple[str, ...] = ()) -> Op:
        op.lane = "write"
        return self._submit(self._write, op, changes)

    def read(self, op: Op) -> Op:
        op.lane = "read"
        return self._submit(self._read, op, ())

    def _submit(self, pool: QThreadPool, op: Op, changes: tuple[str, ...]) -> Op:
        if self._closed:
            op.cancel()
            return op
        self._running.append(op)
        self._changes[op] = changes
        op.setParent(None)
        # Bound slots of this QObject: queued onto its (the UI) thread, and
        # disconnected by Qt if this object goes away while an op still runs.
        op.started.connect(self._on_started)
        # Relayed from submission on, so no report is lost before a listener hears of the op.
        op.progressed.connect(self._on_progressed)
        op.finished.connect(self._on_finished)
        pool.start(_Runnable(op))
        return op

    @Slot()
    def _on_started(self) -> None:
        op = self.sender()
        if isinstance(op, Op):
            self.op_started.emit(op)

    @Slot(int, int)
    def _on_progressed(self, done: int, total: int) -> None:
        op = self.sender()
        if isinstance(op, Op):
            self.op_progressed.emit(op, done, total)

    @Slot()
    def _on_finished(self) -> None:
        op = self.sender()
        if not isinstance(op, Op):
            return
        if op in self._running:
            self._running.remove(op)
        self._finishing.append(op)
        QTimer.singleShot(0, self, self._forget_finished)
        changes = self._changes.pop(op, ())
        self.op_finished.emit(op)
        # A failed or cancelled command may still have appended events
        # (a failed invocation records InvocationFailed, a cancelled update
        # its UpdateStarted), so listeners refresh after every write.
        for c in changes:
            self.changed.emit(c)

    @Slot()
    def _forget_finished(self) -> None:
        if self._finishing:
            self._finishing.pop(0)

    @property
    def running(self) -> list[Op]:
        return list(self._running)

    def wait_idle(self, msecs: int = 30000) -> bool:
        return self._write.waitForDone(msecs) and self._read.waitForDone(msecs)
