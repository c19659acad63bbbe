"""Device ticks to host time: a windowed fit that follows the minimum-latency envelope.

A notification reaches the host 0-50 ms after its last sample was taken (packets queue per
connection event; they are never early), and the insole's crystal drifts up to about
+-100 ppm against the host clock. Per clock segment (a reboot starts a new one), with
``x`` the device time of a frame's last sample (ticks / ``tick_hz``) and ``y`` its arrival:

1. every ``refit_s`` (1 s) of host time, the frame of that second with the least
   ``y - x`` is one point of the minimum-latency envelope;
2. when that second is over, a line ``y - x = c + d (x - x_ref)`` is fitted to the envelope
   points: the drift ``d`` by least squares over the last ``drift_window_s`` (120 s), then
   again on the points on or below the first line's median residual (the lower half: it
   follows the envelope, not the mean latency), clipped to ``max_drift_ppm`` (no drift from
   fewer than ``MIN_POINTS_FOR_DRIFT`` points); the offset ``c`` puts the line on the lowest
   detrended point of the last ``window_s`` (30 s): no frame arrives early;
3. the samples of frames that arrived in that second are mapped with that line.

Samples are only mapped once the second they arrived in is over, so the result does not
depend on how often the caller drains (live and replayed data give the same times).

:class:`TickUnwrapper` turns the u32 ticks (wrapping at 2^32) into a continuous count per
segment; a jump backwards of more than ``reboot_backwards_ticks`` starts a new segment.
"""

from __future__ import annotations

import numpy as np

TICK_MODULUS = 1 << 32
WINDOW_S = 30.0
#: Drift changes slowly (temperature); a longer baseline makes its estimate 8x steadier.
DRIFT_WINDOW_S = 120.0
REFIT_S = 1.0
MAX_DRIFT_PPM = 500.0
MIN_POINTS_FOR_DRIFT = 5
_SEG_SLOTS = 1 << 16  # clock segments (reboots) told apart in a combined key


