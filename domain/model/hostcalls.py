"""The single recording point of a worker's non-deterministic host calls.

In live mode a host call asks the real clock or random source and the
value is appended to :attr:`HostCalls.recorded`. In replay mode the recorded
values are handed back in order, and a call that does not match the next
recorded one raises :class:`HostCallDivergence`.

Recorded entries are JSON-ready pairs ``[call, value]`` where ``call`` names
the interface and function (``wasi:random/random.get-random-u64``) without
the WASI patch version, so a component built against another 0.2.x release
replays the same history.

Golem's host API (``golem:api/host.generate-idempotency-key``) records
through the same point. Two things ride along for it: :attr:`HostCalls.position`,
the history entry the current invocation will get, and
:attr:`HostCalls.effects`, what live calls asked of the services once the
invocation is over (a policy to store, an update to queue); replayed calls
add no effects.
"""

from __future__ import annotations

import json
from typing import Any, Callable

from domain.model.errors import HostCallDivergence

LIVE = "live"
REPLAY = "replay"


class HostCalls:
    __slots__ = ("mode", "recorded", "_expected", "_position", "divergence", "position", "effects", "env_version")

    def __init__(self) -> None:
        self.mode = LIVE
        self.recorded: list[list[Any]] = []
        self._expected: list[list[Any]] = []
        self._position = 0
        self.divergence: HostCallDivergence | None = None
        self.position = 0
        self.effects: list[tuple[Any, ...]] = []
        # During replay: the component version the replayed invocation ran on,
        # which the guest's environment shows (None: the instance's own).
        self.env_version: int | None = None

    def go_live(self) -> None:
        """Start recording a new invocation."""
        self.mode = LIVE
        self.recorded = []
        self.effects = []
        self.env_version = None
        self.divergence = None

    def go_replay(self, expected: list[list[Any]]) -> None:
        """Start replaying one invocation's recorded host calls."""
        self.mode = REPLAY
        self._expected = expected
        self._position = 0
        self.recorded = []
        self.effects = []
        self.divergence = None

    def finish_replay(self) -> None:
        """Check that the replayed invocation used every recorded host call."""
        if self.mode == REPLAY and self.divergence is None and self._position < len(self._expected):
            expected = self._expected[self._position]
            self.divergence = HostCallDivergence(self._position, describe(expected), None)
            raise self.divergence

    def call(self, name: str, live: Callable[[], Any], check: Callable[[Any], bool] | None = None) -> Any:
        """Return the recorded value in replay mode, else ``live()`` recorded.

        ``live`` returns the JSON-ready value to record; ``check`` (replay only)
        tells whether a recorded value fits this call's arguments.
        """
        if self.mode == LIVE:
            value = live()
            self.recorded.append([name, value])
            return value
        position = self._position
        expected = self._expected[position] if position < len(self._expected) else None
        if expected is None or expected[0] != name or (check is not None and not check(expected[1])):
            self.divergence = HostCallDivergence(
                position,
                describe(expected) if expected is not None else None,
                name,
            )
            raise self.divergence
        self._position = position + 1
        self.recorded.append(expected)
        return expected[1]


def describe(entry: list[Any]) -> str:
    """A short text for one recorded host call, e.g. ``wasi:random/random.get-random-u64 -> 7``."""
    name, value = entry[0], entry[1]
    if isinstance(value, str) and name.endswith("bytes"):
        return f"{name} -> {len(value) // 2} bytes"
    if name.startswith("golem:"):
        text = json.dumps(value, separators=(",", ":")) if isinstance(value, (dict, list)) else str(value)
        if isinstance(value, bool) or value is None:
            text = json.dumps(value)
        return f"{name} -> {text if len(text) <= _SHOWN else text[: _SHOWN - 1] + '…'}"
    return f"{name} -> {value}"


_SHOWN = 72
