"""Plantar pressure: calibration, regional peak pressure and pressure-time integral, and
sustained-pressure alerts.

* :func:`calibrate_counts_to_kpa` / :func:`calibrate_stream`: raw sensor counts to kPa, per
  sensor: ``kPa = gain * max(counts - offset, 0) ** exponent``. ``exponent`` = 1 is the linear
  calibration; another exponent is a power law, the usual fit for a force-sensitive resistor
  whose conductance grows about as a power of the applied force (e.g. Interlink FSR 400
  integration guide; Hall RS et al., J Biomech 41:3492, 2008). NaN stays NaN; negatives are
  clipped to 0.
* :func:`region_pressure_summary`: per foot and region (regions from
  :mod:`analysis.sites`), the peak pressure, the pressure-time integral (PTI) and the mean.
  The peak is the highest reading of any sensor of the region (the "peak pressure per mask"
  of Bus SA et al., Diabetes Care 34:1595, 2011 and Diabetes Care 36:4109, 2013: a hotspot
  under one sensor is what counts). PTI is the region's MEAN pressure integrated over time,
  ``sum(mean_kpa * dt)``, so that a region with more sensors does not get a larger integral
  and the PTI stays in kPa·s whatever the sensor count. Peaks above
  ``PressureConfig.peak_target_kpa`` (200 kPa, Bus 2011/2013) are flagged
  (``peak_above_target``: the single highest reading, not an alert).
* :func:`step_region_peaks` / the summary's ``step_peak_kpa`` and ``steps``: given the gait
  contacts, the highest sensor reading of each region during each stance (one value per step),
  and the day's robust statistic of those step peaks (``PressureConfig.peak_step_percentile``,
  the median). The peak_pressure rule (analysis/pressure_rules.py) judges that statistic, not
  one sample.
* :func:`sustained_pressure_alerts`: a region whose MEAN pressure stays above
  ``PressureConfig.sustained_kpa`` for longer than ``sustained_duration_s`` (Orpyx SurroSense
  Rx, Abbott 2019), gaps shorter than ``sustained_max_gap_s`` bridged, stretches shorter than
  ``sustained_min_run_s`` ignored so that walking (each region loaded for under a second per
  step) never adds up to an episode. The region mean is used
  rather than its maximum sensor because the threshold (35 mmHg, 4.7 kPa) is low enough that a
  single force-sensitive resistor's offset or creep under static load would keep a "max" above
  it for hours and fire alerts on its own; the mean needs the region as a whole to carry load,
  which is the capillary-occlusion picture behind the rule. Regions are small (1-3 sensors),
  so little of a real hotspot is diluted.

Time base: each valid sample counts for one nominal sample period ``1 / sample_rate_hz``;
NaN samples contribute nothing (and the region mean of a sample is the mean of its finite
sensors). Everything is vectorised over samples: one (n, n_regions) array per foot.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from analysis.alerts import SUSTAINED_PRESSURE, Alert
from analysis.config import PressureConfig
from analysis.errors import InputError
from analysis.sites import FEET, REGION_LABELS, REGIONS, foot_index
from analysis.streams import PressureStream

#: 1 N over 1 mm² is 1 MPa = 1000 kPa.
KPA_PER_N_PER_MM2 = 1000.0


# --------------------------------------------------------------------------- calibration


@dataclass(frozen=True, eq=False)
class Calibration:
    """Per-sensor calibration from raw counts to kPa: ``gain * max(c - offset, 0) ** exponent``.

    Each coefficient is (n_sensors,) for both insoles, or (2, n_sensors) with one row per foot
    in :data:`analysis.sites.FEET` order. ``exponent`` None means linear (1). With an exponent
    other than 1, ``gain_kpa_per_count`` is in kPa per count**exponent.
    """

    gain_kpa_per_count: np.ndarray
    offset_counts: np.ndarray
    exponent: np.ndarray | None = None

    def for_foot(self, foot: str, n_sensors: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """gain, offset and exponent of one foot's sensors, each (n_sensors,)."""
        out = []
        for name, value, default in (
            ("gain_kpa_per_count", self.gain_kpa_per_count, None),
            ("offset_counts", self.offset_counts, None),
            ("exponent", self.exponent, 1.0),
        ):
            a = np.asarray(default if value is None else value, dtype=np.float64)
            if a.ndim == 0:
                a = np.full(n_sensors, float(a))
            elif a.shape == (len(FEET), n_sensors):
                a = a[foot_index(foot)]
            if a.shape != (n_sensors,):
                raise InputError(
                    f"calibration {name}: expected ({n_sensors},) or ({len(FEET)}, {n_sensors})"
                    f" coefficients, found shape {a.shape}",
                    field=name,
                )
            if not np.all(np.isfinite(a)):
                raise InputError(f"calibration {name}: coefficients must be finite",
                                 field=name)
            out.append(a)
        if np.any(out[2] <= 0):
            raise InputError("calibration exponent: must be positive", field="exponent")
        return out[0], out[1], out[2]


