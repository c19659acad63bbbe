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

import io
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.errors import DataProblem, InputError
from analysis.sites import FEET, SITES
from analysis.streams import PLAUSIBLE_TEMPERATURE_C, TemperatureStream
from firmware_bridge.readers._io import read_bytes_tolerant

REQUIRED_COLUMNS = ("timestamp", "foot", "site", "temperature_c")

#: If more than this share of the readings lies outside the plausible °C range, the whole file
#: is taken to be in the wrong unit and refused; fewer are skipped as bad rows.
WRONG_UNIT_SHARE = 0.05

_OFFSET_RE = (
    r"(?:\d{2}:\d{2}(?::\d{2})?|T\d{4}(?:\d{2})?)(?:[.,]\d+)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)$"
)
_ROWS_SHOWN = 5


def _read_bytes(path: Path) -> tuple[bytes, DataProblem | None]:
    """The file's bytes (gunzipped if gzip), checked to be UTF-8, without BOM, with LF ends.

    A damaged gzip keeps what decompressed and reports it (see readers._io)."""
    raw, damaged = read_bytes_tolerant(path)
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"not UTF-8 text (byte {exc.start}): expected a CSV file", source=str(path)
        ) from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    return raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n"), damaged


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


def _line_table(body: bytes, quoted: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per line of ``body`` (LF-separated, no trailing LF): start offset, end offset and the
    number of fields, computed on the byte array (no per-line Python work unless quoted)."""
    b = np.frombuffer(body, dtype=np.uint8)
    nl = np.flatnonzero(b == 10)
    starts = np.concatenate(([0], nl + 1))
    ends = np.concatenate((nl, [b.size]))
    if quoted:
        import csv

        text = body.decode("utf-8").split("\n")
        counts = np.fromiter((len(r) for r in csv.reader(text)), dtype=np.int64,
                             count=len(text))
    else:
        commas = np.concatenate(([0], np.cumsum(b == 44)))
        counts = commas[ends] - commas[starts] + 1
    return starts, ends, counts


def read_temperature_csv(path: str | Path) -> TemperatureStream:
    """Read the interchange CSV into a :class:`TemperatureStream` (see module docstring).

    Raises InputError for a file of the wrong kind (required columns missing), naive
    timestamps, temperatures in °F, or a file without a single valid row.
    """
    path = Path(path)
    src = str(path)
    data, damaged = _read_bytes(path)
    ends_with_newline = data.endswith(b"\n")
    if ends_with_newline:
        data = data[:-1]
    head_end = data.find(b"\n")
    head = data if head_end < 0 else data[:head_end]
    body = b"" if head_end < 0 else data[head_end + 1:]
    if not head.strip():
        raise InputError(
            f"empty file: expected a header with columns {', '.join(REQUIRED_COLUMNS)}",
            source=src,
        )
    header = [c.strip().lower() for c in head.decode("utf-8").split(",")]
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
    if head_end < 0:
        starts = ends = counts = np.zeros(0, dtype=np.int64)
    else:
        starts, ends, counts = _line_table(body, b'"' in body)
    nbody = starts.size
    line_no = np.arange(2, nbody + 2, dtype=np.int64)
    b = np.frombuffer(body, dtype=np.uint8)
    ink = np.concatenate(([0], np.cumsum((b != 32) & (b != 9))))
    nonblank = ink[ends] - ink[starts] > 0
    good = nonblank & (counts == ncol)
    bad_count = nonblank & ~good
    if bad_count.any():
        last = nbody - 1
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
    rows = line_no[good]
    if good.any():
        if good.all():
            keep = body
        else:  # drop the bytes of the bad lines (each with its line end)
            per_line = np.repeat(good, ends - starts + 1)[: b.size]
            keep = b[per_line].tobytes()
        usecols = [header.index(c) for c in REQUIRED_COLUMNS]
        df = pd.read_csv(
            io.BytesIO(keep),
            header=None,
            usecols=usecols,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            engine="c",
            encoding="utf-8",
        )
        df.columns = [header[i] for i in df.columns]
    else:
        df = pd.DataFrame({c: pd.Series([], dtype=object) for c in REQUIRED_COLUMNS})
    truncated_last = (not ends_with_newline) and nbody > 0 and bool(good[-1])
    last_line = int(line_no[-1]) if nbody else -1

    # Columns repeat few distinct values (a timestamp per sample, two feet, six sites): clean
    # and parse the distinct values only, then index back.
    ts_codes, ts_uniq = pd.factorize(df["timestamp"])
    ts_uniq = pd.Series(ts_uniq, dtype=object).str.strip()
    foot = _clean_categories(df["foot"])
    site = _clean_categories(df["site"])
    temp_str = df["temperature_c"]

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
    utc_u = pd.to_datetime(ts_uniq, utc=True, errors="coerce", format="ISO8601")
    unparsed = utc_u.isna().to_numpy()[ts_codes]
    reject(unparsed, "timestamp", "not an ISO 8601 date-time")
    has_offset = ts_uniq.str.contains(_OFFSET_RE, regex=True, na=False).to_numpy()[ts_codes]
    naive = ~unparsed & ~has_offset & ok
    if naive.any():
        first = int(rows[np.flatnonzero(naive)[0]])
        raise InputError(
            f"timestamp {ts_uniq.iloc[ts_codes[np.flatnonzero(naive)[0]]]!r} has no UTC offset "
            f"({int(naive.sum())} such rows): write e.g. 2026-03-01T08:00:00+01:00 or ...Z so "
            "local days are known",
            source=src,
            row=first,
            field="timestamp",
        )
    reject(~np.isin(foot, FEET), "foot", f"foot must be one of {', '.join(FEET)}")
    reject(~np.isin(site, SITES), "site", f"site must be one of {', '.join(SITES)}")
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
    t_ns = utc_u.to_numpy(dtype="datetime64[ns]").astype(np.int64)[ts_codes]
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
    first_str = ts_uniq.iloc[int(ts_codes[first_row])]
    start = _aware(first_str, int(uniq[0]))
    time_s = (uniq - uniq[0]).astype(np.float64) / 1e9
    return TemperatureStream(
        time_s=time_s, values_c=values, start=start, source=src,
        problems=((damaged,) if damaged else ()) + problems.result(),
    )


def _clean_categories(col: pd.Series) -> np.ndarray:
    """Strip and lower-case a column with few distinct values (working on the distinct ones)."""
    codes, uniq = pd.factorize(col)
    cleaned = np.asarray([str(u).strip().lower() for u in uniq] + [""], dtype=object)
    return cleaned[codes]  # code -1 (missing) maps to ""


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
    out; timestamps carry the stream start's UTC offset, to the microsecond. A start in a time
    zone with daylight saving (a ``zoneinfo.ZoneInfo``) writes each timestamp in that zone's
    local time with the offset in force at that instant."""
    path = Path(path)
    t_idx, f_idx, s_idx = np.nonzero(np.isfinite(stream.values_c))
    us = np.round(stream.time_s * 1e6).astype(np.int64)
    if isinstance(stream.start.tzinfo, timezone):
        offset = stream.start.utcoffset() or timedelta(0)
        local0 = pd.Timestamp(stream.start.replace(tzinfo=None))
        local = local0 + pd.to_timedelta(us, unit="us")
        suffix: Any = _offset_text(int(offset.total_seconds()))
    else:
        utc = pd.Timestamp(stream.start).tz_convert("UTC") + pd.to_timedelta(us, unit="us")
        local = utc.tz_convert(stream.start.tzinfo).tz_localize(None)
        off_s = (local - utc.tz_localize(None)).total_seconds().to_numpy().astype(np.int64)
        uniq, inv = np.unique(off_s, return_inverse=True)
        suffix = np.asarray([_offset_text(int(o)) for o in uniq], dtype=object)[inv]
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


def _offset_text(total_s: int) -> str:
    """A UTC offset in seconds as ``+HH:MM``."""
    sign = "+" if total_s >= 0 else "-"
    hh, mm = divmod(abs(total_s) // 60, 60)
    return f"{sign}{hh:02d}:{mm:02d}"
