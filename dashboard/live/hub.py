"""LiveHub: the one reader of insoles (or of a replay) in a dashboard process.

A daemon thread runs an asyncio loop of its own. Everything that talks to the radio lives on
that loop (bumble binds its objects to the loop they are made on): the radio, the virtual demo
insoles, the :class:`~firmware_bridge.ble.session.WearerSession`, scans and pairing. At
``publish_hz`` a task builds one frame (format: :mod:`dashboard.live.bus`) from what the
reader holds now and publishes it to :attr:`LiveHub.bus`; every browser tab reads that bus
and never causes a read of its own.

Live: the session's ``tap`` hands every accepted notification at once to a
:class:`~firmware_bridge.stream.latest.LatestFrames` (newest pressure, temperatures, COP trail:
milliseconds old); the session's batches (the assemblers' common grid, whole seconds, about
0.7 s late) feed a rolling window for the gait numbers. Replay: a
:class:`~dashboard.live.player.ReplayPlayer` gives the frame at its position. At most one of
the two runs at a time: starting one stops the other.

Public methods are blocking and safe from any thread (they run on the hub loop through
:func:`asyncio.run_coroutine_threadsafe`, under a deadline); errors are
:class:`~analysis.errors.SolewatchError` subclasses whose message says what to do.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import threading
import time
from collections import deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from analysis.config import GaitConfig
from analysis.errors import SolewatchError
from analysis.live import (
    cop_trail_mm,
    count_new_contacts,
    gait_numbers,
    temperature_difference,
    total_kpa,
)
from analysis.sites import FEET
from dashboard.live.bus import FrameBus, idle_frame
from dashboard.live.player import GAIT_WINDOW_S, TRAIL_S

logger = logging.getLogger(__name__)

#: Battery level at or below which a frame warns, %.
LOW_BATTERY_PCT = 15
#: Share of lost frames above which a frame warns about the signal, %.
WEAK_SIGNAL_LOSS_PCT = 5.0
#: How often devices() is refreshed while streaming, s.
SNAPSHOT_EVERY_S = 0.2
#: How often an idle hub republishes its idle frame, s.
IDLE_PUBLISH_S = 1.0
#: Time limits of the blocking calls, s.
START_TIMEOUT_S = 90.0
CALL_TIMEOUT_S = 30.0
PAIR_TIMEOUT_S = 90.0
STOP_TIMEOUT_S = 20.0
#: Reconnect backoff ceiling of a dashboard session, s (the CLI default is 8 s).
BACKOFF_MAX_S = 4.0


class HubError(SolewatchError):
    """The live hub cannot do what was asked (the message says what to do)."""


def _side_word(side: str) -> str:
    return "left" if side == "left" else "right"


def _round(x: float | None, nd: int = 3) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), nd)


def _list(a: np.ndarray | None, nd: int = 2) -> list:
    """Floats rounded for the wire; NaN stays NaN (the bus makes it null)."""
    if a is None:
        return []
    return np.round(np.asarray(a, dtype=np.float64), nd).tolist()


def trail_points(xy: np.ndarray) -> list[list[float]]:
    """COP trail rows without the unloaded (NaN) ones, rounded to 0.1 mm."""
    if xy.size == 0:
        return []
    ok = np.isfinite(xy).all(axis=1)
    return np.round(xy[ok], 1).tolist()


class _LiveReader:
    """One wearer's session, its newest frames and its rolling gait window."""

    kind = "live"

    def __init__(self, hub: LiveHub, pairing: Any) -> None:
        from firmware_bridge.ble.session import WearerSession
        from firmware_bridge.stream.latest import LatestFrames

        self.hub = hub
        self.pairing = pairing
        self.latest = LatestFrames()
        self.session = WearerSession(pairing, transport=hub.transport,
                                     on_batch=self._on_batch, tap=self._tap,
                                     backoff_max_s=BACKOFF_MAX_S)
        self._window: deque = deque()
        self._last_counted: dict[str, float | None] = {f: None for f in FEET}
        self.steps = 0
        self.gait = {"cadence_steps_per_min": None, "steps": 0,
                     "stance_s": {f: None for f in FEET}, "window_s": 0.0}
        self.gait_runs = 0
        self.started_s = 0.0

    async def start(self) -> None:
        await self.session.start()
        self.started_s = self.session.now()

    async def stop(self) -> None:
        await self.session.stop()

    # -- inputs (on the hub loop) ----------------------------------------------------------

    def _tap(self, side: str, host_time_s: float, characteristic: str, data: bytes) -> None:
        if not self.latest.configured(side):
            info = self.session.device_info(side)
            if info is None:
                return
            self.latest.configure(side, info.layout, info.calibration, info.rates)
        self.latest.feed(side, host_time_s, characteristic, data)

    def _on_batch(self, batch: Any) -> None:
        p = batch.pressure
        if p is None or p.n_samples == 0:
            return
        self._window.append(p)
        end = float(p.time_s[-1])
        while self._window and float(self._window[0].time_s[-1]) < end - GAIT_WINDOW_S:
            self._window.popleft()
        self._update_gait()

    def _update_gait(self) -> None:
        from firmware_bridge.stream import concat_pressure

        stream = concat_pressure(list(self._window))
        if stream is None:
            return
        cut = float(stream.time_s[-1]) - GAIT_WINDOW_S
        if stream.time_s[0] < cut:
            i = int(np.searchsorted(stream.time_s, cut))
            stream = _slice(stream, i, stream.n_samples)
        g = gait_numbers(stream, self.hub.gait_config)
        self.gait_runs += 1
        for foot, contacts in g.contacts_s.items():
            n, self._last_counted[foot] = count_new_contacts(
                contacts, self._last_counted[foot], self.hub.gait_config)
            self.steps += n
        self.gait = {"cadence_steps_per_min": _round(g.cadence_steps_per_min, 1),
                     "steps": self.steps,
                     "stance_s": {f: _round(g.stance_s.get(f)) for f in FEET},
                     "window_s": round(g.window_s, 2)}

    # -- output ----------------------------------------------------------------------------

    def label(self) -> str:
        parts = []
        for side in FEET:
            ins = self.pairing.insole(side)
            parts.append(f"{side} {ins.name or ins.address}")
        return f"{self.pairing.wearer}: " + ", ".join(parts)

    def frame(self) -> dict:
        now = self.session.now()
        health = self.session.health()
        feet, warnings = {}, []
        temps = {}
        newest = None
        for side in FEET:
            h = health.get(side)
            lf = self.latest.foot(side)
            times = [t for t in (lf.pressure_time_s, lf.temperature_time_s) if t is not None]
            last = max(times) if times else None
            age = None if last is None else max(0.0, now - last)
            connected = bool(h is not None and h.connected)
            stale = (not connected) or age is None or age > self.hub.stale_after_s
            state = h.state if h is not None else "none"
            if lf.pressure_time_s is not None:
                newest = lf.pressure_time_s if newest is None else max(newest, lf.pressure_time_s)
            trail = []
            if lf.layout is not None:
                t, rows = self.latest.trail(side, now - TRAIL_S)
                if t.size:
                    trail = trail_points(cop_trail_mm(rows, lf.layout, side))
            feet[side] = {
                "present": True, "state": state, "age_s": _round(age),
                "stale": stale, "kpa": _list(lf.kpa, 1),
                "total_kpa": _round(total_kpa(lf.kpa), 1) if lf.kpa is not None else None,
                "cop_mm": trail, "temp_c": _list(lf.temp_c, 2),
                "battery_pct": h.battery_pct if h is not None else None,
                "rssi_dbm": h.rssi if h is not None else None,
                "loss_pct": round(float(h.loss_pct), 2) if h is not None else 0.0,
            }
            temps[side] = lf.temp_c
            warnings.extend(self._warnings(side, h, connected, age))
        return {"host_time_s": time.time(), "sample_time_s": newest, "source": "live",
                "label": self.label(), "feet": feet,
                "temp_diff_c": temperature_difference(temps["left"], temps["right"]),
                "gait": dict(self.gait), "warnings": warnings, "replay": None}

    def _warnings(self, side: str, h: Any, connected: bool, age: float | None) -> list[str]:
        word = _side_word(side)
        out = []
        if not connected:
            if h is not None and h.connects == 0:
                out.append(f"Looking for the {word} insole. Is it switched on and within "
                           "reach?")
            else:
                out.append(f"The {word} insole is not connected; trying to reconnect.")
        elif age is None:
            out.append(f"The {word} insole is connected; waiting for its first data.")
        elif age > self.hub.stale_after_s:
            out.append(f"No data from the {word} insole for {age:.1f} s. Is it switched on "
                       "and within reach?")
        if h is not None and h.battery_pct is not None and h.battery_pct <= LOW_BATTERY_PCT:
            out.append(f"The {word} insole's battery is low ({h.battery_pct}%). Please "
                       "charge it soon.")
        if h is not None and connected and h.loss_pct > WEAK_SIGNAL_LOSS_PCT:
            out.append(f"The {word} insole's signal is weak: {h.loss_pct:.0f}% of its data "
                       "was lost. Keep the phone or computer closer.")
        return out

    def devices(self) -> dict:
        health = self.session.health()
        feet = {}
        for side in FEET:
            ins = self.pairing.insole(side)
            h = health.get(side)
            feet[side] = {
                "address": ins.address, "name": ins.name or None,
                "state": h.state if h is not None else "none",
                "connected": bool(h is not None and h.connected),
                "battery_pct": h.battery_pct if h is not None else None,
                "rssi_dbm": h.rssi if h is not None else None,
                "loss_pct": round(float(h.loss_pct), 2) if h is not None else 0.0,
                "last_packet_age_s": _round(h.last_packet_age_s) if h is not None else None,
                "link_losses": h.link_losses if h is not None else 0,
                "error": h.error if h is not None else "",
            }
        return {"wearer": self.pairing.wearer, "streaming": True, "feet": feet}


