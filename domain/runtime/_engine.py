"""The shared wasmtime engine, its epoch ticker and the compiled-component cache."""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import tempfile
import threading
import weakref
from importlib import metadata
from pathlib import Path
from typing import Iterator

import wasmtime
from wasmtime import component as wc

from domain.storage.locks import exclusive

EPOCH_TICK_SECONDS = 0.01
_CACHE_MAGIC = b"WDCWASM1"


def wasmtime_version() -> str:
    try:
        return metadata.version("wasmtime")
    except metadata.PackageNotFoundError:  # pragma: no cover - frozen builds
        return getattr(wasmtime, "__version__", "unknown")


class EpochTicker:
    """One daemon thread that advances the engine's epoch every tick.

    Stores set their deadline in ticks before each call, so a time limit
    costs one ctypes call per invocation instead of a timer thread.
    """

    def __init__(self, engine: wasmtime.Engine, interval: float = EPOCH_TICK_SECONDS) -> None:
        self._engine_ref = weakref.ref(engine)
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="wasm-epoch", daemon=True)
        self._thread.start()
        _TICKERS.add(self)

    def _run(self) -> None:
        while not self._stop.wait(self._interval):
            engine = self._engine_ref()
            if engine is None or self._stop.is_set():
                return
            engine.increment_epoch()
            del engine

    def stop(self) -> None:
        """Stop ticking and wait for the thread, so no call into wasmtime is
        in flight when the process exits and wasmtime's globals are torn down."""
        self._stop.set()
        if self._thread.is_alive() and self._thread is not threading.current_thread():
            self._thread.join(timeout=2)


_TICKERS: "weakref.WeakSet[EpochTicker]" = weakref.WeakSet()


@atexit.register
def _stop_tickers() -> None:
    for ticker in list(_TICKERS):
        ticker.stop()


def make_engine() -> wasmtime.Engine:
    config = wasmtime.Config()
    config.epoch_interruption = True
    config.wasm_component_model = True
    return wasmtime.Engine(config)


class CompiledCache:
    """Serialized components on disk, keyed by the binary's SHA-256 and wasmtime's version.

    Each file starts with a magic string and the SHA-256 of the serialized
    bytes that follow, so a truncated or tampered file is detected before
    wasmtime ever sees it, ignored and rebuilt.
    """

    def __init__(self, directory: Path | None) -> None:
        self.directory = directory
        self.hits = 0
        self.misses = 0

    def path_for(self, sha256: str) -> Path | None:
        if self.directory is None:
            return None
        return self.directory / f"{sha256}-wasmtime{wasmtime_version()}.cwasm"

    def load(self, engine: wasmtime.Engine, sha256: str) -> wc.Component | None:
        path = self.path_for(sha256)
        if path is None or not path.exists():
            return None
        try:
            blob = path.read_bytes()
            header = len(_CACHE_MAGIC) + 32
            if blob[: len(_CACHE_MAGIC)] != _CACHE_MAGIC:
                raise ValueError("bad magic")
            digest, body = blob[len(_CACHE_MAGIC) : header], blob[header:]
            if hashlib.sha256(body).digest() != digest:
                raise ValueError("checksum mismatch")
            component = wc.Component.deserialize(engine, body)
        except (OSError, ValueError, wasmtime.WasmtimeError):
            self._discard(path)
            return None
        self.hits += 1
        return component

    def store(self, component: wc.Component, sha256: str) -> None:
        path = self.path_for(sha256)
        if path is None:
            return
        self.misses += 1
        try:
            body = bytes(component.serialize())
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".cwasm")
            with os.fdopen(fd, "wb") as f:
                f.write(_CACHE_MAGIC + hashlib.sha256(body).digest() + body)
            os.replace(tmp, path)
        except (OSError, wasmtime.WasmtimeError):
            # A cache that cannot be written only costs speed.
            pass

    @contextlib.contextmanager
    def compiling(self, sha256: str) -> Iterator[None]:
        """One process at a time compiles a component: another one asking meanwhile waits,
        then finds it in the cache (compiling an 18 MB component takes seconds)."""
        path = self.path_for(sha256)
        if path is None:
            yield
            return
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError:
            pass
        with exclusive(path.parent / f".{path.stem}.lock"):
            yield

    @staticmethod
    def _discard(path: Path) -> None:
        try:
            path.unlink()
        except OSError:
            pass
