"""The composition root: one data folder's runtime, stores and services."""

from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from domain.model.errors import WorkerDeskError
from domain.runtime import Limits, WasmtimeRuntime
from domain.runtime._engine import _CACHE_MAGIC
from domain.services.check import BlobsVerifier, FilesVerifier, StreamsVerifier, Verifier
from domain.services.components import Components
from domain.services.ports import BlobStore, CrashPoints, Markers, Runtime
from domain.services.worker_store import WorkerStore
from domain.services.workers import Workers
from domain.storage.blobs import FileBlobStore, PostgresBlobStore
from domain.storage.crashpoints import EnvCrashPoints
from domain.storage.inflight import InflightMarkers
from domain.storage.leases import open_lease
from domain.storage.paths import Paths
from domain.storage.readonly import PrivateCopy, needs_copy
from domain.storage.settings import StorageSettings, check_time_limit


_OPEN_ATTEMPTS = 5
# Errors seen when several processes create the event store's tables at once.
_TRANSIENT = ("concurrently", "deadlock detected", "already exists", "duplicate key value", "database is locked")


@dataclass
class Desk:
    paths: Paths
    settings: StorageSettings
    runtime: Runtime
    components: Components
    workers: Workers
    read_only: bool = False
    owns_runtime: bool = True
    # A read-only open of a store whose write-ahead log held data reads a private copy.
    private_copy: PrivateCopy | None = None

    def close(self) -> None:
        for app in (self.workers, self.components):
            try:
                app.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
        if self.owns_runtime:
            self.runtime.close()
        if self.private_copy is not None:
            self.private_copy.close()


def open_desk(
    home: str | os.PathLike[str] | None = None,
    *,
    storage: str | None = None,
    read_only: bool = False,
    time_limit: float | None = None,
    in_memory: bool = False,
    runtime: Runtime | None = None,
    blobs: BlobStore | None = None,
    markers: Markers | None = None,
    crash: CrashPoints | None = None,
) -> Desk:
    """Open the workspace of a data folder (created if missing, unless read-only).

    The adapters default to the real ones for the folder; tests may pass
    their own (``tests/fakes.py``). A runtime passed in is not closed with the desk.
    """
    paths = Paths.resolve(home)
    paths.check_layout()
    settings = StorageSettings.load(paths, storage, read_only=read_only)
    if time_limit is not None:
        settings.time_limit = check_time_limit(time_limit)
    if settings.kind == "sqlite" and not in_memory:
        _check_not_truncated(paths)
    if read_only:
        if not paths.database.exists() and settings.kind != "postgres":
            raise WorkerDeskError(f"no Worker Desk data in {paths.data}")
    else:
        paths.ensure(settings.permissions)
        if settings.kind == "sqlite" and not in_memory and not paths.database.exists():
            # SQLite gives -wal and -shm the database file's mode: create it with ours.
            os.close(os.open(paths.database, os.O_RDWR | os.O_CREAT, settings.permissions.file_mode))
            settings.permissions.apply(paths.database, False)
    owns_runtime = runtime is None
    if runtime is None:
        limits = Limits(
            time_limit=settings.time_limit,
            memory_limit=settings.memory_limit_mib * 1024 * 1024,
            max_argument_bytes=settings.max_argument_mib * 1024 * 1024,
        )
        runtime = WasmtimeRuntime(None if read_only else paths.compiled, limits)

    private_copy: PrivateCopy | None = None

    def fail(message: str) -> WorkerDeskError:
        if owns_runtime:
            runtime.close()
        if private_copy is not None:
            private_copy.close()
        return WorkerDeskError(message)

    if blobs is None:
        if settings.kind == "postgres" and not in_memory:
            try:
                blobs = PostgresBlobStore(settings.postgres_conninfo(), settings.postgres.get("schema"), read_only)
            except Exception as e:  # noqa: BLE001 - any driver error becomes one line
                raise fail(_postgres_hint(e)) from None
        else:
            blobs = FileBlobStore(paths.blobs, read_only, settings.permissions)
    if markers is None:
        markers = InflightMarkers(None if read_only else paths.inflight, settings.permissions.file_mode)
    crash = crash or EnvCrashPoints()
    lease = None
    if not read_only and not in_memory and isinstance(markers, InflightMarkers):
        try:
            lease = open_lease(
                settings.kind, str(paths.database), settings.postgres_conninfo(), settings.postgres.get("schema"), markers
            )
        except WorkerDeskError as e:
            raise fail(str(e)) from None

    if read_only and settings.kind == "sqlite" and not in_memory and needs_copy(paths):
        try:
            private_copy = PrivateCopy(paths)
        except WorkerDeskError:
            if owns_runtime:
                runtime.close()
            raise

    # Creating tables that exist makes PostgreSQL log an error per type on every open.
    tables_ready = settings.kind == "postgres" and not in_memory and _postgres_tables_exist(settings)

    def env_for(compression: str | None) -> dict[str, str]:
        if in_memory:
            return {"PERSISTENCE_MODULE": "eventsourcing.popo"}
        copy = private_copy.database if private_copy is not None else None
        env = settings.eventsourcing_env(paths, read_only, compression, copy)
        if settings.kind == "postgres" and tables_ready:
            env["CREATE_TABLE"] = "n"
        return env

    def open_apps(env: dict[str, str]) -> tuple[Components, Workers]:
        for attempt in range(_OPEN_ATTEMPTS):
            try:
                components = Components(env, runtime, blobs, read_only)
                workers = Workers(env, components, runtime, blobs, markers, read_only, crash=crash, lease=lease)
                return components, workers
            except Exception as e:  # connection problems become one line
                message = str(e).splitlines()[0] if str(e) else type(e).__name__
                if attempt + 1 < _OPEN_ATTEMPTS and any(t in message for t in _TRANSIENT):
                    # Another process is creating the same tables right now.
                    time.sleep(0.1 * (attempt + 1))
                    continue
                if settings.kind == "postgres":
                    raise fail(_postgres_hint(e)) from None
                raise fail(f"cannot open the event store ({settings.kind}): {message}") from None
        raise AssertionError("unreachable")

    components, workers = open_apps(env_for(None))
    stored = None if in_memory else _stored_compression(components)
    if stored is not None and stored != settings.compression:
        # Compression is fixed when a store is created: read it as it was written.
        workers.close()
        components.close()
        components, workers = open_apps(env_for(stored))
    return Desk(paths, settings, runtime, components, workers, read_only, owns_runtime, private_copy)


