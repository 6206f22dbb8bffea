"""Mistakes a user makes get one line that names the problem and what to do, and a
non-zero exit: never an ``unexpected X`` catch-all, never a silent acceptance."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import ROOT, run_cli
from tests.integration.test_read_only_store import snapshot

GOLDEN = ROOT / "tests" / "golden" / "day0"


@pytest.fixture
def golden_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(GOLDEN, home)
    (home / "config").mkdir(exist_ok=True)
    return home


def error_line(r, code: int = 1) -> str:
    assert r.returncode == code, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1, r.stderr
    line = lines[0]
    assert line.startswith("error: ") and "unexpected" not in line and "Traceback" not in r.stderr
    return line


@pytest.mark.parametrize("value", ["nan", "inf", "0", "-1", "1e300"])
def test_a_time_limit_that_is_not_a_positive_number_of_seconds_is_refused(golden_home, value):
    line = error_line(run_cli(golden_home, "--time-limit", value, "worker", "invoke", "counter/carol", "get"))
    assert "--time-limit must be" in line and "seconds" in line
    assert run_cli(golden_home, "--time-limit", "0.5", "worker", "invoke", "counter/carol", "get").returncode == 0


@pytest.mark.parametrize(
    "text, expected",
    [
        ("[1, 2]", "holds a JSON list, not an object of settings"),
        ('"sqlite"', "holds a JSON string, not an object of settings"),
        ('{"time_limit": "abc"}', '"time_limit" in'),
        ('{"time_limit": -3}', '"time_limit" in'),
        ('{"time_limit": null}', '"time_limit" in'),
        ('{"memory_limit_mib": 1.5}', '"memory_limit_mib" in'),
        ('{"memory_limit_mib": true}', '"memory_limit_mib" in'),
        ('{"postgres": 5}', '"postgres" in'),
        ('{"storage": 3}', '"storage" in'),
        ('{"compression": ["zlib"]}', '"compression" in'),
        ('{"shared_with_group": "yes"}', '"shared_with_group" in'),
        ("{not json", "is not valid JSON"),
    ],
)
def test_a_settings_file_of_the_wrong_shape_names_the_field_and_the_file(golden_home, text, expected):
    settings = golden_home / "config" / "settings.json"
    settings.write_text(text)
    for args in (("worker", "list"), ("--read-only", "worker", "list")):
        line = error_line(run_cli(golden_home, *args))
        assert expected in line and str(settings) in line
        assert "delete it" in line or "remove it" in line or "fix it" in line


@pytest.mark.parametrize("where", ["blobs", "blobs/<carol's component>", "inflight", "data"])
def test_a_file_where_a_folder_of_the_data_folder_should_be_is_named(tmp_path, golden_home, where):
    if where.startswith("blobs/"):
        versions = json.loads(run_cli(golden_home, "component", "get", "counter", "--json").stdout)["versions"]
        where = f"blobs/{versions[2]['sha256'][:2]}"  # counter/carol runs version 2
    target = golden_home / where if where == "data" else golden_home / "data" / where
    if target.exists():
        shutil.move(target, tmp_path / "moved")
    target.write_text("not a folder")
    for args in (("worker", "list"), ("worker", "invoke", "counter/carol", "get"), ("--read-only", "worker", "list")):
        r = run_cli(golden_home, *args)
        if where.startswith("blobs/") and "list" in args:
            assert r.returncode == 0, r.stderr  # listing reads no blob
            continue
        line = error_line(r)
        assert "is a file" in line and "move" in line, line


def test_a_worker_created_with_a_live_folder_whose_folder_was_deleted_says_so(golden_home, tmp_path):
    """Workers created before grants became copies keep a live folder until their next recovery copies it."""
    from domain.bootstrap import open_desk
    from domain.model.worker import Worker

    granted = tmp_path / "granted"
    granted.mkdir()
    desk = open_desk(golden_home)
    try:
        component = desk.components.get("counter")
        legacy = Worker(
            component_name="counter", name="g", generation=0, component_id=component.id, component_version=1,
            component_size=component.versions[1].size, env={}, args=[], grants={"dir": str(granted)},
        )
        desk.workers.save(legacy)
    finally:
        desk.close()
    granted.rmdir()
    line = error_line(run_cli(golden_home, "worker", "invoke", "counter/g", "get"))
    assert f"was given the folder {granted}" in line and "no longer exists" in line and "create it again" in line
    assert run_cli(golden_home, "worker", "get", "counter/g").returncode == 0
    granted.mkdir()
    assert run_cli(golden_home, "worker", "invoke", "counter/g", "get").returncode == 0


def test_a_granted_folder_is_a_copy_so_deleting_it_later_changes_nothing(golden_home, tmp_path):
    granted = tmp_path / "granted"
    granted.mkdir()
    assert run_cli(golden_home, "worker", "new", "counter", "g", "--grant-dir", str(granted)).returncode == 0
    granted.rmdir()
    r = run_cli(golden_home, "worker", "invoke", "counter/g", "get")
    assert r.returncode == 0 and r.stdout.strip() == "0"


@pytest.mark.parametrize(
    "args",
    [
        ("component", "add", "counter", str(ROOT / "pyproject.toml")),
        ("component", "update-workers", "counter", "auto"),
        ("worker", "new", "counter", "x"),
        ("worker", "invoke", "counter/carol", "get"),
        ("worker", "update", "counter/carol", "auto"),
        ("worker", "cancel-update", "counter/carol", "3"),
        ("worker", "recover", "counter/carol"),
        ("worker", "delete", "counter/carol"),
    ],
)
def test_a_command_that_writes_is_refused_under_read_only_before_anything_runs(golden_home, args):
    before = snapshot(golden_home)
    line = error_line(run_cli(golden_home, "--read-only", *args), code=2)
    assert f"`{args[0]} {args[1]}` changes the data folder, which --read-only forbids" in line
    assert snapshot(golden_home) == before


def test_reading_commands_still_work_under_read_only(golden_home):
    r = run_cli(golden_home, "--read-only", "component", "get", "counter")
    assert r.returncode == 0, r.stderr
    assert json.loads(run_cli(golden_home, "--read-only", "worker", "list", "--json").stdout)
