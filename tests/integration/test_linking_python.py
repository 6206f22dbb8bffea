"""A real Golem-shaped component, Python compiled by componentize-py, links and runs.

The component (tests/components/golemlike) imports WASI at componentize-py's
own 0.2.x patch, wasi:http, and golem:api/host@1.1.7 with a resource and a
function that Worker Desk does not provide. WASI must not be hidden by the
stubs for golem:api; the stubs fail only when called; HTTP without the
worker's grant is an error value the guest's own code handles.
"""

from __future__ import annotations

import re

import pytest

from domain.model.errors import InvocationFailed

NOT_PROVIDED = (
    "the component called golem:api/host@1.1.7.{{{item}}}, which Worker Desk does not provide "
    "(no grant enables it)"
)


def call(desk, ref: str, function: str, *args: str) -> str:
    return desk.workers.invoke(ref, function, list(args)).result_wave


def quoted(text: str) -> str:
    return '"' + text + '"'


@pytest.fixture
def golem(desk, golemlike_wasm):
    desk.components.add("golem", golemlike_wasm)
    return desk


def test_the_component_imports_wasi_at_componentize_pys_own_patch(golem):
    # Its WIT names wasi:http@0.2.0; componentize-py merges that into its own patch.
    imports = golem.components.version("golem").description.imports
    wasi_patches = {m[1] for name in imports if (m := re.match(r"wasi:[^@]+@(0\.2\.\d+)$", name))}
    assert len(wasi_patches) == 1, imports  # one patch, componentize-py's
    patch = wasi_patches.pop()
    for needed in ("wasi:random/random", "wasi:cli/environment", "wasi:http/outgoing-handler", "wasi:http/types"):
        assert f"{needed}@{patch}" in imports
    assert "golem:api/host@1.1.7" in imports


def test_wasi_is_not_hidden_by_the_stubs_for_golem_api(golem):
    golem.workers.create("golem", "w", env={"COLOUR": "teal"})
    assert call(golem, "golem/w", "ping") == "1"
    rolled = call(golem, "golem/w", "roll")
    assert 0 <= int(rolled) < 2**64
    assert call(golem, "golem/w", "roll") != rolled
    assert call(golem, "golem/w", "env", '"GOLEM_WORKER_NAME"') == 'some("w")'
    assert call(golem, "golem/w", "env", '"COLOUR"') == 'some("teal")'
    assert call(golem, "golem/w", "env", '"NOT_SET"') == "none"
    # os.urandom went through the recorded WASI random.
    roll_entry = golem.workers.oplog("golem/w")[2]
    assert [name for name, _ in roll_entry.data["hostCalls"]] == ["wasi:random/random.get-random-bytes"]


def test_only_the_golem_interface_is_unsupported(golem):
    d = golem.components.version("golem").description
    assert d.unsupported_imports == ("golem:api/host@1.1.7",)
    assert not [name for name in d.unsupported_imports if name.startswith("wasi:")]


def test_http_without_the_grant_is_an_error_the_guest_handles(golem, local_http):
    golem.workers.create("golem", "w")
    # The guest caught error-code::HTTP-request-denied and returned it as a value.
    assert call(golem, "golem/w", "fetch", quoted(local_http.url)) == quoted("error HTTP-request-denied")
    assert local_http.paths == []  # the request never left the host
    assert call(golem, "golem/w", "ping") == "1"
    assert [e.kind for e in golem.workers.oplog("golem/w")] == ["create", "invocation", "invocation"]


def test_http_with_the_grant_reaches_a_local_server(golem, local_http):
    golem.workers.create("golem", "w", grants={"http": True})
    assert call(golem, "golem/w", "fetch", quoted(local_http.url)) == quoted("status 200")
    assert local_http.paths == ["/hello?x=1"]
    assert int(call(golem, "golem/w", "roll")) >= 0


def test_unprovided_function_and_resource_fail_naming_themselves_and_the_worker_goes_on(golem):
    golem.workers.create("golem", "w")
    assert call(golem, "golem/w", "ping") == "1"
    with pytest.raises(InvocationFailed) as e:
        call(golem, "golem/w", "promise")
    assert str(e.value) == NOT_PROVIDED.format(item="create-promise")
    assert e.value.kind == "unsupported-import"
    with pytest.raises(InvocationFailed) as e:
        call(golem, "golem/w", "workers")
    assert str(e.value) == NOT_PROVIDED.format(item="[constructor]get-workers")
    assert e.value.kind == "unsupported-import"
    # Still usable: the next call rebuilds the instance from its history.
    assert call(golem, "golem/w", "ping") == "1"
    assert call(golem, "golem/w", "env", '"GOLEM_WORKER_NAME"') == 'some("w")'
    oplog = golem.workers.oplog("golem/w")
    assert [e.kind for e in oplog] == [
        "create",
        "invocation",
        "invocation-failed",
        "invocation-failed",
        "invocation",
        "invocation",
    ]


def test_a_restart_recovers_the_worker_and_replays_its_rolls(open_home, golemlike_wasm):
    desk = open_home()
    desk.components.add("golem", golemlike_wasm)
    desk.workers.create("golem", "w")
    rolled = [call(desk, "golem/w", "roll") for _ in range(3)]
    with pytest.raises(InvocationFailed):
        call(desk, "golem/w", "workers")
    assert call(desk, "golem/w", "fetch", '"http://127.0.0.1:9/"') == quoted("error HTTP-request-denied")
    desk.close()

    again = open_home()  # a restarted process recovers from the history
    # Every completed call replays to its recorded result (rolls from their
    # recorded random bytes); a difference would fail the recovery.
    assert again.workers.recover("golem/w") == 4
    assert call(again, "golem/w", "ping") == "1"
    results = [e.data.get("result") for e in again.workers.oplog("golem/w") if e.kind == "invocation"]
    assert results[:3] == rolled
    assert int(call(again, "golem/w", "roll")) >= 0
