"""Alerts: what a rule found, with the evidence a clinician needs to check it.

Every alert names its rule, the foot and site (or pressure region), the days, and the values
that crossed which threshold. The ``message`` is written for the wearer in plain language and
never claims a diagnosis.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
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
#: The alert rules about skin temperature (what the Temperature page marks on its chart).
TEMPERATURE_RULES: Final[tuple[str, ...]] = (
    CONTRALATERAL_SITE, CONTRALATERAL_FOOT_MEAN, IPSILATERAL_HOTSPOT, SINGLE_FOOT, SUDDEN_RISE,
    UNSAFE_TEMPERATURE)
#: Rules judged on the samples within one day (each alert is an occurrence: a stretch of time
#: on a day); the other rules are judged on daily values over consecutive days.
SAMPLE_RULES: Final = frozenset({SUDDEN_RISE, UNSAFE_TEMPERATURE, SUSTAINED_PRESSURE})

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


# --------------------------------------------------------------------------- episodes


def episode_days(alert: Alert) -> list[dict[str, Any]]:
    """The alert's evidence rows, one per day (or per finding on a day), each with a "date"
    (ISO string, or None without a wall clock). An alert without ``evidence["days"]`` is one
    row: its evidence values (lists and dicts left out) on its first day."""
    rows = alert.evidence.get("days")
    if isinstance(rows, list) and rows and all(isinstance(r, dict) for r in rows):
        return [dict(r) for r in rows]
    row = {k: v for k, v in alert.evidence.items() if not isinstance(v, list | dict)}
    row["date"] = alert.first_day.isoformat() if alert.first_day else None
    return [row]


def _row_day(row: dict[str, Any]) -> date | None:
    value = row.get("date")
    if isinstance(value, date):
        return value
    return date.fromisoformat(value[:10]) if isinstance(value, str) and value else None


def without_day(alert: Alert, day: date) -> Alert | None:
    """The alert with its evidence rows of ``day`` removed (that day is being recomputed);
    None when nothing else is left. The first and confirmed day move to the rows left."""
    rows = [r for r in episode_days(alert) if _row_day(r) != day]
    if not rows:
        return None
    days = sorted(d for d in map(_row_day, rows) if d is not None)
    first = days[0] if days else alert.first_day
    confirmed = alert.confirmed_day
    if confirmed is not None and (confirmed == day or (first and confirmed < first)):
        confirmed = first
    return replace(alert, first_day=first, confirmed_day=confirmed,
                   evidence={**alert.evidence, "days": rows})


def merge_episodes(alerts: Iterable[Alert], *, gap_days: int) -> list[Alert]:
    """One alert per episode: alerts of the same (rule, foot, site) whose days are at most
    ``gap_days`` days without the rule firing apart (consecutive days: 0 days between) become
    one alert. Generic over rules: the sample rules (sustained_pressure, sudden_rise,
    unsafe_temperature) use it across days, on one recording and on the stored history.

    The merged alert keeps the first day and the earliest confirmed day of its parts; its
    ``evidence`` is the latest part's (its thresholds) with ``days``: every part's rows
    (:func:`episode_days`) by date, ``last_day``: the latest date, ``n_days``: how many
    dates, and ``latest_message``: the latest day's own message. Its ``message`` is that
    message, plus, over several days, "The same was found on N days from D1 to D2." (plain
    words). Alerts without a day (no wall clock) of the same key are one episode. Merging the
    output again gives the same alerts (so a recomputed day can be merged into stored ones).
    """
    groups: dict[tuple[str, str | None, str | None], list[Alert]] = {}
    for a in alerts:
        groups.setdefault((a.rule, a.foot, a.site), []).append(a)
    out: list[Alert] = []
    for parts in groups.values():
        spans = []
        for a in parts:
            days = [d for d in map(_row_day, episode_days(a)) if d is not None]
            first = min(days, default=a.first_day)
            spans.append((first, max(days, default=first), a))
        spans.sort(key=lambda x: (x[0] is not None, x[0] or date.min, x[1] or date.min))
        episodes: list[list[tuple[date | None, date | None, Alert]]] = []
        for span in spans:
            prev = episodes[-1][-1] if episodes else None
            if prev is not None and (
                span[0] is None
                or (prev[1] is not None and (span[0] - max(e[1] for e in episodes[-1]
                                                           if e[1])).days <= gap_days + 1)
            ):
                episodes[-1].append(span)
            else:
                episodes.append([span])
        out.extend(_merged(e) for e in episodes)
    out.sort(key=lambda a: (a.first_day or date.min, a.rule, a.foot or "", a.site or ""))
    return out


def _merged(spans: list[tuple[date | None, date | None, Alert]]) -> Alert:
    alerts = [a for _, _, a in spans]
    by_date: dict[Any, dict[str, Any]] = {}
    rows: list[dict[str, Any]] = []
    for a in alerts:
        for r in episode_days(a):
            key = tuple(sorted((k, repr(v)) for k, v in r.items()))
            if key not in by_date:  # the same row from a stored and a fresh alert: once
                by_date[key] = r
                rows.append(r)
    rows.sort(key=lambda r: (str(r.get("date") or ""), str(r.get("start") or "")))
    latest = max(spans, key=lambda x: (x[1] or date.min))[2]
    own = latest.evidence.get("latest_message", latest.message)
    dates = sorted({d for d in map(_row_day, rows) if d is not None})
    first = dates[0] if dates else alerts[0].first_day
    message = own
    if len(dates) > 1:
        message = (f"{own} The same was found on {len(dates)} days from "
                   f"{dates[0].isoformat()} to {dates[-1].isoformat()}.")
    confirmed = [a.confirmed_day for a in alerts if a.confirmed_day is not None]
    evidence = {**latest.evidence, "days": rows,
                "last_day": dates[-1].isoformat() if dates else None,
                "n_days": len(dates), "latest_message": own}
    return Alert(rule=latest.rule, foot=latest.foot, site=latest.site, first_day=first,
                 confirmed_day=min(confirmed) if confirmed else None, delta_c=latest.delta_c,
                 message=message, evidence=evidence)
