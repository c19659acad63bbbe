"""Alert rules on the daily table (asymmetry) and on the samples (red flags).

Daily rules (clinical.md hotspot table), each needing ``consecutive_days`` days in a row over
its threshold, at the same site with the same warmer foot, after the wearer's offset is removed
(offset.py). Days without enough data are not judged and break a run. One alert per episode:
an ongoing run gives one alert whose evidence lists every day of the run (the last included);
a new run starting within ``episode_gap_days`` after the end of an alerted one continues that
episode (its days are added to the same alert) instead of raising a new alert.

* contralateral_site: |left - right| at a site > ``contralateral_site_delta_c``.
* contralateral_foot_mean: |left - right| of the foot means > ``foot_mean_delta_c``.
* ipsilateral_hotspot (both feet present): a site warmer than the mean of the other sites of the
  same foot by > ``ipsilateral_delta_c``. Not raised again where a contralateral_site alert
  already covers the same foot, site and days (the evidence of that alert says so).
* single_foot (one foot has no data at all): the same site-versus-own-foot comparison, and,
  when the room temperature is known, the foot mean minus room compared with the wearer's own
  baseline of that difference (offset.py): a rise of more than ``foot_mean_delta_c`` on
  ``consecutive_days`` days. Skin-to-room gradients change with the room itself, so this is a
  coarse check and the notes say so.

Episodes: contralateral site alerts of the same warmer foot whose days overlap are one episode
(one alert about the warmest site, the others in its evidence); if the foot means also differ,
the episode is reported once as contralateral_foot_mean with the sites in its evidence.

Sample rules (need the stream):

* sudden_rise: over rested samples of both feet, one foot's mean rises by more than
  ``sudden_rise_c`` within ``sudden_rise_window_h`` hours while the other rises by less than
  ``sudden_rise_other_max_c`` (self-care red flag: a sudden one-sided change within hours).
* unsafe_temperature: a valid reading at or above ``unsafe_hot_c`` for ``unsafe_hot_min``
  minutes (burn risk, Moritz & Henriques 1947), or, while load shows the insole is worn, at or
  below ``unsafe_cold_c`` for ``unsafe_cold_min`` minutes (non-freezing cold injury).

Sensor faults never raise alerts: their samples are excluded before anything is judged.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np

from analysis.alerts import (
    BASELINE_DIFFERENCE,
    CONTRALATERAL_FOOT_MEAN,
    CONTRALATERAL_SITE,
    IPSILATERAL_HOTSPOT,
    SINGLE_FOOT,
    SUDDEN_RISE,
    UNSAFE_TEMPERATURE,
    Alert,
    merge_episodes,
)
from analysis.config import TemperatureConfig
from analysis.sites import FEET, SITE_LABELS, SITES
from analysis.streams import TemperatureStream
from analysis.temperature._signal import (
    run_duration_filter,
    runs,
    sample_period_s,
)
from analysis.temperature.daily import FOOT_MEAN, DailyTable
from analysis.temperature.external_heat import ExternalHeat, rested_rises
from analysis.temperature.faults import FaultResult, detect_faults
from analysis.temperature.offset import (
    BASELINE_FINDING,
    Offset,
    WearerOffsets,
    _is_enough,
    ipsilateral_differences,
)
from analysis.temperature.wear import LoadSeries, WearMask, wear_mask

#: Unsafe-temperature stretches closer than this are one episode.
UNSAFE_MERGE_S = 1800.0


def site_words(site: str) -> str:
    """A daily site in plain words: "the whole foot" or "the big toe" (SITE_LABELS)."""
    if site == FOOT_MEAN:
        return "the whole foot"
    return f"the {SITE_LABELS.get(site, site)}"



def _c(x: float) -> str:
    return f"{x:.1f} °C"


def _episodes(
    days: list[date], over: list[bool], sign: list[int], k: int, gap_days: int,
    judged: list[bool] | None = None, skip_days: int = 0,
) -> list[tuple[int, int, int]]:
    """Runs of at least ``k`` days over threshold (same sign; see :func:`_runs_of_days`),
    merged into one episode when the next run starts within ``gap_days`` days after the
    previous one ended. (first, confirmed, last) indices: confirmed is the run's k-th day over."""
    out: list[tuple[int, int, int]] = []
    for a, c, b in _runs_of_days(days, over, sign, k, judged, skip_days):
        if out and sign[a] == sign[out[-1][0]] and (
            days[a] - days[out[-1][2]]
        ).days <= gap_days + 1:
            out[-1] = (out[-1][0], out[-1][1], b)
        else:
            out.append((a, c, b))
    # An open episode also goes on through single days over the threshold (same sign) that
    # come within ``gap_days`` of its last day over: a warm spot hovering at the threshold is
    # one episode, not a new alert each time two days in a row are over again.
    merged: list[tuple[int, int, int]] = []
    for a, c, b in out:
        if merged and (days[a] - days[merged[-1][2]]).days <= gap_days + 1 \
                and sign[a] == sign[merged[-1][0]]:
            merged[-1] = (merged[-1][0], merged[-1][1], b)
            continue
        merged.append((a, c, b))
        i = b + 1
        while i < len(days) and (days[i] - days[merged[-1][2]]).days <= gap_days + 1:
            if over[i] and sign[i] == sign[a]:
                merged[-1] = (merged[-1][0], merged[-1][1], i)
            i += 1
    return merged


