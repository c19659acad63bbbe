"""An alert's evidence in words and small tables: the Alerts page and the clinician report.

Defined here once, because both the dashboard and solewatch.exports show it (the report does
not import the dashboard; the dashboard may import solewatch): the plain title of every rule,
the label and unit of every evidence field (with a readable fallback for a field this module
does not know), the per-day evidence table, and the sentences that say what the rule measured,
the latest value and its day, the day it was confirmed, and which personal offset the rule
removed and why (or why none). Renderers (Dash components, HTML strings) only lay these out.

Nothing here computes a finding: every number comes from the evidence the analysis recorded
(analysis/temperature/rules.py, analysis/pressure.py); only the measured difference is added
back from the corrected one and the offset when a rule did not record it.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Final

from analysis.alerts import (
    BASELINE_DIFFERENCE,
    CONTRALATERAL_FOOT_MEAN,
    CONTRALATERAL_SITE,
    IPSILATERAL_HOTSPOT,
    PEAK_PRESSURE,
    SAMPLE_RULES,
    SINGLE_FOOT,
    SUDDEN_RISE,
    SUSTAINED_PRESSURE,
    UNSAFE_TEMPERATURE,
)
from analysis.config import TemperatureConfig
from analysis.sites import REGION_LABELS
from analysis.temperature.offset import (
    APPLIED,
    BASELINE_FINDING,
    TOO_FEW_DAYS,
    TOO_LARGE,
    UNSTABLE,
)

#: Every place an alert or a daily row can name: the six temperature sites, the whole-foot
#: mean and the pressure region of toes 2-5.
PLACE_LABELS: Final[dict[str, str]] = {**REGION_LABELS,
                                       "foot_mean": "whole foot (mean of all sites)"}

#: Each rule's title in plain words (Alerts page card, report heading).
RULE_TITLES: Final[dict[str, str]] = {
    CONTRALATERAL_SITE: "One spot warmer than the same spot on the other foot",
    CONTRALATERAL_FOOT_MEAN: "One whole foot warmer than the other",
    IPSILATERAL_HOTSPOT: "One spot warmer than the rest of the same foot",
    SINGLE_FOOT: "One foot warmer than usual",
    SUDDEN_RISE: "One foot warmed up quickly",
    UNSAFE_TEMPERATURE: "Skin temperature that can burn or freeze",
    SUSTAINED_PRESSURE: "Pressure held on one spot for a long time",
    PEAK_PRESSURE: "Pressure when walking above the target",
    BASELINE_DIFFERENCE: "A spot already warmer when monitoring began",
}
#: The sentence a baseline finding carries (shown with it, apart from the alerts).
FINDING_SENTENCE: Final = ("This spot was already warmer when monitoring began: have it "
                           "checked once.")
#: Days over the threshold are marked with this word in the table's "over" column (and in
#: bold), never by colour alone.
OVER_WORD: Final = "yes, over"
NOT_OVER_WORD: Final = "no"


@dataclass(frozen=True)
class Field:
    """How one evidence field is shown: its plain label, unit and decimals."""

    label: str
    unit: str = ""
    decimals: int = 1
    signed: bool = False  #: a left-minus-right difference: "+" means the left foot is warmer
    trim: bool = False  #: drop trailing zeros (settings: 1.35 °C, 2.2 °C)


#: The one registry of evidence fields: label, unit, decimals (per-day columns and facts).
FIELDS: Final[dict[str, Field]] = {
    "date": Field("day"),
    "raw_delta_c": Field("measured difference, left minus right", "°C", 1, signed=True),
    "delta_c": Field("difference the rule used, left minus right", "°C", 1, signed=True),
    "left_c": Field("left foot", "°C"),
    "right_c": Field("right foot", "°C"),
    "above_own_foot_c": Field("warmer than the rest of the same foot", "°C", 1, signed=True),
    "site_c": Field("this spot", "°C"),
    "foot_c": Field("whole foot", "°C"),
    "room_c": Field("room", "°C"),
    "above_usual_c": Field("above your usual level for the room", "°C", 1, signed=True),
    "peak_kpa": Field("walking peak (highest pressure of a typical step)", "kPa", 0),
    "steps": Field("steps", "", 0),
    "minutes": Field("time worn and at rest", "min", 0),
    "over": Field("over the threshold"),
    "threshold_c": Field("threshold", "°C", 2, trim=True),
    "threshold_kpa": Field("threshold", "kPa", 2, trim=True),
    "target_kpa": Field("target", "kPa", 1, trim=True),
    "limit_c": Field("limit", "°C", 2, trim=True),
    "consecutive_days": Field("days in a row needed", "days", 0),
    "offset_c": Field("usual difference removed", "°C", 2, signed=True),
    "offset_learned_c": Field("usual difference learned", "°C", 2, signed=True),
    "also_warmer_than_own_foot_c": Field("also warmer than the rest of the same foot", "°C"),
    "usual_foot_minus_room_c": Field("your foot's usual level above the room", "°C"),
    "rise_c": Field("rise of this foot", "°C"),
    "other_foot_rise_c": Field("rise of the other foot", "°C", 1, signed=True),
    "other_max_c": Field("the other foot must rise less than", "°C", 2, trim=True),
    "window_h": Field("within", "h", 2, trim=True),
    "extreme_c": Field("most extreme reading", "°C"),
    "min_minutes": Field("for at least", "min", 0),
    "kind": Field("hot or cold"),
    "start": Field("from"),
    "end": Field("until"),
    "start_s": Field("start, time into the recording", "s", 0),
    "duration_s": Field("how long", "s", 0),
    "threshold_duration_s": Field("longer than", "s", 0),
    "max_gap_s": Field("breaks shorter than this do not count", "s", 0),
    "mean_kpa": Field("average pressure", "kPa", 1),
    "region": Field("region"),
    "site": Field("spot"),
    "foot": Field("foot"),
    "source": Field("recording"),
    "compared_with": Field("compared with"),
    "last_day": Field("latest day"),
    "ongoing": Field("still going on"),
    "baseline_days": Field("days monitoring began with"),
    "offset_baseline_days": Field("usual difference learned from"),
    "offset_days": Field("days the usual difference was learned from", "days", 0),
    "baseline_median_c": Field("difference when monitoring began (middle value)", "°C", 1,
                               signed=True),
    "baseline_spread_c": Field("day-to-day spread in those days", "°C", 2),
    "rise_threshold_c": Field("alerts when it grows by more than", "°C", 2, trim=True),
    "statistic": Field("daily value"),
    "min_steps": Field("fewest steps for a day to count", "", 0),
    "confirm_days": Field("days in a row needed", "days", 0),
    "latest_peak_kpa": Field("latest walking peak", "kPa", 0),
    "n_days": Field("days with this finding", "days", 0),
    "latest_message": Field("latest message"),
}
#: The same key means something else outside the per-day table (a sample rule's fact).
FACT_FIELDS: Final[dict[str, Field]] = {"minutes": Field("how long", "min", 0)}
#: Per-day columns, in the order shown (fields not listed here follow in their own order).
DAY_COLUMNS: Final[tuple[str, ...]] = (
    "raw_delta_c", "delta_c", "above_own_foot_c", "above_usual_c", "left_c", "right_c",
    "site_c", "foot_c", "room_c", "peak_kpa", "steps", "minutes", "over")
#: The value that matters most, per rule (its latest value and day are stated).
MAIN_VALUE: Final[dict[str, tuple[str, ...]]] = {
    CONTRALATERAL_SITE: ("delta_c",), CONTRALATERAL_FOOT_MEAN: ("delta_c",),
    BASELINE_DIFFERENCE: ("raw_delta_c", "baseline_median_c"),
    IPSILATERAL_HOTSPOT: ("above_own_foot_c",),
    SINGLE_FOOT: ("above_own_foot_c", "above_usual_c"), SUDDEN_RISE: ("rise_c",),
    UNSAFE_TEMPERATURE: ("extreme_c",), SUSTAINED_PRESSURE: ("mean_kpa",),
    PEAK_PRESSURE: ("peak_kpa",),
}
#: Evidence the sentences already tell, left out of the facts table.
TOLD: Final[frozenset[str]] = frozenset({
    "days", "offset_c", "offset_status", "offset_learned_c", "offset_baseline_days",
    "last_day", "ongoing", "sites_over_threshold", "other_sites_over_threshold",
    "baseline_days", "usual_foot_minus_room_c", "foot", "site", "region", "rule",
    "latest_peak_kpa", "baseline_median_c", "offset_days",
    # one alert per episode (analysis.alerts.merge_episodes): the alert's message is the
    # latest day's and says on how many days from when to when
    "latest_message", "n_days"})
#: Keys of an episode's per-occurrence rows that are not columns: each occurrence's own day
#: (the "day" column says it).
ROW_TOLD: Final[frozenset[str]] = frozenset({"last_day", "latest_message", "n_days"})
#: Unit suffixes of evidence field names (the fallback for fields not in FIELDS).
_SUFFIX_UNITS: Final = (("_kpa", "kPa"), ("_c", "°C"), ("_pct", "%"), ("_ms", "ms"),
                        ("_s", "s"), ("_h", "h"), ("minutes", "min"), ("_days", "days"))


def evidence_unit(key: str) -> str:
    """The unit of an evidence field: the registry's, else what its name says
    (``threshold_c`` -> °C); "" when none."""
    if key in FIELDS:
        return FIELDS[key].unit
    k = key.lower()
    for suffix, unit in _SUFFIX_UNITS:
        if k.endswith(suffix) or k == suffix.strip("_"):
            return unit
    return ""


def field_of(key: str) -> Field:
    """The registry's Field for ``key``; an unknown key gets a readable label (its name in
    words without the unit suffix) and the unit its name says."""
    if key in FIELDS:
        return FIELDS[key]
    words = key
    for suffix, _unit in _SUFFIX_UNITS:
        if suffix.startswith("_") and words.lower().endswith(suffix):
            words = words[: -len(suffix)]
            break
    words = words.replace("_", " ").strip() or key
    return Field(words, evidence_unit(key), 2)


def column_title(key: str) -> str:
    """A column header: the plain label and, in brackets, the unit."""
    return _title(field_of(key))


def place_label(place: str | None) -> str:
    """A site or region in plain words (an unknown name with spaces for underscores)."""
    if not place:
        return ""
    return PLACE_LABELS.get(place, place.replace("_", " "))


def where_text(foot: str | None, place: str | None) -> str:
    """Where an alert is: "left foot, heel" (either part may be missing; "" for neither)."""
    return ", ".join(x for x in (f"{foot} foot" if foot else "", place_label(place)) if x)


def rule_title(rule: str) -> str:
    """A rule's title in plain words (:data:`RULE_TITLES`; an unknown rule's name in words)."""
    return RULE_TITLES.get(rule, rule.replace("_", " "))


def _number(value: float, f: Field) -> str:
    text = f"{value:+.{f.decimals}f}" if f.signed else f"{value:.{f.decimals}f}"
    if not (f.trim and "." in text):
        return text
    text = text.rstrip("0")
    return text + "0" if text.endswith(".") and f.unit == "°C" else text.rstrip(".")


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    minutes = seconds / 60.0
    if minutes < 90:
        return f"{minutes:.0f} min"
    h, m = divmod(round(minutes), 60)
    return f"{h} h {m:02d} min"


def _moment(text: str) -> str:
    """An ISO time as the wearer's clock shows it: '2026-03-03 10:00' (offset dropped: it is
    the wearer's own local time)."""
    try:
        return datetime.fromisoformat(text).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return text


