"""The invoke form: one editor per component-model type, WAVE in sync, invoking through it."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QCheckBox, QComboBox, QGroupBox, QLineEdit, QSpinBox

from desktop_app.gui.invoke import QtInvokeView
from desktop_app.gui.invoke.editors import (
    EnumEditor,
    FlagsEditor,
    ListEditor,
    OptionEditor,
    RecordEditor,
    ResultEditor,
    TupleEditor,
    VariantEditor,
    editor_for,
)
from desktop_app.gui.invoke.form import QtInvokeForm
from desktop_app.gui.invoke.scalars import BoolEditor, FloatEditor, InputError, IntLineEditor, IntSpinEditor, TextEditor
from desktop_app.gui.widgets.ops import Operations
from domain.bootstrap import Desk
from domain.model.types import (
    BOOL,
    BYTES,
    CHAR,
    F32,
    F64,
    S8,
    S32,
    S64,
    STRING,
    U8,
    U16,
    U32,
    U64,
    EnumType,
    Err,
    FlagsType,
    FunctionSignature,
    ListType,
    Ok,
    OptionType,
    Param,
    RecordType,
    ResultType,
    Some,
    TupleType,
    Variant,
    VariantType,
)
from domain.services.invocation import Invocations

POINT = RecordType((("x", S32), ("y", S32), ("label", STRING)))
SHAPE = VariantType((("circle", F64), ("rect", POINT), ("empty", None)))
COLOR = EnumType(("red", "green", "blue"))
PERMS = FlagsType(("read", "write", "exec"))


def _form(qtbot: Any, *params: tuple[str, Any]) -> QtInvokeForm:
    form = QtInvokeForm()
    qtbot.addWidget(form)
    form.set_function(FunctionSignature("my:pkg/api", "f", tuple(Param(n, t) for n, t in params)))
    return form


@pytest.mark.parametrize(
    ("type_", "lo", "hi"),
    [(U8, 0, 255), (S8, -128, 127), (U16, 0, 65535), (S32, -(2**31), 2**31 - 1)],
)
def test_small_integers_get_spin_boxes_with_their_range(qtbot: Any, type_: Any, lo: int, hi: int) -> None:
    ed = editor_for(type_)
    qtbot.addWidget(ed)
    assert isinstance(ed, IntSpinEditor)
    assert (ed.spin.minimum(), ed.spin.maximum()) == (lo, hi)
    ed.spin.setValue(hi + 1 if hi < 2**31 - 1 else hi)
    assert ed.value() == hi


@pytest.mark.parametrize(("type_", "lo", "hi"), [(U32, 0, 2**32 - 1), (S64, -(2**63), 2**63 - 1), (U64, 0, 2**64 - 1)])
def test_wide_integers_get_validated_line_edits(qtbot: Any, type_: Any, lo: int, hi: int) -> None:
    ed = editor_for(type_)
    qtbot.addWidget(ed)
    assert isinstance(ed, IntLineEditor)
    validator = ed.line.validator()
    state = lambda text: validator.validate(text, len(text))[0].name  # noqa: E731

    assert state(str(hi)) == "Acceptable"
    assert state(str(lo)) == "Acceptable"
    assert state(str(hi + 1)) == "Invalid"
    assert state(str(lo - 1)) == "Invalid"
    assert state("12a") == "Invalid"

    # Typing is filtered by the validator; the largest value survives as a Python int
    ed.line.clear()
    qtbot.keyClicks(ed.line, str(hi) + "9")
    assert ed.line.text() == str(hi)
    assert ed.value() == hi

    ed.line.setText("")
    with pytest.raises(InputError, match="whole number"):
        ed.value()


def test_s64_form_value_is_written_in_wave(qtbot: Any) -> None:
    form = _form(qtbot, ("n", S64))
    form.editor("n").set_value(-(2**63))
    assert form.wave_text() == "-9223372036854775808"


def test_floats_accept_numbers_and_the_special_values(qtbot: Any) -> None:
    form = _form(qtbot, ("a", F64), ("b", F32))
    a, b = form.editors
    assert isinstance(a, FloatEditor)
    a.line.setText("-1.5e3")
    b.line.setText("inf")
    assert form.wave_text() == "-1500.0, inf"
    a.line.setText("nan")
    assert form.wave_text().startswith("nan")
    assert a.line.validator().validate("1.2.3", 5)[0].name == "Invalid"


def test_bool_char_and_string_editors(qtbot: Any) -> None:
    form = _form(qtbot, ("on", BOOL), ("c", CHAR), ("s", STRING))
    on, c, s = form.editors
    assert isinstance(on, BoolEditor) and isinstance(on.check, QCheckBox)
    assert isinstance(c, TextEditor) and isinstance(s, TextEditor)
    on.check.setChecked(True)
    c.line.setText("é")
    s.line.setText('say "hi"\n')
    assert form.wave_text() == "true, 'é', \"say \\\"hi\\\"\\n\""
    c.line.setText("ab")
    with pytest.raises(InputError, match="c: enter exactly one character"):
        form.values()


def test_records_are_nested_group_boxes_of_their_fields(qtbot: Any) -> None:
    outer = RecordType((("name", STRING), ("at", POINT)))
    form = _form(qtbot, ("v", outer))
    ed = form.editor("v")
    assert isinstance(ed, RecordEditor)
    inner = ed.fields["at"]
    assert isinstance(inner, RecordEditor)
    assert inner.box.parent() is not None and isinstance(inner.box, QGroupBox)
    assert ed.box.isAncestorOf(inner.box)
    assert isinstance(inner.fields["x"], IntSpinEditor)

    ed.fields["name"].set_value("home")
    inner.fields["x"].set_value(3)
    inner.fields["y"].set_value(-4)
    inner.fields["label"].set_value("door")
    assert form.values() == [{"name": "home", "at": {"x": 3, "y": -4, "label": "door"}}]
    assert form.wave_text() == '{name: "home", at: {x: 3, y: -4, label: "door"}}'


def test_options_have_a_some_check_box_around_the_payload(qtbot: Any) -> None:
    form = _form(qtbot, ("v", OptionType(U32)))
    ed = form.editor("v")
    assert isinstance(ed, OptionEditor)
    assert not ed.inner.isEnabled()
    assert form.wave_text() == "none"

    ed.some.setChecked(True)
    assert ed.inner.isEnabled()
    ed.inner.set_value(5)
    assert form.values() == [Some(5)]
    assert form.wave_text() == "some(5)"


def test_variants_pick_a_case_and_edit_its_payload(qtbot: Any) -> None:
    form = _form(qtbot, ("v", SHAPE))
    ed = form.editor("v")
    assert isinstance(ed, VariantEditor) and isinstance(ed.combo, QComboBox)
    assert [ed.combo.itemText(i) for i in range(ed.combo.count())] == ["circle", "rect", "empty"]

    ed.combo.setCurrentText("rect")
    assert isinstance(ed.payloads["rect"], RecordEditor)
    assert ed.stack.currentWidget() is ed.payloads["rect"]
    ed.payloads["rect"].set_value({"x": 1, "y": 2, "label": "r"})
    assert form.wave_text() == 'rect({x: 1, y: 2, label: "r"})'

    ed.combo.setCurrentText("empty")
    assert not ed.stack.isVisibleTo(ed)
    assert form.values() == [Variant("empty")]
    assert form.wave_text() == "empty"


def test_enums_results_and_flags(qtbot: Any) -> None:
    form = _form(qtbot, ("c", COLOR), ("r", ResultType(U64, STRING)), ("p", PERMS), ("u", ResultType(None, None)))
    c, r, p, u = form.editors
    assert isinstance(c, EnumEditor) and isinstance(r, ResultEditor) and isinstance(p, FlagsEditor)

    c.combo.setCurrentText("blue")
    r.payloads["ok"].set_value(2**64 - 1)  # type: ignore[union-attr]
    p.checks["read"].setChecked(True)
    p.checks["exec"].setChecked(True)
    assert form.values() == ["blue", Ok(2**64 - 1), frozenset({"read", "exec"}), Ok(None)]
    assert form.wave_text() == "blue, ok(18446744073709551615), {read, exec}, ok"

    r.combo.setCurrentText("err")
    r.payloads["err"].set_value("nope")  # type: ignore[union-attr]
    u.combo.setCurrentText("err")
    assert form.values()[1] == Err("nope")
    assert form.values()[3] == Err(None)
    assert form.wave_text() == 'blue, err("nope"), {read, exec}, err'


def test_lists_add_and_remove_rows(qtbot: Any) -> None:
    form = _form(qtbot, ("v", ListType(U32)))
    ed = form.editor("v")
    assert isinstance(ed, ListEditor)
    assert form.wave_text() == "[]"

    for _ in range(3):
        qtbot.mouseClick(ed.add_button, Qt.MouseButton.LeftButton)
    for row, value in zip(ed.rows, (1, 2, 3)):
        row.set_value(value)
    assert form.wave_text() == "[1, 2, 3]"

    ed.remove_row(1)
    assert form.values() == [[1, 3]]
    assert form.wave_text() == "[1, 3]"
    assert ed.rows[1].path == "v[1]"


def test_byte_lists_and_tuples(qtbot: Any) -> None:
    form = _form(qtbot, ("b", BYTES), ("t", TupleType((U8, STRING))))
    b, t = form.editors
    assert isinstance(t, TupleEditor)
    b.set_value(b"\x01\xff")  # type: ignore[attr-defined]
    assert isinstance(b.rows[0], IntSpinEditor)  # type: ignore[attr-defined]
    t.set_value((7, "x"))
    assert form.values() == [b"\x01\xff", (7, "x")]
    assert form.wave_text() == '[1, 255], (7, "x")'


def test_nested_lists_of_options_of_variants(qtbot: Any) -> None:
    form = _form(qtbot, ("v", ListType(OptionType(SHAPE))))
    ed = form.editor("v")
    ed.set_value([Some(Variant("rect", {"x": 3, "y": -4, "label": "box"})), None, Some(Variant("circle", 2.5))])
    assert form.wave_text() == '[some(rect({x: 3, y: -4, label: "box"})), none, some(circle(2.5))]'


# --- the tab, on a real worker ------------------------------------------------------------------


def _view(qtbot: Any, desk: Desk, ops: Operations, ref: str = "counter/w1") -> QtInvokeView:
    view = QtInvokeView(Invocations(desk.workers, desk.components), ops)
    qtbot.addWidget(view)
    view.resize(900, 600)
    view.show()
    with qtbot.waitSignal(view.loaded, timeout=10000):
        view.show_worker(ref)
    return view


def test_functions_come_from_the_workers_version_without_snapshot_exports(qtbot: Any, gui_desk: Desk, gui_ops: Operations) -> None:
    view = _view(qtbot, gui_desk, gui_ops, "counter/w2")
    names = [f.name for f in view.functions]
    assert names == ["increment", "get", "boom", "spin"]
    assert view.function_combo.currentText() == "increment"
    assert "func(by: u32) -> u64" in view.signature_label.text()


def test_invoking_through_the_form_records_an_invocation_and_shows_the_result(
    qtbot: Any, gui_desk: Desk, gui_ops: Operations
) -> None:
    view = _view(qtbot, gui_desk, gui_ops)
    before = gui_desk.workers.get("counter/w1")["invocationCount"]
    by = view.form.editor("by")
    assert isinstance(by, IntLineEditor)  # u32 is wider than a spin box
    by.line.setText("30")

    with qtbot.waitSignal(view.invoked, timeout=10000) as blocker:
        qtbot.mouseClick(view.invoke_button, Qt.MouseButton.LeftButton)

    assert blocker.args[0].result_wave == "42"
    assert view.result_edit.text() == "42"
    assert "history entry" in view.result_meta.text()
    assert view.error == ""
    assert gui_desk.workers.get("counter/w1")["invocationCount"] == before + 1
    assert gui_desk.workers.oplog("counter/w1")[-1].data["args"] == ["30"]


def test_wave_mode_stays_in_sync_with_the_form(qtbot: Any, gui_desk: Desk, gui_ops: Operations) -> None:
    view = _view(qtbot, gui_desk, gui_ops)
    view.form.editor("by").set_value(9)

    # Form -> WAVE
    view.set_wave_mode(True)
    assert view.wave_edit.isVisibleTo(view) and not view.form_scroll.isVisibleTo(view)
    assert view.wave_edit.toPlainText() == "9"

    # WAVE -> form
    view.wave_edit.setPlainText("11")
    view.set_wave_mode(False)
    assert view.form.values() == [11]

    # A mistake keeps the WAVE text and says where it is
    view.set_wave_mode(True)
    view.wave_edit.setPlainText("-3")
    view.set_wave_mode(False)
    assert view.wave_toggle.isChecked()
    assert view.error.startswith("argument by (u32): at column 1: expected u32")

    # Invoking straight from WAVE text
    view.wave_edit.setPlainText("1")
    with qtbot.waitSignal(view.invoked, timeout=10000):
        view.invoke()
    assert view.result_edit.text() == "13"


def test_errors_are_shown_inline_on_one_line(qtbot: Any, gui_desk: Desk, gui_ops: Operations) -> None:
    view = _view(qtbot, gui_desk, gui_ops)

    # A value that is not one yet never reaches the worker
    view.form.editor("by").line.setText("")  # type: ignore[attr-defined]
    assert view.invoke() is None
    assert view.error.startswith("by:")

    # A trap comes back as one red line
    view.select_function("boom")
    with qtbot.waitSignal(view.invoke_failed, timeout=10000):
        view.invoke()
    assert "trapped" in view.error
    assert "\n" not in view.error
    assert view.error_label.property("role") == "error"
    assert view.result_edit.text() == ""
    assert gui_desk.workers.get("counter/w1")["failedInvocationCount"] == 1


def test_a_read_only_desk_cannot_invoke(qtbot: Any, gui_home: Any, gui_ops: Operations) -> None:
    from domain.bootstrap import open_desk

    desk = open_desk(gui_home, read_only=True)
    try:
        view = _view(qtbot, desk, gui_ops)
        assert not view.invoke_button.isEnabled()
        assert view.invoke() is None
    finally:
        gui_ops.wait_idle()
        desk.close()


def test_line_edits_show_invalid_input(qtbot: Any) -> None:
    ed = editor_for(CHAR)
    qtbot.addWidget(ed)
    assert isinstance(ed.line, QLineEdit)  # type: ignore[attr-defined]
    # An untouched field starts empty and unmarked; emptied, it is marked.
    assert ed.line.text() == "" and not ed.line.property("invalid")  # type: ignore[attr-defined]
    ed.line.setText("x")  # type: ignore[attr-defined]
    ed.line.setText("")  # type: ignore[attr-defined]
    assert ed.line.property("invalid") is True  # type: ignore[attr-defined]
    ed.line.setText("x")  # type: ignore[attr-defined]
    assert ed.line.property("invalid") is False  # type: ignore[attr-defined]
    assert isinstance(editor_for(U8).spin, QSpinBox)  # type: ignore[attr-defined]


# --- no accidental invocations ---------------------------------------------------------------------


def _active(qtbot: Any, window: Any) -> Any:
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window, timeout=5000)
    return window


def _ctrl_i(qtbot: Any, window: Any) -> None:
    qtbot.keyClick(QApplication.focusWidget() or window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)


def _invoking(window: Any) -> list[str]:
    return [op.title for op in window.ops.running if op.title.startswith("Invoking")]


def _recorded(desk: Desk, ref: str = "counter/w1") -> list[Any]:
    """The calls in the worker's history: (function, arguments)."""
    return [(e.data["function"], e.data["args"]) for e in desk.workers.oplog(ref) if e.kind.startswith("invocation")]


