"""Pictures of time: a worker's version timeline and a component's drain view."""

from .drain import DrainChart
from .strip import TimelineStrip

__all__ = ["DrainChart", "TimelineStrip"]
