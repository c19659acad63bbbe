"""Readers of the PhysioNet gait recordings used to validate the analysis (../shared/data).

* :func:`read_gaitpdb` — Gait in Parkinson's Disease (gaitpdb 1.0.0): 19 columns per row,
  time (s), 8 + 8 vertical forces (N), total left, total right; 100 Hz. Both the original
  tab-separated files without header and the third-party CSV conversion (header row, first
  t = 0 row dropped) are read.
* :func:`read_gaitndd` — Gait Dynamics in Neuro-Degenerative Disease (gaitndd 1.0.0): a WFDB
  header and one force-sensitive-resistor signal per foot in format 212 (packed 12-bit
  two's complement), 300 Hz. -2048 marks an invalid sample and becomes NaN.
* :func:`read_gaitndd_reference` — the per-stride ``.ts`` tables of gaitndd.

Bad rows are skipped and recorded as :class:`~analysis.errors.DataProblem` (1-based line
numbers, as an editor shows them); a file of the wrong kind raises
:class:`~analysis.errors.InputError` saying what was expected.

Sources: Hausdorff JM et al., J Appl Physiol 82:262-269 (1997) and 88:2045-2053 (2000);
Yogev G et al., Eur J Neurosci 22:1248-1256 (2005); Hausdorff JM et al., Eur J Neurosci
26:2369-2375 (2007); Frenkel-Toledo S et al., Mov Disord 20:1109-1114 (2005); PhysioNet
(Goldberger AL et al., Circulation 101(23):e215-e220, 2000). Open Data Commons Attribution 1.0.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from analysis.errors import DataProblem, InputError
from analysis.layouts import GAITNDD_1, GAITPDB_8
from analysis.streams import PressureStream
from firmware_bridge.readers._io import is_number

GAITPDB_SAMPLE_RATE_HZ = 100.0
GAITPDB_COLUMNS: tuple[str, ...] = (
    "time_s",
    *(f"L{i}" for i in range(1, 9)),
    *(f"R{i}" for i in range(1, 9)),
    "total_left_n",
    "total_right_n",
)
_GAITPDB_EXPECTED = (
    "a gaitpdb walk: 19 tab- or comma-separated numeric columns (time in s, forces L1-L8 and "
    "R1-R8 in N, total left, total right) at 100 Hz"
)

#: Value format 212 uses for an invalid sample (PhysioNet gaitndd page).
WFDB_212_INVALID = -2048

GAITNDD_REFERENCE_COLUMNS: tuple[str, ...] = (
    "elapsed_s",
    "left_stride_s",
    "right_stride_s",
    "left_swing_s",
    "right_swing_s",
    "left_swing_pct",
    "right_swing_pct",
    "left_stance_s",
    "right_stance_s",
    "left_stance_pct",
    "right_stance_pct",
    "double_support_s",
    "double_support_pct",
)


# --------------------------------------------------------------------------------------------
# Delimited text
# --------------------------------------------------------------------------------------------


def _read_text(path: Path, expected: str) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except IsADirectoryError:
        raise InputError(f"is a directory; expected {expected}", source=str(path)) from None
    if b"\x00" in raw[:4096]:
        raise InputError(f"binary file; expected {expected}", source=str(path))
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start}); expected {expected}", source=str(path)
        ) from None


def _parse_table(
    text: str,
    *,
    source: str,
    columns: tuple[str, ...],
    delimiter: str | None,
    first_line: int,
    problems: list[DataProblem],
) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``len(columns)`` finite numbers; returns (values, 1-based line numbers).

    Rows with the wrong number of cells or with a cell that is not a finite number are skipped
    and recorded in ``problems``. ``delimiter`` None splits on runs of whitespace.
    """
    lines = text.splitlines()
    ends_with_newline = text.endswith(("\n", "\r"))
    k = len(columns)
    line_no = []
    rows = []
    for i, line in enumerate(lines[first_line - 1 :], start=first_line):
        if not line.strip():
            continue
        cells = line.split(delimiter) if delimiter else line.split()
        if len(cells) != k:
            last = i == len(lines) and not ends_with_newline
            what = "truncated last line" if last and len(cells) < k else "wrong number of columns"
            problems.append(
                DataProblem(
                    source=source,
                    row=i,
                    field=columns[min(len(cells), k) - 1] if len(cells) < k else None,
                    message=f"{what}: expected {k} columns, found {len(cells)}; row skipped",
                )
            )
            continue
        line_no.append(i)
        rows.append(cells)
    if not rows:
        return np.empty((0, k)), np.empty(0, dtype=np.int64)
    try:
        values = np.array(rows, dtype=np.float64)
    except ValueError:
        # Slow path, only for files with bad cells: find the row and column of each.
        values = np.full((len(rows), k), np.nan)
        for r, cells in enumerate(rows):
            try:
                values[r] = np.array(cells, dtype=np.float64)
            except ValueError:
                col = next(j for j, c in enumerate(cells) if not is_number(c))
                problems.append(
                    DataProblem(
                        source=source,
                        row=line_no[r],
                        field=columns[col],
                        message=f"expected a number, found {cells[col].strip()!r}; row skipped",
                    )
                )
    line_no_arr = np.asarray(line_no, dtype=np.int64)
    finite = np.isfinite(values)
    bad = ~finite.all(axis=1)
    for r in np.flatnonzero(bad & ~np.isnan(values).all(axis=1)):
        col = int(np.flatnonzero(~finite[r])[0])
        problems.append(
            DataProblem(
                source=source,
                row=int(line_no_arr[r]),
                field=columns[col],
                message=f"expected a finite number, found {values[r, col]}; row skipped",
            )
        )
    return values[~bad], line_no_arr[~bad]


