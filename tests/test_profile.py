"""The solewatch GATT profile codec (firmware_bridge/profile.py) against docs/ble-profile.md."""

from __future__ import annotations

import struct
from datetime import datetime

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from analysis.layouts import LAYOUTS, SOLEWATCH_16, SensorLayout
from analysis.sites import REGIONS
from firmware_bridge import profile as P
from firmware_bridge.profile import (
    INVALID_COUNT,
    CalibrationRecord,
    Command,
    CurrentTime,
    Frame,
    FrameError,
    FrameType,
    Opcode,
    Rates,
    Response,
    ResultCode,
    decode_frame,
    decode_pressure_batch,
    encode_frame,
    encode_pressure_frames,
    encode_temperature_frames,
)

SETTINGS = settings(max_examples=80, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


@st.composite
def pressure_frames(draw, n_sensors=None):
    k = draw(st.integers(1, 40)) if n_sensors is None else n_sensors
    types = [FrameType.PRESSURE_ALL] + ([FrameType.PRESSURE_FIRST_HALF,
                                         FrameType.PRESSURE_SECOND_HALF] if k >= 2 else [])
    ftype = draw(st.sampled_from(types))
    ch = P.frame_channels(ftype, k)[1]
    n = draw(st.integers(1, 15))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, INVALID_COUNT + 1, size=(n, ch)).astype(np.uint16)
    frame = Frame(ftype, draw(st.integers(0, 0xFFFF)), draw(st.integers(0, 2**32 - 1)), counts)
    return k, frame


@st.composite
def temperature_frames(draw):
    n = draw(st.integers(1, 15))
    centi = draw(st.lists(st.integers(-32767, 32767), min_size=6 * n, max_size=6 * n))
    values = np.array(centi, dtype=np.float64).reshape(n, 6) / 100.0
    holes = draw(st.lists(st.booleans(), min_size=6 * n, max_size=6 * n))
    values[np.array(holes).reshape(n, 6)] = np.nan
    return Frame(FrameType.TEMPERATURE, draw(st.integers(0, 0xFFFF)),
                 draw(st.integers(0, 2**32 - 1)), values)


# ------------------------------------------------------------------------------- frames


@SETTINGS
@given(pressure_frames())
def test_pressure_frame_round_trip(kf):
    k, frame = kf
    data = encode_frame(frame)
    assert len(data) == 8 + frame.n_samples * P.sample_bytes(frame.frame_type, k)
    back = decode_frame(data, n_sensors=k)
    assert back == frame
    assert back.samples.dtype == np.uint16


@SETTINGS
@given(temperature_frames())
def test_temperature_frame_round_trip(frame):
    data = encode_frame(frame)
    assert len(data) == 8 + 12 * frame.n_samples
    back = decode_frame(data, n_sensors=16)
    assert back.seq == frame.seq and back.tick == frame.tick
    np.testing.assert_array_equal(back.samples, frame.samples)  # NaN where NaN


@SETTINGS
@given(st.one_of(pressure_frames(), temperature_frames().map(lambda f: (16, f))))
def test_every_truncation_and_extension_is_rejected(kf):
    k, frame = kf
    data = encode_frame(frame)
    for cut in range(len(data)):
        with pytest.raises(FrameError) as err:
            decode_frame(data[:cut], n_sensors=k)
        assert err.value.length == cut
        assert err.value.field in {"header", "length"}
        assert "truncated" in str(err.value)
    with pytest.raises(FrameError, match="too long") as err:
        decode_frame(data + b"\x00", n_sensors=k)
    assert err.value.field == "length" and err.value.frame_type == frame.frame_type


