"""Editors of one scalar value (bool, integers, floats, char, string), and their shared base.

Every editor has ``value()`` (the Python value described in
:mod:`domain.model.types`; raises :class:`InputError` when the input is not a
value yet) and ``set_value()``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLineEdit,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from domain.model.types import (
    INTEGER_RANGES,
    Primitive,
    ValueType,
)

SPIN_MIN, SPIN_MAX = -(2**31), 2**31 - 1
class InputError(ValueError):
    """A form field that does not hold a value yet; the message names the field."""


def input_error(path: str, message: str) -> InputError:
    return InputError(f"{path}: {message}" if path else message)


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


def box_layout(widget: QWidget, vertical: bool = True) -> QVBoxLayout | QHBoxLayout:
    lay: QVBoxLayout | QHBoxLayout = QVBoxLayout(widget) if vertical else QHBoxLayout(widget)
    lay.setContentsMargins(0, 0, 0, 0)
    lay.setSpacing(6)
    return lay


class BoolEditor(ValueEditor):
    def __init__(self, type_: ValueType, path: str = "", parent: QWidget | None = None) -> None:
        super().__init__(type_, path, parent)
        self.check = QCheckBox("true", self)
        self.check.toggled.connect(self._on_toggled)
        box_layout(self, False).addWidget(self.check)

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
        lay = box_layout(self, False)
        lay.addWidget(self.spin)
        lay.addStretch(1)

    def _on_text(self, _: str) -> None:
        if not self.spin.cleanText():
            self.spin.clear()  # stays empty when it loses focus, instead of showing the last number again
        self.changed.emit()

    def value(self) -> int:
        if not self.spin.cleanText():
            raise input_error(self.path, f"enter a whole number from {self.lo} to {self.hi}")
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
        lay = box_layout(self, False)
        lay.addWidget(self.line)
        lay.addStretch(1)

    def _on_text(self, _: str) -> None:
        mark_invalid(self.line, not self.line.hasAcceptableInput())
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
            raise input_error(self.path, f"enter a whole number from {self.lo} to {self.hi}") from None
        if not self.lo <= v <= self.hi:
            raise input_error(self.path, f"{v} is outside {self.type.wit()} ({self.lo}..{self.hi})")
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
            raise input_error(self.path, f"enter a number for {self.type.wit()} (or nan, inf, -inf)") from None
        if self.type == Primitive("f32") and math.isfinite(v) and abs(v) > 3.4028234663852886e38:
            raise input_error(self.path, f"{t} is outside the f32 range")
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
        lay = box_layout(self, False)
        lay.addWidget(self.line, 0 if self.is_char else 1)
        if self.is_char:
            lay.addStretch(1)

    def _on_text(self, text: str) -> None:
        if self.is_char:
            mark_invalid(self.line, len(text) != 1)
        self.changed.emit()

    def value(self) -> str:
        text = self.line.text()
        if self.is_char and len(text) != 1:
            raise input_error(self.path, "enter exactly one character")
        return text

    def set_value(self, value: Any) -> None:
        self.line.setText(str(value))

    def focus_first(self) -> None:
        self.line.setFocus()
        self.line.selectAll()


def mark_invalid(w: QWidget, invalid: bool) -> None:
    if bool(w.property("invalid")) != invalid:
        w.setProperty("invalid", invalid)
        w.style().unpolish(w)
        w.style().polish(w)