def cell(key: str, value: Any) -> str:
    """A value without its unit (the unit is in the column header)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "—"
    if isinstance(value, bool):
        if key == "over":
            return OVER_WORD if value else NOT_OVER_WORD
        return "yes" if value else "no"
    if isinstance(value, int) and not field_of(key).signed:
        return str(value)
    if isinstance(value, int | float):
        return _number(float(value), field_of(key))
    if key in ("site", "region"):
        return place_label(str(value))
    if key in ("start", "end") and isinstance(value, str):
        return _moment(value)
    if isinstance(value, list | tuple):
        return ", ".join(cell(key, v) for v in value) if value and not isinstance(
            value[0], Mapping) else f"{len(value)} entries"
    if isinstance(value, Mapping):
        return "; ".join(f"{field_of(str(k)).label} {value_text(str(k), v)}"
                         for k, v in value.items())
    return str(value)


def value_text(key: str, value: Any) -> str:
    """A value with its unit ('2.9 °C', '21 min', 'yes'), for sentences and facts."""
    f = field_of(key)
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        if f.unit == "s":
            return _duration(float(value))
        if f.unit == "days":
            n = int(value)
            return f"{n} day{'s' if n != 1 else ''}"
        shown = _number(float(value), f)
        return f"{shown} {f.unit}" if f.unit else shown
    if key in ("baseline_days", "offset_baseline_days") and isinstance(value, list | tuple):
        return _span(value) or cell(key, value)
    return cell(key, value)


def _span(days: Sequence[Any]) -> str | None:
    """'from 2026-03-02 to 2026-03-08' from [first, last] ISO days (None if not that)."""
    got = [str(d)[:10] for d in days if isinstance(d, str | date)]
    if not got:
        return None
    return f"on {got[0]}" if got[0] == got[-1] else f"from {got[0]} to {got[-1]}"


def _c(value: float) -> str:
    return f"{abs(value):.1f} °C"


# -- the per-day table -------------------------------------------------------------------------

@dataclass(frozen=True)
class EvidenceTable:
    """The evidence days: one row per day, ``columns`` are plain headers with units."""

    columns: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    over: tuple[bool, ...]  #: per row: the day was over the threshold
    numeric: tuple[bool, ...]  #: per column: right-aligned numbers


def _table_keys(evidence: Mapping[str, Any], rule: str | None) -> list[str]:
    """The columns of the per-day table, in order. A sample rule's rows are its occurrences
    (one alert per episode: analysis.alerts.merge_episodes): their settings, the same in every
    row and in the evidence itself, are facts, not columns."""
    days = [d for d in evidence.get("days") or [] if isinstance(d, Mapping)]
    present = list(dict.fromkeys(k for d in days for k in d
                                 if k != "date" and k not in ROW_TOLD))
    if rule in SAMPLE_RULES:
        present = [k for k in present if k in MAIN_VALUE.get(rule, ()) or not (
            k in evidence and all(k in d and d[k] == evidence[k] for d in days))]
    return [k for k in DAY_COLUMNS if k in present] + [k for k in present
                                                       if k not in DAY_COLUMNS]


def evidence_table(evidence: Mapping[str, Any], rule: str | None = None
                   ) -> EvidenceTable | None:
    """The per-day evidence (``evidence["days"]``, a list of {date, ...}) as a table; None
    when the rule records no days, or a sample rule's one occurrence whose values the
    evidence itself holds (the facts tell them: a one-row table would repeat them)."""
    days = [d for d in evidence.get("days") or [] if isinstance(d, Mapping)]
    if not days:
        return None
    keys = _table_keys(evidence, rule)
    if rule in SAMPLE_RULES and len(days) == 1 and all(
            k in evidence and days[0][k] == evidence[k] for k in keys):
        return None
    # a sample rule's row is an occurrence: its keys mean what they mean as facts
    names = FACT_FIELDS if rule in SAMPLE_RULES else {}
    rows = tuple((str(d.get("date", "—"))[:10],
                  *(cell(k, d.get(k)) if k not in names else _cell_as(names[k], d.get(k))
                    for k in keys)) for d in days)
    numeric = (False, *(any(isinstance(d.get(k), int | float)
                            and not isinstance(d.get(k), bool) for d in days) for k in keys))
    titles = (_title(names[k]) if k in names else column_title(k) for k in keys)
    return EvidenceTable(columns=(FIELDS["date"].label, *titles),
                         rows=rows, over=tuple(bool(d.get("over")) for d in days),
                         numeric=numeric)


def _title(f: Field) -> str:
    return f"{f.label} ({f.unit})" if f.unit else f.label


def _cell_as(f: Field, value: Any) -> str:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return _number(float(value), f)
    return cell("", value)


# -- the sentences ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Explanation:
    """What a person reads about one alert's evidence, all in plain words."""

    latest: str  #: the latest value and its day ("" for a finding)
    confirmed: str  #: the day the alert was confirmed (and the latest day of the episode)
    correction: str  #: how the personal offset was used (or why none); "" if not a rule's
    also: str  #: other spots over the threshold in the same days; "" if none
    facts: tuple[tuple[str, str], ...]  #: the rest of the evidence: (label, value with unit)
    table: EvidenceTable | None


