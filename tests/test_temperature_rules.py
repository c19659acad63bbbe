"""Temperature analysis on simulated wearers with known truth (see tests/_temperature_sim.py)."""

from __future__ import annotations

import dataclasses
from datetime import date

import numpy as np
import pytest

from analysis.alerts import (
    BASELINE_DIFFERENCE,
    CONTRALATERAL_FOOT_MEAN,
    CONTRALATERAL_SITE,
    SINGLE_FOOT,
    SUDDEN_RISE,
    UNSAFE_TEMPERATURE,
)
from analysis.config import TemperatureConfig
from analysis.sites import SITE_LABELS, SITES
from analysis.streams import TemperatureStream
from analysis.temperature import (
    analyze_temperature,
    detect_faults,
    evaluate_rules,
    thermogram_noise_model,
    wear_mask,
)
from analysis.temperature.daily import DailyTable
from tests._temperature_sim import START, simulate

CFG = TemperatureConfig()
ASYMMETRY_RULES = {CONTRALATERAL_SITE, CONTRALATERAL_FOOT_MEAN, "ipsilateral_hotspot",
                   SINGLE_FOOT}


def day(i: int) -> date:
    return START.date().fromordinal(START.date().toordinal() + i)


def rules_of(result) -> list[str]:
    return [a.rule for a in result.alerts]


def test_hotspot_three_days_gives_one_contralateral_alert():
    sim = simulate(10)
    sim.add("left", ["mth1"], 3.0, np.isin(sim.day, [7, 8, 9]))
    r = analyze_temperature(sim.stream(), CFG)
    assert rules_of(r) == [CONTRALATERAL_SITE]
    a = r.alerts[0]
    assert (a.foot, a.site) == ("left", "mth1")
    assert a.first_day == day(7)
    assert a.confirmed_day == day(8)  # consecutive_days = 2 completes the run
    assert a.delta_c == pytest.approx(3.0, abs=0.3)
    ev = a.evidence
    assert [d["date"] for d in ev["days"]] == [day(i).isoformat() for i in (7, 8, 9)]
    assert ev["last_day"] == day(9).isoformat() and ev["ongoing"]
    assert ev["threshold_c"] == CFG.contralateral_site_delta_c
    assert all(d["minutes"] >= CFG.daily_min_minutes for d in ev["days"])
    assert "°C" in a.message and "diagnos" not in a.message.lower()
    assert r.mode == "bilateral"
    assert r.wear_fraction["left"] == pytest.approx(15 / 24, abs=0.03)


def test_daily_table_recovers_known_values():
    sim = simulate(4)
    sim.add("left", ["heel"], 1.0)
    r = analyze_temperature(sim.stream(), CFG)
    rows = [x for x in r.daily if x["site"] == "heel" and x["enough"]]
    assert len(rows) == 4
    for x in rows:
        assert x["delta_c"] == pytest.approx(1.0, abs=0.1)
        assert x["minutes"] >= 120  # several rested hours a day
        assert set(x) >= {"date", "site", "left_c", "right_c", "delta_c", "minutes"}


def test_single_day_excursion_gives_no_alert():
    sim = simulate(10)
    sim.add("left", ["mth1"], 3.0, sim.day == 8)
    r = analyze_temperature(sim.stream(), CFG)
    assert not [a for a in r.alerts if a.rule in ASYMMETRY_RULES]
    over = [x for x in r.daily if x["site"] == "mth1" and abs(x["delta_c"]) > 2.2]
    assert [x["date"] for x in over] == [day(8)]  # seen, but not confirmed


def test_stable_wearer_offset_is_learned_and_removed():
    sim = simulate(14, seed=3)
    sim.add("left", ["mth1"], 1.8)  # this wearer's left mth1 is always 1.8 °C warmer ...
    sim.add("left", ["mth1"], 0.8, sim.day >= 10)  # ... and a bit more (2.6) late on
    r = analyze_temperature(sim.stream(), CFG)
    assert r.offsets.contralateral["mth1"].status == "applied"
    assert r.offsets.contralateral["mth1"].value_c == pytest.approx(1.8, abs=0.15)
    assert not [a for a in r.alerts if a.rule in ASYMMETRY_RULES]
    # Without the offset the same data would alert: the offset did the work.
    from analysis.temperature.daily import daily_table

    f = detect_faults(sim.stream(), CFG)
    w = wear_mask(sim.stream(), config=CFG, valid=f.valid)
    table = daily_table(sim.stream(), valid=f.valid, rested=w.rested, config=CFG)
    assert CONTRALATERAL_SITE in [a.rule for a in evaluate_rules(table, CFG)]


