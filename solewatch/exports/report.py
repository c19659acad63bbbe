"""The clinician report: one self-contained HTML file for a wearer and a date range.

Nothing in it loads from the network: the styles are inline, the charts are inline SVG made
here (svg.py), there is no script. It prints on A4. Sections: header with data coverage per
day, the not-a-diagnosis statement, alerts (open first) with evidence, advice and lifecycle,
temperature differences per site against the alert threshold, gait trends against published
reference ranges, pressure peaks per region against the 200 kPa target, notes and sessions.
"""

from __future__ import annotations

import math
import os
from collections.abc import Sequence
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path
from typing import Any, Final

from analysis.alerts import ADVICE, FINDINGS
from analysis.config import PressureConfig, TemperatureConfig
from analysis.references import REFERENCES
from analysis.sites import FEET, REGIONS, SITES
from analysis.temperature.coverage import STATUS_WINDOW_DAYS
from solewatch.evidence import (
    explain_alert,
    finding_message,
    place_label,
    rule_title,
    where_text,
)
from solewatch.exports import svg
from solewatch.exports.svg import OKABE_ITO, Chart, Series
from solewatch.exports.tables import (
    ExportError,
    WearerHistory,
    alert_last_day,
    collect,
    evidence_items,
    footwear_label,
    lifecycle,
)
from solewatch.report import NOT_A_DIAGNOSIS
from solewatch.store import Store, local_time

STATUS_ORDER: Final = {"open": 0, "acknowledged": 1, "resolved": 2}
#: Gait charts: (column, title, unit). The reference band is the metric's ``typical_range`` in
#: analysis.references (its text and source are printed under each chart).
GAIT_CHARTS: Final = (
    ("cadence_steps_per_min", "Cadence", "steps/min"),
    ("stride_time_cv_pct", "Stride-time variability (CV)", "%"),
    ("swing_time_cv_pct", "Swing-time variability (CV)", "%"),
    ("pci_pct", "Phase coordination index (PCI)", "%"),
    ("double_support_pct", "Double support", "% of stride"),
)
LEFT_STYLE: Final = {"colour": OKABE_ITO["blue"], "marker": "circle", "dash": ""}
RIGHT_STYLE: Final = {"colour": OKABE_ITO["orange"], "marker": "square", "dash": "6 3"}

CSS: Final = """
:root { --open: #D55E00; --ack: #E69F00; --done: #009E73; }
* { box-sizing: border-box; }
body { font: 11pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", sans-serif;
       color: #111; margin: 0 auto; max-width: 190mm; padding: 8mm; }
h1 { font-size: 18pt; margin: 0 0 2mm; } h2 { font-size: 14pt; margin: 7mm 0 2mm;
  border-bottom: 1.5px solid #333; } h3 { font-size: 12pt; margin: 3mm 0 1mm; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; margin: 1mm 0 3mm; }
th, td { border: 1px solid #bbb; padding: 1mm 1.5mm; text-align: left; vertical-align: top; }
th { background: #eee; } td.day { white-space: nowrap; }
td.n { text-align: right; font-variant-numeric: tabular-nums; }
.meta td:first-child { width: 35%; font-weight: 600; }
.notdx { border: 2px solid #000; padding: 3mm; margin: 4mm 0; font-weight: 600; }
.alert { border: 1px solid #999; border-left: 6px solid var(--done); padding: 2mm 3mm;
         margin: 3mm 0; }
.alert.open { border-left-color: var(--open); border-width: 2px 2px 2px 8px;
              border-color: var(--open); }
.alert.acknowledged { border-left-color: var(--ack); }
.finding { border: 1px solid #999; border-left: 6px solid #0072B2; padding: 2mm 3mm;
           margin: 3mm 0; }
.badge.finding { border-color: #0072B2; color: #0072B2; }
tr.over td { font-weight: 700; }
.badge { display: inline-block; font-weight: 700; padding: 0 2mm; border: 1.5px solid;
         border-radius: 2mm; font-size: 9pt; letter-spacing: 0.05em; }
.badge.open { color: #fff; background: var(--open); border-color: var(--open); }
.badge.acknowledged { border-color: var(--ack); }
.badge.resolved { border-color: var(--done); }
.muted { color: #555; font-size: 9pt; }
.status { border: 2px solid var(--done); padding: 1mm 3mm; margin: 3mm 0; }
.status.incomplete { border-color: var(--ack); border-width: 2px 2px 2px 8px; }
.status.attention { border-color: var(--open); border-width: 2px 2px 2px 8px; }
.advice { background: #f3f3f3; padding: 1.5mm 2mm; }
svg.chart { width: 100%; height: auto; display: block; margin: 1mm 0 3mm;
            break-inside: avoid; }
svg .ct { font-size: 12px; font-weight: 600; } svg .tk { font-size: 10px; }
svg .al { font-size: 10.5px; }
.grid2 { display: grid; grid-template-columns: 1fr 1fr; gap: 0 4mm; }
.chartbox { break-inside: avoid; }
@page { size: A4; margin: 12mm; }
@media print { body { padding: 0; max-width: none; } h2 { break-after: avoid; }
  h3, tr, .advice { break-inside: avoid; } h3 { break-after: avoid; } }
"""


