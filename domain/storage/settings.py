"""Storage settings: SQLite in the data folder by default, PostgreSQL in team mode."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from typing import Any

from domain.model.errors import WorkerDeskError

from .paths import Paths

STORAGE_ENV = "WORKERDESK_STORAGE"
COMPRESSION_ENV = "WORKERDESK_COMPRESSION"
# Event compression, fixed when a store is created (see open_desk).
COMPRESSORS = {"none": None, "zlib": "eventsourcing.compressor:ZlibCompressor"}
PG_ENV = {
    "host": "WORKERDESK_PG_HOST",
    "port": "WORKERDESK_PG_PORT",
    "dbname": "WORKERDESK_PG_DBNAME",
    "user": "WORKERDESK_PG_USER",
    "password": "WORKERDESK_PG_PASSWORD",
    "schema": "WORKERDESK_PG_SCHEMA",
}


class SettingsError(WorkerDeskError):
    pass


class ReadOnlySettings(SettingsError):
    """Settings loaded from a data folder opened read-only cannot be saved back to it."""


@dataclass
class StorageSettings:
    kind: str = "sqlite"  # sqlite | postgres
    postgres: dict[str, Any] = field(default_factory=dict)
    time_limit: float = 10.0
    memory_limit_mib: int = 1024  # each linear memory, as in Golem
    # Compression of stored events: "none" or "zlib". It only decides for a
    # new, empty store; an existing store is always read as it was created.
    compression: str = "none"
    # Loaded from a data folder opened read-only: :meth:`save` refuses.
    read_only: bool = field(default=False, compare=False)

    @classmethod
    def load(
        cls, paths: Paths, storage: str | None = None, *, environment: bool = True, read_only: bool = False
    ) -> "StorageSettings":
        """Settings file, then environment, then the explicit flag, each overriding the last.

        ``environment=False`` reads the file alone (what a settings editor saves back).
        ``read_only=True`` marks the settings as belonging to a folder opened read-only.
        """
        data: dict[str, Any] = {}
        if paths.settings_file.exists():
            try:
                data = json.loads(paths.settings_file.read_text())
            except (OSError, ValueError) as e:
                raise SettingsError(f"cannot read {paths.settings_file}: {e}") from None
        settings = cls(
            kind=str(data.get("storage", "sqlite")),
            postgres=dict(data.get("postgres", {})),
            time_limit=float(data.get("time_limit", 10.0)),
            memory_limit_mib=int(data.get("memory_limit_mib", 1024)),
            compression=str(data.get("compression", "none")),
            read_only=read_only,
        )
        if environment:
            env_kind = os.environ.get(STORAGE_ENV)
            if env_kind:
                settings.kind = env_kind
            for key, var in PG_ENV.items():
                if os.environ.get(var):
                    settings.postgres[key] = os.environ[var]
            if os.environ.get(COMPRESSION_ENV):
                settings.compression = os.environ[COMPRESSION_ENV]
        if storage:
            settings.kind = storage
        if settings.kind not in ("sqlite", "postgres"):
            raise SettingsError(f"unknown storage {settings.kind!r}: use sqlite or postgres")
        if settings.compression not in COMPRESSORS:
            raise SettingsError(f"unknown compression {settings.compression!r}: use {' or '.join(COMPRESSORS)}")
        return settings

    def save(self, paths: Paths) -> None:
        if self.read_only:
            raise ReadOnlySettings(
                f"cannot save settings: the data folder is opened read-only, so {paths.settings_file} is not written"
            )
        paths.config.mkdir(parents=True, exist_ok=True)
        payload = {
            "storage": self.kind,
            "postgres": self.postgres,
            "time_limit": self.time_limit,
            "memory_limit_mib": self.memory_limit_mib,
            "compression": self.compression,
        }
        tmp = paths.settings_file.with_suffix(".tmp")
        tmp.write_text(json.dumps(payload, indent=2))
        os.replace(tmp, paths.settings_file)

    def eventsourcing_env(self, paths: Paths, read_only: bool = False, compression: str | None = None) -> dict[str, str]:
        """The eventsourcing environment; ``compression`` (default: the setting) is the store's own."""
        env = self._store_env(paths, read_only)
        compressor = COMPRESSORS[compression or self.compression]
        if compressor is not None:
            env["COMPRESSOR_TOPIC"] = compressor
        return env

    def _store_env(self, paths: Paths, read_only: bool) -> dict[str, str]:
        if self.kind == "sqlite":
            db = str(paths.database)
            name = db
            if read_only:
                # Without a live write-ahead log the file is opened immutable, so
                # not even -wal/-shm side files are created in the folder.
                wal = paths.database.with_name(paths.database.name + "-wal")
                name = f"file:{db}?mode=ro" if wal.exists() else f"file:{db}?mode=ro&immutable=1"
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": name,
                "SQLITE_LOCK_TIMEOUT": "30",
                "CREATE_TABLE": "n" if read_only else "y",
            }
        pg = self.postgres
        env = {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            "POSTGRES_DBNAME": str(pg.get("dbname", "workerdesk")),
            "POSTGRES_HOST": str(pg.get("host", "127.0.0.1")),
            "POSTGRES_PORT": str(pg.get("port", "5432")),
            "POSTGRES_USER": str(pg.get("user", "workerdesk")),
            "POSTGRES_PASSWORD": str(pg.get("password", "")),
            "POSTGRES_LOCK_TIMEOUT": "10",
            "POSTGRES_CONNECT_TIMEOUT": "10",
            "CREATE_TABLE": "n" if read_only else "y",
        }
        if pg.get("schema"):
            env["POSTGRES_SCHEMA"] = str(pg["schema"])
        return env

    def postgres_conninfo(self) -> dict[str, Any]:
        pg = self.postgres
        return {
            "dbname": str(pg.get("dbname", "workerdesk")),
            "host": str(pg.get("host", "127.0.0.1")),
            "port": int(pg.get("port", 5432)),
            "user": str(pg.get("user", "workerdesk")),
            "password": str(pg.get("password", "")),
            "connect_timeout": 10,
        }
