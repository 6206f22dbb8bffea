"""Golem's host API (golem:api/host 1.1.x and 1.3.x) served to components.

Every function is called live, then the worker is recovered by a fresh
desk (a restarted process) that must serve it from history, then updated
automatically to a version whose replay must see the same host calls.
"""

from __future__ import annotations

import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest

from domain.model.errors import InvocationFailed
from domain.model.hostcalls import describe
from tests import wat
from tests.conftest import ROOT, run_cli

HOST = "golem:api/host"
NOOP = '(func (export "noop"))'  # version 1: the same behaviour, another binary


def source(extra_core: str = "", published: bool = False, **kw: Any) -> str:
    """The test component for an ``api``: 1.3 with the types of Golem's published golem:api@1.3.0."""
    if published:
        return wat.golem_host_api_1_3(extra_core=extra_core)
    return wat.golem_host_api(extra_core=extra_core, **kw)


def versions(to_wasm: Callable[[str], bytes], **kw: Any) -> list[bytes]:
    return [to_wasm(source(**kw)), to_wasm(source(extra_core=NOOP, **kw))]


@pytest.fixture(params=["1.1", "1.3"])
def api(request: pytest.FixtureRequest) -> dict[str, Any]:
    if request.param == "1.1":
        return {"version": "1.1.7"}
    return {"version": "1.3.0", "agent": True, "published": True}


@pytest.fixture
def golem(open_home, to_wasm, api):
    """A desk with component ``g`` (versions 0 and 1) and worker ``g/w`` on version 0."""
    desk = open_home()
    for binary in versions(to_wasm, **api):
        desk.components.add("g", binary)
    desk.workers.create("g", "w", version=0, env={"A": "1"}, args=["--x"])
    return desk


def call(desk, function: str, *args: str, ref: str = "g/w") -> str | None:
    return desk.workers.invoke(ref, function, list(args)).result_wave


def host_calls(desk, index: int, ref: str = "g/w") -> list[list[Any]]:
    return desk.workers.oplog(ref)[index - 1].data["hostCalls"]


def restart_and_update(open_home, ref: str = "g/w"):
    """A restarted process recovers the worker from history, then updates it automatically to version 1."""
    desk = open_home()
    desk.workers.recover(ref)
    outcome = desk.workers.update(ref, "auto", 1)
    assert outcome.ok, outcome.message()
    return desk


def test_every_implemented_item_is_linked_and_nothing_is_stubbed(golem, api):
    d = golem.components.version("g", 0).description
    assert d.unsupported_imports == ()


def test_generate_idempotency_key_is_durable(golem, open_home):
    high = int(call(golem, "key"))
    (name, text), = host_calls(golem, 2)
    assert name == f"{HOST}.generate-idempotency-key"
    assert uuid.UUID(text).int >> 64 == high
    assert describe([name, text]) == f"{HOST}.generate-idempotency-key -> {text}"
    desk = open_home()
    desk.workers.recover("g/w")
    assert call(desk, "last-key") == str(high)  # served from history, not generated again
    desk = restart_and_update(open_home)
    assert call(desk, "last-key") == str(high)
    assert int(call(desk, "key")) != high  # a live call makes a new one


def test_get_oplog_index_is_the_entry_of_the_invocation(golem, open_home):
    assert call(golem, "index") == "2"
    assert call(golem, "index") == "3"
    assert host_calls(golem, 3) == [[f"{HOST}.get-oplog-index", 3]]
    desk = restart_and_update(open_home)
    # entries: 4 update-requested, 5 update-started, 6 update-succeeded
    assert call(desk, "index") == "7"


def test_an_atomic_region_is_recorded_and_a_failed_one_leaves_nothing(golem, open_home):
    assert call(golem, "region", "0") == "2"
    kept = call(golem, "last-key")
    calls = host_calls(golem, 2)
    assert [c[0] for c in calls] == [f"{HOST}.mark-begin-operation", f"{HOST}.generate-idempotency-key", f"{HOST}.mark-end-operation"]
    assert calls[0][1] == calls[2][1] == 2
    with pytest.raises(InvocationFailed):
        call(golem, "region", "1")  # traps inside its region
    # The failed region left no host call behind: recovery rebuilds the state without it,
    # and the region runs again as a whole when called again.
    desk = open_home()
    desk.workers.recover("g/w")
    assert call(desk, "last-key") == kept
    assert call(desk, "region", "0") == "6"
    desk = restart_and_update(open_home)
    assert call(desk, "last-key") == str(uuid.UUID(host_calls(desk, 6)[1][1]).int >> 64)


