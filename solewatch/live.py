"""The BLE commands of the CLI: scan, pair, unpair, stream, record, replay, simulate.

An edge: it parses nothing (cli.py does), calls firmware_bridge.ble and analysis, and prints.
With $SOLEWATCH_BLE_TRANSPORT unset there is no Bluetooth adapter configured: the command then
starts two virtual insoles on the in-process virtual radio (and says so on stderr), so scan,
pair and stream work as a demo. ``SOLEWATCH_BLE_TRANSPORT=virtual`` is the same radio without
them.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Awaitable, Callable
from datetime import datetime
from pathlib import Path

import numpy as np

from analysis.errors import SolewatchError
from analysis.sites import FEET, SITES
from analysis.streams import PressureStream
from firmware_bridge.ble.radio import TRANSPORT_ENV

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
NO_INSOLE = ("No insole found. Is it charged and near? Press its button (or take it out of "
             "the charger) to wake it, keep it within a few metres, and try again.")
VIRTUAL_NOTE = "using two virtual insoles (no Bluetooth adapter configured)"
#: Seconds of pressure the live cadence is computed over.
CADENCE_WINDOW_S = 10.0


def _err(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def demo_mode() -> bool:
    """No transport configured: the CLI brings its own two virtual insoles."""
    return not os.environ.get(TRANSPORT_ENV, "").strip()


async def _with_radio(work: Callable[[], Awaitable[int]]) -> int:
    """Run ``work`` with the virtual demo insoles started first (demo mode), radio closed after."""
    from firmware_bridge.ble import get_radio
    from firmware_bridge.ble.radio import current_radio

    if demo_mode():
        from firmware_bridge.ble.peripheral import VirtualInsole

        _err(VIRTUAL_NOTE)
        radio = await get_radio()
        for i, side in enumerate(FEET):
            await radio.add_peripheral(VirtualInsole(side, seed=i))
    try:
        return await work()
    finally:
        radio = current_radio()
        if radio is not None:
            with contextlib.suppress(Exception):
                await radio.close()


def _run(work: Callable[[], Awaitable[int]]) -> int:
    try:
        return asyncio.run(_with_radio(work))
    except SolewatchError as error:
        _err(f"solewatch: {error}")
        return EXIT_FAILED


# -- scan, pair, unpair --------------------------------------------------------------------


def cmd_scan(args) -> int:
    from firmware_bridge.ble.discovery import scan

    async def work() -> int:
        _err(f"scanning for {args.timeout:g} s ...")
        found = await scan(args.timeout, read_battery_level=not args.no_battery)
        if not found:
            print(NO_INSOLE)
            return EXIT_FAILED
        print(f"{'name':<10} {'side':<6} {'address':<18} {'RSSI':>9} {'battery':>8}")
        for i in found:
            rssi = f"{i.rssi} dBm" if i.rssi is not None else "-"
            bat = f"{i.battery_pct}%" if i.battery_pct is not None else "-"
            print(f"{i.name:<10} {i.side:<6} {i.address:<18} {rssi:>9} {bat:>8}")
        return EXIT_OK

    return _run(work)


def cmd_pair(args) -> int:
    from firmware_bridge.ble.discovery import scan
    from firmware_bridge.ble.pairing import choose_pair, data_home, pair

    async def work() -> int:
        if args.auto:
            if args.left or args.right:
                _err("solewatch pair: give LEFT and RIGHT or --auto, not both")
                return EXIT_USAGE
            _err(f"scanning for {args.timeout:g} s ...")
            found = await scan(args.timeout, read_battery_level=False)
            if not found:
                print(NO_INSOLE)
                return EXIT_FAILED
            left, right = choose_pair(found)
            left_address, right_address = left.address, right.address
        else:
            if not (args.left and args.right):
                _err("solewatch pair: give LEFT and RIGHT addresses (see 'solewatch scan'), "
                     "or --auto")
                return EXIT_USAGE
            left_address, right_address = args.left, args.right
        _err(f"pairing {left_address} (left) and {right_address} (right) to {args.wearer} ...")
        p = await pair(args.wearer, left_address, right_address, bond=not args.no_bond)
        for side in FEET:
            ins = p.insole(side)
            bond = "bonded" if ins.bonded else "not bonded"
            print(f"{side:<5} {ins.name or '?':<10} {ins.address}  {bond} ({ins.bond_note})")
        print(f"paired to {p.wearer}; saved in {data_home() / 'pairings.json'}")
        return EXIT_OK

    return _run(work)


def cmd_unpair(args) -> int:
    from firmware_bridge.ble.pairing import unpair

    try:
        gone = unpair(args.wearer)
    except SolewatchError as error:
        _err(f"solewatch: {error}")
        return EXIT_FAILED
    print(f"unpaired {gone.wearer}: left {gone.left.address}, right {gone.right.address}")
    return EXIT_OK


# -- stream, record, replay ----------------------------------------------------------------


class LiveSummary:
    """One line per second: each insole's link, cadence and steps, temperatures L-R."""

    def __init__(self) -> None:
        self._pressure: list[PressureStream] = []
        self.steps = 0
        self._last_ic_s = -np.inf
        self._temps: dict[str, np.ndarray] = {}
        self.samples = 0

    def add(self, batch) -> None:
        p = batch.pressure
        if p is not None:
            self.samples += p.n_samples
            self._pressure.append(p)
            end = p.time_s[-1]
            while self._pressure and self._pressure[0].time_s[-1] < end - CADENCE_WINDOW_S:
                self._pressure.pop(0)
        t = batch.temperature
        if t is not None and t.n_samples:
            for i, f in enumerate(FEET):
                rows = t.values_c[:, i, :]
                ok = np.isfinite(rows).any(axis=1)
                if ok.any():
                    self._temps[f] = rows[np.flatnonzero(ok)[-1]]

    def _gait(self) -> str:
        if not self._pressure:
            return "cadence -"
        from analysis.config import GaitConfig
        from analysis.gait.events import detect_events
        from firmware_bridge.stream import concat_pressure

        stream = concat_pressure(self._pressure)
        duration = stream.time_s[-1] - stream.time_s[0]
        if duration < 3.0:
            return "cadence -"
        try:
            events = detect_events(stream, GaitConfig())
        except SolewatchError:
            return "cadence -"
        ics = np.sort(np.concatenate([e.initial_contacts_s for e in events.values()]))
        new = ics[ics > self._last_ic_s]
        self.steps += int(new.size)
        if new.size:
            self._last_ic_s = float(new[-1])
        cadence = 60.0 * ics.size / duration if ics.size >= 2 else 0.0
        return f"cadence {cadence:3.0f}/min steps {self.steps}"

    def _temperature(self) -> str:
        if not self._temps:
            return "T -"
        parts = []
        for f in FEET:
            v = self._temps.get(f)
            parts.append(f"{f[0].upper()} {np.nanmean(v):.1f}" if v is not None
                         and np.isfinite(v).any() else f"{f[0].upper()} -")
        text = "T " + " ".join(parts) + " °C"
        if all(f in self._temps for f in FEET):
            d = self._temps["left"] - self._temps["right"]
            if np.isfinite(d).any():
                i = int(np.nanargmax(np.abs(d)))
                text += f" (L-R max {d[i]:+.1f} {SITES[i]})"
        return text

    def line(self, batch, *, clock_s: float | None = None) -> str:
        when = datetime.fromtimestamp(clock_s or batch.host_time_s).strftime("%H:%M:%S")
        links = []
        for side in FEET:
            h = batch.health.get(side)
            if h is None:
                continue
            rssi = f"{h.rssi}dBm" if h.rssi is not None else "-"
            bat = f"{h.battery_pct}%" if h.battery_pct is not None else "-"
            age = f"{h.last_packet_age_s:.2f}s" if h.last_packet_age_s is not None else "-"
            state = "up" if h.connected else h.state
            links.append(f"{side[0].upper()} {state} {rssi} loss {h.loss_pct:.1f}% bat {bat} "
                         f"age {age}")
        return f"{when} | " + " | ".join(links) + f" | {self._gait()} | {self._temperature()}"


