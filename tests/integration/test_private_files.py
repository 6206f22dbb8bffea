"""Each worker has a private filesystem, preopened as `/`, that survives
recovery (by replay) and manual updates (archived with the state snapshot)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import pytest

from domain.model import types as t
from domain.runtime import _files
from domain.storage.samples import SampleComponent, build_python_sample
from tests.conftest import CACHE, ROOT

FILES = SampleComponent(
    name="files",
    version=0,
    title="Private files",
    story="writes and reads files in its private filesystem; a counter in memory with snapshots",
    source=ROOT / "tests" / "components" / "files",
    kind="python",
    world="files",
)


def custom_section(name: str, data: bytes) -> bytes:
    """A custom section appended to a component: the same component, another binary."""

    def leb(n: int) -> bytes:
        out = bytearray()
        while True:
            byte, n = n & 0x7F, n >> 7
            out.append(byte | (0x80 if n else 0))
            if not n:
                return bytes(out)

    body = leb(len(name)) + name.encode() + data
    return b"\x00" + leb(len(body)) + body


@pytest.fixture(scope="session")
def files_wasm() -> bytes:
    return build_python_sample(FILES, CACHE).read_bytes()


@pytest.fixture
def filed(open_home, files_wasm):
    desk = open_home()
    desk.components.add("files", files_wasm)
    desk.components.add("files", files_wasm + custom_section("workerdesk-test", b"v1"))
    desk.workers.create("files", "w", version=0)
    return desk


def call(desk, function: str, *args: str, ref: str = "files/w") -> str | None:
    return desk.workers.invoke(ref, function, list(args)).result_wave


def test_files_survive_a_manual_update_and_a_restart(filed, open_home, home):
    assert call(filed, "write-file", '"/notes/a.txt"', '"hello"') == "ok"
    assert call(filed, "write-file", '"/b.txt"', '"world"') == "ok"
    assert call(filed, "bump") == "1"
    assert call(filed, "bump") == "2"
    outcome = filed.workers.update("files/w", "manual", 1)
    assert outcome.ok, outcome.message()
    kinds = [e.kind for e in filed.workers.oplog("files/w")]
    assert kinds[-6:] == [
        "update-requested", "update-started", "snapshot-saved", "files-archived", "snapshot-loaded", "update-succeeded",
    ]
    archived = filed.workers.oplog("files/w")[-3]
    assert archived.data["mediaType"] == "application/x-tar" and archived.data["size"] > 0
    # The new version's instance has the files at once.
    assert call(filed, "read-file", '"/notes/a.txt"') == 'ok("hello")'
    desk = open_home()  # a restarted process: recovery loads the snapshot, then the files
    assert call(desk, "read-file", '"/notes/a.txt"') == 'ok("hello")'
    assert call(desk, "read-file", '"/b.txt"') == 'ok("world")'
    assert call(desk, "list-dir", '"/"') == 'ok(["b.txt", "notes"])'
    assert call(desk, "bump") == "3"
    # The folder is not in the data folder.
    instance = desk.workers._live[desk.workers.worker_id("files/w")].instance
    assert instance.files_dir is not None and home.resolve() not in instance.files_dir.resolve().parents


def test_recovery_rebuilds_the_files_by_replay(filed, open_home):
    call(filed, "write-file", '"/x.txt"', '"one"')
    call(filed, "write-file", '"/x.txt"', '"two"')
    desk = open_home()
    desk.workers.recover("files/w")
    assert call(desk, "read-file", '"/x.txt"') == 'ok("two")'


def test_workers_do_not_see_each_others_files(filed):
    filed.workers.create("files", "v", version=0)
    call(filed, "write-file", '"/secret.txt"', '"mine"')
    found = call(filed, "read-file", '"/secret.txt"', ref="files/v")
    assert found is not None and found.startswith("err(") and "FileNotFoundError" in found


def test_a_process_leaves_no_folder_behind(home):
    script = f"""
import wasmtime
from domain.bootstrap import open_desk
from tests.integration.test_private_files import FILES
from domain.storage.samples import build_python_sample
from tests.conftest import CACHE
desk = open_desk({str(home)!r})
desk.components.add("files", build_python_sample(FILES, CACHE).read_bytes())
desk.workers.create("files", "w")
assert desk.workers.invoke("files/w", "write-file", ['"/x.txt"', '"x"']).result_wave == "ok"
live = desk.workers._live[desk.workers.worker_id("files/w")]
print(live.instance.files_dir)
desk.close()
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0, done.stderr
    folder = Path(done.stdout.strip())
    assert folder.name.split("-")[0].isdigit() and folder.parent == _files.root()
    assert not folder.exists()


