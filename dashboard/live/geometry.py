"""The static drawing data of the Live page, computed once per page load (never per frame).

For each foot: the insole outline (analysis.layouts) rasterised into square cells of
``CELL_MM``, and for every cell inside the outline (and a ring just outside it, which the
browser clips away) the interpolation weights over the
insole's pressure sensors, plus the sensors, the six temperature sites
(analysis.sites.SITE_POSITIONS_MM) and the outline in the same raster coordinates. The
browser (dashboard/assets/live.js) turns a frame's sensor values into a pressure map with
these weights alone: value(cell) = sum_i w_i * kPa_i over the sensors that have a value,
divided by the sum of those w_i (so a sensor without a value is skipped by renormalising).

Interpolation: inverse-distance weighting with power 2 (Shepard 1968, "A two-dimensional
interpolation function for irregularly-spaced data", Proc. 23rd ACM national conference):
w_i = d_i^-2 / sum_j d_j^-2 over all sensors; a cell centre on a sensor takes that sensor's
value alone. IDW never overshoots: every cell lies between the smallest and largest sensor
value, so the map shows no pressure that no sensor measured.

Raster coordinates: column = (x_mm - x0_mm) / cell_mm, row = (y1_mm - y_mm) / cell_mm,
measured from the top-left corner of the raster; toes at the top, the foot seen from above
(the left insole is the mirror image of the right, as in analysis.layouts, so each big toe
is on the inner side).

Colour scale: viridis (van der Walt & Smith 2015, the matplotlib default; designed to stay
readable with red-green colour blindness and in grey print, luminance rising monotonically),
256 entries made by linear interpolation between 17 published viridis values (matplotlib's
``_viridis_data`` at every 16th entry). Viridis rather than cividis because it has no grey:
grey is kept for "no value" on the map. Range 0 kPa up to the in-shoe peak pressure target of
analysis.config.PressureConfig.peak_target_kpa (200 kPa, Bus 2011/2013): the brightest yellow
means "at or above the target".
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Any, Final

import numpy as np

from analysis.config import PressureConfig, TemperatureConfig
from analysis.layouts import SensorLayout, insole_outline_mm
from analysis.sites import FEET, SITE_LABELS, SITE_POSITIONS_MM, SITES, check_foot

#: Raster cell size (mm): 3.5 mm cells give about 1,700 cells per insole, finer than the
#: 16 mm spacing of the sensors, and a frame is interpolated in well under 1 ms in a browser.
CELL_MM: Final = 3.5
#: Cells outside the outline but this close to it (in cells) are coloured too (see below).
EDGE_RING_CELLS: Final = 1.5
#: Inverse-distance weighting power (Shepard 1968).
IDW_POWER: Final = 2.0
#: Rounds of corner cutting (Chaikin 1974) applied to the outline polygon before drawing.
SMOOTHING_ROUNDS: Final = 2

#: Viridis at 17 evenly spaced points (entries 0, 16, ..., 240, 255 of matplotlib's
#: _viridis_data, van der Walt & Smith 2015), dark purple (low) to yellow (high).
VIRIDIS_ANCHORS: Final[tuple[str, ...]] = (
    "#440154", "#48186a", "#472d7b", "#424086", "#3b528b", "#33638d", "#2c728e", "#26828e",
    "#21918c", "#1f9f88", "#27ad81", "#3dbc74", "#5cc863", "#81d34d", "#aadc32", "#d5e21a",
    "#fde725")

#: The pressure scale of the map, kPa: 0 to the in-shoe peak target (Bus 2011/2013).
KPA_MIN: Final = 0.0
KPA_MAX: Final = PressureConfig().peak_target_kpa
KPA_SOURCE: Final = ("The colours run from 0 kPa to 200 kPa, the in-shoe peak pressure target "
                     "of offloading footwear (Bus 2011/2013); higher pressure has the top "
                     "colour.")


def _hex_rgb(value: str) -> tuple[int, int, int]:
    if len(value) != 7 or value[0] != "#":
        raise ValueError(f"colour must be '#rrggbb', found {value!r}")
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def colour_lut(anchors: Sequence[str] = VIRIDIS_ANCHORS, n: int = 256) -> np.ndarray:
    """(n, 3) uint8 RGB table interpolated linearly between evenly spaced ``anchors``."""
    if len(anchors) < 2 or n < 2:
        raise ValueError(f"need at least 2 anchors and 2 entries, found {len(anchors)} and {n}")
    rgb = np.array([_hex_rgb(a) for a in anchors], dtype=np.float64)
    at = np.linspace(0.0, 1.0, len(anchors))
    t = np.linspace(0.0, 1.0, n)
    lut = np.column_stack([np.interp(t, at, rgb[:, c]) for c in range(3)])
    return np.rint(lut).astype(np.uint8)


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB colours given as (..., 3) values 0-255."""
    c = np.asarray(rgb, dtype=np.float64) / 255.0
    lin = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    return lin @ np.array([0.2126, 0.7152, 0.0722])