def calibrate_counts_to_kpa(
    counts: np.ndarray,
    *,
    gain_kpa_per_count: np.ndarray,
    offset_counts: np.ndarray,
    exponent: np.ndarray | None = None,
) -> np.ndarray:
    """(n, k) raw counts to kPa: ``gain * max(counts - offset, 0) ** exponent`` per sensor.

    Returns a new array (float32 for float32 input, else float64); NaN stays NaN.
    Uses one output-sized array and works in place on it.
    """
    c = np.asarray(counts)
    dtype = np.float32 if c.dtype == np.float32 else np.float64
    out = np.subtract(c, np.asarray(offset_counts, dtype=dtype), dtype=dtype)
    np.maximum(out, 0.0, out=out)  # NaN propagates through maximum
    if exponent is not None:
        e = np.asarray(exponent, dtype=dtype)
        if np.any(e != 1.0):
            np.power(out, e, out=out)
    out *= np.asarray(gain_kpa_per_count, dtype=dtype)
    return out


def calibrate_stream(stream: PressureStream, calibration: Calibration) -> PressureStream:
    """A new kPa stream from a raw-count stream (time base, layout and metadata kept)."""
    if stream.unit != "raw":
        raise InputError(
            f"calibration turns raw counts into kPa, but the stream is already in "
            f"{stream.unit!r}",
            source=stream.source,
        )
    k = stream.layout.n_sensors
    feet = {}
    for foot in FEET:
        values = stream.foot(foot)
        if values is None:
            feet[foot] = None
            continue
        gain, offset, exponent = calibration.for_foot(foot, k)
        feet[foot] = calibrate_counts_to_kpa(
            values, gain_kpa_per_count=gain, offset_counts=offset, exponent=exponent
        )
    return PressureStream(
        time_s=stream.time_s,
        left=feet["left"],
        right=feet["right"],
        layout=stream.layout,
        unit="kPa",
        sample_rate_hz=stream.sample_rate_hz,
        start=stream.start,
        source=stream.source,
        problems=stream.problems,
    )


# --------------------------------------------------------------------------- regions


def _basis(stream: PressureStream) -> str | None:
    """"pressure" (kPa available), "force" (N without sensor areas) or None (raw counts)."""
    if stream.unit == "kPa":
        return "pressure"
    if stream.unit == "N":
        return "pressure" if stream.layout.sensor_area_mm2 is not None else "force"
    return None


def _region_matrix(stream: PressureStream) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Region names, per-sensor scale to kPa (or 1 for force), and (k, r) membership."""
    layout = stream.layout
    idx = layout.region_sensors()
    names = [r for r in REGIONS if r in idx]
    member = np.zeros((layout.n_sensors, len(names)))
    for j, r in enumerate(names):
        member[idx[r], j] = 1.0
    scale = np.ones(layout.n_sensors)
    if stream.unit == "N" and layout.sensor_area_mm2 is not None:
        scale = KPA_PER_N_PER_MM2 / layout.sensor_area_mm2
    return names, scale, member


@dataclass(frozen=True, eq=False)
class _FootRegions:
    """One foot's region series and what the summary and the alerts need from it."""

    series: np.ndarray  # (n, r): region mean kPa (pressure) or total N (force) per sample
    bad_rows: np.ndarray | None  # rows that held a NaN sensor
    fixed: np.ndarray | None  # the series at those rows (NaN where the region had no data)


