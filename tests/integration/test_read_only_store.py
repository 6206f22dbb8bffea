"""``--read-only`` changes no byte of the data folder, sees the latest committed data
and works where nothing can be written.

Every reading command runs as its own process (the real CLI) over a copy of
the day-0 golden folder, in four states of SQLite's side files: none; the
``-wal`` and ``-shm`` of a writer that is still running; those of a writer
that was killed (copied while it held them); and an empty ``-wal`` beside a
stale ``-shm``. Before and after, every name and every file's bytes and
mtime under the folder (data, settings, cache) are compared.

Tests run as root here, and root writes through any permission: a folder made
read-only with chmod proves nothing for root. So the read-only-mount case
also runs the CLI as an unprivileged user (``nobody``, via setpriv) over a
folder it owns with every write bit removed, and a separate test traces the
CLI's system calls (strace) to show that no file under the folder is opened
for writing, created, renamed, removed or chmodded.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import pytest

from domain.storage.paths import Paths
from domain.storage.readonly import PrivateCopy
from tests.conftest import ROOT, run_cli

GOLDEN = ROOT / "tests" / "golden" / "day0"

READING_COMMANDS = [
    ("worker", "list", "--json"),
    ("worker", "get", "counter/carol", "--json"),
    ("worker", "oplog", "counter/carol", "--json"),
    ("component", "list", "--json"),
    ("audit", "--json"),
    ("check",),
]


def snapshot(root: Path) -> dict[str, str]:
    """Every name under ``root`` (links not followed), each file's sha256, size and mtime."""
    out: dict[str, str] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder) / name
            rel = str(path.relative_to(root))
            st = path.lstat()
            if stat.S_ISLNK(st.st_mode):
                out[rel] = "link -> " + os.readlink(path)
            elif stat.S_ISDIR(st.st_mode):
                out[rel] = f"dir {st.st_mtime_ns}"
            else:
                out[rel] = f"{hashlib.sha256(path.read_bytes()).hexdigest()} {st.st_size} {st.st_mtime_ns}"
    return out


@pytest.fixture
def golden_home(tmp_path: Path) -> Path:
    home = tmp_path / "home"
    shutil.copytree(GOLDEN, home)
    (home / "config").mkdir(exist_ok=True)
    (home / "config" / "settings.json").write_text('{"time_limit": 5}')
    return home


def carol_calls(home: Path) -> int:
    r = run_cli(home, "--read-only", "worker", "get", "counter/carol", "--json")
    assert r.returncode == 0, r.stderr
    return int(json.loads(r.stdout)["invocationCount"])


@pytest.fixture
def live_writer(golden_home: Path) -> Iterator[sqlite3.Connection]:
    """A writer that is still running: its connection holds the -wal and -shm open,
    and the CLI's invocation is committed to the -wal, not yet to the database file."""
    db = golden_home / "data" / "workerdesk.sqlite"
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA wal_autocheckpoint=0")
    conn.execute("SELECT count(*) FROM stored_events").fetchall()
    r = run_cli(golden_home, "worker", "invoke", "counter/carol", "increment", "1")
    assert r.returncode == 0, r.stderr
    wal, shm = Paths.resolve(golden_home).database_side_files
    assert wal.stat().st_size > 0 and shm.exists()
    yield conn
    conn.close()


def _killed_writer_folder(source: Path, target: Path) -> Path:
    """A copy taken while a writer held its -wal: what a killed writer leaves."""
    shutil.copytree(source, target, symlinks=True)
    return target


@pytest.mark.parametrize("state", ["clean", "live writer", "killed writer", "empty wal, stale shm"])
def test_every_reading_command_leaves_every_byte_and_name_as_it_was(golden_home, tmp_path, state, request):
    home = golden_home
    expected_calls = 4
    if state == "live writer":
        request.getfixturevalue("live_writer")
        expected_calls = 5
    elif state == "killed writer":
        request.getfixturevalue("live_writer")
        home = _killed_writer_folder(golden_home, tmp_path / "killed")
        expected_calls = 5
    elif state == "empty wal, stale shm":
        wal, shm = Paths.resolve(home).database_side_files
        wal.write_bytes(b"")
        shm.write_bytes(b"\0" * 32768)
    data = Paths.resolve(home).data
    if state != "clean":
        assert {p.name for p in data.iterdir()} >= {"workerdesk.sqlite-wal", "workerdesk.sqlite-shm"}
    before = snapshot(home)
    for command in READING_COMMANDS:
        r = run_cli(home, "--read-only", *command)
        assert r.returncode == 0, (command, r.stderr)
    # The latest committed invocation (in the -wal only, for the writers) is seen.
    assert carol_calls(home) == expected_calls
    assert snapshot(home) == before


