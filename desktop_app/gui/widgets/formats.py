"""How the screens write sizes, durations, times and update outcomes."""

from __future__ import annotations

from domain.model.labels import mode_short

OUTCOME_COLOURS = {
    "pending": "#9a6700",
    "succeeded": "#1a7f37",
    "failed": "#c62828",
    "cancelled": "#57606a",
}


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


def mode_label(mode: str) -> str:
    return mode_short(mode)
