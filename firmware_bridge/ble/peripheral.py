"""A virtual solewatch insole: a bumble peripheral serving docs/ble-profile.md, with faults.

:class:`VirtualInsole` advertises ``SWL-xxxx`` / ``SWR-xxxx`` with the insole service UUID
(31 bytes, the legacy limit), serves the insole service (Pressure, Temperature, Side, Sensor
layout, Calibration, Rates, Control point), Battery, Device Information and Current Time, and
streams only after the client writes Start on the Control point. Every byte goes through the
codecs of :mod:`firmware_bridge.profile`.

Data: a :class:`~analysis.streams.PressureStream` (kPa, converted to 12-bit counts with the
calibration record the insole also serves, or raw counts) and a
:class:`~analysis.streams.TemperatureStream`, from a recording or, by default, the fixture
generator (:mod:`firmware_bridge.ble.demo_data`); the insole loops them. The pressure rate
(50-200 Hz) comes from Rates and can be changed with the Control point; samples are batched
as many as fit MTU - 3 and at most 100 ms apart. The insole keeps its own device clock
(``tick_hz`` 1000) that can drift (``FaultPlan.drift_ppm``).

Faults (:class:`FaultPlan`, at construction or :meth:`VirtualInsole.set_faults` at run time):
link loss, independent and bursty (Gilbert) notification loss, reboot, clock drift, low
battery, truncated and malformed frames. :attr:`VirtualInsole.counts` counts what was
injected, so a test can check that the client saw exactly that.

Usage on the client's loop (tests)::

    radio = await get_radio()
    left = await radio.add_peripheral(VirtualInsole("left"))
"""

from __future__ import annotations

import asyncio
import logging
import math
import random
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from bumble import att, gatt, hci
from bumble.core import AdvertisingData
from bumble.device import Connection, Device
from bumble.link import LocalLink

from analysis.layouts import SOLEWATCH_16, SensorLayout
from analysis.sites import check_foot, foot_index
from analysis.streams import PressureStream, TemperatureStream
from firmware_bridge import profile
from firmware_bridge.ble.radio import new_virtual_device

logger = logging.getLogger(__name__)

PRESSURE = "pressure"
TEMPERATURE = "temperature"
#: The latency budget of the profile: a frame at least every 100 ms.
MAX_FRAME_INTERVAL_S = 0.1
#: Advertising interval of the virtual insole, ms (fast: discovery within a scan of 0.1 s).
ADVERTISING_INTERVAL_MS = 20.0
#: HCI reason a peripheral-side link loss is reported with (supervision timeout).
LINK_LOSS_REASON = hci.HCI_ErrorCode.CONNECTION_TIMEOUT_ERROR
POWER_OFF_REASON = hci.HCI_REMOTE_DEVICE_TERMINATED_CONNECTION_DUE_TO_POWER_OFF_ERROR

DEFAULT_ADDRESSES = {"left": "D4:5E:00:00:3A:7F", "right": "D4:5E:00:00:3A:80"}


