"""--grant-dir gives a worker a copy of the folder: replays see what the history saw."""

from __future__ import annotations

import pytest

from domain.model.worker import Worker
from tests.integration.test_private_files import files_wasm  # noqa: F401 - the shared component fixture


@pytest.fixture
def files_component(open_home, files_wasm):
    desk = open_home()
    desk.components.add("files", files_wasm)
    return desk


def test_a_granted_folder_is_copied_at_creation_and_recovery_sees_the_copy(files_component, open_home, tmp_path):
    folder = tmp_path / "granted"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "a.txt").write_text("alpha")
    desk = files_component
    desk.workers.create("files", "w", grants={"dir": str(folder)})
    assert desk.workers.invoke("files/w", "read-file", ['"/sub/a.txt"']).result_wave == 'ok("alpha")'
    (folder / "sub" / "b.txt").write_text("added later")  # the host folder changes; the worker's copy does not
    listing = desk.workers.invoke("files/w", "list-dir", ['"/sub"']).result_wave
    assert listing == 'ok(["a.txt"])'
    again = open_home()
    assert again.workers.recover("files/w") == 2  # the listing replays identically
    assert again.workers.get("files/w")["grants"]["copiedDir"]["from"] == str(folder.resolve())


def test_a_worker_created_with_a_live_folder_runs_on_a_copy_from_its_next_recovery(files_component, open_home, tmp_path):
    folder = tmp_path / "live"
    folder.mkdir()
    (folder / "x.txt").write_text("x")
    desk = files_component
    component = desk.components.get("files")
    legacy = Worker(
        component_name="files", name="old", generation=0, component_id=component.id, component_version=0,
        component_size=component.versions[0].size, env={}, args=[], grants={"dir": str(folder)},
    )
    desk.workers.save(legacy)
    again = open_home()
    assert again.workers.invoke("files/old", "read-file", ['"/x.txt"']).result_wave == 'ok("x")'
    entries = again.workers.oplog("files/old")
    assert [e.kind for e in entries][:2] == ["create", "grant-copied"]
    assert entries[1].summary() == (
        f"granted folder {folder} copied into the private filesystem (later changes to it are not seen)"
    )
    (folder / "x.txt").write_text("changed on the host")
    assert again.workers.invoke("files/old", "read-file", ['"/x.txt"']).result_wave == 'ok("x")'
