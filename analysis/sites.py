"""The feet, the six temperature sites and the pressure regions: defined here, once.

The six sites are the standard ones of home foot-temperature monitoring (Lavery 2004/2007,
Armstrong 2007; Siren's socks use exactly these): hallux, 1st, 3rd and 5th metatarsal heads,
lateral midfoot and heel. See ../shared/reference/clinical.md.
"""

from __future__ import annotations

from typing import Final, Literal

Foot = Literal["left", "right"]
FEET: Final[tuple[Foot, Foot]] = ("left", "right")

#: Temperature sites, in the order used by every array with a site axis.
SITES: Final[tuple[str, ...]] = ("hallux", "mth1", "mth3", "mth5", "midfoot", "heel")

SITE_LABELS: Final[dict[str, str]] = {
    "hallux": "big toe",
    "mth1": "ball of the foot, big-toe side (1st metatarsal head)",
    "mth3": "ball of the foot, middle (3rd metatarsal head)",
    "mth5": "ball of the foot, little-toe side (5th metatarsal head)",
    "midfoot": "outer midfoot",
    "heel": "heel",
}

#: Anatomical regions a pressure sensor can belong to. The six temperature sites are regions
#: too ("mth3" stands for the central forefoot, metatarsal heads 2-4); "toes" are toes 2-5.
REGIONS: Final[tuple[str, ...]] = ("hallux", "toes", "mth1", "mth3", "mth5", "midfoot", "heel")

#: Plain-word names of the pressure regions (the six sites and the smaller toes).
REGION_LABELS: Final[dict[str, str]] = {**SITE_LABELS, "toes": "smaller toes (2nd to 5th)"}

#: Where each temperature site sits in the right-foot insole frame (see layouts.py), in mm.
SITE_POSITIONS_MM: Final[dict[str, tuple[float, float]]] = {
    "hallux": (-24.0, 228.0),
    "mth1": (-28.0, 175.0),
    "mth3": (4.0, 185.0),
    "mth5": (36.0, 165.0),
    "midfoot": (28.0, 110.0),
    "heel": (0.0, 35.0),
}


def check_foot(foot: str) -> Foot:
    """Return ``foot`` if it names a foot, else raise ValueError naming the choices."""
    if foot not in FEET:
        raise ValueError(f"foot must be one of {FEET}, found {foot!r}")
    return foot  # type: ignore[return-value]


def foot_index(foot: str) -> int:
    return FEET.index(check_foot(foot))


def site_index(site: str) -> int:
    if site not in SITES:
        raise ValueError(f"site must be one of {SITES}, found {site!r}")
    return SITES.index(site)
