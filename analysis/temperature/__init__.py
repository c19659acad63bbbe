"""Foot skin-temperature analysis: faults -> wear and rest -> daily left/right -> offsets -> rules.

Entry point::

    result = analyze_temperature(stream, config.temperature, loads=None, room_c=None)
    result.alerts, result.daily, result.notes

Pure: arrays in, results out; no I/O, no clocks. See the module docstrings of faults, wear,
daily, offset and rules for the method and the sources of every threshold (TemperatureConfig).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.alerts import Alert
from analysis.config import TemperatureConfig
from analysis.sites import FEET, SITES
from analysis.streams import TemperatureStream
from analysis.temperature.coverage import day_coverage, last_data_days, overall_status
from analysis.temperature.daily import FOOT_MEAN, DailyTable, daily_table
from analysis.temperature.external_heat import HeatEpisode, detect_external_heat
from analysis.temperature.faults import FaultResult, SensorFault, detect_faults
from analysis.temperature.offset import APPLIED, WearerOffsets, learn_offsets
from analysis.temperature.rules import evaluate_rules, site_words
from analysis.temperature.wear import LoadSeries, WearMask, wear_mask

__all__ = [
    "DailyTable",
    "FaultResult",
    "SensorFault",
    "TemperatureResult",
    "WearMask",
    "WearerOffsets",
    "analyze_temperature",
    "daily_table",
    "day_coverage",
    "detect_faults",
    "evaluate_rules",
    "learn_offsets",
    "overall_status",
    "thermogram_noise_model",
    "wear_mask",
]


@dataclass(frozen=True)
class TemperatureResult:
    """What the temperature analysis found.

    * ``daily``: rows {date, site, left_c, right_c, delta_c, minutes, enough, room_c}; site is
      one of SITES or "foot_mean"; delta_c is left minus right before any offset.
    * ``offsets``: the wearer's learned offsets (what was applied, and why not otherwise).
    * ``faults``: sensor faults, excluded and never alerted on.
    * ``alerts``: one per episode, ordered by first day.
    * ``wear_fraction``: per foot, the share of samples with the insole worn.
    * ``notes``: plain sentences on what could not be judged and why.
    * ``mode``: "bilateral", "single_left", "single_right" or "none".
    * ``coverage``: one row per local day {date, left_minutes, right_minutes, judged, reason}
      (see analysis.temperature.coverage.day_coverage): what could be judged, and why not.
    * ``last_data``: per foot, the last local day with a valid reading (None: none).
    * ``external_heat``: episodes of one foot warmed from outside (external_heat.py), left out
      of the comparison: {foot, start, end, rise_c, site_rise_c}.
    """

    daily: list[dict[str, Any]]
    offsets: WearerOffsets
    faults: list[SensorFault]
    alerts: list[Alert]
    wear_fraction: dict[str, float]
    notes: list[str] = field(default_factory=list)
    mode: str = "bilateral"
    coverage: list[dict[str, Any]] = field(default_factory=list)
    last_data: dict[str, Any] = field(default_factory=dict)
    external_heat: list[dict[str, Any]] = field(default_factory=list)

    @property
    def feet(self) -> tuple[str, ...]:
        """The feet monitored: both, or the one foot of single-foot mode."""
        return DailyTable([], self.mode).feet or FEET

    def status(self, today: Any = None) -> dict[str, Any]:
        """The overall status (analysis.temperature.coverage.overall_status) of this result's
        alerts and coverage; ``today`` defaults to the last day of the data."""
        days = [r["date"] for r in self.coverage]
        if today is None:
            if not days:
                raise ValueError("no days in this result: pass today")
            today = max(days)
        return overall_status(self.coverage, self.alerts, today=today, feet=self.feet,
                              last_data=self.last_data)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, NaN as None, temperatures to 0.01 °C."""

        def num(x: Any) -> Any:
            if isinstance(x, float | np.floating):
                return round(float(x), 2) if np.isfinite(x) else None
            return x

        return {
            "mode": self.mode,
            "daily": [{k: (v.isoformat() if k == "date" else num(v)) for k, v in r.items()}
                      for r in self.daily],
            "offsets": self.offsets.to_dict(),
            "faults": [dict(vars(f)) for f in self.faults],
            "alerts": [a.to_dict() for a in self.alerts],
            "wear_fraction": {k: round(v, 3) for k, v in self.wear_fraction.items()},
            "notes": list(self.notes),
            "coverage": [{**r, "date": r["date"].isoformat()} for r in self.coverage],
            "external_heat": list(self.external_heat),
        }