def test_argument_fields_start_empty_and_an_empty_field_is_an_error(qtbot: Any) -> None:
    for type_ in (U8, S32, U32, S64, F32, F64, CHAR):
        ed = editor_for(type_, "n")
        qtbot.addWidget(ed)
        field = ed.spin if isinstance(ed, IntSpinEditor) else ed.line  # type: ignore[attr-defined]
        assert field.text() == "", type_
        with pytest.raises(InputError, match="^n: enter"):
            ed.value()
    spin = editor_for(U8, "n")
    qtbot.addWidget(spin)
    spin.set_value(0)
    assert spin.value() == 0 and spin.spin.text() == "0"  # type: ignore[attr-defined]
    spin.spin.lineEdit().clear()  # type: ignore[attr-defined]
    with pytest.raises(InputError, match="n: enter a whole number from 0 to 255"):
        spin.value()


def test_ctrl_i_focuses_the_first_argument_and_enter_invokes_what_was_typed(
    qtbot: Any, windows: Any, gui_desk: Desk
) -> None:
    window = _active(qtbot, windows.open(gui_desk))
    window.navigator.select_key("worker:counter/w1")
    view = window.worker_page.invoke
    before = _recorded(gui_desk)

    _ctrl_i(qtbot, window)
    qtbot.waitUntil(lambda: view.has_loaded, timeout=10000)

    field = view.form.editor("by").line  # type: ignore[attr-defined]
    assert QApplication.focusWidget() is field
    assert field.text() == ""
    qtbot.keyClicks(field, "5")
    with qtbot.waitSignal(view.invoked, timeout=10000) as blocker:
        qtbot.keyClick(field, Qt.Key.Key_Return)
    assert blocker.args[0].result_wave == "17"
    assert _recorded(gui_desk) == before + [("golem:component/api.{increment}", ["5"])]


