"""Which exported functions a user may invoke.

A component's snapshot exports (``golem:api/save-snapshot``, ``golem:api/load-snapshot``)
are part of the update protocol: a manual update calls them. Called by hand on a live
worker, ``load`` would replace its state outside its history, so the front ends neither
offer nor run them.
"""

from __future__ import annotations

from domain.model.errors import BadArguments
from domain.model.types import ComponentDescription, FunctionSignature
from domain.model.vocabulary import is_snapshot_interface, strip_version


class ProtocolFunction(BadArguments):
    """A function of the update protocol, asked for by name."""


def is_invocable(sig: FunctionSignature) -> bool:
    """Whether a user may invoke ``sig``: every export except the snapshot interfaces."""
    return sig.interface is None or not is_snapshot_interface(sig.interface)


def invocable_functions(description: ComponentDescription) -> tuple[FunctionSignature, ...]:
    """The exports a user may invoke, in export order."""
    return tuple(f for f in description.functions if is_invocable(f))


def _names(sig: FunctionSignature, name: str) -> bool:
    """Whether ``name`` (Golem-style, with or without the interface's version, or bare) means ``sig``."""
    if name in (sig.qualified_name, sig.name):
        return True
    iface, dot, rest = name.rpartition(".")
    return (
        bool(dot)
        and sig.interface is not None
        and rest == f"{{{sig.name}}}"
        and strip_version(iface) == strip_version(sig.interface)
    )


def check_invocable(description: ComponentDescription, name: str, ref: str) -> None:
    """Raise :class:`ProtocolFunction` when ``name`` can only mean a snapshot function of ``description``."""
    meant = [f for f in description.functions if _names(f, name)]
    if meant and not any(is_invocable(f) for f in meant):
        raise ProtocolFunction(
            f"{meant[0].qualified_name} is part of the update protocol and cannot be invoked directly; "
            f"use `worker update {ref} manual` to move the worker's state with it"
        )
