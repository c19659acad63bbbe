"""Device profiles (firmware_bridge/devices/) against the formats of devices.md."""

from __future__ import annotations

import asyncio
import math
import socket
from datetime import datetime

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analysis.errors import InputError
from analysis.layouts import SOLEWATCH_16
from analysis.sites import SITES
from firmware_bridge import profile as P
from firmware_bridge.devices import (
    DeviceProfile,
    Reading,
    SimpleAdvertisement,
    orphe,
    profile_classes,
    recognise,
)
from firmware_bridge.devices import environmental_sensing as ess
from firmware_bridge.devices import health_thermometer as ht
from firmware_bridge.devices import moticon_udp as mu
from firmware_bridge.devices.solewatch import SolewatchInsole, side_from_name
from firmware_bridge.readers.moticon import N_PER_CM2_KPA, udp_line_length

# ------------------------------------------------------------------- IEEE-11073 FLOAT


def test_float_known_vector_36_75():
    assert ht.encode_float(36.75, exponent=-2) == bytes.fromhex("5B0E00FE")
    assert ht.decode_float(bytes.fromhex("5B0E00FE")) == 36.75
    assert ht.decode_float(0xFE000E5B) == 36.75


@pytest.mark.parametrize(("data", "value"), [
    ("A5F1FFFE", -36.75),  # mantissa -3675 (0xFFF1A5), exponent -2
    ("FFFFFF00", -1.0),  # mantissa -1, exponent 0
    ("FFFFFFFF", -0.1),  # mantissa -1, exponent -1
    ("03008000", -8388605.0),  # the most negative ordinary mantissa, exponent 0
    ("00008001", -83886080.0),  # mantissa 0x800000 with exponent 1 is a number, not NRes
    ("01000003", 1000.0),
])
def test_float_negative_mantissas_and_exponents(data, value):
    assert ht.decode_float(bytes.fromhex(data)) == pytest.approx(value, rel=1e-12)


def test_float_needs_four_bytes():
    with pytest.raises(InputError, match="3 bytes, expected 4"):
        ht.decode_float(b"\x5b\x0e\x00")


@pytest.mark.parametrize(("raw", "name", "check"), [
    (0x007FFFFF, "NaN", math.isnan),
    (0x00800000, "NRes", math.isnan),
    (0x007FFFFE, "+INF", lambda v: v == math.inf),
    (0x00800002, "-INF", lambda v: v == -math.inf),
    (0x00800001, "reserved", math.isnan),
])
def test_float_specials_are_recognised_before_sign_extension(raw, name, check):
    data = raw.to_bytes(4, "little")
    assert ht.float_special(data) == name
    assert check(ht.decode_float(data))
    assert ht.encode_special(name) == data
    # the same mantissa with a non-zero exponent is an ordinary number
    other = (raw | 0x01000000).to_bytes(4, "little")
    assert ht.float_special(other) is None and math.isfinite(ht.decode_float(other))


@pytest.mark.parametrize(("raw", "name", "check"), [
    (0x07FF, "NaN", math.isnan),
    (0x0800, "NRes", math.isnan),
    (0x07FE, "+INF", lambda v: v == math.inf),
    (0x0802, "-INF", lambda v: v == -math.inf),
    (0x0801, "reserved", math.isnan),
])
def test_sfloat_specials(raw, name, check):
    data = raw.to_bytes(2, "little")
    assert ht.sfloat_special(data) == name
    assert check(ht.decode_sfloat(data))
    assert ht.encode_special(name, sfloat=True) == data


