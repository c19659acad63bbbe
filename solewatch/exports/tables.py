"""A wearer's history for a date range as tables: CSV and Parquet files, one per table.

Every column has a fixed position, a type and a unit; the unit is in the column name
(``left_degC``, ``peak_kPa``, ``worn_min``) and, in Parquet, also in the field metadata
(``unit``, ``description``). Times are UTC, ISO 8601 with the offset (``...T08:00:00+00:00``);
where the wearer gave a local time (notes, sessions) a ``*_local`` column keeps it with its own
offset. Days (``day``) are the wearer's local calendar days, as the analysis counted them.

Tables: ``daily_temperature``, ``daily_gait``, ``daily_pressure``, ``daily_balance`` (standing
sway), ``daily_exercise`` (repetitions counted), ``alerts`` (one row per alert:
its key values, the threshold, its lifecycle and the whole evidence as JSON), ``alert_evidence``
(the evidence flattened: one value per row, with its day and unit), ``alert_history`` (every
lifecycle step), ``notes`` and ``sessions`` (which shoe and insole were worn).
"""

from __future__ import annotations

import csv
import json
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from analysis.alerts import ADVICE
from analysis.errors import SolewatchError
from analysis.pipeline import GAIT_SUMMARY_KEYS
from solewatch.evidence import evidence_unit, place_label
from solewatch.store import AlertStep, Store, StoredAlert, local_time

FORMATS: Final[tuple[str, ...]] = ("csv", "parquet")
#: Alerts, notes and sessions are kept when they touch the range; a note's day is its local day.


class ExportError(SolewatchError):
    """The export or report cannot be made (the message says why and what to do)."""


@dataclass(frozen=True)
class Column:
    """One column: name (with unit suffix), type, unit and what it holds."""

    name: str
    type: str  # "date" | "timestamp" | "float" | "int" | "bool" | "str"
    unit: str
    description: str


def _c(name: str, type_: str, unit: str, description: str) -> Column:
    return Column(name, type_, unit, description)


UPDATED = _c("updated_at_utc", "timestamp", "UTC", "when the daily job last changed this row")

