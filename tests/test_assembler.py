"""InsoleAssembler and PairAssembler: frames in, valid analysis streams out."""

from __future__ import annotations

from datetime import UTC

import numpy as np
import pytest

from analysis.layouts import SOLEWATCH_16
from analysis.streams import PressureStream, TemperatureStream
from firmware_bridge import profile as pf
from firmware_bridge.stream import (
    InsoleAssembler,
    PairAssembler,
    characteristic_name,
    concat_pressure,
    concat_temperature,
)
from fixtures.recordings import LinkSpec, simulate_link

RATES = pf.Rates(pressure_hz=100, temperature_period_ms=1000, tick_hz=1000)
K = SOLEWATCH_16.n_sensors
HOST0 = 1_773_565_200.0


def _cal(offset=0, gain=1.0):
    return pf.CalibrationRecord(np.full(K, offset, np.uint16), np.full(K, gain, np.float32))


def _counts(n, seed=0):
    rng = np.random.default_rng(seed)
    return rng.integers(0, 4000, size=(n, K)).astype(np.uint16)


def _feed_frames(asm, frames, *, t0=HOST0, step_s=0.005, char="pressure"):
    for i, f in enumerate(frames):
        asm.feed(t0 + 0.002 + i * step_s, char, f)


def test_half_frames_are_joined_and_a_lost_half_leaves_only_its_channels_nan():
    counts = _counts(300)
    frames = pf.encode_pressure_frames(counts, ticks_per_sample=10, mtu=23)
    assert len(frames) == 600 and all(len(f) == 20 for f in frames)
    del frames[101]  # the second half of sample 50
    asm = InsoleAssembler("left", SOLEWATCH_16, _cal(), RATES)
    _feed_frames(asm, frames[:100], step_s=0.005)
    _feed_frames(asm, frames[100:], t0=HOST0 + 0.5, step_s=0.005)
    out = asm.drain(final=True)
    assert out.pressure_kpa.shape == (300, K)
    h = pf.first_half_channels(K)
    np.testing.assert_array_equal(out.pressure_kpa[:50], counts[:50].astype(np.float32))
    np.testing.assert_array_equal(out.pressure_kpa[50, :h], counts[50, :h])
    assert np.isnan(out.pressure_kpa[50, h:]).all()
    np.testing.assert_array_equal(out.pressure_kpa[51:], counts[51:].astype(np.float32))
    assert np.all(np.diff(out.pressure_time_s) > 0)
    s = asm.stats
    assert s.lost == 1 and s.emitted == 599 and s.received == 599


def test_counts_become_kpa_with_the_calibration_and_invalid_counts_nan():
    counts = np.array([[0, 10, 40, 41, 1000, 0xFFF] + [50] * (K - 6)] * 3, dtype=np.uint16)
    cal = pf.CalibrationRecord(np.full(K, 40, np.uint16), np.full(K, 0.5, np.float32))
    asm = InsoleAssembler("right", pf.encode_layout(SOLEWATCH_16), pf.encode_calibration(cal),
                          pf.encode_rates(RATES))  # raw characteristic bytes work too
    frames = pf.encode_pressure_frames(counts, ticks_per_sample=10, mtu=247)
    _feed_frames(asm, frames)
    kpa = asm.drain(final=True).pressure_kpa
    np.testing.assert_allclose(kpa[0, :5], [0.0, 0.0, 0.0, 0.5, 480.0])
    assert np.isnan(kpa[:, 5]).all()
    np.testing.assert_allclose(kpa[:, 6:], 5.0)


