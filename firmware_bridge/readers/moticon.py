"""Moticon OpenGo: the desktop software's text export and its UDP stream lines.

Text export (what :func:`read_moticon_export` reads and :func:`write_moticon_export` writes)
------------------------------------------------------------------------------------------
Tab-separated UTF-8 text, optionally gzip-compressed (``.gz``). Header comment lines start with
``#`` and hold ``key: value`` pairs; the keys Moticon writes are ``Start time``
(``%d.%m.%Y %H:%M:%S.%f``, local time without a UTC offset), ``Duration``, ``Sensor insoles``,
``Size``, ``Recording type``, ``Name``, ``Notes`` and ``Tag``. Then one line of column headers
and one line per sample.

Moticon's exact header spelling is not public in our reference, so columns are found by name,
not by position, after normalising each header (lower case; a unit in ``[...]`` or ``(...)``
removed; ``_``/``-`` and repeated blanks turned into one blank). The spellings written here and
accepted on reading (aliases in brackets)::

    time                                   [timestamp] seconds from Start time
                                           ("time [ms]": milliseconds; no unit and a median
                                           step >= 1: read as ms, noted as a problem)
    left pressure 1 ... left pressure 16   [left pressure sensor 1] N/cm², converted to kPa
    right pressure 1 ... right pressure 16 (1 N/cm² = 10 kPa; a header unit [kPa] is kept)
    left acceleration X|Y|Z                [left acc X]
    left angular X|Y|Z                     [left angular velocity X, left gyro X]
    left total force                       N
    left center of pressure X|Y            [left centre of pressure X, left cop X]
    left COP velocity X|Y                  [left center of pressure velocity X]
    ... the same with "right" ...
    steps                                  [step, step events]: 0 or empty = no event,
                                           11/15 = left heel strike/toe off, 21/25 = right

Only ``time`` and the 16 pressures of at least one insole are required: the layout shrinks
when data types are unticked in the export dialog, and a missing insole (only left columns)
gives ``right=None``.

Pressure sensor ``i`` becomes sensor ``i - 1`` of :data:`analysis.layouts.SOLEWATCH_16`.
Moticon's own sensor map differs per insole size, so the positions are nominal: good for the
region split and the centre of pressure, not for millimetre accuracy.

Bad rows are skipped and recorded as :class:`~analysis.errors.DataProblem` naming the file, the
1-based line number (header lines included) and the column: a row with the wrong number of
cells, a cell that is not a number (the whole row is dropped), a truncated last line, a time that
does not increase. Empty cells are missing values (NaN; no event in ``steps``). A file that is
not a Moticon export, or holds no valid row, raises :class:`~analysis.errors.InputError`.

UDP stream (:func:`parse_moticon_udp_line`)
-------------------------------------------
One line per sample, ASCII floats separated by white space. With every data type selected, 51
values: ``[0]`` timestamp; per insole acceleration (3), angular rate (3), centre of pressure
(2), 16 pressures and total force, left then right. The line shrinks when data types are
unticked; give the selected groups as ``layout``.
"""

from __future__ import annotations

import gzip
import io
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd

from analysis.errors import DataProblem, InputError
from analysis.layouts import SOLEWATCH_16, SensorLayout
from analysis.sites import FEET
from analysis.streams import PressureStream
from firmware_bridge.readers._io import is_number, read_bytes_tolerant

