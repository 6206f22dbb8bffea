"""A worker's history (its oplog) as numbered entries, read from the event store."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from typing import Any, Iterator
from uuid import UUID

from domain.model.payload import describe
from domain.model.worker import Worker

from .worker_store import WorkerStore


@dataclass
class OplogEntry:
    index: int
    kind: str
    timestamp: str
    version: int
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        return {"index": self.index, "kind": self.kind, "timestamp": self.timestamp, "componentVersion": self.version, **self.data}

    def summary(self) -> str:
        d = self.data
        k = self.kind
        if k == "create":
            return created_summary(d)
        key = f" [idempotency key {d['idempotencyKey']}]" if d.get("idempotencyKey") else ""
        if k == "invocation":
            args = ", ".join(describe(a) or "" for a in d["args"])
            res = describe(d["result"]) if d["result"] is not None else "()"
            return f"{d['function']}({args}) -> {res}{key}"
        if k == "invocation-failed":
            args = ", ".join(describe(a) or "" for a in d["args"])
            return f"{d['function']}({args}) failed ({d['errorKind']}): {d['message']}{key}"
        if k == "interrupted":
            return f"{d['function']}({', '.join(d['args'])}) interrupted: {d['reason']}"
        if k == "startup":
            return f"instantiated version {d['componentVersion']}: {len(d['hostCalls'])} host call(s) recorded"
        if k == "update-requested":
            return f"update to version {d['targetVersion']} requested ({d['mode']})"
        if k == "update-started":
            return f"update started from version {d['fromVersion']}"
        if k == "snapshot-saved":
            return f"snapshot saved: {d['size']} bytes, sha256 {d['hash'][:12]}…"
        if k == "snapshot-loaded":
            return "snapshot loaded into the target version"
        if k == "update-succeeded":
            return f"update to version {d['targetVersion']} succeeded"
        if k == "update-failed":
            return f"update failed at {d['stage']}: {d['reason']}"
        if k == "reverted":
            return f"reverted to version {d['toVersion']}"
        if k == "update-cancelled":
            return "pending update cancelled"
        if k == "deleted":
            return "worker deleted"
        if k == "files-archived":
            return f"private files archived: {d['size']} bytes, sha256 {d['hash'][:12]}…"
        if k == "grant-copied":
            return f"granted folder {d['folder']} copied into the private filesystem (later changes to it are not seen)"
        if k == "policy-set":
            return f"policy {d['name']} set to {json.dumps(d['value'], separators=(',', ':'))}"
        return k


class History:
    def __init__(self, store: WorkerStore) -> None:
        self.store = store

    def entries(self, wid: UUID, start: int = 1, limit: int | None = None) -> Iterator[OplogEntry]:
        """Numbered history entries read straight from the event store."""
        version = None
        if start > 1:
            prior = self.store.load(wid, at=start - 1)
            version = prior.component_version if prior is not None else None
        decode = self.store.decode
        for stored in self.store.stored(wid, start, limit):
            event = decode(stored)
            state = vars(event)
            cls: Any = type(event)
            if cls is Worker.Created:
                version = state["component_version"]
            elif cls is Worker.UpdateSucceeded:
                version = state["target_version"]
            ts: Any = state.get("timestamp")
            yield OplogEntry(
                index=stored.originator_version,
                kind=cls.history_kind.value,
                timestamp=ts.isoformat() if hasattr(ts, "isoformat") else str(ts),
                version=version if version is not None else -1,
                data=entry_data(state),
            )


# Event fields that say nothing to a reader of the history (or repeat the entry's own time).
_HIDDEN_FIELDS = frozenset(
    ["originator_id", "originator_version", "originator_topic", "timestamp", "runner", "at", "inline", "class_version"]
)
_RENAMED_FIELDS = {"duration": "durationSeconds", "kind": "errorKind"}


def entry_data(state: dict[str, Any]) -> dict[str, Any]:
    """An event's own fields, camelCased as in Golem's JSON (``host_calls`` -> ``hostCalls``)."""
    return {
        _RENAMED_FIELDS.get(key) or _camel(key): value for key, value in state.items() if key not in _HIDDEN_FIELDS
    }


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


def created_summary(d: dict[str, Any]) -> str:
    """``created on version 0``, then its environment and arguments as a shell would write them."""
    parts = [f"created on version {d['componentVersion']}"]
    env = d.get("env") or {}
    if env:
        parts.append("env " + " ".join(f"{k}={shlex.quote(str(v))}" for k, v in env.items()))
    args = d.get("args") or []
    if args:
        parts.append("args " + shlex.join(str(a) for a in args))
    return ", ".join(parts)
