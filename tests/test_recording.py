"""The raw session log: round trip, crash safety (kill -9), torn tails, replay, analysis."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import struct
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

from analysis.errors import InputError
from analysis.layouts import SOLEWATCH_16
from firmware_bridge import profile as pf
from firmware_bridge.readers import detect_kind, load_input, read_file
from firmware_bridge.recording import (
    MAGIC,
    DeviceInfo,
    RecordingWriter,
    pair_for,
    read_log,
    repair,
    replay,
    replay_to_streams,
)
from fixtures.recordings import RECORDINGS, calibration

REPO = Path(__file__).resolve().parents[1]
RECORDINGS_DIR = REPO / "fixtures" / "data" / "recordings"
RATES = pf.Rates(pressure_hz=100, temperature_period_ms=1000, tick_hz=1000)
DEVICES = [
    DeviceInfo("C0:FF:EE:00:00:01", "left", pf.encode_layout(SOLEWATCH_16),
               pf.encode_calibration(calibration(SOLEWATCH_16)), pf.encode_rates(RATES)),
    DeviceInfo("C0:FF:EE:00:00:02", "right", pf.encode_layout(SOLEWATCH_16),
               pf.encode_calibration(calibration(SOLEWATCH_16)), pf.encode_rates(RATES)),
]


def _write_small(path: Path, n: int = 50, t0: float = 1_773_565_200.0, dt: float = 0.01):
    with RecordingWriter(path, wearer="W", devices=DEVICES, created_unix_s=t0) as w:
        w.event(t0, "connect", device=0)
        for i in range(n):
            w.notification(t0 + i * dt, i % 2, "pressure", bytes([i % 256]) * (1 + i % 7))
        w.notification(t0 + n * dt, 0, pf.BATTERY_LEVEL_UUID, b"\x55")
        w.notification(t0 + n * dt, 1, pf.CURRENT_TIME_UUID, b"\x01\x02")
        w.event(t0 + n * dt, "note", text="fin ✓")


def test_round_trip(tmp_path):
    p = tmp_path / "a.swlog"
    _write_small(p)
    assert p.read_bytes()[:6] == MAGIC
    log = read_log(p)
    assert log.problems == [] and log.ignored_bytes == 0
    assert log.session["wearer"] == "W" and log.devices == DEVICES
    assert len(log.data) == 52
    assert log.data[7] == bytes([7]) * 1 and log.data[13] == bytes([13]) * 7
    np.testing.assert_allclose(np.diff(log.host_time_s[:50]), 0.01, atol=1e-6)
    assert log.device[:4].tolist() == [0, 1, 0, 1]
    assert log.characteristic[50] == pf.BATTERY_LEVEL_UUID
    assert log.characteristic[51] == pf.CURRENT_TIME_UUID
    assert [e.kind for e in log.events] == ["connect", "note"]
    assert log.events[0].device == DEVICES[0] and log.events[1].text == "fin ✓"
    # a device that joins later is recorded and named in later notifications
    with RecordingWriter(p, append=True) as w:
        i = w.add_device(DeviceInfo("C0:FF:EE:00:00:03", "left", DEVICES[0].layout,
                                    DEVICES[0].calibration, DEVICES[0].rates))
        w.notification(1_773_565_300.0, i, "temperature", b"\x01")
    log = read_log(p)
    assert len(log.devices) == 3 and log.device[-1] == 2 and log.problems == []


_WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {repo!r})
    from firmware_bridge.recording import RecordingWriter, DeviceInfo
    dev = DeviceInfo("C0:FF:EE:00:00:01", "left", b"", b"", b"")
    with RecordingWriter({path!r}, devices=[dev]) as w:
        print("ready", flush=True)
        i = 0
        next_t = time.monotonic()
        while True:
            w.notification(time.time(), 0, "pressure", i.to_bytes(4, "little") * 5)
            i += 1
            next_t += 0.01
            time.sleep(max(0.0, next_t - time.monotonic()))
""")