def _resolve_pairing(wearer: str | None):
    from firmware_bridge.ble.pairing import PairedInsole, Pairing, PairingError, PairingStore
    from firmware_bridge.ble.peripheral import DEFAULT_ADDRESSES

    store = PairingStore()
    if wearer:
        p = store.get(wearer)
        if p is None:
            raise PairingError(f"no insoles are paired to {wearer!r}: run 'solewatch pair "
                               f"{wearer} LEFT RIGHT' (or --auto)")
        return p
    if demo_mode() and not store.load():
        _err("no pairing saved: streaming the two virtual insoles as wearer 'demo'")
        return Pairing("demo", PairedInsole(DEFAULT_ADDRESSES["left"]),
                       PairedInsole(DEFAULT_ADDRESSES["right"]))
    return store.only_wearer()


async def _stream(wearer: str | None, seconds: float | None, record_to: Path | None) -> int:
    from firmware_bridge.ble.session import WearerSession

    pairing = _resolve_pairing(wearer)
    summary = LiveSummary()
    _err(f"streaming {pairing.wearer}: left {pairing.left.address}, right "
         f"{pairing.right.address}" + (f", recording to {record_to}" if record_to else "")
         + (f" for {seconds:g} s" if seconds else " (Ctrl-C stops)"))
    session = WearerSession(pairing, record_to=record_to, drain_interval_s=1.0)
    await session.start()
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    import signal

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)

    async def show() -> None:
        async for batch in session:
            summary.add(batch)
            if not batch.final:
                print(summary.line(batch), flush=True)

    shower = asyncio.create_task(show())
    try:
        if seconds:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), seconds)
        else:
            await stop.wait()
    finally:
        final = await session.stop()
        await shower
    for side, h in final.health.items():
        s = h.stats
        if s is None:
            print(f"{side}: never connected ({h.error or 'not found'})")
            continue
        gaps = ", ".join(f"{b - a:.2f} s" for a, b in h.link_gaps_s) or "none"
        print(f"{side}: {s.emitted} frames, {s.lost} lost ({s.lost_percent:.2f}%), "
              f"{s.malformed + s.truncated} bad, {h.connects} connects, link gaps {gaps}")
    if final.ignored_unpaired:
        print(f"ignored {final.ignored_unpaired} notifications from unpaired insoles")
    print(f"{summary.samples} pressure samples on the grid"
          + (f"; recording in {record_to}" if record_to else ""))
    return EXIT_OK