def test_malformed_and_truncated_frames_are_counted_with_their_reason_never_raised():
    counts = _counts(40)
    good = pf.encode_pressure_frames(counts, ticks_per_sample=10, mtu=247,
                                     max_samples_per_frame=4)
    bad = [
        b"",  # empty
        good[0][:5],  # shorter than the header
        good[1][:-3],  # cut by a stack at MTU - 3
        bytes([2]) + good[2][1:],  # version 2
        good[3][:1] + bytes([0x5 << 4 | 4]) + good[3][2:],  # unknown type 0x5
        good[4] + b"\x00",  # too long
        bytes([1, 0x10]) + good[5][2:8],  # zero samples
    ]
    temp_on_pressure = pf.encode_temperature_frames(np.full((1, 6), 30.0),
                                                    ticks_per_sample=1000, mtu=247)[0]
    asm = InsoleAssembler("left", SOLEWATCH_16, _cal(), RATES)
    _feed_frames(asm, [*bad, temp_on_pressure, *good[6:]])
    _feed_frames(asm, [good[0][:20]], char="temperature")  # a pressure cut on Temperature
    out = asm.drain(final=True)
    s = asm.stats
    assert s.truncated == 4  # empty, shorter than the header, cut, the cut one on Temperature
    assert s.malformed == 5  # version, type 0x5, too long, 0 samples, temperature on Pressure
    assert s.reasons["version"] == 1 and s.reasons["type"] >= 2 and s.reasons["count"] == 1
    assert out.pressure_kpa.shape == (16, K)  # frames 6..9, 4 samples each
    assert s.received == s.emitted + s.malformed + s.truncated + s.duplicates + s.late_dropped
    assert any("version 2" in p.message for p in asm.problems)


@pytest.mark.parametrize("char", ["pressure", pf.PRESSURE_UUID, pf.PRESSURE_UUID.upper()])
def test_characteristics_by_name_or_uuid(char):
    assert characteristic_name(char) == "pressure"
    assert characteristic_name(pf.TEMPERATURE_UUID) == "temperature"


def test_temperature_frames_become_celsius_on_the_temperature_stream():
    v = np.array([[30.0, 30.5, 31.0, 29.5, 28.0, 27.25]] * 5)
    v[2, 1] = np.nan
    frames = pf.encode_temperature_frames(v, ticks_per_sample=1000, mtu=23)
    pair = PairAssembler(InsoleAssembler("left", SOLEWATCH_16, _cal(), RATES), None)
    pf_frames = pf.encode_pressure_frames(_counts(500), ticks_per_sample=10, mtu=247,
                                          max_samples_per_frame=5)
    for i, f in enumerate(pf_frames):
        pair.feed("left", HOST0 + 0.05 * (i + 1) + 0.003, "pressure", f)
    for i, f in enumerate(frames):
        pair.feed("left", HOST0 + i + 0.004, pf.TEMPERATURE_UUID, f)
    batch = pair.drain(final=True)
    t = batch.temperature
    assert isinstance(t, TemperatureStream)
    assert t.values_c.shape == (5, 2, 6)
    np.testing.assert_allclose(t.values_c[[0, 1, 3, 4], 0], v[[0, 1, 3, 4]])
    assert np.isnan(t.values_c[2, 0, 1]) and np.isnan(t.values_c[:, 1]).all()
    np.testing.assert_allclose(np.diff(t.time_s), 1.0)


