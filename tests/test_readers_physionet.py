"""PhysioNet readers: the published files read as distributed; corrupt copies fail clearly.

Expected values come from the files themselves (read here with plain Python, independently of
the readers) and from the database documentation (300 Hz, 90,000 samples, -2048 = invalid).
"""

from __future__ import annotations

import numpy as np
import pytest

from analysis.errors import InputError
from analysis.layouts import GAITNDD_1, GAITPDB_8, LAYOUTS
from firmware_bridge.readers.physionet import (
    GAITNDD_REFERENCE_COLUMNS,
    decode_212,
    read_gaitndd,
    read_gaitndd_reference,
    read_gaitpdb,
)


def _rows(path, sep):
    lines = path.read_text().splitlines()
    return [[float(c) for c in ln.split(sep)] for ln in lines if ln.strip()]


def _slow_212(raw: bytes) -> list[int]:
    """Format 212 decoded one sample at a time, as the WFDB documentation describes it."""
    out = []
    for i in range(0, len(raw) - 2, 3):
        b0, b1, b2 = raw[i], raw[i + 1], raw[i + 2]
        for v in (b0 | ((b1 & 0x0F) << 8), b2 | ((b1 >> 4) << 8)):
            out.append(v - 4096 if v >= 2048 else v)
    return out


# ---------------------------------------------------------------------------- gaitpdb


def test_gaitpdb_original_tab_file(shared_data):
    path = shared_data / "gaitpdb" / "GaCo01_01.txt"
    rows = _rows(path, "\t")
    s = read_gaitpdb(path)
    assert s.layout is GAITPDB_8 and s.unit == "N" and s.sample_rate_hz == 100.0
    assert s.source == str(path) and s.problems == ()
    assert s.n_samples == len(rows)
    assert s.left.shape == (len(rows), 8) and s.right.shape == (len(rows), 8)
    assert s.time_s[0] == rows[0][0] == 0.0
    assert np.array_equal(s.left[0], rows[0][1:9])
    assert np.array_equal(s.right[-1], rows[-1][9:17])
    # the file's own total columns agree with the sensors it sums
    assert s.left[0].sum() == pytest.approx(rows[0][17], abs=0.05)


def test_gaitpdb_csv_conversion_with_header(shared_data):
    path = shared_data / "gaitpdb" / "JuCo01_01.csv"
    lines = path.read_text().splitlines()
    assert lines[0].startswith("Time")
    rows = [[float(c) for c in ln.split(",")] for ln in lines[1:] if ln.strip()]
    s = read_gaitpdb(path)
    assert s.problems == ()
    assert s.n_samples == len(rows)
    assert s.time_s[0] == pytest.approx(0.01)  # the t = 0 row was dropped by the converter
    assert np.array_equal(s.left[0], rows[0][1:9])
    assert np.array_equal(s.right[0], rows[0][9:17])


def _copy_lines(shared_data, tmp_path, name="GaCo01_01.txt"):
    text = (shared_data / "gaitpdb" / name).read_text()
    return text.splitlines(keepends=True)


def test_gaitpdb_bad_rows_are_skipped_and_named(shared_data, tmp_path):
    lines = _copy_lines(shared_data, tmp_path)
    n = len(lines)
    cells = lines[9].rstrip("\n").split("\t")
    lines[9] = "\t".join(cells[:-1]) + "\n"  # line 10: a column short
    cells = lines[19].rstrip("\n").split("\t")
    cells[5] = "abc"
    lines[19] = "\t".join(cells) + "\n"  # line 20: text in L5
    cells = lines[29].rstrip("\n").split("\t")
    cells[0] = "0.1000"
    lines[29] = "\t".join(cells) + "\n"  # line 30: time goes back to 0.1 s
    lines[-1] = lines[-1][:20]  # truncated last line (no newline)
    path = tmp_path / "GaCo01_01.txt"
    path.write_text("".join(lines))
    s = read_gaitpdb(path)
    assert s.n_samples == n - 4  # every other row kept
    by_row = {p.row: p for p in s.problems}
    assert set(by_row) == {10, 20, 30, n}
    assert "expected 19 columns, found 18" in by_row[10].message
    assert by_row[20].field == "L5" and "'abc'" in by_row[20].message
    assert by_row[30].field == "time_s" and "does not increase" in by_row[30].message
    assert "truncated last line" in by_row[n].message
    assert all(p.source == str(path) for p in s.problems)
    assert "row 20" in str(by_row[20]) and str(path) in str(by_row[20])
    assert np.all(np.diff(s.time_s) > 0)