def test_policies_are_stored_on_the_worker_and_shown_by_worker_get(golem, open_home):
    before = golem.workers.get("g/w")
    assert before["retryPolicy"]["max-attempts"] == 3
    assert (before["persistenceLevel"], before["idempotenceMode"]) == ("smart", True)
    assert golem.workers.invoke("g/w", "set-attempts", ["7"]).entry == 2
    call(golem, "set-level", "1")
    call(golem, "set-idem", "false")
    kinds = [e.kind for e in golem.workers.oplog("g/w")]
    assert kinds == ["create", "invocation", "policy-set", "invocation", "policy-set", "invocation", "policy-set"]
    assert golem.workers.oplog("g/w")[2].summary() == (
        'policy retry-policy set to {"max-attempts":7,"min-delay":1000,"max-delay":2000,"multiplier":2.0,'
        '"max-jitter-factor":null}'
    )
    assert golem.workers.oplog("g/w")[4].summary() == 'policy persistence-level set to "persist-remote-side-effects"'
    meta = golem.workers.get("g/w")
    assert meta["retryPolicy"] == {
        "max-attempts": 7, "min-delay": 1000, "max-delay": 2000, "multiplier": 2.0, "max-jitter-factor": None,
    }
    assert (meta["persistenceLevel"], meta["idempotenceMode"]) == ("persist-remote-side-effects", False)
    desk = open_home()
    # A new process reads them from the worker's history.
    assert (call(desk, "attempts"), call(desk, "level"), call(desk, "idem")) == ("7", "1", "false")
    desk = restart_and_update(open_home)
    assert (call(desk, "attempts"), call(desk, "level"), call(desk, "idem")) == ("7", "1", "false")
    assert desk.workers.get("g/w")["retryPolicy"]["max-attempts"] == 7


def test_a_different_policy_on_replay_is_a_divergence(open_home, to_wasm, api):
    desk = open_home()
    desk.components.add("g", to_wasm(source(**api)))
    # Version 1 sets another retry policy in set-attempts: its replay differs.
    changed = source(**api).replace("i64.const 1000 i64.const 2000", "i64.const 1000 i64.const 3000")
    desk.components.add("g", to_wasm(changed))
    desk.workers.create("g", "w", version=0)
    call(desk, "set-attempts", "4")
    outcome = desk.workers.update("g/w", "auto", 1)
    assert not outcome.ok
    assert outcome.divergence is not None and outcome.divergence.kind == "host-call"
    assert "set-retry-policy" in outcome.reason


def test_self_metadata_is_recorded_and_replayed_as_it_was(golem, open_home):
    assert call(golem, "self-version") == "0"
    assert call(golem, "self-status") == "0"  # running
    assert call(golem, "self-name-len") == "1"
    # GOLEM_WORKER_NAME, GOLEM_AGENT_ID, GOLEM_COMPONENT_ID, GOLEM_COMPONENT_VERSION, GOLEM_COMPONENT_REVISION and A
    assert call(golem, "self-env-count") == "6"
    recorded = host_calls(golem, 2)[0][1]
    assert recorded["componentVersion"] == 0 and recorded["args"] == ["--x"] and ["A", "1"] in recorded["env"]
    desk = restart_and_update(open_home)
    # Replayed on version 1 the recorded 0 came back (no divergence); live it is now 1.
    assert call(desk, "self-version") == "1"


def test_other_workers_metadata(golem, open_home):
    golem.workers.create("g", "other", version=0)
    assert call(golem, "other-version", '"other"') == "0"
    assert call(golem, "other-version", '"nobody"') == str(2**64 - 1)
    golem.workers.update("g/other", "auto", 1)
    assert call(golem, "other-version", '"other"') == "1"
    # Recovery and update serve the recorded answers (0, none, 1), not today's.
    restart_and_update(open_home)