def _h(value: Any) -> str:
    return escape("" if value is None else str(value))


def _num(value: Any, unit: str, digits: int = 2, *, fixed: bool = False) -> str:
    """A value with its unit (non-breaking space); floats to ``digits`` decimals, trailing
    zeros dropped unless ``fixed``."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        shown = str(value) if isinstance(value, int) else f"{value:.{digits}f}"
        if isinstance(value, float) and not fixed:
            shown = shown.rstrip("0").rstrip(".")
        return f"{shown}\u00a0{unit}" if unit else shown
    return _h(value)


def _when(dt: datetime | None, offset_min: int | None = None) -> str:
    if dt is None:
        return "—"
    loc = local_time(dt, offset_min)
    assert loc is not None
    return loc.strftime("%Y-%m-%d %H:%M ") + (loc.strftime("%z") if offset_min is not None
                                              else "UTC")


def _site_title(site: str) -> str:
    label = place_label(site)
    return label if label == site else f"{label} ({site})"


def _where(foot: str | None, site: str | None) -> str:
    return where_text(foot, site) or "both feet"


# -- sections --------------------------------------------------------------------------------


def _header(h: WearerHistory, generated: datetime) -> str:
    days = h.days
    worn: dict[date, float] = {}
    for r in h.temperature:
        worn[r.day] = max(worn.get(r.day, 0.0), r.minutes / 60.0)
    enough = {r.day for r in h.temperature if r.enough}
    gait = {r.day for r in h.gait}
    pressure = {r.day for r in h.pressure}
    notes = {local_time(n.at, n.at_offset_min).date() for n in h.notes}  # type: ignore[union-attr]
    rows = [
        ("Wearer", _h(h.wearer)),
        ("Date range", f"{h.start.isoformat()} to {h.end.isoformat()} ({len(days)} days, "
                       f"local days{', ' + _h(h.time_zone) if h.time_zone else ''})"),
        ("Generated", generated.strftime("%Y-%m-%d %H:%M UTC")),
        ("Temperature data", f"{len(worn)} of {len(days)} days; {len(enough)} with enough wear "
                             "for the alert rules"),
        ("Gait data", f"{len(gait)} of {len(days)} days"),
        ("Pressure data", f"{len(pressure)} of {len(days)} days"),
        ("Alerts in range", _alert_counts(h)),
    ]
    chart = svg.bar_chart(
        "Data coverage per day", "worn time (h)", days, [worn.get(d) for d in days],
        marks={"enough wear": enough, "gait": gait, "pressure": pressure, "notes": notes})
    table = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in rows)
    return (f"<header><h1>Foot monitoring report — {_h(h.wearer)}</h1>"
            f'<table class="meta">{table}</table>'
            f'<p class="notdx" id="not-a-diagnosis">{_h(NOT_A_DIAGNOSIS)} This report is not a '
            "diagnosis: it shows what the insoles measured and which rules fired.</p>"
            f'<section id="coverage"><h2>Data coverage</h2>{chart}'
            '<p class="muted">Worn time is the longest worn time of any temperature site that '
            "day, in hours (h). A dash means no temperature data that day.</p></section>"
            "</header>")


def _alerts_only(h: WearerHistory) -> list[Any]:
    """The alerts of the range; baseline findings are shown apart and never counted."""
    return [a for a in h.alerts if a.rule not in FINDINGS]


def _alert_counts(h: WearerHistory) -> str:
    alerts = _alerts_only(h)
    if not alerts:
        return "none"
    counts = {s: sum(a.status == s for a in alerts) for s in STATUS_ORDER}
    return ", ".join(f"{n} {s}" for s, n in counts.items() if n)


def _evidence_table(a: Any) -> str:
    """The evidence in words (latest value, confirmation, the offset the rule removed), the
    evidence days as a table (days over the threshold say so in their own column) and the
    rule's settings: labels and units from solewatch.evidence, as on the Alerts page."""
    e = explain_alert(a)
    out = [f"<p>{_h(' '.join(x for x in (e.latest, e.confirmed) if x))}</p>"]
    if e.correction:
        out.append(f'<p class="correction">{_h(e.correction)}</p>')
    if e.also:
        out.append(f"<p>{_h(e.also)}</p>")
    if e.table is not None:
        t = e.table
        head = "".join(f"<th>{_h(c)}</th>" for c in t.columns)
        body = "".join(
            ('<tr class="over">' if over else "<tr>")
            + "".join(f'<td class="{"n" if num else "day"}">{_h(c)}</td>'
                      for c, num in zip(row, t.numeric, strict=True)) + "</tr>"
            for row, over in zip(t.rows, t.over, strict=True))
        out.append(f'<table class="evidence"><tr>{head}</tr>{body}</table>')
    if e.facts:
        rows = "".join(f"<tr><td>{_h(k)}</td><td>{_h(v)}</td></tr>" for k, v in e.facts)
        out.append(f'<table class="evidence-other"><tr><th>how the rule is set</th>'
                   f"<th>value</th></tr>{rows}</table>")
    return "".join(out)