def test_offset_of_1_5_c_learned():
    sim = simulate(10, seed=4)
    sim.add("right", ["mth3"], -1.5)
    r = analyze_temperature(sim.stream(), CFG)
    assert r.offsets.contralateral["mth3"].value_c == pytest.approx(1.5, abs=0.15)
    assert not [a for a in r.alerts if a.rule in ASYMMETRY_RULES]
    # learned, but never silently: the notes say it
    mth3 = SITE_LABELS["mth3"]
    said = [n for n in r.notes if n.startswith(f"The {mth3}: the feet usually differ by +1.")]
    assert len(said) == 1 and day(0).isoformat() in said[0]
    assert sum("the feet usually differ" in n for n in r.notes) == 1


def test_difference_present_from_the_start_is_a_baseline_finding_not_an_alert():
    sim = simulate(14, seed=5)
    sim.add("left", ["mth5"], 2.6)
    r = analyze_temperature(sim.stream(), CFG)
    assert r.offsets.contralateral["mth5"].status == "baseline_finding"
    findings = [a for a in r.alerts if a.is_finding]
    assert [(a.rule, a.foot, a.site) for a in findings] == [
        (BASELINE_DIFFERENCE, "left", "mth5")]
    assert findings[0].delta_c == pytest.approx(2.6, abs=0.3)
    assert findings[0].evidence["baseline_days"] == [day(0).isoformat(), day(6).isoformat()]
    assert "have it checked once" in findings[0].message
    assert not [a for a in r.alerts if a.rule in ASYMMETRY_RULES]  # no alert: not new
    assert any(SITE_LABELS["mth5"] in n.lower() and "first days" in n for n in r.notes)


def test_baseline_finding_still_alerts_when_it_grows_and_another_site_still_alerts():
    sim = simulate(20, seed=6)
    sim.add("left", ["mth5"], 2.6)
    sim.add("left", ["mth5"], 2.0, sim.day >= 12)  # the old warm spot gets warmer
    sim.add("right", ["heel"], 3.0, sim.day >= 15)  # a new one elsewhere
    r = analyze_temperature(sim.stream(), CFG)
    assert [a.site for a in r.alerts if a.is_finding] == ["mth5"]
    got = {(a.rule, a.foot, a.site, a.confirmed_day) for a in r.alerts
           if a.rule in ASYMMETRY_RULES}
    assert got == {(CONTRALATERAL_SITE, "left", "mth5", day(13)),
                   (CONTRALATERAL_SITE, "right", "heel", day(16))}
    grown = next(a for a in r.alerts if a.site == "mth5" and not a.is_finding)
    assert grown.evidence["threshold_c"] == CFG.baseline_rise_c
    assert grown.evidence["offset_status"] == "baseline_finding"
    assert "already warmer" in grown.message


def test_one_foot_warmed_from_outside_for_evenings_is_not_an_alert():
    sim = simulate(14, seed=7)
    evening = (sim.hour >= 19) & (sim.hour < 21.5) & np.isin(sim.day, [3, 4, 5, 9, 10])
    sim.add("left", None, 4.0, evening, tau_min=15)  # a heater: the whole foot, hours
    r = analyze_temperature(sim.stream(), CFG)
    assert not [a for a in r.alerts if a.rule in ASYMMETRY_RULES], r.alerts
    feet_days = {(e["foot"], e["start"][:10]) for e in r.external_heat}
    assert feet_days == {("left", day(d).isoformat()) for d in (3, 4, 5, 9, 10)}
    assert any("warmed from outside" in n for n in r.notes)


def test_local_warming_within_hours_is_not_taken_for_external_heat():
    sim = simulate(8, seed=8)
    sim.add("left", ["mth1"], 4.0, sim.t >= 4.5 * 86400, tau_min=30)  # local and persisting
    r = analyze_temperature(sim.stream(), CFG)
    assert r.external_heat == []
    assert {(a.rule, a.foot, a.site) for a in r.alerts if a.rule in ASYMMETRY_RULES} == {
        (CONTRALATERAL_SITE, "left", "mth1")}