def test_keys_typed_while_the_form_loads_land_in_the_first_argument(qtbot: Any, windows: Any, gui_desk: Desk) -> None:
    window = _active(qtbot, windows.open(gui_desk))
    window.navigator.select_key("worker:counter/w1")
    view = window.worker_page.invoke
    before = _recorded(gui_desk)

    # Typed straight after Ctrl+I, before the event loop could deliver the form
    _ctrl_i(qtbot, window)
    assert not view.has_loaded
    qtbot.keyClicks(QApplication.focusWidget(), "42")
    with qtbot.waitSignal(view.invoked, timeout=10000):
        qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)

    field = view.form.editor("by").line  # type: ignore[attr-defined]
    assert QApplication.focusWidget() is field and field.text() == "42"
    assert _recorded(gui_desk) == before + [("golem:component/api.{increment}", ["42"])]


def test_enter_in_an_empty_field_shows_an_error_and_records_nothing(
    qtbot: Any, windows: Any, gui_desk: Desk
) -> None:
    window = _active(qtbot, windows.open(gui_desk))
    window.navigator.select_key("worker:counter/w1")
    view = window.worker_page.invoke
    before = _recorded(gui_desk)
    window.focus_invoke()
    qtbot.waitUntil(lambda: view.has_loaded, timeout=10000)
    field = QApplication.focusWidget()
    assert field is view.form.editor("by").line  # type: ignore[attr-defined]

    qtbot.keyClick(field, Qt.Key.Key_Return)
    with qtbot.assertNotEmitted(view.invoked, wait=300):
        qtbot.keyClick(field, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)

    assert view.error == "by: enter a whole number from 0 to 4294967295"
    assert view.error_label.isVisible()
    assert not _invoking(window)
    assert _recorded(gui_desk) == before


