"""Writes the day-0 golden data folder: ``python -m tests.golden.build_day0 OUT``.

The folder committed under ``tests/golden/day0`` was written by this script
with the code of its commit, and must never be regenerated: it is the proof
that histories written by that code still open, recover, update and audit
after every later change (``tests/integration/test_golden.py``). A later
change to the stored format gets a new golden folder beside it, not a
rewrite of this one.

What it holds: the demo workspace (counter v0..v3 with alice, bob, carol),
every update outcome (automatic success and divergence, manual success and
reverted load), host calls recorded at startup and per invocation,
a state snapshot large enough to live in the blob folder, and a worker that
was deleted and created again under the same name.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from domain.bootstrap import open_desk
from domain.demo import create_demo
from domain.model.errors import WorkerDeskError
from tests import wat

# A component whose state snapshot is 8 KiB (over the 4 KiB inline limit, so
# it is stored in the blob folder), and a target version that loads it.
BLOBBY = """(component
  (core module $m
    (memory (export "memory") 1)
    (global $n (mut i32) (i32.const 0))
    (func (export "bump") (result i32)
      global.get $n i32.const {step} i32.add global.set $n global.get $n)
    (func (export "realloc") (param i32 i32 i32 i32) (result i32) i32.const 16384)
    (func (export "save") (result i32)
      i32.const 8192 global.get $n i32.store
      i32.const 0 i32.const 8192 i32.store
      i32.const 4 i32.const 8192 i32.store
      i32.const 0)
    (func (export "load") (param $p i32) (param $len i32) (result i32)
      local.get $p i32.load global.set $n
      i32.const 32 i32.const 0 i32.store8
      i32.const 32))
  (core instance $i (instantiate $m))
  (alias core export $i "memory" (core memory $mem))
  (alias core export $i "realloc" (core func $realloc))
  (func $bump (result u32) (canon lift (core func $i "bump")))
  (instance $api (export "bump" (func $bump)))
  (export "golem:component/api" (instance $api))
  (func $save (result (list u8)) (canon lift (core func $i "save") (memory $mem) (realloc $realloc)))
  (instance $save_i (export "save" (func $save)))
  (export "golem:api/save-snapshot@1.1.0" (instance $save_i))
  (func $load (param "bytes" (list u8)) (result (result (error string)))
    (canon lift (core func $i "load") (memory $mem) (realloc $realloc)))
  (instance $load_i (export "load" (func $load)))
  (export "golem:api/load-snapshot@1.1.0" (instance $load_i))
)"""


def build(home: Path) -> None:
    desk = open_desk(home)
    try:
        create_demo(desk)
        w = desk.workers
        w.update("counter/alice", "auto", 1)  # succeeds
        w.update("counter/alice", "auto", 2)  # diverges
        w.invoke("counter/alice", "increment", ["1"])
        w.update("counter/bob", "manual", 2)  # migrates to cents
        w.update("counter/bob", "manual", 3)  # load rejects: reverted
        w.invoke("counter/bob", "increment", ["3"])
        try:
            w.invoke("counter/bob", "boom", [])
        except WorkerDeskError:
            pass  # the sample counter has no boom: refused, nothing recorded

        desk.components.add("entropy", wat.ENTROPY.encode(), source="entropy.wat")
        w.create("entropy", "dice")
        for fn in ("roll", "roll-twice", "now", "last"):
            w.invoke("entropy/dice", fn, [])

        desk.components.add("seeded", wat.SEEDED.encode(), source="seeded.wat")
        w.create("seeded", "s1")
        w.invoke("seeded/s1", "tick", [])

        desk.components.add("blobby", BLOBBY.replace("{step}", "1").encode(), source="blobby-v0.wat")
        desk.components.add("blobby", BLOBBY.replace("{step}", "2").encode(), source="blobby-v1.wat")
        w.create("blobby", "big", version=0)
        for _ in range(3):
            w.invoke("blobby/big", "bump", [])
        w.update("blobby/big", "manual", 1)  # an 8 KiB snapshot in the blob folder
        w.invoke("blobby/big", "bump", [])

        w.create("counter", "dave", version=0)
        w.invoke("counter/dave", "increment", ["9"])
        w.delete("counter/dave")
        w.create("counter", "dave", version=1)
        w.invoke("counter/dave", "increment", ["4"])
    finally:
        desk.close()


def main(argv: list[str]) -> int:
    out = Path(argv[0]).resolve()
    if out.exists():
        print(f"{out} exists; the golden folder is written once", file=sys.stderr)
        return 1
    build(out)
    # Only what a user's data folder holds: the store and its blobs, and the settings.
    shutil.rmtree(out / "cache", ignore_errors=True)
    shutil.rmtree(out / "data" / "inflight", ignore_errors=True)
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
