"""Sequence accounting (gaps, duplicates, reordering, wrap, reboot) and the tick -> host clock."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.layouts import SOLEWATCH_16
from firmware_bridge import profile as pf
from firmware_bridge.stream import InsoleAssembler, PairAssembler, concat_pressure
from firmware_bridge.stream.clock import ClockFit, TickUnwrapper
from firmware_bridge.stream.sequence import ACCEPTED, DUPLICATE, LATE_DROPPED, SequenceTracker
from fixtures.recordings import LinkSpec, simulate_link

RATES = pf.Rates(pressure_hz=100, temperature_period_ms=1000, tick_hz=1000)
K = SOLEWATCH_16.n_sensors
IDENTITY_CAL = pf.CalibrationRecord(np.zeros(K, np.uint16), np.ones(K, np.float32))


def _push_all(tracker, seq, tick=None):
    seq = np.asarray(seq) % 65536
    tick = np.asarray(tick if tick is not None else seq * 10) % (1 << 32)
    res = tracker.push(seq, tick)
    acc = res.status == ACCEPTED
    com = tracker.commit(res.abs_seq[acc])
    return res, com


def _identity(n):
    """Counts that name their sample: channel 0 = i mod 4000, channel 1 = i // 4000."""
    c = np.zeros((n, K), np.uint16)
    i = np.arange(n)
    c[:, 0], c[:, 1] = i % 4000, i // 4000
    return c


# -- sequence numbers ---------------------------------------------------------------------


def test_gap_is_counted_as_lost_with_its_span():
    t = SequenceTracker()
    seq = np.r_[0:10, 15:20]
    _, com = _push_all(t, seq)
    assert t.counts.lost == 5 and t.counts.emitted == 15
    assert com.gaps == [(10, 5, 10)]


def test_duplicates_are_dropped_never_emitted_twice():
    t = SequenceTracker()
    seq = np.array([0, 1, 2, 2, 3, 1, 4])
    res, _ = _push_all(t, seq)
    assert res.status.tolist() == [0, 0, 0, DUPLICATE, 0, DUPLICATE, 0]
    assert t.counts.duplicates == 2 and t.counts.emitted == 5 and t.counts.lost == 0
    # a duplicate of an already emitted frame in a later batch is dropped too
    res2, _ = _push_all(t, [4, 5])
    assert res2.status.tolist() == [DUPLICATE, ACCEPTED]


def test_late_frames_within_the_window_are_placed_in_order_others_dropped():
    t = SequenceTracker(reorder_window=4)
    seq = np.r_[0, 1, 3, 4, 2, 5:20, 8]  # 2 is 2 late (placed); the last 8 is a duplicate
    _res, _com = _push_all(t, seq)
    assert t.counts.out_of_order == 1 and t.counts.late_dropped == 0
    assert t.counts.duplicates == 1 and t.counts.lost == 0
    # a frame missing for longer than the window, then arriving, is dropped and counted
    t2 = SequenceTracker(reorder_window=4)
    res2, _com2 = _push_all(t2, np.r_[0:5, 6:20, 5])
    assert res2.status[-1] == LATE_DROPPED
    assert t2.counts.late_dropped == 1 and t2.counts.lost == 1
    c = t2.counts
    assert c.received == c.emitted + c.duplicates + c.late_dropped


def test_a_frame_placeable_on_arrival_but_after_its_neighbours_were_emitted_is_dropped():
    t = SequenceTracker(reorder_window=8)
    _push_all(t, np.r_[0:5, 6:10])  # 5 missing: committed with a gap
    _res, com = _push_all(t, [5, 10])
    assert not com.keep[0] and t.counts.late_dropped == 1
    assert t.counts.lost == 1


def test_sequence_wrap_at_65535_is_continuous():
    t = SequenceTracker()
    seq = np.arange(65530, 65545) % 65536
    res, _com = _push_all(t, seq, np.arange(15) * 10)
    assert np.all(np.diff(res.abs_seq) == 1)
    assert t.counts.lost == 0 and t.counts.emitted == 15
    # a gap across the wrap: 65534, 65535, [0, 1 lost], 2
    t2 = SequenceTracker()
    _push_all(t2, [65534, 65535, 2, 3], [0, 10, 40, 50])
    assert t2.counts.lost == 2


