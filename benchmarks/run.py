"""Benchmarks of the whole analysis and of gait-event detection (issue "analysis core", item 10).

Run with ``bash scripts/bench.sh`` (one core: the BLAS/OpenMP thread counts are set to 1).
Writes benchmarks/results/latest.json (every figure) and latest.md (the tables).

1. ``analysis.pipeline.analyze`` on a generated 10-hour, two-insole, 16-sensor, 100 Hz
   recording plus its temperatures: best and median of ``--repeats`` runs, times real time,
   peak memory above the baseline (tracemalloc, and the resident size of a fresh process as a
   cross-check) against the bytes of the input arrays, a per-stage profile and the hottest
   functions.
2. kineticstoolkit's ``cycles.detect_cycles`` against ours on the total force of the left foot
   of the same recording (ktk on 1-minute chunks), time per minute of signal and the ratio.
3. Accuracy of both detectors against the gaitndd reference contacts (``../shared/data``).

The recording is generated before any timed region; nothing here is a pass/fail test.
"""

from __future__ import annotations

import os

os.environ.setdefault("TQDM_DISABLE", "1")  # before kineticstoolkit imports tqdm

import argparse
import cProfile
import functools
import importlib
import importlib.metadata
import json
import platform
import pstats
import subprocess
import sys
import tempfile
import time
import traceback
import tracemalloc
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TARGET_X_REAL_TIME = 20_000.0
TARGET_PEAK_OVER_INPUT = 3.0

#: The functions the pipeline calls, grouped into the stages of the profile. They are wrapped
#: in place (the pipeline imports them when it runs), so the profile times the real pipeline.
STAGES: dict[str, list[tuple[str, str]]] = {
    "load": [("analysis.load", "foot_load")],
    "sensor_health": [("analysis.sensor_health", "pressure_sensor_faults")],
    "events": [("analysis.gait.events", "detect_events")],
    "strides": [("analysis.gait.strides", "build_strides")],
    "metrics": [
        ("analysis.gait.variability", "gait_summary"),
        ("analysis.gait.asymmetry", "gait_asymmetry_pct"),
        ("analysis.gait.asymmetry", "symmetry_index_pct"),
        ("analysis.gait.pci", "phase_coordination_index_pct"),
        ("analysis.gait.dfa", "dfa_alpha"),
        ("analysis.gait.balance", "find_quiet_standing"),
        ("analysis.gait.balance", "balance_of_interval"),
        ("analysis.gait.balance", "combined_cop_mm"),
        ("analysis.gait.balance", "static_balance"),
        ("analysis.gait.exercises", "count_exercises"),
    ],
    "pressure": [
        ("analysis.pressure", "pressure_report"),
        ("analysis.pressure", "region_pressure_summary"),
        ("analysis.pressure", "sustained_pressure_alerts"),
    ],
    "temperature": [
        ("analysis.pipeline", "_load_for_temperature"),
        ("analysis.temperature", "analyze_temperature"),
    ],
}


