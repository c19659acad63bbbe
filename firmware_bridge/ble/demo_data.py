"""What a virtual insole streams when no recording is given: the fixture generator's data.

The one module of firmware_bridge allowed to import ``fixtures`` (tests/test_architecture.py):
the simulator is a test and demo tool, and its default data is the generator's walking,
standing and in-shoe temperatures.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from analysis.layouts import SOLEWATCH_16, SensorLayout
from analysis.streams import PressureStream, TemperatureStream
from fixtures.generator import generate_gait, generate_temperatures

#: A weekday morning at UTC+01:00: shoes are on, so the insole reads skin temperature.
DEMO_START = datetime(2026, 3, 2, 9, 0, tzinfo=timezone(timedelta(hours=1)))


def generated_streams(
    *,
    layout: SensorLayout = SOLEWATCH_16,
    pressure_hz: float = 100.0,
    temperature_period_s: float = 1.0,
    duration_s: float = 120.0,
    scenario: str = "healthy",
    seed: int = 0,
) -> tuple[PressureStream, TemperatureStream]:
    """Both feet of a generated recording (``duration_s`` long; the insole loops it).
    ``scenario`` "hotspot": the hotspot (left MTH1) is already fully developed from the first
    second, as on a live day after the history of ``solewatch demo`` raised its alert."""
    pressure, _ = generate_gait(
        layout, sample_rate_hz=pressure_hz, duration_s=max(10.0, duration_s),
        scenario=scenario, seed=seed, start=DEMO_START,
    )
    n_temp = max(2.0, duration_s / temperature_period_s)
    developed = ({"hotspot_onset_day": -1.0, "hotspot_ramp_days": 0.5}
                 if scenario == "hotspot" else {})
    temperature, _ = generate_temperatures(
        days=n_temp * temperature_period_s / 86400.0, sample_period_s=temperature_period_s,
        scenario=scenario, seed=seed, start=DEMO_START, **developed,
    )
    return pressure, temperature
