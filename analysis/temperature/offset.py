"""The wearer's own stable left/right offset per site, learned from a baseline period.

Some people's feet differ by a steady fraction of a degree to a degree or two at a site (shoe,
gait, an old healed injury). Correcting for the person's own offset cuts false alarms: Wijlens
2017 (single-site > 2.2 °C in 8.5% of readings, 0.3% with next-day confirmation, 0.2% with a
per-person offset correction) and Featherston (9.6% of readings over threshold, 0.4% after
per-person correction plus confirmation); see clinical.md.

Method, per site (and for the foot mean): over the first ``offset_baseline_days`` days (from the
first day with enough data), using only days with enough data, the offset is the **median** of
the daily differences, if at least ``offset_min_days`` such days exist and they agree (robust
SD = 1.4826 x MAD at most ``offset_max_spread_c``).

A stable baseline difference larger than ``offset_max_c`` (2.0 °C; healthy feet differ by
0.65-0.78 °C on average, and the largest control difference per region in the
Hernandez-Contreras 2019 database is 1.94 °C) is not a normal offset: it may be a hotspot that
was already there when monitoring began. It is a **baseline finding** (status
``baseline_finding``): the rules report it apart from alerts ("this spot was already warmer when
monitoring began: have it checked once"; analysis.alerts.BASELINE_DIFFERENCE) and keep watching
the site against that baseline, alerting when the difference grows by more than
``baseline_rise_c`` on consecutive days. It is never silently learned away: the finding stays in
every result. An unstable baseline is not applied (the rules judge the raw difference).

The same is done for the ipsilateral comparison (a site minus the mean of the other sites of the
same foot): with both feet present, foot anatomy makes some sites habitually warmer on both
feet, so the own-foot baseline is learned without the cap (an asymmetric warm spot is the
contralateral baseline finding already); with one foot only, a site more than ``offset_max_c``
above its own foot from the start is the baseline finding. When the room temperature is known,
the foot-minus-room difference used in single-foot mode is learned too (no cap: it is a
reference level, not an asymmetry).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import numpy as np

from analysis.config import TemperatureConfig
from analysis.sites import FEET, SITES
from analysis.temperature.daily import DAILY_SITES, FOOT_MEAN, DailyTable

APPLIED = "applied"
TOO_FEW_DAYS = "too_few_days"
TOO_LARGE = "too_large"
UNSTABLE = "unstable"
#: A stable baseline difference above ``offset_max_c``: reported as a finding and used as the
#: site's reference, against which a rise of ``baseline_rise_c`` alerts.
BASELINE_FINDING = "baseline_finding"


@dataclass(frozen=True)
class Offset:
    """One learned offset: ``value_c`` is what the rules subtract (0 unless applied)."""

    learned_c: float
    value_c: float
    days: int
    spread_c: float
    status: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "learned_c": None if not np.isfinite(self.learned_c) else round(self.learned_c, 3),
            "value_c": round(self.value_c, 3),
            "days": self.days,
            "spread_c": None if not np.isfinite(self.spread_c) else round(self.spread_c, 3),
            "status": self.status,
        }


@dataclass(frozen=True)
class WearerOffsets:
    """Contralateral offsets per daily site, ipsilateral per foot and site, foot-minus-room per
    foot; and the baseline days used."""

    contralateral: dict[str, Offset] = field(default_factory=dict)
    ipsilateral: dict[str, dict[str, Offset]] = field(default_factory=dict)
    foot_room: dict[str, Offset] = field(default_factory=dict)
    baseline_days: tuple[date, ...] = ()

    def contralateral_c(self, site: str) -> float:
        o = self.contralateral.get(site)
        return o.value_c if o else 0.0

    def ipsilateral_c(self, foot: str, site: str) -> float:
        o = self.ipsilateral.get(foot, {}).get(site)
        return o.value_c if o else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "baseline_days": [d.isoformat() for d in self.baseline_days],
            "contralateral": {k: v.to_dict() for k, v in self.contralateral.items()},
            "ipsilateral": {f: {k: v.to_dict() for k, v in d.items()}
                            for f, d in self.ipsilateral.items()},
            "foot_room": {k: v.to_dict() for k, v in self.foot_room.items()},
        }


def _learn(values: list[float], config: TemperatureConfig, *, cap: bool = True) -> Offset:
    x = np.asarray([v for v in values if np.isfinite(v)], dtype=np.float64)
    if x.size < config.offset_min_days:
        med = float(np.median(x)) if x.size else float("nan")
        return Offset(med, 0.0, int(x.size), float("nan"), TOO_FEW_DAYS)
    med = float(np.median(x))
    spread = float(1.4826 * np.median(np.abs(x - med)))
    if spread > config.offset_max_spread_c:
        return Offset(med, 0.0, int(x.size), spread, UNSTABLE)
    if cap and abs(med) > config.offset_max_c:
        return Offset(med, med, int(x.size), spread, BASELINE_FINDING)
    return Offset(med, med, int(x.size), spread, APPLIED)


def ipsilateral_differences(table: DailyTable, foot: str) -> dict[tuple[date, str], float]:
    """Per (day, site): the site minus the mean of the other sites of the same foot, from the
    daily values of the days with enough data at that site."""
    out: dict[tuple[date, str], float] = {}
    by_day: dict[date, dict[str, dict]] = {}
    for r in table.rows:
        by_day.setdefault(r["date"], {})[r["site"]] = r
    for day, rows in by_day.items():
        vals = {s: rows[s][f"{foot}_c"] for s in SITES if s in rows}
        fin = {s: v for s, v in vals.items() if np.isfinite(v)}
        if len(fin) < 3:  # a site against at least two others
            continue
        for s, v in fin.items():
            others = [w for k, w in fin.items() if k != s]
            out[(day, s)] = float(v - np.mean(others))
    return out


def _is_enough(row: dict, config: TemperatureConfig) -> bool:
    e = row.get("enough")
    if e is None:
        return bool(row.get("minutes", 0.0) >= config.daily_min_minutes)
    return bool(e)


def learn_offsets(table: DailyTable, config: TemperatureConfig) -> WearerOffsets:
    """Learn the wearer's offsets from the baseline days of ``table`` (see module docstring)."""
    enough_days = sorted({r["date"] for r in table.rows if _is_enough(r, config)})
    if not enough_days:
        return WearerOffsets()
    first = enough_days[0]
    last = first + timedelta(days=config.offset_baseline_days - 1)
    base = [r for r in table.rows if first <= r["date"] <= last and _is_enough(r, config)]
    base_days = tuple(sorted({r["date"] for r in base}))

    contra: dict[str, Offset] = {}
    if table.mode == "bilateral":
        for site in DAILY_SITES:
            contra[site] = _learn([r["delta_c"] for r in base if r["site"] == site], config)
    ipsi: dict[str, dict[str, Offset]] = {}
    base_keys = {(r["date"], r["site"]) for r in base}
    for foot in table.feet:
        diffs = ipsilateral_differences(table, foot)
        ipsi[foot] = {
            s: _learn([v for (d, k), v in diffs.items() if k == s and (d, k) in base_keys],
                      config, cap=table.mode != "bilateral")
            for s in SITES
        }
    room: dict[str, Offset] = {}
    for foot in table.feet:
        vals = [r[f"{foot}_c"] - r["room_c"] for r in base if r["site"] == FOOT_MEAN]
        if any(np.isfinite(v) for v in vals):
            room[foot] = _learn(vals, config, cap=False)
    return WearerOffsets(contra, ipsi, room, base_days)


__all__ = ["BASELINE_FINDING", "FEET", "Offset", "WearerOffsets", "ipsilateral_differences",
           "learn_offsets"]