def test_header_errors_name_the_field():
    data = bytearray(encode_frame(Frame(FrameType.PRESSURE_ALL, 7, 9,
                                        np.zeros((1, 16), np.uint16))))
    bad = bytearray(data)
    bad[0] = 2
    with pytest.raises(FrameError, match="version 2") as err:
        decode_frame(bytes(bad), n_sensors=16)
    assert (err.value.field, err.value.version, err.value.length) == ("version", 2, len(data))
    for t in (0x0, 0x5, 0xF):
        bad = bytearray(data)
        bad[1] = (t << 4) | 1
        with pytest.raises(FrameError, match="unknown frame type") as err:
            decode_frame(bytes(bad), n_sensors=16)
        assert (err.value.field, err.value.frame_type) == ("type", t)
    bad = bytearray(data)
    bad[1] = 0x10
    with pytest.raises(FrameError, match="count is 0") as err:
        decode_frame(bytes(bad), n_sensors=16)
    assert err.value.field == "count"
    # a second half does not exist for a one-sensor insole
    with pytest.raises(FrameError, match="second-half"):
        decode_frame(bytes([1, 0x31, 0, 0, 0, 0, 0, 0]), n_sensors=1)
    assert isinstance(FrameError("x"), P.InputError)


def test_header_layout_is_little_endian():
    frame = Frame(FrameType.PRESSURE_FIRST_HALF, 0x1234, 0xA1B2C3D4,
                  np.array([[1, 2, 3, 4, 5, 6, 7, 8]], np.uint16))
    data = encode_frame(frame)
    assert data[:8] == bytes([1, 0x21, 0x34, 0x12, 0xD4, 0xC3, 0xB2, 0xA1])


def test_twelve_bit_packing_follows_the_spec_bytes():
    a, b = 0xABC, 0x123
    packed = P.pack_counts(np.array([[a, b, 0xFFF]], np.uint16))
    assert packed.tolist() == [[0xBC, 0x3A, 0x12, 0xFF, 0x0F]]  # odd last channel: 2 bytes
    assert P.unpack_counts(packed, 3).tolist() == [[a, b, 0xFFF]]


