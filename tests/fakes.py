"""Fakes for the ports the services depend on (domain/services/ports.py).

``open_desk(..., runtime=FakeRuntime(), blobs=MemoryBlobs(), markers=MemoryMarkers(),
crash=RecordedCrashPoints())`` runs the real services, event store and
update state machine over plain Python objects: no wasmtime, no files.

A fake component is a short text, ``fake:counter factor=1 save load``:
a counter with ``increment(by: u32) -> u64`` and ``get() -> u64`` whose
increments are multiplied by ``factor``, exporting save-snapshot and/or
load-snapshot when named, and ``roll() -> u64`` which reads one random u64
through the recorded host calls.
"""

from __future__ import annotations

import hashlib
import os
import struct
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from domain.model.errors import FunctionNotFound, InvalidComponent
from domain.model.hostcalls import REPLAY, HostCalls
from domain.model.types import ComponentDescription, FunctionSignature, Param, Primitive

U32, U64 = Primitive("u32"), Primitive("u64")
API = "golem:component/api"
SAVE_IFACE = "golem:api/save-snapshot@1.1.0"
LOAD_IFACE = "golem:api/load-snapshot@1.1.0"


@dataclass
class FakeOutcome:
    result: Any
    stdout: bytes
    stderr: bytes
    host_calls: list[list[Any]]
    duration: float = 0.0


@dataclass
class FakeLoaded:
    sha256: str
    size: int
    description: ComponentDescription
    factor: int


class FakeRuntime:
    """Runs fake counters in Python, recording and replaying their host calls."""

    wasi_version = "0.2.12"

    def __init__(self) -> None:
        self.loaded: dict[str, FakeLoaded] = {}
        self.instantiated = 0

    def to_binary(self, data: bytes) -> bytes:
        return data

    def load(self, data: bytes, sha256: str | None = None) -> FakeLoaded:
        words = data.decode("utf-8", "replace").split()
        if not words or words[0] != "fake:counter":
            raise InvalidComponent("this is not a fake component")
        options = dict(w.split("=", 1) for w in words[1:] if "=" in w)
        flags = {w for w in words[1:] if "=" not in w}
        sha = sha256 or hashlib.sha256(data).hexdigest()
        functions = [
            FunctionSignature(API, "increment", (Param("by", U32),), U64),
            FunctionSignature(API, "get", (), U64),
            FunctionSignature(API, "roll", (), U64),
        ]
        description = ComponentDescription(
            functions=tuple(functions),
            imports=("wasi:random/random@0.2.3",),
            unsupported_imports=(),
            save_snapshot=SAVE_IFACE if "save" in flags else None,
            load_snapshot=LOAD_IFACE if "load" in flags else None,
        )
        loaded = FakeLoaded(sha, len(data), description, int(options.get("factor", "1")))
        self.loaded[sha] = loaded
        return loaded

    def load_stored(self, sha256: str, read: Any) -> FakeLoaded:
        return self.loaded.get(sha256) or self.load(read(), sha256)

    def instance_config(self, **config: Any) -> dict[str, Any]:
        return config

    def instantiate(self, loaded: FakeLoaded, config: Any, host_calls: HostCalls) -> "FakeInstance":
        self.instantiated += 1
        replaying = host_calls.mode == REPLAY
        if not replaying:
            host_calls.go_live()
        instance = FakeInstance(loaded, host_calls)
        if replaying:
            host_calls.finish_replay()
        return instance

    def close(self) -> None:
        pass


class FakeInstance:
    def __init__(self, loaded: FakeLoaded, host_calls: HostCalls) -> None:
        self.loaded = loaded
        self.host_calls = host_calls
        self.total = 0
        self.dead = False
        self.startup_host_calls: list[list[Any]] = []

    def resolve(self, name: str) -> FunctionSignature:
        bare = name.rsplit("{", 1)[-1].rstrip("}")
        for sig in self.loaded.description.functions:
            if name in (sig.qualified_name, sig.name) or bare == sig.name:
                return sig
        raise FunctionNotFound(f"no exported function {name!r}")

    def call(self, name: str, args: list[Any], replay: list[list[Any]] | None = None) -> FakeOutcome:
        hc = self.host_calls
        if replay is None:
            hc.go_live()
        else:
            hc.go_replay(replay)
        fn = self.resolve(name).name
        if fn == "increment":
            self.total += int(args[0]) * self.loaded.factor
            result: Any = self.total
        elif fn == "get":
            result = self.total
        else:
            result = hc.call("wasi:random/random.get-random-u64", lambda: int.from_bytes(os.urandom(8), "little"))
        if replay is not None:
            hc.finish_replay()
        return FakeOutcome(result, b"", b"", hc.recorded)

    def save_snapshot(self) -> bytes:
        if self.loaded.description.save_snapshot is None:
            raise FunctionNotFound("this version does not export golem:api/save-snapshot")
        return struct.pack("<Q", self.total)

    def load_snapshot(self, data: bytes) -> str | None:
        if self.loaded.description.load_snapshot is None:
            raise FunctionNotFound("this version does not export golem:api/load-snapshot")
        if len(data) != 8:
            return "snapshot must be 8 bytes"
        self.total = struct.unpack("<Q", data)[0] * self.loaded.factor
        return None


class MemoryBlobs:
    """A content-addressed blob store in a dict."""

    def __init__(self) -> None:
        self.blobs: dict[str, bytes] = {}

    def put(self, data: bytes) -> str:
        digest = hashlib.sha256(data).hexdigest()
        self.blobs[digest] = bytes(data)
        return digest

    def get(self, digest: str) -> bytes:
        return self.blobs[digest]

    def exists(self, digest: str) -> bool:
        return digest in self.blobs


class MemoryMarkers:
    """In-flight markers in memory; ``dead_runners`` are reported as not alive."""

    def __init__(self, token: str = "fake-runner") -> None:
        self.token = token
        self.marks: dict[str, dict[str, Any]] = {}
        self.dead_runners: set[str] = set()

    def mark(self, worker_id: str, payload: dict[str, Any]) -> None:
        self.marks[worker_id] = payload

    def clear(self, worker_id: str) -> None:
        self.marks.pop(worker_id, None)

    def orphans(self, worker_id: str) -> list[tuple[Path, dict[str, Any]]]:
        return []

    def discard(self, path: Path) -> None:
        pass

    def runner_token(self) -> str:
        return self.token

    def runner_alive(self, token: str) -> bool:
        return token not in self.dead_runners

    def in_flight(self, worker_id: str) -> list[dict[str, Any]]:
        return []


class RecordedCrashPoints:
    """Records every crash point reached, in order (real kills are the e2e crash tests' job)."""

    def __init__(self) -> None:
        self.reached: list[str] = []

    def reach(self, stage: str) -> None:
        self.reached.append(stage)
