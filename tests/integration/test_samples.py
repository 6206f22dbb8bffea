"""The sample components: the counter family's update story and the Python cart.

The components run on raw wasmtime-py here, so these tests check the
samples themselves, not Worker Desk's runtime.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import os
import shutil
import struct
import subprocess
import sys
import time
from importlib import metadata
from pathlib import Path

import pytest
import wasmtime
from wasmtime import component as wc

from domain.model.errors import NotFound
from domain.storage import samples
from domain.storage.samples import (
    SAMPLES,
    SampleBuildError,
    build_python_sample,
    get_sample,
    read_source,
    resources_dir,
    source_digest,
)
from tests.conftest import CACHE

ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = CACHE / "samples"
API = "golem:component/api"
SAVE_PREFIX = "golem:api/save-snapshot@"
LOAD_PREFIX = "golem:api/load-snapshot@"

WAT_SAMPLES = [s for s in SAMPLES if s.kind == "wat"]
CART = get_sample("cart", 0)

# The same invocations, as an automatic update would replay them.
HISTORY = [
    ("increment", 5),
    ("increment", 7),
    ("get",),
    ("count",),
    ("reset",),
    ("increment", 1),
    ("get",),
    ("count",),
]


class Guest:
    """One instance of a component in its own store."""

    def __init__(self, engine: wasmtime.Engine, component: wc.Component, *, wasi: bool = False) -> None:
        self.engine = engine
        self.component = component
        self.store = wasmtime.Store(engine)
        self.stdout = bytearray()
        linker = wc.Linker(engine)
        if wasi:
            linker.add_wasip2()
            config = wasmtime.WasiConfig()
            config.stdout_custom = lambda data: self.stdout.extend(bytes(data))
            self.store.set_wasi(config)
        self.instance = linker.instantiate(self.store, component)

    def export_named(self, prefix: str) -> str | None:
        """The full export name starting with ``prefix`` (any package version)."""
        for name in self.component.type.exports(self.engine):
            if name.startswith(prefix):
                return name
        return None

    def has(self, interface: str, function: str) -> bool:
        iface = self.instance.get_export_index(self.store, interface)
        return iface is not None and self.instance.get_export_index(self.store, function, iface) is not None

    def call(self, interface: str, function: str, *args):
        iface = self.instance.get_export_index(self.store, interface)
        assert iface is not None, f"{interface} is not exported"
        index = self.instance.get_export_index(self.store, function, iface)
        assert index is not None, f"{interface}#{function} is not exported"
        func = self.instance.get_func(self.store, index)
        result = func(self.store, *args)
        func.post_return(self.store)
        return result

    def api(self, function: str, *args):
        return self.call(API, function, *args)

    def save(self) -> bytes:
        return self.call(self.export_named(SAVE_PREFIX), "save")

    def load(self, snapshot: bytes) -> str | None:
        """None when the snapshot was accepted, else the error text."""
        return self.call(self.export_named(LOAD_PREFIX), "load", snapshot)

    def replay(self, history):
        return [self.api(name, *args) for name, *args in history]


@pytest.fixture(scope="session")
def engine() -> wasmtime.Engine:
    return wasmtime.Engine()


@pytest.fixture(scope="session")
def counter_components(engine):
    return {s.version: wc.Component(engine, wasmtime.wat2wasm(read_source(s))) for s in WAT_SAMPLES}


@pytest.fixture
def counter(engine, counter_components):
    def make(version: int) -> Guest:
        return Guest(engine, counter_components[version])

    yield make
    # Stores are released before the next test, not at interpreter exit.
    gc.collect()


@pytest.fixture(scope="session")
def cart_wasm() -> Path:
    return build_python_sample(CART, CACHE_DIR)


@pytest.fixture(scope="session")
def cart_component(engine, cart_wasm) -> wc.Component:
    """The compiled cart, kept serialized next to the build (compiling takes seconds)."""
    data = cart_wasm.read_bytes()
    key = hashlib.sha256(data + metadata.version("wasmtime").encode()).hexdigest()[:16]
    compiled = CACHE_DIR / f"{cart_wasm.stem}-{key}.cwasm"
    if compiled.is_file():
        return wc.Component.deserialize(engine, compiled.read_bytes())
    component = wc.Component(engine, data)
    partial = compiled.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(component.serialize())
    os.replace(partial, compiled)
    return component


@pytest.fixture
def cart(engine, cart_component):
    guests: list[Guest] = []

    def make() -> Guest:
        guests.append(Guest(engine, cart_component, wasi=True))
        return guests[-1]

    yield make
    # A store with a stdout callback still alive at interpreter exit makes
    # wasmtime print a panic from its I/O thread, so drop them here.
    guests.clear()
    gc.collect()


# --- the catalogue -------------------------------------------------------------


def test_the_catalogue_lists_counter_v0_to_v3_and_the_python_cart():
    assert [(s.name, s.version, s.kind) for s in SAMPLES] == [
        ("counter", 0, "wat"),
        ("counter", 1, "wat"),
        ("counter", 2, "wat"),
        ("counter", 3, "wat"),
        ("cart", 0, "python"),
    ]
    assert [s.version for s in samples.samples_named("counter")] == [0, 1, 2, 3]
    assert all(s.title and s.story and "\n" not in s.story for s in SAMPLES)


def test_every_sample_source_is_in_the_resources_folder():
    assert resources_dir() == ROOT / "resources"
    for sample in SAMPLES:
        assert sample.source_path.exists(), sample.label
    assert (CART.source_path / "wit" / "cart.wit").is_file()


def test_read_source_returns_the_wat_text_or_the_python_app():
    assert read_source(get_sample("counter", 1)).lstrip().startswith(";; Counter, version 1")
    assert "class LoadSnapshot" in read_source(CART)


def test_resources_are_looked_up_in_the_pyinstaller_bundle_when_frozen(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path), raising=False)
    assert resources_dir() == tmp_path / "resources"
    assert get_sample("counter", 0).source_path == tmp_path / "resources" / "components" / "counter" / "v0.wat"


def test_asking_for_an_unknown_sample_names_the_known_ones():
    with pytest.raises(NotFound, match="counter v3"):
        get_sample("counter", 9)


def test_the_catalogue_module_does_not_import_wasmtime():
    code = "import sys, domain.storage.samples; print('wasmtime' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env=dict(os.environ, PYTHONPATH=str(ROOT)),
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.strip() == "False"


# --- the counter family --------------------------------------------------------


@pytest.mark.parametrize("sample", WAT_SAMPLES, ids=lambda s: s.label)
def test_each_counter_version_converts_to_a_component_and_instantiates(engine, sample):
    guest = Guest(engine, wc.Component(engine, wasmtime.wat2wasm(read_source(sample))))
    for function in ("increment", "get", "count", "reset"):
        assert guest.has(API, function)
    assert guest.api("get") == 0


@pytest.mark.parametrize("sample", WAT_SAMPLES, ids=lambda s: s.label)
def test_each_counter_version_passes_wasm_tools_validation(sample, tmp_path):
    tool = shutil.which("wasm-tools", path=str(Path(sys.executable).parent)) or shutil.which("wasm-tools")
    if tool is None:
        pytest.skip("wasm-tools is not installed")
    binary = tmp_path / "c.wasm"
    subprocess.run([tool, "parse", str(sample.source_path), "-o", str(binary)], check=True)
    subprocess.run([tool, "validate", str(binary)], check=True)


def test_only_counter_v1_and_later_export_the_snapshot_interfaces(counter_components, engine):
    exports = {v: set(c.type.exports(engine)) for v, c in counter_components.items()}
    assert exports[0] == {API}
    for version in (1, 2, 3):
        assert exports[version] == {
            API,
            "golem:api/save-snapshot@1.1.0",
            "golem:api/load-snapshot@1.1.0",
        }


def test_counter_v0_and_v1_give_identical_results_for_the_same_history(counter):
    v0 = counter(0).replay(HISTORY)
    assert v0 == [5, 12, 12, 2, None, 1, 1, 1]
    assert counter(1).replay(HISTORY) == v0


def test_counter_v2_gives_different_results_for_the_same_history(counter):
    v1 = counter(1).replay(HISTORY)
    v2 = counter(2).replay(HISTORY)
    assert v2 == [500, 1200, 1200, 2, None, 100, 100, 1]
    assert v2[0] != v1[0]


def test_counter_v3_gives_the_same_results_as_v2(counter):
    assert counter(3).replay(HISTORY) == counter(2).replay(HISTORY)


def test_a_v1_snapshot_is_the_total_and_count_in_little_endian(counter):
    v1 = counter(1)
    v1.replay(HISTORY[:2])
    assert v1.save() == struct.pack("<QI", 12, 2)


def test_a_v1_snapshot_loads_on_v2_and_get_shows_the_total_in_cents(counter):
    v1 = counter(1)
    v1.replay(HISTORY[:2])
    v2 = counter(2)
    assert v2.load(v1.save()) is None
    assert v2.api("get") == 1200
    assert v2.api("count") == 2
    assert v2.api("increment", 1) == 1300


def test_counter_v2_saves_a_versioned_snapshot_and_restores_it(counter):
    old = counter(2)
    old.replay(HISTORY[:2])
    snapshot = old.save()
    assert snapshot == b"\x02" + struct.pack("<QI", 1200, 2)
    new = counter(2)
    assert new.load(snapshot) is None
    assert (new.api("get"), new.api("count")) == (1200, 2)


@pytest.mark.parametrize("snapshot", [b"", b"\x01" * 11, b"\x09" + bytes(12), bytes(40)])
def test_counter_v2_rejects_an_unrecognised_snapshot_and_keeps_its_state(counter, snapshot):
    v2 = counter(2)
    v2.api("increment", 3)
    error = v2.load(snapshot)
    assert error == "unrecognised snapshot: expected format 1 (12 bytes) or format 2 (13 bytes)"
    assert v2.api("get") == 300


def test_counter_v2_rejects_a_v1_total_too_large_to_keep_in_cents(counter):
    v2 = counter(2)
    assert v2.load(struct.pack("<QI", 2**63, 1)) == "snapshot total is too large to keep in cents"
    assert v2.api("get") == 0


def test_counter_v1_rejects_a_snapshot_of_the_wrong_length(counter):
    v1 = counter(1)
    assert v1.load(b"\x02" + bytes(12)) == "snapshot must be 12 bytes (total u64, count u32)"


@pytest.mark.parametrize("source_version, fmt", [(1, 1), (2, 2)])
def test_counter_v3_rejects_older_snapshots_with_a_clear_message(counter, source_version, fmt):
    old = counter(source_version)
    old.replay(HISTORY[:2])
    v3 = counter(3)
    v3.api("increment", 4)
    assert v3.load(old.save()) == f"snapshot format {fmt} is no longer supported"
    assert v3.api("get") == 400


def test_counter_v3_restores_its_own_snapshot(counter):
    old = counter(3)
    old.replay(HISTORY[:2])
    snapshot = old.save()
    assert snapshot[0] == 3
    new = counter(3)
    assert new.load(snapshot) is None
    assert (new.api("get"), new.api("count")) == (1200, 2)


def test_a_large_snapshot_argument_is_accepted_by_the_allocator(counter):
    assert counter(1).load(bytes(100_000)) == "snapshot must be 12 bytes (total u64, count u32)"


# --- building Python samples ---------------------------------------------------


def _cart_copy(tmp_path: Path) -> samples.SampleComponent:
    shutil.copytree(CART.source_path, tmp_path / "cart", ignore=shutil.ignore_patterns("__pycache__"))
    return dataclasses.replace(CART, source=tmp_path / "cart")


def test_the_build_hash_changes_when_a_source_file_changes(tmp_path):
    sample = _cart_copy(tmp_path)
    before = source_digest(sample, "componentize-py 0.25.1")
    assert source_digest(sample, "componentize-py 0.25.1") == before
    assert source_digest(sample, "componentize-py 0.26.0") != before
    (tmp_path / "cart" / "__pycache__").mkdir()
    (tmp_path / "cart" / "__pycache__" / "app.cpython-311.pyc").write_bytes(b"x")
    assert source_digest(sample, "componentize-py 0.25.1") == before
    app = tmp_path / "cart" / "app.py"
    app.write_text(app.read_text() + "\n# changed\n")
    assert source_digest(sample, "componentize-py 0.25.1") != before


def test_a_missing_componentize_py_is_reported_clearly(monkeypatch, tmp_path):
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python"))
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(SampleBuildError, match="componentize-py was not found .*pip install componentize-py"):
        build_python_sample(CART, tmp_path / "cache")
    assert not (tmp_path / "cache").exists()


def test_two_builders_of_the_same_sample_build_it_once(monkeypatch, tmp_path):
    import threading

    # Given a componentize-py that takes a moment and counts its runs
    runs: list[int] = []
    real_run = subprocess.run

    def slow_componentize(command, **kwargs):
        if "componentize" not in command:
            return real_run(command, **kwargs)
        runs.append(1)
        time.sleep(0.5)
        Path(command[command.index("-o") + 1]).write_bytes(b"\0asm\x0d\x00\x01\x00")
        return subprocess.CompletedProcess(command, 0, "", "")

    monkeypatch.setattr(samples.subprocess, "run", slow_componentize)
    sample = _cart_copy(tmp_path)
    cache = tmp_path / "cache"
    # When two builders (threads here, processes in a parallel test run) ask for it at once
    results: list[Path] = []
    builders = [threading.Thread(target=lambda: results.append(build_python_sample(sample, cache))) for _ in range(2)]
    for b in builders:
        b.start()
    for b in builders:
        b.join(30)
    # Then it was built once, both got the same file, and only the build is left in the cache
    assert len(runs) == 1 and len(results) == 2 and results[0] == results[1]
    assert [p.name for p in cache.iterdir()] == [results[0].name]


def test_a_failed_build_leaves_nothing_in_the_cache(tmp_path):
    sample = _cart_copy(tmp_path)
    wit = tmp_path / "cart" / "wit" / "cart.wit"
    wit.write_text(wit.read_text() + "\ninterface broken {\n")
    cache = tmp_path / "cache"
    with pytest.raises(SampleBuildError, match="building sample cart v0 failed: expected") as failure:
        build_python_sample(sample, cache)
    assert "cart.wit" in failure.value.output
    assert list(cache.iterdir()) == []


def test_a_build_error_is_summed_up_by_its_innermost_cause():
    python_error = "AssertionError: Traceback\n\nCaused by:\n    SyntaxError: invalid syntax (app.py, line 81)\n"
    assert samples._summary(python_error) == "SyntaxError: invalid syntax (app.py, line 81)"
    wit_error = "Caused by:\n    0: failed to parse package: wit\n    1: expected `type`, found eof\n   --> x\n"
    assert samples._summary(wit_error) == "expected `type`, found eof"
    assert samples._summary("") == "componentize-py reported nothing"


def test_the_python_cart_builds_into_a_component_of_some_megabytes(cart_wasm):
    assert cart_wasm.parent == CACHE_DIR
    assert cart_wasm.name.startswith("cart-v0-")
    assert cart_wasm.read_bytes()[:8] == b"\0asm\x0d\x00\x01\x00"
    assert cart_wasm.stat().st_size > 1_000_000


def test_building_the_cart_again_returns_the_cached_file_at_once(cart_wasm):
    started = time.monotonic()
    assert build_python_sample(CART, CACHE_DIR) == cart_wasm
    assert time.monotonic() - started < 1.0


# --- the Python cart -----------------------------------------------------------


def test_the_cart_exports_its_api_and_both_snapshot_interfaces(cart):
    guest = cart()
    for function in ("add-item", "remove-item", "items", "total-items"):
        assert guest.has(API, function)
    assert guest.export_named(SAVE_PREFIX) == "golem:api/save-snapshot@1.1.0"
    assert guest.export_named(LOAD_PREFIX) == "golem:api/load-snapshot@1.1.0"


def test_the_cart_adds_lists_counts_and_removes_items(cart):
    guest = cart()
    assert guest.api("add-item", "apple", 3) == 3
    assert guest.api("add-item", "pear", 2) == 2
    assert guest.api("add-item", "apple", 1) == 4
    assert guest.api("items") == [("apple", 4), ("pear", 2)]
    assert guest.api("total-items") == 6
    assert guest.api("remove-item", "pear") == 2
    assert guest.api("items") == [("apple", 4)]


def test_removing_an_item_the_cart_does_not_hold_returns_an_error(cart):
    guest = cart()
    assert guest.api("remove-item", "kiwi") == "the cart holds no item called 'kiwi'"


def test_a_cart_snapshot_restores_the_items_in_a_fresh_instance(cart):
    old = cart()
    old.api("add-item", "apple", 3)
    old.api("add-item", "plum", 5)
    snapshot = old.save()
    assert json.loads(snapshot) == {"format": 1, "items": [["apple", 3], ["plum", 5]]}
    new = cart()
    assert new.load(snapshot) is None
    assert new.api("items") == [("apple", 3), ("plum", 5)]
    assert new.api("total-items") == 8


@pytest.mark.parametrize(
    "snapshot, message",
    [
        (b"not json", "snapshot is not UTF-8 JSON"),
        (b'{"format": 2, "items": []}', "snapshot format must be 1"),
        (b'{"format": 1, "items": [["apple", -1]]}', "is not [name, quantity]"),
    ],
)
def test_the_cart_rejects_a_bad_snapshot_and_keeps_its_items(cart, snapshot, message):
    guest = cart()
    guest.api("add-item", "apple", 1)
    error = guest.load(snapshot)
    assert isinstance(error, str) and message in error
    assert guest.api("items") == [("apple", 1)]


def test_adding_an_item_prints_a_log_line_to_stdout(cart):
    guest = cart()
    guest.api("add-item", "apple", 3)
    assert b"cart: added 3 x 'apple', now 3\n" in bytes(guest.stdout)
