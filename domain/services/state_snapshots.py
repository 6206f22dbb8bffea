"""Where the bytes of state snapshots (what ``save-snapshot`` returns) are kept.

Small ones live in their ``StateSnapshotSaved`` event (hex); larger ones in
the blob store, by hash — the payload rule of :mod:`domain.model.payload`.
"""

from __future__ import annotations

from domain.model.payload import PayloadRef

from .ports import BlobStore


class StateSnapshots:
    def __init__(self, blobs: BlobStore) -> None:
        self.blobs = blobs

    def store(self, data: bytes) -> tuple[PayloadRef, str | None]:
        """Keep ``data``; returns its reference and, when small, the hex text to put in the event."""
        ref = PayloadRef.of(data)
        if ref.inline:
            return ref, data.hex()
        self.blobs.put(data)
        return ref, None

    def read(self, digest: str, inline: str | None) -> bytes:
        if inline is not None:
            return bytes.fromhex(inline)
        return self.blobs.get(digest)
