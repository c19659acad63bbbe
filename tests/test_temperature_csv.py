"""The temperature interchange CSV reader and writer."""

from __future__ import annotations

import gzip
from datetime import datetime, timedelta, timezone

import numpy as np
import pytest

from analysis.errors import InputError
from analysis.sites import SITES
from analysis.streams import TemperatureStream
from firmware_bridge.readers.temperature_csv import read_temperature_csv, write_temperature_csv

TZ = timezone(timedelta(hours=2))
HEADER = "timestamp,foot,site,temperature_c\n"


def make_stream(n: int = 30, seed: int = 0) -> TemperatureStream:
    rng = np.random.default_rng(seed)
    v = 30 + rng.normal(0, 1, (n, 2, len(SITES)))
    v[3, 1, 2] = np.nan  # one missing reading
    t = np.arange(n) * 60.0 + np.r_[0, rng.uniform(0, 0.5, n - 1)]  # sub-second jitter
    return TemperatureStream(t, v, datetime(2026, 5, 3, 23, 50, 0, 125000, tzinfo=TZ))


def lines(*rows: str) -> str:
    return HEADER + "".join(r + "\n" for r in rows)


def write(tmp_path, text: str, name: str = "t.csv"):
    p = tmp_path / name
    p.write_bytes(text.encode("utf-8"))
    return p


@pytest.mark.parametrize("name", ["t.csv", "t.csv.gz"])
def test_round_trip(tmp_path, name):
    s = make_stream()
    p = write_temperature_csv(s, tmp_path / name)
    if name.endswith(".gz"):
        assert p.read_bytes()[:2] == b"\x1f\x8b"
    r = read_temperature_csv(p)
    assert r.start == s.start and r.start.utcoffset() == timedelta(hours=2)
    np.testing.assert_allclose(r.time_s, s.time_s, atol=1e-6)
    np.testing.assert_array_equal(np.isnan(r.values_c), np.isnan(s.values_c))
    np.testing.assert_allclose(r.values_c, s.values_c, equal_nan=True)
    assert r.problems == ()


def test_extra_columns_any_order_and_merging(tmp_path):
    text = (
        "site,temperature_c,device,timestamp,foot\n"
        "heel,30.5,A1,2026-05-01T08:00:00+01:00,left\n"
        "heel,30.1,A1,2026-05-01T08:00:00+01:00,right\n"
        "mth1,31.0,A1,2026-05-01T07:00:00Z,left\n"  # same instant as 08:00+01:00
        "hallux,29.0,A1,2026-05-01T08:01:00+01:00,right\n"
    )
    s = read_temperature_csv(write(tmp_path, text))
    assert s.n_samples == 2
    np.testing.assert_allclose(s.time_s, [0.0, 60.0])
    assert s.values_c[0, 0, SITES.index("heel")] == 30.5
    assert s.values_c[0, 1, SITES.index("heel")] == 30.1
    assert s.values_c[0, 0, SITES.index("mth1")] == 31.0
    assert s.values_c[1, 1, SITES.index("hallux")] == 29.0
    assert np.isnan(s.values_c[1, 0]).all()
    assert s.start.utcoffset() == timedelta(hours=1)


def test_bom_crlf_and_gzip_by_content(tmp_path):
    text = lines("2026-05-01T08:00:00+01:00,left,heel,30.5").replace("\n", "\r\n")
    p = tmp_path / "x.csv.gz"
    p.write_bytes(gzip.compress(b"\xef\xbb\xbf" + text.encode()))
    s = read_temperature_csv(p)
    assert s.values_c[0, 0, SITES.index("heel")] == 30.5


def test_bad_rows_are_skipped_with_row_and_field(tmp_path):
    text = lines(
        "2026-05-01T08:00:00+01:00,left,heel,30.5",  # 2 ok
        "2026-05-01T08:00:00+01:00,middle,heel,30.5",  # 3 foot
        "2026-05-01T08:00:00+01:00,left,toe,30.5",  # 4 site
        "2026-05-01T08:00:00+01:00,left,mth1,warm",  # 5 not a number
        "2026-05-01T08:00:00+01:00,left,mth3,nan",  # 6 NaN
        "yesterday,left,mth5,30.0",  # 7 time
        "2026-05-01T08:00:00+01:00,left,hallux,30.0,extra",  # 8 column count
        "2026-05-01T08:01:00+01:00,right,heel,30.0",  # 9 duplicate, different value
        "2026-05-01T08:01:00+01:00,right,heel,31.0",  # 10
        "2026-05-01T08:01:00+01:00,right,mth1,29.0",  # 11 ok
        "2026-05-01T08:01:00+01:00,right,mth1,29.0",  # 12 exact repeat: fine
    )
    text += "2026-05-01T08:02:00+01:00,right,mth"  # 13: truncated, no line end
    s = read_temperature_csv(write(tmp_path, text))
    where = {(p.row, p.field) for p in s.problems}
    assert {(3, "foot"), (4, "site"), (5, "temperature_c"), (7, "timestamp"), (8, None),
            (9, "temperature_c"), (13, None)} <= where
    nan_problem = [p for p in s.problems if p.field == "temperature_c" and p.row == 5]
    assert nan_problem[0].count == 2  # rows 5 and 6 aggregated
    assert "6" in nan_problem[0].message
    dup = next(p for p in s.problems if p.row == 9)
    assert dup.count == 2 and "different" in dup.message
    assert "truncated" in next(p for p in s.problems if p.row == 13).message
    # Valid rows kept.
    assert s.values_c[0, 0, SITES.index("heel")] == 30.5
    assert s.values_c[1, 1, SITES.index("mth1")] == 29.0
    assert np.isnan(s.values_c[1, 1, SITES.index("heel")])
    assert str(s.problems[0]).startswith(str(tmp_path))