def _drop_non_increasing_times(
    t: np.ndarray, line_no: np.ndarray, source: str, problems: list[DataProblem]
) -> np.ndarray:
    """Mask of rows whose time is later than every earlier row's (vectorised)."""
    if t.size == 0:
        return np.ones(0, dtype=bool)
    prev_max = np.concatenate(([-np.inf], np.maximum.accumulate(t)[:-1]))
    keep = t > prev_max
    for r in np.flatnonzero(~keep):
        problems.append(
            DataProblem(
                source=source,
                row=int(line_no[r]),
                field="time_s",
                message=(
                    f"time {t[r]:g} s does not increase (an earlier row has "
                    f"{prev_max[r]:g} s); row skipped"
                ),
            )
        )
    return keep


# --------------------------------------------------------------------------------------------
# gaitpdb
# --------------------------------------------------------------------------------------------


def read_gaitpdb(path: str | Path) -> PressureStream:
    """One gaitpdb walk as a :class:`PressureStream` (layout gaitpdb-8, unit N, 100 Hz).

    Reads the original tab-separated files (no header) and the comma-separated conversion
    (one header row). Rows with the wrong number of columns, non-numeric cells or times that
    do not increase are skipped and listed in ``problems``; the file's total columns are not
    used (the analysis sums the sensors itself).
    """
    p = Path(path)
    source = str(p)
    text = _read_text(p, _GAITPDB_EXPECTED)
    first = next((ln for ln in text.splitlines() if ln.strip()), None)
    if first is None:
        raise InputError(f"empty file; expected {_GAITPDB_EXPECTED}", source=source)
    delimiter = "\t" if "\t" in first else "," if "," in first else None
    cells = first.split(delimiter) if delimiter else first.split()
    if len(cells) != len(GAITPDB_COLUMNS):
        raise InputError(
            f"expected {_GAITPDB_EXPECTED}; line 1 has {len(cells)} column(s): "
            f"{first.strip()[:60]!r}",
            source=source,
            row=1,
        )
    header = not is_number(cells[0])
    if header and "time" not in cells[0].lower():
        raise InputError(
            f"expected {_GAITPDB_EXPECTED}; the header starts with {cells[0].strip()!r}, "
            "not a time column",
            source=source,
            row=1,
            field=cells[0].strip(),
        )
    problems: list[DataProblem] = []
    values, line_no = _parse_table(
        text,
        source=source,
        columns=GAITPDB_COLUMNS,
        delimiter=delimiter,
        first_line=2 if header else 1,
        problems=problems,
    )
    keep = _drop_non_increasing_times(values[:, 0], line_no, source, problems)
    values = values[keep]
    if values.shape[0] < 2:
        raise InputError(
            f"no usable rows ({len(problems)} bad); expected {_GAITPDB_EXPECTED}",
            source=source,
        )
    dt = float(np.median(np.diff(values[:, 0])))
    if abs(dt * GAITPDB_SAMPLE_RATE_HZ - 1.0) > 0.05:
        raise InputError(
            f"rows are {dt:g} s apart; expected {_GAITPDB_EXPECTED}",
            source=source,
            field="time_s",
        )
    return PressureStream(
        time_s=values[:, 0],
        left=values[:, 1:9],
        right=values[:, 9:17],
        layout=GAITPDB_8,
        unit="N",
        sample_rate_hz=GAITPDB_SAMPLE_RATE_HZ,
        source=source,
        problems=tuple(problems),
    )