COLUMNS: Final[dict[str, tuple[Column, ...]]] = {
    "daily_temperature": (
        _c("day", "date", "local day", "the wearer's local calendar day"),
        _c("site", "str", "", "temperature site (hallux, mth1, mth3, mth5, midfoot, heel) or "
           "foot_mean"),
        _c("site_label", "str", "", "the site in plain words"),
        _c("left_degC", "float", "°C", "left foot, daily median while worn"),
        _c("right_degC", "float", "°C", "right foot, daily median while worn"),
        _c("delta_degC", "float", "°C", "left minus right, before any per-wearer offset"),
        _c("worn_min", "float", "min", "minutes of worn data behind the daily values"),
        _c("enough_wear", "bool", "", "enough worn minutes for the alert rules"),
        _c("room_degC", "float", "°C", "room (shoe-off) temperature, when measured"),
        UPDATED,
    ),
    "daily_gait": (
        _c("day", "date", "local day", "the wearer's local calendar day"),
        _c("cadence_steps_per_min", "float", "steps/min", "steps per minute while walking"),
        _c("steps_left_count", "int", "steps", "left steps counted"),
        _c("steps_right_count", "int", "steps", "right steps counted"),
        _c("stride_time_mean_s", "float", "s", "mean stride time"),
        _c("stride_time_sd_ms", "float", "ms", "stride-time standard deviation"),
        _c("stride_time_cv_pct", "float", "%", "stride-time coefficient of variation"),
        _c("swing_time_cv_pct", "float", "%", "swing-time coefficient of variation"),
        _c("stance_time_cv_pct", "float", "%", "stance-time coefficient of variation"),
        _c("double_support_pct_stride", "float", "% of stride", "double-support time"),
        _c("gait_asymmetry_index", "float", "index (100·|ln(swing ratio)|)",
           "gait asymmetry, 0 = symmetric"),
        _c("symmetry_index_pct", "float", "%", "left-right symmetry index"),
        _c("pci_pct", "float", "%", "phase coordination index"),
        _c("dfa_alpha", "float", "dimensionless", "detrended fluctuation analysis exponent"),
        UPDATED,
    ),
    "daily_pressure": (
        _c("day", "date", "local day", "the wearer's local calendar day"),
        _c("foot", "str", "", "left or right"),
        _c("region", "str", "", "pressure region"),
        _c("region_label", "str", "", "the region in plain words"),
        _c("basis", "str", "", "pressure (calibrated, kPa) or force (N)"),
        _c("peak_kPa", "float", "kPa", "peak pressure"),
        _c("pti_kPa_s", "float", "kPa·s", "pressure-time integral"),
        _c("mean_kPa", "float", "kPa", "mean pressure while loaded"),
        _c("peak_above_200kPa_target", "bool", "",
           "the single highest reading above the 200 kPa in-shoe target"),
        _c("step_peak_kPa", "float", "kPa", "median over the day's steps of the highest "
           "pressure under the region in each step (what the peak_pressure alert judges)"),
        _c("steps_count", "int", "steps", "steps the step peak is made of"),
        _c("peak_N", "float", "N", "peak force (force basis)"),
        _c("fti_N_s", "float", "N·s", "force-time integral (force basis)"),
        _c("mean_N", "float", "N", "mean force while loaded (force basis)"),
        UPDATED,
    ),
    "daily_balance": (
        _c("day", "date", "local day", "the wearer's local calendar day"),
        _c("quiet_standing_count", "int", "intervals",
           "quiet-standing intervals measured (at least 10 s still on one or both feet)"),
        _c("one_leg_count", "int", "intervals", "of those, standing on one leg"),
        _c("quiet_standing_s", "float", "s", "total time of those intervals"),
        _c("sway_area95_mm2", "float", "mm²",
           "95% sway ellipse area of the centre of pressure, median over the intervals "
           "(smaller is steadier)"),
        _c("sway_velocity_mm_s", "float", "mm/s",
           "mean centre-of-pressure speed, median over the intervals"),
        _c("sway_velocity_ap_mm_s", "float", "mm/s",
           "front-back (anterior-posterior) speed, median over the intervals"),
        _c("sway_velocity_ml_mm_s", "float", "mm/s",
           "side-to-side (medio-lateral) speed, median over the intervals"),
        UPDATED,
    ),
    "daily_exercise": (
        _c("day", "date", "local day", "the wearer's local calendar day"),
        _c("kind", "str", "", "exercise the insoles recognised (calf_raise, toe_lift)"),
        _c("repetitions_count", "int", "repetitions",
           "repetitions counted that day (0: the day's recording was examined, none found)"),
        UPDATED,
    ),
    "alerts": (
        _c("alert_id", "int", "", "the alert's id in the store"),
        _c("rule", "str", "", "the rule that fired (analysis.alerts.RULES)"),
        _c("foot", "str", "", "left or right (empty: not one foot)"),
        _c("site", "str", "", "site or pressure region (empty: the whole foot)"),
        _c("site_label", "str", "", "the site in plain words"),
        _c("first_day", "date", "local day", "first day of the episode"),
        _c("confirmed_day", "date", "local day", "day the rule was confirmed"),
        _c("last_day", "date", "local day", "last day of the episode known so far"),
        _c("status", "str", "", "open, acknowledged or resolved"),
        _c("delta_degC", "float", "°C", "the difference at the confirmed day (temperature rules)"),
        _c("threshold", "float", "see threshold_unit", "the rule's threshold"),
        _c("threshold_unit", "str", "", "unit of threshold"),
        _c("evidence_days_count", "int", "days", "days listed in the evidence"),
        _c("evidence_summary", "str", "", "the evidence in one line, with units"),
        _c("evidence_json", "str", "JSON", "the whole evidence as stored"),
        _c("message", "str", "", "what the wearer was told"),
        _c("advice", "str", "", "what the wearer was advised to do"),
        _c("opened_at_utc", "timestamp", "UTC", "when the alert opened"),
        _c("opened_by", "str", "", "who opened it (solewatch: the rule)"),
        _c("acknowledged_at_utc", "timestamp", "UTC", "when it was acknowledged"),
        _c("acknowledged_by", "str", "", "who acknowledged it"),
        _c("acknowledged_note", "str", "", "their note"),
        _c("resolved_at_utc", "timestamp", "UTC", "when it was resolved"),
        _c("resolved_by", "str", "", "who resolved it"),
        _c("resolved_note", "str", "", "their note"),
        _c("updated_at_utc", "timestamp", "UTC", "when the alert last changed"),
    ),
    "alert_evidence": (
        _c("alert_id", "int", "", "the alert's id in the store"),
        _c("rule", "str", "", "the rule that fired"),
        _c("day", "date", "local day", "the evidence day (empty: about the whole alert)"),
        _c("item", "str", "", "the evidence field (e.g. delta_c, threshold_c)"),
        _c("value", "float", "see unit", "the value, when it is a number"),
        _c("text", "str", "", "the value, when it is not a number"),
        _c("unit", "str", "", "unit of value"),
    ),
    "alert_history": (
        _c("alert_id", "int", "", "the alert's id in the store"),
        _c("rule", "str", "", "the rule that fired"),
        _c("step", "int", "", "1 = opened, then each change"),
        _c("from_status", "str", "", "status before (empty when opened)"),
        _c("to_status", "str", "", "status after"),
        _c("at_utc", "timestamp", "UTC", "when"),
        _c("by", "str", "", "who"),
        _c("note", "str", "", "their note"),
    ),
    "notes": (
        _c("note_id", "int", "", "the note's id in the store"),
        _c("day", "date", "local day", "the local day the note is about"),
        _c("at_utc", "timestamp", "UTC", "when it happened"),
        _c("at_local", "str", "ISO 8601 with offset", "when it happened, as the wearer gave it"),
        _c("kind", "str", "", "symptom, exercise, shoe or other"),
        _c("text", "str", "", "the note"),
        _c("footwear", "str", "", "the shoe or insole it is about (kind: name)"),
    ),
    "sessions": (
        _c("session_id", "int", "", "the session's id in the store"),
        _c("day", "date", "local day", "the local day the session started"),
        _c("started_at_utc", "timestamp", "UTC", "start"),
        _c("started_local", "str", "ISO 8601 with offset", "start, as the wearer gave it"),
        _c("ended_at_utc", "timestamp", "UTC", "end (empty: still open)"),
        _c("duration_h", "float", "h", "hours worn"),
        _c("shoe", "str", "", "the shoe worn"),
        _c("insole", "str", "", "the insole worn"),
        _c("note", "str", "", "a note on the session"),
    ),
}
TABLES: Final[tuple[str, ...]] = tuple(COLUMNS)

