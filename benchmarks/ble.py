"""Streaming over BLE: notification latency and CPU per insole at 100 Hz (issue "firmware
bridge", item 9).

Run with ``.venv/bin/python -m benchmarks.ble`` (about 2 x ``--seconds`` plus a few s). Real
time, no virtual clock. Not a pass/fail test.

1. **Latency**, in one process over the in-process virtual radio: two virtual insoles note the
   loop time at which each notification is handed to their stack; the session notes the host
   receive time of the same frame (``loop_clock``: the same clock). Reported per frame, p50
   and p99: *radio* = send -> the session's gate (bumble host stacks, virtual controllers,
   bleak's callback); *to grid* = send -> the first pressure batch that holds the frame's last
   sample (the clock fit maps a frame only when the second it arrived in is over, and the
   session drains every ``--drain-s``: this is what a live display waits).
2. **CPU**: the two insoles run in a separate simulator process behind HCI over TCP
   (``python -m firmware_bridge.ble.simulate``), this process runs the ``WearerSession``
   (bumble host stack, bleak, assemblers, pair grid; no recording). CPU seconds per second of
   streaming of each process, from ``time.process_time`` here and ``/proc/PID/stat`` for the
   simulator, divided by two for "per insole". The in-process figure (host and both insoles
   on one loop) is given for comparison.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from firmware_bridge.ble import get_radio
from firmware_bridge.ble.pairing import PairedInsole, Pairing
from firmware_bridge.ble.peripheral import DEFAULT_ADDRESSES, PRESSURE, VirtualInsole
from firmware_bridge.ble.session import WearerSession, loop_clock

REPO = Path(__file__).resolve().parents[1]


class TimedInsole(VirtualInsole):
    """Notes the loop time each pressure notification is handed to the stack, by seq."""

    def __init__(self, side: str, **kw) -> None:
        super().__init__(side, **kw)
        self.sent_at: dict[int, float] = {}

    async def _send(self, what, char, frames, now) -> None:
        if what == PRESSURE:
            loop_now = asyncio.get_running_loop().time()
            for f in frames:
                self.sent_at[int.from_bytes(f[2:4], "little")] = loop_now
        await super()._send(what, char, frames, now)


def _pairing() -> Pairing:
    return Pairing("bench", PairedInsole(DEFAULT_ADDRESSES["left"]),
                   PairedInsole(DEFAULT_ADDRESSES["right"]))


async def _latency(seconds: float, drain_s: float) -> dict:
    radio = await get_radio("virtual")
    insoles = {s: await radio.add_peripheral(TimedInsole(s, seed=i))
               for i, s in enumerate(("left", "right"))}
    clock = loop_clock()
    loop = asyncio.get_running_loop()
    anchor = clock() - loop.time()
    received: list[tuple[str, int, float]] = []  # side, seq, host time
    gridded: list[tuple[float, float]] = []  # (last grid slot host time, batch host time)

    def on_batch(batch) -> None:
        if batch.pressure is not None:
            gridded.append((batch.pressure.start.timestamp() + float(batch.pressure.time_s[-1]),
                            batch.host_time_s))

    session = WearerSession(_pairing(), transport="virtual", clock=clock,
                            drain_interval_s=drain_s, on_batch=on_batch)
    gate = session.handle_notification
    by_address = {v.address: k for k, v in insoles.items()}

    def tap(address, characteristic, data, host_time_s=None):
        if characteristic == "pressure" and len(data) >= 4:
            received.append((by_address.get(address, "?"),
                             int.from_bytes(data[2:4], "little"), host_time_s))
        return gate(address, characteristic, data, host_time_s)

    session.handle_notification = tap
    cpu0 = time.process_time()
    await session.start()
    await asyncio.sleep(seconds)
    cpu = time.process_time() - cpu0
    await session.stop()
    await radio.close()
    radio_ms = []
    grid_ms = []
    ends = np.array([g[0] for g in gridded])
    emitted_at = np.array([g[1] for g in gridded])
    tick_s = 1.0 / insoles["left"].rates.pressure_hz
    for side, seq, t in received:
        sent = insoles[side].sent_at.get(seq)
        if sent is None:
            continue
        radio_ms.append((t - (anchor + sent)) * 1e3)
        # the frame's last sample was taken at about its send time
        k = np.searchsorted(ends, anchor + sent - tick_s / 2)
        if k < ends.size:
            grid_ms.append((emitted_at[k] - (anchor + sent)) * 1e3)
    r, g = np.array(radio_ms), np.array(grid_ms)
    return {"frames": int(r.size), "radio_p50_ms": float(np.percentile(r, 50)),
            "radio_p99_ms": float(np.percentile(r, 99)), "radio_max_ms": float(r.max()),
            "to_grid_p50_ms": float(np.percentile(g, 50)),
            "to_grid_p99_ms": float(np.percentile(g, 99)),
            "in_process_cpu_s_per_s": cpu / seconds}


def _proc_cpu_s(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def _host_cpu(transport: str, seconds: float, sim_pid: int) -> dict:
    session = WearerSession(_pairing(), transport=transport, drain_interval_s=1.0)
    await session.start()
    # count from the moment both stream
    for _ in range(100):
        if all(h.connected for h in session.health().values()):
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(1.0)
    host0, sim0, wall0 = time.process_time(), _proc_cpu_s(sim_pid), time.monotonic()
    await asyncio.sleep(seconds)
    host, sim, wall = (time.process_time() - host0, _proc_cpu_s(sim_pid) - sim0,
                       time.monotonic() - wall0)
    final = await session.stop()
    frames = sum(h.stats.emitted for h in final.health.values() if h.stats)
    from firmware_bridge.ble.radio import current_radio

    radio = current_radio(transport)
    if radio is not None:
        await radio.close()
    return {"seconds": wall, "host_cpu_s_per_s": host / wall, "simulator_cpu_s_per_s": sim / wall,
            "host_cpu_pct_per_insole": 100 * host / wall / 2,
            "simulator_cpu_pct_per_insole": 100 * sim / wall / 2, "frames": frames}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20.0, help="per measurement")
    parser.add_argument("--drain-s", type=float, default=0.25,
                        help="session drain interval of the latency run")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(argv)

    latency = asyncio.run(_latency(args.seconds, args.drain_s))
    port = _free_port()
    sim = subprocess.Popen([sys.executable, "-m", "firmware_bridge.ble.simulate", "--left",
                            "--right", "--port", str(port)], cwd=REPO,
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        line = sim.stdout.readline()
        if not line.startswith("listening"):
            raise SystemExit(f"simulator did not start: {line}")
        cpu = asyncio.run(_host_cpu(f"tcp-client:127.0.0.1:{port}", args.seconds, sim.pid))
    finally:
        sim.terminate()
        sim.wait(10)
    result = {"latency": latency, "cpu_over_hci_tcp": cpu,
              "load_average": os.getloadavg(), "cpus": os.cpu_count()}
    if args.json:
        print(json.dumps(result, indent=2))
    else:
        lat = latency
        print(f"latency, in-process virtual radio, {lat['frames']} pressure frames at 100 Hz x 2:")
        print(f"  send -> host receive  p50 {lat['radio_p50_ms']:.2f} ms  p99 "
              f"{lat['radio_p99_ms']:.2f} ms  max {lat['radio_max_ms']:.2f} ms")
        print(f"  send -> on the grid   p50 {lat['to_grid_p50_ms']:.0f} ms  p99 "
              f"{lat['to_grid_p99_ms']:.0f} ms  (drain every {args.drain_s:g} s)")
        print(f"  in-process CPU (host + both insoles): {100 * lat['in_process_cpu_s_per_s']:.1f}%"
              " of one core")
        print(f"CPU over HCI/TCP, {cpu['seconds']:.1f} s, {cpu['frames']} frames:")
        print(f"  host (session) {100 * cpu['host_cpu_s_per_s']:.1f}% of a core = "
              f"{cpu['host_cpu_pct_per_insole']:.1f}% per insole")
        print(f"  simulator      {100 * cpu['simulator_cpu_s_per_s']:.1f}% of a core = "
              f"{cpu['simulator_cpu_pct_per_insole']:.1f}% per insole")
        print(f"  load average {result['load_average'][0]:.2f} on {result['cpus']} CPUs")
    return result


if __name__ == "__main__":
    main()
