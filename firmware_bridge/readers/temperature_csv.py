"""The temperature interchange CSV: ``timestamp,foot,site,temperature_c``, one reading a row.

* ``timestamp``: ISO 8601 with a UTC offset (``2026-03-01T08:00:00+01:00`` or ``...Z``).
  Naive timestamps are refused: the offset defines the wearer's calendar days.
* ``foot``: ``left`` or ``right``; ``site``: one of :data:`analysis.sites.SITES`.
* ``temperature_c``: °C. A ``temperature_f`` column, or values that are clearly °F, are refused
  with an error naming the column and rows.

Columns may come in any order; extra columns are ignored. ``.csv`` or ``.csv.gz`` (gzip is also
recognised by its magic bytes). Fields must not contain commas (no quoting). Rows sharing a
timestamp form one sample; a (foot, site) missing at a sample is NaN.

Bad rows are skipped and recorded as :class:`~analysis.errors.DataProblem` (row = 1-based line
of the file, header = line 1). Repeats of the same problem are aggregated into one problem with
a ``count`` and the first few rows in the message.
"""

from __future__ import annotations

import gzip
import io
from datetime import datetime, timedelta, timezone
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.errors import DataProblem, InputError
from analysis.sites import FEET, SITES
from analysis.streams import PLAUSIBLE_TEMPERATURE_C, TemperatureStream

REQUIRED_COLUMNS = ("timestamp", "foot", "site", "temperature_c")

#: If more than this share of the readings lies outside the plausible °C range, the whole file
#: is taken to be in the wrong unit and refused; fewer are skipped as bad rows.
WRONG_UNIT_SHARE = 0.05

_OFFSET_RE = r"\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)$"
_ROWS_SHOWN = 5


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    if raw[:2] == b"\x1f\x8b":
        try:
            raw = gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise InputError(f"gzip file is damaged: {exc}", source=str(path)) from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start}): expected a CSV file", source=str(path)
        ) from None


class _Problems:
    """Collects bad rows by (field, message) and turns them into aggregated DataProblems."""

    def __init__(self, source: str) -> None:
        self.source = source
        self._groups: dict[tuple[str | None, str], list[np.ndarray]] = {}

    def add(self, rows: np.ndarray, field: str | None, message: str) -> None:
        rows = np.asarray(rows, dtype=np.int64)
        if rows.size:
            self._groups.setdefault((field, message), []).append(rows)

    def result(self) -> tuple[DataProblem, ...]:
        out = []
        for (field, message), parts in self._groups.items():
            rows = np.sort(np.concatenate(parts))
            n = int(rows.size)
            if n > 1:
                shown = ", ".join(str(int(r)) for r in rows[:_ROWS_SHOWN])
                more = ", ..." if n > _ROWS_SHOWN else ""
                message = f"{message} (rows {shown}{more})"
            out.append(DataProblem(self.source, message, row=int(rows[0]), field=field, count=n))
        out.sort(key=lambda p: (p.row or 0, p.field or ""))
        return tuple(out)


def _field_counts(body: list[str], text_has_quotes: bool) -> np.ndarray:
    if not text_has_quotes:
        return pd.Series(body, dtype=object).str.count(",").to_numpy() + 1
    import csv

    return np.fromiter((len(r) for r in csv.reader(body)), dtype=np.int64, count=len(body))


