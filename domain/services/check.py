"""``workerdesk check``: verify a workspace and report every damage found.

A check runs a list of *verifiers*. Each has a ``name`` (what it verifies)
and a ``verify()`` that yields one :class:`Result` per thing it looked at: a
problem, or ``None`` when that thing is sound. A verifier only reads, and
reports a damaged item without stopping at it. New verifiers (a hash chain
over the history, say) are added to the list that ``domain.bootstrap.checks``
builds; nothing else changes.

The verifiers here:

- :class:`StreamsVerifier` reads every stored entry of every stream (workers
  and components): positions without gaps from #1, each entry decodes, each
  aggregate rebuilds; it also collects the blobs the entries refer to.
- :class:`BlobsVerifier` re-hashes every stored blob and looks for every
  referred blob.
- :class:`FilesVerifier` runs a file check over a folder (the compiled
  component cache: ``domain.bootstrap`` gives it the runtime's own check).

What a check cannot see: a row deleted from the end of a stream looks like
history that was never written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Protocol
from uuid import UUID

from domain.model.component import Component
from domain.model.errors import WorkerDeskError, one_line
from domain.model.worker import Worker, topics_of

from .worker_store import WorkerStore, describe_store_error

_VERSION_ADDED = frozenset(topics_of(Component.VersionAdded))
_SNAPSHOT_SAVED = frozenset(topics_of(Worker.StateSnapshotSaved))
_WORKER_CREATED = frozenset(topics_of(Worker.Created))
_COMPONENT_REGISTERED = frozenset(topics_of(Component.Registered))


@dataclass(frozen=True)
class Result:
    subject: str
    problem: str | None = None  # None: verified and sound


class Verifier(Protocol):
    name: str

    def verify(self) -> Iterable[Result]: ...


@dataclass
class Section:
    name: str
    checked: int = 0
    problems: list[Result] = field(default_factory=list)


@dataclass
class Report:
    sections: list[Section]

    @property
    def ok(self) -> bool:
        return not any(s.problems for s in self.sections)

    @property
    def problems(self) -> list[tuple[str, Result]]:
        return [(s.name, p) for s in self.sections for p in s.problems]

    def lines(self) -> list[str]:
        out = []
        for s in self.sections:
            state = "ok" if not s.problems else f"{len(s.problems)} DAMAGED"
            out.append(f"{s.name}: {s.checked} checked, {state}")
            out.extend(f"  {p.subject}: {p.problem}" for p in s.problems)
        out.append("no damage found" if self.ok else f"damage found: {len(self.problems)} problem(s)")
        return out

    def to_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "sections": [
                {
                    "name": s.name,
                    "checked": s.checked,
                    "problems": [{"subject": p.subject, "problem": p.problem} for p in s.problems],
                }
                for s in self.sections
            ],
        }


def run_checks(verifiers: Iterable[Verifier]) -> Report:
    """Run each verifier; a verifier that fails outright is itself one problem."""
    sections = []
    for v in verifiers:
        section = Section(v.name)
        try:
            for result in v.verify():
                section.checked += 1
                if result.problem is not None:
                    section.problems.append(result)
        except WorkerDeskError as e:
            section.problems.append(Result("(the check itself)", one_line(e)))
        except Exception as e:  # noqa: BLE001 - a broken store must be reported, not crash the report
            section.problems.append(Result("(the check itself)", f"stopped: {describe_store_error(e)}"))
        sections.append(section)
    return Report(sections)


# -- streams -------------------------------------------------------------------------


@dataclass
class _Stream:
    subject: str
    last: int = 0
    problem: str | None = None


class StreamsVerifier:
    """Every stream of a store: no gap, every entry decodes, the aggregate rebuilds.

    ``referred`` collects (blob hash, who refers to it) for :class:`BlobsVerifier`.
    """

    def __init__(self, store: WorkerStore, name: str = "streams") -> None:
        self.store = store
        self.name = name
        self.referred: list[tuple[str, str]] = []

    def verify(self) -> Iterator[Result]:
        streams: dict[UUID, _Stream] = {}
        for stored in self.store.all_stored():
            wid = UUID(str(stored.originator_id))
            s = streams.get(wid)
            if s is None:
                s = streams[wid] = _Stream(f"stream {wid}")
            position = stored.originator_version
            if s.problem is None and position != s.last + 1:
                s.problem = _gap(s.last + 1, position)
            s.last = max(s.last, position)
            try:
                event = self.store.decode(stored)
            except Exception as e:  # noqa: BLE001 - reported
                if s.problem is None:
                    why = describe_store_error(e)
                    s.problem = why if why.startswith("history entry") else f"history entry #{position} cannot be decoded ({why})"
                continue
            self._note(s, stored.topic, event, position)
        for wid, s in streams.items():
            if s.problem is None:
                try:
                    self.store.repository.get(wid)
                except Exception as e:  # noqa: BLE001 - reported
                    s.problem = f"does not rebuild: {describe_store_error(e)}"
            yield Result(s.subject, s.problem)

    def _note(self, s: _Stream, topic: str, event: Any, position: int) -> None:
        if topic in _WORKER_CREATED:
            s.subject = f"worker {event.component_name}/{event.name}"
        elif topic in _COMPONENT_REGISTERED:
            s.subject = f"component {event.name}"
        elif topic in _VERSION_ADDED:
            self.referred.append((event.sha256, f"{s.subject}, history entry #{position}"))
        elif topic in _SNAPSHOT_SAVED and event.inline is None:
            self.referred.append((event.hash, f"{s.subject}, history entry #{position}"))


def _gap(expected: int, found: int) -> str:
    if found < expected:
        return f"history entry #{found} appears twice or out of order"
    if found == expected + 1:
        return f"history entry #{expected} is missing"
    return f"history entries #{expected} to #{found - 1} are missing"


# -- blobs ---------------------------------------------------------------------------


class Blobs(Protocol):
    def get(self, digest: str) -> bytes: ...

    def exists(self, digest: str) -> bool: ...

    def digests(self) -> Iterator[str]: ...


class BlobsVerifier:
    """Every stored blob still has the hash it is named by; every referred blob is there.

    ``referred`` is read when the check runs (after the stream verifiers filled it).
    """

    name = "blobs"

    def __init__(self, blobs: Blobs, referred: Callable[[], Iterable[tuple[str, str]]] = lambda: ()) -> None:
        self.blobs = blobs
        self.referred = referred

    def verify(self) -> Iterator[Result]:
        for digest in self.blobs.digests():
            try:
                self.blobs.get(digest)
            except WorkerDeskError as e:
                yield Result(f"blob {digest[:12]}…", one_line(e))
                continue
            yield Result(f"blob {digest[:12]}…")
        seen = set()
        for digest, who in self.referred():
            if digest in seen:
                continue
            seen.add(digest)
            if not self.blobs.exists(digest):
                yield Result(f"blob {digest[:12]}…", f"is missing (referred to by {who})")


# -- files ---------------------------------------------------------------------------


class FilesVerifier:
    """Each file of a folder matching ``pattern`` passes ``check_file`` (a problem, or None)."""

    def __init__(self, name: str, folder: Path | None, pattern: str, check_file: Callable[[Path], str | None]) -> None:
        self.name = name
        self.folder = folder
        self.pattern = pattern
        self.check_file = check_file

    def verify(self) -> Iterator[Result]:
        if self.folder is None or not self.folder.is_dir():
            return
        for path in sorted(self.folder.glob(self.pattern)):
            try:
                problem = self.check_file(path)
            except OSError as e:
                problem = f"cannot be read: {e.strerror}"
            yield Result(path.name, problem)


__all__ = [
    "BlobsVerifier",
    "FilesVerifier",
    "Report",
    "Result",
    "StreamsVerifier",
    "Verifier",
    "run_checks",
]
