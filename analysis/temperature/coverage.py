"""What could be judged: per-day coverage and the overall status of a result.

Silence must never look like safety. Every day of a recording (or of the stored history) gets a
coverage row::

    {"date": date, "left_minutes": float, "right_minutes": float, "judged": bool,
     "reason": str | None}

and a result gets one **status** (:func:`overall_status`):

* ``attention``: an open alert (an alert that is not a finding, see ``Alert.is_finding``, and
  not resolved by a person);
* ``incomplete``: no alert, but a day of the last :data:`STATUS_WINDOW_DAYS` days up to "today"
  could not be judged, or a foot has sent no data since a date;
* ``quiet``: those days were judged and nothing was found.

"Today" is passed in (analysis never reads the clock): the last day of the data for a file
analysed by ``solewatch analyze``, the wearer's local today for the store, dashboard and report.

Pure: arrays and rows in, plain values out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from typing import Any, Final

import numpy as np

from analysis.alerts import FINDINGS
from analysis.config import TemperatureConfig
from analysis.sites import FEET
from analysis.streams import TemperatureStream
from analysis.temperature._signal import sample_period_s
from analysis.temperature.daily import DailyTable, local_day_index

#: How many days up to "today" must all have been judged for the status to be ``quiet``.
#: Source: issue 9 ("a day of the last 7 that could not be judged" makes a result incomplete);
#: a week is also the offset baseline (offset_baseline_days) and the span a wearer looks back.
STATUS_WINDOW_DAYS: Final = 7

ATTENTION: Final = "attention"
INCOMPLETE: Final = "incomplete"
QUIET: Final = "quiet"
#: The three status values, most urgent first.
STATUSES: Final[tuple[str, ...]] = (ATTENTION, INCOMPLETE, QUIET)

#: Alert statuses (solewatch.store) that no longer need attention; analysis alerts have none.
CLOSED_ALERT_STATUSES: Final = frozenset({"resolved"})


def _feet_words(feet: Sequence[str]) -> str:
    return "either insole" if len(feet) == len(FEET) and len(feet) > 1 else \
        " and ".join(f"the {f} insole" for f in feet)


def judge_day(
    *,
    feet: Sequence[str],
    has_data: Mapping[str, bool | None],
    worn_minutes: Mapping[str, float | None],
    rest_minutes: float,
    enough: bool,
    min_minutes: float,
) -> tuple[bool, str | None]:
    """Whether a day could be judged by the daily rules, and if not, why (plain words).

    ``feet``: the feet the wearer is monitored on (both, or one in single-foot mode).
    ``has_data``: per foot, whether it sent any valid reading that day (None: not known).
    ``worn_minutes``: per foot, worn minutes (None: not known). ``rest_minutes``: the rested,
    comparable minutes behind the day's values; ``enough``: at least one site (or the whole
    foot) had ``min_minutes`` of them. The first reason that applies is given:
    no data from an insole, an insole not worn, too little (comparable) rest.
    """
    missing = [f for f in feet if has_data.get(f) is False]
    if missing:
        if len(missing) == len(feet) and len(feet) > 1:
            return False, "no data from either insole"
        return False, "no data from " + _feet_words(missing)
    unworn = [f for f in feet if worn_minutes.get(f) is not None and worn_minutes[f] <= 0]
    if unworn:
        if len(unworn) == len(feet):
            return False, "insoles not worn" if len(feet) > 1 else "insole not worn"
        return False, f"{_feet_words(unworn)} not worn"
    if not enough:
        what = "comparable rest" if len(feet) > 1 else "rest"
        return False, (f"less than {min_minutes:.0f} min of {what} "
                       f"({rest_minutes:.0f} min)")
    return True, None


def day_coverage(
    stream: TemperatureStream,
    *,
    valid: np.ndarray,
    worn: np.ndarray,
    table: DailyTable,
    config: TemperatureConfig,
) -> list[dict[str, Any]]:
    """One coverage row per local day from the first to the last sample (see the module
    docstring).

    ``left_minutes`` / ``right_minutes`` count, per foot and local day, the minutes of samples
    at which that insole was worn (``WearMask.worn``) and at least one of its sites gave a valid
    reading (not a sensor fault, not missing), each sample counting one sample period. They are
    not the minutes the rules compare (those are rested, and on two feet simultaneous): that is
    ``minutes`` of the daily table, behind ``judged``.
    """
    t = stream.time_s
    if t.size == 0:
        return []
    period = sample_period_s(t)
    day_idx, day0 = local_day_index(stream)
    first, last = int(day_idx[0]), int(day_idx[-1])
    n_days = last - first + 1
    rel = day_idx - first
    has = valid.any(axis=2)  # (n, feet)
    feet = table.feet or FEET
    by_day: dict[date, list[dict]] = {}
    for r in table.rows:
        by_day.setdefault(r["date"], []).append(r)
    out = []
    sent = np.stack([np.bincount(rel, weights=has[:, i].astype(float), minlength=n_days)
                     for i in range(len(FEET))])
    worn_n = np.stack([np.bincount(rel, weights=(has[:, i] & worn[:, i]).astype(float),
                                   minlength=n_days) for i in range(len(FEET))])
    for d in range(n_days):
        day = day0 + timedelta(days=first + d)
        rows = by_day.get(day, [])
        minutes = {f: round(float(worn_n[i, d]) * period / 60.0, 1) for i, f in enumerate(FEET)}
        judged, reason = judge_day(
            feet=feet,
            has_data={f: bool(sent[i, d] > 0) for i, f in enumerate(FEET)},
            worn_minutes=minutes,
            rest_minutes=max((float(r["minutes"]) for r in rows), default=0.0),
            enough=any(bool(r["enough"]) for r in rows),
            min_minutes=config.daily_min_minutes,
        )
        out.append({"date": day, "left_minutes": minutes["left"],
                    "right_minutes": minutes["right"], "judged": judged, "reason": reason})
    return out


def last_data_days(stream: TemperatureStream, valid: np.ndarray) -> dict[str, date | None]:
    """Per foot, the last local day with a valid reading (None: none at all)."""
    if stream.time_s.size == 0:
        return dict.fromkeys(FEET)
    day_idx, day0 = local_day_index(stream)
    has = valid.any(axis=2)
    out: dict[str, date | None] = {}
    for i, foot in enumerate(FEET):
        k = np.flatnonzero(has[:, i])
        out[foot] = day0 + timedelta(days=int(day_idx[k[-1]])) if k.size else None
    return out


def _said_above(day: date, reason: Any, since: Mapping[str, str | None],
                feet: Sequence[str]) -> bool:
    """A day without data from feet that had already fallen silent before it: the
    "no data ... since" reason says it once."""
    def quiet_before(foot: str) -> bool:
        when = since.get(foot)
        return when is not None and day > date.fromisoformat(when)

    if reason == "no data from either insole":
        return all(quiet_before(f) for f in feet)
    return any(quiet_before(f) and reason == f"no data from the {f} insole" for f in feet)


def _alert_open(alert: Any) -> bool:
    rule = alert["rule"] if isinstance(alert, Mapping) else alert.rule
    status = (alert.get("status") if isinstance(alert, Mapping)
              else getattr(alert, "status", None))
    return rule not in FINDINGS and status not in CLOSED_ALERT_STATUSES


def overall_status(
    coverage: Iterable[Mapping[str, Any]],
    alerts: Iterable[Any],
    *,
    today: date | None,
    feet: Sequence[str],
    last_data: Mapping[str, date | None],
    window_days: int = STATUS_WINDOW_DAYS,
    today_in_progress: bool = False,
) -> dict[str, Any]:
    """The status of a result (see the module docstring)::

        {"status": "attention" | "incomplete" | "quiet",
         "reasons": [plain sentences, most important first],
         "since": {foot: "YYYY-MM-DD" | None},   # feet silent before today: last day with data
         "today": "YYYY-MM-DD",
         "open_alerts": int,
         "not_judged": ["YYYY-MM-DD", ...]}      # days of the window not judged

    ``coverage``: rows as :func:`day_coverage` gives them (dates as ``date``). ``alerts``:
    :class:`~analysis.alerts.Alert` (all open) or stored alerts with a ``status``; findings
    never count. ``feet``: the feet monitored. ``last_data``: per foot, the last day with data.
    ``today`` None (no temperature data at all): only the alerts are judged.
    ``today_in_progress`` (the wearer's today, still being recorded: store, dashboard,
    report): today counts once judged, never as "not judged" yet, and a foot whose last data
    is from yesterday is silent only when another foot has sent data today. Engineering
    choice: a day's recordings reach the store when the insoles upload them or the daily job
    runs, often after the day; judging the current day before then would say "not judged"
    and "no data since yesterday" every morning for everyone (crying wolf in another form).
    A day not judged is still reported from the next day on.
    An open alert makes the status ``attention``; the incompleteness is still among the
    reasons, so a reader learns both.
    """
    reasons: list[str] = []
    since: dict[str, str | None] = {}
    sent_today = today is not None and any(last_data.get(f) == today for f in feet)
    for foot in feet if today is not None else ():
        last = last_data.get(foot)
        waiting = (today_in_progress and not sent_today and last is not None
                   and last == today - timedelta(days=1))
        if (last is None or last < today) and not waiting:
            since[foot] = last.isoformat() if last else None
    silent = [f for f in feet if f in since]
    if silent:
        dates = {since[f] for f in silent}
        if len(silent) > 1 and len(dates) == 1:
            groups = [(silent, dates.pop())]
        else:
            groups = [([f], since[f]) for f in silent]
        for group, when in groups:
            words = _feet_words(group)
            reasons.append(f"no data from {words} since {when}" if when
                           else f"no data from {words}")
    not_judged = []
    for row in sorted(coverage, key=lambda r: r["date"]) if today is not None else ():
        day = row["date"]
        if not (today - timedelta(days=window_days - 1) <= day <= today) or row["judged"]:
            continue
        if today_in_progress and day == today:
            continue  # not over yet: judged later today, or said by a "since" tomorrow
        not_judged.append(day.isoformat())
        if not _said_above(day, row["reason"], since, feet):
            reasons.append(f"{day.isoformat()} not judged: {row['reason']}")
    n_open = sum(1 for a in alerts if _alert_open(a))
    if n_open:
        reasons.insert(0, f"{n_open} open alert{'s' if n_open != 1 else ''}")
        status = ATTENTION
    elif reasons:
        status = INCOMPLETE
    else:
        status = QUIET
    return {"status": status, "reasons": reasons, "since": since,
            "today": today.isoformat() if today else None,
            "open_alerts": n_open, "not_judged": not_judged}


def status_sentence(status: Mapping[str, Any]) -> str:
    """One plain line for a status: "Status: incomplete — no data from the right insole since
    2026-03-10; ..." (the reasons joined), or, when quiet, that the days were judged."""
    reasons = list(status.get("reasons") or [])
    if status["status"] == QUIET and status.get("today"):
        reasons.insert(0, f"every day of the last {STATUS_WINDOW_DAYS} up to "
                          f"{status['today']} was judged and nothing needs attention")
    return f"Status: {status['status']} — " + "; ".join(reasons)
