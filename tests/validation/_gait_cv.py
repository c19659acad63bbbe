"""Leave-one-group-out cross-validation of the gait event detector on gaitndd.

The 33 gaitndd records (Hausdorff 1997/2000) come from four groups: ALS, Huntington's disease,
Parkinson's disease and controls. Tuning the detector on all of them and scoring it on the same
records says little about the next person. Here, for each group in turn, the free settings are
chosen on the OTHER three groups only and the held-out group is scored with them.

Procedure (deterministic):

* Free settings (:data:`TEST_GRID`, :data:`FULL_GRID`): only the :class:`GaitConfig` settings
  that move the detected initial contacts (the backward search to the load onset and the
  threshold that starts a stance). The rest are physiological bounds (minimum stance and swing),
  robust level estimates, or only move final contacts and swing (not the match objective).
* Objective, on the training records only (:func:`objective`): first the issue's targets
  (median stride and swing errors within target, then the worst training group's and the worst
  training record's matched share, each counted up to its target only), then the pooled share of
  reference left initial contacts with a detected one within 50 ms, then the smaller median
  |stride error| and |swing error|; a remaining tie goes to the first candidate in grid order.
  (A first version ranked by the pooled share alone; see docs/clinical.md for what it gave.)
* Each (record, settings) result is computed once and cached for the run
  (:class:`Evaluator`): the four folds and the choice on all four groups reuse it.

Scoring of one record: every row of the authors' ``.ts`` table is a left initial contact;
it is matched to the nearest detected left initial contact within 50 ms, and the stride and
swing that end at a matched contact are compared with the table's.

``python -m benchmarks.gait_cv`` prints the full tables (``--grid full`` for the larger grid).
"""

from __future__ import annotations

import dataclasses
import itertools
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.config import GaitConfig
from analysis.gait.events import detect_events, detect_foot_events
from analysis.gait.strides import build_strides
from analysis.load import foot_load
from analysis.streams import PressureStream
from firmware_bridge.readers.physionet import read_gaitndd, read_gaitndd_reference

MATCH_S = 0.050
#: gaitndd's groups, by record-name prefix.
GROUPS = ("als", "control", "hunt", "park")

#: Targets on the HELD-OUT groups (issue 9).
TARGET_POOLED = 0.99
TARGET_GROUP = 0.97
TARGET_RECORD = 0.93
TARGET_STRIDE_MS = 3.4  # one sample at 300 Hz
TARGET_SWING_MS = 10.0

#: The grid the test searches (27 candidates): the settings of the backward search for the
#: load onset.
TEST_GRID: dict[str, tuple[float, ...]] = {
    "baseline_tolerance_fraction": (0.03, 0.04, 0.05),
    "initial_contact_flat_fraction": (0.3, 0.5, 1.0),
    "flat_slope_max_fraction_per_s": (3.0, 4.0, 5.0),
}
#: A larger grid (405 candidates) for ``python -m benchmarks.gait_cv --grid full``: finer slope
#: bounds, the stance-on threshold and the search window as well.
FULL_GRID: dict[str, tuple[float, ...]] = {
    "baseline_tolerance_fraction": (0.03, 0.04, 0.05),
    "initial_contact_flat_fraction": (0.3, 0.5, 1.0),
    "flat_slope_max_fraction_per_s": (3.0, 3.5, 4.0, 4.5, 5.0),
    "stance_on_fraction": (0.25, 0.30, 0.35),
    "refine_window_s": (0.15, 0.25, 0.35),
}
GRIDS = {"test": TEST_GRID, "full": FULL_GRID}

Settings = tuple[tuple[str, float], ...]


@dataclass(frozen=True, eq=False)
class Record:
    name: str
    group: str
    stream: PressureStream
    reference: dict[str, np.ndarray]
    #: Total load under the left foot (the reference is the left foot's): the same for every
    #: setting, so it is computed once.
    left_load: np.ndarray


@dataclass(frozen=True, eq=False)
class Score:
    """One record under one setting: reference contacts, matched ones, and the stride and
    swing errors (s) of the matched strides."""

    n_ref: int
    n_matched: int
    stride_err: np.ndarray
    swing_err: np.ndarray