def _latest_day(evidence: Mapping[str, Any], keys: Sequence[str]
                ) -> tuple[str, str, float] | None:
    """(day, key, value) of the last evidence day that has one of ``keys``."""
    for d in reversed([d for d in evidence.get("days") or [] if isinstance(d, Mapping)]):
        for k in keys:
            v = d.get(k)
            if isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v):
                return str(d.get("date", ""))[:10], k, float(v)
    return None


def _warmer(delta: float) -> str:
    return "left warmer" if delta > 0 else "right warmer" if delta < 0 else "no difference"


def _latest(rule: str, evidence: Mapping[str, Any], first_day: date | None) -> str:
    keys = MAIN_VALUE.get(rule, ())
    found = _latest_day(evidence, keys)
    if found is not None:
        day, key, value = found
        what = _warmer(value) if key.endswith("delta_c") else field_of(key).label
        shown = _c(value) if field_of(key).signed else value_text(key, value)
        return f"Latest value: {shown} ({what}) on {day}."
    for key in keys:
        value = evidence.get(key)
        if isinstance(value, int | float) and not isinstance(value, bool):
            when = evidence.get("end") or evidence.get("last_day") or (
                first_day.isoformat() if first_day else None)
            at = f" until {_moment(when)}" if isinstance(when, str) and "T" in when else (
                f" on {when}" if when else "")
            shown = _c(value) if field_of(key).signed else value_text(key, value)
            return f"Latest value: {shown} ({field_of(key).label}){at}."
    return "The rule recorded no value to show."


