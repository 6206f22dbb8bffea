"""How the screens write sizes, durations, times and update outcomes."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any

from domain.model.labels import mode_word

OUTCOME_COLOURS = {
    "pending": "#9a6700",
    "succeeded": "#1a7f37",
    "failed": "#c62828",
    "cancelled": "#57606a",
}


def count(n: int, one: str, many: str | None = None) -> str:
    """``n`` with separators and the noun that fits it: ``count(1, "worker")`` is "1 worker"."""
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


def human_size(size: int | None) -> str:
    if size is None:
        return ""
    if size < 1024:
        return f"{size} B"
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KiB"
    return f"{size / (1024 * 1024):.1f} MiB"


def human_duration(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds * 1000:.1f} ms" if seconds < 1 else f"{seconds:.2f} s"


def short_time(iso: str | None) -> str:
    if not iso:
        return "—"
    text = str(iso).replace("T", " ")
    head, _, tail = text.partition(".")
    zone = "+00:00" in tail or "+00:00" in head or text.endswith("Z")
    return head.replace("+00:00", "")[:19] + (" UTC" if zone else "")


def precise_time(iso: str | None) -> str:
    """Like :func:`short_time`, with milliseconds: a history entry's tooltip (entries often come many a second)."""
    if not iso:
        return "—"
    text = str(iso).replace("T", " ")
    head, dot, tail = text.partition(".")
    if not dot:
        return short_time(iso)
    millis = (tail[:3] + "000")[:3]
    zone = " UTC" if tail.endswith(("+00:00", "Z")) else ""
    return f"{head[:19]}.{millis}{zone}"


def epoch_time(seconds: float) -> str:
    """Seconds since the epoch, written like :func:`short_time` (UTC)."""
    return short_time(datetime.fromtimestamp(seconds, timezone.utc).isoformat())


def held_by_text(held: dict[str, Any] | None, now: float | None = None) -> str:
    """Who holds a worker's update in progress, and since when; empty when nobody does."""
    if not held:
        return ""
    host = held.get("host") or "an unknown host"
    if "since" not in held:
        return f"a process on {host} that no longer holds its lease; the next process to look ends the update"
    now = time.time() if now is None else now
    beat = max(0, int(now - float(held.get("heartbeat", now))))
    return f"process {held.get('pid', '?')} on {host}, since {epoch_time(float(held['since']))} (last heartbeat {beat:,} s ago)"


def mode_label(mode: str) -> str:
    """``automatic`` or ``manual``: the GUI's one word for each mode."""
    return mode_word(mode)