def analyze_temperature(
    stream: TemperatureStream,
    config: TemperatureConfig,
    *,
    loads: LoadSeries | None = None,
    room_c: float | np.ndarray | None = None,
) -> TemperatureResult:
    """Run the whole temperature analysis on one stream.

    ``loads``: optional per-foot load on its own time base, ``{"left": (time_s, load), ...}``
    with time in seconds of the stream's clock and load as a fraction of body weight or a force.
    ``room_c``: room temperature if known (a number, or one value per sample), used to tell a
    worn insole from one lying in the room and for the single-foot room comparison.
    """
    faults = detect_faults(stream, config)
    wear = wear_mask(stream, config=config, loads=loads, valid=faults.valid, room_c=room_c)
    heat = detect_external_heat(stream, valid=faults.valid, rested=wear.rested,
                                worn=wear.worn, config=config)
    rested = wear.rested & ~heat.mask[:, None] if heat.mask.any() else wear.rested
    table = daily_table(stream, valid=faults.valid, rested=rested, config=config,
                        room_c=room_c)
    offsets = learn_offsets(table, config)
    alerts = evaluate_rules(table, config, offsets=offsets, stream=stream, faults=faults,
                            wear=wear, loads=loads, heat=heat)
    notes = _notes(stream, table, offsets, faults, wear, config, room_c)
    notes += [_heat_note(stream, e) for e in heat.episodes]
    notes[:0] = _silent_insole_notes(stream, faults.valid)
    return TemperatureResult(
        daily=table.rows,
        offsets=offsets,
        faults=faults.faults,
        alerts=alerts,
        wear_fraction=wear.fraction(),
        notes=notes,
        mode=table.mode,
        coverage=day_coverage(stream, valid=faults.valid, worn=wear.worn, table=table,
                              config=config),
        last_data=last_data_days(stream, faults.valid),
        external_heat=[e.to_dict(stream) for e in heat.episodes],
    )


def _heat_note(stream: TemperatureStream, e: HeatEpisode) -> str:
    a = stream.at(e.start_s)
    b = stream.at(e.end_s)
    gone = "gone again" if e.followed else "the data stopped before it could be seen to go"
    return (f"The {e.foot} foot was warmed from outside (all of it at once, by up to "
            f"{e.rise_c:.1f} °C; {gone}) on {a.date().isoformat()} from "
            f"{a.strftime('%H:%M')} to {b.strftime('%H:%M')}: a heater or a hot-water bottle, "
            "not a sign from inside the foot. Not compared and not an alert; keep numb feet "
            "away from heat sources.")


