"""A component version's initial files (``component add … --file SRC:/path``).

They are read once, when the version is added, packed into one tar kept in
the blob store by hash (:class:`PayloadRef`), and unpacked into the private
filesystem of every instance of that version that starts from nothing (a
new worker, recovery by full replay, an automatic update). An instance that
starts from a manual update's state snapshot gets the files archived with
the snapshot instead: a worker's files are its own once it runs.
"""

from __future__ import annotations

import io
import posixpath
import tarfile
from pathlib import Path

from domain.model.errors import WorkerDeskError

MEDIA_TYPE = "application/x-tar"


class InitialFilesError(WorkerDeskError):
    pass


def parse_spec(spec: str) -> tuple[Path, str]:
    """``SRC:/path`` -> (host path, absolute guest path); one-line errors for anything else."""
    src, sep, target = spec.rpartition(":")
    if not sep or not src or not target:
        raise InitialFilesError(f"--file {spec!r} must look like SRC:/path (a host file or folder, then where it goes)")
    return Path(src), guest_path(target, spec)


def guest_path(target: str, spec: str | None = None) -> str:
    shown = spec if spec is not None else target
    if not target.startswith("/"):
        raise InitialFilesError(f"--file {shown!r}: the path in the worker must start with / (got {target!r})")
    norm = posixpath.normpath(target)
    if norm == "/" and not target.endswith("/"):
        raise InitialFilesError(f"--file {shown!r}: give a file or folder name inside /")
    if ".." in target.split("/"):
        raise InitialFilesError(f"--file {shown!r}: the path in the worker must not contain ..")
    return norm


def pack(entries: list[tuple[Path, str]]) -> tuple[bytes, list[str]]:
    """A tar of the host files and folders at their guest paths; and the guest paths packed."""
    members: dict[str, bytes | None] = {}  # guest path (without the leading /) -> bytes, None for a folder
    for src, target in entries:
        if src.is_dir():
            base = target.lstrip("/")
            if base:
                members[base] = None
            for p in sorted(src.rglob("*")):
                rel = p.relative_to(src).as_posix()
                name = f"{base}/{rel}" if base else rel
                if p.is_dir():
                    members[name] = None
                elif p.is_file():
                    members[name] = _read(p)
        elif src.is_file():
            if target == "/":
                raise InitialFilesError(f"--file {src}:/ needs a file name inside /")
            members[target.lstrip("/")] = _read(src)
        else:
            raise InitialFilesError(f"--file {src}: no such file or folder")
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        folders: set[str] = set()
        for name in sorted(members):
            parts = name.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                folder = "/".join(parts[:i])
                if folder not in folders and members.get(folder, None) is None:
                    folders.add(folder)
                    tar.addfile(_info(folder, None))
            data = members[name]
            if data is None:
                if name not in folders:
                    folders.add(name)
                    tar.addfile(_info(name, None))
            else:
                tar.addfile(_info(name, data), io.BytesIO(data))
    return buffer.getvalue(), ["/" + n for n in sorted(members)]


def merge(*tars: bytes | None) -> bytes | None:
    """One tar holding every member of ``tars``; a later tar's file wins over an earlier one's."""
    present = [t for t in tars if t]
    if len(present) <= 1:
        return present[0] if present else None
    members: dict[str, tuple[tarfile.TarInfo, bytes | None]] = {}
    for data in present:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r") as tar:
            for info in tar.getmembers():
                f = tar.extractfile(info) if info.isfile() else None
                members[info.name] = (info, f.read() if f is not None else None)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as out:
        for name in sorted(members):
            info, content = members[name]
            out.addfile(info, io.BytesIO(content) if content is not None else None)
    return buffer.getvalue()


def copy_folder(folder: Path) -> bytes:
    """A tar of everything in ``folder``, as the worker's ``/`` (what ``--grant-dir`` gives a worker)."""
    if not folder.is_dir():
        raise InitialFilesError(f"--grant-dir {folder} is not a folder")
    data, _ = pack([(folder, "/")])
    return data


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as e:
        raise InitialFilesError(f"--file {path}: cannot read it: {e.strerror}") from None


def _info(name: str, data: bytes | None) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.mtime = 0
    if data is None:
        info.type = tarfile.DIRTYPE
        info.mode = 0o755
    else:
        info.size = len(data)
        info.mode = 0o644
    return info