#: Moticon pressure unit N/cm² in kPa (1 N/cm² = 10^4 N/m² = 10 kPa).
N_PER_CM2_KPA = 10.0
#: Pressure sensors per Moticon OpenGo insole.
MOTICON_N_PRESSURE = 16
#: Header time format of ``Start time``.
START_TIME_FORMAT = "%d.%m.%Y %H:%M:%S.%f"
#: Header keys of a Moticon export, in the order they are written.
HEADER_KEYS = (
    "Start time", "Duration", "Sensor insoles", "Size", "Recording type", "Name", "Notes", "Tag",
)
#: Steps channel codes -> (foot, event).
STEP_CODES: dict[int, tuple[str, str]] = {
    11: ("left", "heel_strike_s"),
    15: ("left", "toe_off_s"),
    21: ("right", "heel_strike_s"),
    25: ("right", "toe_off_s"),
}
_EVENT_CODES = {v: k for k, v in STEP_CODES.items()}
#: Problems listed one by one before the rest are summed up in one entry.
MAX_LISTED_PROBLEMS = 20
#: Data lines parsed per block (bounds the memory of a 10-hour export).
BLOCK_LINES = 200_000
#: Rows formatted per block when writing.
WRITE_BLOCK_ROWS = 50_000

_AXES = "xyz"


def _normalise(name: str) -> str:
    n = re.sub(r"[\[(].*?[\])]", " ", name.strip().strip('"').lower())
    n = n.replace("centre", "center").replace("_", " ").replace("-", " ")
    return re.sub(r"\s+", " ", n).strip()


def _header_unit(name: str) -> str:
    m = re.search(r"[\[(]\s*([^\])]*)\s*[\])]", name)
    return m.group(1).strip().lower() if m else ""


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^time(?:stamp)?$"), "time"),
    (re.compile(r"^steps?( events?)?$"), "steps"),
    (re.compile(r"^(left|right) pressure (?:sensor )?(\d+)$"), "pressure"),
    (re.compile(r"^(left|right) (?:acceleration|acc) ([xyz])$"), "acceleration"),
    (re.compile(r"^(left|right) (?:angular(?: velocity| rate)?|gyro) ([xyz])$"), "angular"),
    (re.compile(r"^(left|right) total force$"), "total_force"),
    (re.compile(r"^(left|right) (?:center of pressure|cop) velocity ([xy])$"), "cop_velocity"),
    (re.compile(r"^(left|right) (?:center of pressure|cop) ([xy])$"), "cop"),
]


def _column_key(name: str) -> str | None:
    """Canonical key of a header, e.g. 'left pressure 3', 'right cop x'; None if unknown."""
    n = _normalise(name)
    for pattern, kind in _PATTERNS:
        m = pattern.match(n)
        if not m:
            continue
        if kind in ("time", "steps"):
            return kind
        foot = m.group(1)
        if kind == "pressure":
            return f"{foot} pressure {int(m.group(2))}"
        if kind == "total_force":
            return f"{foot} total force"
        return f"{foot} {kind} {m.group(2)}"
    return None


@dataclass
class MoticonRecording:
    """Everything a Moticon export holds, before it becomes a :class:`PressureStream`.

    ``columns`` maps canonical keys ('time', 'left pressure 1', 'left acceleration x',
    'left total force', 'left cop x', 'left cop_velocity x', 'steps') to float arrays of the
    kept rows, in the file's units (pressures still N/cm² unless ``pressure_unit`` says kPa).
    """

    source: str
    header: dict[str, str]
    columns: dict[str, np.ndarray]
    time_unit: str = "s"
    pressure_unit: str = "N/cm2"
    problems: list[DataProblem] = field(default_factory=list)

    def feet(self) -> tuple[str, ...]:
        return tuple(f for f in FEET if f"{f} pressure 1" in self.columns)


def _open_text(path: Path) -> tuple[str, DataProblem | None]:
    raw, problem = read_bytes_tolerant(path)
    if b"\x00" in raw[:4096]:
        raise InputError("binary content, not a Moticon text export", source=str(path))
    return raw.decode("utf-8-sig", errors="replace"), problem


