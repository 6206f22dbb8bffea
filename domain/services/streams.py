"""Queries over the raw event store shared by the services."""

from __future__ import annotations

from typing import Any, Iterator
from uuid import UUID


def originators(recorder: Any, topics: list[str], page: int = 500) -> Iterator[UUID]:
    """Ids of the aggregates with an event of one of ``topics`` (a class's own topic
    and its old ones, see ``domain.model.worker.topics_of``), in the order they were recorded."""
    start = 1
    while True:
        batch = recorder.select_notifications(start=start, limit=page, topics=topics)
        if not batch:
            return
        for n in batch:
            yield UUID(str(n.originator_id))
        start = batch[-1].id + 1
