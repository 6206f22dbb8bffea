"""A demo workspace: the sample counter family and workers ready to upgrade.

Created only in an empty data folder; it never touches a folder that already
holds components or workers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from domain.bootstrap import Desk
from domain.model.errors import WorkerDeskError
from domain.storage.samples import SAMPLES, read_source

DEMO_COMPONENT = "counter"


@dataclass
class DemoSummary:
    components: list[str] = field(default_factory=list)
    workers: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


class WorkspaceNotEmpty(WorkerDeskError):
    pass


def is_empty(desk: Desk) -> bool:
    return not desk.components.list() and not desk.workers.list()


def create_demo(desk: Desk) -> DemoSummary:
    """Register the counter family v0..v3 and three workers with some history.

    - ``counter/alice`` on v0: automatic update to v1 succeeds, to v2 diverges.
    - ``counter/bob`` on v1: manual update to v2 succeeds (state migrated), to v3 reverts.
    - ``counter/carol`` on v2 after a manual upgrade from v1, with a failed attempt on record.
    """
    if not is_empty(desk):
        raise WorkspaceNotEmpty(
            f"the data folder {desk.paths.data} already holds components or workers; "
            "the demo is only created in an empty one"
        )
    summary = DemoSummary()
    counters = sorted((s for s in SAMPLES if s.name == DEMO_COMPONENT), key=lambda s: s.version)
    for sample in counters:
        desk.components.add(DEMO_COMPONENT, read_source(sample).encode(), source=sample.source.name)
    summary.components.append(DEMO_COMPONENT)

    w = desk.workers
    w.create(DEMO_COMPONENT, "alice", version=0, env={"TEAM": "demo"})
    for n in ("5", "7", "30"):
        w.invoke(f"{DEMO_COMPONENT}/alice", "increment", [n])
    w.invoke(f"{DEMO_COMPONENT}/alice", "get", [])

    w.create(DEMO_COMPONENT, "bob", version=1)
    for n in ("2", "40"):
        w.invoke(f"{DEMO_COMPONENT}/bob", "increment", [n])

    w.create(DEMO_COMPONENT, "carol", version=1)
    for n in ("10", "11", "12"):
        w.invoke(f"{DEMO_COMPONENT}/carol", "increment", [n])
    w.update(f"{DEMO_COMPONENT}/carol", "auto", 2)  # diverges: recorded as failed
    w.update(f"{DEMO_COMPONENT}/carol", "manual", 2)  # migrates its state
    w.invoke(f"{DEMO_COMPONENT}/carol", "get", [])

    summary.workers = [f"{DEMO_COMPONENT}/{n}" for n in ("alice", "bob", "carol")]
    summary.notes = [
        "counter/alice (v0): try an automatic update to v1 (succeeds) or v2 (diverges)",
        "counter/bob (v1): try a manual update to v2 (succeeds) or v3 (rejected, reverts)",
        "counter/carol (v2): already upgraded manually; see its history and the audit",
    ]
    return summary
