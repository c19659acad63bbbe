"""ORPHE INSOLE notifications (published format of its JavaScript SDK; ../shared/reference/
devices.md), both directions, as a :class:`DeviceProfile`.

Every notification is 104 bytes, big-endian:

=======  ======================================================================
byte     field
=======  ======================================================================
0        header: 0x56 (2 samples with quaternion) or 0x55 (4 samples without);
         0x50 is a known header whose layout the reference does not give
1-2      u16 packet serial, wraps 65535 -> 0
3, 4, 5  device time of day: hour, minute, second (u8 each); wraps at midnight
6-7      u16 millisecond
8-       samples, the rest zero padding
=======  ======================================================================

A 0x56 sample (32 bytes): quaternion w, x, y, z (int16, Q14: / 16384), gyro x, y, z and
accelerometer x, y, z (int16 / 32768: a fraction of the configured full scale), pressure
1..6 (u16 raw FSR counts). A 0x55 sample (24 bytes) is the same without the quaternion. All
samples of a packet share its timestamp; they follow each other at the sample rate.

The advertised mount position byte: bit0 side (0 left, 1 right), bit1 mount (0 plantar,
1 dorsal). Which advertising field carries it is not published; :func:`mount_from_advertising`
takes the first byte of the manufacturer-specific data (an assumption, not verified on a
device), and a pairing can always give the foot directly.
"""

from __future__ import annotations

from typing import ClassVar, Final

import numpy as np

from analysis.errors import InputError
from analysis.sites import Foot, check_foot
from firmware_bridge.devices import Advertisement, DeviceProfile, Reading
from firmware_bridge.profile import normalise_uuid

SERVICE_UUID: Final = "db1b7aca-cda5-4453-a49b-33a53d3f0833"
SENSOR_VALUES_UUID: Final = "f3f9c7ce-46ee-4205-89ac-abe64e626c0f"
STEP_ANALYSIS_UUID: Final = "4eb776dc-cf99-4af7-b2d3-ad0f791a79dd"

PACKET_BYTES: Final = 104
HEADER_BYTES: Final = 8
HEADER_WITH_QUATERNION: Final = 0x56
HEADER_WITHOUT_QUATERNION: Final = 0x55
HEADER_UNDOCUMENTED: Final = 0x50
N_PRESSURE: Final = 6
PRESSURE_CHANNELS: Final = tuple(f"p{i}" for i in range(1, N_PRESSURE + 1))
MOTION_CHANNELS: Final = ("gyro_x", "gyro_y", "gyro_z", "accel_x", "accel_y", "accel_z")
QUATERNION_CHANNELS: Final = ("q_w", "q_x", "q_y", "q_z")
SECONDS_PER_DAY: Final = 86_400

_SAMPLE = {
    HEADER_WITH_QUATERNION: np.dtype([("quat", ">i2", 4), ("gyro", ">i2", 3),
                                      ("accel", ">i2", 3), ("pressure", ">u2", 6)]),
    HEADER_WITHOUT_QUATERNION: np.dtype([("gyro", ">i2", 3), ("accel", ">i2", 3),
                                         ("pressure", ">u2", 6)]),
}
SAMPLES_PER_PACKET: Final = {HEADER_WITH_QUATERNION: 2, HEADER_WITHOUT_QUATERNION: 4}
QUATERNION_SCALE: Final = 1 << 14
MOTION_SCALE: Final = 1 << 15


def encode_packet(
    header: int,
    *,
    serial: int,
    hour: int,
    minute: int,
    second: int,
    millisecond: int,
    pressure: np.ndarray,
    gyro: np.ndarray,
    accel: np.ndarray,
    quaternion: np.ndarray | None = None,
) -> bytes:
    """One notification from raw values: ``pressure`` (n, 6) counts, ``gyro``/``accel``
    (n, 3) int16 raw, ``quaternion`` (n, 4) int16 raw (Q14) for header 0x56."""
    if header not in _SAMPLE:
        raise ValueError(f"header must be 0x55 or 0x56, found {header:#04x}")
    n = SAMPLES_PER_PACKET[header]
    rec = np.zeros(n, dtype=_SAMPLE[header])
    rec["pressure"], rec["gyro"], rec["accel"] = pressure, gyro, accel
    if header == HEADER_WITH_QUATERNION:
        if quaternion is None:
            raise ValueError("header 0x56 carries a quaternion")
        rec["quat"] = quaternion
    head = bytes([header]) + serial.to_bytes(2, "big") + bytes([hour, minute, second]) + (
        millisecond.to_bytes(2, "big"))
    body = head + rec.tobytes()
    return body + bytes(PACKET_BYTES - len(body))


