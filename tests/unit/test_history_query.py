"""The one history query: the GUI's kinds and text filter, and the CLI's --query, over the same entries."""

from __future__ import annotations

import re

import pytest

from domain.services.history import OplogEntry
from domain.services.history_query import KINDS, HistoryQuery, filter_entries, searchable_fields

CREATE = OplogEntry(1, "create", "2026-01-01T00:00:00", 0, {"componentVersion": 0, "env": {}, "args": []})
CALL = OplogEntry(
    2,
    "invocation",
    "2026-01-01T00:00:01",
    0,
    {"function": "golem:component/api.{increment}", "args": ["5"], "result": "5", "hostCalls": [["clock", 1]], "stdout": "Hello"},
)
FAILED = OplogEntry(
    3,
    "update-failed",
    "2026-01-01T00:00:02",
    0,
    {"stage": "replay", "reason": "Diverged at entry 2", "targetVersion": 1},
)
ENTRIES = [CREATE, CALL, FAILED]


def _indices(query: HistoryQuery) -> list[int]:
    return [e.index for e in filter_entries(ENTRIES, query)]


def test_the_gui_filter_picks_kinds_and_finds_text_in_any_case_in_the_readable_fields():
    assert _indices(HistoryQuery(kinds=frozenset({"invocation", "create"}))) == [1, 2]
    assert _indices(HistoryQuery(text="INCREMENT")) == [2]  # the function's short name, any case
    assert _indices(HistoryQuery(text="diverged")) == [3]  # the reason
    assert _indices(HistoryQuery(text="incr.*5", regex=True)) == [2]
    assert _indices(HistoryQuery(text="incr.*5")) == []  # plain text: the dot is a dot
    assert _indices(HistoryQuery(text="hello")) == []  # stdout is not a readable field
    assert "increment" in searchable_fields(CALL)


def test_the_cli_query_is_a_case_sensitive_regex_over_the_summary_and_the_recorded_json():
    assert _indices(HistoryQuery.cli("Hello")) == [2]  # stdout, in the JSON
    assert _indices(HistoryQuery.cli("hello")) == []  # case-sensitive
    assert _indices(HistoryQuery.cli('"stage": "replay"')) == [3]
    assert _indices(HistoryQuery.cli("created on version 0")) == [1]  # the summary


def test_an_inactive_query_and_a_bad_expression():
    assert not HistoryQuery().active and not HistoryQuery(kinds=frozenset(KINDS)).active
    assert HistoryQuery(text="x").active
    with pytest.raises(re.error):
        filter_entries(ENTRIES, HistoryQuery.cli("(unclosed"))
