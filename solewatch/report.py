"""Turn an :class:`~analysis.pipeline.AnalysisResult` into JSON or a report a patient can read.

The JSON schema (one object per input) is documented in docs/cli.md. Keys that do not apply to
an input are present with null or an empty list, so consumers never have to guess.
"""

from __future__ import annotations

import math
from datetime import date, datetime
from typing import Any

import numpy as np

from analysis.pipeline import GAIT_SUMMARY_KEYS, AnalysisResult
from analysis.references import REFERENCES
from analysis.sites import FEET, REGION_LABELS, SITE_LABELS
from analysis.temperature.coverage import QUIET, status_sentence

NOT_A_DIAGNOSIS = (
    "solewatch is not a medical device and does not make a diagnosis. It points out changes "
    "worth checking; your foot care team decides what they mean."
)


def _clean(value: Any) -> Any:
    """JSON-safe: numpy to Python, NaN/inf to None, dates to ISO strings."""
    if isinstance(value, dict):
        return {str(k): _clean(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_clean(v) for v in value]
    if isinstance(value, np.ndarray):
        return [_clean(v) for v in value.tolist()]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return None if not math.isfinite(value) else round(value, 6)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if hasattr(value, "to_dict"):
        return _clean(value.to_dict())
    if hasattr(value, "__dataclass_fields__"):
        return _clean({k: getattr(value, k) for k in value.__dataclass_fields__})
    return value


def _times(arr: Any) -> list[float]:
    a = np.asarray(arr, dtype=float)
    return [round(float(x), 4) for x in a]


def to_json_dict(result: AnalysisResult) -> dict[str, Any]:
    gait: dict[str, Any] = {
        foot: {"initial_contacts_s": [], "final_contacts_s": []} for foot in FEET
    }
    gait["summary"] = dict.fromkeys(GAIT_SUMMARY_KEYS)
    gait["balance"] = []
    gait["exercises"] = {}
    if result.gait is not None:
        for foot, ev in result.gait.events.items():
            gait[foot] = {
                "initial_contacts_s": _times(ev.initial_contacts_s),
                "final_contacts_s": _times(ev.final_contacts_s),
                "invalid_fraction": ev.invalid_fraction,
                "lost_intervals_s": _clean(np.asarray(ev.lost_intervals_s).reshape(-1, 2)),
            }
        gait["summary"].update(_clean(result.gait.summary))
        gait["balance"] = _clean(result.gait.balance)
        gait["exercises"] = _clean(result.gait.exercises)
    temperature: dict[str, Any] = {"daily": [], "offsets_c": {}, "faults": [], "notes": [],
                                   "coverage": []}
    t = result.temperature
    if t is not None:
        temperature = {
            "daily": _clean(t.daily),
            "offsets_c": _clean(t.offsets),
            "faults": _clean(t.faults),
            "wear_fraction": _clean(t.wear_fraction),
            "notes": list(t.notes),
            "coverage": _clean(t.coverage),
        }
    return {
        "source": result.source,
        "status": result.status.get("status"),
        "status_detail": _clean(result.status),
        "start": result.start.isoformat() if result.start else None,
        "duration_s": _clean(result.duration_s),
        "gait": gait,
        "pressure": _clean(result.pressure),
        "pressure_faults": _clean(result.pressure_faults),
        "temperature": temperature,
        "alerts": [_clean(a.to_dict()) for a in result.alerts],
        "problems": [str(p) for p in result.problems],
        "notes": list(result.notes),
        "disclaimer": NOT_A_DIAGNOSIS,
    }


def _fmt(value: Any, unit: str, digits: int = 1) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "not enough data"
    return f"{value:.{digits}f} {unit}".strip()


def _duration(seconds: float | None) -> str:
    if seconds is None:
        return "unknown length"
    seconds = float(seconds)
    if seconds >= 2 * 86400:
        return f"{seconds / 86400:.1f} days"
    if seconds >= 3600:
        return f"{seconds / 3600:.1f} hours"
    if seconds >= 60:
        return f"{int(seconds // 60)} min {int(seconds % 60)} s"
    return f"{seconds:.0f} s"


def _fault_lines(faults: list[Any]) -> list[str]:
    """Sensor faults grouped per sensor and kind: one line each, with the time excluded."""
    groups: dict[tuple[str, str, str], list[float]] = {}
    for f in faults:
        key = (getattr(f, "foot", "?"), getattr(f, "site", "?"), getattr(f, "kind", "fault"))
        span = float(getattr(f, "end_s", 0.0)) - float(getattr(f, "start_s", 0.0))
        groups.setdefault(key, []).append(span)
    lines = []
    for (foot, site, kind), spans in sorted(groups.items()):
        label = SITE_LABELS.get(site, site)
        lines.append(
            f"  Sensor problem ({kind.replace('_', ' ')}), {foot} {label}: {len(spans)} "
            f"period(s), {sum(spans) / 60:.0f} min not used, never turned into an alert"
        )
    return lines


def render_text(result: AnalysisResult) -> str:
    """A plain-language report: what was measured, what stands out, what to do."""
    out: list[str] = []
    out.append(f"solewatch report: {result.source}")
    if result.gait is not None:
        out.append(f"Walking and pressure: {_duration(result.duration_s)}"
                   + (f", from {result.start:%Y-%m-%d %H:%M %z}" if result.start else ""))
    if result.temperature is not None:
        days = sorted({row["date"] for row in result.temperature.daily})
        span = f"{days[0]} to {days[-1]} ({len(days)} days)" if days else "no full day"
        out.append(f"Foot temperatures: {span}")
    out.append("")
    if result.status:
        out.append(status_sentence(result.status))
        out.append("")
    if result.alerts:
        out.append(f"NEEDS ATTENTION ({len(result.alerts)})")
        for a in result.alerts:
            where = ", ".join(
                x for x in (a.foot and f"{a.foot} foot",
                            a.site and REGION_LABELS.get(a.site, a.site))
                if x
            )
            days = ""
            if a.first_day:
                days = f" ({a.first_day}" + (
                    f" to {a.confirmed_day})" if a.confirmed_day and a.confirmed_day != a.first_day
                    else ")"
                )
            out.append(f"  ! {where}{days}: {a.message}")
            out.append(f"    What to do: {a.advice}")
        out.append("")
    elif result.status.get("status") == QUIET:
        out.append("Nothing needs attention in this recording.")
        out.append("")
    else:  # no alert, but not everything could be judged: never say "nothing needs attention"
        out.append("No alerts in what could be judged (see the status above).")
        out.append("")
    g = result.gait
    if g is not None:
        s = g.summary
        out.append("Walking")
        steps = [s.get("steps_left"), s.get("steps_right")]
        if any(v is not None for v in steps):
            total = sum(v for v in steps if v is not None)
            out.append(f"  Steps: {total} (left {steps[0] or 0}, right {steps[1] or 0})")
        rows = [
            ("Cadence", "cadence_steps_per_min", "steps/min", 0),
            ("Stride-time variability (CV)", "stride_time_cv_pct", "%", 1),
            ("Swing-time variability (CV)", "swing_time_cv_pct", "%", 1),
            ("Both feet on the ground", "double_support_pct", "% of each stride", 1),
            ("Left-right coordination (PCI, lower is better)", "pci_pct", "%", 1),
            ("Gait asymmetry (0 = symmetric)", "gait_asymmetry", "", 1),
            ("Stride-to-stride pattern (DFA alpha)", "dfa_alpha", "", 2),
        ]
        for label, key, unit, digits in rows:
            line = f"  {label}: {_fmt(s.get(key), unit, digits)}"
            ref = REFERENCES.get(key)
            if ref is not None and s.get(key) is not None:
                line += f"  [typical: {ref.typical}]"
            out.append(line)
        for i, b in enumerate(g.balance, 1):
            area = getattr(b, "ellipse95_area_mm2", None)
            vel = getattr(b, "mean_velocity_mm_s", None)
            dur = getattr(b, "duration_s", None)
            out.append(
                f"  Standing still #{i} ({_fmt(dur, 's', 0)}): sway area "
                f"{_fmt(None if area is None else area / 100.0, 'cm²', 1)}, sway speed "
                f"{_fmt(None if vel is None else vel / 10.0, 'cm/s', 1)}"
            )
        raises = g.exercises.get("calf_raises") if isinstance(g.exercises, dict) else None
        if raises:
            out.append(f"  Calf raises recognised: {len(raises)}")
        out.append("")
    if result.pressure:
        out.append("Pressure under the foot (a typical walking step: the median of each "
                   "step's peak)")
        for foot in FEET:
            regions = result.pressure.get(foot) if isinstance(result.pressure, dict) else None
            if not regions:
                continue
            peaks = []
            for region, vals in regions.items():
                if isinstance(vals, dict) and vals.get("peak_kpa") is not None:
                    step = vals.get("step_peak_kpa")
                    label = REGION_LABELS.get(region, region)
                    if step is not None and math.isfinite(step):
                        peaks.append(f"{label}: {step:.0f} kPa "
                                     f"(highest {vals['peak_kpa']:.0f} kPa)")
                    else:
                        peaks.append(f"{label}: highest {vals['peak_kpa']:.0f} kPa")
            out.extend(f"  {foot} {p}" for p in peaks)
        out.append("  [in-shoe target: below 200 kPa]")
        out.append("")
    t = result.temperature
    if t is not None:
        out.append("Foot temperature, left minus right, per day (°C)")
        days = sorted({row["date"] for row in t.daily})
        if not days:
            out.append("  Not enough worn time to compare the feet on any day.")
        for d in days[-14:]:
            cells = []
            for row in t.daily:
                delta = row.get("delta_c")
                if row["date"] == d and delta is not None and math.isfinite(delta):
                    cells.append(f"{row['site']} {row['delta_c']:+.1f}")
            out.append(f"  {d}: " + ("  ".join(cells) if cells else "not enough data"))
        out.append("  [healthy feet: about 0.7 °C; alert: more than 2.2 °C at the same "
                   "spot on 2 days in a row]")
        out.extend(_fault_lines(t.faults))
        out.append("")
    notes = [n for n in result.notes if not n.startswith("Sensor problem")]
    if notes:
        out.append("What could not be judged")
        out.extend(f"  - {n}" for n in notes)
        out.append("")
    if result.problems:
        out.append(f"Data problems (skipped, the rest was used): {len(result.problems)}")
        out.extend(f"  - {p}" for p in result.problems[:20])
        if len(result.problems) > 20:
            out.append(f"  ... and {len(result.problems) - 20} more")
        out.append("")
    out.append(NOT_A_DIAGNOSIS)
    return "\n".join(out)
