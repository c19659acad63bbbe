"""The raw log of a session: every notification as received, append-only, crash-safe.

Format: docs/recording-format.md (magic ``SWLOG1``; a JSON session record; then records of
type u8, length u32, payload, CRC32). :class:`RecordingWriter` writes each record with one
``os.write`` (no Python buffering) and fsyncs at least every ``fsync_interval_s`` (on write,
and from a background tick when writes stop), so a killed process or a power cut loses at
most that much. :func:`read_log` reads every complete record and stops at a torn or CRC-bad
tail, reporting the bytes it ignored as a :class:`~analysis.errors.DataProblem`;
:func:`repair` cuts that tail off so appending can continue.

:func:`replay` yields the notifications again with their original timing (scaled, or as fast
as possible) and :func:`replay_to_streams` feeds them through the same
:class:`~firmware_bridge.stream.PairAssembler` as live data, for a batch export.
"""

from __future__ import annotations

import asyncio
import json
import os
import struct
import threading
import time
import zlib
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analysis.errors import DataProblem, InputError
from analysis.sites import check_foot
from analysis.streams import PressureStream, TemperatureStream
from firmware_bridge import profile as pf
from firmware_bridge.stream.assembler import (
    InsoleAssembler,
    LinkStats,
    PairAssembler,
    characteristic_name,
    concat_pressure,
    concat_temperature,
)

MAGIC = b"SWLOG1"
FORMAT_VERSION = 1
FILE_HEADER = struct.Struct("<6sH")  # magic, format version
RECORD_HEADER = struct.Struct("<BI")  # type, payload length
CRC = struct.Struct("<I")
NOTIFICATION_HEADER = struct.Struct("<dBB")  # host time s, device index, characteristic code
EVENT_HEADER = struct.Struct("<dBB")  # host time s, device index (0xFF: none), event kind

SESSION, DEVICE, NOTIFICATION, EVENT = 1, 2, 3, 4
RECORD_TYPES = {SESSION: "session", DEVICE: "device", NOTIFICATION: "notification",
                EVENT: "event"}
#: characteristic codes of notification records; 0 = another one, its 16-byte UUID follows
CHARACTERISTIC_CODES = {"pressure": 1, "temperature": 2, pf.BATTERY_LEVEL_UUID: 3}
_CODE_NAMES = {v: k for k, v in CHARACTERISTIC_CODES.items()}
EVENT_KINDS = {"connect": 1, "disconnect": 2, "note": 3}
_EVENT_NAMES = {v: k for k, v in EVENT_KINDS.items()}
NO_DEVICE = 0xFF
#: Longest payload a reader accepts (a larger length field is a torn or foreign tail).
MAX_PAYLOAD_BYTES = 1 << 20
FSYNC_INTERVAL_S = 0.5


@dataclass(frozen=True)
class DeviceInfo:
    """One insole as read when it connected: the raw bytes of its read characteristics."""

    address: str
    side: str
    layout: bytes
    calibration: bytes
    rates: bytes

    def to_json(self) -> dict:
        return {"address": self.address, "side": check_foot(self.side),
                "layout": self.layout.hex(), "calibration": self.calibration.hex(),
                "rates": self.rates.hex()}

    @classmethod
    def from_json(cls, d: dict) -> DeviceInfo:
        return cls(address=str(d["address"]), side=check_foot(d["side"]),
                   layout=bytes.fromhex(d["layout"]),
                   calibration=bytes.fromhex(d["calibration"]), rates=bytes.fromhex(d["rates"]))


@dataclass(frozen=True)
class Notification:
    """One notification as received (or replayed)."""

    host_time_s: float
    device: DeviceInfo
    characteristic: str
    data: bytes


@dataclass(frozen=True)
class Event:
    host_time_s: float
    kind: str
    device: DeviceInfo | None
    text: str = ""


def _record(rtype: int, payload: bytes) -> bytes:
    head = RECORD_HEADER.pack(rtype, len(payload))
    return head + payload + CRC.pack(zlib.crc32(payload, zlib.crc32(head)))