def test_sfloat_known_vectors():
    # 36.7 = 367 x 10^-1: exponent 0xF, mantissa 0x16F -> 0xF16F
    assert ht.encode_sfloat(36.7, exponent=-1) == bytes([0x6F, 0xF1])
    assert ht.decode_sfloat(bytes([0x6F, 0xF1])) == 36.7
    # -36.7: mantissa -367 = 0xE91 -> 0xFE91
    assert ht.encode_sfloat(-36.7, exponent=-1) == bytes([0x91, 0xFE])
    assert ht.decode_sfloat(0xFE91) == -36.7
    assert ht.decode_sfloat(0x0FFF) == -1.0  # exponent 0, mantissa -1
    assert ht.decode_sfloat(0x1803) == -20450.0  # 0x803 = -2045, exponent 1
    with pytest.raises(ValueError, match="use a larger exponent"):
        ht.encode_sfloat(36.75, exponent=-2)  # 3675 > 2045


@settings(max_examples=200, deadline=None)
@given(st.integers(-0x7FFFFD, 0x7FFFFD), st.integers(-128, 127))
def test_float_round_trip(mantissa, exponent):
    value = mantissa / 10**-exponent if exponent < 0 else float(mantissa * 10**exponent)
    data = ht.encode_float(value, exponent=exponent)
    assert int.from_bytes(data, "little") >> 24 == exponent & 0xFF
    assert ht.decode_float(data) == value


@settings(max_examples=200, deadline=None)
@given(st.integers(-0x7FD, 0x7FD), st.integers(-8, 7))
def test_sfloat_round_trip(mantissa, exponent):
    value = mantissa / 10**-exponent if exponent < 0 else float(mantissa * 10**exponent)
    assert ht.decode_sfloat(ht.encode_sfloat(value, exponent=exponent)) == value


# ------------------------------------------------------------------- Health Thermometer


def test_temperature_measurement_celsius_minimal():
    data = bytes.fromhex("00") + bytes.fromhex("5B0E00FE")
    m = ht.decode_temperature_measurement(data)
    assert m["temperature_c"] == 36.75 and m["timestamp"] is None
    assert m["temperature_type"] is None and not m["fahrenheit"]


def test_temperature_measurement_fahrenheit_with_timestamp_and_type():
    when = datetime(2026, 11, 21, 23, 59, 58)
    data = ht.encode_temperature_measurement(98.6, fahrenheit=True, exponent=-1,
                                             timestamp=when, temperature_type=ht.TOE_TYPE)
    assert data[0] == 0x07 and len(data) == 1 + 4 + 7 + 1
    m = ht.decode_temperature_measurement(data)
    assert m["temperature_c"] == pytest.approx(37.0)
    assert m["timestamp"] == when and m["temperature_type"] == 8 and m["fahrenheit"]


@pytest.mark.parametrize(("timestamp", "ttype"), [(None, 8), (datetime(2026, 1, 2, 3, 4, 5),
                                                             None)])
def test_temperature_measurement_optional_fields(timestamp, ttype):
    data = ht.encode_temperature_measurement(31.5, timestamp=timestamp, temperature_type=ttype)
    m = ht.decode_temperature_measurement(data)
    assert m["temperature_c"] == 31.5
    assert m["timestamp"] == timestamp and m["temperature_type"] == ttype


def test_temperature_measurement_malformed():
    with pytest.raises(InputError, match="at least 5"):
        ht.decode_temperature_measurement(b"\x00\x5b\x0e")
    data = ht.encode_temperature_measurement(31.5, timestamp=datetime(2026, 1, 2))
    with pytest.raises(InputError, match="flags 0x02 announce 12"):
        ht.decode_temperature_measurement(data[:-1])
    with pytest.raises(InputError, match="announce 5"):
        ht.decode_temperature_measurement(b"\x00" + data[1:5] + b"\x08")  # type, no flag


