"""Load, describe, instantiate and call WebAssembly components on wasmtime."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import random as _insecure_random
import re
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import ctypes
import weakref

import wasmtime
from wasmtime import _ffi
from wasmtime import component as wc
from wasmtime.component import _enter as _enter_module
from wasmtime.component._enter import enter_wasm as _enter_wasm

from domain.model import types as t
from domain.model.errors import (
    BadArguments,
    FunctionNotFound,
    HostCallDivergence,
    InvalidComponent,
    InvocationFailed,
    one_line,
)
from domain.model.hostcalls import REPLAY, HostCalls

from . import _files, _types
from ._engine import EPOCH_TICK_SECONDS, CompiledCache, EpochTicker, make_engine
from ._golem_context import CONTEXT, GolemContext
from ._golem_host import GolemHost, GolemServices, WorkerIdentity
from ._linking import (
    RECORDED_INTERFACES,
    LinkPlan,
    WasiSurface,
    define_http_denial,
    define_stubs,
    interface_base,
    unprovided_error,
)

WASM_MAGIC = b"\0asm"
_WASM_PAGE = 64 * 1024
# wasmtime lifts a value out of the guest on a fixed budget ("fuel allocated for
# hostcalls", 128 MiB at 48 bytes per list element): a list<u8> result or state
# snapshot of more than this many bytes traps. The C API offers no setting.
MAX_RESULT_BYTES = 128 * 1024 * 1024 // 48
_HOSTCALL_FUEL = "fuel allocated for hostcalls"
_INITIAL_MEMORY_RE = re.compile(r"memory minimum size of (?P<pages>\d+) pages exceeds memory limits")
CORE_VERSION = b"\x01\x00\x00\x00"
COMPONENT_VERSION = b"\x0d\x00\x01\x00"

SNAPSHOT_PACKAGE = "golem:api/"
_IFACE_RE = re.compile(r"^(?P<pkg>[a-z0-9-]+:[a-z0-9-]+)/(?P<iface>[a-z0-9-]+)(?:@(?P<ver>[0-9A-Za-z.+-]+))?$")

_MAX_RANDOM_BYTES = 64 * 1024 * 1024
ENVIRONMENT = "wasi:cli/environment"
# What guests print when an allocation fails (the memory cap makes memory.grow
# return -1, and the guest's allocator then gives up): Rust, Python, C.
_OOM_RE = re.compile(r"memory allocation of \d+ bytes failed|\bMemoryError\b|out of memory", re.IGNORECASE)
# Exports a toolchain adds for itself, never meant to be invoked by users
# (componentize-py's build-time initialiser).
_TOOLCHAIN_EXPORTS = frozenset([("exports", "init")])
@dataclass(frozen=True)
class Limits:
    """Per-call time limit and the cap of each linear memory (1 GiB, as in Golem)."""

    time_limit: float = 10.0
    memory_limit: int = 1024 * 1024 * 1024
    # Argument data one call may pass in (strings and list<u8>, in bytes): each
    # byte of a list<u8> going in costs wasmtime-py about 80 bytes of host memory.
    max_argument_bytes: int = 16 * 1024 * 1024


@dataclass(frozen=True)
class InstanceConfig:
    """Everything that shapes one instance of a worker."""

    worker_name: str
    component_id: str
    component_version: int
    env: tuple[tuple[str, str], ...] = ()
    args: tuple[str, ...] = ()
    preopen_dir: str | None = None
    allow_http: bool = False
    limits: Limits | None = None  # None: the runtime's limits
    max_memory: int | None = None  # the worker's own memory cap, over the limits' one
    # Golem's host API: the worker's stored policies (retry policy, persistence
    # level, idempotence mode) and the services behind promises, other workers'
    # metadata and update requests (None: those calls fail).
    policies: tuple[tuple[str, Any], ...] = ()
    golem: GolemServices | None = None
    # A private folder of the instance's own, preopened as / (when no folder is
    # granted), starting with the files of ``files`` (a tar) when given.
    private_files: bool = False
    files: bytes | None = None

    def environment(self, version: int | None = None) -> list[tuple[str, str]]:
        """Golem's variables (1.2's and 1.3's names) for ``version`` (default: the instance's), then the worker's own."""
        shown = str(self.component_version if version is None else version)
        env = [
            ("GOLEM_WORKER_NAME", self.worker_name),
            ("GOLEM_AGENT_ID", self.worker_name),
            ("GOLEM_COMPONENT_ID", self.component_id),
            ("GOLEM_COMPONENT_VERSION", shown),
            ("GOLEM_COMPONENT_REVISION", shown),
        ]
        env.extend(self.env)
        return env