def test_resolving_components_and_workers(golem, open_home):
    high = uuid.UUID(golem.components.get("g").id).int >> 64
    golem.workers.create("g", "other", version=0)
    none = str(2**64 - 1)
    assert call(golem, "resolve-component", '"g"') == str(high)
    assert call(golem, "resolve-component", '"missing"') == none
    assert call(golem, "resolve-worker", '"g"', '"other"', "true") == str(high + 5)
    assert call(golem, "resolve-worker", '"g"', '"later"', "false") == str(high + 5)  # not strict: need not exist
    assert call(golem, "resolve-worker", '"g"', '"later"', "true") == none
    assert call(golem, "commit") is None
    assert host_calls(golem, 7)[0] == [f"{HOST}.oplog-commit", 1]
    golem.workers.create("g", "later", version=0)
    # Replay serves the recorded answers (a live strict lookup of "later" now finds it).
    restart_and_update(open_home)


def test_update_worker_is_queued_when_the_invocation_ends(golem, open_home, api):
    done = golem.workers.invoke("g/w", "update-self", ["1", "0"])
    assert done.result_wave is None and done.entry == 2  # the invocation's entry, not the update's
    meta = golem.workers.get("g/w")
    assert meta["componentVersion"] == 1
    assert [(u["type"], u["mode"], u["targetVersion"]) for u in meta["updates"]] == [("successfulUpdate", "automatic", 1)]
    kinds = [e.kind for e in golem.workers.oplog("g/w")]
    assert kinds == ["create", "invocation", "update-requested", "update-started", "update-succeeded"]
    (_, meta_call), (name, request) = host_calls(golem, 2)
    assert name == f"{HOST}.{'update-agent' if api.get('agent') else 'update-worker'}"
    assert request == {"componentId": meta_call["componentId"], "workerName": "w", "targetVersion": 1, "mode": "automatic"}
    desk = open_home()
    desk.workers.recover("g/w")  # the recorded request is replayed, not queued again
    assert desk.workers.get("g/w")["updates"][-1]["type"] == "successfulUpdate"
    assert len(desk.workers.get("g/w")["updates"]) == 1


def test_update_worker_takes_effect_even_when_the_invocation_fails(golem):
    with pytest.raises(InvocationFailed):
        call(golem, "update-then-trap", "1")
    kinds = [e.kind for e in golem.workers.oplog("g/w")]
    assert kinds == ["create", "invocation-failed", "update-requested", "update-started", "update-succeeded"]
    assert golem.workers.get("g/w")["componentVersion"] == 1


def test_update_worker_with_a_bad_target_fails_the_call_in_one_line(golem):
    with pytest.raises(InvocationFailed) as e:
        call(golem, "update-self", "5", "1")
    assert "refused: component 'g' has no version 5 (versions: 0..1)" in str(e.value)
    assert "\n" not in str(e.value)
    assert golem.workers.get("g/w")["updates"] == []


def test_fork_is_unsupported_with_a_clear_error(golem, api):
    with pytest.raises(InvocationFailed) as e:
        call(golem, "fork-self")
    item = "fork-agent" if api.get("agent") else "fork-worker"
    assert e.value.kind == "unsupported-import"
    assert str(e.value) == (
        f"the component called golem:api/host@{api['version']}.{{{item}}}: "
        f"forking {'agents' if api.get('agent') else 'workers'} is not supported yet in Worker Desk"
    )


def test_the_oplog_shows_golem_host_calls_readably(golem, home, storage):
    if storage != "sqlite":
        pytest.skip("the CLI reads the data folder from another process")
    high = call(golem, "key")
    text = host_calls(golem, 2)[0][1]
    assert uuid.UUID(text).int >> 64 == int(high)
    golem.close()
    r = run_cli(home, "worker", "oplog", "g/w")
    assert r.returncode == 0, r.stderr
    assert f"host call {HOST}.generate-idempotency-key -> {text}" in r.stdout


# --- golem:api@1.3.0 as published --------------------------------------------------------


