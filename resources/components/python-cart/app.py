"""A shopping cart written in Python, built into a component with componentize-py.

The cart lives in module state, so it survives between invocations of the
same worker. Each change prints a log line; `print` goes to the worker's
stdout through WASI (wasi:cli).

Snapshots are JSON: {"format": 1, "items": [["apple", 3], ...]}.

Build it with:

    componentize-py -d wit -w cart componentize app -o cart.wasm
"""

import json

from componentize_py_types import Err
from wit_world import exports

SNAPSHOT_FORMAT = 1
MAX_U32 = 0xFFFF_FFFF

# Item name -> quantity; dicts keep insertion order, which `items` reports.
_cart: dict[str, int] = {}


class Api(exports.Api):
    def add_item(self, name: str, qty: int) -> int:
        if qty == 0:
            return _cart.get(name, 0)
        new_qty = min(_cart.get(name, 0) + qty, MAX_U32)
        _cart[name] = new_qty
        print(f"cart: added {qty} x {name!r}, now {new_qty}", flush=True)
        return new_qty

    def remove_item(self, name: str) -> int:
        if name not in _cart:
            raise Err(f"the cart holds no item called {name!r}")
        qty = _cart.pop(name)
        print(f"cart: removed {name!r} ({qty})", flush=True)
        return qty

    def items(self) -> list[tuple[str, int]]:
        return list(_cart.items())

    def total_items(self) -> int:
        return min(sum(_cart.values()), MAX_U32)


class SaveSnapshot(exports.SaveSnapshot):
    def save(self) -> bytes:
        snapshot = {"format": SNAPSHOT_FORMAT, "items": [[n, q] for n, q in _cart.items()]}
        return json.dumps(snapshot, separators=(",", ":")).encode("utf-8")


class LoadSnapshot(exports.LoadSnapshot):
    def load(self, bytes: bytes) -> None:
        try:
            snapshot = json.loads(bytes.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise Err(f"snapshot is not UTF-8 JSON: {e}")
        if not isinstance(snapshot, dict) or snapshot.get("format") != SNAPSHOT_FORMAT:
            raise Err(f"snapshot format must be {SNAPSHOT_FORMAT}")
        entries = snapshot.get("items")
        if not isinstance(entries, list):
            raise Err("snapshot has no item list")
        cart: dict[str, int] = {}
        for entry in entries:
            if (
                not isinstance(entry, list)
                or len(entry) != 2
                or not isinstance(entry[0], str)
                or not isinstance(entry[1], int)
                or isinstance(entry[1], bool)
                or not 0 < entry[1] <= MAX_U32
            ):
                raise Err(f"snapshot item {entry!r} is not [name, quantity]")
            cart[entry[0]] = entry[1]
        _cart.clear()
        _cart.update(cart)
        print(f"cart: loaded {len(cart)} items from a snapshot", flush=True)
