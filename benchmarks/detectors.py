"""Side by side: our gait-event detector and kineticstoolkit's ``cycles.detect_cycles``.

Fair settings for kineticstoolkit (ktk), documented in benchmarks/README.md:

* thresholds from the signal itself, the way ours sets its levels: ``lo`` and ``hi`` are the
  ``threshold_low_percentile`` / ``threshold_high_percentile`` (5th / 95th) percentiles of
  the valid samples of the chunk ktk is given; ktk's rising ("stance") threshold is
  ``lo + stance_on_fraction * (hi - lo)`` and its falling ("swing") threshold
  ``lo + stance_off_fraction * (hi - lo)`` (30% and 15%: ours uses the same fractions, but
  re-estimates lo/hi every 10 s and ktk takes one pair per call);
* minimum durations: (``min_stance_s``, ``min_swing_s``) = (0.2 s, 0.15 s), as ours;
* ktk cannot take NaN (invalid samples): they are linearly interpolated from the neighbouring
  valid samples (the nearest valid value at the ends) before ktk sees them; ours gets NaN;
* a ktk initial contact is the time of a "stance" event (its rising crossing);
* ktk is run on 1-minute chunks (the issue's protocol; its cost grows faster than linearly
  with the length of one call because every event added copies the whole TimeSeries). On the
  gaitndd records each chunk is read with 2 s more on both sides and keeps the contacts of
  its own minute, so chunk edges lose no contact.

The ktk time includes building its ``TimeSeries``, the thresholds and reading the events back;
ours includes everything :func:`analysis.gait.events.detect_foot_events` does.
"""

from __future__ import annotations

import itertools
import os
import time
from pathlib import Path

import numpy as np

from analysis.config import GaitConfig

os.environ.setdefault("TQDM_DISABLE", "1")  # ktk wraps its loops in progress bars

MATCH_TOLERANCE_S = 0.05


def ktk_thresholds(x: np.ndarray, config: GaitConfig) -> tuple[float, float] | None:
    """(rising, falling) thresholds of ``x`` chosen like ours; None when ``x`` is flat."""
    finite = x[np.isfinite(x)]
    if finite.size < 2:
        return None
    lo, hi = np.percentile(
        finite, [config.threshold_low_percentile, config.threshold_high_percentile]
    )
    span = float(hi - lo)
    if not span > 0:
        return None
    return (
        float(lo + config.stance_on_fraction * span),
        float(lo + config.stance_off_fraction * span),
    )


def fill_nan(x: np.ndarray) -> np.ndarray:
    """``x`` with NaN replaced by linear interpolation between valid samples."""
    x = np.asarray(x, dtype=np.float64)
    bad = ~np.isfinite(x)
    if not bad.any():
        return x
    good = np.flatnonzero(~bad)
    if good.size == 0:
        return np.zeros_like(x)
    out = x.copy()
    out[bad] = np.interp(np.flatnonzero(bad), good, x[good])
    return out


def ktk_initial_contacts(
    time_s: np.ndarray, force: np.ndarray, config: GaitConfig
) -> np.ndarray:
    """Initial contacts (s) found by ``ktk.cycles.detect_cycles`` on one signal."""
    import kineticstoolkit as ktk

    x = fill_nan(force)
    thr = ktk_thresholds(x, config)
    if thr is None:
        return np.empty(0)
    ts = ktk.TimeSeries(time=np.asarray(time_s, dtype=np.float64), data={"Force": x})
    try:
        out = ktk.cycles.detect_cycles(
            ts,
            "Force",
            event_names=("stance", "swing"),
            thresholds=thr,
            directions=("rising", "falling"),
            min_durations=(float(config.min_stance_s), float(config.min_swing_s)),
        )
    except IndexError:  # ktk raises this when the signal never crosses its thresholds
        return np.empty(0)
    return np.sort(np.array([e.time for e in out.events if e.name == "stance"], dtype=float))


