"""Runner leases: which processes, on any host, are alive, by a heartbeat in the store.

Every process that writes takes one lease when it opens a data folder (one
row, one commit) and renews it from a daemon thread every
``ttl / 6`` seconds; it deletes it when it exits. A process is alive while
its heartbeat is younger than ``ttl`` (60 s; ``WORKERDESK_LEASE_TTL`` in
tests), so a runner that died anywhere — another desktop of the team, a
restarted container, a renamed machine — is found dead within a minute,
and a live one, however slow its update, keeps its lease.

Clocks: on PostgreSQL the server's clock stamps and judges every heartbeat,
so host clocks do not matter. On SQLite (a data folder on a shared drive)
each host stamps with its own clock: their clocks must agree to within
``ttl - ttl/6`` (50 s by default) or a live runner may be judged dead.

Fencing: a process whose own lease ran out (it was suspended) renews it,
with a new epoch, before its next write. Whatever another process did
meanwhile on the strength of the expired lease (failing an update left
pending, recording an invocation as interrupted) was appended to the
worker's stream first, so the returning process's append conflicts on the
stream version and is refused: it cannot finish an update it no longer owns.
"""

from __future__ import annotations

import atexit
import os
import sqlite3
import threading
import time
from typing import Any, Callable

TTL_ENV = "WORKERDESK_LEASE_TTL"
DEFAULT_TTL = 60.0
_TABLE = "workerdesk_runners"
_FORGET_AFTER = 24 * 3600.0


def lease_ttl() -> float:
    raw = os.environ.get(TTL_ENV)
    try:
        ttl = float(raw) if raw else DEFAULT_TTL
    except ValueError:
        ttl = DEFAULT_TTL
    return ttl if ttl > 0 else DEFAULT_TTL