def _in_a_row(n_over: int, n_days: int, start: date) -> str:
    if n_over == n_days:
        return f"on {n_days} days in a row from {start.isoformat()}"
    return f"on {n_over} of {n_days} days from {start.isoformat()}"


def _values(vals: list[float], days: list[date], confirmed: int, b: int) -> str:
    """'2.7 °C on <confirmed day>', plus the latest value when the episode went on."""
    text = f"{_c(abs(vals[confirmed]))} on {days[confirmed].isoformat()}"
    if b > confirmed:
        text += f", {_c(abs(vals[b]))} on {days[b].isoformat()}"
    return text


def _runs_of_days(
    days: list[date], over: list[bool], sign: list[int], k: int,
    judged: list[bool] | None = None, skip_days: int = 0,
) -> list[tuple[int, int, int]]:
    """(first, confirmed, last) indices of runs of at least ``k`` days over threshold with the
    same sign, on consecutive calendar days; up to ``skip_days`` days that could not be judged
    (``judged`` False, or no row at all) may stand between two days over it without breaking
    the run (they do not count towards ``k``). A judged day under the threshold ends a run."""
    out: list[tuple[int, int, int]] = []
    a = prev = None
    n = 0
    conf = 0

    def flush() -> None:
        if a is not None and n >= k:
            out.append((a, conf, prev))

    for i in range(len(days)):
        if over[i]:
            if (a is not None and sign[i] == sign[a]
                    and (days[i] - days[prev]).days <= 1 + skip_days):
                prev, n = i, n + 1
            else:
                flush()
                a = prev = i
                n = 1
            if n == k:
                conf = i
        elif judged is None or judged[i] or a is None or (days[i] - days[prev]).days > skip_days:
            flush()
            a = None
            n = 0
    flush()
    return out


def _series(table: DailyTable, site: str) -> list[dict]:
    return sorted((r for r in table.rows if r["site"] == site), key=lambda r: r["date"])