def test_reboot_restarts_the_sequence_in_a_new_segment():
    t = SequenceTracker(reboot_backwards_ticks=500)
    seq = np.r_[40000:40100, 0:50]
    tick = np.r_[np.arange(100) * 10 + 9_000_000, np.arange(50) * 10 + 300]
    res, _com = _push_all(t, seq, tick)
    assert t.counts.reboots == 1 and t.counts.restarts == 0
    assert res.reboot[100] and not res.reboot[:100].any()
    assert np.all(np.diff(res.abs_seq) > 0)  # the new segment sorts after the old one
    assert t.counts.emitted == 150 and t.counts.lost == 0 and t.counts.duplicates == 0
    # a Start command (sequence to 0, tick goes on) is a restart, not a reboot
    t2 = SequenceTracker(reboot_backwards_ticks=500)
    _push_all(t2, np.r_[500:600, 0:10], np.arange(110) * 10)
    assert t2.counts.restarts == 1 and t2.counts.reboots == 0
    # a reboot whose first frames were lost counts them
    t3 = SequenceTracker(reboot_backwards_ticks=500)
    _push_all(t3, np.r_[100:200, 3:10], np.r_[np.arange(100) * 10 + 50_000, np.arange(7) * 10])
    assert t3.counts.reboots == 1 and t3.counts.lost == 3


def test_every_frame_is_accounted_for_under_random_link_faults():
    rng = np.random.default_rng(5)
    seq = np.arange(3000)
    seq = np.delete(seq, rng.choice(3000, 60, replace=False))  # losses
    dup = rng.choice(seq.size, 40, replace=False)
    seq = np.insert(seq, dup, seq[dup])  # duplicates
    for i in rng.choice(seq.size - 3, 30, replace=False):  # local reordering
        seq[i], seq[i + 2] = seq[i + 2], seq[i]
    t = SequenceTracker()
    for part in np.array_split(seq, 7):  # batches as drained live
        _push_all(t, part)
    c = t.counts
    assert c.received == seq.size
    assert c.received == c.emitted + c.duplicates + c.late_dropped
    assert c.emitted + c.lost == 3000


# -- ticks and the clock ------------------------------------------------------------------


def test_tick_wrap_at_2_32_is_unwrapped():
    u = TickUnwrapper(reboot_backwards_ticks=500)
    raw = (np.arange(4_294_967_000, 4_294_967_000 + 2000, 10)) % (1 << 32)
    seg, tick = u.unwrap(raw[:50])
    seg2, tick2 = u.unwrap(raw[50:])
    full = np.r_[tick, tick2]
    assert np.all(np.diff(full) == 10)
    assert np.all(np.r_[seg, seg2] == 0)
    # a reboot (tick back to ~0) starts segment 1 at the raw tick
    seg3, tick3 = u.unwrap(np.array([100, 110]))
    assert seg3.tolist() == [1, 1] and tick3.tolist() == [100, 110]


@pytest.mark.parametrize("drift_ppm", [-100.0, 0.0, 100.0])
def test_clock_fit_follows_the_envelope_under_one_sided_jitter_and_drift(drift_ppm):
    """Frames every 10 ms arriving 0-50 ms late (uniform, one-sided): after the first 5 s
    the mapped times are within 1 ms RMS of the truth."""
    rng = np.random.default_rng(int(drift_ppm) + 1000)
    n = 12_000
    host0 = 1_773_565_200.25
    true_s = host0 + np.arange(n) * 0.01 / (1 + drift_ppm * 1e-6)
    tick = 4_294_900_000 + np.arange(n) * 10  # wraps 2^32 after about 67 s
    arrive = true_s + rng.uniform(0.0, 0.050, n)
    order = np.argsort(arrive)  # the host sees them in arrival order
    true_s, tick, arrive = true_s[order], tick[order], arrive[order]
    seg, unw = TickUnwrapper(reboot_backwards_ticks=500).unwrap(tick % (1 << 32))
    clock = ClockFit(tick_hz=1000)
    mapped = np.empty(n)
    done = 0
    for stop in range(500, n + 500, 500):  # drained twice a second
        sl = slice(stop - 500, stop)
        clock.observe(arrive[sl], seg[sl], unw[sl])
        clock.close(int(clock.bin_of(arrive[stop - 1])))
        bins = clock.bin_of(arrive[done:stop])
        ready = clock.is_closed(bins)
        j = done + int(ready.sum())
        mapped[done:j] = clock.to_host(bins[: j - done], seg[done:j], unw[done:j])
        done = j
    clock.close(None)
    bins = clock.bin_of(arrive[done:])
    mapped[done:] = clock.to_host(bins, seg[done:], unw[done:])
    err = (mapped - true_s)[500:]
    rms_ms = float(np.sqrt(np.mean(err**2)) * 1e3)
    assert rms_ms < 1.0, f"clock fit error {rms_ms:.2f} ms RMS"
    assert err.min() > -0.002  # never much earlier than the truth: no frame is early