class _Problems:
    """Collects problems, listing the first few of each kind one by one."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.items: list[DataProblem] = []
        self.overflow: dict[str, list] = {}

    def add(self, kind: str, message: str, row: int, field_: str | None = None) -> None:
        if len(self.items) < MAX_LISTED_PROBLEMS:
            self.items.append(DataProblem(self.source, message, row=row, field=field_))
            return
        entry = self.overflow.setdefault(kind, [row, 0])
        entry[1] += 1

    def finish(self) -> list[DataProblem]:
        out = list(self.items)
        for kind, (row, count) in self.overflow.items():
            out.append(DataProblem(
                self.source, f"{kind}: more rows skipped, the first at this row",
                row=row, count=count,
            ))
        return out


def _parse_cells(
    lines: list[str], used: list[int], names: list[str], linenos: np.ndarray,
    problems: _Problems,
) -> tuple[np.ndarray, np.ndarray]:
    """Floats of the ``used`` columns of well-shaped lines; a row with a non-number is marked
    bad (False in the returned mask) and reported once, at its first bad cell."""
    try:
        frame = pd.read_csv(
            io.StringIO("\n".join(lines)), sep="\t", header=None, usecols=used,
            dtype=np.float64, engine="c", keep_default_na=False, na_values=[""],
            skip_blank_lines=False, quoting=3,
        )
        values = frame[used].to_numpy(dtype=np.float64)
        if values.shape[0] == len(lines):
            return values, np.ones(len(lines), dtype=bool)
    except (ValueError, pd.errors.ParserError):
        pass
    # slow path: cell by cell, only for a block that holds a bad cell
    values = np.full((len(lines), len(used)), np.nan)
    good = np.ones(len(lines), dtype=bool)
    for r, line in enumerate(lines):
        cells = line.rstrip("\r").split("\t")
        for m, c in enumerate(used):
            cell = cells[c].strip()
            if not cell:
                continue
            try:
                values[r, m] = float(cell)
            except ValueError:
                problems.add("not a number", f"not a number: {cell[:20]!r}",
                             int(linenos[r]), names[c])
                good[r] = False
                break
    return values, good


def read_moticon_recording(path: str | Path) -> MoticonRecording:
    """Parse a Moticon export into its header and columns, keeping every valid row."""
    p = Path(path)
    src = str(p)
    text, damaged = _open_text(p)
    lines = text.split("\n")
    ends_with_newline = text.endswith("\n")
    if ends_with_newline:
        lines = lines[:-1]
    header: dict[str, str] = {}
    header_line = None
    i = 0
    for i, raw in enumerate(lines):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if line.startswith("#"):
            body = line[1:].strip()
            if ":" in body:
                key, _, value = body.partition(":")
                header[key.strip()] = value.strip()
            elif "\t" in body and _column_key(body.split("\t")[0]) == "time":
                header_line = i  # a column header written as a comment
            continue
        if header_line is None or not is_number(line.split("\t")[0]):
            header_line = i
        break
    else:
        raise InputError("no column header and no data rows: not a Moticon export", source=src)
    names = lines[header_line].rstrip("\r").lstrip("#").strip().split("\t")
    keys = [_column_key(n) for n in names]
    if "time" not in keys:
        raise InputError(
            f"no 'time' column among the headers {names[:6]}...: not a Moticon export "
            "(expected tab-separated columns 'time', 'left pressure 1', ...)",
            source=src, row=header_line + 1,
        )
    dup = sorted({k for k in keys if k is not None and keys.count(k) > 1})
    if dup:
        raise InputError(f"columns appear twice: {dup}", source=src, row=header_line + 1)
    for foot in FEET:
        have = [k for k in keys if k and k.startswith(f"{foot} pressure ")]
        want = {f"{foot} pressure {j}" for j in range(1, MOTICON_N_PRESSURE + 1)}
        if have and set(have) != want:
            missing = sorted(want - set(have), key=lambda s: int(s.rsplit(" ", 1)[1]))
            extra = sorted(set(have) - want)
            raise InputError(
                f"{foot} insole: expected pressure columns 1..{MOTICON_N_PRESSURE}, "
                f"missing {missing} extra {extra}",
                source=src, row=header_line + 1,
            )
    if not any(k and k.endswith("pressure 1") for k in keys):
        raise InputError(
            "no pressure columns ('left pressure 1..16' or 'right pressure 1..16')",
            source=src, row=header_line + 1,
        )
    time_header_unit = _header_unit(names[keys.index("time")])
    time_unit = "ms" if time_header_unit == "ms" else "s"
    p_unit_raw = next(
        (_header_unit(n) for n, k in zip(names, keys, strict=True) if k and "pressure" in k),
        "",
    )
    pressure_unit = "kPa" if p_unit_raw == "kpa" else "N/cm2"

    n_cols = len(names)
    problems = _Problems(src)
    used = [c for c, k in enumerate(keys) if k is not None]
    last = len(lines) - 1
    blocks_v: list[np.ndarray] = []
    blocks_l: list[np.ndarray] = []
    for j0 in range(header_line + 1, len(lines), BLOCK_LINES):
        block = lines[j0:j0 + BLOCK_LINES]
        tabs = np.fromiter((ln.count("\t") for ln in block), dtype=np.int64, count=len(block))
        ok = tabs == n_cols - 1
        for r in np.flatnonzero(~ok):
            line = block[r].rstrip("\r")
            if not line.strip() or line.startswith("#"):
                continue
            n_cells = int(tabs[r]) + 1
            j = j0 + int(r)
            if j == last and not ends_with_newline and n_cells < n_cols:
                problems.add("truncated", f"truncated last line: {n_cells} of {n_cols} cells",
                             j + 1, names[n_cells - 1])
            else:
                problems.add("cell count",
                             f"expected {n_cols} tab-separated cells, found {n_cells}",
                             j + 1, names[min(n_cells, n_cols) - 1])
        rows = np.flatnonzero(ok)
        if rows.size == 0:
            continue
        good_lines = [block[r] for r in rows]
        values, good = _parse_cells(good_lines, used, names, j0 + rows + 1, problems)
        blocks_v.append(values[good])
        blocks_l.append((j0 + rows + 1)[good])
    if blocks_v:
        values = np.concatenate(blocks_v)
        lines_kept = np.concatenate(blocks_l)
    else:
        values = np.empty((0, len(used)))
        lines_kept = np.empty(0, dtype=np.int64)

    t_col = [keys[c] for c in used].index("time")
    t = values[:, t_col]
    keep = np.isfinite(t)
    for r in np.flatnonzero(~keep):
        problems.add("no time", "empty time cell", int(lines_kept[r]), names[used[t_col]])
    # drop rows whose time does not increase over the last kept time (one pass; rare)
    if keep.any():
        tk = t.copy()
        tk[~keep] = -np.inf
        running = np.maximum.accumulate(tk)
        prev = np.concatenate([[-np.inf], running[:-1]])
        bad = keep & (tk <= prev)
        for r in np.flatnonzero(bad):
            problems.add(
                "time order",
                f"time {t[r]:g} does not increase (previous kept time {prev[r]:g})",
                int(lines_kept[r]), names[used[t_col]],
            )
        keep &= ~bad
    values = values[keep]
    if values.shape[0] == 0:
        raise InputError(
            "no valid data row"
            + (f"; first problem: {problems.items[0]}" if problems.items else ""),
            source=src,
        )
    columns = {keys[c]: values[:, m] for m, c in enumerate(used)}
    steps_s = np.diff(columns["time"])
    if not time_header_unit and steps_s.size and float(np.median(steps_s)) >= 1.0:
        # no unit given and a median step of a second or more: insoles sample at 10-1000 Hz,
        # so the column counts milliseconds
        time_unit = "ms"
        problems.add("time unit", f"the time column has no unit and a median step of "
                     f"{float(np.median(steps_s)):g}: read as milliseconds",
                     header_line + 1, names[used[t_col]])
    if time_unit == "ms":
        columns["time"] = columns["time"] / 1000.0
    return MoticonRecording(
        source=src, header=header, columns=columns, time_unit=time_unit,
        pressure_unit=pressure_unit,
        problems=([damaged] if damaged else []) + problems.finish(),
    )


def _parse_start(value: str | None, utc_offset: tzinfo | timedelta, source: str) -> datetime:
    tz = timezone(utc_offset) if isinstance(utc_offset, timedelta) else utc_offset
    if not value:
        raise InputError("no 'Start time' header line", source=source, field="Start time")
    for fmt in (START_TIME_FORMAT, "%d.%m.%Y %H:%M:%S"):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=tz)
        except ValueError:
            continue
    raise InputError(
        f"Start time {value!r} is not in the form {START_TIME_FORMAT}",
        source=source, field="Start time",
    )


def read_moticon_export(
    path: str | Path,
    *,
    utc_offset: tzinfo | timedelta = UTC,
    layout: SensorLayout = SOLEWATCH_16,
) -> PressureStream:
    """Read a Moticon OpenGo text export (``.txt`` or ``.txt.gz``) as a kPa pressure stream.

    The export's ``Start time`` is local time with no UTC offset: pass the wearer's offset as
    ``utc_offset`` (a timedelta or tzinfo); the default is UTC. Sensors map to ``layout``
    (SOLEWATCH_16 by default; Moticon's own map differs per insole size, positions are
    nominal). ``time_s`` is the export's time column. Problems with rows are in
    ``stream.problems``.
    """
    rec = read_moticon_recording(path)
    if layout.n_sensors != MOTICON_N_PRESSURE:
        raise InputError(
            f"layout {layout.name!r} has {layout.n_sensors} sensors, a Moticon insole 16",
            source=rec.source,
        )
    start = _parse_start(rec.header.get("Start time"), utc_offset, rec.source)
    scale = 1.0 if rec.pressure_unit == "kPa" else N_PER_CM2_KPA
    feet = {}
    for foot in FEET:
        if f"{foot} pressure 1" not in rec.columns:
            feet[foot] = None
            continue
        feet[foot] = np.column_stack([
            rec.columns[f"{foot} pressure {j}"] for j in range(1, MOTICON_N_PRESSURE + 1)
        ]) * scale
    t = rec.columns["time"]
    rate = 1.0 / float(np.median(np.diff(t))) if t.size > 1 else 100.0
    return PressureStream(
        time_s=t, left=feet["left"], right=feet["right"], layout=layout, unit="kPa",
        sample_rate_hz=round(rate, 6), start=start, source=rec.source,
        problems=tuple(rec.problems),
    )


def read_moticon_steps(path: str | Path) -> dict[str, dict[str, np.ndarray]]:
    """Step events of the export's ``steps`` channel, as times (s) per foot::

        {"left": {"heel_strike_s": ..., "toe_off_s": ...}, "right": {...}}

    Codes 11/15 are left heel strike/toe off, 21/25 right. Raises InputError if the export has
    no steps column.
    """
    rec = read_moticon_recording(path)
    if "steps" not in rec.columns:
        raise InputError("no 'steps' column in this export", source=rec.source, field="steps")
    codes = rec.columns["steps"]
    t = rec.columns["time"]
    out: dict[str, dict[str, np.ndarray]] = {f: {} for f in FEET}
    for code, (foot, event) in STEP_CODES.items():
        out[foot][event] = t[codes == code]
    return out


def write_moticon_export(
    stream: PressureStream,
    path: str | Path,
    *,
    steps: Mapping[str, Mapping[str, Sequence[float]]] | None = None,
    name: str = "",
    notes: str = "",
    tag: str = "",
    size: str = "",
    decimals: int = 2,
) -> Path:
    """Write ``stream`` as a Moticon text export (gzip-compressed, mtime 0, if ``path`` ends in
    ``.gz``), with the header spelling documented at the top of this module.

    Writes ``time`` (s), the pressures in N/cm² with ``decimals`` places (2 places = 0.1 kPa),
    each insole's ``total force`` in N (pressures times sensor areas) and, if ``steps`` is
    given (as returned by :func:`read_moticon_steps`), the ``steps`` channel with each event
    on the nearest sample. The stream must have 16 sensors and be in kPa, or in N with sensor
    areas. ``start`` None is written as 01.01.1970 00:00:00.000. Returns the path.
    """
    lay = stream.layout
    if lay.n_sensors != MOTICON_N_PRESSURE:
        raise ValueError(f"a Moticon export has 16 sensors, layout {lay.name!r} has "
                         f"{lay.n_sensors}")
    if stream.unit == "raw" or (stream.unit == "N" and lay.sensor_area_mm2 is None):
        raise ValueError(f"cannot write pressures from unit {stream.unit!r} without areas")
    area_mm2 = lay.sensor_area_mm2 if lay.sensor_area_mm2 is not None else np.ones(16)
    t = np.asarray(stream.time_s, dtype=np.float64)
    feet = stream.feet()
    cols_h = ["time"]
    for foot in feet:
        cols_h += [f"{foot} pressure {j}" for j in range(1, 17)]
    cols_h += [f"{foot} total force" for foot in feet]
    codes = None
    if steps is not None:
        codes = np.zeros(t.size, dtype=np.int64)
        for foot, events in steps.items():
            for event, times in events.items():
                code = _EVENT_CODES[(foot, event)]
                tt = np.asarray(times, dtype=float)
                idx = np.clip(np.searchsorted(t, tt), 0, t.size - 1)
                prev = np.clip(idx - 1, 0, t.size - 1)
                nearer = np.abs(t[prev] - tt) <= np.abs(t[idx] - tt)
                codes[np.where(nearer, prev, idx)] = code
        cols_h.append("steps")
    start = stream.start or datetime(1970, 1, 1, tzinfo=UTC)
    head = {
        "Start time": start.strftime(START_TIME_FORMAT)[:-3],
        "Duration": str(timedelta(seconds=round(stream.duration_s, 3))),
        "Sensor insoles": " and ".join(feet),
        "Size": size,
        "Recording type": "Recording",
        "Name": name,
        "Notes": notes.replace("\n", " "),
        "Tag": tag,
    }
    preamble = "".join(f"# {k}: {head[k]}\n" for k in HEADER_KEYS) + "\t".join(cols_h) + "\n"

    n_feet = len(feet)
    row_fmt = "\t".join(
        ["%.3f"] + [f"%.{decimals}f"] * (16 * n_feet) + ["%.1f"] * n_feet
        + (["%d"] if codes is not None else [])
    ) + "\n"

    def rows(i0: int, i1: int) -> str:
        cols = [t[i0:i1, None]]
        forces = []
        for foot in feet:
            v = np.asarray(stream.foot(foot)[i0:i1], dtype=np.float64)
            kpa = v if stream.unit == "kPa" else v / area_mm2 * 1000.0
            cols.append(kpa / N_PER_CM2_KPA)
            forces.append((kpa @ (area_mm2 / 1000.0))[:, None])
        cols += forces
        if codes is not None:
            cols.append(codes[i0:i1, None].astype(np.float64))
        table = np.concatenate(cols, axis=1)
        text = "".join(row_fmt % tuple(r) for r in table.tolist())
        # NaN (an invalid sample) is written as an empty cell
        return text.replace("\tnan", "\t") if "nan" in text else text

    out = Path(path)
    with open(out, "wb") as fh:
        sink = (gzip.GzipFile(filename="", mode="wb", fileobj=fh, mtime=0, compresslevel=6)
                if out.suffix == ".gz" else fh)
        sink.write(preamble.encode("utf-8"))
        for i0 in range(0, t.size, WRITE_BLOCK_ROWS):
            sink.write(rows(i0, min(t.size, i0 + WRITE_BLOCK_ROWS)).encode("utf-8"))
        if sink is not fh:
            sink.close()
    return out


# ---------------------------------------------------------------------------------------------
# UDP stream lines

#: Per-insole value groups of a UDP line, in stream order, with their sizes.
UDP_GROUPS: dict[str, int] = {
    "acceleration": 3, "angular": 3, "cop": 2, "pressure": 16, "total_force": 1,
}
#: Named UDP layouts: which groups are selected (order is always that of UDP_GROUPS).
UDP_LAYOUTS: dict[str, tuple[str, ...]] = {
    "full": ("acceleration", "angular", "cop", "pressure", "total_force"),
    "pressure": ("pressure",),
    "pressure_force": ("pressure", "total_force"),
    "pressure_cop_force": ("cop", "pressure", "total_force"),
    "imu": ("acceleration", "angular"),
}


class MoticonUdpFoot(NamedTuple):
    """One insole's values of a UDP sample; unselected groups are None."""

    acceleration: tuple[float, float, float] | None
    angular: tuple[float, float, float] | None
    cop: tuple[float, float] | None
    pressure_kpa: np.ndarray | None
    total_force_n: float | None