def smooth_outline(polygon: np.ndarray, rounds: int = SMOOTHING_ROUNDS) -> np.ndarray:
    """Chaikin's corner cutting of a closed polygon (each edge keeps its 1/4 and 3/4 points)."""
    p = np.asarray(polygon, dtype=np.float64)
    if p.ndim != 2 or p.shape[1] != 2 or len(p) < 3:
        raise ValueError(f"an outline must be (n >= 3, 2) points, found shape {p.shape}")
    for _ in range(rounds):
        q = np.roll(p, -1, axis=0)
        p = np.stack([0.75 * p + 0.25 * q, 0.25 * p + 0.75 * q], axis=1).reshape(-1, 2)
    return p


def inside_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Bool per point: inside the closed ``polygon`` (even-odd rule, ray to +x)."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 2)
    poly = np.asarray(polygon, dtype=np.float64)
    x, y = pts[:, 0:1], pts[:, 1:2]
    x1, y1 = poly[:, 0], poly[:, 1]
    x2, y2 = np.roll(x1, -1), np.roll(y1, -1)
    crosses = (y1 > y) != (y2 > y)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = x1 + (y - y1) * (x2 - x1) / (y2 - y1)
    return (np.count_nonzero(crosses & (x < x_at), axis=1) % 2) == 1


def distance_to_polygon(points: np.ndarray, polygon: np.ndarray) -> np.ndarray:
    """Distance (same unit) from each point to the nearest edge of the closed ``polygon``."""
    pts = np.asarray(points, dtype=np.float64).reshape(-1, 1, 2)
    a = np.asarray(polygon, dtype=np.float64)[None]
    b = np.roll(a, -1, axis=1)
    ab = b - a
    t = np.clip(((pts - a) * ab).sum(-1) / (ab * ab).sum(-1), 0.0, 1.0)
    nearest = a + t[..., None] * ab
    return np.sqrt(((pts - nearest) ** 2).sum(-1)).min(axis=1)


def idw_weights(points_mm: np.ndarray, sensors_mm: np.ndarray,
                power: float = IDW_POWER) -> np.ndarray:
    """(n_points, n_sensors) inverse-distance weights, each row summing to 1; a point on a
    sensor (closer than 1e-9 mm) takes that sensor alone."""
    pts = np.asarray(points_mm, dtype=np.float64).reshape(-1, 2)
    sen = np.asarray(sensors_mm, dtype=np.float64)
    if sen.ndim != 2 or sen.shape[1] != 2 or len(sen) == 0:
        raise ValueError(f"sensors must be (n >= 1, 2) positions in mm, found {sen.shape}")
    if not (np.all(np.isfinite(pts)) and np.all(np.isfinite(sen))):
        raise ValueError("points and sensor positions must be finite")
    d = np.sqrt(((pts[:, None, :] - sen[None, :, :]) ** 2).sum(-1))
    on = d < 1e-9
    with np.errstate(divide="ignore"):
        w = np.where(on, 0.0, d ** -power)
    hit = on.any(axis=1)
    w[hit] = on[hit].astype(np.float64)
    return w / w.sum(axis=1, keepdims=True)


WEIGHT_SCALE: Final = 65535


