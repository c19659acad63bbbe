"""The solewatch insole GATT profile v1: every byte layout of docs/ble-profile.md, defined once.

Both directions live here (the virtual insole encodes with the same functions the receiver
decodes with), so the specification and the code cannot drift apart:

* frames (Pressure and Temperature notifications): :func:`encode_frame`, :func:`decode_frame`,
  :func:`encode_pressure_frames`, :func:`encode_temperature_frames` and the vectorised
  :func:`decode_pressure_batch`;
* read characteristics: Side, Sensor layout, Calibration, Rates;
* Control point commands and responses;
* the Bluetooth SIG Date Time (7 bytes) and Current Time (10 bytes) records, and the
  0.01 °C sint16 temperature (also the Environmental Sensing Temperature 0x2A6E value).

Decoding errors raise :class:`FrameError` (an :class:`analysis.errors.InputError`) naming the
field at fault and what was expected; encoding a value the format cannot carry raises
ValueError.
"""

from __future__ import annotations

import math
import struct
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Final, NamedTuple

import numpy as np

from analysis.errors import InputError
from analysis.layouts import LAYOUTS, SensorLayout
from analysis.sites import FEET, REGIONS, SITES, Foot, check_foot

PROFILE_VERSION: Final = 1

# --------------------------------------------------------------------------------------------
# UUIDs


def solewatch_uuid(short: int) -> str:
    """The 128-bit UUID ``b0a7xxxx-3f1d-4e1b-8c57-736f6c657761`` (base ends in ASCII "solewa")."""
    return f"b0a7{short:04x}-3f1d-4e1b-8c57-736f6c657761"


def sig_uuid(short: int) -> str:
    """A Bluetooth SIG 16-bit UUID in its 128-bit form (lower case, as bleak reports it)."""
    return f"0000{short:04x}-0000-1000-8000-00805f9b34fb"


def normalise_uuid(uuid: str | int) -> str:
    """Lower-case 128-bit form of a UUID given as 128-bit text, 4-hex-digit text or an int."""
    if isinstance(uuid, int):
        return sig_uuid(uuid)
    u = uuid.strip().lower()
    if u.startswith("0x"):
        u = u[2:]
    if len(u) == 4:
        return sig_uuid(int(u, 16))
    return u


SERVICE_UUID: Final = solewatch_uuid(0x0001)
PRESSURE_UUID: Final = solewatch_uuid(0x0002)
TEMPERATURE_UUID: Final = solewatch_uuid(0x0003)
SIDE_UUID: Final = solewatch_uuid(0x0004)
SENSOR_LAYOUT_UUID: Final = solewatch_uuid(0x0005)
CALIBRATION_UUID: Final = solewatch_uuid(0x0006)
RATES_UUID: Final = solewatch_uuid(0x0007)
CONTROL_POINT_UUID: Final = solewatch_uuid(0x0008)

BATTERY_SERVICE_UUID: Final = sig_uuid(0x180F)
BATTERY_LEVEL_UUID: Final = sig_uuid(0x2A19)
DEVICE_INFORMATION_SERVICE_UUID: Final = sig_uuid(0x180A)
CURRENT_TIME_SERVICE_UUID: Final = sig_uuid(0x1805)
CURRENT_TIME_UUID: Final = sig_uuid(0x2A2B)

# --------------------------------------------------------------------------------------------
# Errors