_GAIT_NAMES: Final[dict[str, str]] = dict(zip(GAIT_SUMMARY_KEYS, [
    "cadence_steps_per_min", "steps_left_count", "steps_right_count", "stride_time_mean_s",
    "stride_time_sd_ms", "stride_time_cv_pct", "swing_time_cv_pct", "stance_time_cv_pct",
    "double_support_pct_stride", "gait_asymmetry_index", "symmetry_index_pct", "pci_pct",
    "dfa_alpha"], strict=True))
_LIFECYCLE: Final = ("opened", "acknowledged", "resolved")
_STATUS_OF: Final = {"open": "opened", "acknowledged": "acknowledged", "resolved": "resolved"}


# -- collecting ------------------------------------------------------------------------------


@dataclass
class WearerHistory:
    """What the store holds about a wearer for ``start``..``end`` (inclusive local days)."""

    wearer: str
    time_zone: str | None
    start: date
    end: date
    temperature: list[Any] = field(default_factory=list)
    gait: list[Any] = field(default_factory=list)
    pressure: list[Any] = field(default_factory=list)
    balance: list[Any] = field(default_factory=list)
    exercise: list[Any] = field(default_factory=list)
    alerts: list[StoredAlert] = field(default_factory=list)
    history: dict[int, list[AlertStep]] = field(default_factory=dict)
    notes: list[Any] = field(default_factory=list)
    sessions: list[Any] = field(default_factory=list)
    footwear: dict[int, Any] = field(default_factory=dict)

    @property
    def days(self) -> list[date]:
        n = (self.end - self.start).days + 1
        return [self.start + timedelta(days=i) for i in range(n)]

    def is_empty(self) -> bool:
        return not (self.temperature or self.gait or self.pressure or self.balance
                    or self.exercise or self.alerts or self.notes or self.sessions)


