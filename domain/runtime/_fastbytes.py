"""Bulk conversion of ``list<u8>`` values for wasmtime-py's component API.

wasmtime-py converts a ``list<u8>`` one element at a time in Python, which
takes over a second for a 1 MiB state snapshot. Each element is a 32-byte
``wasmtime_component_val_t`` (kind byte at offset 0, value at offset 8), so
the whole array can be written or read with a few slice operations instead.
The layout is checked at import; on any mismatch the library's own code is
kept.
"""

from __future__ import annotations

import ctypes
from typing import Any

from wasmtime import _ffi as ffi
from wasmtime.component import _types

_VAL = ffi.wasmtime_component_val_t
_SIZE = ctypes.sizeof(_VAL)
_KIND_OFFSET = _VAL.kind.offset
_VALUE_OFFSET = _VAL.of.offset
_U8 = ffi.WASMTIME_COMPONENT_U8.value
_LIST = ffi.WASMTIME_COMPONENT_LIST

_original_to_c = _types.ListType.convert_to_c
_original_from_c = _types.ListType.convert_from_c


def _to_c(self: Any, store: Any, val: Any, ptr: Any) -> None:
    if not (isinstance(val, (bytes, bytearray)) and self._is_bytes()):
        return _original_to_c(self, store, val, ptr)
    n = len(val)
    raw = ffi.wasmtime_component_vallist_t()
    ffi.wasmtime_component_vallist_new_uninit(raw, n)
    if n:
        buf = bytearray(_SIZE * n)
        buf[_KIND_OFFSET::_SIZE] = bytes([_U8]) * n
        buf[_VALUE_OFFSET::_SIZE] = val
        ctypes.memmove(raw.data, (ctypes.c_char * len(buf)).from_buffer(buf), len(buf))
    ptr.contents.kind = _LIST
    ptr.contents.of.list = raw


def _from_c(self: Any, c: Any) -> Any:
    if not self._is_bytes():
        return _original_from_c(self, c)
    n = c.of.list.size
    try:
        if n == 0:
            return b""
        raw = ctypes.string_at(c.of.list.data, _SIZE * n)
        return raw[_VALUE_OFFSET::_SIZE]
    finally:
        # u8 elements own nothing: the array itself is freed by the delete.
        ffi.wasmtime_component_vallist_delete(ctypes.byref(c.of.list))


def install() -> bool:
    """Use the bulk path when the struct layout is the one it was written for."""
    if _SIZE != 32 or _KIND_OFFSET != 0 or _VALUE_OFFSET != 8:
        return False
    _types.ListType.convert_to_c = _to_c  # type: ignore[method-assign]
    _types.ListType.convert_from_c = _from_c  # type: ignore[method-assign]
    return True


INSTALLED = install()
