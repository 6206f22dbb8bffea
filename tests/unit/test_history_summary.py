"""A worker's creation reads as words in its history, in the GUI and the CLI alike."""

from __future__ import annotations

from domain.services.history import OplogEntry

TS = "2026-12-01T10:00:00+00:00"


def test_a_creation_without_environment_or_arguments_says_only_its_version() -> None:
    entry = OplogEntry(1, "create", TS, 0, {"componentVersion": 0, "env": {}, "args": []})
    assert entry.summary() == "created on version 0"


def test_environment_and_arguments_are_written_as_a_shell_would() -> None:
    data = {"componentVersion": 2, "env": {"TEAM": "demo", "GREETING": "hi there"}, "args": ["--fast", "a b"]}
    entry = OplogEntry(1, "create", TS, 2, data)
    assert entry.summary() == "created on version 2, env TEAM=demo GREETING='hi there', args --fast 'a b'"
    assert "{" not in entry.summary() and "[" not in entry.summary()