def _contralateral(
    table: DailyTable, config: TemperatureConfig, offsets: WearerOffsets | None
) -> list[Alert]:
    alerts = []
    k = config.consecutive_days
    for site in (*SITES, FOOT_MEAN):
        rule = CONTRALATERAL_FOOT_MEAN if site == FOOT_MEAN else CONTRALATERAL_SITE
        thr = config.foot_mean_delta_c if site == FOOT_MEAN else config.contralateral_site_delta_c
        off = offsets.contralateral_c(site) if offsets else 0.0
        o = offsets.contralateral.get(site) if offsets else None
        found = o is not None and o.status == BASELINE_FINDING
        if found:  # watched against the difference found when monitoring began
            thr = config.baseline_rise_c
        rows = _series(table, site)
        days = [r["date"] for r in rows]
        adj = [r["delta_c"] - off for r in rows]
        ok = [_is_enough(r, config) and np.isfinite(a) for r, a in zip(rows, adj, strict=True)]
        over = [o and abs(a) > thr for o, a in zip(ok, adj, strict=True)]
        sign = [1 if a > 0 else -1 for a in adj]
        if found:  # only a growth of the baseline difference in its own direction
            over = [v and s == (1 if o.value_c > 0 else -1) for v, s in zip(over, sign,
                                                                          strict=True)]
        for a, confirmed, b in _episodes(days, over, sign, k, config.episode_gap_days, ok,
                                         config.confirm_skip_days):
            warm = "left" if sign[a] > 0 else "right"
            other = "right" if warm == "left" else "left"
            per_day = [
                {"date": days[i].isoformat(), "delta_c": round(adj[i], 2),
                 "raw_delta_c": round(rows[i]["delta_c"], 2),
                 "left_c": round(rows[i]["left_c"], 2), "right_c": round(rows[i]["right_c"], 2),
                 "minutes": rows[i]["minutes"], "over": bool(over[i])}
                for i in range(a, b + 1)
            ]
            ongoing = b == len(days) - 1
            n_over = sum(over[a:b + 1])
            if found:
                msg = (
                    f"Your {warm} foot was already warmer than your {other} foot at "
                    f"{site_words(site)} when monitoring began (by {_c(abs(o.value_c))}); the "
                    f"difference has grown {_in_a_row(n_over, b - a + 1, days[a])} (by a "
                    f"further {_values(adj, days, confirmed, b)}). A warm spot that gets warmer "
                    "can be an early warning sign of a problem under the foot, before a wound "
                    "appears."
                )
            else:
                msg = (
                    f"Your {warm} foot has been warmer than your {other} foot at "
                    f"{site_words(site)} {_in_a_row(n_over, b - a + 1, days[a])} (warmer by "
                    f"{_values(adj, days, confirmed, b)}). A difference of "
                    f"more than {_c(thr)} that lasts can be an early warning sign of a problem "
                    "under the foot, before a wound appears."
                )
            alerts.append(Alert(
                rule=rule, foot=warm, site=None if site == FOOT_MEAN else site,
                first_day=days[a], confirmed_day=days[confirmed],
                delta_c=float(adj[confirmed]), message=msg,
                evidence={"threshold_c": thr, "offset_c": round(off, 3),
                          "offset_status": o.status if o is not None else "none",
                          **_offset_origin(o, offsets),
                          "consecutive_days": k, "days": per_day,
                          "last_day": days[b].isoformat(), "ongoing": ongoing},
            ))
    return alerts


def _offset_origin(o: Offset | None, offsets: WearerOffsets | None) -> dict[str, Any]:
    """Where an offset came from: the learned value and the baseline days (first, last)."""
    if o is None or offsets is None or not offsets.baseline_days:
        return {}
    learned = round(o.learned_c, 3) if np.isfinite(o.learned_c) else None
    return {"offset_learned_c": learned, "offset_days": o.days,
            "offset_baseline_days": [offsets.baseline_days[0].isoformat(),
                                     offsets.baseline_days[-1].isoformat()]}


def _finding(foot: str, site: str | None, o: Offset, offsets: WearerOffsets,
             config: TemperatureConfig, compared_with: str, days: list[dict],
             message: str) -> Alert:
    """A BASELINE_DIFFERENCE finding about ``o``, learned over the baseline days."""
    first, last = offsets.baseline_days[0], offsets.baseline_days[-1]
    return Alert(
        rule=BASELINE_DIFFERENCE, foot=foot, site=site, first_day=first, confirmed_day=last,
        delta_c=float(o.value_c), message=message,
        evidence={"threshold_c": config.offset_max_c, "compared_with": compared_with,
                  "baseline_days": [first.isoformat(), last.isoformat()],
                  "baseline_median_c": round(o.value_c, 2),
                  "baseline_spread_c": round(o.spread_c, 2),
                  "rise_threshold_c": config.baseline_rise_c,
                  "days": days, "last_day": last.isoformat()},
    )


