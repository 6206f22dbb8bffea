"""The status bar's words for how a user's command ended."""

from __future__ import annotations

from typing import Any

from domain.model.labels import mode_word


def _value(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def invoked(ref: str, name: str) -> Any:
    """Words for an invocation: its result, or that it returned nothing."""

    def words(result: Any) -> str:
        shown = getattr(result, "result_wave", None)
        entry = getattr(result, "entry", None)
        where = f" (history entry #{entry:,})" if isinstance(entry, int) else ""
        if shown is None:
            return f"Invoked {name} on {ref}{where}"
        return f"Invoked {name} on {ref}: {_value(str(shown))}{where}"

    return words


def updated(ref: str) -> Any:
    """Words for one worker's update (or dry run) step."""

    def words(results: Any) -> str:
        first = results[0] if results else None
        outcome = getattr(first, "outcome", None)
        if first is None:
            return f"Update of {ref}: nothing done"
        if outcome is None:
            return f"Update of {ref} was not attempted: {first.error or 'skipped'}"
        how = mode_word(outcome.mode)
        move = f"{outcome.from_version} → {outcome.target_version}"
        if outcome.dry_run:
            verdict = "would succeed" if outcome.ok else f"would fail at {outcome.stage}"
            return f"Dry run of the {how} update of {ref} ({move}): {verdict}; nothing was written"
        if outcome.ok:
            return f"Updated {ref} to version {outcome.target_version} ({how}, {move})"
        return f"The {how} update of {ref} ({move}) failed at {outcome.stage}; it stays on version {outcome.from_version}"

    return words


def _function(name: str) -> str:
    """``pkg:name/iface.{fn}`` as ``fn``: the status bar has little room."""
    return name.rsplit("{", 1)[-1].rstrip("}") if "{" in name else name


def rebuilt_in_the_past(travel: Any) -> str:
    """Words for time travel's rebuild of a worker as it was after an entry."""
    return f"Rebuilt {travel.ref} as it was right after entry {travel.position:,}; nothing was written"


def called_in_the_past(position: int) -> Any:
    """Words for a call on the worker rebuilt after entry ``position``: its result."""

    def words(r: Any) -> str:
        return f"Called {_function(r.function)} on {r.ref} as of entry {position:,}: {_value(r.then)}"

    return words


def compared_with_now(c: Any) -> str:
    """Words for the same call then and now: whether the results agree."""
    verdict = "the same result then and now" if c.same else "the results differ"
    return f"Compared {_function(c.function)} on {c.ref} then (entry {c.past.position:,}) and now: {verdict}"