def ktk_initial_contacts_chunked(
    time_s: np.ndarray,
    force: np.ndarray,
    config: GaitConfig,
    *,
    chunk_s: float = 60.0,
    margin_s: float = 2.0,
) -> np.ndarray:
    """ktk on consecutive ``chunk_s`` chunks of a record, each read with ``margin_s`` more on
    both sides so that a stance cut by a chunk edge is still seen whole; a contact is kept by
    the chunk whose own span holds it (so none is lost or counted twice at the edges)."""
    t = np.asarray(time_s, dtype=np.float64)
    if t.size == 0:
        return np.empty(0)
    out = []
    t_first = float(t[0])
    edges = np.arange(t_first, float(t[-1]) + chunk_s, chunk_s)
    for a, b in itertools.pairwise(edges):
        i0, i1 = np.searchsorted(t, [a - margin_s, b + margin_s])
        if i1 - i0 < 4:
            continue
        ic = ktk_initial_contacts(t[i0:i1], force[i0:i1], config)
        out.append(ic[(ic >= a) & (ic < b)])
    return np.concatenate(out) if out else np.empty(0)


def our_initial_contacts(
    time_s: np.ndarray, force: np.ndarray, sample_rate_hz: float, config: GaitConfig
) -> np.ndarray:
    from analysis.gait.events import detect_foot_events

    ev = detect_foot_events(
        time_s, force, sample_rate_hz=sample_rate_hz, foot="left", config=config
    )
    return np.asarray(ev.initial_contacts_s)


def time_ktk_chunks(
    time_s: np.ndarray,
    force: np.ndarray,
    *,
    sample_rate_hz: float,
    config: GaitConfig,
    chunk_s: float = 60.0,
    budget_s: float = 240.0,
    min_chunks: int = 30,
) -> dict:
    """Run ktk on consecutive ``chunk_s`` chunks of one long signal, timed.

    All chunks when they fit in ``budget_s`` (judged after the first ``min_chunks``), else a
    fixed number that fits, evenly spread over the recording; the per-minute cost is then
    extrapolated and the result says so.
    """
    n = force.size
    per = round(chunk_s * sample_rate_hz)
    starts = np.arange(0, n - per + 1, per)
    total_chunks = int(starts.size)
    order = list(range(total_chunks))
    elapsed = 0.0
    contacts = 0
    done: list[int] = []
    probe = min(min_chunks, total_chunks)
    # the first probe chunks are spread evenly, so that an extrapolation covers walking,
    # standing and sitting in the proportions of the recording
    probe_idx = np.unique(np.linspace(0, total_chunks - 1, probe).round().astype(int))
    probed = set(probe_idx.tolist())
    rest = [i for i in order if i not in probed]
    for i in probe_idx:
        s = starts[i]
        t0 = time.perf_counter()
        ic = ktk_initial_contacts(time_s[s : s + per], force[s : s + per], config)
        elapsed += time.perf_counter() - t0
        contacts += ic.size
        done.append(int(i))
    per_chunk = elapsed / max(len(done), 1)
    if per_chunk * total_chunks <= budget_s:
        for i in rest:
            s = starts[i]
            t0 = time.perf_counter()
            ic = ktk_initial_contacts(time_s[s : s + per], force[s : s + per], config)
            elapsed += time.perf_counter() - t0
            contacts += ic.size
            done.append(i)
    signal_min = len(done) * chunk_s / 60.0
    return {
        "chunk_s": chunk_s,
        "chunks_total": total_chunks,
        "chunks_timed": len(done),
        "extrapolated": len(done) < total_chunks,
        "seconds_timed": elapsed,
        "seconds_per_signal_minute": elapsed / signal_min,
        "seconds_full_recording": elapsed / signal_min * (total_chunks * chunk_s / 60.0),
        "initial_contacts_in_timed_chunks": int(contacts),
    }


