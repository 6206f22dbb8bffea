"""The demo workspace and the built-in self-check."""

from __future__ import annotations

import pytest

from domain.bootstrap import open_desk
from domain.demo import WorkspaceNotEmpty, create_demo
from tests.conftest import run_cli


def test_the_demo_tells_the_whole_update_story(home):
    desk = open_desk(home)
    try:
        summary = create_demo(desk)
        assert summary.workers == ["counter/alice", "counter/bob", "counter/carol"]
        assert [v.version for v in desk.components.get("counter").versions] == [0, 1, 2, 3]
        w = desk.workers
        # Automatic update to an identical version with snapshot support: succeeds.
        ok = w.update("counter/alice", "auto", 1)
        assert ok.ok, ok.message()
        # Automatic update to the version that changed its state layout: diverges.
        diverged = w.update("counter/alice", "auto", 2)
        assert not diverged.ok and diverged.divergence["kind"] == "result"
        assert w.get("counter/alice")["componentVersion"] == 1
        # Manual update migrates the state in load-snapshot.
        before = int(w.invoke("counter/bob", "get", []).result_wave)
        migrated = w.update("counter/bob", "manual", 2)
        assert migrated.ok, migrated.message()
        assert int(w.invoke("counter/bob", "get", []).result_wave) == before * 100
        # A version whose load-snapshot rejects the snapshot: the update reverts.
        w.invoke("counter/alice", "increment", ["1"])
        reverted = w.update("counter/bob", "manual", 3)
        assert not reverted.ok and reverted.stage == "load"
        assert w.get("counter/bob")["componentVersion"] == 2
        assert int(w.invoke("counter/bob", "get", []).result_wave) == before * 100
        # carol arrives with an update history for the audit view.
        assert [u["type"] for u in w.get("counter/carol")["updates"]] == ["failedUpdate", "successfulUpdate"]
    finally:
        desk.close()


def test_the_demo_never_touches_a_folder_with_user_data(home, counter_family):
    desk = open_desk(home)
    try:
        desk.components.add("mine", counter_family[0])
        with pytest.raises(WorkspaceNotEmpty):
            create_demo(desk)
        assert [c.name for c in desk.components.list()] == ["mine"]
    finally:
        desk.close()


def test_the_self_check_prints_ok(home):
    pytest.importorskip("PySide6", reason="the self-check of an installed build checks that Qt is there")
    r = run_cli(home, "--self-check")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.strip().splitlines()[-1].startswith("OK")
