"""A worker that keeps files in its private filesystem (as `/`) and a counter in memory.

Its state snapshot holds only the counter: the files travel with the worker's
private filesystem.
"""

import os

from componentize_py_types import Err
from wit_world import exports

_counter = [0]


class Api(exports.Api):
    def write_file(self, path, text):
        try:
            folder = os.path.dirname(path)
            if folder and folder != "/":
                os.makedirs(folder, exist_ok=True)
            with open(path, "w") as f:
                f.write(text)
        except OSError as e:
            raise Err(f"{type(e).__name__}: {e}")

    def read_file(self, path):
        try:
            with open(path) as f:
                return f.read()
        except OSError as e:
            raise Err(f"{type(e).__name__}: {e}")

    def list_dir(self, path):
        try:
            return sorted(os.listdir(path))
        except OSError as e:
            raise Err(f"{type(e).__name__}: {e}")

    def bump(self):
        _counter[0] += 1
        return _counter[0]


class SaveSnapshot(exports.SaveSnapshot):
    def save(self):
        return _counter[0].to_bytes(4, "little")


class LoadSnapshot(exports.LoadSnapshot):
    def load(self, bytes):
        if len(bytes) != 4:
            raise Err(f"the snapshot must be 4 bytes, not {len(bytes)}")
        _counter[0] = int.from_bytes(bytes, "little")
