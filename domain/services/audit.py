"""Audit: every update attempt across all workers."""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import asdict, dataclass
from typing import Any, Iterable

from typing import TYPE_CHECKING

from domain.model.vocabulary import UpdateRecordType

from .worker_store import DamagedStream

if TYPE_CHECKING:
    from .workers import Workers

COLUMNS = (
    "time",
    "worker",
    "component",
    "fromVersion",
    "toVersion",
    "mode",
    "outcome",
    "stage",
    "details",
    "snapshotHash",
    "snapshotSize",
    "durationSeconds",
    "finishedAt",
    "revertedTo",
)


@dataclass
class AuditRow:
    time: str
    worker: str
    component: str
    fromVersion: int | None
    toVersion: int
    mode: str
    outcome: str  # pending | succeeded | failed | cancelled
    stage: str | None
    details: str | None
    snapshotHash: str | None
    snapshotSize: int | None
    durationSeconds: float | None
    finishedAt: str | None
    revertedTo: int | None
    updateId: str = ""

    def to_json(self) -> dict[str, Any]:
        return asdict(self)




def update_attempts(workers: "Workers", unreadable: list[tuple[str, str]] | None = None) -> list[AuditRow]:
    """All update attempts, in the order they were requested.

    The rows are the update records the Worker aggregate keeps (the same ones
    ``worker get`` shows), for every worker ever created, deleted ones too.
    Reads only: it works on a data folder opened read-only. A worker whose
    stream cannot be read is left out and, given ``unreadable``, added to it
    as (worker or stream, reason).
    """
    rows = []
    store = workers.store
    for wid in store.worker_ids():
        try:
            w = store.load_or_damage(wid)
        except DamagedStream as e:
            if unreadable is not None:
                unreadable.append((store.created_ref(wid) or f"stream {wid}", e.reason))
            continue
        if w is None:
            continue
        for u in w.updates:
            outcome = UpdateRecordType(u["type"]).outcome_word
            stage = u.get("failedStage") if outcome == "failed" else u["stage"]
            rows.append(
                AuditRow(
                    time=u["timestamp"],
                    worker=w.ref,
                    component=w.component_name,
                    fromVersion=u.get("fromVersion"),
                    toVersion=u["targetVersion"],
                    mode=u["mode"],
                    outcome=outcome,
                    stage=stage,
                    details=u.get("details"),
                    snapshotHash=u.get("snapshotHash"),
                    snapshotSize=u.get("snapshotSize"),
                    durationSeconds=u.get("duration"),
                    finishedAt=u.get("finishedAt"),
                    revertedTo=u.get("revertedTo"),
                    updateId=u["id"],
                )
            )
    rows.sort(key=lambda r: r.time)
    return rows


def to_json(rows: Iterable[AuditRow]) -> str:
    return json.dumps([r.to_json() for r in rows], indent=2)


def to_csv(rows: Iterable[AuditRow]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(COLUMNS)
    for r in rows:
        d = r.to_json()
        w.writerow(["" if d[c] is None else d[c] for c in COLUMNS])
    return buf.getvalue()


def to_html(rows: Iterable[AuditRow], title: str = "Worker Desk — update audit") -> str:
    rows = list(rows)
    counts = {k: sum(1 for r in rows if r.outcome == k) for k in ("succeeded", "failed", "pending", "cancelled")}
    head = "".join(f"<th>{html.escape(c)}</th>" for c in COLUMNS)
    body = []
    for r in rows:
        d = r.to_json()
        cells = "".join(f"<td>{html.escape('' if d[c] is None else str(d[c]))}</td>" for c in COLUMNS)
        body.append(f'<tr class="{html.escape(r.outcome)}">{cells}</tr>')
    summary = ", ".join(f"{v} {k}" for k, v in counts.items())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #1d2330; }}
table {{ border-collapse: collapse; width: 100%; font-size: 13px; }}
th, td {{ border-bottom: 1px solid #d8dce4; padding: 4px 8px; text-align: left; vertical-align: top; }}
th {{ background: #eef1f6; position: sticky; top: 0; }}
tr.succeeded td:nth-child(7) {{ color: #1a7f37; font-weight: 600; }}
tr.failed td:nth-child(7) {{ color: #c62828; font-weight: 600; }}
tr.pending td:nth-child(7) {{ color: #9a6700; }}
</style></head>
<body><h1>{html.escape(title)}</h1>
<p>{len(rows)} update attempts: {html.escape(summary)}.</p>
<table><thead><tr>{head}</tr></thead><tbody>
{chr(10).join(body)}
</tbody></table></body></html>
"""
