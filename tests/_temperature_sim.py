"""Known-truth simulation of in-shoe skin temperature (test helper, default 1 sample a minute).

Each day: shoe off (room temperature) until 07:00 and after 22:00; worn in between, with
30-minute walks every 90 minutes that warm both feet by ``walk_c``. Shoe on/off and walking
follow first-order lags (time constants 8 and 10 min), like an insole's thermal mass. Per-site
skin temperatures are the same on both feet unless a test adds an asymmetry with ``add``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import numpy as np
from scipy.signal import lfilter

from analysis.sites import FEET, SITES
from analysis.streams import TemperatureStream

BASE_SITE_C = np.array([29.0, 30.0, 30.5, 30.0, 30.5, 29.5])
START = datetime(2026, 3, 1, 0, 0, tzinfo=timezone(timedelta(hours=1)))
DAY_S = 86400.0


def lag(x: np.ndarray, tau_samples: float) -> np.ndarray:
    a = np.exp(-1.0 / tau_samples)
    y, _ = lfilter([1 - a], [1, -a], x - x[0], zi=[0.0])
    return y + x[0]


@dataclass
class Sim:
    t: np.ndarray
    values: np.ndarray  # (n, 2, 6) °C
    contact: np.ndarray  # 0..1, how much the insole reads skin rather than room
    worn: np.ndarray  # truth: shoe on
    walking: np.ndarray  # truth: walking
    room_c: float
    period_s: float

    @property
    def day(self) -> np.ndarray:
        return (self.t // DAY_S).astype(int)

    @property
    def hour(self) -> np.ndarray:
        return (self.t / 3600.0) % 24

    def add(self, foot: str, sites, delta_c, when=None, *, tau_min: float = 0.0) -> None:
        """Add ``delta_c`` to the skin of ``foot`` at ``sites`` (None = all) where ``when`` (a
        bool array over samples; None = always) holds, seen through the shoe contact; with
        ``tau_min`` the change builds up with that time constant."""
        w = np.ones(self.t.size) if when is None else np.asarray(when, dtype=float)
        if tau_min:
            w = lag(w, tau_min * 60.0 / self.period_s)
        idx = [SITES.index(s) for s in (SITES if sites is None else sites)]
        f = FEET.index(foot)
        for s in idx:
            self.values[:, f, s] += delta_c * w * self.contact

    def stream(self) -> TemperatureStream:
        return TemperatureStream(time_s=self.t, values_c=self.values.copy(), start=START,
                                 source="sim")


def simulate(
    days: int = 10,
    *,
    seed: int = 0,
    room_c: float = 20.0,
    walk_c: float = 1.5,
    noise_c: float = 0.08,
    period_s: float = 60.0,
    day_sd_c: float = 0.5,
) -> Sim:
    rng = np.random.default_rng(seed)
    n = int(days * DAY_S / period_s)
    t = np.arange(n) * period_s
    hour = (t / 3600.0) % 24
    day = (t // DAY_S).astype(int)
    worn = (hour >= 7) & (hour < 22)
    walking = worn & (((hour - 7) * 60) % 90 < 30)
    per_min = 60.0 / period_s
    contact = np.clip(lag(worn.astype(float), 8 * per_min), 0, 1)
    walk = lag(walking.astype(float), 10 * per_min) * walk_c
    drift = rng.normal(0, day_sd_c, days)[day]  # the whole person warmer on some days
    skin = BASE_SITE_C[None, :] + (walk + drift)[:, None]
    one = room_c + contact[:, None] * (skin - room_c)
    values = np.stack([one, one], axis=1) + rng.normal(0, noise_c, (n, 2, len(SITES)))
    return Sim(t, values, contact, worn, walking, room_c, period_s)
