"""Content-addressed storage for component binaries and large state snapshots."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path
from typing import Any

from domain.model.errors import NotFound


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class FileBlobStore:
    """Blobs as files named by their SHA-256, written atomically."""

    def __init__(self, root: Path, read_only: bool = False) -> None:
        self.root = root
        self.read_only = read_only

    def _path(self, digest: str) -> Path:
        return self.root / digest[:2] / digest

    def put(self, data: bytes) -> str:
        digest = sha256_hex(data)
        path = self._path(digest)
        if path.exists() or self.read_only:
            return digest
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as f:
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
        if sha256_hex(data) != digest:
            raise NotFound(f"blob {digest[:12]}… in {self.root} is corrupt (its hash does not match)")
        return data

    def exists(self, digest: str) -> bool:
        return self._path(digest).exists()


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