def cmd_stream(args) -> int:
    return _run(lambda: _stream(args.wearer, args.seconds, None))


def cmd_record(args) -> int:
    # 'record OUT' or 'record WEARER OUT'
    wearer, out = (None, args.first) if args.out is None else (args.first, args.out)
    path = Path(out)
    if path.exists():
        _err(f"solewatch record: {path} exists; give a new file name")
        return EXIT_USAGE
    return _run(lambda: _stream(wearer, args.seconds, path))


def cmd_replay(args) -> int:
    from firmware_bridge.ble.session import replay_batches

    speed = args.speed if args.speed and args.speed > 0 else None

    async def work() -> int:
        summary = LiveSummary()
        final = None
        async for batch in replay_batches(args.file, speed=speed):
            summary.add(batch)
            if batch.final:
                final = batch
            else:
                print(summary.line(batch), flush=True)
        for side, h in (final.health.items() if final else []):
            s = h.stats
            if s is not None:
                print(f"{side}: {s.emitted} frames, {s.lost} lost ({s.lost_percent:.2f}%), "
                      f"{s.malformed + s.truncated} bad, link losses {h.link_losses}")
        print(f"{summary.samples} pressure samples on the grid")
        return EXIT_OK

    try:
        return asyncio.run(work())
    except SolewatchError as error:
        _err(f"solewatch: cannot replay {error}")
        return EXIT_FAILED


