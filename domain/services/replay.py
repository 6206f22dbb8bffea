"""Rebuilding a worker's instance from its history: the one routine behind
recovery, automatic updates, dry runs and time travel.

A rebuild instantiates a version (replaying the host calls recorded at
startup), loads the state snapshot of the last successful manual update if
there is one, then replays every recorded invocation after it, feeding back
the recorded host calls. Any difference is a :class:`Divergence`.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from typing import Any, Callable, Iterator
from uuid import UUID

from domain.model import wave
from domain.model.errors import BadArguments, FunctionNotFound, HostCallDivergence, InvocationFailed, WorkerDeskError
from domain.model.hostcalls import HostCalls
from domain.model.payload import PayloadRef, describe
from domain.model.types import FunctionSignature
from domain.model.worker import Worker, topics_of

from .components import Components, VersionInfo
from .ports import BlobStore, Instance, Runtime
from .initial_files import merge as merge_tars
from .payloads import Payloads
from .state_snapshots import StateSnapshots
from .worker_store import COMPLETED_TOPICS, WorkerStore

ProgressFn = Callable[[int, int], None]
# Events after which the worker runs another version.
_VERSION_TOPICS = frozenset([*topics_of(Worker.Created), *topics_of(Worker.UpdateSucceeded)])
_PROGRESS_EVERY = 500


@dataclass(frozen=True)
class Divergence:
    """Where and why a rebuild differed from the history.

    ``kind``: ``result`` (another result), ``missing-function``,
    ``signature`` (recorded arguments no longer fit), ``host-call`` (other
    clock/random calls, or at instantiation), ``trap`` (failed on replay),
    ``snapshot`` (the state snapshot no longer loads).
    """

    entry: int
    function: str
    kind: str
    expected: Any
    actual: Any
    message: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    # Read like the mapping it is stored as (UpdateFailed.divergence).
    def __getitem__(self, key: str) -> Any:
        return getattr(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        return getattr(self, key, default)


class Diverged(Exception):
    def __init__(self, divergence: Divergence) -> None:
        super().__init__(divergence.message)
        self.divergence = divergence


class Rebuilder:
    def __init__(
        self, store: WorkerStore, components: Components, runtime: Runtime, blobs: BlobStore, snapshots: StateSnapshots
    ) -> None:
        self.store = store
        self.components = components
        self.runtime = runtime
        self.blobs = blobs
        self.snapshots = snapshots
        self.payloads = Payloads(blobs)
        # The services behind Golem's host API, given to every instance (set by Workers).
        self.golem: Any = None

    def new_instance(
        self,
        w: Worker,
        version: VersionInfo,
        host_calls: HostCalls | None = None,
        *,
        startup: bool = True,
        files: bytes | None = None,
        services: bool = True,
    ) -> Instance:
        """Instantiate ``version`` for ``w``; with ``startup`` the worker's recorded
        startup host calls are replayed (a different sequence raises HostCallDivergence).
        ``files`` (a tar) fills its private filesystem first."""
        hc = host_calls or HostCalls()
        if startup and w.startup is not None:
            hc.go_replay(w.startup["hostCalls"])
        granted = w.grants.get("dir")
        if granted is not None and not os.path.isdir(granted):
            raise WorkerDeskError(
                f"worker {w.ref} was given the folder {granted} (--grant-dir), which no longer exists: "
                "create it again (an empty folder will do) to run the worker"
            )
        loaded = self.runtime.load_stored(version.sha256, lambda: self.blobs.get(version.sha256))
        config = self.runtime.instance_config(
            worker_name=w.name,
            component_id=w.component_id,
            component_version=version.version,
            env=w.env,
            args=w.args,
            grants=w.grants,
            max_memory=w.max_memory,
            policies=w.policies_set,
            golem=self.golem if services else None,
            files=files,
        )
        return self.runtime.instantiate(loaded, config, hc)

    def rebuild(
        self,
        w: Worker,
        version: VersionInfo,
        *,
        stop: int | None = None,
        host_calls: HostCalls | None = None,
        progress: ProgressFn | None = None,
    ) -> tuple[Instance, int]:
        """An instance of ``version`` holding ``w``'s state after entry ``stop``
        (default: its latest); returns it and the number of invocations replayed.
        Raises :class:`Diverged`."""
        base = w.recovery_base
        try:
            files = self.files_at(w, base) if base is not None else self.initial_files(version, w)
            # A past state (time travel) gets no services: its calls must not write anything.
            instance = self.new_instance(w, version, host_calls, files=files, services=stop is None)
        except HostCallDivergence as e:
            raise Diverged(
                Divergence(1, "(instantiation)", "host-call", e.expected, e.actual, f"instantiating version {version.version}: {e}")
            ) from None
        start = 1
        if base is not None:
            position = int(base["position"])
            data = self.snapshots.read(base["snapshot_hash"], base.get("snapshot_inline"))
            try:
                err = instance.load_snapshot(data)
            except (InvocationFailed, FunctionNotFound) as e:
                err = str(e)
            if err is not None:
                raise Diverged(
                    Divergence(
                        position, "load-snapshot", "snapshot", "ok", err,
                        f"entry #{position}: version {version.version} cannot load the worker's last update snapshot: {err}",
                    )
                )
            start = position + 1
        # The version the history ran on at ``start``, which the guest's environment shows during replay.
        seen = int(w.update(base["update_id"])["targetVersion"]) if base is not None else None
        count = self.replay(instance, w.id, start, w.version if stop is None else stop, progress, seen)
        return instance, count

    def files_at(self, w: Worker, base: dict[str, Any] | None) -> bytes | None:
        """The private files archived with the state snapshot recovery starts from, if any."""
        if base is None:
            return None
        ref = w.files_of(base["update_id"])
        return None if ref is None else self.blobs.get(PayloadRef.from_json(ref).hash)

    def initial_files(self, version: VersionInfo, w: Worker | None = None) -> bytes | None:
        """What an instance that starts from nothing finds in its private filesystem: the
        version's initial files (``component add --file``), then the worker's granted folder's copy."""
        files = None if not version.files else self.blobs.get(PayloadRef.from_json(version.files).hash)
        copied = w.grants.get("copiedDir") if w is not None else None
        if copied is not None:
            files = merge_tars(files, self.blobs.get(str(copied["hash"])))
        return files

    def replay(
        self,
        instance: Instance,
        wid: UUID,
        start: int,
        stop: int,
        progress: ProgressFn | None = None,
        version: int | None = None,
    ) -> int:
        """Replay the recorded invocations in entries [start, stop]; raise :class:`Diverged` on any difference.

        Each replayed invocation sees the environment of the version it ran on
        (``GOLEM_COMPONENT_VERSION``): ``version`` at ``start``, then as the history says.
        """
        count = 0
        hc = getattr(instance, "host_calls", None)
        resolved: dict[str, FunctionSignature] = {}
        total = max(0, stop - start + 1)
        for entry, st, seen in self._invocations(wid, start, total, version):
            if hc is not None:
                hc.env_version = seen
            fname = st["function"]
            sig = resolved.get(fname)
            if sig is None:
                try:
                    sig = instance.resolve(fname)
                except FunctionNotFound:
                    raise Diverged(
                        Divergence(
                            entry, fname, "missing-function", st["result"], None,
                            f"entry #{entry}: {fname} does not exist in this version",
                        )
                    ) from None
                resolved[fname] = sig
            try:
                args = self.payloads.args_of(st["args"], sig.params)
            except wave.WaveError as e:
                raise Diverged(
                    Divergence(
                        entry, fname, "signature", ", ".join(describe(a) or "" for a in st["args"]), str(e),
                        f"entry #{entry}: the recorded arguments of {fname} do not fit its new signature: {e}",
                    )
                ) from None
            try:
                out = instance.call(sig.qualified_name, args, replay=self.payloads.unpack_host_calls(st["host_calls"]))
            except HostCallDivergence as e:
                raise Diverged(Divergence(entry, fname, "host-call", e.expected, e.actual, f"entry #{entry}: {fname}: {e}")) from None
            except (InvocationFailed, BadArguments) as e:
                raise Diverged(
                    Divergence(entry, fname, "trap", st["result"], str(e), f"entry #{entry}: {fname} failed during replay: {e}")
                ) from None
            # Compared as kept in events: a large value by its payload reference (its hash).
            actual = None if sig.result is None else self.payloads.text_of(out.result, sig.result, store=False)
            if actual != st["result"]:
                expected, got = describe(st["result"]), describe(actual)
                raise Diverged(
                    Divergence(
                        entry, fname, "result", expected, got,
                        f"entry #{entry}: {fname}({', '.join(describe(a) or '' for a in st['args'])}) returned {got}, "
                        f"the history recorded {expected}",
                    )
                )
            count += 1
            if progress is not None and count % _PROGRESS_EVERY == 0:
                progress(entry - start + 1, total)
        if hc is not None:
            hc.env_version = None
        return count

    def _invocations(
        self, wid: UUID, start: int, total: int, version: int | None = None
    ) -> Iterator[tuple[int, dict[str, Any], int | None]]:
        """(entry, event fields, version it ran on) of each completed invocation in the range."""
        decode = self.store.decode
        for stored in self.store.stored(wid, start, total):
            topic = stored.topic
            if topic in COMPLETED_TOPICS:
                yield stored.originator_version, vars(decode(stored)), version
            elif topic in _VERSION_TOPICS:
                fields = vars(decode(stored))
                version = int(fields["target_version"] if "target_version" in fields else fields["component_version"])
