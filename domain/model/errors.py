"""Errors the domain reports to users.

Every error carries one sentence that says what was wrong and, where it
helps, what to do. Entry points print ``str(error)`` and nothing else.
"""

from __future__ import annotations

from typing import Any


class WorkerDeskError(Exception):
    """Base class of every error meant for the user."""


class InvalidComponent(WorkerDeskError):
    """The bytes are not a usable WebAssembly component."""


class NotFound(WorkerDeskError):
    """A component, version, worker or function that does not exist."""


class FunctionNotFound(NotFound):
    def __init__(self, message: str, candidates: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.candidates = candidates



class BadArguments(WorkerDeskError):
    """Arguments that do not fit the function's parameter types."""


class InvocationFailed(WorkerDeskError):
    """The guest trapped, ran out of time or memory, or reached a denied import.

    ``kind`` is one of ``trap``, ``timeout``, ``memory``, ``unsupported-import``
    or ``divergence``. After such a failure the live instance must not serve
    another call: its memory may be half-changed.
    """

    def __init__(self, kind: str, message: str, *, stdout: bytes = b"", stderr: bytes = b"") -> None:
        super().__init__(message)
        self.kind = kind
        self.stdout = stdout
        self.stderr = stderr


class HostCallDivergence(InvocationFailed):
    """During replay the guest made a host call other than the recorded one."""

    def __init__(self, position: int, expected: str | None, actual: str | None) -> None:
        exp = expected if expected is not None else "no further host call"
        act = actual if actual is not None else "no further host call"
        super().__init__(
            "divergence",
            f"host call #{position + 1} differs: expected {exp}, got {act}",
        )
        self.position = position
        self.expected = expected
        self.actual = actual


class CorruptHistory(WorkerDeskError):
    """Replaying a worker's recorded history did not reproduce it."""


class ConcurrentModification(WorkerDeskError):
    """Another process wrote to the same worker first."""


class UpdateRejected(WorkerDeskError):
    """An update request that cannot be accepted (nothing was recorded)."""



class OperationCancelled(Exception):
    """Long work (replay, recovery, bulk update) stopped at the user's request.

    Not a :class:`WorkerDeskError`: it is not a failure to report, and the
    handlers that turn errors into failed outcomes must let it through.
    """

    def __init__(self, message: str = "cancelled by the user") -> None:
        super().__init__(message)


def one_line(text: Any) -> str:
    """First non-empty line of a message, for places that show one line."""
    for line in str(text).splitlines():
        if line.strip():
            return line.strip()
    return str(text).strip()
