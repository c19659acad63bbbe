"""Daily plantar-pressure rule: peak pressure over the in-shoe target (peak_pressure).

Judged over daily rows (one per day, foot and region), from one recording
(:func:`analysis.pressure.daily_step_peaks`) or from the stored history (the daily job), so
both give the same alerts with the same evidence:

* A row is **judged** when its ``step_peak_kpa`` is finite and it has at least
  ``PressureConfig.peak_min_steps`` steps; other rows (no walking, too few steps, NaN) are
  skipped: they neither confirm nor end an episode.
* ``step_peak_kpa`` is the ``peak_step_percentile`` (the median) of the day's per-step region
  peaks; it is **over** when above ``peak_target_kpa`` (200 kPa, Bus 2011/2013).
* ``peak_confirm_days`` judged days over target in a row (days without walking skipped) open an
  episode; it is confirmed on the last of them. Engineering choice, as the temperature rules.
* One alert per episode: a later judged day over target after at most
  ``peak_episode_gap_days`` judged days under target continues the episode (its days grow,
  its latest value updates); more judged days under target end it, and a new episode needs
  ``peak_confirm_days`` again. ``ongoing``: the episode has not ended by the last judged day.

Evidence: rule, foot, region, target_kpa, statistic (in words), and ``days``: one row per
judged day from the first day to the last day over target (and after it, while ongoing):
``{"date", "peak_kpa", "over", "steps"}``; ``last_day`` (the latest day over target),
``latest_peak_kpa``, ``ongoing``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from analysis.alerts import PEAK_PRESSURE, Alert
from analysis.config import PressureConfig
from analysis.errors import InputError
from analysis.sites import REGION_LABELS, REGIONS, check_foot


def statistic_words(config: PressureConfig) -> str:
    """How the day's value is made, in plain words (shown with the evidence)."""
    p = config.peak_step_percentile
    what = "median" if p == 50.0 else f"{p:g}th percentile"
    return f"{what} of the highest pressure under the region in each step of the day"


@dataclass
class _Episode:
    first: int  # indices into the judged days
    confirmed: int
    last_over: int


def _episodes(over: list[bool], k: int, gap: int) -> list[tuple[_Episode, bool]]:
    """(episode, ongoing) over the judged days' over-target flags."""
    out: list[tuple[_Episode, bool]] = []
    cur: _Episode | None = None
    run_start: int | None = None
    for j, o in enumerate(over):
        if not o:
            run_start = None
            continue
        if run_start is None:
            run_start = j
        if cur is not None:
            if j - cur.last_over - 1 <= gap:
                cur.last_over = j
                continue
            out.append((cur, False))
            cur = None
        if j - run_start + 1 >= k:
            cur = _Episode(first=run_start, confirmed=j, last_over=j)
    if cur is not None:
        ongoing = len(over) - 1 - cur.last_over <= gap
        out.append((cur, ongoing))
    return out


def _rows_by_key(rows: Iterable[Mapping[str, Any]]
                 ) -> dict[tuple[str, str], list[tuple[date, float, int]]]:
    groups: dict[tuple[str, str], dict[date, tuple[date, float, int]]] = {}
    for i, r in enumerate(rows):
        where = f"pressure day row {i}"
        day = r.get("date")
        if day is None:
            continue  # no wall clock: cannot be placed on a day
        if not isinstance(day, date):
            raise InputError(f"{where}: date must be a date, found {day!r}", field="date")
        try:
            foot = check_foot(r.get("foot"))
        except ValueError as exc:
            raise InputError(f"{where} ({day.isoformat()}): {exc}", field="foot") from None
        region = r.get("region")
        if region not in REGIONS:
            raise InputError(f"{where} ({day.isoformat()}): region must be one of {REGIONS}, "
                             f"found {region!r}", field="region")
        peak = r.get("step_peak_kpa")
        steps = r.get("steps")
        value = float("nan") if peak is None else float(peak)
        n = 0 if steps is None else int(steps)
        per = groups.setdefault((foot, region), {})
        if day in per:
            raise InputError(f"{where}: a second row for {foot} {region} on "
                             f"{day.isoformat()}", field="date")
        per[day] = (day, value, n)
    return {k: sorted(v.values()) for k, v in groups.items()}


def peak_pressure_alerts(rows: Iterable[Mapping[str, Any]],
                         config: PressureConfig | None = None) -> list[Alert]:
    """PEAK_PRESSURE alerts, one per episode, from daily rows ``{"date": date, "foot",
    "region", "step_peak_kpa": float | None, "steps": int | None}`` (see the module
    docstring). Rows without a date are ignored; a malformed row raises
    :class:`~analysis.errors.InputError` naming it."""
    config = config or PressureConfig()
    target = float(config.peak_target_kpa)
    k = max(1, int(config.peak_confirm_days))
    gap = int(config.peak_episode_gap_days)
    alerts = []
    for (foot, region), series in sorted(_rows_by_key(rows).items(),
                                         key=lambda kv: (kv[0][0], REGIONS.index(kv[0][1]))):
        judged = [(d, v, n) for d, v, n in series
                  if np.isfinite(v) and n >= config.peak_min_steps]
        over = [v > target for _, v, _ in judged]
        for ep, ongoing in _episodes(over, k, gap):
            end = len(judged) - 1 if ongoing else ep.last_over
            days = [{"date": d.isoformat(), "peak_kpa": round(v, 1), "over": bool(o),
                     "steps": n}
                    for (d, v, n), o in zip(judged[ep.first:end + 1], over[ep.first:end + 1],
                                            strict=True)]
            first, confirmed, last = (judged[i][0] for i in (ep.first, ep.confirmed,
                                                              ep.last_over))
            latest = judged[ep.last_over][1]
            n_over = sum(over[ep.first:end + 1])
            label = REGION_LABELS.get(region, region)
            message = (
                f"When you walk, your {foot} foot carries more pressure under the {label} than "
                f"the {target:g} kPa target for feet that cannot feel: "
                f"{judged[ep.confirmed][1]:.0f} kPa on {confirmed.isoformat()}"
                + (f", latest {latest:.0f} kPa on {last.isoformat()}" if last != confirmed
                   else "")
                + f". Over the target on {n_over} of {len(days)} days with walking "
                f"from {first.isoformat()} (a typical step of each day, not one reading)."
            )
            alerts.append(Alert(
                rule=PEAK_PRESSURE, foot=foot, site=region, first_day=first,
                confirmed_day=confirmed, delta_c=None, message=message,
                evidence={"rule": PEAK_PRESSURE, "foot": foot, "region": region,
                          "target_kpa": target, "statistic": statistic_words(config),
                          "min_steps": int(config.peak_min_steps), "confirm_days": k,
                          "days": days, "last_day": last.isoformat(),
                          "latest_peak_kpa": round(latest, 1), "ongoing": bool(ongoing)},
            ))
    return alerts


def unconfirmed_days_over(rows: Iterable[Mapping[str, Any]],
                          config: PressureConfig | None = None) -> list[dict[str, Any]]:
    """Judged rows over target (for a note when a recording alone cannot confirm an alert):
    ``{"date", "foot", "region", "step_peak_kpa", "steps"}``, in date order."""
    config = config or PressureConfig()
    out = []
    for r in rows:
        v = r.get("step_peak_kpa")
        n = r.get("steps") or 0
        if v is not None and np.isfinite(v) and n >= config.peak_min_steps \
                and v > config.peak_target_kpa:
            out.append(dict(r))
    return sorted(out, key=lambda r: (str(r.get("date")), r["foot"], REGIONS.index(r["region"])))
