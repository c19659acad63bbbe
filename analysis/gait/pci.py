"""Phase coordination index (PCI): how consistently and accurately the feet alternate.

Plotnik M, Giladi N, Hausdorff JM, "A new measure for quantifying the bilateral coordination of
human gait: effects of aging and Parkinson's disease", Exp Brain Res 181:561-570 (2007).

For each stride ``i`` of the reference foot (the foot with the LONGER mean swing time, as in
the paper), from its initial contact ``t_i`` to its next one ``t_{i+1}``, the phase of the other
foot is ::

    phi_i = 360 * (t_contralateral_ic - t_i) / (t_{i+1} - t_i)      (degrees)

where ``t_contralateral_ic`` is the other foot's first initial contact inside that stride.
Perfect anti-phase walking gives phi = 180 every stride. Then ::

    phi_CV  = 100 * SD(phi) / mean(phi)                 (%, consistency)
    phi_ABS = mean |phi - 180|                          (degrees, accuracy)
    P_phi_ABS = 100 * phi_ABS / 180                     (%)
    PCI = phi_CV + P_phi_ABS                            (%)

Reference values (clinical.md): 3.16 ± 1.11% at 40-75 years, 5.68 ± 2.01% over 75.

Strides that span a walking-bout break, or whose initial contacts were marked invalid, are
skipped; PCI is None with fewer usable strides than ``GaitConfig.pci_min_strides``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from analysis.config import GaitConfig
from analysis.sites import check_foot


@dataclass(frozen=True)
class PhaseCoordination:
    """PCI and its parts. ``phi_deg`` holds one phase per usable reference stride."""

    pci_pct: float
    phi_cv_pct: float
    phi_abs_deg: float
    phi_mean_deg: float
    n_strides: int
    reference_foot: str
    phi_deg: np.ndarray


def _as_1d(name: str, a: np.ndarray) -> np.ndarray:
    arr = np.asarray(a, dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(f"{name}: expected a 1-D array of times in s, found shape {arr.shape}")
    return arr


def _optional(name: str, a: np.ndarray | None, n: int, dtype: type) -> np.ndarray | None:
    if a is None:
        return None
    arr = np.asarray(a).astype(dtype, copy=False)
    if arr.shape != (n,):
        raise ValueError(f"{name}: expected shape ({n},) (one per initial contact), found "
                         f"{arr.shape}")
    return arr


def _reference_foot(
    reference_foot: str | None,
    swing_left_s: np.ndarray | None,
    swing_right_s: np.ndarray | None,
) -> str:
    if reference_foot is not None:
        return check_foot(reference_foot)
    if swing_left_s is not None and swing_right_s is not None:
        sl = np.asarray(swing_left_s, dtype=np.float64)
        sr = np.asarray(swing_right_s, dtype=np.float64)
        if np.isfinite(sl).any() and np.isfinite(sr).any():
            return "left" if np.nanmean(sl) >= np.nanmean(sr) else "right"
    return "left"


def phase_coordination(
    left_ic_s: np.ndarray,
    right_ic_s: np.ndarray,
    *,
    left_bout: np.ndarray | None = None,
    right_bout: np.ndarray | None = None,
    left_valid: np.ndarray | None = None,
    right_valid: np.ndarray | None = None,
    swing_left_s: np.ndarray | None = None,
    swing_right_s: np.ndarray | None = None,
    reference_foot: str | None = None,
    min_strides: int | None = None,
    config: GaitConfig | None = None,
) -> PhaseCoordination | None:
    """PCI with its parts, or None with fewer than ``min_strides`` usable strides.

    ``left_ic_s``/``right_ic_s``: initial-contact times (s) of each foot, increasing.
    ``*_bout``: walking-bout id of each initial contact; a stride is used only when its two
    initial contacts and the contralateral one share a bout. ``*_valid``: False marks an
    initial contact that is not trusted; strides touching it are skipped.
    The reference foot is ``reference_foot`` if given, else the foot with the longer mean swing
    (``swing_*_s``, per Plotnik 2007), else the left foot.
    ``min_strides`` defaults to ``config.pci_min_strides`` (``config`` defaults to
    :class:`~analysis.config.GaitConfig`).
    """
    cfg = config or GaitConfig()
    n_min = cfg.pci_min_strides if min_strides is None else int(min_strides)
    ics = {"left": _as_1d("left_ic_s", left_ic_s), "right": _as_1d("right_ic_s", right_ic_s)}
    bouts = {
        "left": _optional("left_bout", left_bout, ics["left"].size, np.int64),
        "right": _optional("right_bout", right_bout, ics["right"].size, np.int64),
    }
    valid = {
        "left": _optional("left_valid", left_valid, ics["left"].size, bool),
        "right": _optional("right_valid", right_valid, ics["right"].size, bool),
    }
    ref = _reference_foot(reference_foot, swing_left_s, swing_right_s)
    other = "right" if ref == "left" else "left"
    t_ref, t_oth = ics[ref], ics[other]
    if t_ref.size < 2 or t_oth.size < 1:
        return None
    if np.any(np.diff(t_ref) <= 0) or np.any(np.diff(t_oth) <= 0):
        raise ValueError("initial-contact times must increase strictly within each foot")

    start, end = t_ref[:-1], t_ref[1:]
    j = np.searchsorted(t_oth, start, side="right")
    has = j < t_oth.size
    jc = np.minimum(j, t_oth.size - 1)
    t_c = t_oth[jc]
    ok = has & (t_c < end) & np.isfinite(start) & np.isfinite(end)
    b_ref, b_oth = bouts[ref], bouts[other]
    if b_ref is not None:
        ok &= b_ref[:-1] == b_ref[1:]
        if b_oth is not None:
            ok &= b_oth[jc] == b_ref[:-1]
    v_ref, v_oth = valid[ref], valid[other]
    if v_ref is not None:
        ok &= v_ref[:-1] & v_ref[1:]
    if v_oth is not None:
        ok &= v_oth[jc]
    if int(ok.sum()) < max(n_min, 2):
        return None
    phi = 360.0 * (t_c[ok] - start[ok]) / (end[ok] - start[ok])
    phi_mean = float(phi.mean())
    phi_cv = float(100.0 * phi.std(ddof=1) / phi_mean)
    phi_abs = float(np.mean(np.abs(phi - 180.0)))
    return PhaseCoordination(
        pci_pct=phi_cv + 100.0 * phi_abs / 180.0,
        phi_cv_pct=phi_cv,
        phi_abs_deg=phi_abs,
        phi_mean_deg=phi_mean,
        n_strides=int(phi.size),
        reference_foot=ref,
        phi_deg=phi,
    )


def phase_coordination_index_pct(
    left_ic_s: np.ndarray,
    right_ic_s: np.ndarray,
    *,
    left_bout: np.ndarray | None = None,
    right_bout: np.ndarray | None = None,
    left_valid: np.ndarray | None = None,
    right_valid: np.ndarray | None = None,
    swing_left_s: np.ndarray | None = None,
    swing_right_s: np.ndarray | None = None,
    reference_foot: str | None = None,
    min_strides: int | None = None,
    config: GaitConfig | None = None,
) -> float | None:
    """PCI in percent (see :func:`phase_coordination`); None with too few usable strides."""
    res = phase_coordination(
        left_ic_s,
        right_ic_s,
        left_bout=left_bout,
        right_bout=right_bout,
        left_valid=left_valid,
        right_valid=right_valid,
        swing_left_s=swing_left_s,
        swing_right_s=swing_right_s,
        reference_foot=reference_foot,
        min_strides=min_strides,
        config=config,
    )
    return None if res is None else res.pci_pct