def _column_max(values: np.ndarray, rows: int = 64) -> np.ndarray:
    """NaN-ignoring max of each column of a C-contiguous (n, k) array, fast.

    Reducing ``rows`` rows at a time as one long row lets NumPy vectorise along memory
    (a plain ``axis=0`` reduction over 16 columns is about 10x slower).
    """
    n, k = values.shape
    m = n - n % rows
    out = np.full(k, np.nan, dtype=values.dtype)
    if m:
        if values.flags.c_contiguous:
            part = np.fmax.reduce(values[:m].reshape(-1, rows * k), axis=0)
            out = np.fmax.reduce(part.reshape(rows, k), axis=0)
        else:
            out = np.fmax.reduce(values[:m], axis=0)
    if m < n:
        out = np.fmax(out, np.fmax.reduce(values[m:], axis=0))
    return out


def _foot_regions(
    values: np.ndarray,
    scale: np.ndarray,
    member: np.ndarray,
    *,
    mean: bool,
    may_have_nan: bool,
) -> _FootRegions:
    """Region mean (or sum) per sample in one matrix product, NaN rows repaired.

    When the stream has NaN samples an extra all-ones column flags the rows holding one (NaN
    propagates through the product), and only those rows are recomputed with their finite
    sensors: the region mean of the remaining sensors (NaN if none), or NaN for a sum with a
    missing sensor.
    """
    weights = scale[:, None] * member
    if mean:
        weights = weights / member.sum(axis=0)
    r = member.shape[1]
    if may_have_nan:
        weights = np.column_stack([weights, np.ones(member.shape[0])])
    full = values @ weights.astype(values.dtype)
    series = full[:, :r]
    bad = fixed = None
    if may_have_nan:
        rows = np.flatnonzero(np.isnan(full[:, r]))
        if rows.size:
            sub = values[rows]
            ok = np.isfinite(sub)
            num = np.where(ok, sub, 0.0) @ (scale[:, None] * member)
            cnt = ok.astype(np.float64) @ member
            with np.errstate(invalid="ignore", divide="ignore"):
                if mean:
                    fixed = num / cnt
                else:
                    fixed = np.where(cnt == member.sum(axis=0), num, np.nan)
            series[rows] = fixed
            bad = rows
    return _FootRegions(series, bad, fixed)


def _sum_and_count(fr: _FootRegions) -> tuple[np.ndarray, np.ndarray]:
    """Column sums over finite samples and the number of finite samples per column."""
    series, bad, fixed = fr.series, fr.bad_rows, fr.fixed
    n = series.shape[0]
    if bad is None:
        return series.sum(axis=0, dtype=np.float64), np.full(series.shape[1], n)
    series[bad] = np.nan_to_num(fixed, nan=0.0)
    total = series.sum(axis=0, dtype=np.float64)
    series[bad] = fixed
    return total, n - np.isnan(fixed).sum(axis=0)


def _regions_of(stream: PressureStream, foot: str, basis: str) -> _FootRegions:
    _, scale, member = _region_matrix(stream)
    return _foot_regions(
        stream.foot(foot),
        scale,
        member,
        mean=basis == "pressure",
        may_have_nan=stream.invalid_fraction.get(foot, 1.0) > 0.0,
    )


