"""A real component built from Python by componentize-py, calling WASI, on the runtime."""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from domain.model import types as t
from domain.model import wave
from domain.model.errors import InvocationFailed
from domain.model.hostcalls import HostCalls
from domain.runtime import InstanceConfig, Limits, WasmtimeRuntime
from tests.conftest import SHARED_COMPILED


@pytest.fixture(scope="module")
def runtime() -> WasmtimeRuntime:
    rt = WasmtimeRuntime(SHARED_COMPILED, Limits(time_limit=10))
    yield rt
    rt.close()


@pytest.fixture
def kitchen(runtime, kitchen_wasm):
    def make(**config: object):
        cfg = InstanceConfig(worker_name="w1", component_id="comp-1", component_version=3, **config)
        return runtime.instantiate(runtime.load(kitchen_wasm), cfg, HostCalls())

    return make


ROUND_TRIPS = [
    ("echo-bool", ["true", "false"]),
    ("echo-s8", ["-128", "127"]),
    ("echo-u8", ["0", "255"]),
    ("echo-s16", ["-32768"]),
    ("echo-u16", ["65535"]),
    ("echo-s32", ["-2147483648"]),
    ("echo-u32", ["4294967295"]),
    ("echo-s64", ["-9223372036854775808", "9223372036854775807"]),
    ("echo-u64", ["18446744073709551615", "9007199254740993"]),
    ("echo-f32", ["0.1", "-0.0", "inf", "-inf", "3.4028235e38"]),
    ("echo-f64", ["0.1", "-0.0", "5e-324", "1.7976931348623157e308", "-inf"]),
    ("echo-char", ["'a'", "'😀'", "'\\n'"]),
    ("echo-string", ['"hello \\"world\\"\\n"', '"ünïcödé ✓"', '""']),
    ("echo-bytes", ["[0, 1, 255]", "[]"]),
    ("echo-list", ["[1, 2, 4294967295]"]),
    ("echo-tuple", ['(7, "x", 2.5)']),
    ("echo-point", ['{x: -1, y: 2, label: "p"}']),
    ("echo-shape", ["circle(1.5)", 'rect({x: 1, y: 2, label: "r"})', "empty"]),
    ("echo-color", ["green"]),
    ("echo-perms", ["{read, exec}", "{}"]),
    ("echo-option", ["some(4)", "none"]),
    ("echo-result", ["ok(18446744073709551615)", 'err("bad")']),
    ("echo-nested", ['[none, some(circle(0.5)), some(rect({x: 0, y: 0, label: ""}))]']),
]


@pytest.mark.parametrize("function, texts", ROUND_TRIPS, ids=[f for f, _ in ROUND_TRIPS])
def test_every_value_type_round_trips_through_a_real_component(kitchen, function, texts):
    inst = kitchen()
    sig = inst.resolve(function)
    for text in texts:
        value = wave.parse(text, sig.params[0].type)
        result = inst.call(function, [value]).result
        assert wave.format(result, sig.result) == wave.format(value, sig.params[0].type)


def test_nan_round_trips(kitchen):
    inst = kitchen()
    assert math.isnan(inst.call("echo-f64", [float("nan")]).result)


def test_the_worker_sees_golem_variables_and_its_own_env_and_args_only(kitchen, monkeypatch):
    monkeypatch.setenv("HOST_SECRET", "leak")
    inst = kitchen(env=(("MODE", "test"),), args=("--fast",))
    env = dict(inst.call("env", []).result)
    assert env == {
        "GOLEM_WORKER_NAME": "w1",
        "GOLEM_AGENT_ID": "w1",
        "GOLEM_COMPONENT_ID": "comp-1",
        "GOLEM_COMPONENT_VERSION": "3",
        "GOLEM_COMPONENT_REVISION": "3",
        "MODE": "test",
    }
    assert inst.call("args", []).result == ["w1", "--fast"]


def test_stdout_and_stderr_are_captured_per_invocation(kitchen, capfd):
    inst = kitchen()
    first = inst.call("say", ["first line"])
    second = inst.call("say", ["second"])
    warned = inst.call("warn", ["careful"])
    assert first.stdout == b"first line\n"
    assert second.stdout == b"second\n"
    assert warned.stdout == b"" and warned.stderr == b"careful\n"
    assert "first line" not in capfd.readouterr().out


def test_the_filesystem_is_closed_unless_a_folder_is_granted(kitchen, tmp_path):
    (tmp_path / "note.txt").write_text("granted")
    closed = kitchen().call("read-file", ["/note.txt"]).result
    assert isinstance(closed, t.Err)
    opened = kitchen(preopen_dir=str(tmp_path)).call("read-file", ["/note.txt"]).result
    assert opened == t.Ok("granted")


def test_clock_and_random_reads_are_recorded_and_replayed(kitchen):
    live = kitchen()
    now = live.call("wall-nanos", [])
    rnd = live.call("random-u64", [])
    # The Python runtime seeds itself from wasi:random on its first call: that is
    # recorded with the call, followed by the clock read the function makes.
    assert now.host_calls[-1][0] == "wasi:clocks/wall-clock.now"
    assert now.host_calls[-1][1] == [now.result // 10**9, now.result % 10**9]
    assert [c[0] for c in rnd.host_calls] == ["wasi:random/random.get-random-bytes"]
    replay = kitchen()
    assert replay.call("wall-nanos", [], replay=now.host_calls).result == now.result
    assert replay.call("random-u64", [], replay=rnd.host_calls).result == rnd.result


def test_a_python_exception_in_the_guest_is_a_trap_not_a_crash(kitchen):
    inst = kitchen()
    with pytest.raises(InvocationFailed) as e:
        inst.call("fail", ["oops"])
    assert e.value.kind == "trap"
    assert b"oops" in e.value.stderr
    assert kitchen().call("echo-u8", [1]).result == 1


def test_toolchain_internal_exports_are_not_offered_as_functions(runtime, kitchen_wasm):
    names = [f.qualified_name for f in runtime.load(kitchen_wasm).description.functions]
    assert "exports.{init}" not in names
    assert "workerdesk:kitchen/api.{say}" in names


def test_granting_outgoing_http_links_wasi_http_and_the_worker_still_runs(kitchen):
    inst = kitchen(allow_http=True)
    assert inst.call("say", ["with http"]).stdout == b"with http\n"


def test_memory_growth_past_the_cap_is_a_clear_memory_failure(kitchen_wasm):
    rt = WasmtimeRuntime(SHARED_COMPILED, Limits(time_limit=10, memory_limit=96 * 1024 * 1024))
    try:
        cfg = InstanceConfig(worker_name="w1", component_id="c", component_version=0)
        inst = rt.instantiate(rt.load(kitchen_wasm), cfg, HostCalls())
        assert inst.call("hog", [8]).result == 8
        with pytest.raises(InvocationFailed) as e:
            inst.call("hog", [200])
        assert e.value.kind == "memory"
        assert "ran out of memory (each worker may use at most 96 MiB)" in str(e.value)
        assert "MemoryError" in str(e.value)
    finally:
        rt.close()