def test_every_published_1_3_item_it_imports_is_served(golem, api, to_wasm):
    if not api.get("published"):
        pytest.skip("1.3 only")
    import wasmtime
    from wasmtime import component as wc

    from domain.runtime._linking import WasiSurface

    assert golem.components.version("g", 0).description.unsupported_imports == ()
    engine = wasmtime.Engine()
    text = wat.golem_host_api_1_3()
    plan = WasiSurface(engine).plan(wc.Component(engine, to_wasm(text)))
    assert plan.unprovided_imports == ()
    assert {item.split(".{")[0] for item in plan.golem_items} == {"golem:api/host@1.3.0"}
    served = {item.split(".{")[1].rstrip("}") for item in plan.golem_items}
    declared = set(re.findall(r'\(export "([a-z-]+)" \(func', text[: text.index("(core module")]))
    assert served == declared
    # fork, fork-agent and revert-agent too: linked, and they fail when called.
    assert {
        "get-self-metadata", "get-agent-metadata", "update-agent", "generate-idempotency-key",
        "get-retry-policy", "set-retry-policy", "create-promise", "complete-promise",
        "fork", "fork-agent", "revert-agent",
    } <= served  # fmt: skip


def test_published_1_3_metadata_has_config_vars_and_the_revision(golem, open_home, api):
    if not api.get("published"):
        pytest.skip("1.3 only")
    assert call(golem, "self-config-count") == "0"  # Worker Desk has no config vars
    assert call(golem, "self-version") == "0"
    assert call(golem, "self-env-count") == "6"
    golem.workers.create("g", "other", version=0)
    golem.workers.update("g/other", "auto", 1)
    assert call(golem, "other-version", '"other"') == "1"  # get-agent-metadata's component-revision
    assert host_calls(golem, 2)[0][0] == f"{HOST}.get-self-metadata"
    desk = open_home()
    desk.workers.recover("g/w")
    desk = restart_and_update(open_home)
    assert (call(desk, "self-config-count"), call(desk, "self-version")) == ("0", "1")


def test_published_1_3_update_agent_queues_an_update(golem, open_home, api):
    if not api.get("published"):
        pytest.skip("1.3 only")
    call(golem, "update-self", "1", "0")
    assert golem.workers.get("g/w")["componentVersion"] == 1
    (name, request) = host_calls(golem, 2)[1]
    assert name == f"{HOST}.update-agent" and request["targetVersion"] == 1 and request["mode"] == "automatic"
    assert call(golem, "self-version") == "1"
    desk = open_home()
    desk.workers.recover("g/w")
    assert len(desk.workers.get("g/w")["updates"]) == 1


def test_published_1_3_promises_are_created_and_completed(golem, open_home, api):
    if not api.get("published"):
        pytest.skip("1.3 only")
    assert call(golem, "promise-new") == "1"
    assert call(golem, "promise-agent-len") == "1"  # the promise id's agent-id names "w"
    assert host_calls(golem, 2) == [[f"{HOST}.create-promise", 1]]
    assert call(golem, "promise-complete", "1", "[1, 2, 3]") == "true"
    assert call(golem, "promise-complete", "1", "[9]") == "false"  # completed once
    assert host_calls(golem, 4)[-1] == [f"{HOST}.complete-promise", True]
    desk = open_home()
    desk.workers.recover("g/w")  # served from history: no second promise is created
    assert call(desk, "promise-new") == "2"
    desk = restart_and_update(open_home)
    assert call(desk, "promise-complete", "2", "[7]") == "true"
    assert call(desk, "promise-new") == "3"


def test_published_1_3_fork_and_revert_are_linked_and_unsupported(golem, api):
    if not api.get("published"):
        pytest.skip("1.3 only")
    for function, item, what in (("fork-now", "fork", "forking workers"), ("revert-self", "revert-agent", "reverting an agent's history")):
        with pytest.raises(InvocationFailed) as e:
            call(golem, function)
        assert e.value.kind == "unsupported-import"
        assert str(e.value) == f"the component called golem:api/host@1.3.0.{{{item}}}: {what} is not supported yet in Worker Desk"


def test_1_3_imports_with_1_1_metadata_fields_are_served_too(open_home, to_wasm):
    # agent-named, but agent-metadata with component-version and no config-vars, as some guests declare it
    desk = open_home()
    desk.components.add("g", to_wasm(wat.golem_host_api(version="1.3.0", agent=True, promises=False)))
    assert desk.components.version("g").description.unsupported_imports == ()
    desk.workers.create("g", "w")
    assert (call(desk, "self-version"), call(desk, "self-status")) == ("0", "0")