def _alert_block(h: WearerHistory, a: Any) -> str:
    """One alert or finding: its facts, message, advice, evidence and lifecycle."""
    finding = a.rule in FINDINGS
    steps = h.history.get(a.id, [])
    life = lifecycle(steps)
    status_line = ({"open": "TO CHECK ONCE", "acknowledged": "CHECKED", "resolved": "RESOLVED"}
                   if finding else
                   {"open": "OPEN — not yet acknowledged", "acknowledged": "ACKNOWLEDGED",
                    "resolved": "RESOLVED"})[a.status]
    steps_rows = "".join(
        f"<tr><td>{_when(s.at)}</td><td>{_h(s.from_status or '—')} → {_h(s.to_status)}"
        f"</td><td>{_h(s.by)}</td><td>{_h(s.note) or '—'}</td></tr>" for s in steps)
    ack, res = life["acknowledged"], life["resolved"]
    who = []
    if ack:
        who.append(f"{'checked' if finding else 'acknowledged'} by {_h(ack.by)} at "
                   f"{_when(ack.at)}")
    if res:
        who.append(f"resolved by {_h(res.by)} at {_when(res.at)}")
    facts = [
        ("Foot / site", _h(_where(a.foot, a.site))),
        ("Days", f"first {a.first_day.isoformat()}, confirmed "
                 f"{a.confirmed_day.isoformat() if a.confirmed_day else '—'}, last "
                 f"{alert_last_day(a).isoformat()}"),
    ]
    if a.delta_c is not None:
        facts.append(("Difference at confirmation", _num(a.delta_c, "°C", fixed=True)))
    fact_rows = "".join(f"<tr><td>{k}</td><td>{v}</td></tr>" for k, v in facts)
    kind = "finding" if finding else "alert"

    return (
        f'<article class="{kind} {a.status}" id="{kind}-{a.id}">'
        f'<h3><span class="badge {"finding" if finding else a.status}">{status_line}</span> '
        f"{_h(rule_title(a.rule))} — {_h(_where(a.foot, a.site))} "
        f'<span class="muted">({kind} {a.id})</span></h3>'
        f'<table class="meta">{fact_rows}</table>'
        f"<p>{_h(finding_message(a.message) if finding else a.message)}</p>"
        f'<p class="advice"><b>Advice given:</b> {_h(ADVICE.get(a.rule, ""))}</p>'
        f"{_evidence_table(a)}"
        f'<p class="muted">Lifecycle{": " + "; ".join(who) if who else ""}</p>'
        f'<table class="lifecycle"><tr><th>when (UTC)</th><th>status</th><th>who</th>'
        f"<th>note</th></tr>{steps_rows}</table></article>")


def _ordered(alerts: Sequence[Any]) -> list[Any]:
    return sorted(alerts, key=lambda a: (STATUS_ORDER[a.status], a.first_day, a.id))


