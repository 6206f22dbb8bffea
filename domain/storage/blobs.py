"""Content-addressed storage for component binaries and large state snapshots."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any, Iterator

from domain.model.errors import NotFound, WorkerDeskError

from .paths import PRIVATE, Permissions


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileBlobStore:
    """Blobs as files named by their SHA-256, written atomically."""

    def __init__(self, root: Path, read_only: bool = False, permissions: Permissions = PRIVATE) -> None:
        self.root = root
        self.read_only = read_only
        self.permissions = permissions

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        digest = sha256_hex(data)
        path = self._path(digest)
        if path.exists() or self.read_only:
            return digest
        try:
            if not path.parent.is_dir():
                path.parent.mkdir(parents=True, exist_ok=True)
                self.permissions.apply(path.parent, True)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        except (NotADirectoryError, FileExistsError):
            raise self._not_a_folder() from None
        try:
            with os.fdopen(fd, "wb") as f:
                os.fchmod(f.fileno(), self.permissions.file_mode)
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
        return digest

    def get(self, digest: str) -> bytes:
        try:
            data = self._path(digest).read_bytes()
        except FileNotFoundError:
            raise NotFound(f"blob {digest[:12]}… is missing from {self.root}") from None
        except NotADirectoryError:
            raise self._not_a_folder() from None
        except OSError as e:
            raise WorkerDeskError(f"cannot read blob {digest[:12]}… in {self.root}: {e.strerror}") from None
        if sha256_hex(data) != digest:
            raise NotFound(f"blob {digest[:12]}… in {self.root} is corrupt (its hash does not match)")
        return data

    def exists(self, digest: str) -> bool:
        return self._path(digest).exists()

    def digests(self) -> Iterator[str]:
        """Every stored blob's name (its claimed SHA-256), for verification."""
        if not self.root.is_dir():
            return
        for folder in sorted(self.root.iterdir()):
            if folder.is_dir():
                for path in sorted(folder.iterdir()):
                    if not path.name.startswith("."):
                        yield path.name

    def _not_a_folder(self) -> WorkerDeskError:
        return WorkerDeskError(
            f"the blob folder {self.root} (or a folder in it) is a file: move it away and restore the folder from a backup"
        )


class PostgresBlobStore:
    """Blobs in a table of the team's PostgreSQL database, so every desktop sees them."""

    def __init__(self, conninfo: dict[str, Any], schema: str | None = None, read_only: bool = False) -> None:
        import psycopg

        self._psycopg = psycopg
        self.conninfo = conninfo
        self.read_only = read_only
        self.table = f'"{schema}".workerdesk_blobs' if schema else "workerdesk_blobs"
        if not read_only:
            with self._connect() as conn:
                conn.execute(f"CREATE TABLE IF NOT EXISTS {self.table} (sha256 text PRIMARY KEY, data bytea NOT NULL)")

    def _connect(self) -> Any:
        return self._psycopg.connect(**self.conninfo, autocommit=True)

    def put(self, data: bytes) -> str:
        digest = sha256_hex(data)
        if self.read_only:
            return digest
        with self._connect() as conn:
            conn.execute(
                f"INSERT INTO {self.table} (sha256, data) VALUES (%s, %s) ON CONFLICT DO NOTHING", (digest, data)
            )
        return digest

    def get(self, digest: str) -> bytes:
        with self._connect() as conn:
            row = conn.execute(f"SELECT data FROM {self.table} WHERE sha256 = %s", (digest,)).fetchone()
        if row is None:
            raise NotFound(f"blob {digest[:12]}… is missing from the team database")
        data = bytes(row[0])
        if sha256_hex(data) != digest:
            raise NotFound(f"blob {digest[:12]}… in the team database is corrupt")
        return data

    def exists(self, digest: str) -> bool:
        with self._connect() as conn:
            return conn.execute(f"SELECT 1 FROM {self.table} WHERE sha256 = %s", (digest,)).fetchone() is not None

    def digests(self) -> Iterator[str]:
        """Every stored blob's key (its claimed SHA-256), for verification."""
        with self._connect() as conn:
            rows = conn.execute(f"SELECT sha256 FROM {self.table} ORDER BY sha256").fetchall()
        for (digest,) in rows:
            yield str(digest)