def _confirmed(rule: str, evidence: Mapping[str, Any], first_day: date | None,
               confirmed_day: date | None) -> str:
    if rule == BASELINE_DIFFERENCE:
        span = _span(evidence.get("baseline_days") or []) or (
            f"from {first_day.isoformat()}" if first_day else "")
        return f"Found in the first days of monitoring ({span})." if span else \
            "Found in the first days of monitoring."
    if confirmed_day is None:
        text = "Not confirmed yet."
    else:
        text = f"Confirmed on {confirmed_day.isoformat()}"
        k = evidence.get("consecutive_days", evidence.get("confirm_days"))
        thr_key = next((t for t in ("threshold_c", "target_kpa", "threshold_kpa")
                        if isinstance(evidence.get(t), int | float)), None)
        if isinstance(k, int) and k > 1 and thr_key is not None:
            text += (f", the {_ordinal(k)} day in a row over "
                     f"{value_text(thr_key, evidence[thr_key])}")
        if first_day is not None and first_day != confirmed_day:
            text += f" (first day {first_day.isoformat()})"
        text += "."
    last = evidence.get("last_day")
    if isinstance(last, str) and confirmed_day is not None and last[:10] != \
            confirmed_day.isoformat():
        text += f" Latest day of this episode: {last[:10]}"
        text += ", still going on." if evidence.get("ongoing") else "."
    elif evidence.get("ongoing"):
        text += " Still going on."
    return text


