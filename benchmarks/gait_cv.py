"""Leave-one-group-out cross-validation of the gait event detector on gaitndd, full tables.

    python -m benchmarks.gait_cv                 # the test's grid (27 candidates)
    python -m benchmarks.gait_cv --grid full     # 405 candidates, about 80 s
    python -m benchmarks.gait_cv --records       # also every record's held-out figures
    python -m benchmarks.gait_cv --misses        # and why each held-out miss was missed

The procedure is in tests/validation/_gait_cv.py (the test tests/validation/test_gaitndd_cv.py
runs the same code on the test grid); the figures are in docs/clinical.md.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from tests.validation._gait_cv import (
    GRIDS,
    MISS_KINDS,
    Evaluator,
    candidates,
    choose,
    classify_misses,
    config_of,
    default_settings,
    format_folds,
    format_records,
    format_settings,
    format_summary,
    held_out_scores,
    load_records,
    logo_cv,
    target_failures,
)

REPO = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m benchmarks.gait_cv", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--grid", choices=sorted(GRIDS), default="test")
    p.add_argument("--records", action="store_true", help="print every record's figures")
    p.add_argument("--misses", action="store_true",
                   help="classify every held-out miss (kinds: see tests/validation/_gait_cv.py)")
    default_data = Path(os.environ.get("SOLEWATCH_SHARED_DATA", REPO.parent / "shared" / "data"))
    p.add_argument("--data", type=Path, default=default_data / "gaitndd",
                   help="folder of the gaitndd records (default: %(default)s)")
    args = p.parse_args(argv)
    grid = GRIDS[args.grid]
    t0 = time.perf_counter()
    records = load_records(args.data)
    t_load = time.perf_counter() - t0
    evaluator = Evaluator()
    folds = logo_cv(records, grid, evaluator)
    settings_all, summary_all = choose(evaluator, records, grid)
    elapsed = time.perf_counter() - t0
    print(f"grid {args.grid}: {len(candidates(grid))} candidates over "
          f"{', '.join(sorted(grid))}; {len(records)} records")
    print(format_folds(folds))
    if args.records:
        print(format_records(held_out_scores(folds)))
    if args.misses:
        for kind, meaning in MISS_KINDS.items():
            print(f"  {kind}: {meaning}")
        print("  extra: detected contacts that are the nearest of no reference contact")
        for fold in folds:
            config = config_of(fold.settings)
            for record in records:
                if record.group == fold.held_out:
                    counts = classify_misses(record, config)
                    if any(counts.values()):
                        print(f"{record.name:10s} " + ", ".join(
                            f"{k} {v}" for k, v in counts.items() if v))
    print(f"chosen on all four groups: {format_settings(settings_all)}")
    print(f"  in-sample: {format_summary(summary_all)}")
    defaults = default_settings(grid)
    print(f"shipped defaults: {format_settings(defaults)}"
          f" ({'the same' if defaults == settings_all else 'DIFFERENT'})")
    failures = target_failures(folds)
    print("held-out targets: " + ("all met" if not failures else "; ".join(failures)))
    print(f"{evaluator.evaluations} detector runs, {elapsed:.1f} s ({t_load:.1f} s reading)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
