"""Accounting of the u16 frame sequence numbers of one characteristic of one insole.

Every frame that reaches :meth:`SequenceTracker.push` is accounted for exactly once::

    received = emitted + duplicates + late_dropped      (+ malformed + truncated, counted
                                                         by the assembler before decoding)

and frames that never arrived are counted as ``lost`` (with the missing span), never hidden.

Sequence numbers wrap 65535 -> 0; they are unwrapped into an absolute number per *segment*
(``abs_seq = segment << 32 | unwrapped``). A new segment starts when the sequence restarts at
a small number: a *reboot* when the device tick jumps backwards at the same time, a
*restart* (a Start command) otherwise.

Two steps, both vectorised over a batch of frames in arrival order:

* :meth:`~SequenceTracker.push` classifies each frame: accepted, duplicate (its number was
  seen before: dropped), or late (arrived after a frame with a higher number: placed where it
  belongs when at most ``reorder_window`` frames late, else dropped).
* :meth:`~SequenceTracker.commit` takes the accepted frames the caller is about to emit, sorts
  them by number, and counts the gaps (lost frames) against what was emitted before.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise

import numpy as np

#: Frames a late frame may trail the highest number seen and still be placed in order.
REORDER_WINDOW_FRAMES = 16
#: A sequence number at most this large after a backwards jump is a restart from 0 (the
#: first frames after the restart may themselves be lost).
RESTART_MAX_SEQ = 32
#: How many recently accepted numbers are remembered to recognise duplicates.
HISTORY_FRAMES = 4096

ACCEPTED, DUPLICATE, LATE_DROPPED = 0, 1, 2
_SEG_SHIFT = 32


@dataclass
class SequenceCounts:
    """Running totals of one characteristic of one insole."""

    received: int = 0
    emitted: int = 0
    lost: int = 0
    duplicates: int = 0
    out_of_order: int = 0
    late_dropped: int = 0
    restarts: int = 0
    reboots: int = 0


def _signed(d: np.ndarray, bits: int) -> np.ndarray:
    half = 1 << (bits - 1)
    return ((d + half) % (1 << bits)) - half


@dataclass
class PushResult:
    """Per frame of a pushed batch: its absolute number and what became of it."""

    abs_seq: np.ndarray  # int64
    status: np.ndarray  # uint8: ACCEPTED, DUPLICATE, LATE_DROPPED
    reboot: np.ndarray  # bool: the frame starts a segment after a reboot


@dataclass
class CommitResult:
    """Frames committed for emission, sorted by number."""

    order: np.ndarray  # indices into the committed arrays, in sequence order
    keep: np.ndarray  # bool per sorted frame: False when it came too late to place
    #: (first missing abs_seq, how many, index among the kept sorted frames of the one after)
    gaps: list[tuple[int, int, int]]


class SequenceTracker:
    """Sequence accounting of one characteristic of one insole.

    ``reboot_backwards_ticks``: a tick jump backwards larger than this, together with a
    sequence restart, is a reboot (default: half a second at 1 kHz).
    """

    def __init__(
        self,
        *,
        reorder_window: int = REORDER_WINDOW_FRAMES,
        reboot_backwards_ticks: int = 500,
    ) -> None:
        self.reorder_window = int(reorder_window)
        self.reboot_backwards_ticks = int(reboot_backwards_ticks)
        self.counts = SequenceCounts()
        self._prev_seq: int | None = None
        self._prev_tick = 0
        self._prev_abs = 0
        self._segment = 0
        self._max_abs = -1
        self._history = np.empty(0, dtype=np.int64)
        self._last_emitted = -1

    def push(self, seq: np.ndarray, tick: np.ndarray) -> PushResult:
        """Classify a batch of frames (arrival order): u16 ``seq`` and u32 ``tick``."""
        seq = np.asarray(seq, dtype=np.int64)
        tick = np.asarray(tick, dtype=np.int64)
        n = seq.size
        self.counts.received += n
        abs_seq = np.empty(n, dtype=np.int64)
        reboot = np.zeros(n, dtype=bool)
        if n == 0:
            return PushResult(abs_seq, np.empty(0, dtype=np.uint8), reboot)
        prev_seq = np.concatenate([[self._prev_seq if self._prev_seq is not None else seq[0]],
                                   seq[:-1]])
        prev_tick = np.concatenate([[self._prev_tick if self._prev_seq is not None else tick[0]],
                                    tick[:-1]])
        d = _signed(seq - prev_seq, 16)
        dt = _signed(tick - prev_tick, 32)
        backwards = d < -self.reorder_window
        tick_back = dt < -self.reboot_backwards_ticks
        # a reboot: the tick jumps back and the sequence restarts (or jumps back); a Start
        # command: the sequence restarts while the tick goes on. A late or duplicated frame
        # goes back in both, by a little.
        restart = (seq != prev_seq) & (
            (tick_back & ((seq <= RESTART_MAX_SEQ) | backwards))
            | ((seq <= RESTART_MAX_SEQ) & backwards & (dt >= 0))
        )
        # Numbered at or below the previous frame yet taken later (the tick went on): not late
        # and not a duplicate (those carry an earlier or the same tick) but a Start after a
        # reconnect, however few frames the run before had (1 s of temperature frames).
        restart |= (seq <= RESTART_MAX_SEQ) & (d <= 0) & (dt > 0)
        if self._prev_seq is None:
            restart[0] = False
        starts = np.flatnonzero(restart)
        bounds = np.concatenate([[0], starts, [n]])
        base = self._prev_abs if self._prev_seq is not None else seq[0]
        if self._prev_seq is None:
            d[0] = 0
        for lo, hi in pairwise(bounds.tolist()):
            if hi <= lo:
                continue
            if restart[lo]:
                self._segment += 1
                is_reboot = bool(tick_back[lo])
                self.counts.reboots += is_reboot
                self.counts.restarts += not is_reboot
                reboot[lo] = is_reboot
                base = (self._segment << _SEG_SHIFT) + seq[lo]
                # frames 0 .. seq-1 of the new segment never arrived
                self.counts.lost += int(seq[lo])
                dd = d[lo:hi].copy()
                dd[0] = 0
            else:
                dd = d[lo:hi]
            abs_seq[lo:hi] = base + np.cumsum(dd)
            base = abs_seq[hi - 1]
        self._prev_seq = int(seq[-1])
        self._prev_tick = int(tick[-1])
        self._prev_abs = int(abs_seq[-1])

        status = np.zeros(n, dtype=np.uint8)
        # duplicates: seen earlier in this batch or in the remembered history
        _, first = np.unique(abs_seq, return_index=True)
        dup = np.ones(n, dtype=bool)
        dup[first] = False
        dup |= np.isin(abs_seq, self._history)
        run_max = np.maximum.accumulate(np.concatenate([[self._max_abs], abs_seq]))[:-1]
        late = ~dup & (abs_seq < run_max)
        too_late = late & (run_max - abs_seq > self.reorder_window)
        status[dup] = DUPLICATE
        status[too_late] = LATE_DROPPED
        self._max_abs = max(self._max_abs, int(abs_seq.max()))
        self.counts.duplicates += int(dup.sum())
        self.counts.out_of_order += int(late.sum())
        self.counts.late_dropped += int(too_late.sum())
        accepted = abs_seq[status == ACCEPTED]
        self._history = np.concatenate([self._history, accepted])[-HISTORY_FRAMES:]
        return PushResult(abs_seq, status, reboot)

    def commit(self, abs_seq: np.ndarray) -> CommitResult:
        """Accepted frames about to be emitted: their order, and the gaps before each.

        A frame numbered at or below one already emitted (it was placeable when it arrived but
        its neighbours had been emitted already) is not kept and counts as late-dropped.
        """
        abs_seq = np.asarray(abs_seq, dtype=np.int64)
        order = np.argsort(abs_seq, kind="stable")
        s = abs_seq[order]
        keep = s > self._last_emitted
        n_late = int((~keep).sum())
        self.counts.late_dropped += n_late
        s_kept = s[keep]
        gaps: list[tuple[int, int, int]] = []
        if s_kept.size:
            prev = np.concatenate([[self._last_emitted], s_kept[:-1]])
            same_seg = (prev >> _SEG_SHIFT) == (s_kept >> _SEG_SHIFT)
            missing = np.where(same_seg & (prev >= 0), s_kept - prev - 1, 0)
            for i in np.flatnonzero(missing > 0):
                gaps.append((int(prev[i] + 1), int(missing[i]), int(i)))
            self.counts.lost += int(missing.sum())
            self._last_emitted = int(s_kept[-1])
        self.counts.emitted += int(s_kept.size)
        return CommitResult(order=order, keep=keep, gaps=gaps)
