"""Evidence a person can read (solewatch/evidence.py, the Alerts card, the report), checked
against alerts of every rule from the real analysis (tests/_evidence_data.py) and what the
simulations put in: the offset sentence for each offset status, the per-day table, every
rule's card, and the baseline findings kept apart from the alerts."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from analysis import alerts as rules
from analysis.config import TemperatureConfig
from analysis.sites import SITE_LABELS, SITES
from analysis.temperature.offset import (
    APPLIED,
    BASELINE_FINDING,
    TOO_FEW_DAYS,
    TOO_LARGE,
    UNSTABLE,
)
from dashboard import views
from dashboard.pages import alerts as alerts_page
from solewatch import evidence as ev
from solewatch.exports import render_report
from solewatch.store import Store
from tests import _evidence_data as data

CONFIG = TemperatureConfig()
WEARER = "eve"
#: Every rule, the case whose analysis raises it, and the truth key of its latest value.
RULE_CASES = {
    rules.CONTRALATERAL_SITE: (data.hotspot_with_offset, None),
    rules.CONTRALATERAL_FOOT_MEAN: (data.whole_foot, "hot_c"),
    rules.IPSILATERAL_HOTSPOT: (data.own_foot_spot, "hot_c"),
    rules.SINGLE_FOOT: (data.one_foot_only, "hot_c"),
    rules.SUDDEN_RISE: (data.sudden_warming, "rise_c"),
    rules.UNSAFE_TEMPERATURE: (data.hot_bath, "extreme_c"),
    rules.SUSTAINED_PRESSURE: (data.long_standing, "kpa"),
    rules.PEAK_PRESSURE: (data.heel_over_target, None),
    rules.BASELINE_DIFFERENCE: (data.baseline_finding, "median_c"),
}
#: What a wearer must never read: code identifiers and raw structures.
CODE = re.compile(r"[{}\[\]]|_c\b|_kpa\b|\bdelta\b|\b(?:" + "|".join(
    (*rules.RULES, *(s for s in SITES if s not in SITE_LABELS[s]), "foot_mean", "offset_status",
     "too_few_days", "too_large")) + r")\b")


def _numbers(text: str) -> list[float]:
    return [float(x) for x in re.findall(r"(?<![\d-])\d+(?:\.\d+)?(?= °C| kPa)", text)]


def _texts(component: Any) -> list[str]:
    """Every string in a Dash component tree."""
    if isinstance(component, str):
        return [component]
    if isinstance(component, list | tuple):
        return [t for c in component for t in _texts(c)]
    children = getattr(component, "children", None)
    return [] if children is None else _texts(children)


def _types(component: Any) -> list[str]:
    if isinstance(component, list | tuple):
        return [t for c in component for t in _types(c)]
    if not hasattr(component, "_type"):
        return []
    return [component._type, *_types(getattr(component, "children", None))]


@pytest.fixture(scope="module")
def cases():
    """rule -> the Case (simulation and analysis) that raises it; made once per module."""
    return {rule: make() for rule, (make, _) in RULE_CASES.items()}


@pytest.fixture
def stored(store, cases):
    """A store (SQLite and PostgreSQL: tests/conftest.py) holding the alerts of every rule
    case; rule -> StoredAlert."""
    store.add_wearer(WEARER)
    alerts = [cases[rule].only(rule) if rule != rules.IPSILATERAL_HOTSPOT else next(
        a for a in cases[rule].alerts if a.foot == "left") for rule in RULE_CASES]
    store.upsert_alerts(WEARER, alerts)
    return store, cases, {a.rule: a for a in store.alerts(WEARER)}


# -- the registry --------------------------------------------------------------------------

def test_every_rule_has_a_title_and_every_analysis_field_a_label(stored):
    assert set(ev.RULE_TITLES) == set(rules.RULES)
    _, cases, _ = stored
    day_keys = {k for c in cases.values() for a in c.alerts
                for d in a.evidence.get("days", []) for k in d}
    top_keys = {k for c in cases.values() for a in c.alerts for k in a.evidence}
    assert day_keys - set(ev.FIELDS) == set()
    assert top_keys - set(ev.FIELDS) - ev.TOLD == set()


def test_unknown_field_gets_a_readable_label_and_its_unit():
    assert ev.column_title("swelling_c") == "swelling (°C)"
    assert ev.column_title("contact_area_pct") == "contact area (%)"
    assert ev.value_text("time_to_peak_s", 5400.0) == "1 h 30 min"
    assert ev.cell("toe_gap", [1, 2]) == "1, 2"


# -- the offset sentence, per offset status --------------------------------------------------

def _alert(case: data.Case, rule: str = rules.CONTRALATERAL_SITE) -> Any:
    return case.only(rule)


def _corrected(case: data.Case, status: str, usual_c: float, rise_c: float
               ) -> tuple[Any, str]:
    """The alert's offset sentence names the measured difference, the usual (start) one and
    the one the rule used, each the simulation's truth, and they add up."""
    a = _alert(case)
    assert a.evidence["offset_status"] == status
    text = ev.explain_alert(a).correction
    measured, usual, used = _numbers(text)
    assert usual == pytest.approx(usual_c, abs=0.15)
    assert measured == pytest.approx(usual_c + rise_c, abs=0.3)
    assert used == pytest.approx(rise_c, abs=0.3)
    assert used == pytest.approx(measured - usual, abs=0.11)
    return a, text


