"""Shared fixtures: data folders, desks on every storage, and test components."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

import platformdirs
import pytest
import wasmtime

from domain.storage.samples import SampleComponent, build_python_sample
from tests import wat

ROOT = Path(__file__).resolve().parent.parent
# Builds the tests need (componentize-py guests, compiled components) are kept between runs and
# clones: every file is named by the hash of what made it, and writers lock and rename into place.
CACHE = Path(os.environ.get("WORKERDESK_TEST_CACHE") or platformdirs.user_cache_dir("workerdesk-tests"))
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


KITCHEN = SampleComponent(
    name="kitchen",
    version=0,
    title="Kitchen sink",
    story="every value type echoed, plus the WASI surface a worker touches",
    source=KITCHEN_SRC,
    kind="python",
    world="kitchen",
)


def build_kitchen() -> bytes:
    """The kitchen-sink test component, built by componentize-py once and cached in CACHE."""
    return build_python_sample(KITCHEN, CACHE).read_bytes()


@pytest.fixture(scope="session")
def kitchen_wasm() -> bytes:
    return build_kitchen()


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


# --- the Golem-shaped Python component ---------------------------------------------

GOLEMLIKE_SRC = ROOT / "tests" / "components" / "golemlike"

GOLEMLIKE = SampleComponent(
    name="golemlike",
    version=0,
    title="Golem-shaped component in Python",
    story=(
        "WASI at componentize-py's own patch, wasi:http, and a golem:api interface "
        "with a resource that Worker Desk does not provide"
    ),
    source=GOLEMLIKE_SRC,
    kind="python",
    world="golemlike",
)


def build_golemlike() -> bytes:
    """The Golem-shaped Python test component, built by componentize-py once and cached in CACHE."""
    return build_python_sample(GOLEMLIKE, CACHE).read_bytes()


@pytest.fixture(scope="session")
def golemlike_wasm() -> bytes:
    return build_golemlike()


# --- shared fixtures of several test modules ------------------------------------------------

GOLDEN = ROOT / "tests" / "golden" / "day0"


@pytest.fixture
def golden(tmp_path: Path) -> Iterator[object]:
    """A desk on a copy of the day-0 golden data folder (tests/golden/build_day0.py)."""
    import shutil

    from domain.bootstrap import open_desk

    home = tmp_path / "golden"
    shutil.copytree(GOLDEN, home)
    desk = open_desk(home)
    yield desk
    desk.close()


@dataclass
class LocalServer:
    """A local HTTP server: its ``authority`` (host:port), a ``url`` on it, and the paths asked for."""

    authority: str
    url: str
    paths: list[str] = field(default_factory=list)


@pytest.fixture
def local_http() -> Iterator[LocalServer]:
    """A local HTTP server answering 200 to every GET and noting the paths asked for."""
    import http.server
    import threading

    state = LocalServer("", "")

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
            state.paths.append(self.path)
            body = b"ok"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *_args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.authority = f"127.0.0.1:{server.server_address[1]}"
    state.url = f"http://{state.authority}/hello?x=1"
    yield state
    server.shutdown()
    server.server_close()

