"""Per-foot load and centre of pressure, in one pass over the sensor arrays.

One matrix product per foot, ``values @ [w, w*x, w*y]``, gives the total load and both centre
of pressure moments together, so a 10-hour, 16-sensor recording is read once for all three.
Here ``w`` turns a sensor's value into force: 1 for sensors in N, the sensor area for kPa
(kPa x mm^2 = mN), and 1 for uncalibrated counts (then the "force" is in counts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.streams import PressureStream


@dataclass(frozen=True, eq=False)
class FootLoad:
    """Total vertical load and centre of pressure of one foot, per sample.

    ``total`` is in N (or counts for raw streams, see ``unit``); NaN where any sensor of that
    sample is invalid. ``cop_mm`` is (n, 2), NaN where the foot carries no load.
    """

    foot: str
    total: np.ndarray
    cop_mm: np.ndarray
    unit: str


def foot_load(stream: PressureStream, *, min_load_fraction: float = 0.02) -> dict[str, FootLoad]:
    """Total load and COP of every foot that has an insole.

    COP is left NaN where the load is below ``min_load_fraction`` of the foot's 99th-percentile
    load (swing, or the insole off): a COP under no load is noise.
    """
    layout = stream.layout
    if stream.unit == "kPa":
        if layout.sensor_area_mm2 is None:
            raise ValueError(
                f"layout {layout.name!r} has no sensor areas: cannot turn kPa into force"
            )
        weight = layout.sensor_area_mm2 / 1000.0  # kPa * mm^2 = mN -> N
        unit = "N"
    else:
        weight = np.ones(layout.n_sensors)
        unit = "N" if stream.unit == "N" else "counts"
    out = {}
    for foot in stream.feet():
        values = stream.foot(foot)
        pos = layout.positions_mm(foot)
        basis = np.column_stack([weight, weight * pos[:, 0], weight * pos[:, 1]])
        m = values @ basis.astype(values.dtype)
        total = m[:, 0]
        finite = total[np.isfinite(total)]
        ref = float(np.percentile(finite, 99)) if finite.size else 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            cop = m[:, 1:] / total[:, None]
        cop[~(total > min_load_fraction * ref)] = np.nan
        out[foot] = FootLoad(foot=foot, total=total, cop_mm=cop, unit=unit)
    return out
