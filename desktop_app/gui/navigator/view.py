"""The navigator: components with their versions, and workers grouped by component.

Items are addressed by keys: ``component:NAME``, ``version:NAME:N``,
``group:NAME`` (the workers of a component) and ``worker:COMPONENT/WORKER``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtGui import (
    QColor,
    QFont,
    QPainter,
    QPen,
    QStandardItem,
    QStandardItemModel,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.widgets.ops import Op, Operations
from desktop_app.gui.widgets.style import BADGES, STATUS_BADGE
from domain.services.components import ComponentInfo, Components, VersionInfo
from domain.services.workers import Workers

KIND_ROLE = Qt.ItemDataRole.UserRole + 1
KEY_ROLE = Qt.ItemDataRole.UserRole + 2
BADGES_ROLE = Qt.ItemDataRole.UserRole + 3
FILTER_ROLE = Qt.ItemDataRole.UserRole + 4
NAME_ROLE = Qt.ItemDataRole.UserRole + 5

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
            item.setData([(f"{n} version{'s' if n != 1 else ''}", "muted")], BADGES_ROLE)
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
            group.setData([(f"{n} worker{'s' if n != 1 else ''}", "muted")], BADGES_ROLE)

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
        item.setData(badges, BADGES_ROLE)
        item.setData(f"{worker_ref(m)} " + " ".join(b for b, _ in badges), FILTER_ROLE)
        item.setToolTip(
            f"{worker_ref(m)}\nversion {m['componentVersion']} · {m['status']}\n"
            f"{m['invocationCount']} invocations, {m['historyLength']} history entries"
        )

    def _section(self, name: str, title: str, count: int) -> QStandardItem:
        item = self._item("section", f"section:{name}", title, name)
        font = QFont()
        font.setBold(True)
        item.setFont(font)
        item.setForeground(QColor("#52606d"))
        item.setData([(str(count), "muted")], BADGES_ROLE)
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


class BadgeDelegate(QStyledItemDelegate):
    """Paints an item's text followed by small rounded badges ("pills")."""

    PAD_X = 7
    GAP = 5

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        text = opt.text
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        badges: list[Badge] = index.data(BADGES_ROLE) or []
        text_rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, opt, opt.widget)
        small = self._badge_font(opt.font)
        fm_small = _metrics(small)
        widths = [fm_small.horizontalAdvance(b) + 2 * self.PAD_X for b, _ in badges]
        badges_width = sum(widths) + self.GAP * len(badges)
        painter.save()
        painter.setFont(opt.font)
        fm = opt.fontMetrics
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        colour = opt.palette.color(opt.palette.ColorRole.HighlightedText if selected else opt.palette.ColorRole.Text)
        fg = index.data(Qt.ItemDataRole.ForegroundRole)
        if fg is not None and not selected:
            colour = fg.color() if hasattr(fg, "color") else QColor(fg)
        painter.setPen(colour)
        available = max(0, text_rect.width() - badges_width - 6)
        shown = fm.elidedText(text, Qt.TextElideMode.ElideRight, available)
        painter.drawText(text_rect.adjusted(2, 0, 0, 0), int(Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft), shown)
        x = text_rect.left() + 2 + fm.horizontalAdvance(shown) + 10
        painter.setFont(small)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        h = fm_small.height() + 2
        y = text_rect.center().y() - h // 2 + 1
        for (label, kind), w in zip(badges, widths):
            bg, fgc, border = BADGES.get(kind, BADGES["muted"])
            rect = QRect(x, y, w, h)
            painter.setPen(QPen(QColor(border)))
            painter.setBrush(QColor(bg))
            painter.drawRoundedRect(rect, h / 2, h / 2)
            painter.setPen(QColor(fgc))
            painter.drawText(rect, int(Qt.AlignmentFlag.AlignCenter), label)
            x += w + self.GAP
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex) -> QSize:
        base = super().sizeHint(option, index)
        badges: list[Badge] = index.data(BADGES_ROLE) or []
        small = self._badge_font(option.font)
        fm_small = _metrics(small)
        extra = sum(fm_small.horizontalAdvance(b) + 2 * self.PAD_X + self.GAP for b, _ in badges) + 12
        height = max(base.height(), fm_small.height() + 10, option.fontMetrics.height() + 8)
        return QSize(base.width() + extra, height)

    @staticmethod
    def _badge_font(font: QFont) -> QFont:
        small = QFont(font)
        size = font.pointSizeF()
        if size > 0:
            small.setPointSizeF(max(7.5, size - 1.5))
        small.setBold(False)
        small.setWeight(QFont.Weight.DemiBold)
        return small