def test_health_thermometer_profile_needs_the_pairing_and_reports_specials():
    with pytest.raises(TypeError):
        ht.HealthThermometer()  # type: ignore[call-arg]
    with pytest.raises(ValueError, match="site must be one of"):
        ht.HealthThermometer(foot="left", site="toe")
    dev = ht.HealthThermometer(foot="left", site="hallux")
    (r,) = dev.decode("2A1C", ht.encode_temperature_measurement(
        86.0, fahrenheit=True, exponent=-1, temperature_type=8), host_time_s=12.5)
    assert (r.kind, r.foot, r.site, r.unit, r.channels) == (
        "temperature", "left", "hallux", "C", ("hallux",))
    assert r.values[0, 0] == pytest.approx(30.0) and r.host_time_s == 12.5
    assert r.info["type_name"] == "toe" and not r.info["intermediate"]
    (r,) = dev.decode(ht.INTERMEDIATE_TEMPERATURE_UUID,
                      b"\x00" + ht.encode_special("+INF"), host_time_s=0)
    assert np.isnan(r.values[0, 0]) and r.info["special"] == "+INF" and r.info["intermediate"]
    with pytest.raises(InputError, match="characteristic"):
        dev.decode("2A6E", b"\x00" * 5, host_time_s=0)


# ------------------------------------------------------------------- Environmental Sensing


def test_ess_values_and_unknown():
    assert ess.decode_temperature((3125).to_bytes(2, "little", signed=True)) == 31.25
    assert ess.decode_temperature((-512).to_bytes(2, "little", signed=True)) == -5.12
    assert np.isnan(ess.decode_temperature(b"\x00\x80"))
    with pytest.raises(InputError, match="expected 2"):
        ess.decode_temperature(b"\x00")


@pytest.mark.parametrize(("text", "where"), [
    ("left hallux", ("left", "hallux")),
    ("Right MTH1", ("right", "mth1")),
    ("left_heel", ("left", "heel")),
    ("  right   big-toe ", ("right", "hallux")),
    ("RIGHT midfoot", ("right", "midfoot")),
])
def test_ess_description_convention(text, where):
    assert ess.parse_site_description(text) == where


@pytest.mark.parametrize("text", ["hallux left", "left", "left ankle", "centre heel", ""])
def test_ess_description_errors(text):
    with pytest.raises(InputError, match="<foot> <site>"):
        ess.parse_site_description(text)


def test_ess_profile_tells_instances_apart_by_handle():
    dev = ess.EnvironmentalSensing(descriptions={0x21: "left hallux", 0x25: "left heel"})
    (a,) = dev.decode("2a6e", (3000).to_bytes(2, "little"), host_time_s=1.0, handle=0x21)
    (b,) = dev.decode("2a6e", (2850).to_bytes(2, "little"), host_time_s=1.0, handle=0x25)
    assert (a.foot, a.site, a.values[0, 0]) == ("left", "hallux", 30.0)
    assert (b.foot, b.site, b.values[0, 0]) == ("left", "heel", 28.5)
    with pytest.raises(InputError, match="handle 99 has no known site"):
        dev.decode("2a6e", b"\x00\x00", host_time_s=0, handle=99)
    with pytest.raises(InputError, match="both describe left heel"):
        ess.EnvironmentalSensing(descriptions={1: "left heel", 2: "Left Heel"})
    single = ess.EnvironmentalSensing(descriptions={7: "right mth5"})
    assert single.decode("2A6E", b"\x00\x80", host_time_s=0)[0].site == "mth5"


# ------------------------------------------------------------------- ORPHE


def _orphe_packet(header, serial, hms, ms, seed=0):
    rng = np.random.default_rng(seed)
    n = orphe.SAMPLES_PER_PACKET[header]
    values = {
        "pressure": rng.integers(0, 65536, (n, 6)),
        "gyro": rng.integers(-32768, 32768, (n, 3)),
        "accel": rng.integers(-32768, 32768, (n, 3)),
        "quaternion": rng.integers(-16384, 16385, (n, 4)) if header == 0x56 else None,
    }
    data = orphe.encode_packet(header, serial=serial, hour=hms[0], minute=hms[1],
                               second=hms[2], millisecond=ms, **values)
    return data, values