def _baseline_findings(
    table: DailyTable, config: TemperatureConfig, offsets: WearerOffsets | None
) -> list[Alert]:
    """One finding per site (or whole foot) already differing by more than ``offset_max_c``
    over the baseline days. A whole-foot finding takes the site findings of the same foot into
    its evidence. In single-foot mode the comparison is with the rest of the same foot."""
    if not offsets or not offsets.baseline_days:
        return []
    first, last = offsets.baseline_days[0], offsets.baseline_days[-1]
    base = set(offsets.baseline_days)
    out: list[Alert] = []
    if table.mode == "bilateral":
        found = [(site, o) for site, o in offsets.contralateral.items()
                 if o.status == BASELINE_FINDING]
        for site, o in found:
            warm = "left" if o.value_c > 0 else "right"
            other = "right" if warm == "left" else "left"
            rows = [r for r in _series(table, site) if r["date"] in base]
            days = [{"date": r["date"].isoformat(), "raw_delta_c": round(r["delta_c"], 2),
                     "left_c": round(r["left_c"], 2), "right_c": round(r["right_c"], 2),
                     "minutes": r["minutes"]}
                    for r in rows if _is_enough(r, config) and np.isfinite(r["delta_c"])]
            msg = (f"When monitoring began, your {warm} foot was already warmer than your "
                   f"{other} foot at {site_words(site)}, by {_c(abs(o.value_c))} (the middle value "
                   f"of {o.days} days from {first.isoformat()} to {last.isoformat()}). This "
                   "spot was already warmer when monitoring began: have it checked once. "
                   "solewatch keeps watching it and alerts if the difference grows by more "
                   f"than {_c(config.baseline_rise_c)}.")
            out.append(_finding(warm, None if site == FOOT_MEAN else site, o, offsets, config,
                                "the same site on the other foot", days, msg))
        whole = {a.foot: a for a in out if a.site is None}
        kept = []
        for a in out:
            host = whole.get(a.foot)
            if a.site is not None and host is not None:
                host.evidence.setdefault("sites_over_threshold", []).append(
                    {"site": a.site, "baseline_median_c": a.evidence["baseline_median_c"]})
            else:
                kept.append(a)
        return kept
    for foot in table.feet:
        for site, o in offsets.ipsilateral.get(foot, {}).items():
            if o.status != BASELINE_FINDING or o.value_c <= 0:
                continue
            msg = (f"When monitoring began, {site_words(site)} of your {foot} foot was already "
                   f"warmer than the rest of the same foot, by {_c(o.value_c)} (the middle "
                   f"value of {o.days} days from {first.isoformat()} to {last.isoformat()}). "
                   "This spot was already warmer when monitoring began: have it checked once. "
                   "solewatch keeps watching it and alerts if it gets warmer by more than "
                   f"{_c(config.baseline_rise_c)}.")
            out.append(_finding(foot, site, o, offsets, config,
                                "mean of the other sites of the same foot", [], msg))
    return out


def _ipsilateral(
    table: DailyTable, config: TemperatureConfig, offsets: WearerOffsets | None, rule: str
) -> list[Alert]:
    alerts = []
    k = config.consecutive_days
    thr = config.ipsilateral_delta_c
    all_days = table.days()
    enough_at = {(r["date"], r["site"]) for r in table.rows if _is_enough(r, config)}
    for foot in table.feet:
        diffs = ipsilateral_differences(table, foot)
        for site in SITES:
            off = offsets.ipsilateral_c(foot, site) if offsets else 0.0
            o = offsets.ipsilateral.get(foot, {}).get(site) if offsets else None
            site_thr = config.baseline_rise_c if (o is not None
                                                  and o.status == BASELINE_FINDING) else thr
            vals = [diffs.get((d, site), np.nan) - off for d in all_days]
            over = [(d, site) in enough_at and np.isfinite(v) and v > site_thr
                    for d, v in zip(all_days, vals, strict=True)]
            judged = [(d, site) in enough_at and np.isfinite(v)
                      for d, v in zip(all_days, vals, strict=True)]
            for a, confirmed, b in _episodes(all_days, over, [1] * len(all_days), k,
                                             config.episode_gap_days, judged,
                                             config.confirm_skip_days):
                per_day = [{"date": all_days[i].isoformat(), "above_own_foot_c": round(vals[i], 2),
                            "site_c": round(table.value(all_days[i], site, f"{foot}_c"), 2),
                            "minutes": table.value(all_days[i], site, "minutes"),
                            "over": bool(over[i])}
                           for i in range(a, b + 1)]
                n_over = sum(over[a:b + 1])
                msg = (
                    f"On your {foot} foot, {site_words(site)} has been warmer than the rest of the "
                    f"same foot {_in_a_row(n_over, b - a + 1, all_days[a])} (warmer by "
                    f"{_values(vals, all_days, confirmed, b)}). "
                    "A warm spot that lasts can be an early warning sign of a problem under the "
                    "foot, before a wound appears."
                )
                alerts.append(Alert(
                    rule=rule, foot=foot, site=site, first_day=all_days[a],
                    confirmed_day=all_days[confirmed], delta_c=float(vals[confirmed]),
                    message=msg,
                    evidence={"threshold_c": site_thr, "offset_c": round(off, 3),
                              "offset_status": o.status if o is not None else "none",
                              **_offset_origin(o, offsets),
                              "compared_with": "mean of the other sites of the same foot",
                              "consecutive_days": k, "days": per_day,
                              "last_day": all_days[b].isoformat(),
                              "ongoing": b == len(all_days) - 1},
                ))
    return alerts