def _metrics(font: QFont) -> Any:
    from PySide6.QtGui import QFontMetrics

    return QFontMetrics(font)


class QtNavigator(QWidget):
    """Filter box + tree. Reloads itself when the operations layer says things changed."""

    current_changed = Signal(str)  # key of the current item ("" for none)
    selection_changed = Signal()
    loaded = Signal()

    def __init__(
        self, workers: Workers, components: Components, ops: Operations, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._workers = workers
        self._components = components
        self._ops = ops
        self._current_key = ""
        self._wanted_key: str | None = None
        self._collapsed: set[str] = set()
        self._loading = False
        self._again = False
        self.has_loaded = False

        self.model = NavigatorModel(self)
        self.proxy = NavigatorFilter(self)
        self.proxy.setSourceModel(self.model)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setPlaceholderText("Filter components and workers…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.textChanged.connect(self._on_filter)

        self.tree = QTreeView(self)
        self.tree.setModel(self.proxy)
        self.tree.setHeaderHidden(True)
        self.tree.setItemDelegate(BadgeDelegate(self.tree))
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tree.setUniformRowHeights(True)
        self.tree.setAnimated(False)
        self.tree.setIndentation(16)
        self.tree.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.tree.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.tree.selectionModel().currentChanged.connect(self._on_current)
        self.tree.selectionModel().selectionChanged.connect(self._on_selection)
        self.tree.collapsed.connect(lambda i: self._collapsed.add(str(i.data(KEY_ROLE))))
        self.tree.expanded.connect(lambda i: self._collapsed.discard(str(i.data(KEY_ROLE))))

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 4, 8)
        layout.setSpacing(6)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree, 1)

        self._debounce = QTimer(self)
        self._debounce.setSingleShot(True)
        self._debounce.setInterval(30)
        self._debounce.timeout.connect(self.reload)
        ops.changed.connect(self._on_changed)

    # -- queries ------------------------------------------------------------------------

    @property
    def components(self) -> dict[str, ComponentInfo]:
        return self.model.components

    @property
    def workers(self) -> dict[str, dict[str, Any]]:
        return self.model.workers

    def current_key(self) -> str:
        return self._current_key

    def selected_keys(self) -> list[str]:
        rows = self.tree.selectionModel().selectedRows()
        return [str(i.data(KEY_ROLE)) for i in rows]

    def selected_worker_refs(self) -> list[str]:
        """Workers selected directly, or through their component's group."""
        refs: list[str] = []
        for key in self.selected_keys():
            kind, _, name = key.partition(":")
            if kind == "worker":
                candidates = [name]
            elif kind == "group":
                candidates = sorted(r for r in self.model.workers if r.split("/")[0] == name)
            else:
                continue
            refs.extend(r for r in candidates if r not in refs)
        return refs

    def current_component(self) -> str | None:
        """The component of the current item, if any."""
        kind, _, name = self._current_key.partition(":")
        if kind in ("component", "group"):
            return name
        if kind == "version":
            return name.rsplit(":", 1)[0]
        if kind == "worker":
            return name.split("/")[0]
        return None

    def visible_keys(self) -> list[str]:
        """Keys of the rows the filter lets through, depth first."""
        out: list[str] = []

        def walk(parent: QModelIndex) -> None:
            for row in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(row, 0, parent)
                out.append(str(index.data(KEY_ROLE)))
                walk(index)

        walk(QModelIndex())
        return out

    def index_for(self, key: str) -> QModelIndex:
        item = self.model.item_for(key)
        if item is None:
            return QModelIndex()
        return self.proxy.mapFromSource(item.index())

    # -- commands -------------------------------------------------------------------------

    def select_key(self, key: str) -> bool:
        """Make ``key`` current (after the next load if it is not in the tree yet)."""
        index = self.index_for(key)
        if not index.isValid():
            self._wanted_key = key
            return False
        self._wanted_key = None
        self.tree.selectionModel().setCurrentIndex(
            index, self.tree.selectionModel().SelectionFlag.ClearAndSelect | self.tree.selectionModel().SelectionFlag.Rows
        )
        self.tree.scrollTo(index)
        return True

    def select_keys(self, keys: list[str]) -> None:
        """Select several items (the first becomes current)."""
        sm = self.tree.selectionModel()
        selection = QItemSelection()
        first: QModelIndex | None = None
        for key in keys:
            index = self.index_for(key)
            if index.isValid():
                selection.select(index, index)
                first = first or index
        if first is not None:
            sm.setCurrentIndex(first, sm.SelectionFlag.NoUpdate)
        sm.select(selection, sm.SelectionFlag.ClearAndSelect | sm.SelectionFlag.Rows)
        if first is not None:
            self._on_current(first, QModelIndex())

    def set_filter(self, text: str) -> None:
        self.filter_edit.setText(text)

    @Slot()
    def reload(self) -> Op | None:
        if self._loading:
            self._again = True
            return None
        self._loading = True
        op = Op("Reading components and workers", _load_tree, self._workers, self._components)
        op.succeeded.connect(self._on_loaded)
        op.finished.connect(self._on_load_finished)
        return self._ops.read(op)

    # -- slots ------------------------------------------------------------------------------

    @Slot(object)
    def _on_loaded(self, tree: _Tree) -> None:
        wanted = self._wanted_key or self._current_key
        selected = self.selected_keys()
        sm = self.tree.selectionModel()
        sm.blockSignals(True)
        self.model.populate(tree)
        self._expand()
        sm.blockSignals(False)
        keys = [k for k in selected if self.index_for(k).isValid()]
        if wanted and self.index_for(wanted).isValid():
            if wanted in keys and len(keys) > 1:
                self.select_keys([wanted] + [k for k in keys if k != wanted])
            else:
                self.select_key(wanted)
        elif self._current_key:
            self._set_current("")
        self.has_loaded = True
        self.loaded.emit()
        self.selection_changed.emit()

    @Slot()
    def _on_load_finished(self) -> None:
        self._loading = False
        if self._again:
            self._again = False
            self.reload()

    @Slot(str)
    def _on_changed(self, what: str) -> None:
        if what in ("components", "workers"):
            self._debounce.start()
        elif what.startswith("worker:"):
            ref = what.split(":", 1)[1]
            op = Op(f"Reading {ref}", self._workers.read_metadata, ref)
            op.succeeded.connect(self._on_worker_read)
            op.failed.connect(self._debounce.start)
            self._ops.read(op)

    @Slot(object)
    def _on_worker_read(self, meta: dict[str, Any]) -> None:
        if not self.model.update_worker(meta):
            self._debounce.start()
        else:
            self.proxy.invalidate()
            self.selection_changed.emit()

    @Slot(str)
    def _on_filter(self, text: str) -> None:
        self.proxy.setFilterFixedString(text.strip())
        self._expand()

    def _expand(self) -> None:
        filtering = bool(self.filter_edit.text().strip())

        def walk(parent: QModelIndex) -> None:
            for row in range(self.proxy.rowCount(parent)):
                index = self.proxy.index(row, 0, parent)
                if self.proxy.hasChildren(index):
                    key = str(index.data(KEY_ROLE))
                    self.tree.setExpanded(index, filtering or key not in self._collapsed)
                    walk(index)

        self.tree.blockSignals(True)
        walk(QModelIndex())
        self.tree.blockSignals(False)

    @Slot(QModelIndex, QModelIndex)
    def _on_current(self, current: QModelIndex, _previous: QModelIndex) -> None:
        key = str(current.data(KEY_ROLE)) if current.isValid() else ""
        if key.startswith("section:"):
            key = ""
        self._set_current(key)

    def _set_current(self, key: str) -> None:
        if key != self._current_key:
            self._current_key = key
            self.current_changed.emit(key)

    @Slot(QItemSelection, QItemSelection)
    def _on_selection(self, *_: Any) -> None:
        self.selection_changed.emit()