def test_orphe_packet_layout_from_the_spec():
    data, v = _orphe_packet(0x56, 0x1234, (13, 5, 59), 999)
    assert len(data) == 104
    assert data[:8] == bytes([0x56, 0x12, 0x34, 13, 5, 59, 0x03, 0xE7])
    # first sample: quaternion w big-endian at bytes 8-9, pressure 1 at bytes 8 + 20
    assert int.from_bytes(data[8:10], "big", signed=True) == v["quaternion"][0, 0]
    assert int.from_bytes(data[28:30], "big") == v["pressure"][0, 0]
    assert int.from_bytes(data[40:42], "big", signed=True) == v["quaternion"][1, 0]
    assert data[72:] == bytes(32)  # two 32-byte samples, then padding
    p = orphe.decode_packet(data)
    assert p["serial"] == 0x1234 and p["time_of_day_s"] == pytest.approx(13 * 3600 + 359.999)
    np.testing.assert_array_equal(p["pressure"], v["pressure"])
    np.testing.assert_allclose(p["quaternion"], v["quaternion"] / 16384)
    np.testing.assert_allclose(p["gyro_fs"], v["gyro"] / 32768)
    np.testing.assert_allclose(p["accel_fs"], v["accel"] / 32768)


def test_orphe_header_0x55_has_four_samples_without_quaternion():
    data, v = _orphe_packet(0x55, 7, (0, 0, 1), 0, seed=3)
    assert int.from_bytes(data[8 + 12: 8 + 14], "big") == v["pressure"][0, 0]
    assert int.from_bytes(data[8 + 24 + 12: 8 + 24 + 14], "big") == v["pressure"][1, 0]
    p = orphe.decode_packet(data)
    assert p["quaternion"] is None and p["pressure"].shape == (4, 6)
    np.testing.assert_array_equal(p["pressure"], v["pressure"])
    np.testing.assert_allclose(p["gyro_fs"], v["gyro"] / 32768)


def test_orphe_profile_serial_wrap_and_midnight_wrap():
    dev = orphe.OrpheInsole(sample_rate_hz=100, mount=0b01)
    assert dev.foot == "right" and dev.mount_position == "plantar"
    times = []
    for serial, hms, ms in [(65534, (23, 59, 59), 960), (65535, (23, 59, 59), 980),
                            (1, (0, 0, 0), 20), (2, (0, 0, 0), 60)]:
        data, v = _orphe_packet(0x55, serial, hms, ms)
        readings = dev.decode(orphe.SENSOR_VALUES_UUID, data, host_time_s=float(serial))
        kinds = [r.kind for r in readings]
        assert kinds == ["pressure", "imu"]
        pressure = readings[0]
        assert pressure.foot == "right" and pressure.channels == orphe.PRESSURE_CHANNELS
        np.testing.assert_array_equal(pressure.values, v["pressure"])
        assert pressure.sample_period_s == 0.01 and pressure.sequence == serial
        times.append(pressure.device_time_s)
        if serial == 1:
            assert pressure.info["lost_packets_before"] == 1  # 0 was lost across the wrap
    assert np.allclose(np.diff(times), [0.02, 0.04, 0.04])
    assert times[2] == pytest.approx(86400.02)
    assert dev.lost_packets == 1


def test_orphe_quaternion_reading_and_mount_byte():
    dev = orphe.OrpheInsole(sample_rate_hz=200, foot="left")
    data, v = _orphe_packet(0x56, 1, (10, 0, 0), 0)
    readings = dev.decode(orphe.SENSOR_VALUES_UUID.upper(), data, host_time_s=0)
    assert [(r.kind, r.unit) for r in readings] == [("pressure", "counts"), ("imu", "fs"),
                                                   ("imu", "q")]
    np.testing.assert_allclose(readings[2].values, v["quaternion"] / 16384)
    adv = SimpleAdvertisement(service_uuids=[orphe.SERVICE_UUID],
                              manufacturer_data={0xFFFF: bytes([0b10, 9])})
    assert orphe.mount_from_advertising(adv) == 0b10
    assert orphe.decode_mount(0b10) == ("left", "dorsal")
    assert orphe.decode_mount(0b11) == ("right", "dorsal")
    with pytest.raises(ValueError, match="pairing says right"):
        orphe.OrpheInsole(sample_rate_hz=100, foot="right", mount=0)
    with pytest.raises(ValueError, match="foot"):
        orphe.OrpheInsole(sample_rate_hz=100)


