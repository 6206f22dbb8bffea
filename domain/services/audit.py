"""Audit: every update attempt across all workers, read straight from the event store."""

from __future__ import annotations

import csv
import html
import io
import json
from dataclasses import asdict, dataclass
from typing import Any, Iterable

from eventsourcing.application import Application

from domain.model.worker import Worker

_PREFIX = f"{Worker.__module__}:Worker."
_TOPICS = [
    _PREFIX + n
    for n in (
        "Created",
        "UpdateRequested",
        "UpdateStarted",
        "SnapshotSaved",
        "UpdateSucceeded",
        "UpdateFailed",
        "Reverted",
        "UpdateCancelled",
    )
]

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


def _ts(state: dict[str, Any]) -> str:
    ts = state.get("timestamp")
    return ts.isoformat() if hasattr(ts, "isoformat") else str(ts)


def update_attempts(app: Application) -> list[AuditRow]:
    """All update attempts in the order they were requested."""
    decode = app.mapper.transcoder.decode
    refs: dict[str, tuple[str, str]] = {}
    rows: dict[str, AuditRow] = {}
    order: list[str] = []
    start = 1
    while True:
        batch = app.recorder.select_notifications(start=start, limit=1000, topics=_TOPICS)
        if not batch:
            break
        for n in batch:
            name = n.topic.rsplit(".", 1)[-1]
            st = decode(n.state)
            wid = str(n.originator_id)
            if name == "Created":
                refs[wid] = (st["component_name"], st["name"])
                continue
            uid = st.get("update_id")
            if uid is None:
                continue
            if name == "UpdateRequested":
                comp, wname = refs.get(wid, ("?", wid))
                rows[uid] = AuditRow(
                    time=st.get("at") or _ts(st),
                    worker=f"{comp}/{wname}",
                    component=comp,
                    fromVersion=None,
                    toVersion=st["target_version"],
                    mode=st["mode"],
                    outcome="pending",
                    stage="requested",
                    details=None,
                    snapshotHash=None,
                    snapshotSize=None,
                    durationSeconds=None,
                    finishedAt=None,
                    revertedTo=None,
                    updateId=uid,
                )
                order.append(uid)
                continue
            row = rows.get(uid)
            if row is None:
                continue
            if name == "UpdateStarted":
                row.fromVersion = st["from_version"]
                row.stage = "started"
            elif name == "SnapshotSaved":
                row.snapshotHash, row.snapshotSize = st["hash"], st["size"]
                row.stage = "snapshot-saved"
            elif name == "UpdateSucceeded":
                row.outcome, row.stage = "succeeded", "done"
                row.durationSeconds, row.finishedAt = st.get("duration"), st.get("at")
            elif name == "UpdateFailed":
                row.outcome, row.stage, row.details = "failed", st["stage"], st["reason"]
                row.durationSeconds, row.finishedAt = st.get("duration"), st.get("at")
            elif name == "Reverted":
                row.revertedTo = st["to_version"]
            elif name == "UpdateCancelled":
                row.outcome, row.stage, row.details = "cancelled", "done", "cancelled before it ran"
                row.finishedAt = st.get("at")
        start = batch[-1].id + 1
    return [rows[u] for u in order]


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
