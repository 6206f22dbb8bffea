"""The compatibility report between two versions of a component."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from domain.model.vocabulary import is_snapshot_interface, strip_version
from domain.model.types import ComponentDescription, FunctionSignature


def _key(sig: FunctionSignature) -> str:
    iface = strip_version(sig.interface) if sig.interface else ""
    return f"{iface}.{{{sig.name}}}" if iface else sig.name


def _is_snapshot_iface(sig: FunctionSignature) -> bool:
    return sig.interface is not None and is_snapshot_interface(sig.interface)


@dataclass(frozen=True)
class ChangedFunction:
    name: str
    old: str
    new: str


@dataclass(frozen=True)
class CompatibilityReport:
    from_version: int
    to_version: int
    added: tuple[str, ...]
    removed: tuple[str, ...]
    changed: tuple[ChangedFunction, ...]
    unchanged: tuple[str, ...]
    old_exports_save: bool
    new_exports_load: bool
    new_exports_save: bool = False
    old_exports_load: bool = False
    notes: tuple[str, ...] = field(default=())

    @property
    def manual_possible(self) -> bool:
        return self.old_exports_save and self.new_exports_load

    def to_json(self) -> dict[str, Any]:
        return {
            "fromVersion": self.from_version,
            "toVersion": self.to_version,
            "added": list(self.added),
            "removed": list(self.removed),
            "changed": [{"name": c.name, "old": c.old, "new": c.new} for c in self.changed],
            "oldExportsSave": self.old_exports_save,
            "newExportsLoad": self.new_exports_load,
            "manualUpdatePossible": self.manual_possible,
            "notes": list(self.notes),
        }

    def lines(self) -> list[str]:
        out = [f"Compatibility of version {self.from_version} -> {self.to_version}:"]
        for name in self.added:
            out.append(f"  + {name}")
        for name in self.removed:
            out.append(f"  - {name}")
        for c in self.changed:
            out.append(f"  ~ {c.name}: {c.old}  ->  {c.new}")
        if not (self.added or self.removed or self.changed):
            out.append("  functions: identical")
        out.append(
            f"  snapshot: version {self.from_version} "
            f"{'exports' if self.old_exports_save else 'does not export'} save-snapshot; version {self.to_version} "
            f"{'exports' if self.new_exports_load else 'does not export'} load-snapshot"
        )
        out.extend(f"  note: {n}" for n in self.notes)
        return out


def compatibility(
    old: ComponentDescription, new: ComponentDescription, from_version: int, to_version: int
) -> CompatibilityReport:
    olds = {_key(f): f for f in old.functions if not _is_snapshot_iface(f)}
    news = {_key(f): f for f in new.functions if not _is_snapshot_iface(f)}
    added = tuple(sorted(k for k in news if k not in olds))
    removed = tuple(sorted(k for k in olds if k not in news))
    changed = []
    unchanged = []
    for k in sorted(olds.keys() & news.keys()):
        a, b = olds[k].wit(), news[k].wit()
        if a != b:
            changed.append(ChangedFunction(k, a, b))
        else:
            unchanged.append(k)
    notes = []
    if removed:
        notes.append("an automatic update fails if the worker's history calls a removed function")
    if not old.exports_save:
        notes.append(f"version {from_version} cannot save a snapshot: only an automatic update is possible")
    elif not new.exports_load:
        notes.append(f"version {to_version} cannot load a snapshot: only an automatic update is possible")
    if new.unsupported_imports:
        notes.append("the target imports interfaces Worker Desk does not provide: " + ", ".join(new.unsupported_imports))
    return CompatibilityReport(
        from_version=from_version,
        to_version=to_version,
        added=added,
        removed=removed,
        changed=tuple(changed),
        unchanged=tuple(unchanged),
        old_exports_save=old.exports_save,
        new_exports_load=new.exports_load,
        new_exports_save=new.exports_save,
        old_exports_load=old.exports_load,
        notes=tuple(notes),
    )
