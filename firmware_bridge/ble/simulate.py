"""Virtual insoles as their own process, reachable over HCI on TCP.

    python -m firmware_bridge.ble.simulate --left --right --port 9000

The process holds a virtual link with one controller per insole and one more controller
that speaks HCI to whoever connects to the TCP port (bumble's ``tcp-server`` transport). The
client side then runs its host stack against that controller::

    SOLEWATCH_BLE_TRANSPORT=tcp-client:127.0.0.1:9000 <the client>

and sees the insoles as if a dongle were plugged in. One client at a time. Prints
``listening on HOST:PORT`` once ready; stops on SIGINT/SIGTERM.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal
import sys

from bumble.link import LocalLink
from bumble.transport import open_transport

from firmware_bridge.ble.peripheral import DEFAULT_ADDRESSES, FaultPlan, VirtualInsole
from firmware_bridge.ble.radio import FixedController


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m firmware_bridge.ble.simulate",
        description="Virtual solewatch insoles behind an HCI-over-TCP controller.",
    )
    p.add_argument("--left", action="store_true", help="simulate a left insole")
    p.add_argument("--right", action="store_true", help="simulate a right insole")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default %(default)s)")
    p.add_argument("--port", type=int, default=9000, help="TCP port (default %(default)s)")
    p.add_argument("--pressure-hz", type=int, default=100, help="50..200 (default %(default)s)")
    p.add_argument("--temperature-period-ms", type=int, default=1000,
                   help="temperature sample period (default %(default)s)")
    p.add_argument("--seed", type=int, default=0, help="data and fault seed")
    p.add_argument("--drop", type=float, default=0.0, help="probability of losing a notification")
    p.add_argument("--drift-ppm", type=float, default=0.0, help="device clock error, ppm")
    p.add_argument("--link-loss-at", type=float, default=None,
                   help="seconds after Start at which the insole drops the link")
    p.add_argument("--link-loss-down", type=float, default=1.0,
                   help="seconds the insole stays silent after the link loss")
    p.add_argument("--burst-at", type=float, default=None,
                   help="seconds after Start at which a burst of notifications is lost")
    p.add_argument("--burst-frames", type=int, default=0, help="notifications in that burst")
    p.add_argument("--reboot-at", type=float, default=None,
                   help="seconds after Start at which the insole reboots (sequence reset)")
    p.add_argument("--low-battery-at", type=float, default=None,
                   help="seconds after Start at which the battery drops low")
    p.add_argument("--truncate", type=float, default=0.0,
                   help="probability of cutting a notification short")
    p.add_argument("--malformed", type=float, default=0.0,
                   help="probability of sending a malformed frame")
    p.add_argument("--recording", metavar="PATH", default=None,
                   help="stream this recording (a .swlog, a Moticon export or a session "
                   "folder, pressure in kPa or counts) instead of generated walking")
    return p


def _recording_streams(path: str):
    """Pressure and temperature of a recording, for the insoles to stream."""
    from firmware_bridge.readers import load_input

    rec = load_input(path)
    if rec.pressure is None:
        raise ValueError(f"{path}: no pressure recording to stream")
    if rec.pressure.unit == "N":
        raise ValueError(
            f"{path}: pressure in N without sensor areas cannot be sent as calibrated "
            "counts; use a recording in kPa or raw counts"
        )
    return rec.pressure, rec.temperature


async def serve(args: argparse.Namespace, ready: asyncio.Event | None = None) -> None:
    sides = [s for s in ("left", "right") if getattr(args, s)] or ["left", "right"]
    link = LocalLink()
    transport = await open_transport(f"tcp-server:{args.host}:{args.port}")
    FixedController("hci-bridge", host_source=transport.source, host_sink=transport.sink,
                    link=link)
    plan = FaultPlan(
        drop_probability=args.drop, drift_ppm=args.drift_ppm,
        link_loss_at_s=args.link_loss_at, link_loss_down_s=args.link_loss_down,
        burst_at_s=args.burst_at, burst_frames=args.burst_frames,
        reboot_at_s=args.reboot_at, low_battery_at_s=args.low_battery_at,
        truncate_probability=args.truncate, malformed_probability=args.malformed,
        seed=args.seed,
    )
    pressure = temperature = None
    if args.recording:
        pressure, temperature = _recording_streams(args.recording)
        sides = [s for s in sides if pressure.foot(s) is not None]
    insoles = []
    for i, side in enumerate(sides):
        insole = VirtualInsole(
            side, address=DEFAULT_ADDRESSES[side], pressure_hz=args.pressure_hz,
            temperature_period_ms=args.temperature_period_ms, faults=plan,
            seed=args.seed + i, pressure=pressure, temperature=temperature,
        )
        insoles.append(await insole.start(link))
    print(f"listening on {args.host}:{args.port} with "
          + ", ".join(f"{x.name} ({x.address})" for x in insoles), flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    if ready is not None:
        ready.set()
    try:
        await stop.wait()
    finally:
        for insole in insoles:
            await insole.stop()
        await transport.close()


def main(argv: list[str] | None = None) -> int:
    """Entry point (``solewatch simulate`` calls this with its own arguments)."""
    args = _parser().parse_args(argv)
    try:
        asyncio.run(serve(args))
    except KeyboardInterrupt:
        pass
    except OSError as error:
        print(f"simulate: cannot listen on {args.host}:{args.port}: {error}", file=sys.stderr)
        return 1
    except ValueError as error:  # includes InputError: a recording that cannot be streamed
        print(f"simulate: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
