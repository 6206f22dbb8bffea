"""The words Worker Desk uses, one type each (see docs/GLOSSARY.md).

Every enum is a ``StrEnum``: its members are the very strings stored in
events and shown in Golem-shaped JSON, so histories written before these
types existed read the same.
"""

from __future__ import annotations

from enum import StrEnum


class WorkerStatus(StrEnum):
    """Golem's worker status values (those Worker Desk reaches)."""

    IDLE = "Idle"
    RUNNING = "Running"
    FAILED = "Failed"
    INTERRUPTED = "Interrupted"
    EXITED = "Exited"


class UpdateMode(StrEnum):
    """How a worker moves to another version: replay its history, or a state snapshot."""

    AUTOMATIC = "automatic"
    MANUAL = "manual"

    @property
    def golem_word(self) -> str:
        """The CLI argument Golem uses for it (``auto`` / ``manual``)."""
        return "auto" if self is UpdateMode.AUTOMATIC else "manual"

    @classmethod
    def parse(cls, text: str) -> "UpdateMode":
        """``auto``/``automatic``/``manual``/``snapshot``, any case; ValueError otherwise."""
        found = _MODE_WORDS.get(text.strip().lower())
        if found is None:
            raise ValueError(f"unknown update mode {text!r}: use auto or manual")
        return found


_MODE_WORDS = {
    "auto": UpdateMode.AUTOMATIC,
    "automatic": UpdateMode.AUTOMATIC,
    "manual": UpdateMode.MANUAL,
    "snapshot": UpdateMode.MANUAL,
}


class UpdateRecordType(StrEnum):
    """Where an update attempt stands, as Golem's worker metadata ``updates[].type`` says it."""

    PENDING = "pendingUpdate"
    SUCCESSFUL = "successfulUpdate"
    FAILED = "failedUpdate"
    CANCELLED = "cancelledUpdate"

    @property
    def outcome_word(self) -> str:
        """The word the audit and the GUI use: pending, succeeded, failed, cancelled."""
        return _OUTCOME_WORDS[self]


_OUTCOME_WORDS = {
    UpdateRecordType.PENDING: "pending",
    UpdateRecordType.SUCCESSFUL: "succeeded",
    UpdateRecordType.FAILED: "failed",
    UpdateRecordType.CANCELLED: "cancelled",
}


class HistoryKind(StrEnum):
    """The kind of one history (oplog) entry, one per event class."""

    CREATE = "create"
    INVOCATION = "invocation"
    INVOCATION_FAILED = "invocation-failed"
    INTERRUPTED = "interrupted"
    STARTUP = "startup"
    DELETED = "deleted"
    UPDATE_REQUESTED = "update-requested"
    UPDATE_STARTED = "update-started"
    SNAPSHOT_SAVED = "snapshot-saved"  # a state snapshot, never the store's aggregate snapshot
    SNAPSHOT_LOADED = "snapshot-loaded"
    UPDATE_SUCCEEDED = "update-succeeded"
    UPDATE_FAILED = "update-failed"
    REVERTED = "reverted"  # an update's revert to the version it came from
    UPDATE_CANCELLED = "update-cancelled"
    POLICY_SET = "policy-set"  # golem:api/host set-retry-policy, set-oplog-persistence-level, set-idempotence-mode
    FILES_ARCHIVED = "files-archived"  # a worker's private files, archived with a manual update's state snapshot
    GRANT_COPIED = "grant-copied"  # a folder once granted live (--grant-dir) copied into the private filesystem


SNAPSHOT_PACKAGE = "golem:api"
SAVE_SNAPSHOT = f"{SNAPSHOT_PACKAGE}/save-snapshot"
LOAD_SNAPSHOT = f"{SNAPSHOT_PACKAGE}/load-snapshot"


def strip_version(interface: str) -> str:
    """``wasi:random/random@0.2.3`` -> ``wasi:random/random``."""
    return interface.split("@", 1)[0]


def is_snapshot_interface(interface: str) -> bool:
    """``golem:api/save-snapshot@1.1.0`` or ``golem:api/load-snapshot`` at any version."""
    return strip_version(interface) in (SAVE_SNAPSHOT, LOAD_SNAPSHOT)