@SETTINGS
@given(st.integers(1, 31).filter(lambda c: c % 2 == 1), st.integers(0, 2**32 - 1))
def test_packing_odd_channel_counts_round_trips(n_channels, seed):
    counts = np.random.default_rng(seed).integers(0, 4096, (5, n_channels)).astype(np.uint16)
    packed = P.pack_counts(counts)
    assert packed.shape == (5, (12 * n_channels + 7) // 8)
    assert np.all(packed[:, -1] >> 4 == 0)  # the unused high nibble stays 0
    np.testing.assert_array_equal(P.unpack_counts(packed, n_channels), counts)


def test_invalid_count_decodes_to_nan():
    counts = np.array([[0, 0xFFF, 4094], [0xFFF, 1, 2]], np.uint16)
    frame = decode_frame(encode_frame(Frame(FrameType.PRESSURE_ALL, 0, 0, counts)),
                         n_sensors=3)
    assert frame.samples[0, 1] == INVALID_COUNT
    f = P.counts_to_float(frame.samples)
    assert np.isnan(f[0, 1]) and np.isnan(f[1, 0])
    assert f[0, 2] == 4094.0 and f[1, 1] == 1.0
    # NaN given to the encoder is sent as 0xFFF
    nan_counts = np.array([[np.nan, 5.0]])
    out = encode_pressure_frames(nan_counts, ticks_per_sample=10, mtu=23)
    assert decode_frame(out[0], n_sensors=2).samples.tolist() == [[0xFFF, 5]]


def test_encoder_refuses_what_the_format_cannot_carry():
    with pytest.raises(ValueError, match="counts must be 0"):
        encode_pressure_frames(np.array([[4096]]), ticks_per_sample=1, mtu=23)
    with pytest.raises(ValueError, match=r"327.67"):
        encode_temperature_frames(np.full((1, 6), 400.0), ticks_per_sample=1, mtu=23)
    with pytest.raises(ValueError, match=r"1..15 samples"):
        encode_frame(Frame(FrameType.PRESSURE_ALL, 0, 0, np.zeros((16, 2), np.uint16)))
    with pytest.raises(ValueError, match="do not fit MTU 23"):
        encode_pressure_frames(np.zeros((1, 18), int), ticks_per_sample=1, mtu=23)


# ------------------------------------------------------------------------------- MTU sizing


@SETTINGS
@given(st.integers(1, 16), st.sampled_from([23, 27, 50, 185, 247, 517]),
       st.integers(1, 60), st.integers(0, 0xFFFF), st.integers(0, 2**32 - 1),
       st.sampled_from([1.0, 5.0, 10.0, 1000 / 150]))
def test_pressure_frames_fit_the_mtu_and_keep_every_sample(k, mtu, n, seq0, tick0, tps):
    rng = np.random.default_rng(n * 1000 + k)
    counts = rng.integers(0, 4096, (n, k)).astype(np.uint16)
    frames = encode_pressure_frames(counts, seq0=seq0, tick0=tick0, ticks_per_sample=tps,
                                    mtu=mtu)
    assert all(len(f) <= mtu - 3 for f in frames)
    if mtu == 23:
        assert all(len(f) <= 20 for f in frames)
    decoded = [decode_frame(f, n_sensors=k) for f in frames]
    assert [d.seq for d in decoded] == [(seq0 + i) % 65536 for i in range(len(frames))]
    full = 8 + P.packed_bytes(k) <= mtu - 3
    if full:
        assert {d.frame_type for d in decoded} == {FrameType.PRESSURE_ALL}
        got = np.concatenate([d.samples for d in decoded])
        # as many samples as fit: every frame but the last is full
        per = min(15, (min(mtu - 3, 512) - 8) // P.packed_bytes(k))
        assert all(d.n_samples == per for d in decoded[:-1])
    else:
        types = [d.frame_type for d in decoded]
        assert types == [FrameType.PRESSURE_FIRST_HALF, FrameType.PRESSURE_SECOND_HALF] * (
            len(frames) // 2)
        firsts, seconds = decoded[0::2], decoded[1::2]
        assert all(a.tick == b.tick for a, b in zip(firsts, seconds, strict=True))
        got = np.concatenate([np.hstack([a.samples, b.samples])
                              for a, b in zip(firsts, seconds, strict=True)])
    np.testing.assert_array_equal(got, counts)
    # ticks: the first sample of each frame, rounded, modulo 2^32
    starts = np.cumsum([0, *[d.n_samples for d in decoded if d.frame_type != 3][:-1]])
    expect = np.round(tick0 + starts * tps).astype(np.int64) % 2**32
    assert [d.tick for d in decoded if d.frame_type != 3] == expect.tolist()


def test_sixteen_sensors_at_default_and_large_mtu_match_the_spec_table():
    counts = np.zeros((20, 16), np.uint16)
    small = encode_pressure_frames(counts, ticks_per_sample=10, mtu=23)
    assert len(small) == 40 and {len(f) for f in small} == {20}
    big = encode_pressure_frames(counts, ticks_per_sample=10, mtu=247)
    assert [len(f) for f in big] == [8 + 9 * 24, 8 + 9 * 24, 8 + 2 * 24]
    temps = encode_temperature_frames(np.zeros((31, 6)), ticks_per_sample=1000, mtu=247)
    assert [len(f) for f in temps] == [8 + 15 * 12, 8 + 15 * 12, 8 + 12]
    temps = encode_temperature_frames(np.zeros((3, 6)), ticks_per_sample=1000, mtu=23)
    assert [len(f) for f in temps] == [20, 20, 20]


@SETTINGS
@given(st.sampled_from([23, 100, 247]), st.integers(1, 40))
def test_temperature_frames_round_trip_in_order(mtu, n):
    values = np.round(np.random.default_rng(n).uniform(20, 38, (n, 6)), 2)
    values[0, 2] = np.nan
    frames = encode_temperature_frames(values, seq0=65534, tick0=2**32 - 5,
                                       ticks_per_sample=60000, mtu=mtu)
    assert all(len(f) <= mtu - 3 for f in frames)
    decoded = [decode_frame(f, n_sensors=16) for f in frames]
    np.testing.assert_array_equal(np.concatenate([d.samples for d in decoded]), values)
    assert decoded[0].seq == 65534 and (len(decoded) < 3 or decoded[2].seq == 0)
    assert decoded[0].tick == 2**32 - 5


# ------------------------------------------------------------------------------- batch decode


def _scalar_rows(frames, k, tps):
    """Reference: per-frame decode, halves joined by hand."""
    seqs, ticks, rows = [], [], []
    pending = None
    for data in frames:
        f = decode_frame(data, n_sensors=k)
        first, ch = P.frame_channels(f.frame_type, k)
        block = np.full((f.n_samples, k), INVALID_COUNT, np.uint16)
        block[:, first: first + ch] = f.samples
        if (f.frame_type == FrameType.PRESSURE_SECOND_HALF and pending is not None
                and pending[0].frame_type == FrameType.PRESSURE_FIRST_HALF
                and f.seq == (pending[0].seq + 1) % 65536 and f.tick == pending[0].tick
                and f.n_samples == pending[0].n_samples):
            pending[1][:, first: first + ch] = f.samples
            pending = (f, None)
            continue
        seqs += [f.seq] * f.n_samples
        ticks += [(f.tick + i * tps) % 2**32 for i in range(f.n_samples)]
        rows.append(block)
        pending = (f, block)
    return np.array(seqs), np.array(ticks), np.concatenate(rows) if rows else None


@SETTINGS
@given(st.integers(1, 20), st.lists(st.tuples(st.integers(1, 30),
                                              st.sampled_from([23, 60, 247])),
                                    min_size=1, max_size=6),
       st.integers(0, 2**32 - 1), st.booleans())
def test_batch_decode_equals_scalar_decode(k, chunks, seed, drop):
    rng = np.random.default_rng(seed)
    frames = []
    seq, tick = int(rng.integers(0, 65536)), int(rng.integers(0, 2**32))
    for n, mtu in chunks:
        if k > 16 and mtu == 23:
            mtu = 60
        out = encode_pressure_frames(rng.integers(0, 4096, (n, k)), seq0=seq, tick0=tick,
                                     ticks_per_sample=10, mtu=mtu)
        frames += out
        seq = (seq + len(out)) % 65536
        tick = (tick + 10 * n) % 2**32
    if drop and len(frames) > 2:  # lose some notifications, orphaning halves
        keep = rng.random(len(frames)) > 0.3
        keep[0] = True
        frames = [f for f, kept in zip(frames, keep, strict=True) if kept]
    batch = decode_pressure_batch(frames, n_sensors=k, ticks_per_sample=10)
    seqs, ticks, counts = _scalar_rows(frames, k, 10)
    np.testing.assert_array_equal(batch.counts, counts)
    np.testing.assert_array_equal(batch.seq, seqs)
    np.testing.assert_array_equal(batch.tick, ticks)
    # the (buffer, lengths) form gives the same
    again = decode_pressure_batch((b"".join(frames), [len(f) for f in frames]), n_sensors=k,
                                  ticks_per_sample=10)
    np.testing.assert_array_equal(again.counts, counts)


def test_batch_decode_joins_halves_and_marks_a_lost_half_invalid():
    counts = np.arange(48, dtype=np.uint16).reshape(3, 16)
    frames = encode_pressure_frames(counts, seq0=10, tick0=100, ticks_per_sample=10, mtu=23)
    batch = decode_pressure_batch(frames, n_sensors=16, ticks_per_sample=10)
    np.testing.assert_array_equal(batch.counts, counts)
    assert batch.seq.tolist() == [10, 12, 14] and batch.tick.tolist() == [100, 110, 120]
    lost = frames[:3] + frames[4:]  # the second half of sample 1 is gone
    batch = decode_pressure_batch(lost, n_sensors=16, ticks_per_sample=10)
    assert batch.counts.shape == (3, 16)
    np.testing.assert_array_equal(batch.counts[1, :8], counts[1, :8])
    assert np.all(batch.counts[1, 8:] == INVALID_COUNT)
    np.testing.assert_array_equal(batch.counts[[0, 2]], counts[[0, 2]])


def test_batch_decode_names_the_bad_frame():
    frames = encode_pressure_frames(np.zeros((5, 16), int), ticks_per_sample=10, mtu=23)
    frames[6] = frames[6][:-1]
    with pytest.raises(FrameError, match="truncated") as err:
        decode_pressure_batch(frames, n_sensors=16, ticks_per_sample=10, source="left")
    assert err.value.row == 6 and err.value.source == "left"
    assert "row 6" in str(err.value)
    frames[6] = b"\x01\x21"
    with pytest.raises(FrameError, match="header") as err:
        decode_pressure_batch(frames, n_sensors=16, ticks_per_sample=10)
    assert err.value.row == 6
    temp = encode_temperature_frames(np.zeros((1, 6)), ticks_per_sample=1, mtu=23)
    with pytest.raises(FrameError, match="not a pressure frame"):
        decode_pressure_batch(temp, n_sensors=16, ticks_per_sample=10)
    empty = decode_pressure_batch([], n_sensors=16, ticks_per_sample=10)
    assert empty.counts.shape == (0, 16)


# ------------------------------------------------------------------------------- records


@given(st.sampled_from(["left", "right"]))
def test_side_round_trip(foot):
    assert P.decode_side(P.encode_side(foot)) == foot


def test_side_errors():
    assert P.encode_side("left") == b"\x00" and P.encode_side("right") == b"\x01"
    with pytest.raises(FrameError, match="side code 2"):
        P.decode_side(b"\x02")
    with pytest.raises(FrameError, match="expected 1"):
        P.decode_side(b"")


@pytest.mark.parametrize("name", sorted(LAYOUTS))
def test_builtin_layouts_round_trip_to_themselves(name):
    layout = LAYOUTS[name]
    data = P.encode_layout(layout)
    assert len(data) == 2 + len(name) + 5 * layout.n_sensors
    assert P.decode_layout(data) is layout


@SETTINGS
@given(st.data())
def test_layout_round_trip(data):
    k = data.draw(st.integers(1, 40))
    xs = data.draw(st.lists(st.integers(-32767, 32767), min_size=k, max_size=k))
    ys = data.draw(st.lists(st.integers(-32767, 32767), min_size=k, max_size=k))
    regions = data.draw(st.lists(st.sampled_from(REGIONS), min_size=k, max_size=k))
    name = data.draw(st.text(min_size=1, max_size=30).filter(
        lambda s: len(s.encode()) <= 255 and s not in LAYOUTS))
    layout = SensorLayout(name, tuple(f"s{i + 1}" for i in range(k)), np.array(xs) / 10,
                          np.array(ys) / 10, tuple(regions))
    back = P.decode_layout(P.encode_layout(layout))
    assert back.name == name and back.sensor_ids == layout.sensor_ids
    assert back.regions == layout.regions
    np.testing.assert_allclose(back.x_mm, layout.x_mm, atol=1e-9)
    np.testing.assert_allclose(back.y_mm, layout.y_mm, atol=1e-9)


def test_layout_errors():
    data = P.encode_layout(SOLEWATCH_16)
    with pytest.raises(FrameError, match="expected"):
        P.decode_layout(data[:-1])
    bad = bytearray(data)
    bad[-1] = len(REGIONS)
    with pytest.raises(FrameError, match="region index"):
        P.decode_layout(bytes(bad))


@SETTINGS
@given(st.data())
def test_calibration_round_trip(data):
    k = data.draw(st.integers(1, 255))
    off = data.draw(st.lists(st.integers(0, 0xFFFF), min_size=k, max_size=k))
    gain = data.draw(st.lists(st.floats(0, 1e3, width=32), min_size=k, max_size=k))
    cal = CalibrationRecord(np.array(off), np.array(gain, np.float32))
    data_bytes = P.encode_calibration(cal)
    assert len(data_bytes) == 1 + 6 * k
    assert P.decode_calibration(data_bytes, n_sensors=k) == cal


def test_calibration_bytes_and_errors():
    cal = CalibrationRecord(np.array([100]), np.array([0.5]))
    assert P.encode_calibration(cal) == b"\x01" + struct.pack("<Hf", 100, 0.5)
    with pytest.raises(FrameError, match="for 1 sensors, the layout has 16"):
        P.decode_calibration(P.encode_calibration(cal), n_sensors=16)
    with pytest.raises(FrameError, match="expected 7"):
        P.decode_calibration(P.encode_calibration(cal)[:-1])
    with pytest.raises(FrameError, match="gains must be finite"):
        P.decode_calibration(b"\x01" + struct.pack("<Hf", 1, float("nan")))


@given(st.integers(50, 200), st.integers(1, 2**32 - 1), st.integers(1, 2**32 - 1))
def test_rates_round_trip(hz, period_ms, tick_hz):
    rates = Rates(hz, period_ms, tick_hz)
    data = P.encode_rates(rates)
    assert len(data) == 10
    assert P.decode_rates(data) == rates


def test_rates_errors_and_ticks():
    assert Rates(100, 1000, 1000).ticks_per_pressure_sample == 10.0
    assert Rates(100, 60000, 1000).ticks_per_temperature_sample == 60000.0
    with pytest.raises(FrameError, match=r"pressure_hz must be 50..200, found 20"):
        P.decode_rates(struct.pack("<HII", 20, 1000, 1000))
    with pytest.raises(FrameError, match="expected 10"):
        P.decode_rates(b"\x00" * 9)


@given(st.one_of(
    st.just(Command(Opcode.START)), st.just(Command(Opcode.STOP)),
    st.integers(50, 200).map(lambda hz: Command(Opcode.SET_PRESSURE_RATE, pressure_hz=hz)),
    st.integers(0, 2**64 - 1).map(lambda ms: Command(Opcode.SET_TIME, unix_time_ms=ms)),
))
def test_command_round_trip(cmd):
    assert P.decode_command(P.encode_command(cmd)) == cmd


def test_command_bytes_and_errors():
    assert P.encode_command(Command(Opcode.START)) == b"\x01"
    assert P.encode_command(Command(Opcode.SET_PRESSURE_RATE, pressure_hz=100)) == b"\x03\x64\x00"
    assert len(P.encode_command(Command(Opcode.SET_TIME, unix_time_ms=1))) == 9
    with pytest.raises(FrameError, match="unknown opcode 0x09") as err:
        P.decode_command(b"\x09")
    assert err.value.field == "opcode"
    with pytest.raises(FrameError, match=r"pressure_hz 50..200"):
        P.decode_command(b"\x03\x10\x00")
    with pytest.raises(FrameError, match="expected 9"):
        P.decode_command(b"\x04\x00")


@given(st.sampled_from([*Opcode, 0x09]), st.sampled_from(list(ResultCode)),
       st.integers(0, 2**32 - 1))
def test_response_round_trip(op, result, tick):
    with_tick = op == Opcode.SET_TIME and result == ResultCode.SUCCESS
    resp = Response(op, result, tick if with_tick else None)
    data = P.encode_response(resp)
    assert data[:3] == bytes([0x80, op, result]) and len(data) == (7 if with_tick else 3)
    assert P.decode_response(data) == resp


def test_response_errors():
    with pytest.raises(FrameError, match="response code 0x81"):
        P.decode_response(b"\x81\x01\x00")
    with pytest.raises(FrameError, match="unknown result 9"):
        P.decode_response(b"\x80\x01\x09")
    with pytest.raises(FrameError, match="expected 7"):
        P.decode_response(b"\x80\x04\x00")  # successful set time without its tick


@given(st.datetimes(min_value=datetime(1582, 1, 1), max_value=datetime(9999, 12, 31)),
       st.integers(0, 7), st.integers(0, 255), st.integers(0, 255))
def test_current_time_round_trip(dt, dow, frac, reason):
    dt = dt.replace(microsecond=-(-frac * 1_000_000 // 256))
    ct = CurrentTime(dt, dow, reason)
    data = P.encode_current_time(ct)
    assert len(data) == 10
    back = P.decode_current_time(data)
    assert back == ct and back.fractions256 == ct.fractions256
    assert P.decode_date_time(data[:7]) == dt.replace(microsecond=0)


def test_date_time_bytes_and_unknowns():
    dt = datetime(2026, 11, 22, 1, 2, 3)
    assert P.encode_date_time(dt) == bytes([0xEA, 0x07, 11, 22, 1, 2, 3])
    assert P.decode_date_time(bytes(7)) is None
    with pytest.raises(FrameError, match="2026-2-30"):
        P.decode_date_time(bytes([0xEA, 0x07, 2, 30, 0, 0, 0]))
    with pytest.raises(FrameError, match="day of week 9"):
        P.decode_current_time(P.encode_date_time(dt) + bytes([9, 0, 0]))


def test_uuids():
    assert P.SERVICE_UUID == "b0a70001-3f1d-4e1b-8c57-736f6c657761"
    assert bytes.fromhex(P.SERVICE_UUID[-12:]) == b"solewa"
    assert P.normalise_uuid("2A1C") == "00002a1c-0000-1000-8000-00805f9b34fb"
    assert P.normalise_uuid(0x2A6E) == P.sig_uuid(0x2A6E)
    assert P.normalise_uuid(P.PRESSURE_UUID.upper()) == P.PRESSURE_UUID
    assert len({P.PRESSURE_UUID, P.TEMPERATURE_UUID, P.SIDE_UUID, P.SENSOR_LAYOUT_UUID,
                P.CALIBRATION_UUID, P.RATES_UUID, P.CONTROL_POINT_UUID}) == 7


def test_docs_worked_examples_are_what_the_encoder_produces():
    """docs/ble-profile.md shows hex produced by these very calls."""
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[1] / "docs" / "ble-profile.md").read_text()
    counts = np.array([[100, 200, 300, 400, 500, 600, 700, 4095,
                        800, 900, 1000, 1100, 1200, 1300, 1400, 1500]])
    half = encode_pressure_frames(counts, seq0=42, tick0=123456, ticks_per_sample=10, mtu=23)
    temp = encode_temperature_frames(
        np.array([[31.25, 30.5, 30.75, 29.0, 28.5, np.nan]]), seq0=7, tick0=60000,
        ticks_per_sample=60000, mtu=23)
    for data in (half[0], half[1], temp[0]):
        assert " ".join(f"{b:02X}" for b in data) in doc


def test_decode_benchmark_runs_and_checks_its_round_trip(capsys):
    """benchmarks/decode.py works (its figures are not asserted: speed belongs there)."""
    from benchmarks import decode as bench

    rows = bench.main(["--duration-s", "10", "--repeats", "1", "--scalar-frames", "10",
                       "--json"])
    assert [r["mtu"] for r in rows] == [23, 247]
    assert rows[0]["frame_bytes"] == 20 and rows[1]["frame_bytes"] <= 244
    assert all(r["batch_values_per_s"] > 0 for r in rows)
    assert '"mtu": 23' in capsys.readouterr().out


@given(st.integers(1, 32), st.integers(0, 2**32 - 1))
def test_calibration_counts_kpa_round_trip(k, seed):
    """The one calibration formula: counts -> kPa -> counts is exact for valid counts, and the
    invalid marker survives both ways as NaN / 0xFFF."""
    rng = np.random.default_rng(seed)
    cal = P.CalibrationRecord(rng.integers(0, 200, k), rng.uniform(0.05, 0.5, k))
    counts = rng.integers(0, P.MAX_VALID_COUNT + 1, size=(20, k)).astype(np.uint16)
    counts = np.maximum(counts, cal.offset_counts)  # below the offset reads as 0 kPa
    counts[3, 0] = P.INVALID_COUNT
    kpa = cal.to_kpa(counts)
    assert np.isnan(kpa[3, 0]) and np.isfinite(np.delete(kpa.ravel(), 3 * k)).all()
    assert np.array_equal(cal.to_counts(kpa), counts)