def test_kill_9_loses_at_most_a_second_and_every_recovered_record_is_intact(tmp_path):
    path = tmp_path / "killed.swlog"
    proc = subprocess.Popen([sys.executable, "-c", _WRITER.format(repo=str(REPO),
                                                                 path=str(path))],
                            stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(3.0)
        killed_at = time.time()
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == -signal.SIGKILL
    log = read_log(path)
    n = len(log.data)
    counters = [struct.unpack_from("<I", d)[0] for d in log.data]
    assert counters == list(range(n))  # in order, none missing, none damaged
    assert all(d == d[:4] * 5 for d in log.data)
    assert killed_at - log.host_time_s[-1] <= 1.0
    assert n >= 150  # about 100 a second for 3 s, allowing for a slow machine
    # whatever tail there was is reported, and repair makes the file appendable
    repair(path)
    with RecordingWriter(path, append=True) as w:
        w.notification(time.time(), 0, "pressure", b"after")
    log2 = read_log(path)
    assert len(log2.data) == n + 1 and log2.data[-1] == b"after" and log2.problems == []


def test_torn_tail_is_reported_repaired_and_appended_to(tmp_path):
    p = tmp_path / "torn.swlog"
    _write_small(p)
    whole = p.read_bytes()
    p.write_bytes(whole[:-7])  # the last record cut mid-way
    log = read_log(p)
    assert len(log.events) == 1  # the cut "note" event is gone, all else is there
    assert len(log.data) == 52
    assert log.ignored_bytes > 0
    (prob,) = log.problems
    assert f"last {log.ignored_bytes} bytes were ignored" in prob.message
    with pytest.raises(ValueError, match="repair"):
        RecordingWriter(p, append=True)
    assert repair(p) == log.ignored_bytes
    assert repair(p) == 0
    with RecordingWriter(p, append=True) as w:
        w.event(1.0, "disconnect", device=1, text="link lost")
    log = read_log(p)
    assert log.problems == [] and [e.kind for e in log.events] == ["connect", "disconnect"]


def test_a_damaged_record_stops_the_reader_there_with_the_count_of_bytes_ignored(tmp_path):
    p = tmp_path / "bad.swlog"
    _write_small(p)
    b = bytearray(p.read_bytes())
    b[len(b) // 2] ^= 0xFF
    p.write_bytes(bytes(b))
    log = read_log(p)
    assert 0 < len(log.data) < 52
    assert "CRC32" in log.problems[0].message
    assert log.valid_bytes + log.ignored_bytes == len(b)


def _replay_times(path, speed):
    async def go():
        loop = asyncio.get_running_loop()
        got = []
        t_start = loop.time()
        async for n in replay(path, speed=speed):
            got.append((loop.time() - t_start, n.host_time_s, n.data))
        return got
    return asyncio.run(go())


@pytest.mark.parametrize("speed", [1.0, 10.0])
def test_replay_keeps_order_and_relative_timing(tmp_path, speed):
    p = tmp_path / "r.swlog"
    _write_small(p, n=21, dt=0.03)  # 0.6 s of notifications
    got = _replay_times(p, speed)
    log = read_log(p)
    assert [g[2] for g in got] == log.data
    wall = np.array([g[0] for g in got])
    rec = np.array([g[1] for g in got]) - got[0][1]
    assert np.all(np.diff(wall) >= -1e-6)
    # every notification comes no earlier than its scaled time, and not much later
    assert np.all(wall >= rec / speed - 0.005)
    assert np.median(wall - rec / speed) < 0.05
    assert wall[-1] == pytest.approx(rec[-1] / speed, abs=0.25)


def test_replay_as_fast_as_possible_through_the_live_path_equals_the_batch_export():
    path = RECORDINGS_DIR / "faults_mtu247.swlog"

    async def live():
        log = read_log(path)
        pair = pair_for(log.devices, source=str(path))
        out = []
        async for n in replay(path, speed=None):
            pair.feed(n.device.side, n.host_time_s, n.characteristic, n.data)
            if len(out) % 100 == 0:
                out.append(pair.drain().pressure)
            else:
                out.append(None)
        out.append(pair.drain(final=True).pressure)
        return [p for p in out if p is not None]

    batches = asyncio.run(live())
    batch = replay_to_streams(path)
    live_left = np.concatenate([b.left for b in batches])
    assert live_left.shape == batch.pressure.left.shape
    np.testing.assert_array_equal(live_left, batch.pressure.left)


def test_fixture_recordings_load_through_the_readers():
    truth = json.loads((RECORDINGS_DIR / "truth.json").read_text())
    for spec in RECORDINGS:
        path = RECORDINGS_DIR / f"{spec.name}.swlog"
        assert path.stat().st_size < 1_000_000
        assert detect_kind(path) == "solewatch_log"
        rec = load_input(path)
        assert rec.pressure is not None and rec.temperature is not None
        assert rec.pressure.n_samples == pytest.approx(spec.duration_s * 100, abs=3)
        assert rec.temperature.values_c.shape[1:] == (2, 6)
        assert read_file(path).n_samples == rec.pressure.n_samples
        assert truth[spec.name]["duration_s"] == spec.duration_s
    faults = replay_to_streams(RECORDINGS_DIR / "faults_mtu247.swlog")
    left, right = faults.stats["left"], faults.stats["right"]
    assert left.reboots == 1 and left.lost >= 30  # the 1.5 s burst at 20 frames/s
    assert any(a <= 1_773_565_220.5 <= b for a, b in left.gaps_s)
    assert right.duplicates > 0 and right.truncated > 0 and right.out_of_order > 0
    for s in (left, right):
        assert s.received == s.emitted + s.duplicates + s.late_dropped + s.malformed \
            + s.truncated


def _nearest_error_s(found, truth):
    found = np.sort(found)
    i = np.clip(np.searchsorted(found, truth), 1, found.size - 1)
    return np.minimum(np.abs(found[i] - truth), np.abs(found[i - 1] - truth))


@pytest.mark.parametrize("name", ["walk_mtu23", "faults_mtu247"])
def test_a_recording_analysed_end_to_end_finds_the_generated_gait_events(name):
    from analysis.pipeline import analyze

    path = RECORDINGS_DIR / f"{name}.swlog"
    truth = json.loads((RECORDINGS_DIR / "truth.json").read_text())[name]
    rec = load_input(path)
    result = analyze(pressure=rec.pressure, temperature=rec.temperature, source=str(path),
                     problems=rec.problems)
    offset_s = rec.pressure.start.timestamp() - 1_773_565_200.0  # truth counts from START
    assert abs(offset_s) < 0.02
    for foot in ("left", "right"):
        ic = result.gait.events[foot].initial_contacts_s + offset_s
        true_ic = np.asarray(truth["initial_contact_s"][foot])
        if name == "faults_mtu247" and foot == "left":  # lost burst and reboot: no samples
            out = ((true_ic > 19.5) & (true_ic < 22.0)) | ((true_ic > 39.5) & (true_ic < 42.5))
            true_ic = true_ic[~out]
        err = _nearest_error_s(ic, true_ic)
        assert np.mean(err < 0.04) >= 0.9, f"{foot}: {np.sort(err)[-5:]}"
        assert np.median(err) < 0.02


def test_a_log_cut_at_any_byte_reads_every_record_before_the_cut(tmp_path):
    src = tmp_path / "whole.swlog"
    _write_small(src, n=12)
    whole = src.read_bytes()
    full = read_log(src)
    cut = tmp_path / "cut.swlog"
    session_end = None
    for k in (*range(0, len(whole) - 400, 5), *range(len(whole) - 400, len(whole) + 1)):
        cut.write_bytes(whole[:k])
        try:
            log = read_log(cut)
        except InputError as exc:  # only before the session record is complete
            assert session_end is None, f"cut at {k}: {exc}"
            continue
        session_end = session_end or k
        assert log.valid_bytes + log.ignored_bytes == k
        assert log.data == full.data[: len(log.data)]
        assert (log.ignored_bytes > 0) == (len(log.problems) > 0)
