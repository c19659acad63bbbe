"""Throughput of the BLE frame decoder (issue "firmware bridge", item 10, decode part).

Run with ``.venv/bin/python -m benchmarks.decode`` (pin to one core for comparable figures,
e.g. ``taskset -c 0``). Frames are encoded, outside the timed region, from a generated
two-minute left-insole solewatch-16 walk at 100 Hz (fixture generator) turned into 12-bit
counts (offset 40 counts, 0.25 kPa per count), at MTU 23 (two half frames per sample) and
MTU 247 (9 samples per all-channel frame). Reports channel values (sensor samples) per
second, best of ``--repeats``, for :func:`firmware_bridge.profile.decode_pressure_batch` on
the whole list and for the per-frame :func:`~firmware_bridge.profile.decode_frame` for
comparison. Not a pass/fail test.
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

from firmware_bridge.profile import (
    decode_frame,
    decode_pressure_batch,
    encode_pressure_frames,
)

OFFSET_COUNTS = 40
GAIN_KPA_PER_COUNT = 0.25
TICKS_PER_SAMPLE = 10.0  # 1 kHz tick, 100 Hz pressure
TARGET_SAMPLES_PER_S = 2_000_000


def realistic_counts(duration_s: float) -> np.ndarray:
    """(n, 16) uint16 counts of a generated walk (the fixture generator, healthy scenario)."""
    from analysis.layouts import SOLEWATCH_16
    from fixtures.generator import generate_gait

    pressure, _ = generate_gait(SOLEWATCH_16, sample_rate_hz=100.0, duration_s=duration_s,
                                scenario="healthy", seed=20261122)
    kpa = np.nan_to_num(np.asarray(pressure.left, dtype=np.float64), nan=0.0)
    counts = np.round(kpa / GAIN_KPA_PER_COUNT) + OFFSET_COUNTS
    return np.clip(counts, 0, 0xFFE).astype(np.uint16)


def best_of(fn, repeats: int) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def measure(counts: np.ndarray, mtu: int, repeats: int, scalar_frames: int) -> dict:
    n_sensors = counts.shape[1]
    frames = encode_pressure_frames(counts, ticks_per_sample=TICKS_PER_SAMPLE, mtu=mtu)
    values = counts.size
    result = decode_pressure_batch(frames, n_sensors=n_sensors,
                                   ticks_per_sample=TICKS_PER_SAMPLE)
    if not np.array_equal(result.counts, counts):
        raise AssertionError(f"MTU {mtu}: batch decode does not give back the counts")
    t_batch = best_of(lambda: decode_pressure_batch(
        frames, n_sensors=n_sensors, ticks_per_sample=TICKS_PER_SAMPLE), repeats)
    buffer, lengths = b"".join(frames), np.fromiter(map(len, frames), np.int64)
    t_buffer = best_of(lambda: decode_pressure_batch(
        (buffer, lengths), n_sensors=n_sensors, ticks_per_sample=TICKS_PER_SAMPLE), repeats)
    some = frames[:scalar_frames]
    some_values = values * len(some) / len(frames)

    def scalar():
        for f in some:
            decode_frame(f, n_sensors=n_sensors)

    t_scalar = best_of(scalar, repeats)
    return {
        "mtu": mtu,
        "frames": len(frames),
        "frame_bytes": max(len(f) for f in frames),
        "channel_values": int(values),
        "batch_values_per_s": values / t_batch,
        "batch_from_buffer_values_per_s": values / t_buffer,
        "scalar_values_per_s": some_values / t_scalar,
        "batch_frames_per_s": len(frames) / t_batch,
    }


def main(argv: list[str] | None = None) -> list[dict]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration-s", type=float, default=120.0)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--scalar-frames", type=int, default=20_000)
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    counts = realistic_counts(args.duration_s)
    rows = [measure(counts, mtu, args.repeats, args.scalar_frames) for mtu in (23, 247)]
    if args.json:
        print(json.dumps(rows, indent=2))
        return rows
    print(f"{counts.shape[0]} samples x {counts.shape[1]} sensors, best of {args.repeats}")
    print(f"{'MTU':>4} {'frames':>8} {'bytes':>5} {'batch M/s':>10} {'buffer M/s':>11} "
          f"{'scalar M/s':>11} {'speed-up':>8}")
    for r in rows:
        print(f"{r['mtu']:>4} {r['frames']:>8} {r['frame_bytes']:>5} "
              f"{r['batch_values_per_s'] / 1e6:>10.1f} "
              f"{r['batch_from_buffer_values_per_s'] / 1e6:>11.1f} "
              f"{r['scalar_values_per_s'] / 1e6:>11.2f} "
              f"{r['batch_values_per_s'] / r['scalar_values_per_s']:>7.0f}x")
    worst = min(r["batch_values_per_s"] for r in rows)
    verdict = "meets" if worst >= TARGET_SAMPLES_PER_S else "MISSES"
    print(f"slowest batch decode {worst / 1e6:.1f} M channel values/s: {verdict} the target of "
          f"{TARGET_SAMPLES_PER_S / 1e6:.0f} M/s")
    return rows


if __name__ == "__main__":
    main()