def test_repeated_problem_is_one_object(tmp_path):
    rows = [f"2026-05-01T08:{m // 60:02d}:{m % 60:02d}+01:00,left,heel,x" for m in range(2000)]
    rows.append("2026-05-01T09:00:00+01:00,left,heel,30.0")
    s = read_temperature_csv(write(tmp_path, lines(*rows)))
    assert len(s.problems) == 1
    assert s.problems[0].count == 2000 and s.problems[0].row == 2
    assert s.n_samples == 1


def test_wrong_kind_of_file(tmp_path):
    gait = "time_s,L1,L2,R1,R2\n0.0,1,2,3,4\n"
    with pytest.raises(InputError, match=r"expected columns timestamp, foot, site, "
                       r"temperature_c.*found time_s, l1") as e:
        read_temperature_csv(write(tmp_path, gait))
    assert e.value.source.endswith("t.csv")


def test_naive_timestamps_refused_with_row(tmp_path):
    text = lines("2026-05-01T08:00:00+01:00,left,heel,30.5",
                 "2026-05-01T08:01:00,left,heel,30.6")
    with pytest.raises(InputError, match="no UTC offset") as e:
        read_temperature_csv(write(tmp_path, text))
    assert e.value.row == 3 and e.value.field == "timestamp"


def test_fahrenheit_column_refused(tmp_path):
    text = "timestamp,foot,site,temperature_f\n2026-05-01T08:00:00+01:00,left,heel,88.0\n"
    with pytest.raises(InputError, match="°F") as e:
        read_temperature_csv(write(tmp_path, text))
    assert e.value.field == "temperature_f"


def test_fahrenheit_values_refused_with_rows(tmp_path):
    rows = [f"2026-05-01T08:{m:02d}:00+01:00,left,heel,{86 + m * 0.1:.1f}" for m in range(20)]
    with pytest.raises(InputError, match=r"look like °F") as e:
        read_temperature_csv(write(tmp_path, lines(*rows)))
    assert e.value.field == "temperature_c" and e.value.row == 2
    assert "rows 2, 3" in e.value.message


def test_isolated_implausible_value_is_a_skipped_row(tmp_path):
    rows = [f"2026-05-01T08:{m:02d}:00+01:00,left,heel,30.0" for m in range(40)]
    rows[10] = "2026-05-01T08:10:00+01:00,left,heel,85.0"
    s = read_temperature_csv(write(tmp_path, lines(*rows)))
    assert [(p.row, p.field) for p in s.problems] == [(12, "temperature_c")]
    assert s.n_samples == 39


def test_nothing_valid(tmp_path):
    with pytest.raises(InputError, match="no valid temperature rows"):
        read_temperature_csv(write(tmp_path, lines("2026-05-01T08:00:00+01:00,left,x,1")))


def test_large_file_reads_every_row(tmp_path):

    n = 200_000
    t0 = np.datetime64("2026-05-01T08:00:00")
    stamps = (t0 + np.arange(n // 12).repeat(12) * np.timedelta64(1, "s")).astype(str)
    feet = np.tile(np.repeat(["left", "right"], 6), n // 12)
    sites = np.tile(np.array(SITES), 2 * (n // 12))
    body = "\n".join(f"{s}+00:00,{f},{x},30.25" for s, f, x in zip(stamps, feet, sites,
                                                                  strict=True))
    p = write(tmp_path, HEADER + body + "\n")
    s = read_temperature_csv(p)
    assert s.n_samples == n // 12 and not s.problems
    assert np.all(s.values_c == 30.25)


@pytest.mark.parametrize(
    ("stamp", "offset_h"),
    [("2026-05-01 08:00:00+01:00", 1), ("2026-05-01T08:00:00.250Z", 0),
     ("2026-05-01T08:00+0100", 1), ("2026-05-01T08:00:00-05", -5),
     ("20260501T080000+0100", 1)],
)
def test_iso_8601_variants_with_offset(tmp_path, stamp, offset_h):
    s = read_temperature_csv(write(tmp_path, lines(f"{stamp},left,heel,30.0")))
    assert s.start.utcoffset() == timedelta(hours=offset_h)


@pytest.mark.parametrize("stamp", ["2026-05-01T08:00:00", "2026-05-01", "2026-05-01T08:00:00.5"])
def test_iso_8601_variants_without_offset_refused(tmp_path, stamp):
    with pytest.raises(InputError, match="no UTC offset"):
        read_temperature_csv(write(tmp_path, lines(f"{stamp},left,heel,30.0")))