class FrameError(InputError):
    """A notification or characteristic value that breaks the profile.

    Keeps what is known about the offending bytes: ``length`` (bytes received), ``version``,
    ``frame_type`` (None when not read yet) and ``field`` (which header field or record part).
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        length: int | None = None,
        version: int | None = None,
        frame_type: int | None = None,
        source: str | None = None,
        row: int | None = None,
    ) -> None:
        self.length = length
        self.version = version
        self.frame_type = frame_type
        super().__init__(message, source=source, row=row, field=field)


# --------------------------------------------------------------------------------------------
# Frames


class FrameType(IntEnum):
    PRESSURE_ALL = 0x1
    PRESSURE_FIRST_HALF = 0x2
    PRESSURE_SECOND_HALF = 0x3
    TEMPERATURE = 0x4


PRESSURE_TYPES: Final = (
    FrameType.PRESSURE_ALL, FrameType.PRESSURE_FIRST_HALF, FrameType.PRESSURE_SECOND_HALF
)
HEADER_BYTES: Final = 8
MAX_SAMPLES_PER_FRAME: Final = 15
#: A 12-bit pressure count of 0xFFF marks an invalid reading (sensor fault).
INVALID_COUNT: Final = 0xFFF
MAX_VALID_COUNT: Final = 0xFFE
#: sint16 0x8000 marks a missing temperature (as in Environmental Sensing 0x2A6E).
NO_TEMPERATURE: Final = -0x8000
N_TEMPERATURE_SITES: Final = len(SITES)
TEMPERATURE_SAMPLE_BYTES: Final = 2 * N_TEMPERATURE_SITES
#: ATT notifications carry at most MTU - 3 bytes; 23 is the default MTU, 512 the attribute limit.
ATT_OVERHEAD_BYTES: Final = 3
DEFAULT_MTU: Final = 23
TICK_MODULUS: Final = 1 << 32
SEQ_MODULUS: Final = 1 << 16

_HEADER = struct.Struct("<BBHI")


def first_half_channels(n_sensors: int) -> int:
    """Channels in a first-half frame (type 0x2): ``ceil(k / 2)``; the second half has the rest."""
    return (n_sensors + 1) // 2


def frame_channels(frame_type: int, n_sensors: int) -> tuple[int, int]:
    """(first channel, number of channels) a pressure frame of ``frame_type`` carries."""
    h = first_half_channels(n_sensors)
    if frame_type == FrameType.PRESSURE_ALL:
        return 0, n_sensors
    if frame_type == FrameType.PRESSURE_FIRST_HALF:
        return 0, h
    if frame_type == FrameType.PRESSURE_SECOND_HALF:
        return h, n_sensors - h
    raise ValueError(f"frame type {frame_type:#x} is not a pressure frame")


def packed_bytes(n_channels: int) -> int:
    """Bytes of one sample of ``n_channels`` 12-bit counts: ``ceil(12 n / 8)``."""
    return (12 * n_channels + 7) // 8


def sample_bytes(frame_type: int, n_sensors: int) -> int:
    """Bytes per sample of a frame type for an insole of ``n_sensors`` pressure sensors."""
    if frame_type == FrameType.TEMPERATURE:
        return TEMPERATURE_SAMPLE_BYTES
    return packed_bytes(frame_channels(frame_type, n_sensors)[1])


@dataclass(frozen=True, eq=False)
class Frame:
    """One Pressure or Temperature notification.

    ``samples`` is (n, channels) uint16 raw counts for pressure (``INVALID_COUNT`` kept; see
    :func:`counts_to_float`), (n, 6) float64 °C for temperature in :data:`SITES` order (NaN =
    no reading). ``tick`` is the device clock at the first sample.
    """

    frame_type: FrameType
    seq: int
    tick: int
    samples: np.ndarray
    version: int = PROFILE_VERSION

    @property
    def n_samples(self) -> int:
        return int(self.samples.shape[0])

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Frame):
            return NotImplemented
        return (
            (self.version, self.frame_type, self.seq, self.tick)
            == (other.version, other.frame_type, other.seq, other.tick)
            and self.samples.shape == other.samples.shape
            and bool(np.array_equal(self.samples, other.samples, equal_nan=True))
        )

    __hash__ = None  # type: ignore[assignment]


def counts_to_float(counts: np.ndarray) -> np.ndarray:
    """Raw counts as float64 with NaN where the count is ``INVALID_COUNT``."""
    c = np.asarray(counts)
    out = c.astype(np.float64)
    out[c == INVALID_COUNT] = np.nan
    return out


def _as_counts(samples: np.ndarray, what: str) -> np.ndarray:
    a = np.asarray(samples)
    if a.ndim != 2:
        raise ValueError(f"{what}: expected a 2-D (samples, channels) array, found {a.shape}")
    if np.issubdtype(a.dtype, np.floating):
        nan = np.isnan(a)
        if np.any(a[~nan] != np.round(a[~nan])):
            raise ValueError(f"{what}: counts must be whole numbers")
        a = np.where(nan, INVALID_COUNT, a)
    elif not np.issubdtype(a.dtype, np.integer):
        raise ValueError(f"{what}: counts must be integers, found dtype {a.dtype}")
    if a.size and (a.min() < 0 or a.max() > INVALID_COUNT):
        raise ValueError(
            f"{what}: counts must be 0..{MAX_VALID_COUNT} (or {INVALID_COUNT:#x} = invalid), "
            f"found {a.min()}..{a.max()}"
        )
    return a.astype(np.uint16)


def pack_counts(counts: np.ndarray) -> np.ndarray:
    """(n, c) 12-bit counts -> (n, ceil(12 c / 8)) uint8, two channels in three bytes."""
    c = np.asarray(counts, dtype=np.uint16)
    n, ch = c.shape
    pairs = ch // 2
    out = np.empty((n, packed_bytes(ch)), dtype=np.uint8)
    a = c[:, 0: 2 * pairs: 2]
    b = c[:, 1: 2 * pairs: 2]
    trip = out[:, : 3 * pairs].reshape(n, pairs, 3)
    trip[:, :, 0] = a & 0xFF
    trip[:, :, 1] = (a >> 8) | ((b & 0x0F) << 4)
    trip[:, :, 2] = b >> 4
    if ch % 2:
        last = c[:, -1]
        out[:, -2] = last & 0xFF
        out[:, -1] = last >> 8
    return out


def unpack_counts(packed: np.ndarray, n_channels: int) -> np.ndarray:
    """(n, ceil(12 c / 8)) uint8 -> (n, c) uint16 counts (inverse of :func:`pack_counts`)."""
    p = np.asarray(packed, dtype=np.uint8)
    n = p.shape[0]
    pairs = n_channels // 2
    out = np.empty((n, n_channels), dtype=np.uint16)
    trip = p[:, : 3 * pairs].reshape(n, pairs, 3).astype(np.uint16)
    out[:, 0: 2 * pairs: 2] = trip[:, :, 0] | ((trip[:, :, 1] & 0x0F) << 8)
    out[:, 1: 2 * pairs: 2] = (trip[:, :, 1] >> 4) | (trip[:, :, 2] << 4)
    if n_channels % 2:
        out[:, -1] = p[:, -2].astype(np.uint16) | ((p[:, -1].astype(np.uint16) & 0x0F) << 8)
    return out


def encode_centi_celsius(values_c: np.ndarray) -> np.ndarray:
    """°C -> int16 in 0.01 °C, NaN -> 0x8000 (no reading). Out of range raises ValueError."""
    v = np.asarray(values_c, dtype=np.float64)
    nan = np.isnan(v)
    if np.any(np.isinf(v)):
        raise ValueError("temperatures must be finite or NaN, found an infinity")
    centi = np.round(np.where(nan, 0.0, v) * 100.0)
    if centi.size and (centi.min() < -32767 or centi.max() > 32767):
        raise ValueError(
            "temperatures must lie within ±327.67 °C (sint16 in 0.01 °C; 0x8000 means no "
            f"reading), found {np.nanmin(v)}..{np.nanmax(v)} °C"
        )
    return np.where(nan, NO_TEMPERATURE, centi).astype("<i2")


def decode_centi_celsius(raw: np.ndarray) -> np.ndarray:
    """int16 in 0.01 °C -> float64 °C, 0x8000 -> NaN."""
    r = np.asarray(raw).astype(np.int16)
    out = r.astype(np.float64) / 100.0
    out[r == NO_TEMPERATURE] = np.nan
    return out


def encode_frame(frame: Frame) -> bytes:
    """Bytes of one notification (header + samples), exactly as docs/ble-profile.md says."""
    ftype = FrameType(frame.frame_type)
    n = frame.samples.shape[0] if np.ndim(frame.samples) == 2 else 0
    if not 1 <= n <= MAX_SAMPLES_PER_FRAME:
        raise ValueError(
            f"a frame carries 1..{MAX_SAMPLES_PER_FRAME} samples as a 2-D array, found shape "
            f"{np.shape(frame.samples)}"
        )
    if not 0 <= frame.version <= 0xFF:
        raise ValueError(f"version must fit u8, found {frame.version}")
    if not 0 <= frame.seq < SEQ_MODULUS:
        raise ValueError(f"seq must fit u16, found {frame.seq}")
    if not 0 <= frame.tick < TICK_MODULUS:
        raise ValueError(f"tick must fit u32, found {frame.tick}")
    header = _HEADER.pack(frame.version, (int(ftype) << 4) | n, frame.seq, frame.tick)
    if ftype == FrameType.TEMPERATURE:
        if frame.samples.shape[1] != N_TEMPERATURE_SITES:
            raise ValueError(
                f"temperature samples need {N_TEMPERATURE_SITES} sites, found "
                f"{frame.samples.shape[1]}"
            )
        return header + encode_centi_celsius(frame.samples).tobytes()
    return header + pack_counts(_as_counts(frame.samples, "pressure frame")).tobytes()


def _check_header(data: bytes, *, n_sensors: int, source: str | None, row: int | None):
    length = len(data)
    if length < HEADER_BYTES:
        raise FrameError(
            f"frame of {length} bytes is shorter than the {HEADER_BYTES}-byte header "
            "(truncated)",
            field="header", length=length,
            version=data[0] if length else None,
            frame_type=data[1] >> 4 if length > 1 else None, source=source, row=row,
        )
    version, tc, seq, tick = _HEADER.unpack_from(data)
    ftype, n = tc >> 4, tc & 0x0F
    common = {"length": length, "version": version, "frame_type": ftype,
              "source": source, "row": row}
    if version != PROFILE_VERSION:
        raise FrameError(
            f"version {version}, this receiver reads version {PROFILE_VERSION}",
            field="version", **common,
        )
    if ftype not in FrameType._value2member_map_:
        raise FrameError(
            f"unknown frame type {ftype:#x}; known: "
            f"{', '.join(f'{t.value:#x} {t.name.lower()}' for t in FrameType)}",
            field="type", **common,
        )
    if n == 0:
        raise FrameError("sample count is 0, a frame carries 1..15 samples",
                         field="count", **common)
    if ftype != FrameType.TEMPERATURE and not 1 <= n_sensors <= 255:
        raise ValueError(f"n_sensors must be 1..255, found {n_sensors}")
    if ftype == FrameType.PRESSURE_SECOND_HALF and n_sensors < 2:
        raise FrameError(f"a second-half frame, but the insole has {n_sensors} sensor",
                         field="type", **common)
    bps = sample_bytes(ftype, n_sensors)
    expected = HEADER_BYTES + n * bps
    if length != expected:
        what = "truncated" if length < expected else "too long"
        raise FrameError(
            f"frame of {length} bytes, expected {expected} for type {ftype:#x} with {n} "
            f"sample(s) of {bps} bytes ({what})",
            field="length", **common,
        )
    return FrameType(ftype), n, seq, tick


def decode_frame(
    data: bytes, *, n_sensors: int, source: str | None = None, row: int | None = None
) -> Frame:
    """Check and decode one notification. ``n_sensors`` is the insole's pressure sensor count
    (from the Sensor layout characteristic); it sizes the pressure samples.

    Raises :class:`FrameError` naming the field: ``header`` (shorter than 8 bytes),
    ``version``, ``type``, ``count`` (0 samples) or ``length`` (truncated or too long).
    """
    data = bytes(data)
    ftype, n, seq, tick = _check_header(data, n_sensors=n_sensors, source=source, row=row)
    body = np.frombuffer(data, dtype=np.uint8, offset=HEADER_BYTES)
    if ftype == FrameType.TEMPERATURE:
        samples = decode_centi_celsius(body.view("<i2").reshape(n, N_TEMPERATURE_SITES))
    else:
        ch = frame_channels(ftype, n_sensors)[1]
        samples = unpack_counts(body.reshape(n, -1), ch)
    return Frame(ftype, seq, tick, samples)


# --------------------------------------------------------------------------------------------
# Splitting a stream into frames that fit the MTU


def max_payload_bytes(mtu: int) -> int:
    """Bytes one notification can carry at ``mtu`` (MTU - 3)."""
    if not 23 <= mtu <= 517:
        raise ValueError(f"ATT MTU must be 23..517, found {mtu}")
    return min(mtu - ATT_OVERHEAD_BYTES, 512)


def samples_per_frame(frame_type: int, n_sensors: int, mtu: int) -> int:
    """How many samples of ``frame_type`` fit one notification at ``mtu`` (0: none fits)."""
    room = max_payload_bytes(mtu) - HEADER_BYTES
    return max(0, min(MAX_SAMPLES_PER_FRAME, room // sample_bytes(frame_type, n_sensors)))


def pressure_frame_plan(n_sensors: int, mtu: int) -> tuple[tuple[FrameType, ...], int]:
    """Frame types used per group of samples and samples per frame at ``mtu``.

    All-channel frames (0x1) when one whole sample fits MTU - 3, else the two halves (0x2 then
    0x3) carrying the same samples. Raises ValueError when not even a half sample fits.
    """
    n_all = samples_per_frame(FrameType.PRESSURE_ALL, n_sensors, mtu)
    if n_all:
        return (FrameType.PRESSURE_ALL,), n_all
    if n_sensors >= 2:
        n_half = min(
            samples_per_frame(FrameType.PRESSURE_FIRST_HALF, n_sensors, mtu),
            samples_per_frame(FrameType.PRESSURE_SECOND_HALF, n_sensors, mtu),
        )
        if n_half:
            return (FrameType.PRESSURE_FIRST_HALF, FrameType.PRESSURE_SECOND_HALF), n_half
    raise ValueError(
        f"{n_sensors} sensors do not fit MTU {mtu}: half a sample takes "
        f"{HEADER_BYTES + packed_bytes(first_half_channels(n_sensors))} bytes, "
        f"a notification carries {max_payload_bytes(mtu)}"
    )


def _frame_ticks(
    n_samples: int, step: int, tick0: int, ticks_per_sample: float
) -> tuple[np.ndarray, np.ndarray]:
    starts = np.arange(0, n_samples, step)
    return starts, (np.round(tick0 + starts * ticks_per_sample).astype(np.int64) % TICK_MODULUS)


def _check_stream_args(seq0: int, tick0: int, ticks_per_sample: float) -> None:
    if not 0 <= seq0 < SEQ_MODULUS:
        raise ValueError(f"seq0 must fit u16, found {seq0}")
    if not 0 <= tick0 < TICK_MODULUS:
        raise ValueError(f"tick0 must fit u32, found {tick0}")
    if not (math.isfinite(ticks_per_sample) and ticks_per_sample > 0):
        raise ValueError(f"ticks_per_sample must be positive, found {ticks_per_sample}")


def encode_pressure_frames(
    counts: np.ndarray,
    *,
    seq0: int = 0,
    tick0: int = 0,
    ticks_per_sample: float,
    mtu: int,
    max_samples_per_frame: int = MAX_SAMPLES_PER_FRAME,
) -> list[bytes]:
    """Notifications of a pressure stream of (n, k) counts, in sending order.

    Each frame's tick is that of its first sample, ``round(tick0 + i * ticks_per_sample)``
    modulo 2^32; the sequence number counts frames from ``seq0`` modulo 2^16 (the two halves
    of a sample are consecutive frames with the same tick). ``max_samples_per_frame`` lets a
    peripheral keep its latency budget (a frame at least every 100 ms).
    """
    c = _as_counts(counts, "encode_pressure_frames")
    _check_stream_args(seq0, tick0, ticks_per_sample)
    n, k = c.shape
    types, per = pressure_frame_plan(k, mtu)
    per = max(1, min(per, max_samples_per_frame))
    starts, ticks = _frame_ticks(n, per, tick0, ticks_per_sample)
    parts = []
    for ftype in types:  # each frame packs its own channels from its first one
        first, ch = frame_channels(ftype, k)
        parts.append(pack_counts(c[:, first: first + ch]))
    out: list[bytes] = []
    seq = seq0
    for s, tick in zip(starts.tolist(), ticks.tolist(), strict=True):
        m = min(per, n - s)
        for ftype, packed in zip(types, parts, strict=True):
            out.append(_HEADER.pack(PROFILE_VERSION, (int(ftype) << 4) | m, seq, tick)
                       + packed[s: s + m].tobytes())
            seq = (seq + 1) % SEQ_MODULUS
    return out


def encode_temperature_frames(
    values_c: np.ndarray,
    *,
    seq0: int = 0,
    tick0: int = 0,
    ticks_per_sample: float,
    mtu: int,
    max_samples_per_frame: int = MAX_SAMPLES_PER_FRAME,
) -> list[bytes]:
    """Notifications of a temperature stream of (n, 6) °C in :data:`SITES` order (NaN = no
    reading), batching as many samples as fit MTU - 3. Ticks and sequence as for pressure."""
    v = np.asarray(values_c, dtype=np.float64)
    if v.ndim != 2 or v.shape[1] != N_TEMPERATURE_SITES:
        raise ValueError(f"values_c must be (n, {N_TEMPERATURE_SITES}), found {v.shape}")
    _check_stream_args(seq0, tick0, ticks_per_sample)
    raw = encode_centi_celsius(v)
    per = max(1, min(samples_per_frame(FrameType.TEMPERATURE, 0, mtu), max_samples_per_frame))
    starts, ticks = _frame_ticks(v.shape[0], per, tick0, ticks_per_sample)
    out = []
    for i, (s, tick) in enumerate(zip(starts.tolist(), ticks.tolist(), strict=True)):
        m = min(per, v.shape[0] - s)
        out.append(_HEADER.pack(PROFILE_VERSION, (int(FrameType.TEMPERATURE) << 4) | m,
                                (seq0 + i) % SEQ_MODULUS, tick) + raw[s: s + m].tobytes())
    return out


# --------------------------------------------------------------------------------------------
# Vectorised batch decode


class PressureBatch(NamedTuple):
    """Pressure samples of many frames, one row per sample, in arrival order.

    ``seq``: u16 sequence number of the frame that carried the sample (of the first half for a
    joined pair); ``tick``: device tick of the sample itself, ``frame tick + i *
    ticks_per_sample`` modulo 2^32 (float64: the step may be fractional); ``counts``: (n, k)
    uint16 with ``INVALID_COUNT`` for invalid readings and for a half whose partner was lost.
    """

    seq: np.ndarray
    tick: np.ndarray
    counts: np.ndarray


def _as_buffer(frames) -> tuple[np.ndarray, np.ndarray]:
    if isinstance(frames, tuple) and len(frames) == 2 and not isinstance(frames[1], bytes):
        buf, lengths = frames  # (buffer, lengths)
    else:
        lengths = np.fromiter(map(len, frames), dtype=np.int64, count=len(frames))
        buf = b"".join(frames)
    data = np.frombuffer(buf, dtype=np.uint8)
    lengths = np.asarray(lengths, dtype=np.int64)
    if lengths.ndim != 1 or int(lengths.sum()) != data.size:
        raise ValueError(
            f"frame lengths add up to {int(lengths.sum())} bytes, the buffer holds {data.size}"
        )
    return data, lengths


def decode_pressure_batch(
    frames: Sequence[bytes] | tuple[bytes, np.ndarray],
    *,
    n_sensors: int,
    ticks_per_sample: float,
    source: str | None = None,
) -> PressureBatch:
    """Decode many pressure notifications at once (no per-sample Python loop).

    ``frames`` is a list of notifications, or ``(buffer, lengths)``: the notifications
    concatenated and their lengths. Frames are checked exactly as :func:`decode_frame` checks
    them; the first bad one raises :class:`FrameError` with ``row`` = its index. A second half
    (0x3) is joined to the first half (0x2) just before it when their sequence numbers follow
    and their ticks and counts agree; an unmatched half becomes a row with the other half's
    channels invalid.
    """
    if not 1 <= n_sensors <= 255:
        raise ValueError(f"n_sensors must be 1..255, found {n_sensors}")
    data, lengths = _as_buffer(frames)
    n_frames = lengths.size
    k = n_sensors
    if n_frames == 0:
        return PressureBatch(np.empty(0, np.uint16), np.empty(0, np.float64),
                             np.empty((0, k), np.uint16))
    offsets = np.zeros(n_frames, dtype=np.int64)
    np.cumsum(lengths[:-1], out=offsets[1:])
    short = lengths < HEADER_BYTES
    if np.any(short):
        i = int(np.flatnonzero(short)[0])
        decode_frame(data[offsets[i]: offsets[i] + lengths[i]].tobytes(), n_sensors=k,
                     source=source, row=i)
    hdr = data[offsets[:, None] + np.arange(HEADER_BYTES)]
    version = hdr[:, 0]
    ftype = hdr[:, 1] >> 4
    count = (hdr[:, 1] & 0x0F).astype(np.int64)
    seq = hdr[:, 2:4].copy().view("<u2")[:, 0]
    tick = hdr[:, 4:8].copy().view("<u4")[:, 0]
    bps_by_type = np.zeros(16, dtype=np.int64)
    for t in PRESSURE_TYPES:
        if t != FrameType.PRESSURE_SECOND_HALF or k >= 2:
            bps_by_type[t] = sample_bytes(t, k)
    ok = (
        (version == PROFILE_VERSION)
        & (bps_by_type[ftype] > 0)
        & (count > 0)
        & (lengths == HEADER_BYTES + count * bps_by_type[ftype])
    )
    if not np.all(ok):
        i = int(np.flatnonzero(~ok)[0])
        frame = data[offsets[i]: offsets[i] + lengths[i]].tobytes()
        decode_frame(frame, n_sensors=k, source=source, row=i)  # raises the precise error
        raise FrameError(  # a valid temperature frame among pressure frames
            f"frame type {int(ftype[i]):#x} is not a pressure frame",
            field="type", length=int(lengths[i]), version=int(version[i]),
            frame_type=int(ftype[i]), source=source, row=i,
        )
    # Join second halves to the first half just before them.
    joined = np.zeros(n_frames, dtype=bool)
    if k >= 2:
        joined[1:] = (
            (ftype[1:] == FrameType.PRESSURE_SECOND_HALF)
            & (ftype[:-1] == FrameType.PRESSURE_FIRST_HALF)
            & (seq[1:] == ((seq[:-1].astype(np.int64) + 1) % SEQ_MODULUS))
            & (tick[1:] == tick[:-1])
            & (count[1:] == count[:-1])
        )
    rows_of_frame = np.where(joined, 0, count)
    row_start = np.zeros(n_frames, dtype=np.int64)
    np.cumsum(rows_of_frame[:-1], out=row_start[1:])
    # a joined second half writes into its first half's rows
    row_start[joined] = row_start[np.flatnonzero(joined) - 1]
    n_rows = int(rows_of_frame.sum())
    counts = np.full((n_rows, k), INVALID_COUNT, dtype=np.uint16)
    out_seq = np.empty(n_rows, dtype=np.uint16)
    out_tick = np.empty(n_rows, dtype=np.float64)
    owner = ~joined
    # group by (type, count): one gather + unpack per group
    key = ftype.astype(np.int64) * 16 + count
    for g in np.unique(key).tolist():
        t, m = divmod(g, 16)
        sel = np.flatnonzero(key == g)
        first, ch = frame_channels(t, k)
        bps = sample_bytes(t, k)
        body = data[(offsets[sel] + HEADER_BYTES)[:, None] + np.arange(m * bps)]
        values = unpack_counts(body.reshape(sel.size * m, bps), ch)
        rows = (row_start[sel][:, None] + np.arange(m)).ravel()
        counts[rows, first: first + ch] = values
        own = sel[owner[sel]]
        if own.size:
            r = (row_start[own][:, None] + np.arange(m)).ravel()
            out_seq[r] = np.repeat(seq[own], m)
            out_tick[r] = np.mod(
                tick[own][:, None].astype(np.float64) + np.arange(m) * ticks_per_sample,
                TICK_MODULUS,
            ).ravel()
    return PressureBatch(out_seq, out_tick, counts)


# --------------------------------------------------------------------------------------------
# Read characteristics

_SIDE_CODES: Final[dict[str, int]] = {"left": 0, "right": 1}


def _need(data: bytes, n: int, what: str, *, exact: bool = True) -> None:
    if len(data) < n or (exact and len(data) != n):
        raise FrameError(
            f"{what}: {len(data)} bytes, expected {'' if exact else 'at least '}{n}",
            field=what, length=len(data),
        )


def encode_side(foot: str) -> bytes:
    """Side characteristic: u8, 0 = left, 1 = right."""
    return bytes([_SIDE_CODES[check_foot(foot)]])


def decode_side(data: bytes) -> Foot:
    _need(data, 1, "side")
    if data[0] > 1:
        raise FrameError(f"side code {data[0]}, expected 0 (left) or 1 (right)",
                         field="side", length=1)
    return FEET[data[0]]


def encode_layout(layout: SensorLayout) -> bytes:
    """Sensor layout: u8 k, u8 name length, UTF-8 name, per sensor sint16 x, sint16 y
    (0.1 mm, right-foot insole frame), u8 region index into :data:`REGIONS`."""
    name = layout.name.encode("utf-8")
    k = layout.n_sensors
    if k > 255 or len(name) > 255:
        raise ValueError(f"layout {layout.name!r}: {k} sensors / {len(name)}-byte name, max 255")
    xy = np.round(np.column_stack([layout.x_mm, layout.y_mm]) * 10.0)
    if np.any(np.abs(xy) > 32767):
        raise ValueError(f"layout {layout.name!r}: positions must lie within ±3276.7 mm")
    rec = np.zeros(k, dtype=[("x", "<i2"), ("y", "<i2"), ("region", "u1")])
    rec["x"], rec["y"] = xy[:, 0], xy[:, 1]
    rec["region"] = [REGIONS.index(r) for r in layout.regions]
    return bytes([k, len(name)]) + name + rec.tobytes()


def decode_layout(data: bytes) -> SensorLayout:
    """Sensor layout record -> :class:`SensorLayout`.

    When the name is a built-in layout (``analysis.layouts.LAYOUTS``) with the same sensors,
    positions (to 0.1 mm) and regions, that layout itself is returned (it knows sensor ids and
    areas); otherwise a layout with ids ``s1..sk`` and no areas.
    """
    _need(data, 2, "layout", exact=False)
    k, name_len = data[0], data[1]
    expected = 2 + name_len + 5 * k
    _need(data, expected, "layout")
    if k == 0:
        raise FrameError("layout: 0 sensors", field="layout", length=len(data))
    try:
        name = data[2: 2 + name_len].decode("utf-8")
    except UnicodeDecodeError:
        raise FrameError("layout: the name is not UTF-8", field="layout name",
                         length=len(data)) from None
    rec = np.frombuffer(data, dtype=[("x", "<i2"), ("y", "<i2"), ("region", "u1")],
                        offset=2 + name_len)
    if np.any(rec["region"] >= len(REGIONS)):
        bad = int(rec["region"].max())
        raise FrameError(f"layout: region index {bad}, known 0..{len(REGIONS) - 1}",
                         field="layout region", length=len(data))
    x_mm = rec["x"].astype(np.float64) / 10.0
    y_mm = rec["y"].astype(np.float64) / 10.0
    regions = tuple(REGIONS[i] for i in rec["region"].tolist())
    known = LAYOUTS.get(name)
    if (
        known is not None
        and known.n_sensors == k
        and known.regions == regions
        and np.allclose(known.x_mm, x_mm, atol=0.051)
        and np.allclose(known.y_mm, y_mm, atol=0.051)
    ):
        return known
    return SensorLayout(name=name, sensor_ids=tuple(f"s{i + 1}" for i in range(k)),
                        x_mm=x_mm, y_mm=y_mm, regions=regions,
                        description="received from an insole's Sensor layout characteristic")


@dataclass(frozen=True, eq=False)
class CalibrationRecord:
    """Calibration characteristic: ``kPa = max(0, counts - offset_counts) * gain_kpa_per_count``.

    The pipeline turns it into ``analysis.pressure.Calibration`` (exponent 1).
    """

    offset_counts: np.ndarray
    gain_kpa_per_count: np.ndarray

    def __post_init__(self) -> None:
        off = np.asarray(self.offset_counts)
        gain = np.asarray(self.gain_kpa_per_count, dtype=np.float32)
        if off.ndim != 1 or gain.shape != off.shape or not 1 <= off.size <= 255:
            raise ValueError(f"calibration: 1..255 offsets and as many gains, found "
                             f"{off.shape} and {gain.shape}")
        if np.any(off != np.round(off)) or off.min() < 0 or off.max() > 0xFFFF:
            raise ValueError("calibration: offsets must be whole counts 0..65535")
        if not np.all(np.isfinite(gain)) or np.any(gain < 0):
            raise ValueError("calibration: gains must be finite and >= 0")
        object.__setattr__(self, "offset_counts", off.astype(np.uint16))
        object.__setattr__(self, "gain_kpa_per_count", gain)

    def to_kpa(self, counts: np.ndarray) -> np.ndarray:
        """(n, k) counts to float32 kPa; the invalid marker 0xFFF becomes NaN."""
        c = np.asarray(counts)
        kpa = np.maximum(c.astype(np.float32) - self.offset_counts.astype(np.float32), 0.0)
        kpa *= self.gain_kpa_per_count
        kpa[c == INVALID_COUNT] = np.nan
        return kpa

    def to_counts(self, kpa: np.ndarray) -> np.ndarray:
        """The inverse, for a sender: kPa to 12-bit counts (clipped), NaN to 0xFFF."""
        k = np.asarray(kpa, dtype=np.float64)
        with np.errstate(invalid="ignore", divide="ignore"):
            counts = np.round(k / self.gain_kpa_per_count.astype(np.float64) + self.offset_counts)
        counts = np.clip(counts, 0, MAX_VALID_COUNT)
        counts[~np.isfinite(k)] = INVALID_COUNT
        return counts.astype(np.uint16)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, CalibrationRecord):
            return NotImplemented
        return bool(np.array_equal(self.offset_counts, other.offset_counts)
                    and np.array_equal(self.gain_kpa_per_count, other.gain_kpa_per_count))

    __hash__ = None  # type: ignore[assignment]


_CAL = np.dtype([("offset", "<u2"), ("gain", "<f4")])


def encode_calibration(cal: CalibrationRecord) -> bytes:
    """Calibration: u8 k, then per sensor u16 offset_counts, float32 gain_kpa_per_count."""
    rec = np.zeros(cal.offset_counts.size, dtype=_CAL)
    rec["offset"], rec["gain"] = cal.offset_counts, cal.gain_kpa_per_count
    return bytes([cal.offset_counts.size]) + rec.tobytes()


def decode_calibration(data: bytes, *, n_sensors: int | None = None) -> CalibrationRecord:
    _need(data, 1, "calibration", exact=False)
    k = data[0]
    _need(data, 1 + k * _CAL.itemsize, "calibration")
    if n_sensors is not None and k != n_sensors:
        raise FrameError(f"calibration for {k} sensors, the layout has {n_sensors}",
                         field="calibration", length=len(data))
    rec = np.frombuffer(data, dtype=_CAL, offset=1)
    try:
        return CalibrationRecord(rec["offset"].copy(), rec["gain"].copy())
    except ValueError as exc:
        raise FrameError(str(exc), field="calibration", length=len(data)) from None


PRESSURE_HZ_RANGE: Final = (50, 200)


@dataclass(frozen=True)
class Rates:
    """Rates characteristic: u16 pressure_hz, u32 temperature_period_ms, u32 tick_hz."""

    pressure_hz: int
    temperature_period_ms: int
    tick_hz: int = 1000

    def __post_init__(self) -> None:
        lo, hi = PRESSURE_HZ_RANGE
        if not lo <= self.pressure_hz <= hi:
            raise ValueError(f"pressure_hz must be {lo}..{hi}, found {self.pressure_hz}")
        if not 1 <= self.temperature_period_ms < 1 << 32:
            raise ValueError(f"temperature_period_ms must be 1..2^32-1, found "
                             f"{self.temperature_period_ms}")
        if not 1 <= self.tick_hz < 1 << 32:
            raise ValueError(f"tick_hz must be 1..2^32-1, found {self.tick_hz}")

    @property
    def ticks_per_pressure_sample(self) -> float:
        return self.tick_hz / self.pressure_hz

    @property
    def ticks_per_temperature_sample(self) -> float:
        return self.tick_hz * self.temperature_period_ms / 1000.0


_RATES = struct.Struct("<HII")


def encode_rates(rates: Rates) -> bytes:
    return _RATES.pack(rates.pressure_hz, rates.temperature_period_ms, rates.tick_hz)


def decode_rates(data: bytes) -> Rates:
    _need(data, _RATES.size, "rates")
    try:
        return Rates(*_RATES.unpack(data))
    except ValueError as exc:
        raise FrameError(f"rates: {exc}", field="rates", length=len(data)) from None


# --------------------------------------------------------------------------------------------
# Control point


class Opcode(IntEnum):
    START = 0x01
    STOP = 0x02
    SET_PRESSURE_RATE = 0x03
    SET_TIME = 0x04


class ResultCode(IntEnum):
    SUCCESS = 0
    OPCODE_NOT_SUPPORTED = 1
    INVALID_PARAMETER = 2
    OPERATION_FAILED = 3


RESPONSE_CODE: Final = 0x80


@dataclass(frozen=True)
class Command:
    """A Control point write. ``pressure_hz`` for SET_PRESSURE_RATE, ``unix_time_ms`` for
    SET_TIME, both None otherwise."""

    opcode: Opcode
    pressure_hz: int | None = None
    unix_time_ms: int | None = None

    def __post_init__(self) -> None:
        op = Opcode(self.opcode)
        object.__setattr__(self, "opcode", op)
        if op == Opcode.SET_PRESSURE_RATE:
            lo, hi = PRESSURE_HZ_RANGE
            if self.pressure_hz is None or not lo <= self.pressure_hz <= hi:
                raise ValueError(f"set pressure rate needs pressure_hz {lo}..{hi}, found "
                                 f"{self.pressure_hz}")
        elif self.pressure_hz is not None:
            raise ValueError(f"{op.name} takes no pressure_hz")
        if op == Opcode.SET_TIME:
            if self.unix_time_ms is None or not 0 <= self.unix_time_ms < 1 << 64:
                raise ValueError(f"set time needs unix_time_ms as u64, found "
                                 f"{self.unix_time_ms}")
        elif self.unix_time_ms is not None:
            raise ValueError(f"{op.name} takes no unix_time_ms")


def encode_command(cmd: Command) -> bytes:
    if cmd.opcode == Opcode.SET_PRESSURE_RATE:
        return struct.pack("<BH", cmd.opcode, cmd.pressure_hz)
    if cmd.opcode == Opcode.SET_TIME:
        return struct.pack("<BQ", cmd.opcode, cmd.unix_time_ms)
    return bytes([cmd.opcode])


_COMMAND_BYTES: Final = {Opcode.START: 1, Opcode.STOP: 1, Opcode.SET_PRESSURE_RATE: 3,
                         Opcode.SET_TIME: 9}


def decode_command(data: bytes) -> Command:
    """Control point write -> :class:`Command`. An unknown opcode raises FrameError with
    field 'opcode' (a peripheral answers it with OPCODE_NOT_SUPPORTED)."""
    _need(data, 1, "command", exact=False)
    if data[0] not in Opcode._value2member_map_:
        raise FrameError(f"unknown opcode {data[0]:#04x}", field="opcode", length=len(data))
    op = Opcode(data[0])
    _need(data, _COMMAND_BYTES[op], f"command {op.name.lower()}")
    try:
        if op == Opcode.SET_PRESSURE_RATE:
            return Command(op, pressure_hz=struct.unpack_from("<H", data, 1)[0])
        if op == Opcode.SET_TIME:
            return Command(op, unix_time_ms=struct.unpack_from("<Q", data, 1)[0])
        return Command(op)
    except ValueError as exc:
        raise FrameError(str(exc), field="parameter", length=len(data)) from None


@dataclass(frozen=True)
class Response:
    """Control point indication ``0x80, request opcode, result`` (+ u32 ``tick`` after a
    successful SET_TIME: the device tick at the moment the command arrived)."""

    request_opcode: int
    result: ResultCode
    tick: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "result", ResultCode(self.result))
        if not 0 <= self.request_opcode <= 0xFF:
            raise ValueError(f"request_opcode must fit u8, found {self.request_opcode}")
        carries_tick = (self.request_opcode == Opcode.SET_TIME
                        and self.result == ResultCode.SUCCESS)
        if carries_tick != (self.tick is not None):
            raise ValueError("a tick comes with, and only with, a successful SET_TIME")
        if self.tick is not None and not 0 <= self.tick < TICK_MODULUS:
            raise ValueError(f"tick must fit u32, found {self.tick}")


def encode_response(resp: Response) -> bytes:
    out = bytes([RESPONSE_CODE, resp.request_opcode, resp.result])
    return out + (struct.pack("<I", resp.tick) if resp.tick is not None else b"")


def decode_response(data: bytes) -> Response:
    _need(data, 3, "response", exact=False)
    if data[0] != RESPONSE_CODE:
        raise FrameError(f"response code {data[0]:#04x}, expected {RESPONSE_CODE:#04x}",
                         field="response", length=len(data))
    if data[2] not in ResultCode._value2member_map_:
        raise FrameError(f"unknown result {data[2]}", field="result", length=len(data))
    with_tick = data[1] == Opcode.SET_TIME and data[2] == ResultCode.SUCCESS
    _need(data, 7 if with_tick else 3, "response")
    tick = struct.unpack_from("<I", data, 3)[0] if with_tick else None
    return Response(data[1], ResultCode(data[2]), tick)


# --------------------------------------------------------------------------------------------
# Date Time (0x2A08 layout) and Current Time (0x2A2B)

DATE_TIME_BYTES: Final = 7
_DATE_TIME = struct.Struct("<HBBBBB")


def encode_date_time(dt: datetime) -> bytes:
    """Bluetooth Date Time: year u16, month, day, hours, minutes, seconds (device local time;
    sub-second parts are dropped)."""
    if not 1582 <= dt.year <= 9999:
        raise ValueError(f"Date Time years are 1582..9999, found {dt.year}")
    return _DATE_TIME.pack(dt.year, dt.month, dt.day, dt.hour, dt.minute, dt.second)


def decode_date_time(data: bytes) -> datetime | None:
    """Date Time -> naive datetime (the device's local time), or None when the year, month
    or day is 0 ("not known")."""
    _need(data, DATE_TIME_BYTES, "date time")
    year, month, day, hour, minute, second = _DATE_TIME.unpack(data)
    if year == 0 or month == 0 or day == 0:
        return None
    try:
        return datetime(year, month, day, hour, minute, second)
    except ValueError as exc:
        raise FrameError(f"date time {year}-{month}-{day} {hour}:{minute}:{second}: {exc}",
                         field="date time", length=len(data)) from None


@dataclass(frozen=True)
class CurrentTime:
    """Current Time: Date Time, day of week (1 = Monday .. 7, 0 = unknown), fractions256,
    adjust reason bits. ``time`` keeps the sub-second part: fractions256 is its microseconds
    truncated to 1/256 s, and a received value decodes to the first microsecond of its step."""

    time: datetime
    day_of_week: int = 0
    adjust_reason: int = 0

    @property
    def fractions256(self) -> int:
        return int(self.time.microsecond * 256 // 1_000_000)


def encode_current_time(ct: CurrentTime) -> bytes:
    return encode_date_time(ct.time) + bytes(
        [ct.day_of_week, ct.fractions256, ct.adjust_reason])


def decode_current_time(data: bytes) -> CurrentTime:
    _need(data, 10, "current time")
    dt = decode_date_time(data[:DATE_TIME_BYTES])
    if dt is None:
        raise FrameError("current time: the date is not known (zero fields)",
                         field="current time", length=len(data))
    dow, frac, reason = data[7], data[8], data[9]
    if dow > 7:
        raise FrameError(f"current time: day of week {dow}, expected 0..7",
                         field="day of week", length=len(data))
    return CurrentTime(dt.replace(microsecond=-(-frac * 1_000_000 // 256)), dow, reason)