# --- promises (1.1) ----------------------------------------------------------------------


@pytest.fixture
def promised(open_home, to_wasm):
    desk = open_home()
    for binary in versions(to_wasm, version="1.1.7"):
        desk.components.add("g", binary)
    desk.workers.create("g", "w", version=0)
    return desk


def test_promises_complete_poll_delete_and_replay(promised, open_home):
    desk = promised
    assert call(desk, "promise-new") == "1"
    assert call(desk, "promise-new") == "2"
    assert call(desk, "promise-poll", "1") == "none"
    assert call(desk, "promise-complete", "1", "[1, 2, 3]") == "true"
    assert call(desk, "promise-complete", "1", "[9]") == "false"  # completed once
    assert call(desk, "promise-poll", "1") == "some([1, 2, 3])"
    assert call(desk, "promise-await", "1") == "[1, 2, 3]"
    call(desk, "promise-delete", "2")
    with pytest.raises(InvocationFailed, match="has no promise 2"):
        call(desk, "promise-poll", "2")
    desk = open_home()
    desk.workers.recover("g/w")
    desk = restart_and_update(open_home)
    assert call(desk, "promise-poll", "1") == "some([1, 2, 3])"


def test_await_promise_waits_for_a_completion_from_another_process(home):
    from domain.bootstrap import open_desk
    import wasmtime

    desk = open_desk(home, time_limit=20)
    try:
        desk.components.add("g", bytes(wasmtime.wat2wasm(wat.golem_host_api())))
        desk.workers.create("g", "w")
        assert call(desk, "promise-new") == "1"
        completer = subprocess.Popen(
            [sys.executable, "-c", (
                "import subprocess, sys, time; time.sleep(1.0); "
                f"sys.exit(subprocess.run([sys.executable, '-m', 'desktop_app', '--home', {str(home)!r}, "
                "'worker', 'complete-promise', 'g/w', '1', 'hello']).returncode)"
            )],
            cwd=ROOT,
        )  # fmt: skip
        started = time.monotonic()
        assert call(desk, "promise-await", "1") == "[104, 101, 108, 108, 111]"
        waited = time.monotonic() - started
        assert completer.wait(60) == 0
        assert waited >= 0.9
        assert host_calls(desk, 3)[-1] == [f"{HOST}.await-promise", b"hello".hex()]
    finally:
        desk.close()
    r = run_cli(home, "worker", "complete-promise", "g/w", "1", "again")
    assert r.returncode == 0 and "already completed" in r.stdout
    r = run_cli(home, "worker", "complete-promise", "g/w", "7", "x")
    assert r.returncode == 1 and r.stderr.strip().count("\n") == 0 and "has no promise 7" in r.stderr


def test_await_promise_gives_up_at_the_time_limit(home):
    from domain.bootstrap import open_desk
    import wasmtime

    desk = open_desk(home, time_limit=1.0)
    try:
        desk.components.add("g", bytes(wasmtime.wat2wasm(wat.golem_host_api())))
        desk.workers.create("g", "w")
        call(desk, "promise-new")
        with pytest.raises(InvocationFailed) as e:
            call(desk, "promise-await", "1")
        assert e.value.kind == "timeout"
        assert "which was not completed" in str(e.value)
    finally:
        desk.close()


# --- golem:api 1.5 -----------------------------------------------------------------------


def test_golem_api_1_5_items_are_stubs_that_say_why(open_home, to_wasm):
    desk = open_home()
    desk.components.add("g", to_wasm(wat.golem_host_api(version="1.5.0", agent=True, promises=False)))
    assert desk.components.version("g").description.unsupported_imports == ("golem:api/host@1.5.0",)
    desk.workers.create("g", "w")
    with pytest.raises(InvocationFailed) as e:
        call(desk, "key")
    assert str(e.value) == (
        "the component called golem:api/host@1.5.0.{generate-idempotency-key}, which Worker Desk does not provide: "
        "golem:api 1.5 declares it as an async function, which wasmtime-py 50 cannot expose"
    )