def test_folders_of_dead_processes_are_swept(tmp_path):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = tmp_path / f"{pid}-abc"
    (stale / "sub").mkdir(parents=True)
    mine = tmp_path / f"{os.getpid()}-def"
    mine.mkdir()
    assert _files.sweep(tmp_path) == 1
    assert not stale.exists() and mine.exists()


def test_a_finalizer_removing_a_folder_inside_create_does_not_hang(tmp_path, monkeypatch):
    import threading
    import weakref

    # Given an instance's folder whose owner is dropped while create() holds its lock
    # (the garbage collector runs finalizers wherever it strikes: this hung a test run)
    old = _files.create(tmp_path / "a")

    class Owner:
        pass

    owner = Owner()
    weakref.finalize(owner, _files.remove, old)
    real_sweep = _files.sweep

    def sweep_while_an_owner_is_collected(base):
        nonlocal owner
        del owner  # the finalizer runs here, in this thread, inside create()'s locked region
        return real_sweep(base)

    monkeypatch.setattr(_files, "sweep", sweep_while_an_owner_is_collected)
    created: list[object] = []
    worker = threading.Thread(target=lambda: created.append(_files.create(tmp_path / "b")), daemon=True)
    worker.start()
    worker.join(10)
    # Then create() finishes and the dropped folder is gone
    assert created and not old.exists(), "create() deadlocked on a finalizer's remove()"


def test_an_archive_does_not_escape_its_folder(tmp_path):
    import io
    import tarfile

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo("../escape.txt")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    target = tmp_path / "in"
    target.mkdir()
    with pytest.raises(Exception, match="could not be restored"):
        _files.extract(buffer.getvalue(), target)
    assert not (tmp_path / "escape.txt").exists()
    assert _files.archive(target) is None
    (target / "a").write_text("a")
    assert _files.archive(target) == _files.archive(target)  # the same files, the same bytes


# --- initial files (component add --file SRC:/path) ---------------------------------------


def test_initial_files_are_in_every_new_worker_and_survive_recovery(open_home, files_wasm, tmp_path):
    (tmp_path / "config.txt").write_text("colour=blue")
    tree = tmp_path / "tree"
    (tree / "deep").mkdir(parents=True)
    (tree / "deep" / "leaf.txt").write_text("leaf")
    desk = open_home()
    info = desk.components.add("files", files_wasm, files=[(tmp_path / "config.txt", "/etc/app.conf"), (tree, "/data")])
    assert info.to_json()["initialFiles"] == ["/data", "/data/deep", "/data/deep/leaf.txt", "/etc/app.conf"]
    desk.workers.create("files", "a")
    desk.workers.create("files", "b")
    (tmp_path / "config.txt").write_text("changed on the host")  # the version keeps what was added
    assert call(desk, "read-file", '"/etc/app.conf"', ref="files/a") == 'ok("colour=blue")'
    assert call(desk, "write-file", '"/etc/app.conf"', '"mine"', ref="files/a") == "ok"
    assert call(desk, "read-file", '"/data/deep/leaf.txt"', ref="files/b") == 'ok("leaf")'
    assert call(desk, "read-file", '"/etc/app.conf"', ref="files/b") == 'ok("colour=blue")'
    desk = open_home()
    assert call(desk, "read-file", '"/etc/app.conf"', ref="files/a") == 'ok("mine")'


@pytest.mark.parametrize(
    "spec, message",
    [
        ("nowhere.txt", "must look like SRC:/path"),
        ("{src}:relative.txt", "must start with /"),
        ("{src}:/a/../b", "must not contain .."),
        ("{missing}:/x", "no such file or folder"),
    ],
)
def test_bad_initial_files_are_refused_in_one_line(home, files_wasm, tmp_path, spec, message):
    from tests.conftest import run_cli

    src = tmp_path / "f.txt"
    src.write_text("x")
    wasm = tmp_path / "files.wasm"
    wasm.write_bytes(files_wasm)
    arg = spec.format(src=src, missing=tmp_path / "missing.txt")
    r = run_cli(home, "component", "add", "files", str(wasm), "--file", arg)
    assert r.returncode == 1, r.stdout
    assert message in r.stderr and r.stderr.strip().count("\n") == 0
    r = run_cli(home, "component", "list")
    assert "files" not in r.stdout  # nothing was added
