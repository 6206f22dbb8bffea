"""The Component aggregate: a named component and its immutable versions."""

from __future__ import annotations

from typing import Any
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event
from eventsourcing.utils import get_topic

from domain.model.errors import NotFound, WorkerDeskError

_NAME_CHARS = set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:")


class Component(Aggregate):
    """A component name and the versions uploaded under it, numbered from 0."""

    @staticmethod
    def create_id(name: str) -> UUID:
        return uuid5(NAMESPACE_URL, f"workerdesk:/components/{name}")

    class Registered(Aggregate.Created):
        class_version = 1
        name: str

    class VersionAdded(Aggregate.Event):
        """One uploaded binary (its bytes are a blob, by ``sha256``) and its description."""

        class_version = 1
        sha256: str
        size: int
        added_at: str
        description: dict[str, Any]
        source: str

    @event(Registered)
    def __init__(self, name: str) -> None:
        self.name = name
        self.versions: list[dict[str, Any]] = []

    @event(VersionAdded)
    def add_version(self, sha256: str, size: int, added_at: str, description: dict[str, Any], source: str) -> None:
        self.versions.append(
            {
                "version": len(self.versions),
                "sha256": sha256,
                "size": size,
                "added_at": added_at,
                "description": description,
                "source": source,
            }
        )

    @property
    def latest_version(self) -> int:
        return len(self.versions) - 1

    def version_record(self, number: int) -> dict[str, Any]:
        check_version_exists(self, number)
        return self.versions[number]

    class FilesAdded(Aggregate.Event):
        """A version's initial files (``component add … --file SRC:/path``): one tar in the
        blob store, unpacked into the private filesystem of its new instances."""

        class_version = 1
        version: int
        hash: str
        size: int
        media_type: str
        paths: list[str]

    @event(FilesAdded)
    def add_files(self, version: int, hash: str, size: int, media_type: str, paths: list[str]) -> None:
        self.versions[version]["files"] = {"hash": hash, "size": size, "mediaType": media_type, "paths": list(paths)}


REGISTERED_TOPIC = get_topic(Component.Registered)


class ComponentError(WorkerDeskError):
    pass


def check_component_name(name: str) -> None:
    if not name or len(name) > 128 or not set(name) <= _NAME_CHARS or name[0] in "-.":
        raise ComponentError(
            f"invalid component name {name!r}: use letters, digits, '-', '_', '.' or ':' (at most 128)"
        )


def check_version_exists(component: Component, number: int) -> None:
    if not 0 <= number < len(component.versions):
        known = f"0..{len(component.versions) - 1}" if component.versions else "none"
        raise NotFound(f"component {component.name!r} has no version {number} (versions: {known})")