def read_temperature_csv(path: str | Path) -> TemperatureStream:
    """Read the interchange CSV into a :class:`TemperatureStream` (see module docstring).

    Raises InputError for a file of the wrong kind (required columns missing), naive
    timestamps, temperatures in °F, or a file without a single valid row.
    """
    path = Path(path)
    src = str(path)
    text = _read_text(path)
    ends_with_newline = text.endswith(("\n", "\r"))
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if ends_with_newline:
        lines.pop()
    if not lines or not lines[0].strip():
        raise InputError(
            f"empty file: expected a header with columns {', '.join(REQUIRED_COLUMNS)}",
            source=src,
        )
    header = [c.strip().lower() for c in lines[0].split(",")]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if "temperature_c" in missing and any(c in header for c in ("temperature_f", "temp_f")):
        col = "temperature_f" if "temperature_f" in header else "temp_f"
        raise InputError(
            f"temperatures are in °F (column {col!r}); this reader takes °C only: convert "
            "(°C = (°F - 32) / 1.8) and name the column 'temperature_c'",
            source=src,
            field=col,
        )
    if missing:
        raise InputError(
            f"not a temperature file: expected columns {', '.join(REQUIRED_COLUMNS)} (any "
            f"order, extra columns allowed), found {', '.join(header) or 'none'}; missing "
            f"{', '.join(missing)}",
            source=src,
        )
    if len(set(header)) != len(header):
        dup = sorted({c for c in header if header.count(c) > 1})
        raise InputError(f"column names repeat: {', '.join(dup)}", source=src)

    problems = _Problems(src)
    ncol = len(header)
    body = lines[1:]
    line_no = np.arange(2, len(body) + 2, dtype=np.int64)
    stripped = pd.Series(body, dtype=object).str.strip()
    nonblank = (stripped != "").to_numpy()
    counts = _field_counts(body, '"' in text)
    good = nonblank & (counts == ncol)
    bad_count = nonblank & ~good
    if bad_count.any():
        last = len(body) - 1
        if not ends_with_newline and bad_count[last]:
            problems.add(
                line_no[[last]], None,
                f"last line is cut short (no line end, {counts[last]} of {ncol} fields): "
                "truncated file",
            )
            bad_count[last] = False
        problems.add(
            line_no[bad_count], None, f"wrong number of fields: expected {ncol}"
        )
    keep_lines = [body[i] for i in np.flatnonzero(good)]
    rows = line_no[good]
    if keep_lines:
        usecols = [header.index(c) for c in REQUIRED_COLUMNS]
        df = pd.read_csv(
            io.StringIO("\n".join(keep_lines)),
            header=None,
            usecols=usecols,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
        )
        df.columns = [header[i] for i in df.columns]
    else:
        df = pd.DataFrame({c: pd.Series([], dtype=object) for c in REQUIRED_COLUMNS})
    truncated_last = (not ends_with_newline) and len(body) > 0 and good[-1]
    last_line = int(line_no[-1]) if len(body) else -1

    ts_str = df["timestamp"].str.strip()
    foot = df["foot"].str.strip().str.lower()
    site = df["site"].str.strip().str.lower()
    temp_str = df["temperature_c"].str.strip()

    ok = np.ones(len(df), dtype=bool)

    def reject(mask: np.ndarray, field: str, message: str) -> None:
        nonlocal ok
        mask = mask & ok
        if not mask.any():
            return
        if truncated_last and rows[-1] == last_line and mask[-1]:
            problems.add(
                rows[[-1]], field,
                "last line is cut short (no line end) and its value is unusable: truncated file",
            )
            mask = mask.copy()
            mask[-1] = False
            ok[-1] = False
        problems.add(rows[mask], field, message)
        ok &= ~mask

    # Time: parse to UTC instants, then check that every one carried an offset.
    utc = pd.to_datetime(ts_str, utc=True, errors="coerce", format="ISO8601")
    unparsed = utc.isna().to_numpy()
    reject(unparsed, "timestamp", "not an ISO 8601 date-time")
    has_offset = ts_str.str.contains(_OFFSET_RE, regex=True, na=False).to_numpy()
    naive = ~unparsed & ~has_offset & ok
    if naive.any():
        first = int(rows[np.flatnonzero(naive)[0]])
        raise InputError(
            f"timestamp {ts_str.iloc[int(np.flatnonzero(naive)[0])]!r} has no UTC offset "
            f"({int(naive.sum())} such rows): write e.g. 2026-03-01T08:00:00+01:00 or ...Z so "
            "local days are known",
            source=src,
            row=first,
            field="timestamp",
        )
    reject(~foot.isin(FEET).to_numpy(), "foot", f"foot must be one of {', '.join(FEET)}")
    reject(~site.isin(SITES).to_numpy(), "site", f"site must be one of {', '.join(SITES)}")
    temp = pd.to_numeric(temp_str, errors="coerce").to_numpy(dtype=np.float64)
    reject(~np.isfinite(temp), "temperature_c", "temperature is not a number")

    lo, hi = PLAUSIBLE_TEMPERATURE_C
    outside = ok & ((temp < lo) | (temp > hi))
    n_ok = int(ok.sum())
    if n_ok and outside.sum() > WRONG_UNIT_SHARE * n_ok:
        idx = np.flatnonzero(outside)
        shown = ", ".join(str(int(r)) for r in rows[idx[:_ROWS_SHOWN]])
        vals = temp[idx]
        looks_f = float(np.median(vals)) > hi and float(np.median(vals)) < 130
        raise InputError(
            f"{idx.size} of {n_ok} temperatures lie outside the plausible {lo:g}..{hi:g} °C "
            f"(rows {shown}{', ...' if idx.size > _ROWS_SHOWN else ''}; values "
            f"{vals.min():.1f}..{vals.max():.1f})"
            + (": they look like °F; convert to °C" if looks_f else ": values must be °C"),
            source=src,
            row=int(rows[idx[0]]),
            field="temperature_c",
        )
    reject(outside, "temperature_c", f"temperature outside the plausible {lo:g}..{hi:g} °C")

    # Duplicates of (time, foot, site): identical values collapse, different values conflict.
    t_ns = utc.to_numpy(dtype="datetime64[ns]").astype(np.int64)
    fi = pd.Index(FEET).get_indexer(foot).astype(np.int64)
    si = pd.Index(SITES).get_indexer(site).astype(np.int64)
    sel = np.flatnonzero(ok)
    key = pd.DataFrame({"t": t_ns[sel], "f": fi[sel], "s": si[sel], "v": temp[sel]})
    dup_any = key.duplicated(["t", "f", "s"], keep=False).to_numpy()
    if dup_any.any():
        nvals = key[dup_any].groupby(["t", "f", "s"])["v"].transform("nunique").to_numpy()
        conflict = np.zeros(len(key), dtype=bool)
        conflict[np.flatnonzero(dup_any)[nvals > 1]] = True
        same_repeat = dup_any & ~conflict & key.duplicated(["t", "f", "s"], keep="first").to_numpy()
        mask = np.zeros(len(df), dtype=bool)
        mask[sel[conflict]] = True
        reject(
            mask, "temperature_c",
            "the same time, foot and site appear with different temperatures; all of them "
            "skipped",
        )
        ok[sel[same_repeat]] = False  # exact repeats: keep one silently

    sel = np.flatnonzero(ok)
    if sel.size == 0:
        found = problems.result()
        detail = f"; first problem: {found[0]}" if found else ""
        raise InputError(f"no valid temperature rows{detail}", source=src)

    t_sel = t_ns[sel]
    uniq, inverse = np.unique(t_sel, return_inverse=True)
    values = np.full((uniq.size, len(FEET), len(SITES)), np.nan)
    values[inverse, fi[sel], si[sel]] = temp[sel]

    # The stream starts at the earliest timestamp, in that row's own UTC offset.
    first_row = sel[int(np.argmin(t_sel))]
    first_str = ts_str.iloc[int(first_row)]
    start = _aware(first_str, int(uniq[0]))
    time_s = (uniq - uniq[0]).astype(np.float64) / 1e9
    return TemperatureStream(
        time_s=time_s, values_c=values, start=start, source=src, problems=problems.result()
    )


