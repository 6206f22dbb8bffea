"""The kitchen-sink test component: echoes every value type and touches WASI."""

import os
import random
import sys
import time

from componentize_py_types import Err, Ok
from wit_world import exports

_memory: list[str] = []


class Api(exports.Api):
    def echo_bool(self, v):
        return v

    def echo_s8(self, v):
        return v

    def echo_u8(self, v):
        return v

    def echo_s16(self, v):
        return v

    def echo_u16(self, v):
        return v

    def echo_s32(self, v):
        return v

    def echo_u32(self, v):
        return v

    def echo_s64(self, v):
        return v

    def echo_u64(self, v):
        return v

    def echo_f32(self, v):
        return v

    def echo_f64(self, v):
        return v

    def echo_char(self, v):
        return v

    def echo_string(self, v):
        return v

    def echo_bytes(self, v):
        return v

    def echo_list(self, v):
        return v

    def echo_tuple(self, v):
        return v

    def echo_point(self, v):
        return v

    def echo_shape(self, v):
        return v

    def echo_color(self, v):
        return v

    def echo_perms(self, v):
        return v

    def echo_option(self, v):
        return v

    def echo_result(self, v):
        if isinstance(v, Ok):
            return v.value
        raise Err(v.value)

    def echo_nested(self, v):
        return v

    def env(self):
        return sorted(os.environ.items())

    def args(self):
        return list(sys.argv)

    def say(self, line):
        print(line, flush=True)
        return len(line)

    def warn(self, line):
        print(line, file=sys.stderr, flush=True)

    def read_file(self, path):
        try:
            with open(path) as f:
                return f.read()
        except OSError as e:
            raise Err(f"{type(e).__name__}: {e}")

    def wall_nanos(self):
        return time.time_ns()

    def random_u64(self):
        return int.from_bytes(os.urandom(8), "little")

    def fail(self, message):
        raise RuntimeError(message)

    def hog(self, mib):
        block = bytearray(mib * 1024 * 1024)
        return len(block) // (1024 * 1024)

    def remember(self, item):
        _memory.append(item)
        return len(_memory)

    def recall(self):
        return list(_memory)
