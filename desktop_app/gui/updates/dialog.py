"""The point-and-click upgrade: pick a version and a mode, check, try, then update.

Over 400 lines: one dialog whose steps (reading the workers, the report, the
dry run, the queue of updates, closing when the running step is done) share
one state and one set of controls.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.updates.jobs import (
    CompatGroup,
    Preflight,
    _compatibility,
    _preflight,
)
from desktop_app.gui.updates.parts import Body, ReportView, side_by_side
from desktop_app.gui.updates.texts import (
    FAIL_COLOUR,
    MODE_HELP,
    OK_COLOUR,
    compatibility_html,
    confirmation_text,
    describe_result,
    esc,
    mode_blockers,
    version_label,
    written_html,
)
from desktop_app.gui.widgets.ops import Op, Operations
from desktop_app.gui.widgets.outcomes import updated
from domain.model.labels import mode_word
from domain.services.bulk import BulkRun, BulkUpdates, WorkerResult
from domain.services.components import Components, VersionInfo
from domain.services.workers import Workers

REPORT_TITLE = "Compatibility (nothing has been written)"
WRITTEN_TITLE = "What was written"
RESULT_ROWS_SHOWN = 6  # the bulk results table always has room for this many of its rows (it scrolls beyond)
# --------------------------------------------------------------------------- the dialog


class QtUpdateDialog(QDialog):
    """Update one or several workers to another component version, with checks first."""

    preflight_ready = Signal()
    report_ready = Signal()
    dry_run_finished = Signal(list)
    worker_finished = Signal(object)
    update_finished = Signal(list)
    entry_link_activated = Signal(str, int)  # worker ref, history entry: the divergence's entry, to look at

    def __init__(
        self, workers: Workers, components: Components, ops: Operations, refs: list[str], parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._workers = workers
        self._components = components
        self._ops = ops
        self.refs = list(refs)
        self.bulk = len(self.refs) > 1
        self._preflight: Preflight | None = None
        self._versions: dict[int, VersionInfo] = {}
        self._running: Op | None = None
        self._running_cancellable = False
        self._bulk: BulkRun | None = None  # the update running, worker by worker
        self._results: list[WorkerResult] = []
        self._close_pending = False
        self._report_op: Op | None = None
        self._dry_run_choice: tuple[int, str] | None = None
        self._dry_run_of: tuple[int, str] | None = None  # the choice the shown results are a dry run of
        self._has_choices = False
        self._report_known = False  # the report shown is the one for the chosen target
        self._disarmed = False  # after an update: no target until the user picks one
        self._blockers: dict[str, str] = {}  # mode -> why the report rules it out
        self.setWindowTitle("Update workers" if self.bulk else f"Update {self.refs[0] if self.refs else ''}")
        self.setMinimumWidth(680)

        self.header = QLabel("Reading the workers…", self)
        self.header.setWordWrap(True)

        self.version_combo = QComboBox(self)
        self.version_combo.setMinimumContentsLength(40)
        self.version_combo.setPlaceholderText("Choose a target version")
        self.auto_radio = QRadioButton("Automatic (replay the history)", self)
        self.manual_radio = QRadioButton("Manual (state snapshot)", self)
        self.auto_radio.setChecked(True)
        self._modes = QButtonGroup(self)
        self._modes.addButton(self.auto_radio)
        self._modes.addButton(self.manual_radio)
        auto_help = self._help_label(MODE_HELP["auto"])
        manual_help = self._help_label(MODE_HELP["manual"])
        self.auto_reason = self._reason_label()
        self.manual_reason = self._reason_label()
        modes = QVBoxLayout()
        modes.setSpacing(2)
        for radio, reason, help_label in (
            (self.auto_radio, self.auto_reason, auto_help),
            (self.manual_radio, self.manual_reason, manual_help),
        ):
            row = QHBoxLayout()
            row.addWidget(radio)
            row.addWidget(reason, 1)
            modes.addLayout(row)
            modes.addWidget(help_label)
        form = QFormLayout()
        form.addRow("Target version:", self.version_combo)
        form.addRow("Mode:", modes)

        self.report = ReportView(self)
        self.report.setMinimumHeight(120)
        self.report.setPlaceholderText("The compatibility report appears here.")
        self.report_box = QGroupBox(REPORT_TITLE, self)
        QVBoxLayout(self.report_box).addWidget(self.report)

        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        self.divergence, self.divergence_where, self.expected, self.actual = side_by_side(self)
        self.divergence.hide()
        self._divergent_ref: str | None = None
        self.divergence_where.setTextFormat(Qt.TextFormat.RichText)
        self.divergence_where.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.divergence_where.linkActivated.connect(self._on_divergence_link)
        self.divergence_where.setToolTip("Click the entry to see it in the worker's history")
        self.results_table = QTableWidget(0, 3, self)
        self.results_table.setHorizontalHeaderLabels(["Worker", "Outcome", "Details"])
        self.results_table.verticalHeader().setVisible(False)
        self.results_table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.results_table.setWordWrap(True)
        rh = self.results_table.horizontalHeader()
        rh.setSectionResizeMode(0, QHeaderView.ResizeMode.ResizeToContents)
        rh.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        rh.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        # Rows follow their wrapped text; the table keeps room for its first rows whatever else is shown.
        self._table_sizer = self._soon(self._size_results_table)
        self.results_table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.results_table.verticalHeader().sectionResized.connect(lambda *_: self._table_sizer.start())
        self._fitter = self._soon(self.fit_to_contents)
        self.results_table.setVisible(self.bulk)
        self.stop_on_failure = QCheckBox("Stop on first failure", self)
        self.stop_on_failure.setChecked(True)
        self.stop_on_failure.setVisible(self.bulk)
        self.progress = QProgressBar(self)
        self.progress.setTextVisible(False)
        self.progress.hide()
        self.status = QLabel(self)
        self.status.setWordWrap(True)

        self.dry_run_button = QPushButton("Dry run", self)
        self.dry_run_button.setToolTip("Run the whole update on scratch copies; nothing is written")
        self.update_button = QPushButton(f"Update {len(self.refs):,} workers…" if self.bulk else "Update…", self)
        self.update_button.setToolTip("Write the update, after a confirmation")
        # Enter runs a dry run; a real update only ever follows a click and a confirmation.
        self.dry_run_button.setDefault(True)
        self.update_button.setAutoDefault(False)
        self.cancel_button = QPushButton("Stop dry run", self)
        self.cancel_button.hide()
        self.close_button = QPushButton("Close", self)
        buttons = QHBoxLayout()
        buttons.addWidget(self.stop_on_failure)
        buttons.addStretch(1)
        buttons.addWidget(self.dry_run_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.update_button)
        buttons.addWidget(self.close_button)

        content = QWidget(self)
        body = QVBoxLayout(content)
        body.setContentsMargins(0, 0, 0, 0)
        body.addWidget(self.header)
        body.addLayout(form)
        body.addWidget(self.report_box, 1)
        body.addWidget(self.result_label)
        body.addWidget(self.divergence)
        body.addWidget(self.results_table, 1)
        self.body = Body(self)
        self.body.setFrameShape(QFrame.Shape.NoFrame)
        self.body.setWidgetResizable(True)
        self.body.setWidget(content)
        self._size_results_table()

        layout = QVBoxLayout(self)
        layout.addWidget(self.body, 1)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

        self.version_combo.currentIndexChanged.connect(self._on_choice_changed)
        self.auto_radio.toggled.connect(self._on_mode_changed)
        self.dry_run_button.clicked.connect(self.dry_run)
        self.update_button.clicked.connect(self.confirm_and_update)
        self.cancel_button.clicked.connect(self._cancel_dry_run)
        self.close_button.clicked.connect(self.reject)
        self._sync_controls()
        self._load_preflight()

    # -- public -----------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return self._running is not None

    @property
    def results(self) -> list[WorkerResult]:
        return list(self._results)

    def mode(self) -> str:
        return "auto" if self.auto_radio.isChecked() else "manual"

    def set_mode(self, mode: str) -> None:
        (self.auto_radio if mode.startswith("auto") else self.manual_radio).setChecked(True)

    def target(self) -> int | None:
        data = self.version_combo.currentData()
        return None if data is None else int(data)

    def set_target(self, version: int) -> None:
        i = self.version_combo.findData(version)
        if i >= 0:
            self.version_combo.setCurrentIndex(i)

    def report_text(self) -> str:
        return self.report.toPlainText()

    def dry_run(self) -> Op | None:
        """Try the update on scratch copies and show what would happen."""
        target = self.target()
        if self.running or target is None or self._refuse_blocked_mode():
            return None
        self._clear_result()
        self._dry_run_choice = (target, self.mode())
        run = BulkUpdates(self._workers).start(list(self.refs), self.mode(), target, stop_on_failure=False, dry_run=True)
        op = Op("Dry run", run.run)
        op.done_words = _dry_run_words
        op.succeeded.connect(self._on_dry_run)
        op.failed.connect(self._on_op_failed)
        op.cancelled.connect(self._on_dry_run_cancelled)
        op.progressed.connect(self._on_progress)
        op.finished.connect(self._on_run_finished)
        self.status.setText("Dry run in progress…")
        return self._start(op, cancellable=True)

    def confirm_and_update(self) -> bool:
        """Say what the update will do, and run it only if the user agrees. Returns whether it started."""
        target, mode = self.target(), self.mode()
        if self.running or target is None or self._preflight is None or self._refuse_blocked_mode():
            return False
        dry = self._results if self._dry_run_of == (target, mode) else None
        if not self.confirm(confirmation_text(self._preflight.workers, mode, target, dry)):
            self.status.setText("Update not confirmed. Nothing was written.")
            return False
        if self.running or (self.target(), self.mode()) != (target, mode):
            return False
        return self.start_update()

    def confirm(self, text: str) -> bool:
        """Ask the user to confirm ``text``; Cancel is the default answer."""
        box = QMessageBox(self)
        box.setWindowTitle(self.windowTitle())
        downgrade = "downgrade" in text
        box.setIcon(QMessageBox.Icon.Warning if downgrade else QMessageBox.Icon.Question)
        question, _, details = text.partition("\n")
        box.setText(question)
        box.setInformativeText(details.strip())
        update = box.addButton("Downgrade" if downgrade else "Update", QMessageBox.ButtonRole.AcceptRole)
        cancel = box.addButton(QMessageBox.StandardButton.Cancel)
        box.setDefaultButton(cancel)
        box.setEscapeButton(cancel)
        box.exec()
        return box.clickedButton() is update

    def start_update(self) -> bool:
        """Update the workers one by one, in the background, without asking (the Update button asks first)."""
        target = self.target()
        if self.running or target is None or self._refuse_blocked_mode():
            return False
        self._dry_run_of = None
        self._clear_result()
        self._results = []
        self._bulk = BulkUpdates(self._workers).start(
            list(self.refs), self.mode(), target, stop_on_failure=self.bulk and self.stop_on_failure.isChecked()
        )
        self.results_table.setRowCount(0)
        self._next_update()
        return True

    # -- preflight and report -----------------------------------------------------------

    def _load_preflight(self) -> None:
        op = Op("Reading workers", _preflight, self._workers, self._components, list(self.refs))
        op.background = True
        op.succeeded.connect(self._on_preflight)
        op.failed.connect(self._on_preflight_failed)
        self._submit(op)

    def _on_preflight(self, pf: Preflight) -> None:
        self._preflight = pf
        self._versions = {v.version: v for v in pf.versions}
        current = {w.version for w in pf.workers}
        if self.bulk:
            listing = ", ".join(f"{w.ref} (version {w.version})" for w in pf.workers)
            self.header.setText(f"<b>Update {len(pf.workers):,} workers</b>: {esc(listing)}")
        elif pf.workers:
            w = pf.workers[0]
            self.header.setText(f"<b>{esc(w.ref)}</b> runs version {w.version} of component {esc(w.component)}.")
        previous = self.target()
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        for v in pf.versions:
            self.version_combo.addItem(version_label(v, current, self.bulk), v.version)
            self.version_combo.setItemData(
                self.version_combo.count() - 1, f"sha256 {v.sha256}\nadded {v.added_at}", Qt.ItemDataRole.ToolTipRole
            )
        model = self.version_combo.model()
        if not self.bulk and isinstance(model, QStandardItemModel):
            for i in range(model.rowCount()):
                item = model.item(i)
                if item is not None and item.data(Qt.ItemDataRole.UserRole) in current:
                    item.setEnabled(False)
        choices = [v.version for v in pf.versions if self.bulk or v.version not in current]
        self._has_choices = bool(choices)
        if self._disarmed:
            choice = None  # after an update the user picks the next target, if any
        elif previous in choices:
            choice = previous
        elif choices:
            choice = max(choices)
        else:
            choice = None
        self.version_combo.setCurrentIndex(-1 if choice is None else self.version_combo.findData(choice))
        self.version_combo.blockSignals(False)
        self._sync_controls()
        if not choices and not self._disarmed:
            self.report.setPlainText("This component has no other version to update to.")
        self.preflight_ready.emit()
        self._request_report()

    def _on_preflight_failed(self, message: str) -> None:
        self.header.setText(f"<span style='color:{FAIL_COLOUR}'>{esc(message)}</span>")
        self._preflight = None
        self._sync_controls()

    def _on_choice_changed(self) -> None:
        if self._disarmed:
            self._disarmed = False
            self.report_box.setTitle(REPORT_TITLE)
            self.results_table.setRowCount(0)
        self._clear_result()
        self._request_report()

    def _on_mode_changed(self) -> None:
        if not self._disarmed:
            self._clear_result()
        self._sync_controls()

    def _request_report(self) -> None:
        target = self.target()
        self._report_known = False
        self._set_blockers({})
        if self._preflight is None or target is None:
            return
        self.report.setPlainText("Comparing versions…")
        op = Op("Checking compatibility", _compatibility, self._workers, list(self._preflight.workers), target)
        op.background = True
        op.succeeded.connect(self._on_report)
        op.failed.connect(self._on_report_failed)
        self._report_op = op
        self._submit(op)

    def _on_report(self, groups: list[CompatGroup]) -> None:
        if self.sender() is not self._report_op or self.target() is None:
            return
        self.report.setHtml(compatibility_html(groups, self._versions))
        self._report_known = True
        self._set_blockers(mode_blockers(groups, len(self.refs)))
        self.report_ready.emit()

    def _set_blockers(self, blockers: dict[str, str]) -> None:
        """Disable the modes the report rules out, say why beside them, and leave a possible one chosen."""
        self._blockers = blockers
        for mode, reason in (("auto", self.auto_reason), ("manual", self.manual_reason)):
            reason.setText(blockers.get(mode, ""))
            reason.setVisible(mode in blockers)
        current = self.mode()
        other = "manual" if current == "auto" else "auto"
        if current in blockers and other not in blockers:
            self.set_mode(other)
        self._sync_controls()

    def _refuse_blocked_mode(self) -> bool:
        reason = self._blockers.get(self.mode())
        if reason is not None:
            self.status.setText(f"{mode_word(self.mode()).capitalize()} update: {reason}")
        return reason is not None

    def _on_report_failed(self, message: str) -> None:
        if self.sender() is self._report_op and self.target() is not None:
            self.report.setPlainText(message)
            self._report_known = True
            self._sync_controls()

    # -- dry run ------------------------------------------------------------------------

    def _on_dry_run(self, results: list[WorkerResult]) -> None:
        self._end_run()
        self.status.setText("")
        self._results = results
        self._dry_run_of = self._dry_run_choice
        self._show_results(results)
        self.dry_run_finished.emit(results)

    def _on_dry_run_cancelled(self) -> None:
        self.status.setText("Dry run stopped. Nothing was written.")

    def _cancel_dry_run(self) -> None:
        if self._running is not None:
            self._running.cancel()

    # -- update -------------------------------------------------------------------------

    def _next_update(self) -> None:
        bulk = self._bulk
        ref = None if bulk is None else bulk.next_ref
        if bulk is None or ref is None or self._close_pending:
            self._finish_update()
            return
        done = len(self._results)
        op = Op(f"Updating {ref}", bulk.step)
        op.done_words = updated(ref)
        op.setProperty("ref", ref)
        op.succeeded.connect(self._on_step)
        op.failed.connect(self._on_op_failed)
        op.progressed.connect(self._on_progress)
        op.finished.connect(self._on_update_step_finished)
        self.status.setText(
            f"Updating {ref} ({done + 1:,} of {len(self.refs):,})…" if self.bulk else f"Updating {ref}…"
        )
        self._start(op, changes=(f"worker:{ref}", "audit", "workers"))

    def _on_step(self, results: list[WorkerResult]) -> None:
        """The worker's result, then those not attempted because it failed."""
        for result in results:
            self._results.append(result)
            self._add_result_row(result)
            if not result.skipped:
                self.worker_finished.emit(result)

    def _on_update_step_finished(self) -> None:
        self._running = None
        self._next_update()

    def _finish_update(self) -> None:
        self._bulk = None
        self._running = None
        self.status.setText("")
        self._show_results(self._results, table=False)
        if self._results:
            self._disarm()
        self._set_running(False)
        self.update_finished.emit(list(self._results))
        if self._close_pending:
            super().reject()
            return
        self._load_preflight()

    def _disarm(self) -> None:
        """After an update: no target is chosen, and the report box says what was written."""
        self._disarmed = True
        self._report_op = None
        self._report_known = False
        self._set_blockers({})
        self.version_combo.blockSignals(True)
        self.version_combo.setCurrentIndex(-1)
        self.version_combo.blockSignals(False)
        self.report_box.setTitle(WRITTEN_TITLE)
        self.report.setHtml(written_html(self._results))

    # -- running state ------------------------------------------------------------------

    def _start(self, op: Op, changes: tuple[str, ...] = (), cancellable: bool = False) -> Op:
        self._running = op
        self._running_cancellable = cancellable
        self._set_running(True)
        self.cancel_button.setVisible(cancellable)
        self.progress.setRange(0, 0)
        self.progress.show()
        return self._submit(op, changes)

    def _on_run_finished(self) -> None:
        if self.sender() is self._running:
            self._end_run()

    def _end_run(self) -> None:
        self._running = None
        self._set_running(False)
        if self._close_pending:
            super().reject()

    def _on_op_failed(self, message: str) -> None:
        self.status.setText("")
        self.result_label.setText(f"<span style='color:{FAIL_COLOUR}'>{esc(message)}</span>")
        self.result_label.show()

    def _on_progress(self, done: int, total: int) -> None:
        if total > 0:
            self.progress.setRange(0, total)
            self.progress.setValue(done)

    def _set_running(self, running: bool) -> None:
        self._sync_controls()
        if not running:
            self.cancel_button.hide()
        self.progress.setVisible(running)
        self.close_button.setText("Close" if not running else "Close when done")

    def _sync_controls(self) -> None:
        """Enable what can be used now: nothing while running, and Update only once the report is in."""
        ready = self._running is None and self._preflight is not None
        armed = ready and self.target() is not None
        possible = self.mode() not in self._blockers
        self.version_combo.setEnabled(ready and self._has_choices)
        self.stop_on_failure.setEnabled(ready)
        self.auto_radio.setEnabled(armed and "auto" not in self._blockers)
        self.manual_radio.setEnabled(armed and "manual" not in self._blockers)
        self.dry_run_button.setEnabled(armed and possible)
        self.update_button.setEnabled(armed and possible and self._report_known)

    def reject(self) -> None:
        """Close now, or, while an update runs, as soon as the running worker is done."""
        if self._running is None:
            super().reject()
            return
        self._close_pending = True
        if self._bulk is not None:
            self._bulk.stop()
        if self._running_cancellable:
            self._running.cancel()
        self.close_button.setEnabled(False)
        self.status.setText("Closing when the running step finishes; no further worker will be updated.")

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fitter.start()

    def fit_to_contents(self) -> None:
        """Grow (never shrink) until the content shows without scrolling, as far as the screen allows."""
        content = self.body.widget()
        if content is None or not self.isVisible():
            return
        content.layout().activate()
        width = self.body.viewport().width()
        need = content.heightForWidth(width) if content.hasHeightForWidth() else -1
        need = max(need, content.sizeHint().height(), content.minimumSizeHint().height())
        extra = need - self.body.viewport().height()
        if extra <= 0:
            return
        screen = self.screen().availableGeometry()
        frame = self.frameGeometry().height() - self.height()
        height = min(self.height() + extra, screen.height() - frame)
        if height <= self.height():
            return
        self.resize(self.width(), height)
        geometry = self.frameGeometry()
        if geometry.bottom() > screen.bottom():
            self.move(geometry.left(), max(screen.top(), screen.bottom() + 1 - geometry.height()))

    def closeEvent(self, event: QCloseEvent) -> None:
        if self._running is not None:
            event.ignore()
            self.reject()
            return
        super().closeEvent(event)

    # -- results ------------------------------------------------------------------------

    def _clear_result(self) -> None:
        self._dry_run_of = None
        self.status.clear()
        self.result_label.clear()
        self.result_label.hide()
        self.divergence.hide()

    def _show_results(self, results: list[WorkerResult], table: bool = True) -> None:
        if not results:
            return
        self.result_label.show()
        self._fitter.start()
        if self.bulk:
            ok = sum(r.ok for r in results)
            failed = sum(not r.ok and not r.skipped for r in results)
            skipped = sum(r.skipped for r in results)
            dry = any(r.outcome is not None and r.outcome.dry_run for r in results)
            verb = "would succeed" if dry else "succeeded"
            summary = f"{ok:,} of {len(results):,} {verb}"
            if failed:
                summary += f", {failed} {'would fail' if dry else 'failed or rejected'}"
            if skipped:
                summary += f", {skipped} not attempted"
            colour = OK_COLOUR if not failed else FAIL_COLOUR
            self.result_label.setText(f"<b style='color:{colour}'>{esc(summary)}.</b>")
            if table:
                self.results_table.setRowCount(0)
                for r in results:
                    self._add_result_row(r)
        else:
            r = results[0]
            colour = OK_COLOUR if r.ok else FAIL_COLOUR
            mark = "✔" if r.ok else "✘"
            self.result_label.setText(f"<span style='color:{colour}'>{mark}</span> {esc(describe_result(r))}")
        divergent = next((r for r in results if r.outcome is not None and r.outcome.divergence), None)
        if divergent is not None and divergent.outcome is not None and divergent.outcome.divergence:
            d = divergent.outcome.divergence
            self._divergent_ref = divergent.ref
            self.divergence_where.setText(
                f"{esc(divergent.ref)} diverges at <a href='entry:{esc(d.get('entry'))}'>entry <b>#{esc(d.get('entry'))}</b></a> · "
                f"{esc(d.get('function'))} · kind {esc(d.get('kind'))}"
            )
            self.expected.setPlainText(str(d.get("expected")))
            self.actual.setPlainText(str(d.get("actual")))
            self.divergence.show()

    def _on_divergence_link(self, link: str) -> None:
        kind, _, value = link.partition(":")
        if kind == "entry" and value.isdigit() and self._divergent_ref:
            self.entry_link_activated.emit(self._divergent_ref, int(value))

    def _add_result_row(self, r: WorkerResult) -> None:
        row = self.results_table.rowCount()
        self.results_table.insertRow(row)
        status = QTableWidgetItem(r.status)
        status.setForeground(Qt.GlobalColor.darkGreen if r.ok else (Qt.GlobalColor.darkGray if r.skipped else Qt.GlobalColor.red))
        self.results_table.setItem(row, 0, QTableWidgetItem(r.ref))
        self.results_table.setItem(row, 1, status)
        detail = QTableWidgetItem(describe_result(r))
        detail.setToolTip(describe_result(r))
        self.results_table.setItem(row, 2, detail)
        self._table_sizer.start()

    def _size_results_table(self) -> None:
        """Keep the table tall enough for its header and first rows, so results never hide behind the rest."""
        table = self.results_table
        if table.rowCount():
            rows = sum(table.rowHeight(r) for r in range(min(table.rowCount(), RESULT_ROWS_SHOWN)))
        else:
            rows = 3 * table.verticalHeader().defaultSectionSize()
        bar = table.horizontalScrollBar()
        height = table.horizontalHeader().sizeHint().height() + rows + 2 * table.frameWidth()
        height += bar.sizeHint().height() if bar.isVisible() else 0
        if height != table.minimumHeight():
            table.setMinimumHeight(height)
            self._fitter.start()

    # -- helpers ------------------------------------------------------------------------

    def _help_label(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setWordWrap(True)
        label.setIndent(24)
        label.setStyleSheet("color: palette(placeholder-text);")
        return label

    def _soon(self, slot: Callable[[], None]) -> QTimer:
        """A timer that runs ``slot`` once, from the event loop, however often it is started before then."""
        timer = QTimer(self)
        timer.setSingleShot(True)
        timer.setInterval(0)
        timer.timeout.connect(slot)
        return timer

    def _reason_label(self) -> QLabel:
        label = QLabel(self)
        label.setWordWrap(True)
        label.setStyleSheet(f"color: {FAIL_COLOUR};")
        label.hide()
        return label

    def _submit(self, op: Op, changes: tuple[str, ...] = ()) -> Op:
        return self._ops.write(op, changes=changes)


def _dry_run_words(results: list[WorkerResult]) -> str:
    """The status bar's words for a dry run of one or more workers."""
    ok = sum(1 for r in results if r.ok)
    if len(results) == 1:
        return updated(results[0].ref)([results[0]])
    return f"Dry run: {ok:,} of {len(results):,} workers would update; nothing was written"
