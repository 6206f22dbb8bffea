"""Stored events: compression is the store's own, fixed when it is created."""

from __future__ import annotations

import shutil
import sqlite3

from domain.bootstrap import open_desk
from tests import wat
from tests.conftest import GOLDEN


def _first_state(home) -> bytes:
    with sqlite3.connect(home / "data" / "workerdesk.sqlite") as db:
        return bytes(db.execute("SELECT state FROM stored_events ORDER BY rowid LIMIT 1").fetchone()[0])


def _counter_desk(home, monkeypatch, compression: str, to_wasm):
    monkeypatch.setenv("WORKERDESK_COMPRESSION", compression)
    desk = open_desk(home)
    desk.components.add("counter", to_wasm(wat.counter()))
    desk.workers.create("counter", "w")
    desk.workers.invoke("counter/w", "increment", ["5"])
    desk.close()


def test_a_store_created_with_compression_stores_compressed_events_and_reads_them_back(home, monkeypatch, to_wasm):
    _counter_desk(home, monkeypatch, "zlib", to_wasm)
    assert _first_state(home)[:1] == b"\x78"  # a zlib stream, not JSON
    monkeypatch.setenv("WORKERDESK_COMPRESSION", "none")  # a later setting does not change the store
    desk = open_desk(home)
    try:
        assert desk.workers.invoke("counter/w", "increment", ["1"]).result_wave == "6"
        assert [e.kind for e in desk.workers.oplog("counter/w")] == ["create", "invocation", "invocation"]
    finally:
        desk.close()


def test_an_uncompressed_store_stays_uncompressed_whatever_the_setting(home, monkeypatch, to_wasm):
    _counter_desk(home, monkeypatch, "none", to_wasm)
    monkeypatch.setenv("WORKERDESK_COMPRESSION", "zlib")
    desk = open_desk(home)
    try:
        assert desk.workers.invoke("counter/w", "get", []).result_wave == "5"
    finally:
        desk.close()
    with sqlite3.connect(home / "data" / "workerdesk.sqlite") as db:
        states = [bytes(r[0])[:1] for r in db.execute("SELECT state FROM stored_events")]
    assert set(states) == {b"{"}


def test_the_golden_folder_opens_with_its_own_settings_under_any_compression_setting(tmp_path, monkeypatch):
    home = tmp_path / "golden"
    shutil.copytree(GOLDEN, home)
    monkeypatch.setenv("WORKERDESK_COMPRESSION", "zlib")
    desk = open_desk(home)
    try:
        assert desk.workers.invoke("counter/alice", "get", []).result_wave == "43"
    finally:
        desk.close()


def test_an_unknown_compression_is_one_clear_error(home, monkeypatch):
    import pytest

    from domain.storage.settings import SettingsError

    monkeypatch.setenv("WORKERDESK_COMPRESSION", "lz4")
    with pytest.raises(SettingsError, match="unknown compression 'lz4': use none or zlib"):
        open_desk(home)
