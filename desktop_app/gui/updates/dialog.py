"""The point-and-click upgrade: pick a version and a mode, check, try, then update."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any, Callable

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QShowEvent, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QFrame,
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop_app.gui.widgets.formats import human_duration, human_size
from desktop_app.gui.widgets.ops import Op, OperationCancelled, Operations
from domain.model.types import ComponentDescription
from domain.services.compat import CompatibilityReport
from domain.services.components import Components, VersionInfo
from domain.services.workers import UpdateOutcome, Workers

MODE_HELP = {
    "auto": "Replays the worker's whole history on the target version; if any replayed result differs "
    "the update fails and nothing changes.",
    "manual": "Saves the worker's state with save-snapshot on its current version and loads it into the "
    "target with load-snapshot; both sides must export them.",
}
OK_COLOUR = "#1a7f37"
FAIL_COLOUR = "#c62828"
REPORT_TITLE = "Compatibility (nothing has been written)"
WRITTEN_TITLE = "What was written"
RESULT_ROWS_SHOWN = 6  # the bulk results table always has room for this many of its rows (it scrolls beyond)
REPORT_MAX_LINES = 24  # the report grows with its text up to this many lines (it scrolls beyond)


# --------------------------------------------------------------------------- background jobs


@dataclass(frozen=True)
class WorkerInfo:
    ref: str
    component: str
    version: int


@dataclass
class Preflight:
    workers: list[WorkerInfo]
    versions: list[VersionInfo]


def _preflight(workers: Workers, components: Components, refs: list[str]) -> Preflight:
    infos = []
    for ref in refs:
        w = workers.worker(ref)
        infos.append(WorkerInfo(ref, w.component_name, w.component_version))
    versions = list(components.get(infos[0].component).versions) if infos else []
    return Preflight(infos, versions)


@dataclass
class CompatGroup:
    refs: list[str]
    report: CompatibilityReport | None
    error: str | None = None


def _compatibility(workers: Workers, infos: list[WorkerInfo], target: int) -> list[CompatGroup]:
    groups: dict[tuple[str, int], CompatGroup] = {}
    for info in infos:
        key = (info.component, info.version)
        if key in groups:
            groups[key].refs.append(info.ref)
            continue
        if info.version == target:
            groups[key] = CompatGroup([info.ref], None, f"already runs version {target}")
            continue
        try:
            groups[key] = CompatGroup([info.ref], workers.compatibility(info.ref, target))
        except Exception as e:  # noqa: BLE001 - shown next to the workers it concerns
            groups[key] = CompatGroup([info.ref], None, str(e))
    return list(groups.values())


@dataclass
class WorkerResult:
    """What happened (or would happen) to one worker."""

    ref: str
    outcome: UpdateOutcome | None = None
    error: str | None = None
    skipped: bool = False

    @property
    def ok(self) -> bool:
        return self.outcome is not None and self.outcome.ok

    @property
    def status(self) -> str:
        if self.skipped:
            return "not attempted"
        if self.outcome is None:
            return "rejected"
        if self.outcome.dry_run:
            return "would succeed" if self.outcome.ok else "would fail"
        return "succeeded" if self.outcome.ok else "failed"


def _dry_runs(
    workers: Workers, refs: list[str], mode: str, target: int, progress: Callable[[int, int], None]
) -> list[WorkerResult]:
    results = []
    for i, ref in enumerate(refs):
        progress(i, len(refs))
        try:
            results.append(WorkerResult(ref, workers.dry_run(ref, mode, target, progress=_scaled(progress, i, len(refs)))))
        except OperationCancelled:
            raise
        except Exception as e:  # noqa: BLE001 - a rejected worker does not stop the others
            results.append(WorkerResult(ref, error=str(e)))
    progress(len(refs), len(refs))
    return results


def _scaled(progress: Callable[[int, int], None], i: int, n: int) -> Callable[[int, int], None]:
    def report(done: int, total: int) -> None:
        progress(i * 1000 + (1000 * done // total if total else 0), n * 1000)

    return report


def _update_one(workers: Workers, ref: str, mode: str, target: int, progress: Callable[[int, int], None]) -> UpdateOutcome:
    """Run one update; progress is shown, but an update once started runs to its end."""

    def report(done: int, total: int) -> None:
        try:
            progress(done, total)
        except OperationCancelled:
            pass

    return workers.update(ref, mode, target, progress=report)


# --------------------------------------------------------------------------- text


def _esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def _mode_word(mode: str) -> str:
    return "automatic" if mode in ("auto", "automatic") else "manual"


def describe_result(r: WorkerResult) -> str:
    """One plain paragraph about a worker's update or dry run."""
    o = r.outcome
    if r.skipped:
        return f"{r.ref}: not attempted, the bulk update stopped after a failure."
    if o is None:
        return f"{r.ref}: {r.error}. Nothing was changed."
    mode = _mode_word(o.mode)
    took = human_duration(o.duration)
    if o.dry_run:
        head = f"Dry run: the {mode} update of {o.worker} from version {o.from_version} to {o.target_version}"
        if o.ok:
            return f"{head} would succeed ({took}). Nothing was written."
        text = f"{head} would fail at stage {o.stage}: {o.reason}."
        if o.divergence:
            d = o.divergence
            text += (
                f" It diverges at entry {d.get('entry')} ({d.get('function')}, {d.get('kind')}): "
                f"expected {d.get('expected')}, actual {d.get('actual')}."
            )
        return text + " Nothing was written."
    if o.ok:
        return f"{o.worker} now runs version {o.target_version} ({mode} update from version {o.from_version}, {took})."
    text = f"The {mode} update of {o.worker} to version {o.target_version} failed at stage {o.stage}: {o.reason}."
    if mode == "manual" and o.stage == "load":
        return text + f" The worker was reverted and kept on its old version {o.from_version}, its state intact."
    return text + f" The worker was kept on its old version {o.from_version}; nothing changed."