def _foot_vs_room(
    table: DailyTable, config: TemperatureConfig, offsets: WearerOffsets | None
) -> list[Alert]:
    alerts = []
    if not offsets:
        return alerts
    k = config.consecutive_days
    thr = config.foot_mean_delta_c
    for foot in table.feet:
        base = offsets.foot_room.get(foot)
        if base is None or base.status != "applied":
            continue
        rows = _series(table, FOOT_MEAN)
        days = [r["date"] for r in rows]
        rise = [r[f"{foot}_c"] - r["room_c"] - base.value_c for r in rows]
        over = [_is_enough(r, config) and np.isfinite(v) and v > thr
                for r, v in zip(rows, rise, strict=True)]
        judged = [_is_enough(r, config) and np.isfinite(v) for r, v in zip(rows, rise,
                                                                          strict=True)]
        for a, confirmed, b in _episodes(days, over, [1] * len(days), k,
                                         config.episode_gap_days, judged,
                                         config.confirm_skip_days):
            n_over = sum(over[a:b + 1])
            msg = (
                f"Your {foot} foot as a whole has been warmer than usual for the room "
                f"{_in_a_row(n_over, b - a + 1, days[a])} (above your usual level by "
                f"{_values(rise, days, confirmed, b)}). A foot that stays warm can be an early "
                "warning sign of a problem, before a wound appears."
            )
            alerts.append(Alert(
                rule=SINGLE_FOOT, foot=foot, site=None, first_day=days[a],
                confirmed_day=days[confirmed], delta_c=float(rise[confirmed]), message=msg,
                evidence={"threshold_c": thr, "compared_with": "room temperature",
                          "usual_foot_minus_room_c": round(base.value_c, 2),
                          "days": [{"date": days[i].isoformat(),
                                    "foot_c": round(rows[i][f"{foot}_c"], 2),
                                    "room_c": round(rows[i]["room_c"], 2),
                                    "above_usual_c": round(rise[i], 2),
                                    "minutes": rows[i]["minutes"]} for i in range(a, b + 1)],
                          "last_day": days[b].isoformat(), "consecutive_days": k},
            ))
    return alerts


def _span(a: Alert) -> tuple[date, date]:
    return a.first_day, date.fromisoformat(a.evidence["last_day"])


def _merge_episodes(contra: list[Alert]) -> list[Alert]:
    """One alert per episode of one warmer foot: site alerts whose days overlap a foot-mean
    alert of the same foot are folded into it (the whole foot is warmer); remaining site
    alerts of the same foot with overlapping days become one alert about the warmest site,
    the others listed in its evidence."""
    foot_mean = [a for a in contra if a.rule == CONTRALATERAL_FOOT_MEAN]
    sites = [a for a in contra if a.rule == CONTRALATERAL_SITE]
    out = list(foot_mean)
    rest = []
    for a in sites:
        host = next((m for m in foot_mean if m.foot == a.foot and _days_overlap(a, m)), None)
        if host is None:
            rest.append(a)
        else:
            host.evidence.setdefault("sites_over_threshold", []).append(_brief(a))
    rest.sort(key=lambda a: (a.foot, a.first_day))
    groups: list[list[Alert]] = []
    for a in rest:
        g = next((g for g in groups if g[0].foot == a.foot
                  and any(_days_overlap(a, b) for b in g)), None)
        if g is None:
            groups.append([a])
        else:
            g.append(a)
    for g in groups:
        lead = max(g, key=lambda a: abs(a.delta_c or 0.0))
        others = [_brief(a) for a in g if a is not lead]
        if others:
            lead.evidence["other_sites_over_threshold"] = others
        out.append(lead)
    return out


def _days_overlap(a: Alert, b: Alert) -> bool:
    a0, a1 = _span(a)
    b0, b1 = _span(b)
    return a0 <= b1 and b0 <= a1


def _brief(a: Alert) -> dict[str, Any]:
    return {"site": a.site, "first_day": a.first_day.isoformat(),
            "confirmed_day": a.confirmed_day.isoformat(),
            "delta_c": None if a.delta_c is None else round(a.delta_c, 2),
            "last_day": a.evidence["last_day"]}