def test_stuck_sensor_is_a_fault_not_an_alert():
    sim = simulate(8)
    stuck = (sim.day >= 3) & (sim.day <= 5)
    sim.values[stuck, 0, SITES.index("mth1")] = 34.0  # stuck warm, 3+ °C above the other foot
    r = analyze_temperature(sim.stream(), CFG)
    kinds = {(f.foot, f.site, f.kind) for f in r.faults}
    assert ("left", "mth1", "stuck") in kinds
    assert not [a for a in r.alerts if a.rule in ASYMMETRY_RULES]
    assert any("stuck" in n for n in r.notes)


def test_disconnected_sensor_is_a_fault_not_an_alert():
    sim = simulate(8)
    i = SITES.index("heel")
    sim.values[(sim.day == 2), 0, i] = np.nan  # drops out for a day
    rail = (sim.day >= 4) & (sim.day <= 5)
    sim.values[rail, 1, i] = 50.0  # jumps to a rail: hot and flat
    r = analyze_temperature(sim.stream(), CFG)
    dis = {(f.foot, f.site) for f in r.faults if f.kind == "disconnected"}
    assert {("left", "heel"), ("right", "heel")} <= dis
    assert r.alerts == []  # neither an asymmetry nor an "unsafe" 50 °C


def test_spikes_and_noise_are_faults():
    sim = simulate(4)
    rng = np.random.default_rng(1)
    idx = rng.choice(np.flatnonzero(sim.worn), 40, replace=False)
    sim.values[idx, 0, SITES.index("mth3")] += 12.0
    noisy = (sim.day == 2) & sim.worn
    sim.values[noisy, 1, SITES.index("hallux")] += rng.normal(0, 1.0, noisy.sum())
    r = analyze_temperature(sim.stream(), CFG)
    kinds = {(f.foot, f.site, f.kind) for f in r.faults}
    assert ("left", "mth3", "spiky") in kinds
    assert ("right", "hallux", "noisy") in kinds
    assert r.alerts == []


def test_shoe_off_and_walking_are_excluded():
    sim = simulate(6)
    # The left foot warms 2 °C more than the right while walking (built up over ~10 min).
    sim.add("left", None, 2.0, sim.walking, tau_min=10)
    # At night the left shoe stands by a heater: its insole reads 28 °C, the right 20 °C.
    night = ~sim.worn
    sim.values[night, 0, :] += 8.0 * (1 - sim.contact[night])[:, None]
    stream = sim.stream()
    r = analyze_temperature(stream, CFG)
    assert not [a for a in r.alerts if a.rule in ASYMMETRY_RULES | {SUDDEN_RISE}]
    f = detect_faults(stream, CFG)
    w = wear_mask(stream, config=CFG, valid=f.valid)
    # Worn agrees with the truth almost everywhere (transitions take a few minutes).
    assert (w.worn[:, 1] == sim.worn).mean() > 0.97
    # Never rested while walking, nor within 10 minutes after a walk.
    after_walk = np.convolve(sim.walking, np.ones(10), mode="full")[: sim.t.size] > 0
    assert not (w.rested[:, 0] & after_walk).any()
    # The right shoe off at night decays to the 20 °C room: not worn. The left insole by the
    # heater reads a skin-like 28 °C and cannot be told from a cool foot by temperature alone,
    # but the feet are only compared where both are worn and rested, so the night never counts.
    assert not (w.rested[:, 1] & ~sim.worn).any()
    assert not (w.rested[:, 0] & w.rested[:, 1] & ~sim.worn).any()


def test_feet_compared_only_over_the_same_samples():
    sim = simulate(5)
    # The right insole is off for the first half of each rest; the left foot is 4 °C warmer
    # exactly then. Compared over common samples the feet are equal.
    gap = sim.worn & (((sim.hour - 7) * 60) % 90 >= 30) & (((sim.hour - 7) * 60) % 90 < 60)
    sim.values[gap, 1, :] = np.nan
    sim.add("left", None, 4.0, gap)
    r = analyze_temperature(sim.stream(), CFG)
    assert not [a for a in r.alerts if a.rule in ASYMMETRY_RULES]
    for x in r.daily:
        if x["enough"]:
            assert abs(x["delta_c"]) < 0.5