def parse_day(value: date | str, name: str) -> date:
    if isinstance(value, datetime):
        raise ExportError(f"{name}: expected a day (YYYY-MM-DD), found the time {value}")
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value).strip())
    except ValueError:
        raise ExportError(f"{name}: expected a day as YYYY-MM-DD, found {value!r}") from None


def alert_last_day(a: StoredAlert) -> date:
    """The last day of the alert's episode known so far (evidence ``last_day`` if given)."""
    last = a.evidence.get("last_day")
    if isinstance(last, str):
        try:
            return date.fromisoformat(last[:10])
        except ValueError:
            pass
    return a.confirmed_day or a.first_day


def collect(store: Store, wearer: str, start: date | str, end: date | str) -> WearerHistory:
    """Read everything for the range; an unknown wearer, an inverted range or a range with no
    data at all is an :class:`ExportError` that says what the store does hold."""
    start, end = parse_day(start, "from"), parse_day(end, "to")
    if end < start:
        raise ExportError(f"the range is inverted: from {start.isoformat()} is after to "
                          f"{end.isoformat()}; give --from before (or equal to) --to")
    known = [w.name for w in store.wearers()]
    name = wearer.strip() if isinstance(wearer, str) else wearer
    if name not in known:
        listed = ", ".join(repr(k) for k in known) if known else "none yet"
        raise ExportError(f"no wearer named {wearer!r} in the store at {store.url} "
                          f"(wearers: {listed})")
    w = store.get_wearer(name)
    h = WearerHistory(wearer=w.name, time_zone=w.time_zone, start=start, end=end)
    h.temperature = store.daily_temperature(name, start=start, end=end)
    h.gait = store.daily_gait(name, start=start, end=end)
    h.pressure = store.daily_pressure(name, start=start, end=end)
    h.balance = store.daily_balance(name, start=start, end=end)
    h.exercise = store.daily_exercise(name, start=start, end=end)
    h.alerts = [a for a in store.alerts(name)
                if a.first_day <= end and alert_last_day(a) >= start]
    h.history = {a.id: store.alert_history(a.id) for a in h.alerts}
    # A note's or session's day is its local day; UTC offsets span at most +-14 h.
    since = datetime.combine(start, datetime.min.time(), UTC) - timedelta(days=1)
    until = datetime.combine(end, datetime.min.time(), UTC) + timedelta(days=2)
    h.notes = [n for n in store.notes(name, since=since, until=until)
               if start <= _local(n.at, n.at_offset_min).date() <= end]
    h.sessions = [s for s in store.sessions(name)
                  if start <= _local(s.started_at, s.started_offset_min).date() <= end]
    h.footwear = {f.id: f for f in store.footwear(name)}
    if h.is_empty():
        raise ExportError(f"{w.name!r} has no data from {start.isoformat()} to "
                          f"{end.isoformat()}{_holdings(store, name)}")
    return h


def _holdings(store: Store, name: str) -> str:
    days = sorted({r.day for r in store.daily_temperature(name)}
                  | {r.day for r in store.daily_gait(name)}
                  | {r.day for r in store.daily_pressure(name)}
                  | {r.day for r in store.daily_balance(name)}
                  | {r.day for r in store.daily_exercise(name)})
    if not days:
        return " (the store has no daily summaries for this wearer yet)"
    return (f" (the store has daily summaries on {len(days)} days from {days[0].isoformat()} "
            f"to {days[-1].isoformat()})")


