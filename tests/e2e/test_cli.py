"""The headless CLI end to end: every call is its own process, so every call recovers."""

from __future__ import annotations

import json

import pytest

from tests import wat
from tests.conftest import run_cli


@pytest.fixture
def family(tmp_path, counter_family):
    paths = []
    for i, binary in enumerate(counter_family):
        p = tmp_path / f"counter-v{i}.wasm"
        p.write_bytes(binary)
        paths.append(p)
    return paths


def ok(result):
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_a_session_of_add_new_invoke_update_oplog_and_audit(home, family):
    for p in family:
        ok(run_cli(home, "component", "add", "counter", str(p)))
    listed = json.loads(ok(run_cli(home, "component", "list", "--json")))
    assert listed[0]["name"] == "counter" and listed[0]["latestVersion"] == 3
    ok(run_cli(home, "worker", "new", "counter", "w1", "--version", "0", "--env", "MODE=demo"))
    assert ok(run_cli(home, "worker", "invoke", "counter/w1", "increment", "5")).strip() == "5"
    assert ok(run_cli(home, "worker", "invoke", "counter/w1", "golem:component/api.{increment}", "7")).strip() == "12"

    dry = run_cli(home, "worker", "update", "counter/w1", "auto", "2", "--dry-run")
    assert dry.returncode == 1
    assert "would fail at replay" in dry.stdout and "expected: 5" in dry.stdout and "actual:   10" in dry.stdout
    assert "Compatibility of version 0 -> 2" in dry.stdout

    assert "succeeded" in ok(run_cli(home, "worker", "update", "counter/w1", "auto", "1"))
    failed = run_cli(home, "worker", "update", "counter/w1", "auto", "2")
    assert failed.returncode == 1 and "the worker stays on version 1" in failed.stdout
    assert "succeeded" in ok(run_cli(home, "worker", "update", "counter/w1", "manual", "2"))
    assert ok(run_cli(home, "worker", "invoke", "counter/w1", "get")).strip() == "12"

    meta = json.loads(ok(run_cli(home, "worker", "get", "counter/w1", "--json")))
    assert meta["componentVersion"] == 2
    assert [u["type"] for u in meta["updates"]] == ["successfulUpdate", "failedUpdate", "successfulUpdate"]
    text = ok(run_cli(home, "worker", "get", "counter/w1"))
    assert "Failed update to 2 (automatic): entry #2" in text

    oplog = json.loads(ok(run_cli(home, "worker", "oplog", "counter/w1", "--from", "2", "--json")))
    assert oplog[0]["index"] == 2 and oplog[0]["kind"] == "invocation" and oplog[0]["result"] == "5"
    assert "update-succeeded" in ok(run_cli(home, "worker", "oplog", "counter/w1", "--query", "succeeded"))

    rows = json.loads(ok(run_cli(home, "audit", "--json")))
    assert [(r["fromVersion"], r["toVersion"], r["outcome"]) for r in rows] == [
        (0, 1, "succeeded"),
        (1, 2, "failed"),
        (1, 2, "succeeded"),
    ]
    csv_path = home / "audit.csv"
    ok(run_cli(home, "audit", "--csv", str(csv_path)))
    assert csv_path.read_text().count("\n") == 4


def test_invoke_json_output_and_wave_values(home, kitchen_wasm, tmp_path):
    k = tmp_path / "kitchen.wasm"
    k.write_bytes(kitchen_wasm)
    ok(run_cli(home, "component", "add", "kitchen", str(k)))
    ok(run_cli(home, "worker", "new", "kitchen", "k"))
    out = json.loads(ok(run_cli(home, "worker", "invoke", "kitchen/k", "say", '"hi"', "--json")))
    assert out["result"] == "2" and out["stdout"] == "hi\n"
    assert ok(run_cli(home, "worker", "invoke", "kitchen/k", "echo-point", '{x: 1, y: -2, label: "p"}')).strip() == (
        '{x: 1, y: -2, label: "p"}'
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (["worker", "invoke", "counter/w1", "increment", "300000000000"], "u32"),
        (["worker", "invoke", "counter/w1", "increment", "[1"], "increment"),
        (["worker", "invoke", "counter/w1", "nope"], "no exported function 'nope'"),
        (["worker", "invoke", "counter/missing", "get"], "no worker counter/missing"),
        (["worker", "invoke", "counter/w1", "boom"], "trapped"),
        (["worker", "update", "counter/w1", "auto", "9"], "has no version 9"),
        (["worker", "update", "counter/w1", "auto", "0"], "already runs version 0"),
        (["worker", "get", "not-a-ref"], "must look like COMPONENT/WORKER"),
        (["component", "get", "ghost"], "no component named 'ghost'"),
    ],
)
def test_errors_are_one_line_on_stderr_with_a_non_zero_exit(home, family, args, message):
    ok(run_cli(home, "component", "add", "counter", str(family[1])))
    ok(run_cli(home, "worker", "new", "counter", "w1"))
    r = run_cli(home, *args)
    assert r.returncode != 0
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ")
    assert message in lines[0]
    assert "Traceback" not in r.stderr