def test_not_enough_data_is_reported_not_judged():
    sim = simulate(5)
    sim.add("left", ["mth1"], 3.0, sim.day >= 2)
    short = (sim.day == 3) & ~((sim.hour >= 7) & (sim.hour < 7.75))
    sim.values[short] = np.nan  # day 3: only 45 minutes of data
    r = analyze_temperature(sim.stream(), CFG)
    d3 = [x for x in r.daily if x["date"] == day(3)]
    assert d3 and not any(x["enough"] for x in d3)
    assert any(n.startswith(day(3).isoformat()) and "not enough" in n for n in r.notes)
    alerts = [a for a in r.alerts if a.rule == CONTRALATERAL_SITE]
    # Day 3 is not judged and does not count: days 2 and 4 confirm each other across it
    # (TemperatureConfig.confirm_skip_days), and the evidence shows day 3 as not over.
    assert [(a.first_day, a.confirmed_day) for a in alerts] == [(day(2), day(4))]
    ev = {d["date"]: d["over"] for d in alerts[0].evidence["days"]}
    assert ev == {day(2).isoformat(): True, day(3).isoformat(): False,
                  day(4).isoformat(): True}


def test_three_days_not_judged_break_the_run():
    sim = simulate(7)
    sim.add("left", ["mth1"], 3.0, sim.day >= 2)
    short = np.isin(sim.day, [3, 4, 5]) & ~((sim.hour >= 7) & (sim.hour < 7.75))
    sim.values[short] = np.nan
    r = analyze_temperature(sim.stream(), CFG)
    assert [a for a in r.alerts if a.rule == CONTRALATERAL_SITE] == []


def test_single_foot_mode():
    sim = simulate(10)
    sim.values[:, 1, :] = np.nan  # no right insole at all
    sim.add("left", ["mth1"], 3.0, np.isin(sim.day, [7, 8, 9]))
    r = analyze_temperature(sim.stream(), CFG)
    assert r.mode == "single_left"
    assert rules_of(r) == [SINGLE_FOOT]
    a = r.alerts[0]
    assert (a.foot, a.site, a.first_day, a.confirmed_day) == ("left", "mth1", day(7), day(8))
    assert a.delta_c == pytest.approx(3.0, abs=0.4)
    assert any("Only the left foot" in n for n in r.notes)
    assert all(np.isnan(x["right_c"]) for x in r.daily)


def test_single_foot_whole_foot_against_room():
    sim = simulate(10)
    sim.values[:, 0, :] = np.nan  # only the right insole
    sim.add("right", None, 2.5, np.isin(sim.day, [7, 8, 9]))
    r = analyze_temperature(sim.stream(), CFG, room_c=sim.room_c)
    room = [a for a in r.alerts if a.rule == SINGLE_FOOT and a.site is None]
    assert len(room) == 1 and room[0].foot == "right"
    # 2.5 °C warmer, give or take the simulated day-to-day drift of the whole person (0.5 SD).
    assert room[0].first_day == day(7) and 1.3 < room[0].delta_c < 3.7
    # Without the room temperature the whole-foot warming cannot be seen in single-foot mode.
    r2 = analyze_temperature(sim.stream(), CFG)
    assert not [a for a in r2.alerts if a.site is None]
    assert any("Room temperature unknown" in n for n in r2.notes)


def test_sudden_one_sided_rise():
    sim = simulate(6)
    hours = sim.t >= 4 * 86400 + 10 * 3600  # from day 4, 10:00, still there the next day
    sim.add("left", None, 3.0, hours, tau_min=30)
    r = analyze_temperature(sim.stream(), CFG)
    rises = [a for a in r.alerts if a.rule == SUDDEN_RISE]
    assert len(rises) == 1
    assert rises[0].foot == "left" and rises[0].first_day == day(4)
    assert rises[0].delta_c > CFG.sudden_rise_c
    assert rises[0].evidence["other_foot_rise_c"] < CFG.sudden_rise_other_max_c
    assert r.external_heat == []
    # The same warming gone by the next morning was heat from outside: a note, no alert.
    sim3 = simulate(6)
    sim3.add("left", None, 3.0, (sim3.day == 4) & (sim3.hour >= 10) & (sim3.hour < 22),
             tau_min=30)
    r3 = analyze_temperature(sim3.stream(), CFG)
    assert SUDDEN_RISE not in rules_of(r3)
    assert [(e["foot"], e["followed"]) for e in r3.external_heat] == [("left", True)]
    # The same warming on both feet is not one-sided.
    sim2 = simulate(6)
    sim2.add("left", None, 3.0, hours, tau_min=30)
    sim2.add("right", None, 3.0, hours, tau_min=30)
    assert SUDDEN_RISE not in rules_of(analyze_temperature(sim2.stream(), CFG))


