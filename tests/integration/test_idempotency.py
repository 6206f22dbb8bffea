"""Invocation idempotency keys: a caller that lost a result can retry safely."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

from domain.model.errors import InvocationFailed
from domain.model.worker import IdempotencyKeyReused
from tests import wat
from tests.conftest import ROOT, run_cli


@pytest.fixture
def counter(desk, to_wasm):
    desk.components.add("counter", to_wasm(wat.counter()))
    desk.workers.create("counter", "w")
    return desk


def test_a_repeated_key_returns_the_recorded_result_without_running_again(counter):
    w = counter.workers
    first = w.invoke("counter/w", "increment", ["5"], idempotency_key="k1")
    again = w.invoke("counter/w", "increment", ["5"], idempotency_key="k1")
    assert (first.result_wave, again.result_wave, again.entry) == ("5", "5", first.entry)
    assert w.invoke("counter/w", "get", []).result_wave == "5"  # ran once
    assert [e.kind for e in w.oplog("counter/w")] == ["create", "invocation", "invocation"]


def test_the_same_key_with_other_arguments_or_function_is_an_error(counter):
    w = counter.workers
    w.invoke("counter/w", "increment", ["5"], idempotency_key="k1")
    with pytest.raises(IdempotencyKeyReused, match=r"was used for golem:component/api.\{increment\}\(5\) at entry #2"):
        w.invoke("counter/w", "increment", ["6"], idempotency_key="k1")
    with pytest.raises(IdempotencyKeyReused):
        w.invoke("counter/w", "get", [], idempotency_key="k1")
    assert w.invoke("counter/w", "get", []).result_wave == "5"


def test_keys_are_per_worker_and_survive_a_restart(open_home, to_wasm):
    desk = open_home()
    desk.components.add("counter", to_wasm(wat.counter()))
    desk.workers.create("counter", "a")
    desk.workers.create("counter", "b")
    desk.workers.invoke("counter/a", "increment", ["2"], idempotency_key="same")
    assert desk.workers.invoke("counter/b", "increment", ["3"], idempotency_key="same").result_wave == "3"
    again = open_home()
    assert again.workers.invoke("counter/a", "increment", ["2"], idempotency_key="same").result_wave == "2"
    assert again.workers.invoke("counter/a", "get", []).result_wave == "2"


def test_a_failed_call_under_a_key_fails_the_same_way_without_running_again(counter):
    w = counter.workers
    with pytest.raises(InvocationFailed) as first:
        w.invoke("counter/w", "boom", [], idempotency_key="b1")
    with pytest.raises(InvocationFailed) as again:
        w.invoke("counter/w", "boom", [], idempotency_key="b1")
    assert str(again.value) == str(first.value)
    assert [e.kind for e in w.oplog("counter/w")] == ["create", "invocation-failed"]


def test_keys_show_in_the_history(counter):
    counter.workers.invoke("counter/w", "increment", ["1"], idempotency_key="order-17")
    entry = counter.workers.oplog("counter/w")[-1]
    assert entry.data["idempotencyKey"] == "order-17"
    assert entry.summary() == "golem:component/api.{increment}(1) -> 1 [idempotency key order-17]"


def test_cli_retry_with_a_key_prints_the_recorded_result(home, to_wasm, tmp_path):
    comp = tmp_path / "counter.wasm"
    comp.write_bytes(to_wasm(wat.counter()))
    assert run_cli(home, "component", "add", "counter", str(comp)).returncode == 0
    assert run_cli(home, "worker", "new", "counter", "w").returncode == 0
    for _ in range(2):
        r = run_cli(home, "worker", "invoke", "counter/w", "increment", "7", "--idempotency-key", "k")
        assert (r.returncode, r.stdout.strip()) == (0, "7"), r.stderr
    r = run_cli(home, "worker", "invoke", "counter/w", "increment", "8", "--idempotency-key", "k")
    assert r.returncode != 0 and "use a new key" in r.stderr
    assert run_cli(home, "worker", "invoke", "counter/w", "get").stdout.strip() == "7"


def test_a_second_process_with_the_same_key_waits_for_the_first(home, to_wasm, tmp_path):
    """The first call spins until its time limit; the second, same key, waits and gets its outcome."""
    comp = tmp_path / "counter.wasm"
    comp.write_bytes(to_wasm(wat.counter()))
    assert run_cli(home, "component", "add", "counter", str(comp)).returncode == 0
    assert run_cli(home, "worker", "new", "counter", "w").returncode == 0
    env = {**os.environ}
    env.pop("WORKERDESK_HOME", None)
    cmd = [sys.executable, "-m", "desktop_app", "--home", str(home), "--time-limit", "2"]
    first = subprocess.Popen([*cmd, "worker", "invoke", "counter/w", "spin", "--idempotency-key", "s"], cwd=ROOT, env=env,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    marker_dir = home / "data" / "inflight"
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and not any(p.read_bytes()[:1] == b"1" for p in marker_dir.glob("*.json")):
        time.sleep(0.02)
    started = time.monotonic()
    second = run_cli(home, "--time-limit", "2", "worker", "invoke", "counter/w", "spin", "--idempotency-key", "s")
    waited = time.monotonic() - started
    first_out, first_err = first.communicate(timeout=60)
    assert first.returncode != 0 and "time limit" in first_err
    assert second.returncode != 0 and second.stderr.strip() == first_err.strip()
    assert waited > 0.5  # it waited for the first instead of running its own spin at once
    oplog = json.loads(run_cli(home, "worker", "oplog", "counter/w", "--json").stdout)
    assert [e["kind"] for e in oplog] == ["create", "invocation-failed"]
