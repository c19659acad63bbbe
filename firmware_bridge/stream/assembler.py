"""Notifications in, analysis streams out: one insole (:class:`InsoleAssembler`), then both
feet on one time grid (:class:`PairAssembler`).

The radio (or a replayed recording) hands over ``(host_time_s, characteristic, data)``;
:meth:`InsoleAssembler.feed` only queues it. :meth:`InsoleAssembler.drain` does the work
for everything queued, vectorised over the frames:

1. check every frame against the profile (``firmware_bridge.profile``): a malformed or
   truncated frame is counted with its reason and skipped, never raised;
2. unwrap the u32 ticks (:class:`~firmware_bridge.stream.clock.TickUnwrapper`, a reboot
   starts a new clock segment) and account the u16 sequence numbers
   (:class:`~firmware_bridge.stream.sequence.SequenceTracker`: duplicates and frames too late
   to place are dropped, late ones within the reorder window put back in order);
3. feed the arrival times to the clock fit (:class:`~firmware_bridge.stream.clock.ClockFit`);
4. commit the frames that arrived in seconds whose clock fit is final: sort them by
   sequence number, count the gaps (lost frames, with the host time span they cover), decode
   them (:func:`~firmware_bridge.profile.decode_pressure_batch` joins the two halves of a
   sample), convert counts to kPa with the insole's calibration (0xFFF -> NaN) and map every
   sample's tick to host time.

:class:`PairAssembler` puts both feet on one grid at the pressure rate, starting at the host
time of the first sample: each foot is interpolated linearly at the slot times between its
two neighbouring samples (so left and right line up to the clock fit's error, not to half a
sample period); a slot inside a gap of one foot is NaN there; a foot never seen is None.
Live and replayed data take exactly this path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import pairwise

import numpy as np

from analysis.errors import DataProblem, InputError
from analysis.layouts import SensorLayout
from analysis.sites import FEET, SITES, check_foot
from analysis.streams import PressureStream, TemperatureStream
from firmware_bridge import profile as pf
from firmware_bridge.stream.clock import ClockFit, TickUnwrapper
from firmware_bridge.stream.sequence import ACCEPTED, SequenceTracker

PRESSURE = "pressure"
TEMPERATURE = "temperature"
CHARACTERISTICS = (PRESSURE, TEMPERATURE)
_BY_UUID = {pf.PRESSURE_UUID: PRESSURE, pf.TEMPERATURE_UUID: TEMPERATURE}
#: A foot that sent nothing for this long no longer holds back the common grid.
STALE_AFTER_S = 3.0
#: At most this many problems of one kind are named one by one.
MAX_NAMED_PROBLEMS = 5


def characteristic_name(characteristic: str | int) -> str:
    """'pressure' or 'temperature' for a name or UUID of the profile; else the UUID."""
    if characteristic in CHARACTERISTICS:
        return str(characteristic)
    u = pf.normalise_uuid(characteristic)
    return _BY_UUID.get(u, u)


@dataclass
class LinkStats:
    """What the link of one insole delivered. Times are host Unix seconds.

    Every frame received is accounted for: ``received = emitted + duplicates + late_dropped +
    malformed + truncated + pending`` (``pending``: received, not yet committed). ``lost``
    frames are the sequence numbers missing from what was emitted (never arrived, or arrived
    damaged); ``gaps_s`` are the host-time spans they cover. ``other`` counts notifications
    of characteristics that carry no samples (Battery Level, ...), outside ``received``.
    """

    side: str
    received: int = 0
    emitted: int = 0
    lost: int = 0
    duplicates: int = 0
    out_of_order: int = 0
    late_dropped: int = 0
    malformed: int = 0
    truncated: int = 0
    pending: int = 0
    restarts: int = 0
    reboots: int = 0
    other: int = 0
    gaps_s: list[tuple[float, float]] = field(default_factory=list)
    last_packet_s: float | None = None
    #: malformed/truncated frames by the profile field at fault ("length", "version", ...)
    reasons: dict[str, int] = field(default_factory=dict)

    @property
    def lost_percent(self) -> float:
        total = self.emitted + self.lost
        return 100.0 * self.lost / total if total else 0.0

    def problems(self, source: str) -> list[DataProblem]:
        out = []
        foot = f"{self.side} insole"
        if self.lost:
            out.append(DataProblem(
                source, f"{foot}: {self.lost} frames lost ({self.lost_percent:.2f}%) in "
                f"{len(self.gaps_s)} gaps; their samples are NaN", field=self.side,
                count=self.lost))
        for what, n in (("malformed", self.malformed), ("truncated", self.truncated)):
            if n:
                why = ", ".join(f"{k}: {v}" for k, v in sorted(self.reasons.items()))
                out.append(DataProblem(source, f"{foot}: {n} {what} frames skipped ({why})",
                                       field=self.side, count=n))
        if self.duplicates or self.late_dropped:
            out.append(DataProblem(
                source, f"{foot}: {self.duplicates} duplicate and {self.late_dropped} too-late "
                "frames dropped", field=self.side,
                count=self.duplicates + self.late_dropped))
        if self.reboots:
            out.append(DataProblem(source, f"{foot}: rebooted {self.reboots} time(s)",
                                   field=self.side, count=self.reboots))
        return out


@dataclass
class InsoleSamples:
    """Samples of one insole committed by one :meth:`InsoleAssembler.drain` (host Unix s)."""

    side: str
    pressure_time_s: np.ndarray
    pressure_kpa: np.ndarray
    temperature_time_s: np.ndarray
    temperature_c: np.ndarray


@dataclass
class _Frames:
    """Accepted, not yet committed frames of one characteristic (arrival order)."""

    host: np.ndarray = field(default_factory=lambda: np.empty(0))
    bin: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    seg: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    tick: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))  # unwrapped
    tick_raw: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    abs_seq: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    ftype: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    count: np.ndarray = field(default_factory=lambda: np.empty(0, np.int64))
    data: list = field(default_factory=list)  # bytes (pressure) or (n, 6) °C (temperature)

    def extend(self, other: _Frames) -> None:
        for name in ("host", "bin", "seg", "tick", "tick_raw", "abs_seq", "ftype", "count"):
            setattr(self, name, np.concatenate([getattr(self, name), getattr(other, name)]))
        self.data.extend(other.data)

    def split(self, mask: np.ndarray) -> _Frames:
        """Take the frames where ``mask`` is True out of this store; return them."""
        taken = _Frames()
        for name in ("host", "bin", "seg", "tick", "tick_raw", "abs_seq", "ftype", "count"):
            a = getattr(self, name)
            setattr(taken, name, a[mask])
            setattr(self, name, a[~mask])
        idx = np.flatnonzero(mask).tolist()
        taken.data = [self.data[i] for i in idx]
        rest = np.flatnonzero(~mask).tolist()
        self.data = [self.data[i] for i in rest]
        return taken


def _as_layout(layout: SensorLayout | bytes) -> SensorLayout:
    return layout if isinstance(layout, SensorLayout) else pf.decode_layout(bytes(layout))


class InsoleAssembler:
    """One insole's notifications -> timestamped kPa and °C samples, and its :class:`LinkStats`.

    ``layout``, ``calibration`` and ``rates`` are the decoded read characteristics (or their
    raw bytes). Use :meth:`feed` for each notification and :meth:`drain` to get what is ready.
    """

    def __init__(
        self,
        side: str,
        layout: SensorLayout | bytes,
        calibration: pf.CalibrationRecord | bytes,
        rates: pf.Rates | bytes,
        *,
        source: str = "<live>",
        reorder_window: int | None = None,
    ) -> None:
        self.side = check_foot(side)
        self.layout = _as_layout(layout)
        k = self.layout.n_sensors
        self.calibration = (calibration if isinstance(calibration, pf.CalibrationRecord)
                            else pf.decode_calibration(bytes(calibration), n_sensors=k))
        if self.calibration.offset_counts.size != k:
            raise InputError(f"calibration for {self.calibration.offset_counts.size} sensors, "
                             f"the layout has {k}", source=source, field="calibration")
        self.rates = rates if isinstance(rates, pf.Rates) else pf.decode_rates(bytes(rates))
        self.source = source
        back = max(1, self.rates.tick_hz // 2)
        kw = {"reboot_backwards_ticks": back}
        if reorder_window is not None:
            kw["reorder_window"] = reorder_window
        self._seq = {c: SequenceTracker(**kw) for c in CHARACTERISTICS}
        self._unwrap = TickUnwrapper(reboot_backwards_ticks=back)
        self.clock = ClockFit(tick_hz=self.rates.tick_hz)
        self._queue: list[tuple[float, str, bytes]] = []
        self._store = {c: _Frames() for c in CHARACTERISTICS}
        self._stats = LinkStats(side=self.side)
        self._last_end_s = {c: None for c in CHARACTERISTICS}
        self._last_emitted_s = {c: -np.inf for c in CHARACTERISTICS}
        self.last_sample_s: float | None = None
        self.problems: list[DataProblem] = []

    # -- input -----------------------------------------------------------------------------

    def feed(self, host_time_s: float, characteristic: str | int, data: bytes) -> None:
        """Queue one notification (cheap; the work happens in :meth:`drain`)."""
        self._queue.append((float(host_time_s), characteristic_name(characteristic),
                            bytes(data)))
        self._stats.last_packet_s = float(host_time_s)

    @property
    def stats(self) -> LinkStats:
        """Totals so far (a copy)."""
        s = self._stats
        out = LinkStats(**{**s.__dict__, "gaps_s": list(s.gaps_s), "reasons": dict(s.reasons)})
        for c in CHARACTERISTICS:
            q = self._seq[c].counts
            out.received += q.received
            out.emitted += q.emitted
            out.lost += q.lost
            out.duplicates += q.duplicates
            out.out_of_order += q.out_of_order
            out.late_dropped += q.late_dropped
            out.pending += self._store[c].host.size
        out.received += s.malformed + s.truncated
        # a reboot restarts both characteristics: count it once
        out.reboots = max(self._seq[c].counts.reboots for c in CHARACTERISTICS)
        out.restarts = max(self._seq[c].counts.restarts for c in CHARACTERISTICS)
        return out

    # -- work ------------------------------------------------------------------------------

    def drain(self, *, now_s: float | None = None, final: bool = False) -> InsoleSamples:
        """Process the queue; return the samples whose timing is final.

        ``now_s`` (host time) closes the clock's seconds before it even when this insole went
        quiet; ``final`` commits everything (end of a recording).
        """
        queue, self._queue = self._queue, []
        frames = self._check(queue)
        self._account(frames)
        latest = self._stats.last_packet_s
        if now_s is not None:
            latest = max(latest or now_s, now_s)
        if final:
            self.clock.close(None)
        elif latest is not None:
            self.clock.close(int(self.clock.bin_of(latest)))
        pt, pv = self._commit_pressure(final)
        tt, tv = self._commit_temperature(final)
        if pt.size:
            self.last_sample_s = float(pt[-1])
        return InsoleSamples(self.side, pt, pv, tt, tv)

    def _problem(self, message: str, row: int | None = None, fld: str | None = None) -> None:
        if len(self.problems) < 100:
            self.problems.append(DataProblem(self.source, f"{self.side} insole: {message}",
                                             row=row, field=fld))

    def _reject(self, data: bytes, exc: Exception) -> None:
        fld = getattr(exc, "field", None) or "frame"
        truncated = "truncated" in str(exc) or fld == "header"
        if truncated:
            self._stats.truncated += 1
        else:
            self._stats.malformed += 1
        self._stats.reasons[fld] = self._stats.reasons.get(fld, 0) + 1
        if self._stats.reasons[fld] <= MAX_NAMED_PROBLEMS:
            msg = getattr(exc, "message", str(exc))
            self._problem(f"frame skipped: {msg}", fld=fld)

    def _check(self, queue: list[tuple[float, str, bytes]]) -> dict[str, _Frames]:
        """Split the queue by characteristic and keep the frames that pass the profile."""
        out = {c: _Frames() for c in CHARACTERISTICS}
        if not queue:
            return out
        host = np.fromiter((q[0] for q in queue), dtype=np.float64, count=len(queue))
        names = [q[1] for q in queue]
        k = self.layout.n_sensors
        order_p = [i for i, c in enumerate(names) if c == PRESSURE]
        order_t = [i for i, c in enumerate(names) if c == TEMPERATURE]
        self._stats.other += len(queue) - len(order_p) - len(order_t)
        arrival = {PRESSURE: [], TEMPERATURE: []}
        # pressure: header fields of all frames at once; the bad ones decoded one by one
        if order_p:
            datas = [queue[i][2] for i in order_p]
            lengths = np.fromiter(map(len, datas), dtype=np.int64, count=len(datas))
            hdr = np.zeros((len(datas), pf.HEADER_BYTES), dtype=np.uint8)
            full = lengths >= pf.HEADER_BYTES
            if full.any():
                heads = b"".join(d[: pf.HEADER_BYTES] for d, f in zip(datas, full, strict=True)
                                 if f)
                hdr[full] = np.frombuffer(heads, np.uint8).reshape(-1, pf.HEADER_BYTES)
            ftype = (hdr[:, 1] >> 4).astype(np.int64)
            count = (hdr[:, 1] & 0x0F).astype(np.int64)
            bps = np.zeros(16, dtype=np.int64)
            for t in pf.PRESSURE_TYPES:
                if t != pf.FrameType.PRESSURE_SECOND_HALF or k >= 2:
                    bps[t] = pf.sample_bytes(t, k)
            ok = (full & (hdr[:, 0] == pf.PROFILE_VERSION) & (bps[ftype] > 0) & (count > 0)
                  & (lengths == pf.HEADER_BYTES + count * bps[ftype]))
            for i in np.flatnonzero(~ok).tolist():
                try:
                    pf.decode_frame(datas[i], n_sensors=k, source=self.source)
                    raise pf.FrameError("not a pressure frame", field="type")
                except pf.FrameError as exc:
                    self._reject(datas[i], exc)
            good = np.flatnonzero(ok)
            f = out[PRESSURE]
            idx = np.asarray(order_p, dtype=np.int64)[good]
            f.host = host[idx]
            f.ftype, f.count = ftype[good], count[good]
            f.abs_seq = hdr[good, 2:4].copy().view("<u2")[:, 0].astype(np.int64)  # raw seq
            f.tick_raw = hdr[good, 4:8].copy().view("<u4")[:, 0].astype(np.int64)
            f.data = [datas[i] for i in good.tolist()]
            arrival[PRESSURE] = idx
        # temperature: a few frames a second at most, decoded one by one
        if order_t:
            f = out[TEMPERATURE]
            keep, seqs, ticks, counts, data = [], [], [], [], []
            for i in order_t:
                try:
                    fr = pf.decode_frame(queue[i][2], n_sensors=k, source=self.source)
                    if fr.frame_type != pf.FrameType.TEMPERATURE:
                        raise pf.FrameError(
                            f"frame type {int(fr.frame_type):#x} on the Temperature "
                            "characteristic", field="type")
                except pf.FrameError as exc:
                    self._reject(queue[i][2], exc)
                    continue
                keep.append(i)
                seqs.append(fr.seq)
                ticks.append(fr.tick)
                counts.append(fr.n_samples)
                data.append(fr.samples)
            idx = np.asarray(keep, dtype=np.int64)
            f.host = host[idx]
            f.abs_seq = np.asarray(seqs, dtype=np.int64)
            f.tick_raw = np.asarray(ticks, dtype=np.int64)
            f.count = np.asarray(counts, dtype=np.int64)
            f.ftype = np.full(idx.size, int(pf.FrameType.TEMPERATURE), dtype=np.int64)
            f.data = data
            arrival[TEMPERATURE] = idx
        # one tick unwrap over both characteristics, in arrival order
        a_p = np.asarray(arrival[PRESSURE], dtype=np.int64)
        a_t = np.asarray(arrival[TEMPERATURE], dtype=np.int64)
        all_idx = np.concatenate([a_p, a_t])
        ticks = np.concatenate([out[PRESSURE].tick_raw, out[TEMPERATURE].tick_raw])
        order = np.argsort(all_idx, kind="stable")
        seg = np.empty(all_idx.size, np.int64)
        unw = np.empty(all_idx.size, np.int64)
        seg[order], unw[order] = self._unwrap.unwrap(ticks[order])
        n_p = a_p.size
        for c, sl in ((PRESSURE, slice(0, n_p)), (TEMPERATURE, slice(n_p, None))):
            out[c].seg, out[c].tick = seg[sl], unw[sl]
            out[c].bin = self.clock.bin_of(out[c].host)
        return out

    def _ticks_per_sample(self, c: str) -> float:
        r = self.rates
        return r.ticks_per_pressure_sample if c == PRESSURE else r.ticks_per_temperature_sample

    def _account(self, frames: dict[str, _Frames]) -> None:
        obs_h, obs_s, obs_t = [], [], []
        for c in CHARACTERISTICS:
            f = frames[c]
            if f.host.size == 0:
                continue
            res = self._seq[c].push(f.abs_seq, f.tick_raw)  # abs_seq holds the raw seq here
            f.abs_seq = res.abs_seq
            acc = f.split(res.status == ACCEPTED)
            self._store[c].extend(acc)
            last_tick = acc.tick + np.round((acc.count - 1) * self._ticks_per_sample(c))
            obs_h.append(acc.host)
            obs_s.append(acc.seg)
            obs_t.append(last_tick)
        if obs_h:
            self.clock.observe(np.concatenate(obs_h), np.concatenate(obs_s),
                               np.concatenate(obs_t))

    def _take_committable(self, c: str, final: bool) -> _Frames:
        store = self._store[c]
        ready = np.ones(store.host.size, dtype=bool) if final else self.clock.is_closed(store.bin)
        if not final and c == PRESSURE and ready.any():
            # a first half whose second half may still be queued waits for the next drain
            last = np.flatnonzero(ready)[np.argmax(store.abs_seq[ready])]
            if store.ftype[last] == pf.FrameType.PRESSURE_FIRST_HALF:
                ready[last] = False
        return store.split(ready)

    def _gaps(self, c: str, gaps: list[tuple[int, int, int]], first_s: np.ndarray,
              last_s: np.ndarray) -> None:
        for _first_missing, _n, i in gaps:
            before = last_s[i - 1] if i > 0 else self._last_end_s[c]
            self._stats.gaps_s.append(
                (float(before) if before is not None else float(first_s[i]), float(first_s[i])))

    def _commit_pressure(self, final: bool) -> tuple[np.ndarray, np.ndarray]:
        k = self.layout.n_sensors
        empty = np.empty(0), np.empty((0, k), np.float32)
        f = self._take_committable(PRESSURE, final)
        if f.host.size == 0:
            return empty
        res = self._seq[PRESSURE].commit(f.abs_seq)
        sel = res.order[res.keep]
        if sel.size == 0:
            return empty
        tps = self._ticks_per_sample(PRESSURE)
        abs_s, seg, bins = f.abs_seq[sel], f.seg[sel], f.bin[sel]
        tick, tick_raw, count = f.tick[sel], f.tick_raw[sel], f.count[sel]
        datas = [f.data[i] for i in sel.tolist()]
        first_s = self.clock.to_host(bins, seg, tick)
        last_s = self.clock.to_host(bins, seg, tick + np.round((count - 1) * tps))
        self._gaps(PRESSURE, res.gaps, first_s, last_s)
        if sel.size:
            self._last_end_s[PRESSURE] = float(last_s[-1])
        times, values = [], []
        # decode per clock segment (rows are mapped back to frames by their sequence number)
        seg_bounds = np.concatenate([[0], np.flatnonzero(np.diff(abs_s >> 32)) + 1, [sel.size]])
        for lo, hi in pairwise(seg_bounds.tolist()):
            if hi <= lo:
                continue
            part = datas[lo:hi]
            lengths = np.fromiter(map(len, part), dtype=np.int64, count=len(part))
            batch = pf.decode_pressure_batch((b"".join(part), lengths), n_sensors=k,
                                             ticks_per_sample=tps, source=self.source)
            rs = batch.seq.astype(np.int64)
            step = np.diff(rs) % pf.SEQ_MODULUS
            row_abs = abs_s[lo] + np.concatenate([[0], np.cumsum(step)])
            owner = lo + np.searchsorted(abs_s[lo:hi], row_abs)
            offset = np.mod(batch.tick - tick_raw[owner], pf.TICK_MODULUS)
            t = self.clock.to_host(bins[owner], seg[owner], tick[owner] + offset)
            times.append(t)
            values.append(batch.counts)
        t = np.concatenate(times)
        counts = np.concatenate(values)
        t, counts = self._merge_same_instant(t, counts)
        keep = t > self._last_emitted_s[PRESSURE]
        t, counts = t[keep], counts[keep]
        if t.size:
            self._last_emitted_s[PRESSURE] = float(t[-1])
        return t, self.calibration.to_kpa(counts)

    def _merge_same_instant(self, t: np.ndarray, counts: np.ndarray):
        """Rows less than half a sample apart are one sample (two halves that were not
        joined): keep each channel's valid count."""
        if t.size < 2:
            return t, counts
        order = np.argsort(t, kind="stable")
        t, counts = t[order], counts[order]
        close = np.diff(t) < 0.5 / self.rates.pressure_hz
        if not close.any():
            return t, counts
        group = np.concatenate([[0], np.cumsum(~close)])
        merged = np.full((group[-1] + 1, counts.shape[1]), pf.INVALID_COUNT, dtype=np.uint16)
        np.minimum.at(merged, group, counts)
        first = np.concatenate([[True], ~close])
        return t[first], merged

    def _commit_temperature(self, final: bool) -> tuple[np.ndarray, np.ndarray]:
        empty = np.empty(0), np.empty((0, len(SITES)))
        f = self._take_committable(TEMPERATURE, final)
        if f.host.size == 0:
            return empty
        res = self._seq[TEMPERATURE].commit(f.abs_seq)
        sel = res.order[res.keep]
        if sel.size == 0:
            return empty
        tps = self._ticks_per_sample(TEMPERATURE)
        count = f.count[sel]
        owner = np.repeat(np.arange(sel.size), count)
        within = np.arange(owner.size) - np.repeat(np.cumsum(count) - count, count)
        tick = f.tick[sel][owner] + np.round(within * tps)
        t = self.clock.to_host(f.bin[sel][owner], f.seg[sel][owner], tick)
        first_s = self.clock.to_host(f.bin[sel], f.seg[sel], f.tick[sel])
        last_s = self.clock.to_host(f.bin[sel], f.seg[sel],
                                    f.tick[sel] + np.round((count - 1) * tps))
        self._gaps(TEMPERATURE, res.gaps, first_s, last_s)
        self._last_end_s[TEMPERATURE] = float(last_s[-1])
        v = np.concatenate([f.data[i] for i in sel.tolist()])
        keep = t > self._last_emitted_s[TEMPERATURE]
        t, v = t[keep], v[keep]
        if t.size:
            self._last_emitted_s[TEMPERATURE] = float(t[-1])
        return t, v


