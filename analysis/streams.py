"""Typed containers for what the insoles measure, validated once at construction.

* :class:`PressureStream` — one time base for both feet, per-sensor force (N), pressure (kPa)
  or uncalibrated counts ("raw"), with its :class:`~analysis.layouts.SensorLayout`.
* :class:`TemperatureStream` — one time base, °C per foot and site (sites from
  :data:`analysis.sites.SITES`).

NaN policy: a NaN marks one invalid or missing sample of one sensor and is allowed anywhere;
infinities are not. A foot given as ``None`` is a missing insole (or an amputated foot).
Arrays are kept as given (float32 or float64), never copied, so 10-hour recordings stay cheap.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import numpy as np

from analysis.errors import DataProblem, InputError
from analysis.layouts import SensorLayout
from analysis.sites import FEET, SITES, check_foot, foot_index

#: Units a pressure stream may carry. "raw" means uncalibrated sensor counts: gait events
#: can still be found, pressures and forces cannot be reported.
PRESSURE_UNITS = ("N", "kPa", "raw")

#: Plausibility limits used to catch wrong units at the boundary (not clinical thresholds).
#: Peak plantar pressure in shoes rarely exceeds 1,000 kPa and a single insole sensor never
#: carries a whole body's weight several times over; a value beyond these is a unit error
#: (Pa instead of kPa, g instead of N, ...).
MAX_PLAUSIBLE_KPA = 5_000.0
MAX_PLAUSIBLE_SENSOR_N = 5_000.0
#: Skin or in-shoe temperature outside this range is not °C (°F or kelvin were given).
PLAUSIBLE_TEMPERATURE_C = (-30.0, 60.0)


def _check_time(time_s: np.ndarray, source: str) -> np.ndarray:
    t = np.asarray(time_s)
    if t.ndim != 1:
        raise InputError(f"time_s must be 1-D, found shape {t.shape}", source=source)
    if t.size and not np.issubdtype(t.dtype, np.floating):
        t = t.astype(np.float64)
    if t.size and not np.all(np.isfinite(t)):
        bad = int(np.flatnonzero(~np.isfinite(t))[0])
        raise InputError(f"time_s[{bad}] is {t[bad]}, times must be finite", source=source)
    if t.size > 1:
        d = np.diff(t)
        if not np.all(d > 0):
            bad = int(np.flatnonzero(d <= 0)[0])
            raise InputError(
                f"times must increase strictly: sample {bad + 1} at {t[bad + 1]!r} s "
                f"follows {t[bad]!r} s",
                source=source,
            )
    return t


@dataclass(frozen=True, eq=False)
class PressureStream:
    """Per-sensor force or pressure of both insoles on one time base.

    ``left`` and ``right`` are (n_samples, n_sensors) arrays in the layout's sensor order, or
    None for a missing insole. ``time_s`` is seconds from ``start`` (an aware datetime, or None
    when the recording carries no wall-clock time).
    """

    time_s: np.ndarray
    left: np.ndarray | None
    right: np.ndarray | None
    layout: SensorLayout
    unit: str
    sample_rate_hz: float
    start: datetime | None = None
    source: str = "<memory>"
    problems: tuple[DataProblem, ...] = ()
    #: per foot: fraction of samples that are NaN in at least one sensor (filled on validation)
    invalid_fraction: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        src = self.source
        t = _check_time(self.time_s, src)
        object.__setattr__(self, "time_s", t)
        if self.unit not in PRESSURE_UNITS:
            raise InputError(
                f"unit must be one of {PRESSURE_UNITS}, found {self.unit!r}", source=src
            )
        if not (isinstance(self.sample_rate_hz, int | float) and self.sample_rate_hz > 0):
            raise InputError(
                f"sample_rate_hz must be a positive number, found {self.sample_rate_hz!r}",
                source=src,
            )
        if self.start is not None and self.start.tzinfo is None:
            raise InputError("start must carry a UTC offset (an aware datetime)", source=src)
        if self.left is None and self.right is None:
            raise InputError("neither a left nor a right insole: nothing to analyse", source=src)
        k = self.layout.n_sensors
        fractions = {}
        for foot in FEET:
            arr = getattr(self, foot)
            if arr is None:
                fractions[foot] = 1.0
                continue
            a = np.asarray(arr)
            if not np.issubdtype(a.dtype, np.floating):
                a = a.astype(np.float64)
            if a.shape != (t.size, k):
                raise InputError(
                    f"{foot} insole: expected shape ({t.size}, {k}) for {t.size} samples of "
                    f"layout {self.layout.name!r}, found {a.shape}",
                    source=src,
                    field=foot,
                )
            fractions[foot] = self._check_values(a, foot)
            object.__setattr__(self, foot, a)
        object.__setattr__(self, "invalid_fraction", fractions)

    def _check_values(self, a: np.ndarray, foot: str) -> float:
        if a.size == 0:
            return 0.0
        hi = a.max()
        lo = a.min()
        invalid = 0.0
        if np.isnan(hi) or np.isnan(lo):
            # NaNs are allowed (invalid samples); check the rest with nan-aware reductions.
            bad_rows = np.isnan(a).any(axis=1)
            invalid = float(bad_rows.mean())
            hi = np.nanmax(a) if invalid < 1.0 else 0.0
            lo = np.nanmin(a) if invalid < 1.0 else 0.0
        if np.isinf(hi) or np.isinf(lo):
            row = int(np.flatnonzero(np.isinf(a).any(axis=1))[0])
            raise InputError(
                f"{foot} insole: sample {row} holds an infinite value; use NaN for invalid "
                "samples",
                source=self.source,
                field=foot,
            )
        limit = {"kPa": MAX_PLAUSIBLE_KPA, "N": MAX_PLAUSIBLE_SENSOR_N}.get(self.unit)
        if limit is not None and hi > limit:
            raise InputError(
                f"{foot} insole: a sensor reads {float(hi):.6g} {self.unit}, above the "
                f"plausible {limit:g} {self.unit}: is the unit wrong (Pa for kPa, g for N)?",
                source=self.source,
                field=foot,
            )
        return invalid

    @property
    def n_samples(self) -> int:
        return int(self.time_s.size)

    @property
    def duration_s(self) -> float:
        if self.time_s.size == 0:
            return 0.0
        return float(self.time_s[-1] - self.time_s[0]) + 1.0 / self.sample_rate_hz

    def foot(self, foot: str) -> np.ndarray | None:
        return getattr(self, check_foot(foot))

    def feet(self) -> tuple[str, ...]:
        """The feet that have an insole."""
        return tuple(f for f in FEET if getattr(self, f) is not None)


@dataclass(frozen=True, eq=False)
class TemperatureStream:
    """Skin temperatures in °C: ``values_c[sample, foot, site]`` with feet in
    :data:`~analysis.sites.FEET` order and sites in :data:`~analysis.sites.SITES` order.

    ``time_s`` is seconds from ``start``, an aware datetime whose UTC offset defines the
    wearer's local calendar day for daily statistics.
    """

    time_s: np.ndarray
    values_c: np.ndarray
    start: datetime
    source: str = "<memory>"
    problems: tuple[DataProblem, ...] = ()

    def __post_init__(self) -> None:
        src = self.source
        t = _check_time(self.time_s, src)
        object.__setattr__(self, "time_s", t)
        if not isinstance(self.start, datetime) or self.start.tzinfo is None:
            raise InputError("start must be an aware datetime with a UTC offset", source=src)
        v = np.asarray(self.values_c)
        if not np.issubdtype(v.dtype, np.floating):
            v = v.astype(np.float64)
        expected = (t.size, len(FEET), len(SITES))
        if v.shape != expected:
            raise InputError(
                f"values_c: expected shape {expected} (samples, feet, sites), found {v.shape}",
                source=src,
            )
        if v.size and np.isinf(v).any():
            raise InputError("values_c holds an infinite value; use NaN", source=src)
        finite = v[np.isfinite(v)]
        if finite.size:
            lo, hi = float(finite.min()), float(finite.max())
            pl, ph = PLAUSIBLE_TEMPERATURE_C
            if hi > ph or lo < pl:
                hint = " (°F?)" if hi > ph and hi < 130 else " (kelvin?)" if hi > 200 else ""
                raise InputError(
                    f"temperatures range {lo:.2f}..{hi:.2f}, outside the plausible "
                    f"{pl:g}..{ph:g} °C{hint}: values must be °C",
                    source=src,
                )
        object.__setattr__(self, "values_c", v)

    @property
    def n_samples(self) -> int:
        return int(self.time_s.size)

    def foot(self, foot: str) -> np.ndarray:
        """(n_samples, n_sites) °C of one foot."""
        return self.values_c[:, foot_index(foot), :]

    def has_foot(self, foot: str) -> bool:
        return bool(np.isfinite(self.foot(foot)).any())

    def at(self, t_s: float) -> datetime:
        """Wall-clock time ``t_s`` seconds after the start, in the start's time zone (a fixed
        UTC offset, or a zone's clock across DST changes: elapsed time is added in UTC)."""
        zone = self.start.tzinfo
        return (self.start.astimezone(UTC) + timedelta(seconds=float(t_s))).astimezone(zone)

    def timestamps(self) -> list[datetime]:
        """Wall-clock time of every sample, in the start's time zone (see :meth:`at`)."""
        return [self.at(s) for s in self.time_s]
