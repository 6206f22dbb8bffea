"""The arguments of one function as a form, and as WAVE text."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QLabel,
    QWidget,
)

from desktop_app.gui.invoke.editors import ValueEditor, editor_for
from desktop_app.gui.invoke.scalars import InputError, input_error
from desktop_app.gui.widgets.style import set_role
from domain.model import arguments, wave
from domain.model.types import (
    FunctionSignature,
    ValueType,
)

# --- the form of one function ------------------------------------------------------------


def _short_type(t: ValueType, limit: int = 48) -> str:
    text = t.wit()
    return text if len(text) <= limit else text[: limit - 1] + "…"


class QtInvokeForm(QWidget):
    """The arguments of one function, as a form generated from its parameter types."""

    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.signature: FunctionSignature | None = None
        self.editors: list[ValueEditor] = []
        self._form = QFormLayout(self)
        self._form.setContentsMargins(4, 4, 4, 4)
        self._form.setHorizontalSpacing(12)
        self._form.setVerticalSpacing(8)
        self._form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        self._form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)

    def set_function(self, sig: FunctionSignature | None) -> None:
        while self._form.rowCount():
            self._form.removeRow(0)
        self.editors = []
        self.signature = sig
        if sig is None:
            return
        if not sig.params:
            self._form.addRow(set_role(QLabel("This function takes no arguments.", self), "subtle"))
        for p in sig.params:
            ed = editor_for(p.type, p.name, self)
            ed.changed.connect(self.changed)
            self.editors.append(ed)
            label = QLabel(
                f"<b>{html.escape(p.name)}</b><br><span style='color:#616e7c'>{html.escape(_short_type(p.type, 32))}</span>",
                self,
            )
            label.setToolTip(f"{p.name}: {p.type.wit()}")
            self._form.addRow(label, ed)
        self.changed.emit()

    def editor(self, name: str) -> ValueEditor:
        assert self.signature is not None
        names = [p.name for p in self.signature.params]
        return self.editors[names.index(name)]

    def values(self) -> list[Any]:
        return [ed.value() for ed in self.editors]

    def wave_text(self) -> str:
        """The arguments in WAVE, separated by commas (as in a call)."""
        assert self.signature is not None
        parts = []
        for ed, p in zip(self.editors, self.signature.params):
            try:
                parts.append(wave.format(ed.value(), p.type))
            except wave.WaveError as e:
                raise input_error(p.name, str(e)) from None
        return ", ".join(parts)

    def set_values(self, values: list[Any]) -> None:
        for ed, v in zip(self.editors, values):
            ed.set_value(v)

    def focus_first(self) -> None:
        if self.editors:
            self.editors[0].focus_first()


def parse_arguments(text: str, sig: FunctionSignature) -> list[Any]:
    """Comma-separated WAVE arguments of ``sig`` as Python values."""
    try:
        return arguments.parse_arguments(text, sig.params)
    except wave.WaveError as e:
        raise InputError(str(e)) from None