@pytest.mark.parametrize(
    ("name", "content", "expect"),
    [
        ("control1.hea", None, "19"),
        (
            "temperature.csv",
            "time_s,left_hallux_c,right_hallux_c\n0,30.1,30.4\n60,30.2,30.3\n",
            "gaitpdb walk",
        ),
        ("empty.txt", "", "empty file"),
    ],
)
def test_gaitpdb_wrong_kind_of_file(shared_data, tmp_path, name, content, expect):
    if content is None:
        path = shared_data / "gaitndd" / name
    else:
        path = tmp_path / name
        path.write_text(content)
    with pytest.raises(InputError) as err:
        read_gaitpdb(path)
    assert expect in str(err.value)
    assert str(path) in str(err.value)


# ---------------------------------------------------------------------------- gaitndd


def test_format_212_decoder_matches_slow_reference(shared_data):
    raw = (shared_data / "gaitndd" / "als5.rit").read_bytes()[:30_000]
    assert decode_212(raw).tolist() == _slow_212(raw)


def test_gaitndd_record_reads_as_the_header_says(shared_data):
    hea = shared_data / "gaitndd" / "control1.hea"
    # header: "control1 2 300 90000"; signal lines give initial values 503 and -157
    s = read_gaitndd(hea)
    assert s.layout is GAITNDD_1 and LAYOUTS["gaitndd-1"] is GAITNDD_1
    assert s.unit == "raw" and s.sample_rate_hz == 300.0
    assert s.n_samples == 90_000 and s.left.shape == (90_000, 1)
    assert s.left[0, 0] == 503 and s.right[0, 0] == -157
    assert s.time_s[-1] == pytest.approx(89_999 / 300)
    assert s.problems == ()  # checksums 22230 and -17678 verified
    assert read_gaitndd(shared_data / "gaitndd" / "control1").n_samples == 90_000  # stem
    raw = (shared_data / "gaitndd" / "control1.let").read_bytes()
    assert np.array_equal(s.left[:1000, 0], _slow_212(raw[:1500]))


def test_gaitndd_invalid_samples_become_nan(shared_data):
    s = read_gaitndd(shared_data / "gaitndd" / "als5.hea")
    raw = (shared_data / "gaitndd" / "als5.rit").read_bytes()
    invalid = np.array(_slow_212(raw)) == -2048
    assert invalid.size == 90_000
    assert invalid.mean() > 0.25  # README: one record has about 30% invalid samples
    assert np.array_equal(np.isnan(s.right[:, 0]), invalid)
    assert s.invalid_fraction["right"] == pytest.approx(invalid.mean())
    assert np.nanmin(s.right) > -2048
    # als1.rit starts on an invalid sample; its header says so with initial value -32768
    als1 = read_gaitndd(shared_data / "gaitndd" / "als1.hea")
    assert np.isnan(als1.right[0, 0]) and als1.problems == ()


def _copy_record(shared_data, tmp_path, name="control1"):
    for ext in ("hea", "let", "rit"):
        (tmp_path / f"{name}.{ext}").write_bytes(
            (shared_data / "gaitndd" / f"{name}.{ext}").read_bytes()
        )
    return tmp_path / f"{name}.hea"


def test_gaitndd_truncated_signal_keeps_what_is_there(shared_data, tmp_path):
    hea = _copy_record(shared_data, tmp_path)
    let = tmp_path / "control1.let"
    let.write_bytes(let.read_bytes()[:60_000])  # 40,000 of 90,000 samples
    s = read_gaitndd(hea)
    full = read_gaitndd(shared_data / "gaitndd" / "control1.hea")
    assert s.n_samples == 90_000
    assert np.array_equal(s.left[:40_000], full.left[:40_000])
    assert np.isnan(s.left[40_000:]).all()
    assert np.array_equal(s.right, full.right)
    (p,) = s.problems
    assert p.source == str(let) and p.row == 40_000 and "truncated" in p.message


