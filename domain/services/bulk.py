"""Bulk updates: update (or dry-run) several workers one by one, optionally stopping at the first failure.

Both front ends run bulk updates here: the CLI's ``component update-workers``
and the GUI's update dialog. Every worker goes through :meth:`Workers.update`
(the one update queue) or :meth:`Workers.dry_run`, which writes nothing.
A :class:`BulkRun` is stepped one worker at a time, so a caller can show each
result as it comes and stop between workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

from domain.model.errors import OperationCancelled, WorkerDeskError, one_line

from .updates import UpdateOutcome
from .workers import Workers

Progress = Callable[[int, int], None]


@dataclass
class WorkerResult:
    """What happened (or would happen) to one worker."""

    ref: str
    outcome: UpdateOutcome | None = None
    error: str | None = None
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome is not None and self.outcome.ok

    @property
    def status(self) -> str:
        if self.skipped:
            return "not attempted"
        if self.outcome is None:
            return "rejected"
        if self.outcome.dry_run:
            return "would succeed" if self.outcome.ok else "would fail"
        return "succeeded" if self.outcome.ok else "failed"


@dataclass
class BulkRun:
    """One bulk update or dry run: the workers still to go and the results so far."""

    workers: Workers
    pending: list[str]
    mode: str
    target: int | None
    stop_on_failure: bool = True
    dry_run: bool = False
    results: list[WorkerResult] = field(default_factory=list)
    stopped: bool = False

    @property
    def finished(self) -> bool:
        return self.stopped or not self.pending

    @property
    def next_ref(self) -> str | None:
        return None if self.finished else self.pending[0]

    def step(self, progress: Progress | None = None) -> list[WorkerResult]:
        """Update the next worker; returns its result, followed by the workers skipped when it failed and the run stops."""
        ref = self.pending.pop(0)
        added = [self._one(ref, progress)]
        if not added[0].ok and self.stop_on_failure:
            added += [WorkerResult(r, skipped=True) for r in self.pending]
            self.pending = []
        if self.stopped:
            self.pending = []
        self.results.extend(added)
        return added

    def stop(self) -> None:
        """No worker after the next step's is started (a step already asked for still runs, to its end)."""
        self.stopped = True

    def run(self, progress: Progress | None = None, each: Callable[[WorkerResult], None] | None = None) -> list[WorkerResult]:
        """Step through every worker; ``progress`` (which may raise OperationCancelled) spans them all."""
        total = len(self.pending) + len(self.results)
        while not self.finished:
            done = len(self.results)
            if progress is not None:
                progress(done, total)
            for r in self.step(None if progress is None else _scaled(progress, done, total)):
                if each is not None:
                    each(r)
        if progress is not None:
            progress(total, total)
        return self.results

    def _one(self, ref: str, progress: Progress | None) -> WorkerResult:
        try:
            if self.dry_run:
                outcome = self.workers.dry_run(ref, self.mode, self.target, progress=progress)
            else:
                outcome = self.workers.update(ref, self.mode, self.target, progress=_uncancellable(progress))
        except OperationCancelled:
            raise
        except WorkerDeskError as e:
            return WorkerResult(ref, error=one_line(e))
        except Exception as e:  # noqa: BLE001 - one rejected worker does not stop the others
            return WorkerResult(ref, error=f"unexpected {type(e).__name__}: {one_line(e)}")
        return WorkerResult(ref, outcome)


class BulkUpdates:
    def __init__(self, workers: Workers) -> None:
        self.workers = workers

    def refs_of(self, component: str) -> list[str]:
        """Every worker of ``component``, by name."""
        return [f"{component}/{m['workerId']['workerName']}" for m in self.workers.list(component=component)]

    def start(
        self, refs: list[str], mode: str, target: int | None, *, stop_on_failure: bool = True, dry_run: bool = False
    ) -> BulkRun:
        return BulkRun(self.workers, list(refs), mode, target, stop_on_failure, dry_run)


def _scaled(progress: Progress, i: int, n: int) -> Progress:
    def report(done: int, total: int) -> None:
        progress(i * 1000 + (1000 * done // total if total else 0), n * 1000)

    return report


def _uncancellable(progress: Progress | None) -> Progress | None:
    """Progress of an update: shown, but an update once started runs to its end."""
    if progress is None:
        return None

    def report(done: int, total: int) -> None:
        try:
            progress(done, total)
        except OperationCancelled:
            pass

    return report