def start_memprobe() -> subprocess.Popen:
    """The fresh process for the resident-memory cross-check, started while we are small."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "benchmarks.memprobe"],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline().strip()
    if line != "ready":
        raise RuntimeError(f"memory probe did not start (said {line!r})")
    return proc


def machine() -> dict:
    import numpy as np

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {"python": platform.python_version(), "numpy": np.__version__}
    for dist in ("scipy", "pandas", "kineticstoolkit"):
        try:
            versions[dist] = importlib.metadata.version(dist)
        except importlib.metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        changed = [
            line[3:] for line in subprocess.run(
                ["git", "status", "--porcelain", "--untracked-files=no"],
                cwd=ROOT, capture_output=True, text=True,
            ).stdout.splitlines() if line.strip()
        ]
    except OSError:
        commit, changed = "unknown", []
    return {
        "date_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "cpu_affinity": sorted(os.sched_getaffinity(0)),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "cpu": cpu,
        "platform": platform.platform(),
        "threads": {k: os.environ.get(k) for k in
                    ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")},
        "versions": versions,
        "git_commit": commit,
        "git_tracked_changes": bool(changed),
        "git_changed_files": changed,
    }


# ---------------------------------------------------------------- the analysis benchmark


def time_validation(pressure, repeats: int = 3) -> float:
    """Best time to build (validate) the PressureStream from its arrays: done by the readers,
    outside ``analyze``, reported apart."""
    from analysis.streams import PressureStream

    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        PressureStream(
            time_s=pressure.time_s, left=pressure.left, right=pressure.right,
            layout=pressure.layout, unit=pressure.unit, sample_rate_hz=pressure.sample_rate_hz,
            start=pressure.start,
        )
        best = min(best, time.perf_counter() - t0)
    return best


def time_analysis(pressure, temperature, repeats: int) -> dict:
    from analysis.pipeline import analyze

    times = []
    result = None
    for _ in range(repeats):
        t0 = time.perf_counter()
        result = analyze(pressure=pressure, temperature=temperature, source="benchmark")
        times.append(time.perf_counter() - t0)
    times_sorted = sorted(times)
    median = times_sorted[len(times) // 2] if len(times) % 2 else (
        0.5 * (times_sorted[len(times) // 2 - 1] + times_sorted[len(times) // 2])
    )
    gait = result.gait
    steps = None
    if gait is not None:
        steps = {f: int(ev.n_steps) for f, ev in gait.events.items()}
    return {"runs_s": times, "best_s": min(times), "median_s": median, "steps": steps}


def tracemalloc_peak(pressure, temperature) -> dict:
    from analysis.pipeline import analyze

    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        analyze(pressure=pressure, temperature=temperature, source="benchmark")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return {"peak_above_baseline_bytes": int(peak - base)}


def rss_peak(proc: subprocess.Popen, pressure, temperature) -> dict:
    from benchmarks.recording import save

    with tempfile.TemporaryDirectory(prefix="solewatch-bench-") as tmp:
        save(pressure, temperature, Path(tmp))
        proc.stdin.write(tmp + "\n")
        proc.stdin.flush()
        line = proc.stdout.readline()
        proc.wait(timeout=600)
    if not line:
        raise RuntimeError(f"memory probe failed (exit code {proc.returncode})")
    r = json.loads(line)
    kib = 1024
    out = dict(r)
    out["peak_above_loaded_bytes_ru_maxrss"] = (
        r["maxrss_after_analysis_kib"] - r["rss_after_load_kib"]) * kib
    if r.get("hwm_after_analysis_kib") is not None:
        out["peak_above_loaded_bytes_hwm"] = (
            r["hwm_after_analysis_kib"] - r["rss_after_load_kib"]) * kib
    # ru_maxrss starts at the parent's size at exec; it is trustworthy only above that
    out["ru_maxrss_valid"] = r["maxrss_at_start_kib"] <= r["rss_after_load_kib"]
    return out


class _StageTimer:
    """Wraps the pipeline's stage functions; exclusive time per function (nested wrapped
    calls are not counted twice)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.missing: list[str] = []
        self._stack: list[float] = []
        self._saved: list[tuple[object, str, object]] = []

    def _wrap(self, key: str, fn):
        @functools.wraps(fn)
        def timed(*args, **kwargs):
            self._stack.append(0.0)
            t0 = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                total = time.perf_counter() - t0
                inner = self._stack.pop()
                self.seconds[key] = self.seconds.get(key, 0.0) + total - inner
                self.calls[key] = self.calls.get(key, 0) + 1
                if self._stack:
                    self._stack[-1] += total

        return timed

    def __enter__(self) -> _StageTimer:
        for funcs in STAGES.values():
            for mod_name, attr in funcs:
                key = f"{mod_name}.{attr}"
                try:
                    mod = importlib.import_module(mod_name)
                    fn = getattr(mod, attr)
                except (ImportError, AttributeError):
                    self.missing.append(key)
                    continue
                self._saved.append((mod, attr, fn))
                setattr(mod, attr, self._wrap(key, fn))
        return self

    def __exit__(self, *exc) -> None:
        for mod, attr, fn in reversed(self._saved):
            setattr(mod, attr, fn)