def _ordinal(n: int) -> str:
    return f"{n}{'th' if 10 <= n % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10, 'th')}"


def no_offset_reason(status: str, learned: float | None, config: TemperatureConfig) -> str:
    """Why a learned offset was not applied, in words (from an Offset's status)."""
    if status == TOO_FEW_DAYS:
        return (f"too few days with enough wear at the start of monitoring to learn your "
                f"usual difference (at least {config.offset_min_days} of the first "
                f"{config.offset_baseline_days} days are needed)")
    if status == TOO_LARGE:
        size = (f" ({_c(learned)})" if isinstance(learned, int | float) and math.isfinite(learned)
                else "")
        return (f"the difference at the start of monitoring{size} was larger than "
                f"{_c(config.offset_max_c)}, more than healthy feet usually differ, so it is "
                "not taken as normal for you: it may have been a problem already")
    if status == UNSTABLE:
        return ("the difference changed too much from day to day at the start of monitoring "
                "to learn a usual value")
    if status == "none":
        return "no usual difference has been learned for this spot"
    if status == BASELINE_FINDING:
        return ("the difference at the start of monitoring was larger than "
                f"{_c(config.offset_max_c)}: it is a finding to have checked, and the rule "
                "watches how much it grows")
    return status.replace("_", " ")


