"""What the dashboard shows, as plain functions: tested without a browser.

The dashboard shows, never computes: numbers come from the store (filled by the daily job
from the analysis); here they are only selected, converted for display and worded.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from analysis.alerts import ADVICE
from analysis.config import TemperatureConfig
from analysis.sites import SITE_LABELS, SITES
from solewatch.store import Store
from solewatch.store.errors import StoreError
from solewatch.store.models import FOOT_MEAN, NOTE_KINDS

#: Okabe-Ito colour-blind-safe palette.
OKABE_ITO: Final[dict[str, str]] = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
}
SITE_COLOURS: Final[dict[str, str]] = dict(zip(
    (*SITES, FOOT_MEAN),
    ("#E69F00", "#56B4E9", "#009E73", "#0072B2", "#CC79A7", "#000000", "#999999"), strict=True))

RANGES_DAYS: Final[tuple[int, ...]] = (30, 90, 365)
UNITS: Final[tuple[str, ...]] = ("C", "F")
STATUS_WORDS: Final[dict[str, str]] = {
    "open": "New", "acknowledged": "Seen", "resolved": "Resolved"}
RULE_WORDS: Final[dict[str, str]] = {
    "contralateral_site": "One spot warmer than the same spot on the other foot",
    "contralateral_foot_mean": "One whole foot warmer than the other",
    "ipsilateral_hotspot": "One spot warmer than the rest of the same foot",
    "single_foot": "One foot warmer than usual",
    "sudden_rise": "One foot warmed up quickly",
}
NOTE_KIND_WORDS: Final[dict[str, str]] = {
    "symptom": "Symptom", "exercise": "Exercise", "shoe": "Shoes", "other": "Other"}


def site_label(site: str | None) -> str:
    if not site:
        return ""
    if site == FOOT_MEAN:
        return "whole foot (mean of all sites)"
    return SITE_LABELS.get(site, site)


def delta_for_display(delta_c: float | None, unit: str) -> float | None:
    """A temperature DIFFERENCE in °C shown in ``unit`` ("C" or "F"; no 32 °F offset)."""
    if unit not in UNITS:
        raise ValueError(f"unit must be one of {UNITS}, found {unit!r}")
    if delta_c is None:
        return None
    return delta_c * 9.0 / 5.0 if unit == "F" else float(delta_c)


def format_delta(delta_c: float | None, unit: str = "C") -> str:
    value = delta_for_display(delta_c, unit)
    if value is None:
        return "no value"
    return f"{value:+.1f} °{unit}"


# -- alerts --------------------------------------------------------------------------------

@dataclass(frozen=True)
class AlertCard:
    """One alert worded for the Alerts page."""

    id: int
    status: str
    status_word: str
    title: str
    where: str
    since: str
    delta: str
    evidence: tuple[str, ...]
    advice: str
    can_acknowledge: bool
    can_resolve: bool


def _evidence_lines(evidence: dict[str, Any]) -> tuple[str, ...]:
    lines = []
    for key, value in evidence.items():
        words = key.replace("_", " ")
        if key.endswith("_c") and isinstance(value, int | float):
            lines.append(f"{words[:-2]}: {value:.1f} °C")
        elif isinstance(value, list):
            shown = ", ".join(f"{v:.1f} °C" if isinstance(v, float) and key.endswith("_c")
                              else str(v) for v in value[:10])
            lines.append(f"{words}: {shown}{' …' if len(value) > 10 else ''}")
        else:
            lines.append(f"{words}: {value}")
    return tuple(lines)


def alert_card(alert: Any) -> AlertCard:
    """An AlertCard from a solewatch.store.StoredAlert."""
    where = ", ".join(x for x in (f"{alert.foot} foot" if alert.foot else "",
                                  site_label(alert.site)) if x)
    where = where[:1].upper() + where[1:]
    since = f"since {alert.first_day.isoformat()}"
    if alert.confirmed_day:
        since += f", confirmed {alert.confirmed_day.isoformat()}"
    return AlertCard(
        id=alert.id, status=alert.status, status_word=STATUS_WORDS[alert.status],
        title=RULE_WORDS.get(alert.rule, alert.rule.replace("_", " ")), where=where,
        since=since, delta=f"difference {format_delta(alert.delta_c)}",
        evidence=_evidence_lines(dict(alert.evidence)), advice=ADVICE.get(alert.rule, ""),
        can_acknowledge=alert.status == "open", can_resolve=alert.status != "resolved")


def alert_cards(store: Store, wearer: str) -> list[AlertCard]:
    """Open first, then seen, then resolved; newest first within each."""
    order = {"open": 0, "acknowledged": 1, "resolved": 2}
    alerts = sorted(store.alerts(wearer), key=lambda a: (order[a.status],
                                                         -a.first_day.toordinal()))
    return [alert_card(a) for a in alerts]


def act_on_alert(store: Store, alert_id: int, action: str, *, by: str, note: str) -> str:
    """Acknowledge or resolve an alert; returns a plain sentence saying what happened."""
    note = (note or "").strip()
    try:
        if action == "acknowledge":
            stored = store.acknowledge_alert(alert_id, by=by, note=note)
        elif action == "resolve":
            stored = store.resolve_alert(alert_id, by=by, note=note)
        else:
            raise ValueError(f"action must be 'acknowledge' or 'resolve', found {action!r}")
    except StoreError as exc:
        return f"Not saved: {exc}"
    return f"Saved: alert {stored.id} is now marked '{STATUS_WORDS[stored.status]}'."


# -- temperature ---------------------------------------------------------------------------

def temperature_figure(rows: Iterable[Any], *, unit: str, threshold_c: float,
                       alerts: Sequence[Any] = (), sites: Sequence[str] | None = None
                       ) -> dict[str, Any]:
    """A plotly dict figure: daily left-minus-right difference per site, the ±threshold band
    and a marker on each alert's first day. ``rows``: store DailyTemperature rows."""
    by_site: dict[str, tuple[list[str], list[float | None]]] = {}
    for r in rows:
        if sites is not None and r.site not in sites:
            continue
        xs, ys = by_site.setdefault(r.site, ([], []))
        xs.append(r.day.isoformat())
        ys.append(delta_for_display(r.delta_c, unit) if r.enough else None)
    band = delta_for_display(threshold_c, unit) or 0.0
    data: list[dict[str, Any]] = []
    for site in (*SITES, FOOT_MEAN):
        if site not in by_site:
            continue
        xs, ys = by_site[site]
        data.append({"type": "scatter", "mode": "lines+markers", "name": site_label(site),
                     "x": xs, "y": ys, "line": {"color": SITE_COLOURS[site]},
                     "hovertemplate": f"%{{x}}: %{{y:+.1f}} °{unit}<extra>{site_label(site)}"
                                      "</extra>"})
    marks = [a for a in alerts if sites is None or a.site in sites or not a.site]
    if marks:
        data.append({"type": "scatter", "mode": "markers", "name": "alert",
                     "x": [a.first_day.isoformat() for a in marks],
                     "y": [delta_for_display(a.delta_c or 0.0, unit) for a in marks],
                     "marker": {"symbol": "triangle-up", "size": 14,
                                "color": OKABE_ITO["vermillion"]},
                     "text": [RULE_WORDS.get(a.rule, a.rule) for a in marks],
                     "hovertemplate": "%{x}: %{text}<extra>alert</extra>"})
    layout = {
        "xaxis": {"title": {"text": "day"}},
        "yaxis": {"title": {"text": f"left minus right (°{unit})"}, "zeroline": True},
        "shapes": [{"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                    "y0": -band, "y1": band, "fillcolor": OKABE_ITO["sky_blue"],
                    "opacity": 0.15, "line": {"width": 0}, "layer": "below"}],
        "annotations": [{"xref": "paper", "x": 1, "y": band, "yref": "y", "xanchor": "right",
                         "yanchor": "bottom", "showarrow": False,
                         "text": f"usual range ±{band:.1f} °{unit}"}],
        "margin": {"l": 60, "r": 20, "t": 30, "b": 50}, "legend": {"orientation": "h"},
    }
    return {"data": data, "layout": layout}


