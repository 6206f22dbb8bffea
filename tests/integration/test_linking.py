"""Components shaped like real Golem ones link and run.

They import WASI at several 0.2.x patches, wasi:http, and Golem interfaces
with resources that Worker Desk does not provide. WASI must never be hidden
by the stubs for the rest; unprovided functions fail only when called;
HTTP without the grant is an error the guest can handle.
"""

from __future__ import annotations

import pytest

from domain.model.errors import InvocationFailed
from tests import wat
from tests.conftest import run_cli

PATCH_MIXES = [
    pytest.param({"random": "0.2.3", "clocks": "0.2.0", "cli": "0.2.9", "http": "0.2.3"}, id="0.2.3+0.2.0+0.2.9"),
    pytest.param({"random": "0.2.0", "clocks": "0.2.12", "cli": "0.2.3", "http": "0.2.0"}, id="0.2.0+0.2.12+0.2.3"),
    pytest.param({"random": "0.2.9", "clocks": "0.2.9", "cli": "0.2.0", "http": "0.2.9"}, id="0.2.9-http"),
]
DENIED = 1000 + wat.HTTP_REQUEST_DENIED


def add(desk, to_wasm, **patches) -> None:
    desk.components.add("golem", to_wasm(wat.golem_like(**patches)))


def call(desk, ref: str, function: str, *args: str) -> str:
    return desk.workers.invoke(ref, function, list(args)).result_wave


@pytest.mark.parametrize("patches", PATCH_MIXES)
def test_wasi_at_every_patch_works_beside_unprovided_interfaces(desk, to_wasm, patches):
    add(desk, to_wasm, **patches)
    desk.workers.create("golem", "w", env={"A": "1", "B": "2"})
    roll = call(desk, "golem/w", "roll")
    assert int(roll) >= 0
    assert int(call(desk, "golem/w", "now")) > 0
    # GOLEM_WORKER_NAME, GOLEM_AGENT_ID, GOLEM_COMPONENT_ID, GOLEM_COMPONENT_VERSION, GOLEM_COMPONENT_REVISION, A, B
    assert call(desk, "golem/w", "env-count") == "7"
    host_calls = desk.workers.oplog("golem/w")[1].data["hostCalls"]
    assert host_calls == [["wasi:random/random.get-random-u64", int(roll)]]


def test_unprovided_imports_are_listed_and_wasi_ones_are_not(desk, to_wasm):
    add(desk, to_wasm)
    d = desk.components.version("golem").description
    assert d.unsupported_imports == ("golem:api/host@1.3.0", "golem:rpc/types@0.2.2")


@pytest.mark.parametrize("patches", PATCH_MIXES)
def test_http_without_the_grant_is_denied_inside_the_guest(desk, to_wasm, patches, local_http):
    add(desk, to_wasm, **patches)
    desk.workers.create("golem", "w")
    # The guest's own code sees error-code::HTTP-request-denied and carries on.
    assert call(desk, "golem/w", "fetch", f'"{local_http.authority}"') == str(DENIED)
    assert call(desk, "golem/w", "ping") == "1"


def test_http_with_the_grant_reaches_a_local_server(desk, to_wasm, local_http):
    add(desk, to_wasm)
    desk.workers.create("golem", "w", grants={"http": True})
    assert call(desk, "golem/w", "fetch", f'"{local_http.authority}"') == "200"
    assert int(call(desk, "golem/w", "roll")) >= 0


def test_calling_an_unprovided_function_fails_naming_it_and_the_worker_goes_on(desk, to_wasm):
    add(desk, to_wasm)
    desk.workers.create("golem", "w")
    first = call(desk, "golem/w", "roll")
    with pytest.raises(InvocationFailed) as e:
        call(desk, "golem/w", "promise")
    assert str(e.value) == (
        "the component called golem:api/host@1.3.0.{create-promise}, which Worker Desk does not provide "
        "(no grant enables it)"
    )
    assert e.value.kind == "unsupported-import"
    with pytest.raises(InvocationFailed, match=r"golem:rpc/types@0\.2\.2\.\{\[constructor\]wasm-rpc\}"):
        call(desk, "golem/w", "rpc")
    # Still usable: the next call rebuilds the instance from its history.
    assert call(desk, "golem/w", "ping") == "1"
    assert int(call(desk, "golem/w", "roll")) >= 0
    kinds = [e.kind for e in desk.workers.oplog("golem/w")]
    assert kinds == ["create", "invocation", "invocation-failed", "invocation-failed", "invocation", "invocation"]
    assert desk.workers.oplog("golem/w")[1].data["result"] == first


def test_a_trap_after_a_denied_request_says_which_grant_helps(desk, to_wasm, local_http):
    add(desk, to_wasm)
    desk.workers.create("golem", "w")
    with pytest.raises(InvocationFailed) as e:
        call(desk, "golem/w", "must-fetch", f'"{local_http.authority}"')
    assert "denied because the worker has no HTTP grant: create it with --allow-http" in str(e.value)
    desk.workers.create("golem", "h", grants={"http": True})
    assert call(desk, "golem/h", "must-fetch", f'"{local_http.authority}"') == "200"