@dataclass(frozen=True)
class Summary:
    n_ref: int
    n_matched: int
    stride_med_ms: float
    swing_med_ms: float
    n_strides: int
    worst_record: str
    worst_share: float
    worst_group: str
    worst_group_share: float

    @property
    def share(self) -> float:
        return self.n_matched / self.n_ref if self.n_ref else 0.0


@dataclass(frozen=True)
class Fold:
    held_out: str
    settings: Settings
    train: Summary
    test: Summary
    records: dict[str, Score]


def group_of(name: str) -> str:
    group = name.rstrip("0123456789")
    if group not in GROUPS:
        raise ValueError(f"{name}: not a gaitndd record of the groups {', '.join(GROUPS)}")
    return group


def load_records(folder: Path) -> list[Record]:
    """Every gaitndd record in ``folder`` with its reference table, sorted by name."""
    if not any(folder.glob("*.hea")):
        raise FileNotFoundError(f"no gaitndd records (*.hea) in {folder}")
    records = []
    for hea in sorted(folder.glob("*.hea")):
        stream = read_gaitndd(hea)
        records.append(
            Record(
                name=hea.stem,
                group=group_of(hea.stem),
                stream=stream,
                reference=read_gaitndd_reference(hea.with_suffix(".ts")),
                left_load=foot_load(stream)["left"].total,
            )
        )
    return records


def config_of(settings: Settings) -> GaitConfig:
    return dataclasses.replace(GaitConfig(), **dict(settings))


def default_settings(grid: dict[str, tuple[float, ...]]) -> Settings:
    """The shipped defaults of the grid's free settings."""
    default = GaitConfig()
    return tuple((name, getattr(default, name)) for name in sorted(grid))


def candidates(grid: dict[str, tuple[float, ...]]) -> list[Settings]:
    """Every combination of the grid, in a fixed order (names sorted, values as given)."""
    names = sorted(grid)
    combos = itertools.product(*(grid[n] for n in names))
    return [tuple(zip(names, values, strict=True)) for values in combos]


def score_record(record: Record, config: GaitConfig) -> Score:
    """Left initial contacts, strides and swings of one record against its reference. The
    left foot alone is detected: its strides and swings do not depend on the right foot."""
    left = detect_foot_events(
        record.stream.time_s,
        record.left_load,
        sample_rate_hz=record.stream.sample_rate_hz,
        foot="left",
        config=config,
    )
    table = build_strides({"left": left}, config)["left"]
    ic = left.initial_contacts_s
    r = record.reference["elapsed_s"]
    if ic.size < 2:
        return Score(r.size, 0, np.empty(0), np.empty(0))
    j = np.clip(np.searchsorted(ic, r), 1, ic.size - 1)
    nearest = np.where(np.abs(ic[j] - r) < np.abs(ic[j - 1] - r), j, j - 1)
    matched = np.abs(ic[nearest] - r) <= MATCH_S
    row = nearest - 1  # the stride ending at ic[k] is row k - 1 of the stride table
    has = matched & (row >= 0)
    stride_err = table.stride_s[row[has]] - record.reference["left_stride_s"][has]
    swing_err = table.swing_s[row[has]] - record.reference["left_swing_s"][has]
    return Score(
        n_ref=int(r.size),
        n_matched=int(matched.sum()),
        stride_err=stride_err[np.isfinite(stride_err)],
        swing_err=swing_err[np.isfinite(swing_err)],
    )


class Evaluator:
    """Scores records under settings, each (record, settings) once per run."""

    def __init__(self) -> None:
        self._cache: dict[tuple[str, Settings], Score] = {}
        self.evaluations = 0

    def score(self, record: Record, settings: Settings) -> Score:
        key = (record.name, settings)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = score_record(record, config_of(settings))
            self.evaluations += 1
        return hit