def confirmation_text(workers: list[WorkerInfo], mode: str, target: int, dry_run: list[WorkerResult] | None) -> str:
    """What a real update is about to do, for the user to confirm: mode, workers, versions, downgrades."""
    word = _mode_word(mode)
    an = "an" if word == "automatic" else "a"
    if len(workers) == 1:
        w = workers[0]
        lines = [f"Run {an} {word} update of {w.ref} from version {w.version} to version {target}?"]
    else:
        lines = [f"Run {an} {word} update of {len(workers)} workers to version {target}?"]
        for w in workers:
            note = " (already runs it)" if w.version == target else " (downgrade)" if target < w.version else ""
            lines.append(f"  • {w.ref}: version {w.version} → {target}{note}")
    older = [w for w in workers if target < w.version]
    if older:
        if len(workers) == 1:
            lines.append(
                f"\nWarning: this is a downgrade. Version {target} is older than version {older[0].version}, "
                "which the worker runs now."
            )
        else:
            who = ", ".join(w.ref for w in older)
            lines.append(f"\nWarning: this is a downgrade for {who}: version {target} is older than the one they run now.")
    lines.append("\n" + MODE_HELP["auto" if word == "automatic" else "manual"])
    if dry_run is not None:
        ok = sum(r.ok for r in dry_run)
        if len(dry_run) == 1:
            lines.append(f"The dry run said it {'would succeed' if ok else 'would fail'}.")
        else:
            lines.append(f"The dry run said {ok} of {len(dry_run)} would succeed.")
    else:
        lines.append("No dry run was made for this choice.")
    lines.append("The update is written to the history; going back takes another update.")
    return "\n".join(lines)


def describe_written(r: WorkerResult) -> str:
    """One plain sentence about what an update wrote to a worker's history."""
    o = r.outcome
    if r.skipped:
        return f"{r.ref}: not attempted; nothing was written."
    if o is None:
        return f"{r.ref}: the update was rejected ({r.error}); nothing was written."
    mode = _mode_word(o.mode)
    if o.ok:
        return (
            f"{o.worker}: a successful {mode} update from version {o.from_version} to {o.target_version} "
            f"was written to its history; it now runs version {o.target_version}."
        )
    kept = f"reverted to version {o.from_version}" if mode == "manual" and o.stage == "load" else f"still runs version {o.from_version}"
    return (
        f"{o.worker}: a failed {mode} update to version {o.target_version} (stage {o.stage}) "
        f"was written to its history; it {kept}."
    )