def _found_at_start(usual: float, learned_from: str, own_foot: bool) -> str:
    what = (f"{_c(usual)} {'warmer' if usual > 0 else 'cooler'} than the rest of the same foot"
            if own_foot else f"{_c(usual)} between your feet, {_warmer(usual)}")
    return (f"When monitoring began this spot already differed by {what} ({learned_from}; "
            "see \u201cFound when monitoring began\u201d), so the rule watches how much more "
            "it differs now")


def _correction(rule: str, evidence: Mapping[str, Any], config: TemperatureConfig) -> str:
    """The offset sentence: the measured and the corrected value, the usual difference and
    the days it was learned from; or why no offset was applied."""
    spot = "over the whole foot" if rule == CONTRALATERAL_FOOT_MEAN else "at this spot"
    span = _span(evidence.get("offset_baseline_days") or [])
    learned_from = f"learned {span}" if span else "learned from your first days of monitoring"
    status = evidence.get("offset_status")
    off = evidence.get("offset_c")
    usual = float(off) if isinstance(off, int | float) else 0.0
    learned = evidence.get("offset_learned_c")
    if rule in (CONTRALATERAL_SITE, CONTRALATERAL_FOOT_MEAN):
        found = _latest_day(evidence, ("delta_c",))
        if found is None:
            return ""
        day, _, used = found
        raw_day = next((d for d in evidence.get("days") or [] if str(d.get("date"))[:10] == day),
                       {})
        raw = raw_day.get("raw_delta_c")
        if not isinstance(raw, int | float):
            raw = used + usual
        measured = f"On {day}: measured difference {_c(raw)} ({_warmer(raw)})."
        if status == BASELINE_FINDING:
            return (f"{measured} {_found_at_start(usual, learned_from, own_foot=False)}: "
                    f"{_c(used)} more.")
        if status == APPLIED or (status is None and usual):
            if round(abs(usual), 1) == 0.0:
                return (f"{measured} Your feet usually differ by less than 0.1 °C {spot} "
                        f"({learned_from}), so the rule used the measured difference, "
                        f"{_c(used)}.")
            return (f"{measured} Your feet usually differ by {_c(usual)} {spot} "
                    f"({_warmer(usual)}, {learned_from}), so the rule used {_c(used)} "
                    f"({_warmer(used)}).")
        why = no_offset_reason(str(status or "none"), learned, config)
        return f"{measured} No personal offset was applied: {why}. The rule used {_c(used)}."
    if rule in (IPSILATERAL_HOTSPOT, SINGLE_FOOT) and isinstance(off, int | float):
        found = _latest_day(evidence, ("above_own_foot_c",))
        if found is None:
            return ""
        day, _, used = found
        raw = used + usual
        measured = (f"On {day}: this spot measured {_c(raw)} "
                    f"{'warmer' if raw >= 0 else 'cooler'} than the rest of the same foot.")
        if status == BASELINE_FINDING:
            return (f"{measured} {_found_at_start(usual, learned_from, own_foot=True)}: "
                    f"{_c(used)} more.")
        if status not in (None, APPLIED):
            return (f"{measured} No personal offset was applied: "
                    f"{no_offset_reason(str(status), learned, config)}.")
        if usual:
            return (f"{measured} It is usually {_c(usual)} "
                    f"{'warmer' if usual > 0 else 'cooler'} than the rest of the foot "
                    f"({learned_from}), so the rule used {_c(used)}.")
        return (f"{measured} No personal offset was applied: no usual difference of this spot "
                "could be learned from the first days of monitoring.")
    room = evidence.get("usual_foot_minus_room_c")
    if rule == SINGLE_FOOT and isinstance(room, int | float):
        found = _latest_day(evidence, ("above_usual_c",))
        if found is None:
            return ""
        day, _, used = found
        return (f"On {day}: your foot was {_c(room + used)} warmer than the room. It is "
                f"usually {_c(room)} warmer than the room ({learned_from}), so the rule used "
                f"{_c(used)} above your usual level.")
    if rule == BASELINE_DIFFERENCE:
        return _finding_correction(evidence)
    return ""


