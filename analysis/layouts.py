"""Sensor layouts of pressure insoles: where each sensor sits and which region it reads.

Insole frame (shared by every layout and by the dashboard drawings), in millimetres, for the
RIGHT foot seen from above: origin at the centre of the heel, +y towards the toes, +x towards
the little-toe (lateral) side. The left insole is the mirror image (x -> -x), so +x points to
the subject's right for both feet. Each layout is defined once here and imported everywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from analysis.sites import REGIONS, check_foot


@dataclass(frozen=True, eq=False)
class SensorLayout:
    """An insole's sensors: ids, right-foot positions in mm, anatomical regions, areas.

    ``sensor_area_mm2`` is needed to turn force (N) into pressure (kPa); it is None when the
    maker does not publish it.
    """

    name: str
    sensor_ids: tuple[str, ...]
    x_mm: np.ndarray
    y_mm: np.ndarray
    regions: tuple[str, ...]
    sensor_area_mm2: np.ndarray | None = None
    description: str = ""
    _region_index: dict[str, np.ndarray] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        k = len(self.sensor_ids)
        if k == 0:
            raise ValueError(f"layout {self.name!r}: no sensors")
        if len(set(self.sensor_ids)) != k:
            raise ValueError(f"layout {self.name!r}: sensor ids are not unique")
        x = np.asarray(self.x_mm, dtype=np.float64)
        y = np.asarray(self.y_mm, dtype=np.float64)
        if x.shape != (k,) or y.shape != (k,):
            raise ValueError(
                f"layout {self.name!r}: {k} sensors but x_mm has shape {x.shape} "
                f"and y_mm {y.shape}"
            )
        if len(self.regions) != k:
            raise ValueError(
                f"layout {self.name!r}: {k} sensors but {len(self.regions)} regions"
            )
        bad = [r for r in self.regions if r not in REGIONS]
        if bad:
            raise ValueError(f"layout {self.name!r}: unknown regions {bad}; known: {REGIONS}")
        object.__setattr__(self, "x_mm", x)
        object.__setattr__(self, "y_mm", y)
        if self.sensor_area_mm2 is not None:
            a = np.asarray(self.sensor_area_mm2, dtype=np.float64)
            if a.shape == ():
                a = np.full(k, float(a))
            if a.shape != (k,) or not np.all(a > 0):
                raise ValueError(
                    f"layout {self.name!r}: sensor_area_mm2 must be {k} positive areas"
                )
            object.__setattr__(self, "sensor_area_mm2", a)
        index = {
            r: np.flatnonzero(np.array(self.regions) == r)
            for r in REGIONS
            if r in self.regions
        }
        object.__setattr__(self, "_region_index", index)

    @property
    def n_sensors(self) -> int:
        return len(self.sensor_ids)

    def positions_mm(self, foot: str) -> np.ndarray:
        """(n_sensors, 2) array of x, y in mm for ``foot`` (the left one mirrored)."""
        sign = -1.0 if check_foot(foot) == "left" else 1.0
        return np.column_stack([sign * self.x_mm, self.y_mm])

    def region_sensors(self) -> dict[str, np.ndarray]:
        """Region name -> indices of its sensors, for the regions this layout covers."""
        return dict(self._region_index)


def _gaitpdb_8() -> SensorLayout:
    # Positions from the PhysioNet gaitpdb page (arbitrary units, origin between the feet).
    # Right insole: X 300..700, Y -800..800. Scaled at 0.12 mm per unit so that heel to
    # hallux is 192 mm, a typical adult distance; the database gives no physical scale.
    x_units = np.array([500, 700, 300, 700, 300, 700, 300, 500], dtype=float)
    y_units = np.array([-800, -400, -400, 0, 0, 400, 400, 800], dtype=float)
    return SensorLayout(
        name="gaitpdb-8",
        sensor_ids=tuple(f"s{i}" for i in range(1, 9)),
        x_mm=(x_units - 500.0) * 0.12,
        y_mm=(y_units + 800.0) * 0.12,
        regions=("heel", "heel", "heel", "midfoot", "midfoot", "mth5", "mth1", "hallux"),
        sensor_area_mm2=None,
        description=(
            "8 force sensors per foot of the PhysioNet gaitpdb insoles (Ultraflex), in N. "
            "Positions rescaled from the database's arbitrary units."
        ),
    )


def _solewatch_16() -> SensorLayout:
    # The project's own 16-sensor insole (the open GATT profile, the virtual insoles and the
    # generated fixtures use it). Sized for an EU 42 foot (length about 265 mm), FSRs of
    # 12 mm x 16 mm active area (192 mm^2), placed under the bony prominences that carry
    # load and where plantar ulcers form (heel, metatarsal heads, hallux).
    sensors = [
        ("heel_medial", -14.0, 28.0, "heel"),
        ("heel_lateral", 14.0, 28.0, "heel"),
        ("heel_front", 0.0, 55.0, "heel"),
        ("midfoot_lateral_rear", 26.0, 92.0, "midfoot"),
        ("midfoot_lateral_front", 30.0, 125.0, "midfoot"),
        ("midfoot_medial", -14.0, 110.0, "midfoot"),
        ("mth1", -28.0, 175.0, "mth1"),
        ("mth1_rear", -26.0, 155.0, "mth1"),
        ("mth2", -10.0, 186.0, "mth3"),
        ("mth3", 6.0, 185.0, "mth3"),
        ("mth4", 22.0, 176.0, "mth3"),
        ("mth5", 36.0, 165.0, "mth5"),
        ("hallux", -24.0, 228.0, "hallux"),
        ("hallux_tip", -22.0, 245.0, "hallux"),
        ("toes_2_3", 0.0, 228.0, "toes"),
        ("toes_4_5", 22.0, 214.0, "toes"),
    ]
    return SensorLayout(
        name="solewatch-16",
        sensor_ids=tuple(s[0] for s in sensors),
        x_mm=np.array([s[1] for s in sensors]),
        y_mm=np.array([s[2] for s in sensors]),
        regions=tuple(s[3] for s in sensors),
        sensor_area_mm2=np.full(len(sensors), 192.0),
        description=(
            "solewatch's open 16-sensor insole: heel, midfoot, five forefoot sites, hallux, "
            "toes. Used by the BLE profile, the virtual insoles and the fixtures."
        ),
    )


def _gaitndd_1() -> SensorLayout:
    # PhysioNet gaitndd (Hausdorff 1997/2000): one force-sensitive resistor per foot; the
    # database does not publish where under the foot it sits.
    return SensorLayout(
        name="gaitndd-1",
        sensor_ids=("fsr",),
        x_mm=np.array([0.0]),
        y_mm=np.array([120.0]),
        regions=("midfoot",),
        sensor_area_mm2=None,
        description=(
            "One force-sensitive resistor per foot of the PhysioNet gaitndd insoles, in raw "
            "ADC units. Position (x=0, y=120 mm) and region (midfoot) are nominal: the "
            "database does not publish them."
        ),
    )


#: The outline of the solewatch-16 insole, RIGHT foot, insole frame (mm), counter-clockwise
#: from the middle of the heel's back edge: heel, lateral (little-toe) side, toes, medial
#: (big-toe) side with the arch. Drawn by hand, once, around the sensors above for the EU 42
#: insole they were placed for: 274 mm long (heel edge 12 mm behind the heel centre, big-toe
#: tip at 262 mm, 17 mm beyond the hallux_tip sensor), about 65 mm wide at the heel and 97 mm
#: across the metatarsal heads, in line with typical adult foot proportions (heel width about
#: a quarter and forefoot width about 0.37 of foot length); the medial edge narrows along the
#: arch. Every sensor and temperature site lies well inside it (tests/test_live_geometry.py).
#: The dashboard smooths the corners of this polygon when it draws it.
SOLEWATCH_16_OUTLINE_MM = np.array([
    (0.0, -12.0), (18.0, -9.0), (29.0, 2.0), (34.0, 18.0), (36.0, 40.0), (38.0, 70.0),
    (42.0, 100.0), (46.0, 130.0), (50.0, 155.0), (52.0, 172.0), (51.0, 188.0), (46.0, 205.0),
    (36.0, 222.0), (22.0, 236.0), (8.0, 248.0), (-6.0, 257.0), (-18.0, 262.0), (-30.0, 259.0),
    (-38.0, 250.0), (-42.0, 235.0), (-44.0, 215.0), (-45.0, 190.0), (-44.0, 170.0),
    (-40.0, 150.0), (-32.0, 125.0), (-26.0, 100.0), (-26.0, 75.0), (-30.0, 50.0),
    (-32.0, 25.0), (-28.0, 5.0), (-18.0, -8.0),
])
SOLEWATCH_16_OUTLINE_MM.setflags(write=False)

GAITPDB_8 = _gaitpdb_8()
SOLEWATCH_16 = _solewatch_16()
GAITNDD_1 = _gaitndd_1()

#: Every built-in layout by name.
LAYOUTS: dict[str, SensorLayout] = {
    lay.name: lay for lay in (GAITPDB_8, SOLEWATCH_16, GAITNDD_1)
}


def get_layout(name: str) -> SensorLayout:
    try:
        return LAYOUTS[name]
    except KeyError:
        raise ValueError(f"unknown sensor layout {name!r}; known: {sorted(LAYOUTS)}") from None


#: Insole outlines by layout name (right foot, insole frame, mm), for the layouts that have one.
OUTLINES_MM: dict[str, np.ndarray] = {"solewatch-16": SOLEWATCH_16_OUTLINE_MM}


def insole_outline_mm(layout: SensorLayout | str, foot: str) -> np.ndarray:
    """(n, 2) outline polygon of ``layout``'s insole for ``foot`` in mm, the left one mirrored
    (x -> -x) like :meth:`SensorLayout.positions_mm`. ValueError when the layout has none."""
    name = layout if isinstance(layout, str) else layout.name
    try:
        outline = OUTLINES_MM[name]
    except KeyError:
        raise ValueError(f"layout {name!r} has no insole outline; layouts with one: "
                         f"{sorted(OUTLINES_MM)}") from None
    sign = -1.0 if check_foot(foot) == "left" else 1.0
    return np.column_stack([sign * outline[:, 0], outline[:, 1]])