@dataclass
class FaultPlan:
    """Faults a :class:`VirtualInsole` injects. Times are seconds after the Start command.

    Time faults (link loss, reboot, low battery, burst) fire once per plan; setting a plan
    again arms them again. Probabilities apply per notification of the Pressure and
    Temperature characteristics; ``seed`` makes them repeatable.
    """

    #: Disconnect (reason: connection timeout) this long after Start, then stay silent
    #: ``link_loss_down_s`` before advertising again.
    link_loss_at_s: float | None = None
    link_loss_down_s: float = 1.0
    #: Independent loss of a notification.
    drop_probability: float = 0.0
    #: Gilbert model of bursty loss: chance per notification to enter the lossy state, and
    #: to leave it (every notification is lost while in it). 0 disables.
    gilbert_p_enter: float = 0.0
    gilbert_p_leave: float = 0.5
    #: A burst of ``burst_frames`` consecutive pressure notifications lost from ``burst_at_s``.
    burst_at_s: float | None = None
    burst_frames: int = 0
    #: Reboot: sequence numbers and the device tick restart at 0 mid-stream.
    reboot_at_s: float | None = None
    #: Device clock error, parts per million (+ runs fast).
    drift_ppm: float = 0.0
    #: The battery level drops to ``low_battery_percent`` (and is notified) at this time.
    low_battery_at_s: float | None = None
    low_battery_percent: int = 5
    #: A notification cut short (as by a stack truncating at MTU - 3).
    truncate_probability: float = 0.0
    #: A notification replaced by a malformed one (bad version, bad type, or garbage).
    malformed_probability: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("drop_probability", "gilbert_p_enter", "gilbert_p_leave",
                     "truncate_probability", "malformed_probability"):
            p = getattr(self, name)
            if not 0.0 <= p <= 1.0:
                raise ValueError(f"FaultPlan.{name} must be 0..1, found {p!r}")
        if not 0 <= self.low_battery_percent <= 100:
            raise ValueError(
                f"FaultPlan.low_battery_percent must be 0..100, found {self.low_battery_percent}"
            )
        if self.burst_frames < 0 or self.link_loss_down_s < 0:
            raise ValueError("FaultPlan.burst_frames and link_loss_down_s must be >= 0")


@dataclass
class FaultCounts:
    """What the insole did, per characteristic ("pressure", "temperature").

    ``frames``: frames produced (each consumes a sequence number); ``sent``: notifications
    handed to the stack (intact, truncated or malformed); ``dropped``: frames not sent
    (independent, Gilbert and burst loss together); ``truncated`` and ``malformed``: sent
    damaged (a malformed frame replaces the frame of its sequence number).
    """

    frames: Counter = field(default_factory=Counter)
    sent: Counter = field(default_factory=Counter)
    dropped: Counter = field(default_factory=Counter)
    truncated: Counter = field(default_factory=Counter)
    malformed: Counter = field(default_factory=Counter)
    link_losses: int = 0
    reboots: int = 0
    battery_notifications: int = 0
    starts: int = 0


def _refuse_write(_connection: Any, _value: Any) -> None:
    raise att.ATT_Error(att.ErrorCode.WRITE_NOT_PERMITTED)


def _refuse_read(_connection: Any) -> bytes:
    raise att.ATT_Error(att.ErrorCode.READ_NOT_PERMITTED)


def _read_only(uuid: str, read, *, notify: bool = False) -> gatt.Characteristic:
    """A readable characteristic that answers writes with Write Not Permitted itself
    (bumble's GATT server does not check permissions)."""
    props = gatt.Characteristic.Properties.READ
    if notify:
        props |= gatt.Characteristic.Properties.NOTIFY
    return gatt.Characteristic(
        uuid, props, gatt.Characteristic.READABLE,
        gatt.CharacteristicValue(read=read, write=_refuse_write),
    )


def _notify_only(uuid: str) -> gatt.Characteristic:
    return gatt.Characteristic(
        uuid, gatt.Characteristic.Properties.NOTIFY, gatt.Characteristic.Permissions(0),
        gatt.CharacteristicValue(read=_refuse_read, write=_refuse_write),
    )


def _constant(value: bytes):
    return lambda _connection: value


def _uuid128_le(uuid: str) -> bytes:
    return bytes(reversed(bytes.fromhex(uuid.replace("-", ""))))


def default_calibration(n_sensors: int, *, seed: int = 0) -> profile.CalibrationRecord:
    """A plausible FSR calibration: offsets 30-60 counts, gains about 0.25 kPa per count
    (full scale near 1,000 kPa), a little different per sensor."""
    rng = np.random.default_rng([seed, 7])
    offsets = rng.integers(30, 61, n_sensors)
    gains = 0.25 * (1.0 + 0.05 * rng.standard_normal(n_sensors))
    return profile.CalibrationRecord(offsets, gains.astype(np.float32))


