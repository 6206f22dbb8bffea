"""Editors of compound values (records, tuples, lists, variants, options, flags), and the editor of any type.

Over 400 lines: :func:`editor_for` and the compound editors call each other (a
record's fields, a list's items and a variant's payloads are editors of any
type), so they stay in one module.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.invoke.scalars import (
    SPIN_MAX,
    SPIN_MIN,
    BoolEditor,
    FloatEditor,
    IntLineEditor,
    IntSpinEditor,
    TextEditor,
    ValueEditor,
    box_layout,
    input_error,
)
from desktop_app.gui.widgets.style import set_role
from domain.model.types import (
    INTEGER_RANGES,
    EnumType,
    Err,
    FlagsType,
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
        box_layout(self).addWidget(self.box)

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
        box_layout(self).addWidget(self.box)

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
        box_layout(self).addWidget(self.box)

    @Slot()
    def _on_add(self) -> None:
        self.add_row().focus_first()

    def add_row(self, value: Any = None) -> ValueEditor:
        row = QWidget(self.box)
        row_lay = box_layout(row, False)
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
        lay = box_layout(self)
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
        lay = box_layout(self, False)
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
        lay = box_layout(self, False)
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
        box_layout(self, False).addWidget(set_role(QLabel(f"{type_.wit()} cannot be entered here", self), "subtle"))

    def value(self) -> Any:
        raise input_error(self.path, f"values of type {self.type.wit()} cannot be passed from Worker Desk")

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
