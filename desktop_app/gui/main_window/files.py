"""Component files dropped or chosen: which are components, the name to add them under; and the window's slow jobs."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path
from typing import Any

from PySide6.QtCore import QUrl

from desktop_app.gui.widgets.formats import count
from domain.bootstrap import Desk
from domain.model.errors import WorkerDeskError
from domain.services.components import ComponentInfo, VersionInfo

COMPONENT_SUFFIXES = (".wasm", ".wat")


def component_files(urls: list[QUrl]) -> list[Path]:
    """The local .wasm/.wat files among dropped URLs."""
    out = []
    for url in urls:
        if url.isLocalFile():
            path = Path(url.toLocalFile())
            if path.suffix.lower() in COMPONENT_SUFFIXES and path.is_file():
                out.append(path)
    return out


def name_from_file(path: Path) -> str:
    """A valid component name derived from a file name."""
    stem = re.sub(r"[^A-Za-z0-9_.:-]+", "-", path.stem).strip("-.") or "component"
    return stem[:128]


def versions_of(path: Path, components: dict[str, ComponentInfo]) -> list[str]:
    """The components ``path`` looks like a new version of, the likeliest first.

    A component one of whose versions came from a file of the same name comes
    first (a rebuilt ``counter.wasm``), then the component named like the file
    (``counter.wasm``), then one named like the file without a version suffix
    (``counter-v3.wasm``, ``counter_2.wat``).
    """
    stem = name_from_file(path)
    same_file = [n for n, info in components.items() if any(v.source == path.name for v in info.versions)]
    same_name = [n for n in components if n == stem]
    versioned = [
        n for n in components if re.fullmatch(re.escape(n) + r"[-_.]?v?[0-9]+(?:[-_.][0-9]+)*", stem, re.IGNORECASE)
    ]
    return list(dict.fromkeys(sorted(same_file) + same_name + sorted(versioned, key=len, reverse=True)))


def add_component_file(desk: Desk, name: str, path: Path) -> VersionInfo:
    try:
        data = path.read_bytes()
    except OSError as e:
        raise WorkerDeskError(f"cannot read {path}: {e.strerror or e}") from None
    return desk.components.add(name, data, source=path.name)


def create_demo_if_empty(desk: Desk) -> Any:
    """The demo's summary, or None when the data folder is not empty (it is then left alone)."""
    if desk.components.list() or desk.workers.list():
        return None
    from domain.demo import create_demo  # type: ignore[import-not-found]

    return create_demo(desk)


def refresh_desk(desk: Desk) -> tuple[int, int]:
    """Re-read the data folder; how many components and workers it holds (counted, not rebuilt:
    the navigator reads them all once the refresh is announced)."""
    desk.workers.refresh()
    return len(desk.components.list()), desk.workers.count()


def demo_words(summary: Any) -> str:
    """The status bar's words for the demo step: what it created, or why it created nothing."""
    if summary is None:
        return (
            "This data folder already has components or workers, so it opened as it is "
            "(a demo workspace is made only in an empty folder)."
        )
    return f"Created the demo workspace: {count(len(getattr(summary, 'workers', []) or []), 'worker')}."


def demo_available() -> bool:
    try:
        return importlib.util.find_spec("domain.demo") is not None
    except (ImportError, ValueError):
        return False