def temperature_view(store: Store, wearer: str, *, days: int, unit: str,
                     today: date | None = None, config: TemperatureConfig | None = None
                     ) -> tuple[dict[str, Any], str]:
    """The Temperature page's figure and a one-sentence summary for the last ``days`` days."""
    if days not in RANGES_DAYS:
        raise ValueError(f"days must be one of {RANGES_DAYS}, found {days!r}")
    config = config or TemperatureConfig()
    rows = store.daily_temperature(wearer)
    end = today or (max((r.day for r in rows), default=None) or date.today())
    start = end - timedelta(days=days - 1)
    rows = [r for r in rows if start <= r.day <= end]
    alerts = [a for a in store.alerts(wearer) if start <= a.first_day <= end]
    figure = temperature_figure(rows, unit=unit, threshold_c=config.contralateral_site_delta_c,
                                alerts=alerts)
    band = format_delta(config.contralateral_site_delta_c, unit).lstrip("+")
    n_days = len({r.day for r in rows})
    summary = (f"{n_days} days with readings from {start.isoformat()} to {end.isoformat()}. "
               f"The shaded band is ±{band}: a spot that stays outside it for "
               f"{config.consecutive_days} days in a row raises an alert.")
    return figure, summary


# -- notes ---------------------------------------------------------------------------------

def add_note(store: Store, wearer: str, kind: str, text: str, *,
             at: datetime | None = None) -> str:
    """Store a note; returns a plain sentence saying what happened."""
    text = (text or "").strip()
    if not text:
        return "Nothing saved: write something first."
    if kind not in NOTE_KINDS:
        return f"Nothing saved: choose one of {', '.join(NOTE_KIND_WORDS.values())}."
    when = at or datetime.now().astimezone()
    try:
        store.add_note(wearer, kind, text, at=when)
    except StoreError as exc:
        return f"Not saved: {exc}"
    return f"Saved: {NOTE_KIND_WORDS[kind].lower()} note of {when:%Y-%m-%d %H:%M}."


def note_lines(store: Store, wearer: str, *, limit: int = 50) -> list[str]:
    """The latest notes, newest first, one line each."""
    notes = store.notes(wearer)[-limit:]
    return [f"{n.at:%Y-%m-%d %H:%M} · {NOTE_KIND_WORDS.get(n.kind, n.kind)}: {n.text}"
            for n in reversed(notes)]