def _local(utc: datetime, offset: int | None) -> datetime:
    out = local_time(utc, offset)
    assert out is not None
    return out


# -- rows ------------------------------------------------------------------------------------


def footwear_label(h: WearerHistory, footwear_id: int | None) -> str | None:
    f = h.footwear.get(footwear_id) if footwear_id is not None else None
    return None if f is None else f"{f.kind}: {f.name}"


def lifecycle(steps: Sequence[AlertStep]) -> dict[str, AlertStep | None]:
    """The last step into each lifecycle state ("opened", "acknowledged", "resolved")."""
    out: dict[str, AlertStep | None] = dict.fromkeys(_LIFECYCLE)
    for s in steps:
        out[_STATUS_OF[s.to_status]] = s
    return out


def threshold_of(evidence: Mapping[str, Any]) -> tuple[float | None, str]:
    for key in ("threshold_c", "threshold_kpa", "target_kpa", "limit_c"):
        v = evidence.get(key)
        if isinstance(v, int | float) and not isinstance(v, bool):
            return float(v), evidence_unit(key)
    return None, ""


def evidence_items(evidence: Mapping[str, Any]) -> list[tuple[date | None, str, Any]]:
    """The evidence as (day, item, value) triples: per-day lists give one triple per value
    with that day; nested lists are numbered (``sites_over_threshold[0].delta_c``)."""
    out: list[tuple[date | None, str, Any]] = []

    def walk(prefix: str, value: Any, day: date | None) -> None:
        if isinstance(value, Mapping):
            d = day
            raw = value.get("date")
            if isinstance(raw, str):
                try:
                    d = date.fromisoformat(raw[:10])
                except ValueError:
                    d = day
            for k, v in value.items():
                if k == "date" and d is not None and d != day:
                    continue
                walk(f"{prefix}.{k}" if prefix else str(k), v, d)
        elif isinstance(value, list) and value and all(isinstance(v, Mapping) for v in value):
            dated = all(isinstance(v.get("date"), str) for v in value)
            for i, v in enumerate(value):
                walk(prefix if (dated and prefix == "days") else f"{prefix}[{i}]", v, day)
        else:
            out.append((day, prefix, value))

    walk("", dict(evidence), None)
    # "days.delta_c" reads as "delta_c" on its day.
    return [(d, k.removeprefix("days."), v) for d, k, v in out]


#: Evidence items the one-line summary leaves out: the threshold (it leads), the latest day,
#: and the latest day's message of an episode (the ``message`` column has it).
_SUMMARY_SKIP: Final = frozenset({"threshold_c", "threshold_kpa", "limit_c", "last_day",
                                  "latest_message"})


def evidence_summary(a: StoredAlert) -> str:
    """One line: threshold, then each evidence day's key values with units."""
    parts = []
    thr, unit = threshold_of(a.evidence)
    if thr is not None:
        parts.append(f"threshold {thr:g} {unit}")
    for day, item, value in evidence_items(a.evidence):
        if item in _SUMMARY_SKIP or day is None:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool):
            parts.append(f"{day.isoformat()} {item} {value:g} {evidence_unit(item)}".rstrip())
    for day, item, value in evidence_items(a.evidence):
        if day is None and item not in _SUMMARY_SKIP:
            unit = evidence_unit(item)
            shown = (f"{value:g}" if isinstance(value, float)
                     else value if isinstance(value, str) else json.dumps(value))
            parts.append(f"{item} {shown}{' ' + unit if unit else ''}")
    return "; ".join(parts)


