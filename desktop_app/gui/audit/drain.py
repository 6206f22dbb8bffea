"""The audit's drain view of one component: workers per version over time, and who is still behind.

Read on the operations layer's read lane, never on the UI thread.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from desktop_app.gui.timeline import DrainChart
from desktop_app.gui.timeline.strip import VERSION_COLOURS
from domain.services.timeline import DrainPoint
from domain.services.workers import Workers


@dataclass
class Drain:
    component: str
    points: list[DrainPoint]
    # The workers of each version today, by name.
    on_version: dict[int, list[str]] = field(default_factory=dict)

    @property
    def newest(self) -> int | None:
        return max(self.on_version, default=None)

    def behind(self) -> dict[int, list[str]]:
        """The workers on a version older than the newest one in use."""
        newest = self.newest
        return {v: names for v, names in sorted(self.on_version.items()) if newest is not None and v < newest}


def read_drain(workers: Workers, component: str) -> Drain:
    on_version: dict[int, list[str]] = {}
    for meta in workers.list(component):
        version = meta.get("componentVersion")
        if isinstance(version, int):
            on_version.setdefault(version, []).append(str(meta["workerId"]["workerName"]))
    return Drain(component, workers.drain(component), on_version)


def drain_words(d: Drain) -> str:
    """One line: how many workers run each version, and who is still on an older one."""
    if not d.on_version:
        return f"{d.component} has no workers."
    counts = ", ".join(f"v{v}: {len(names):,}" for v, names in sorted(d.on_version.items()))
    behind = d.behind()
    if not behind:
        return f"Workers of {d.component} per version — {counts}. Every worker is on v{d.newest}."
    names = "; ".join(f"v{v}: {_names(n)}" for v, n in behind.items())
    return f"Workers of {d.component} per version — {counts}. Still on an older version than v{d.newest}: {names}."


def _names(names: list[str], shown: int = 5) -> str:
    head = ", ".join(names[:shown])
    return head if len(names) <= shown else f"{head} and {len(names) - shown:,} more"


class DrainPanel(QWidget):
    """The drain chart of the component chosen in the audit, with its one-line summary."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.chart = DrainChart(self)
        self.legend = QLabel(self)
        self.legend.setTextFormat(Qt.TextFormat.RichText)
        self.words = QLabel(self)
        self.words.setWordWrap(True)
        self.drain: Drain | None = None
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.setSpacing(2)
        lay.addWidget(self.chart)
        line = QHBoxLayout()
        line.setSpacing(10)
        line.addWidget(self.legend, 0, Qt.AlignmentFlag.AlignTop)
        line.addWidget(self.words, 1)
        lay.addLayout(line)

    def set_drain(self, d: Drain) -> None:
        self.drain = d
        self.chart.set_points(d.points)
        self.legend.setText(
            "&nbsp;&nbsp;".join(
                f"<span style='background:{VERSION_COLOURS[v % len(VERSION_COLOURS)]}'>&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;v{v}"
                for v in self.chart.versions()
            )
        )
        self.words.setText(drain_words(d))