@dataclass
class CallOutcome:
    result: Any
    stdout: bytes
    stderr: bytes
    host_calls: list[list[Any]]
    duration: float


class LoadedComponent:
    """A compiled component and its description."""

    def __init__(
        self, sha256: str, size: int, component: wc.Component, description: t.ComponentDescription, plan: LinkPlan
    ) -> None:
        self.sha256 = sha256
        self.size = size
        self.component = component
        self.description = description
        self.plan = plan


def check_header(data: bytes) -> None:
    """Raise :class:`InvalidComponent` with one clear sentence for non-components."""
    if len(data) == 0:
        raise InvalidComponent("the file is empty, not a WebAssembly component")
    if data[:4] != WASM_MAGIC:
        if data.lstrip()[:7] == b"(module":
            raise InvalidComponent(
                "this is a core WebAssembly module in text form, not a component: "
                "wrap it with `wasm-tools component new`"
            )
        raise InvalidComponent("this is not a WebAssembly file: it does not start with the \\0asm header")
    if len(data) < 8:
        raise InvalidComponent("the WebAssembly file is truncated: it ends inside its 8-byte header")
    version = data[4:8]
    if version == CORE_VERSION:
        raise InvalidComponent(
            "this is a core WebAssembly module, not a component: wrap it with `wasm-tools component new`"
        )
    if version != COMPONENT_VERSION:
        raise InvalidComponent(
            f"unsupported WebAssembly binary version {version.hex()}: expected a component "
            "(version 0d 00 01 00)"
        )


def _looks_like_wat(data: bytes) -> bool:
    head = data.lstrip()[:32]
    return head.startswith(b"(component") or head.startswith(b";;") or head.startswith(b"(;")


def _trap_message(error: Exception) -> str:
    """The line of a wasmtime error that says what happened."""
    text = str(error)
    for line in text.splitlines():
        s = line.strip()
        if s.startswith("wasm trap:"):
            return s[len("wasm trap:") :].strip()
    caused = text.split("Caused by:")
    if len(caused) > 1:
        return one_line(caused[-1].strip().lstrip("0123456789: "))
    return one_line(text)


class _Capture:
    """A guest output stream written to an unlinked temporary file and read back per call."""

    __slots__ = ("_file",)

    def __init__(self, enabled: bool) -> None:
        self._file: Any = None
        if enabled:
            self._file = tempfile.TemporaryFile(prefix="workerdesk-out-")

    def attach(self, wasi: wasmtime.WasiConfig, stream: str) -> None:
        if self._file is None:
            return
        path = f"/proc/self/fd/{self._file.fileno()}"
        if not os.path.exists(path):  # pragma: no cover - non-Linux
            named = tempfile.NamedTemporaryFile(prefix="workerdesk-out-", delete=False)
            self._file.close()
            self._file = open(named.name, "rb")
            path = named.name
            os.unlink(named.name)  # the guest's handle stays valid
        setattr(wasi, f"{stream}_file", path)

    def drain(self) -> bytes:
        f = self._file
        if f is None:
            return b""
        return f.read() or b""

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None


class _Function:
    __slots__ = ("signature", "func", "lower", "lift", "invoke")

    def __init__(
        self,
        signature: t.FunctionSignature,
        func: wc.Func,
        lower: list,
        lift: Callable[[Any], Any] | None,
        invoke: Callable[..., Any],
    ):
        self.signature = signature
        self.func = func
        self.lower = lower
        self.lift = lift
        self.invoke = invoke


