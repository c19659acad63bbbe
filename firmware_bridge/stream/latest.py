"""The newest frame of each insole, decoded the moment its notification arrives.

The assemblers (:mod:`firmware_bridge.stream.assembler`) put samples on a common time grid
only once the clock fit has closed their second, about 0.7 s after they were sent: right
for analysis, too late for a live picture. :class:`LatestFrames` is fed the same
notifications (``feed(side, host_time_s, characteristic, data)``, from the session's ``tap``)
and keeps, per foot, with millisecond latency:

* the newest pressure sample in kPa (layout order; NaN for an invalid sensor), decoded with
  the same codec (:func:`firmware_bridge.profile.decode_pressure_batch`, which also joins the
  two halves of a sample sent at MTU 23) and the insole's own calibration
  (:meth:`~firmware_bridge.profile.CalibrationRecord.to_kpa`);
* the newest skin temperatures in °C (:data:`analysis.sites.SITES` order);
* a short ring of recent pressure samples (for a centre-of-pressure trail).

Times are host Unix seconds: the arrival time of the notification for its last sample,
earlier samples of the same frame spaced by the insole's pressure period. These are display
times only (no clock fit): analysis uses the assemblers' grid.

A bad frame (truncated, malformed, from an insole not yet described) is counted with its
reason and skipped; :meth:`LatestFrames.feed` never raises into the radio's callback.
"""

from __future__ import annotations

import logging
from collections import Counter, deque
from dataclasses import dataclass, field

import numpy as np

from analysis.layouts import SensorLayout
from analysis.sites import FEET, check_foot
from firmware_bridge import profile as pf
from firmware_bridge.stream.assembler import PRESSURE, TEMPERATURE, characteristic_name

logger = logging.getLogger(__name__)

#: Seconds of recent pressure samples kept per foot (the trail shows about the last second).
RING_S = 2.0


@dataclass
class LatestFoot:
    """What one foot's insole sent most recently (host Unix seconds; None: nothing yet)."""

    side: str
    layout: SensorLayout | None = None
    pressure_time_s: float | None = None
    kpa: np.ndarray | None = None
    temperature_time_s: float | None = None
    temp_c: np.ndarray | None = None
    #: the newest notification of any kind (pressure, temperature, battery ...)
    last_packet_s: float | None = None
    frames: int = 0
    bad: int = 0
    reasons: Counter = field(default_factory=Counter)


class _Insole:
    """Decoding state of one insole."""

    def __init__(self, side: str, layout, calibration, rates) -> None:
        self.layout = (layout if isinstance(layout, SensorLayout)
                       else pf.decode_layout(bytes(layout)))
        k = self.layout.n_sensors
        self.calibration = (calibration if isinstance(calibration, pf.CalibrationRecord)
                            else pf.decode_calibration(bytes(calibration), n_sensors=k))
        if self.calibration.offset_counts.size != k:
            raise ValueError(f"{side} insole: calibration for "
                             f"{self.calibration.offset_counts.size} sensors, the layout "
                             f"has {k}")
        self.rates = rates if isinstance(rates, pf.Rates) else pf.decode_rates(bytes(rates))
        self.period_s = 1.0 / float(self.rates.pressure_hz)
        self.ticks_per_sample = self.rates.ticks_per_pressure_sample
        self.first_half: bytes | None = None
        n = max(4, int(np.ceil(RING_S * float(self.rates.pressure_hz))))
        self.ring: deque[tuple[float, np.ndarray]] = deque(maxlen=n)