def test_applied_offset_is_explained_with_measured_usual_and_used():
    case = data.hotspot_with_offset()
    a, text = _corrected(case, APPLIED, case.truth["offset_c"], case.truth["hot_c"])
    assert text.count("left warmer") == 3 and "No personal offset" not in text
    last = a.evidence["days"][-1]["date"]
    assert text.startswith(f"On {last}: measured difference")
    # the integrator's keys, when present: the learned value and the days it came from
    with_days = dict(a.evidence, offset_learned_c=a.evidence["offset_c"],
                     offset_baseline_days=["2026-03-01", "2026-03-07"])
    text = ev.explain(a.rule, with_days, first_day=a.first_day,
                      confirmed_day=a.confirmed_day).correction
    assert "learned from 2026-03-01 to 2026-03-07" in text


@pytest.mark.parametrize(("make", "status", "must"), [
    (data.few_baseline_days, TOO_FEW_DAYS,
     f"at least {CONFIG.offset_min_days} of the first {CONFIG.offset_baseline_days} days"),
    (data.unstable_baseline, UNSTABLE, "changed too much from day to day"),
    (data.no_offsets, "none", "no usual difference has been learned"),
])
def test_no_offset_says_why_and_uses_the_measured_difference(make, status, must):
    case = make()
    a = _alert(case)
    assert a.evidence["offset_status"] == status
    text = ev.explain_alert(a).correction
    assert "No personal offset was applied: " in text and must in text
    last = a.evidence["days"][-1]
    measured, *_, used = _numbers(text)
    assert measured == used == pytest.approx(abs(last["raw_delta_c"]), abs=0.05)
    assert not CODE.search(text), text


def test_too_large_is_explained_for_alerts_stored_with_it():
    """The rules no longer leave a large start difference unapplied (it is a baseline finding
    since main's 50a58c6), but alerts stored before carry offset_status "too_large": a real
    alert's evidence with that status (and no offset) still reads in words."""
    a = _alert(data.few_baseline_days())
    old = dict(a.evidence, offset_status=TOO_LARGE, offset_c=0.0, offset_learned_c=2.61)
    text = ev.explain(a.rule, old, first_day=a.first_day, confirmed_day=a.confirmed_day
                      ).correction
    assert "No personal offset was applied: the difference at the start of monitoring " \
           f"(2.6 °C) was larger than {CONFIG.offset_max_c:.1f} °C" in text
    assert not CODE.search(text), text


