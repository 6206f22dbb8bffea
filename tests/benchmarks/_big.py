"""The large component for load benchmarks: the Python kitchen-sink test component."""

from __future__ import annotations

from tests.conftest import kitchen_wasm


def big_component_bytes() -> bytes:
    # The fixture function builds (or reuses) the componentize-py build in tests/.cache.
    return kitchen_wasm.__wrapped__()  # type: ignore[attr-defined]
