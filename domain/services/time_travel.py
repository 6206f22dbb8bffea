"""Time travel: a worker rebuilt as it was right after any history entry, called, and compared with now.

Every call runs on a scratch instance (:class:`~.workers.PastWorker`) and is
never recorded; a call that changes state changes only that copy. The
results are WAVE texts, ``()`` for a function without a result.

Arguments are one text, WAVE values separated by commas, as a user types
them (:func:`domain.model.arguments.split_arguments`).
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.model import wave
from domain.model.arguments import split_arguments
from domain.model.errors import BadArguments, WorkerDeskError
from domain.model.functions import is_invocable
from domain.model.types import FunctionSignature

from .workers import PastWorker, Workers

__all__ = ["CallResult", "Comparison", "TimeTravel", "Travel"]


@dataclass(frozen=True)
class Travel:
    """``ref`` rebuilt right after entry ``position``, and the functions a user may call on it."""

    ref: str
    position: int
    past: PastWorker
    functions: list[FunctionSignature]


@dataclass(frozen=True)
class CallResult:
    """One call on the past worker. ``past`` is the instance to call next (rebuilt after a trap)."""

    ref: str
    past: PastWorker
    function: str
    args: str
    then: str


@dataclass(frozen=True)
class Comparison:
    """The same call then (on ``past``) and now (on ``now``, the latest entry); a failed side reads ``error: …``."""

    ref: str
    past: PastWorker
    now: PastWorker
    function: str
    then: str
    now_text: str

    @property
    def same(self) -> bool:
        return self.then == self.now_text


class TimeTravel:
    def __init__(self, workers: Workers) -> None:
        self.workers = workers

    def travel(self, ref: str, position: int) -> Travel:
        """Rebuild ``ref`` as it was right after history entry ``position``."""
        past = self.workers.time_travel(ref, position)
        return Travel(ref, position, past, [f for f in past.functions() if is_invocable(f)])

    def call(self, ref: str, past: PastWorker, function: str, args: str) -> CallResult:
        """Call ``function`` on the past worker; raises BadArguments, InvocationFailed, …"""
        past = self._alive(ref, past)
        return CallResult(ref, past, function, args, _call(past, function, args))

    def compare(self, ref: str, past: PastWorker, now: PastWorker | None, function: str, args: str) -> Comparison:
        """Make the same call on the past worker and on the worker as it is now (also a scratch copy).

        ``now`` is reused while it is still the latest entry and usable; a
        failure on either side is that side's text, not an exception.
        """
        past = self._alive(ref, past)
        latest = self.workers.history_length(ref)
        if now is None or now.position != latest or now.instance.dead:
            now = self.workers.time_travel(ref, latest)
        return Comparison(ref, past, now, function, _side(past, function, args), _side(now, function, args))

    def _alive(self, ref: str, past: PastWorker) -> PastWorker:
        """``past``, or a fresh rebuild at the same entry when a trap left its instance unusable."""
        return self.workers.time_travel(ref, past.position) if past.instance.dead else past


def _call(past: PastWorker, function: str, args: str) -> str:
    try:
        out = past.call(function, split_arguments(args))
    except wave.WaveError as e:
        raise BadArguments(f"bad arguments for {function}: {e}") from None
    return "()" if out is None else out


def _side(past: PastWorker, function: str, args: str) -> str:
    try:
        return _call(past, function, args)
    except WorkerDeskError as e:
        return f"error: {e}"