def _finding_correction(evidence: Mapping[str, Any]) -> str:
    delta = evidence.get("baseline_median_c", evidence.get("delta_c"))
    if not isinstance(delta, int | float):
        return ""
    own_foot = "same foot" in str(evidence.get("compared_with", ""))
    what = (f"{_c(delta)} {'warmer' if delta > 0 else 'cooler'} than the rest of the same foot"
            if own_foot else f"{_c(delta)} between your feet ({_warmer(delta)})")
    rise = evidence.get("rise_threshold_c")
    watch = (f"alerts if it grows by more than {value_text('rise_threshold_c', rise)}"
             if isinstance(rise, int | float) else "alerts if it gets warmer")
    return (f"This spot differed by {what}, the middle value of those days. It is shown here "
            f"rather than taken as normal for you; solewatch keeps watching it and {watch}.")


def _also(evidence: Mapping[str, Any]) -> str:
    others = [o for key in ("sites_over_threshold", "other_sites_over_threshold")
              for o in evidence.get(key) or [] if isinstance(o, Mapping)]
    if not others:
        return ""
    parts = []
    for o in others:
        d = o.get("delta_c", o.get("baseline_median_c"))
        size = f"{_c(d)}" if isinstance(d, int | float) else ""
        since = f"from {o['first_day']}" if o.get("first_day") else ""
        detail = ", ".join(x for x in (since, size) if x)
        parts.append(f"{place_label(o.get('site'))}{f' ({detail})' if detail else ''}")
    return "Also over the threshold in the same days: " + "; ".join(parts) + "."


def finding_message(message: str) -> str:
    """A finding's message, led by :data:`FINDING_SENTENCE` unless it already says it."""
    return message if FINDING_SENTENCE in message else f"{FINDING_SENTENCE} {message}"


def _fact(key: str, value: Any) -> tuple[str, str]:
    """(label, value with unit) of one evidence field outside the per-day table."""
    f = FACT_FIELDS.get(key)
    if f is not None and isinstance(value, int | float) and not isinstance(value, bool):
        return f.label, f"{_number(float(value), f)} {f.unit}"
    return field_of(key).label, value_text(key, value)


def explain(rule: str, evidence: Mapping[str, Any], *, first_day: date | None = None,
            confirmed_day: date | None = None, config: TemperatureConfig | None = None
            ) -> Explanation:
    """The evidence of one alert (or finding) as sentences, facts and the per-day table."""
    config = config or TemperatureConfig()
    table = evidence_table(evidence, rule)
    # a sample rule's occurrences in a table: their values are in it, not among the facts
    shown = set(_table_keys(evidence, rule)) if table is not None and rule in SAMPLE_RULES \
        else set()
    facts = tuple(_fact(k, v) for k, v in evidence.items()
                  if k not in TOLD and k not in MAIN_VALUE.get(rule, ()) and k not in shown)
    return Explanation(
        # a finding has no latest value: its days are the first days of monitoring
        latest="" if rule == BASELINE_DIFFERENCE else _latest(rule, evidence, first_day),
        confirmed=_confirmed(rule, evidence, first_day, confirmed_day),
        correction=_correction(rule, evidence, config), also=_also(evidence), facts=facts,
        table=table)


def explain_alert(alert: Any, config: TemperatureConfig | None = None) -> Explanation:
    """:func:`explain` for an analysis Alert or a store StoredAlert."""
    return explain(alert.rule, dict(alert.evidence or {}), first_day=alert.first_day,
                   confirmed_day=alert.confirmed_day, config=config)


__all__ = ["FIELDS", "FINDING_SENTENCE", "PLACE_LABELS", "RULE_TITLES", "EvidenceTable",
           "Explanation", "Field", "cell", "column_title", "evidence_table", "evidence_unit",
           "explain", "explain_alert", "field_of", "finding_message", "no_offset_reason",
           "place_label", "rule_title", "value_text", "where_text"]
