"""In-flight markers: what tells a killed invocation from a finished one."""

from __future__ import annotations

from domain.storage.inflight import InflightMarkers, runner_alive, runner_token


def test_a_marked_call_of_a_dead_process_is_an_orphan_and_a_cleared_one_is_not(tmp_path):
    markers = InflightMarkers(tmp_path)
    markers.mark("w1", {"function": "f", "args": ["1"], "position": 7})
    # This process is alive: its markers are never orphans.
    assert markers.orphans("w1") == []
    # Markers left on this host by processes that no longer exist.
    host = runner_token().split(":")[0]
    dead = tmp_path / f"w1.{host}_999999_1.json"
    dead.write_bytes(b'1{"function": "g", "args": [], "position": 3}\n')
    idle = tmp_path / f"w1.{host}_999998_1.json"
    idle.write_bytes(b'0{"function": "h", "args": [], "position": 2}\n')
    found = {p.name: payload for p, payload in markers.orphans("w1")}
    assert found == {dead.name: {"function": "g", "args": [], "position": 3}, idle.name: {}}


def test_closing_removes_idle_marker_files(tmp_path):
    markers = InflightMarkers(tmp_path)
    markers.mark("w1", {"position": 1})
    markers.clear("w1")
    markers.close()
    assert list(tmp_path.iterdir()) == []


def test_runner_tokens_identify_this_process():
    host = runner_token().split(":")[0]
    assert runner_alive(runner_token())
    assert not runner_alive(f"{host}:999999:1")
    assert runner_alive("another-desktop:1:1")  # a team member's process is assumed alive
