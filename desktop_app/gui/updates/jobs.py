"""The update dialog's background reads: the workers and their versions, and the compatibility report.

Dry runs and updates run through :class:`domain.services.bulk.BulkUpdates`.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.services.compat import CompatibilityReport
from domain.services.components import Components, VersionInfo
from domain.services.workers import Workers


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