def _caller(func: wc.Func, ftype: Any) -> Callable[..., Any]:
    """``func(store, *params)`` with the function's types resolved once.

    ``wc.Func.__call__`` asks wasmtime for the function's type and rebuilds
    every parameter type on each call; a worker calls the same function many
    times, so this does the same C calls with the types kept.
    """
    param_tys = [ty for _, ty in ftype.params]
    result_ty = ftype.result
    count = len(param_tys)
    array_t = _ffi.wasmtime_component_val_t * max(count, 1)
    raw_func = func._func
    val_delete = _ffi.wasmtime_component_val_delete
    func_call = _ffi.wasmtime_component_func_call

    def invoke(store: Any, *params: Any) -> Any:
        params_c = array_t()
        done = 0
        try:
            for ty, value in zip(param_tys, params):
                ty.convert_to_c(store, value, ctypes.pointer(params_c[done]))
                done += 1
            if result_ty is None:
                _enter_wasm(lambda: func_call(ctypes.byref(raw_func), store._context(), params_c, count, None, 0))
                return None
            result_c = _ffi.wasmtime_component_val_t()
            _enter_wasm(
                lambda: func_call(
                    ctypes.byref(raw_func), store._context(), params_c, count, ctypes.byref(result_c), 1
                )
            )
            return result_ty.convert_from_c(result_c)
        finally:
            for i in range(done):
                val_delete(ctypes.byref(params_c[i]))

    invoke.ftype = ftype  # type: ignore[attr-defined]  # keeps the type objects alive
    return invoke


class WasmtimeRuntime:
    """The one place that runs WebAssembly. Thread-compatible, not thread-safe per instance."""

    def __init__(self, cache_dir: Path | None = None, limits: Limits | None = None) -> None:
        self.engine = make_engine()
        self._ticker = EpochTicker(self.engine)
        self.cache = CompiledCache(cache_dir)
        self.limits = limits or Limits()
        self._loaded: dict[str, LoadedComponent] = {}
        self.surface = WasiSurface(self.engine)
        if self.surface.wasi_version is None:  # pragma: no cover - a wasmtime build without WASI 0.2
            raise RuntimeError("this wasmtime build does not provide WASI 0.2: clocks and random could not be recorded")
        self.wasi_version = self.surface.wasi_version

    # -- loading ---------------------------------------------------------------

    def to_binary(self, data: bytes) -> bytes:
        """Accept a component binary, or component WAT text (converted to binary)."""
        if data[:4] != WASM_MAGIC and _looks_like_wat(data):
            try:
                return bytes(wasmtime.wat2wasm(data.decode("utf-8")))
            except (UnicodeDecodeError, wasmtime.WasmtimeError) as e:
                raise InvalidComponent(f"the component text does not parse: {one_line(e)}") from None
        return data

    def load_stored(self, sha256: str, read: Callable[[], bytes]) -> LoadedComponent:
        """A component known by its hash; ``read`` fetches the bytes only if it is not loaded yet."""
        loaded = self._loaded.get(sha256)
        return loaded if loaded is not None else self.load(read(), sha256)

    def load(self, data: bytes, sha256: str | None = None) -> LoadedComponent:
        """Compile (or fetch from cache) and describe a component binary."""
        sha = sha256 or hashlib.sha256(data).hexdigest()
        loaded = self._loaded.get(sha)
        if loaded is not None:
            return loaded
        check_header(data)
        component = self.cache.load(self.engine, sha)
        if component is None:
            with self.cache.compiling(sha):
                # Another process may have compiled it while this one waited.
                component = self.cache.load(self.engine, sha) or self._compile(data, sha)
        plan = self.surface.plan(component)
        description = self._describe(component, plan)
        loaded = LoadedComponent(sha, len(data), component, description, plan)
        self._loaded[sha] = loaded
        return loaded

    def _compile(self, data: bytes, sha: str) -> wc.Component:
        try:
            component = wc.Component(self.engine, data)
        except wasmtime.WasmtimeError as e:
            message = str(e)
            if "unexpected end" in message or "out of bounds (bound" in message:
                raise InvalidComponent("the component is truncated: the file ends in the middle of a section") from None
            raise InvalidComponent(f"the component failed validation: {_trap_message(e)}") from None
        self.cache.store(component, sha)
        return component

    def _describe(self, component: wc.Component, plan: LinkPlan) -> t.ComponentDescription:
        engine = self.engine
        ctype = component.type
        functions: list[t.FunctionSignature] = []
        save = load = None
        for name, ext in ctype.exports(engine).items():
            item = ext.ty
            if isinstance(item, wc.FuncType):
                functions.append(_types.signature(None, name, item))
            elif isinstance(item, wc.ComponentInstanceType):
                for fname, fext in item.exports(engine).items():
                    if (name, fname) in _TOOLCHAIN_EXPORTS:
                        continue
                    if isinstance(fext.ty, wc.FuncType):
                        functions.append(_types.signature(name, fname, fext.ty))
                base = interface_base(name)
                if base == "golem:api/save-snapshot":
                    save = name
                elif base == "golem:api/load-snapshot":
                    load = name
        imports = tuple(ctype.imports(engine))
        return t.ComponentDescription(
            functions=tuple(functions),
            imports=imports,
            unsupported_imports=plan.unprovided_imports,
            save_snapshot=save,
            load_snapshot=load,
        )

    # -- instances -------------------------------------------------------------

    def instance_config(
        self,
        *,
        worker_name: str,
        component_id: str,
        component_version: int,
        env: dict[str, str],
        args: list[str],
        grants: dict[str, Any],
        max_memory: int | None = None,
        policies: dict[str, Any] | None = None,
        golem: GolemServices | None = None,
        files: bytes | None = None,
    ) -> InstanceConfig:
        return InstanceConfig(
            worker_name=worker_name,
            component_id=component_id,
            component_version=component_version,
            env=tuple(env.items()),
            args=tuple(args),
            preopen_dir=grants.get("dir"),
            allow_http=bool(grants.get("http", False)),
            max_memory=max_memory,
            policies=tuple((policies or {}).items()),
            golem=golem,
            private_files=grants.get("dir") is None,
            files=files,
        )

    def instantiate(self, loaded: LoadedComponent, config: InstanceConfig, host_calls: HostCalls) -> "LiveInstance":
        return LiveInstance(self, loaded, config, host_calls)

    def close(self) -> None:
        self._ticker.stop()


