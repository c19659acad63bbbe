"""Every threshold and tuning constant of the analysis, with its unit and its source.

Each setting is a dataclass field made with :func:`setting`: a default, a unit, and the
citation or reasoning behind it. Names carry the unit (``_c``, ``_s``, ``_kpa``, ``_pct``).
A TOML file overrides any of them::

    [temperature]
    contralateral_site_delta_c = 2.0   # Skafjeld 2015

    [pressure]
    sustained_duration_s = 1200

:func:`config_from_mapping` checks names and types and says which setting is wrong;
``solewatch.settings.load_config`` reads the file (I/O stays at the edge). The clinical
references are summarised in docs/clinical.md (from ../shared/reference/clinical.md).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from analysis.errors import InputError

#: 1 mmHg in kPa (133.322 Pa).
MMHG_KPA = 0.133322


def setting(default: Any, *, unit: str, source: str) -> Any:
    """A configurable threshold: its default, unit and the citation behind the default."""
    return field(default=default, metadata={"unit": unit, "source": source})


@dataclass(frozen=True)
class GaitConfig:
    """Gait-event detection and gait metrics."""

    min_stance_s: float = setting(
        0.2, unit="s",
        source="Shortest plausible stance: stance is about 60% of a 0.8-1.6 s stride even "
        "when running slowly; shorter contacts are sensor noise or shuffles.",
    )
    min_swing_s: float = setting(
        0.15, unit="s",
        source="Shortest plausible swing (about 40% of the shortest walking stride, "
        "0.9 s): shorter gaps inside a stance are sensor drop-outs.",
    )
    threshold_window_s: float = setting(
        10.0, unit="s",
        source="Engineering: the low/high load levels are re-estimated in windows of this "
        "length (several strides of 0.9-1.6 s each) so thresholds follow baseline drift of "
        "force-sensitive resistors and insole heating (clinical.md: thresholds adapted to "
        "each recording).",
    )
    threshold_low_percentile: float = setting(
        5.0, unit="percentile",
        source="Engineering: robust unloaded (swing) level of a window; swing is about 40% "
        "of walking time, so the 5th percentile lies inside swing yet ignores spikes.",
    )
    threshold_high_percentile: float = setting(
        95.0, unit="percentile",
        source="Engineering: robust loaded (stance) level of a window; stance is about 60% "
        "of walking time, the 95th percentile ignores impact spikes.",
    )
    stance_on_fraction: float = setting(
        0.30, unit="fraction of low-high range",
        source="Upper hysteresis threshold (clinical.md: two thresholds with hysteresis). "
        "Well above swing noise and below the mid-stance valley of the double-hump curve "
        "(about 70% of peak); the initial contact is then refined back to the baseline.",
    )
    stance_off_fraction: float = setting(
        0.15, unit="fraction of low-high range",
        source="Lower hysteresis threshold: load must fall below it to end a stance, so "
        "noise around one threshold cannot make extra events (clinical.md).",
    )
    min_walking_range_fraction: float = setting(
        0.3, unit="fraction of recording range",
        source="Engineering: a window whose low-high range is below this share of the "
        "recording's range holds no steps (standing, sitting); its thresholds are taken "
        "from the nearest window with steps.",
    )
    baseline_tolerance_fraction: float = setting(
        0.03, unit="fraction of low-high range",
        source="A sample within this share of the range above the local minimum is 'at "
        "baseline' when refining contacts (clinical.md: initial contact moved back to "
        "where the force first left the baseline). Above the FSR noise of gaitndd. Chosen by "
        "the leave-one-group-out procedure on all four gaitndd groups (Hausdorff 1997/2000; "
        "docs/clinical.md, tests/validation/test_gaitndd_cv.py).",
    )
    initial_contact_flat_fraction: float = setting(
        0.5, unit="fraction of the steepest rise",
        source="Engineering: while refining an initial contact backwards, a load rising "
        "slower than this share of the steepest rise of the same loading (and slower than "
        "flat_slope_max_fraction_per_s) has not left the baseline yet. Stops the search on "
        "sensors whose unloaded level creeps (FSR hysteresis in gaitndd) and adapts to "
        "slow loading. Chosen by the leave-one-group-out procedure on all four gaitndd "
        "groups (docs/clinical.md, tests/validation/test_gaitndd_cv.py).",
    )
    final_contact_flat_fraction: float = setting(
        0.1, unit="fraction of the steepest fall",
        source="Engineering: while refining a final contact forwards, a load falling slower "
        "than this share of the steepest fall of the same unloading has reached its "
        "unloaded level even if that level keeps creeping. Chosen on gaitndd: median swing "
        "error 4.2 ms vs 5.4 ms without it; keeps gaitpdb control swing CV at 2.6%.",
    )
    flat_slope_max_fraction_per_s: float = setting(
        4.0, unit="fraction of low-high range per s",
        source="Engineering: upper bound of the slow-rise rate above (1.3% of the range per "
        "sample at 300 Hz); heel-strike loading is several times faster. Chosen by the "
        "leave-one-group-out procedure on all four gaitndd groups (docs/clinical.md, "
        "tests/validation/test_gaitndd_cv.py).",
    )
    refine_window_s: float = setting(
        0.25, unit="s",
        source="Engineering: longest search from a threshold crossing back to the load "
        "onset (or forward to its end); heel-strike loading takes under 0.1 s.",
    )
    bout_pause_s: float = setting(
        2.5, unit="s",
        source="Engineering: a gap between contacts longer than this is a stop, not a "
        "stride (walking strides last 0.9-1.6 s; clinical.md: remove starts and stops).",
    )
    bout_split_ratio: float = setting(
        1.3, unit="ratio",
        source="A stride more than 30% longer or shorter than the local median belongs to "
        "a turn, start or stop (clinical.md: walking-bout segmentation); steady-walking "
        "stride CV is 1-5%, so 30% is about 6 or more SDs away.",
    )
    bout_median_strides: int = setting(
        9, unit="strides",
        source="Engineering: length of the running median the split ratio compares with; "
        "a few turn strides cannot move a 9-stride median.",
    )
    bout_trim_strides: int = setting(
        1, unit="strides",
        source="Drop this many strides at each end of a bout: the acceleration and "
        "deceleration strides of starts and stops (clinical.md).",
    )
    bout_min_strides: int = setting(
        5, unit="strides",
        source="Engineering: shorter runs of strides (after trimming) are shuffles or "
        "turns, not steady walking.",
    )
    outlier_mad_k: float = setting(
        3.0, unit="scaled MADs",
        source="Robust outlier rejection (clinical.md): strides farther than 3 scaled "
        "median absolute deviations (1.4826 x MAD, about 3 SD) from the bout median.",
    )
    dfa_min_strides: int = setting(
        100, unit="strides",
        source="DFA alpha needs at least 100-200 strides (Hausdorff 1995/1996; "
        "clinical.md). Below this dfa_alpha is null.",
    )
    dfa_min_box_strides: int = setting(
        4, unit="strides",
        source="Smallest DFA box: n = 4 (Peng 1995 Chaos 5:82; Hausdorff 1995 J Appl Physiol "
        "78:349); a line fitted to fewer points leaves almost no residual.",
    )
    dfa_max_box_fraction: float = setting(
        0.25, unit="fraction of N",
        source="Largest DFA box N/4 (Peng 1995): fewer than 4 boxes per scale make F(n) "
        "too noisy to fit.",
    )
    asymmetry_min_strides: int = setting(
        10, unit="strides",
        source="Engineering: the mean swing time of fewer than 10 strides has a standard "
        "error above a third of its CV, too coarse for a GA of a few percent.",
    )
    pci_min_strides: int = setting(
        30, unit="strides",
        source="Engineering: phi_CV is a standard deviation; with fewer than 30 strides its "
        "relative standard error exceeds 13% (1/sqrt(2(n-1))). Plotnik 2007 used walks of "
        "far more strides.",
    )
    quiet_min_duration_s: float = setting(
        10.0, unit="s",
        source="Shortest quiet-standing interval analysed: clinical one-leg stance tests "
        "last 10-30 s; shorter intervals give unstable sway estimates (engineering).",
    )
    quiet_window_s: float = setting(
        1.0, unit="s",
        source="Window in which the COP must stay within quiet_max_cop_range_mm "
        "(engineering: about one step; a step moves the COP far more).",
    )
    quiet_max_cop_range_mm: float = setting(
        30.0, unit="mm",
        source="Engineering: quiet-stance COP ranges stay well under 30 mm within a second "
        "(fallers' one-leg sway is about 3 cm/s, clinical.md); weight shifts and steps "
        "move it further.",
    )
    quiet_loaded_fraction: float = setting(
        0.15, unit="fraction of the foot's 99th-percentile load",
        source="Engineering: a standing foot carries 30-60% of its walking peak; below 15% "
        "it is lifted or merely resting.",
    )
    quiet_unloaded_fraction: float = setting(
        0.05, unit="fraction of the foot's 99th-percentile load",
        source="Engineering: the lifted foot of a one-leg stance carries almost nothing; "
        "5% leaves room for sensor offset.",
    )
    cop_lowpass_hz: float = setting(
        5.0, unit="Hz",
        source="Centre-of-pressure sway measures are computed after a zero-phase 4th-order "
        "Butterworth low-pass at 5 Hz (Prieto TE et al., IEEE Trans Biomed Eng 43:956, 1996): "
        "postural sway lies below it, and sensor noise above it would inflate path length "
        "and velocity.",
    )
    stance_width_mm: float = setting(
        170.0, unit="mm",
        source="Nominal distance between the heel centres in preferred quiet stance, about "
        "17 cm (McIlroy & Maki 1997, Clin Biomech 12:66). The insoles cannot measure it; "
        "used only to place both feet in one frame for the combined COP.",
    )
    fallers_sway_area_mm2: float = setting(
        1030.0, unit="mm²",
        source="Reference for display, not an alert: 95% ellipse sway area of fallers in "
        "one-leg stance, 10.3 cm² (clinical.md, static balance row).",
    )
    fallers_ap_velocity_mm_s: float = setting(
        29.0, unit="mm/s",
        source="Reference for display, not an alert: AP COP velocity of fallers in one-leg "
        "stance, 2.9 cm/s (clinical.md, static balance row).",
    )
    fallers_ml_velocity_mm_s: float = setting(
        34.0, unit="mm/s",
        source="Reference for display, not an alert: ML COP velocity of fallers in one-leg "
        "stance, 3.4 cm/s (clinical.md, static balance row).",
    )
    exercise_loaded_fraction: float = setting(
        0.15, unit="fraction of the foot's 99th-percentile load",
        source="Engineering: a foot taking part in a calf raise or toe lift carries at least "
        "part of the body weight; same reasoning as quiet_loaded_fraction.",
    )
    raised_heel_share_max: float = setting(
        0.1, unit="fraction of heel + forefoot load",
        source="Engineering: heel off the ground (calf raise) when the heel sensors carry "
        "under 10% of heel + forefoot load; sensor offset keeps it above zero.",
    )
    flat_heel_share_min: float = setting(
        0.25, unit="fraction of heel + forefoot load",
        source="Engineering: flat-foot standing puts roughly 40-60% of the load on the heel; "
        "above 25% the heel is down again (hysteresis against raised_heel_share_max).",
    )
    lifted_forefoot_share_max: float = setting(
        0.1, unit="fraction of heel + forefoot load",
        source="Engineering: forefoot off the ground (toe lift) when it carries under 10% of "
        "heel + forefoot load.",
    )
    exercise_min_hold_s: float = setting(
        0.25, unit="s",
        source="Engineering: shortest raised (or lifted) phase counted as a repetition; "
        "shorter ones are rocking or sensor noise.",
    )


@dataclass(frozen=True)
class PressureConfig:
    """Plantar-pressure alerts: sustained pressure (Abbott 2019) and peak pressure over the
    in-shoe target (Bus 2011/2013)."""

    sustained_kpa: float = setting(
        35.0 * MMHG_KPA, unit="kPa",
        source="Orpyx SurroSense Rx alerts when a region stays above 35-50 mmHg "
        "(4.7-6.7 kPa) for more than 15 minutes (Abbott 2019, Lancet Digital Health).",
    )
    sustained_duration_s: float = setting(
        15 * 60.0, unit="s",
        source="Abbott 2019: more than 15 minutes above the sustained-pressure threshold.",
    )
    peak_target_kpa: float = setting(
        200.0, unit="kPa",
        source="In-shoe peak pressure target below 200 kPa (Bus 2011/2013).",
    )
    peak_step_percentile: float = setting(
        50.0, unit="percentile of the day's per-step region peaks",
        source="Engineering: the peak_pressure rule compares the median of the day's per-step "
        "peaks (highest sensor of the region during each stance) with peak_target_kpa. Bus "
        "2011/2013 compared the mean of the peaks of midgait steps with 200 kPa, not one "
        "sample; the median is its robust form, so stairs, a stumble or a turn that raise a "
        "few steps, and a single noisy sample, do not move it.",
    )
    peak_min_steps: int = setting(
        12, unit="steps per foot and day",
        source="Engineering: Bus 2011/2013 averaged a dozen or more midgait steps per "
        "measurement; a day with fewer steps of a foot is not judged (neither over nor "
        "under target).",
    )
    peak_confirm_days: int = setting(
        2, unit="days with walking data",
        source="Engineering: the day's statistic must be over target on this many days with "
        "walking data in a row before the peak_pressure rule alerts (days without walking "
        "are skipped, not counted), as the temperature rules need temperature."
        "consecutive_days (Wijlens 2017; Skafjeld 2015): one day can be an unusual walk "
        "(new shoes, carrying a load).",
    )
    peak_episode_gap_days: int = setting(
        3, unit="days with walking data under target",
        source="Engineering: a day over target after at most this many judged days under "
        "target continues the same peak-pressure episode (updated, not re-alerted), as "
        "temperature.episode_gap_days; peak pressure comes from the foot and the shoe, and "
        "goes back and forth around the target from day to day.",
    )
    sustained_episode_gap_days: int = setting(
        3, unit="days",
        source="Engineering: sustained pressure on the same foot and region again within this "
        "many calendar days after the last day it was found is the same episode (the alert "
        "is updated, not raised again), as temperature.episode_gap_days.",
    )
    sustained_max_gap_s: float = setting(
        10.0, unit="s",
        source="Engineering: a weight shift of a few seconds does not restore blood flow to "
        "the tissue (reactive hyperaemia takes longer), so gaps below the threshold shorter "
        "than this do not end a sustained-pressure episode. Orpyx does not publish its gating.",
    )
    sustained_min_run_s: float = setting(
        3.0, unit="s",
        source="Engineering: a stretch above the sustained threshold must last this long to "
        "count. A step loads a region for under about 1 s even in slow walking (stance "
        "under 1.2 s), so the cyclic loading of walking never builds an episode, while the "
        "gaps of sustained_max_gap_s would otherwise bridge every swing.",
    )
    silent_sensor_min_loaded_s: float = setting(
        20.0, unit="s",
        source="Engineering: a pressure sensor that worked earlier and then reads nothing during "
        "at least this much loaded time (about 25-30 stances of walking, or 20 s of standing) "
        "has failed or come loose; shorter silences happen when weight shifts off a region.",
    )
    silent_sensor_floor_fraction: float = setting(
        0.03, unit="fraction of the sensor's own 99th-percentile reading",
        source="Engineering: below 3% of its usual loaded reading a sensor is indistinguishable "
        "from its noise floor and baseline drift (FSR zero drift is a few % of range).",
    )
    invalid_sensor_exclude_fraction: float = setting(
        0.05, unit="fraction of samples",
        source="Engineering: a sensor invalid (NaN) in more than 5% of the samples where the "
        "rest of its insole is valid is treated as broken and left out of the foot's total "
        "load, so one bad sensor never loses a whole foot; rarer NaNs invalidate their samples.",
    )


@dataclass(frozen=True)
class TemperatureConfig:
    """Temperature-asymmetry and absolute-temperature alert rules."""

    contralateral_site_delta_c: float = setting(
        2.2, unit="°C",
        source="Lavery 2004/2007, Armstrong 2007: same site > 4 °F (2.2 °C) warmer than "
        "the other foot; Frykberg 2017: 97% sensitivity at 2.22 °C.",
    )
    consecutive_days: int = setting(
        2, unit="days",
        source="Confirmation on the next day cuts false alarms from 8.5% to 0.3% of "
        "readings (Wijlens 2017); Skafjeld 2015 rule: two consecutive days.",
    )
    confirm_skip_days: int = setting(
        2, unit="days",
        source="Engineering: up to two days that could not be judged (insoles not worn, too "
        "noisy, no data: a weekend without them) between two days over the threshold do not "
        "break the consecutive-day run; the confirmation still needs two judged days over it "
        "with no judged day under it in between (Wijlens 2017: next-reading confirmation; a "
        "missed day is no reading). Chosen on the confounder suite's tuning seeds.",
    )
    episode_gap_days: int = setting(
        3, unit="days",
        source="Engineering: a run over threshold that starts again within 3 days after an "
        "alerted run ends is the same episode (updated, not re-alerted). In-shoe daily "
        "differences cross 2.2 °C back and forth (Hajizadeh 2025: 44% of non-stationary "
        "signals), and a warm spot takes days to settle after offloading (Lavery 2004).",
    )
    foot_mean_delta_c: float = setting(
        1.35, unit="°C",
        source="Mean of all sites, left minus right: 1.35 °C separated urgent from "
        "non-urgent cases (sensitivity 89%, specificity 78%); clinical.md.",
    )
    ipsilateral_delta_c: float = setting(
        2.0, unit="°C",
        source="Local complications > 2 °C above the own-foot mean; healthy feet never "
        "above 1.5 °C (clinical.md, ipsilateral hotspot).",
    )
    # --- sensor faults (excluded with a reason, never alerted on) ---------------------------
    sensor_resolution_c: float = setting(
        0.0625, unit="°C",
        source="One step of a 12-bit digital skin-temperature sensor (DS18B20, TMP-series: "
        "0.0625 °C). A reading that moves less than this is flat.",
    )
    fault_stuck_min: float = setting(
        60.0, unit="min",
        source="Engineering: worn skin temperature drifts by more than one sensor step within "
        "an hour; a site flat for longer while the other sites of the insole vary is stuck.",
    )
    fault_low_c: float = setting(
        -10.0, unit="°C",
        source="Engineering: an insole below -10 °C is not measuring skin (frozen electronics "
        "or a broken sensor); such samples are excluded as out of range.",
    )
    fault_high_c: float = setting(
        55.0, unit="°C",
        source="Moritz & Henriques 1947: skin at 55 °C burns within about a minute, so a "
        "longer reading above this is a fault, not skin; 43-55 °C stays valid for the "
        "unsafe-temperature warning.",
    )
    fault_gap_min: float = setting(
        10.0, unit="min",
        source="Engineering: a site missing for 10 minutes while the other sites of the same "
        "insole keep reporting is a loose or disconnected sensor, not the insole being off.",
    )
    fault_rail_jump_c: float = setting(
        10.0, unit="°C",
        source="Engineering: an insole's thermal mass limits a real change to a few °C per "
        "minute; a jump of 10 °C between samples that then stays flat is a sensor at its rail.",
    )
    fault_spike_c: float = setting(
        3.0, unit="°C",
        source="Engineering: a single sample more than 3 °C away from the median of its five "
        "neighbours cannot be skin (thermal mass) and is removed as a spike.",
    )
    fault_noise_c: float = setting(
        0.6, unit="°C",
        source="Engineering: mean |second difference| over 10 minutes above 0.6 °C means "
        "sample noise of about 0.3 °C SD (mean |d2| = 1.95 SD for white noise), too noisy "
        "to resolve a 2.2 °C asymmetry reliably.",
    )
    # --- wear and rested steady state ---------------------------------------------------
    wear_skin_min_c: float = setting(
        24.0, unit="°C",
        source="In-shoe plantar skin is 27-35 °C; barefoot soles after acclimatisation are "
        "22-33 °C (Hernandez-Contreras 2019 database). Below 24 °C the insole most likely "
        "reads the room, not skin.",
    )
    wear_skin_max_c: float = setting(
        40.0, unit="°C",
        source="Engineering: above 40 °C the insole reads a heat source, not ordinary "
        "worn skin (core temperature is 37 °C); still checked by the unsafe rule.",
    )
    wear_room_margin_c: float = setting(
        2.0, unit="°C",
        source="Engineering: when the room temperature is known, a worn insole reads at least "
        "2 °C above it (skin is warmer than indoor air); closer means the shoe is off.",
    )
    wear_site_spread_c: float = setting(
        8.0, unit="°C",
        source="Engineering: worn sites of one foot lie within a few °C of each other "
        "(healthy ipsilateral differences < 1.5 °C, hotspots 2-4 °C); a wider spread means "
        "the insole is partly off or in the sun.",
    )
    wear_off_slope_c_per_min: float = setting(
        0.3, unit="°C/min",
        source="Engineering: a shoe taken off cools toward room temperature at about "
        "1 °C/min at first (time constant ~10 min); walking changes in-shoe temperature "
        "by about 0.1 °C/min. A fall faster than this starts a shoe-off period.",
    )
    wear_off_drop_c: float = setting(
        4.0, unit="°C",
        source="Engineering: walking and resting change in-shoe temperature by 1-3 °C; taking "
        "the shoe off in an 18-24 °C room drops the insole by 6-12 °C. A fall of more than "
        "4 °C is a shoe-off period.",
    )
    wear_on_slope_c_per_min: float = setting(
        0.3, unit="°C/min",
        source="Engineering: putting the shoe on warms the insole at more than 1 °C/min; a "
        "rise faster than this ends a shoe-off period.",
    )
    slope_window_min: float = setting(
        5.0, unit="min",
        source="Engineering: temperature slopes are taken over 5 minutes so sensor noise "
        "(0.0625 °C steps) stays below 0.03 °C/min.",
    )
    rest_min: float = setting(
        15.0, unit="min",
        source="Clinical thermography asks for 10-20 min of rest/acclimatisation before a "
        "reading (Ring & Ammer, Physiol Meas 2012); Hajizadeh 2025: in-shoe differences are "
        "not stationary, so only rested steady state is compared.",
    )
    rest_slope_c_per_min: float = setting(
        0.05, unit="°C/min",
        source="Engineering: a foot at rest drifts by less than 0.5 °C in 10 min; faster "
        "change means walking, shoe on/off or a heat source.",
    )
    load_on_fraction: float = setting(
        0.05, unit="fraction",
        source="Engineering: a foot carrying more than 5% of its usual peak load is in the "
        "shoe (sitting with feet on the floor loads the insole).",
    )
    wear_load_window_min: float = setting(
        30.0, unit="min",
        source="Engineering: a worn insole is loaded at least once in 30 minutes (sitting, "
        "standing); no load for longer means the shoe is off or the wearer lies down.",
    )
    rest_load_change_fraction: float = setting(
        0.2, unit="fraction",
        source="Engineering: a change of more than 20% of the usual peak load between load "
        "samples is a step or posture change (activity).",
    )
    # --- daily statistic and per-wearer offset --------------------------------------------
    daily_window_min: float = setting(
        10.0, unit="min",
        source="Engineering: left-right differences are averaged over 10-minute windows, "
        "then the day's value is the median of the window values (robust to a few bad ones).",
    )
    daily_min_minutes: float = setting(
        60.0, unit="min",
        source="Engineering: at least an hour of rested, comparable data (six 10-minute "
        "windows) before a day is judged; Hajizadeh 2025: single daily readings both miss "
        "and false-alarm.",
    )
    offset_baseline_days: int = setting(
        7, unit="days",
        source="Wijlens 2017; Featherston: a per-person left-right correction learned from "
        "the first readings cut false alarms (8.5% -> 0.2%; 9.6% -> 0.4% with confirmation).",
    )
    offset_min_days: int = setting(
        3, unit="days",
        source="Engineering: a median of fewer than 3 days is not a stable offset.",
    )
    offset_change_c: float = setting(
        1.1, unit="°C",
        source="Engineering: baseline days whose difference lies more than half the 2.2 °C "
        "threshold from the median of the first half of the baseline days are changing (a "
        "hotspot developing in the first week), not the usual difference, and are left out "
        "of the offset; stable daily differences vary by 0.4-0.7 °C SD (Hernandez-Contreras "
        "2019).",
    )
    offset_max_c: float = setting(
        2.0, unit="°C",
        source="Healthy feet differ by 0.65-0.78 °C on average and never more than 1.5 °C "
        "within a foot (clinical.md); the largest control |L-R| per region in "
        "Hernandez-Contreras 2019 is 1.94 °C. A larger baseline difference may be a hotspot "
        "already present: it is not learned (rules use the raw difference).",
    )
    offset_note_c: float = setting(
        1.0, unit="°C",
        source="Engineering: a usual left-right difference of 1 °C or more is learned and "
        "applied (below offset_max_c) but said in the notes, never silently: healthy feet "
        "differ by 0.65-0.78 °C on average (clinical.md).",
    )
    offset_max_spread_c: float = setting(
        0.75, unit="°C",
        source="Engineering: the baseline days' differences must agree (robust SD, "
        "1.4826 x MAD, at most 0.75 °C) for an offset to count as stable.",
    )
    # --- red flags ------------------------------------------------------------------------
    sudden_rise_c: float = setting(
        2.0, unit="°C",
        source="Self-care red flag: a sudden one-sided change within hours (clinical.md). "
        "Engineering: 2 °C is more than 3 SD of control left-right differences "
        "(Hernandez-Contreras 2019, SD 0.4-0.7 °C) and close to the 2.2 °C daily threshold.",
    )
    sudden_rise_window_h: float = setting(
        3.0, unit="h",
        source="Self-care red flag: change 'within hours' (clinical.md); 3 h spans a morning "
        "or afternoon of rested readings.",
    )
    sudden_rise_other_max_c: float = setting(
        1.0, unit="°C",
        source="Engineering: the other foot must rise by less than half as much, so shared "
        "warming (room, heating, exercise) is not called one-sided.",
    )
    external_heat_site_share: float = setting(
        0.5, unit="fraction",
        source="Engineering: external heat warms every site of the foot (the smallest site "
        "rise is at least half the largest); inflammation is local (clinical.md: a site versus "
        "its own foot; healthy sites stay within 1.5 °C of each other).",
    )
    external_heat_release_c: float = setting(
        0.5, unit="°C",
        source="Engineering: external heat is gone when the one-sided excess is back below "
        "0.5 °C (about the mean healthy left-right difference, 0.65-0.78 °C: clinical.md).",
    )
    external_heat_max_h: float = setting(
        36.0, unit="h",
        source="Engineering: heat from outside is gone by the next morning (an evening by a "
        "heater lasts hours); the next worn, steady half hour must come within 36 h of the "
        "rise's start to tell (a night and a lie-in); a one-sided warmth still there then "
        "persists like inflammation and is judged as such.",
    )
    baseline_rise_c: float = setting(
        1.5, unit="°C",
        source="Engineering: at a site already warmer when monitoring began (a baseline "
        "finding), an alert needs the difference to grow by more than 1.5 °C over its "
        "baseline on consecutive days. Armstrong 2007: the week before an ulcer the "
        "difference was 3.50 °C against 0.74 °C; 1.5 °C is about 3 SD of a stable daily "
        "difference (Hernandez-Contreras 2019, SD 0.4-0.7 °C).",
    )
    unsafe_hot_c: float = setting(
        43.0, unit="°C",
        source="Moritz & Henriques 1947: skin burns from about 44 °C with prolonged contact, "
        "the time to injury halving per degree above; 1 °C margin for a foot that cannot feel "
        "heat (bath, heating pad, hot-water bottle).",
    )
    unsafe_hot_min: float = setting(
        5.0, unit="min",
        source="Engineering: 5 minutes above the hot limit excludes brief touches and single "
        "samples while leaving hours of margin before a 44 °C burn.",
    )
    unsafe_cold_c: float = setting(
        15.0, unit="°C",
        source="Non-freezing cold injury (trench/immersion foot) follows hours of skin below "
        "about 15 °C; frostbite needs skin near -0.5 °C. Checked only while load shows the "
        "insole is worn.",
    )
    unsafe_cold_min: float = setting(
        30.0, unit="min",
        source="Engineering: 30 minutes of cold, worn skin is long enough to warn before a "
        "non-freezing cold injury develops (hours).",
    )


@dataclass(frozen=True)
class AnalysisConfig:
    gait: GaitConfig = field(default_factory=GaitConfig)
    pressure: PressureConfig = field(default_factory=PressureConfig)
    temperature: TemperatureConfig = field(default_factory=TemperatureConfig)


def describe(config: AnalysisConfig | None = None) -> list[dict[str, Any]]:
    """Every setting as {section, name, value, unit, source}: for docs, --help and reports."""
    config = config or AnalysisConfig()
    rows = []
    for section in dataclasses.fields(config):
        sub = getattr(config, section.name)
        for f in dataclasses.fields(sub):
            rows.append(
                {
                    "section": section.name,
                    "name": f.name,
                    "value": getattr(sub, f.name),
                    "unit": f.metadata.get("unit", ""),
                    "source": f.metadata.get("source", ""),
                }
            )
    return rows


def config_from_mapping(data: dict[str, Any], *, source: str = "<config>") -> AnalysisConfig:
    """Build a config from nested ``{section: {name: value}}``, checking names and types."""
    base = AnalysisConfig()
    sections = {f.name: f for f in dataclasses.fields(base)}
    changes = {}
    for sec_name, values in data.items():
        if sec_name not in sections:
            raise InputError(
                f"unknown section [{sec_name}]; known: {sorted(sections)}", source=source
            )
        if not isinstance(values, dict):
            raise InputError(f"[{sec_name}] must be a table", source=source)
        sub = getattr(base, sec_name)
        known = {f.name: f for f in dataclasses.fields(sub)}
        sub_changes = {}
        for name, value in values.items():
            if name not in known:
                raise InputError(
                    f"unknown setting; known in [{sec_name}]: {sorted(known)}",
                    source=source,
                    field=f"{sec_name}.{name}",
                )
            default = getattr(sub, name)
            if isinstance(default, bool):
                ok = isinstance(value, bool)
            elif isinstance(default, int):
                ok = isinstance(value, int) and not isinstance(value, bool)
            elif isinstance(default, float):
                ok = isinstance(value, int | float) and not isinstance(value, bool)
                value = float(value) if ok else value
            else:
                ok = isinstance(value, type(default))
            if not ok:
                unit = known[name].metadata.get("unit", "")
                raise InputError(
                    f"expected {type(default).__name__} in {unit}, found {value!r}",
                    source=source,
                    field=f"{sec_name}.{name}",
                )
            sub_changes[name] = value
        changes[sec_name] = dataclasses.replace(sub, **sub_changes)
    return dataclasses.replace(base, **changes)
