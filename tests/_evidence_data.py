"""Alerts of every rule from the real analysis, for the evidence tests (cards, report).

Each case simulates in-shoe temperatures with known truth (tests/_temperature_sim.py) or a
pressure stream, runs the analysis and returns the alerts it raised, with what the simulation
put in (the truth the tests compare with). Nothing here types an expected sentence.

The peak-pressure rule is not on main yet (another helper's, issue 9): its alert is built
through the same constructor (analysis.alerts.Alert) with the evidence keys of that rule
(analysis/pressure_rules.py on branch i9-pressure), from known daily values.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from analysis.alerts import PEAK_PRESSURE, Alert
from analysis.config import PressureConfig, TemperatureConfig
from analysis.layouts import SOLEWATCH_16
from analysis.pressure import sustained_pressure_alerts
from analysis.streams import PressureStream, TemperatureStream
from analysis.temperature import DailyTable, analyze_temperature, evaluate_rules
from tests._temperature_sim import DAY_S, START, simulate

CONFIG = TemperatureConfig()
FIRST_DAY = START.date()


@dataclass
class Case:
    """What one simulation put in and what the analysis found."""

    name: str
    alerts: list[Alert]
    truth: dict[str, Any] = field(default_factory=dict)
    daily: list[dict[str, Any]] = field(default_factory=list)

    def only(self, rule: str) -> Alert:
        found = [a for a in self.alerts if a.rule == rule]
        assert len(found) == 1, (self.name, rule, [a.rule for a in self.alerts])
        return found[0]


def _day(i: int) -> date:
    return FIRST_DAY + timedelta(days=i)


def _run(name: str, sim: Any, truth: dict[str, Any], *, keep: np.ndarray | None = None,
         room_c: float | None = None) -> Case:
    stream = sim.stream()
    if keep is not None:
        stream = TemperatureStream(time_s=stream.time_s[keep], values_c=stream.values_c[keep],
                                   start=stream.start, source=stream.source)
    r = analyze_temperature(stream, CONFIG, room_c=room_c)
    return Case(name, list(r.alerts), truth, list(r.daily))


def hotspot_with_offset(seed: int = 3) -> Case:
    """A stable 0.5 °C left-warmer offset at the 1st metatarsal head from day one (learned and
    removed), then a left hotspot of +2.9 °C there from day 9."""
    sim = simulate(14, seed=seed)
    sim.add("left", ["mth1"], 0.5)
    sim.add("left", ["mth1"], 2.9, sim.t >= 9 * DAY_S, tau_min=600)
    return _run("offset applied", sim, {"foot": "left", "site": "mth1", "offset_c": 0.5,
                                        "hot_c": 2.9, "onset_day": _day(9)})


def large_old_difference(seed: int = 4) -> Case:
    """A 2.6 °C left-warmer difference at the 5th metatarsal head from day one: too large to
    be learned as the wearer's normal (offset_max_c), so the rule judges it as measured."""
    sim = simulate(10, seed=seed)
    sim.add("left", ["mth5"], 2.6)
    return _run("too large", sim, {"foot": "left", "site": "mth5", "old_c": 2.6})


def few_baseline_days(seed: int = 5) -> Case:
    """Readings on days 0 and 1 only, then none until day 8: too few baseline days to learn an
    offset; a left heel hotspot of +3 °C from day 8."""
    sim = simulate(12, seed=seed)
    sim.add("left", ["heel"], 3.0, sim.t >= 8 * DAY_S)
    keep = (sim.day < 2) | (sim.day >= 8)
    return _run("too few days", sim, {"foot": "left", "site": "heel", "hot_c": 3.0,
                                      "onset_day": _day(8)}, keep=keep)


def unstable_baseline(seed: int = 6) -> Case:
    """A midfoot difference swinging by up to 1.6 °C from day to day in the first week (no
    stable offset), then a right midfoot hotspot of +3 °C from day 9."""
    sim = simulate(13, seed=seed)
    swing = np.array([1.2, -0.9, 0.3, -1.4, 1.0, -0.2, 1.6] + [0.0] * 6)[sim.day]
    sim.values[:, 0, 4] += swing * sim.contact  # left midfoot, day by day
    sim.add("right", ["midfoot"], 3.0, sim.t >= 9 * DAY_S)
    return _run("unstable", sim, {"foot": "right", "site": "midfoot", "hot_c": 3.0,
                                  "onset_day": _day(9)})


def no_offsets(seed: int = 3) -> Case:
    """The hotspot of :func:`hotspot_with_offset` judged without any learned offsets (the
    rules' offsets=None): status "none"."""
    base = hotspot_with_offset(seed)
    table = DailyTable.from_rows(base.daily)
    return Case("none", evaluate_rules(table, CONFIG, offsets=None), base.truth, base.daily)


def whole_foot(seed: int = 7) -> Case:
    """The whole left foot 2.6 °C warmer from day 9 (Charcot-like diffuse warming): one
    whole-foot alert, the sites listed in its evidence."""
    sim = simulate(13, seed=seed)
    sim.add("left", None, 2.6, sim.t >= 9 * DAY_S)
    return _run("whole foot", sim, {"foot": "left", "hot_c": 2.6, "onset_day": _day(9)})


def own_foot_spot(seed: int = 8) -> Case:
    """The big toe 2.6 °C warmer on both feet from day 9: no left/right difference, a spot
    warmer than the rest of the same foot (the big toe is habitually cooler: that learned
    offset is removed)."""
    sim = simulate(13, seed=seed)
    for foot in ("left", "right"):
        sim.add(foot, ["hallux"], 2.6, sim.t >= 9 * DAY_S)
    return _run("ipsilateral", sim, {"site": "hallux", "hot_c": 2.6, "onset_day": _day(9)})


