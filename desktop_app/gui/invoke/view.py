"""The Invoke tab: pick a function, fill in its arguments (form or WAVE), invoke, see the result.

The form and the WAVE text stay in sync: the text is always ``wave.format`` of
the form's values, and switching back from WAVE parses the text into the form.

Over 400 lines: one widget class whose parts (loading, focus hand-over while
loading, form and WAVE sync, results) all work on the same state.
"""

from __future__ import annotations

import uuid

from typing import Any

from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.invoke.editors import ONE_LINE_EDITORS
from desktop_app.gui.invoke.form import QtInvokeForm, parse_arguments
from desktop_app.gui.invoke.parts import ElidedLabel, FitScrollArea, duration_text
from desktop_app.gui.invoke.scalars import InputError
from desktop_app.gui.widgets.ops import Op, Operations
from desktop_app.gui.widgets.outcomes import invoked
from desktop_app.gui.widgets.style import mono_font, set_role
from domain.model.errors import one_line
from domain.model.types import (
    FunctionSignature,
)
from domain.services.invocation import Invocations, WorkerFunctions
from domain.services.workers import InvocationResult

# --- the tab ---------------------------------------------------------------------------


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
        self, invocations: Invocations, ops: Operations, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._invocations = invocations
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
        # Each click is one call: a retry of this op carries the same key and is not run twice.
        key = str(uuid.uuid4())
        op = Op(
            f"Invoking {sig.name} on {ref}", self._invocations.invoke_values, ref, sig.qualified_name, values, idempotency_key=key
        )
        op.setProperty("ref", ref)
        op.setProperty("idempotency_key", key)
        op.done_words = invoked(ref, sig.name)
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
        op = Op(f"Reading the functions of {self._ref}", self._invocations.functions, self._ref)
        op.succeeded.connect(self._on_loaded)
        op.failed.connect(self._on_load_failed)
        self._ops.read(op)

    @Slot(object)
    def _on_loaded(self, result: WorkerFunctions) -> None:
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
        self.result_meta.setText(f"{r.function} · took {duration_text(r.duration)} · recorded as history entry #{r.entry}")
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
        self.invoke_button.setEnabled(not self._invocations.read_only)
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
        self.invoke_button.setEnabled(not self._invocations.read_only and self._running is None)
        if self._invocations.read_only:
            self.invoke_button.setToolTip("This data folder is open read-only")

    @property
    def error(self) -> str:
        return self.error_label.full_text

    def _show_error(self, message: str) -> None:
        self.error_label.set_full_text(one_line(message) if message else "")