class Leases:
    """Leases in a table of the event store's own database."""

    def __init__(self, connect: Callable[[], Any], *, postgres: bool, ttl: float | None = None) -> None:
        self._connect = connect
        self._postgres = postgres
        self.ttl = ttl if ttl is not None else lease_ttl()
        self.interval = self.ttl / 6
        self._lock = threading.Lock()
        self._conn: Any = None
        self._token: str | None = None
        self.epoch = 0
        self._renewed_at = 0.0  # time.monotonic() of our last successful heartbeat
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- the store -------------------------------------------------------------------

    def _db(self) -> Any:
        if self._conn is None:
            self._conn = self._connect()
            self._exec(
                f"CREATE TABLE IF NOT EXISTS {_TABLE} (token TEXT PRIMARY KEY, host TEXT NOT NULL, "
                "pid INTEGER NOT NULL, epoch INTEGER NOT NULL, since DOUBLE PRECISION NOT NULL, "
                "heartbeat DOUBLE PRECISION NOT NULL)"
            )
        return self._conn

    def _exec(self, sql: str, params: tuple[Any, ...] = ()) -> list[Any]:
        conn = self._conn
        if self._postgres:
            sql = sql.replace("?", "%s")
            with conn.cursor() as cur:
                cur.execute(sql, params)
                rows = cur.fetchall() if cur.description else []
            conn.commit()
            return rows
        cur = conn.execute(sql, params)
        rows = cur.fetchall()
        conn.commit()
        return rows

    def _now_sql(self) -> str:
        return "EXTRACT(EPOCH FROM clock_timestamp())" if self._postgres else "?"

    def _now_params(self) -> tuple[Any, ...]:
        return () if self._postgres else (time.time(),)

    # -- this process's lease --------------------------------------------------------------

    def acquire(self, token: str, host: str, pid: int) -> None:
        """Take (or take again, with a new epoch) this process's lease, and keep it renewed."""
        with self._lock:
            self._db()
            self.epoch += 1
            now = self._now_sql()
            self._exec(f"DELETE FROM {_TABLE} WHERE token = ?", (token,))
            # Leases of processes killed long ago (a killed process cannot release its own).
            self._exec(f"DELETE FROM {_TABLE} WHERE heartbeat < {now} - ?", (*self._now_params(), _FORGET_AFTER))
            self._exec(
                f"INSERT INTO {_TABLE} (token, host, pid, epoch, since, heartbeat) VALUES (?, ?, ?, ?, {now}, {now})",
                (token, host, pid, self.epoch, *self._now_params(), *self._now_params()),
            )
            self._token = token
            self._renewed_at = time.monotonic()
        if self._thread is None:
            self._thread = threading.Thread(target=self._beat, name="workerdesk-lease", daemon=True)
            self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.renew()
            except Exception:  # noqa: BLE001 - a missed beat is retried; expiry is the judge
                pass

    def renew(self) -> None:
        with self._lock:
            if self._token is None:
                return
            rows = self._exec(
                f"UPDATE {_TABLE} SET heartbeat = {self._now_sql()} WHERE token = ? AND epoch = ? RETURNING token",
                (*self._now_params(), self._token, self.epoch),
            )
            if rows:
                self._renewed_at = time.monotonic()

    def check(self) -> None:
        """Before a write: renew the lease with a new epoch if it ran out (the process was suspended)."""
        if self._token is None or time.monotonic() - self._renewed_at < self.ttl - self.interval:
            return
        token = self._token
        host, pid = token.rsplit(":", 2)[0], os.getpid()
        self.acquire(token, host, pid)

    def release(self) -> None:
        self._stop.set()
        with self._lock:
            if self._token is not None and self._conn is not None:
                try:
                    self._exec(f"DELETE FROM {_TABLE} WHERE token = ?", (self._token,))
                except Exception:  # noqa: BLE001 - the lease expires anyway
                    pass
            self._token = None
            if self._conn is not None:
                try:
                    self._conn.close()
                except Exception:  # noqa: BLE001
                    pass
                self._conn = None

    # -- everyone's leases -----------------------------------------------------------------

    def alive(self, token: str) -> bool:
        """Whether the runner named by ``token`` holds a lease that has not run out."""
        with self._lock:
            self._db()
            rows = self._exec(
                f"SELECT 1 FROM {_TABLE} WHERE token = ? AND heartbeat > {self._now_sql()} - ?",
                (token, *self._now_params(), self.ttl),
            )
        return bool(rows)

    def holder(self, token: str) -> dict[str, Any] | None:
        """Who a runner is and since when: host, pid, since, last heartbeat (seconds since the epoch)."""
        with self._lock:
            self._db()
            rows = self._exec(f"SELECT host, pid, since, heartbeat FROM {_TABLE} WHERE token = ?", (token,))
        if not rows:
            return None
        host, pid, since, heartbeat = rows[0]
        return {"runner": token, "host": host, "pid": int(pid), "since": float(since), "heartbeat": float(heartbeat)}


def sqlite_leases(database: str, ttl: float | None = None) -> Leases:
    def connect() -> sqlite3.Connection:
        return sqlite3.connect(database, timeout=30, check_same_thread=False)

    return Leases(connect, postgres=False, ttl=ttl)


def postgres_leases(conninfo: dict[str, Any], schema: str | None, ttl: float | None = None) -> Leases:
    def connect() -> Any:
        import psycopg

        conn = psycopg.connect(**conninfo)
        if schema:
            with conn.cursor() as cur:
                cur.execute(f'SET search_path TO "{schema}"')
            conn.commit()
        return conn

    return Leases(connect, postgres=True, ttl=ttl)


def open_lease(kind: str, database: str, conninfo: dict[str, Any], schema: str | None, markers: Any) -> Leases:
    """Take this process's lease in the store of a data folder opened for writing, and
    let ``markers`` judge runners on other hosts by their leases."""
    from domain.model.errors import WorkerDeskError

    from .inflight import _HOST

    leases = postgres_leases(conninfo, schema) if kind == "postgres" else sqlite_leases(database)
    try:
        leases.acquire(markers.runner_token(), _HOST, os.getpid())
    except Exception as e:  # noqa: BLE001 - any driver error becomes one line
        leases.release()
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise WorkerDeskError(f"cannot take this process's lease on the event store: {first}") from None
    markers.foreign_alive = leases.alive
    atexit.register(leases.release)
    return leases
