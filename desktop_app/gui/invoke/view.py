"""The Invoke tab: a form generated from a function's component-model types, or WAVE text.

Every type has an editor with ``value()`` (the Python value described in
:mod:`domain.model.types`; raises :class:`InputError` when the input is not a
value yet) and ``set_value()``. The form and the WAVE text stay in sync: the
text is always ``wave.format`` of the form's values, and switching back from
WAVE parses the text into the form.
"""

from __future__ import annotations

import html
import math
import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QEvent, QObject, QSize, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut, QValidator
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSpinBox,
    QSplitter,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.widgets.ops import Op, Operations
from desktop_app.gui.widgets.style import mono_font, set_role
from domain.model import wave
from domain.model.errors import one_line
from domain.model.types import (
    INTEGER_RANGES,
    EnumType,
    Err,
    FlagsType,
    FunctionSignature,
    ListType,
    Ok,
    OptionType,
    Primitive,
    RecordType,
    ResultType,
    Some,
    TupleType,
    ValueType,
    Variant,
    VariantType,
)
from domain.services.components import Components
from domain.services.workers import InvocationResult, Workers

SPIN_MIN, SPIN_MAX = -(2**31), 2**31 - 1
SNAPSHOT_INTERFACES = ("golem:api/save-snapshot", "golem:api/load-snapshot")


class InputError(ValueError):
    """A form field that does not hold a value yet; the message names the field."""


def _at(path: str, message: str) -> InputError:
    return InputError(f"{path}: {message}" if path else message)


# --- editors --------------------------------------------------------------------------


