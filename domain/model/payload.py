"""How an event refers to a large value kept in the blob store.

One type, one threshold: a value up to :data:`INLINE_LIMIT` bytes is kept
in the event itself; a larger one is put in the content-addressed blob
store and the event holds its :class:`PayloadRef`. State snapshots use it
today; large arguments and results, HTTP bodies, archived worker files and
periodic snapshots are to use the same type.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

INLINE_LIMIT = 4096
OCTET_STREAM = "application/octet-stream"


@dataclass(frozen=True)
class PayloadRef:
    """A value by its SHA-256, its size in bytes and its media type."""

    hash: str
    size: int
    media_type: str = OCTET_STREAM

    @classmethod
    def of(cls, data: bytes, media_type: str = OCTET_STREAM) -> "PayloadRef":
        return cls(hashlib.sha256(data).hexdigest(), len(data), media_type)

    @property
    def inline(self) -> bool:
        """Whether a value of this size is kept in the event rather than as a blob."""
        return self.size <= INLINE_LIMIT

    def to_json(self) -> dict[str, Any]:
        return {"hash": self.hash, "size": self.size, "mediaType": self.media_type}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "PayloadRef":
        return cls(str(data["hash"]), int(data["size"]), str(data.get("mediaType", OCTET_STREAM)))