def _aware(text: str, utc_ns: int) -> datetime:
    """The instant ``utc_ns`` expressed in the UTC offset written in ``text``."""
    s = text.strip().replace(" ", "T", 1)
    if s.endswith(("Z", "z")):
        s = s[:-1] + "+00:00"
    try:
        offset = datetime.fromisoformat(s).utcoffset()
    except ValueError:
        offset = pd.Timestamp(s).utcoffset()
    instant = pd.Timestamp(utc_ns, unit="ns", tz="UTC").to_pydatetime()
    return instant.astimezone(timezone(offset or timedelta(0)))


def write_temperature_csv(stream: TemperatureStream, path: str | Path) -> Path:
    """Write ``stream`` as the interchange CSV (``.gz`` suffix: gzip). NaN readings are left
    out; timestamps carry the stream start's UTC offset, to the microsecond."""
    path = Path(path)
    t_idx, f_idx, s_idx = np.nonzero(np.isfinite(stream.values_c))
    offset = stream.start.utcoffset() or timedelta(0)
    total = int(offset.total_seconds())
    sign = "+" if total >= 0 else "-"
    hh, mm = divmod(abs(total) // 60, 60)
    suffix = f"{sign}{hh:02d}:{mm:02d}"
    local0 = pd.Timestamp(stream.start.replace(tzinfo=None))
    us = np.round(stream.time_s * 1e6).astype(np.int64)
    local = local0 + pd.to_timedelta(us, unit="us")
    stamps = np.asarray(local.strftime("%Y-%m-%dT%H:%M:%S.%f"), dtype=object) + suffix
    df = pd.DataFrame(
        {
            "timestamp": stamps[t_idx],
            "foot": np.asarray(FEET, dtype=object)[f_idx],
            "site": np.asarray(SITES, dtype=object)[s_idx],
            "temperature_c": stream.values_c[t_idx, f_idx, s_idx],
        }
    )
    df.to_csv(path, index=False, lineterminator="\n", compression="infer", float_format="%.17g")
    return path
