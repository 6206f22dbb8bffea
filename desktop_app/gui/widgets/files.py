"""Files the screens write (exports): atomically, so a failed write leaves no half file."""

from __future__ import annotations

from typing import Iterable

from PySide6.QtCore import QSaveFile

from domain.model.errors import WorkerDeskError


def write_bytes(path: str, chunks: Iterable[bytes]) -> int:
    """Write ``chunks`` to ``path`` atomically with QSaveFile; returns the byte count."""
    out = QSaveFile(path)
    if not out.open(QSaveFile.OpenModeFlag.WriteOnly):
        raise WorkerDeskError(f"cannot write {path}: {out.errorString()}")
    size = 0
    for chunk in chunks:
        if out.write(chunk) != len(chunk):
            out.cancelWriting()
            raise WorkerDeskError(f"cannot write {path}: {out.errorString()}")
        size += len(chunk)
    if not out.commit():
        raise WorkerDeskError(f"cannot write {path}: {out.errorString()}")
    return size