def decode_packet(data: bytes) -> dict[str, object]:
    """One notification -> {"header", "serial", "time_of_day_s", "pressure" (n, 6) counts,
    "gyro_fs", "accel_fs" (n, 3), "quaternion" (n, 4) or None}. Bad bytes raise InputError
    naming the field."""
    if len(data) != PACKET_BYTES:
        raise InputError(f"ORPHE packet of {len(data)} bytes, expected {PACKET_BYTES}",
                         source="orphe", field="length")
    header = data[0]
    if header == HEADER_UNDOCUMENTED:
        raise InputError("header 0x50: its sample layout is not published in the reference; "
                         "switch the insole to the 0x55 or 0x56 mode", source="orphe",
                         field="header")
    if header not in _SAMPLE:
        raise InputError(f"unknown header {header:#04x}, expected 0x55 or 0x56",
                         source="orphe", field="header")
    serial = int.from_bytes(data[1:3], "big")
    hour, minute, second = data[3], data[4], data[5]
    ms = int.from_bytes(data[6:8], "big")
    if hour > 23 or minute > 59 or second > 59 or ms > 999:
        raise InputError(f"device time {hour:02d}:{minute:02d}:{second:02d}.{ms:03d} is not "
                         "a time of day", source="orphe", field="device time")
    n = SAMPLES_PER_PACKET[header]
    rec = np.frombuffer(data, dtype=_SAMPLE[header], count=n, offset=HEADER_BYTES)
    quat = rec["quat"] / QUATERNION_SCALE if header == HEADER_WITH_QUATERNION else None
    return {
        "header": header, "serial": serial,
        "time_of_day_s": hour * 3600 + minute * 60 + second + ms / 1000.0,
        "pressure": rec["pressure"].astype(np.float64),
        "gyro_fs": rec["gyro"] / MOTION_SCALE, "accel_fs": rec["accel"] / MOTION_SCALE,
        "quaternion": quat,
    }


def decode_mount(mount: int) -> tuple[Foot, str]:
    """Mount position byte -> (foot, "plantar" or "dorsal")."""
    return ("right" if mount & 0x01 else "left"), ("dorsal" if mount & 0x02 else "plantar")


def mount_from_advertising(adv: Advertisement) -> int | None:
    """The mount byte: first byte of the manufacturer data (assumed; see the module doc)."""
    for payload in (adv.manufacturer_data or {}).values():
        if payload:
            return payload[0]
    return None


class OrpheInsole(DeviceProfile):
    """One ORPHE INSOLE. Give ``foot`` from the pairing or ``mount`` from the advertising;
    ``sample_rate_hz`` is the mode the insole was set to (100 or 200).

    Keeps the device clock continuous across midnight (a time of day more than 12 hours
    earlier than the previous packet's is the next day) and counts lost packets from the
    serial number (modulo 65536).
    """

    name: ClassVar[str] = "orphe-insole"
    service_uuid: ClassVar[str | None] = SERVICE_UUID

    def __init__(self, *, sample_rate_hz: float, foot: str | None = None,
                 mount: int | None = None) -> None:
        if foot is None and mount is None:
            raise ValueError("give the foot (pairing) or the advertised mount byte")
        self.mount_position = "plantar"
        if mount is not None:
            mount_foot, self.mount_position = decode_mount(mount)
            if foot is not None and check_foot(foot) != mount_foot:
                raise ValueError(f"the pairing says {foot}, the mount byte {mount_foot}")
            foot = mount_foot
        self.foot: Foot = check_foot(foot)
        if not sample_rate_hz > 0:
            raise ValueError(f"sample_rate_hz must be positive, found {sample_rate_hz}")
        self.sample_rate_hz = float(sample_rate_hz)
        self._day = 0
        self._last_tod_s: float | None = None
        self._last_serial: int | None = None
        self.lost_packets = 0

    @property
    def notify_uuids(self) -> tuple[str, ...]:
        return (SENSOR_VALUES_UUID,)

    def decode(
        self, char_uuid: str, data: bytes, *, host_time_s: float, handle: int | None = None
    ) -> list[Reading]:
        if normalise_uuid(char_uuid) != SENSOR_VALUES_UUID:
            raise InputError(f"not the ORPHE sensor values characteristic: {char_uuid}",
                             source="orphe", field="characteristic")
        p = decode_packet(bytes(data))
        tod = float(p["time_of_day_s"])
        if self._last_tod_s is not None and tod < self._last_tod_s - SECONDS_PER_DAY / 2:
            self._day += 1
        self._last_tod_s = tod
        serial = int(p["serial"])
        lost = 0 if self._last_serial is None else (serial - self._last_serial - 1) % 65536
        self._last_serial = serial
        self.lost_packets += lost
        common = {
            "foot": self.foot, "host_time_s": host_time_s, "sequence": serial,
            "device_time_s": self._day * SECONDS_PER_DAY + tod,
            "sample_period_s": 1.0 / self.sample_rate_hz,
            "info": {"header": p["header"], "lost_packets_before": lost,
                     "mount": self.mount_position},
        }
        out = [
            Reading("pressure", values=p["pressure"], unit="counts",
                    channels=PRESSURE_CHANNELS, **common),
            Reading("imu", values=np.hstack([p["gyro_fs"], p["accel_fs"]]), unit="fs",
                    channels=MOTION_CHANNELS, **common),
        ]
        if p["quaternion"] is not None:
            out.append(Reading("imu", values=p["quaternion"], unit="q",
                               channels=QUATERNION_CHANNELS, **common))
        return out