def test_growth_over_a_baseline_finding_is_explained():
    case = data.grown_old_difference()
    a, text = _corrected(case, BASELINE_FINDING, case.truth["old_c"], case.truth["grown_c"])
    assert "Found when monitoring began" in text and "how much more it differs now" in text
    first, last = a.evidence["offset_baseline_days"]
    assert f"learned from {first} to {last}" in text
    # the finding itself, from the same analysis, is apart from this alert
    [finding] = [x for x in case.alerts if x.rule == rules.BASELINE_DIFFERENCE]
    assert (finding.foot, finding.site) == (a.foot, a.site)


def test_own_foot_offset_is_explained():
    case = data.own_foot_spot()
    a = next(x for x in case.alerts if x.foot == "left")
    text = ev.explain_alert(a).correction
    measured, usual, used = _numbers(text)
    # the big toe is habitually cooler than the rest of the foot (tests/_temperature_sim.py)
    assert "cooler than the rest of the foot" in text and usual > 0.5
    assert used == pytest.approx(case.truth["hot_c"], abs=0.3)
    assert used == pytest.approx(measured + usual, abs=0.11)


# -- the per-day table ----------------------------------------------------------------------

def test_table_has_a_row_per_day_the_values_and_the_days_over_marked():
    a = _alert(data.few_baseline_days())
    days = a.evidence["days"]
    table = ev.evidence_table(a.evidence)
    assert len(table.rows) == len(days) and table.columns[0] == "day"
    assert all("_" not in c for c in table.columns)
    col = {c: i for i, c in enumerate(table.columns)}
    for row, day, over in zip(table.rows, days, table.over, strict=True):
        assert row[0] == day["date"] and over == day["over"]
        assert float(row[col["difference the rule used, left minus right (°C)"]]) == \
            pytest.approx(day["delta_c"], abs=0.051)
        assert float(row[col["left foot (°C)"]]) == pytest.approx(day["left_c"], abs=0.051)
        assert row[col["over the threshold"]] == (ev.OVER_WORD if day["over"] else "no")


# -- every rule's card -----------------------------------------------------------------------

@pytest.mark.parametrize("rule", list(RULE_CASES))
def test_every_rule_renders_a_card_in_plain_words(stored, rule):
    _, cases, by_rule = stored
    card = views.alert_card(by_rule[rule])
    assert card.title == ev.RULE_TITLES[rule]
    assert card.confirmed
    if rule == rules.BASELINE_DIFFERENCE:  # no latest value: the days are the first ones
        assert card.latest == "" and card.correction
    else:
        assert card.latest.startswith("Latest value: ")
    words = [card.title, card.where, card.since, card.delta, card.message, card.latest,
             card.confirmed, card.correction, card.also, *(x for f in card.facts for x in f)]
    if card.table:
        words += [*card.table.columns, *(c for r in card.table.rows for c in r)]
    for text in words:
        assert not CODE.search(text), (rule, text)
    # the latest value is the simulation's truth
    _, key = RULE_CASES[rule]
    truth = cases[rule].truth
    latest = _numbers(card.latest or card.correction)[0]
    if rule == rules.CONTRALATERAL_SITE:
        assert latest == pytest.approx(truth["hot_c"], abs=0.3)
    elif rule == rules.PEAK_PRESSURE:
        assert latest == truth["peaks"][-1]
    else:
        assert latest == pytest.approx(truth[key], abs=0.35), card.latest
    # The Dash card: the evidence days as an HTML table, never dict text.
    html = alerts_page._card(card)
    texts = " ".join(_texts(html))
    assert "{" not in texts and card.latest in texts and card.correction in texts
    if card.table is not None:
        assert {"Table", "Th", "Td"} <= set(_types(html))
        assert (ev.OVER_WORD in texts) == any(card.table.over)


def test_day_rules_say_when_confirmed_and_sample_rules_when(stored):
    _, _, by_rule = stored
    a = by_rule[rules.CONTRALATERAL_SITE]
    confirmed = views.alert_card(a).confirmed
    k = a.evidence["consecutive_days"]
    assert confirmed.startswith(f"Confirmed on {a.confirmed_day.isoformat()}, the {k}nd day")
    rise = views.alert_card(by_rule[rules.SUDDEN_RISE])
    assert rise.table is None and ("from", ev.value_text("start", by_rule[rules.SUDDEN_RISE]
                                                         .evidence["start"])) in rise.facts


