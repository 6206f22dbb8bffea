"""The navigator's tree: components with their versions, and workers grouped by component.

Items are addressed by keys: ``component:NAME``, ``version:NAME:N``,
``group:NAME`` (the workers of a component) and ``worker:COMPONENT/WORKER``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QStandardItem,
    QStandardItemModel,
)

from desktop_app.gui.widgets.formats import count
from desktop_app.gui.widgets.style import STATUS_BADGE
from domain.services.components import ComponentInfo, Components, VersionInfo
from domain.services.workers import Workers

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2
BADGES_ROLE = Qt.ItemDataRole.UserRole + 3
FILTER_ROLE = Qt.ItemDataRole.UserRole + 4
NAME_ROLE = Qt.ItemDataRole.UserRole + 5
# What needs attention, painted after the other badges: a failed last update, a newer version.
ATTENTION_ROLE = Qt.ItemDataRole.UserRole + 6

Badge = tuple[str, str]  # text, style


def version_badges(v: VersionInfo, latest: bool) -> list[Badge]:
    d = v.description
    badges: list[Badge] = []
    if d.exports_save:
        badges.append(("save", "save"))
    if d.exports_load:
        badges.append(("load", "load"))
    if not badges:
        badges.append(("no snapshot", "muted"))
    if latest:
        badges.append(("latest", "version"))
    return badges


def version_tooltip(v: VersionInfo) -> str:
    d = v.description
    lines = [f"{v.component} version {v.version} · {v.size:,} bytes · sha256 {v.sha256[:12]}…"]
    if d.exports_save:
        lines.append(f"save: exports {d.save_snapshot} — its workers can be moved away by snapshot")
    if d.exports_load:
        lines.append(f"load: exports {d.load_snapshot} — workers can be moved onto it by snapshot")
    if not (d.exports_save or d.exports_load):
        lines.append("no snapshot support: only automatic (replay) updates")
    lines.append(f"{len(d.functions)} exported functions")
    return "\n".join(lines)


def worker_badges(meta: dict[str, Any]) -> list[Badge]:
    status = str(meta["status"])
    badges: list[Badge] = [(f"v{meta['componentVersion']}", "version"), (status, STATUS_BADGE.get(status, "muted"))]
    if any(u.get("type") == "pendingUpdate" for u in meta.get("updates", [])):
        badges.append(("update pending", "warn"))
    return badges


def last_update_failed(meta: dict[str, Any]) -> bool:
    """Whether the worker's last finished update attempt failed (pending and cancelled ones aside)."""
    finished = [u for u in meta.get("updates", []) if u.get("type") in ("successfulUpdate", "failedUpdate")]
    return bool(finished) and finished[-1].get("type") == "failedUpdate"


def attention_badges(meta: dict[str, Any], latest: int | None) -> list[Badge]:
    """What needs attention: a failed last update, a newer version of its component."""
    badges: list[Badge] = []
    if last_update_failed(meta):
        badges.append(("update failed", "bad"))
    version = meta.get("componentVersion")
    if latest is not None and isinstance(version, int) and latest > version:
        badges.append((f"v{latest} available", "load"))
    return badges


def worker_ref(meta: dict[str, Any]) -> str:
    return f"{meta['workerId']['componentName']}/{meta['workerId']['workerName']}"


@dataclass
class _Tree:
    components: list[ComponentInfo]
    workers: list[dict[str, Any]]


def _load_tree(workers: Workers, components: Components) -> _Tree:
    return _Tree(components.list(), workers.list())


