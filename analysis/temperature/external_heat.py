"""External heat on one foot: a heater, a fire, a hot-water bottle, a sunny window.

A foot warmed from outside and a foot warming from inside (inflammation) both read warmer than
the other foot, but they look different (clinical.md: inflammation is local and persists; a
sudden one-sided change within hours is a red flag to check at once):

* external heat warms the **whole foot at once** (every site of that foot rises together, the
  other foot does not), within hours, and is **gone by the next morning**;
* inflammation is **local** (one site, or a few, more than the rest) and **persists** from day
  to day.

Method (per foot, over the samples where both feet are rested, in a steady state, and valid at
the same sites: the samples the daily comparison and the sudden-rise red flag use):

1. candidates: the sudden-rise red flag's own one-sided test: the foot's mean rises by more than
   ``sudden_rise_c`` above its lowest value of the last ``sudden_rise_window_h`` hours while the
   other foot's mean rises by less than ``sudden_rise_other_max_c``;
2. whole foot: at the height of the rise every valid site of the foot rose by at least
   ``external_heat_site_share`` of the largest site rise (at least three sites valid);
3. gone: from the start of the rise (the lowest point before it), the one-sided excess (this
   foot's change minus the other foot's change, over every sample both feet are worn and the
   other foot is steady, so that shoes coming off are not taken for the heat going) falls
   back below ``external_heat_release_c`` within ``external_heat_max_h`` hours (when the shoes
   came off in between, e.g. overnight, the first half hour of the next stretch of wear
   decides: below half its height there, it has gone; still above, it persists and is not
   external heat). When the data end or pause before the foot is seen again (the insoles went
   off with the heat still on, then no data for days), the whole-foot shape alone decides
   (inflammation does not warm a whole foot by degrees within an hour), and the note says it
   could not be followed; a warmth that does persist shows in the daily rules on the days
   with data.

An episode that passes all three is external heat: its samples, from the start of the rise to
its end, are left out of the daily left/right comparison and of the sudden-rise red flag, and a
note says so. It is never hidden from the unsafe-temperature warning (rules.py): heat that takes
numb skin to a burning temperature warns at once, whatever its cause. A rise that is local, or
that has not gone by the next morning, is judged as usual: the sudden-rise red flag and the
daily rules see it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from analysis.config import TemperatureConfig
from analysis.sites import FEET, SITES
from analysis.streams import TemperatureStream
from analysis.temperature._signal import runs, sample_period_s, samples_for, trailing


@dataclass(frozen=True)
class HeatEpisode:
    """One external-heat episode on ``foot``: from ``start_s`` to ``end_s`` (stream seconds);
    ``rise_c``: the foot's largest one-sided rise; ``site_rise_c``: each site's rise then;
    ``followed``: False when the data ended or paused before it could be seen to go."""

    foot: str
    start_s: float
    end_s: float
    rise_c: float
    site_rise_c: dict[str, float]
    followed: bool = True

    def to_dict(self, stream: TemperatureStream) -> dict[str, Any]:
        def iso(s: float) -> str:
            return stream.at(s).isoformat(timespec="minutes")

        return {"foot": self.foot, "start": iso(self.start_s), "end": iso(self.end_s),
                "rise_c": round(self.rise_c, 2),
                "site_rise_c": {k: round(v, 2) for k, v in self.site_rise_c.items()},
                "followed": self.followed}


@dataclass(frozen=True, eq=False)
class ExternalHeat:
    """Episodes and the per-sample mask (n,) of the samples they cover."""

    episodes: list[HeatEpisode] = field(default_factory=list)
    mask: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=bool))


def rested_rises(stream: TemperatureStream, common: np.ndarray, config: TemperatureConfig
                 ) -> tuple[np.ndarray, list[np.ndarray]]:
    """Each foot's mean over the ``common`` (n, sites) samples, and its rise above its own
    lowest value of the last ``sudden_rise_window_h`` hours (the sudden-rise red flag's and
    the external-heat test's one-sided rise), on a regular grid so that "within hours" stays
    hours long across gaps in the data."""
    t = stream.time_s
    period = sample_period_s(t)
    means = _foot_means(stream.values_c, common)
    grid = np.round((t - t[0]) / period).astype(np.int64)
    g_len = int(grid[-1]) + 1
    w = samples_for(config.sudden_rise_window_h * 3600.0, period)
    rise = []
    for m in means:
        g = np.full(g_len, np.nan)
        g[grid] = m
        rise.append(m - trailing(g, w, "min")[grid])
    return means, rise


def _foot_means(values: np.ndarray, common: np.ndarray) -> np.ndarray:
    """(feet, n) mean over the sites valid on both feet at each sample; NaN where none."""
    cnt = common.sum(axis=1)
    out = np.full((len(FEET), values.shape[0]), np.nan)
    for i in range(len(FEET)):
        s = np.where(common, values[:, i, :], 0.0).sum(axis=1)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[i] = np.where(cnt > 0, s / np.maximum(cnt, 1), np.nan)
    return out


#: Samples further apart than this start a new stretch of wear (the shoes were off between).
_STRETCH_GAP_S = 3600.0
#: How much of the next stretch tells whether the heat has gone.
_NEXT_LOOK_S = 1800.0


def _gone(excess: np.ndarray, t: np.ndarray, k: int, t0: int,
          config: TemperatureConfig) -> tuple[int, bool] | None:
    """Has the one-sided ``excess`` (NaN where not comparable) that peaked at ``k`` gone?
    (last index of the episode, whether it was seen to go), or None when it persists.

    Gone: below ``external_heat_release_c`` in the stretch of wear it rose in (the heat was
    taken away), or below half its height in the first half hour of the next stretch (the next
    morning). Persists: still at half its height or more then. Neither seen within
    ``external_heat_max_h`` of its start (the data ended or paused for days): the whole-foot
    shape decides, not followed."""
    stop = int(np.searchsorted(t, t[t0] + config.external_heat_max_h * 3600.0, side="right"))
    seen = k + 1 + np.flatnonzero(np.isfinite(excess[k + 1:stop]))
    if seen.size == 0:
        return k, False
    prev = np.concatenate(([t[k]], t[seen[:-1]]))
    breaks = np.flatnonzero(t[seen] - prev > _STRETCH_GAP_S)
    same = seen[:breaks[0]] if breaks.size else seen
    low = same[excess[same] < config.external_heat_release_c]
    if low.size:
        return int(low[0]), True
    if breaks.size == 0:
        return int(seen[-1]), False  # the data stop before the foot is seen again
    nxt = seen[breaks[0]:]
    nxt = nxt[t[nxt] <= t[nxt[0]] + _NEXT_LOOK_S]
    if float(np.median(excess[nxt])) < 0.5 * float(excess[k]):
        return int(same[-1]) if same.size else k, True
    return None


def detect_external_heat(
    stream: TemperatureStream,
    *,
    valid: np.ndarray,
    rested: np.ndarray,
    worn: np.ndarray,
    config: TemperatureConfig,
) -> ExternalHeat:
    """External-heat episodes of a bilateral stream (see the module docstring). ``valid`` is
    the (n, feet, sites) mask of fault-free samples, ``rested`` and ``worn`` the (n, feet)
    masks of wear.py."""
    t = stream.time_s
    n = t.size
    none = ExternalHeat([], np.zeros(n, dtype=bool))
    if n < 3:
        return none
    both = rested[:, 0] & rested[:, 1]
    common = valid[:, 0, :] & valid[:, 1, :] & both[:, None]
    if not common.any():
        return none
    means, rise = rested_rises(stream, common, config)
    # The way back is watched over every worn sample: heat leaves the shoe within minutes,
    # faster than the rested (steady) test allows, often just before the shoes come off.
    worn_both = worn[:, 0] & worn[:, 1]
    worn_means = _foot_means(stream.values_c, valid[:, 0, :] & valid[:, 1, :]
                             & worn_both[:, None])
    mask = np.zeros(n, dtype=bool)
    episodes: list[HeatEpisode] = []
    for i, foot in enumerate(FEET):
        j = 1 - i
        with np.errstate(invalid="ignore"):
            cand = (rise[i] > config.sudden_rise_c) & (
                rise[j] < config.sudden_rise_other_max_c)
        starts, stops = runs(cand)
        covered_until = -1
        for a, b in zip(starts, stops, strict=True):
            a = max(a, covered_until + 1)  # the part of the run after an earlier episode
            if a >= b:
                continue
            k = a + int(np.nanargmax(rise[i][a:b]))  # the height of the rise
            lo = max(0, int(np.searchsorted(t, t[k] - config.sudden_rise_window_h * 3600.0)))
            seg = means[i][lo:k + 1]
            if not np.isfinite(seg).any():
                continue
            t0 = lo + int(np.nanargmin(seg))  # where the rise started
            site_rise = stream.values_c[k, i, :] - stream.values_c[t0, i, :]
            ok = common[k] & common[t0]
            if ok.sum() < 3:
                continue
            r = site_rise[ok]
            if r.max() <= 0 or r.min() < config.external_heat_site_share * r.max():
                continue  # local: not external heat
            wm = worn_means
            excess = (wm[i] - wm[i][t0]) - (wm[j] - wm[j][t0])
            # Only while the other foot is steady: when both shoes come off, both insoles
            # cool to the room and the excess fades with them; that is no sign of the heat
            # going.
            excess = np.where(rested[:, j], excess, np.nan)
            # Gone: the one-sided excess back below the release level while both feet are
            # worn (after the shoe was off, e.g. overnight, the next worn samples decide).
            verdict = _gone(excess, t, k, t0, config)
            if verdict is None:
                continue  # still there the next time the foot is seen: judged as usual
            end, followed = verdict
            mask[t0:end + 1] = True
            covered_until = end
            episodes.append(HeatEpisode(
                foot=foot, start_s=float(t[t0]), end_s=float(t[end]),
                rise_c=float(rise[i][k]),
                site_rise_c={SITES[s]: float(site_rise[s]) for s in np.flatnonzero(ok)},
                followed=followed,
            ))
    episodes.sort(key=lambda e: e.start_s)
    return ExternalHeat(episodes, mask)


__all__ = ["ExternalHeat", "HeatEpisode", "detect_external_heat", "rested_rises"]
