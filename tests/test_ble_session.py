"""Scanning, pairing and streaming sessions over the virtual radio, through bleak's public API.

No mock of bleak: bleak 3.1.0's BleakScanner/BleakClient with the project's bumble backend,
bleak-retry-connector's establish_connection, virtual insoles (VirtualInsole) on the same
loop. The loop runs on virtual time (tests/_virtual_time.py): the insoles' device clocks and
the session's host clock both come from it, so 60 s of streaming take about 2 s.

Ground truth: the insoles stream a ramp (raw count = sample index mod 4000, calibration offset
0 and gain 1, so the kPa on the grid *is* the sample index, interpolated) and note when each
of their sample clocks started (:class:`TracedInsole`); the loop time a sample was taken is
then known exactly, and each grid slot's error is its host time minus that.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC

import numpy as np
import pytest
from _virtual_time import run_virtual
from bleak import BleakClient

from analysis.layouts import SOLEWATCH_16
from analysis.streams import PressureStream
from firmware_bridge import profile
from firmware_bridge.ble import BumbleClient, get_radio
from firmware_bridge.ble.discovery import scan
from firmware_bridge.ble.pairing import (
    SCHEMA_VERSION,
    PairedInsole,
    Pairing,
    PairingError,
    PairingStore,
    pair,
    unpair,
)
from firmware_bridge.ble.peripheral import PRESSURE, FaultPlan, VirtualInsole
from firmware_bridge.ble.session import WearerSession, replay_batches
from firmware_bridge.recording import read_log, replay_to_streams
from firmware_bridge.stream import concat_pressure

HZ = 100
RAMP = 4000
ANCHOR_S = 1_790_000_000.0  # host Unix time at loop time 0
UNIT_CAL = profile.CalibrationRecord(np.zeros(16, dtype=np.int64), np.ones(16, np.float32))
EXTRA_ADDRESS = "D4:5E:00:00:3A:81"


def ramp_stream() -> PressureStream:
    v = np.repeat((np.arange(RAMP) % RAMP).astype(float)[:, None], 16, axis=1)
    return PressureStream(time_s=np.arange(RAMP) / HZ, left=v, right=v.copy(),
                          layout=SOLEWATCH_16, unit="raw", sample_rate_hz=HZ)


class TracedInsole(VirtualInsole):
    """A VirtualInsole that notes its sample clock segments and the samples it sent or lost."""

    def __init__(self, side: str, **kw) -> None:
        kw.setdefault("pressure", ramp_stream())
        kw.setdefault("calibration", UNIT_CAL)
        super().__init__(side, **kw)
        self.segments: list[tuple[int, float]] = []  # (first sample index, loop time)
        self.samples_produced = 0
        self.samples_not_delivered = 0  # in frames dropped, cut or garbled

    def _restart_pressure_clock(self) -> None:
        super()._restart_pressure_clock()
        self.segments.append((self._p_index0, self._p_clock0))

    async def _send(self, what, char, frames, now) -> None:
        if what == PRESSURE:
            self.samples_produced += sum(f[1] & 0x0F for f in frames)
        await super()._send(what, char, frames, now)

    def _damage(self, what, frame, now):
        out = super()._damage(what, frame, now)
        if what == PRESSURE and out != frame:
            self.samples_not_delivered += frame[1] & 0x0F
        return out

    def true_loop_time(self, index: np.ndarray) -> np.ndarray:
        """Loop time at which the sample with (unwrapped) ``index`` was taken."""
        starts = np.array([s[0] for s in self.segments])
        clocks = np.array([s[1] for s in self.segments])
        k = np.searchsorted(starts, index, side="right") - 1
        rate = HZ * (1.0 + self.faults.drift_ppm * 1e-6)
        return clocks[k] + (index - starts[k]) / rate


async def start_insoles(*specs: tuple[str, dict]) -> tuple:
    radio = await get_radio("virtual")
    made = []
    for side, kw in specs:
        made.append(await radio.add_peripheral(TracedInsole(side, **kw)))
    return radio, made


def clock():
    loop = asyncio.get_running_loop()
    return lambda: ANCHOR_S + loop.time()


async def stream_for(pairing: Pairing, seconds: float, **kw):
    batches = []
    session = WearerSession(pairing, clock=clock(), on_batch=batches.append, **kw)
    await session.start()
    await asyncio.sleep(seconds)
    final = await session.stop()
    return session, batches, final


def grid(batches) -> PressureStream:
    stream = concat_pressure([b.pressure for b in batches])
    assert stream is not None
    return stream


def slot_errors(stream: PressureStream, side: str, insole: TracedInsole):
    """(slot host times, error of each valid slot in s): grid time minus the true time of the
    interpolated sample index found there. Slots inside a gap (NaN) or next to a ramp wrap
    are left out."""
    v = stream.foot(side)[:, 0].astype(np.float64)
    g = stream.start.astimezone(UTC).timestamp() + stream.time_s
    ok = np.isfinite(v)
    d_prev = np.diff(v, prepend=np.nan)
    d_next = np.diff(v, append=np.nan)
    ok &= (np.abs(d_prev - 1) < 0.2) & (np.abs(d_next - 1) < 0.2)
    # unwrap the ramp with the index the slot's time suggests
    est = (g - ANCHOR_S - insole.segments[0][1]) * HZ
    index = v + RAMP * np.round((est - v) / RAMP)
    err = np.full(v.size, np.nan)
    err[ok] = g[ok] - (ANCHOR_S + insole.true_loop_time(index[ok]))
    return g, err


def check_grid_unique(stream: PressureStream) -> None:
    t = stream.time_s
    assert np.all(np.diff(t) > 0), "a grid slot emitted twice"
    assert np.allclose(np.diff(t), 1.0 / HZ)


def frames_of(insole: VirtualInsole) -> int:
    return insole.counts.frames["pressure"] + insole.counts.frames["temperature"]


# ----------------------------------------------------------------------------------------------


def test_scan_pair_persist_reload_and_unpair(tmp_path):
    async def scenario():
        radio, (left, right) = await start_insoles(("left", {}), ("right", {}))
        found = await scan(0.3)
        assert [(i.name, i.side) for i in found] == [("SWL-3A7F", "left"), ("SWR-3A80", "right")]
        assert all(i.battery_pct == 87 and i.battery_source == "gatt" for i in found)
        assert all(isinstance(i.rssi, int) for i in found)
        store = PairingStore(tmp_path / "home")
        p = await pair("ann", found[0].address, found[1].address, store=store)
        assert p.left.bonded and p.right.bonded  # Just Works + LE Secure Connections
        # sides are checked against the insole's own Side characteristic
        with pytest.raises(PairingError, match="is a right insole"):
            await pair("bob", right.address, left.address, store=store)
        with pytest.raises(PairingError, match="not found"):
            await pair("bob", left.address, EXTRA_ADDRESS, store=store, scan_timeout_s=0.3)
        await radio.close()
        return p

    p = run_virtual(scenario())
    store = PairingStore(tmp_path / "home")
    doc = json.loads(store.path.read_text())
    assert doc["schema_version"] == SCHEMA_VERSION and set(doc["wearers"]) == {"ann"}
    assert store.get("ann") == p  # reloaded as saved
    assert not list(store.home.glob(".pairings-*"))  # no temporary file left behind
    gone = unpair("ann", store=store)
    assert gone == p and store.get("ann") is None
    with pytest.raises(PairingError, match="no insoles are paired"):
        unpair("ann", store=store)
    store.path.write_text(json.dumps({"schema_version": 99, "wearers": {}}))
    with pytest.raises(PairingError, match="schema version 99"):
        store.load()


def test_sixty_seconds_of_two_insoles_every_sample_accounted_for(tmp_path):
    log = tmp_path / "sixty.swlog"

    async def scenario():
        radio, (left, right) = await start_insoles(
            ("left", {"faults": FaultPlan(drift_ppm=100.0, drop_probability=0.01, seed=1)}),
            ("right", {"faults": FaultPlan(drift_ppm=-100.0, drop_probability=0.01, seed=2)}),
        )
        p = Pairing("ann", PairedInsole(left.address), PairedInsole(right.address))
        session, batches, final = await stream_for(p, 60.0, record_to=log)
        await radio.close()
        return left, right, session, batches, final

    left, right, _session, batches, final = run_virtual(scenario())
    stream = grid(batches)
    check_grid_unique(stream)
    assert stream.time_s[-1] > 58.0
    figures = {}
    for side, insole in (("left", left), ("right", right)):
        s = final.health[side].stats
        c = insole.counts
        # frames: everything the insole produced was received or counted lost
        assert s.received == c.sent["pressure"] + c.sent["temperature"]
        assert s.emitted + s.lost == frames_of(insole)
        assert s.lost == c.dropped["pressure"] + c.dropped["temperature"] > 0
        assert s.duplicates == 0 and s.pending == 0 and s.malformed == 0
        assert 1 <= len(s.gaps_s) <= s.lost  # runs of lost frames, each with its host-time span
        assert all(0 < b - a <= 2.01 for a, b in s.gaps_s), s.gaps_s  # <= 1 temperature frame
        # samples: received (decoded from the raw log) + not delivered == produced
        log_data = read_log(log)
        idx = [i for i, d in enumerate(log_data.devices) if d.side == side]
        ticks = []
        for dev, ch, data in zip(log_data.device.tolist(), log_data.characteristic,
                                 log_data.data, strict=True):
            if dev in idx and ch == "pressure":
                f = profile.decode_frame(data, n_sensors=16)
                ticks.extend(f.tick + 10 * np.arange(f.n_samples))
        received = len(ticks)
        assert len(set(ticks)) == received  # no sample twice
        assert received + insole.samples_not_delivered == insole.samples_produced
        nan_slots = int(np.isnan(stream.foot(side)[:, 0]).sum())
        _, err = slot_errors(stream, side, insole)
        figures[side] = dict(produced=insole.samples_produced, received=received,
                             gap_spans_ms=[round((b - a) * 1e3) for a, b in s.gaps_s],
                             lost=insole.samples_not_delivered, lost_frames=s.lost,
                             nan_slots=nan_slots, err=err)
    align = figures["left"]["err"] - figures["right"]["err"]
    align = align[np.isfinite(align)]
    assert align.size > 5000
    assert np.max(np.abs(align)) < 1.0 / HZ  # both feet within one sample period
    for side in ("left", "right"):
        e = figures[side]["err"]
        assert np.nanmax(np.abs(e)) < 2e-3  # host time of every sample within 2 ms
    print("\n60 s:", {k: {kk: vv for kk, vv in v.items() if kk != "err"}
                      for k, v in figures.items()},
          f"alignment max {np.max(np.abs(align)) * 1e3:.3f} ms "
          f"p50 {np.median(np.abs(align)) * 1e3:.3f} ms")
    # the recording replays through the same path to the same grid
    replayed = replay_to_streams(log)
    n = min(replayed.pressure.n_samples, stream.n_samples)
    assert abs(replayed.pressure.n_samples - stream.n_samples) <= 2
    for side in ("left", "right"):
        a, b = replayed.pressure.foot(side)[:n], stream.foot(side)[:n]
        assert np.array_equal(np.isnan(a), np.isnan(b))
        assert np.allclose(a[np.isfinite(a)], b[np.isfinite(b)], atol=1e-3)


def test_link_loss_reconnects_resubscribes_and_reports_the_gap(tmp_path):
    log = tmp_path / "loss.swlog"

    async def scenario():
        radio, (left, right) = await start_insoles(
            ("left", {"faults": FaultPlan(link_loss_at_s=5.0, link_loss_down_s=1.0)}),
            ("right", {}),
        )
        p = Pairing("ann", PairedInsole(left.address), PairedInsole(right.address))
        _session, batches, final = await stream_for(p, 12.0, record_to=log)
        await radio.close()
        return left, right, batches, final

    left, _right, batches, final = run_virtual(scenario())
    h = final.health["left"]
    assert h.link_losses == 1 and h.connects == 2 and left.counts.starts == 2
    assert len(h.link_gaps_s) == 1
    a, b = h.link_gaps_s[0]
    assert 1.0 <= b - a < 3.0  # down 1 s, then found, connected, subscribed, started
    s = h.stats
    assert s.emitted == frames_of(left) and s.lost == 0 and s.duplicates == 0
    assert s.restarts == 1  # the Start after the reconnect restarted the numbering
    assert final.health["right"].link_losses == 0
    stream = grid(batches)
    check_grid_unique(stream)
    t = stream.start.timestamp() + stream.time_s
    in_gap = (t > a + 0.02) & (t < b - 0.02)
    assert np.isnan(stream.left[in_gap, 0]).all()  # the gap is shown, not filled
    assert np.isfinite(stream.right[in_gap, 0]).all()  # the other foot never stopped
    after = t > b + 0.5
    assert np.isfinite(stream.left[after, 0]).mean() > 0.99  # subscriptions restored
    _, err = slot_errors(stream, "left", left)
    assert np.nanmax(np.abs(err)) < 1.0 / HZ  # and every sample in its place
    # the raw log replays to the same gap, through the same path
    async def replayed():
        return [x async for x in replay_batches(log, speed=None)]

    last = asyncio.run(replayed())[-1]
    assert last.final and last.health["left"].link_losses == 1
    assert last.health["left"].link_gaps_s == [(a, b)]
    assert last.health["left"].stats.restarts == 1
    print(f"\nlink gap {b - a:.3f} s, NaN slots {int(in_gap.sum())}, "
          f"max error {np.nanmax(np.abs(err)) * 1e3:.3f} ms")


def test_reboot_and_drift_keep_left_and_right_aligned():
    async def scenario():
        radio, (left, right) = await start_insoles(
            ("left", {"faults": FaultPlan(reboot_at_s=4.0, drift_ppm=100.0)}),
            ("right", {"faults": FaultPlan(drift_ppm=-100.0)}),
        )
        p = Pairing("ann", PairedInsole(left.address), PairedInsole(right.address))
        _session, batches, final = await stream_for(p, 15.0)
        await radio.close()
        return left, right, batches, final

    left, right, batches, final = run_virtual(scenario())
    s = final.health["left"].stats
    assert left.counts.reboots == 1 and s.reboots == 1
    assert s.emitted + s.lost == frames_of(left) and s.duplicates == 0
    stream = grid(batches)
    check_grid_unique(stream)
    _, el = slot_errors(stream, "left", left)
    _, er = slot_errors(stream, "right", right)
    align = el - er
    assert np.isfinite(align).sum() > 1000
    assert np.nanmax(np.abs(align)) < 1.0 / HZ
    print(f"\nreboot + drift: alignment max {np.nanmax(np.abs(align)) * 1e3:.3f} ms")


def test_malformed_and_truncated_frames_are_rejected_and_counted():
    plan = FaultPlan(truncate_probability=0.05, malformed_probability=0.05, seed=5)

    async def scenario():
        radio, (left, right) = await start_insoles(("left", {"faults": plan}), ("right", {}))
        p = Pairing("ann", PairedInsole(left.address), PairedInsole(right.address))
        _session, batches, final = await stream_for(p, 10.0)
        await radio.close()
        return left, batches, final

    left, batches, final = run_virtual(scenario())
    s = final.health["left"].stats
    c = left.counts
    injected = sum(c.truncated.values()) + sum(c.malformed.values())
    assert injected > 5
    assert s.malformed + s.truncated == injected
    assert s.received == c.sent["pressure"] + c.sent["temperature"]
    # a damaged frame's sequence number is a lost frame to the accounting, nothing else;
    # only a damaged last frame of a characteristic goes unnoticed (no later number shows it)
    assert 0 <= frames_of(left) - (s.emitted + s.lost) <= 2 and s.duplicates == 0
    check_grid_unique(grid(batches))
    print(f"\ninjected {injected} (truncated {sum(c.truncated.values())}, malformed "
          f"{sum(c.malformed.values())}); rejected {s.truncated} truncated + "
          f"{s.malformed} malformed, reasons {s.reasons}")


def test_an_unpaired_insole_is_ignored_and_counted():
    async def scenario():
        radio, (left, right, other) = await start_insoles(
            ("left", {}), ("right", {}), ("left", {"address": EXTRA_ADDRESS}))
        p = Pairing("ann", PairedInsole(left.address), PairedInsole(right.address))
        session = WearerSession(p, clock=clock())
        await session.start()
        # the other insole's notifications reach the session's gate (as a second pair of
        # insoles on the same adapter would): they must be ignored
        client = BleakClient(other.address, backend=BumbleClient, timeout=5.0)
        await client.connect()
        for uuid, name in ((profile.PRESSURE_UUID, "pressure"),
                           (profile.TEMPERATURE_UUID, "temperature")):
            await client.start_notify(uuid, lambda _c, d, n=name: session.handle_notification(
                other.address, n, bytes(d)))
        await client.write_gatt_char(profile.CONTROL_POINT_UUID, b"\x01", response=True)
        await asyncio.sleep(3.0)
        await client.disconnect()
        final = await session.stop()
        await radio.close()
        return left, other, session, final

    left, other, session, final = run_virtual(scenario())
    sent = other.counts.sent["pressure"] + other.counts.sent["temperature"]
    assert sent > 20
    assert session.ignored_unpaired == {EXTRA_ADDRESS: sent}
    assert final.ignored_unpaired == sent
    assert final.health["left"].stats.received == left.counts.sent["pressure"] + \
        left.counts.sent["temperature"]
    assert other.counts.starts == 1  # only our client ever started it


def test_one_insole_never_connecting_does_not_stop_the_other():
    async def scenario():
        radio, (left,) = await start_insoles(("left", {}))
        p = Pairing("ann", PairedInsole(left.address), PairedInsole(EXTRA_ADDRESS))
        _session, batches, final = await stream_for(p, 8.0, scan_timeout_s=0.5,
                                                   connect_timeout_s=1.0, pair_wait_s=2.0,
                                                   backoff_max_s=1.0)
        await radio.close()
        return left, batches, final

    left, batches, final = run_virtual(scenario())
    stream = grid(batches)
    assert stream.right is None and stream.time_s[-1] > 5.0
    assert np.isfinite(stream.left[:, 0]).mean() > 0.99
    r = final.health["right"]
    assert r.connects == 0 and not r.connected and "not advertising" in r.error
    assert final.health["left"].stats.emitted == frames_of(left)


def test_stopping_before_the_second_insole_came_still_gives_the_first_ones_data():
    async def scenario():
        radio, (left,) = await start_insoles(("left", {}))
        p = Pairing("ann", PairedInsole(left.address), PairedInsole(EXTRA_ADDRESS))
        _session, batches, final = await stream_for(p, 3.0, pair_wait_s=100.0)
        await radio.close()
        return left, batches, final

    left, batches, final = run_virtual(scenario())
    assert all(b.pressure is None for b in batches[:-1])  # the grid was still waiting
    assert final.final and final.pressure is not None and final.pressure.right is None
    assert final.pressure.n_samples > 250
    assert final.health["left"].stats.emitted == frames_of(left)


def test_insoles_at_different_rates_keep_streaming_and_the_mismatch_is_reported():
    async def scenario():
        radio, (left, right) = await start_insoles(("left", {}),
                                                   ("right", {"pressure_hz": 50}))
        p = Pairing("ann", PairedInsole(left.address), PairedInsole(right.address))
        session, batches, final = await stream_for(p, 4.0)
        await radio.close()
        return session, batches, final

    session, batches, final = run_virtual(scenario())
    stream = grid(batches)
    assert (stream.left is None) != (stream.right is None)  # the first insole's grid only
    assert stream.time_s[-1] > 3.0
    assert any("different rates" in p.message for p in session.problems)
    assert all(h.connected is False and h.connects == 1 for h in final.health.values())
