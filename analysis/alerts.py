"""Alerts: what a rule found, with the evidence a clinician needs to check it.

Every alert names its rule, the foot and site (or pressure region), the days, and the values
that crossed which threshold. The ``message`` is written for the wearer in plain language and
never claims a diagnosis.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Final

#: Rule names, defined once. Temperature rules come from clinical.md's hotspot table and the
#: red flags of self-care guidance; the pressure rule from Orpyx/Abbott 2019.
CONTRALATERAL_SITE: Final = "contralateral_site"
CONTRALATERAL_FOOT_MEAN: Final = "contralateral_foot_mean"
IPSILATERAL_HOTSPOT: Final = "ipsilateral_hotspot"
SINGLE_FOOT: Final = "single_foot"
SUDDEN_RISE: Final = "sudden_rise"
UNSAFE_TEMPERATURE: Final = "unsafe_temperature"
SUSTAINED_PRESSURE: Final = "sustained_pressure"
PEAK_PRESSURE: Final = "peak_pressure"
#: Not an alert: a difference already present when monitoring began (a baseline finding). It is
#: shown apart from alerts ("have it checked once"), never counted as an alert and never
#: learned away as the wearer's normal offset.
BASELINE_DIFFERENCE: Final = "baseline_difference"

RULES: Final[tuple[str, ...]] = (
    CONTRALATERAL_SITE,
    CONTRALATERAL_FOOT_MEAN,
    IPSILATERAL_HOTSPOT,
    SINGLE_FOOT,
    SUDDEN_RISE,
    UNSAFE_TEMPERATURE,
    SUSTAINED_PRESSURE,
    PEAK_PRESSURE,
    BASELINE_DIFFERENCE,
)

#: Rules whose results are findings, not alerts: shown apart, never counted as alerts.
FINDINGS: Final[tuple[str, ...]] = (BASELINE_DIFFERENCE,)

#: What to do, in plain words, for each rule (shown with the alert; not medical advice).
ADVICE: Final[dict[str, str]] = {
    CONTRALATERAL_SITE: "Rest the warm foot: walk less until the difference is gone. Look at the "
    "spot for redness, swelling or a wound. If it is still warmer tomorrow, call your foot care "
    "team.",
    CONTRALATERAL_FOOT_MEAN: "The whole foot is warmer than the other one. Walk less, look at "
    "the foot, and call your foot care team if it stays warmer.",
    IPSILATERAL_HOTSPOT: "One spot is warmer than the rest of the same foot. Rest the foot, look "
    "at the spot, and call your foot care team if it stays warmer.",
    SINGLE_FOOT: "One spot, or the whole foot, is warmer than usual. Rest the foot, look at it "
    "for redness, swelling or a wound, and call your foot care team if it stays warmer.",
    SUDDEN_RISE: "One foot warmed up quickly. Check your feet and shoes now for a wound, a "
    "stone, a tight spot or a heat source.",
    UNSAFE_TEMPERATURE: "Your foot skin is at a temperature that can burn or freeze skin you "
    "cannot feel. Move away from the heat or cold source and check the skin.",
    SUSTAINED_PRESSURE: "Part of your foot has carried pressure for a long time. Change "
    "position, stand up and move, or loosen your shoes.",
    PEAK_PRESSURE: "Part of your foot carries more pressure when you walk than the target for "
    "feet that cannot feel. Show this to your foot care team: shoes or insoles that spread "
    "the load can bring it down.",
    BASELINE_DIFFERENCE: "This spot was already warmer than on the other foot when monitoring "
    "began. Have it checked once by your foot care team; solewatch keeps watching it and "
    "alerts if it gets warmer.",
}


@dataclass(frozen=True)
class Alert:
    """One alert. ``evidence`` holds the rule's threshold(s), the days and the values."""

    rule: str
    foot: str | None
    site: str | None
    first_day: date | None
    confirmed_day: date | None
    delta_c: float | None
    message: str
    evidence: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.rule not in RULES:
            raise ValueError(f"unknown alert rule {self.rule!r}; known: {RULES}")

    @property
    def is_finding(self) -> bool:
        """A finding (e.g. a baseline difference), shown apart and never counted as an alert."""
        return self.rule in FINDINGS

    @property
    def advice(self) -> str:
        return ADVICE[self.rule]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: dates as ISO strings, numbers rounded to what the sensors resolve."""
        return {
            "rule": self.rule,
            "foot": self.foot,
            "site": self.site,
            "first_day": self.first_day.isoformat() if self.first_day else None,
            "confirmed_day": self.confirmed_day.isoformat() if self.confirmed_day else None,
            "delta_c": None if self.delta_c is None else round(float(self.delta_c), 2),
            "message": self.message,
            "advice": self.advice,
            "evidence": self.evidence,
        }
