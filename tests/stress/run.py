"""Kill CLI processes at random moments and check that nothing is lost: ``make stress``.

    python -m tests.stress.run [--kills 1000] [--postgres] [--seed N] [--home DIR]

Each round starts one ``workerdesk`` command — an invocation (with an
idempotency key), an automatic or a manual update — sometimes as a process
of another host (``WORKERDESK_HOST_ID``), and kills it with SIGKILL after a
random delay (or lets it finish). After each round a fresh desk, as a new
process would, checks every worker:

- it loads and runs exactly one version;
- its history is numbered 1..N without a gap or a repeat (no fork);
- every acknowledged invocation (the command printed its result and exited 0)
  is in the history exactly once, under its idempotency key;
- once the dead runner's lease has run out, no update is left pending;
- a recovered instance answers ``get`` with the total its history recorded last.

It prints the number of kill points and of inconsistencies; the exit code is
non-zero if any inconsistency was found.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests import wat  # noqa: E402

LEASE_TTL = 1.0
WORKERS = ("w1", "w2", "w3")
# v0..v2 keep the total across updates: v1 is v0 again (automatic updates
# succeed), v2 doubles increments (automatic updates diverge, manual ones succeed).
VERSIONS = (wat.counter(), wat.counter(), wat.counter(factor=2))


def cli(home: Path, *args: str, env: dict[str, str] | None = None) -> list[str]:
    return [sys.executable, "-m", "desktop_app", "--home", str(home), *args]


def base_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("WORKERDESK_HOME", "WORKERDESK_CRASH_AT", "WORKERDESK_HOST_ID")}
    env["WORKERDESK_LEASE_TTL"] = str(LEASE_TTL)
    env.update(extra or {})
    return env


def setup(home: Path, postgres: str | None) -> None:
    import wasmtime

    if postgres:
        from tests.conftest import use_postgres

        os.environ["WORKERDESK_TEST_POSTGRES"] = postgres
        use_postgres(home)
    tmp = Path(tempfile.mkdtemp(prefix="stress-wasm-"))
    for i, text in enumerate(VERSIONS):
        f = tmp / f"v{i}.wasm"
        f.write_bytes(bytes(wasmtime.wat2wasm(text)))
        subprocess.run(cli(home, "component", "add", "counter", str(f)), check=True, env=base_env(), capture_output=True)
    for w in WORKERS:
        subprocess.run(cli(home, "worker", "new", "counter", w, "--version", "0"), check=True, env=base_env(), capture_output=True)
    shutil.rmtree(tmp)


class Stress:
    def __init__(self, home: Path, seed: int) -> None:
        self.home = home
        self.rng = random.Random(seed)
        self.acknowledged: dict[str, set[str]] = {w: set() for w in WORKERS}
        self.kills = 0
        self.rounds = 0
        self.problems: list[str] = []

    def round(self) -> None:
        rng = self.rng
        worker = rng.choice(WORKERS)
        ref = f"counter/{worker}"
        foreign = rng.random() < 0.3
        env = base_env({"WORKERDESK_HOST_ID": "stress-other-host"} if foreign else None)
        r = rng.random()
        key = None
        if r < 0.7:
            key = uuid.uuid4().hex[:12]
            args = ["worker", "invoke", ref, "increment", str(rng.randint(1, 9)), "--idempotency-key", key]
        else:
            mode = "auto" if r < 0.85 else "manual"
            args = ["worker", "update", ref, mode, str(rng.randint(0, len(VERSIONS) - 1))]
        proc = subprocess.Popen(cli(self.home, *args), env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        delay = rng.uniform(0.05, 1.3)
        try:
            out, _err = proc.communicate(timeout=delay)
        except subprocess.TimeoutExpired:
            proc.send_signal(signal.SIGKILL)
            out, _err = proc.communicate()
        if proc.returncode == -signal.SIGKILL:
            self.kills += 1
            if foreign:
                time.sleep(LEASE_TTL + 0.2)  # let the dead runner's lease run out
        elif proc.returncode == 0 and key is not None and out.strip():
            self.acknowledged[worker].add(key)
        self.rounds += 1
        self.check()

    def check(self) -> None:
        from domain.bootstrap import open_desk

        os.environ["WORKERDESK_LEASE_TTL"] = str(LEASE_TTL)
        desk = open_desk(self.home)
        try:
            for w in WORKERS:
                ref = f"counter/{w}"
                try:
                    self._check_worker(desk, ref, w)
                except Exception as e:  # noqa: BLE001 - every failure is an inconsistency to report
                    self.problems.append(f"round {self.rounds}: {ref}: {type(e).__name__}: {e}")
        finally:
            desk.close()

    def _check_worker(self, desk, ref: str, w: str) -> None:
        meta = desk.workers.get(ref)  # loads; fails orphaned updates and records interrupted calls
        if not isinstance(meta["componentVersion"], int):
            raise AssertionError(f"version is {meta['componentVersion']!r}")
        entries = desk.workers.oplog(ref)
        indices = [e.index for e in entries]
        if indices != list(range(1, len(entries) + 1)):
            raise AssertionError(f"history is not numbered 1..{len(entries)}: {indices[:5]}…")
        keys = [e.data.get("idempotencyKey") for e in entries if e.kind == "invocation"]
        for key in self.acknowledged[w]:
            if keys.count(key) != 1:
                raise AssertionError(f"acknowledged invocation {key} is in the history {keys.count(key)} times")
        pending = [u for u in meta["updates"] if u["type"] == "pendingUpdate"]
        if pending:
            raise AssertionError(f"{len(pending)} update(s) still pending after their runner died")
        last = next((e for e in reversed(entries) if e.kind in ("invocation", "update-succeeded")), None)
        got = desk.workers.invoke(ref, "get", []).result_wave
        if last is not None and last.kind == "invocation" and last.data.get("result") != got:
            raise AssertionError(f"recovered total {got}, the history's last total {last.data.get('result')}")


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--kills", type=int, default=1000, help="stop after this many processes were killed")
    p.add_argument("--max-rounds", type=int, default=0, help="stop after this many rounds (0: no limit)")
    p.add_argument("--postgres", action="store_true", help="use WORKERDESK_TEST_POSTGRES (see .ci/postgres.sh)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--home", help="keep the data folder here (default: a temporary folder)")
    ns = p.parse_args(argv)
    postgres = os.environ.get("WORKERDESK_TEST_POSTGRES") if ns.postgres else None
    if ns.postgres and not postgres:
        print("--postgres needs WORKERDESK_TEST_POSTGRES: eval \"$(bash .ci/postgres.sh)\"", file=sys.stderr)
        return 2
    home = Path(ns.home) if ns.home else Path(tempfile.mkdtemp(prefix="workerdesk-stress-"))
    setup(home, postgres)
    stress = Stress(home, ns.seed)
    started = time.monotonic()
    while stress.kills < ns.kills and (ns.max_rounds == 0 or stress.rounds < ns.max_rounds):
        stress.round()
        if stress.rounds % 50 == 0:
            print(f"  {stress.rounds} rounds, {stress.kills} kills, {len(stress.problems)} inconsistencies", flush=True)
    acked = sum(len(v) for v in stress.acknowledged.values())
    print(
        json.dumps(
            {
                "storage": "postgres" if postgres else "sqlite",
                "rounds": stress.rounds,
                "kill points": stress.kills,
                "acknowledged invocations": acked,
                "inconsistencies": len(stress.problems),
                "seconds": round(time.monotonic() - started, 1),
            }
        )
    )
    for problem in stress.problems[:20]:
        print("  " + problem)
    return 1 if stress.problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