def match_contacts(
    detected_s: np.ndarray, reference_s: np.ndarray, tol_s: float = MATCH_TOLERANCE_S
) -> dict:
    """Match reference contacts to the nearest detected contact within ``tol_s``.

    Reference contacts are at least half a second apart, so with a 50 ms tolerance no detected
    contact can match two of them. Stride-interval errors use consecutive reference contacts
    that are both matched.
    """
    ref = np.sort(np.asarray(reference_s, dtype=float))
    det = np.sort(np.asarray(detected_s, dtype=float))
    if ref.size == 0:
        return {"n_reference": 0, "n_matched": 0, "stride_errors_ms": np.empty(0),
                "offsets_ms": np.empty(0), "n_extra": int(det.size)}
    if det.size == 0:
        return {"n_reference": int(ref.size), "n_matched": 0, "stride_errors_ms": np.empty(0),
                "offsets_ms": np.empty(0), "n_extra": 0}
    j = np.clip(np.searchsorted(det, ref), 1, det.size - 1)
    left, right = det[j - 1], det[j]
    nearest = np.where(np.abs(ref - left) <= np.abs(right - ref), left, right)
    if det.size == 1:
        nearest = np.full_like(ref, det[0])
    offset = nearest - ref
    ok = np.abs(offset) <= tol_s
    both = ok[1:] & ok[:-1]
    stride_err = (np.diff(nearest) - np.diff(ref))[both] * 1000.0
    # detections inside the referenced span that match no reference contact
    inside = (det >= ref[0] - tol_s) & (det <= ref[-1] + tol_s)
    n_extra = int(inside.sum() - ok.sum())
    return {
        "n_reference": int(ref.size),
        "n_matched": int(ok.sum()),
        "stride_errors_ms": stride_err,
        "offsets_ms": offset[ok] * 1000.0,
        "n_extra": max(n_extra, 0),
    }


def gaitndd_accuracy(folder: Path, config: GaitConfig) -> dict:
    """Both detectors on the left foot of every gaitndd record (ours: the whole record at
    once; ktk: 1-minute chunks with 2-s margins, see :func:`ktk_initial_contacts_chunked`)."""
    from analysis.load import foot_load
    from firmware_bridge.readers.physionet import read_gaitndd, read_gaitndd_reference

    records = sorted(folder.glob("*.hea"))
    rows = []
    agg = {"ours": {"ref": 0, "matched": 0, "extra": 0, "err": [], "off": [], "t": []},
           "ktk": {"ref": 0, "matched": 0, "extra": 0, "err": [], "off": [], "t": []}}
    for hea in records:
        stream = read_gaitndd(hea)
        ref = read_gaitndd_reference(hea.with_suffix(".ts"))["elapsed_s"]
        force = foot_load(stream)["left"].total
        row = {"record": hea.stem, "n_reference": int(ref.size),
               "invalid_fraction": float(np.mean(~np.isfinite(force)))}
        for name in ("ours", "ktk"):
            t0 = time.perf_counter()
            if name == "ours":
                ic = our_initial_contacts(stream.time_s, force, stream.sample_rate_hz, config)
            else:
                ic = ktk_initial_contacts_chunked(stream.time_s, force, config)
            dt = time.perf_counter() - t0
            m = match_contacts(ic, ref)
            a = agg[name]
            a["ref"] += m["n_reference"]
            a["matched"] += m["n_matched"]
            a["extra"] += m["n_extra"]
            a["err"].append(m["stride_errors_ms"])
            a["off"].append(m["offsets_ms"])
            a["t"].append(dt)
            row[name] = {
                "matched_pct": 100.0 * m["n_matched"] / max(m["n_reference"], 1),
                "extra": m["n_extra"],
                "median_abs_stride_error_ms": _median(np.abs(m["stride_errors_ms"])),
                "median_offset_ms": _median(m["offsets_ms"]),
                "seconds": dt,
            }
        rows.append(row)
    summary = {}
    for name, a in agg.items():
        err = np.concatenate(a["err"]) if a["err"] else np.empty(0)
        off = np.concatenate(a["off"]) if a["off"] else np.empty(0)
        summary[name] = {
            "records": len(records),
            "reference_contacts": a["ref"],
            "matched": a["matched"],
            "matched_pct": 100.0 * a["matched"] / max(a["ref"], 1),
            "extra_detections": a["extra"],
            "median_abs_stride_error_ms": _median(np.abs(err)),
            "p90_abs_stride_error_ms": float(np.percentile(np.abs(err), 90)) if err.size else None,
            "median_offset_ms": _median(off),
            "seconds_per_record_median": _median(np.array(a["t"])),
            "seconds_per_record_mean": float(np.mean(a["t"])) if a["t"] else None,
            "seconds_all_records": float(np.sum(a["t"])),
        }
    return {
        "tolerance_ms": MATCH_TOLERANCE_S * 1000.0,
        "foot": "left",
        "ktk_mode": "1-min chunks with 2-s margins, NaN linearly interpolated",
        "summary": summary,
        "records": rows,
    }


def _median(x: np.ndarray) -> float | None:
    return float(np.median(x)) if np.asarray(x).size else None
