"""Reading a recording's bytes, keeping what a damaged gzip still holds."""

from __future__ import annotations

import zlib
from pathlib import Path

from analysis.errors import DataProblem, InputError

GZIP_MAGIC = b"\x1f\x8b"
NEWLINE = b"\n"


def read_bytes_tolerant(path: Path) -> tuple[bytes, DataProblem | None]:
    """The file's bytes, gunzipped when it is gzip.

    A gzip stream that is cut short or damaged part-way keeps everything that decompressed
    before the damage and returns a :class:`DataProblem` saying so (a copy interrupted or a
    full disk should not lose hours of good data). Damage before any data raises InputError.
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=str(path)) from None
    except OSError as exc:
        raise InputError(f"cannot read: {exc}", source=str(path)) from None
    if raw[:2] != GZIP_MAGIC:
        return raw, None
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    out = []
    problem = None
    chunk = 1 << 20
    try:
        for i in range(0, len(raw), chunk):
            out.append(d.decompress(raw[i:i + chunk]))
            if d.eof:
                break
        out.append(d.flush())
        damaged = None if d.eof else "the compressed file ends early"
    except zlib.error as exc:
        damaged = f"the compressed data is damaged ({exc})"
    data = b"".join(out)
    if damaged:
        # the last line was cut part-way (perhaps inside a character): drop it, keep the rest
        data = data[: data.rfind(b"\n") + 1]
        if not data:
            raise InputError(f"cannot read: {damaged}", source=str(path))
        n_lines = data.count(NEWLINE)
        problem = DataProblem(
            source=str(path),
            message=f"{damaged}: kept the {n_lines:,} complete lines that could be "
            "decompressed; anything after is lost",
        )
    return data, problem


def is_number(cell: str) -> bool:
    """True when ``cell`` parses as a float (the readers' test for a numeric cell)."""
    try:
        float(cell)
    except ValueError:
        return False
    return True
