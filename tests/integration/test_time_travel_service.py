"""Time travel: a worker rebuilt at a history entry, called, and compared with now (in memory, SQLite, PostgreSQL)."""

from __future__ import annotations

import pytest

from domain.model.errors import BadArguments, InvocationFailed
from domain.services.time_travel import TimeTravel

REF = "counter/w1"


@pytest.fixture
def counter(desk, counter_family):
    """A worker on version 1 (it has snapshot exports) with increments 5 and 7 (entries 2 and 3)."""
    desk.components.add("counter", counter_family[0])
    desk.components.add("counter", counter_family[1])
    desk.workers.create("counter", "w1", version=1)
    desk.workers.invoke(REF, "increment", ["5"])
    desk.workers.invoke(REF, "increment", ["7"])
    return desk


def test_travel_rebuilds_a_past_entry_and_offers_only_invocable_functions(counter):
    t = TimeTravel(counter.workers).travel(REF, 2)
    assert (t.ref, t.position, t.past.position) == (REF, 2, 2)
    names = {f.name for f in t.functions}
    assert {"increment", "get", "boom"} <= names
    # The update protocol's exports are there, but not offered
    assert any(f.qualified_name.startswith("golem:api/save-snapshot") for f in t.past.functions())
    assert not any(f.qualified_name.startswith("golem:api/") for f in t.functions)


def test_calls_on_the_past_change_only_the_scratch_copy(counter):
    tt = TimeTravel(counter.workers)
    past = tt.travel(REF, 2).past
    r = tt.call(REF, past, "get", "")
    assert (r.ref, r.function, r.then, r.past) == (REF, "get", "5", past)
    assert tt.call(REF, past, "increment", " 4 ").then == "9"
    assert tt.call(REF, past, "golem:component/api.{get}", "// no arguments").then == "9"
    assert counter.workers.history_length(REF) == 3
    assert counter.workers.invoke(REF, "get", []).result_wave == "12"


def test_bad_arguments_are_refused_before_the_call(counter):
    tt = TimeTravel(counter.workers)
    past = tt.travel(REF, 3).past
    increment = r"golem:component/api\.\{increment\}"
    with pytest.raises(BadArguments, match=rf"^bad arguments for {increment}: argument by \(u32\): at column 1: expected u32"):
        tt.call(REF, past, "increment", '"five"')
    with pytest.raises(BadArguments, match=rf"^bad arguments for {increment}: expects 1 argument \(by: u32\), got 2$"):
        tt.call(REF, past, "increment", "1, [2, 3]")
    # A text that cannot be cut into arguments is bad arguments too
    with pytest.raises(BadArguments, match=r'^bad arguments for increment: at column 1: unterminated string'):
        tt.call(REF, past, "increment", '"1, 2')
    assert tt.call(REF, past, "get", "").then == "12"


def test_after_a_trap_the_next_call_runs_on_a_fresh_rebuild(counter):
    tt = TimeTravel(counter.workers)
    past = tt.travel(REF, 2).past
    tt.call(REF, past, "increment", "100")
    with pytest.raises(InvocationFailed):
        tt.call(REF, past, "boom", "")
    assert past.instance.dead
    r = tt.call(REF, past, "get", "")
    # Rebuilt at the same entry: the scratch increment is gone with the trapped instance
    assert r.then == "5" and r.past is not past and r.past.position == 2


def test_compare_makes_the_same_call_then_and_now(counter):
    tt = TimeTravel(counter.workers)
    past = tt.travel(REF, 2).past
    c = tt.compare(REF, past, None, "get", "")
    assert (c.then, c.now_text, c.same) == ("5", "12", False)
    assert c.past is past and c.now.position == 3 and c.function == "get"
    # At the latest entry both sides agree; "now" is kept while it is still the latest entry
    latest = tt.travel(REF, 3).past
    again = tt.compare(REF, latest, c.now, "get", "")
    assert (again.then, again.now_text, again.same) == ("12", "12", True)
    assert again.now is c.now
    # A new entry makes "now" a new rebuild
    counter.workers.invoke(REF, "increment", ["1"])
    later = tt.compare(REF, past, c.now, "get", "")
    assert later.now is not c.now and later.now.position == 4
    assert (later.then, later.now_text) == ("5", "13")
    assert counter.workers.history_length(REF) == 4


def test_a_side_that_fails_is_shown_as_an_error_not_raised(counter):
    tt = TimeTravel(counter.workers)
    past = tt.travel(REF, 2).past
    c = tt.compare(REF, past, None, "increment", "x")
    assert c.then.startswith("error: bad arguments for golem:component/api.{increment}: argument by (u32)")
    assert c.now_text == c.then and c.same
    trapped = tt.compare(REF, past, c.now, "boom", "")
    assert trapped.then.startswith("error: ") and trapped.now_text.startswith("error: ")
    # Both trapped instances are rebuilt for the next comparison
    after = tt.compare(REF, trapped.past, trapped.now, "get", "")
    assert (after.then, after.now_text) == ("5", "12")
    assert after.past is not past and after.now is not c.now


def test_compare_across_an_update_uses_each_sides_version(counter, counter_family):
    counter.components.add("counter", counter_family[2])  # version 2 counts twice as fast
    assert counter.workers.update(REF, "manual", 2).ok
    tt = TimeTravel(counter.workers)
    before = tt.travel(REF, 3).past
    c = tt.compare(REF, before, None, "increment", "1")
    assert before.worker.component_version == 1 and c.now.worker.component_version == 2
    assert (c.then, c.now_text, c.same) == ("13", "14", False)
    assert counter.workers.invoke(REF, "get", []).result_wave == "12"


def test_arguments_are_one_text_of_comma_separated_values(desk, kitchen_wasm):
    desk.components.add("kitchen", kitchen_wasm)
    desk.workers.create("kitchen", "k")
    desk.workers.invoke("kitchen/k", "echo-u32", ["1"])
    tt = TimeTravel(desk.workers)
    past = tt.travel("kitchen/k", 2).past
    assert tt.call("kitchen/k", past, "echo-string", '"a, b" // one argument').then == '"a, b"'
    assert tt.call("kitchen/k", past, "echo-tuple", "(1, \"x, y\", 2.5),").then == '(1, "x, y", 2.5)'
    # A left-out trailing option is none; a function without a result gives ()
    assert tt.call("kitchen/k", past, "echo-option", "").then == "none"
    assert tt.call("kitchen/k", past, "warn", '"careful"').then == "()"
    assert desk.workers.history_length("kitchen/k") == 2


def test_time_travel_past_the_end_of_the_history_is_refused(desk, to_wasm):
    from domain.model.errors import NotFound
    from tests import wat

    desk.components.add("counter", to_wasm(wat.counter()))
    desk.workers.create("counter", "w")
    desk.workers.invoke("counter/w", "increment", ["1"])
    with pytest.raises(NotFound, match=r"has no history entry 9 \(its entries are 1\.\.2\)"):
        desk.workers.time_travel("counter/w", 9)
    with pytest.raises(NotFound):
        desk.workers.time_travel("counter/w", 0)