def test_unsafe_hot_and_cold():
    sim = simulate(4)
    heat = (sim.day == 2) & (sim.hour >= 20) & (sim.hour < 20 + 20 / 60)
    sim.values[:, 0, SITES.index("heel")] += np.where(heat, 15.0, 0.0)  # ~45 °C heating pad
    touch = (sim.day == 1) & (sim.hour >= 20) & (sim.hour < 20 + 2 / 60)
    sim.values[:, 1, SITES.index("heel")] += np.where(touch, 15.0, 0.0)  # 2 minutes: no alert
    r = analyze_temperature(sim.stream(), CFG)
    hot = [a for a in r.alerts if a.rule == UNSAFE_TEMPERATURE]
    assert len(hot) == 1
    assert (hot[0].foot, hot[0].site, hot[0].first_day) == ("left", "heel", day(2))
    assert hot[0].evidence["extreme_c"] == pytest.approx(44.5, abs=0.6)
    assert "45" in hot[0].message or "44" in hot[0].message

    # Cold: one hour at 12 °C while load shows the shoes are worn (walking in snow).
    sim = simulate(2)
    cold = (sim.day == 1) & (sim.hour >= 12) & (sim.hour < 13)
    sim.values[cold] = 12.0 + np.random.default_rng(0).normal(0, 0.1, sim.values[cold].shape)
    load = np.where(sim.worn, 0.5 + 0.3 * np.sin(sim.t / 60.0), 0.0)
    loads = {"left": (sim.t, load), "right": (sim.t, load)}
    r = analyze_temperature(sim.stream(), CFG, loads=loads)
    cold_alerts = [a for a in r.alerts if a.rule == UNSAFE_TEMPERATURE]
    assert {a.foot for a in cold_alerts} == {"left", "right"}
    assert all(a.evidence["kind"] == "cold" for a in cold_alerts)
    # Without load the insole in a cold room cannot be told from a cold foot: not judged.
    r2 = analyze_temperature(sim.stream(), CFG)
    assert not [a for a in r2.alerts if a.rule == UNSAFE_TEMPERATURE]
    assert any("cold" in n for n in r2.notes)


def test_load_series_marks_walking_as_not_rested():
    sim = simulate(3, walk_c=0.0)  # walking leaves no trace in temperature here
    load = np.where(sim.walking, np.where(np.arange(sim.t.size) % 2 == 0, 0.9, 0.1),
                    np.where(sim.worn, 0.4, 0.0))
    stream = sim.stream()
    f = detect_faults(stream, CFG)
    with_load = wear_mask(stream, config=CFG, valid=f.valid,
                          loads={"left": (sim.t, load), "right": (sim.t, load)})
    without = wear_mask(stream, config=CFG, valid=f.valid)
    assert (without.rested[:, 0] & sim.walking).any()  # temperature alone cannot see it
    assert not (with_load.rested[:, 0] & sim.walking).any()
    assert with_load.rested[:, 0].sum() > 0.3 * sim.worn.sum()


def test_threshold_override_changes_the_outcome():
    sim = simulate(10)
    sim.add("left", ["mth1"], 2.0, np.isin(sim.day, [7, 8]))
    stream = sim.stream()
    assert CONTRALATERAL_SITE not in rules_of(analyze_temperature(stream, CFG))
    lower = dataclasses.replace(CFG, contralateral_site_delta_c=1.5)
    r = analyze_temperature(stream, lower)
    got = [a for a in r.alerts if a.rule == CONTRALATERAL_SITE]
    assert len(got) == 1 and got[0].evidence["threshold_c"] == 1.5
    three = dataclasses.replace(lower, consecutive_days=3)
    assert CONTRALATERAL_SITE not in rules_of(analyze_temperature(stream, three))


def test_rules_accept_plain_rows():
    rows = []
    for i, dc in enumerate([0.1, 0.2, 2.6, 2.8, 0.0]):
        for s in (*SITES, "foot_mean"):
            d = dc if s == "hallux" else 0.0
            rows.append({"date": day(i).isoformat(), "site": s, "left_c": 30.0 + d,
                         "right_c": 30.0, "delta_c": d, "minutes": 200.0})
    alerts = evaluate_rules(rows, CFG)
    assert [(a.rule, a.site, a.first_day, a.confirmed_day) for a in alerts] == [
        (CONTRALATERAL_SITE, "hallux", day(2), day(3))
    ]
    assert DailyTable.from_rows(rows).mode == "bilateral"