# --------------------------------------------------------------------------------------------
# gaitndd: WFDB header and format 212
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WfdbSignal:
    """One signal line of a WFDB header."""

    file_name: str
    fmt: int
    gain: float
    adc_resolution: int | None
    adc_zero: int
    initial_value: int | None
    checksum: int | None
    description: str


@dataclass(frozen=True)
class WfdbHeader:
    record: str
    n_signals: int
    sample_rate_hz: float
    n_samples: int
    signals: tuple[WfdbSignal, ...]


def _int_field(cells: list[str], i: int, name: str, source: str, row: int) -> int | None:
    if len(cells) <= i:
        return None
    try:
        return int(cells[i])
    except ValueError:
        raise InputError(
            f"expected an integer {name}, found {cells[i]!r}", source=source, row=row, field=name
        ) from None


def parse_wfdb_header(text: str, source: str) -> WfdbHeader:
    """Record line and signal lines of a single-segment WFDB header."""
    expected = "a WFDB header (record line 'name nsig fs nsamples', then one line per signal)"
    lines = [
        (i, ln.split("#", 1)[0].split())
        for i, ln in enumerate(text.splitlines(), start=1)
        if ln.split("#", 1)[0].strip()
    ]
    if not lines:
        raise InputError(f"empty; expected {expected}", source=source)
    row, rec = lines[0]
    if len(rec) < 2 or "/" in rec[0]:
        raise InputError(
            f"expected {expected}; found {' '.join(rec)[:60]!r}", source=source, row=row
        )
    n_sig = _int_field(rec, 1, "number of signals", source, row)
    fs_text = rec[2].split("/")[0].split("(")[0] if len(rec) > 2 else "250"
    try:
        fs = float(fs_text)
    except ValueError:
        raise InputError(
            f"expected a sampling frequency, found {rec[2]!r}",
            source=source,
            row=row,
            field="sampling frequency",
        ) from None
    n_samples = _int_field(rec, 3, "number of samples", source, row)
    if n_sig is None or n_sig < 1 or n_samples is None or fs <= 0:
        raise InputError(f"expected {expected}; found {' '.join(rec)!r}", source=source, row=row)
    sig_lines = lines[1 : 1 + n_sig]
    if len(sig_lines) != n_sig:
        raise InputError(
            f"the record line announces {n_sig} signals, found {len(sig_lines)} signal lines",
            source=source,
        )
    signals = []
    for row, cells in sig_lines:
        if len(cells) < 2:
            raise InputError(
                "expected a signal line 'file format gain ...'", source=source, row=row
            )
        fmt_text = cells[1].split("x")[0].split(":")[0].split("+")[0]
        fmt = _int_field([fmt_text], 0, "format", source, row)
        gain_text = cells[2].split("(")[0].split("/")[0] if len(cells) > 2 else "200"
        try:
            gain = float(gain_text)
        except ValueError:
            raise InputError(
                f"expected a gain, found {cells[2]!r}", source=source, row=row, field="gain"
            ) from None
        signals.append(
            WfdbSignal(
                file_name=cells[0],
                fmt=int(fmt),
                gain=gain,
                adc_resolution=_int_field(cells, 3, "ADC resolution", source, row),
                adc_zero=_int_field(cells, 4, "ADC zero", source, row) or 0,
                initial_value=_int_field(cells, 5, "initial value", source, row),
                checksum=_int_field(cells, 6, "checksum", source, row),
                description=" ".join(cells[8:]),
            )
        )
    return WfdbHeader(rec[0], n_sig, fs, n_samples, tuple(signals))


