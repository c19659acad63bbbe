"""Readers of recorded insole data, and :func:`load_input` which picks the right one.

Every reader returns analysis streams, keeps what is valid, and records what it skipped as
:class:`analysis.errors.DataProblem`. A file it cannot use raises
:class:`analysis.errors.InputError` naming the file and what was wrong.

Supported inputs (detected from the content, not only the name):

========================  =========================================================
PhysioNet gaitpdb         ``*.txt`` (19 tab-separated columns) or the ``*.csv`` variant
PhysioNet gaitndd         ``NAME.hea`` with ``NAME.let`` / ``NAME.rit`` (WFDB 212)
Moticon OpenGo export     tab-separated text with ``Start time`` header comments
temperature interchange   ``timestamp,foot,site,temperature_c`` CSV (optionally .gz)
solewatch raw log         ``*.swlog`` (magic ``SWLOG1``): both streams, replayed
a session folder          a folder holding one pressure file and/or one temperature file
========================  =========================================================
"""

from __future__ import annotations

import gzip
import zlib
from dataclasses import dataclass, field
from pathlib import Path

from analysis.errors import DataProblem, InputError
from analysis.streams import PressureStream, TemperatureStream


@dataclass
class Recording:
    """What one input (a file or a session folder) holds."""

    source: str
    pressure: PressureStream | None = None
    temperature: TemperatureStream | None = None
    problems: list[DataProblem] = field(default_factory=list)


def _head(path: Path, n_bytes: int = 4096) -> str:
    opener = gzip.open if path.suffix == ".gz" else open
    try:
        with opener(path, "rb") as fh:
            raw = fh.read(n_bytes)
    except (OSError, EOFError, zlib.error) as exc:
        raise InputError(f"cannot read (corrupt or not gzip?): {exc}", source=str(path)) from None
    if b"\x00" in raw[:1024] and path.suffix not in {".let", ".rit", ".dat"}:
        raise InputError("binary content, not a text recording", source=str(path))
    return raw.decode("utf-8-sig", errors="replace")


def detect_kind(path: str | Path) -> str:
    """Name the format of one file: 'gaitndd', 'gaitpdb', 'moticon', 'temperature_csv',
    'solewatch_log'."""
    p = Path(path)
    from firmware_bridge.recording import is_log

    if is_log(p):
        return "solewatch_log"
    if p.suffix == ".hea" or (
        p.suffix in {".let", ".rit", ""} and p.with_suffix(".hea").is_file()
    ):
        return "gaitndd"
    if p.suffix == ".ts":
        raise InputError(
            "a gaitndd per-stride reference table (.ts), not a recording: give the .hea",
            source=str(p),
        )
    head = _head(p)
    if not head.strip():
        raise InputError("the file is empty", source=str(p))
    first = next((ln for ln in head.splitlines() if ln.strip()), "")
    lowered = first.lower()
    if "timestamp" in lowered and "temperature" in lowered:
        return "temperature_csv"
    if "start time" in head.lower()[:2000] or lowered.startswith(("time\t", '"time"')):
        return "moticon"
    if lowered.startswith("time(sec)") or (
        len(first.split("\t")) == 19 or len(first.split(",")) == 19
    ):
        return "gaitpdb"
    raise InputError(
        "unknown format: expected a gaitpdb .txt/.csv, a gaitndd .hea, a Moticon OpenGo "
        "export or a timestamp,foot,site,temperature_c CSV; the first line is "
        f"{first[:80]!r}",
        source=str(p),
    )


def read_file(path: str | Path) -> PressureStream | TemperatureStream:
    """Read one file with the reader its content calls for (the pressure stream of a
    solewatch raw log, or its temperature stream when it holds no pressure)."""
    streams = _read_streams(path)
    return streams[0]


def _read_streams(path: str | Path) -> tuple[PressureStream | TemperatureStream, ...]:
    """Every stream one file holds (two for a solewatch raw log, else one)."""
    kind = detect_kind(path)
    if kind == "solewatch_log":
        from firmware_bridge.recording import replay_to_streams

        res = replay_to_streams(path)
        return tuple(s for s in (res.pressure, res.temperature) if s is not None)
    return (_read_one(path, kind),)


def _read_one(path: str | Path, kind: str) -> PressureStream | TemperatureStream:
    if kind == "gaitndd":
        from firmware_bridge.readers.physionet import read_gaitndd

        return read_gaitndd(path)
    if kind == "gaitpdb":
        from firmware_bridge.readers.physionet import read_gaitpdb

        return read_gaitpdb(path)
    if kind == "moticon":
        from firmware_bridge.readers.moticon import read_moticon_export

        return read_moticon_export(path)
    from firmware_bridge.readers.temperature_csv import read_temperature_csv

    return read_temperature_csv(path)


def _session_files(folder: Path) -> list[Path]:
    skip = {".md", ".json", ".ts", ".let", ".rit"}
    return sorted(
        p for p in folder.iterdir() if p.is_file() and p.suffix not in skip
        and not p.name.startswith(".")
    )


def load_input(path: str | Path) -> Recording:
    """Read a file or a session folder (one pressure and/or one temperature recording)."""
    p = Path(path)
    if not p.exists():
        raise InputError("no such file or folder", source=str(p))
    rec = Recording(source=str(p))
    files = _session_files(p) if p.is_dir() else [p]
    if p.is_dir() and not files:
        raise InputError("the folder holds no recording", source=str(p))
    for f in files:
        for stream in _read_streams(f):
            slot = "pressure" if isinstance(stream, PressureStream) else "temperature"
            if getattr(rec, slot) is not None:
                raise InputError(
                    f"the folder holds more than one {slot} recording "
                    f"({getattr(rec, slot).source} and {f}); give the files one by one",
                    source=str(p),
                )
            setattr(rec, slot, stream)
            rec.problems.extend(q for q in stream.problems if q not in rec.problems)
    return rec