def test_enter_invokes_only_a_one_line_form(qtbot: Any, windows: Any, gui_desk: Desk) -> None:
    window = _active(qtbot, windows.open(gui_desk))
    window.navigator.select_key("worker:counter/w1")
    view = window.worker_page.invoke
    window.focus_invoke()
    qtbot.waitUntil(lambda: view.has_loaded, timeout=10000)
    assert view.is_one_line()  # increment(by: u32)

    # No arguments: the focus is on Invoke, and Enter invokes
    view.select_function("get")
    assert view.is_one_line()
    view.focus_form()
    assert QApplication.focusWidget() is view.invoke_button
    with qtbot.waitSignal(view.invoked, timeout=10000) as blocker:
        qtbot.keyClick(view.invoke_button, Qt.Key.Key_Return)
    assert blocker.args[0].function == "golem:component/api.{get}"

    # Several arguments, or one that is not a single line: Enter moves on, it does not invoke
    before = _recorded(gui_desk)
    for params in ((("a", U32), ("b", U32)), (("p", POINT),)):
        view.form.set_function(FunctionSignature("golem:component/api", "f", tuple(Param(n, t) for n, t in params)))
        assert not view.is_one_line()
        view.form.focus_first()
        first = QApplication.focusWidget()
        assert first is not None and view.form.isAncestorOf(first)
        qtbot.keyClicks(first, "1")
        with qtbot.assertNotEmitted(view.invoked, wait=200):
            qtbot.keyClick(first, Qt.Key.Key_Return)
        assert view.error == "" and not _invoking(window)
    assert _recorded(gui_desk) == before
