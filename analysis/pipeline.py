"""The whole analysis of one recording: streams in, one :class:`AnalysisResult` out.

Order of work (each step reads what the one before produced; nothing is computed twice):

1. per-foot load and centre of pressure, one pass over the sensor arrays (analysis.load);
2. gait events per foot -> strides -> walking bouts -> variability, asymmetry, PCI, DFA;
3. quiet standing -> static balance; exercise repetitions;
4. regional peak pressure, pressure-time integral, per-step peaks (from the gait contacts),
   sustained-pressure alerts (one per episode) and the peak_pressure rule over the
   recording's days;
5. temperature: faults, wear, daily left/right statistics, offsets, alert rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np

from analysis.alerts import Alert, merge_episodes
from analysis.config import AnalysisConfig
from analysis.errors import DataProblem
from analysis.sites import FEET
from analysis.streams import PressureStream, TemperatureStream

#: Keys of the gait summary that are always present (None when they do not apply).
GAIT_SUMMARY_KEYS = (
    "cadence_steps_per_min",
    "steps_left",
    "steps_right",
    "stride_time_s_mean",
    "stride_time_sd_ms",
    "stride_time_cv_pct",
    "swing_time_cv_pct",
    "stance_time_cv_pct",
    "double_support_pct",
    "gait_asymmetry",
    "symmetry_index_pct",
    "pci_pct",
    "dfa_alpha",
)


#: Below this many sensors per foot the centre of pressure carries no information.
MIN_SENSORS_FOR_COP = 3
FOREFOOT_REGIONS = frozenset({"mth1", "mth3", "mth5", "hallux", "toes"})


@dataclass
class GaitResult:
    events: dict[str, Any]
    strides: dict[str, Any]
    summary: dict[str, Any]
    balance: list[Any] = field(default_factory=list)
    exercises: dict[str, Any] = field(default_factory=dict)


@dataclass
class AnalysisResult:
    source: str
    duration_s: float | None
    start: datetime | None
    gait: GaitResult | None
    pressure: dict[str, Any] | None
    temperature: Any | None
    alerts: list[Alert]
    problems: list[DataProblem]
    notes: list[str]
    lost_feet: tuple[str, ...] = ()
    pressure_faults: list[Any] = field(default_factory=list)
    #: What could be judged: analysis.temperature.coverage.overall_status, "today" being the
    #: last day of the data ({status, reasons, since, today, open_alerts, not_judged}).
    status: dict[str, Any] = field(default_factory=dict)


#: Said in the status of a recording without foot temperatures (walking and pressure only).
NO_TEMPERATURE_REASON = ("no foot temperatures in this recording: only walking and pressure "
                         "were judged")


def result_status(alerts: list[Alert], temperature: Any | None) -> dict[str, Any]:
    """The status of one analysed recording: its temperature coverage up to the last day of
    the data, and every alert (pressure ones too)."""
    from analysis.temperature.coverage import overall_status

    if temperature is not None and temperature.coverage:
        status = overall_status(temperature.coverage, alerts,
                                today=max(r["date"] for r in temperature.coverage),
                                feet=temperature.feet, last_data=temperature.last_data)
        return status
    status = overall_status([], alerts, today=None, feet=(), last_data={})
    status["reasons"].append(NO_TEMPERATURE_REASON)
    return status


def _valid(strides: dict[str, Any], foot: str, name: str) -> np.ndarray:
    table = strides.get(foot)
    if table is None:
        return np.empty(0)
    return np.asarray(getattr(table, name))[np.asarray(table.valid, dtype=bool)]


def _gait(stream: PressureStream, loads, config: AnalysisConfig, notes: list[str]) -> GaitResult:
    from analysis.gait.asymmetry import gait_asymmetry_pct, symmetry_index_pct
    from analysis.gait.balance import balance_of_interval, find_quiet_standing
    from analysis.gait.dfa import dfa_alpha
    from analysis.gait.events import detect_events
    from analysis.gait.exercises import count_exercises
    from analysis.gait.pci import phase_coordination_index_pct
    from analysis.gait.strides import build_strides
    from analysis.gait.variability import gait_summary

    gcfg = config.gait
    events = detect_events(stream, gcfg, loads=loads)
    strides = build_strides(events, gcfg)
    summary = dict.fromkeys(GAIT_SUMMARY_KEYS)
    summary.update(gait_summary(strides, events, stream.duration_s))
    if "left" in strides and "right" in strides:
        left, right = strides["left"], strides["right"]
        summary["gait_asymmetry"] = gait_asymmetry_pct(
            _valid(strides, "left", "swing_s"), _valid(strides, "right", "swing_s"), config=gcfg
        )
        summary["symmetry_index_pct"] = symmetry_index_pct(
            _valid(strides, "left", "stride_s"), _valid(strides, "right", "stride_s"),
            config=gcfg,
        )
        # One initial contact per stride start; the bout of a contact is its stride's bout.
        summary["pci_pct"] = phase_coordination_index_pct(
            left.start_s,
            right.start_s,
            left_bout=left.bout,
            right_bout=right.bout,
            left_valid=left.valid,
            right_valid=right.valid,
            swing_left_s=_valid(strides, "left", "swing_s"),
            swing_right_s=_valid(strides, "right", "swing_s"),
            config=gcfg,
        )
    elif strides:
        notes.append("Only one insole: left-right asymmetry and coordination cannot be judged.")
    series = max((_valid(strides, f, "stride_s") for f in strides), key=len, default=None)
    if series is not None:
        summary["dfa_alpha"] = dfa_alpha(series, min_n=gcfg.dfa_min_strides)
        if summary["dfa_alpha"] is None and series.size:
            notes.append(
                f"The long-range stride pattern (DFA) needs {gcfg.dfa_min_strides} strides "
                f"of steady walking; this recording has {series.size}."
            )
    balance: list[Any] = []
    exercises: dict[str, Any] = {}
    regions = stream.layout.region_sensors()
    if stream.layout.n_sensors < MIN_SENSORS_FOR_COP:
        notes.append(
            f"The {stream.layout.name} insole has {stream.layout.n_sensors} sensor(s) per foot: "
            "too few to follow the centre of pressure, so balance and exercises are not judged."
        )
        return GaitResult(events, strides, summary, balance, exercises)
    standing = find_quiet_standing(
        stream.time_s, loads, sample_rate_hz=stream.sample_rate_hz, config=gcfg
    )
    for t0, t1 in np.asarray(standing).reshape(-1, 2):
        try:
            balance.append(balance_of_interval(stream.time_s, loads, (t0, t1), config=gcfg))
        except ValueError as exc:  # no loaded foot after all: say so, do not invent sway
            notes.append(f"Standing at {t0:.0f}-{t1:.0f} s could not be measured: {exc}.")
    if "heel" in regions and FOREFOOT_REGIONS & set(regions):
        exercises = count_exercises(stream, gcfg, loads=loads)
    else:
        notes.append("This insole has no heel or no forefoot sensors: exercises not recognised.")
    return GaitResult(events, strides, summary, balance, exercises)


def _peak_pressure(days: list[dict[str, Any]], config: AnalysisConfig,
                   notes: list[str]) -> list[Alert]:
    """The peak_pressure rule over the recording's own days; a day over target that the
    recording alone cannot confirm is said in a note (the daily job judges the history)."""
    from analysis.pressure_rules import (
        peak_pressure_alerts,
        statistic_words,
        unconfirmed_days_over,
    )
    from analysis.sites import REGION_LABELS

    cfg = config.pressure
    found = peak_pressure_alerts(days, cfg)
    covered = {(a.foot, a.site, d["date"]) for a in found for d in a.evidence["days"]}
    for r in unconfirmed_days_over(days, cfg):
        day = r["date"].isoformat() if r["date"] else None
        if (r["foot"], r["region"], day) in covered:
            continue
        when = f"on {day}" if day else "in this recording"
        notes.append(
            f"Walking pressure under the {REGION_LABELS[r['region']]} of the {r['foot']} foot "
            f"was over the {cfg.peak_target_kpa:g} kPa target {when} "
            f"({r['step_peak_kpa']:.0f} kPa, the {statistic_words(cfg)}, {r['steps']} steps); "
            "an alert needs "
            f"{cfg.peak_confirm_days} days with walking over the target, which the daily "
            "history judges.")
    return found


def _load_for_temperature(
    pressure: PressureStream, loads: dict[str, Any], temperature: TemperatureStream,
    notes: list[str],
) -> dict[str, tuple[np.ndarray, np.ndarray]] | None:
    """Per-foot load, averaged per second, on the temperature stream's clock."""
    if pressure.start is None:
        notes.append(
            "The pressure recording has no wall-clock start, so it cannot tell the temperature "
            "analysis when the insoles were worn; temperature alone was used."
        )
        return None
    shift_s = (pressure.start - temperature.start).total_seconds()
    per = max(1, round(pressure.sample_rate_hz))
    n = (pressure.n_samples // per) * per
    if n == 0:
        return None
    t = pressure.time_s[:n:per] + shift_s
    out = {}
    for foot, fl in loads.items():
        total = fl.total[:n].reshape(-1, per)
        finite = np.isfinite(total)
        count = finite.sum(axis=1)
        sums = np.where(finite, total, 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[foot] = (t, np.where(count > 0, sums / count, np.nan))  # NaN: no valid sample
    return out


def analyze(
    *,
    pressure: PressureStream | None = None,
    temperature: TemperatureStream | None = None,
    source: str = "<memory>",
    problems: list[DataProblem] | None = None,
    config: AnalysisConfig | None = None,
) -> AnalysisResult:
    """Analyse a pressure and/or temperature recording of one wearer."""
    from analysis.load import foot_load
    from analysis.sensor_health import pressure_sensor_faults

    config = config or AnalysisConfig()
    notes: list[str] = []
    alerts: list[Alert] = []
    gait = None
    pressure_summary = None
    loads = None
    lost: list[str] = []
    pressure_faults: list[Any] = []
    duration_s = None
    start = None
    if pressure is not None:
        from analysis.pressure import pressure_report

        duration_s = pressure.duration_s
        start = pressure.start
        for foot in FEET:
            if pressure.foot(foot) is None:
                lost.append(foot)
                notes.append(f"No {foot} insole in this recording.")
        loads = foot_load(
            pressure, exclude_fraction=config.pressure.invalid_sensor_exclude_fraction
        )
        pressure_faults = pressure_sensor_faults(pressure, loads, config.pressure)
        notes.extend(f"Pressure sensor problem: {f.reason}." for f in pressure_faults)
        gait = _gait(pressure, loads, config, notes)
        for foot, ev in gait.events.items():
            lost_s = float(np.sum(np.diff(np.asarray(ev.lost_intervals_s).reshape(-1, 2))))
            if lost_s > 0:
                shown = f"{lost_s:.0f} s" if lost_s >= 1 else f"{lost_s:.2f} s"
                notes.append(
                    f"The {foot} insole gave no valid data for {shown} of "
                    f"{duration_s:.0f} s; nothing was inferred there."
                )
        if pressure.unit == "raw":
            notes.append("Pressure is uncalibrated: pressures cannot be reported, only timing.")
        else:
            contacts = {f: (ev.initial_contacts_s, ev.final_contacts_s)
                        for f, ev in gait.events.items()}
            report = pressure_report(pressure, config.pressure, contacts=contacts)
            pressure_summary = report.summary
            alerts.extend(merge_episodes(report.alerts,
                                         gap_days=config.pressure.sustained_episode_gap_days))
            alerts.extend(_peak_pressure(report.days, config, notes))
    temp_result = None
    if temperature is not None:
        from analysis.temperature import analyze_temperature

        load_series = (
            _load_for_temperature(pressure, loads, temperature, notes)
            if pressure is not None and loads
            else None
        )
        temp_result = analyze_temperature(temperature, config.temperature, loads=load_series)
        alerts.extend(temp_result.alerts)
        notes.extend(temp_result.notes)
        start = start or temperature.start
        if duration_s is None and temperature.n_samples:
            duration_s = float(temperature.time_s[-1] - temperature.time_s[0])
    return AnalysisResult(
        source=source,
        duration_s=duration_s,
        start=start,
        gait=gait,
        pressure=pressure_summary,
        temperature=temp_result,
        alerts=alerts,
        problems=list(problems or []),
        notes=notes,
        lost_feet=tuple(lost),
        pressure_faults=pressure_faults,
        status=result_status(alerts, temp_result),
    )