def test_gaitndd_bad_checksum_is_reported(shared_data, tmp_path):
    hea = _copy_record(shared_data, tmp_path)
    rit = tmp_path / "control1.rit"
    data = bytearray(rit.read_bytes())
    data[3000] ^= 0x01  # flip one bit of one sample
    rit.write_bytes(bytes(data))
    s = read_gaitndd(hea)
    (p,) = s.problems
    assert "checksum" in p.message and "-17678" in p.message and p.source == str(rit)


def test_gaitndd_wrong_kind_of_file(shared_data, tmp_path):
    with pytest.raises(InputError, match="WFDB"):
        read_gaitndd(shared_data / "gaitpdb" / "GaCo01_01.txt")
    fake = tmp_path / "walk.hea"
    fake.write_text("time_s,left,right\n0,1,2\n")
    with pytest.raises(InputError) as err:
        read_gaitndd(fake)
    assert "WFDB header" in str(err.value) and "row 1" in str(err.value)
    hea = _copy_record(shared_data, tmp_path)
    (tmp_path / "control1.rit").unlink()
    with pytest.raises(InputError, match=r"control1\.rit"):
        read_gaitndd(hea)


def test_gaitndd_reference_table(shared_data, tmp_path):
    ts = shared_data / "gaitndd" / "control1.ts"
    rows = [[float(c) for c in ln.split()] for ln in ts.read_text().splitlines() if ln.strip()]
    ref = read_gaitndd_reference(ts)
    assert tuple(ref) == GAITNDD_REFERENCE_COLUMNS and len(ref) == 13
    assert all(v.size == len(rows) for v in ref.values())
    assert ref["elapsed_s"][0] == rows[0][0] and ref["double_support_pct"][-1] == rows[-1][12]
    # column meaning: stride = swing + stance
    assert np.allclose(ref["left_stride_s"], ref["left_swing_s"] + ref["left_stance_s"], atol=2e-4)
    bad = tmp_path / "bad.ts"
    bad.write_text("1\t2\t3\n")
    with pytest.raises(InputError, match="13"):
        read_gaitndd_reference(bad)


def _encode_212(samples: np.ndarray) -> bytes:
    """Pack a flat sequence of 12-bit two's-complement samples as format 212."""
    u = np.asarray(samples, dtype=np.int64) & 0xFFF
    if u.size % 2:
        u = np.append(u, 0)
    a, b = u[0::2], u[1::2]
    out = np.column_stack((a & 0xFF, (a >> 8) | ((b >> 8) << 4), b & 0xFF))
    return out.astype(np.uint8).tobytes()


def test_gaitndd_two_signals_interleaved_in_one_file(tmp_path):
    rng = np.random.default_rng(1)
    n = 1001  # odd: the last frame ends on a half triple
    left = rng.integers(-2047, 2048, n)
    right = rng.integers(-2047, 2048, n)
    left[10:20] = -2048  # invalid samples
    frames = np.column_stack((left, right)).ravel()
    (tmp_path / "rec.dat").write_bytes(_encode_212(frames))

    def checksum(v):
        c = int(v.sum()) % 65536
        return c - 65536 if c >= 32768 else c

    (tmp_path / "rec.hea").write_text(
        f"rec 2 200 {n}\n"
        f"rec.dat 212 1000 12 0 {left[0]} {checksum(left)} 0 left foot\n"
        f"rec.dat 212 1000 12 0 {right[0]} {checksum(right)} 0 right foot\n"
    )
    s = read_gaitndd(tmp_path / "rec.hea")
    assert s.problems == () and s.sample_rate_hz == 200.0 and s.n_samples == n
    assert np.isnan(s.left[10:20, 0]).all()
    keep = np.ones(n, dtype=bool)
    keep[10:20] = False
    assert np.array_equal(s.left[keep, 0], left[keep])
    assert np.array_equal(s.right[:, 0], right)