def decode_212(data: bytes | np.ndarray) -> np.ndarray:
    """Samples of a format-212 byte stream, as int16 (vectorised).

    Every 3 bytes hold two 12-bit two's-complement samples: the first is byte 0 plus the low
    nibble of byte 1 as its top 4 bits, the second is byte 2 plus the high nibble of byte 1.
    A trailing pair of bytes holds one more sample.
    """
    b = np.frombuffer(data, dtype=np.uint8) if not isinstance(data, np.ndarray) else data
    n_pairs = b.size // 3
    rest = b.size - 3 * n_pairs
    n_out = 2 * n_pairs + (1 if rest == 2 else 0)
    triples = b[: 3 * n_pairs].reshape(n_pairs, 3).astype(np.int16)
    out = np.empty(n_out, dtype=np.int16)
    out[0 : 2 * n_pairs : 2] = triples[:, 0] | ((triples[:, 1] & 0x0F) << 8)
    out[1 : 2 * n_pairs : 2] = triples[:, 2] | ((triples[:, 1] & 0xF0) << 4)
    if rest == 2:
        out[-1] = int(b[-2]) | ((int(b[-1]) & 0x0F) << 8)
    out[out >= 2048] -= 4096
    return out


def wfdb_checksum(samples: np.ndarray) -> int:
    """WFDB checksum: the 16-bit two's-complement sum of a signal's samples."""
    s = int(np.asarray(samples, dtype=np.int64).sum()) & 0xFFFF
    return s - 0x10000 if s >= 0x8000 else s


def _foot_of(sig: WfdbSignal, index: int) -> str:
    text = f"{sig.description} {sig.file_name}".lower()
    if "left" in text or sig.file_name.lower().endswith(".let"):
        return "left"
    if "right" in text or sig.file_name.lower().endswith(".rit"):
        return "right"
    return ("left", "right")[index] if index < 2 else "unknown"