@dataclass
class PairBatch:
    """What :meth:`PairAssembler.drain` returns: streams of the new grid slots (None when
    there are none) and each insole's :class:`LinkStats` so far."""

    pressure: PressureStream | None
    temperature: TemperatureStream | None
    stats: dict[str, LinkStats]


class PairAssembler:
    """Both insoles on one common time grid at the pressure rate.

    ``left``/``right`` may be None (an insole not connected). The grid starts at the host
    time of the first sample of either foot (``start`` of every stream, UTC); batches continue
    one another (``time_s`` counts from that start). A slot waits for a foot that is still
    sending; a foot silent for :data:`STALE_AFTER_S` no longer holds the grid back (its slots
    are NaN). One insole failing never stops the other.
    """

    def __init__(self, left: InsoleAssembler | None, right: InsoleAssembler | None, *,
                 source: str = "<live>", stale_after_s: float = STALE_AFTER_S) -> None:
        self.insoles = {"left": left, "right": right}
        present = [a for a in (left, right) if a is not None]
        if not present:
            raise InputError("a pair needs at least one insole", source=source)
        ref = present[0]
        for a in present[1:]:
            if a.layout.n_sensors != ref.layout.n_sensors:
                raise InputError(
                    f"left insole has {left.layout.n_sensors} sensors, right "
                    f"{right.layout.n_sensors}: one grid needs one layout", source=source)
            if (a.rates.pressure_hz, a.rates.temperature_period_ms) != (
                    ref.rates.pressure_hz, ref.rates.temperature_period_ms):
                raise InputError("left and right insoles stream at different rates",
                                 source=source)
        for side, a in self.insoles.items():
            if a is not None and a.side != side:
                raise InputError(f"the {side} assembler is for the {a.side} insole",
                                 source=source)
        self.layout = ref.layout
        self.rate_hz = float(ref.rates.pressure_hz)
        self.temperature_period_s = ref.rates.temperature_period_ms / 1000.0
        self.source = source
        self.stale_after_s = stale_after_s
        self.t0: float | None = None
        self._next_slot = 0
        self._seen = {f: False for f in FEET}
        k = self.layout.n_sensors
        self._p = {f: (np.empty(0), np.empty((0, k), np.float32)) for f in FEET}
        self._emitted_until_s = -np.inf
        self._t = {f: (np.empty(0), np.empty((0, len(SITES)))) for f in FEET}
        self.samples_off_grid = 0
        self._now: float | None = None

    @property
    def start(self) -> datetime | None:
        return None if self.t0 is None else datetime.fromtimestamp(self.t0, UTC)

    def feed(self, side: str, host_time_s: float, characteristic: str | int,
             data: bytes) -> None:
        a = self.insoles[check_foot(side)]
        if a is None:
            return
        a.feed(host_time_s, characteristic, data)
        self._now = host_time_s if self._now is None else max(self._now, host_time_s)

    def stats(self) -> dict[str, LinkStats]:
        return {f: a.stats for f, a in self.insoles.items() if a is not None}

    def problems(self) -> list[DataProblem]:
        out: list[DataProblem] = []
        for a in self.insoles.values():
            if a is not None:
                out.extend(a.stats.problems(self.source))
                out.extend(a.problems)
        if self.samples_off_grid:
            out.append(DataProblem(self.source, f"{self.samples_off_grid} samples arrived "
                                   "after their grid slot was emitted and were dropped",
                                   count=self.samples_off_grid))
        return out

    def drain(self, *, final: bool = False) -> PairBatch:
        """Samples of both feet on the grid, up to where both feet (that still send) are
        complete; ``final`` emits everything."""
        new = {}
        for f, a in self.insoles.items():
            if a is not None:
                new[f] = a.drain(now_s=self._now, final=final)
        if self.t0 is None:
            firsts = [s.pressure_time_s[0] for s in new.values() if s.pressure_time_s.size]
            firsts += [s.temperature_time_s[0] for s in new.values()
                       if s.temperature_time_s.size]
            if firsts:
                self.t0 = float(min(firsts))
        if self.t0 is None:
            return PairBatch(None, None, self.stats())
        for f, s in new.items():
            if s.pressure_time_s.size or s.temperature_time_s.size:
                self._seen[f] = True
            t, v = self._p[f]
            late = s.pressure_time_s < self._emitted_until_s - 1.0 / self.rate_hz
            self.samples_off_grid += int(late.sum())
            self._p[f] = (np.concatenate([t, s.pressure_time_s[~late]]),
                          np.concatenate([v, s.pressure_kpa[~late]]))
            tt, tv = self._t[f]
            self._t[f] = (np.concatenate([tt, s.temperature_time_s]),
                          np.concatenate([tv, s.temperature_c]))
        # how far the grid may go: every foot still sending must have reached it
        ends = [float(self._p[f][0][-1]) for f in FEET if self._p[f][0].size]
        if not ends:
            return PairBatch(None, self._temperature(np.inf if final else None), self.stats())
        until_s = max(ends)
        if not final:
            for a in self.insoles.values():
                if a is None or a.last_sample_s is None:
                    continue
                last_packet = a.stats.last_packet_s or -np.inf
                if self._now is not None and self._now - last_packet > self.stale_after_s:
                    continue
                until_s = min(until_s, a.last_sample_s)
        until = int(np.floor((until_s - self.t0) * self.rate_hz + 1e-9))
        return PairBatch(self._pressure(until), self._temperature(
            np.inf if final else self.t0 + until / self.rate_hz), self.stats())

    def _pressure(self, until: int) -> PressureStream | None:
        """Grid slots ``next .. until``: each foot linearly interpolated between its two
        samples around the slot's time (NaN when they are more than 1.5 periods apart: a
        gap); the sample just before the last slot is kept for the next batch."""
        lo = self._next_slot
        if until < lo:
            return None
        n = until - lo + 1
        grid_s = self.t0 + np.arange(lo, until + 1, dtype=np.float64) / self.rate_hz
        k = self.layout.n_sensors
        feet = {}
        max_step = 1.5 / self.rate_hz
        for f in FEET:
            t, v = self._p[f]
            if not self._seen[f]:
                feet[f] = None
                continue
            arr = np.full((n, k), np.nan, dtype=np.float32)
            if t.size:
                i = np.searchsorted(t, grid_s, side="right")
                ok = (i >= 1) & (i < t.size)
                i0 = np.clip(i - 1, 0, t.size - 1)
                i1 = np.clip(i, 0, t.size - 1)
                span = t[i1] - t[i0]
                ok &= (span > 0) & (span <= max_step)
                # a slot that falls exactly on the last sample takes it as it is
                exact = (i >= 1) & (t[i0] == grid_s)
                w = np.where(ok, (grid_s - t[i0]) / np.where(span > 0, span, 1.0), 0.0)
                val = v[i0] + w[:, None].astype(np.float32) * (v[i1] - v[i0])
                use = ok | exact
                arr[use] = np.where(exact[use, None], v[i0[use]], val[use])
                keep_from = max(0, int(np.searchsorted(t, grid_s[-1], side="right")) - 1)
                self._p[f] = (t[keep_from:], v[keep_from:])
            feet[f] = arr
        self._next_slot = until + 1
        self._emitted_until_s = float(grid_s[-1])
        if feet["left"] is None and feet["right"] is None:
            return None
        return PressureStream(
            time_s=np.arange(lo, until + 1, dtype=np.float64) / self.rate_hz,
            left=feet["left"], right=feet["right"], layout=self.layout, unit="kPa",
            sample_rate_hz=self.rate_hz, start=self.start, source=self.source)

    def _temperature(self, until_s: float | None) -> TemperatureStream | None:
        if until_s is None or self.t0 is None:
            return None
        p = self.temperature_period_s
        slots, vals, feet = [], [], []
        for i, f in enumerate(FEET):
            t, v = self._t[f]
            now = t <= until_s
            slots.append(np.rint((t[now] - self.t0) / p).astype(np.int64))
            vals.append(v[now])
            feet.append(np.full(int(now.sum()), i))
            self._t[f] = (t[~now], v[~now])
        s = np.concatenate(slots)
        if s.size == 0:
            return None
        uniq, inv = np.unique(s, return_inverse=True)
        out = np.full((uniq.size, len(FEET), len(SITES)), np.nan)
        out[inv, np.concatenate(feet)] = np.concatenate(vals)
        return TemperatureStream(time_s=uniq * p, values_c=out, start=self.start,
                                 source=self.source)


