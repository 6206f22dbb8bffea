"""The composition root: one data folder's runtime, stores and services."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

from domain.model.errors import WorkerDeskError
from domain.runtime import Limits, WasmtimeRuntime
from domain.services.components import Components
from domain.services.workers import Workers
from domain.storage.blobs import FileBlobStore, PostgresBlobStore
from domain.storage.crashpoints import EnvCrashPoints
from domain.storage.inflight import InflightMarkers
from domain.storage.paths import Paths
from domain.storage.settings import StorageSettings


_OPEN_ATTEMPTS = 5
# Errors seen when several processes create the event store's tables at once.
_TRANSIENT = ("concurrently", "deadlock detected", "already exists", "duplicate key value", "database is locked")


@dataclass
class Desk:
    paths: Paths
    settings: StorageSettings
    runtime: WasmtimeRuntime
    components: Components
    workers: Workers
    read_only: bool = False

    def close(self) -> None:
        for app in (self.workers, self.components):
            try:
                app.close()
            except Exception:  # noqa: BLE001 - closing is best effort
                pass
        self.runtime.close()


def open_desk(
    home: str | os.PathLike[str] | None = None,
    *,
    storage: str | None = None,
    read_only: bool = False,
    time_limit: float | None = None,
    in_memory: bool = False,
) -> Desk:
    """Open the workspace of a data folder (created if missing, unless read-only)."""
    paths = Paths.resolve(home)
    if read_only:
        if not paths.database.exists() and storage != "postgres":
            raise WorkerDeskError(f"no Worker Desk data in {paths.data}")
    else:
        paths.ensure()
    settings = StorageSettings.load(paths, storage, read_only=read_only)
    if time_limit is not None:
        settings.time_limit = time_limit
    limits = Limits(time_limit=settings.time_limit, memory_limit=settings.memory_limit_mib * 1024 * 1024)
    runtime = WasmtimeRuntime(None if read_only else paths.compiled, limits)
    if in_memory:
        env = {"PERSISTENCE_MODULE": "eventsourcing.popo"}
    else:
        env = settings.eventsourcing_env(paths, read_only)
    if settings.kind == "postgres" and not in_memory:
        try:
            blobs: FileBlobStore | PostgresBlobStore = PostgresBlobStore(
                settings.postgres_conninfo(), settings.postgres.get("schema"), read_only
            )
        except Exception as e:  # noqa: BLE001 - any driver error becomes one line
            runtime.close()
            raise WorkerDeskError(_postgres_hint(e)) from None
    else:
        blobs = FileBlobStore(paths.blobs, read_only)
    markers = InflightMarkers(None if read_only else paths.inflight)
    for attempt in range(_OPEN_ATTEMPTS):
        try:
            components = Components(env, runtime, blobs)
            workers = Workers(env, components, runtime, blobs, markers, read_only, crash=EnvCrashPoints())
            break
        except Exception as e:  # connection problems become one line
            message = str(e).splitlines()[0] if str(e) else type(e).__name__
            if attempt + 1 < _OPEN_ATTEMPTS and any(t in message for t in _TRANSIENT):
                # Another process is creating the same tables right now.
                time.sleep(0.1 * (attempt + 1))
                continue
            runtime.close()
            if settings.kind == "postgres":
                raise WorkerDeskError(_postgres_hint(e)) from None
            raise WorkerDeskError(f"cannot open the event store ({settings.kind}): {message}") from None
    return Desk(paths, settings, runtime, components, workers, read_only)


def _postgres_hint(error: Exception) -> str:
    message = str(error).splitlines()[0] if str(error) else type(error).__name__
    return (
        f"cannot open the team database (PostgreSQL): {message}; check the postgres settings "
        "in settings.json or the WORKERDESK_PG_* variables"
    )