def _pair_through_link(spec_left: LinkSpec, spec_right: LinkSpec, n=9000, drain_every=400):
    host0 = 1_773_565_200.0
    links = {
        "left": simulate_link(_identity(n), None, rates=RATES, host_start_s=host0,
                              spec=spec_left),
        "right": simulate_link(_identity(n), None, rates=RATES, host_start_s=host0 + 0.0037,
                               spec=spec_right),
    }
    pair = PairAssembler(InsoleAssembler("left", SOLEWATCH_16, IDENTITY_CAL, RATES),
                         InsoleAssembler("right", SOLEWATCH_16, IDENTITY_CAL, RATES))
    events = sorted(
        (t, i, f, c, d)
        for i, f in enumerate(("left", "right"))
        for t, c, d in zip(links[f].host_s, links[f].characteristic, links[f].data,
                           strict=True))
    batches = []
    for j, (t, _, f, c, d) in enumerate(events):
        pair.feed(f, t, c, d)
        if j % drain_every == 0:
            batches.append(pair.drain().pressure)
    batches.append(pair.drain(final=True).pressure)
    return pair, concat_pressure(batches), links, n


def _true_time_per_slot(p, foot, link, n):
    """True time of what sits in each slot (NaN where the foot has nothing)."""
    a = getattr(p, foot).astype(np.float64)
    out = np.full(p.n_samples, np.nan)
    ok = ~np.isnan(a[:, 0]) & (a[:, 1] == np.round(a[:, 1]))  # not across an i//4000 step
    idx = a[ok, 0] + 4000 * a[ok, 1]
    out[ok] = np.interp(idx, np.arange(n), link.sample_true_s)
    return out


@pytest.mark.parametrize(("mtu", "per"), [(23, 15), (247, 5)])
def test_left_and_right_line_up_within_one_sample_period(mtu, per):
    """±100 ppm between the insoles, 0-50 ms arrival jitter (connection events every 7.5 ms,
    up to 42.5 ms of host delay, in order): after 5 s of warm-up, what the grid puts in the
    same slot for both feet was sampled within one sample period (10 ms) of each other."""
    pair, p, links, n = _pair_through_link(
        LinkSpec(drift_ppm=100.0, mtu=mtu, max_samples_per_frame=per, seed=1,
                 tick0=4_294_967_295 - 20_000),
        LinkSpec(drift_ppm=-100.0, mtu=mtu, max_samples_per_frame=per, seed=2, tick0=7))
    tl = _true_time_per_slot(p, "left", links["left"], n)
    tr = _true_time_per_slot(p, "right", links["right"], n)
    grid = pair.t0 + p.time_s
    steady = p.time_s >= 5.0
    d = (tl - tr)[steady]
    assert np.nanmax(np.abs(d)) < 0.010
    assert np.sqrt(np.nanmean(d**2)) < 0.004
    for t in (tl, tr):  # and each foot is close to the grid's own time
        e = (grid - t)[steady]
        assert np.sqrt(np.nanmean(e**2)) < 0.005
    assert np.mean(np.isnan(tl[steady])) < 0.01 and np.mean(np.isnan(tr[steady])) < 0.01


def test_draining_often_or_once_gives_the_same_samples():
    spec = LinkSpec(drift_ppm=60.0, mtu=247, max_samples_per_frame=5, seed=3)
    _, often, _, _ = _pair_through_link(spec, spec, n=3000, drain_every=37)
    _, once, _, _ = _pair_through_link(spec, spec, n=3000, drain_every=10**9)
    assert often.n_samples == once.n_samples
    np.testing.assert_array_equal(often.left, once.left)
    np.testing.assert_array_equal(often.right, once.right)
