"""Storage settings: SQLite in the data folder by default, PostgreSQL in team mode."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.model.errors import WorkerDeskError

from .paths import Paths, Permissions

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
    # The most argument data one call may pass into a guest: wasmtime-py needs
    # about 80 bytes of host memory per byte of a list<u8> going in (measured).
    max_argument_mib: int = 16
    # Compression of stored events: "none" or "zlib". It only decides for a
    # new, empty store; an existing store is always read as it was created.
    compression: str = "none"
    # Team mode on a shared drive: the folder's group may read and write the
    # data folder (folders 0770, files 0660); otherwise it is private (0700, 0600).
    shared_with_group: bool = False
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
        file = paths.settings_file
        if file.is_dir():
            raise SettingsError(f"{file} is a folder, not a settings file: move it away")
        if file.exists():
            try:
                data = json.loads(file.read_text())
            except OSError as e:
                raise SettingsError(f"cannot read {file}: {e.strerror}") from None
            except ValueError as e:
                raise SettingsError(f"{file} is not valid JSON ({e}): fix it, or delete it to use the defaults") from None
            if not isinstance(data, dict):
                raise SettingsError(
                    f"{file} holds a JSON {_json_type(data)}, not an object of settings: "
                    'write it as {"time_limit": 10, ...}, or delete it to use the defaults'
                )
        field_of = _FieldReader(file, data)
        settings = cls(
            kind=field_of.string("storage", "sqlite"),
            postgres=field_of.object("postgres"),
            time_limit=check_time_limit(
                field_of.number("time_limit", 10.0), f'"time_limit" in {file}', ": fix it, or remove it to use the default"
            ),
            memory_limit_mib=field_of.positive_int("memory_limit_mib", 1024),
            max_argument_mib=field_of.positive_int("max_argument_mib", 16),
            compression=field_of.string("compression", "none"),
            shared_with_group=field_of.boolean("shared_with_group", False),
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
            "max_argument_mib": self.max_argument_mib,
            "compression": self.compression,
            "shared_with_group": self.shared_with_group,
        }
        perms = self.permissions
        tmp = paths.settings_file.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, perms.file_mode)
        with os.fdopen(fd, "w") as f:
            os.fchmod(f.fileno(), perms.file_mode)
            f.write(json.dumps(payload, indent=2))
        os.replace(tmp, paths.settings_file)

    @property
    def permissions(self) -> Permissions:
        return Permissions.for_sharing(self.shared_with_group)

    def eventsourcing_env(
        self, paths: Paths, read_only: bool = False, compression: str | None = None, database: Path | None = None
    ) -> dict[str, str]:
        """The eventsourcing environment; ``compression`` (default: the setting) is the store's own.

        ``database`` is a private copy of a SQLite store to read instead of the
        data folder's own (see :mod:`domain.storage.readonly`)."""
        env = self._store_env(paths, read_only, database)
        compressor = COMPRESSORS[compression or self.compression]
        if compressor is not None:
            env["COMPRESSOR_TOPIC"] = compressor
        return env

    def _store_env(self, paths: Paths, read_only: bool, database: Path | None = None) -> dict[str, str]:
        if self.kind == "sqlite":
            db = str(paths.database)
            name = db
            if database is not None:
                # A private copy (database and write-ahead log) in a temporary folder.
                name = str(database)
            elif read_only:
                # No write-ahead log holds committed data (the caller copies the
                # store otherwise): the file is opened immutable, so SQLite
                # neither writes nor creates -wal/-shm in the folder.
                name = f"file:{db}?mode=ro&immutable=1"
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


def check_time_limit(value: float, source: str = "--time-limit", fix: str = "") -> float:
    """Seconds an invocation may run: a finite number above 0, at most a day (one line otherwise)."""
    if not math.isfinite(value) or value <= 0:
        raise SettingsError(f"{source} must be a number of seconds above 0 (e.g. 10), not {value!r}{fix}")
    if value > MAX_TIME_LIMIT:
        raise SettingsError(f"{source} must be at most {MAX_TIME_LIMIT:.0f} seconds (a day), not {value!r}{fix}")
    return value


MAX_TIME_LIMIT = 86400.0


def _json_type(value: Any) -> str:
    return {list: "list", str: "string", int: "number", float: "number", bool: "boolean", type(None): "null"}.get(
        type(value), type(value).__name__
    )


class _FieldReader:
    """Typed fields of settings.json; a wrong type is one line naming the field and the file."""

    def __init__(self, file: Path, data: dict[str, Any]) -> None:
        self.file = file
        self.data = data

    def _bad(self, key: str, wanted: str) -> SettingsError:
        value = self.data[key]
        return SettingsError(
            f'"{key}" in {self.file} must be {wanted}, not the {_json_type(value)} {json.dumps(value)}: '
            "fix it, or remove it to use the default"
        )

    def string(self, key: str, default: str) -> str:
        value = self.data.get(key, default)
        if not isinstance(value, str):
            raise self._bad(key, "a string")
        return value

    def object(self, key: str) -> dict[str, Any]:
        value = self.data.get(key, {})
        if not isinstance(value, dict):
            raise self._bad(key, "an object")
        return dict(value)

    def number(self, key: str, default: float) -> float:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self._bad(key, "a number")
        return float(value)

    def positive_int(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
            raise self._bad(key, "a whole number above 0")
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self._bad(key, "true or false")
        return value