def _overlaps(a: Alert, b: Alert) -> bool:
    return (a.foot == b.foot and a.site == b.site
            and a.first_day <= date.fromisoformat(b.evidence["last_day"])
            and b.first_day <= date.fromisoformat(a.evidence["last_day"]))


def _day_of(stream: TemperatureStream, t_s: float) -> date:
    return stream.at(t_s).date()


def _when(stream: TemperatureStream, t_s: float) -> str:
    """'2026-03-03 at 19:57': a time in words for a person (local time of the stream)."""
    at = stream.at(t_s)
    return f"{at.date().isoformat()} at {at.strftime('%H:%M')}"


def _iso(stream: TemperatureStream, t_s: float) -> str:
    return stream.at(t_s).isoformat(timespec="minutes")


def _sudden_rise(
    stream: TemperatureStream, valid: np.ndarray, wear: WearMask, config: TemperatureConfig,
    heat: ExternalHeat | None = None,
) -> list[Alert]:
    t = stream.time_s
    if t.size < 3:
        return []
    period = sample_period_s(t)
    both = wear.rested[:, 0] & wear.rested[:, 1]
    common = valid[:, 0, :] & valid[:, 1, :] & both[:, None]
    _, rise = rested_rises(stream, common, config)
    alerts = []
    for i, foot in enumerate(FEET):
        other = 1 - i
        with np.errstate(invalid="ignore"):
            flag = (rise[i] > config.sudden_rise_c) & (rise[other] < config.sudden_rise_other_max_c)
        if heat is not None and heat.mask.size == t.size:
            flag &= ~heat.mask  # external heat, gone again: a note, not a red flag
        flag = run_duration_filter(flag, t, config.slope_window_min * 60.0, period)
        if not flag.any():
            continue
        # One episode: flagged stretches closer than the rule's window are merged.
        starts, stops = runs(flag)
        groups: list[list[int]] = [[starts[0], stops[0]]]
        for a, b in zip(starts[1:], stops[1:], strict=True):
            if t[a] - t[groups[-1][1] - 1] <= config.sudden_rise_window_h * 3600.0:
                groups[-1][1] = b
            else:
                groups.append([a, b])
        for a, b in groups:
            seg = slice(a, b)
            j = a + int(np.nanargmax(rise[i][seg]))
            r_c, o_c = float(rise[i][j]), float(rise[other][j])
            msg = (
                f"Your {foot} foot warmed up by {_c(r_c)} within "
                f"{config.sudden_rise_window_h:g} hours (on {_when(stream, t[a])}) while your "
                f"{FEET[other]} foot changed by {_c(o_c)}; it did not look like heat from "
                "outside (all of the foot at once, gone again by the next morning). A sudden "
                "warming of one foot only is a warning sign to check now."
            )
            alerts.append(Alert(
                rule=SUDDEN_RISE, foot=foot, site=None, first_day=_day_of(stream, t[a]),
                confirmed_day=_day_of(stream, t[a]), delta_c=r_c, message=msg,
                evidence={"rise_c": round(r_c, 2), "other_foot_rise_c": round(o_c, 2),
                          "threshold_c": config.sudden_rise_c,
                          "other_max_c": config.sudden_rise_other_max_c,
                          "window_h": config.sudden_rise_window_h,
                          "start": _iso(stream, t[a]), "end": _iso(stream, t[b - 1]),
                          "last_day": _day_of(stream, t[b - 1]).isoformat()},
            ))
    return alerts