def written_html(results: list[WorkerResult]) -> str:
    items = "".join(
        f"<li><span style='color:{OK_COLOUR if r.ok else FAIL_COLOUR}'>{'✔' if r.ok else '✘'}</span> "
        f"{_esc(describe_written(r))}</li>"
        for r in results
    )
    return f"<ul style='margin:0'>{items}</ul><p>Choose a target version to check another update.</p>"


def _function_signatures(desc: ComponentDescription) -> dict[str, str]:
    out = {}
    for f in desc.functions:
        iface = f.interface.split("@", 1)[0] if f.interface else ""
        out[f"{iface}.{{{f.name}}}" if iface else f.name] = f.wit()
    return out


def compatibility_html(groups: list[CompatGroup], versions: dict[int, VersionInfo]) -> str:
    """The compatibility report: functions added, removed and changed, and snapshot support."""
    parts = []
    for g in groups:
        who = ", ".join(g.refs)
        if g.report is None:
            parts.append(f"<p><b>{_esc(who)}</b>: {_esc(g.error)}</p>")
            continue
        r = g.report
        old = _function_signatures(versions[r.from_version].description) if r.from_version in versions else {}
        new = _function_signatures(versions[r.to_version].description) if r.to_version in versions else {}
        parts.append(f"<h4 style='margin:4px 0'>Version {r.from_version} → {r.to_version} <small>({_esc(who)})</small></h4>")
        rows = []
        for name in r.added:
            rows.append(("+ added", name, "", new.get(name, "")))
        for name in r.removed:
            rows.append(("− removed", name, old.get(name, ""), ""))
        for c in r.changed:
            rows.append(("~ changed", c.name, c.old, c.new))
        if rows:
            cells = "".join(
                f"<tr><td style='white-space:nowrap'>{_esc(a)}</td><td><code>{_esc(n)}</code></td>"
                f"<td><code>{_esc(o)}</code></td><td><code>{_esc(w)}</code></td></tr>"
                for a, n, o, w in rows
            )
            parts.append(
                "<table cellspacing='0' cellpadding='3' border='0'>"
                f"<tr><th align='left'></th><th align='left'>Function</th><th align='left'>Version {r.from_version}</th>"
                f"<th align='left'>Version {r.to_version}</th></tr>{cells}</table>"
            )
        else:
            parts.append(f"<p>Functions: identical ({len(r.unchanged)} exported).</p>")

        def yes(flag: bool) -> str:
            colour = OK_COLOUR if flag else FAIL_COLOUR
            return f"<span style='color:{colour}'>{'exports' if flag else 'does not export'}</span>"

        parts.append(
            f"<p>Snapshots: version {r.from_version} {yes(r.old_exports_save)} save-snapshot "
            f"(and {yes(r.old_exports_load)} load-snapshot); version {r.to_version} {yes(r.new_exports_load)} "
            f"load-snapshot (and {yes(r.new_exports_save)} save-snapshot). "
            f"Manual update: <b>{'possible' if r.manual_possible else 'not possible'}</b>.</p>"
        )
        if r.notes:
            parts.append("<ul style='margin-top:0'>" + "".join(f"<li>{_esc(n)}</li>" for n in r.notes) + "</ul>")
    return "".join(parts)


def mode_blockers(groups: list[CompatGroup], workers: int) -> dict[str, str]:
    """The modes the compatibility report rules out ("auto", "manual"), each with its reason.

    The report only ever rules out a manual update (a side without the snapshot
    export it needs); an automatic update is decided by replaying the history.
    """
    manual = []
    for g in groups:
        r = g.report
        if r is None or r.manual_possible:
            continue
        why = []
        if not r.old_exports_save:
            why.append(f"version {r.from_version} does not export save-snapshot")
        if not r.new_exports_load:
            why.append(f"version {r.to_version} does not export load-snapshot")
        reason = " and ".join(why)
        manual.append(reason if len(g.refs) == workers else f"{', '.join(g.refs)}: {reason}")
    return {"manual": "Not possible: " + "; ".join(manual) + "."} if manual else {}


