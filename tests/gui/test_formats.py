"""How the screens write counts and times: one way each, everywhere."""

from __future__ import annotations

from desktop_app.gui.widgets.formats import count, precise_time, short_time


def test_counts_have_separators_and_the_noun_that_fits() -> None:
    assert count(0, "worker") == "0 workers"
    assert count(1, "worker") == "1 worker"
    assert count(12_345, "update attempt") == "12,345 update attempts"
    assert count(1, "history entry", "history entries") == "1 history entry"
    assert count(2, "history entry", "history entries") == "2 history entries"


def test_times_are_seconds_in_utc_and_milliseconds_only_where_asked() -> None:
    stamp = "2026-12-01T22:34:44.832117+00:00"
    assert short_time(stamp) == "2026-12-01 22:34:44 UTC"
    assert precise_time(stamp) == "2026-12-01 22:34:44.832 UTC"
    assert short_time(None) == "—"