def _summarise_foot(
    values: np.ndarray, fr: _FootRegions, names: list[str], scale: np.ndarray,
    member: np.ndarray, basis: str, dt: float, config: PressureConfig,
    steps: StepPeaks | None = None,
) -> dict[str, dict[str, Any]]:
    total, count = _sum_and_count(fr)
    column_peak = _column_max(values).astype(np.float64) * scale  # kPa (or N) per sensor
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_values = total / count
    per_region: dict[str, dict[str, Any]] = {}
    if basis == "force":
        region_peak = _column_max(np.ascontiguousarray(fr.series)).astype(np.float64)
    for j, r in enumerate(names):
        no_data = count[j] == 0
        integral = float("nan") if no_data else float(total[j] * dt)
        if basis == "pressure":
            peak = float(np.fmax.reduce(column_peak[member[:, j] > 0]))
            per_region[r] = {
                "basis": "pressure",
                "peak_kpa": peak,
                "pti_kpa_s": integral,
                "mean_kpa": float(mean_values[j]),
                "peak_above_target": bool(peak > config.peak_target_kpa),
            }
            if steps is not None:
                stat, n = _step_statistic(steps.peak_kpa[:, [j]], config)
                per_region[r]["step_peak_kpa"] = float(stat[0])
                per_region[r]["steps"] = int(n[0])
        else:
            per_region[r] = {
                "basis": "force",
                "peak_n": float(region_peak[j]),
                "fti_n_s": integral,
                "mean_n": float(mean_values[j]),
            }
    return per_region


def region_pressure_summary(
    stream: PressureStream, config: PressureConfig | None = None
) -> dict[str, dict[str, dict[str, Any]]] | None:
    """Per foot and region: peak, time integral and mean of pressure (or force).

    kPa streams, and N streams whose layout has sensor areas (converted with 1 N/mm² =
    1000 kPa), give ``{"basis": "pressure", "peak_kpa", "pti_kpa_s", "mean_kpa",
    "peak_above_target"}``; peak = highest single-sensor reading of the region, PTI and mean
    from the region's mean pressure (see the module docstring), ``peak_above_target`` compares
    the peak with ``config.peak_target_kpa`` (a flag for the dashboard, not an alert).
    N streams without sensor areas cannot give pressure: they give ``{"basis": "force",
    "peak_n", "fti_n_s", "mean_n"}`` from the region's TOTAL force (forces add, pressures do
    not). Raw-count streams give None. A region with no finite sample has NaN values.
    """
    report = pressure_report(stream, config, alerts=False)
    return report.summary


# --------------------------------------------------------------------------- step peaks

#: Per foot: (initial contacts, final contacts) in seconds on the stream's time base, as
#: analysis.gait.events.FootEvents gives them.
Contacts = Mapping[str, tuple[np.ndarray, np.ndarray]]


@dataclass(frozen=True, eq=False)
class StepPeaks:
    """One foot's steps: ``start_s`` (n,) of each stance, ``peak_kpa`` (n, r): the highest
    reading of any sensor of each region during that stance (NaN: no valid sample), regions in
    ``regions`` order."""

    foot: str
    regions: tuple[str, ...]
    start_s: np.ndarray
    peak_kpa: np.ndarray


