"""One damaged row does not take down the workspace, and `workerdesk check` finds it.

Each test damages a copy of the day-0 golden folder the way a disk, a bad
copy or a hand edit would (a row deleted, a row's bytes garbled, a blob
flipped or removed, a compiled artifact cut short, the database emptied) and
drives the real CLI, one process per command.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest

from domain.model.worker import Worker
from domain.services.check import Report, Result, run_checks
from tests.conftest import ROOT, run_cli
from tests.integration.test_read_only_store import snapshot

GOLDEN = ROOT / "tests" / "golden" / "day0"
OTHERS = ["blobby/big", "counter/carol", "counter/dave", "entropy/dice", "seeded/s1"]


@pytest.fixture
def golden_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(GOLDEN, home)
    return home


def db(home: Path) -> Path:
    return home / "data" / "workerdesk.sqlite"


def stream(component: str, name: str) -> str:
    return Worker.create_id(component, name, 0).hex


def damage(home: Path, sql: str, *params: object) -> None:
    with sqlite3.connect(db(home)) as conn:
        assert conn.execute(sql, params).rowcount == 1
    sqlite3.connect(db(home)).close()


def delete_row(home: Path, ref: str, position: int) -> None:
    damage(home, "DELETE FROM stored_events WHERE originator_id = ? AND originator_version = ?", stream(*ref.split("/")), position)


def garble_row(home: Path, ref: str, position: int) -> None:
    damage(
        home,
        "UPDATE stored_events SET state = x'7b2267617262' WHERE originator_id = ? AND originator_version = ?",
        stream(*ref.split("/")),
        position,
    )


def one_line_error(r) -> str:
    assert r.returncode == 1, (r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: ") and "unexpected" not in lines[0], r.stderr
    return lines[0]


@pytest.mark.parametrize(
    "how, reason",
    [
        ("deleted", "history entry #3 is missing"),
        ("garbled", "history entry #3 cannot be decoded"),
    ],
)
def test_a_damaged_row_isolates_its_worker_and_every_other_worker_lists_audits_and_runs(golden_home, how, reason):
    (delete_row if how == "deleted" else garble_row)(golden_home, "counter/alice", 3)

    r = run_cli(golden_home, "worker", "list", "--json")
    assert r.returncode == 0, r.stderr
    listed = {f"{m['workerId']['componentName']}/{m['workerId']['workerName']}": m for m in json.loads(r.stdout)}
    assert sorted(listed) == sorted(OTHERS + ["counter/alice", "counter/bob"])
    assert listed["counter/alice"]["status"] == "unreadable"
    # The keys screens that list workers read (the navigator's badges and tooltips).
    listing_keys = {"workerId", "status", "componentVersion", "invocationCount", "historyLength", "updates", "lastError"}
    assert listing_keys <= set(listed["counter/alice"]) and listed["counter/alice"]["historyLength"] == 12
    assert reason in listed["counter/alice"]["unreadable"]
    assert all(listed[ref]["status"] != "unreadable" for ref in OTHERS + ["counter/bob"])
    text = run_cli(golden_home, "worker", "list")
    assert text.returncode == 0 and "unreadable" in text.stdout and reason in text.stdout

    audit = run_cli(golden_home, "audit", "--json")
    assert audit.returncode == 1  # the audit is incomplete, and says so
    assert {row["worker"] for row in json.loads(audit.stdout)} == {"blobby/big", "counter/bob", "counter/carol"}
    assert f"counter/alice cannot be read, so its updates are missing from this audit: {reason}" in audit.stderr
    assert "unexpected" not in audit.stderr

    for command in (("worker", "get", "counter/alice"), ("worker", "invoke", "counter/alice", "get")):
        line = one_line_error(run_cli(golden_home, *command))
        assert "worker counter/alice cannot be read" in line and reason in line and "workerdesk check" in line
    oplog = run_cli(golden_home, "worker", "oplog", "counter/alice")
    if how == "deleted":
        # The entries that are there still show, and the gap is named.
        assert oplog.returncode == 1 and "#4 " in oplog.stdout and "#3 " not in oplog.stdout
        assert oplog.stderr.strip() == f"warning: counter/alice: {reason}; run `workerdesk check`"
    else:
        assert reason in one_line_error(oplog)

    assert run_cli(golden_home, "worker", "get", "counter/carol").returncode == 0
    carol = run_cli(golden_home, "worker", "invoke", "counter/carol", "increment", "1")
    assert carol.returncode == 0 and carol.stdout.strip() == "3400", carol.stderr


def test_a_worker_whose_first_row_is_garbled_is_listed_by_its_stream(golden_home):
    garble_row(golden_home, "counter/dave", 1)
    r = run_cli(golden_home, "worker", "list", "--json")
    assert r.returncode == 0, r.stderr
    broken = [m for m in json.loads(r.stdout) if m["status"] == "unreadable"]
    assert len(broken) == 1
    assert broken[0]["streamId"].replace("-", "") == stream("counter", "dave")
    assert broken[0]["workerId"]["workerName"].startswith("stream-")
    assert "history entry #1 cannot be decoded" in broken[0]["unreadable"]


def test_a_worker_whose_creation_row_is_deleted_fails_in_one_line_and_check_finds_it(golden_home):
    delete_row(golden_home, "seeded/s1", 1)
    for command in (("worker", "get", "seeded/s1"), ("worker", "invoke", "seeded/s1", "get")):
        line = one_line_error(run_cli(golden_home, *command))
        assert "worker seeded/s1 cannot be read: history entry #1 is missing" in line
    # Without its creation the stream is not a worker any more: the list leaves it out, check names it.
    listed = json.loads(run_cli(golden_home, "worker", "list", "--json").stdout)
    assert "seeded" not in {m["workerId"]["componentName"] for m in listed}
    r = run_cli(golden_home, "check")
    assert r.returncode == 1
    stream_id = Worker.create_id("seeded", "s1", 0)
    assert f"stream {stream_id}: history entry #1 is missing" in r.stdout


def test_a_row_whose_topic_is_garbled_isolates_its_worker(golden_home):
    damage(
        golden_home,
        "UPDATE stored_events SET topic = 'domain.model.worker:Worker.Nope' WHERE originator_id = ? AND originator_version = 2",
        stream("entropy", "dice"),
    )
    line = one_line_error(run_cli(golden_home, "worker", "invoke", "entropy/dice", "roll"))
    assert "worker entropy/dice cannot be read: history entry #2 cannot be decoded" in line
    listed = {m["workerId"]["workerName"]: m for m in json.loads(run_cli(golden_home, "worker", "list", "--json").stdout)}
    assert listed["dice"]["status"] == "unreadable" and "Worker.Nope" in listed["dice"]["unreadable"]
    assert listed["carol"]["status"] != "unreadable"


@pytest.mark.parametrize("state", ["empty", "missing"])
def test_an_empty_or_missing_database_beside_blobs_is_reported_not_turned_into_an_empty_workspace(golden_home, state):
    if state == "empty":
        db(golden_home).write_bytes(b"")
    else:
        db(golden_home).unlink()
    before = snapshot(golden_home)
    for command in (("worker", "list"), ("component", "list"), ("--read-only", "audit"), ("check",)):
        line = one_line_error(run_cli(golden_home, *command))
        assert "holds stored components" in line and "restore the database from a backup" in line
    assert snapshot(golden_home) == before


def test_check_reports_a_sound_workspace_and_writes_nothing(golden_home):
    assert run_cli(golden_home, "worker", "invoke", "counter/carol", "get").returncode == 0  # compiles into the cache
    before = snapshot(golden_home)
    r = run_cli(golden_home, "check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "no damage found" in r.stdout
    report = json.loads(run_cli(golden_home, "check", "--json").stdout)
    sections = {s["name"]: s for s in report["sections"]}
    assert report["ok"] and sections["streams"]["checked"] == 12  # 7 workers + 5 components
    assert sections["blobs"]["checked"] >= 1 and sections["compiled components"]["checked"] >= 1
    assert snapshot(golden_home) == before


def test_check_names_every_damaged_stream_blob_and_compiled_artifact(golden_home):
    assert run_cli(golden_home, "worker", "invoke", "counter/carol", "get").returncode == 0
    delete_row(golden_home, "counter/alice", 3)
    garble_row(golden_home, "counter/bob", 2)
    blobs = sorted(p for p in (golden_home / "data" / "blobs").rglob("*") if p.is_file())
    flipped, removed = blobs[0], blobs[1]
    data = bytearray(flipped.read_bytes())
    data[-1] ^= 0xFF
    flipped.write_bytes(bytes(data))
    removed.unlink()
    artifact = next((golden_home / "cache" / "compiled").glob("*.cwasm"))
    artifact.write_bytes(artifact.read_bytes()[:-10])

    r = run_cli(golden_home, "check")
    assert r.returncode == 1, r.stdout + r.stderr
    out = r.stdout
    assert "worker counter/alice: history entry #3 is missing" in out
    assert "worker counter/bob: history entry #2 cannot be decoded" in out
    assert f"blob {flipped.name[:12]}…: " in out and "corrupt" in out
    assert f"blob {removed.name[:12]}…: is missing (referred to by" in out
    assert f"{artifact.name}: is damaged" in out
    assert out.strip().endswith("damage found: 5 problem(s)")
    report = json.loads(run_cli(golden_home, "check", "--json").stdout)
    assert report["ok"] is False and sum(len(s["problems"]) for s in report["sections"]) == 5


def test_check_runs_any_list_of_verifiers_and_reports_one_that_breaks():
    class Counting:
        name = "things"

        def verify(self):
            yield Result("a")
            yield Result("b", "is bent")

    class Breaking:
        name = "chain"

        def verify(self):
            yield Result("link 1")
            raise RuntimeError("disk gone")

    report = run_checks([Counting(), Breaking()])
    assert isinstance(report, Report) and not report.ok
    assert report.lines() == [
        "things: 2 checked, 1 DAMAGED",
        "  b: is bent",
        "chain: 1 checked, 1 DAMAGED",
        "  (the check itself): stopped: RuntimeError: disk gone",
        "damage found: 2 problem(s)",
    ]


@pytest.mark.postgres
def test_check_on_the_team_database_verifies_both_stores_and_its_blob_table(home, counter_family):
    import psycopg

    from domain.bootstrap import open_desk
    from tests.conftest import postgres_conninfo, use_postgres

    schema = use_postgres(home)
    desk = open_desk(home)
    try:
        desk.components.add("counter", counter_family[1])
        desk.workers.create("counter", "w")
        desk.workers.invoke("counter/w", "increment", ["2"])
        desk.workers.invoke("counter/w", "increment", ["3"])
    finally:
        desk.close()
    r = run_cli(home, "check", "--json")
    assert r.returncode == 0, r.stdout + r.stderr
    sections = {s["name"]: s for s in json.loads(r.stdout)["sections"]}
    assert sections["workers streams"]["checked"] == 1 and sections["components streams"]["checked"] == 1
    assert sections["blobs"]["checked"] == 1

    with psycopg.connect(**postgres_conninfo(), autocommit=True) as conn:
        conn.execute(
            f'DELETE FROM "{schema}".workers_events WHERE originator_id = %s AND originator_version = 2',
            (Worker.create_id("counter", "w", 0),),
        )
        conn.execute(f'UPDATE "{schema}".workerdesk_blobs SET data = %s', (b"not the component",))
    r = run_cli(home, "check")
    assert r.returncode == 1
    assert "worker counter/w: history entry #2 is missing" in r.stdout
    assert "corrupt" in r.stdout and "damage found: 2 problem(s)" in r.stdout