def summarise(scores: dict[str, Score]) -> Summary:
    n_ref = sum(s.n_ref for s in scores.values())
    n_matched = sum(s.n_matched for s in scores.values())
    stride = np.concatenate([s.stride_err for s in scores.values()])
    swing = np.concatenate([s.swing_err for s in scores.values()])
    worst = min(scores, key=lambda name: scores[name].n_matched / scores[name].n_ref)
    groups: dict[str, list[int]] = {}
    for name, score in scores.items():
        counts = groups.setdefault(group_of(name), [0, 0])
        counts[0] += score.n_matched
        counts[1] += score.n_ref
    worst_group = min(groups, key=lambda g: groups[g][0] / groups[g][1])
    return Summary(
        n_ref=n_ref,
        n_matched=n_matched,
        stride_med_ms=1000.0 * float(np.median(np.abs(stride))) if stride.size else np.inf,
        swing_med_ms=1000.0 * float(np.median(np.abs(swing))) if swing.size else np.inf,
        n_strides=int(stride.size),
        worst_record=worst,
        worst_share=scores[worst].n_matched / scores[worst].n_ref,
        worst_group=worst_group,
        worst_group_share=groups[worst_group][0] / groups[worst_group][1],
    )


def objective(summary: Summary) -> tuple[bool, float, float, float, float, float]:
    """Larger is better. First the issue's targets on the training records (both median
    errors within target; the worst group's and the worst record's share, each counted only up
    to its target, so a floor once reached stops mattering), then the pooled matched share,
    then smaller median stride and swing errors."""
    return (
        summary.stride_med_ms <= TARGET_STRIDE_MS and summary.swing_med_ms <= TARGET_SWING_MS,
        min(summary.worst_group_share, TARGET_GROUP),
        min(summary.worst_share, TARGET_RECORD),
        summary.share,
        -summary.stride_med_ms,
        -summary.swing_med_ms,
    )


def choose(
    evaluator: Evaluator, records: list[Record], grid: dict[str, tuple[float, ...]]
) -> tuple[Settings, Summary]:
    """The grid candidate with the best objective on ``records`` (first one on a tie)."""
    best: tuple[Settings, Summary] | None = None
    for settings in candidates(grid):
        summary = summarise({r.name: evaluator.score(r, settings) for r in records})
        if best is None or objective(summary) > objective(best[1]):
            best = (settings, summary)
    assert best is not None
    return best


def logo_cv(
    records: list[Record], grid: dict[str, tuple[float, ...]], evaluator: Evaluator
) -> list[Fold]:
    """One fold per group: settings chosen without it, then the group scored with them."""
    folds = []
    for group in GROUPS:
        train = [r for r in records if r.group != group]
        test = [r for r in records if r.group == group]
        settings, train_summary = choose(evaluator, train, grid)
        scores = {r.name: evaluator.score(r, settings) for r in test}
        folds.append(Fold(group, settings, train_summary, summarise(scores), scores))
    return folds


def held_out_scores(folds: list[Fold]) -> dict[str, Score]:
    """Every record scored by the fold that held its group out."""
    return {name: score for fold in folds for name, score in fold.records.items()}


def format_settings(settings: Settings) -> str:
    return ", ".join(f"{name} {value:g}" for name, value in settings)


def format_summary(summary: Summary) -> str:
    return (
        f"{summary.n_matched}/{summary.n_ref} = {100 * summary.share:.2f}% matched, worst "
        f"group {summary.worst_group} {100 * summary.worst_group_share:.2f}%, worst record "
        f"{summary.worst_record} {100 * summary.worst_share:.1f}%, median |stride error| "
        f"{summary.stride_med_ms:.2f} ms, median |swing error| {summary.swing_med_ms:.2f} ms "
        f"({summary.n_strides} strides)"
    )


def format_records(scores: dict[str, Score]) -> str:
    lines = [f"{'record':10s} {'ref':>5s} {'matched':>8s} {'|stride err| med':>17s} "
             f"{'|swing err| med':>16s}"]
    for name in sorted(scores):
        s = scores[name]
        stride = 1000 * np.median(np.abs(s.stride_err)) if s.stride_err.size else np.nan
        swing = 1000 * np.median(np.abs(s.swing_err)) if s.swing_err.size else np.nan
        lines.append(
            f"{name:10s} {s.n_ref:5d} {100 * s.n_matched / s.n_ref:7.2f}% {stride:14.2f} ms "
            f"{swing:13.2f} ms"
        )
    return "\n".join(lines)


