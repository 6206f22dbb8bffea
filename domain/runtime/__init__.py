"""The wasmtime adapter: the only package that imports wasmtime."""

from . import _fastbytes  # noqa: F401  (bulk list<u8> conversion)
from ._engine import CompiledCache, wasmtime_version
from ._runtime import (
    CallOutcome,
    InstanceConfig,
    Limits,
    LiveInstance,
    LoadedComponent,
    WasmtimeRuntime,
    check_header,
    interface_base,
    resolve_function,
)

__all__ = [
    "CallOutcome",
    "CompiledCache",
    "InstanceConfig",
    "Limits",
    "LiveInstance",
    "LoadedComponent",
    "WasmtimeRuntime",
    "check_header",
    "interface_base",
    "resolve_function",
    "wasmtime_version",
]
