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
    #: sensors left out of total and COP because they were invalid (NaN) while the others of
    #: the same foot were valid; see :func:`foot_load`.
    excluded_sensors: tuple[str, ...] = ()


def foot_load(
    stream: PressureStream,
    *,
    min_load_fraction: float = 0.02,
    exclude_fraction: float = 0.05,
) -> dict[str, FootLoad]:
    """Total load and COP of every foot that has an insole.

    COP is left NaN where the load is below ``min_load_fraction`` of the foot's 99th-percentile
    load (swing, or the insole off): a COP under no load is noise. A sensor that is invalid
    (NaN) in more than ``exclude_fraction`` of the samples where the rest of its foot is valid
    is left out and named in ``excluded_sensors``, so one broken sensor never loses a foot.
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
        excluded: tuple[str, ...] = ()
        if stream.invalid_fraction.get(foot, 0.0) > 0.0 and layout.n_sensors > 1:
            m, excluded = _load_skipping_invalid_sensors(
                values, basis, layout.sensor_ids, exclude_fraction
            )
        else:
            m = values @ basis.astype(values.dtype)
        total = m[:, 0]
        finite = total[np.isfinite(total)]
        ref = float(np.percentile(finite, 99)) if finite.size else 0.0
        with np.errstate(invalid="ignore", divide="ignore"):
            cop = m[:, 1:] / total[:, None]
        cop[~(total > min_load_fraction * ref)] = np.nan
        out[foot] = FootLoad(
            foot=foot, total=total, cop_mm=cop, unit=unit, excluded_sensors=excluded
        )
    return out


def _load_skipping_invalid_sensors(
    values: np.ndarray,
    basis: np.ndarray,
    sensor_ids: tuple[str, ...],
    exclude_fraction: float,
) -> tuple[np.ndarray, tuple[str, ...]]:
    """Moments of a foot whose array holds NaNs.

    A sample where every sensor is NaN is a lost insole: its load stays NaN. A sensor that is
    NaN in more than ``exclude_fraction`` of the samples where the rest of the foot is valid is
    a broken sensor: it is left out of the whole recording (so the total stays comparable from
    stride to stride) and named. Any other NaN makes that one sample invalid.
    """
    nan = np.isnan(values)
    all_nan = nan.all(axis=1)
    rows_ok = int(np.count_nonzero(~all_nan))
    frac = nan[~all_nan].sum(axis=0) / max(rows_ok, 1)
    broken = frac > exclude_fraction
    keep = ~broken
    if not keep.any():
        keep = np.ones_like(keep)
    sub = values[:, keep]
    m = np.nan_to_num(sub) @ basis[keep].astype(values.dtype)
    m[nan[:, keep].any(axis=1)] = np.nan
    return m, tuple(sid for sid, b in zip(sensor_ids, broken, strict=True) if b)
