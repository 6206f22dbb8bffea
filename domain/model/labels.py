"""The words the front ends show for update modes, from :class:`UpdateMode` alone."""

from __future__ import annotations

from domain.model.vocabulary import UpdateMode

# The mode arguments of the CLI, as Golem writes them.
MODE_CHOICES: tuple[str, ...] = tuple(m.golem_word for m in UpdateMode)


def mode_word(mode: str) -> str:
    """``automatic`` or ``manual``, for sentences; text that names no mode is returned as it is."""
    try:
        return UpdateMode.parse(mode).value
    except ValueError:
        return mode


def mode_short(mode: str) -> str:
    """``auto`` or ``manual``, for table columns; text that names no mode is returned as it is."""
    try:
        return UpdateMode.parse(mode).golem_word
    except ValueError:
        return mode