class LiveInstance:
    """One running instance of a component with its own store."""

    def __init__(self, runtime: WasmtimeRuntime, loaded: LoadedComponent, config: InstanceConfig, host_calls: HostCalls) -> None:
        self.runtime = runtime
        self.loaded = loaded
        self.config = config
        self.host_calls = host_calls
        uses_wasi_cli = any(n.startswith("wasi:cli/") for n in loaded.description.imports)
        self._stdout = _Capture(uses_wasi_cli)
        self._stderr = _Capture(uses_wasi_cli)
        self._functions: dict[str, _Function] = {}
        self._by_bare_name: dict[str, list[t.FunctionSignature]] = {}
        for sig in loaded.description.functions:
            self._by_bare_name.setdefault(sig.name, []).append(sig)
        self._qualified = {sig.qualified_name: sig for sig in loaded.description.functions}
        limits = config.limits or runtime.limits
        if config.max_memory is not None:
            limits = dataclasses.replace(limits, memory_limit=config.max_memory)
        self.limits = limits
        self._deadline_ticks = max(1, int(round(limits.time_limit / EPOCH_TICK_SECONDS)))

        engine = runtime.engine
        store = wasmtime.Store(engine)
        wasi = wasmtime.WasiConfig()
        wasi.env = config.environment()
        wasi.argv = [config.worker_name, *config.args]
        # Files rather than Python callbacks: wasmtime writes guest output from
        # its own threads, which must never call back into Python.
        self._stdout.attach(wasi, "stdout")
        self._stderr.attach(wasi, "stderr")
        self.files_dir: Path | None = None
        if config.preopen_dir is not None:
            wasi.preopen_dir(config.preopen_dir, "/")
        elif config.private_files:
            files_dir = self.files_dir = _files.create()
            weakref.finalize(self, _files.remove, files_dir)
            if config.files:
                _files.extract(config.files, files_dir)
            wasi.preopen_dir(str(files_dir), "/")
        store.set_wasi(wasi)
        # wasi:http is always linked (denied without the grant), so every
        # store needs its context: a call on a store without one aborts the process.
        store.set_wasi_http()
        self.http_denied = 0
        store.set_limits(memory_size=limits.memory_limit)
        store.set_epoch_deadline(self._deadline_ticks)
        self.store = store
        self.golem = GolemHost(
            WorkerIdentity(
                config.component_id, config.worker_name, config.component_version,
                tuple(config.environment()), tuple(config.args),
            ),
            host_calls,
            config.golem,
            dict(config.policies),
            limits.time_limit,
        )  # fmt: skip
        self.context = GolemContext(host_calls)
        linker = self._make_linker()
        # Host calls made while instantiating (a start function seeding an RNG)
        # are recorded, or replayed when the caller put host_calls in replay mode.
        replaying = host_calls.mode == REPLAY
        if not replaying:
            host_calls.go_live()
        try:
            self.instance = linker.instantiate(store, loaded.component)
            if replaying:
                host_calls.finish_replay()
        except wasmtime.WasmtimeError as e:
            # A Python exception raised by a host function during instantiation
            # (a startup divergence, an unsupported import) is parked by
            # wasmtime-py and not re-raised by Linker.instantiate: take it back.
            parked, _enter_module.LAST_EXCEPTION = _enter_module.LAST_EXCEPTION, None
            if isinstance(parked, InvocationFailed):
                raise parked from None
            message = _trap_message(e)
            pages = _INITIAL_MEMORY_RE.search(message)
            if pages is not None:
                raise InvocationFailed(
                    "memory",
                    f"the component asks for {_mib(int(pages['pages']) * _WASM_PAGE)} MiB of memory at start, more than "
                    f"this worker's cap of {_mib(limits.memory_limit)} MiB (create the worker with a larger "
                    "--max-memory, or raise the memory limit in the settings)",
                ) from None
            raise InvocationFailed("trap", f"the component could not be instantiated: {message}") from None
        self.startup_host_calls: list[list[Any]] = list(host_calls.recorded)
        self.dead = False

    # -- linking ---------------------------------------------------------------

    def _make_linker(self) -> wc.Linker:
        """wasmtime's WASI and wasi:http, with the recorded calls and the stubs defined over them."""
        surface = self.runtime.surface
        linker = wc.Linker(self.runtime.engine)
        linker.add_wasip2()
        linker.add_wasi_http()
        linker.allow_shadowing = True
        with linker.root() as root:
            if surface.wasi_version is not None:
                # Defined into wasmtime's own WASI instances: this replaces just
                # these functions, and imports of any 0.2.x patch resolve to them.
                for base in RECORDED_INTERFACES:
                    with root.add_instance(f"{base}@{surface.wasi_version}") as inst:
                        self._define_recorded(base, inst)
                with root.add_instance(f"{ENVIRONMENT}@{surface.wasi_version}") as inst:
                    # During replay the environment is the one the history saw.
                    inst.add_func("get-environment", self._get_environment)
            if not self.config.allow_http and surface.http_version is not None:
                define_http_denial(root, surface.http_version, self._count_http_denial)
            define_stubs(root, self.loaded.plan, unprovided_error, self._define_golem)
        return linker

    def _define_golem(self, inst: Any, name: str, items: tuple[tuple[str, Any], ...]) -> None:
        if interface_base(name) == CONTEXT:
            self.context.define(inst, items)
        else:
            self.golem.define(inst, name, items)

    def _get_environment(self, _store: Any) -> list[tuple[str, str]]:
        return self.config.environment(self.host_calls.env_version)

    def _count_http_denial(self) -> None:
        self.http_denied += 1

    def _define_recorded(self, base: str, inst: Any) -> None:
        hc = self.host_calls
        add = inst.add_func

        if base == "wasi:clocks/wall-clock":
            def wall_now(_s: Any) -> Any:
                secs, nanos = hc.call("wasi:clocks/wall-clock.now", _wall_now)
                r: Any = wc.Record()
                r.seconds, r.nanoseconds = secs, nanos
                return r

            def wall_resolution(_s: Any) -> Any:
                secs, nanos = hc.call("wasi:clocks/wall-clock.resolution", lambda: [0, 1])
                r: Any = wc.Record()
                r.seconds, r.nanoseconds = secs, nanos
                return r

            add("now", wall_now)
            add("resolution", wall_resolution)
        elif base == "wasi:clocks/monotonic-clock":
            add("now", lambda _s: hc.call("wasi:clocks/monotonic-clock.now", time.monotonic_ns))
            add("resolution", lambda _s: hc.call("wasi:clocks/monotonic-clock.resolution", lambda: 1))
        elif base == "wasi:random/random":
            add("get-random-bytes", lambda _s, n: _bytes_call(hc, "wasi:random/random.get-random-bytes", n, os.urandom))
            add("get-random-u64", lambda _s: hc.call("wasi:random/random.get-random-u64", _urandom_u64))
        elif base == "wasi:random/insecure":
            add(
                "get-insecure-random-bytes",
                lambda _s, n: _bytes_call(hc, "wasi:random/insecure.get-insecure-random-bytes", n, _insecure_random.randbytes),
            )
            add(
                "get-insecure-random-u64",
                lambda _s: hc.call("wasi:random/insecure.get-insecure-random-u64", lambda: _insecure_random.getrandbits(64)),
            )
        elif base == "wasi:random/insecure-seed":
            def seed(_s: Any) -> tuple[int, int]:
                a, b = hc.call(
                    "wasi:random/insecure-seed.insecure-seed",
                    lambda: [_insecure_random.getrandbits(64), _insecure_random.getrandbits(64)],
                )
                return (a, b)

            add("insecure-seed", seed)

    # -- calling ---------------------------------------------------------------

    def resolve(self, name: str) -> t.FunctionSignature:
        """Find an exported function by Golem name or unambiguous bare name."""
        sig = self._qualified.get(name)
        if sig is None:
            sig = self._qualified[name] = resolve_function(self.loaded.description, name)
        return sig

    def _function(self, name: str) -> _Function:
        fn = self._functions.get(name)
        if fn is not None:
            return fn
        sig = self.resolve(name)
        fn = self._functions.get(sig.qualified_name)
        if fn is None:
            store, inst = self.store, self.instance
            if sig.interface is None:
                idx = inst.get_export_index(store, sig.name)
            else:
                iface = inst.get_export_index(store, sig.interface)
                idx = None if iface is None else inst.get_export_index(store, sig.name, iface)
            func = None if idx is None else inst.get_func(store, idx)
            if func is None:
                raise FunctionNotFound(f"{sig.qualified_name} is not a function export of this component")
            ftype = func.type(store)
            try:
                lower = [_types.lowerer(pt) for _, pt in ftype.params]
                lift = None if ftype.result is None else _types.lifter(ftype.result)
            except TypeError as e:
                raise BadArguments(f"{sig.qualified_name} cannot be called from Worker Desk: {e}") from None
            fn = _Function(sig, func, lower, lift, _caller(func, ftype))
            self._functions[sig.qualified_name] = fn
        self._functions[name] = fn
        return fn

    def call(
        self, name: str, args: list[Any] | tuple[Any, ...], replay: list[list[Any]] | None = None
    ) -> CallOutcome:
        """Call an export, recording its host calls, or replaying ``replay`` when given.

        In replay mode every recorded host call must be used, in order.

        Raises :class:`InvocationFailed` on a trap, timeout or divergence; the
        instance is then marked dead and must not be called again.
        """
        if self.dead:
            raise InvocationFailed("trap", "this instance failed earlier and must be rebuilt")
        fn = self._function(name)
        params = fn.signature.params
        if len(args) != len(params):
            expected = ", ".join(f"{p.name}: {p.type.wit()}" for p in params)
            raise BadArguments(
                f"{fn.signature.qualified_name} expects {len(params)} argument(s) ({expected}), got {len(args)}"
            )
        size = _data_size(args)
        if size > self.limits.max_argument_bytes:
            raise BadArguments(
                f"the arguments of {fn.signature.qualified_name} hold {_mib(size)} MiB of data, more than the "
                f"{_mib(self.limits.max_argument_bytes)} MiB one call may pass (max_argument_mib in the settings; "
                "each byte costs wasmtime-py about 80 bytes of host memory on the way in)"
            )
        try:
            lowered = [conv(a) for conv, a in zip(fn.lower, args)]
        except (TypeError, ValueError, KeyError, AttributeError) as e:
            raise BadArguments(f"bad arguments for {fn.signature.qualified_name}: {e}") from None
        stdout, stderr = self._stdout, self._stderr
        stdout.drain()
        stderr.drain()
        store = self.store
        hc = self.host_calls
        if replay is None:
            hc.go_live()
        else:
            hc.go_replay(replay)
        store.set_epoch_deadline(self._deadline_ticks)
        self.http_denied = 0
        self.golem.begin_call()
        self.context.begin_call()
        started = time.perf_counter()
        try:
            raw = fn.invoke(store, *lowered)
            fn.func.post_return(store)
        except InvocationFailed as e:
            self.dead = True
            e.stdout, e.stderr = stdout.drain(), stderr.drain()
            raise
        except wasmtime.WasmtimeError as e:
            self.dead = True
            raise self._classify(fn.signature, e) from None
        except (TypeError, ValueError) as e:
            # Argument lowering inside wasmtime (e.g. an int out of range).
            raise BadArguments(f"bad arguments for {fn.signature.qualified_name}: {e}") from None
        duration = time.perf_counter() - started
        if replay is not None:
            try:
                hc.finish_replay()
            except HostCallDivergence:
                self.dead = True
                raise
        result = raw if fn.lift is None else fn.lift(raw)
        return CallOutcome(result, stdout.drain(), stderr.drain(), hc.recorded, duration)

    def _classify(self, sig: t.FunctionSignature, error: Exception) -> InvocationFailed:
        failure = self._classify_trap(sig, error)
        if self.http_denied:
            # The guest may have given up because its request was refused: say which grant helps.
            failure = InvocationFailed(
                failure.kind,
                f"{failure} (it made {self.http_denied} HTTP request(s), denied because the worker has no HTTP "
                "grant: create it with --allow-http)",
                stdout=failure.stdout,
                stderr=failure.stderr,
            )
        return failure

    def _classify_trap(self, sig: t.FunctionSignature, error: Exception) -> InvocationFailed:
        message = _trap_message(error)
        out, err = self._stdout.drain(), self._stderr.drain()
        if "interrupt" in message:
            limit = self.limits.time_limit
            return InvocationFailed(
                "timeout",
                f"{sig.qualified_name} ran longer than the time limit of {limit:g} s and was stopped",
                stdout=out,
                stderr=err,
            )
        if _HOSTCALL_FUEL in message:
            return InvocationFailed(
                "too-large",
                f"{sig.qualified_name} returned more than wasmtime-py can copy out of a component in one call "
                f"(about {MAX_RESULT_BYTES / 1024 / 1024:.1f} MiB of list<u8>; wasmtime-py 50 has no setting for it): "
                "return the value in smaller parts",
                stdout=out,
                stderr=err,
            )
        if "unknown import" in message or "unknown_import" in message:
            return InvocationFailed("unsupported-import", f"{sig.qualified_name} reached a denied import: {message}", stdout=out, stderr=err)
        err_text = err.decode("utf-8", "replace")
        oom = next((line.strip() for line in err_text.splitlines() if _OOM_RE.search(line)), None)
        if oom is not None or ("memory" in message and ("limit" in message or "grow" in message)):
            return InvocationFailed(
                "memory",
                f"{sig.qualified_name} ran out of memory (each worker may use at most {_mib(self.limits.memory_limit)} MiB): "
                f"{oom or message}",
                stdout=out,
                stderr=err,
            )
        detail = message
        tail = err_text.strip().splitlines()
        if tail:
            detail = f"{message} ({tail[-1].strip()})"
        return InvocationFailed("trap", f"{sig.qualified_name} trapped: {detail}", stdout=out, stderr=err)

    # -- the private filesystem ---------------------------------------------------

    def archive_files(self) -> bytes | None:
        """The private folder's contents as a tar; None when it is empty or there is none."""
        return None if self.files_dir is None else _files.archive(self.files_dir)

    # -- snapshots ---------------------------------------------------------------

    def save_snapshot(self) -> bytes:
        iface = self.loaded.description.save_snapshot
        if iface is None:
            raise FunctionNotFound("this version does not export golem:api/save-snapshot")
        out = self.call(f"{iface}.{{save}}", [])
        value = out.result
        if isinstance(value, dict):  # golem:api@1.5 record snapshot { payload, mime-type }
            value = value.get("payload", b"")
        return bytes(value)

    def load_snapshot(self, data: bytes) -> str | None:
        """Call ``load``; return None on ok, the error text on err."""
        iface = self.loaded.description.load_snapshot
        if iface is None:
            raise FunctionNotFound("this version does not export golem:api/load-snapshot")
        name = f"{iface}.{{load}}"
        sig = self.resolve(name)
        arg: Any = data
        if sig.params and isinstance(sig.params[0].type, t.RecordType):
            arg = {"payload": data, "mime-type": "application/octet-stream"}
        out = self.call(name, [arg])
        result = out.result
        if isinstance(result, t.Err):
            return str(result.value) if result.value is not None else "load-snapshot returned an error"
        return None