def test_a_sample_rule_on_several_days_shows_each_occurrence_in_the_table():
    """One alert per episode (analysis.alerts.merge_episodes): a sudden rise on two evenings
    is one alert whose table has a row per occurrence, on the simulated days, with the rise
    the simulation put in; the rule's settings stay facts, the occurrences' times do not."""
    case = data.sudden_warming_twice()
    a = case.only(rules.SUDDEN_RISE)
    e = ev.explain_alert(a)
    assert e.table is not None
    assert [r[0] for r in e.table.rows] == [d.isoformat() for d in case.truth["days"]]
    col = {c: i for i, c in enumerate(e.table.columns)}
    rise = col[ev.column_title("rise_c")]
    assert all(float(r[rise]) == pytest.approx(case.truth["rise_c"], abs=0.35)
               for r in e.table.rows)
    assert ev.column_title("threshold_c") not in col and "latest day" not in col
    labels = {k for k, _ in e.facts}
    assert ev.FIELDS["threshold_c"].label in labels
    assert not labels & {ev.FIELDS[k].label for k in ("start", "end", "n_days",
                                                      "latest_message")}
    assert f"on 2 days from {case.truth['days'][0]} to {case.truth['days'][-1]}" in a.message
    for text in (*e.table.columns, *(c for r in e.table.rows for c in r),
                 *(x for f in e.facts for x in f)):
        assert not CODE.search(text), text


# -- findings apart from alerts --------------------------------------------------------------

def test_findings_are_apart_and_never_counted_as_alerts(stored):
    store, _, by_rule = stored
    alerts = views.alert_cards(store, WEARER)
    findings = views.finding_cards(store, WEARER)
    assert rules.BASELINE_DIFFERENCE not in {c.title for c in alerts}
    assert [c.id for c in findings] == [by_rule[rules.BASELINE_DIFFERENCE].id]
    [finding] = findings
    assert finding.is_finding and ev.FINDING_SENTENCE in finding.message
    assert finding.message.count(ev.FINDING_SENTENCE) == 1
    assert len(alerts) == len(RULE_CASES) - 1
    section = alerts_page.findings_section(findings)
    texts = " ".join(_texts(section))
    assert "Found when monitoring began" in texts and ev.FINDING_SENTENCE in texts
    assert "I had it checked" in texts and "Resolved" not in texts
    said = views.act_on_alert(store, finding.id, "acknowledge", by="me", note="podiatrist")
    assert said == f"Saved: finding {finding.id} is now marked 'Checked'."
    assert views.finding_cards(store, WEARER)[0].status_word == "Checked"
    assert alerts_page.findings_section([]) is None


def test_report_shows_findings_in_their_own_section_and_counts_only_alerts(stored):
    store, _, by_rule = stored
    html = render_report(store, WEARER, date(2026, 3, 1), date(2026, 3, 14))
    alerts_part = html[html.index('<section id="alerts">'):html.index('<section id="findings">')]
    findings_part = html[html.index('<section id="findings">'):]
    finding = by_rule[rules.BASELINE_DIFFERENCE]
    assert f'id="finding-{finding.id}"' in findings_part
    assert f'id="alert-{finding.id}"' not in html and "finding-" not in alerts_part
    n_open = len([a for a in by_rule.values() if a.rule != rules.BASELINE_DIFFERENCE])
    assert f"{n_open} open alerts" in alerts_part
    assert ev.FINDING_SENTENCE in findings_part
    assert '<table class="evidence">' in findings_part and '<tr class="over">' in alerts_part


# -- the Temperature page: as the rule sees it ----------------------------------------------

def _trace(figure: dict, site: str) -> dict:
    return next(t for t in figure["data"] if t["name"].startswith(views.site_label(site)))