def _stances(t: np.ndarray, ic: np.ndarray, fc: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sample index ranges [s, e) of the stances: each initial contact to the first final
    contact after it, when that comes before the next initial contact."""
    ic = np.asarray(ic, dtype=np.float64)
    fc = np.asarray(fc, dtype=np.float64)
    if not ic.size or not fc.size:
        return np.empty(0, dtype=np.intp), np.empty(0, dtype=np.intp)
    j = np.searchsorted(fc, ic, side="right")
    ok = j < fc.size
    end = np.full(ic.size, np.inf)
    end[ok] = fc[j[ok]]
    nxt = np.append(ic[1:], np.inf)
    ok &= end <= nxt
    s = np.searchsorted(t, ic[ok], side="left")
    e = np.searchsorted(t, end[ok], side="left")
    keep = e > s
    return s[keep], e[keep]


def step_region_peaks(stream: PressureStream, contacts: Contacts) -> dict[str, StepPeaks]:
    """Per foot with contacts: every stance's highest sensor reading per region, in kPa.

    Needs pressure (kPa, or N with sensor areas; see :func:`pressure_report`). A stance runs
    from an initial contact to the next final contact; a contact without its partner is not a
    step. Vectorised: one NaN-ignoring max per region over samples, then one ``reduceat``
    over the stance boundaries.
    """
    if _basis(stream) != "pressure":
        raise InputError(
            f"step peak pressures need pressure (kPa, or N with sensor areas); the stream is "
            f"in {stream.unit!r} with layout {stream.layout.name!r}", source=stream.source)
    names, scale, member = _region_matrix(stream)
    t = np.asarray(stream.time_s, dtype=np.float64)
    out = {}
    for foot in stream.feet():
        if foot not in contacts:
            continue
        ic, fc = contacts[foot]
        s, e = _stances(t, ic, fc)
        peaks = np.full((s.size, len(names)), np.nan)
        if s.size:
            values = stream.foot(foot)
            per_sample = np.empty((values.shape[0] + 1, len(names)))
            per_sample[-1] = np.nan  # a stance ending with the recording reduces up to here
            for j in range(len(names)):
                cols = np.flatnonzero(member[:, j])
                per_sample[:-1, j] = np.fmax.reduce(values[:, cols] * scale[cols], axis=1)
            bounds = np.empty(2 * s.size, dtype=np.intp)
            bounds[0::2], bounds[1::2] = s, e
            peaks = np.fmax.reduceat(per_sample, bounds, axis=0)[0::2]
        out[foot] = StepPeaks(foot, tuple(names), t[s] if s.size else np.empty(0), peaks)
    return out


def _step_statistic(peaks: np.ndarray, config: PressureConfig) -> tuple[np.ndarray, np.ndarray]:
    """Per region: the configured percentile of the finite step peaks, and how many steps."""
    finite = np.isfinite(peaks)
    n = finite.sum(axis=0)
    stat = np.full(peaks.shape[1], np.nan)
    for j in np.flatnonzero(n):
        stat[j] = float(np.percentile(peaks[finite[:, j], j], config.peak_step_percentile))
    return stat, n


def daily_step_peaks(
    stream: PressureStream, contacts: Contacts, config: PressureConfig | None = None
) -> list[dict[str, Any]]:
    """The daily rows the peak_pressure rule judges, from one recording: per local day (the
    stream's wall clock; ``date`` None without one), foot and region: ``step_peak_kpa`` (the
    ``peak_step_percentile`` of that day's step peaks) and ``steps`` (steps with a valid
    reading of the region)."""
    return _daily_rows(stream, step_region_peaks(stream, contacts), config or PressureConfig())


def _daily_rows(stream: PressureStream, steps: dict[str, StepPeaks],
                config: PressureConfig) -> list[dict[str, Any]]:
    rows = []
    for foot, sp in steps.items():
        if stream.start is None:
            days = np.zeros(sp.start_s.size, dtype=np.int64)
            labels: list[date | None] = [None]
        else:
            first = stream.start.date()
            midnight = stream.start.replace(hour=0, minute=0, second=0, microsecond=0)
            offset_s = (stream.start - midnight).total_seconds()
            days = np.floor((sp.start_s + offset_s) / 86400.0).astype(np.int64)
            labels = [first + timedelta(days=int(d)) for d in range(int(days.max(initial=0)) + 1)]
        for d, day in enumerate(labels):
            sel = days == d
            if not sel.any():
                continue
            stat, n = _step_statistic(sp.peak_kpa[sel], config)
            for j, region in enumerate(sp.regions):
                rows.append({"date": day, "foot": foot, "region": region,
                             "step_peak_kpa": float(stat[j]), "steps": int(n[j])})
    return rows


# --------------------------------------------------------------------------- alerts


def _episodes_all(
    series: np.ndarray, threshold: float, t: np.ndarray, *, max_gap_s: float,
    min_run_s: float, sample_period_s: float,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per column of the (n, r) ``series``: start and end (exclusive) indices of its runs above
    ``threshold`` (NaN is not above); runs shorter than ``min_run_s`` (steps) are dropped, then
    runs less than ``max_gap_s`` apart are joined.

    The (n, r) above/below flags are packed eight to a 64-bit word per sample, so finding the
    samples where any region crosses the threshold is one compare of (n,) words.
    """
    n, r = series.shape
    width = 8 * -(-r // 8)
    above = np.zeros((n, width), dtype=bool)
    with np.errstate(invalid="ignore"):
        np.greater(series, threshold, out=above[:, :r])
    words = above.view(np.uint64)
    changed = words[1:] != words[:-1]
    rows = np.flatnonzero(changed if changed.shape[1] == 1 else changed.any(axis=1))
    del changed, words
    d = above[rows + 1, :r].view(np.int8) - above[rows, :r].view(np.int8)
    ri, cols = np.nonzero(d)
    step = d[ri, cols]  # +1: a run starts at row + 1; -1: it ends there
    rows = rows[ri] + 1
    first, last = above[0, :r].copy(), above[n - 1, :r].copy()
    del above
    out = []
    for j in range(r):
        sel = cols == j
        rj, sj = rows[sel], step[sel]
        starts = rj[sj > 0]
        ends = rj[sj < 0]
        if first[j]:
            starts = np.concatenate([[0], starts])
        if last[j]:
            ends = np.concatenate([ends, [n]])
        if starts.size:
            long_run = t[ends - 1] - t[starts] + sample_period_s >= min_run_s
            starts, ends = starts[long_run], ends[long_run]
        if starts.size:
            # time below the threshold between one run and the next
            gap = t[starts[1:]] - t[ends[:-1] - 1] - sample_period_s
            split = gap >= max_gap_s
            starts = starts[np.concatenate([[True], split])]
            ends = ends[np.concatenate([split, [True]])]
        out.append((starts, ends))
    return out


def _duration_words(seconds: float) -> str:
    """Whole minutes (rounded down: "at least"), or hours and minutes."""
    minutes = int(seconds // 60)
    if minutes < 60:
        return "1 minute" if minutes == 1 else f"{minutes} minutes"
    h, m = divmod(minutes, 60)
    return f"{h} h {m:02d} min"


def _alerts_foot(
    stream: PressureStream, foot: str, fr: _FootRegions, names: list[str],
    config: PressureConfig,
) -> list[Alert]:
    t = np.asarray(stream.time_s, dtype=np.float64)
    period = 1.0 / float(stream.sample_rate_hz)
    thr = float(config.sustained_kpa)
    alerts = []
    runs = _episodes_all(fr.series, thr, t, max_gap_s=config.sustained_max_gap_s,
                         min_run_s=config.sustained_min_run_s, sample_period_s=period)
    for j, (s_idx, e_idx) in enumerate(runs):
        if s_idx.size == 0:
            continue
        region = names[j]
        duration = t[e_idx - 1] - t[s_idx] + period
        for s, e, d in zip(s_idx, e_idx, duration, strict=True):
            if d <= config.sustained_duration_s:
                continue
            start_s = float(t[s])
            seg = np.array(fr.series[s:e, j], dtype=np.float64)
            mean_kpa = float(np.nanmean(seg))
            day = None
            clock = None
            when = f"{_duration_words(start_s)} into the recording"
            if stream.start is not None:
                at = stream.start + timedelta(seconds=start_s)
                day = at.date()
                clock = f"{at:%H:%M}"
                when = f"from {at:%H:%M} on {at:%Y-%m-%d}"
            label = REGION_LABELS.get(region, region)
            alerts.append(
                Alert(
                    rule=SUSTAINED_PRESSURE,
                    foot=foot,
                    site=region,
                    first_day=day,
                    confirmed_day=day,
                    delta_c=None,
                    message=(
                        f"Your {foot} foot ({label}) carried pressure for at least "
                        f"{_duration_words(float(d))} without a real break, {when}."
                    ),
                    evidence={
                        "region": region,
                        "start_s": start_s,
                        "duration_s": float(d),
                        "mean_kpa": mean_kpa,
                        "threshold_kpa": thr,
                        "threshold_duration_s": float(config.sustained_duration_s),
                        "max_gap_s": float(config.sustained_max_gap_s),
                        "source": stream.source,
                        # one row per stretch: merged across days into one alert per episode
                        # (analysis.alerts.merge_episodes)
                        "days": [{"date": day.isoformat() if day else None, "start": clock,
                                  "start_s": start_s, "duration_s": float(d),
                                  "mean_kpa": round(mean_kpa, 1)}],
                    },
                )
            )
    return alerts


def sustained_pressure_alerts(
    stream: PressureStream, config: PressureConfig | None = None
) -> list[Alert]:
    """One SUSTAINED_PRESSURE alert per episode of a region held above the threshold.

    An episode is a run of samples whose region mean pressure exceeds ``config.sustained_kpa``
    (NaN samples count as not above), lasting longer than ``config.sustained_duration_s``.
    Runs shorter than ``config.sustained_min_run_s`` do not count (the cyclic loading of
    walking is not sustained pressure), and runs less than ``config.sustained_max_gap_s``
    apart are joined (a brief weight shift does not end an episode). Needs pressure: kPa, or N with
    sensor areas; raises :class:`~analysis.errors.InputError` otherwise.
    """
    if _basis(stream) != "pressure":
        raise InputError(
            f"sustained-pressure alerts need pressure (kPa, or N with sensor areas); the "
            f"stream is in {stream.unit!r} with layout {stream.layout.name!r}",
            source=stream.source,
        )
    return pressure_report(stream, config, summary=False).alerts


# --------------------------------------------------------------------------- both at once


@dataclass(frozen=True)
class PressureReport:
    """Regional summary (None for raw counts) and sustained-pressure alerts (empty without
    pressure) of one stream, computed from one region series per foot; with contacts, also
    ``days``: the daily step-peak rows (:func:`daily_step_peaks`) the peak_pressure rule
    judges."""

    summary: dict[str, dict[str, dict[str, Any]]] | None
    alerts: list[Alert]
    days: list[dict[str, Any]] = dataclasses.field(default_factory=list)


def pressure_report(
    stream: PressureStream,
    config: PressureConfig | None = None,
    *,
    summary: bool = True,
    alerts: bool = True,
    contacts: Contacts | None = None,
) -> PressureReport:
    """:func:`region_pressure_summary` and :func:`sustained_pressure_alerts` in one pass.

    The pipeline should call this: each foot's (n, n_regions) region series is computed once
    and shared. Alerts are computed only when the stream gives pressure (kPa, or N with sensor
    areas); otherwise the list is empty. ``contacts`` (the gait events) add the per-step
    statistic to the summary (``step_peak_kpa``, ``steps``) and fill ``days``.
    """
    config = config or PressureConfig()
    basis = _basis(stream)
    if basis is None:
        return PressureReport(None, [])
    names, scale, member = _region_matrix(stream)
    dt = 1.0 / float(stream.sample_rate_hz)
    steps = (step_region_peaks(stream, contacts)
             if contacts is not None and basis == "pressure" else {})
    out_summary: dict[str, dict[str, dict[str, Any]]] = {}
    out_alerts: list[Alert] = []
    for foot in stream.feet():
        fr = _regions_of(stream, foot, basis)
        if summary:
            out_summary[foot] = _summarise_foot(
                stream.foot(foot), fr, names, scale, member, basis, dt, config,
                steps.get(foot),
            )
        if alerts and basis == "pressure":
            out_alerts.extend(_alerts_foot(stream, foot, fr, names, config))
        del fr
    out_alerts.sort(key=lambda a: (a.evidence["start_s"], a.foot, a.site))
    days = _daily_rows(stream, steps, config) if steps else []
    return PressureReport(out_summary if summary else None, out_alerts, days)
