"""Invoking a worker's functions: which ones a user may call, and calling them.

The CLI and the GUI both go through :class:`Invocations`, so neither offers nor
runs the functions of the update protocol (see :mod:`domain.model.functions`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from domain.model.errors import NotFound
from domain.model.functions import check_invocable, invocable_functions
from domain.model.types import ComponentDescription, FunctionSignature

from .components import Components
from .workers import InvocationResult, Workers


@dataclass(frozen=True)
class WorkerFunctions:
    """The functions a user may invoke on a worker, at the version it runs."""

    ref: str
    version: int
    functions: tuple[FunctionSignature, ...]


class Invocations:
    def __init__(self, workers: Workers, components: Components) -> None:
        self.workers = workers
        self.components = components

    @property
    def read_only(self) -> bool:
        return self.workers.read_only

    def functions(self, ref: str) -> WorkerFunctions:
        """The invocable functions of ``ref``, read from the event store (any thread may call it)."""
        version, description = self._description(ref)
        return WorkerFunctions(ref, version, invocable_functions(description))

    def invoke(
        self, ref: str, function: str, args: list[str | bytes], idempotency_key: str | None = None
    ) -> InvocationResult:
        """Invoke with WAVE-encoded arguments; refuses the functions of the update protocol."""
        self._check(ref, function)
        return self.workers.invoke(ref, function, args, idempotency_key=idempotency_key)

    def invoke_values(
        self, ref: str, function: str, values: list[Any], idempotency_key: str | None = None
    ) -> InvocationResult:
        """Invoke with argument values; refuses the functions of the update protocol.

        With an ``idempotency_key``, a call already recorded under it is not run again.
        """
        self._check(ref, function)
        return self.workers.invoke_values(ref, function, values, idempotency_key=idempotency_key)

    def _check(self, ref: str, function: str) -> None:
        try:
            _, description = self._description(ref)
        except NotFound:
            return  # no such worker (or deleted): the invocation itself says so
        check_invocable(description, function, ref)

    def _description(self, ref: str) -> tuple[int, ComponentDescription]:
        meta = self.workers.read_metadata(ref)
        version = int(meta["componentVersion"])
        info = self.components.known_version(meta["workerId"]["componentName"], version)
        return version, info.description