def _with_daily(store: Store, case: data.Case) -> data.Case:
    store.add_wearer(WEARER)
    store.upsert_daily_temperature(WEARER, case.daily)
    return case


def _last_day(case: data.Case) -> date:
    """The case's last simulated day: the Temperature view's range ends on the wearer's local
    today unless told, and the simulated history lies in the past."""
    return max(r["date"] for r in case.daily)


def test_temperature_as_the_rule_sees_it_removes_the_learned_offset(store):
    case = _with_daily(store, data.hotspot_with_offset())
    last = _last_day(case)
    measured, _ = views.temperature_view(store, WEARER, days=30, unit="C", today=last)
    rule, summary = views.temperature_view(store, WEARER, days=30, unit="C", today=last,
                                           view="rule")
    site, offset = case.truth["site"], case.truth["offset_c"]
    onset = case.truth["onset_day"].isoformat()
    # (the range ends on the last day and shows the days before the history began as gaps:
    # None, left out here)
    measured_early = [y for x, y in zip(_trace(measured, site)["x"], _trace(measured, site)["y"],
                                        strict=True) if x < onset and y is not None]
    rule_early = [y for x, y in zip(_trace(rule, site)["x"], _trace(rule, site)["y"],
                                    strict=True) if x < onset and y is not None]
    assert measured_early and all(y == pytest.approx(offset, abs=0.2) for y in measured_early)
    assert len(rule_early) == len(measured_early)
    assert all(y == pytest.approx(0.0, abs=0.2) for y in rule_early)
    # the same removal at every drawn day: what the rule's evidence calls the difference used
    removed = {b - a for b, a in zip(_trace(measured, site)["y"], _trace(rule, site)["y"],
                                     strict=True) if a is not None}
    assert max(removed) - min(removed) < 1e-9
    assert removed.pop() == pytest.approx(case.only(rules.CONTRALATERAL_SITE).evidence["offset_c"],
                                          abs=0.001)
    # said on the chart (title and legend) and in the summary, with the baseline days
    first = data.FIRST_DAY.isoformat()
    week = data._day(CONFIG.offset_baseline_days - 1).isoformat()
    assert f"learned from {first} to {week}" in rule["layout"]["title"]["text"]
    assert f"learned from {first} to {week}" in summary
    assert f"usual {views.format_delta(offset)} removed" in _trace(rule, site)["name"]
    assert "usual removed" in rule["layout"]["yaxis"]["title"]["text"]


def test_temperature_as_the_rule_sees_it_removes_a_finding_at_the_start(store):
    case = _with_daily(store, data.large_old_difference())
    rule, summary = views.temperature_view(store, WEARER, days=30, unit="C", view="rule",
                                           today=_last_day(case))
    label = views.site_label(case.truth["site"])
    # the 2.6 °C found at the start is what the rule removes there (and watches the growth of)
    legend = _trace(rule, case.truth["site"])["name"]
    assert legend.startswith(f"{label} (+") and "found when monitoring began removed" in legend
    assert float(legend.split("(+")[1].split(" ")[0]) == pytest.approx(case.truth["old_c"],
                                                                       abs=0.15)
    assert "the difference found when monitoring began (a finding to have checked" in summary
    assert not CODE.search(summary), summary
    with pytest.raises(ValueError, match="view must be one of"):
        views.temperature_view(store, WEARER, days=30, unit="C", view="corrected")


def test_temperature_as_the_rule_sees_it_says_why_nothing_was_removed(store):
    case = _with_daily(store, data.few_baseline_days())
    rule, summary = views.temperature_view(store, WEARER, days=30, unit="C", view="rule",
                                           today=_last_day(case))
    label = views.site_label(case.truth["site"])
    assert _trace(rule, case.truth["site"])["name"] == f"{label} (nothing removed)"
    assert "Nothing removed at " in summary and label in summary.split("Nothing removed at ")[1]
    assert f"at least {CONFIG.offset_min_days} of the first" in summary
    assert not CODE.search(summary), summary