def test_a_read_only_open_of_a_live_writers_store_reads_a_private_copy_and_removes_it(golden_home, live_writer):
    from domain.bootstrap import open_desk

    before = snapshot(golden_home)
    desk = open_desk(golden_home, read_only=True)
    try:
        assert desk.private_copy is not None
        copy_folder = desk.private_copy.folder
        assert not copy_folder.is_relative_to(golden_home)
        assert desk.workers.get("counter/carol")["invocationCount"] == 5
    finally:
        desk.close()
    assert not copy_folder.exists()
    assert snapshot(golden_home) == before


def test_the_private_copy_is_taken_again_when_a_checkpoint_changes_the_database_meanwhile(golden_home, live_writer, monkeypatch):
    import domain.storage.readonly as readonly

    copies = []
    real_copy = shutil.copyfile

    def copy_and_checkpoint_once(src, dst, *args, **kwargs):
        result = real_copy(src, dst, *args, **kwargs)
        copies.append(Path(src).name)
        if len(copies) == 2:
            # A writer checkpoints between our copy of the log and the check that follows.
            live_writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return result

    monkeypatch.setattr(readonly.shutil, "copyfile", copy_and_checkpoint_once)
    copy = PrivateCopy(Paths.resolve(golden_home))
    try:
        assert copies == ["workerdesk.sqlite", "workerdesk.sqlite-wal"] * 2
        with sqlite3.connect(copy.database) as conn:
            rows = conn.execute("SELECT count(*) FROM stored_events").fetchone()[0]
    finally:
        copy.close()
    with sqlite3.connect(f"file:{golden_home / 'data' / 'workerdesk.sqlite'}?mode=ro", uri=True) as conn:
        assert rows == conn.execute("SELECT count(*) FROM stored_events").fetchone()[0]


# -- a folder nothing may be written to ------------------------------------------------


def _run_as(user_home: Path, args: list[str], as_nobody: bool) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "desktop_app", "--home", str(user_home), *args]
    if as_nobody:
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    env = {k: v for k, v in os.environ.items() if k != "WORKERDESK_HOME"}
    env["HOME"] = str(user_home)
    return subprocess.run(command, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)


@pytest.mark.parametrize("state", ["clean", "killed writer", "killed writer, -shm not copied"])
def test_a_folder_without_write_permission_reads_as_on_a_read_only_mount(golden_home, tmp_path, state, request):
    """Root ignores permissions, so as root the CLI runs as ``nobody`` over a folder
    ``nobody`` owns with every write bit removed: any write attempt fails there."""
    as_nobody = os.geteuid() == 0
    if as_nobody and shutil.which("setpriv") is None:
        pytest.skip("running as root without setpriv: a chmod-ed folder proves nothing")
    source = golden_home
    if state.startswith("killed writer"):
        request.getfixturevalue("live_writer")
    outer = Path(tempfile.mkdtemp(prefix="wd-ro-"))
    try:
        outer.chmod(0o755)
        home = outer / "home"
        shutil.copytree(source, home)
        if state == "killed writer, -shm not copied":
            # Read-only media written by a copy of the database and its log alone.
            Paths.resolve(home).database_side_files[1].unlink()
        for folder, dirs, files in os.walk(home):
            for name in files:
                os.chmod(Path(folder) / name, 0o444)
        for folder, dirs, files in os.walk(home, topdown=False):
            for name in dirs:
                os.chmod(Path(folder) / name, 0o555)
        home.chmod(0o555)
        if as_nobody:
            for folder, dirs, files in os.walk(home):
                for name in dirs + files:
                    os.lchown(Path(folder) / name, 65534, 65534)
            os.lchown(home, 65534, 65534)
        before = snapshot(home)
        for command in READING_COMMANDS:
            r = _run_as(home, ["--read-only", *command], as_nobody)
            assert r.returncode == 0, (command, r.stderr)
        r = _run_as(home, ["--read-only", "worker", "get", "counter/carol", "--json"], as_nobody)
        assert json.loads(r.stdout)["invocationCount"] == (5 if state.startswith("killed writer") else 4)
        assert snapshot(home) == before
    finally:
        for folder, dirs, files in os.walk(outer):
            os.chmod(folder, 0o755)
        shutil.rmtree(outer, ignore_errors=True)


