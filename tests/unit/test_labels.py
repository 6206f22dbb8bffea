"""Update-mode words, one source for the CLI's arguments, the GUI's tables and its sentences."""

from __future__ import annotations

from domain.model.labels import MODE_CHOICES, mode_short, mode_word
from domain.model.vocabulary import UpdateMode


def test_the_words_of_each_mode():
    assert MODE_CHOICES == ("auto", "manual")
    assert [mode_word(m) for m in ("auto", "automatic", UpdateMode.AUTOMATIC, "manual", "snapshot")] == [
        "automatic", "automatic", "automatic", "manual", "manual"
    ]
    assert [mode_short(m) for m in ("automatic", "auto", "manual", UpdateMode.MANUAL)] == ["auto", "auto", "manual", "manual"]
    assert mode_short("?") == "?" and mode_word("?") == "?"