def test_a_missing_function_of_a_provided_wasi_interface_does_not_hide_the_rest(desk, to_wasm):
    add(desk, to_wasm, extra_random=True)
    d = desk.components.version("golem").description
    assert "wasi:random/random@0.2.3" in d.unsupported_imports
    desk.workers.create("golem", "w")
    assert int(call(desk, "golem/w", "roll")) >= 0  # wasmtime's real get-random-u64, recorded
    with pytest.raises(InvocationFailed, match=r"wasi:random/random@0\.2\.3\.\{get-random-wish\}"):
        call(desk, "golem/w", "wish")
    assert call(desk, "golem/w", "env-count") == "5"


def test_recovery_and_automatic_update_replay_across_unprovided_calls(open_home, to_wasm):
    desk = open_home()
    add(desk, to_wasm)
    desk.workers.create("golem", "w")
    rolled = [call(desk, "golem/w", "roll") for _ in range(3)]
    with pytest.raises(InvocationFailed):
        call(desk, "golem/w", "promise")
    assert call(desk, "golem/w", "fetch", '"127.0.0.1:9"') == str(DENIED)
    desk.close()
    again = open_home()  # a restarted process recovers from the history
    assert call(again, "golem/w", "ping") == "1"
    assert [e.data.get("result") for e in again.workers.oplog("golem/w") if e.kind == "invocation"][:3] == rolled
    add(again, to_wasm, random="0.2.0", clocks="0.2.3", cli="0.2.0", http="0.2.0")
    outcome = again.workers.update("golem/w", "auto", 1)
    assert outcome.ok, outcome.message()
    assert again.workers.get("golem/w")["componentVersion"] == 1


def test_initial_memory_above_the_cap_fails_in_one_line(desk, to_wasm):
    big = to_wasm(
        '(component (core module $m (memory 20000) (func (export "f") (result i32) i32.const 1))'
        ' (core instance $i (instantiate $m))'
        ' (func $f (result u32) (canon lift (core func $i "f"))) (export "f" (func $f)))'
    )
    desk.components.add("big", big)
    desk.workers.create("big", "small", max_memory=100 * 1024 * 1024)
    with pytest.raises(InvocationFailed) as e:
        call(desk, "big/small", "f")
    assert str(e.value) == (
        "the component asks for 1,250 MiB of memory at start, more than this worker's cap of 100 MiB "
        "(create the worker with a larger --max-memory, or raise the memory limit in the settings)"
    )
    assert e.value.kind == "memory"
    desk.workers.create("big", "roomy", max_memory=2 * 1024**3)
    assert call(desk, "big/roomy", "f") == "1"
    assert desk.workers.get("big/roomy")["maxMemory"] == 2 * 1024**3


def test_memory_growth_stops_at_the_workers_own_cap_not_the_default(desk, kitchen_wasm):
    desk.components.add("kitchen", kitchen_wasm)
    desk.workers.create("kitchen", "capped", max_memory=96 * 1024 * 1024)
    desk.workers.create("kitchen", "default")
    assert call(desk, "kitchen/capped", "hog", "8") == "8"
    with pytest.raises(InvocationFailed) as e:
        call(desk, "kitchen/capped", "hog", "200")
    assert e.value.kind == "memory"
    assert "ran out of memory (each worker may use at most 96 MiB)" in str(e.value)
    assert call(desk, "kitchen/default", "hog", "200") == "200"  # under the data folder's limit


def test_cli_worker_new_max_memory(home, to_wasm, tmp_path):
    comp = tmp_path / "golem.wasm"
    comp.write_bytes(to_wasm(wat.golem_like()))
    assert run_cli(home, "component", "add", "golem", str(comp)).returncode == 0
    bad = run_cli(home, "worker", "new", "golem", "w", "--max-memory", "lots")
    assert bad.returncode != 0
    assert bad.stderr.strip() == "error: 'lots' is not a size: write a number with a unit, such as 256MiB or 2GiB"
    ok = run_cli(home, "worker", "new", "golem", "w", "--max-memory", "256MiB")
    assert ok.returncode == 0, ok.stderr
    got = run_cli(home, "worker", "get", "golem/w")
    assert "memory cap:        256 MiB" in got.stdout
    listed = run_cli(home, "component", "get", "golem")
    assert "unsupported import: golem:api/host@1.3.0" in listed.stdout
    assert "wasi:" not in "".join(line for line in listed.stdout.splitlines() if "unsupported" in line)


def test_the_default_memory_cap_is_one_gib_as_in_golem(home):
    from domain.bootstrap import open_desk

    desk = open_desk(home)
    try:
        assert desk.settings.memory_limit_mib == 1024
        assert desk.runtime.limits.memory_limit == 1024**3
    finally:
        desk.close()