def format_folds(folds: list[Fold]) -> str:
    lines = []
    for fold in folds:
        lines.append(f"held out {fold.held_out}: chosen on the other groups: "
                     f"{format_settings(fold.settings)}")
        lines.append(f"  training:  {format_summary(fold.train)}")
        lines.append(f"  held out:  {format_summary(fold.test)}")
    lines.append(f"POOLED held out: {format_summary(summarise(held_out_scores(folds)))}")
    return "\n".join(lines)


def target_failures(folds: list[Fold]) -> list[str]:
    """Every held-out target that is missed, in words (empty: all met)."""
    scores = held_out_scores(folds)
    pooled = summarise(scores)
    out = []
    if pooled.share < TARGET_POOLED:
        out.append(f"pooled held-out share {100 * pooled.share:.2f}% < {100 * TARGET_POOLED}%")
    if pooled.stride_med_ms > TARGET_STRIDE_MS:
        out.append(f"median |stride error| {pooled.stride_med_ms:.2f} ms > {TARGET_STRIDE_MS}")
    if pooled.swing_med_ms > TARGET_SWING_MS:
        out.append(f"median |swing error| {pooled.swing_med_ms:.2f} ms > {TARGET_SWING_MS}")
    for fold in folds:
        if fold.test.share < TARGET_GROUP:
            out.append(f"{fold.held_out}: {100 * fold.test.share:.2f}% < {100 * TARGET_GROUP}%")
    for name, s in sorted(scores.items()):
        if s.n_matched / s.n_ref < TARGET_RECORD:
            out.append(f"{name}: {100 * s.n_matched / s.n_ref:.2f}% < {100 * TARGET_RECORD}%")
    return out


#: Kinds of missed reference contacts (:func:`classify_misses`), in the order they are tested.
MISS_KINDS = {
    "invalid": "invalid samples within 0.3 s",
    "early_slow": "detected 50-150 ms early: the load rose slowly from its onset and the "
    "reference sits higher up the rise",
    "late": "detected more than 50 ms late",
    "none_near": "no detected contact within 150 ms",
    "other": "early by more than 150 ms or otherwise",
}


def classify_misses(record: Record, config: GaitConfig) -> dict[str, int]:
    """Counts of the record's missed reference contacts by :data:`MISS_KINDS`, and
    ``extra``: detected contacts inside the referenced span that are the nearest of no
    reference contact (split stances, choreic double contacts)."""
    events = detect_events(record.stream, config)
    ic = events["left"].initial_contacts_s
    r = record.reference["elapsed_s"]
    x = record.left_load
    fs = record.stream.sample_rate_hz
    lo, hi = np.nanpercentile(x, [5, 95])
    counts = dict.fromkeys(MISS_KINDS, 0)
    if ic.size < 2:
        counts["none_near"] = int(r.size)
        counts["extra"] = 0
        return counts
    j = np.clip(np.searchsorted(ic, r), 1, ic.size - 1)
    nearest = np.where(np.abs(ic[j] - r) < np.abs(ic[j - 1] - r), j, j - 1)
    offset = ic[nearest] - r
    matched = np.abs(offset) <= MATCH_S
    near = round(0.3 * fs)
    for k in np.flatnonzero(~matched):
        i = int(np.rint(r[k] * fs))
        seg = x[max(0, i - near) : i + near]
        if not np.isfinite(seg).all():
            counts["invalid"] += 1
        elif -0.150 <= offset[k] < -MATCH_S and (x[i] - np.min(x[max(0, i - near) : i + 1])) > (
            0.1 * (hi - lo)
        ):
            counts["early_slow"] += 1
        elif offset[k] > MATCH_S and offset[k] <= 0.150:
            counts["late"] += 1
        elif np.abs(offset[k]) > 0.150:
            counts["none_near"] += 1
        else:
            counts["other"] += 1
    inside = (ic >= r[0] - MATCH_S) & (ic <= r[-1] + MATCH_S)
    counts["extra"] = int(inside.sum() - np.unique(nearest).size)  # nearest to no reference
    return counts
