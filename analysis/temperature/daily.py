"""Daily left/right comparison over the same worn, rested windows.

Bilateral mode: a sample counts for a site only if both feet are worn and rested and both
sensors of that site are valid at that sample, so the two feet are always compared over the
same minutes. Samples are grouped into ``daily_window_min`` windows (wall-clock aligned, local
time); a window counts if at least half of it is covered. Per window: the mean left, mean right
and their difference (left minus right). Per local calendar day (the start's time zone: a fixed
UTC offset, or a zone's clock across a DST change, :func:`local_seconds`) and site, the daily
values are the **medians over the day's windows** of the window left, right and difference
values: robust to a few windows disturbed by a missed walk or a shoe
briefly off (Hajizadeh 2025: in-shoe differences are not stationary within a day). Because each
is a separate median, ``delta_c`` can differ slightly from ``left_c - right_c``; ``delta_c`` is
the paired statistic the rules use.

``site == "foot_mean"`` rows compare the feet as a whole: per window, the mean over the sites
valid on both feet in that window, then the daily median.

Single-foot mode (one foot has no valid data at all: an amputation or a single insole): the
present foot's values are computed the same way over its own worn, rested samples; the other
foot's values and ``delta_c`` are NaN.

``minutes`` is the rested, comparable time behind a value; below ``daily_min_minutes`` the day
is ``enough=False`` ("not enough data"): reported, never judged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import numpy as np
import pandas as pd

from analysis.config import TemperatureConfig
from analysis.sites import FEET, SITES
from analysis.streams import TemperatureStream
from analysis.temperature._signal import sample_period_s

FOOT_MEAN = "foot_mean"
DAILY_SITES = (*SITES, FOOT_MEAN)


@dataclass(frozen=True)
class DailyTable:
    """Rows ``{date, site, left_c, right_c, delta_c, minutes, enough, room_c}``, one per local
    day (every day from the first to the last sample) and site of :data:`DAILY_SITES`.
    ``mode`` is "bilateral", "single_left", "single_right" or "none"."""

    rows: list[dict] = field(default_factory=list)
    mode: str = "bilateral"

    @property
    def feet(self) -> tuple[str, ...]:
        if self.mode == "bilateral":
            return FEET
        if self.mode.startswith("single_"):
            return (self.mode.removeprefix("single_"),)
        return ()

    def days(self) -> list[date]:
        return sorted({r["date"] for r in self.rows})

    def value(self, day: date, site: str, key: str) -> float:
        for r in self.rows:
            if r["date"] == day and r["site"] == site:
                return r[key]
        return float("nan")

    @classmethod
    def from_rows(cls, rows: list[dict]) -> DailyTable:
        """Wrap plain rows (e.g. from JSON); the mode is inferred from which feet have values."""
        has = {f: any(np.isfinite(r.get(f"{f}_c", np.nan)) for r in rows) for f in FEET}
        if all(has.values()):
            mode = "bilateral"
        elif any(has.values()):
            mode = "single_" + next(f for f in FEET if has[f])
        else:
            mode = "none"
        norm = []
        for r in rows:
            d = r["date"]
            r = dict(r)
            r["date"] = date.fromisoformat(d) if isinstance(d, str) else d
            r.setdefault("room_c", float("nan"))
            if "enough" not in r:
                r["enough"] = None  # decided by the rules from minutes and the config
            norm.append(r)
        return cls(norm, mode)


def local_seconds(stream: TemperatureStream) -> np.ndarray:
    """Local wall-clock time of every sample, in seconds since the local midnight of the
    start's day. A start with a fixed UTC offset keeps it throughout; a start in a time zone
    with daylight saving time (a zoneinfo.ZoneInfo) follows the zone's clock, so days and
    windows change with the wearer's clock at a DST change (a 23- or 25-hour day)."""
    start = stream.start
    since_midnight = (
        start.hour * 3600 + start.minute * 60 + start.second + start.microsecond / 1e6
    )
    t = stream.time_s
    zone = start.tzinfo
    if zone is None or t.size == 0 or _fixed_offset(start):
        return since_midnight + t
    utc = pd.to_datetime(start.timestamp() + t, unit="s", utc=True)
    wall = utc.tz_convert(zone).tz_localize(None)
    midnight = pd.Timestamp(start.replace(tzinfo=None).replace(hour=0, minute=0, second=0,
                                                              microsecond=0))
    return np.asarray((wall - midnight).total_seconds(), dtype=np.float64)


def _fixed_offset(start: datetime) -> bool:
    """Whether the start's zone has one UTC offset (checked half a year apart)."""
    return all(start.tzinfo.utcoffset(start + timedelta(days=d)) == start.utcoffset()
               for d in (91, 182, 273))


def local_day_index(stream: TemperatureStream,
                    local_s: np.ndarray | None = None) -> tuple[np.ndarray, date]:
    """Day number of each sample (0 = the start's local day) and the start's local date;
    ``local_s``: :func:`local_seconds` of the stream when the caller has it already."""
    local_s = local_seconds(stream) if local_s is None else local_s
    return np.floor(local_s / 86400.0).astype(np.int64), stream.start.date()