class NavigatorModel(QStandardItemModel):
    """Two sections: Components → versions, Workers → component → worker."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.components: dict[str, ComponentInfo] = {}
        self.workers: dict[str, dict[str, Any]] = {}
        self._items: dict[str, QStandardItem] = {}

    def populate(self, tree: _Tree) -> None:
        self.clear()
        self._items = {}
        self.components = {c.name: c for c in tree.components}
        self.workers = {worker_ref(m): m for m in tree.workers}
        root = self.invisibleRootItem()
        comps = self._section("components", "Components", len(tree.components))
        root.appendRow(comps)
        for c in tree.components:
            item = self._item("component", f"component:{c.name}", c.name, c.name)
            n = len(c.versions)
            item.setData([(count(n, "version"), "muted")], BADGES_ROLE)
            item.setToolTip(f"{c.name}: {n} version(s), latest {c.latest.version if c.versions else '—'}")
            comps.appendRow(item)
            for v in c.versions:
                latest = v.version == c.versions[-1].version
                child = self._item("version", f"version:{c.name}:{v.version}", f"version {v.version}", c.name)
                badges = version_badges(v, latest)
                child.setData(badges, BADGES_ROLE)
                child.setData(f"{c.name} version {v.version} v{v.version} " + " ".join(b for b, _ in badges), FILTER_ROLE)
                child.setToolTip(version_tooltip(v))
                item.appendRow(child)
        workers = self._section("workers", "Workers", len(tree.workers))
        root.appendRow(workers)
        groups: dict[str, QStandardItem] = {}
        for m in tree.workers:
            comp = m["workerId"]["componentName"]
            group = groups.get(comp)
            if group is None:
                group = self._item("group", f"group:{comp}", comp, comp)
                groups[comp] = group
                workers.appendRow(group)
            ref = worker_ref(m)
            item = self._item("worker", f"worker:{ref}", m["workerId"]["workerName"], ref)
            self._set_worker(item, m)
            group.appendRow(item)
        for comp, group in groups.items():
            n = group.rowCount()
            group.setData([(count(n, "worker"), "muted")], BADGES_ROLE)
            failed = sum(last_update_failed(m) for m in tree.workers if m["workerId"]["componentName"] == comp)
            if failed:
                group.setData([(f"{count(failed, 'update')} failed", "bad")], ATTENTION_ROLE)

    def update_worker(self, meta: dict[str, Any]) -> bool:
        """Refresh one worker's row; False when it is not in the tree yet."""
        ref = worker_ref(meta)
        item = self._items.get(f"worker:{ref}")
        if item is None:
            return False
        self.workers[ref] = meta
        self._set_worker(item, meta)
        return True

    def item_for(self, key: str) -> QStandardItem | None:
        return self._items.get(key)

    def _set_worker(self, item: QStandardItem, m: dict[str, Any]) -> None:
        badges = worker_badges(m)
        component = self.components.get(m["workerId"]["componentName"])
        latest = component.latest.version if component is not None and component.versions else None
        attention = attention_badges(m, latest)
        item.setData(badges, BADGES_ROLE)
        item.setData(attention, ATTENTION_ROLE)
        item.setData(f"{worker_ref(m)} " + " ".join(b for b, _ in badges + attention), FILTER_ROLE)
        notes = []
        if any(b == "update pending" for b, _ in badges):
            notes.append("an update is pending")
        if last_update_failed(m):
            notes.append("its last update failed (see the Updates tab)")
        if attention and attention[-1][0].endswith("available"):
            notes.append(f"version {latest} of {m['workerId']['componentName']} is available")
        item.setToolTip(
            f"{worker_ref(m)}\nversion {m['componentVersion']} · {m['status']}\n"
            f"{m['invocationCount']:,} invocations, {m['historyLength']:,} history entries"
            + "".join(f"\n• {n}" for n in notes)
        )

    def _section(self, name: str, title: str, n: int) -> QStandardItem:
        item = self._item("section", f"section:{name}", title, name)
        font = QFont()
        font.setBold(True)
        item.setFont(font)
        item.setForeground(QColor("#52606d"))
        item.setData([(f"{n:,}", "muted")], BADGES_ROLE)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        return item

    def _item(self, kind: str, key: str, text: str, name: str) -> QStandardItem:
        item = QStandardItem(text)
        item.setEditable(False)
        item.setData(kind, KIND_ROLE)
        item.setData(key, KEY_ROLE)
        item.setData(name, NAME_ROLE)
        item.setData(text if kind != "component" else name, FILTER_ROLE)
        item.setDragEnabled(False)
        self._items[key] = item
        return item


class NavigatorFilter(QSortFilterProxyModel):
    """Case-insensitive, recursive: a match keeps its parents and shows its children."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.setFilterRole(FILTER_ROLE)
        self.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setRecursiveFilteringEnabled(True)
        self.setAutoAcceptChildRows(True)

    def filterAcceptsRow(self, row: int, parent: QModelIndex | QPersistentModelIndex) -> bool:
        index = self.sourceModel().index(row, 0, parent)
        if index.data(KIND_ROLE) == "section" and self.filterRegularExpression().pattern():
            return False  # kept only as the parent of a match
        return super().filterAcceptsRow(row, parent)