def _unsafe(
    stream: TemperatureStream, valid: np.ndarray, wear: WearMask, config: TemperatureConfig
) -> list[Alert]:
    t = stream.time_s
    if t.size == 0:
        return []
    period = sample_period_s(t)
    v = np.where(valid, stream.values_c, np.nan)
    alerts = []
    checks = [("hot", v >= config.unsafe_hot_c, config.unsafe_hot_min, config.unsafe_hot_c)]
    if wear.worn_by_load is not None:
        with np.errstate(invalid="ignore"):
            cold = (v <= config.unsafe_cold_c) & wear.worn_by_load[:, :, None]
        checks.append(("cold", cold, config.unsafe_cold_min, config.unsafe_cold_c))
    for kind, mask, min_min, limit in checks:
        for i, foot in enumerate(FEET):
            m = run_duration_filter(mask[:, i, :], t, min_min * 60.0, period)
            anym = m.any(axis=1)
            if not anym.any():
                continue
            starts, stops = runs(anym)
            groups: list[list[int]] = [[starts[0], stops[0]]]
            for a, b in zip(starts[1:], stops[1:], strict=True):
                if t[a] - t[groups[-1][1] - 1] <= UNSAFE_MERGE_S:
                    groups[-1][1] = b
                else:
                    groups.append([a, b])
            for a, b in groups:
                seg = v[a:b, i, :]
                if kind == "hot":
                    per_site = np.where(m[a:b], seg, -np.inf).max(axis=0)
                    s_idx = int(np.argmax(per_site))
                else:
                    per_site = np.where(m[a:b], seg, np.inf).min(axis=0)
                    s_idx = int(np.argmin(per_site))
                extreme = float(per_site[s_idx])
                minutes = (t[b - 1] - t[a] + period) / 60.0
                site = SITES[s_idx]
                if kind == "hot":
                    msg = (f"Your {foot} insole read {_c(extreme)} at {site_words(site)} for about "
                           f"{minutes:.0f} minutes from {_when(stream, t[a])}. If you were "
                           "wearing it, this is hot enough to burn skin you may not feel.")
                else:
                    msg = (f"Your {foot} foot was cold, down to {_c(extreme)} at "
                           f"{site_words(site)}, for about {minutes:.0f} minutes from "
                           f"{_when(stream, t[a])}. Skin this cold for long can be damaged "
                           "without you feeling it.")
                alerts.append(Alert(
                    rule=UNSAFE_TEMPERATURE, foot=foot, site=site,
                    first_day=_day_of(stream, t[a]), confirmed_day=_day_of(stream, t[a]),
                    delta_c=None, message=msg,
                    evidence={"kind": kind, "limit_c": limit, "extreme_c": round(extreme, 2),
                              "minutes": round(minutes, 1), "min_minutes": min_min,
                              "start": _iso(stream, t[a]), "end": _iso(stream, t[b - 1]),
                              "last_day": _day_of(stream, t[b - 1]).isoformat()},
                ))
    return alerts


def evaluate_rules(
    daily: DailyTable | list[dict[str, Any]],
    config: TemperatureConfig,
    *,
    offsets: WearerOffsets | None = None,
    stream: TemperatureStream | None = None,
    faults: FaultResult | None = None,
    wear: WearMask | None = None,
    loads: LoadSeries | None = None,
    heat: ExternalHeat | None = None,
) -> list[Alert]:
    """All temperature alerts, ordered by first day. ``daily`` is a DailyTable or its rows.
    With ``stream`` the sample rules run too (faults and wear are computed if not given)."""
    table = daily if isinstance(daily, DailyTable) else DailyTable.from_rows(list(daily))
    alerts: list[Alert] = []
    if table.mode == "bilateral":
        contra = _contralateral(table, config, offsets)
        ipsi_all = _ipsilateral(table, config, offsets, IPSILATERAL_HOTSPOT)
        ipsi = []
        for a in ipsi_all:
            covering = [c for c in contra if c.rule == CONTRALATERAL_SITE and _overlaps(a, c)]
            for c in covering:
                c.evidence["also_warmer_than_own_foot_c"] = a.delta_c
            if not covering:
                ipsi.append(a)
        alerts += _merge_episodes(contra) + ipsi
    elif table.mode.startswith("single_"):
        alerts += _ipsilateral(table, config, offsets, SINGLE_FOOT)
        alerts += _foot_vs_room(table, config, offsets)
    alerts += _baseline_findings(table, config, offsets)
    if stream is not None:
        if faults is None:
            faults = detect_faults(stream, config)
        if wear is None:
            wear = wear_mask(stream, config=config, loads=loads, valid=faults.valid)
        sample: list[Alert] = []
        if table.mode == "bilateral":
            sample += _sudden_rise(stream, faults.valid, wear, config, heat)
        sample += _unsafe(stream, faults.valid, wear, config)
        # One alert per episode for the sample rules too: the same rule, foot and site on
        # days at most episode_gap_days apart (e.g. evenings by a heater hot enough to burn).
        alerts += merge_episodes(sample, gap_days=config.episode_gap_days)
    alerts.sort(key=lambda a: (a.first_day or date.min, a.rule, a.foot or "", a.site or ""))
    return alerts