def _slice(stream: Any, i0: int, i1: int) -> Any:
    from analysis.streams import PressureStream

    return PressureStream(
        time_s=stream.time_s[i0:i1],
        left=None if stream.left is None else stream.left[i0:i1],
        right=None if stream.right is None else stream.right[i0:i1],
        layout=stream.layout, unit=stream.unit, sample_rate_hz=stream.sample_rate_hz,
        start=stream.start, source=stream.source)


def _no_devices(wearer: str | None = None, pairing: Any = None) -> dict:
    feet = {}
    for side in FEET:
        ins = pairing.insole(side) if pairing is not None else None
        feet[side] = {"address": ins.address if ins else None,
                      "name": (ins.name or None) if ins else None, "state": "stopped"
                      if ins else "none", "connected": False, "battery_pct": None,
                      "rssi_dbm": None, "loss_pct": 0.0, "last_packet_age_s": None,
                      "link_losses": 0, "error": ""}
    return {"wearer": wearer, "streaming": False, "feet": feet}


class LiveHub:
    """One per dashboard process: a background thread running its own asyncio loop that owns
    the BLE radio, at most one WearerSession or one replay player, and publishes frames
    (dashboard.live.bus format) to self.bus at publish_hz. The only reader of insoles."""

    def __init__(self, *, transport: str | None = None, pairing_home: str | Path | None = None,
                 publish_hz: float = 30.0, stale_after_s: float = 1.0,
                 demo: bool = False, demo_wearer: str | None = None,
                 demo_scenario: str = "healthy",
                 replay_roots: Sequence[str | Path] = (), bus: FrameBus | None = None,
                 gait_config: GaitConfig | None = None) -> None:
        if not (isinstance(publish_hz, int | float) and 0 < publish_hz <= 120):
            raise ValueError(f"publish_hz must be a number in (0, 120], found {publish_hz!r}")
        if not (isinstance(stale_after_s, int | float) and stale_after_s > 0):
            raise ValueError(f"stale_after_s must be positive, found {stale_after_s!r}")
        if demo_wearer is not None and not demo:
            raise ValueError("demo_wearer needs demo=True (the virtual insoles it pairs)")
        from firmware_bridge.ble.radio import VIRTUAL

        self.demo = bool(demo)
        self.transport = VIRTUAL if self.demo else transport
        self.pairing_home = Path(pairing_home) if pairing_home is not None else None
        self.publish_hz = float(publish_hz)
        self.stale_after_s = float(stale_after_s)
        self.demo_wearer = demo_wearer
        #: What the demo insoles stream (firmware_bridge.ble.demo_data.generated_streams).
        self.demo_scenario = demo_scenario
        self.replay_roots = tuple(Path(r) for r in replay_roots)
        self.bus = bus or FrameBus()
        self.gait_config = gait_config or GaitConfig()
        self.demo_insoles: list[Any] = []
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._reader: Any = None
        self._publisher: asyncio.Task | None = None
        self._lock = threading.Lock()  # guards the snapshots below
        self._devices = _no_devices()
        self._devices_at = -np.inf
        self._replay_state: dict | None = None
        self._sessions_started = 0
        self._players_started = 0
        self._publish_errors = 0
        self._build_s = 0.0
        self._late_ticks = 0
        self._stopped = False

    # -- life cycle ------------------------------------------------------------------------

    def start(self) -> LiveHub:
        """Start the thread and its loop; with ``demo`` the virtual insoles (paired and
        streamed when ``demo_wearer`` is given). Returns when that is done."""
        if self._thread is not None:
            raise HubError("this live hub was started already; make a new one")
        loop = asyncio.new_event_loop()
        self._loop = loop
        self._thread = threading.Thread(target=self._run_loop, name="solewatch-live-hub",
                                        daemon=True)
        self._thread.start()
        try:
            self._call(self._setup(), START_TIMEOUT_S, "starting the live hub")
        except BaseException:
            self.stop()
            raise
        return self

    def _run_loop(self) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)
        try:
            loop.run_forever()
        finally:
            try:
                pending = [t for t in asyncio.all_tasks(loop) if not t.done()]
                for t in pending:
                    t.cancel()
                if pending:
                    loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
                loop.run_until_complete(loop.shutdown_asyncgens())
            finally:
                loop.close()

    async def _setup(self) -> None:
        if self.demo:
            await self._start_demo_insoles()
        self._publisher = asyncio.get_running_loop().create_task(self._publish_loop(),
                                                                 name="publish")
        if self.demo and self.demo_wearer:
            await self._pair(self.demo_wearer, self.demo_insoles[0].address,
                             self.demo_insoles[1].address)

    async def _start_demo_insoles(self) -> None:
        from firmware_bridge.ble.demo_data import generated_streams
        from firmware_bridge.ble.peripheral import VirtualInsole
        from firmware_bridge.ble.radio import get_radio

        radio = await get_radio(self.transport)
        pressure, temperature = generated_streams(duration_s=300.0, seed=0,
                                                  scenario=self.demo_scenario)
        for i, side in enumerate(FEET):
            insole = VirtualInsole(side, pressure=pressure, temperature=temperature, seed=i)
            await radio.add_peripheral(insole)
            self.demo_insoles.append(insole)

    def stop(self) -> None:
        """Stop the reader, close the radio and the insoles, end the thread (idempotent)."""
        if self._stopped:
            return
        self._stopped = True
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if loop.is_running() and threading.current_thread() is not thread:
            fut = asyncio.run_coroutine_threadsafe(self._shutdown(), loop)
            try:
                fut.result(STOP_TIMEOUT_S)
            except Exception:  # stop must always end the thread
                logger.exception("live hub shutdown failed")
            loop.call_soon_threadsafe(loop.stop)
        thread.join(STOP_TIMEOUT_S)
        if thread.is_alive():
            logger.error("the live hub thread did not end within %s s", STOP_TIMEOUT_S)

    async def _shutdown(self) -> None:
        from firmware_bridge.ble.radio import current_radio

        await self._stop_reader()
        if self._publisher is not None:
            self._publisher.cancel()
            await asyncio.gather(self._publisher, return_exceptions=True)
        radio = current_radio(self.transport)
        if radio is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(radio.close(), 10.0)
        with self._lock:
            self._devices = _no_devices()
            self._replay_state = None
        self.bus.publish(idle_frame("The live view has stopped."))

    def __enter__(self) -> LiveHub:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return (self._thread is not None and self._thread.is_alive() and not self._stopped)

    def _call(self, coro: Any, timeout_s: float, what: str) -> Any:
        if self._loop is None or self._thread is None or not self._thread.is_alive() \
                or (self._stopped and what != "starting the live hub"):
            coro.close()
            raise HubError(f"the live hub is not running ({what}): start it first")
        if threading.current_thread() is self._thread:
            coro.close()
            raise RuntimeError("a blocking LiveHub method was called on the hub's own thread")
        fut = asyncio.run_coroutine_threadsafe(coro, self._loop)
        try:
            return fut.result(timeout_s)
        except concurrent.futures.TimeoutError:
            fut.cancel()
            raise HubError(f"{what} did not finish within {timeout_s:g} s; try again") \
                from None

    def run_in_loop(self, fn: Any, *args: Any, timeout_s: float = CALL_TIMEOUT_S) -> Any:
        """Call the plain function ``fn(*args)`` on the hub loop and return its result (for
        what must touch the radio's objects, e.g. a demo insole's fault plan in a test)."""
        async def run() -> Any:
            return fn(*args)

        return self._call(run(), timeout_s, getattr(fn, "__name__", "a call"))

    # -- the reader ------------------------------------------------------------------------

    async def _stop_reader(self) -> None:
        reader, self._reader = self._reader, None
        if reader is None:
            return
        try:
            await asyncio.wait_for(reader.stop(), 15.0)
        except Exception:
            logger.exception("stopping the %s reader failed", reader.kind)
        with self._lock:
            if reader.kind == "live":
                self._devices = _no_devices(reader.pairing.wearer, reader.pairing)
            else:
                self._replay_state = None

    async def _start_stream(self, wearer: str) -> None:
        pairing = self._store().get(wearer)
        if pairing is None:
            from firmware_bridge.ble.pairing import PairingError

            known = sorted(self._store().load())
            raise PairingError(f"no insoles are paired to {wearer!r}: pair them on the "
                               "Devices page first"
                               + (f" (paired: {', '.join(known)})" if known else ""))
        await self._stop_reader()
        reader = _LiveReader(self, pairing)
        self._reader = reader
        self._sessions_started += 1
        try:
            await reader.start()
        except BaseException:
            self._reader = None
            raise

    def _store(self) -> Any:
        from firmware_bridge.ble.pairing import PairingStore

        return PairingStore(self.pairing_home)

    # -- publishing ------------------------------------------------------------------------

    async def _publish_loop(self) -> None:
        loop = asyncio.get_running_loop()
        period = 1.0 / self.publish_hz
        next_t = loop.time()
        last_idle = -np.inf
        while True:
            reader = self._reader
            t0 = time.perf_counter()
            try:
                if reader is not None:
                    frame = reader.frame()
                    self.bus.publish(frame)
                    self._snapshot(reader)
                elif loop.time() - last_idle >= IDLE_PUBLISH_S:
                    last_idle = loop.time()
                    self.bus.publish({**idle_frame(), "host_time_s": time.time()})
            except Exception:  # a bad frame must not end the publishing
                self._publish_errors += 1
                logger.exception("building a live frame failed")
            self._build_s += time.perf_counter() - t0
            next_t += period
            delay = next_t - loop.time()
            if delay < -period:  # fell behind (busy machine): skip, never build a backlog
                self._late_ticks += 1
                next_t = loop.time()
                delay = 0.0
            await asyncio.sleep(max(0.0, delay))

    def _snapshot(self, reader: Any) -> None:
        if reader.kind == "live":
            now = time.monotonic()
            if now - self._devices_at < SNAPSHOT_EVERY_S:
                return
            self._devices_at = now
            devices = reader.devices()
            with self._lock:
                self._devices = devices
        else:
            state = reader.state()
            with self._lock:
                self._replay_state = state

    # -- devices ---------------------------------------------------------------------------

    def scan(self, timeout_s: float = 2.0) -> list[dict]:
        """Insoles in range: [{"address", "name", "side", "rssi_dbm", "battery_pct",
        "paired_to"}], left ones first. Insoles streaming now (they do not advertise while
        connected) are listed too, from their session."""
        if not (isinstance(timeout_s, int | float) and 0 < timeout_s <= 30):
            raise ValueError(f"scan time must be 0-30 s, found {timeout_s!r}")
        return self._call(self._scan(float(timeout_s)), timeout_s + 30.0, "scanning")

    async def _scan(self, timeout_s: float) -> list[dict]:
        from firmware_bridge.ble.discovery import scan

        found = await scan(timeout_s, transport=self.transport)
        paired = {}
        for wearer, p in self._store().load().items():
            for side in FEET:
                paired[p.insole(side).address.upper()] = wearer
        out = [{"address": i.address, "name": i.name, "side": i.side, "rssi_dbm": i.rssi,
                "battery_pct": i.battery_pct, "paired_to": paired.get(i.address.upper()),
                "connected": False} for i in found]
        reader = self._reader
        if reader is not None and reader.kind == "live":
            seen = {o["address"].upper() for o in out}
            health = reader.session.health()
            for side in FEET:
                ins = reader.pairing.insole(side)
                h = health.get(side)
                if ins.address.upper() in seen or h is None or not h.connected:
                    continue
                out.append({"address": ins.address, "name": ins.name, "side": side,
                            "rssi_dbm": h.rssi, "battery_pct": h.battery_pct,
                            "paired_to": reader.pairing.wearer, "connected": True})
        out.sort(key=lambda o: (o["side"] != "left", o["name"] or ""))
        return out

    def pair(self, wearer: str, left_address: str, right_address: str) -> dict:
        """Bond both insoles to ``wearer``, save the pairing, start streaming it (any replay
        or other stream stops first). Returns ``pairings()[wearer]``."""
        from firmware_bridge.ble.pairing import check_wearer

        w = check_wearer(wearer)
        self._call(self._pair(w, left_address, right_address), PAIR_TIMEOUT_S,
                   f"pairing the insoles of {w}")
        return self.pairings()[w]

    async def _pair(self, wearer: str, left_address: str, right_address: str) -> None:
        from firmware_bridge.ble.pairing import pair

        await self._stop_reader()  # connected insoles do not advertise: free them first
        await pair(wearer, left_address, right_address, transport=self.transport,
                   store=self._store())
        await self._start_stream(wearer)

    def unpair(self, wearer: str) -> None:
        """Forget the wearer's insoles; stops their stream if it runs."""
        self._call(self._unpair(wearer), CALL_TIMEOUT_S, f"unpairing {wearer}")

    async def _unpair(self, wearer: str) -> None:
        from firmware_bridge.ble.pairing import check_wearer, unpair

        w = check_wearer(wearer)
        reader = self._reader
        if reader is not None and reader.kind == "live" and reader.pairing.wearer == w:
            await self._stop_reader()
            with self._lock:
                self._devices = _no_devices()
        unpair(w, store=self._store())

    def pairings(self) -> dict[str, dict]:
        """wearer -> {"left": address, "right": address} (read from the pairings file)."""
        return {w: {"left": p.left.address, "right": p.right.address}
                for w, p in sorted(self._store().load().items())}

    def devices(self) -> dict:
        """The streamed wearer's insoles now (a snapshot refreshed at every frame)."""
        with self._lock:
            d = self._devices
            return {"wearer": d["wearer"], "streaming": d["streaming"],
                    "feet": {s: dict(v) for s, v in d["feet"].items()}}

    def stream(self, wearer: str) -> None:
        """Start streaming ``wearer``'s paired insoles (stops any replay or other stream)."""
        from firmware_bridge.ble.pairing import check_wearer

        self._call(self._start_stream(check_wearer(wearer)), CALL_TIMEOUT_S,
                   f"starting the stream of {wearer}")

    def stop_stream(self) -> None:
        self._call(self._stop_kind("live"), CALL_TIMEOUT_S, "stopping the stream")

    async def _stop_kind(self, kind: str) -> None:
        if self._reader is not None and self._reader.kind == kind:
            await self._stop_reader()

    # -- replay ----------------------------------------------------------------------------

    def replay_sources(self) -> list[dict]:
        """Recordings (*.swlog) and fixture folders under the replay roots:
        [{"id", "name", "kind": "recording" | "fixture", "path"}]."""
        from dashboard.live.player import find_sources

        return find_sources(self.replay_roots)

    def replay(self, source_id: str, *, speed: float = 1.0, paused: bool = False) -> dict:
        """Load ``source_id`` (see :meth:`replay_sources`) and play it (stops the stream);
        the Live page follows it. Returns :meth:`replay_state`."""
        from dashboard.live.player import ReplayPlayer, check_speed, resolve_source

        check_speed(speed)
        source = resolve_source(self.replay_roots, source_id)
        player = ReplayPlayer.load(source, stale_after_s=self.stale_after_s,
                                   gait_config=self.gait_config)
        return self._call(self._start_replay(player, speed, paused), CALL_TIMEOUT_S,
                          f"starting the replay of {source['name']}")

    async def _start_replay(self, player: Any, speed: float, paused: bool) -> dict:
        await self._stop_reader()
        player.attach(asyncio.get_running_loop().time)
        player.set_speed(speed)
        if not paused:
            player.play()
        self._reader = player
        self._players_started += 1
        return self._replay_now(player)

    def _replay_now(self, player: Any) -> dict:
        state = player.state()
        with self._lock:
            self._replay_state = state
        return dict(state)

    def _player_call(self, what: str, fn: Any) -> dict:
        async def run() -> dict:
            player = self._reader
            if player is None or player.kind != "replay":
                raise HubError("no replay is loaded: choose a recording or fixture first")
            fn(player)
            return self._replay_now(player)

        return self._call(run(), CALL_TIMEOUT_S, what)

    def play(self) -> dict:
        return self._player_call("play", lambda p: p.play())

    def pause(self) -> dict:
        return self._player_call("pause", lambda p: p.pause())

    def set_speed(self, speed: float) -> dict:
        from dashboard.live.player import check_speed

        s = check_speed(speed)
        return self._player_call("changing the speed", lambda p: p.set_speed(s))

    def seek(self, position_s: float) -> dict:
        from dashboard.live.player import check_position

        pos = check_position(position_s)
        return self._player_call("seeking", lambda p: p.seek(pos))

    def replay_state(self) -> dict | None:
        """{"name", "position_s", "duration_s", "speed", "paused"} or None (no replay)."""
        with self._lock:
            return dict(self._replay_state) if self._replay_state is not None else None

    def stop_replay(self) -> None:
        self._call(self._stop_kind("replay"), CALL_TIMEOUT_S, "stopping the replay")

    # -- figures ---------------------------------------------------------------------------

    def stats(self) -> dict:
        """Readers (insole sessions and players running now: at most 1), what was started,
        what was published and what it cost."""
        reader = self._reader
        bus = self.bus.stats()
        return {
            "readers": 0 if reader is None else 1,
            "reader": None if reader is None else reader.kind,
            "sessions_started": self._sessions_started,
            "players_started": self._players_started,
            "frames_published": bus.published,
            "bus_reads": bus.reads,
            "bus_not_modified": bus.not_modified,
            "encode_s": round(bus.encode_s, 4),
            "build_s": round(self._build_s, 4),
            "publish_errors": self._publish_errors,
            "late_ticks": self._late_ticks,
            "publish_hz": self.publish_hz,
            "gait_runs": getattr(reader, "gait_runs", 0) if reader is not None else 0,
            "running": self.running,
        }


__all__ = ["HubError", "LiveHub", "trail_points"]
