"""Opening a team store whose tables exist does not make the server log errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from domain.bootstrap import open_desk
from tests.conftest import use_postgres

pytestmark = pytest.mark.postgres


def _server_log() -> Path:
    log = Path(os.environ.get("WORKERDESK_PG_TEST_DIR", "/tmp/workerdesk-pg")) / "log"
    if not log.exists():
        pytest.skip(f"the test server's log {log} is not readable here (.ci/postgres.sh writes it)")
    return log


def test_reopening_a_team_store_logs_no_already_exists_errors(home):
    use_postgres(home)
    log = _server_log()
    open_desk(home).close()  # creates the tables
    before = log.read_text(errors="replace").count("already exists")
    for _ in range(3):
        desk = open_desk(home)
        desk.components.list()
        desk.close()
    after = log.read_text(errors="replace").count("already exists")
    assert after == before