def stage_profile(pressure, temperature) -> dict:
    from analysis.pipeline import analyze

    with _StageTimer() as timer:
        t0 = time.perf_counter()
        analyze(pressure=pressure, temperature=temperature, source="benchmark")
        total = time.perf_counter() - t0
    stages = {}
    for stage, funcs in STAGES.items():
        keys = [f"{m}.{a}" for m, a in funcs]
        stages[stage] = sum(timer.seconds.get(k, 0.0) for k in keys)
    stages["other"] = total - sum(stages.values())
    return {
        "total_s": total,
        "stages_s": stages,
        "functions_s": dict(sorted(timer.seconds.items(), key=lambda kv: -kv[1])),
        "calls": timer.calls,
        "missing": timer.missing,
    }


def hot_spots(pressure, temperature, top: int = 12) -> list[dict]:
    """The functions with the most own time under cProfile (its overhead is small here: the
    work is in NumPy calls, not in Python lines)."""
    from analysis.pipeline import analyze

    prof = cProfile.Profile()
    prof.enable()
    analyze(pressure=pressure, temperature=temperature, source="benchmark")
    prof.disable()
    stats = pstats.Stats(prof).stats
    rows = []
    for (file, line, name), (_cc, ncalls, tottime, cumtime, _callers) in stats.items():
        where = file
        for marker in ("/site-packages/", str(ROOT) + "/"):
            if marker in file:
                where = file.split(marker, 1)[1]
        rows.append({"function": f"{where}:{line}({name})", "calls": ncalls,
                     "own_s": tottime, "cumulative_s": cumtime})
    rows.sort(key=lambda r: -r["own_s"])
    return rows[:top]


# ---------------------------------------------------------------- detectors


def detector_speed(pressure, budget_s: float) -> dict:
    import numpy as np

    from analysis.config import AnalysisConfig
    from analysis.load import foot_load
    from benchmarks.detectors import ktk_initial_contacts, time_ktk_chunks

    config = AnalysisConfig().gait
    force = foot_load(pressure)["left"].total
    t = pressure.time_s
    fs = pressure.sample_rate_hz
    # warm-up outside the timed region: imports kineticstoolkit (about 5 s) and NumPy paths
    n_warm = round(60 * fs)
    ktk_initial_contacts(t[:n_warm], force[:n_warm], config)
    from analysis.gait.events import detect_foot_events

    detect_foot_events(t[:n_warm], force[:n_warm], sample_rate_hz=fs, foot="left",
                       config=config)
    ours = []
    for _ in range(7):  # cheap: best and median of 7 damp the noise of a shared machine
        t0 = time.perf_counter()
        ev = detect_foot_events(t, force, sample_rate_hz=fs, foot="left", config=config)
        ours.append(time.perf_counter() - t0)
    minutes = force.size / fs / 60.0
    ktk = time_ktk_chunks(t, force, sample_rate_hz=fs, config=config, budget_s=budget_s)
    ours_best = min(ours)
    ours_median = float(np.median(ours))
    return {
        "signal": "total force of the left foot (analysis.load.foot_load) of the recording",
        "signal_minutes": minutes,
        "ours": {
            "runs_s": ours,
            "best_s": ours_best,
            "median_s": ours_median,
            "seconds_per_signal_minute": ours_median / minutes,
            "seconds_per_signal_minute_best": ours_best / minutes,
            "initial_contacts": int(ev.n_steps),
        },
        "ktk": ktk,
        # ktk's figure is the mean over all its chunks, so ours is compared by its median
        "ktk_over_ours_per_minute": ktk["seconds_per_signal_minute"] / (ours_median / minutes),
        "ktk_over_ours_per_minute_best": ktk["seconds_per_signal_minute"] / (ours_best / minutes),
    }


