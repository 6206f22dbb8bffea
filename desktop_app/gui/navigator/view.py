"""The navigator: components with their versions, and workers grouped by component."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    QModelIndex,
    Qt,
    QTimer,
    Signal,
    Slot,
)
from PySide6.QtCore import QPoint
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLineEdit,
    QMenu,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.navigator.badges import BadgeDelegate
from desktop_app.gui.navigator.model import (
    KEY_ROLE,
    NavigatorFilter,
    NavigatorModel,
    _load_tree,
    _Tree,
)
from desktop_app.gui.widgets.ops import Op, Operations
from domain.services.components import ComponentInfo, Components
from domain.services.workers import Workers


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
        self.tree.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.tree.customContextMenuRequested.connect(self._on_context_menu)
        self._worker_actions: list[QAction | None] = []

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

    def set_worker_actions(self, actions: list[QAction | None]) -> None:
        """The commands of a worker's context menu (None for a separator); they act on the current worker."""
        self._worker_actions = list(actions)

    def worker_menu(self, key: str) -> QMenu | None:
        """The context menu of ``key`` (a worker), which becomes current first; None for other rows."""
        if not key.startswith("worker:") or not self._worker_actions:
            return None
        if key not in self.selected_keys() or key != self._current_key:
            self.select_key(key)
        menu = QMenu(self)
        for action in self._worker_actions:
            menu.addSeparator() if action is None else menu.addAction(action)
        return menu

    @Slot(QPoint)
    def _on_context_menu(self, pos: QPoint) -> None:
        index = self.tree.indexAt(pos)
        menu = self.worker_menu(str(index.data(KEY_ROLE))) if index.isValid() else None
        if menu is not None:
            menu.exec(self.tree.viewport().mapToGlobal(pos))
            menu.deleteLater()

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
