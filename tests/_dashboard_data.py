"""A small history store for the dashboard tests, filled through the Store API."""

from __future__ import annotations

from datetime import date, timedelta

from analysis.alerts import CONTRALATERAL_FOOT_MEAN, CONTRALATERAL_SITE, SUDDEN_RISE, Alert
from analysis.config import TemperatureConfig
from analysis.sites import SITES
from solewatch.store import Store

WEARER = "ada"
OTHER_WEARER = "bo"
LAST_DAY = date(2026, 3, 31)
N_DAYS = 40
HOT_SITE = "mth1"
#: Days (counted back from LAST_DAY, 0 = LAST_DAY) with no walking recorded: gaps.
GAIT_GAP_DAYS = (3, 10, 11)
N_GAIT_DAYS = 28
#: Days (counted back from LAST_DAY) whose recording held walking but no quiet standing of
#: 10 s or more: no balance row (gaps on the chart), beside the days without any recording.
BALANCE_GAP_DAYS = (5, 17)
#: The one day whose sway area is above the fallers' 1030 mm² (counted back from LAST_DAY).
RESTLESS_DAY = 1
#: The second wearer's only alert (a whole-foot difference on the right foot).
OTHER_ALERT_DELTA_C = 2.5


def gait_day(i: int) -> dict[str, float | None]:
    """Plausible daily gait summary values for day ``i`` counted back from LAST_DAY: cadence
    drifting from about 112 down to 94 steps/min (below the 100-120 typical range on the last
    days), stride-time variability rising from 2.3% to 3.9% (above 2-3% on the last days), a
    small asymmetry and a coordination index around 3-5%. Not every key is filled (the store
    keeps None), as on a day with one short walk."""
    age = N_GAIT_DAYS - 1 - i  # 0 on the first gait day
    frac = age / (N_GAIT_DAYS - 1)
    cadence = 112.0 - 18.0 * frac
    stride_s = 120.0 / cadence
    return {
        "cadence_steps_per_min": cadence,
        "steps_left": 1500 + 10 * age,
        "steps_right": 1490 + 10 * age,
        "stride_time_s_mean": stride_s,
        "stride_time_cv_pct": 2.3 + 1.6 * frac,
        "stride_time_sd_ms": stride_s * 1000.0 * (2.3 + 1.6 * frac) / 100.0,
        "gait_asymmetry": 2.0 + 4.0 * frac,
        "pci_pct": 3.0 + 2.0 * frac,
        "double_support_pct": 24.0 + 4.0 * frac,
        "dfa_alpha": None,
    }


def balance_day(back: int) -> dict[str, float | int]:
    """A plausible balance summary for the day ``back`` days before LAST_DAY: two-foot quiet
    standing with a sway area rising from about 150 to 400 mm² over the four weeks (standing
    getting less steady), one restless day above the fallers' 1030 mm², one or two intervals
    (the second on one leg every fourth day)."""
    age = N_GAIT_DAYS - 1 - back
    area = 150.0 + 250.0 * age / (N_GAIT_DAYS - 1)
    if back == RESTLESS_DAY:
        area = 1120.0
    intervals = 1 + (back % 2)
    return {"quiet_standing_intervals": intervals,
            "one_leg_intervals": 1 if intervals == 2 and back % 4 == 1 else 0,
            "quiet_standing_s": 15.0 + 10.0 * intervals, "ellipse95_area_mm2": area,
            "mean_velocity_mm_s": 8.0 + area / 50.0, "ap_velocity_mm_s": 7.0 + area / 60.0,
            "ml_velocity_mm_s": 3.0 + area / 200.0}


def exercise_day(back: int) -> dict[str, int]:
    """Repetitions the insoles counted on a day with a recording: ten calf raises every third
    day, none otherwise; five toe lifts on every seventh day."""
    return {"calf_raise": 10 if back % 3 == 0 else 0, "toe_lift": 5 if back % 7 == 2 else 0}


def fill(url: str) -> Store:
    """Migrate the store at ``url`` and fill it: 40 days of temperature (left mth1 warm on the
    last 5 days), one open and one acknowledged alert, 28 days of gait (3 without walking) for
    WEARER, with the day's counted exercises, and balance on those days but two; a second
    wearer with one open alert and a week of temperature. Returns the open Store."""
    store = Store.open(url)
    store.migrate()
    store.add_wearer(WEARER)
    store.add_wearer(OTHER_WEARER)
    for back in range(N_GAIT_DAYS):
        if back not in GAIT_GAP_DAYS:
            day = LAST_DAY - timedelta(days=back)
            store.upsert_daily_gait(WEARER, day, gait_day(N_GAIT_DAYS - 1 - back))
            store.upsert_daily_exercise(WEARER, day, exercise_day(back))
            if back not in BALANCE_GAP_DAYS:
                store.upsert_daily_balance(WEARER, day, balance_day(back))
    store.upsert_daily_temperature(OTHER_WEARER, [
        {"date": LAST_DAY - timedelta(days=back), "site": "foot_mean", "left_c": 29.0,
         "right_c": 29.0 + (OTHER_ALERT_DELTA_C if back < 2 else 0.2),
         "delta_c": -(OTHER_ALERT_DELTA_C if back < 2 else 0.2), "minutes": 240.0,
         "enough": True, "room_c": 20.0} for back in range(7)])
    store.upsert_alerts(OTHER_WEARER, [
        Alert(rule=CONTRALATERAL_FOOT_MEAN, foot="right", site=None,
              first_day=LAST_DAY - timedelta(days=1), confirmed_day=LAST_DAY,
              delta_c=-OTHER_ALERT_DELTA_C,
              message="right foot 2.5 °C warmer than the left for 2 days",
              evidence={"threshold_c": TemperatureConfig().foot_mean_delta_c,
                        "deltas_c": [-OTHER_ALERT_DELTA_C] * 2})])
    rows = []
    for i in range(N_DAYS):
        day = LAST_DAY - timedelta(days=N_DAYS - 1 - i)
        for site in (*SITES, "foot_mean"):
            delta = 2.8 if site == HOT_SITE and i >= N_DAYS - 5 else 0.3 * ((i % 3) - 1)
            rows.append({"date": day, "site": site, "left_c": 30.0 + delta, "right_c": 30.0,
                         "delta_c": delta, "minutes": 300.0, "enough": True, "room_c": 21.0})
    store.upsert_daily_temperature(WEARER, rows)
    first = LAST_DAY - timedelta(days=4)
    alerts = [
        Alert(rule=CONTRALATERAL_SITE, foot="left", site=HOT_SITE, first_day=first,
              confirmed_day=first + timedelta(days=1), delta_c=2.8,
              message="left mth1 2.8 °C warmer than the right for 2 days",
              evidence={"threshold_c": 2.2, "days": [first.isoformat()], "deltas_c": [2.8]}),
        Alert(rule=SUDDEN_RISE, foot="right", site=None, first_day=LAST_DAY - timedelta(20),
              confirmed_day=None, delta_c=1.5, message="right foot rose 1.5 °C in a day",
              evidence={"rise_c": 1.5}),
    ]
    stored = store.upsert_alerts(WEARER, alerts)
    store.acknowledge_alert(stored[1].id, by="test", note="looked, fine")
    return store
