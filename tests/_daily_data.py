"""Multi-day temperature recordings for the daily-job tests: the generator's fortnight cut into
one interchange CSV per local day (what a wearer's inbox holds after two weeks), and its truth.
"""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import time
from datetime import timedelta
from pathlib import Path

from analysis.streams import TemperatureStream
from firmware_bridge.readers.temperature_csv import write_temperature_csv
from fixtures.generator import generate_temperatures

DAYS = 14
#: The fixtures' sampling (fixtures/data/README.md): one sample per 5 minutes.
PERIOD_S = 300.0
SEEDS = {"hotspot": 202, "healthy": 201}


@functools.cache
def fortnight(scenario: str):
    """(stream, truth) of a 14-day recording of ``scenario`` (cached: generated once)."""
    return generate_temperatures(days=DAYS, scenario=scenario, seed=SEEDS[scenario],
                                 sample_period_s=PERIOD_S)


def day_file_name(index: int) -> str:
    return f"day{index:02d}.csv.gz"


def write_days(folder: Path, scenario: str, indices=range(DAYS)) -> list[Path]:
    """Write the given days (0 = the first) as one file each into ``folder``; the files are
    dated an hour ago, so the inbox settle time does not hold them back."""
    cache = _day_files(scenario)
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for i in indices:
        dst = folder / day_file_name(i)
        shutil.copyfile(cache / day_file_name(i), dst)
        old = time.time() - 3600
        os.utime(dst, (old, old))
        out.append(dst)
    return out


@functools.cache
def _day_files(scenario: str) -> Path:
    import tempfile

    stream, _ = fortnight(scenario)
    folder = Path(tempfile.mkdtemp(prefix=f"solewatch-days-{scenario}-"))
    atexit.register(shutil.rmtree, folder, True)
    write_stream_days(stream, folder, DAYS, scenario)
    return folder


def write_stream_days(stream: TemperatureStream, folder: Path, days: int,
                      name: str = "recording") -> list[Path]:
    """Cut a recording that starts at local midnight into one interchange CSV per day
    (``day_file_name``) in ``folder``: what a wearer's inbox holds after ``days`` days."""
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for d in range(days):
        keep = (stream.time_s >= d * 86400.0) & (stream.time_s < (d + 1) * 86400.0)
        t = stream.time_s[keep]
        part = TemperatureStream(time_s=t - t[0], values_c=stream.values_c[keep],
                                 start=stream.start + timedelta(seconds=float(t[0])),
                                 source=f"{name} day {d}")
        out.append(folder / day_file_name(d))
        write_temperature_csv(part, out[-1])
    return out


def truth_days(scenario: str):
    """The generator's truth: the days of the fortnight and the inflamed (day, foot, site)."""
    _, truth = fortnight(scenario)
    return truth.days, truth.inflamed, truth.hotspot