class TickUnwrapper:
    """Continuous device ticks of one insole (all its characteristics, arrival order)."""

    def __init__(self, *, reboot_backwards_ticks: int) -> None:
        self.reboot_backwards_ticks = int(reboot_backwards_ticks)
        self._prev_raw: int | None = None
        self._prev_abs = 0
        self.segment = 0

    def unwrap(self, tick_raw: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(segment, ticks since the segment's zero) for u32 ticks in arrival order."""
        raw = np.asarray(tick_raw, dtype=np.int64)
        n = raw.size
        if n == 0:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        first_ever = self._prev_raw is None
        prev = np.concatenate([[raw[0] if first_ever else self._prev_raw], raw[:-1]])
        half = TICK_MODULUS >> 1
        d = ((raw - prev + half) % TICK_MODULUS) - half
        new_seg = d < -self.reboot_backwards_ticks
        starts = np.flatnonzero(new_seg)
        seg = np.empty(n, np.int64)
        abs_tick = np.empty(n, np.int64)
        base = int(raw[0]) if first_ever else self._prev_abs
        if first_ever:
            d[0] = 0
        for lo, hi in zip(np.concatenate([[0], starts]), np.concatenate([starts, [n]]),
                          strict=True):
            if hi <= lo:
                continue
            dd = d[lo:hi]
            if new_seg[lo]:
                self.segment += 1
                base = int(raw[lo])
                dd = dd.copy()
                dd[0] = 0
            abs_tick[lo:hi] = base + np.cumsum(dd)
            seg[lo:hi] = self.segment
            base = int(abs_tick[hi - 1])
        self._prev_raw = int(raw[-1])
        self._prev_abs = int(abs_tick[-1])
        return seg, abs_tick


class ClockFit:
    """The tick -> host time map of one insole (see the module docstring)."""

    def __init__(
        self,
        *,
        tick_hz: float,
        window_s: float = WINDOW_S,
        drift_window_s: float = DRIFT_WINDOW_S,
        refit_s: float = REFIT_S,
        max_drift_ppm: float = MAX_DRIFT_PPM,
    ) -> None:
        if not tick_hz > 0:
            raise ValueError(f"tick_hz must be positive, found {tick_hz!r}")
        self.tick_hz = float(tick_hz)
        self.window_bins = max(1, round(window_s / refit_s))
        self.drift_bins = max(self.window_bins, round(drift_window_s / refit_s))
        self.refit_s = float(refit_s)
        self.max_drift = max_drift_ppm * 1e-6
        # envelope points: one per (bin, segment)
        self._bin = np.empty(0, np.int64)
        self._seg = np.empty(0, np.int64)
        self._x = np.empty(0, np.float64)
        self._v = np.empty(0, np.float64)
        #: bins below this have their fits
        self.closed_until: int | None = None
        self._fits: dict[tuple[int, int], tuple[float, float, float]] = {}

    def bin_of(self, host_s: np.ndarray) -> np.ndarray:
        return np.floor(np.asarray(host_s, dtype=np.float64) / self.refit_s).astype(np.int64)

    def observe(self, host_s: np.ndarray, segment: np.ndarray, tick: np.ndarray) -> None:
        """Frames that arrived at ``host_s``: ``tick`` is the unwrapped tick of the last
        sample of each frame."""
        host_s = np.asarray(host_s, dtype=np.float64)
        if host_s.size == 0:
            return
        x = np.asarray(tick, dtype=np.float64) / self.tick_hz
        b = np.concatenate([self._bin, self.bin_of(host_s)])
        s = np.concatenate([self._seg, np.asarray(segment, dtype=np.int64)])
        xs = np.concatenate([self._x, x])
        v = np.concatenate([self._v, host_s - x])
        order = np.lexsort((v, s, b))
        b, s, xs, v = b[order], s[order], xs[order], v[order]
        first = np.ones(b.size, dtype=bool)
        first[1:] = (b[1:] != b[:-1]) | (s[1:] != s[:-1])
        self._bin, self._seg, self._x, self._v = b[first], s[first], xs[first], v[first]

    def close(self, until_bin: int | None) -> None:
        """Fit every bin below ``until_bin`` (every observed bin when None)."""
        if self._bin.size == 0:
            return
        last = int(self._bin.max()) + 1 if until_bin is None else int(until_bin)
        lo = self.closed_until if self.closed_until is not None else int(self._bin.min())
        # fits older than this serve no frame still waiting (those are in bins >= lo, or a
        # first half deferred from just below it)
        if len(self._fits) > 4 * self.window_bins:
            self._fits = {key: f for key, f in self._fits.items()
                          if key[0] >= lo - 2 * self.window_bins}
        todo = np.flatnonzero((self._bin >= lo) & (self._bin < last))
        for i in todo:
            k, s = int(self._bin[i]), int(self._seg[i])
            sel = (self._seg == s) & (self._bin <= k) & (self._bin > k - self.drift_bins)
            recent = self._bin[sel] > k - self.window_bins
            self._fits[(k, s)] = self._fit(self._x[sel], self._v[sel], recent)
        self.closed_until = max(last, self.closed_until or last)
        # forget what no future fit or deferred frame needs
        keep_from = self.closed_until - self.drift_bins - 1
        keep = self._bin >= keep_from
        self._bin, self._seg, self._x, self._v = (
            self._bin[keep], self._seg[keep], self._x[keep], self._v[keep])

    def _fit(self, x: np.ndarray, v: np.ndarray,
             recent: np.ndarray) -> tuple[float, float, float]:
        x_ref = float(x.max()) if x.size else 0.0
        dx = x - x_ref
        d = 0.0
        if x.size >= MIN_POINTS_FOR_DRIFT and np.ptp(x) > 0:
            # drift: least squares on the envelope points, then again on the lower half
            c0, d = _line(dx, v)
            r = v - (c0 + d * dx)
            low = r <= np.median(r)
            if low.sum() >= 3:
                d = _line(dx[low], v[low])[1]
            d = float(np.clip(d, -self.max_drift, self.max_drift))
        # offset: the line rests on the lowest point (no frame arrives early)
        c = float((v - d * dx)[recent].min())
        return c, d, x_ref

    def is_closed(self, bins: np.ndarray) -> np.ndarray:
        if self.closed_until is None:
            return np.zeros(np.shape(bins), dtype=bool)
        return np.asarray(bins) < self.closed_until

    def to_host(self, bins: np.ndarray, segment: np.ndarray, tick: np.ndarray) -> np.ndarray:
        """Host time (s) of samples at unwrapped ``tick``, from frames that arrived in
        ``bins`` (closed bins only)."""
        bins = np.asarray(bins, dtype=np.int64)
        segment = np.asarray(segment, dtype=np.int64)
        x = np.asarray(tick, dtype=np.float64) / self.tick_hz
        out = np.empty(x.size, dtype=np.float64)
        if x.size == 0:
            return out
        key = bins * _SEG_SLOTS + segment  # one int64 key: a 1-D unique is fast
        uniq, inv = np.unique(key, return_inverse=True)
        coef = np.empty((len(uniq), 3))
        for j, u in enumerate(uniq.tolist()):
            coef[j] = self._fits[(u // _SEG_SLOTS, u % _SEG_SLOTS)]
        c, d, x_ref = coef[inv, 0], coef[inv, 1], coef[inv, 2]
        out[:] = x + c + d * (x - x_ref)
        return out


def _line(dx: np.ndarray, v: np.ndarray) -> tuple[float, float]:
    mx, mv = dx.mean(), v.mean()
    sxx = float(((dx - mx) ** 2).sum())
    if sxx <= 0:
        return float(mv), 0.0
    d = float(((dx - mx) * (v - mv)).sum() / sxx)
    return float(mv - d * mx), d
