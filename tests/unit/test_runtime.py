"""The wasmtime adapter: loading, describing, calling, limits and host-call recording."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from domain.model.errors import (
    BadArguments,
    FunctionNotFound,
    HostCallDivergence,
    InvalidComponent,
    InvocationFailed,
)
from domain.model.hostcalls import HostCalls
from domain.runtime import InstanceConfig, Limits, WasmtimeRuntime
from tests import wat


@pytest.fixture
def runtime(tmp_path: Path) -> WasmtimeRuntime:
    rt = WasmtimeRuntime(tmp_path / "compiled", Limits(time_limit=0.3, memory_limit=4 * 1024 * 1024))
    yield rt
    rt.close()


def instance(runtime: WasmtimeRuntime, data: bytes, **config: object):
    cfg = InstanceConfig(worker_name="w1", component_id="cid", component_version=0, **config)
    return runtime.instantiate(runtime.load(data), cfg, HostCalls())


# --- loading ---------------------------------------------------------------------


def test_a_core_module_is_refused_with_a_hint_to_wrap_it(runtime, to_wasm):
    core = bytes(__import__("wasmtime").wat2wasm(wat.CORE_MODULE))
    with pytest.raises(InvalidComponent) as e:
        runtime.load(core)
    assert str(e.value) == (
        "this is a core WebAssembly module, not a component: wrap it with `wasm-tools component new`"
    )


@pytest.mark.parametrize(
    "data, sentence",
    [
        (b"", "the file is empty"),
        (b"PK\x03\x04 a zip file", "this is not a WebAssembly file"),
        (b"\0asm\x0d\x00", "truncated: it ends inside its 8-byte header"),
        (b"\0asm\x02\x00\x00\x00", "unsupported WebAssembly binary version"),
    ],
)
def test_files_that_are_not_components_get_one_clear_sentence(runtime, data, sentence):
    with pytest.raises(InvalidComponent) as e:
        runtime.load(data)
    assert sentence in str(e.value)
    assert "\n" not in str(e.value)


def test_a_truncated_component_is_reported_as_truncated(runtime, to_wasm):
    data = to_wasm(wat.counter())
    with pytest.raises(InvalidComponent) as e:
        runtime.load(data[: len(data) // 2])
    assert "truncated" in str(e.value)


def test_a_component_that_fails_validation_says_so_in_one_line(runtime, to_wasm):
    data = bytearray(to_wasm(wat.counter()))
    # Corrupt one opcode deep inside the core module's code section.
    pos = data.index(b"\x7e\x7c")  # i64.mul i64.add
    data[pos] = 0xFF
    with pytest.raises(InvalidComponent) as e:
        runtime.load(bytes(data))
    assert str(e.value).startswith("the component failed validation")
    assert "\n" not in str(e.value)


def test_component_text_is_accepted_and_converted(runtime):
    binary = runtime.to_binary(wat.counter().encode())
    assert binary[:4] == b"\0asm"
    assert runtime.load(binary).description.functions


def test_description_lists_functions_with_full_types_and_snapshot_interfaces(runtime, to_wasm):
    d = runtime.load(to_wasm(wat.counter())).description
    sigs = {f.qualified_name: f.wit() for f in d.functions}
    assert sigs["golem:component/api.{increment}"] == "func(by: u32) -> u64"
    assert sigs["golem:api/load-snapshot@1.1.0.{load}"] == "func(bytes: list<u8>) -> result<_, string>"
    assert d.save_snapshot == "golem:api/save-snapshot@1.1.0"
    assert d.load_snapshot == "golem:api/load-snapshot@1.1.0"


@pytest.mark.parametrize("version", ["0.2.0", "0.2.2", "1.1.0", "1.1.7", "1.3.0"])
def test_snapshot_interfaces_are_found_under_any_golem_api_version(runtime, to_wasm, version):
    d = runtime.load(to_wasm(wat.counter(snapshot_version=version))).description
    assert d.exports_save and d.exports_load
    assert d.save_snapshot.endswith("@" + version)


def test_a_component_may_export_only_one_snapshot_interface(runtime, to_wasm):
    only_save = runtime.load(to_wasm(wat.counter(load=False))).description
    only_load = runtime.load(to_wasm(wat.counter(save=False))).description
    assert (only_save.exports_save, only_save.exports_load) == (True, False)
    assert (only_load.exports_save, only_load.exports_load) == (False, True)


def test_imports_outside_wasi_are_listed_as_unsupported_and_fail_when_reached(runtime, to_wasm):
    data = to_wasm(wat.GOLEM_HOST)
    d = runtime.load(data).description
    assert d.unsupported_imports == ("golem:api/host@1.1.0",)
    inst = instance(runtime, data)
    assert inst.call("ping", []).result == 1
    with pytest.raises(InvocationFailed) as e:
        inst.call("whoami", [])
    assert e.value.kind == "unsupported-import"
    assert "golem:api/host@1.1.0.{get-self-id}" in str(e.value)


# --- compiled cache ---------------------------------------------------------------------


def test_compiled_components_are_cached_and_a_corrupt_cache_file_is_rebuilt(tmp_path, to_wasm):
    data = to_wasm(wat.counter())
    first = WasmtimeRuntime(tmp_path / "c")
    first.load(data)
    files = list((tmp_path / "c").glob("*.cwasm"))
    assert len(files) == 1 and first.cache.misses == 1
    second = WasmtimeRuntime(tmp_path / "c")
    second.load(data)
    assert second.cache.hits == 1
    files[0].write_bytes(files[0].read_bytes()[:-100] + b"x" * 100)
    third = WasmtimeRuntime(tmp_path / "c")
    loaded = third.load(data)
    assert third.cache.hits == 0 and third.cache.misses == 1
    assert loaded.description.functions
    assert "wasmtime" in files[0].name  # keyed by the wasmtime version too


def test_two_runtimes_loading_a_new_component_at_once_compile_it_once(tmp_path, to_wasm, monkeypatch):
    import threading

    from domain.runtime import _runtime

    # Given a compile that takes a moment (an 18 MB component takes seconds)
    real = _runtime.wc.Component

    class SlowComponent:
        deserialize = real.deserialize

        def __new__(cls, engine, data):
            time.sleep(0.4)
            return real(engine, data)

    monkeypatch.setattr(_runtime.wc, "Component", SlowComponent)
    data = to_wasm(wat.counter(factor=11))
    runtimes = [WasmtimeRuntime(tmp_path / "c"), WasmtimeRuntime(tmp_path / "c")]
    # When both load it at once (two processes: the GUI and a CLI run, or two test workers)
    threads = [threading.Thread(target=r.load, args=(data,)) for r in runtimes]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    # Then one compiled it and the other took it from the cache; no lock file is left
    assert sorted((r.cache.misses, r.cache.hits) for r in runtimes) == [(0, 1), (1, 0)]
    assert [p.suffix for p in (tmp_path / "c").iterdir()] == [".cwasm"]


# --- calling -------------------------------------------------------------------------


def test_functions_are_called_by_golem_name_or_unambiguous_bare_name(runtime, to_wasm):
    inst = instance(runtime, to_wasm(wat.counter()))
    assert inst.call("golem:component/api.{increment}", [5]).result == 5
    assert inst.call("increment", [7]).result == 12
    assert inst.call("golem:component/api.{get}", []).result == 12


def test_an_unknown_function_lists_the_candidates(runtime, to_wasm):
    inst = instance(runtime, to_wasm(wat.counter()))
    with pytest.raises(FunctionNotFound) as e:
        inst.call("incremnt", [])
    assert "golem:component/api.{increment}" in str(e.value)


def test_an_ambiguous_bare_name_lists_the_qualified_candidates(runtime, to_wasm):
    twice = wat.counter().replace(
        '(export "golem:component/api" (instance $api))',
        '(export "golem:component/api" (instance $api))\n'
        '  (instance $api2 (export "get" (func $get)))\n'
        '  (export "golem:component/other" (instance $api2))',
    )
    inst = instance(runtime, to_wasm(twice))
    with pytest.raises(FunctionNotFound) as e:
        inst.call("get", [])
    assert "ambiguous" in str(e.value)
    assert set(e.value.candidates) == {"golem:component/api.{get}", "golem:component/other.{get}"}


def test_wrong_argument_count_or_type_is_a_bad_arguments_error(runtime, to_wasm):
    inst = instance(runtime, to_wasm(wat.counter()))
    with pytest.raises(BadArguments) as e:
        inst.call("increment", [])
    assert "expects 1 argument(s) (by: u32)" in str(e.value)
    with pytest.raises(BadArguments):
        inst.call("increment", ["five"])
    assert inst.call("increment", [1]).result == 1  # the instance is still usable


def test_a_trap_is_a_failure_with_the_trap_message_and_the_instance_is_retired(runtime, to_wasm):
    inst = instance(runtime, to_wasm(wat.counter()))
    with pytest.raises(InvocationFailed) as e:
        inst.call("boom", [])
    assert e.value.kind == "trap"
    assert "unreachable" in str(e.value)
    assert inst.dead


def test_an_endless_loop_is_stopped_at_the_time_limit(runtime, to_wasm):
    inst = instance(runtime, to_wasm(wat.counter()))
    started = time.monotonic()
    with pytest.raises(InvocationFailed) as e:
        inst.call("spin", [])
    elapsed = time.monotonic() - started
    assert e.value.kind == "timeout"
    assert "time limit of 0.3 s" in str(e.value)
    assert elapsed < 5


def test_memory_growth_is_capped(runtime, to_wasm):
    # The counter's allocator grows memory on demand and traps when growth is refused.
    inst = instance(runtime, to_wasm(wat.counter()))
    with pytest.raises(InvocationFailed):
        inst.load_snapshot(b"\0" * (8 * 1024 * 1024))
    small = instance(runtime, to_wasm(wat.counter()))
    assert small.load_snapshot(b"\0" * 8) is None


def test_save_and_load_snapshot_move_state_between_instances(runtime, to_wasm):
    data = to_wasm(wat.counter())
    a = instance(runtime, data)
    a.call("increment", [40])
    snap = a.save_snapshot()
    b = instance(runtime, data)
    assert b.load_snapshot(snap) is None
    assert b.call("get", []).result == 40
    assert b.load_snapshot(b"short") == "snapshot must be 8 bytes"


# --- host calls ----------------------------------------------------------------------


def test_live_host_calls_are_recorded_and_replayed_in_order(runtime, to_wasm):
    inst = instance(runtime, to_wasm(wat.ENTROPY))
    live = inst.call("roll", [])
    assert live.host_calls == [["wasi:random/random.get-random-u64", live.result]]
    fresh = instance(runtime, to_wasm(wat.ENTROPY))
    replayed = fresh.call("roll", [], replay=live.host_calls)
    assert replayed.result == live.result
    assert fresh.call("last", []).result == live.result


def test_a_different_host_call_during_replay_is_a_divergence_naming_both(runtime, to_wasm):
    inst = instance(runtime, to_wasm(wat.ENTROPY))
    recorded = inst.call("roll", []).host_calls
    fresh = instance(runtime, to_wasm(wat.ENTROPY))
    with pytest.raises(HostCallDivergence) as e:
        fresh.call("now", [], replay=recorded)
    assert e.value.expected.startswith("wasi:random/random.get-random-u64 -> ")
    assert e.value.actual == "wasi:clocks/monotonic-clock.now"


def test_a_missing_or_extra_host_call_during_replay_is_a_divergence(runtime, to_wasm):
    inst = instance(runtime, to_wasm(wat.ENTROPY))
    one = inst.call("roll", []).host_calls
    with pytest.raises(HostCallDivergence) as e:
        instance(runtime, to_wasm(wat.ENTROPY)).call("roll-twice", [], replay=one)
    assert e.value.expected is None  # the recording ran out
    two = inst.call("roll-twice", []).host_calls
    with pytest.raises(HostCallDivergence) as e:
        instance(runtime, to_wasm(wat.ENTROPY)).call("roll", [], replay=two)
    assert e.value.actual is None  # a recorded call was never made


def test_golem_api_1_5_record_shaped_snapshots_are_supported(runtime, to_wasm):
    data = to_wasm(wat.counter(record_snapshot=True, snapshot_version="1.5.0"))
    d = runtime.load(data).description
    assert d.save_snapshot == "golem:api/save-snapshot@1.5.0"
    a = instance(runtime, data)
    a.call("increment", [9])
    snap = a.save_snapshot()
    assert snap == (9).to_bytes(8, "little")
    b = instance(runtime, data)
    assert b.load_snapshot(snap) is None
    assert b.call("get", []).result == 9
