"""Pressure-sensor faults: a sensor that stops responding, or that is invalid, is named with
when it happened, so nobody mistakes an unmonitored region for an unloaded one.

Temperature-sensor faults live in :mod:`analysis.temperature.faults`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.config import PressureConfig
from analysis.load import FootLoad
from analysis.streams import PressureStream

#: Pressure is inspected at about this rate: enough to see every stance, cheap on 10 h.
INSPECT_RATE_HZ = 10.0
#: Share of the foot's 99th-percentile load above which a sample counts as "loaded" (quiet
#: standing puts about 40% of the walking peak on each foot).
LOADED_FRACTION = 0.25
#: A sensor is expected to respond when its reference sensors (the others of its region, or
#: the two nearest when it is alone) respond; silence is judged only then.
N_NEAREST = 2
#: Length of the blocks in which a sensor is judged working or silent.
BLOCK_S = 5.0


@dataclass(frozen=True)
class PressureSensorFault:
    """One pressure sensor that failed: ``kind`` is "silent" (reads nothing under load after
    having worked) or "invalid" (NaN while the rest of the insole is valid)."""

    foot: str
    sensor_id: str
    region: str
    kind: str
    start_s: float | None
    reason: str


def pressure_sensor_faults(
    stream: PressureStream,
    loads: dict[str, FootLoad],
    config: PressureConfig,
) -> list[PressureSensorFault]:
    """Faults of every pressure sensor of every foot (see the module docstring)."""
    faults: list[PressureSensorFault] = []
    layout = stream.layout
    region_of = dict(zip(layout.sensor_ids, layout.regions, strict=True))
    for foot, fl in loads.items():
        for sid in fl.excluded_sensors:
            faults.append(
                PressureSensorFault(
                    foot, sid, region_of[sid], "invalid", None,
                    f"{foot} insole, sensor {sid} ({region_of[sid]}): invalid readings in more "
                    f"than {config.invalid_sensor_exclude_fraction:.0%} of the samples; left "
                    "out of the foot's load",
                )
            )
        if layout.n_sensors < 2:
            continue
        faults.extend(_silent(stream, foot, fl, config, region_of))
    return faults


def _silent(
    stream: PressureStream,
    foot: str,
    fl: FootLoad,
    config: PressureConfig,
    region_of: dict[str, str],
) -> list[PressureSensorFault]:
    step = max(1, round(stream.sample_rate_hz / INSPECT_RATE_HZ))
    values = stream.foot(foot)[::step]
    total = fl.total[::step]
    t = stream.time_s[::step]
    finite = np.isfinite(total)
    if not finite.any():
        return []
    loaded = finite & (total > LOADED_FRACTION * np.percentile(total[finite], 99))
    if np.count_nonzero(loaded) < 10:
        return []
    v_loaded = values[loaded]
    usual = np.full(values.shape[1], np.nan)
    has_data = np.isfinite(v_loaded).any(axis=0)  # an all-invalid sensor is reported above
    usual[has_data] = np.nanpercentile(v_loaded[:, has_data], 99, axis=0)
    active = values > (config.silent_sensor_floor_fraction * usual)
    rate = stream.sample_rate_hz / step
    refs = _reference_sensors(stream)
    per_block = max(1, round(BLOCK_S * rate))
    n_blocks = int(np.ceil(t.size / per_block))
    block = np.minimum(np.arange(t.size) // per_block, n_blocks - 1)
    out = []
    for j, sid in enumerate(stream.layout.sensor_ids):
        if not usual[j] > 0:
            continue  # never loaded at all (an arch sensor, say): nothing to judge
        expected = loaded & active[:, refs[j]].any(axis=1)
        exp_n = np.bincount(block, weights=expected, minlength=n_blocks)
        act_n = np.bincount(block, weights=expected & active[:, j], minlength=n_blocks)
        has_load = exp_n > 0
        silent = has_load & (act_n == 0)
        working = has_load & (act_n >= 0.2 * exp_n)
        # silent from block b on: every loaded block from b to the end is silent
        ok_suffix = np.logical_or(silent, ~has_load)[::-1].cumprod()[::-1].astype(bool)
        candidates = np.flatnonzero(ok_suffix & silent)
        if candidates.size == 0:
            continue
        b0 = int(candidates[0])
        if not working[:b0].any():
            continue  # never worked before: not a failure we can see
        silent_loaded_s = float(exp_n[b0:].sum()) / rate
        if silent_loaded_s < config.silent_sensor_min_loaded_s:
            continue
        # onset: just after the last sample at which the sensor still responded under load
        responded = np.flatnonzero(expected & active[:, j] & (block < b0))
        start = float(t[responded[-1]]) if responded.size else float(t[b0 * per_block])
        out.append(
            PressureSensorFault(
                foot, sid, region_of[sid], "silent", start,
                f"{foot} insole, sensor {sid} ({region_of[sid]}): no reading under load from "
                f"{start:.0f} s on ({silent_loaded_s:.0f} s of loaded time); pressure there "
                "is not monitored",
            )
        )
    return out


def _reference_sensors(stream: PressureStream) -> list[np.ndarray]:
    """For each sensor, the sensors whose response means it should respond too."""
    layout = stream.layout
    pos = np.column_stack([layout.x_mm, layout.y_mm])
    dist = np.linalg.norm(pos[:, None, :] - pos[None, :, :], axis=2)
    regions = np.array(layout.regions)
    refs = []
    for j in range(layout.n_sensors):
        same = np.flatnonzero((regions == regions[j]) & (np.arange(layout.n_sensors) != j))
        if same.size == 0:
            order = np.argsort(dist[j])
            same = order[order != j][:N_NEAREST]
        refs.append(same)
    return refs