class ValueEditor(QWidget):
    """Edits one value of ``type``."""

    changed = Signal()

    def __init__(self, type_: ValueType, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.type = type_
        self.path = path

    def value(self) -> Any:
        raise NotImplementedError

    def set_value(self, value: Any) -> None:
        raise NotImplementedError

    def focus_first(self) -> None:
        self.setFocus()

    def _emit(self, *_: Any) -> None:
        self.changed.emit()


def _layout(widget: QWidget, vertical: bool = True) -> QVBoxLayout | QHBoxLayout:
    lay: QVBoxLayout | QHBoxLayout = QVBoxLayout(widget) if vertical else QHBoxLayout(widget)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(6)
    return lay


class BoolEditor(ValueEditor):
    def __init__(self, type_: ValueType, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, path, parent)
        self.check = QCheckBox("true", self)
        self.check.toggled.connect(self._on_toggled)
        _layout(self, False).addWidget(self.check)

    def _on_toggled(self, on: bool) -> None:
        self.check.setText("true" if on else "false")
        self.changed.emit()

    def value(self) -> bool:
        return self.check.isChecked()

    def set_value(self, value: Any) -> None:
        self.check.setChecked(bool(value))
        self.check.setText("true" if value else "false")

    def focus_first(self) -> None:
        self.check.setFocus()


class IntSpinEditor(ValueEditor):
    """Integers that fit a QSpinBox (s8, s16, s32, u8, u16); empty until a number is entered."""

    def __init__(self, type_: Primitive, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, path, parent)
        self.lo, self.hi = INTEGER_RANGES[type_.name]
        self.spin = QSpinBox(self)
        self.spin.setRange(self.lo, self.hi)
        self.spin.clear()
        self.spin.setToolTip(f"{type_.name}: {self.lo} to {self.hi}")
        self.spin.setMinimumWidth(self.spin.fontMetrics().horizontalAdvance(str(self.lo)) + 48)
        self.spin.valueChanged.connect(self._emit)
        self.spin.textChanged.connect(self._on_text)
        lay = _layout(self, False)
        lay.addWidget(self.spin)
        lay.addStretch(1)

    def _on_text(self, _: str) -> None:
        if not self.spin.cleanText():
            self.spin.clear()  # stays empty when it loses focus, instead of showing the last number again
        self.changed.emit()

    def value(self) -> int:
        if not self.spin.cleanText():
            raise _at(self.path, f"enter a whole number from {self.lo} to {self.hi}")
        return int(self.spin.value())

    def set_value(self, value: Any) -> None:
        self.spin.setValue(int(value))

    def focus_first(self) -> None:
        self.spin.setFocus()
        self.spin.selectAll()


class IntValidator(QValidator):
    """Decimal integers in ``lo..hi``, as Python ints (wider than a C int)."""

    def __init__(self, lo: int, hi: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.lo, self.hi = lo, hi

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        t = text.strip()
        if t in ("", "-", "+"):
            ok = t == "" or (t == "-" and self.lo < 0) or t == "+"
            return (QValidator.State.Intermediate if ok else QValidator.State.Invalid), text, pos
        if not re.fullmatch(r"[+-]?[0-9]+", t):
            return QValidator.State.Invalid, text, pos
        v = int(t)
        if self.lo <= v <= self.hi:
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Invalid, text, pos


class _LineEditor(ValueEditor):
    """An editor made of one validated line edit (``self.line``)."""

    line: QLineEdit

    def _add_line(self, text: str, validator: QValidator, tooltip: str) -> None:
        self.line = QLineEdit(text, self)
        self.line.setValidator(validator)
        self.line.setToolTip(tooltip)
        self.line.textChanged.connect(self._on_text)
        lay = _layout(self, False)
        lay.addWidget(self.line)
        lay.addStretch(1)

    def _on_text(self, _: str) -> None:
        _mark_invalid(self.line, not self.line.hasAcceptableInput())
        self.changed.emit()

    def focus_first(self) -> None:
        self.line.setFocus()
        self.line.selectAll()


class IntLineEditor(_LineEditor):
    """Integers wider than a QSpinBox (u32, s64, u64): a validated line edit."""

    def __init__(self, type_: Primitive, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, path, parent)
        self.lo, self.hi = INTEGER_RANGES[type_.name]
        self._add_line("", IntValidator(self.lo, self.hi, self), f"{type_.name}: {self.lo} to {self.hi}")
        self.line.setPlaceholderText(f"{self.lo} … {self.hi}")
        self.line.setMinimumWidth(self.line.fontMetrics().horizontalAdvance(str(self.hi)) + 24)

    def value(self) -> int:
        t = self.line.text().strip()
        try:
            v = int(t)
        except ValueError:
            raise _at(self.path, f"enter a whole number from {self.lo} to {self.hi}") from None
        if not self.lo <= v <= self.hi:
            raise _at(self.path, f"{v} is outside {self.type.wit()} ({self.lo}..{self.hi})")
        return v

    def set_value(self, value: Any) -> None:
        self.line.setText(str(int(value)))


_FLOAT_RE = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*(?:[eE][+-]?[0-9]+)?|\.[0-9]+(?:[eE][+-]?[0-9]+)?|nan|inf|-inf)")
_FLOAT_PARTIAL_RE = re.compile(r"[+-]?(?:[0-9]*\.?[0-9]*(?:[eE][+-]?[0-9]*)?|n|na|i|in)")


class FloatValidator(QValidator):
    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        t = text.strip()
        if _FLOAT_RE.fullmatch(t):
            return QValidator.State.Acceptable, text, pos
        if _FLOAT_PARTIAL_RE.fullmatch(t):
            return QValidator.State.Intermediate, text, pos
        return QValidator.State.Invalid, text, pos


class FloatEditor(_LineEditor):
    """f32 and f64 as text, so nan, inf and -inf can be entered."""

    def __init__(self, type_: Primitive, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, path, parent)
        self._add_line("", FloatValidator(self), f"{type_.name}: a number, nan, inf or -inf")
        self.line.setPlaceholderText("a number")

    def value(self) -> float:
        t = self.line.text().strip()
        try:
            v = float(t)
        except ValueError:
            raise _at(self.path, f"enter a number for {self.type.wit()} (or nan, inf, -inf)") from None
        if self.type == Primitive("f32") and math.isfinite(v) and abs(v) > 3.4028234663852886e38:
            raise _at(self.path, f"{t} is outside the f32 range")
        return v

    def set_value(self, value: Any) -> None:
        v = float(value)
        self.line.setText("nan" if math.isnan(v) else ("inf" if v == math.inf else "-inf" if v == -math.inf else repr(v)))


class TextEditor(ValueEditor):
    """string, or char (exactly one Unicode scalar value)."""

    def __init__(self, type_: Primitive, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, path, parent)
        self.is_char = type_.name == "char"
        self.line = QLineEdit(self)
        if self.is_char:
            self.line.setMaxLength(2)  # a character outside the BMP is two UTF-16 units
            self.line.setFixedWidth(self.line.fontMetrics().horizontalAdvance("MMMM") + 16)
            self.line.setPlaceholderText("a")
        self.line.textChanged.connect(self._on_text)
        lay = _layout(self, False)
        lay.addWidget(self.line, 0 if self.is_char else 1)
        if self.is_char:
            lay.addStretch(1)

    def _on_text(self, text: str) -> None:
        if self.is_char:
            _mark_invalid(self.line, len(text) != 1)
        self.changed.emit()

    def value(self) -> str:
        text = self.line.text()
        if self.is_char and len(text) != 1:
            raise _at(self.path, "enter exactly one character")
        return text

    def set_value(self, value: Any) -> None:
        self.line.setText(str(value))

    def focus_first(self) -> None:
        self.line.setFocus()
        self.line.selectAll()


def _group(parent: QWidget, title: str = "") -> QGroupBox:
    box = QGroupBox(title, parent)
    box.setProperty("titled", bool(title))
    return box


class RecordEditor(ValueEditor):
    """A record: a group box with one row per field."""

    def __init__(self, type_: RecordType, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, path, parent)
        self.box = _group(self)
        form = QFormLayout(self.box)
        form.setContentsMargins(8, 6, 8, 6)
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.fields: dict[str, ValueEditor] = {}
        for name, ftype in type_.fields:
            ed = editor_for(ftype, _join(path, name), self.box)
            ed.changed.connect(self._emit)
            self.fields[name] = ed
            form.addRow(_field_label(name, ftype), ed)
        _layout(self).addWidget(self.box)

    def value(self) -> dict[str, Any]:
        return {name: ed.value() for name, ed in self.fields.items()}

    def set_value(self, value: Any) -> None:
        for name, ed in self.fields.items():
            ed.set_value(value[name])

    def focus_first(self) -> None:
        if self.fields:
            next(iter(self.fields.values())).focus_first()


class TupleEditor(ValueEditor):
    def __init__(self, type_: TupleType, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, path, parent)
        self.box = _group(self)
        form = QFormLayout(self.box)
        form.setContentsMargins(8, 6, 8, 6)
        self.items: list[ValueEditor] = []
        for i, etype in enumerate(type_.elements):
            ed = editor_for(etype, f"{path}.{i}" if path else str(i), self.box)
            ed.changed.connect(self._emit)
            self.items.append(ed)
            form.addRow(_field_label(str(i), etype), ed)
        _layout(self).addWidget(self.box)

    def value(self) -> tuple[Any, ...]:
        return tuple(ed.value() for ed in self.items)

    def set_value(self, value: Any) -> None:
        for ed, v in zip(self.items, value):
            ed.set_value(v)

    def focus_first(self) -> None:
        if self.items:
            self.items[0].focus_first()


class ListEditor(ValueEditor):
    """A list: rows of element editors with Remove buttons, and Add item."""

    def __init__(self, type_: ListType, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, path, parent)
        self.element = type_.element
        self.rows: list[ValueEditor] = []
        self._row_widgets: list[QWidget] = []
        self.box = _group(self)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setSpacing(4)
        self.empty_label = set_role(QLabel("empty list", self.box), "subtle")
        self.add_button = QPushButton("Add item", self.box)
        self.add_button.setToolTip(f"Append a {self.element.wit()} to the list")
        self.add_button.clicked.connect(self._on_add)
        bottom = QHBoxLayout()
        bottom.addWidget(self.empty_label)
        bottom.addStretch(1)
        bottom.addWidget(self.add_button)
        lay = QVBoxLayout(self.box)
        lay.setContentsMargins(8, 6, 8, 6)
        lay.addLayout(self._rows_layout)
        lay.addLayout(bottom)
        _layout(self).addWidget(self.box)

    @Slot()
    def _on_add(self) -> None:
        self.add_row().focus_first()

    def add_row(self, value: Any = None) -> ValueEditor:
        row = QWidget(self.box)
        row_lay = _layout(row, False)
        index = set_role(QLabel(f"[{len(self.rows)}]", row), "subtle")
        index.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        index.setMinimumWidth(index.fontMetrics().horizontalAdvance("[00]") + 4)
        ed = editor_for(self.element, f"{self.path}[{len(self.rows)}]", row)
        if value is not None:
            ed.set_value(value)
        ed.changed.connect(self._emit)
        remove = QToolButton(row)
        remove.setText("✕")
        remove.setToolTip("Remove this item")
        remove.setAutoRaise(True)
        remove.clicked.connect(lambda: self.remove_row(self._row_widgets.index(row)))
        row_lay.addWidget(index, 0, Qt.AlignmentFlag.AlignTop)
        row_lay.addWidget(ed, 1)
        row_lay.addWidget(remove, 0, Qt.AlignmentFlag.AlignTop)
        self._rows_layout.addWidget(row)
        self.rows.append(ed)
        self._row_widgets.append(row)
        self._renumber()
        self.changed.emit()
        return ed

    def remove_row(self, i: int) -> None:
        row = self._row_widgets.pop(i)
        self.rows.pop(i)
        self._rows_layout.removeWidget(row)
        row.hide()
        row.deleteLater()
        self._renumber()
        self.changed.emit()

    def clear(self) -> None:
        while self.rows:
            self.remove_row(len(self.rows) - 1)

    def _renumber(self) -> None:
        for i, (row, ed) in enumerate(zip(self._row_widgets, self.rows)):
            label = row.findChild(QLabel)
            if label is not None:
                label.setText(f"[{i}]")
            _set_path(ed, f"{self.path}[{i}]")
        self.empty_label.setVisible(not self.rows)

    def value(self) -> list[Any] | bytes:
        items = [ed.value() for ed in self.rows]
        if isinstance(self.type, ListType) and self.type.is_bytes:
            return bytes(items)
        return items

    def set_value(self, value: Any) -> None:
        self.blockSignals(True)
        self.clear()
        for v in value:
            self.add_row(v)
        self.blockSignals(False)
        self.changed.emit()

    def focus_first(self) -> None:
        if self.rows:
            self.rows[0].focus_first()
        else:
            self.add_button.setFocus()


class _CaseEditor(ValueEditor):
    """A picker of cases (combo box) with a nested editor for the chosen case's payload."""

    def __init__(self, type_: ValueType, cases: list[tuple[str, ValueType | None]], path: str, parent: QWidget | None) -> None:
        super().__init__(type_, path, parent)
        self.combo = QComboBox(self)
        self.stack = QStackedWidget(self)
        self.payloads: dict[str, ValueEditor | None] = {}
        for name, ptype in cases:
            self.combo.addItem(name)
            if ptype is None:
                self.payloads[name] = None
                blank = QWidget(self.stack)
                blank.setFixedHeight(0)
                self.stack.addWidget(blank)
            else:
                ed = editor_for(ptype, f"{path}({name})" if path else name, self.stack)
                ed.changed.connect(self._emit)
                self.payloads[name] = ed
                self.stack.addWidget(ed)
        self.combo.currentIndexChanged.connect(self._on_case)
        lay = _layout(self)
        top = QHBoxLayout()
        top.addWidget(self.combo)
        top.addStretch(1)
        lay.addLayout(top)
        lay.addWidget(self.stack)
        self._on_case(0)

    def _on_case(self, i: int) -> None:
        self.stack.setCurrentIndex(i)
        has_payload = self.payloads.get(self.combo.currentText()) is not None
        self.stack.setVisible(has_payload)
        for k in range(self.stack.count()):
            w = self.stack.widget(k)
            policy = QSizePolicy.Policy.Preferred if k == i else QSizePolicy.Policy.Ignored
            w.setSizePolicy(policy, policy)
        self.stack.adjustSize()
        self.changed.emit()

    @property
    def case(self) -> str:
        return self.combo.currentText()

    def set_case(self, name: str) -> None:
        self.combo.setCurrentIndex(list(self.payloads).index(name))

    def payload_value(self) -> Any:
        ed = self.payloads[self.case]
        return None if ed is None else ed.value()

    def set_payload(self, name: str, value: Any) -> None:
        self.set_case(name)
        ed = self.payloads[name]
        if ed is not None and value is not None:
            ed.set_value(value)

    def focus_first(self) -> None:
        self.combo.setFocus()


class VariantEditor(_CaseEditor):
    def __init__(self, type_: VariantType, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, list(type_.cases), path, parent)

    def value(self) -> Variant:
        return Variant(self.case, self.payload_value())

    def set_value(self, value: Any) -> None:
        self.set_payload(value.case, value.payload)


class ResultEditor(_CaseEditor):
    def __init__(self, type_: ResultType, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, [("ok", type_.ok), ("err", type_.err)], path, parent)

    def value(self) -> Ok | Err:
        payload = self.payload_value()
        return Ok(payload) if self.case == "ok" else Err(payload)

    def set_value(self, value: Any) -> None:
        self.set_payload("ok" if isinstance(value, Ok) else "err", value.value)


class EnumEditor(ValueEditor):
    def __init__(self, type_: EnumType, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, path, parent)
        self.combo = QComboBox(self)
        self.combo.addItems(list(type_.names))
        self.combo.currentIndexChanged.connect(self._emit)
        lay = _layout(self, False)
        lay.addWidget(self.combo)
        lay.addStretch(1)

    def value(self) -> str:
        return self.combo.currentText()

    def set_value(self, value: Any) -> None:
        self.combo.setCurrentText(str(value))

    def focus_first(self) -> None:
        self.combo.setFocus()


class OptionEditor(ValueEditor):
    """An option: a "some" check box that enables the nested editor."""

    def __init__(self, type_: OptionType, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, path, parent)
        self.some = QCheckBox("some", self)
        self.some.setToolTip("Checked: some(value); unchecked: none")
        self.inner = editor_for(type_.payload, f"{path}?" if path else "some", self)
        self.inner.setEnabled(False)
        self.inner.changed.connect(self._emit)
        self.some.toggled.connect(self._on_toggled)
        lay = _layout(self, False)
        lay.addWidget(self.some, 0, Qt.AlignmentFlag.AlignTop)
        lay.addWidget(self.inner, 1)

    def _on_toggled(self, on: bool) -> None:
        self.inner.setEnabled(on)
        self.changed.emit()

    def value(self) -> Some | None:
        return Some(self.inner.value()) if self.some.isChecked() else None

    def set_value(self, value: Any) -> None:
        if value is None:
            self.some.setChecked(False)
        else:
            self.inner.set_value(value.value if isinstance(value, Some) else value)
            self.some.setChecked(True)

    def focus_first(self) -> None:
        self.some.setFocus()


class FlagsEditor(ValueEditor):
    def __init__(self, type_: FlagsType, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, path, parent)
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(14)
        self.checks: dict[str, QCheckBox] = {}
        for i, name in enumerate(type_.names):
            box = QCheckBox(name, self)
            box.toggled.connect(self._emit)
            self.checks[name] = box
            grid.addWidget(box, i // 4, i % 4)
        grid.setColumnStretch(4, 1)

    def value(self) -> frozenset[str]:
        return frozenset(n for n, box in self.checks.items() if box.isChecked())

    def set_value(self, value: Any) -> None:
        chosen = set(value)
        for n, box in self.checks.items():
            box.setChecked(n in chosen)

    def focus_first(self) -> None:
        if self.checks:
            next(iter(self.checks.values())).setFocus()


class UnsupportedEditor(ValueEditor):
    def __init__(self, type_: ValueType, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, path, parent)
        _layout(self, False).addWidget(set_role(QLabel(f"{type_.wit()} cannot be entered here", self), "subtle"))

    def value(self) -> Any:
        raise _at(self.path, f"values of type {self.type.wit()} cannot be passed from Worker Desk")

    def set_value(self, value: Any) -> None:
        pass


def editor_for(t: ValueType, path: str = "", parent: QWidget | None = None) -> ValueEditor:
    """The editor for a component-model type."""
    if isinstance(t, Primitive):
        n = t.name
        if n == "bool":
            return BoolEditor(t, path, parent)
        if n in INTEGER_RANGES:
            lo, hi = INTEGER_RANGES[n]
            if SPIN_MIN <= lo and hi <= SPIN_MAX:
                return IntSpinEditor(t, path, parent)
            return IntLineEditor(t, path, parent)
        if n in ("f32", "f64"):
            return FloatEditor(t, path, parent)
        return TextEditor(t, path, parent)
    editor = _COMPOUND_EDITORS.get(type(t), UnsupportedEditor)
    return editor(t, path, parent)


# Editors of one value entered on one line: in a form of just one of them, Enter invokes.
ONE_LINE_EDITORS = (BoolEditor, IntSpinEditor, IntLineEditor, FloatEditor, TextEditor, EnumEditor)

_COMPOUND_EDITORS: dict[type, Any] = {
    RecordType: RecordEditor,
    TupleType: TupleEditor,
    ListType: ListEditor,
    VariantType: VariantEditor,
    EnumType: EnumEditor,
    OptionType: OptionEditor,
    ResultType: ResultEditor,
    FlagsType: FlagsEditor,
}


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name


def _set_path(ed: ValueEditor, path: str) -> None:
    ed.path = path


def _field_label(name: str, t: ValueType) -> QLabel:
    label = QLabel(f"{name}:")
    label.setToolTip(t.wit())
    return label


def _mark_invalid(w: QWidget, invalid: bool) -> None:
    if bool(w.property("invalid")) != invalid:
        w.setProperty("invalid", invalid)
        w.style().unpolish(w)
        w.style().polish(w)


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
                raise _at(p.name, str(e)) from None
        return ", ".join(parts)

    def set_values(self, values: list[Any]) -> None:
        for ed, v in zip(self.editors, values):
            ed.set_value(v)

    def focus_first(self) -> None:
        if self.editors:
            self.editors[0].focus_first()


def parse_arguments(text: str, sig: FunctionSignature) -> list[Any]:
    """Comma-separated WAVE arguments of ``sig`` as Python values."""
    t = TupleType(tuple(p.type for p in sig.params))
    try:
        return list(wave.parse(f"({text})", t))
    except wave.WaveError as e:
        message = re.sub(
            r"^at column (\d+)", lambda m: f"at column {max(1, int(m.group(1)) - 1)}", str(e)
        )
        raise InputError(message) from None


# --- the tab ---------------------------------------------------------------------------


@dataclass
class _Functions:
    ref: str
    version: int
    functions: tuple[FunctionSignature, ...]


def _load_functions(workers: Workers, components: Components, ref: str) -> _Functions:
    meta = workers.read_metadata(ref)
    version = int(meta["componentVersion"])
    info = components.known_version(meta["workerId"]["componentName"], version)
    functions = tuple(
        f for f in info.description.functions if not (f.interface or "").startswith(SNAPSHOT_INTERFACES)
    )
    return _Functions(ref, version, functions)


def _display_names(functions: tuple[FunctionSignature, ...]) -> list[str]:
    counts: dict[str, int] = {}
    for f in functions:
        counts[f.name] = counts.get(f.name, 0) + 1
    return [f.name if counts[f.name] == 1 else f.qualified_name for f in functions]


# A key typed while the form was loading: (key, modifiers, text); None stands for Ctrl+Enter.
_Typed = tuple[int, Qt.KeyboardModifier, str] | None


class QtInvokeView(QWidget):
    """Pick a function, fill in its arguments (form or WAVE), invoke, see the result.

    Ctrl+Enter invokes; so does Enter in a form of no argument or of one entered
    on a single line. Argument fields start empty: an empty field is an error
    shown inline, never a default value.
    """

    loaded = Signal(str)
    invoked = Signal(object)  # InvocationResult
    invoke_failed = Signal(str)

    def __init__(
        self, workers: Workers, components: Components, ops: Operations, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._workers = workers
        self._components = components
        self._ops = ops
        self._ref: str | None = None
        self._version: int | None = None
        self._functions: tuple[FunctionSignature, ...] = ()
        self._running: Op | None = None
        self._loaded = False  # the functions of ``_ref`` have been read
        # focus_form() before they were: the view holds the focus and keeps what is
        # typed, then hands both to the first argument field once the form is built.
        self._focus_pending = False
        self._typed: list[_Typed] = []

        self.function_combo = QComboBox(self)
        self.function_combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.function_combo.setMinimumWidth(220)
        self.function_combo.currentIndexChanged.connect(self._on_function)
        self.signature_label = set_role(QLabel(self), "mono")
        self.signature_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.signature_label.setWordWrap(True)
        self.wave_toggle = QCheckBox("Edit as WAVE", self)
        self.wave_toggle.setToolTip("Write the arguments as WAVE text instead of using the form")
        self.wave_toggle.toggled.connect(self._on_wave_toggled)

        self.form = QtInvokeForm()
        self.form.changed.connect(self._on_form_changed)
        self.form_scroll = FitScrollArea(self)
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setWidget(self.form)

        self.wave_edit = QPlainTextEdit(self)
        self.wave_edit.setFont(mono_font())
        self.wave_edit.setPlaceholderText('Arguments in WAVE, separated by commas: 42, "text", [1, 2], {name: "x"}')
        self.wave_edit.setTabChangesFocus(True)
        self.wave_edit.hide()
        self.wave_preview = set_role(QLabel(self), "mono")
        self.wave_preview.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.wave_preview.setWordWrap(True)
        self.wave_preview.setToolTip("The arguments in WAVE")

        self.invoke_button = QPushButton("Invoke", self)
        self.invoke_button.setProperty("primary", True)
        self.invoke_button.setToolTip("Invoke the function (Ctrl+Enter)")
        self.invoke_button.clicked.connect(self.invoke)
        self.error_label = set_role(ElidedLabel(self), "error")

        self.result_edit = QLineEdit(self)
        self.result_edit.setReadOnly(True)
        self.result_edit.setFont(mono_font())
        self.result_edit.setPlaceholderText("The result appears here, in WAVE")
        self.result_meta = set_role(QLabel(self), "subtle")
        self.output_edit = QPlainTextEdit(self)
        self.output_edit.setReadOnly(True)
        self.output_edit.setFont(mono_font())
        self.output_edit.setPlaceholderText("Captured stdout and stderr")
        self.output_edit.setMaximumBlockCount(5000)
        self.empty_label = set_role(QLabel("Select a worker to invoke its functions.", self), "placeholder")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)

        self.form_scroll.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.wave_edit.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.wave_edit.setFixedHeight(self.wave_edit.fontMetrics().lineSpacing() * 5 + 16)

        head = QHBoxLayout()
        head.addWidget(QLabel("Function:", self))
        head.addWidget(self.function_combo)
        head.addStretch(1)
        head.addWidget(self.wave_toggle)
        action_row = QHBoxLayout()
        action_row.addWidget(self.invoke_button)
        action_row.addSpacing(8)
        action_row.addWidget(self.error_label, 1)

        top = QWidget(self)
        top_lay = QVBoxLayout(top)
        top_lay.setContentsMargins(0, 0, 0, 6)
        top_lay.setSpacing(8)
        top_lay.addLayout(head)
        top_lay.addWidget(self.signature_label)
        top_lay.addWidget(self.form_scroll)
        top_lay.addWidget(self.wave_edit)
        top_lay.addWidget(self.wave_preview)
        top_lay.addLayout(action_row)
        top_lay.addStretch(1)

        result_row = QHBoxLayout()
        result_row.addWidget(QLabel("Result:", self))
        result_row.addWidget(self.result_edit, 1)
        bottom = QWidget(self)
        bottom_lay = QVBoxLayout(bottom)
        bottom_lay.setContentsMargins(0, 8, 0, 0)
        bottom_lay.setSpacing(6)
        bottom_lay.addLayout(result_row)
        bottom_lay.addWidget(self.result_meta)
        bottom_lay.addWidget(set_role(QLabel("Output", self), "section"))
        bottom_lay.addWidget(self.output_edit, 1)

        self.body = QSplitter(Qt.Orientation.Vertical, self)
        self.body.setChildrenCollapsible(False)
        self.body.addWidget(top)
        self.body.addWidget(bottom)
        self.body.setStretchFactor(0, 3)
        self.body.setStretchFactor(1, 2)
        self._top = top
        self.form_scroll.content_resized.connect(self._fit_top, Qt.ConnectionType.QueuedConnection)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 12, 12, 12)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.body)
        self.body.hide()

        for seq in ("Ctrl+Return", "Ctrl+Enter"):
            sc = QShortcut(QKeySequence(seq), self)
            sc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            sc.activated.connect(self.invoke)
        self.wave_edit.installEventFilter(self)
        ops.changed.connect(self._on_changed)

    # -- public ---------------------------------------------------------------------------

    @property
    def ref(self) -> str | None:
        return self._ref

    @property
    def functions(self) -> tuple[FunctionSignature, ...]:
        return self._functions

    @property
    def signature(self) -> FunctionSignature | None:
        return self.form.signature

    def show_worker(self, ref: str | None) -> None:
        if ref == self._ref and ref is not None:
            return
        self._ref = ref
        self._version = None
        self._functions = ()
        self._loaded = False
        self._focus_pending = False
        self._typed = []
        self.function_combo.clear()
        self.form.set_function(None)
        self._clear_result()
        self.body.setVisible(ref is not None)
        self.empty_label.setVisible(ref is None)
        if ref is not None:
            self._load()

    def select_function(self, name: str) -> None:
        for i, f in enumerate(self._functions):
            if name in (f.name, f.qualified_name):
                self.function_combo.setCurrentIndex(i)
                return
        raise KeyError(name)

    def set_wave_mode(self, on: bool) -> None:
        self.wave_toggle.setChecked(on)

    @property
    def has_loaded(self) -> bool:
        """The functions of the shown worker have been read and the form built."""
        return self._loaded

    def focus_form(self) -> None:
        """Focus the first argument field, or, while the form is loading, once it has loaded.

        Until then the view itself holds the focus and keeps the keys typed, which
        are replayed into that field, so nothing typed in between is lost.
        """
        if self._ref is not None and not self._loaded:
            self._focus_pending = True
            self._typed = []
            self.setFocus(Qt.FocusReason.ShortcutFocusReason)
            return
        self._focus_first()

    def _focus_first(self) -> None:
        if self.wave_toggle.isChecked():
            self.wave_edit.setFocus()
        elif self.form.editors:
            self.form.focus_first()
        else:
            self.invoke_button.setFocus()

    def _hand_over_focus(self) -> None:
        """The form has loaded: focus its first field and replay what was typed meanwhile."""
        typed, self._typed = self._typed, []
        self._focus_pending = False
        if self.window().focusWidget() is not self:
            return  # the user has gone elsewhere in the meantime
        self._focus_first()
        target = self.focusWidget()
        for key in typed:
            if key is None:
                self.invoke()
            elif target is not None:
                code, mods, text = key
                for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                    QApplication.sendEvent(target, QKeyEvent(kind, code, mods, text))

    def is_one_line(self) -> bool:
        """A form without arguments, or with one entered on a single line: Enter invokes it."""
        if self.form.signature is None or self.wave_toggle.isChecked():
            return False
        editors = self.form.editors
        return not editors or (len(editors) == 1 and isinstance(editors[0], ONE_LINE_EDITORS))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # type: ignore[override]
        if self._focus_pending and self.window().focusWidget() is self:
            self._typed.append((event.key(), event.modifiers(), event.text()))
            event.accept()
            return
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter):
            focused = QApplication.focusWidget() or self.focusWidget()
            ctrl = bool(event.modifiers() & Qt.KeyboardModifier.ControlModifier)
            in_form = focused is not None and self.form.isAncestorOf(focused)
            if focused is self.invoke_button or ctrl or (in_form and self.is_one_line()):
                event.accept()
                self.invoke()
                return
        super().keyPressEvent(event)

    def arguments(self) -> list[Any]:
        """The values to invoke with, from the form or the WAVE text; raises InputError."""
        sig = self.form.signature
        if sig is None:
            raise InputError("no function selected")
        if self.wave_toggle.isChecked():
            return parse_arguments(self.wave_edit.toPlainText(), sig)
        values = self.form.values()
        self.form.wave_text()
        return values

    @Slot()
    def invoke(self) -> Op | None:
        sig = self.form.signature
        if self._focus_pending and not self._loaded:
            self._typed.append(None)  # Ctrl+Enter before the form was there: invoke once it is
            return None
        if self._ref is None or sig is None or self._running is not None or not self.invoke_button.isEnabled():
            return None
        try:
            values = self.arguments()
        except InputError as e:
            self._show_error(str(e))
            return None
        self._show_error("")
        ref = self._ref
        op = Op(f"Invoking {sig.name} on {ref}", self._workers.invoke_values, ref, sig.qualified_name, values)
        op.setProperty("ref", ref)
        op.succeeded.connect(self._on_invoked)
        op.failed.connect(self._on_invoke_failed)
        op.finished.connect(self._on_invoke_finished)
        self._running = op
        self.invoke_button.setEnabled(False)
        self.invoke_button.setText("Invoking…")
        return self._ops.write(op, changes=(f"worker:{ref}",))

    # -- loading ----------------------------------------------------------------------------

    def _load(self) -> None:
        assert self._ref is not None
        op = Op(f"Reading the functions of {self._ref}", _load_functions, self._workers, self._components, self._ref)
        op.succeeded.connect(self._on_loaded)
        op.failed.connect(self._on_load_failed)
        self._ops.read(op)

    @Slot(object)
    def _on_loaded(self, result: _Functions) -> None:
        if result.ref != self._ref:
            return
        if result.version == self._version and result.functions == self._functions:
            return
        self._loaded = True
        previous = self.form.signature
        self._version = result.version
        self._functions = result.functions
        self.function_combo.blockSignals(True)
        self.function_combo.clear()
        for name, f in zip(_display_names(result.functions), result.functions):
            self.function_combo.addItem(name)
            self.function_combo.setItemData(self.function_combo.count() - 1, f"{f.qualified_name}: {f.wit()}", Qt.ItemDataRole.ToolTipRole)
        self.function_combo.blockSignals(False)
        index = 0
        if previous is not None:
            for i, f in enumerate(result.functions):
                if f.qualified_name == previous.qualified_name:
                    index = i
        if result.functions:
            self.function_combo.setCurrentIndex(index)
            self._on_function(index)
        else:
            self.form.set_function(None)
            self.signature_label.setText("This version exports no functions that can be invoked.")
        if self._focus_pending:
            self._hand_over_focus()
        self.loaded.emit(result.ref)

    @Slot(str)
    def _on_load_failed(self, message: str) -> None:
        self._focus_pending = False
        self._typed = []
        self._show_error(message)

    @Slot(str)
    def _on_changed(self, what: str) -> None:
        if self._ref is not None and what in (f"worker:{self._ref}", "workers", "components"):
            self._load()

    # -- form and WAVE -------------------------------------------------------------------------

    @Slot(int)
    def _on_function(self, index: int) -> None:
        if not 0 <= index < len(self._functions):
            return
        sig = self._functions[index]
        if sig == self.form.signature:
            return
        self.signature_label.setText(f"{sig.qualified_name}: {sig.wit()}")
        self.signature_label.setToolTip(f"{sig.qualified_name}: {sig.wit()}")
        self.form.set_function(sig)
        self._show_error("")
        if self.wave_toggle.isChecked():
            self._sync_to_wave()

    @Slot()
    def _fit_top(self) -> None:
        """Give the arguments pane the height it asks for, leaving room for the result."""
        sizes = self.body.sizes()
        total = sum(sizes)
        if total <= 0:
            return
        wanted = self._top.sizeHint().height()
        top = max(min(wanted, total - 170), min(sizes[0], total - 170))
        if top != sizes[0]:
            self.body.setSizes([top, total - top])

    @Slot()
    def _on_form_changed(self) -> None:
        if self.form.signature is None:
            self.wave_preview.clear()
            return
        try:
            text = self.form.wave_text()
        except InputError as e:
            self.wave_preview.setText(f"WAVE: … ({e})")
            return
        sig = self.form.signature
        self.wave_preview.setText(f"{sig.name}({text})")

    @Slot(bool)
    def _on_wave_toggled(self, on: bool) -> None:
        if on:
            self._sync_to_wave()
        elif self.form.signature is not None and self.wave_edit.toPlainText().strip():
            try:
                values = parse_arguments(self.wave_edit.toPlainText(), self.form.signature)
            except InputError as e:
                self._show_error(str(e))
                self.wave_toggle.blockSignals(True)
                self.wave_toggle.setChecked(True)
                self.wave_toggle.blockSignals(False)
                return
            self.form.set_values(values)
        self._show_error("")
        self.form_scroll.setVisible(not on)
        self.wave_preview.setVisible(not on)
        self.wave_edit.setVisible(on)

    def _sync_to_wave(self) -> None:
        if self.form.signature is None:
            return
        try:
            self.wave_edit.setPlainText(self.form.wave_text())
        except InputError:
            pass

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.wave_edit and event.type() == QEvent.Type.KeyPress:
            key = event.key()  # type: ignore[attr-defined]
            mods = event.modifiers()  # type: ignore[attr-defined]
            if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and mods & Qt.KeyboardModifier.ControlModifier:
                self.invoke()
                return True
        return super().eventFilter(obj, event)

    # -- results -----------------------------------------------------------------------------------

    @Slot(object)
    def _on_invoked(self, r: InvocationResult) -> None:
        op = self.sender()
        if isinstance(op, Op) and op.property("ref") != self._ref:
            return
        self.result_edit.setText(r.result_wave if r.result_wave is not None else "()")
        self.result_edit.setCursorPosition(0)
        self.result_meta.setText(f"{r.function} · took {_duration(r.duration)} · recorded as history entry #{r.entry}")
        self._set_output(r.stdout, r.stderr)
        self._show_error("")
        self.invoked.emit(r)

    @Slot(str)
    def _on_invoke_failed(self, message: str) -> None:
        op = self.sender()
        if isinstance(op, Op) and op.property("ref") != self._ref:
            return
        self.result_edit.clear()
        self.result_meta.clear()
        self.output_edit.clear()
        self._show_error(message)
        self.invoke_failed.emit(message)

    @Slot()
    def _on_invoke_finished(self) -> None:
        self._running = None
        self.invoke_button.setEnabled(not self._workers.read_only)
        self.invoke_button.setText("Invoke")

    def _set_output(self, stdout: str, stderr: str) -> None:
        parts = []
        if stdout:
            parts.append(stdout.rstrip("\n"))
        if stderr:
            parts.append("── stderr ──\n" + stderr.rstrip("\n"))
        self.output_edit.setPlainText("\n".join(parts))

    def _clear_result(self) -> None:
        self.result_edit.clear()
        self.result_meta.clear()
        self.output_edit.clear()
        self._show_error("")
        self.invoke_button.setEnabled(not self._workers.read_only and self._running is None)
        if self._workers.read_only:
            self.invoke_button.setToolTip("This data folder is open read-only")

    @property
    def error(self) -> str:
        return self.error_label.full_text

    def _show_error(self, message: str) -> None:
        self.error_label.set_full_text(one_line(message) if message else "")