@pytest.mark.parametrize("function", ["golem:api/load-snapshot.{load}", "load"])
def test_the_snapshot_functions_of_the_update_protocol_cannot_be_invoked(home, family, function):
    for p in family:
        ok(run_cli(home, "component", "add", "counter", str(p)))
    ok(run_cli(home, "worker", "new", "counter", "w1", "--version", "2"))
    before = ok(run_cli(home, "worker", "oplog", "counter/w1", "--json"))
    r = run_cli(home, "worker", "invoke", "counter/w1", function, "[]")
    assert r.returncode == 1
    [line] = r.stderr.strip().splitlines()
    assert line.startswith("error: golem:api/load-snapshot@")
    assert line.endswith(
        ".{load} is part of the update protocol and cannot be invoked directly; "
        "use `worker update counter/w1 manual` to move the worker's state with it"
    )
    assert ok(run_cli(home, "worker", "oplog", "counter/w1", "--json")) == before


@pytest.mark.parametrize(
    "content, sentence",
    [
        (b"", "empty"),
        (b"hello world", "not a WebAssembly file"),
        (bytes(__import__("wasmtime").wat2wasm(wat.CORE_MODULE)), "core WebAssembly module, not a component"),
    ],
)
def test_adding_a_broken_file_fails_cleanly_and_adds_nothing(home, tmp_path, content, sentence):
    bad = tmp_path / "bad.wasm"
    bad.write_bytes(content)
    r = run_cli(home, "component", "add", "thing", str(bad))
    assert r.returncode == 1 and sentence in r.stderr
    assert json.loads(ok(run_cli(home, "component", "list", "--json"))) == []


def test_update_workers_of_a_component_with_stop_on_failure(home, family):
    for p in family:
        ok(run_cli(home, "component", "add", "counter", str(p)))
    for name in ("a", "b", "c"):
        ok(run_cli(home, "worker", "new", "counter", name, "--version", "1"))
        ok(run_cli(home, "worker", "invoke", f"counter/{name}", "increment", "1"))
    r = run_cli(home, "component", "update-workers", "counter", "manual", "3", "--stop-on-failure")
    assert r.returncode == 1
    assert r.stdout.count("FAILED") == 1 and "stopping" in r.stdout
    r = run_cli(home, "component", "update-workers", "counter", "manual", "2", "--json")
    assert r.returncode == 0
    assert [o["outcome"] for o in json.loads(r.stdout)] == ["succeeded"] * 3


def test_cancel_update_from_the_cli(home, family):
    ok(run_cli(home, "component", "add", "counter", str(family[0])))
    ok(run_cli(home, "component", "add", "counter", str(family[1])))
    ok(run_cli(home, "worker", "new", "counter", "w1", "--version", "0"))
    r = run_cli(home, "worker", "cancel-update", "counter/w1", "1")
    assert r.returncode == 1 and "no pending update to version 1" in r.stderr


def test_the_read_only_audit_leaves_the_data_folder_untouched(home, family):
    ok(run_cli(home, "component", "add", "counter", str(family[0])))
    ok(run_cli(home, "component", "add", "counter", str(family[1])))
    ok(run_cli(home, "worker", "new", "counter", "w1", "--version", "0"))
    ok(run_cli(home, "worker", "update", "counter/w1", "auto", "1"))
    data = home / "data"
    before = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in data.rglob("*") if p.is_file()}
    rows = json.loads(ok(run_cli(home, "--read-only", "audit", "--json")))
    after = {p: (p.stat().st_mtime_ns, p.stat().st_size) for p in data.rglob("*") if p.is_file()}
    assert rows[0]["outcome"] == "succeeded"
    assert before == after


def test_an_unreachable_team_database_is_one_clear_line(home):
    r = run_cli(home, "--storage", "postgres", "component", "list", env={"WORKERDESK_PG_PORT": "1"})
    assert r.returncode == 1
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: cannot open the team database (PostgreSQL)")
    assert "WORKERDESK_PG_*" in lines[0]


def test_audit_json_writes_to_a_file_like_csv_and_html(home, tmp_path, counter_family):
    comp = tmp_path / "c.wasm"
    comp.write_bytes(counter_family[1])
    assert run_cli(home, "component", "add", "counter", str(comp)).returncode == 0
    comp.write_bytes(counter_family[2])
    assert run_cli(home, "component", "add", "counter", str(comp)).returncode == 0
    assert run_cli(home, "worker", "new", "counter", "w", "--version", "0").returncode == 0
    run_cli(home, "worker", "update", "counter/w", "auto", "1")
    target = tmp_path / "audit.json"
    r = run_cli(home, "audit", "--json", str(target))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"Wrote 1 update attempt(s) to {target}"
    printed = run_cli(home, "audit", "--json")
    assert json.loads(target.read_text()) == json.loads(printed.stdout)
    helped = run_cli(home, "audit", "--help").stdout
    assert "written to FILE, or printed when no FILE is given" in helped and "self-contained HTML" in helped


def test_a_reader_that_goes_away_stops_the_cli_quietly(home, tmp_path, counter_family):
    import subprocess
    import sys

    from tests.conftest import ROOT

    comp = tmp_path / "c.wasm"
    comp.write_bytes(counter_family[0])
    assert run_cli(home, "component", "add", "counter", str(comp)).returncode == 0
    assert run_cli(home, "worker", "new", "counter", "w").returncode == 0
    for _ in range(3):
        run_cli(home, "worker", "invoke", "counter/w", "increment", "1")
    script = (
        f"{sys.executable} -m desktop_app --home {home} worker oplog counter/w --json | true;"
        " echo ${PIPESTATUS[0]}"
    )
    r = subprocess.run(["bash", "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert "unexpected" not in r.stderr and "Traceback" not in r.stderr, r.stderr