class RecordingWriter:
    """Append-only writer of a raw log. Use as a context manager.

    A new file gets the header and the session record (``wearer``, ``devices``); an existing
    file is never overwritten (FileExistsError). With ``append=True`` an existing, complete
    log (see :func:`repair`) is continued.
    """

    def __init__(
        self,
        path: str | Path,
        *,
        wearer: str = "",
        devices: Iterable[DeviceInfo] = (),
        created_unix_s: float | None = None,
        append: bool = False,
        fsync_interval_s: float = FSYNC_INTERVAL_S,
    ) -> None:
        self.path = Path(path)
        self.fsync_interval_s = float(fsync_interval_s)
        self.devices: list[DeviceInfo] = []
        self._lock = threading.Lock()
        self._dirty = False
        self._closed = False
        if append:
            log = read_log(self.path)
            if log.ignored_bytes:
                raise InputError(f"{log.ignored_bytes} bytes of a torn tail: repair() the log "
                                 "before appending", source=str(self.path))
            self.devices = list(log.devices)
            self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND)
        else:
            self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND,
                               0o644)
            self.devices = list(devices)
            session = {
                "format": "solewatch raw log", "format_version": FORMAT_VERSION,
                "created_unix_s": time.time() if created_unix_s is None else created_unix_s,
                "wearer": wearer, "devices": [d.to_json() for d in self.devices],
            }
            body = json.dumps(session, sort_keys=True).encode("utf-8")
            os.write(self._fd, FILE_HEADER.pack(MAGIC, FORMAT_VERSION)
                     + _record(SESSION, body))
            os.fsync(self._fd)
        self._last_sync = time.monotonic()
        self._stop = threading.Event()
        self._ticker = threading.Thread(target=self._tick, name="swlog-fsync", daemon=True)
        self._ticker.start()

    # -- records ---------------------------------------------------------------------------

    def add_device(self, device: DeviceInfo) -> int:
        """Record an insole that connected after the session started; its index."""
        self.devices.append(device)
        d = {**device.to_json(), "index": len(self.devices) - 1}
        self._write(_record(DEVICE, json.dumps(d, sort_keys=True).encode("utf-8")))
        return len(self.devices) - 1

    def notification(self, host_time_s: float, device: int, characteristic: str | int,
                     data: bytes) -> None:
        name = characteristic_name(characteristic)
        code = CHARACTERISTIC_CODES.get(name, 0)
        payload = NOTIFICATION_HEADER.pack(host_time_s, device, code)
        if code == 0:
            payload += bytes.fromhex(pf.normalise_uuid(name).replace("-", ""))
        self._write(_record(NOTIFICATION, payload + bytes(data)))

    def event(self, host_time_s: float, kind: str, *, device: int | None = None,
              text: str = "") -> None:
        if kind not in EVENT_KINDS:
            raise ValueError(f"event kind must be one of {sorted(EVENT_KINDS)}, found {kind!r}")
        payload = EVENT_HEADER.pack(host_time_s, NO_DEVICE if device is None else device,
                                    EVENT_KINDS[kind]) + text.encode("utf-8")
        self._write(_record(EVENT, payload))

    # -- durability ------------------------------------------------------------------------

    def _write(self, record: bytes) -> None:
        with self._lock:
            if self._closed:
                raise ValueError(f"{self.path}: the writer is closed")
            os.write(self._fd, record)  # one write per record: no Python buffering
            self._dirty = True
            if time.monotonic() - self._last_sync >= self.fsync_interval_s:
                self._sync_locked()

    def _sync_locked(self) -> None:
        os.fsync(self._fd)
        self._dirty = False
        self._last_sync = time.monotonic()

    def _tick(self) -> None:
        while not self._stop.wait(self.fsync_interval_s / 2):
            with self._lock:
                if (not self._closed and self._dirty
                        and time.monotonic() - self._last_sync >= self.fsync_interval_s / 2):
                    self._sync_locked()

    def flush(self) -> None:
        with self._lock:
            if not self._closed:
                self._sync_locked()

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            if self._closed:
                return
            self._sync_locked()
            os.close(self._fd)
            self._closed = True
        self._ticker.join(timeout=2.0)

    def __enter__(self) -> RecordingWriter:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --------------------------------------------------------------------------------------------
# Reading


