"""The data folder is private to its owner (folders 0700, files 0600), or shared with
the folder's group when settings.json says ``"shared_with_group": true`` (0770, 0660):
the database, SQLite's -wal and -shm, blobs, in-flight markers and settings alike."""

from __future__ import annotations

import json
import os
import shutil
import stat
from pathlib import Path

import pytest

from domain.bootstrap import open_desk
from domain.storage.paths import Paths
from domain.storage.settings import StorageSettings
from tests.conftest import ROOT

GOLDEN = ROOT / "tests" / "golden" / "day0"


def modes(root: Path) -> dict[str, int]:
    """The permission bits of every folder and file under ``root`` (links left out)."""
    out = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            st = path.lstat()
            if not stat.S_ISLNK(st.st_mode):
                out[str(path.relative_to(root))] = stat.S_IMODE(st.st_mode)
    return out


def expect(root: Path, dir_mode: int, file_mode: int) -> None:
    wrong = {
        name: oct(mode)
        for name, mode in modes(root).items()
        if mode != (dir_mode if (root / name).is_dir() else file_mode)
    }
    assert wrong == {}


def exercise(home: Path, counter_family: list[bytes], dir_mode: int, file_mode: int) -> None:
    """Add a component, create and invoke a worker, and check the modes while the store is open
    (so SQLite's -wal and -shm exist) and the invocation left an in-flight marker file."""
    desk = open_desk(home)
    try:
        desk.components.add("counter", counter_family[1])
        desk.workers.create("counter", "w")
        desk.workers.invoke("counter/w", "increment", ["5"])
        data = desk.paths.data
        names = {p.name for p in data.iterdir()}
        assert {"workerdesk.sqlite-wal", "workerdesk.sqlite-shm"} <= names
        assert any((data / "inflight").iterdir())
        assert any((data / "blobs").rglob("*"))
        expect(data, dir_mode, file_mode)
        expect(desk.paths.config, dir_mode, file_mode)
        assert stat.S_IMODE(desk.paths.cache.stat().st_mode) == dir_mode
    finally:
        desk.close()


@pytest.mark.parametrize("umask", [0o022, 0o002, 0o000])
def test_a_new_data_folder_is_private_to_its_owner_whatever_the_umask(home, counter_family, umask):
    old = os.umask(umask)
    try:
        StorageSettings().save(Paths.resolve(home))
        exercise(home, counter_family, 0o700, 0o600)
    finally:
        os.umask(old)
    expect(home / "data", 0o700, 0o600)
    assert stat.S_IMODE((home / "config" / "settings.json").stat().st_mode) == 0o600


def test_a_group_shared_folder_gives_the_group_read_and_write(home, counter_family):
    (home / "config").mkdir(parents=True, exist_ok=True)
    (home / "config" / "settings.json").write_text(json.dumps({"shared_with_group": True}))
    old = os.umask(0o077)  # even a strict umask does not keep the group out of a shared folder
    try:
        exercise(home, counter_family, 0o770, 0o660)
    finally:
        os.umask(old)
    expect(home / "data", 0o770, 0o660)


def test_an_existing_folder_is_made_consistent_on_its_first_open_and_follows_the_setting(tmp_path):
    home = tmp_path / "golden"
    shutil.copytree(GOLDEN, home)
    for folder, dirs, files in os.walk(home):
        for name in dirs:
            os.chmod(Path(folder) / name, 0o755)
        for name in files:
            os.chmod(Path(folder) / name, 0o644)
    assert modes(home / "data")["workerdesk.sqlite"] == 0o644
    open_desk(home).close()
    expect(home / "data", 0o700, 0o600)

    (home / "config").mkdir(exist_ok=True)
    (home / "config" / "settings.json").write_text(json.dumps({"shared_with_group": True}))
    open_desk(home).close()
    expect(home / "data", 0o770, 0o660)

    (home / "config" / "settings.json").write_text(json.dumps({"shared_with_group": False}))
    open_desk(home).close()
    expect(home / "data", 0o700, 0o600)


def test_a_read_only_open_changes_no_mode(tmp_path):
    home = tmp_path / "golden"
    shutil.copytree(GOLDEN, home)
    os.chmod(home / "data" / "workerdesk.sqlite", 0o644)
    before = modes(home)
    open_desk(home, read_only=True).close()
    assert modes(home) == before


def test_a_shared_folder_keeps_its_set_group_id_bit(tmp_path):
    home = tmp_path / "golden"
    shutil.copytree(GOLDEN, home)
    (home / "config").mkdir(exist_ok=True)
    (home / "config" / "settings.json").write_text(json.dumps({"shared_with_group": True}))
    os.chmod(home / "data", 0o2770)
    os.chmod(home / "data" / "blobs", 0o2755)
    open_desk(home).close()
    assert stat.S_IMODE((home / "data").stat().st_mode) == 0o2770
    assert stat.S_IMODE((home / "data" / "blobs").stat().st_mode) == 0o2770
