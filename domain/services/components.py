"""Components: the registry of components and their versions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from domain.model import typecodec
from domain.model.component import REGISTERED_TOPIC, Component, check_component_name
from domain.model.errors import NotFound, WorkerDeskError
from domain.model.payload import PayloadRef
from domain.model.types import ComponentDescription

from . import initial_files

from .ports import BlobStore, Runtime
from .streams import originators


@dataclass(frozen=True)
class VersionInfo:
    component: str
    version: int
    sha256: str
    size: int
    added_at: str
    description: ComponentDescription
    source: str
    # The initial files (hash, size, mediaType, paths), or None.
    files: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        d = self.description
        return {
            **({"initialFiles": self.files["paths"]} if self.files else {}),
            "version": self.version,
            "sha256": self.sha256,
            "size": self.size,
            "addedAt": self.added_at,
            "source": self.source,
            "exports": [{"name": f.qualified_name, "signature": f.wit()} for f in d.functions],
            "imports": list(d.imports),
            "unsupportedImports": list(d.unsupported_imports),
            "saveSnapshot": d.save_snapshot,
            "loadSnapshot": d.load_snapshot,
        }


@dataclass(frozen=True)
class ComponentInfo:
    id: str
    name: str
    versions: tuple[VersionInfo, ...]

    @property
    def latest(self) -> VersionInfo:
        return self.versions[-1]

    def to_json(self) -> dict[str, Any]:
        return {
            "componentId": self.id,
            "name": self.name,
            "latestVersion": self.latest.version if self.versions else None,
            "versions": [v.to_json() for v in self.versions],
        }


class Components(Application):
    """Adds components and their versions; answers what a version exports."""

    name = "components"
    is_snapshotting_enabled = True
    snapshotting_intervals = {Component: 50}

    def __init__(self, env: dict[str, str], runtime: Runtime, blobs: BlobStore, read_only: bool = False) -> None:
        super().__init__(env)
        self.runtime = runtime
        self.blobs = blobs
        self.read_only = read_only
        self._cache: dict[UUID, Component] = {}

    # -- commands ------------------------------------------------------------------

    def add(
        self, name: str, data: bytes, source: str = "", files: list[tuple[Path, str]] | None = None
    ) -> VersionInfo:
        """Add ``data`` as the next version of ``name`` (creating the component);
        ``files`` are its initial files, (host file or folder, path in the worker)."""
        if self.read_only:
            raise WorkerDeskError(f"this data folder is open read-only: {name} was not added")
        check_component_name(name)
        packed = initial_files.pack(files) if files else None
        binary = self.runtime.to_binary(data)
        loaded = self.runtime.load(binary)  # raises InvalidComponent with one sentence
        component = self._get_or_none(name)
        if component is None:
            component = Component(name)
        self.blobs.put(binary)
        component.add_version(
            sha256=loaded.sha256,
            size=len(binary),
            added_at=datetime.now(timezone.utc).isoformat(),
            description=typecodec.description_to_data(loaded.description),
            source=source,
        )
        if packed is not None:
            tar, paths = packed
            ref = PayloadRef.of(tar, initial_files.MEDIA_TYPE)
            self.blobs.put(tar)
            component.add_files(component.latest_version, ref.hash, ref.size, ref.media_type, paths)
        try:
            self.save(component)
        except IntegrityError:
            # Another process added a version at the same moment: try again on top of it.
            self._cache.pop(component.id, None)
            return self.add(name, data, source, files)
        self._cache[component.id] = component
        return self._version_info(component, component.latest_version)

    # -- queries -------------------------------------------------------------------

    def get(self, name: str) -> ComponentInfo:
        return self._info(self._get(name))

    def version(self, name: str, number: int | None = None) -> VersionInfo:
        component = self._get(name)
        if number is None:
            number = component.latest_version
        component.version_record(number)
        return self._version_info(component, number)

    def binary(self, name: str, number: int) -> bytes:
        return self.blobs.get(self.version(name, number).sha256)

    def list(self) -> list[ComponentInfo]:
        out = []
        for cid in originators(self.recorder, [REGISTERED_TOPIC]):
            component = self._get_by_id(cid)
            if component is not None:
                out.append(self._info(component))
        return sorted(out, key=lambda c: c.name)

    def refresh(self) -> None:
        self._cache.clear()

    # -- helpers -------------------------------------------------------------------

    def _get_or_none(self, name: str) -> Component | None:
        return self._get_by_id(Component.create_id(name), refresh=True)

    def _get_by_id(self, cid: UUID, refresh: bool = False) -> Component | None:
        if not refresh and cid in self._cache:
            return self._cache[cid]
        try:
            component: Component = self.repository.get(cid)
        except AggregateNotFoundError:
            return None
        self._cache[cid] = component
        return component

    def _get(self, name: str) -> Component:
        component = self._get_by_id(Component.create_id(name))
        if component is None:
            component = self._get_by_id(Component.create_id(name), refresh=True)
        if component is None:
            raise NotFound(f"no component named {name!r}; add it with `workerdesk component add {name} FILE.wasm`")
        return component

    def _version_info(self, component: Component, number: int) -> VersionInfo:
        v = component.versions[number]
        return VersionInfo(
            component=component.name,
            version=number,
            sha256=v["sha256"],
            size=v["size"],
            added_at=v["added_at"],
            description=typecodec.description_from_data(v["description"]),
            source=v.get("source", ""),
            files=v.get("files"),
        )

    def _info(self, component: Component) -> ComponentInfo:
        return ComponentInfo(
            id=str(component.id),
            name=component.name,
            versions=tuple(self._version_info(component, i) for i in range(len(component.versions))),
        )

    def known_version(self, name: str, number: int) -> VersionInfo:
        """Like :meth:`version` but re-reads the store when the version is not cached yet."""
        try:
            return self.version(name, number)
        except NotFound:
            self._cache.pop(Component.create_id(name), None)
            return self.version(name, number)