@dataclass
class LogContents:
    """Everything a log holds. Notifications as parallel arrays/lists in file order."""

    path: str
    session: dict
    devices: list[DeviceInfo]
    host_time_s: np.ndarray
    device: np.ndarray
    characteristic: list[str]
    data: list[bytes]
    events: list[Event]
    problems: list[DataProblem] = field(default_factory=list)
    valid_bytes: int = 0
    ignored_bytes: int = 0

    def notifications(self) -> Iterable[Notification]:
        for t, d, c, b in zip(self.host_time_s.tolist(), self.device.tolist(),
                              self.characteristic, self.data, strict=True):
            yield Notification(t, self.devices[d], c, b)


def is_log(path: str | Path) -> bool:
    """True when the file starts with the magic ``SWLOG1``."""
    try:
        with open(path, "rb") as fh:
            return fh.read(len(MAGIC)) == MAGIC
    except OSError:
        return False


def read_log(path: str | Path) -> LogContents:
    """Read every complete record; a torn or CRC-bad tail is reported, not raised."""
    p = Path(path)
    src = str(p)
    try:
        buf = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", source=src) from None
    if len(buf) < FILE_HEADER.size:
        raise InputError(f"{len(buf)} bytes: too short for a solewatch raw log", source=src)
    magic, version = FILE_HEADER.unpack_from(buf)
    if magic != MAGIC:
        raise InputError(f"not a solewatch raw log: starts with {magic!r}, expected {MAGIC!r}",
                         source=src)
    if version != FORMAT_VERSION:
        raise InputError(f"raw log format version {version}, this reader reads "
                         f"{FORMAT_VERSION}", source=src)
    mv = memoryview(buf)
    pos = FILE_HEADER.size
    end = len(buf)
    session: dict | None = None
    devices: list[DeviceInfo] = []
    times: list[float] = []
    devs: list[int] = []
    chars: list[str] = []
    datas: list[bytes] = []
    events: list[Event] = []
    problems: list[DataProblem] = []
    unknown = 0
    n_head, n_crc, n_note = RECORD_HEADER.size, CRC.size, NOTIFICATION_HEADER.size
    unpack_head, unpack_crc = RECORD_HEADER.unpack_from, CRC.unpack_from
    unpack_note, crc32 = NOTIFICATION_HEADER.unpack_from, zlib.crc32
    index = 0
    bad = None
    while pos < end:
        if end - pos < n_head + n_crc:
            bad = "a record cut short (torn write)"
            break
        rtype, length = unpack_head(buf, pos)
        stop = pos + n_head + length
        if length > MAX_PAYLOAD_BYTES or stop + n_crc > end:
            bad = ("a record cut short (torn write)" if length <= MAX_PAYLOAD_BYTES
                   else f"a record length of {length} bytes (torn or overwritten)")
            break
        if crc32(mv[pos:stop]) != unpack_crc(buf, stop)[0]:
            bad = "a record whose CRC32 does not match (torn or corrupted)"
            break
        body_at = pos + n_head
        if rtype == NOTIFICATION:
            t, d, code = unpack_note(buf, body_at)
            at = body_at + n_note
            if code == 0:
                u = buf[at: at + 16].hex()
                name = f"{u[:8]}-{u[8:12]}-{u[12:16]}-{u[16:20]}-{u[20:]}"
                at += 16
            else:
                name = _CODE_NAMES.get(code, f"code {code}")
            if d < len(devices):
                times.append(t)
                devs.append(d)
                chars.append(name)
                datas.append(buf[at:stop])
            else:
                problems.append(DataProblem(src, f"notification of unknown device {d}",
                                            row=index, field="record"))
        elif rtype == SESSION or rtype == DEVICE:
            try:
                rec = json.loads(bytes(mv[body_at:stop]).decode("utf-8"))
                if rtype == SESSION:
                    session = rec
                    devices = [DeviceInfo.from_json(x) for x in rec.get("devices", [])]
                else:
                    devices.append(DeviceInfo.from_json(rec))
            except (ValueError, KeyError, TypeError) as exc:
                problems.append(DataProblem(src, f"{RECORD_TYPES[rtype]} record unreadable: "
                                            f"{exc}", row=index, field="record"))
        elif rtype == EVENT:
            t, d, kind = EVENT_HEADER.unpack_from(buf, body_at)
            text = bytes(mv[body_at + EVENT_HEADER.size: stop]).decode("utf-8", "replace")
            events.append(Event(t, _EVENT_NAMES.get(kind, f"kind {kind}"),
                                devices[d] if d < len(devices) else None, text))
        else:
            unknown += 1
        pos = stop + n_crc
        index += 1
    if session is None:
        raise InputError("no session record: the log's first record is missing or damaged",
                         source=src)
    ignored = end - pos
    if ignored:
        problems.append(DataProblem(
            src, f"the log ends in {bad}: the last {ignored} bytes were ignored after "
            f"{index} complete records (repair() cuts them off)", row=index, field="record",
            count=1))
    if unknown:
        problems.append(DataProblem(src, f"{unknown} records of unknown type skipped",
                                    field="record", count=unknown))
    return LogContents(
        path=src, session=session, devices=devices,
        host_time_s=np.asarray(times, dtype=np.float64),
        device=np.asarray(devs, dtype=np.int64), characteristic=chars, data=datas,
        events=events, problems=problems, valid_bytes=pos, ignored_bytes=ignored)