def test_an_item_of_another_shape_stays_a_stub(open_home, to_wasm):
    # tests.wat.golem_like imports golem:api/host@1.3.0 create-promise returning a u64: not Golem's shape.
    desk = open_home()
    desk.components.add("golem", to_wasm(wat.golem_like()))
    assert "golem:api/host@1.3.0" in desk.components.version("golem").description.unsupported_imports


# --- Golem's environment -------------------------------------------------------------------


def test_replay_sees_the_environment_the_history_saw(open_home, kitchen_wasm):
    from tests.integration.test_private_files import custom_section

    desk = open_home()
    desk.components.add("kitchen", kitchen_wasm)
    desk.components.add("kitchen", kitchen_wasm + custom_section("workerdesk-test", b"v1"))
    desk.workers.create("kitchen", "k", version=0)
    seen = dict(desk.workers.invoke("kitchen/k", "env", []).result)
    assert {k: v for k, v in seen.items() if k.startswith("GOLEM_")} == {
        "GOLEM_WORKER_NAME": "k",
        "GOLEM_AGENT_ID": "k",
        "GOLEM_COMPONENT_ID": desk.components.get("kitchen").id,
        "GOLEM_COMPONENT_VERSION": "0",
        "GOLEM_COMPONENT_REVISION": "0",
    }
    # Replayed on version 1, the recorded call must see version 0 again, or its result would differ.
    outcome = desk.workers.update("kitchen/k", "auto", 1)
    assert outcome.ok, outcome.message()
    desk = open_home()
    desk.workers.recover("kitchen/k")  # a full replay on version 1, in a new process
    fresh = open_home()
    fresh.workers.create("kitchen", "n", version=1)
    assert dict(fresh.workers.invoke("kitchen/n", "env", []).result)["GOLEM_COMPONENT_REVISION"] == "1"


# --- golem:api/context ---------------------------------------------------------------------


def test_the_invocation_context_is_local_and_its_ids_are_recorded(open_home, to_wasm):
    desk = open_home()
    desk.components.add("c", to_wasm(wat.golem_context()))
    desk.components.add("c", to_wasm(wat.golem_context(extra_core=NOOP)))
    assert desk.components.version("c", 0).description.unsupported_imports == ()
    desk.workers.create("c", "w", version=0)
    span = call(desk, "span-id", '"work"', ref="c/w")
    trace = call(desk, "trace-id", ref="c/w")
    assert call(desk, "attr", '"k"', ref="c/w") == '"val"'  # inherited from the parent span
    assert call(desk, "attr", '"nope"', ref="c/w") == '""'
    root, started = host_calls(desk, 2, ref="c/w")
    assert root[0] == "golem:api/context.current-context" and started[0] == "golem:api/context.start-span"
    assert span == f'"{started[1][0]}"'
    assert trace == f'"{host_calls(desk, 3, ref="c/w")[0][1][0]}"'
    assert len(trace) == 34 and trace != call(desk, "trace-id", ref="c/w")  # a trace per invocation
    # Recovery and an automatic update hand back the recorded ids (else the results would differ).
    restart_and_update(open_home, "c/w")


def test_time_travel_calls_cannot_write_promises(open_home, to_wasm):
    desk = open_home()
    desk.components.add("g", to_wasm(wat.golem_host_api()))
    desk.workers.create("g", "w")
    assert call(desk, "promise-new") == "1"
    past = desk.workers.time_travel("g/w", 2)
    with pytest.raises(InvocationFailed, match="create-promise is not available to this instance"):
        past.call("promise-new", [])
    assert call(desk, "promise-new") == "2"  # the past call created nothing


def test_worker_get_shows_the_policies(golem, home, storage):
    if storage != "sqlite":
        pytest.skip("the CLI reads the data folder from another process")
    call(golem, "set-attempts", "7")
    call(golem, "set-idem", "false")
    golem.close()
    r = run_cli(home, "worker", "get", "g/w")
    assert r.returncode == 0, r.stderr
    assert "retry policy:      7 attempts, 0.001–0.002 ms x2, no jitter" in r.stdout
    assert "persistence:       smart, idempotent: no" in r.stdout
