"""Published reference values that results are shown against (not alert thresholds).

Alert thresholds live in :mod:`analysis.config`. These are the comparison figures a report or
the dashboard prints next to a result, each with its source (../shared/reference/clinical.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final


@dataclass(frozen=True)
class Reference:
    """A published comparison figure. ``typical_range`` is the numeric form of ``typical``
    (low, high, in ``unit``) for charts and dashboards, or None where the text is qualitative."""

    metric: str
    unit: str
    typical: str
    concern: str
    source: str
    typical_range: tuple[float, float] | None = None


REFERENCES: Final[dict[str, Reference]] = {
    r.metric: r
    for r in (
        Reference(
            "stride_time_cv_pct", "%",
            typical="about 2-3% in healthy adults (controls 2.80%)",
            concern="higher in Huntington's disease (4.46%); stride-time SD 106 ms in older "
            "adults who later fell vs 49 ms in non-fallers",
            source="Hausdorff 1997/2000 (gaitndd); clinical.md gait table",
            typical_range=(2.0, 3.0),
        ),
        Reference(
            "swing_time_cv_pct", "%",
            typical="about 1.2-3.3% in healthy adults (gaitpdb controls 1.3%)",
            concern="2.7% in Parkinson's disease (6.5% under dual task); 5.59% in "
            "Huntington's; swing variability predicts falls in adults over 70",
            source="Yogev 2005, Hausdorff 2007 (gaitpdb); Hausdorff 1997 (gaitndd)",
            typical_range=(1.2, 3.3),
        ),
        Reference(
            "pci_pct", "%",
            typical="3.16 ± 1.11% at 40-75 years",
            concern="5.68 ± 2.01% over 75 years; higher means less coordinated left-right "
            "stepping",
            source="Plotnik 2007; clinical.md",
            typical_range=(3.16 - 1.11, 3.16 + 1.11),
        ),
        Reference(
            "dfa_alpha", "",
            typical="about 0.83 in healthy young adults (about 0.5 when the order is shuffled)",
            concern="below 0.86 (young vs old) or 0.82 (Parkinson's vs control); needs at "
            "least 100-200 strides",
            source="Hausdorff 1995/1996; clinical.md",
        ),
        Reference(
            "gait_asymmetry", "",
            typical="close to 0 (100·|ln(short swing / long swing)|, larger = more "
            "asymmetric)",
            concern="rises with one-sided weakness or pain",
            source="Plotnik 2007; clinical.md",
        ),
        Reference(
            "cadence_steps_per_min", "steps/min",
            typical="about 100-120 steps/min at a comfortable pace for adults",
            concern="people with diabetic neuropathy walk slower with shorter strides",
            source="clinical.md (diabetic neuropathy row)",
            typical_range=(100.0, 120.0),
        ),
        Reference(
            "double_support_pct", "% of stride",
            typical="about 20-30% of the stride at usual pace (gaitndd controls)",
            concern="longer double support predicts incident falls in adults 70 and over",
            source="Hausdorff 1997 gaitndd reference tables; clinical.md",
            typical_range=(20.0, 30.0),
        ),
        Reference(
            "ellipse95_area_mm2", "mm²",
            typical="smaller is steadier",
            concern="fallers in one-leg stance: 95% sway area 10.3 cm² (1030 mm²)",
            source="clinical.md static balance row",
        ),
        Reference(
            "temperature_delta_c", "°C",
            typical="0.65-0.78 °C mean left-right difference in healthy feet",
            concern="more than 2.2 °C at the same site on two consecutive days",
            source="Lavery 2004/2007, Armstrong 2007, Wijlens 2017; clinical.md",
            typical_range=(0.65, 0.78),
        ),
        Reference(
            "peak_pressure_kpa", "kPa",
            typical="below 200 kPa in therapeutic footwear",
            concern="above 200 kPa in the shoe, or not 25-30% lower after a footwear change",
            source="Bus 2011/2013; clinical.md",
        ),
    )
}