def table_rows(h: WearerHistory) -> dict[str, list[dict[str, Any]]]:
    """Every table's rows, columns in :data:`COLUMNS` order."""
    rows: dict[str, list[dict[str, Any]]] = {t: [] for t in TABLES}
    for r in h.temperature:
        rows["daily_temperature"].append({
            "day": r.day, "site": r.site, "site_label": place_label(r.site),
            "left_degC": r.left_c, "right_degC": r.right_c, "delta_degC": r.delta_c,
            "worn_min": r.minutes, "enough_wear": r.enough, "room_degC": r.room_c,
            "updated_at_utc": r.updated_at})
    for r in h.gait:
        row: dict[str, Any] = {"day": r.day}
        row.update({_GAIT_NAMES[k]: getattr(r, k) for k in GAIT_SUMMARY_KEYS})
        row["updated_at_utc"] = r.updated_at
        rows["daily_gait"].append(row)
    for r in h.pressure:
        rows["daily_pressure"].append({
            "day": r.day, "foot": r.foot, "region": r.region,
            "region_label": place_label(r.region), "basis": r.basis,
            "peak_kPa": r.peak_kpa, "pti_kPa_s": r.pti_kpa_s, "mean_kPa": r.mean_kpa,
            "peak_above_200kPa_target": r.peak_above_target,
            "step_peak_kPa": r.step_peak_kpa, "steps_count": r.steps, "peak_N": r.peak_n,
            "fti_N_s": r.fti_n_s, "mean_N": r.mean_n, "updated_at_utc": r.updated_at})
    for r in h.balance:
        rows["daily_balance"].append({
            "day": r.day, "quiet_standing_count": r.quiet_standing_intervals,
            "one_leg_count": r.one_leg_intervals, "quiet_standing_s": r.quiet_standing_s,
            "sway_area95_mm2": r.ellipse95_area_mm2,
            "sway_velocity_mm_s": r.mean_velocity_mm_s,
            "sway_velocity_ap_mm_s": r.ap_velocity_mm_s,
            "sway_velocity_ml_mm_s": r.ml_velocity_mm_s, "updated_at_utc": r.updated_at})
    for r in h.exercise:
        rows["daily_exercise"].append({"day": r.day, "kind": r.kind,
                                       "repetitions_count": r.repetitions,
                                       "updated_at_utc": r.updated_at})
    for a in h.alerts:
        steps = h.history.get(a.id, [])
        life = lifecycle(steps)
        thr, unit = threshold_of(a.evidence)
        days = a.evidence.get("days")
        row = {
            "alert_id": a.id, "rule": a.rule, "foot": a.foot, "site": a.site,
            "site_label": place_label(a.site) or None,
            "first_day": a.first_day, "confirmed_day": a.confirmed_day,
            "last_day": alert_last_day(a), "status": a.status, "delta_degC": a.delta_c,
            "threshold": thr, "threshold_unit": unit or None,
            "evidence_days_count": len(days) if isinstance(days, list) else None,
            "evidence_summary": evidence_summary(a),
            "evidence_json": json.dumps(a.evidence, sort_keys=True, ensure_ascii=False),
            "message": a.message, "advice": ADVICE.get(a.rule)}
        for state in _LIFECYCLE:
            s = life[state]
            row[f"{state}_at_utc"] = s.at if s else None
            row[f"{state}_by"] = s.by if s else None
            if state != "opened":
                row[f"{state}_note"] = (s.note or None) if s else None
        row["updated_at_utc"] = a.updated_at
        rows["alerts"].append(row)
        for day, item, value in evidence_items(a.evidence):
            number = isinstance(value, int | float) and not isinstance(value, bool)
            rows["alert_evidence"].append({
                "alert_id": a.id, "rule": a.rule, "day": day, "item": item,
                "value": float(value) if number else None,
                "text": None if number or value is None else (
                    value if isinstance(value, str) else json.dumps(value)),
                "unit": (evidence_unit(item) or None) if number else None})
        for i, s in enumerate(steps, 1):
            rows["alert_history"].append({
                "alert_id": a.id, "rule": a.rule, "step": i, "from_status": s.from_status,
                "to_status": s.to_status, "at_utc": s.at, "by": s.by, "note": s.note or None})
    for n in h.notes:
        loc = _local(n.at, n.at_offset_min)
        rows["notes"].append({
            "note_id": n.id, "day": loc.date(), "at_utc": n.at, "at_local": loc.isoformat(),
            "kind": n.kind, "text": n.text, "footwear": footwear_label(h, n.footwear_id)})
    for s in h.sessions:
        loc = _local(s.started_at, s.started_offset_min)
        hours = None if s.ended_at is None else (s.ended_at - s.started_at).total_seconds() / 3600
        rows["sessions"].append({
            "session_id": s.id, "day": loc.date(), "started_at_utc": s.started_at,
            "started_local": loc.isoformat(), "ended_at_utc": s.ended_at, "duration_h": hours,
            "shoe": _name(h, s.shoe_id), "insole": _name(h, s.insole_id),
            "note": s.note or None})
    for table, cols in COLUMNS.items():
        names = [c.name for c in cols]
        rows[table] = [{k: r.get(k) for k in names} for r in rows[table]]
    return rows


