"""Byte sizes as people write them: ``512MiB``, ``1 GiB``, ``64k``."""

from __future__ import annotations

import re

from domain.model.errors import WorkerDeskError

_UNITS = {
    "": 1024**2,  # a bare number is MiB, the unit memory caps are spoken of in
    "b": 1,
    "k": 1024, "kb": 1024, "kib": 1024,
    "m": 1024**2, "mb": 1024**2, "mib": 1024**2,
    "g": 1024**3, "gb": 1024**3, "gib": 1024**3,
}  # fmt: skip
_SIZE_RE = re.compile(r"^\s*(?P<n>\d+(?:\.\d+)?)\s*(?P<unit>[a-zA-Z]*)\s*$")


class BadSize(WorkerDeskError):
    pass


def parse_size(text: str) -> int:
    """``"256MiB"`` -> 268435456. Units are powers of 1024; a bare number is MiB."""
    m = _SIZE_RE.match(text)
    unit = m["unit"].lower() if m else ""
    if m is None or unit not in _UNITS:
        raise BadSize(f"{text!r} is not a size: write a number with a unit, such as 256MiB or 2GiB")
    size = int(float(m["n"]) * _UNITS[unit])
    if size <= 0:
        raise BadSize(f"{text!r} is not a size: it must be more than zero")
    return size


def format_mib(size: int) -> str:
    """268435456 -> ``256 MiB``; 1610612736 -> ``1,536 MiB``."""
    return f"{size / 1024**2:,.4g} MiB"