def one_foot_only(seed: int = 9) -> Case:
    """Only the left insole (the other foot amputated): a 3rd metatarsal head hotspot of
    +2.8 °C from day 9, compared with the rest of the same foot."""
    sim = simulate(13, seed=seed)
    sim.add("left", ["mth3"], 2.8, sim.t >= 9 * DAY_S)
    sim.values[:, 1, :] = np.nan
    return _run("single foot", sim, {"foot": "left", "site": "mth3", "hot_c": 2.8,
                                     "onset_day": _day(9)}, room_c=sim.room_c)


def sudden_warming(seed: int = 10) -> Case:
    """The right foot warms by 3 °C within an hour on the evening of day 2, at rest with the
    shoe on, and stays warm (inflammation-like, not external heat: it is not gone by the next
    morning) while the left does not change: a sudden one-sided rise."""
    sim = simulate(5, seed=seed)
    when = sim.t >= (2 * 24 + 19) * 3600.0
    sim.add("right", None, 3.0, when, tau_min=20)
    return _run("sudden rise", sim, {"foot": "right", "rise_c": 3.0, "day": _day(2)})


def sudden_warming_twice(seed: int = 10) -> Case:
    """The right foot warms by 3 °C on the evening of day 2, still warm the next morning and
    cool again by the afternoon, and once more on the evening of day 4: two sudden one-sided
    rises two days apart, one alert (one episode)."""
    sim = simulate(7, seed=seed)
    days = (2, 4)
    sim.add("right", None, 3.0, (sim.t >= (2 * 24 + 19) * 3600.0)
            & (sim.t < (3 * 24 + 14) * 3600.0), tau_min=20)
    sim.add("right", None, 3.0, sim.t >= (4 * 24 + 19) * 3600.0, tau_min=20)
    return _run("sudden rise twice", sim, {"foot": "right", "rise_c": 3.0,
                                           "days": [_day(i) for i in days]})


def hot_bath(seed: int = 11) -> Case:
    """The left insole at 46 °C for 40 minutes on day 1 at noon (a hot-water bottle)."""
    sim = simulate(3, seed=seed)
    when = (sim.day == 1) & (sim.hour >= 12.0) & (sim.hour < 12.0 + 40 / 60)
    sim.values[when, 0, :] = 46.0 + np.random.default_rng(seed).normal(0, 0.1, (when.sum(), 6))
    return _run("unsafe", sim, {"foot": "left", "extreme_c": 46.0, "day": _day(1),
                                "minutes": 40.0})


def long_standing(kpa: float = 20.0) -> Case:
    """Standing still on the right heel at ``kpa`` for 20 minutes (2 Hz pressure stream)."""
    fs = 2.0
    k = SOLEWATCH_16.n_sensors
    heel = np.flatnonzero(np.array(SOLEWATCH_16.regions) == "heel")
    v = np.zeros((int(22 * 60 * fs), k), dtype=np.float32)
    v[int(60 * fs): int(21 * 60 * fs), heel] = kpa
    zeros = np.zeros_like(v)
    stream = PressureStream(time_s=np.arange(v.shape[0]) / fs, left=zeros, right=v,
                            layout=SOLEWATCH_16, unit="kPa", sample_rate_hz=fs,
                            start=START + timedelta(days=1, hours=10), source="standing.csv")
    return Case("sustained", sustained_pressure_alerts(stream, PressureConfig()),
                {"foot": "right", "region": "heel", "kpa": kpa, "minutes": 20.0})


def heel_over_target(days: int = 5) -> Case:
    """Built through the Alert constructor (the peak-pressure rule is another helper's): the
    right heel's daily walking peak over the configured target on every one of ``days``
    days, with the evidence keys of that rule."""
    target = PressureConfig().peak_target_kpa
    peaks = [target + 130.0 - 10.0 * i for i in range(days)]
    per_day = [{"date": _day(i).isoformat(), "peak_kpa": p, "over": p > target,
                "steps": 2400 + 37 * i} for i, p in enumerate(peaks)]
    alert = Alert(rule=PEAK_PRESSURE, foot="right", site="heel", first_day=_day(0),
                  confirmed_day=_day(1), delta_c=None,
                  message="Your right heel carried more pressure than the target when walking.",
                  evidence={"rule": PEAK_PRESSURE, "foot": "right", "region": "heel",
                            "target_kpa": target,
                            "statistic": "the highest pressure of a typical step that day",
                            "min_steps": 200, "confirm_days": 2, "days": per_day,
                            "last_day": _day(days - 1).isoformat(),
                            "latest_peak_kpa": peaks[-1], "ongoing": True})
    return Case("peak", [alert], {"peaks": peaks, "target": target})


def baseline_finding() -> Case:
    """The finding the analysis makes of :func:`large_old_difference`: a 2.6 °C difference
    at the 5th metatarsal head already there on the first days."""
    case = large_old_difference()
    return Case("finding", case.alerts, {**case.truth, "median_c": case.truth["old_c"],
                                         "first": FIRST_DAY,
                                         "last": _day(CONFIG.offset_baseline_days - 1)},
                case.daily)


def grown_old_difference(seed: int = 4) -> Case:
    """The 2.6 °C difference of :func:`large_old_difference`, then 2.0 °C more from day 9: the
    contralateral rule watches the growth against the difference found at the start."""
    sim = simulate(13, seed=seed)
    sim.add("left", ["mth5"], 2.6)
    sim.add("left", ["mth5"], 2.0, sim.t >= 9 * DAY_S)
    return _run("grown", sim, {"foot": "left", "site": "mth5", "old_c": 2.6, "grown_c": 2.0,
                               "onset_day": _day(9)})