def daily_table(
    stream: TemperatureStream,
    *,
    valid: np.ndarray,
    rested: np.ndarray,
    config: TemperatureConfig,
    room_c: float | np.ndarray | None = None,
) -> DailyTable:
    """The daily left/right table (see the module docstring)."""
    t = stream.time_s
    n = t.size
    if n == 0:
        return DailyTable([], "none")
    present = [bool(valid[:, i, :].any()) for i in range(len(FEET))]
    if all(present):
        mode = "bilateral"
        both = rested[:, 0] & rested[:, 1]
        use = valid & both[:, None, None]
        comp = use[:, 0, :] & use[:, 1, :]
        use = np.repeat(comp[:, None, :], len(FEET), axis=1)
    elif any(present):
        fi = present.index(True)
        mode = f"single_{FEET[fi]}"
        use = np.zeros_like(valid)
        use[:, fi, :] = valid[:, fi, :] & rested[:, fi, None]
    else:
        return DailyTable([], "none")

    period = sample_period_s(t)
    start = stream.start
    since_midnight = start.hour * 3600 + start.minute * 60 + start.second
    local_s = local_seconds(stream)
    day_idx, day0 = local_day_index(stream, local_s)
    window_s = config.daily_window_min * 60.0
    win = np.floor(local_s / window_s).astype(np.int64)
    wins, winv = np.unique(win, return_inverse=True)
    nw, ns = wins.size, len(SITES)

    cnt = np.zeros((len(FEET), nw, ns))
    tot = np.zeros((len(FEET), nw, ns))
    vals = np.where(use, stream.values_c, 0.0)
    for i in range(len(FEET)):
        flat_idx = (winv[:, None] * ns + np.arange(ns)[None, :]).ravel()
        cnt[i] = np.bincount(flat_idx, weights=use[:, i, :].ravel().astype(float),
                             minlength=nw * ns).reshape(nw, ns)
        tot[i] = np.bincount(flat_idx, weights=vals[:, i, :].ravel(),
                             minlength=nw * ns).reshape(nw, ns)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.where(cnt > 0, tot / cnt, np.nan)
    covered = cnt * min(period, window_s) >= 0.5 * window_s  # (feet, nw, ns)
    if mode == "bilateral":
        ok = covered[0] & covered[1]
    else:
        ok = covered[present.index(True)]
    mean = np.where(ok[None], mean, np.nan)
    with np.errstate(invalid="ignore"):
        foot_mean = np.stack([_nanmean(mean[i], axis=1) for i in range(len(FEET))])
    minutes_site = np.where(ok, cnt.max(axis=0), 0.0) * period / 60.0
    minutes_foot = minutes_site.max(axis=1)

    room_w = np.full(nw, np.nan)
    if room_c is not None:
        room = np.broadcast_to(np.asarray(room_c, dtype=np.float64), (n,))
        w_any = use.any(axis=(1, 2)) & np.isfinite(room)
        c = np.bincount(winv, weights=w_any.astype(float), minlength=nw)
        s = np.bincount(winv, weights=np.where(w_any, room, 0.0), minlength=nw)
        with np.errstate(invalid="ignore", divide="ignore"):
            room_w = np.where(c > 0, s / c, np.nan)

    win_day = np.floor(wins * window_s / 86400.0).astype(np.int64) - int(
        np.floor(since_midnight / 86400.0)
    )
    frames = []
    for j, site in enumerate(DAILY_SITES):
        if site == FOOT_MEAN:
            left, right, mins = foot_mean[0], foot_mean[1], minutes_foot
        else:
            left, right, mins = mean[0][:, j], mean[1][:, j], minutes_site[:, j]
        frames.append(pd.DataFrame({"day": win_day, "site": site, "left_c": left,
                                    "right_c": right, "delta_c": left - right,
                                    "minutes": mins, "room_c": room_w}))
    df = pd.concat(frames, ignore_index=True)
    g = df.groupby(["day", "site"], sort=False)
    agg = g[["left_c", "right_c", "delta_c", "room_c"]].median()
    agg["minutes"] = g["minutes"].sum()
    agg = agg.reset_index()
    lookup = {(int(r.day), r.site): r for r in agg.itertuples(index=False)}

    rows = []
    first_day, last_day = int(day_idx[0]), int(day_idx[-1])
    nan = float("nan")
    for d in range(first_day, last_day + 1):
        day = day0 + timedelta(days=d)
        for site in DAILY_SITES:
            r = lookup.get((d, site))
            minutes = float(r.minutes) if r is not None else 0.0
            rows.append({
                "date": day,
                "site": site,
                "left_c": float(r.left_c) if r is not None else nan,
                "right_c": float(r.right_c) if r is not None else nan,
                "delta_c": float(r.delta_c) if r is not None else nan,
                "minutes": round(minutes, 1),
                "enough": bool(minutes >= config.daily_min_minutes),
                "room_c": float(r.room_c) if r is not None else nan,
            })
    return DailyTable(rows, mode)


def _nanmean(x: np.ndarray, axis: int) -> np.ndarray:
    fin = np.isfinite(x)
    c = fin.sum(axis=axis)
    s = np.where(fin, x, 0.0).sum(axis=axis)
    return np.where(c > 0, s / np.maximum(c, 1), np.nan)
