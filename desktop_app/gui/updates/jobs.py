"""The update dialog's background jobs: reading the workers, the compatibility report, dry runs and updates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from desktop_app.gui.widgets.ops import OperationCancelled
from domain.services.compat import CompatibilityReport
from domain.services.components import Components, VersionInfo
from domain.services.workers import UpdateOutcome, Workers


@dataclass(frozen=True)
class WorkerInfo:
    ref: str
    component: str
    version: int


@dataclass
class Preflight:
    workers: list[WorkerInfo]
    versions: list[VersionInfo]


def _preflight(workers: Workers, components: Components, refs: list[str]) -> Preflight:
    infos = []
    for ref in refs:
        w = workers.worker(ref)
        infos.append(WorkerInfo(ref, w.component_name, w.component_version))
    versions = list(components.get(infos[0].component).versions) if infos else []
    return Preflight(infos, versions)


@dataclass
class CompatGroup:
    refs: list[str]
    report: CompatibilityReport | None
    error: str | None = None


def _compatibility(workers: Workers, infos: list[WorkerInfo], target: int) -> list[CompatGroup]:
    groups: dict[tuple[str, int], CompatGroup] = {}
    for info in infos:
        key = (info.component, info.version)
        if key in groups:
            groups[key].refs.append(info.ref)
            continue
        if info.version == target:
            groups[key] = CompatGroup([info.ref], None, f"already runs version {target}")
            continue
        try:
            groups[key] = CompatGroup([info.ref], workers.compatibility(info.ref, target))
        except Exception as e:  # noqa: BLE001 - shown next to the workers it concerns
            groups[key] = CompatGroup([info.ref], None, str(e))
    return list(groups.values())


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


def _dry_runs(
    workers: Workers, refs: list[str], mode: str, target: int, progress: Callable[[int, int], None]
) -> list[WorkerResult]:
    results = []
    for i, ref in enumerate(refs):
        progress(i, len(refs))
        try:
            results.append(WorkerResult(ref, workers.dry_run(ref, mode, target, progress=_scaled(progress, i, len(refs)))))
        except OperationCancelled:
            raise
        except Exception as e:  # noqa: BLE001 - a rejected worker does not stop the others
            results.append(WorkerResult(ref, error=str(e)))
    progress(len(refs), len(refs))
    return results


def _scaled(progress: Callable[[int, int], None], i: int, n: int) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        progress(i * 1000 + (1000 * done // total if total else 0), n * 1000)

    return report


def _update_one(workers: Workers, ref: str, mode: str, target: int, progress: Callable[[int, int], None]) -> UpdateOutcome:
    """Run one update; progress is shown, but an update once started runs to its end."""

    def report(done: int, total: int) -> None:
        try:
            progress(done, total)
        except OperationCancelled:
            pass

    return workers.update(ref, mode, target, progress=report)