def _version_label(v: VersionInfo, current: set[int], bulk: bool) -> str:
    d = v.description
    snap = {
        (True, True): "save + load snapshot",
        (True, False): "save snapshot only",
        (False, True): "load snapshot only",
        (False, False): "no snapshots",
    }[(d.exports_save, d.exports_load)]
    label = f"Version {v.version} · {human_size(v.size)} · {snap}"
    if v.version in current:
        label += " · current" if not bulk else " · current for some"
    elif current and v.version > max(current):
        label += " · newer"
    elif current and v.version < min(current):
        label += " · older"
    return label


def _side_by_side(parent: QWidget) -> tuple[QWidget, QLabel, QPlainTextEdit, QPlainTextEdit]:
    box = QWidget(parent)
    where = QLabel(box)
    where.setWordWrap(True)
    expected = QPlainTextEdit(box)
    actual = QPlainTextEdit(box)
    for w in (expected, actual):
        w.setReadOnly(True)
        w.setMaximumHeight(70)
    grid = QGridLayout(box)
    grid.setContentsMargins(0, 0, 0, 0)
    grid.addWidget(where, 0, 0, 1, 2)
    grid.addWidget(QLabel("<b>Recorded in the history (expected)</b>"), 1, 0)
    grid.addWidget(QLabel("<b>Target version returned (actual)</b>"), 1, 1)
    grid.addWidget(expected, 2, 0)
    grid.addWidget(actual, 2, 1)
    return box, where, expected, actual


class _ReportView(QTextBrowser):
    """The compatibility report: as tall as its text (up to a limit), so nothing of it is hidden."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.document().documentLayout().documentSizeChanged.connect(lambda _size: self.updateGeometry())

    def sizeHint(self) -> QSize:
        hint = super().sizeHint()
        text = int(self.document().size().height()) + 2 * self.frameWidth() + 2
        cap = REPORT_MAX_LINES * self.fontMetrics().lineSpacing()
        return QSize(hint.width(), max(self.minimumHeight(), min(text, cap)))


class _Body(QScrollArea):
    """The dialog's content; it scrolls when the dialog cannot be tall enough to show all of it."""

    def sizeHint(self) -> QSize:
        content = self.widget()
        if content is None:
            return super().sizeHint()
        hint = content.sizeHint()
        frame = 2 * self.frameWidth()
        return QSize(hint.width() + frame + self.verticalScrollBar().sizeHint().width(), hint.height() + frame)


# --------------------------------------------------------------------------- the dialog