def test_ten_hours_at_1_hz_runs_on_a_dense_stream():
    """Dense sampling (1 Hz) goes through the same path; its speed is measured in benchmarks/."""
    sim = simulate(1, period_s=1.0)
    keep = (sim.t >= 7 * 3600) & (sim.t < 17 * 3600)
    stream = TemperatureStream(sim.t[keep] - sim.t[keep][0], sim.values[keep], START)
    r = analyze_temperature(stream, CFG)
    assert not r.alerts and not r.faults
    assert r.wear_fraction["left"] > 0.5


def test_noise_model():
    rng = np.random.default_rng(2)
    x = rng.normal(0.1, 0.5, 5000)
    m = thermogram_noise_model(x)
    assert m["robust_sd_c"] == pytest.approx(0.5, abs=0.03)
    assert m["median_c"] == pytest.approx(0.1, abs=0.03)
    both = thermogram_noise_model({"control": x, "diabetes": 2 * x})
    assert both["diabetes"]["sd_c"] == pytest.approx(2 * both["control"]["sd_c"])


def test_whole_foot_warmer_is_one_episode_and_right_foot_is_named():
    sim = simulate(8)
    sim.add("right", None, 2.5, sim.day >= 5)  # the whole right foot warmer from day 5
    r = analyze_temperature(sim.stream(), CFG)
    assert rules_of(r) == [CONTRALATERAL_FOOT_MEAN]  # one alert, not one per site
    a = r.alerts[0]
    assert a.foot == "right" and a.delta_c == pytest.approx(-2.5, abs=0.3)
    assert (a.first_day, a.confirmed_day) == (day(5), day(6))
    assert {x["site"] for x in a.evidence["sites_over_threshold"]} == set(SITES)
    assert "right foot has been warmer than your left" in a.message


def test_overnight_change_with_no_night_data_is_not_sudden():
    sim = simulate(6)
    sim.add("left", None, 2.5, sim.day == 3)  # warmer from the morning of day 3 only
    keep = sim.worn  # the logger records only while worn: nights are gaps in the data
    stream = TemperatureStream(sim.t[keep], sim.values[keep], START)
    r = analyze_temperature(stream, CFG)
    assert SUDDEN_RISE not in rules_of(r)


def test_result_to_dict_is_json_ready():
    import json

    sim = simulate(6)
    sim.add("left", ["mth1"], 3.0, sim.day >= 3)
    d = analyze_temperature(sim.stream(), CFG).to_dict()
    text = json.dumps(d, allow_nan=False)
    assert '"date": "2026-03-01"' in text
    assert d["alerts"][0]["rule"] == CONTRALATERAL_SITE


def test_agrees_with_the_fixture_generator():
    """An independent simulator (fixtures.generator, by another author) with its own truth."""
    gen = pytest.importorskip("fixtures.generator")
    for seed in (0, 1):
        s, truth = gen.generate_temperatures(days=14, scenario="hotspot", seed=seed)
        r = analyze_temperature(s, CFG)
        assert rules_of(r) == [CONTRALATERAL_SITE]
        a = r.alerts[0]
        hot = truth.hotspot
        assert (a.foot, a.site) == (hot["foot"], hot["site"])
        inflamed = sorted(d for d, f, site in truth.inflamed)
        # Flagged within a day of the truth's first day above threshold, confirmed a day later.
        assert abs((a.first_day - inflamed[0]).days) <= 1
        assert (a.confirmed_day - a.first_day).days == CFG.consecutive_days - 1
        s, truth = gen.generate_temperatures(days=14, scenario="healthy", seed=seed)
        assert analyze_temperature(s, CFG).alerts == []