# ---------------------------------------------------------------- report


def _mb(b: float | None) -> str:
    return "n/a" if b is None else f"{b / 1e6:,.0f} MB"


def _f(x: float | None, fmt: str = "{:.1f}") -> str:
    return "n/a" if x is None else fmt.format(x)


def markdown(res: dict) -> str:
    m = res["machine"]
    a = res.get("analysis")
    lines = [
        "# solewatch benchmark results",
        "",
        f"Run {m['date_utc']} on commit {m['git_commit']}"
        + (f" with uncommitted changes to {', '.join(m['git_changed_files'])}"
           if m["git_tracked_changes"] else "")
        + f"; `{res['command']}`.",
        f"Machine: {m['nproc']} cores, {m['cpu']}; Python {m['versions']['python']}, "
        f"NumPy {m['versions']['numpy']}, SciPy {m['versions'].get('scipy')}, "
        f"kineticstoolkit {m['versions'].get('kineticstoolkit')}; one thread "
        f"(OPENBLAS/OMP/MKL_NUM_THREADS=1), allowed CPUs {m['cpu_affinity']}. Load average "
        f"(1/5/15 min) {m['load_average_at_start']} at the start, "
        f"{m.get('load_average_at_end')} at the end: other work on the machine slows the "
        "median more than the best time.",
        "",
    ]
    if a:
        rec = res["recording"]
        tm = a["memory"].get("tracemalloc")
        rss = a["memory"].get("rss") or {}
        lines += [
            f"## Full analysis: {rec['description']}",
            "",
            "| figure | value |",
            "|---|---|",
            f"| recording | {rec['duration_s'] / 3600:g} h, {rec['samples']:,} samples x "
            f"{rec['sensors']} sensors x 2 insoles, {rec['dtype']}, "
            f"{rec['temperature_samples']:,} temperature samples |",
            f"| input arrays | {_mb(rec['input_bytes'])} |",
            f"| building the PressureStream (validation, by the readers; not in analyze) | "
            f"{rec['stream_validation_best_s']:.2f} s |",
            f"| analysis time, best of {len(a['time']['runs_s'])} | {a['time']['best_s']:.2f} s |",
            f"| analysis time, median | {a['time']['median_s']:.2f} s |",
            f"| first run in the process (untimed warm-up, for reference) | "
            f"{a['time']['first_run_cold_s']:.2f} s |",
            f"| times real time (best / median) | {a['x_real_time_best']:,.0f}x / "
            f"{a['x_real_time_median']:,.0f}x (target >= {TARGET_X_REAL_TIME:,.0f}x: "
            f"{'met' if a['x_real_time_best'] >= TARGET_X_REAL_TIME else 'NOT met'}) |",
        ]
        if tm:
            ratio = a["memory"]["peak_over_input_tracemalloc"]
            verdict = "met" if ratio < TARGET_PEAK_OVER_INPUT else "NOT met"
            lines.append(
                f"| peak memory above baseline, tracemalloc | "
                f"{_mb(tm['peak_above_baseline_bytes'])} = {ratio:.2f}x the input "
                f"(target < {TARGET_PEAK_OVER_INPUT:g}x: {verdict}) |"
            )
        if rss:
            hwm = rss.get("peak_above_loaded_bytes_hwm")
            lines.append(
                "| peak resident memory above the loaded data, fresh process | "
                f"{_mb(rss['peak_above_loaded_bytes_ru_maxrss'])} (ru_maxrss) / "
                f"{_mb(hwm)} (VmHWM after reset) = "
                f"{_f(a['memory'].get('peak_over_input_rss'), '{:.2f}')}x the input |"
            )
        lines += [
            f"| detected steps | {a['time']['steps']} |",
            "",
            "Per-stage profile (one run, each stage function timed in place; exclusive times):",
            "",
            "| stage | seconds | share |",
            "|---|---|---|",
        ]
        prof = a["profile"]
        for stage, s in prof["stages_s"].items():
            lines.append(f"| {stage} | {s:.3f} | {100 * s / prof['total_s']:.0f}% |")
        lines.append(f"| total | {prof['total_s']:.3f} | 100% |")
        lines += ["", "| function (stage profile) | calls | seconds |", "|---|---|---|"]
        for key, sec in prof["functions_s"].items():
            lines.append(f"| `{key}` | {prof['calls'].get(key, 0)} | {sec:.3f} |")
        if prof["missing"]:
            lines += ["", f"Stage functions not found: {', '.join(prof['missing'])}."]
        lines += ["", "Hottest functions (own time under cProfile, one run):", "",
                  "| function | calls | own s | cumulative s |", "|---|---|---|---|"]
        for r in a["hot_spots"][:10]:
            lines.append(f"| `{r['function']}` | {r['calls']} | {r['own_s']:.3f} | "
                         f"{r['cumulative_s']:.3f} |")
        lines.append("")
    d = res.get("detectors")
    if d:
        k = d["ktk"]
        lines += [
            "## Gait events: kineticstoolkit vs ours on the same force signal",
            "",
            f"Signal: {d['signal']}, {d['signal_minutes']:,.0f} min at "
            f"{res['recording']['sample_rate_hz']:g} Hz. ktk `cycles.detect_cycles` on "
            f"{k['chunk_s']:g}-s chunks: {k['chunks_timed']} of {k['chunks_total']} chunks timed"
            + (" (spread over the recording; the per-minute cost is extrapolated)"
               if k["extrapolated"] else " (all)") + ".",
            "",
            "| detector | seconds per minute of signal | seconds for the whole signal | "
            "initial contacts found |",
            "|---|---|---|---|",
            f"| ours (`detect_foot_events`, whole signal; median of "
            f"{len(d['ours']['runs_s'])}, best {d['ours']['best_s']:.3f} s) | "
            f"{d['ours']['seconds_per_signal_minute']:.2e} | {d['ours']['median_s']:.3f} | "
            f"{d['ours']['initial_contacts']} |",
            f"| kineticstoolkit 0.17.0 (sum over chunks) | {k['seconds_per_signal_minute']:.3f} | "
            f"{k['seconds_full_recording']:.1f}"
            + (" (extrapolated)" if k["extrapolated"] else "")
            + f" | {k['initial_contacts_in_timed_chunks']}"
            + (" (timed chunks only)" if k["extrapolated"] else "") + " |",
            f"| **ratio ktk / ours** | **{d['ktk_over_ours_per_minute']:,.0f}x** "
            f"({d['ktk_over_ours_per_minute_best']:,.0f}x against our best run) | | |",
            "",
        ]
    g = res.get("gaitndd")
    if g:
        lines += [
            f"## Accuracy on the gaitndd records ({g['summary']['ours']['records']} records, "
            f"{g['foot']} foot, reference contacts from the .ts files, match within "
            f"{g['tolerance_ms']:g} ms)",
            "",
            f"ours: whole record at once; ktk: {g['ktk_mode']}.",
            "",
            "| detector | reference contacts | matched | extra detections | median abs "
            "stride-interval error | 90th pct | median offset (detected - reference) | "
            "time per record (median) |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for name, label in (("ours", "ours"), ("ktk", "kineticstoolkit")):
            s = g["summary"][name]
            lines.append(
                f"| {label} | {s['reference_contacts']} | {s['matched_pct']:.1f}% | "
                f"{s['extra_detections']} | {_f(s['median_abs_stride_error_ms'], '{:.1f}')} ms"
                f" | {_f(s['p90_abs_stride_error_ms'], '{:.1f}')} ms | "
                f"{_f(s['median_offset_ms'], '{:+.1f}')} ms | "
                f"{s['seconds_per_record_median']:.4f} s |"
            )
        so, sk = g["summary"]["ours"], g["summary"]["ktk"]
        lines += ["", f"Time per record, ktk / ours: "
                  f"{sk['seconds_per_record_median'] / so['seconds_per_record_median']:,.0f}x.",
                  ""]
    if res.get("errors"):
        lines += ["## Errors", ""] + [f"* {e}" for e in res["errors"]] + [""]
    return "\n".join(lines)


def analysis_benchmark(pressure, temperature, nbytes: int, args, proc) -> dict:
    import numpy as np

    from analysis.pipeline import analyze
    from analysis.streams import PressureStream

    # warm-up: one untimed run on one minute (imports, first calls), then one untimed run on
    # the whole recording, reported as the cold first run (first touch of large buffers)
    n1 = round(60 * pressure.sample_rate_hz)
    small = PressureStream(
        time_s=pressure.time_s[:n1], left=None if pressure.left is None else pressure.left[:n1],
        right=None if pressure.right is None else pressure.right[:n1], layout=pressure.layout,
        unit=pressure.unit, sample_rate_hz=pressure.sample_rate_hz, start=pressure.start,
    )
    analyze(pressure=small, temperature=temperature, source="warm-up")
    t0 = time.perf_counter()
    analyze(pressure=pressure, temperature=temperature, source="warm-up")
    cold_s = time.perf_counter() - t0

    print("timing the analysis ...", file=sys.stderr)
    a: dict = {}
    a["time"] = time_analysis(pressure, temperature, args.repeats)
    a["time"]["first_run_cold_s"] = cold_s
    a["x_real_time_best"] = pressure.duration_s / a["time"]["best_s"]
    a["x_real_time_median"] = pressure.duration_s / a["time"]["median_s"]
    print(f"  best {a['time']['best_s']:.2f} s, median {a['time']['median_s']:.2f} s",
          file=sys.stderr)
    print("profiling the stages ...", file=sys.stderr)
    a["profile"] = stage_profile(pressure, temperature)
    a["hot_spots"] = hot_spots(pressure, temperature)
    a["memory"] = {}
    if proc is not None:
        print("measuring memory ...", file=sys.stderr)
        a["memory"]["tracemalloc"] = tracemalloc_peak(pressure, temperature)
        a["memory"]["peak_over_input_tracemalloc"] = (
            a["memory"]["tracemalloc"]["peak_above_baseline_bytes"] / nbytes)
        rss = rss_peak(proc, pressure, temperature)
        a["memory"]["rss"] = rss
        best = rss.get("peak_above_loaded_bytes_hwm", rss["peak_above_loaded_bytes_ru_maxrss"])
        a["memory"]["peak_over_input_rss"] = best / nbytes
    a["targets"] = {
        "x_real_time": TARGET_X_REAL_TIME,
        "x_real_time_met": a["x_real_time_best"] >= TARGET_X_REAL_TIME,
        "peak_over_input": TARGET_PEAK_OVER_INPUT,
        "peak_over_input_met": (a["memory"].get("peak_over_input_tracemalloc", np.inf)
                                < TARGET_PEAK_OVER_INPUT),
    }
    return a


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration-s", type=float, default=36_000.0,
                    help="length of the generated recording (default 10 h)")
    ap.add_argument("--repeats", type=int, default=3, help="timed runs of the analysis")
    ap.add_argument("--ktk-budget-s", type=float, default=600.0,
                    help="time allowed for ktk on the long signal before extrapolating")
    ap.add_argument("--gaitndd", type=Path, default=None,
                    help="gaitndd folder (default $SOLEWATCH_SHARED_DATA or ../shared/data)")
    ap.add_argument("--skip", nargs="*", default=[], choices=["memory", "detectors", "gaitndd"],
                    help="parts to leave out (for a quick try; the README figures use none)")
    ap.add_argument("--out", type=Path, default=RESULTS / "latest",
                    help="results path without suffix (.json and .md are written)")
    args = ap.parse_args(argv)

    command = "bash scripts/bench.sh" + (" " + " ".join(argv or sys.argv[1:])).rstrip()
    res: dict = {"command": command, "errors": []}
    proc = start_memprobe() if "memory" not in args.skip else None

    from benchmarks.recording import input_bytes, make_recording

    res["machine"] = machine()
    print(f"generating a {args.duration_s / 3600:g}-hour recording ...", file=sys.stderr)
    t0 = time.perf_counter()
    pressure, temperature = make_recording(args.duration_s)
    gen_s = time.perf_counter() - t0
    nbytes = input_bytes(pressure, temperature)
    left = pressure.foot(pressure.feet()[0])
    validation_s = time_validation(pressure)
    res["recording"] = {
        "description": f"{args.duration_s / 3600:g}-hour two-insole solewatch-16 recording at "
                       f"100 Hz with temperatures (fixtures.generator, scenario healthy)",
        "duration_s": pressure.duration_s,
        "sample_rate_hz": pressure.sample_rate_hz,
        "samples": pressure.n_samples,
        "sensors": pressure.layout.n_sensors,
        "dtype": str(left.dtype),
        "unit": pressure.unit,
        "temperature_samples": temperature.n_samples,
        "input_bytes": nbytes,
        "generation_s": gen_s,
        "stream_validation_best_s": validation_s,
    }
    print(f"  {nbytes / 1e6:,.0f} MB of input arrays in {gen_s:.1f} s", file=sys.stderr)

    try:
        res["analysis"] = analysis_benchmark(pressure, temperature, nbytes, args, proc)
    except Exception as exc:
        res["errors"].append(f"analysis: {type(exc).__name__}: {exc}")
        traceback.print_exc()
    finally:
        if proc is not None and proc.poll() is None:
            proc.stdin.close()  # the probe gives up on an empty line
            proc.wait(timeout=600)

    if "detectors" not in args.skip:
        print("kineticstoolkit vs ours on the long force signal ...", file=sys.stderr)
        try:
            res["detectors"] = detector_speed(pressure, args.ktk_budget_s)
        except Exception as exc:
            res["errors"].append(f"detector speed: {type(exc).__name__}: {exc}")
    del pressure, temperature, left

    if "gaitndd" not in args.skip:
        folder = args.gaitndd or (
            Path(os.environ.get("SOLEWATCH_SHARED_DATA", ROOT.parent / "shared" / "data"))
            / "gaitndd")
        print(f"accuracy on {folder} ...", file=sys.stderr)
        try:
            from analysis.config import AnalysisConfig
            from benchmarks.detectors import gaitndd_accuracy

            res["gaitndd"] = gaitndd_accuracy(folder, AnalysisConfig().gait)
        except Exception as exc:
            res["errors"].append(f"gaitndd accuracy: {type(exc).__name__}: {exc}")

    res["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    json_path = args.out.with_suffix(".json")
    md_path = args.out.with_suffix(".md")
    json_path.write_text(json.dumps(res, indent=1, default=_json_default) + "\n")
    md_path.write_text(markdown(res))
    print(md_path.read_text())
    full_run = (args.out == RESULTS / "latest" and args.duration_s == 36_000.0
                and not args.skip and not res["errors"])
    if full_run:
        update_readme(md_path.read_text())
    print(f"written: {json_path}, {md_path}", file=sys.stderr)
    return 1 if res["errors"] else 0


README = ROOT / "benchmarks" / "README.md"
_START, _END = "<!-- results:start -->", "<!-- results:end -->"


def update_readme(results_md: str) -> None:
    """Put the tables of a full run between the README's result markers, so the README's
    figures are always those of one run of this command."""
    if not README.exists():
        return
    text = README.read_text()
    if _START not in text or _END not in text:
        return
    body = results_md.split("\n", 1)[1].strip()  # without the title line
    body = body.replace("\n## ", "\n### ")
    head, rest = text.split(_START, 1)
    tail = rest.split(_END, 1)[1]
    README.write_text(f"{head}{_START}\n{body}\n{_END}{tail}")


def _json_default(o):
    import numpy as np

    if isinstance(o, np.generic):
        return o.item()
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(type(o).__name__)


if __name__ == "__main__":
    raise SystemExit(main())