def concat_pressure(batches: list[PressureStream], problems=()) -> PressureStream | None:
    """One stream from consecutive :class:`PairBatch` pressure streams."""
    batches = [b for b in batches if b is not None]
    if not batches:
        return None
    b0 = batches[0]
    feet = {}
    for f in FEET:
        if all(getattr(b, f) is None for b in batches):
            feet[f] = None
        else:
            k = b0.layout.n_sensors
            feet[f] = np.concatenate([
                getattr(b, f) if getattr(b, f) is not None
                else np.full((b.n_samples, k), np.nan, np.float32) for b in batches])
    return PressureStream(
        time_s=np.concatenate([b.time_s for b in batches]), left=feet["left"],
        right=feet["right"], layout=b0.layout, unit=b0.unit, sample_rate_hz=b0.sample_rate_hz,
        start=b0.start, source=b0.source, problems=tuple(problems))


def concat_temperature(batches: list[TemperatureStream],
                       problems=()) -> TemperatureStream | None:
    batches = [b for b in batches if b is not None]
    if not batches:
        return None
    b0 = batches[0]
    t = np.concatenate([b.time_s for b in batches])
    v = np.concatenate([b.values_c for b in batches])
    # a slot split over two batches (one foot each) becomes one row
    uniq, inv = np.unique(t, return_inverse=True)
    if uniq.size != t.size:
        out = np.full((uniq.size, *v.shape[1:]), np.nan)
        ok = np.isfinite(v)
        for i in range(len(FEET)):  # few feet: the merge keeps finite readings
            rows = ok[:, i, :].any(axis=1)
            out[inv[rows], i] = v[rows, i]
        t, v = uniq, out
    return TemperatureStream(time_s=t, values_c=v, start=b0.start, source=b0.source,
                             problems=tuple(problems))
