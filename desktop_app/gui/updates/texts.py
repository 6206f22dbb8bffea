"""What the update dialog says: results, the confirmation question, what was written, the compatibility report."""

from __future__ import annotations

import html
from typing import Any

from desktop_app.gui.updates.jobs import CompatGroup, WorkerInfo
from desktop_app.gui.widgets.formats import human_duration, human_size
from domain.model.labels import mode_word
from domain.model.types import ComponentDescription
from domain.services.bulk import WorkerResult
from domain.services.components import VersionInfo

MODE_HELP = {
    "auto": "Replays the worker's whole history on the target version; if any replayed result differs "
    "the update fails and nothing changes.",
    "manual": "Saves the worker's state with save-snapshot on its current version and loads it into the "
    "target with load-snapshot; both sides must export them.",
}
OK_COLOUR = "#1a7f37"
FAIL_COLOUR = "#c62828"
def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value))


def describe_result(r: WorkerResult) -> str:
    """One plain paragraph about a worker's update or dry run."""
    o = r.outcome
    if r.skipped:
        return f"{r.ref}: not attempted, the bulk update stopped after a failure."
    if o is None:
        return f"{r.ref}: {r.error}. Nothing was changed."
    mode = mode_word(o.mode)
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
    word = mode_word(mode)
    an = "an" if word == "automatic" else "a"
    if len(workers) == 1:
        w = workers[0]
        lines = [f"Run {an} {word} update of {w.ref} from version {w.version} to version {target}?"]
    else:
        lines = [f"Run {an} {word} update of {len(workers):,} workers to version {target}?"]
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
            lines.append(f"The dry run said {ok:,} of {len(dry_run):,} would succeed.")
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
    mode = mode_word(o.mode)
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
        f"{esc(describe_written(r))}</li>"
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
            parts.append(f"<p><b>{esc(who)}</b>: {esc(g.error)}</p>")
            continue
        r = g.report
        old = _function_signatures(versions[r.from_version].description) if r.from_version in versions else {}
        new = _function_signatures(versions[r.to_version].description) if r.to_version in versions else {}
        parts.append(f"<h4 style='margin:4px 0'>Version {r.from_version} → {r.to_version} <small>({esc(who)})</small></h4>")
        rows = []
        for name in r.added:
            rows.append(("+ added", name, "", new.get(name, "")))
        for name in r.removed:
            rows.append(("− removed", name, old.get(name, ""), ""))
        for c in r.changed:
            rows.append(("~ changed", c.name, c.old, c.new))
        if rows:
            cells = "".join(
                f"<tr><td style='white-space:nowrap'>{esc(a)}</td><td><code>{esc(n)}</code></td>"
                f"<td><code>{esc(o)}</code></td><td><code>{esc(w)}</code></td></tr>"
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
            parts.append("<ul style='margin-top:0'>" + "".join(f"<li>{esc(n)}</li>" for n in r.notes) + "</ul>")
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


def version_label(v: VersionInfo, current: set[int], bulk: bool) -> str:
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