def _notes(
    stream: TemperatureStream,
    table: DailyTable,
    offsets: WearerOffsets,
    faults: FaultResult,
    wear: WearMask,
    config: TemperatureConfig,
    room_c: Any,
) -> list[str]:
    notes: list[str] = []
    if table.mode == "none":
        notes.append("No valid temperature readings from either foot: nothing could be judged.")
        return notes
    if table.mode.startswith("single_"):
        foot = table.mode.removeprefix("single_")
        other = "right" if foot == "left" else "left"
        notes.append(
            f"Only the {foot} foot has readings: each spot is compared with the rest of the "
            f"same foot, not with the {other} foot; sudden one-sided warming cannot be checked."
        )
        if room_c is None:
            notes.append("Room temperature unknown: the whole-foot check against the room was "
                         "not done.")
        elif table.feet and offsets.foot_room.get(foot, None) is None:
            notes.append("Not enough baseline days to learn the usual foot-to-room difference.")
    for f in FEET:
        if table.mode == "bilateral" and wear.fraction()[f] == 0.0:
            notes.append(f"The {f} insole never looked worn (no skin-range temperatures).")
    if wear.worn_by_load is None:
        notes.append("No load data: cold-skin warnings need load data to know the insole is "
                     "worn, so they were not checked; rest was judged from temperature alone.")
    # Days not judged.
    by_day: dict[Any, list[dict]] = {}
    for r in table.rows:
        by_day.setdefault(r["date"], []).append(r)
    for day, rows in sorted(by_day.items()):
        short = [r for r in rows if not r["enough"] and r["site"] != FOOT_MEAN]
        if not short:
            continue
        minutes = max(r["minutes"] for r in rows)
        if len(short) == len(SITES):
            notes.append(
                f"{day.isoformat()}: not enough rested, worn time to compare the feet "
                f"({minutes:.0f} min; {config.daily_min_minutes:.0f} min needed); not judged."
            )
        else:
            notes.append(
                f"{day.isoformat()}: not enough data at "
                f"{', '.join(_place(r['site']) for r in short)} "
                f"(at least {config.daily_min_minutes:.0f} min needed); those sites not judged."
            )
    first_last = (f"{offsets.baseline_days[0].isoformat()} to "
                  f"{offsets.baseline_days[-1].isoformat()}" if offsets.baseline_days else "")
    for site, o in offsets.contralateral.items():
        if o.status == APPLIED and abs(o.value_c) >= config.offset_note_c:
            # Never silent: a usual difference this large is said, though it is not a finding.
            notes.append(
                f"{_place(site, True)}: the feet usually differ by {o.value_c:+.1f} °C (left minus "
                f"right, learned from {first_last}), more than healthy feet usually do; the "
                "rules judge changes from it. Mention it at your next foot check."
            )
        if o.status == APPLIED or not np.isfinite(o.learned_c):
            continue
        if o.status == "baseline_finding":
            notes.append(
                f"{_place(site, True)}: the feet already differed by {o.learned_c:+.1f} °C (left "
                "minus right) "
                f"in the first days, more than the {config.offset_max_c:.1f} °C a wearer's "
                "normal difference may be: reported as a finding to have checked once (not "
                "treated as normal); alerts if it grows."
            )
        elif o.status == "unstable":
            notes.append(f"{_place(site, True)}: the left-right difference varied too much in "
                         "the first days "
                         f"(spread {o.spread_c:.1f} °C) to learn a personal offset.")
        else:
            notes.append(f"{_place(site, True)}: only {o.days} baseline days with enough data; "
                         "no personal "
                         "offset learned yet.")
    for fault in faults.faults:
        notes.append(f"Sensor problem, excluded (no alert): {fault.reason}.")
    return notes


def _place(site: str, capital: bool = False) -> str:
    """A site in plain words for the notes (rules.site_words)."""
    text = site_words(site)
    return text[:1].upper() + text[1:] if capital else text


def _silent_insole_notes(stream: TemperatureStream, valid: np.ndarray) -> list[str]:
    """Say when one insole stopped (or started) sending valid readings a day or more before
    (after) the other: the feet cannot be compared in that time."""
    t = stream.time_s
    if t.size == 0:
        return []
    has = valid.any(axis=2)  # (n, feet)
    if not has.any(axis=0).all():
        return []  # a foot with no data at all: single-foot mode says so
    first = [float(t[np.argmax(has[:, i])]) for i in range(len(FEET))]
    last = [float(t[len(t) - 1 - np.argmax(has[::-1, i])]) for i in range(len(FEET))]
    out = []
    for i, foot in enumerate(FEET):
        j = 1 - i
        when = stream.at(last[i])
        if last[j] - last[i] >= 86400.0:
            out.append(f"The {foot} insole sent no valid readings after "
                       f"{when.isoformat(timespec='minutes')}; the feet could not be compared "
                       "after that. Check that insole (battery, connection).")
        when = stream.at(first[i])
        if first[i] - first[j] >= 86400.0:
            out.append(f"The {foot} insole sent no valid readings before "
                       f"{when.isoformat(timespec='minutes')}; the feet could not be compared "
                       "before that.")
    return out


def thermogram_noise_model(differences_c: Any) -> dict[str, Any]:
    """Spread of left-minus-right temperature differences, for realistic simulations.

    ``differences_c``: an array of L-R differences (°C), or a mapping group -> array (e.g.
    {"control": ..., "diabetes": ...}); then the result maps each group to its statistics.
    Returns n, mean_c, median_c, sd_c, robust_sd_c (1.4826 x MAD), mean_abs_c, p95_abs_c.
    """
    if isinstance(differences_c, Mapping):
        return {k: thermogram_noise_model(v) for k, v in differences_c.items()}
    x = np.asarray(differences_c, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise ValueError("thermogram_noise_model: no finite differences given")
    med = float(np.median(x))
    return {
        "n": int(x.size),
        "mean_c": float(x.mean()),
        "median_c": med,
        "sd_c": float(x.std(ddof=1)) if x.size > 1 else 0.0,
        "robust_sd_c": float(1.4826 * np.median(np.abs(x - med))),
        "mean_abs_c": float(np.abs(x).mean()),
        "p95_abs_c": float(np.percentile(np.abs(x), 95)),
    }