def checks(desk: Desk) -> list[Verifier]:
    """The verifiers ``workerdesk check`` runs over a desk, in order (see domain.services.check)."""
    apps: list[Components | Workers] = [desk.workers]
    if desk.settings.kind == "postgres":
        # SQLite keeps both applications' events in one table; PostgreSQL one table each.
        apps.append(desk.components)
    streams = [
        StreamsVerifier(WorkerStore(app, read_only=True), "streams" if len(apps) == 1 else f"{app.name} streams")
        for app in apps
    ]
    verifiers: list[Verifier] = list(streams)
    blobs = desk.workers.blobs
    if isinstance(blobs, (FileBlobStore, PostgresBlobStore)):  # the stores that can list their blobs
        verifiers.append(BlobsVerifier(blobs, lambda: [r for s in streams for r in s.referred]))
    verifiers.append(
        FilesVerifier("compiled components", desk.paths.compiled, "*.cwasm", _check_compiled_artifact)
    )
    return verifiers


def _check_compiled_artifact(path: Path) -> str | None:
    """A cached compiled component: its header and checksum (a damaged one is only recompiled)."""
    blob = path.read_bytes()
    header = len(_CACHE_MAGIC) + 32
    if blob[: len(_CACHE_MAGIC)] != _CACHE_MAGIC:
        return "is not a compiled component of this cache (bad header); delete it to have it rebuilt"
    if hashlib.sha256(blob[header:]).digest() != blob[len(_CACHE_MAGIC) : header]:
        return "is damaged (its checksum does not match); delete it to have it rebuilt"
    return None


def _check_not_truncated(paths: Paths) -> None:
    """A missing or empty database beside stored blobs is damage: never start over on it."""
    try:
        size = paths.database.stat().st_size
    except FileNotFoundError:
        size = None
    if size or not paths.blobs.is_dir():
        return
    blob = next((p for d in paths.blobs.iterdir() if d.is_dir() for p in d.iterdir() if not p.name.startswith(".")), None)
    if blob is None:
        return
    state = "is missing" if size is None else "is empty (0 bytes)"
    raise WorkerDeskError(
        f"the event store {paths.database} {state} but {paths.blobs} holds stored components: "
        "the workspace's history is lost or truncated; restore the database from a backup "
        "(nothing was changed)"
    )


def _stored_compression(app: Components) -> str | None:
    """``zlib`` or ``none``, as the store's first event was written; None for an empty store."""
    rows = app.recorder.select_notifications(start=1, limit=1)
    if not rows:
        return None
    return "none" if bytes(rows[0].state[:1]) == b"{" else "zlib"


def _postgres_tables_exist(settings: StorageSettings) -> bool:
    """Whether the team store's event and snapshot tables have been created already."""
    import psycopg

    schema = settings.postgres.get("schema") or "public"
    names = [f'"{schema}".{app}_{kind}' for app in ("components", "workers") for kind in ("events", "snapshots")]
    try:
        with psycopg.connect(**settings.postgres_conninfo()) as conn:
            rows = [conn.execute("SELECT to_regclass(%s)", (name,)).fetchone() for name in names]
    except Exception:  # noqa: BLE001 - unreachable servers are reported when the store opens
        return False
    return all(row is not None and row[0] is not None for row in rows)


def _postgres_hint(error: Exception) -> str:
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    return (
        f"cannot open the team database (PostgreSQL): {message}; check the postgres settings "
        "in settings.json or the WORKERDESK_PG_* variables"
    )
