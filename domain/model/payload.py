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


# How a large value stands in an event's text fields (an argument, a result):
# ``@payload:<sha256>:<size>:<media type>``. WAVE text never starts with "@".
TEXT_PREFIX = "@payload:"
WAVE_TEXT = "text/x-wave"  # the value's WAVE text, UTF-8
RAW_BYTES = OCTET_STREAM  # a list<u8> value's bytes themselves


def as_text(ref: PayloadRef) -> str:
    return f"{TEXT_PREFIX}{ref.hash}:{ref.size}:{ref.media_type}"


def from_text(text: str | None) -> PayloadRef | None:
    """The reference a text field holds, or None for an ordinary (inline) value."""
    if text is None or not text.startswith(TEXT_PREFIX):
        return None
    digest, size, media_type = text[len(TEXT_PREFIX) :].split(":", 2)
    return PayloadRef(digest, int(size), media_type)


def describe(text: str | None) -> str | None:
    """A text field as a reader of the history sees it: a large value as ``<1.0 MiB list<u8>, sha256 ab12…>``."""
    ref = from_text(text)
    if ref is None:
        return text
    what = "list<u8>" if ref.media_type == RAW_BYTES else "value"
    return f"<{_size(ref.size)} {what}, sha256 {ref.hash[:12]}…>"


def _size(n: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"
