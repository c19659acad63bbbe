"""What the dashboard shows, as plain functions: tested without a browser.

The dashboard shows, never computes: numbers come from the store (filled by the daily job
from the analysis); here they are only selected, converted for display and worded.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Final

from analysis.alerts import ADVICE, FINDINGS, TEMPERATURE_RULES
from analysis.config import GaitConfig, TemperatureConfig
from analysis.references import REFERENCES
from analysis.sites import SITES
from analysis.temperature import DailyTable, WearerOffsets, learn_offsets
from analysis.temperature.coverage import STATUS_WINDOW_DAYS
from analysis.temperature.offset import APPLIED, BASELINE_FINDING
from dashboard.live.geometry import VIRIDIS_ANCHORS
from solewatch.daily import analysis_rows
from solewatch.evidence import (
    EvidenceTable,
    explain_alert,
    finding_message,
    no_offset_reason,
    rule_title,
    value_text,
    where_text,
)
from solewatch.evidence import place_label as site_label
from solewatch.store import Store
from solewatch.store.errors import StoreError
from solewatch.store.models import FOOT_MEAN, NOTE_KINDS, local_time

#: Okabe-Ito colour-blind-safe categorical palette (Okabe & Ito 2008, "Color Universal
#: Design"; grey as in R's palette.colors("Okabe-Ito")). The one definition of the dashboard's
#: categorical colours: pages import from here.
OKABE_ITO: Final[dict[str, str]] = {
    "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
    "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
    "grey": "#999999",
}
#: One colour per temperature site, and black (drawn dashed) for the whole-foot mean. Grey is
#: not used: under deuteranopia it is hard to tell from purple and green (tests/test_dashboard.py
#: checks every pair drawn on one chart).
SITE_COLOURS: Final[dict[str, str]] = dict(zip(
    (*SITES, FOOT_MEAN),
    tuple(OKABE_ITO[c] for c in ("orange", "sky_blue", "green", "blue", "purple", "yellow",
                                 "black")), strict=True))
#: Alert markers (triangles) on the temperature chart; values outside a reference range
#: (triangles) on the gait charts.
ALERT_COLOUR: Final = OKABE_ITO["vermillion"]
#: Gait charts: the daily values, the values outside the typical range, the typical band.
GAIT_COLOURS: Final[dict[str, str]] = {
    "value": OKABE_ITO["blue"], "outside": OKABE_ITO["vermillion"],
    "band": OKABE_ITO["sky_blue"]}
#: Balance chart: the daily sway area and the fallers' figure (a dashed line; days above it
#: are up-triangles).
BALANCE_COLOURS: Final[dict[str, str]] = {
    "value": OKABE_ITO["blue"], "concern": OKABE_ITO["vermillion"]}
#: Exercise repetitions the insoles counted, per kind (also told apart by marker and line).
EXERCISE_STYLES: Final[dict[str, dict[str, str]]] = {
    "calf_raise": {"label": "calf raises (heels up)", "colour": OKABE_ITO["blue"],
                   "symbol": "circle", "dash": "solid"},
    "toe_lift": {"label": "toe lifts (front of the foot up)", "colour": OKABE_ITO["orange"],
                 "symbol": "square", "dash": "dash"},
}
#: The colours that mean different things on one chart, per chart: each pair must stay
#: distinguishable under colour-vision deficiency (tested).
CHART_COLOURS: Final[dict[str, tuple[str, ...]]] = {
    "temperature": (*SITE_COLOURS.values(), ALERT_COLOUR),
    "gait": tuple(GAIT_COLOURS.values()),
    "balance": tuple(BALANCE_COLOURS.values()),
    "exercise": tuple(s["colour"] for s in EXERCISE_STYLES.values()),
}
#: Sequential scale for pressure maps: viridis (van der Walt & Smith 2015; readable with
#: red-green colour-vision deficiency and in grey print, lightness rising monotonically).
#: Plotly dict figures use the plotly.js name; canvas drawing uses the anchors, defined once
#: in dashboard.live.geometry (which keeps grey free for "no value" on the map).
PRESSURE_COLORSCALE: Final = "Viridis"
PRESSURE_COLOUR_ANCHORS: Final[tuple[str, ...]] = VIRIDIS_ANCHORS

RANGES_DAYS: Final[tuple[int, ...]] = (30, 90, 365)
UNITS: Final[tuple[str, ...]] = ("C", "F")
STATUS_WORDS: Final[dict[str, str]] = {
    "open": "New", "acknowledged": "Seen", "resolved": "Resolved"}
#: A baseline finding's status: acknowledging it means "I had it checked".
FINDING_STATUS_WORDS: Final[dict[str, str]] = {
    "open": "To check once", "acknowledged": "Checked", "resolved": "Resolved"}
NOTE_KIND_WORDS: Final[dict[str, str]] = {
    "symptom": "Symptom", "exercise": "Exercise", "shoe": "Shoes", "other": "Other"}


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
    if round(value, 1) == 0.0:
        value = 0.0  # never "-0.0"
    return f"{value:+.1f} °{unit}"


# -- alerts --------------------------------------------------------------------------------

@dataclass(frozen=True)
class AlertCard:
    """One alert (or baseline finding) worded for the Alerts page: no field holds code
    identifiers or raw evidence; the evidence days are a table (solewatch.evidence)."""

    id: int
    status: str
    status_word: str
    title: str
    where: str
    since: str
    delta: str
    message: str
    latest: str  #: the latest value and its day
    confirmed: str  #: the day the alert was confirmed
    correction: str  #: the personal offset the rule removed, in words ("" if none applies)
    also: str  #: other spots over the threshold in the same days ("" if none)
    facts: tuple[tuple[str, str], ...]  #: the rest of the evidence, (label, value with unit)
    table: EvidenceTable | None  #: the evidence days; None for rules without days
    advice: str
    can_acknowledge: bool
    can_resolve: bool
    is_finding: bool = False  #: a baseline finding: shown apart, never counted as an alert


def headline_value(alert: Any) -> str:
    """The value a card leads with: the temperature difference, or for pressure alerts (which
    have no difference) the latest walking peak against its target, or the latest stretch of
    pressure held; "" when the rule recorded none of these."""
    ev = alert.evidence or {}
    if alert.delta_c is not None:
        return f"difference {format_delta(alert.delta_c)}"
    peak = ev.get("latest_peak_kpa")
    if isinstance(peak, int | float) and not isinstance(peak, bool):
        day = ev.get("last_day")
        target = ev.get("target_kpa")
        return ", ".join(x for x in (
            f"latest {value_text('latest_peak_kpa', peak)}" + (f" on {day}" if day else ""),
            f"target {value_text('target_kpa', target)}" if isinstance(target, int | float)
            else "") if x)
    held = ev.get("duration_s")
    if isinstance(held, int | float) and not isinstance(held, bool):
        return f"latest stretch {held / 60:.0f} minutes without a real break"
    return ""


def alert_card(alert: Any) -> AlertCard:
    """An AlertCard from a solewatch.store.StoredAlert."""
    where = where_text(alert.foot, alert.site)
    where = where[:1].upper() + where[1:]
    since = f"since {alert.first_day.isoformat()}"
    if alert.confirmed_day:
        since += f", confirmed {alert.confirmed_day.isoformat()}"
    finding = alert.rule in FINDINGS
    explained = explain_alert(alert)
    return AlertCard(
        id=alert.id, status=alert.status,
        status_word=(FINDING_STATUS_WORDS if finding else STATUS_WORDS)[alert.status],
        title=rule_title(alert.rule), where=where,
        since=since, delta=headline_value(alert),
        message=finding_message(alert.message) if finding else alert.message,
        latest=explained.latest,
        confirmed=explained.confirmed, correction=explained.correction, also=explained.also,
        facts=explained.facts, table=explained.table, advice=ADVICE.get(alert.rule, ""),
        can_acknowledge=alert.status == "open", can_resolve=alert.status != "resolved",
        is_finding=finding)


def _ordered(alerts: Iterable[Any]) -> list[AlertCard]:
    """Open first, then seen, then resolved; newest first within each."""
    order = {"open": 0, "acknowledged": 1, "resolved": 2}
    return [alert_card(a) for a in sorted(alerts, key=lambda a: (order[a.status],
                                                                 -a.first_day.toordinal()))]


def alert_cards(store: Store, wearer: str) -> list[AlertCard]:
    """The alerts (never the baseline findings): open first, then seen, then resolved."""
    return _ordered(a for a in store.alerts(wearer) if a.rule not in FINDINGS)


def finding_cards(store: Store, wearer: str) -> list[AlertCard]:
    """The baseline findings ("found when monitoring began"), shown apart from the alerts."""
    return _ordered(a for a in store.alerts(wearer) if a.rule in FINDINGS)


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
    if stored.rule in FINDINGS:
        return (f"Saved: finding {stored.id} is now marked "
                f"'{FINDING_STATUS_WORDS[stored.status]}'.")
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
                     "x": xs, "y": ys,
                     "line": {"color": SITE_COLOURS[site],
                              "dash": "dash" if site == FOOT_MEAN else "solid"},
                     "hovertemplate": f"%{{x}}: %{{y:+.1f}} °{unit}<extra>{site_label(site)}"
                                      "</extra>"})
    marks = [a for a in alerts if sites is None or a.site in sites or not a.site]
    if marks:
        data.append({"type": "scatter", "mode": "markers", "name": "alert",
                     "x": [a.first_day.isoformat() for a in marks],
                     "y": [delta_for_display(a.delta_c or 0.0, unit) for a in marks],
                     "marker": {"symbol": "triangle-up", "size": 14,
                                "color": ALERT_COLOUR},
                     "text": [rule_title(a.rule) for a in marks],
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
        "margin": {"l": 60, "r": 20, "t": 30, "b": 50},
        "legend": {"orientation": "h", "y": -0.28, "yanchor": "top"},
    }
    return {"data": data, "layout": layout}


def temperature_view(store: Store, wearer: str, *, days: int, unit: str,
                     today: date | None = None, config: TemperatureConfig | None = None,
                     view: str = "measured") -> tuple[dict[str, Any], str]:
    """The Temperature page's figure and a one-sentence summary for the ``days`` days ending
    ``today`` (the wearer's local today; default: the clock), days without data as gaps;
    ``view`` "rule" draws the difference with the wearer's usual difference removed."""
    if days not in RANGES_DAYS:
        raise ValueError(f"days must be one of {RANGES_DAYS}, found {days!r}")
    if view not in TEMP_VIEWS:
        raise ValueError(f"view must be one of {tuple(TEMP_VIEWS)}, found {view!r}")
    config = config or TemperatureConfig()
    history = store.daily_temperature(wearer)
    end = today or store.wearer_today(wearer)
    start = end - timedelta(days=days - 1)
    rows = [r for r in history if start <= r.day <= end]
    if view == "rule":
        offsets = usual_differences(history, config)
        rows = as_the_rule_sees_it(rows, offsets)
        usual = usual_difference_text(offsets, unit, config, {r.site for r in rows})
    alerts = [a for a in store.alerts(wearer)
              if start <= a.first_day <= end and a.rule in TEMPERATURE_RULES]
    figure = temperature_figure(rows, unit=unit, threshold_c=config.contralateral_site_delta_c,
                                alerts=alerts)
    figure = with_day_gaps(figure, start, end)
    if view == "rule":
        figure = label_as_the_rule_sees_it(figure, usual, unit)
    band = format_delta(config.contralateral_site_delta_c, unit).lstrip("+")
    n_days = len({r.day for r in rows})
    summary = (f"{n_days} days with readings from {start.isoformat()} to {end.isoformat()}. "
               f"The shaded band is ±{band}: a spot that stays outside it for "
               f"{config.consecutive_days} days in a row raises an alert.")
    if view == "rule":
        summary += " " + usual.sentence
    return figure, summary


def with_day_gaps(figure: dict[str, Any], start: date, end: date) -> dict[str, Any]:
    """The figure with its x axis from ``start`` to ``end`` and every line drawn on every day
    of it: a day without a value is None, a gap in the line (plotly does not connect across
    None), never a line drawn straight over the missing days."""
    days = [d.isoformat() for d in _all_days(start, end)]
    data = []
    for trace in figure["data"]:
        if "lines" in str(trace.get("mode", "")):
            by_day = dict(zip(trace["x"], trace["y"], strict=True))
            trace = {**trace, "x": days, "y": [by_day.get(d) for d in days],
                     "connectgaps": False}
        data.append(trace)
    # Plotly places a date at its midnight: half a day of margin keeps the first and last
    # markers visible, and the axis ends on ``end`` even when it has no data.
    xaxis = {**figure["layout"].get("xaxis", {}), "type": "date",
             "range": [f"{start - timedelta(days=1)} 12:00", f"{end} 12:00"]}
    return {**figure, "data": data, "layout": {**figure["layout"], "xaxis": xaxis}}


def newest_data_text(store: Store, wearer: str, today: date) -> str:
    """How old the newest day with temperature readings is: "Newest data: 5 days ago,
    2026-03-10." (or today, or yesterday; or that there is none yet)."""
    days = [r.day for r in store.daily_temperature(wearer)
            if r.left_c is not None or r.right_c is not None]
    if not days:
        return "Newest data: none yet: no temperature readings are stored for this wearer."
    newest = max(days)
    age = (today - newest).days
    when = {0: "today", 1: "yesterday"}.get(age, f"{age} days ago")
    if age < 0:
        when = "after today"
    return f"Newest data: {when}, {newest.isoformat()}."


# -- status: what could be judged ----------------------------------------------------------

#: How each status looks: a colour (Okabe-Ito), an icon that is not colour alone (plain
#: characters every font has, drawn in a circle of the colour by style.css), a word.
STATUS_LOOKS: Final[dict[str, dict[str, str]]] = {
    "attention": {"colour": OKABE_ITO["vermillion"], "icon": "!", "word": "Needs attention"},
    "incomplete": {"colour": OKABE_ITO["orange"], "icon": "?",
                   "word": "Not everything could be checked"},
    "quiet": {"colour": OKABE_ITO["green"], "icon": "\u2713", "word": "All checked"},
}


@dataclass(frozen=True)
class StatusBanner:
    """The status worded for the top of the Alerts page."""

    status: str
    icon: str
    colour: str
    word: str
    headline: str
    lines: tuple[str, ...]


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def status_banner(store: Store, wearer: str, today: date) -> StatusBanner:
    """What the wearer's history lets one say on ``today`` (Store.status), in plain words:
    the most important reason as the headline ("No data from the right insole since
    2026-03-10."), the others below it."""
    st = store.status(wearer, today)
    look = STATUS_LOOKS[st["status"]]
    reasons = [_sentence(r) for r in st["reasons"]]
    if st["status"] == "quiet":
        headline = (f"Every day of the last {STATUS_WINDOW_DAYS} days up to "
                    f"{today.isoformat()} could be checked. Nothing needs your attention.")
        lines: tuple[str, ...] = ()
    elif st["status"] == "attention":
        headline = reasons[0] + " See below."
        lines = tuple(reasons[1:])
    else:
        headline, lines = reasons[0], tuple(reasons[1:])
    return StatusBanner(status=st["status"], icon=look["icon"], colour=look["colour"],
                        word=look["word"], headline=headline, lines=lines)


def no_alerts_text(status: str) -> str:
    """What the Alerts page says when there is no alert: "Nothing needs your attention" only
    when everything could be judged."""
    if status == "quiet":
        return "No alerts. Nothing needs your attention."
    return "No alerts in what could be checked. See above for what could not be checked."


# -- temperature as the rule sees it ---------------------------------------------------------

#: The Temperature page's choice of difference: as measured, or with the wearer's usual
#: difference (the learned offset the rules remove) taken away.
TEMP_VIEWS: Final[dict[str, str]] = {
    "measured": "Measured",
    "rule": "As the rule sees it (your usual difference removed)",
}


@dataclass(frozen=True)
class ShownDay:
    """A daily row as drawn: the difference after the wearer's usual difference is removed."""

    day: date
    site: str
    delta_c: float | None
    enough: bool


def usual_differences(rows: Sequence[Any], config: TemperatureConfig) -> WearerOffsets:
    """The wearer's usual left-right difference per site, learned as the rules learn it
    (analysis.temperature.learn_offsets) from the stored daily rows of the whole history."""
    return learn_offsets(DailyTable.from_rows(analysis_rows(rows)), config)


def as_the_rule_sees_it(rows: Iterable[Any], offsets: WearerOffsets) -> list[ShownDay]:
    """``rows`` with each site's applied offset subtracted from the difference."""
    return [ShownDay(r.day, r.site, None if r.delta_c is None else
                     r.delta_c - offsets.contralateral_c(r.site), bool(r.enough)) for r in rows]


@dataclass(frozen=True)
class UsualDifferences:
    """What the "as the rule sees it" view removed, in words."""

    span: str  #: from which days: "learned from 2026-03-01 to 2026-03-07"
    sentence: str  #: per site, what was removed, and where nothing was and why
    legend: dict[str, str]  #: per site: "usual +0.5 °C removed" or "nothing removed"


def usual_difference_text(offsets: WearerOffsets, unit: str, config: TemperatureConfig,
                          sites: Iterable[str] = (*SITES, FOOT_MEAN)) -> UsualDifferences:
    """Which usual difference was removed at each of ``sites`` and from which days, and why
    nothing was where nothing was, in words."""
    days = offsets.baseline_days
    span = (f"learned from {days[0].isoformat()} to {days[-1].isoformat()}" if days else
            "not learned yet: too few days")
    removed, legend = [], {}
    kept: dict[str, list[str]] = {}
    wanted = set(sites)
    for site in (s for s in (*SITES, FOOT_MEAN) if s in wanted):
        o = offsets.contralateral.get(site)
        if o is not None and o.status == APPLIED:
            legend[site] = f"usual {format_delta(o.value_c, unit)} removed"
            removed.append(f"{site_label(site)} {format_delta(o.value_c, unit)}")
        elif o is not None and o.status == BASELINE_FINDING:
            legend[site] = (f"{format_delta(o.value_c, unit)} found when monitoring began "
                            "removed")
            removed.append(f"{site_label(site)} {format_delta(o.value_c, unit)}, the "
                           "difference found when monitoring began (a finding to have "
                           "checked; the rule watches how much it grows)")
        else:
            legend[site] = "nothing removed"
            why = no_offset_reason(o.status if o else "none", o.learned_c if o else None,
                                   config)
            kept.setdefault(why, []).append(site_label(site))
    text = f"Your usual difference between the feet, {span}, is removed from each line"
    text += f" ({'; '.join(removed)})." if removed else ": none could be learned."
    for why, where in kept.items():
        text += f" Nothing removed at {'; '.join(where)}: {why}."
    return UsualDifferences(span, text, legend)


def label_as_the_rule_sees_it(figure: dict[str, Any], usual: UsualDifferences,
                              unit: str) -> dict[str, Any]:
    """Say on the chart that the usual difference is removed, per site in the legend."""
    for trace in figure["data"]:
        site = next((s for s in usual.legend if site_label(s) == trace.get("name")), None)
        if site is not None:
            trace["name"] = f"{trace['name']} ({usual.legend[site]})"
    layout = figure["layout"]
    layout["yaxis"]["title"]["text"] = f"left minus right, usual removed (°{unit})"
    layout["title"] = {"text": f"As the rule sees it: your usual difference ({usual.span}) "
                               "removed", "font": {"size": 13}}
    return figure


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


# -- wearer chooser ------------------------------------------------------------------------

def choose_wearer(names: Sequence[str], chosen: Any, default: str | None) -> str | None:
    """The wearer to show: ``chosen`` (the tab's choice) when it names a wearer in the store,
    else ``default`` (--wearer) when it does, else the first wearer; None: no wearers."""
    for candidate in (chosen, default):
        if isinstance(candidate, str) and candidate in names:
            return candidate
    return names[0] if names else None


# -- gait and balance ----------------------------------------------------------------------

@dataclass(frozen=True)
class GaitMetric:
    """One daily gait value charted against its published reference (analysis.references)."""

    key: str            #: column of the store's daily_gait (analysis.pipeline.GAIT_SUMMARY_KEYS)
    title: str
    axis: str           #: y-axis title, with the unit
    unit: str           #: unit written after every number ("" for none)
    decimals: int
    meaning: str        #: what it is and what is typical, in plain words

    @property
    def reference(self) -> Any:
        return REFERENCES[self.key]

    def format(self, value: float) -> str:
        number = f"{value:.{self.decimals}f}"
        if not self.unit:
            return number
        return f"{number}{self.unit}" if self.unit == "%" else f"{number} {self.unit}"


GAIT_METRICS: Final[tuple[GaitMetric, ...]] = (
    GaitMetric(
        "cadence_steps_per_min", "Walking pace (cadence)", "steps per minute", "steps/min", 0,
        "How many steps you take in a minute while walking, from the walks the insoles "
        "recorded that day. Adults walking at a comfortable pace usually take about 100 to "
        "120 steps a minute. A pace that falls over weeks can mean walking has become harder "
        "or less sure-footed."),
    GaitMetric(
        "stride_time_cv_pct", "Steadiness of your stride (stride-time variability)",
        "stride-time variation (%)", "%", 1,
        "How much the time of one stride differs from the next, as a percentage of the usual "
        "stride time. Lower is steadier: healthy adults are at about 2 to 3%. Values that stay "
        "higher are linked with a higher risk of falling."),
    GaitMetric(
        "gait_asymmetry", "Left-right difference (asymmetry)", "asymmetry index (0 = even)",
        "", 1,
        "Compares the time each foot spends swinging through the air: 0 means both feet "
        "swing for the same time, larger means one foot is favoured. It rises with one-sided "
        "weakness or pain. No numeric typical range is given in the sources used here, so no "
        "band is drawn: close to 0 is typical."),
    GaitMetric(
        "pci_pct", "Left-right timing (coordination)", "phase coordination index (%)", "%", 1,
        "How evenly each step falls halfway between the steps of the other foot (phase "
        "coordination index). Lower is better coordinated: about 2 to 4% at 40 to 75 years, "
        "about 6% over 75 years."),
)

#: The fallers' sway area drawn as a dashed line on the balance chart (a display reference,
#: not an alert; analysis.config.GaitConfig.fallers_sway_area_mm2, clinical.md).
FALLERS_SWAY_AREA_MM2: Final = GaitConfig().fallers_sway_area_mm2
BALANCE_MEANING: Final = (
    "How much your body sways while you stand still, from the moments of at least 10 "
    "seconds when the insoles found you standing quietly. The insoles follow the point where "
    "your weight presses on the feet; the sway area is the patch that holds 95% of its "
    "movement, in square millimetres (mm²). Smaller is steadier. The dashed line is the sway "
    "area of people who went on to fall, measured standing on one leg (1030 mm², 10.3 cm²). "
    "Standing on both feet sways much less than on one, so your values are usually well "
    "below that line: watch the trend over weeks. With both feet the area is an estimate "
    "(the insoles cannot see how far apart the feet are). Days without quiet standing are "
    "left empty.")
EXERCISE_MEANING: Final = (
    "Regular balance and foot exercises help keep walking steady. The insoles recognise two "
    "of them: calf raises (heels lifted, weight on the front of the feet) and toe lifts "
    "(front of the foot lifted, weight on the heels). The first chart shows the repetitions "
    "the insoles counted each day (0: recorded but none done; empty: no recording to look "
    "at); the second, the exercise notes you wrote on the Notes page.")


@dataclass(frozen=True)
class GaitChart:
    metric: GaitMetric
    figure: dict[str, Any]
    summary: str
    source: str


@dataclass(frozen=True)
class GaitView:
    start: date
    end: date
    days_with_data: int
    charts: tuple[GaitChart, ...]
    exercise_figure: dict[str, Any]
    exercise_summary: str
    balance_figure: dict[str, Any]
    balance_summary: str
    balance_source: str
    repetitions_figure: dict[str, Any]
    repetitions_summary: str

    @property
    def summary(self) -> str:
        return (f"{self.days_with_data} day{'s' if self.days_with_data != 1 else ''} with "
                f"walking measured from {self.start.isoformat()} to {self.end.isoformat()}.")


def _window(days: int, last: date | None, today: date | None) -> tuple[date, date]:
    if days not in RANGES_DAYS:
        raise ValueError(f"days must be one of {RANGES_DAYS}, found {days!r}")
    end = today or last or date.today()
    return end - timedelta(days=days - 1), end


def _all_days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def gait_metric_figure(days: Sequence[date], values: Sequence[float | None],
                       metric: GaitMetric) -> dict[str, Any]:
    """A plotly dict figure of one metric, one value per day (None: a gap), the reference's
    typical range as a band, values above it as up-triangles and below it as down-triangles
    (shape as well as colour)."""
    if len(days) != len(values):
        raise ValueError(f"{metric.key}: {len(days)} days but {len(values)} values")
    xs = [d.isoformat() for d in days]
    low_high = metric.reference.typical_range
    unit = "" if not metric.unit else metric.unit if metric.unit == "%" else f" {metric.unit}"
    fmt = f"%{{y:.{metric.decimals}f}}{unit}"
    data: list[dict[str, Any]] = [{
        "type": "scatter", "mode": "lines+markers", "name": "daily value", "x": xs,
        "y": list(values), "connectgaps": False,
        "line": {"color": GAIT_COLOURS["value"]},
        "marker": {"symbol": "circle", "size": 7, "color": GAIT_COLOURS["value"]},
        "hovertemplate": f"%{{x}}: {fmt}<extra></extra>"}]
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    if low_high is not None:
        low, high = low_high
        for name, symbol, test in (
                ("above the typical range", "triangle-up", lambda v: v > high),
                ("below the typical range", "triangle-down", lambda v: v < low)):
            out = [(x, v) for x, v in zip(xs, values, strict=True) if v is not None and test(v)]
            if out:
                data.append({
                    "type": "scatter", "mode": "markers", "name": name,
                    "x": [x for x, _ in out], "y": [v for _, v in out],
                    "marker": {"symbol": symbol, "size": 13, "color": GAIT_COLOURS["outside"],
                               "line": {"color": "#000000", "width": 1}},
                    "hovertemplate": f"%{{x}}: {fmt} ({name})<extra></extra>"})
        shapes.append({"type": "rect", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                       "y0": low, "y1": high, "fillcolor": GAIT_COLOURS["band"],
                       "opacity": 0.2, "line": {"width": 0}, "layer": "below"})
        annotations.append({
            "xref": "paper", "x": 1, "y": high, "yref": "y", "xanchor": "right",
            "yanchor": "bottom", "showarrow": False,
            "text": f"typical {metric.format(low)} to {metric.format(high)}"})
    layout = {
        "xaxis": {"title": {"text": "day"}, "type": "date"},
        "yaxis": {"title": {"text": metric.axis}},
        "shapes": shapes, "annotations": annotations,
        "margin": {"l": 60, "r": 16, "t": 24, "b": 50}, "height": 320,
        "legend": {"orientation": "h", "y": -0.28, "yanchor": "top"},
    }
    return {"data": data, "layout": layout}


def gait_metric_summary(values: Sequence[float | None], metric: GaitMetric) -> str:
    """One sentence: days measured, average, and days outside the typical range."""
    got = [v for v in values if v is not None]
    if not got:
        return "No days with this measurement in this period."
    text = (f"{len(got)} day{'s' if len(got) != 1 else ''} measured, average "
            f"{metric.format(sum(got) / len(got))}")
    low_high = metric.reference.typical_range
    if low_high is None:
        return text + "."
    low, high = low_high
    above = sum(v > high for v in got)
    below = sum(v < low for v in got)
    return (text + f"; {above} day{'s' if above != 1 else ''} above and {below} "
            f"day{'s' if below != 1 else ''} below the typical range "
            f"({metric.format(low)} to {metric.format(high)}).")


def exercise_figure(days: Sequence[date], counts: Sequence[int]) -> dict[str, Any]:
    """Bars: exercise notes logged per day."""
    return {"data": [{"type": "bar", "name": "exercise notes", "x": [d.isoformat() for d in days],
                      "y": list(counts), "marker": {"color": GAIT_COLOURS["value"]},
                      "hovertemplate": "%{x}: %{y} exercise note(s)<extra></extra>"}],
            "layout": {"xaxis": {"title": {"text": "day"}, "type": "date"},
                       "yaxis": {"title": {"text": "exercise notes (count)"}, "rangemode":
                                 "tozero", "dtick": 1},
                       "margin": {"l": 60, "r": 16, "t": 24, "b": 50}, "height": 260}}


def _days_word(n: int) -> str:
    return f"{n} day{'s' if n != 1 else ''}"


def balance_figure(days: Sequence[date], areas: Sequence[float | None], *,
                   concern_mm2: float = FALLERS_SWAY_AREA_MM2) -> dict[str, Any]:
    """The daily 95% sway area (mm², None: a gap) with the fallers' figure as a dashed line;
    days above it are up-triangles (shape as well as colour)."""
    if len(days) != len(areas):
        raise ValueError(f"sway area: {len(days)} days but {len(areas)} values")
    xs = [d.isoformat() for d in days]
    data: list[dict[str, Any]] = [{
        "type": "scatter", "mode": "lines+markers", "name": "sway area that day", "x": xs,
        "y": list(areas), "connectgaps": False, "line": {"color": BALANCE_COLOURS["value"]},
        "marker": {"symbol": "circle", "size": 7, "color": BALANCE_COLOURS["value"]},
        "hovertemplate": "%{x}: %{y:.0f} mm²<extra></extra>"}]
    over = [(x, v) for x, v in zip(xs, areas, strict=True) if v is not None and v > concern_mm2]
    if over:
        data.append({
            "type": "scatter", "mode": "markers", "name": "above the fallers' figure",
            "x": [x for x, _ in over], "y": [v for _, v in over],
            "marker": {"symbol": "triangle-up", "size": 13, "color": BALANCE_COLOURS["concern"],
                       "line": {"color": "#000000", "width": 1}},
            "hovertemplate": "%{x}: %{y:.0f} mm² (above the fallers' figure)<extra></extra>"})
    top = max([v for v in areas if v is not None] + [concern_mm2])
    layout = {
        "xaxis": {"title": {"text": "day"}, "type": "date"},
        "yaxis": {"title": {"text": "sway area, 95% ellipse (mm²)"}, "rangemode": "tozero",
                  "range": [0, 1.12 * top]},
        "shapes": [{"type": "line", "xref": "paper", "x0": 0, "x1": 1, "yref": "y",
                    "y0": concern_mm2, "y1": concern_mm2,
                    "line": {"color": BALANCE_COLOURS["concern"], "dash": "dash", "width": 2}}],
        "annotations": [{  # on the left: the newest days (right) may be near the line
            "xref": "paper", "x": 0, "y": concern_mm2, "yref": "y", "xanchor": "left",
            "yanchor": "bottom", "showarrow": False,
            "text": f"people who fell, on one leg: {concern_mm2:.0f} mm²"}],
        "margin": {"l": 60, "r": 16, "t": 24, "b": 50}, "height": 320,
        "legend": {"orientation": "h", "y": -0.28, "yanchor": "top"},
    }
    return {"data": data, "layout": layout}


def balance_summary(rows: Sequence[Any], *, concern_mm2: float = FALLERS_SWAY_AREA_MM2) -> str:
    """One sentence about the stored balance rows of the period."""
    areas = [a for a in (_finite(r.ellipse95_area_mm2) for r in rows) if a is not None]
    if not rows:
        return "No quiet standing measured in this period."
    standing_min = sum(r.quiet_standing_s for r in rows) / 60.0
    speeds = [v for v in (_finite(r.mean_velocity_mm_s) for r in rows) if v is not None]
    text = (f"{_days_word(len(rows))} with quiet standing measured ({standing_min:.1f} min "
            "in all)")
    if areas:
        over = sum(a > concern_mm2 for a in areas)
        text += (f"; sway area on average {sum(areas) / len(areas):.0f} mm², "
                 f"{_days_word(over)} above the fallers' {concern_mm2:.0f} mm²")
    if speeds:
        text += f"; average sway speed {sum(speeds) / len(speeds):.1f} mm/s"
    return text + "."


def repetitions_figure(days: Sequence[date],
                       counts: Mapping[str, Sequence[int | None]]) -> dict[str, Any]:
    """Repetitions the insoles counted per day, one line per exercise kind (None: no
    recording examined that day, a gap; 0: examined, none done)."""
    xs = [d.isoformat() for d in days]
    data = []
    for kind, style in EXERCISE_STYLES.items():
        ys = list(counts.get(kind, [None] * len(days)))
        if len(ys) != len(days):
            raise ValueError(f"{kind}: {len(days)} days but {len(ys)} counts")
        data.append({
            "type": "scatter", "mode": "lines+markers", "name": style["label"], "x": xs,
            "y": ys, "connectgaps": False,
            "line": {"color": style["colour"], "dash": style["dash"]},
            "marker": {"symbol": style["symbol"], "size": 8, "color": style["colour"]},
            "hovertemplate": f"%{{x}}: %{{y}} {style['label'].split(' (')[0]}<extra></extra>"})
    return {"data": data, "layout": {
        "xaxis": {"title": {"text": "day"}, "type": "date"},
        "yaxis": {"title": {"text": "repetitions counted by the insoles"},
                  "rangemode": "tozero"},
        "margin": {"l": 60, "r": 16, "t": 24, "b": 50}, "height": 300,
        "legend": {"orientation": "h", "y": -0.28, "yanchor": "top"}}}


def repetitions_summary(rows: Sequence[Any]) -> str:
    if not rows:
        return "No recordings examined for exercises in this period."
    examined = len({r.day for r in rows})
    parts = []
    for kind, style in EXERCISE_STYLES.items():
        of_kind = [r.repetitions for r in rows if r.kind == kind]
        done = sum(n > 0 for n in of_kind)
        parts.append(f"{sum(of_kind)} {style['label'].split(' (')[0]} on {_days_word(done)}")
    return (f"The insoles counted {' and '.join(parts)} (out of {_days_word(examined)} with a "
            "recording to look at).")


def gait_view(store: Store, wearer: str, *, days: int, today: date | None = None) -> GaitView:
    """The Gait and balance page for the last ``days`` days: one chart per GAIT_METRICS entry
    from the stored daily gait summaries (days without a value are gaps) and the exercise
    notes per day."""
    rows = store.daily_gait(wearer)
    balance_rows = store.daily_balance(wearer)
    exercise_rows = store.daily_exercise(wearer)
    last = max((r.day for r in (*rows, *balance_rows, *exercise_rows)), default=None)
    start, end = _window(days, last, today)
    by_day = {r.day: r for r in rows if start <= r.day <= end}
    axis = _all_days(start, end)
    charts = []
    for metric in GAIT_METRICS:
        values = [_finite(getattr(by_day[d], metric.key)) if d in by_day else None
                  for d in axis]
        ref = metric.reference
        source = f"Typical: {ref.typical}. Source: {ref.source}."
        charts.append(GaitChart(metric, gait_metric_figure(axis, values, metric),
                                gait_metric_summary(values, metric), source))
    counts = dict.fromkeys(axis, 0)
    for note in store.notes(wearer, kind="exercise"):
        day = local_time(note.at, note.at_offset_min).date()
        if day in counts:
            counts[day] += 1
    total = sum(counts.values())
    exercise_summary = (
        f"{total} exercise note{'s' if total != 1 else ''} on "
        f"{sum(c > 0 for c in counts.values())} days from {start.isoformat()} to "
        f"{end.isoformat()}: the exercises you wrote down on the Notes page.")
    balance = {r.day: r for r in balance_rows if start <= r.day <= end}
    areas = [_finite(balance[d].ellipse95_area_mm2) if d in balance else None for d in axis]
    ref = REFERENCES["ellipse95_area_mm2"]
    reps: dict[str, list[int | None]] = {k: [None] * len(axis) for k in EXERCISE_STYLES}
    index = {d: i for i, d in enumerate(axis)}
    in_range = [r for r in exercise_rows if r.day in index]
    for r in in_range:
        if r.kind in reps:
            reps[r.kind][index[r.day]] = r.repetitions
    return GaitView(
        start, end, len(by_day), tuple(charts), exercise_figure(axis, list(counts.values())),
        exercise_summary, balance_figure(axis, areas), balance_summary(list(balance.values())),
        f"Smaller is steadier. For comparison: {ref.concern}. Source: {ref.source}.",
        repetitions_figure(axis, reps), repetitions_summary(in_range))


def _finite(value: Any) -> float | None:
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None