def encode_weights(weights: np.ndarray) -> str:
    """Weights (each in 0..1) as base64 of little-endian uint16 (w * 65535, rounded),
    row-major: cell k's weights are entries k * n_sensors to (k + 1) * n_sensors - 1. About
    64 kB of text per insole instead of 240 kB of JSON numbers; the browser renormalises, so
    the rounding (under 1e-5 per weight) does not show."""
    w = np.asarray(weights, dtype=np.float64)
    if np.any(w < 0) or np.any(w > 1):
        raise ValueError("weights must lie in 0..1")
    return base64.b64encode(np.rint(w * WEIGHT_SCALE).astype("<u2").tobytes()).decode("ascii")


def decode_weights(text: str, n_sensors: int) -> np.ndarray:
    """The inverse of :func:`encode_weights`: (n_cells, n_sensors) floats (as the browser does)."""
    raw = np.frombuffer(base64.b64decode(text), dtype="<u2").astype(np.float64)
    if raw.size % n_sensors:
        raise ValueError(f"{raw.size} weights are not a whole number of rows of {n_sensors}")
    return raw.reshape(-1, n_sensors) / WEIGHT_SCALE


def foot_geometry(layout: SensorLayout, foot: str, cell_mm: float = CELL_MM) -> dict[str, Any]:
    """The raster, weights and marks of one foot (JSON-ready lists, raster coordinates)."""
    foot = check_foot(foot)
    if not cell_mm > 0:
        raise ValueError(f"cell_mm must be > 0, found {cell_mm!r}")
    outline = smooth_outline(insole_outline_mm(layout, foot))
    right = smooth_outline(insole_outline_mm(layout, "right"))
    x0, y0 = right.min(axis=0) - cell_mm
    x1, y1 = right.max(axis=0) + cell_mm
    cols = int(np.ceil((x1 - x0) / cell_mm))
    rows = int(np.ceil((y1 - y0) / cell_mm))
    if foot == "left":  # the raster of the right foot, mirrored cell for cell
        x0 = -(x0 + cols * cell_mm)
    col, row = np.meshgrid(np.arange(cols), np.arange(rows))
    centres = np.column_stack([x0 + (col.ravel() + 0.5) * cell_mm,
                               y1 - (row.ravel() + 0.5) * cell_mm])
    # the cells inside, and a ring of cells just outside: the browser smooths the raster when
    # it scales it up and clips it to the outline, so the edge gets map colours, not blanks
    near = inside_polygon(centres, outline) | (
        distance_to_polygon(centres, outline) < EDGE_RING_CELLS * cell_mm)
    cells = np.flatnonzero(near)
    sensors = layout.positions_mm(foot)
    weights = idw_weights(centres[cells], sensors)
    sign = -1.0 if foot == "left" else 1.0
    sites = np.array([(sign * SITE_POSITIONS_MM[s][0], SITE_POSITIONS_MM[s][1]) for s in SITES])

    def raster(points: np.ndarray) -> list[list[float]]:
        p = np.asarray(points, dtype=np.float64)
        return np.round(np.column_stack([(p[:, 0] - x0) / cell_mm, (y1 - p[:, 1]) / cell_mm]),
                        3).tolist()

    return {
        "cols": cols, "rows": rows, "x0_mm": float(x0), "y1_mm": float(y1),
        "cells": cells.tolist(),
        "weights_u16": encode_weights(weights),
        "outline": raster(outline), "sensors": raster(sensors), "sites": raster(sites),
    }


def live_geometry(layout: SensorLayout, cell_mm: float = CELL_MM) -> dict[str, Any]:
    """Everything the Live page draws with that does not change between frames."""
    return {
        "layout": layout.name,
        "n_sensors": layout.n_sensors,
        "sensor_ids": list(layout.sensor_ids),
        "sensor_names": [sensor_words(s) for s in layout.sensor_ids],
        "cell_mm": cell_mm,
        "feet": {foot: foot_geometry(layout, foot, cell_mm) for foot in FEET},
        "lut": colour_lut().ravel().tolist(),
        "kpa_min": KPA_MIN, "kpa_max": KPA_MAX, "kpa_source": KPA_SOURCE,
        "sites": list(SITES),
        "site_labels": [SITE_LABELS[s] for s in SITES],
        "temp_diff_threshold_c": TemperatureConfig().contralateral_site_delta_c,
    }


def sensor_words(sensor_id: str) -> str:
    """A sensor id in words ("mth1_rear" -> "mth1 rear")."""
    return sensor_id.replace("_", " ")