def test_no_file_of_the_folder_is_opened_for_writing_created_or_removed(golden_home, live_writer):
    """System calls, traced: what a root process could write despite permissions, it does not."""
    if shutil.which("strace") is None:
        pytest.skip("strace is not installed")
    trace = golden_home.parent / "trace.txt"
    command = [
        "strace", "-f", "-qq", "-o", str(trace),
        "-e", "trace=open,openat,creat,unlink,unlinkat,rename,renameat,renameat2,mkdir,mkdirat,chmod,fchmodat,truncate,link,symlink",
        sys.executable, "-m", "desktop_app", "--home", str(golden_home), "--read-only", "audit", "--json",
    ]  # fmt: skip
    r = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, timeout=120)
    if r.returncode != 0 and "ptrace" in r.stderr:
        pytest.skip(f"strace cannot trace here: {r.stderr.strip()}")
    assert r.returncode == 0, r.stderr
    calls = [line for line in trace.read_text().splitlines() if str(golden_home) in line]
    assert any("workerdesk.sqlite-wal" in line for line in calls)  # the log was read (copied)
    writes = [
        line
        for line in calls
        if any(flag in line for flag in ("O_WRONLY", "O_RDWR", "O_CREAT", "O_TRUNC"))
        or not any(f"{name}(" in line for name in ("open", "openat"))
    ]
    assert writes == []


def test_reading_commands_refuse_nothing_but_writing_commands_refuse_read_only(golden_home):
    before = snapshot(golden_home)
    for args in (
        ("component", "add", "counter", str(ROOT / "pyproject.toml")),
        ("worker", "new", "counter", "x"),
        ("worker", "invoke", "counter/carol", "get"),
        ("worker", "recover", "counter/carol"),
        ("worker", "delete", "counter/carol"),
    ):
        r = run_cli(golden_home, "--read-only", *args)
        assert r.returncode == 2, r.stderr
        assert r.stderr.count("\n") == 1 and "--read-only forbids" in r.stderr, r.stderr
    assert snapshot(golden_home) == before


def test_copy_time_per_mib_is_measured(tmp_path):
    """How long a read-only open's private copy takes (printed with -s; see domain/storage/readonly.py)."""
    paths = Paths.resolve(tmp_path)
    paths.data.mkdir(parents=True)
    size = 64 * 1024 * 1024
    paths.database.write_bytes(os.urandom(size // 2))
    paths.database_side_files[0].write_bytes(os.urandom(size // 2))
    start = time.perf_counter()
    copy = PrivateCopy(paths)
    elapsed = time.perf_counter() - start
    copy.close()
    print(f"private copy: {size / 2**20:.0f} MiB in {elapsed:.3f} s = {elapsed / (size / 2**20) * 1000:.2f} ms/MiB")
    assert elapsed < 60


def test_the_domain_refuses_to_add_or_create_on_a_read_only_desk_in_one_line(golden_home, to_wasm):
    from domain.bootstrap import open_desk
    from domain.model.errors import WorkerDeskError
    from tests import wat

    before = snapshot(golden_home)
    desk = open_desk(golden_home, read_only=True)
    try:
        # Not only the CLI: a program (or the GUI) driving the domain gets the same one-line refusal
        with pytest.raises(WorkerDeskError, match="^this data folder is open read-only: counter was not added$"):
            desk.components.add("counter", to_wasm(wat.counter(factor=5)))
        with pytest.raises(WorkerDeskError, match="^this data folder is open read-only: worker counter/x was not created$"):
            desk.workers.create("counter", "x")
    finally:
        desk.close()
    assert snapshot(golden_home) == before
