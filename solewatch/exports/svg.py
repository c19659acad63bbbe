"""Small inline SVG charts for the clinician report (no dependency, nothing loaded).

Colours are the Okabe-Ito palette (Okabe & Ito 2008, "Color Universal Design"), readable with
the common colour-vision deficiencies; every series also has its own marker shape and line
dash, so colour is never the only cue. Every axis names its unit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from html import escape
from typing import Final

#: Okabe-Ito colours by name.
OKABE_ITO: Final[dict[str, str]] = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7",
}
MARKERS: Final[tuple[str, ...]] = ("circle", "square", "diamond", "triangle")
DASHES: Final[tuple[str, ...]] = ("", "6 3", "2 3", "8 3 2 3")


@dataclass
class Series:
    label: str
    points: list[tuple[date, float | None]]
    colour: str = OKABE_ITO["blue"]
    marker: str = "circle"
    dash: str = ""
    #: Days drawn with a hollow marker (e.g. not enough wear for the rules).
    hollow: set[date] = field(default_factory=set)


@dataclass
class Chart:
    title: str
    y_label: str  # includes the unit, e.g. "left − right (°C)"
    days: list[date]
    series: list[Series] = field(default_factory=list)
    band: tuple[float, float] | None = None  # shaded range (reference or threshold band)
    band_label: str = ""
    lines: list[tuple[float, str]] = field(default_factory=list)  # (y, label): dashed rules
    #: Alert markers: (day, y or None for the top, label).
    alerts: list[tuple[date, float | None, str]] = field(default_factory=list)
    width: int = 640
    height: int = 220
    #: Outside the band is the alert side (red-ish shading) rather than inside being "typical".
    band_is_safe: bool = True


def _nice_ticks(lo: float, hi: float, n: int = 5) -> list[float]:
    if not math.isfinite(lo) or not math.isfinite(hi):
        return [0.0]
    if hi - lo < 1e-9:
        lo, hi = lo - 1, hi + 1
    raw = (hi - lo) / max(n - 1, 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    first = math.floor(lo / step) * step
    ticks = []
    t = first
    while not ticks or ticks[-1] < hi:
        ticks.append(round(t, 10))
        t += step
    return ticks


def _fmt(v: float) -> str:
    return f"{v:g}" if abs(v) >= 0.01 or v == 0 else f"{v:.2g}"


def _marker(shape: str, x: float, y: float, colour: str, hollow: bool, r: float = 3.6) -> str:
    fill = "#ffffff" if hollow else colour
    style = f'fill="{fill}" stroke="{colour}" stroke-width="1.5"'
    if shape == "square":
        return f'<rect x="{x - r:.1f}" y="{y - r:.1f}" width="{2 * r:.1f}" height="{2 * r:.1f}" ' \
               f'{style}/>'
    if shape == "diamond":
        d = r * 1.3
        return (f'<polygon points="{x:.1f},{y - d:.1f} {x + d:.1f},{y:.1f} {x:.1f},{y + d:.1f} '
                f'{x - d:.1f},{y:.1f}" {style}/>')
    if shape == "triangle":
        d = r * 1.4
        return (f'<polygon points="{x:.1f},{y - d:.1f} {x + d:.1f},{y + d * 0.8:.1f} '
                f'{x - d:.1f},{y + d * 0.8:.1f}" {style}/>')
    return f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{r:.1f}" {style}/>'


def render(chart: Chart) -> str:
    """The chart as an ``<svg>`` element (with a <title> and a legend)."""
    w, h = chart.width, chart.height
    left, right, top, bottom = 58, 12, 26, 44
    legend_h = 18 if chart.series or chart.alerts or chart.band else 0
    pw, ph = w - left - right, h - top - bottom - legend_h
    values = [v for s in chart.series for _, v in s.points if v is not None and math.isfinite(v)]
    values += [y for y, _ in chart.lines]
    values += [y for _, y, _ in chart.alerts if y is not None]
    if chart.band:
        values += list(chart.band)
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    pad = (hi - lo) * 0.08 or 1.0
    ticks = _nice_ticks(lo - pad, hi + pad)
    y0, y1 = ticks[0], ticks[-1]
    days = chart.days or [date.today()]
    n = len(days)
    index = {d: i for i, d in enumerate(days)}

    def sx(d: date) -> float:
        return left + (pw * (index[d] + 0.5) / n)

    def sy(v: float) -> float:
        return top + ph * (1 - (v - y0) / (y1 - y0))

    out = [f'<svg class="chart" viewBox="0 0 {w} {h}" '
           f'width="{w}" height="{h}" role="img" aria-label="{escape(chart.title)}">',
           f"<title>{escape(chart.title)}</title>",
           f'<text x="{left}" y="15" class="ct">{escape(chart.title)}</text>']
    if chart.band:
        b0, b1 = sorted(chart.band)
        b0c, b1c = max(b0, y0), min(b1, y1)
        if chart.band_is_safe:
            out.append(f'<rect x="{left}" y="{sy(b1c):.1f}" width="{pw}" '
                       f'height="{max(sy(b0c) - sy(b1c), 0):.1f}" fill="#56B4E9" '
                       'fill-opacity="0.18"/>')
        else:  # shade the alert sides, hatch-free but labelled
            for a, b in ((b1c, y1), (y0, b0c)):
                if b > a:
                    out.append(f'<rect x="{left}" y="{sy(b):.1f}" width="{pw}" '
                               f'height="{sy(a) - sy(b):.1f}" fill="#E69F00" '
                               'fill-opacity="0.16"/>')
        for yb in (b0, b1):
            if y0 <= yb <= y1:
                out.append(f'<line x1="{left}" x2="{left + pw}" y1="{sy(yb):.1f}" '
                           f'y2="{sy(yb):.1f}" stroke="#555" stroke-dasharray="4 3" '
                           'stroke-width="1"/>')
    for t in ticks:
        y = sy(t)
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{y:.1f}" y2="{y:.1f}" '
                   f'stroke="#ddd" stroke-width="0.7"/>')
        out.append(f'<text x="{left - 5}" y="{y + 3.5:.1f}" class="tk" '
                   f'text-anchor="end">{_fmt(t)}</text>')
    if y0 < 0 < y1:
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{sy(0):.1f}" y2="{sy(0):.1f}" '
                   'stroke="#888" stroke-width="1"/>')
    for y, label in chart.lines:
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{sy(y):.1f}" y2="{sy(y):.1f}" '
                   'stroke="#000" stroke-dasharray="8 3 2 3" stroke-width="1.3"/>')
        out.append(f'<text x="{left + pw - 3}" y="{sy(y) - 4:.1f}" class="tk" '
                   f'text-anchor="end">{escape(label)}</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
               'stroke="#444" stroke-width="1"/>')
    # x axis: days, thinned to at most ~10 labels
    step = max(1, math.ceil(n / 10))
    for i, d in enumerate(days):
        if _labelled(i, n, step):
            x = sx(d)
            out.append(f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top + ph}" y2="{top + ph + 4}" '
                       'stroke="#444"/>')
            out.append(f'<text x="{x:.1f}" y="{top + ph + 15}" class="tk" '
                       f'text-anchor="middle">{d.strftime("%d %b")}</text>')
    out.append(f'<text x="{left + pw / 2:.1f}" y="{top + ph + 30}" class="al" '
               f'text-anchor="middle">day (local date, {days[0].year})</text>')
    out.append(f'<text transform="translate(13 {top + ph / 2:.1f}) rotate(-90)" class="al" '
               f'text-anchor="middle">{escape(chart.y_label)}</text>')
    for s in chart.series:
        pts = [(d, v) for d, v in s.points if d in index and v is not None and math.isfinite(v)]
        segs: list[list[tuple[date, float]]] = []
        for d, v in pts:  # break the line where a day is missing
            if segs and index[d] - index[segs[-1][-1][0]] == 1:
                segs[-1].append((d, v))
            else:
                segs.append([(d, v)])
        for seg in segs:
            if len(seg) > 1:
                path = " ".join(f"{sx(d):.1f},{sy(v):.1f}" for d, v in seg)
                dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
                out.append(f'<polyline points="{path}" fill="none" stroke="{s.colour}" '
                           f'stroke-width="1.8"{dash}/>')
        for d, v in pts:
            out.append(_marker(s.marker, sx(d), sy(v), s.colour, d in s.hollow))
    for d, y, label in chart.alerts:
        if d not in index:
            continue
        x = sx(d)
        yy = sy(y) if y is not None else top + 8
        out.append(f'<g><title>{escape(label)}</title>'
                   f'<line x1="{x:.1f}" x2="{x:.1f}" y1="{top}" y2="{top + ph}" '
                   'stroke="#D55E00" stroke-width="1" stroke-dasharray="1 2"/>'
                   + _star(x, yy) + "</g>")
    # legend
    ly = h - 8
    lx = left
    items = []
    for s in chart.series:
        items.append((s.label, _legend_line(s)))
    if chart.alerts:
        items.append(("alert day", lambda x, y: _star(x + 9, y)))
    if chart.band:
        fill = "#56B4E9" if chart.band_is_safe else "#E69F00"
        items.append((chart.band_label or "band", lambda x, y, f=fill: (
            f'<rect x="{x}" y="{y - 5}" width="18" height="9" fill="{f}" fill-opacity="0.3" '
            'stroke="#555" stroke-dasharray="4 3"/>')))
    for label, draw in items:
        out.append(draw(lx, ly - 4))
        out.append(f'<text x="{lx + 23}" y="{ly}" class="tk">{escape(label)}</text>')
        lx += 30 + 6.2 * len(label)
    out.append("</svg>")
    return "".join(out)


def _labelled(i: int, n: int, step: int) -> bool:
    """Label every ``step``-th day, and the last one when it is not crowded by the one before."""
    return i % step == 0 or (i == n - 1 and (n - 1) % step > step // 2)


def _legend_line(s: Series):
    def draw(x: float, y: float) -> str:
        dash = f' stroke-dasharray="{s.dash}"' if s.dash else ""
        return (f'<line x1="{x}" x2="{x + 18}" y1="{y}" y2="{y}" stroke="{s.colour}" '
                f'stroke-width="1.8"{dash}/>' + _marker(s.marker, x + 9, y, s.colour, False))
    return draw


def _star(x: float, y: float, r: float = 6.0) -> str:
    pts = []
    for k in range(10):
        rr = r if k % 2 == 0 else r * 0.45
        a = math.pi / 2 + k * math.pi / 5
        pts.append(f"{x + rr * math.cos(a):.1f},{y - rr * math.sin(a):.1f}")
    return f'<polygon points="{" ".join(pts)}" fill="#D55E00" stroke="#000" stroke-width="0.8"/>'


def bar_chart(title: str, y_label: str, days: Sequence[date], values: Sequence[float | None],
              *, marks: dict[str, set[date]] | None = None, width: int = 640,
              height: int = 170) -> str:
    """Bars per day (e.g. worn hours), with rows of symbols below for other data present."""
    marks = marks or {}
    left, right, top = 84, 12, 26
    rows_h = 14 * len(marks)
    bottom = 40 + rows_h
    pw, ph = width - left - right, height - top - bottom
    vals = [v for v in values if v is not None]
    ticks = _nice_ticks(0, max([*vals, 1.0]), 4)
    y1 = ticks[-1]
    n = max(len(days), 1)
    bw = pw / n

    def sy(v: float) -> float:
        return top + ph * (1 - v / y1)

    out = [f'<svg class="chart" viewBox="0 0 {width} '
           f'{height}" width="{width}" height="{height}" role="img" '
           f'aria-label="{escape(title)}"><title>{escape(title)}</title>',
           f'<text x="{left}" y="15" class="ct">{escape(title)}</text>']
    for t in ticks:
        out.append(f'<line x1="{left}" x2="{left + pw}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" '
                   'stroke="#ddd" stroke-width="0.7"/>')
        out.append(f'<text x="{left - 5}" y="{sy(t) + 3.5:.1f}" class="tk" '
                   f'text-anchor="end">{_fmt(t)}</text>')
    for i, (d, v) in enumerate(zip(days, values, strict=True)):
        x = left + i * bw
        if v is not None and v > 0:
            out.append(f'<rect x="{x + bw * 0.15:.1f}" y="{sy(v):.1f}" width="{bw * 0.7:.1f}" '
                       f'height="{sy(0) - sy(v):.1f}" fill="#0072B2"><title>{d.isoformat()}: '
                       f'{v:.1f}</title></rect>')
        elif v is None or v == 0:
            out.append(f'<text x="{x + bw / 2:.1f}" y="{sy(0) - 3:.1f}" class="tk" '
                       'text-anchor="middle">–</text>')
    out.append(f'<rect x="{left}" y="{top}" width="{pw}" height="{ph}" fill="none" '
               'stroke="#444"/>')
    step = max(1, math.ceil(n / 10))
    for i, d in enumerate(days):
        if _labelled(i, n, step):
            out.append(f'<text x="{left + (i + 0.5) * bw:.1f}" y="{top + ph + 13}" class="tk" '
                       f'text-anchor="middle">{d.strftime("%d %b")}</text>')
    for r, (label, present) in enumerate(marks.items()):
        y = top + ph + 28 + 14 * r
        out.append(f'<text x="{left - 5}" y="{y + 3.5}" class="tk" text-anchor="end">'
                   f'{escape(label)}</text>')
        for i, d in enumerate(days):
            cx = left + (i + 0.5) * bw
            out.append(_marker("square", cx, y, "#009E73", d not in present, r=3.2))
    out.append(f'<text x="{left + pw / 2:.1f}" y="{height - 4}" class="al" '
               f'text-anchor="middle">day (local date); filled square = data, hollow = '
               'none</text>')
    out.append(f'<text transform="translate(13 {top + ph / 2:.1f}) rotate(-90)" class="al" '
               f'text-anchor="middle">{escape(y_label)}</text>')
    out.append("</svg>")
    return "".join(out)