def _simulated_pair(n=4000, *, right_spec=None, right_garbage=False, right=True,
                    drain_every=300):
    specs = {"left": LinkSpec(drift_ppm=50, mtu=247, max_samples_per_frame=5, seed=1),
             "right": right_spec or LinkSpec(drift_ppm=-50, mtu=247,
                                             max_samples_per_frame=5, seed=2)}
    counts = {f: _counts(n, seed=i) for i, f in enumerate(specs)}
    temps = np.full((n // 100, 6), 30.0)
    feet = ("left", "right") if right else ("left",)
    links = {f: simulate_link(counts[f], temps, rates=RATES, host_start_s=HOST0,
                              spec=specs[f]) for f in feet}
    pair = PairAssembler(InsoleAssembler("left", SOLEWATCH_16, _cal(), RATES),
                         InsoleAssembler("right", SOLEWATCH_16, _cal(), RATES))
    events = sorted((t, f, c, d) for f in feet
                    for t, c, d in zip(links[f].host_s, links[f].characteristic,
                                       links[f].data, strict=True))
    if right_garbage:
        events += [(HOST0 + 0.013 + i * 0.05, "right", "pressure", b"\x01\x15garbage")
                   for i in range(n // 5)]
        events.sort(key=lambda e: e[0])
    batches = []
    for j, (t, f, c, d) in enumerate(events):
        pair.feed(f, t, c, d)
        if j % drain_every == drain_every - 1:
            batches.append(pair.drain())
    batches.append(pair.drain(final=True))
    return pair, batches


def test_batches_are_valid_analysis_streams_that_continue_one_another():
    _pair, batches = _simulated_pair()
    ps = [b.pressure for b in batches if b.pressure is not None]
    assert len(ps) > 5
    for p in ps:
        assert isinstance(p, PressureStream) and p.unit == "kPa"
        assert p.start == ps[0].start and p.start.tzinfo is not None
        assert p.start.utcoffset() == UTC.utcoffset(None)
        assert p.sample_rate_hz == 100.0
    whole = concat_pressure(ps)
    np.testing.assert_allclose(np.diff(whole.time_s), 0.01, atol=1e-9)
    assert abs(whole.start.timestamp() - HOST0) < 0.1
    assert whole.n_samples == pytest.approx(4000, abs=3)
    assert max(whole.invalid_fraction.values()) < 0.01
    temp = concat_temperature([b.temperature for b in batches])
    assert isinstance(temp, TemperatureStream) and temp.start == whole.start
    stats = batches[-1].stats
    assert stats["left"].lost == 0 and stats["right"].lost == 0


def test_an_insole_that_stops_is_nan_from_then_on_and_one_never_seen_is_none():
    _pair, batches = _simulated_pair(right_spec=LinkSpec(drift_ppm=-50, mtu=247,
                                                        max_samples_per_frame=5, seed=2,
                                                        stop_at_s=20.0))
    p = concat_pressure([b.pressure for b in batches])
    late = p.time_s > 21.0
    assert np.isnan(p.right[late]).all()
    assert not np.isnan(p.left[late]).any()
    assert (~np.isnan(p.right[p.time_s < 19.5])).all()
    # the grid went on while the right insole was silent (it did not wait for it)
    assert sum(b.pressure.n_samples for b in batches[:-1] if b.pressure is not None) > 3000
    # never seen: the foot is None
    _pair2, batches2 = _simulated_pair(right=False)
    p2 = concat_pressure([b.pressure for b in batches2])
    assert p2.right is None and p2.left is not None
    assert batches2[-1].stats["right"].received == 0


def test_one_insole_sending_garbage_never_stops_the_other():
    _pair, batches = _simulated_pair(right=False, right_garbage=True)
    p = concat_pressure([b.pressure for b in batches])
    assert p.left is not None and np.isfinite(p.left).mean() > 0.99
    s = batches[-1].stats["right"]
    assert s.received == s.malformed + s.truncated == 800


def test_random_bytes_never_crash_the_assembler():
    rng = np.random.default_rng(9)
    asm = InsoleAssembler("left", SOLEWATCH_16, _cal(), RATES)
    good = pf.encode_pressure_frames(_counts(50), ticks_per_sample=10, mtu=23)
    n = 0
    for i in range(2000):
        if i % 3 == 0:
            data = rng.integers(0, 256, rng.integers(0, 40)).astype(np.uint8).tobytes()
        else:  # a good frame with a few bytes flipped
            b = bytearray(good[i % len(good)])
            for j in rng.integers(0, len(b), 2):
                b[j] = int(rng.integers(0, 256))
            data = bytes(b)
        asm.feed(HOST0 + i * 0.005, "pressure" if i % 5 else "temperature", data)
        n += 1
        if i % 97 == 0:
            asm.drain()
    asm.drain(final=True)
    s = asm.stats
    assert s.received == n
    assert s.received == s.emitted + s.duplicates + s.late_dropped + s.malformed + s.truncated