class LatestFrames:
    """The newest pressure and temperature of both insoles (see the module docstring).

    :meth:`configure` each insole with its read characteristics (layout, calibration, rates:
    decoded or raw bytes) before its notifications are fed; notifications of an insole not
    configured are counted as bad ("not described"). Not thread-safe: feed and read on one
    thread (the hub's event loop).
    """

    def __init__(self) -> None:
        self._insoles: dict[str, _Insole] = {}
        self._feet = {f: LatestFoot(f) for f in FEET}

    # -- set-up ----------------------------------------------------------------------------

    def configure(self, side: str, layout, calibration, rates) -> None:
        """Describe the ``side`` insole (its Sensor layout, Calibration and Rates)."""
        side = check_foot(side)
        insole = _Insole(side, layout, calibration, rates)
        old = self._insoles.get(side)
        if old is not None and old.layout.n_sensors == insole.layout.n_sensors:
            insole.ring = old.ring  # same insole reconnected: keep the trail going
        self._insoles[side] = insole
        self._feet[side].layout = insole.layout

    def configured(self, side: str) -> bool:
        return side in self._insoles

    def reset(self) -> None:
        """Forget everything (a new stream starts)."""
        self._insoles.clear()
        self._feet = {f: LatestFoot(f) for f in FEET}

    # -- input -----------------------------------------------------------------------------

    def feed(self, side: str, host_time_s: float, characteristic: str | int,
             data: bytes) -> None:
        """One notification as it arrives. Never raises: a bad frame is counted, skipped."""
        try:
            foot = self._feet.get(side)
            if foot is None:
                logger.debug("notification for unknown foot %r ignored", side)
                return
            t = float(host_time_s)
            foot.last_packet_s = t if foot.last_packet_s is None else max(foot.last_packet_s, t)
            name = characteristic_name(characteristic)
            if name not in (PRESSURE, TEMPERATURE):
                return  # battery level and the like: no samples
            insole = self._insoles.get(side)
            if insole is None:
                self._bad(foot, "not described")
                return
            if name == PRESSURE:
                self._pressure(foot, insole, t, bytes(data))
            else:
                self._temperature(foot, insole, t, bytes(data))
        except pf.FrameError as error:
            self._bad(self._feet[side], error.field or "frame")
        except Exception as error:  # never into the BLE callback
            if side in self._feet:
                self._bad(self._feet[side], type(error).__name__)
            logger.debug("latest frame of %s not decoded: %s", side, error)

    @staticmethod
    def _bad(foot: LatestFoot, reason: str) -> None:
        foot.bad += 1
        foot.reasons[reason] += 1

    def _pressure(self, foot: LatestFoot, insole: _Insole, t: float, data: bytes) -> None:
        ftype = data[1] >> 4 if len(data) > 1 else -1
        if ftype == pf.FrameType.PRESSURE_FIRST_HALF:
            # checked now, decoded with its second half
            pf.decode_frame(data, n_sensors=insole.layout.n_sensors)
            insole.first_half = data
            return
        frames = [data]
        if ftype == pf.FrameType.PRESSURE_SECOND_HALF:
            if insole.first_half is None:
                self._bad(foot, "half without its partner")
                return
            frames = [insole.first_half, data]
            insole.first_half = None
        batch = pf.decode_pressure_batch(frames, n_sensors=insole.layout.n_sensors,
                                         ticks_per_sample=insole.ticks_per_sample)
        if ftype == pf.FrameType.PRESSURE_SECOND_HALF and batch.counts.shape[0] != \
                pf.decode_frame(data, n_sensors=insole.layout.n_sensors).n_samples:
            self._bad(foot, "half without its partner")  # the halves did not match
            return
        kpa = insole.calibration.to_kpa(batch.counts)
        n = kpa.shape[0]
        times = t - (n - 1 - np.arange(n)) * insole.period_s
        for ti, row in zip(times.tolist(), kpa, strict=True):
            insole.ring.append((ti, row))
        foot.frames += 1
        if foot.pressure_time_s is None or times[-1] >= foot.pressure_time_s:
            foot.pressure_time_s = float(times[-1])
            foot.kpa = kpa[-1].copy()

    def _temperature(self, foot: LatestFoot, insole: _Insole, t: float, data: bytes) -> None:
        frame = pf.decode_frame(data, n_sensors=insole.layout.n_sensors)
        if frame.frame_type != pf.FrameType.TEMPERATURE:
            raise pf.FrameError(f"frame type {int(frame.frame_type):#x} on the Temperature "
                                "characteristic", field="type")
        foot.frames += 1
        values = np.asarray(frame.samples, dtype=np.float64)
        if foot.temperature_time_s is None or t >= foot.temperature_time_s:
            foot.temperature_time_s = t
            foot.temp_c = values[-1].copy()

    # -- output ----------------------------------------------------------------------------

    def foot(self, side: str) -> LatestFoot:
        """The newest of one foot (the live object: read, do not change)."""
        return self._feet[check_foot(side)]

    def trail(self, side: str, since_s: float) -> tuple[np.ndarray, np.ndarray]:
        """Recent pressure samples of ``side`` at or after host time ``since_s``: times (n,)
        and kPa (n, k), oldest first (empty when there are none)."""
        insole = self._insoles.get(check_foot(side))
        if insole is None or not insole.ring:
            return np.empty(0), np.empty((0, 0), np.float32)
        rows = [(t, v) for t, v in insole.ring if t >= since_s]
        if not rows:
            return np.empty(0), np.empty((0, insole.layout.n_sensors), np.float32)
        return (np.array([r[0] for r in rows]), np.stack([r[1] for r in rows]))


__all__ = ["RING_S", "LatestFoot", "LatestFrames"]