def test_orphe_malformed():
    data, _ = _orphe_packet(0x55, 1, (1, 2, 3), 4)
    with pytest.raises(InputError, match="103 bytes, expected 104"):
        orphe.decode_packet(data[:-1])
    with pytest.raises(InputError, match="header 0x50"):
        orphe.decode_packet(b"\x50" + data[1:])
    with pytest.raises(InputError, match="unknown header 0x57"):
        orphe.decode_packet(b"\x57" + data[1:])
    bad = bytearray(data)
    bad[3] = 24
    with pytest.raises(InputError, match="24:02:03") as err:
        orphe.decode_packet(bytes(bad))
    assert err.value.field == "device time"


# ------------------------------------------------------------------- solewatch profile


def test_solewatch_profile_decodes_frames_to_readings():
    rates = P.Rates(100, 60_000, 1000)
    dev = SolewatchInsole(foot="left", rates=rates, layout=SOLEWATCH_16)
    counts = np.arange(32, dtype=np.uint16).reshape(2, 16)
    counts[1, 12] = P.INVALID_COUNT
    frames = P.encode_pressure_frames(counts, tick0=5000, ticks_per_sample=10, mtu=23)
    r0 = dev.decode(P.PRESSURE_UUID, frames[0], host_time_s=1.0)[0]
    r1 = dev.decode(P.PRESSURE_UUID, frames[3], host_time_s=1.0)[0]
    assert r0.channels == SOLEWATCH_16.sensor_ids[:8] and r1.channels == (
        SOLEWATCH_16.sensor_ids[8:])
    assert r0.device_time_s == 5.0 and r1.device_time_s == 5.01 and r0.unit == "counts"
    np.testing.assert_array_equal(r0.values, counts[:1, :8])
    assert np.isnan(r1.values[0, 4])
    temps = P.encode_temperature_frames(np.full((1, 6), 30.0), ticks_per_sample=60000, mtu=23)
    (t,) = dev.decode(P.TEMPERATURE_UUID, temps[0], host_time_s=2.0)
    assert t.kind == "temperature" and t.channels == SITES and t.foot == "left"
    with pytest.raises(InputError, match="on the Pressure characteristic"):
        dev.decode(P.PRESSURE_UUID, temps[0], host_time_s=0)
    with pytest.raises(P.FrameError, match="truncated"):
        dev.decode(P.PRESSURE_UUID, frames[0][:-2], host_time_s=0)


def test_recognition_from_advertising():
    assert side_from_name("SWL-3A7F") == "left" and side_from_name("SWR-3A80") == "right"
    assert side_from_name("SWX-3A80") is None and side_from_name(None) is None
    by_name = SimpleAdvertisement(local_name="SWR-00AF")
    assert recognise(by_name) == [SolewatchInsole]
    by_uuid = SimpleAdvertisement(service_uuids=[P.SERVICE_UUID.upper()])
    assert recognise(by_uuid) == [SolewatchInsole]
    assert recognise(SimpleAdvertisement(service_uuids=["1809"])) == [ht.HealthThermometer]
    assert recognise(SimpleAdvertisement(service_uuids=["0000181a-0000-1000-8000-00805f9b34fb"])
                     ) == [ess.EnvironmentalSensing]
    assert recognise(SimpleAdvertisement(service_uuids=[orphe.SERVICE_UUID])) == [
        orphe.OrpheInsole]
    assert recognise(SimpleAdvertisement(local_name="kettle")) == []
    assert all(issubclass(c, DeviceProfile) for c in profile_classes())


