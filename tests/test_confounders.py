"""The confounder suite: deterministic, its truth agrees with the data, the scorer counts right,
and the written files read back. A few wearers only: the scored run of the whole suite is the
rules' regression test, not this file's."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from analysis.alerts import (
    BASELINE_DIFFERENCE,
    CONTRALATERAL_FOOT_MEAN,
    CONTRALATERAL_SITE,
    IPSILATERAL_HOTSPOT,
    SUDDEN_RISE,
    UNSAFE_TEMPERATURE,
    Alert,
)
from analysis.sites import FEET, SITES
from analysis.streams import TemperatureStream
from fixtures import confounders as cf

SPECS = {s.name: s for s in cf.wearers()}


def case(name: str, seed: int = cf.TUNE_SEED, **changes) -> cf.Case:
    spec = SPECS[name]
    return cf.generate_case(dataclasses.replace(spec, **changes) if changes else spec, seed)


def local_dates(c: cf.Case) -> np.ndarray:
    """Local calendar date of every sample (correct across daylight saving)."""
    zone = c.spec.zone
    t0 = c.stream.start.astimezone(UTC)
    return np.array([(t0 + timedelta(seconds=float(s))).astimezone(zone).date()
                     for s in c.stream.time_s])


def daily_mean(x: np.ndarray, days: np.ndarray, mask: np.ndarray) -> dict[date, float]:
    return {d: float(np.mean(x[(days == d) & mask])) for d in np.unique(days[mask])}


# --- the suite as a whole ----------------------------------------------------------------------

def test_the_suite_is_big_and_varied_enough():
    specs = cf.wearers()
    assert len(specs) >= 15 and sum(s.days for s in specs) >= 500
    assert all(s.days >= 30 for s in specs)
    assert len({s.name for s in specs}) == len(specs)
    hot = [(h, s) for s in specs for h in s.of(cf.Hotspot)]
    sites = {h.site for h, _ in hot if h.site}
    assert sites == set(SITES)
    assert {h.foot for h, _ in hot} == set(FEET)
    assert {h.speed for h, _ in hot} == {"slow", "fast"}
    assert any(h.site is None for h, _ in hot)  # diffuse
    assert any(s.single_foot and s.room_sensor and s.of(cf.Hotspot) for _, s in hot)
    assert any(h.onset_day <= 8 for h, _ in hot)
    assert all(2.6 <= h.peak_c <= 4.0 for h, _ in hot)
    kinds = {type(e) for s in specs if not s.of(cf.Hotspot) for e in s.effects}
    assert {cf.ExternalHeat, cf.ThickSock, cf.ShoeOff, cf.Limp, cf.SiteOffset, cf.NoisyDays,
            cf.StuckSensor, cf.Dropout, cf.MissingDays} <= kinds
    assert any(e.unsafe for s in specs for e in s.of(cf.ExternalHeat))
    assert {s.tz for s in specs} >= {"Europe/Berlin", None}
    assert len({s.tz for s in specs}) >= 3
    assert cf.TUNE_SEED != cf.SCORE_SEED


# --- determinism -------------------------------------------------------------------------------

def test_same_seed_same_case_other_seed_differs():
    a = case("heater-then-hotspot-left-mth3")
    b = case("heater-then-hotspot-left-mth3")
    np.testing.assert_array_equal(a.stream.values_c, b.stream.values_c)
    np.testing.assert_array_equal(a.stream.time_s, b.stream.time_s)
    assert a.stream.start == b.stream.start
    assert a.truth == b.truth
    c = case("heater-then-hotspot-left-mth3", cf.SCORE_SEED)
    assert c.stream.values_c.shape == a.stream.values_c.shape
    assert not np.array_equal(c.stream.values_c, a.stream.values_c, equal_nan=True)
    assert c.truth["confounders"] != a.truth["confounders"]  # other evenings by the heater
    json.dumps(a.truth)  # JSON-ready


def test_readings_are_per_minute_at_sensor_resolution():
    c = case("quiet-plain")
    assert np.all(np.diff(c.stream.time_s) == 60.0)
    v = c.stream.values_c
    assert np.isfinite(v).all()
    np.testing.assert_array_equal(v, np.round(v / cf.RESOLUTION_C) * cf.RESOLUTION_C)
    assert c.room_c is None


# --- truth against the data --------------------------------------------------------------------

@pytest.mark.parametrize("name", ["hotspot-right-mth3-slow", "hotspot-left-heel-fast",
                                  "diffuse-right-charcot"])
def test_crossing_day_is_where_the_generated_excess_crosses(name):
    hot = case(name)
    quiet = case(name, effects=tuple(e for e in SPECS[name].effects
                                     if not isinstance(e, cf.Hotspot)))
    (hs,) = hot.truth["hotspots"]
    assert quiet.truth["hotspots"] == []
    fi = FEET.index(hs["foot"])
    si = [SITES.index(hs["site"])] if hs["site"] else list(range(len(SITES)))
    diff = hot.stream.values_c - quiet.stream.values_c
    # only the hotspot's foot and site(s) changed
    others = np.ones(diff.shape, dtype=bool)
    others[:, fi, si] = False
    assert np.all(diff[others] == 0.0)
    # daily mean excess over the worn samples (in the skin range, after the shoe lag settled)
    worn = quiet.stream.values_c[:, fi, :].min(axis=1) > 27.0
    days = local_dates(hot)
    excess = daily_mean(diff[:, fi, si].mean(axis=1), days, worn)
    crossing = date.fromisoformat(hs["crossing_day"])
    tol = 0.12  # 12-minute shoe lag and 0.0625 °C steps
    assert excess[crossing] > cf.CROSSING_C - tol
    assert excess[crossing - timedelta(days=1)] <= cf.CROSSING_C + tol
    assert all(v <= cf.CROSSING_C + tol for d, v in excess.items() if d < crossing)
    onset = date.fromisoformat(hs["onset_day"])
    assert all(abs(v) < 0.05 for d, v in excess.items() if d < onset)
    assert max(excess.values()) == pytest.approx(hs["peak_c"], abs=0.15)


def test_quiet_wearers_have_no_hotspot():
    for spec in cf.wearers():
        if spec.name.startswith("quiet-"):
            assert not spec.of(cf.Hotspot), spec.name
    for name in ("quiet-heater-right", "quiet-sock-shoe-off"):
        c = case(name)
        assert c.truth["hotspots"] == [] and c.truth["expected_warnings"] == []
        assert c.truth["confounders"]


def test_pre_existing_asymmetry_is_in_the_data_from_day_one():
    c = case("quiet-baseline-asymmetry")
    (b,) = c.truth["baseline"]
    assert (b["foot"], b["site"], b["delta_c"]) == ("left", "mth1", 2.5)
    v = c.stream.values_c
    worn = v.min(axis=(1, 2)) > 27.0
    lr = v[:, 0, :] - v[:, 1, :]  # left minus right per site
    site = SITES.index("mth1")
    rest = [i for i in range(len(SITES)) if i != site]
    days = local_dates(c)
    excess = daily_mean(lr[:, site] - lr[:, rest].mean(axis=1), days, worn)
    first = min(excess)
    # from the first day on, at about the stated size (plus the slow left/right noise)
    assert 1.5 < excess[first] < 3.5
    assert np.median(list(excess.values())) == pytest.approx(2.5, abs=0.5)
    # and exactly the stated size against the same wearer without it
    plain = case("quiet-baseline-asymmetry", effects=())
    d = v - plain.stream.values_c
    steady = worn & (np.abs(np.diff(v[:, 0, site], prepend=v[0, 0, site])) < 0.07)
    assert np.median(d[steady, 0, site]) == pytest.approx(2.5, abs=0.07)
    d[:, 0, site] = 0.0
    assert np.all(d == 0.0)


def test_anatomical_site_is_warmer_on_both_feet():
    c = case("quiet-anatomical-mth3")
    plain = case("quiet-anatomical-mth3", effects=())
    d = c.stream.values_c - plain.stream.values_c
    site = SITES.index("mth3")
    worn = plain.stream.values_c.min(axis=(1, 2)) > 27.0
    for fi in range(len(FEET)):
        assert np.median(d[worn, fi, site]) == pytest.approx(2.2, abs=0.07)
    d[:, :, site] = 0.0
    assert np.all(d == 0.0)
    assert c.truth["baseline"] == []


def test_unsafe_heat_is_on_the_truth_day_and_the_other_evenings_are_not():
    c = case("quiet-heater-unsafe-left")
    (w,) = c.truth["expected_warnings"]
    assert (w["rule"], w["foot"]) == (UNSAFE_TEMPERATURE, "left")
    heat = [x for x in c.truth["confounders"] if x["kind"].startswith("external_heat")]
    (unsafe,) = [x for x in heat if x["kind"] == "external_heat_unsafe"]
    assert unsafe["times"][0][:10] == w["day"]
    days = local_dates(c)
    left = c.stream.values_c[:, 0, :]
    hot = np.nanmax(left, axis=1) >= cf.UNSAFE_SKIN_C
    assert set(days[hot]) == {date.fromisoformat(w["day"])}
    assert hot.sum() >= cf.UNSAFE_MIN
    for x in heat:
        if x["kind"] == "external_heat":
            day = date.fromisoformat(x["times"][0][:10])
            assert np.nanmax(left[days == day]) < 42.0
            # the heat shows on the whole foot during the evening, and is gone next morning
            t0 = datetime.fromisoformat(x["times"][0])
            t1 = datetime.fromisoformat(x["times"][1])
            at = [c.stream.start + timedelta(seconds=float(s)) for s in c.stream.time_s]
            during = np.array([t0 + timedelta(minutes=60) <= a < t1 for a in at])
            morning = np.array([a.date() == day + timedelta(days=1) and 8 <= a.hour < 10
                                for a in at])
            lr = left.mean(axis=1) - c.stream.values_c[:, 1, :].mean(axis=1)
            if during.any():
                assert np.median(lr[during]) - np.median(lr[morning]) > 1.5
            assert abs(np.median(lr[morning])) < 1.5


def test_single_foot_wearer_has_no_other_foot_and_a_room_sensor():
    c = case("single-left-mth1")
    assert c.truth["single_foot"] == "left"
    assert np.isnan(c.stream.values_c[:, 1, :]).all()
    assert np.isfinite(c.stream.values_c[:, 0, :]).all()
    assert c.room_c is not None and c.room_c.shape == c.stream.time_s.shape
    assert 15.0 < float(np.median(c.room_c)) < 27.0


def test_sensor_problems_and_missing_days_are_in_the_data():
    c = case("quiet-stuck-and-dropout")
    v = c.stream.values_c
    stuck = next(x for x in c.truth["confounders"] if x["kind"] == "stuck_sensor")
    t_stuck = datetime.fromisoformat(stuck["times"][0])
    i0 = int(np.searchsorted(c.stream.time_s,
                             (t_stuck - c.stream.start).total_seconds()))
    col = v[i0:, FEET.index("left"), SITES.index("mth3")]
    assert np.all(col == col[0])
    drop = next(x for x in c.truth["confounders"] if x["kind"] == "sensor_dropout")
    heel = v[:, FEET.index("right"), SITES.index("heel")]
    gone = (datetime.fromisoformat(drop["times"][1]) - c.stream.start).total_seconds()
    assert np.isnan(heel[c.stream.time_s >= gone]).all()
    a = (datetime.fromisoformat(drop["times"][0]) - c.stream.start).total_seconds()
    part = heel[(c.stream.time_s >= a) & (c.stream.time_s < gone)]
    assert 0.1 < np.isnan(part).mean() < 0.7  # intermittent before it is gone
    m = case("quiet-limp-missing-days")
    (miss,) = [x for x in m.truth["confounders"] if x["kind"] == "missing_days"]
    present = set(local_dates(m))
    assert not present & {date.fromisoformat(d) for d in miss["days"]}
    assert len(miss["days"]) == 3
    assert len(present) == m.spec.days - 3


def test_the_day_follows_the_local_clock_across_daylight_saving():
    c = case("quiet-dst-berlin")
    assert c.stream.start.tzinfo == ZoneInfo("Europe/Berlin")
    zone = ZoneInfo("Europe/Berlin")
    t0 = c.stream.start.astimezone(UTC)
    v = c.stream.values_c.mean(axis=(1, 2))
    at = [(t0 + timedelta(seconds=float(s))).astimezone(zone) for s in c.stream.time_s]
    wake: dict[bool, list[float]] = {False: [], True: []}
    for d in sorted({a.date() for a in at}):
        idx = [i for i, a in enumerate(at) if a.date() == d and a.hour >= 5]
        on = next(i for i in idx if v[i] > 27.0)
        wake[d > date(2026, 3, 29)].append(at[on].hour + at[on].minute / 60)
    # shoes go on at about 07:00 local before and after the change (not 08:00 after)
    assert 6.8 < np.median(wake[False]) < 8.0
    assert 6.8 < np.median(wake[True]) < 8.0
    assert abs(np.median(wake[True]) - np.median(wake[False])) < 0.4


# --- the scorer --------------------------------------------------------------------------------

def hand_case(hotspots=(), warnings=(), baseline=(), days=365) -> cf.Case:
    stream = TemperatureStream(time_s=np.arange(3) * 60.0,
                               values_c=np.full((3, 2, 6), 30.0),
                               start=datetime(2026, 3, 2, tzinfo=cf.DEFAULT_TZ))
    spec = cf.WearerSpec("hand", "built by hand", days)
    truth = {"name": "hand", "days": days, "hotspots": list(hotspots),
             "expected_warnings": list(warnings), "baseline": list(baseline)}
    return cf.Case(spec=spec, stream=stream, room_c=None, truth=truth)


def alert(rule, foot, site, confirmed, first=None, **evidence) -> Alert:
    c = date.fromisoformat(confirmed)
    return Alert(rule=rule, foot=foot, site=site, first_day=date.fromisoformat(first) if first
                 else c - timedelta(days=1), confirmed_day=c, delta_c=2.5, message="m",
                 evidence=evidence)


HS = {"foot": "left", "site": "mth1", "crossing_day": "2026-03-20", "kind": "site",
      "speed": "fast"}


def test_score_a_detected_hotspot_and_its_delay():
    s = cf.score([(hand_case([HS]), [alert(CONTRALATERAL_SITE, "left", "mth1", "2026-03-21")])])
    assert (s["detected"], s["hotspots"], s["false_alerts"]) == (1, 1, 0)
    assert s["sensitivity"] == 1.0 and s["delays_days"] == [1]
    assert s["per_rule"][CONTRALATERAL_SITE]["detected"] == 1
    assert s["per_rule"][IPSILATERAL_HOTSPOT]["detected"] == 0
    assert s["cases"][0]["verdict"] == "ok"


def test_score_window_edges():
    for confirmed, ok in (("2026-03-18", False), ("2026-03-19", True), ("2026-03-23", True),
                          ("2026-03-24", False)):
        s = cf.score([(hand_case([HS]),
                       [alert(CONTRALATERAL_SITE, "left", "mth1", confirmed)])])
        assert s["detected"] == int(ok), confirmed
        assert s["false_alerts"] == int(not ok), confirmed


def test_score_an_early_alert_is_false_and_the_hotspot_missed():
    s = cf.score([(hand_case([HS]), [alert(CONTRALATERAL_SITE, "left", "mth1", "2026-03-10")])])
    assert (s["detected"], s["false_alerts"]) == (0, 1)
    assert s["hotspot_rows"][0]["detected_by"] is None
    assert "1 missed" in s["cases"][0]["verdict"] and "1 false" in s["cases"][0]["verdict"]
    # one false alert in one wearer-year
    assert s["false_per_wearer_year"] == pytest.approx(cf.DAYS_PER_YEAR / 365)


def test_score_a_duplicate_and_wrong_foot_or_site_are_false():
    alerts = [alert(CONTRALATERAL_SITE, "left", "mth1", "2026-03-21"),
              alert(IPSILATERAL_HOTSPOT, "left", "mth1", "2026-03-22"),  # duplicate
              alert(CONTRALATERAL_SITE, "right", "mth1", "2026-03-21"),  # other foot
              alert(CONTRALATERAL_SITE, "left", "heel", "2026-03-21")]  # other site
    s = cf.score([(hand_case([HS]), alerts)])
    assert (s["detected"], s["false_alerts"]) == (1, 3)
    assert s["delays_days"] == [1]
    # the duplicate would have detected it on its own: per rule it counts, and is still false
    assert s["per_rule"][IPSILATERAL_HOTSPOT]["detected"] == 1
    assert s["per_rule"][IPSILATERAL_HOTSPOT]["false_alerts"] == 1


def test_score_whole_foot_alerts():
    listed = alert(CONTRALATERAL_FOOT_MEAN, "left", None, "2026-03-20",
                   sites_over_threshold=[{"site": "mth1"}])
    s = cf.score([(hand_case([HS]), [listed])])
    assert s["detected"] == 1 and s["delays_days"] == [0]
    other = alert(CONTRALATERAL_SITE, "left", "mth3", "2026-03-20",
                  other_sites_over_threshold=[{"site": "mth1"}])
    assert cf.score([(hand_case([HS]), [other])])["detected"] == 1
    unlisted = alert(SUDDEN_RISE, "left", None, "2026-03-20")
    s = cf.score([(hand_case([HS]), [unlisted])])
    assert (s["detected"], s["false_alerts"]) == (0, 1)
    diffuse = {**HS, "site": None, "kind": "diffuse"}
    s = cf.score([(hand_case([diffuse]), [alert(CONTRALATERAL_FOOT_MEAN, "left", None,
                                                "2026-03-22")])])
    assert s["detected"] == 1
    s = cf.score([(hand_case([diffuse]), [alert(CONTRALATERAL_SITE, "left", "mth1",
                                                "2026-03-22")])])
    assert s["detected"] == 0 and s["false_alerts"] == 1


def test_score_unsafe_warnings_and_baseline_findings_apart():
    warn = {"rule": UNSAFE_TEMPERATURE, "foot": "left", "day": "2026-03-18"}
    base = {"foot": "left", "site": "mth1", "delta_c": 2.5}
    alerts = [alert(UNSAFE_TEMPERATURE, "left", "heel", "2026-03-18", first="2026-03-18"),
              alert(UNSAFE_TEMPERATURE, "left", "heel", "2026-03-25", first="2026-03-25"),
              alert(BASELINE_DIFFERENCE, "left", "mth1", "2026-03-04"),
              alert(BASELINE_DIFFERENCE, "right", "heel", "2026-03-04")]
    s = cf.score([(hand_case([], [warn], [base], days=730), alerts)])
    assert (s["warnings_expected"], s["warnings_found"]) == (1, 1)
    assert (s["baseline_expected"], s["baseline_found"], s["unexpected_findings"]) == (1, 1, 1)
    assert s["false_alerts"] == 1  # the second unsafe one; findings are never false alerts
    assert s["per_rule"][UNSAFE_TEMPERATURE]["false_alerts"] == 1
    assert s["false_per_wearer_year"] == pytest.approx(cf.DAYS_PER_YEAR / 730)
    assert s["sensitivity"] is None
    assert "unexpected" in s["cases"][0]["verdict"]
    text = cf.format_score(s)
    assert "unsafe warnings found 1/1" in text and "baseline findings found 1/1" in text


# --- files -------------------------------------------------------------------------------------

def test_write_suite_round_trips_through_the_csv_reader(tmp_path):
    specs = [dataclasses.replace(SPECS["single-left-mth1"], days=6,
                                 effects=(cf.Hotspot("left", "mth1", 2, 1, 3.0, 0.5),)),
             dataclasses.replace(SPECS["quiet-dst-berlin"], days=5, first_day=date(2026, 3, 27),
                                 effects=(cf.ShoeOff("right", 2),))]
    manifest = cf.write_suite(tmp_path, cf.SCORE_SEED, specs)
    assert set(manifest["files"]) == {
        "single-left-mth1/temperature.csv.gz", "single-left-mth1/truth.json",
        "single-left-mth1/room.csv.gz", "quiet-dst-berlin/temperature.csv.gz",
        "quiet-dst-berlin/truth.json"}
    assert json.loads((tmp_path / "manifest.json").read_text()) == manifest
    everyone = json.loads((tmp_path / "truth.json").read_text())
    assert everyone["seed"] == cf.SCORE_SEED and set(everyone["wearers"]) == {s.name
                                                                             for s in specs}
    for spec in specs:
        c = cf.generate_case(spec, cf.SCORE_SEED)
        stream, room, truth = cf.read_case(tmp_path / spec.name)
        assert truth == c.truth
        # same instants, same readings (NaN where absent)
        assert stream.start == c.stream.start
        np.testing.assert_array_equal(stream.time_s, c.stream.time_s)
        np.testing.assert_array_equal(stream.values_c, c.stream.values_c)
        if c.room_c is None:
            assert room is None
        else:
            np.testing.assert_array_equal(room, c.room_c)
    # the DST wearer's file carries the local offset in force: +01:00, then +02:00
    import gzip

    text = gzip.decompress((tmp_path / "quiet-dst-berlin" / "temperature.csv.gz")
                           .read_bytes()).decode()
    assert "2026-03-28T12:00:00.000000+01:00" in text
    assert "2026-03-29T12:00:00.000000+02:00" in text
    assert text.rstrip().rsplit("\n", 1)[-1].startswith("2026-03-31T23:59:00.000000+02:00")
    assert "2026-03-29T02:30" not in text  # that wall-clock hour does not exist
