"""Crash points: the process kills itself at a named stage when asked to.

The crash-safety tests set ``WORKERDESK_CRASH_AT=<stage>`` for a CLI
process; the services announce each stage through the ``CrashPoints`` port.
"""

from __future__ import annotations

import os
import signal

CRASH_ENV = "WORKERDESK_CRASH_AT"


class EnvCrashPoints:
    """Kill this process with SIGKILL when it reaches the stage named in ``WORKERDESK_CRASH_AT``."""

    def __init__(self) -> None:
        self.stage = os.environ.get(CRASH_ENV) or None

    def reach(self, stage: str) -> None:
        if stage == self.stage:
            os.kill(os.getpid(), signal.SIGKILL)