class FitScrollArea(QScrollArea):
    """A scroll area that asks for the height of its content, and scrolls only when squeezed."""

    content_resized = Signal()

    def setWidget(self, widget: QWidget) -> None:  # type: ignore[override]
        super().setWidget(widget)
        widget.installEventFilter(self)

    def eventFilter(self, obj: QObject, event: QEvent) -> bool:
        if obj is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()
            self.content_resized.emit()
        return super().eventFilter(obj, event)

    def sizeHint(self) -> QSize:  # type: ignore[override]
        w = self.widget()
        if w is None:
            return super().sizeHint()
        hint = w.sizeHint()
        frame = 2 * self.frameWidth()
        return QSize(hint.width() + frame, hint.height() + frame + 2)

    def minimumSizeHint(self) -> QSize:  # type: ignore[override]
        return QSize(120, min(self.sizeHint().height(), 80))


class ElidedLabel(QLabel):
    """One line of text, elided at the right when it does not fit; the tooltip holds it all."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.full_text = ""
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

    def set_full_text(self, text: str) -> None:
        self.full_text = text
        self.setToolTip(text if text else "")
        self._elide()

    def resizeEvent(self, event: QEvent) -> None:  # type: ignore[override]
        super().resizeEvent(event)  # type: ignore[arg-type]
        self._elide()

    def _elide(self) -> None:
        width = self.width() if self.width() > 20 else 600
        self.setText(self.fontMetrics().elidedText(self.full_text, Qt.TextElideMode.ElideRight, width))


def _duration(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"