def status_day(store: Store, wearer: str, end: date, generated: datetime) -> date:
    """The day the report's status is judged on: the wearer's local today, or the end of the
    range when the range ends before it."""
    return min(end, store.wearer_today(wearer, generated))


def _status(status: dict[str, Any]) -> str:
    """The status first, above the alerts: what could be judged on the status day (see
    analysis.temperature.coverage), never a bare "no alerts" when days were not judged."""
    word = {"attention": "NEEDS ATTENTION", "incomplete": "INCOMPLETE — not everything "
            "could be judged", "quiet": "QUIET — judged, nothing found"}[status["status"]]
    reasons = "".join(f"<li>{_h(r[:1].upper() + r[1:])}</li>" for r in status["reasons"])
    lead = (f"<ul>{reasons}</ul>" if reasons else
            f"<p>Every day of the last {STATUS_WINDOW_DAYS} up to {status['today']} was judged "
            "and no alert is open.</p>")
    return (f'<section id="status" class="status {status["status"]}" role="status">'
            f'<h2>Status on {_h(status["today"])}: {word}</h2>{lead}</section>')


def _alerts(h: WearerHistory) -> str:
    alerts = _alerts_only(h)
    if not alerts:
        return ('<section id="alerts"><h2>Alerts</h2><p>No alert in this range.</p></section>')
    blocks = [_alert_block(h, a) for a in _ordered(alerts)]
    n_open = sum(a.status == "open" for a in alerts)
    lead = (f'<p><b>{n_open} open alert{"s" if n_open != 1 else ""}</b> (shown first).</p>'
            if n_open else "<p>No open alert.</p>")
    return f'<section id="alerts"><h2>Alerts</h2>{lead}{"".join(blocks)}</section>'


def _findings(h: WearerHistory) -> str:
    """Baseline findings: a section of their own, after the alerts; empty when none."""
    found = [a for a in h.alerts if a.rule in FINDINGS]
    if not found:
        return ""
    return ('<section id="findings"><h2>Found when monitoring began</h2>'
            "<p>Differences between the feet that were already there in the first days of "
            "monitoring. They are not alerts and are not counted as alerts; each should be "
            "checked once. solewatch keeps watching these spots and alerts if one gets "
            "warmer.</p>" + "".join(_alert_block(h, a) for a in _ordered(found))
            + "</section>")


def _temperature(h: WearerHistory) -> str:
    cfg = TemperatureConfig()
    if not h.temperature:
        return ('<section id="temperature"><h2>Temperature: left − right</h2>'
                "<p>No temperature data in this range.</p></section>")
    charts = []
    for site in (*SITES, "foot_mean"):
        rows = [r for r in h.temperature if r.site == site]
        if not rows:
            continue
        thr = cfg.foot_mean_delta_c if site == "foot_mean" else cfg.contralateral_site_delta_c
        marks = []
        for a in h.alerts:
            if a.rule not in ("contralateral_site", "contralateral_foot_mean"):
                continue
            if (a.site or "foot_mean") != site:
                continue
            for day, item, value in evidence_items(a.evidence):
                if item == "delta_c" and day is not None and isinstance(value, int | float):
                    marks.append((day, float(value),
                                  f"alert {a.id} ({a.status}), {day.isoformat()}: "
                                  f"{value:+.2f} °C after offset"))
        chart = Chart(
            title=_site_title(site),
            y_label="left − right (°C)", days=h.days,
            series=[Series("daily difference (hollow = too little wear)",
                           [(r.day, r.delta_c) for r in rows], colour=OKABE_ITO["blue"],
                           hollow={r.day for r in rows if not r.enough})],
            band=(-thr, thr), band_label=f"±{thr:g} °C alert threshold", alerts=marks,
            band_is_safe=True, height=210)
        charts.append(f'<div class="chartbox">{svg.render(chart)}</div>')
    ref = REFERENCES["temperature_delta_c"]
    return ('<section id="temperature"><h2>Temperature: left − right difference per site</h2>'
            "<p>Daily median skin temperature of the left foot minus the right foot, in °C "
            "(positive: left warmer). The shaded band is the alert threshold "
            f"(±{cfg.contralateral_site_delta_c:g} °C per site, ±{cfg.foot_mean_delta_c:g} °C "
            f"for the whole foot; {cfg.consecutive_days} days in a row confirm an alert). "
            "Stars mark days in an alert's evidence, plotted at the difference the rule used "
            "(after the wearer's learned offset, so a star may sit off the line). "
            f"Healthy feet: {_h(ref.typical)} ({_h(ref.source)}).</p>"
            + "".join(charts) + "</section>")


