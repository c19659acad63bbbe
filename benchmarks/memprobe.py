"""Peak resident memory of one analysis, measured in a fresh process (a cross-check of the
tracemalloc figure, which sees only Python and NumPy allocations).

Protocol: the benchmark starts this module *before* it allocates anything large (a child's
ru_maxrss starts from its parent's resident size at exec), waits for "ready", then writes the
folder of a saved recording (benchmarks.recording.save) on one line. This process loads the
arrays, notes its resident size, resets the kernel's high-water mark where allowed
(/proc/self/clear_refs), runs :func:`analysis.pipeline.analyze` once, and prints one JSON line.
"""

from __future__ import annotations

import json
import resource
import sys
from pathlib import Path


def _status_kib(field: str) -> int | None:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def _maxrss_kib() -> int:
    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # KiB on Linux


def _reset_hwm() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def main() -> None:
    import importlib

    from analysis.pipeline import analyze
    from benchmarks.recording import input_bytes, load
    from benchmarks.run import STAGES

    # the pipeline imports its steps lazily: import them now, so that code is not counted
    for funcs in STAGES.values():
        for mod_name, _ in funcs:
            try:
                importlib.import_module(mod_name)
            except ImportError:
                pass
    print("ready", flush=True)
    line = sys.stdin.readline().strip()
    if not line:  # the benchmark stopped before the memory part
        return
    folder = Path(line)
    start_maxrss = _maxrss_kib()
    pressure, temperature = load(folder)
    rss_loaded = _status_kib("VmRSS")
    maxrss_loaded = _maxrss_kib()
    hwm_reset = _reset_hwm()
    analyze(pressure=pressure, temperature=temperature, source="benchmark")
    out = {
        "input_bytes": input_bytes(pressure, temperature),
        "maxrss_at_start_kib": start_maxrss,
        "rss_after_load_kib": rss_loaded,
        "maxrss_after_load_kib": maxrss_loaded,
        "maxrss_after_analysis_kib": _maxrss_kib(),
        "hwm_reset": hwm_reset,
        "hwm_after_analysis_kib": _status_kib("VmHWM") if hwm_reset else None,
    }
    print(json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