def kpa_to_counts(kpa: np.ndarray, cal: profile.CalibrationRecord) -> np.ndarray:
    """Invert the calibration (see ``CalibrationRecord.to_counts``)."""
    return cal.to_counts(kpa)


class VirtualInsole:
    """One insole (one foot) as a bumble peripheral. See the module docstring.

    Parameters: ``side`` "left"/"right"; ``address`` a random static address (its last four
    hex digits name the insole); ``pressure`` / ``temperature`` a recording to stream (both
    feet may be present; this side's is taken; None: generated); ``pressure_hz``,
    ``temperature_period_ms``, ``tick_hz``: the Rates; ``faults``: a :class:`FaultPlan`;
    ``battery_percent``; ``initial_tick``: the device tick at power-on (to test wraps).
    """

    def __init__(
        self,
        side: str,
        *,
        address: str | None = None,
        pressure: PressureStream | None = None,
        temperature: TemperatureStream | None = None,
        layout: SensorLayout = SOLEWATCH_16,
        calibration: profile.CalibrationRecord | None = None,
        pressure_hz: int = 100,
        temperature_period_ms: int = 1000,
        tick_hz: int = 1000,
        faults: FaultPlan | None = None,
        battery_percent: int = 87,
        initial_tick: int = 0,
        seed: int = 0,
        firmware: str = "solewatch-virtual 1.0",
    ) -> None:
        self.side = check_foot(side)
        self.address = (address or DEFAULT_ADDRESSES[self.side]).upper()
        self.name = f"SW{self.side[0].upper()}-{self.address.replace(':', '')[-4:]}"
        self.rates = profile.Rates(pressure_hz, temperature_period_ms, tick_hz)
        self.battery_percent = int(battery_percent)
        self.initial_tick = int(initial_tick) % profile.TICK_MODULUS
        self.firmware = firmware
        self.seed = seed
        self.faults = faults or FaultPlan()
        self.counts = FaultCounts()
        self._rng = random.Random(self.faults.seed)
        self._gilbert_bad = False
        self._fired: set[str] = set()

        if pressure is None or temperature is None:
            from firmware_bridge.ble.demo_data import generated_streams

            gen_p, gen_t = generated_streams(
                layout=layout if pressure is None else pressure.layout,
                pressure_hz=float(pressure_hz),
                temperature_period_s=temperature_period_ms / 1000.0,
                seed=seed,
            )
            pressure = pressure or gen_p
            temperature = temperature or gen_t
        self.layout = pressure.layout
        k = self.layout.n_sensors
        self.calibration = calibration or default_calibration(k, seed=seed)
        if self.calibration.offset_counts.size != k:
            raise ValueError(
                f"calibration for {self.calibration.offset_counts.size} sensors, layout "
                f"{self.layout.name!r} has {k}"
            )
        foot = pressure.foot(self.side)
        if foot is None:
            raise ValueError(f"the pressure recording has no {self.side} insole")
        if pressure.unit == "raw":
            f = np.asarray(foot, dtype=np.float64)
            counts = np.where(np.isfinite(f), np.clip(np.round(f), 0, profile.MAX_VALID_COUNT),
                              profile.INVALID_COUNT)
            self._counts = counts.astype(np.uint16)
        elif pressure.unit == "kPa":
            self._counts = kpa_to_counts(foot, self.calibration)
        else:
            raise ValueError(
                f"pressure in {pressure.unit!r}: the insole needs kPa (or raw counts)"
            )
        self._counts_hz = float(pressure.sample_rate_hz)
        self._temps = np.asarray(temperature.values_c[:, foot_index(self.side), :], float)
        t = temperature.time_s
        self._temps_period_s = float(np.median(np.diff(t))) if t.size > 1 else 1.0

        self.device: Device | None = None
        self._connection: Connection | None = None
        self._stream_task: asyncio.Task | None = None
        self._tasks: set[asyncio.Task] = set()
        self._sleeping: set[asyncio.Task] = set()
        self._streaming = False
        self._stopped = False
        self._boot_time = 0.0
        self._tick_at_boot = self.initial_tick
        self._set_time: tuple[int, int] | None = None  # (unix ms, tick) of the last SET_TIME
        self._seq = {PRESSURE: 0, TEMPERATURE: 0}
        self._stream_hz = self.rates.pressure_hz

    # -- set-up --------------------------------------------------------------------------

    @property
    def advertising_data(self) -> bytes:
        data = bytes(AdvertisingData([
            (AdvertisingData.FLAGS, bytes([0x06])),  # LE general discoverable, no BR/EDR
            (AdvertisingData.COMPLETE_LOCAL_NAME, self.name.encode()),
            (AdvertisingData.COMPLETE_LIST_OF_128_BIT_SERVICE_CLASS_UUIDS,
             _uuid128_le(profile.SERVICE_UUID)),
        ]))
        if len(data) > 31:
            raise ValueError(f"advertising data of {len(data)} bytes, the legacy limit is 31")
        return data

    def _services(self) -> list[gatt.Service]:
        self._pressure_char = _notify_only(profile.PRESSURE_UUID)
        self._temperature_char = _notify_only(profile.TEMPERATURE_UUID)
        self._control_char = gatt.Characteristic(
            profile.CONTROL_POINT_UUID,
            gatt.Characteristic.Properties.WRITE | gatt.Characteristic.Properties.INDICATE,
            gatt.Characteristic.WRITEABLE,
            gatt.CharacteristicValue(read=_refuse_read, write=self._on_control_write),
        )
        side = profile.encode_side(self.side)
        layout = profile.encode_layout(self.layout)
        calibration = profile.encode_calibration(self.calibration)
        insole = gatt.Service(profile.SERVICE_UUID, [
            self._pressure_char,
            self._temperature_char,
            _read_only(profile.SIDE_UUID, lambda _c: side),
            _read_only(profile.SENSOR_LAYOUT_UUID, lambda _c: layout),
            _read_only(profile.CALIBRATION_UUID, lambda _c: calibration),
            _read_only(profile.RATES_UUID, lambda _c: profile.encode_rates(self.rates)),
            self._control_char,
        ])
        self._battery_char = _read_only(
            profile.BATTERY_LEVEL_UUID, lambda _c: bytes([self.battery_percent]), notify=True
        )
        battery = gatt.Service(profile.BATTERY_SERVICE_UUID, [self._battery_char])
        serial = f"{self.name}-{self.address.replace(':', '')}"
        info_values = {
            0x2A29: "solewatch (virtual)", 0x2A24: f"insole-{self.layout.name}",
            0x2A25: serial, 0x2A27: "virtual", 0x2A26: self.firmware, 0x2A28: "bumble",
        }
        info = gatt.Service(profile.DEVICE_INFORMATION_SERVICE_UUID, [
            _read_only(profile.sig_uuid(u), _constant(v.encode())) for u, v in info_values.items()
        ])
        current_time = gatt.Service(profile.CURRENT_TIME_SERVICE_UUID, [
            _read_only(profile.CURRENT_TIME_UUID, lambda _c: self._current_time_bytes()),
        ])
        return [insole, battery, info, current_time]

    async def start(self, link: LocalLink) -> VirtualInsole:
        """Power on with a controller of its own on ``link`` and start advertising."""
        self.device = new_virtual_device(link, name=self.name, address=self.address)
        return await self.start_on(self.device)

    async def start_on(self, device: Device) -> VirtualInsole:
        """Serve and advertise on an existing (not yet powered) bumble Device."""
        self.device = device
        device.name = self.name
        # Bond under the static random address it advertises (bumble would hand out the
        # controller's public address as identity otherwise, and a central would then not
        # recognise the insole it bonded with).
        device.config.identity_address_type = hci.Address.RANDOM_DEVICE_ADDRESS
        device.add_services(self._services())
        device.on(device.EVENT_CONNECTION, self._on_connection)
        await device.power_on()
        self._boot_time = asyncio.get_running_loop().time()
        self._stopped = False
        await self._advertise()
        return self

    async def _advertise(self) -> None:
        if self._stopped or self.device is None:
            return
        await self.device.start_advertising(
            advertising_data=self.advertising_data,
            scan_response_data=b"",
            advertising_interval_min=ADVERTISING_INTERVAL_MS,
            advertising_interval_max=ADVERTISING_INTERVAL_MS,
            auto_restart=False,
        )

    async def stop(self) -> None:
        """Stop streaming and advertising and drop the connection."""
        self._stopped = True
        self._stop_streaming()
        # Let pending work finish rather than cancel it: a task cancelled while it awaits an
        # HCI command leaves bumble's host to match the late answer to the next command.
        for task in list(self._sleeping):  # only sleeping: safe to cancel
            task.cancel()
        if self._tasks:
            _, pending = await asyncio.wait(list(self._tasks), timeout=2.0)
            for task in pending:
                task.cancel()
        if self.device is None:
            return
        try:
            await self.device.stop_advertising()
        except Exception:
            logger.debug("stop advertising failed", exc_info=True)
        conn = self._connection
        if conn is not None and self.device.connections.get(conn.handle) is conn:
            try:
                await asyncio.wait_for(
                    conn.disconnect(POWER_OFF_REASON),
                    1.0,
                )
            except Exception:
                logger.debug("disconnect at stop failed", exc_info=True)

    def set_faults(self, plan: FaultPlan) -> None:
        """Replace the fault plan at run time (re-arms its one-shot faults)."""
        self.faults = plan
        self._rng = random.Random(plan.seed)
        self._gilbert_bad = False
        self._fired = set()

    def _spawn(self, coro) -> asyncio.Task:
        task = asyncio.get_running_loop().create_task(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    # -- connection and control point ----------------------------------------------------

    def _on_connection(self, connection: Connection) -> None:
        self._connection = connection
        connection.on(connection.EVENT_DISCONNECTION, self._on_disconnection)

    def _on_disconnection(self, reason: int) -> None:
        self._stop_streaming()
        self._connection = None
        delay = 0.0
        if reason == LINK_LOSS_REASON and "link_loss" in self._fired:
            delay = self.faults.link_loss_down_s
        self._spawn(self._readvertise(delay))

    async def _readvertise(self, delay_s: float) -> None:
        if delay_s > 0:
            task = asyncio.current_task()
            self._sleeping.add(task)
            try:
                await asyncio.sleep(delay_s)
            finally:
                self._sleeping.discard(task)
        if self._stopped:
            return
        try:
            await self._advertise()
        except Exception:
            logger.debug("re-advertising failed", exc_info=True)

    def _on_control_write(self, connection: Connection, value: bytes) -> None:
        try:
            command = profile.decode_command(bytes(value))
        except profile.FrameError as error:
            opcode = value[0] if value else 0
            result = (profile.ResultCode.OPCODE_NOT_SUPPORTED if error.field == "opcode"
                      else profile.ResultCode.INVALID_PARAMETER)
            response = profile.Response(opcode, result)
        else:
            response = self._execute(command)
        self._spawn(self._indicate(connection, profile.encode_response(response)))

    def _execute(self, command: profile.Command) -> profile.Response:
        op = command.opcode
        if op == profile.Opcode.START:
            self._start_streaming()
        elif op == profile.Opcode.STOP:
            self._stop_streaming()
        elif op == profile.Opcode.SET_PRESSURE_RATE:
            # The stream switches at its next frame, after the samples due at the old rate.
            self.rates = replace(self.rates, pressure_hz=command.pressure_hz)
        elif op == profile.Opcode.SET_TIME:
            tick = self.tick_now()
            self._set_time = (command.unix_time_ms, tick)
            return profile.Response(op, profile.ResultCode.SUCCESS, tick)
        return profile.Response(op, profile.ResultCode.SUCCESS)

    async def _indicate(self, connection: Connection, data: bytes) -> None:
        await asyncio.sleep(0)  # after the write response
        try:
            await asyncio.wait_for(
                self.device.indicate_subscriber(connection, self._control_char, data), 5.0
            )
        except Exception:
            logger.debug("control point indication failed", exc_info=True)

    # -- clock ---------------------------------------------------------------------------

    def _device_seconds(self, loop_time: float) -> float:
        """Device seconds since boot at loop time ``loop_time`` (running at the drifted rate)."""
        return (loop_time - self._boot_time) * (1.0 + self.faults.drift_ppm * 1e-6)

    def tick_now(self) -> int:
        now = asyncio.get_running_loop().time()
        ticks = self._tick_at_boot + self._device_seconds(now) * self.rates.tick_hz
        return int(ticks) % profile.TICK_MODULUS

    def _current_time_bytes(self) -> bytes:
        if self._set_time is None:
            now = datetime.now(UTC)
        else:
            unix_ms, tick = self._set_time
            elapsed_s = ((self.tick_now() - tick) % profile.TICK_MODULUS) / self.rates.tick_hz
            now = datetime.fromtimestamp(unix_ms / 1000.0, UTC) + timedelta(
                seconds=elapsed_s
            )
        return profile.encode_current_time(
            profile.CurrentTime(now.replace(tzinfo=None), now.isoweekday(), 0)
        )

    # -- streaming -----------------------------------------------------------------------

    @property
    def streaming(self) -> bool:
        return self._streaming

    def _start_streaming(self) -> None:
        self._stop_streaming()
        loop = asyncio.get_running_loop()
        self._streaming = True
        self.counts.starts += 1
        self._seq = {PRESSURE: 0, TEMPERATURE: 0}
        self._start_time = loop.time()
        self._restart_pressure_clock()
        self._t_clock0 = self._start_time  # device time of temperature sample 0
        self._t_dev0 = self._device_seconds(self._start_time)
        self._t_sent = 0
        self._t_index0 = 0
        self._stream_task = loop.create_task(self._stream())

    def _restart_pressure_clock(self) -> None:
        now = asyncio.get_running_loop().time()
        self._stream_hz = self.rates.pressure_hz
        self._p_clock0 = now
        self._p_dev0 = self._device_seconds(now)
        self._p_sent = 0
        self._p_index0 = getattr(self, "_p_next_index", 0)

    def _stop_streaming(self) -> None:
        self._streaming = False
        task, self._stream_task = self._stream_task, None
        if task is not None and task is not asyncio.current_task():
            task.cancel()

    def _samples_per_frame(self, mtu: int) -> int:
        _, per = profile.pressure_frame_plan(self.layout.n_sensors, mtu)
        budget = max(1, math.floor(self._stream_hz * MAX_FRAME_INTERVAL_S))
        return max(1, min(per, budget))

    async def _stream(self) -> None:
        loop = asyncio.get_running_loop()
        try:
            while self._streaming and self._connection is not None:
                now = loop.time()
                if await self._time_faults(now - self._start_time):
                    return
                await self._send_due_pressure(now)
                await self._send_due_temperature(now)
                if self._stream_hz != self.rates.pressure_hz:  # a new rate was set
                    await self._send_due_pressure(loop.time(), flush=True)
                    self._restart_pressure_clock()
                if self._connection is None:
                    return
                per = self._samples_per_frame(self._connection.att_mtu)
                period = per / self._stream_hz / (1.0 + self.faults.drift_ppm * 1e-6)
                # Wake when the last sample of the next full frame is taken (absolute
                # schedule: no drift of pace); the frame goes out at once, as firmware sends it.
                k = self._p_sent // per + 1
                next_wake = self._p_clock0 + k * period - period / per
                await asyncio.sleep(max(0.0, next_wake - loop.time()))
        except asyncio.CancelledError:
            pass
        except Exception:
            logger.exception("%s: streaming stopped by an error", self.name)
            self._streaming = False

    def _due(self, now: float, clock0: float, rate_hz: float) -> int:
        elapsed = (now - clock0) * (1.0 + self.faults.drift_ppm * 1e-6)
        return math.floor(elapsed * rate_hz + 1e-6)

    async def _send_due_pressure(self, now: float, *, flush: bool = False) -> None:
        """Send the samples due by ``now`` in full frames (a full frame spans at most 100 ms,
        so waiting for one keeps the latency budget; a late wake-up does not leave partial
        frames behind). ``flush``: send a partial last frame too (before a rate change)."""
        hz = self._stream_hz
        due = self._due(now, self._p_clock0, hz) + 1  # sample i is taken at i / hz
        n = due - self._p_sent
        if not flush:
            per = self._samples_per_frame(self._connection.att_mtu)
            n = (n // per) * per
        if n <= 0:
            return
        first = self._p_index0 + self._p_sent
        idx = np.arange(first, first + n)
        rows = np.round(idx * (self._counts_hz / hz)).astype(np.int64) % self._counts.shape[0]
        counts = self._counts[rows]
        dev_s = self._p_dev0 + self._p_sent / hz
        tick0 = round(self._tick_at_boot + dev_s * self.rates.tick_hz) % profile.TICK_MODULUS
        mtu = self._connection.att_mtu
        frames = profile.encode_pressure_frames(
            counts, seq0=self._seq[PRESSURE], tick0=tick0,
            ticks_per_sample=self.rates.tick_hz / hz, mtu=mtu,
            max_samples_per_frame=self._samples_per_frame(mtu),
        )
        self._p_sent += n
        self._p_next_index = first + n
        self._seq[PRESSURE] = (self._seq[PRESSURE] + len(frames)) % profile.SEQ_MODULUS
        await self._send(PRESSURE, self._pressure_char, frames, now)

    async def _send_due_temperature(self, now: float) -> None:
        period_s = self.rates.temperature_period_ms / 1000.0
        due = self._due(now, self._t_clock0, 1.0 / period_s) + 1  # sample 0 at Start
        n = due - self._t_sent
        if n <= 0:
            return
        first = self._t_index0 + self._t_sent
        idx = np.arange(first, first + n)
        rows = np.round(idx * (period_s / self._temps_period_s)).astype(np.int64)
        values = self._temps[rows % self._temps.shape[0]]
        dev_s = self._t_dev0 + self._t_sent * period_s
        tick0 = round(self._tick_at_boot + dev_s * self.rates.tick_hz) % profile.TICK_MODULUS
        frames = profile.encode_temperature_frames(
            values, seq0=self._seq[TEMPERATURE], tick0=tick0,
            ticks_per_sample=self.rates.ticks_per_temperature_sample,
            mtu=self._connection.att_mtu,
            max_samples_per_frame=1,  # a temperature sample is sent when taken
        )
        self._t_sent += n
        self._seq[TEMPERATURE] = (self._seq[TEMPERATURE] + len(frames)) % profile.SEQ_MODULUS
        await self._send(TEMPERATURE, self._temperature_char, frames, now)

    async def _send(self, what: str, char: gatt.Characteristic, frames: list[bytes],
                    now: float) -> None:
        conn = self._connection
        for frame in frames:
            self.counts.frames[what] += 1
            data = self._damage(what, frame, now)
            if data is None:
                continue
            if conn is None or conn.handle not in self.device.connections:
                return
            await self.device.notify_subscriber(conn, char, data)
            self.counts.sent[what] += 1

    # -- faults --------------------------------------------------------------------------

    def _lost(self, what: str, now: float) -> bool:
        plan = self.faults
        lost = False
        if plan.gilbert_p_enter > 0.0:
            if self._gilbert_bad:
                if self._rng.random() < plan.gilbert_p_leave:
                    self._gilbert_bad = False
            elif self._rng.random() < plan.gilbert_p_enter:
                self._gilbert_bad = True
            lost = self._gilbert_bad
        if plan.drop_probability > 0.0 and self._rng.random() < plan.drop_probability:
            lost = True
        if (what == PRESSURE and plan.burst_at_s is not None and plan.burst_frames > 0
                and now - self._start_time >= plan.burst_at_s):
            left = getattr(self, "_burst_left", None)
            if "burst" not in self._fired:
                self._fired.add("burst")
                left = plan.burst_frames
            if left:
                self._burst_left = left - 1
                lost = True
        return lost

    def _damage(self, what: str, frame: bytes, now: float) -> bytes | None:
        """The bytes actually notified for ``frame``, or None when it is lost."""
        plan = self.faults
        if self._lost(what, now):
            self.counts.dropped[what] += 1
            return None
        if plan.malformed_probability > 0.0 and self._rng.random() < plan.malformed_probability:
            self.counts.malformed[what] += 1
            kind = self.counts.malformed[what] % 3
            if kind == 1:  # wrong profile version
                return bytes([profile.PROFILE_VERSION + 1]) + frame[1:]
            if kind == 2:  # unknown frame type
                return frame[:1] + bytes([0xF0 | (frame[1] & 0x0F)]) + frame[2:]
            return bytes(self._rng.getrandbits(8) for _ in range(len(frame)))
        if plan.truncate_probability > 0.0 and self._rng.random() < plan.truncate_probability:
            self.counts.truncated[what] += 1
            cut = self._rng.randrange(1, len(frame))
            return frame[:cut]
        return frame

    async def _time_faults(self, t: float) -> bool:
        """Fire the one-shot time faults due at ``t`` s after Start; True if the link is gone."""
        plan = self.faults
        if plan.low_battery_at_s is not None and t >= plan.low_battery_at_s \
                and "battery" not in self._fired:
            self._fired.add("battery")
            await self.set_battery(plan.low_battery_percent)
        if plan.reboot_at_s is not None and t >= plan.reboot_at_s and "reboot" not in self._fired:
            self._fired.add("reboot")
            self._reboot()
        if plan.link_loss_at_s is not None and t >= plan.link_loss_at_s \
                and "link_loss" not in self._fired:
            self._fired.add("link_loss")
            self.counts.link_losses += 1
            conn = self._connection
            self._streaming = False
            if conn is not None:
                await conn.disconnect(LINK_LOSS_REASON)
            return True
        return False

    def _reboot(self) -> None:
        """Sequence numbers and the device tick restart at 0; streaming goes on."""
        loop = asyncio.get_running_loop()
        self.counts.reboots += 1
        now = loop.time()
        self._boot_time = now
        self._tick_at_boot = 0
        self._seq = {PRESSURE: 0, TEMPERATURE: 0}
        self._p_next_index = self._p_index0 + self._p_sent
        self._restart_pressure_clock()
        self._t_index0 += self._t_sent
        self._t_clock0 = now
        self._t_dev0 = 0.0
        self._t_sent = 0

    async def set_battery(self, percent: int) -> None:
        """Set the battery level and notify a subscribed client."""
        self.battery_percent = int(percent)
        conn = self._connection
        if conn is not None and self.device is not None:
            await self.device.notify_subscriber(
                conn, self._battery_char, bytes([self.battery_percent])
            )
            self.counts.battery_notifications += 1


__all__ = ["FaultCounts", "FaultPlan", "VirtualInsole", "default_calibration", "kpa_to_counts"]
