"""load_input picks the right reader from the content and refuses what it cannot read."""

from __future__ import annotations

import gzip
import shutil

import numpy as np
import pytest

from analysis.errors import InputError
from firmware_bridge.readers import detect_kind, load_input


def test_every_real_format_is_recognised(shared_data, fixture_data):
    assert detect_kind(shared_data / "gaitndd" / "park1.hea") == "gaitndd"
    assert detect_kind(shared_data / "gaitpdb" / "GaCo01_01.txt") == "gaitpdb"
    assert detect_kind(shared_data / "gaitpdb" / "JuCo01_01.csv") == "gaitpdb"
    assert detect_kind(fixture_data / "demo" / "pressure.txt.gz") == "moticon"
    assert detect_kind(fixture_data / "demo" / "temperature.csv.gz") == "temperature_csv"


def test_session_folder_pairs_pressure_and_temperature(fixture_data):
    rec = load_input(fixture_data / "demo")
    assert rec.pressure is not None and rec.temperature is not None


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "the file is empty"),
        ("list.txt", b"milk\neggs\n", "unknown format"),
        ("image.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "binary content"),
        ("control1.ts", b"21.93\t1.06\n", "reference table"),
    ],
)
def test_wrong_kind_of_file_says_what_was_expected(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputError, match=message) as info:
        load_input(path)
    assert name in str(info.value)


def test_folder_with_two_pressure_files_is_refused(tmp_path, fixture_data):
    for i in (1, 2):
        shutil.copy(fixture_data / "demo" / "pressure.txt.gz", tmp_path / f"p{i}.txt.gz")
    with pytest.raises(InputError, match="more than one pressure recording"):
        load_input(tmp_path)


def test_corrupt_gzip_is_a_clear_error(tmp_path, fixture_data):
    data = (fixture_data / "demo" / "temperature.csv.gz").read_bytes()
    path = tmp_path / "t.csv.gz"
    path.write_bytes(data[:10] + b"garbage" * 10)
    with pytest.raises(InputError, match=r"t\.csv\.gz"):
        load_input(path)
    good = tmp_path / "ok.csv.gz"
    good.write_bytes(gzip.compress(b"timestamp,foot,site,temperature_c\n"
                                   b"2026-01-01T08:00:00+00:00,left,heel,30.5\n"))
    assert load_input(good).temperature.n_samples == 1


def test_missing_path(tmp_path):
    with pytest.raises(InputError, match="no such file"):
        load_input(tmp_path / "nothing.txt")


@pytest.mark.parametrize("name", ["temperature.csv.gz", "pressure.txt.gz"])
def test_gzip_cut_in_half_keeps_the_first_half(tmp_path, fixture_data, name):
    """An interrupted copy loses only what is missing: the rest is read and the loss reported."""
    whole = load_input(fixture_data / "demo" / name)
    data = (fixture_data / "demo" / name).read_bytes()
    cut = tmp_path / name
    cut.write_bytes(data[: len(data) // 2])
    part = load_input(cut)
    stream_whole = whole.pressure or whole.temperature
    stream_part = part.pressure or part.temperature
    n = stream_part.n_samples
    assert 0.3 * stream_whole.n_samples < n < stream_whole.n_samples
    assert np.array_equal(stream_part.time_s, stream_whole.time_s[:n])
    if part.pressure is not None:
        assert np.array_equal(part.pressure.left, whole.pressure.left[:n])
    else:
        got, want = part.temperature.values_c, whole.temperature.values_c[:n]
        assert np.array_equal(got[:-1], want[:-1], equal_nan=True)
        # the cut may fall inside the last timestamp's rows: the sites read are exact
        last = np.isfinite(got[-1])
        assert np.array_equal(got[-1][last], want[-1][last])
    assert any("ends early" in str(p) and name in str(p) for p in part.problems)
