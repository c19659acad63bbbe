"""The benchmark recording: generated once, outside every timed region.

A ``duration_s`` two-insole solewatch-16 recording at 100 Hz (float32, kPa) from the fixture
generator, plus the in-shoe temperatures of the same hours. :func:`save` / :func:`load` move it
through .npy files so that the memory probe (a separate, fresh process) analyses exactly the
same arrays.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import numpy as np

from analysis.layouts import get_layout
from analysis.streams import PressureStream, TemperatureStream

LAYOUT_NAME = "solewatch-16"
SAMPLE_RATE_HZ = 100.0
SCENARIO = "healthy"
SEED = 20261122


def make_recording(
    duration_s: float, *, seed: int = SEED
) -> tuple[PressureStream, TemperatureStream]:
    """Pressure (float32 if the generator supports it) and temperatures of ``duration_s``."""
    from fixtures.generator import generate_gait, generate_temperatures

    layout = get_layout(LAYOUT_NAME)
    try:
        pressure, _ = generate_gait(
            layout,
            sample_rate_hz=SAMPLE_RATE_HZ,
            duration_s=duration_s,
            scenario=SCENARIO,
            seed=seed,
            dtype=np.float32,
        )
    except TypeError:  # a generator without the dtype option: float64
        pressure, _ = generate_gait(
            layout,
            sample_rate_hz=SAMPLE_RATE_HZ,
            duration_s=duration_s,
            scenario=SCENARIO,
            seed=seed,
        )
    temp_kwargs = {"days": duration_s / 86400.0, "scenario": SCENARIO, "seed": seed}
    if pressure.start is not None:
        temp_kwargs["start"] = pressure.start
    temperature, _ = generate_temperatures(**temp_kwargs)
    return pressure, temperature


def input_arrays(
    pressure: PressureStream, temperature: TemperatureStream | None
) -> dict[str, np.ndarray]:
    """The arrays the analysis is given: both insoles, the time base, the temperatures."""
    arrays = {"time_s": pressure.time_s}
    for foot in pressure.feet():
        arrays[foot] = pressure.foot(foot)
    if temperature is not None:
        arrays["temperature_time_s"] = temperature.time_s
        arrays["temperature_values_c"] = temperature.values_c
    return arrays


def input_bytes(pressure: PressureStream, temperature: TemperatureStream | None) -> int:
    return int(sum(a.nbytes for a in input_arrays(pressure, temperature).values()))


def save(pressure: PressureStream, temperature: TemperatureStream, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, arr in input_arrays(pressure, temperature).items():
        np.save(folder / f"{name}.npy", arr)
    meta = {
        "layout": pressure.layout.name,
        "unit": pressure.unit,
        "sample_rate_hz": pressure.sample_rate_hz,
        "start": pressure.start.isoformat() if pressure.start else None,
        "feet": list(pressure.feet()),
        "temperature_start": temperature.start.isoformat(),
    }
    (folder / "meta.json").write_text(json.dumps(meta))


def load(folder: Path) -> tuple[PressureStream, TemperatureStream]:
    meta = json.loads((folder / "meta.json").read_text())
    feet = {f: np.load(folder / f"{f}.npy") if f in meta["feet"] else None
            for f in ("left", "right")}
    pressure = PressureStream(
        time_s=np.load(folder / "time_s.npy"),
        left=feet["left"],
        right=feet["right"],
        layout=get_layout(meta["layout"]),
        unit=meta["unit"],
        sample_rate_hz=meta["sample_rate_hz"],
        start=datetime.fromisoformat(meta["start"]) if meta["start"] else None,
        source="benchmark",
    )
    temperature = TemperatureStream(
        time_s=np.load(folder / "temperature_time_s.npy"),
        values_c=np.load(folder / "temperature_values_c.npy"),
        start=datetime.fromisoformat(meta["temperature_start"]),
        source="benchmark",
    )
    return pressure, temperature