def _gait(h: WearerHistory) -> str:
    if not h.gait:
        return ('<section id="gait"><h2>Gait</h2><p>No gait data in this range.</p>'
                "</section>")
    charts = []
    for col, title, unit in GAIT_CHARTS:
        ref = REFERENCES[col]
        band = ref.typical_range
        chart = Chart(
            title=f"{title} ({unit})", y_label=f"{title.split(' (')[0].lower()} ({unit})",
            days=h.days, series=[Series("daily value", [(r.day, getattr(r, col)) for r in h.gait],
                                        colour=OKABE_ITO["blue"])],
            band=band, band_label=f"typical {band[0]:g}–{band[1]:g} {unit}", height=200)
        charts.append(f'<div class="chartbox">{svg.render(chart)}<p class="muted">'
                      f"Typical: {_h(ref.typical)}. Of concern: {_h(ref.concern)}. "
                      f"Source: {_h(ref.source)}.</p></div>")
    return ('<section id="gait"><h2>Gait trends against reference ranges</h2>'
            "<p>One value per day from the walking the insoles recorded. The shaded band is the "
            "range published for healthy adults; values outside it are worth a look, not a "
            "finding on their own.</p>" + "".join(charts) + "</section>")


def _pressure(h: WearerHistory) -> str:
    target = PressureConfig().peak_target_kpa
    kpa = [r for r in h.pressure if r.basis == "pressure"]
    force = [r for r in h.pressure if r.basis == "force"]
    if not h.pressure:
        return ('<section id="pressure"><h2>Pressure</h2><p>No pressure data in this range.'
                "</p></section>")
    charts = []
    # What the peak_pressure rule judges (the median step of the day) when the rows have it;
    # rows stored before migration 0004 only have the single highest reading.
    per_step = any(r.step_peak_kpa is not None for r in kpa)
    for region in REGIONS:
        rows = [r for r in kpa if r.region == region]
        if not rows:
            continue
        series = []
        for foot, style in zip(FEET, (LEFT_STYLE, RIGHT_STYLE), strict=True):
            pts = [(r.day, r.step_peak_kpa if per_step else r.peak_kpa)
                   for r in rows if r.foot == foot]
            if pts:
                series.append(Series(f"{foot} foot", pts, **style))
        marks = [(a.first_day, None,
                  f"alert {a.id}: {rule_title(a.rule).lower()}, {a.foot}")
                 for a in h.alerts
                 if a.rule in ("sustained_pressure", "peak_pressure") and a.site == region]
        chart = Chart(title=f"Peak pressure: {_site_title(region)}",
                      y_label="peak pressure (kPa)", days=h.days, series=series,
                      lines=[(target, f"{target:g} kPa target")], alerts=marks, height=200)
        charts.append(f'<div class="chartbox">{svg.render(chart)}</div>')
    ref = REFERENCES["peak_pressure_kpa"]
    what = ("the typical step of each day (the median of the highest pressure under the "
            "region in each step: what the walking-pressure alert judges)" if per_step else
            "the single highest reading of each day")
    text = (f"<p>Daily peak in-shoe pressure per region in kPa, {what}, left foot (blue "
            f"circles, solid line) and right foot (orange squares, dashed line). The dash-dot "
            f"line is the {target:g} kPa target: {_h(ref.typical)} ({_h(ref.source)}).</p>")
    if force:
        groups: dict[tuple[str, str], list[Any]] = {}
        for r in force:
            groups.setdefault((r.foot, r.region), []).append(r)
        cells = []
        for (foot, region), rs in sorted(groups.items(),
                                         key=lambda kv: (kv[0][0], REGIONS.index(kv[0][1]))):
            peaks = sorted(r.peak_n for r in rs if r.peak_n is not None)
            med = peaks[len(peaks) // 2] if len(peaks) % 2 else (
                (peaks[len(peaks) // 2 - 1] + peaks[len(peaks) // 2]) / 2 if peaks else None)
            cells.append(
                f"<tr><td>{_h(foot)}</td><td>{_h(place_label(region))}</td>"
                f'<td class="n">{len(rs)}</td><td class="n">{_num(med, "N", 1)}</td>'
                f'<td class="n">{_num(peaks[-1] if peaks else None, "N", 1)}</td>'
                f"<td>{rs[0].day.isoformat()} to {rs[-1].day.isoformat()}</td></tr>")
        text_force = ('<p class="muted">Regions measured as force only (no kPa calibration), '
                      "so not comparable with the kPa target; daily peak force in newtons (N):"
                      "</p><table><tr><th>foot</th><th>region</th><th>days</th>"
                      "<th>median daily peak (N)</th><th>highest daily peak (N)</th>"
                      f"<th>from / to</th></tr>{''.join(cells)}</table>")
    else:
        text_force = ""
    if not charts:
        charts.append('<p>No calibrated (kPa) pressure in this range.</p>')
    return (f'<section id="pressure"><h2>Pressure peaks per region</h2>{text}'
            + "".join(charts) + text_force + "</section>")


def _notes(h: WearerHistory) -> str:
    if h.notes:
        rows = "".join(
            f'<tr><td class="day">{_when(n.at, n.at_offset_min)}</td><td>{_h(n.kind)}</td>'
            f"<td>{_h(n.text)}</td><td>{_h(footwear_label(h, n.footwear_id)) or '—'}</td></tr>"
            for n in h.notes)
        notes = ("<table><tr><th>when (local)</th><th>kind</th><th>note</th><th>shoe / insole"
                 f"</th></tr>{rows}</table>")
    else:
        notes = "<p>No notes in this range.</p>"
    if h.sessions:
        def name(fid: int | None) -> str:
            f = h.footwear.get(fid) if fid is not None else None
            return _h(f.name) if f else "—"

        rows = "".join(
            f'<tr><td class="day">{_when(s.started_at, s.started_offset_min)}</td>'
            f'<td class="day">'
            f"{_when(s.ended_at, s.started_offset_min) if s.ended_at else 'still open'}</td>"
            f'<td class="n">'
            + (_num((s.ended_at - s.started_at).total_seconds() / 3600, "h", 1)
               if s.ended_at else "—")
            + f"</td><td>{name(s.shoe_id)}</td><td>{name(s.insole_id)}</td>"
            f"<td>{_h(s.note) or '—'}</td></tr>" for s in h.sessions)
        sessions = ("<table><tr><th>started (local)</th><th>ended (local)</th><th>duration</th>"
                    f"<th>shoe</th><th>insole</th><th>note</th></tr>{rows}</table>")
    else:
        sessions = "<p>No wearing sessions recorded in this range.</p>"
    return (f'<section id="notes"><h2>Notes log</h2>{notes}</section>'
            f'<section id="sessions"><h2>Shoes and insoles per session</h2>{sessions}'
            "</section>")


def render_report(store: Store, wearer: str, start: date | str, end: date | str, *,
                  generated_at: datetime | None = None) -> str:
    """The report as one HTML document (str). Raises ExportError for an unknown wearer, an
    inverted range or a range without data."""
    h = collect(store, wearer, start, end)
    generated = (generated_at or datetime.now(UTC)).astimezone(UTC)
    status = store.status(h.wearer, status_day(store, h.wearer, h.end, generated))
    body = "".join((_header(h, generated), _status(status), _alerts(h), _findings(h),
                    _temperature(h), _gait(h), _pressure(h), _notes(h)))
    footer = ('<footer><p class="muted">Made by solewatch on this computer from the local '
              "history store; nothing in this file loads from the network. Thresholds and "
              "reference ranges with their sources: docs/clinical.md. "
              f"{_h(NOT_A_DIAGNOSIS)}</p></footer>")
    title = f"Foot monitoring report — {h.wearer} — {h.start.isoformat()} to {h.end.isoformat()}"
    return ("<!DOCTYPE html>\n"
            '<html lang="en"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_h(title)}</title><style>{CSS}</style></head>"
            f"<body>{body}{footer}</body></html>\n")


def write_report(store: Store, wearer: str, start: date | str, end: date | str,
                 path: str | os.PathLike[str], *, generated_at: datetime | None = None) -> Path:
    """Render the report and write it to ``path`` (folders created); returns the path."""
    html = render_report(store, wearer, start, end, generated_at=generated_at)
    out = Path(path)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(html, encoding="utf-8")
    except OSError as e:
        raise ExportError(f"cannot write the report to {out}: {e}") from e
    return out


__all__: Sequence[str] = ["render_report", "write_report"]
