"""Large arguments, results and output: O(size) storage, replay from the blob store, a cap per call."""

from __future__ import annotations

import pytest

from domain.model.errors import BadArguments
from domain.model.payload import from_text
from tests.conftest import run_cli

MIB = 1024 * 1024


@pytest.fixture
def kitchen(open_home, kitchen_wasm):
    desk = open_home()
    desk.components.add("kitchen", kitchen_wasm)
    desk.workers.create("kitchen", "k")
    return desk, open_home


def _event_sizes(desk, ref):
    wid = desk.workers.worker_id(ref)
    return [len(bytes(s.state)) for s in desk.workers.store.stored(wid)]


def test_a_one_mib_echo_leaves_a_small_event_and_replays_from_the_blob_store(kitchen):
    desk, reopen = kitchen
    data = bytes(range(256)) * 4096  # 1 MiB
    desk.workers.invoke("kitchen/k", "echo-u8", ["1"])  # the guest seeds its hash tables (a few KiB of random bytes) on its first call
    r = desk.workers.invoke_values("kitchen/k", "echo-bytes", [data])
    assert r.result == data
    assert _event_sizes(desk, "kitchen/k")[-1] < 1024
    entry = desk.workers.oplog("kitchen/k")[-1]
    assert from_text(entry.data["args"][0]).size == MIB and from_text(entry.data["result"]).size == MIB
    assert "<1.0 MiB list<u8>, sha256" in entry.summary()
    again = reopen()  # a restarted process replays the call from the blobs
    assert again.workers.recover("kitchen/k") == 2
    assert again.workers.invoke("kitchen/k", "echo-u8", ["3"]).result_wave == "3"


def test_a_large_value_of_another_type_is_kept_as_wave_text_in_a_blob(kitchen):
    desk, reopen = kitchen
    text = "x" * 10_000
    r = desk.workers.invoke("kitchen/k", "echo-string", [f'"{text}"'])
    assert r.result == text
    entry = desk.workers.oplog("kitchen/k")[-1]
    assert from_text(entry.data["args"][0]).media_type == "text/x-wave"
    assert again_recovers(reopen)


def again_recovers(reopen) -> bool:
    return reopen().workers.recover("kitchen/k") == 1


def test_captured_output_is_capped_with_a_visible_marker(kitchen):
    desk, _ = kitchen
    line = "y" * 60_000
    r = desk.workers.invoke("kitchen/k", "say", [f'"{line}"'])
    assert r.stdout == line + "\n"  # the caller gets all of it
    kept = desk.workers.oplog("kitchen/k")[-1].data["stdout"]
    assert kept.startswith("y" * 16384) and kept.endswith("[truncated: 43,617 more characters not kept]\n")


def test_arguments_over_the_cap_are_refused_in_one_line(home, kitchen_wasm):
    from domain.bootstrap import open_desk

    (home / "config").mkdir(exist_ok=True)
    (home / "config" / "settings.json").write_text('{"max_argument_mib": 1}')
    desk = open_desk(home)
    try:
        desk.components.add("kitchen", kitchen_wasm)
        desk.workers.create("kitchen", "k")
        with pytest.raises(BadArguments) as e:
            desk.workers.invoke_values("kitchen/k", "echo-bytes", [b"z" * (2 * MIB)])
        assert str(e.value) == (
            "the arguments of workerdesk:kitchen/api.{echo-bytes} hold 2 MiB of data, more than the 1 MiB one call "
            "may pass (max_argument_mib in the settings; each byte costs wasmtime-py about 80 bytes of host memory "
            "on the way in)"
        )
        assert desk.workers.oplog("kitchen/k")[-1].kind == "create"  # nothing recorded
    finally:
        desk.close()


def test_cli_passes_a_file_as_list_u8_and_reads_arguments_from_a_file(home, kitchen_wasm, tmp_path):
    comp = tmp_path / "kitchen.wasm"
    comp.write_bytes(kitchen_wasm)
    assert run_cli(home, "component", "add", "kitchen", str(comp)).returncode == 0
    assert run_cli(home, "worker", "new", "kitchen", "k").returncode == 0
    blob = tmp_path / "data.bin"
    blob.write_bytes(b"\x00\x01\x02" * 3000)
    r = run_cli(home, "worker", "invoke", "kitchen/k", "echo-bytes", f"@file:{blob}", "--json")
    assert r.returncode == 0, r.stderr
    args_file = tmp_path / "args.wave"
    args_file.write_text('{x: 1, y: -2, label: "a, b"}\n')
    r = run_cli(home, "worker", "invoke", "kitchen/k", "echo-point", "--args-file", str(args_file))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == '{x: 1, y: -2, label: "a, b"}'
    missing = run_cli(home, "worker", "invoke", "kitchen/k", "echo-bytes", "@file:/no/such/file")
    assert missing.returncode != 0 and missing.stderr.startswith("error: cannot read @file:/no/such/file")


def test_large_random_bytes_live_in_the_blob_store_and_replay_from_it(open_home, to_wasm):
    from tests import wat

    desk = open_home()
    desk.components.add("rand", to_wasm(wat.RANDOM_BYTES))
    desk.workers.create("rand", "r")
    first = desk.workers.invoke("rand/r", "checksum", ["65536"]).result_wave
    [call] = desk.workers.oplog("rand/r")[-1].data["hostCalls"]
    ref = from_text(call[-1])
    assert ref is not None and ref.size == 65536
    assert _event_sizes(desk, "rand/r")[-1] < 1024
    again = open_home()
    assert again.workers.recover("rand/r") == 1
    assert again.workers.invoke("rand/r", "last", []).result_wave == first