def _name(h: WearerHistory, footwear_id: int | None) -> str | None:
    f = h.footwear.get(footwear_id) if footwear_id is not None else None
    return None if f is None else f.name


# -- writing ---------------------------------------------------------------------------------


def _csv_cell(value: Any, type_: str) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if type_ == "timestamp":
        return value.astimezone(UTC).isoformat()
    if type_ == "date":
        return value.isoformat()
    if type_ == "bool":
        return "true" if value else "false"
    if type_ == "float":
        return repr(float(value))
    return str(value)


def write_csv(path: Path, columns: Sequence[Column], rows: Iterable[Mapping[str, Any]]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow([c.name for c in columns])
        for r in rows:
            w.writerow([_csv_cell(r[c.name], c.type) for c in columns])


def arrow_schema(columns: Sequence[Column]) -> Any:
    import pyarrow as pa

    types: dict[str, Callable[[], Any]] = {
        "date": pa.date32, "timestamp": lambda: pa.timestamp("us", tz="UTC"),
        "float": pa.float64, "int": pa.int64, "bool": pa.bool_, "str": pa.string}
    return pa.schema([pa.field(c.name, types[c.type](), nullable=True,
                               metadata={"unit": c.unit, "description": c.description})
                      for c in columns])


def write_parquet(path: Path, columns: Sequence[Column], rows: Sequence[Mapping[str, Any]],
                  *, metadata: Mapping[str, str] | None = None) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    schema = arrow_schema(columns)
    if metadata:
        schema = schema.with_metadata(dict(metadata))
    data = {c.name: [r[c.name] for r in rows] for c in columns}
    pq.write_table(pa.Table.from_pydict(data, schema=schema), path)


def export_tables(store: Store, wearer: str, start: date | str, end: date | str,
                  out_dir: str | Path, *, formats: Sequence[str] = FORMATS) -> list[Path]:
    """Write every table for ``wearer`` from ``start`` to ``end`` (inclusive local days) into
    ``out_dir`` as ``<wearer>_<table>_<start>_<end>.<format>``; returns the paths written.
    Tables without rows are written too (header only), so a set of files is always complete."""
    formats = tuple(dict.fromkeys(f.strip().lower() for f in formats if f.strip()))
    unknown = [f for f in formats if f not in FORMATS]
    if unknown or not formats:
        raise ExportError(f"export format(s) {unknown or list(formats)} not known; use "
                          f"{', '.join(FORMATS)}")
    h = collect(store, wearer, start, end)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise ExportError(f"cannot create the output folder {out}: {e}") from e
    stem = f"{_safe_name(h.wearer)}_{{table}}_{h.start.isoformat()}_{h.end.isoformat()}"
    meta = {"solewatch.wearer": h.wearer, "solewatch.from": h.start.isoformat(),
            "solewatch.to": h.end.isoformat(),
            "solewatch.generated_at": datetime.now(UTC).isoformat(timespec="seconds")}
    written = []
    for table, rows in table_rows(h).items():
        for fmt in formats:
            path = out / f"{stem.format(table=table)}.{fmt}"
            if fmt == "csv":
                write_csv(path, COLUMNS[table], rows)
            else:
                write_parquet(path, COLUMNS[table], rows, metadata={**meta, "solewatch.table":
                                                                    table})
            written.append(path)
    return written


def _safe_name(name: str) -> str:
    return "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