def test_reading_checks_its_shape():
    with pytest.raises(ValueError, match="kind must be one of"):
        Reading("humidity", None, np.zeros((1, 1)), "C", ("a",), 0.0)
    with pytest.raises(ValueError, match="for 2 channels"):
        Reading("pressure", "left", np.zeros((1, 3)), "counts", ("a", "b"), 0.0)


# ------------------------------------------------------------------- Moticon UDP


def _udp_line(t, seed):
    rng = np.random.default_rng(seed)
    values = rng.uniform(0, 10, udp_line_length("full") - 1)
    return " ".join(f"{x:.4f}" for x in [t, *values]).encode(), values


def test_moticon_profile_readings():
    line, values = _udp_line(1.25, 0)
    readings = mu.MoticonUdp().decode(mu.UDP_CHANNEL, line, host_time_s=3.0)
    kinds = [(r.foot, r.kind) for r in readings]
    assert kinds == [(f, k) for f in ("left", "right")
                     for k in ("pressure", "imu", "cop", "force")]
    left_p = readings[0]
    np.testing.assert_allclose(left_p.values[0], np.round(values[8:24], 4) * N_PER_CM2_KPA)
    assert left_p.unit == "kPa" and left_p.device_time_s == 1.25
    right_force = readings[-1]
    assert right_force.values[0, 0] == pytest.approx(round(values[49], 4))
    with pytest.raises(InputError, match="expected 51 values"):
        mu.MoticonUdp().decode(mu.UDP_CHANNEL, b"1 2 3", host_time_s=0)
    assert not mu.MoticonUdp.recognises(SimpleAdvertisement(local_name="moticon"))


def test_moticon_udp_receiver_on_loopback():
    n = 20

    async def run():
        async with mu.MoticonUdpReceiver(port=0, host="127.0.0.1") as rx:
            assert rx.port != 0
            sent = []
            with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
                for i in range(n):
                    line, values = _udp_line(i * 0.01, i)
                    sent.append(values)
                    tx.sendto(line, ("127.0.0.1", rx.port))
                    if i == 5:
                        tx.sendto(b"not a moticon line", ("127.0.0.1", rx.port))
                # two lines in one datagram
                a, va = _udp_line(1.0, 100)
                b, vb = _udp_line(1.01, 101)
                tx.sendto(a + b"\n" + b, ("127.0.0.1", rx.port))
                sent += [va, vb]
            got = [await rx.receive(timeout_s=5.0) for _ in range(n + 2)]
            with pytest.raises(TimeoutError):
                await rx.receive(timeout_s=0.05)
            return got, sent, rx

    got, sent, rx = asyncio.run(run())
    assert [round(s.time_s, 2) for s in got] == [round(i * 0.01, 2) for i in range(n)] + [
        1.0, 1.01]
    for sample, values in zip(got, sent, strict=True):
        np.testing.assert_allclose(sample.left.pressure_kpa,
                                   np.round(values[8:24], 4) * N_PER_CM2_KPA)
    assert len(rx.problems) == 1 and "expected 51 values" in rx.problems[0].message
    assert rx.received_lines == n + 3 and rx.dropped == 0


def test_moticon_udp_receiver_iterates_until_closed():
    async def run():
        rx = await mu.MoticonUdpReceiver(port=0).start()
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as tx:
            for i in range(3):
                tx.sendto(_udp_line(float(i), i)[0], ("127.0.0.1", rx.port))
        out = []
        async for sample in rx:
            out.append(sample.time_s)
            if len(out) == 3:
                rx.close()
        return out

    assert asyncio.run(asyncio.wait_for(run(), 10)) == [0.0, 1.0, 2.0]