def read_gaitndd(path: str | Path) -> PressureStream:
    """One gaitndd record as a :class:`PressureStream` (layout gaitndd-1, unit "raw").

    ``path`` is the ``.hea`` header or the record stem. Each signal is read from the file its
    header line names (signals sharing a file are interleaved, as WFDB stores them). -2048
    (invalid) becomes NaN. A checksum or initial value that disagrees with the header, or a
    signal file shorter than the header says, is recorded in ``problems``; the samples that are
    there are kept and the missing ones are NaN.
    """
    p = Path(path)
    if p.suffix == "":
        p = p.with_suffix(".hea")
    expected = "a gaitndd WFDB record header (.hea) with format-212 left and right signals"
    if p.suffix != ".hea":
        raise InputError(f"expected {expected}, found a {p.suffix!r} file", source=str(p))
    source = str(p)
    header = parse_wfdb_header(_read_text(p, expected), source)
    problems: list[DataProblem] = []
    by_file: dict[str, list[int]] = {}
    for i, sig in enumerate(header.signals):
        if sig.fmt != 212:
            raise InputError(
                f"signal {i + 1} ({sig.file_name}) is in format {sig.fmt}; only format 212 "
                "is supported",
                source=source,
                row=2 + i,
                field="format",
            )
        by_file.setdefault(sig.file_name, []).append(i)
    n = header.n_samples
    columns: dict[int, np.ndarray] = {}
    for file_name, sig_idx in by_file.items():
        fpath = p.parent / file_name
        try:
            raw = fpath.read_bytes()
        except FileNotFoundError:
            raise InputError(
                f"signal file {file_name} named in the header is missing", source=source
            ) from None
        samples = decode_212(raw)
        k = len(sig_idx)
        have = min(samples.size // k, n)
        frames = samples[: have * k].reshape(have, k)
        if have < n:
            problems.append(
                DataProblem(
                    source=str(fpath),
                    row=have,
                    field="samples",
                    message=(
                        f"truncated: the header announces {n} samples per signal, the file "
                        f"holds {have}; samples from index {have} on are missing (NaN)"
                    ),
                    count=n - have,
                )
            )
        for j, si in enumerate(sig_idx):
            sig = header.signals[si]
            col = frames[:, j]
            if have == n and sig.checksum is not None and wfdb_checksum(col) != sig.checksum:
                problems.append(
                    DataProblem(
                        source=str(fpath),
                        field=f"checksum of signal {si + 1}",
                        message=(
                            f"checksum mismatch: header says {sig.checksum}, the samples sum "
                            f"to {wfdb_checksum(col)}; the file may be corrupt"
                        ),
                    )
                )
            # -32768 in the header means the first sample is itself invalid (WFDB).
            first_invalid = sig.initial_value == -32768 and int(col[0]) == WFDB_212_INVALID
            if (
                have
                and sig.initial_value is not None
                and not first_invalid
                and int(col[0]) != sig.initial_value
            ):
                problems.append(
                    DataProblem(
                        source=str(fpath),
                        row=0,
                        field=f"initial value of signal {si + 1}",
                        message=(
                            f"first sample is {int(col[0])}, the header says {sig.initial_value}"
                        ),
                    )
                )
            values = np.full(n, np.nan, dtype=np.float32)
            values[:have] = col
            invalid = col == WFDB_212_INVALID
            values[:have][invalid] = np.nan
            columns[si] = values
    feet: dict[str, np.ndarray] = {}
    for i, sig in enumerate(header.signals):
        foot = _foot_of(sig, i)
        if foot in feet or foot == "unknown":
            raise InputError(
                f"cannot tell which foot signal {i + 1} ({sig.file_name}, "
                f"{sig.description!r}) is; expected one left and one right signal",
                source=source,
                row=2 + i,
            )
        feet[foot] = columns[i][:, None]
    return PressureStream(
        time_s=np.arange(n, dtype=np.float64) / header.sample_rate_hz,
        left=feet.get("left"),
        right=feet.get("right"),
        layout=GAITNDD_1,
        unit="raw",
        sample_rate_hz=header.sample_rate_hz,
        source=source,
        problems=tuple(problems),
    )


def read_gaitndd_reference(path_ts: str | Path) -> dict[str, np.ndarray]:
    """The authors' per-stride table of a gaitndd record (``.ts``), one array per column.

    Keys are :data:`GAITNDD_REFERENCE_COLUMNS`. ``elapsed_s`` is the time of the left initial
    contact that ends each stride. Bad rows are skipped; an unreadable file raises InputError.
    """
    p = Path(path_ts)
    source = str(p)
    expected = "a gaitndd .ts stride table: 13 tab-separated numeric columns"
    text = _read_text(p, expected)
    problems: list[DataProblem] = []
    values, _ = _parse_table(
        text,
        source=source,
        columns=GAITNDD_REFERENCE_COLUMNS,
        delimiter=None,
        first_line=1,
        problems=problems,
    )
    if values.shape[0] == 0:
        detail = f"; first problem: {problems[0]}" if problems else ""
        raise InputError(f"no usable rows; expected {expected}{detail}", source=source)
    return {name: values[:, i] for i, name in enumerate(GAITNDD_REFERENCE_COLUMNS)}