def cmd_simulate(args, extra: list[str]) -> int:
    from firmware_bridge.ble.simulate import main

    argv = list(extra)
    for item in filter(None, (args.faults or "").split(",")):
        name, _, value = item.partition("=")
        if not value:
            _err(f"solewatch simulate: --faults takes NAME=VALUE items, found {item!r}")
            return EXIT_USAGE
        argv += [f"--{name.strip()}", value.strip()]
    if args.port is not None:
        argv += ["--port", str(args.port)]
    if args.left:
        argv.append("--left")
    if args.right:
        argv.append("--right")
    return main(argv)


def add_parsers(sub) -> None:
    """Register the BLE subcommands on cli.py's subparsers."""
    p = sub.add_parser("scan", help="list the insoles nearby (name, side, RSSI, battery)")
    p.add_argument("--timeout", type=float, default=3.0, metavar="S",
                   help="seconds to scan (default %(default)s)")
    p.add_argument("--no-battery", action="store_true",
                   help="do not connect briefly to read each battery level")
    p.set_defaults(func=cmd_scan)

    p = sub.add_parser("pair", help="pair a left and a right insole to a wearer")
    p.add_argument("wearer", metavar="WEARER")
    p.add_argument("left", nargs="?", metavar="LEFT", help="address of the left insole")
    p.add_argument("right", nargs="?", metavar="RIGHT", help="address of the right insole")
    p.add_argument("--auto", action="store_true",
                   help="pick the one left and the one right insole found")
    p.add_argument("--timeout", type=float, default=3.0, metavar="S",
                   help="seconds to scan with --auto (default %(default)s)")
    p.add_argument("--no-bond", action="store_true", help="do not ask for bonding")
    p.set_defaults(func=cmd_pair)

    p = sub.add_parser("unpair", help="forget a wearer's insoles")
    p.add_argument("wearer", metavar="WEARER")
    p.set_defaults(func=cmd_unpair)

    p = sub.add_parser("stream", help="stream a wearer's insoles, one summary line a second")
    p.add_argument("wearer", nargs="?", metavar="WEARER",
                   help="a paired wearer (may be left out when only one is paired)")
    p.add_argument("--seconds", type=float, default=None, metavar="N",
                   help="stop after N seconds (default: Ctrl-C)")
    p.set_defaults(func=cmd_stream)

    p = sub.add_parser("record", help="stream and write the raw log (.swlog)")
    p.add_argument("first", metavar="WEARER|OUT", help="WEARER (optional) then OUT.swlog")
    p.add_argument("out", nargs="?", metavar="OUT.swlog")
    p.add_argument("--seconds", type=float, default=None, metavar="N",
                   help="stop after N seconds (default: Ctrl-C)")
    p.set_defaults(func=cmd_record)

    p = sub.add_parser("replay", help="replay a raw log through the live decode path")
    p.add_argument("file", metavar="FILE")
    p.add_argument("--speed", type=float, default=1.0, metavar="X",
                   help="replay speed (1 = as recorded; 0 = as fast as possible)")
    p.set_defaults(func=cmd_replay)

    p = sub.add_parser(
        "simulate", help="run virtual insoles as their own process (HCI over TCP)",
        description="Virtual insoles behind an HCI-over-TCP controller; point a client at "
        "them with SOLEWATCH_BLE_TRANSPORT=tcp-client:127.0.0.1:PORT. Other options "
        "(--drop P, --drift-ppm X, --link-loss-at S, --pressure-hz N, --seed N, ...) go to "
        "python -m firmware_bridge.ble.simulate.")
    p.add_argument("--port", type=int, default=None, help="TCP port (default 9000)")
    p.add_argument("--left", action="store_true", help="only a left insole (default both)")
    p.add_argument("--right", action="store_true", help="only a right insole (default both)")
    p.add_argument("--faults", metavar="NAME=VALUE,...",
                   help="faults to inject, e.g. drop=0.02,drift-ppm=100,link-loss-at=30")
    p.set_defaults(func=cmd_simulate, takes_extra=True)

