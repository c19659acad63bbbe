"""Streaming a wearer's two insoles: connect, set up, stream, reconnect; batches out.

:class:`InsoleSession` looks after one insole, for as long as the session runs::

    find (scan for its address, RSSI) -> connect (bleak-retry-connector's
    establish_connection with the project's backend, under a deadline) -> read Side (must be
    the paired foot), Sensor layout, Calibration, Rates, Battery -> subscribe Control point,
    Battery, Pressure, Temperature -> write Set time (the answer carries the device tick) ->
    write Start -> notifications ... link loss -> back off (0.5, 1, 2, 4, 8 s) -> find ...

Subscriptions do not survive a reconnect (nothing does): each connection subscribes and
writes Start again; the insole restarts its sequence numbers at 0, which the sequence
accounting recognises as a restart, and the time the link was down is reported as a gap of
that insole (:attr:`LinkHealth.link_gaps_s`, host Unix seconds).

:class:`WearerSession` runs one InsoleSession per paired insole and feeds every notification,
stamped with the host receive time, through one gate (:meth:`WearerSession.handle_notification`:
data from an address that is not paired to the wearer is ignored and counted) to the stream
assemblers of :mod:`firmware_bridge.stream` and, when recording, to the raw log writer of
:mod:`firmware_bridge.recording`. Every ``drain_interval_s`` it drains the
:class:`~firmware_bridge.stream.PairAssembler` into a :class:`SessionBatch`
(:class:`~analysis.streams.PressureStream` / :class:`~analysis.streams.TemperatureStream` of the
new grid slots, none emitted twice, plus each insole's :class:`LinkHealth`), handed to the
``on_batch`` callback and to ``async for batch in session``. One insole failing (never
found, dropping, rebooting) never stops the other: each retries on its own, and the pair grid
stops waiting for a foot silent for 3 s.

Host time: ``clock`` (default :func:`loop_clock`) gives Unix seconds from the event loop's
clock, anchored once to the wall clock: it never jumps with a wall-clock adjustment, and a test
whose loop runs on virtual time (the virtual insoles' clock is the same loop clock) runs the
whole session faster than real time.

:func:`replay_batches` puts a raw log through the same path (the same gate, assemblers and
batches) for ``solewatch replay``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path

from bleak import BleakClient
from bleak.backends.device import BLEDevice
from bleak_retry_connector import establish_connection

from analysis.errors import DataProblem, InputError
from analysis.sites import FEET, Foot
from analysis.streams import PressureStream, TemperatureStream
from firmware_bridge import profile
from firmware_bridge.ble.discovery import bleak_backend
from firmware_bridge.ble.pairing import Pairing
from firmware_bridge.recording import DeviceInfo, RecordingWriter, read_log, replay
from firmware_bridge.stream import InsoleAssembler, LinkStats, PairAssembler

logger = logging.getLogger(__name__)

Clock = Callable[[], float]

CONNECT_TIMEOUT_S = 10.0
SCAN_TIMEOUT_S = 3.0
BACKOFF_INITIAL_S = 0.5
BACKOFF_MAX_S = 8.0
#: Time limit of the answer (indication) to a Control point command, s.
RESPONSE_TIMEOUT_S = 3.0
DRAIN_INTERVAL_S = 0.5
#: How long the pair grid waits for the second insole before it starts with one, s.
PAIR_WAIT_S = 5.0
#: bleak-retry-connector attempts per connect (its own backoff between them).
CONNECT_ATTEMPTS = 2

# InsoleSession states
FINDING, CONNECTING, STREAMING, BACKOFF, STOPPED = (
    "finding", "connecting", "streaming", "backoff", "stopped")


def loop_clock() -> Clock:
    """Host Unix seconds from the running loop's clock, anchored to the wall clock now."""
    loop = asyncio.get_running_loop()
    anchor = time.time() - loop.time()
    return lambda: anchor + loop.time()