class MoticonUdpSample(NamedTuple):
    time_s: float
    left: MoticonUdpFoot
    right: MoticonUdpFoot


def udp_line_length(layout: str | Sequence[str] = "full") -> int:
    """Number of values in a UDP line of ``layout``: 1 + 2 x (sizes of the groups)."""
    groups = _udp_groups(layout)
    return 1 + 2 * sum(UDP_GROUPS[g] for g in groups)


def _udp_groups(layout: str | Sequence[str]) -> tuple[str, ...]:
    if isinstance(layout, str):
        try:
            return UDP_LAYOUTS[layout]
        except KeyError:
            raise ValueError(
                f"unknown UDP layout {layout!r}; known: {sorted(UDP_LAYOUTS)} or a sequence "
                f"of groups from {list(UDP_GROUPS)}"
            ) from None
    bad = [g for g in layout if g not in UDP_GROUPS]
    if bad:
        raise ValueError(f"unknown UDP groups {bad}; known: {list(UDP_GROUPS)}")
    return tuple(g for g in UDP_GROUPS if g in layout)


def parse_moticon_udp_line(
    line: str | bytes, *, layout: str | Sequence[str] = "full", source: str = "udp"
) -> MoticonUdpSample:
    """Parse one UDP line of the Moticon desktop stream.

    ``layout`` names the selected data types ('full' = all, 51 values; 'pressure' = 33;
    'pressure_force' = 35; ...) or lists the groups. Pressures are taken as N/cm² and returned
    in kPa. A wrong number of values or a non-number raises :class:`InputError` naming the
    field index.
    """
    groups = _udp_groups(layout)
    if isinstance(line, bytes):
        line = line.decode("ascii", errors="replace")
    cells = line.split()
    expected = udp_line_length(groups)
    if len(cells) != expected:
        raise InputError(
            f"expected {expected} values for UDP layout {list(groups)}, found {len(cells)}",
            source=source,
        )
    values = np.empty(expected)
    for k, c in enumerate(cells):
        try:
            values[k] = float(c)
        except ValueError:
            raise InputError(
                f"value {k} is not a number: {c[:20]!r}", source=source, field=f"[{k}]"
            ) from None
    per_foot = (expected - 1) // 2
    feet = []
    for f in range(2):
        chunk = values[1 + f * per_foot: 1 + (f + 1) * per_foot]
        parts: dict[str, np.ndarray] = {}
        pos = 0
        for g in groups:
            parts[g] = chunk[pos: pos + UDP_GROUPS[g]]
            pos += UDP_GROUPS[g]
        feet.append(MoticonUdpFoot(
            acceleration=tuple(parts["acceleration"]) if "acceleration" in parts else None,
            angular=tuple(parts["angular"]) if "angular" in parts else None,
            cop=tuple(parts["cop"]) if "cop" in parts else None,
            pressure_kpa=parts["pressure"] * N_PER_CM2_KPA if "pressure" in parts else None,
            total_force_n=float(parts["total_force"][0]) if "total_force" in parts else None,
        ))
    return MoticonUdpSample(float(values[0]), feet[0], feet[1])