def repair(path: str | Path) -> int:
    """Cut a torn or CRC-bad tail off a log so appending can continue; bytes removed."""
    log = read_log(path)
    if log.ignored_bytes:
        os.truncate(path, log.valid_bytes)
    return log.ignored_bytes


# --------------------------------------------------------------------------------------------
# Replay


async def replay(path: str | Path, *, speed: float | None = 1.0) -> AsyncIterator[Notification]:
    """The notifications of a log with their original timing divided by ``speed`` (None: as
    fast as possible, yielding to the event loop now and then)."""
    if speed is not None and not speed > 0:
        raise ValueError(f"speed must be positive or None, found {speed!r}")
    log = read_log(path)
    loop = asyncio.get_running_loop()
    t_first = float(log.host_time_s[0]) if log.host_time_s.size else 0.0
    started = loop.time()
    for i, n in enumerate(log.notifications()):
        if speed is not None:
            due = started + (n.host_time_s - t_first) / speed
            wait = due - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
        elif i % 1000 == 999:
            await asyncio.sleep(0)
        yield n


def pair_for(devices: list[DeviceInfo], *, source: str = "<live>") -> PairAssembler:
    """A :class:`PairAssembler` for the insoles of a session (the latest device per side)."""
    by_side: dict[str, InsoleAssembler] = {}
    for d in devices:
        by_side[d.side] = InsoleAssembler(d.side, d.layout, d.calibration, d.rates,
                                          source=source)
    return PairAssembler(by_side.get("left"), by_side.get("right"), source=source)


@dataclass
class ReplayResult:
    pressure: PressureStream | None
    temperature: TemperatureStream | None
    stats: dict[str, LinkStats]
    problems: list[DataProblem]
    events: list[Event]


#: replay_to_streams drains the assembler after this many notifications
DRAIN_EVERY = 50_000


def replay_to_streams(path: str | Path) -> ReplayResult:
    """Replay a whole log as fast as possible through the live path; both streams."""
    log = read_log(path)
    src = str(path)
    if not log.devices:
        raise InputError("the log names no insole", source=src)
    pair = pair_for(log.devices, source=src)
    sides = [d.side for d in log.devices]
    p_batches, t_batches = [], []
    feed = pair.feed
    for i, (t, d, c, b) in enumerate(zip(log.host_time_s.tolist(), log.device.tolist(),
                                         log.characteristic, log.data, strict=True)):
        feed(sides[d], t, c, b)
        if i % DRAIN_EVERY == DRAIN_EVERY - 1:
            batch = pair.drain()
            p_batches.append(batch.pressure)
            t_batches.append(batch.temperature)
    batch = pair.drain(final=True)
    p_batches.append(batch.pressure)
    t_batches.append(batch.temperature)
    problems = list(log.problems) + pair.problems()
    pressure = concat_pressure(p_batches, problems)
    temperature = concat_temperature(t_batches, problems)
    if pressure is None and temperature is None:
        raise InputError("the log holds no valid pressure or temperature frame", source=src)
    return ReplayResult(pressure, temperature, pair.stats(), problems, log.events)