@dataclass
class LinkHealth:
    """The link of one insole now. Times in host Unix seconds, ages in seconds.

    ``rssi`` is the RSSI of the insole's last advertisement (bleak has no RSSI of a live
    connection); ``loss_pct`` counts frames lost by sequence number; ``link_gaps_s`` are the
    spans the link was down (last notification before the loss, first one after the
    reconnect); sequence gaps inside a connection are in ``stats.gaps_s``.
    """

    side: Foot
    address: str
    state: str = FINDING
    connected: bool = False
    rssi: int | None = None
    battery_pct: int | None = None
    loss_pct: float = 0.0
    last_packet_age_s: float | None = None
    connects: int = 0
    link_losses: int = 0
    link_gaps_s: list[tuple[float, float]] = field(default_factory=list)
    error: str = ""
    stats: LinkStats | None = None


@dataclass
class SessionBatch:
    """What one drain produced: the new grid slots (None when there are none), every
    insole's health, and how many notifications from unpaired addresses were ignored."""

    pressure: PressureStream | None
    temperature: TemperatureStream | None
    health: dict[str, LinkHealth]
    host_time_s: float
    ignored_unpaired: int = 0
    final: bool = False


class InsoleSession:
    """One paired insole, connected and streaming for as long as :meth:`run` runs.

    ``deliver(address, characteristic, data, host_time_s)`` receives every notification;
    ``on_ready(side, DeviceInfo)`` is called on each connection once the read characteristics
    are known and before Start; ``on_event(side, kind, text)`` with ``connect`` /
    ``disconnect`` / ``note``.
    """

    def __init__(
        self,
        side: Foot,
        address: str,
        *,
        deliver: Callable[[str, str, bytes, float], None],
        on_ready: Callable[[Foot, DeviceInfo], None],
        on_event: Callable[[Foot, str, str], None] | None = None,
        clock: Clock | None = None,
        transport: str | None = None,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        scan_timeout_s: float = SCAN_TIMEOUT_S,
        backoff_initial_s: float = BACKOFF_INITIAL_S,
        backoff_max_s: float = BACKOFF_MAX_S,
    ) -> None:
        self.side = side
        self.address = address.upper()
        self._deliver = deliver
        self._on_ready = on_ready
        self._on_event = on_event or (lambda *_: None)
        self._clock = clock
        self.transport = transport
        self.connect_timeout_s = connect_timeout_s
        self.scan_timeout_s = scan_timeout_s
        self.backoff_initial_s = backoff_initial_s
        self.backoff_max_s = backoff_max_s
        self.health = LinkHealth(side, self.address)
        self.client: BleakClient | None = None
        self._stop = asyncio.Event()
        self._lost = asyncio.Event()
        self._responses: dict[int, asyncio.Future] = {}
        self._down_since_s: float | None = None
        self.last_packet_s: float | None = None
        self.set_time_tick: int | None = None

    def now(self) -> float:
        return self._clock() if self._clock is not None else time.time()

    # -- the loop --------------------------------------------------------------------------

    async def run(self) -> None:
        """Connect, stream, and reconnect with backoff, until :meth:`stop`."""
        failures = 0
        while not self._stop.is_set():
            try:
                streamed = await self._one_connection()
            except asyncio.CancelledError:
                raise
            except Exception as error:  # one insole's trouble never ends the session
                streamed = False
                self.health.error = f"{type(error).__name__}: {error}"
                logger.info("%s insole %s: %s", self.side, self.address, self.health.error)
            finally:
                await self._close_client()
            if self._stop.is_set():
                break
            failures = 0 if streamed else failures + 1
            delay = min(self.backoff_max_s, self.backoff_initial_s * (2 ** max(0, failures - 1)))
            self.health.state = BACKOFF
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), delay)
        self.health.state = STOPPED
        self.health.connected = False

    async def stop(self) -> None:
        self._stop.set()
        self._lost.set()

    async def _one_connection(self) -> bool:
        """One connection from finding the insole to losing it; True if it streamed."""
        from firmware_bridge.ble.discovery import find_insole_with_rssi

        self.health.state = FINDING
        # a stop ends the search at once (not after the scan's full time)
        find = asyncio.ensure_future(find_insole_with_rssi(
            self.address, timeout_s=self.scan_timeout_s, transport=self.transport))
        stopping = asyncio.ensure_future(self._stop.wait())
        await asyncio.wait({find, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if not find.done():
            find.cancel()
            await asyncio.gather(find, return_exceptions=True)
            return False
        found = find.result()
        if found is None:
            raise TimeoutError(f"not advertising (scanned {self.scan_timeout_s:g} s)")
        device, rssi = found
        self.health.rssi = rssi
        if self._stop.is_set():
            return False
        self.health.state = CONNECTING
        self._lost.clear()
        client = await self._connect(device)
        self.client = client
        ready = await self._set_up(client)
        self._on_ready(self.side, ready)
        if self.health.battery_pct is not None:  # a read, not a notification: noted as such
            self._on_event(self.side, "note", f"battery {self.health.battery_pct}%")
        await self._subscribe(client)
        await self._command(client, profile.Command(profile.Opcode.SET_TIME,
                                                    unix_time_ms=int(self.now() * 1000)))
        await self._command(client, profile.Command(profile.Opcode.START))
        self.health.connects += 1
        self.health.connected = True
        self.health.state = STREAMING
        self.health.error = ""
        self._on_event(self.side, "connect", f"{self.address} connect #{self.health.connects}")
        await self._lost.wait()
        self.health.connected = False
        if not self._stop.is_set():
            self.health.link_losses += 1
            self._down_since_s = self.last_packet_s if self.last_packet_s else self.now()
            self._on_event(self.side, "disconnect", f"{self.address} link lost")
        return True

    async def _connect(self, device: BLEDevice) -> BleakClient:
        def lost(_client: BleakClient) -> None:
            self._lost.set()

        async with asyncio.timeout(self.connect_timeout_s):
            return await establish_connection(
                BleakClient, device, f"{self.side} insole", disconnected_callback=lost,
                max_attempts=CONNECT_ATTEMPTS, timeout=self.connect_timeout_s,
                **bleak_backend(self.transport, scanner=False),
            )

    async def _set_up(self, client: BleakClient) -> DeviceInfo:
        read = client.read_gatt_char
        side = profile.decode_side(await read(profile.SIDE_UUID))
        if side != self.side:
            raise InputError(f"{self.address} says it is the {side} insole, paired as the "
                             f"{self.side} one: pair again", field="side")
        layout = bytes(await read(profile.SENSOR_LAYOUT_UUID))
        calibration = bytes(await read(profile.CALIBRATION_UUID))
        rates = bytes(await read(profile.RATES_UUID))
        try:
            battery = await read(profile.BATTERY_LEVEL_UUID)
            self.health.battery_pct = int(battery[0]) if battery else None
        except Exception as error:  # the Battery service is optional to a session
            logger.debug("battery read failed: %s", error)
        return DeviceInfo(self.address, side, layout, calibration, rates)

    async def _subscribe(self, client: BleakClient) -> None:
        def on_response(_c, data: bytearray) -> None:
            try:
                r = profile.decode_response(bytes(data))
            except profile.FrameError:
                return
            fut = self._responses.get(r.request_opcode)
            if fut is not None and not fut.done():
                fut.set_result(r)

        def on_battery(_c, data: bytearray) -> None:
            if data:
                self.health.battery_pct = int(data[0])
            self._receive(profile.BATTERY_LEVEL_UUID, data)

        await client.start_notify(profile.CONTROL_POINT_UUID, on_response)
        with contextlib.suppress(Exception):  # optional
            await client.start_notify(profile.BATTERY_LEVEL_UUID, on_battery)
        await client.start_notify(profile.PRESSURE_UUID,
                                  lambda _c, d: self._receive("pressure", d))
        await client.start_notify(profile.TEMPERATURE_UUID,
                                  lambda _c, d: self._receive("temperature", d))

    def _receive(self, characteristic: str, data: bytearray) -> None:
        t = self.now()
        if characteristic != profile.BATTERY_LEVEL_UUID:
            if self._down_since_s is not None:
                self.health.link_gaps_s.append((self._down_since_s, t))
                self._down_since_s = None
            self.last_packet_s = t
        try:
            self._deliver(self.address, characteristic, bytes(data), t)
        except Exception:  # never let a consumer error reach bleak's callback
            logger.exception("%s insole: notification handling failed", self.side)

    async def _command(self, client: BleakClient, command: profile.Command) -> None:
        op = int(command.opcode)
        fut = asyncio.get_running_loop().create_future()
        self._responses[op] = fut
        try:
            await client.write_gatt_char(profile.CONTROL_POINT_UUID,
                                         profile.encode_command(command), response=True)
            try:
                r = await asyncio.wait_for(fut, RESPONSE_TIMEOUT_S)
            except TimeoutError:
                self._on_event(self.side, "note", f"no answer to command {op:#04x}")
                return
        finally:
            self._responses.pop(op, None)
        if r.result != profile.ResultCode.SUCCESS:
            raise InputError(f"command {op:#04x} refused: result {int(r.result)}",
                             field="control point")
        if op == profile.Opcode.SET_TIME and r.tick is not None:
            self.set_time_tick = int(r.tick)
            self._on_event(self.side, "note", f"set time: device tick {r.tick}")

    async def _close_client(self) -> None:
        client, self.client = self.client, None
        self.health.connected = False
        if client is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(client.disconnect(), 3.0)


class _Pipeline:
    """The gate, the assemblers, the recording and the batches: shared by live and replay."""

    def __init__(self, pairing: Pairing | None, *, source: str,
                 writer: RecordingWriter | None = None,
                 expect: tuple[Foot, ...] = FEET,
                 tap: Callable[[Foot, float, str, bytes], None] | None = None) -> None:
        self.pairing = pairing
        self.tap = tap
        self.addresses = dict(pairing.addresses) if pairing is not None else {}
        self.source = source
        self.writer = writer
        self.expect = expect
        self.assemblers: dict[str, InsoleAssembler] = {}
        self.infos: dict[str, DeviceInfo] = {}
        self.device_index: dict[str, int] = {}
        self.pair: PairAssembler | None = None
        self.ignored_unpaired: Counter[str] = Counter()
        self.problems: list[DataProblem] = []
        self.emitted_pressure_slots = 0

    def ready(self, side: Foot, info: DeviceInfo, host_time_s: float) -> None:
        old = self.infos.get(side)
        if old == info:
            return
        if old is not None:
            self.problems.append(DataProblem(self.source, f"{side} insole {info.address}: its "
                                             "layout, calibration or rates changed; kept the "
                                             "first", field=side))
            return
        self.infos[side] = info
        self.assemblers[side] = InsoleAssembler(side, info.layout, info.calibration,
                                                info.rates, source=self.source)
        if self.writer is not None:
            self.device_index[side] = self.writer.add_device(info)
        if self.pair is not None:
            self._join_late(side)
        elif all(s in self.assemblers for s in self.expect):
            self.build_pair()

    def build_pair(self) -> None:
        """Start the common grid with the insoles known now (a late one joins later)."""
        if self.pair is not None or not self.assemblers:
            return
        try:
            self.pair = PairAssembler(self.assemblers.get("left"), self.assemblers.get("right"),
                                      source=self.source)
        except InputError as error:  # two layouts or rates: one grid cannot hold both
            first = next(iter(self.assemblers))
            self.problems.append(DataProblem(self.source, f"{error}; only the {first} insole "
                                             "is put on the grid", field=first))
            self.pair = PairAssembler(*(self.assemblers[first] if f == first else None
                                        for f in FEET), source=self.source)

    def _join_late(self, side: Foot) -> None:
        a = self.assemblers[side]
        ref = self.pair.layout
        if (a.layout.n_sensors != ref.n_sensors
                or float(a.rates.pressure_hz) != self.pair.rate_hz):
            self.problems.append(DataProblem(self.source, f"{side} insole: another layout or "
                                             "rate than the other foot; not put on the grid",
                                             field=side))
            return
        self.pair.insoles[side] = a

    def accept(self, address: str, characteristic: str, data: bytes,
               host_time_s: float) -> bool:
        """The gate: data only from a paired address (else ignored and counted)."""
        side = self.addresses.get(address.upper())
        if side is None:
            self.ignored_unpaired[address.upper()] += 1
            return False
        if self.writer is not None and side in self.device_index:
            self.writer.notification(host_time_s, self.device_index[side], characteristic,
                                     data)
        if self.tap is not None:
            try:
                self.tap(side, host_time_s, characteristic, data)
            except Exception:  # a consumer's error never reaches the radio's callback
                logger.exception("tap of the %s insole failed", side)
        a = self.assemblers.get(side)
        if a is None:
            return True
        if self.pair is not None and self.pair.insoles.get(side) is a:
            self.pair.feed(side, host_time_s, characteristic, data)
        else:
            a.feed(host_time_s, characteristic, data)
        return True

    def event(self, side: Foot | None, kind: str, text: str, host_time_s: float) -> None:
        if self.writer is not None:
            idx = self.device_index.get(side) if side else None
            self.writer.event(host_time_s, kind, device=idx, text=text)

    def drain(self, final: bool = False):
        if self.pair is None:
            return None, None
        batch = self.pair.drain(final=final)
        if batch.pressure is not None:
            self.emitted_pressure_slots += batch.pressure.n_samples
        return batch.pressure, batch.temperature

    def stats(self) -> dict[str, LinkStats]:
        return {s: a.stats for s, a in self.assemblers.items()}


class WearerSession:
    """Both paired insoles of a wearer, streamed (see the module docstring).

    Use ``async with WearerSession(pairing) as session: async for batch in session: ...``, or
    :meth:`start` / :meth:`stop` with ``on_batch``. ``record_to`` writes the raw log
    (docs/recording-format.md) of everything received. ``pair_wait_s`` is how long the grid
    waits for the second insole before it starts with one (the other joins when it comes).
    ``tap(side, host_time_s, characteristic, data)`` is called with every accepted
    notification as it arrives (before the assemblers' whole-second grid), e.g. to show the
    newest frame at once; :meth:`device_info` gives what it needs to decode it.
    """

    def __init__(
        self,
        pairing: Pairing,
        *,
        transport: str | None = None,
        record_to: str | Path | None = None,
        on_batch: Callable[[SessionBatch], None] | None = None,
        clock: Clock | None = None,
        drain_interval_s: float = DRAIN_INTERVAL_S,
        connect_timeout_s: float = CONNECT_TIMEOUT_S,
        scan_timeout_s: float = SCAN_TIMEOUT_S,
        backoff_initial_s: float = BACKOFF_INITIAL_S,
        backoff_max_s: float = BACKOFF_MAX_S,
        pair_wait_s: float | None = None,
        sides: tuple[Foot, ...] = FEET,
        tap: Callable[[Foot, float, str, bytes], None] | None = None,
    ) -> None:
        self.pairing = pairing
        self.tap = tap
        self.transport = transport
        self.record_to = Path(record_to) if record_to is not None else None
        self.on_batch = on_batch
        self._clock = clock
        self.drain_interval_s = drain_interval_s
        self.pair_wait_s = PAIR_WAIT_S if pair_wait_s is None else pair_wait_s
        self._insole_kw = {"transport": transport, "connect_timeout_s": connect_timeout_s,
                           "scan_timeout_s": scan_timeout_s,
                           "backoff_initial_s": backoff_initial_s,
                           "backoff_max_s": backoff_max_s}
        self.sides = tuple(sides)
        self.insoles: dict[str, InsoleSession] = {}
        self.writer: RecordingWriter | None = None
        self._pipe: _Pipeline | None = None
        self._tasks: list[asyncio.Task] = []
        self._queue: asyncio.Queue[SessionBatch | None] = asyncio.Queue()
        self._started_s = 0.0
        self._stopped = False

    # -- life cycle ------------------------------------------------------------------------

    def now(self) -> float:
        return self._clock()

    async def start(self) -> WearerSession:
        if self._clock is None:
            self._clock = loop_clock()
        self._started_s = self.now()
        if self.record_to is not None:
            self.writer = RecordingWriter(self.record_to, wearer=self.pairing.wearer,
                                          created_unix_s=self._started_s)
        self._pipe = _Pipeline(self.pairing, source=str(self.record_to or "<live>"),
                               writer=self.writer, expect=self.sides, tap=self.tap)
        for side in self.sides:
            insole = InsoleSession(
                side, self.pairing.insole(side).address, deliver=self.handle_notification,
                on_ready=self._ready, on_event=self._event, clock=self._clock,
                **self._insole_kw)
            self.insoles[side] = insole
            self._tasks.append(asyncio.create_task(insole.run(), name=f"insole-{side}"))
        self._tasks.append(asyncio.create_task(self._drain_loop(), name="drain"))
        return self

    async def stop(self) -> SessionBatch:
        """Disconnect both insoles, emit everything still held (``final``), close the log."""
        if self._stopped:
            return self._batch(None, None, final=True)
        self._stopped = True
        for insole in self.insoles.values():
            await insole.stop()
        drain = self._tasks[-1] if self._tasks else None
        if drain is not None:
            drain.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._pipe.build_pair()  # (if the second insole never came, the first one's data)
        p, t = self._pipe.drain(final=True)
        batch = self._batch(p, t, final=True)
        self._emit(batch)
        self._queue.put_nowait(None)
        if self.writer is not None:
            self.writer.close()
        return batch

    async def __aenter__(self) -> WearerSession:
        return await self.start()

    async def __aexit__(self, *exc) -> None:
        await self.stop()

    def __aiter__(self) -> AsyncIterator[SessionBatch]:
        return self._iterate()

    async def _iterate(self) -> AsyncIterator[SessionBatch]:
        while True:
            batch = await self._queue.get()
            if batch is None:
                return
            yield batch

    # -- plumbing --------------------------------------------------------------------------

    def handle_notification(self, address: str, characteristic: str, data: bytes,
                            host_time_s: float | None = None) -> bool:
        """The one entry of notifications: True when taken, False when ignored (the address
        is not paired to this wearer; counted in :attr:`ignored_unpaired`)."""
        t = self.now() if host_time_s is None else host_time_s
        return self._pipe.accept(address, characteristic, data, t)

    @property
    def ignored_unpaired(self) -> Counter[str]:
        return self._pipe.ignored_unpaired if self._pipe else Counter()

    @property
    def problems(self) -> list[DataProblem]:
        out = list(self._pipe.problems)
        if self._pipe.pair is not None:
            out += self._pipe.pair.problems()
        return out

    def device_info(self, side: Foot) -> DeviceInfo | None:
        """What the ``side`` insole said when it first connected (layout, calibration,
        rates), or None before that."""
        return self._pipe.infos.get(side) if self._pipe is not None else None

    def _ready(self, side: Foot, info: DeviceInfo) -> None:
        self._pipe.ready(side, info, self.now())

    def _event(self, side: Foot, kind: str, text: str) -> None:
        self._pipe.event(side, kind, text, self.now())

    def health(self) -> dict[str, LinkHealth]:
        now = self.now()
        stats = self._pipe.stats() if self._pipe else {}
        out = {}
        for side, insole in self.insoles.items():
            h = insole.health
            s = stats.get(side)
            h.stats = s
            h.loss_pct = s.lost_percent if s is not None else 0.0
            h.last_packet_age_s = (now - insole.last_packet_s
                                   if insole.last_packet_s is not None else None)
            out[side] = h
        return out

    def _batch(self, p, t, *, final: bool = False) -> SessionBatch:
        return SessionBatch(p, t, self.health(), self.now(),
                            sum(self.ignored_unpaired.values()), final)

    def _emit(self, batch: SessionBatch) -> None:
        if self.on_batch is not None:
            try:
                self.on_batch(batch)
            except Exception:
                logger.exception("on_batch failed")
        self._queue.put_nowait(batch)

    async def _drain_loop(self) -> None:
        while True:
            await asyncio.sleep(self.drain_interval_s)
            pipe = self._pipe
            try:
                if pipe.pair is None and pipe.assemblers and \
                        self.now() - self._started_s >= self.pair_wait_s:
                    pipe.build_pair()  # the other insole is late: start without it
                p, t = pipe.drain()
            except Exception:  # a bug here must not silently end the batches
                logger.exception("draining the assemblers failed")
                p = t = None
            self._emit(self._batch(p, t))


async def replay_batches(path: str | Path, *, speed: float | None = 1.0,
                         batch_interval_s: float = 1.0) -> AsyncIterator[SessionBatch]:
    """A raw log through the live path: :class:`SessionBatch` per ``batch_interval_s`` of
    recorded time (waiting ``batch_interval_s / speed`` between them; ``speed`` None: as
    fast as possible), the last one ``final``. Health comes from the log (connect and
    disconnect events, packet times)."""
    log = read_log(path)
    if not log.devices:
        raise InputError("the log names no insole", source=str(path))
    by_side = {d.side: d for d in log.devices}
    from firmware_bridge.ble.pairing import PairedInsole

    left = by_side.get("left")
    right = by_side.get("right")
    pairing = Pairing(str(log.session.get("wearer", "")),
                      PairedInsole(left.address if left else "-"),
                      PairedInsole(right.address if right else "-"))
    pipe = _Pipeline(pairing, source=str(path), expect=tuple(by_side))
    for side, info in by_side.items():
        pipe.ready(side, info, 0.0)
    health = {side: LinkHealth(side, info.address, state=STREAMING, connected=True)
              for side, info in by_side.items()}
    last_packet: dict[str, float] = {}
    down_since: dict[str, float] = {}
    events = sorted(log.events, key=lambda e: e.host_time_s)
    ei = 0
    next_emit: float | None = None

    def batch(p, t, now: float, final: bool = False) -> SessionBatch:
        stats = pipe.stats()
        for side, h in health.items():
            h.stats = stats.get(side)
            h.loss_pct = h.stats.lost_percent if h.stats else 0.0
            lp = last_packet.get(side)
            h.last_packet_age_s = None if lp is None else now - lp
        return SessionBatch(p, t, {k: LinkHealth(**{**v.__dict__,
                                                    "link_gaps_s": list(v.link_gaps_s)})
                                   for k, v in health.items()},
                            now, sum(pipe.ignored_unpaired.values()), final)

    now = 0.0
    async for n in replay(path, speed=speed):
        now = n.host_time_s
        while ei < len(events) and events[ei].host_time_s <= now:
            e = events[ei]
            ei += 1
            if e.device is not None and e.device.side in health:
                h = health[e.device.side]
                if e.kind == "connect":
                    h.connected, h.state = True, STREAMING
                    h.connects += 1
                elif e.kind == "note" and e.text.startswith("battery ") and \
                        e.text.endswith("%") and e.text[8:-1].isdigit():
                    h.battery_pct = int(e.text[8:-1])
                elif e.kind == "disconnect":
                    h.connected, h.state = False, BACKOFF
                    h.link_losses += 1
                    down_since[e.device.side] = last_packet.get(e.device.side, e.host_time_s)
        if next_emit is None:
            next_emit = now + batch_interval_s
        pipe.accept(n.device.address, n.characteristic, n.data, n.host_time_s)
        if n.characteristic == profile.BATTERY_LEVEL_UUID and n.data:
            health[n.device.side].battery_pct = int(n.data[0])
        if n.characteristic in ("pressure", "temperature"):
            side = n.device.side
            if side in down_since:
                health[side].link_gaps_s.append((down_since.pop(side), n.host_time_s))
            last_packet[side] = n.host_time_s
        if now >= next_emit:
            next_emit += batch_interval_s
            p, t = pipe.drain()
            yield batch(p, t, now)
    p, t = pipe.drain(final=True)
    yield batch(p, t, now, final=True)


__all__ = ["InsoleSession", "LinkHealth", "SessionBatch", "WearerSession", "loop_clock",
           "replay_batches"]