def resolve_function(description: t.ComponentDescription, name: str) -> t.FunctionSignature:
    """Resolve a Golem-style or bare function name against a description."""
    for sig in description.functions:
        if sig.qualified_name == name:
            return sig
    bare = name
    m = re.match(r"^(?P<iface>.+)\.\{(?P<fn>[^}]+)\}$", name)
    if m:
        iface, bare = m.group("iface"), m.group("fn")
        # Accept an interface name without its version suffix.
        matches = [s for s in description.functions if s.name == bare and s.interface and interface_base(s.interface) == interface_base(iface)]
        if len(matches) == 1:
            return matches[0]
    else:
        matches = [s for s in description.functions if s.name == bare]
        if len(matches) == 1:
            return matches[0]
    all_names = tuple(s.qualified_name for s in description.functions)
    if len(matches) > 1:
        candidates = tuple(s.qualified_name for s in matches)
        raise FunctionNotFound(f"{name!r} is ambiguous; use one of: {', '.join(candidates)}", candidates)
    close = tuple(n for n in all_names if bare in n) or all_names
    raise FunctionNotFound(f"no exported function {name!r}; available: {', '.join(close)}", close)


def _data_size(value: Any) -> int:
    """Bytes of string and byte data in an argument value, nested ones included."""
    if isinstance(value, (bytes, bytearray, memoryview)):
        return len(value)
    if isinstance(value, str):
        return len(value)
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], int) and not isinstance(value[0], bool):
            return len(value)  # a list of integers: a list<u8> given as numbers
        return sum(_data_size(v) for v in value)
    if isinstance(value, dict):
        return sum(_data_size(v) for v in value.values())
    inner = getattr(value, "value", None)
    return _data_size(inner) if inner is not None else 0


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):,.4g}"


def _wall_now() -> list[int]:
    ns = time.time_ns()
    return [ns // 1_000_000_000, ns % 1_000_000_000]


def _urandom_u64() -> int:
    return int.from_bytes(os.urandom(8), "little")


def _bytes_call(hc: HostCalls, name: str, n: int, source: Callable[[int], bytes]) -> bytes:
    if n > _MAX_RANDOM_BYTES:
        raise InvocationFailed("trap", f"{name} asked for {n} bytes, more than the {_MAX_RANDOM_BYTES} allowed")
    value = hc.call(name, lambda: source(n).hex(), check=lambda v: isinstance(v, str) and len(v) == 2 * n)
    return bytes.fromhex(value)
