"""The large component for load benchmarks: the Python kitchen-sink test component."""

from __future__ import annotations

from tests.conftest import build_kitchen as big_component_bytes

__all__ = ["big_component_bytes"]