def test_a_short_dip_does_not_start_a_new_episode():
    sim = simulate(12)
    sim.add("left", ["mth1"], 3.0, np.isin(sim.day, [7, 8, 10, 11]))  # day 9 back to normal
    r = analyze_temperature(sim.stream(), CFG)
    assert rules_of(r) == [CONTRALATERAL_SITE]
    ev = r.alerts[0].evidence
    assert [d["over"] for d in ev["days"]] == [True, True, False, True, True]
    assert ev["last_day"] == day(11).isoformat()
    assert "4 of 5 days" in r.alerts[0].message
    # With no tolerance for gaps the relapse is a new alert.
    strict = dataclasses.replace(CFG, episode_gap_days=0)
    assert rules_of(analyze_temperature(sim.stream(), strict)) == [CONTRALATERAL_SITE] * 2


def test_mirror_and_common_warming_invariance():
    sim = simulate(10, seed=7)
    sim.add("left", ["mth5"], 3.0, np.isin(sim.day, [6, 7, 8]))
    base = analyze_temperature(sim.stream(), CFG)
    mirrored = TemperatureStream(sim.t, sim.values[:, ::-1, :].copy(), START)
    m = analyze_temperature(mirrored, CFG)
    assert [(a.rule, a.site, a.first_day) for a in m.alerts] == [
        (a.rule, a.site, a.first_day) for a in base.alerts]
    assert [a.foot for a in m.alerts] == ["right"] and [a.foot for a in base.alerts] == ["left"]
    assert m.alerts[0].delta_c == pytest.approx(-base.alerts[0].delta_c)
    # Both feet 1 °C warmer at the same time (a warm day): the comparison does not move.
    warm = sim.values + 1.0 * sim.contact[:, None, None]
    w = analyze_temperature(TemperatureStream(sim.t, warm, START), CFG)
    d0 = np.array([x["delta_c"] for x in base.daily if x["enough"]])
    d1 = np.array([x["delta_c"] for x in w.daily if x["enough"]])
    np.testing.assert_allclose(d1, d0, atol=0.05)


def test_insole_that_stops_sending_is_named():
    sim = simulate(6)
    sim.values[sim.t >= 3.5 * 86400, 1, :] = np.nan  # right insole silent from day 3, noon
    r = analyze_temperature(sim.stream(), CFG)
    assert r.mode == "bilateral" and r.alerts == []
    assert any(n.startswith("The right insole sent no valid readings after 2026-03-04T11:59")
               for n in r.notes)
    assert not any(x["enough"] for x in r.daily if x["date"] >= day(4))


def test_steady_sensor_at_coarse_steps_is_not_stuck():
    """A 12-bit sensor (0.0625 °C steps) on a steady foot toggles between two steps for hours:
    that is not a stuck sensor. A truly stuck one repeats one value."""
    sim = simulate(3, noise_c=0.03, walk_c=0.0, day_sd_c=0.0)
    sim.values = np.round(sim.values / 0.0625) * 0.0625
    sim.values[:, 0, SITES.index("hallux")] += np.where(sim.worn, 0.5 * np.sin(sim.t / 900), 0)
    assert [f for f in analyze_temperature(sim.stream(), CFG).faults if f.kind == "stuck"] == []
    i, frozen = SITES.index("mth3"), sim.day == 1
    sim.values[frozen, 0, i] = sim.values[np.flatnonzero(frozen)[0] - 1, 0, i]  # stops updating
    stuck = [f for f in analyze_temperature(sim.stream(), CFG).faults if f.kind == "stuck"]
    assert [(f.foot, f.site) for f in stuck] == [("left", "mth3")]


def test_days_follow_the_wearer_clock_across_a_dst_change():
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from analysis.temperature.daily import local_day_index, local_seconds

    berlin = ZoneInfo("Europe/Berlin")
    start = datetime(2026, 3, 28, 0, 0, tzinfo=berlin)  # DST begins 2026-03-29 02:00
    t = np.arange(0, 3 * 86400, 600.0)
    stream = TemperatureStream(time_s=t, values_c=np.full((t.size, 2, 6), 30.0), start=start,
                               source="dst")
    local = local_seconds(stream)
    idx, day0 = local_day_index(stream)
    # 2026-03-29 has 23 hours: local midnight of 03-30 is 47 h after the start, not 48 h.
    first_of_30 = int(np.argmax(idx == 2))
    assert t[first_of_30] == 47 * 3600
    assert local[first_of_30] == 2 * 86400
    assert day0.isoformat() == "2026-03-28"
    # A fixed offset keeps counting plain seconds.
    fixed = TemperatureStream(time_s=t, values_c=stream.values_c, start=START, source="fixed")
    assert np.array_equal(local_seconds(fixed), t)
