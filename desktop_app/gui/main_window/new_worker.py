"""The New worker dialog: component, version, name, environment and arguments."""

from __future__ import annotations

from typing import Callable, Iterable

from PySide6.QtCore import Slot
from PySide6.QtGui import (
    QRegularExpressionValidator,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.widgets.ops import Op, Operations
from desktop_app.gui.widgets.style import set_role
from domain.model.errors import one_line
from domain.services.components import ComponentInfo

_WORKER_NAME_RE = r"[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}"
WorkerValues = tuple[str, str, int, dict[str, str], list[str]]  # component, name, version, env, args


class QtNewWorkerDialog(QDialog):
    """Component, version, worker name, environment and arguments of a new worker.

    With ``create`` (which makes the op creating the worker from :meth:`values`)
    and ``ops`` (which run it) the dialog stays open until the worker exists: a
    name already taken, or any other failure, is shown in the dialog with
    everything typed kept.
    """

    def __init__(
        self,
        components: dict[str, ComponentInfo],
        component: str | None = None,
        version: int | None = None,
        parent: QWidget | None = None,
        *,
        workers: Iterable[str] = (),
        create: Callable[..., Op] | None = None,
        ops: Operations | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New worker")
        self.setMinimumWidth(440)
        self._components = components
        self._workers = set(workers)  # refs known to exist
        self._create = create
        self._ops = ops
        self.op: Op | None = None  # the creation, once submitted
        self.component = QComboBox(self)
        self.component.addItems(sorted(components))
        self.version = QComboBox(self)
        self.name = QLineEdit(self)
        self.name.setPlaceholderText("e.g. worker-1")
        self.name.setValidator(QRegularExpressionValidator(_WORKER_NAME_RE, self.name))
        self.env = QPlainTextEdit(self)
        self.env.setPlaceholderText("One KEY=VALUE per line")
        self.env.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 14)
        self.args = QPlainTextEdit(self)
        self.args.setPlaceholderText("One argument per line")
        self.args.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 14)
        self.error = set_role(QLabel(self), "error")
        self.error.hide()
        form = QFormLayout()
        form.addRow("Component:", self.component)
        form.addRow("Version:", self.version)
        form.addRow("Worker name:", self.name)
        form.addRow("Environment:", self.env)
        form.addRow("Arguments:", self.args)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        self.create_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.create_button.setText("Create")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.error)
        layout.addWidget(self.buttons)
        self.component.currentTextChanged.connect(self._on_component)
        if component in components:
            self.component.setCurrentText(component)
        self._on_component(self.component.currentText())
        if version is not None:
            i = self.version.findData(version)
            if i >= 0:
                self.version.setCurrentIndex(i)
        self.name.setFocus()

    @Slot(str)
    def _on_component(self, name: str) -> None:
        self.version.clear()
        info = self._components.get(name)
        if info is None:
            return
        for v in reversed(info.versions):
            d = v.description
            snap = "/".join(x for x, ok in (("save", d.exports_save), ("load", d.exports_load)) if ok) or "no snapshot"
            latest = " — latest" if v.version == info.latest.version else ""
            self.version.addItem(f"{v.version}  ({snap}){latest}", v.version)

    def values(self) -> WorkerValues:
        """component, name, version, env, args; raises ValueError with a one-line message."""
        name = self.name.text().strip()
        if not name:
            raise ValueError("enter a worker name")
        if f"{self.component.currentText()}/{name}" in self._workers:
            raise ValueError(f"{self.component.currentText()} already has a worker named {name}: choose another name")
        env: dict[str, str] = {}
        for line in self.env.toPlainText().splitlines():
            if not line.strip():
                continue
            if "=" not in line:
                raise ValueError(f"environment line {line.strip()!r} must look like KEY=VALUE")
            k, v = line.split("=", 1)
            env[k.strip()] = v
        args = [a for a in self.args.toPlainText().splitlines() if a.strip()]
        return self.component.currentText(), name, int(self.version.currentData()), env, args

    @property
    def creating(self) -> bool:
        return self.op is not None and self.op.outcome is None and not self.op.is_cancelled

    def accept(self) -> None:
        if self.creating:
            return
        try:
            values = self.values()
        except ValueError as e:
            self._show_error(str(e))
            return
        if self._create is None or self._ops is None:
            super().accept()
            return
        self.error.hide()
        self.create_button.setEnabled(False)
        self.create_button.setText("Creating…")
        op = self._create(*values)
        op.succeeded.connect(self._on_created)
        op.failed.connect(self._on_failed)
        op.cancelled.connect(self._on_cancelled)
        self.op = self._ops.write(op, changes=("workers",))
        if self._ops.closed:  # refused: the window is closing
            self._on_cancelled()

    def reject(self) -> None:
        if not self.creating:  # the worker is being created: wait to report how that went
            super().reject()

    @Slot(object)
    def _on_created(self, _meta: object) -> None:
        super().accept()

    @Slot()
    def _on_cancelled(self) -> None:
        self._on_failed("the worker was not created")

    @Slot(str)
    def _on_failed(self, message: str) -> None:
        self.create_button.setEnabled(True)
        self.create_button.setText("Create")
        self._show_error(one_line(message))
        self.name.setFocus()
        self.name.selectAll()

    def _show_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.show()