class QtUpdateDialog(QDialog):
    """Update one or several workers to another component version, with checks first."""

    preflight_ready = Signal()
    report_ready = Signal()
    dry_run_finished = Signal(list)
    worker_finished = Signal(object)
    update_finished = Signal(list)

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
        self._queue: list[str] = []
        self._results: list[WorkerResult] = []
        self._close_pending = False
        self._report_op: Op | None = None
        self._update_target: int | None = None
        self._update_mode = "auto"
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

        self.report = _ReportView(self)
        self.report.setMinimumHeight(120)
        self.report.setPlaceholderText("The compatibility report appears here.")
        self.report_box = QGroupBox(REPORT_TITLE, self)
        QVBoxLayout(self.report_box).addWidget(self.report)

        self.result_label = QLabel(self)
        self.result_label.setWordWrap(True)
        self.result_label.setTextFormat(Qt.TextFormat.RichText)
        self.result_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.result_label.hide()
        self.divergence, self.divergence_where, self.expected, self.actual = _side_by_side(self)
        self.divergence.hide()
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
        self.update_button = QPushButton(f"Update {len(self.refs)} workers…" if self.bulk else "Update…", self)
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
        self.body = _Body(self)
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
        op = Op("Dry run", _dry_runs, self._workers, list(self.refs), self.mode(), target)
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
        self._update_target, self._update_mode = target, self.mode()
        self._dry_run_of = None
        self._clear_result()
        self._results = []
        self._queue = list(self.refs)
        self.results_table.setRowCount(0)
        self._next_update()
        return True

    # -- preflight and report -----------------------------------------------------------

    def _load_preflight(self) -> None:
        op = Op("Reading workers", _preflight, self._workers, self._components, list(self.refs))
        op.succeeded.connect(self._on_preflight)
        op.failed.connect(self._on_preflight_failed)
        self._submit(op)

    def _on_preflight(self, pf: Preflight) -> None:
        self._preflight = pf
        self._versions = {v.version: v for v in pf.versions}
        current = {w.version for w in pf.workers}
        if self.bulk:
            listing = ", ".join(f"{w.ref} (version {w.version})" for w in pf.workers)
            self.header.setText(f"<b>Update {len(pf.workers)} workers</b>: {_esc(listing)}")
        elif pf.workers:
            w = pf.workers[0]
            self.header.setText(f"<b>{_esc(w.ref)}</b> runs version {w.version} of component {_esc(w.component)}.")
        previous = self.target()
        self.version_combo.blockSignals(True)
        self.version_combo.clear()
        for v in pf.versions:
            self.version_combo.addItem(_version_label(v, current, self.bulk), v.version)
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
        self.header.setText(f"<span style='color:{FAIL_COLOUR}'>{_esc(message)}</span>")
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
            self.status.setText(f"{_mode_word(self.mode()).capitalize()} update: {reason}")
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
        target = self._update_target
        if not self._queue or self._close_pending or target is None:
            self._finish_update()
            return
        ref = self._queue.pop(0)
        done = len(self._results)
        op = Op(f"Updating {ref}", _update_one, self._workers, ref, self._update_mode, target)
        op.setProperty("ref", ref)
        op.succeeded.connect(self._on_worker_updated)
        op.failed.connect(self._on_worker_rejected)
        op.progressed.connect(self._on_progress)
        op.finished.connect(self._on_update_step_finished)
        self.status.setText(
            f"Updating {ref} ({done + 1} of {len(self.refs)})…" if self.bulk else f"Updating {ref}…"
        )
        self._start(op, changes=(f"worker:{ref}", "audit", "workers"))

    def _on_worker_updated(self, outcome: UpdateOutcome) -> None:
        self._record(WorkerResult(outcome.worker, outcome))

    def _on_worker_rejected(self, message: str) -> None:
        op = self.sender()
        ref = str(op.property("ref")) if isinstance(op, Op) else "?"
        self._record(WorkerResult(ref, error=message))

    def _record(self, result: WorkerResult) -> None:
        self._results.append(result)
        self._add_result_row(result)
        self.worker_finished.emit(result)

    def _on_update_step_finished(self) -> None:
        self._running = None
        last = self._results[-1] if self._results else None
        if last is not None and not last.ok and self.stop_on_failure.isChecked() and self.bulk:
            for ref in self._queue:
                skipped = WorkerResult(ref, skipped=True)
                self._results.append(skipped)
                self._add_result_row(skipped)
            self._queue = []
        self._next_update()

    def _finish_update(self) -> None:
        self._queue = []
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
        self.result_label.setText(f"<span style='color:{FAIL_COLOUR}'>{_esc(message)}</span>")
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
        self._queue = []
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
            summary = f"{ok} of {len(results)} {verb}"
            if failed:
                summary += f", {failed} {'would fail' if dry else 'failed or rejected'}"
            if skipped:
                summary += f", {skipped} not attempted"
            colour = OK_COLOUR if not failed else FAIL_COLOUR
            self.result_label.setText(f"<b style='color:{colour}'>{_esc(summary)}.</b>")
            if table:
                self.results_table.setRowCount(0)
                for r in results:
                    self._add_result_row(r)
        else:
            r = results[0]
            colour = OK_COLOUR if r.ok else FAIL_COLOUR
            mark = "✔" if r.ok else "✘"
            self.result_label.setText(f"<span style='color:{colour}'>{mark}</span> {_esc(describe_result(r))}")
        divergent = next((r for r in results if r.outcome is not None and r.outcome.divergence), None)
        if divergent is not None and divergent.outcome is not None and divergent.outcome.divergence:
            d = divergent.outcome.divergence
            self.divergence_where.setText(
                f"{_esc(divergent.ref)} diverges at entry <b>#{_esc(d.get('entry'))}</b> · "
                f"{_esc(d.get('function'))} · kind {_esc(d.get('kind'))}"
            )
            self.expected.setPlainText(str(d.get("expected")))
            self.actual.setPlainText(str(d.get("actual")))
            self.divergence.show()

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
