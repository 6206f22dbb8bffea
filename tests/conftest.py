"""Shared fixtures: data folders, desks on every storage, and test components."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Callable, Iterator

import pytest
import wasmtime

from tests import wat

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "tests" / ".cache"
SHARED_COMPILED = CACHE / "compiled"
KITCHEN_SRC = ROOT / "tests" / "components" / "kitchen"

POSTGRES_ENV = "WORKERDESK_TEST_POSTGRES"
REQUIRE_POSTGRES_ENV = "WORKERDESK_REQUIRE_POSTGRES"


# --- components ------------------------------------------------------------------


@pytest.fixture(scope="session")
def to_wasm() -> Callable[[str], bytes]:
    """Component WAT text -> binary, memoised for the session."""
    memo: dict[str, bytes] = {}

    def convert(text: str) -> bytes:
        if text not in memo:
            memo[text] = bytes(wasmtime.wat2wasm(text))
        return memo[text]

    return convert


def _componentize_py() -> str:
    exe = Path(sys.executable).with_name("componentize-py")
    if exe.exists():
        return str(exe)
    found = shutil.which("componentize-py")
    if not found:
        pytest.fail("componentize-py is not installed: pip install -e '.[test]'")
    return found


@pytest.fixture(scope="session")
def kitchen_wasm() -> bytes:
    """The kitchen-sink component built from Python by componentize-py, cached across runs."""
    digest = hashlib.sha256()
    for path in sorted(KITCHEN_SRC.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(KITCHEN_SRC).as_posix().encode())
            digest.update(path.read_bytes())
    out = CACHE / f"kitchen-{digest.hexdigest()[:16]}.wasm"
    if not out.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(".tmp")
        subprocess.run(
            [
                _componentize_py(),
                "-d", str(KITCHEN_SRC / "wit"),
                "-w", "kitchen",
                "componentize",
                "-p", str(KITCHEN_SRC),
                "app",
                "-o", str(tmp),
            ],
            check=True,
            capture_output=True,
            cwd=CACHE,
        )
        os.replace(tmp, out)
    return out.read_bytes()


# --- data folders ------------------------------------------------------------------


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A fresh data folder whose compiled-component cache is shared by the session."""
    root = tmp_path / "home"
    (root / "cache").mkdir(parents=True)
    SHARED_COMPILED.mkdir(parents=True, exist_ok=True)
    (root / "cache" / "compiled").symlink_to(SHARED_COMPILED, target_is_directory=True)
    return root


def postgres_conninfo() -> dict[str, str] | None:
    raw = os.environ.get(POSTGRES_ENV)
    if not raw:
        return None
    return dict(part.split("=", 1) for part in raw.split())


def _require_postgres() -> dict[str, str]:
    info = postgres_conninfo()
    if info is None:
        if os.environ.get(REQUIRE_POSTGRES_ENV):
            pytest.fail(f"{POSTGRES_ENV} is not set but PostgreSQL tests are required")
        pytest.skip(f"set {POSTGRES_ENV} (see .ci/postgres.sh) to run PostgreSQL tests")
    return info


def use_postgres(home: Path) -> str:
    """Point a data folder at a fresh schema of the test PostgreSQL server."""
    import psycopg

    info = _require_postgres()
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(**info, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    (home / "config").mkdir(parents=True, exist_ok=True)
    settings = {"storage": "postgres", "postgres": {**info, "schema": schema}}
    (home / "config" / "settings.json").write_text(json.dumps(settings))
    return schema


STORAGES = ["memory", "sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(params=STORAGES)
def storage(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open_home(home: Path, storage: str) -> Iterator[Callable[..., object]]:
    """Open (and reopen, as a restarted process would) the desk of one data folder."""
    from domain.bootstrap import open_desk

    if storage == "postgres":
        use_postgres(home)
    opened = []
    memory_desk = []

    def opener(**kwargs: object) -> object:
        if storage == "memory":
            # An in-memory store lives as long as its process: reopening keeps it
            # but drops every cache, as a restart would.
            if memory_desk:
                desk = memory_desk[0]
                desk.workers.refresh()
                desk.workers._live.clear()
                return desk
            desk = open_desk(home, in_memory=True, **kwargs)
            memory_desk.append(desk)
        else:
            desk = open_desk(home, **kwargs)
        opened.append(desk)
        return desk

    yield opener
    for desk in opened:
        desk.close()


@pytest.fixture
def desk(open_home: Callable[..., object]) -> object:
    return open_home()


@pytest.fixture
def counter_family(to_wasm: Callable[[str], bytes]) -> list[bytes]:
    """Versions 0..3 of the counter: no snapshot; + snapshot; diverging; rejecting load."""
    return [
        to_wasm(wat.counter(save=False, load=False)),
        to_wasm(wat.counter()),
        to_wasm(wat.counter(factor=2)),
        to_wasm(wat.counter(load_behaviour="err")),
    ]


def run_cli(home: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The real `workerdesk` CLI in its own process."""
    full_env = {**os.environ, **(env or {})}
    full_env.pop("WORKERDESK_HOME", None)
    return subprocess.run(
        [sys.executable, "-m", "desktop_app", "--home", str(home), *args],
        capture_output=True,
        text=True,
        env=full_env,
        timeout=timeout,
        cwd=ROOT,
    )
