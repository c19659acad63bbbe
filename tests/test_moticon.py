"""Moticon OpenGo export reader/writer and UDP line parser."""

from __future__ import annotations

import gzip
from datetime import UTC, datetime, timedelta, timezone

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from analysis.errors import InputError
from analysis.layouts import SOLEWATCH_16
from analysis.streams import PressureStream
from firmware_bridge.readers import detect_kind
from firmware_bridge.readers.moticon import (
    parse_moticon_udp_line,
    read_moticon_export,
    read_moticon_recording,
    read_moticon_steps,
    udp_line_length,
    write_moticon_export,
)
from fixtures.generator import generate_gait

START = datetime(2026, 3, 15, 9, 30, 15, 250_000, tzinfo=UTC)


@pytest.fixture(scope="module")
def walk():
    return generate_gait(SOLEWATCH_16, sample_rate_hz=100, duration_s=30, seed=11, start=START)


def _header(**over: str) -> str:
    h = {
        "Start time": "15.03.2026 09:30:15.250", "Duration": "0:00:01", "Sensor insoles":
        "left and right", "Size": "42-43", "Recording type": "Recording", "Name": "t",
        "Notes": "", "Tag": "",
    } | over
    return "".join(f"# {k}: {v}\n" for k, v in h.items())


def _columns(feet=("left", "right")) -> list[str]:
    cols = ["time"]
    for f in feet:
        cols += [f"{f} pressure {i}" for i in range(1, 17)]
    return cols


def _row(t: float, n_feet: int = 2, base: float = 1.0) -> list[str]:
    return [f"{t:.2f}"] + [f"{base + 0.1 * i:.1f}" for i in range(16 * n_feet)]


def _write(tmp_path, name, text):
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


# -- round trip ------------------------------------------------------------------------------


def test_round_trip_values_start_rate_and_steps(walk, tmp_path):
    stream, truth = walk
    path = write_moticon_export(stream, tmp_path / "w.txt", steps=truth.moticon_steps(),
                                name="walk", notes="two\nlines", decimals=3)
    back = read_moticon_export(path)
    assert isinstance(back, PressureStream)
    assert back.unit == "kPa" and back.layout is SOLEWATCH_16
    assert back.start == START
    assert back.sample_rate_hz == pytest.approx(100.0)
    assert back.problems == ()
    np.testing.assert_allclose(back.time_s, stream.time_s, atol=5e-4)
    # 3 decimals of N/cm^2 = 0.01 kPa
    np.testing.assert_allclose(back.left, stream.left, atol=0.0051)
    np.testing.assert_allclose(back.right, stream.right, atol=0.0051)
    steps = read_moticon_steps(path)
    for foot in ("left", "right"):
        np.testing.assert_allclose(steps[foot]["heel_strike_s"], truth.initial_contact_s[foot],
                                   atol=0.0051)
        np.testing.assert_allclose(steps[foot]["toe_off_s"], truth.final_contact_s[foot],
                                   atol=0.0051)
    rec = read_moticon_recording(path)
    assert rec.header["Name"] == "walk" and rec.header["Notes"] == "two lines"
    # total force written in N: pressures (kPa) x 192 mm^2 areas
    np.testing.assert_allclose(rec.columns["left total force"],
                               stream.left @ (SOLEWATCH_16.sensor_area_mm2 / 1000), atol=0.06)


def test_gzip_export_reads_like_plain_and_is_deterministic(walk, tmp_path):
    stream, truth = walk
    plain = write_moticon_export(stream, tmp_path / "a.txt", steps=truth.moticon_steps())
    gz = write_moticon_export(stream, tmp_path / "a.txt.gz", steps=truth.moticon_steps())
    raw = gz.read_bytes()
    assert raw[:2] == b"\x1f\x8b" and raw[4:8] == b"\0\0\0\0"  # gzip mtime 0
    assert gzip.decompress(raw) == plain.read_bytes()
    a, b = read_moticon_export(plain), read_moticon_export(gz)
    np.testing.assert_array_equal(a.left, b.left)
    np.testing.assert_array_equal(a.right, b.right)
    write_moticon_export(stream, tmp_path / "b.txt.gz", steps=truth.moticon_steps())
    assert (tmp_path / "b.txt.gz").read_bytes() == raw
    assert detect_kind(gz) == "moticon"


def test_writer_refuses_wrong_layout_and_raw(tmp_path):
    from analysis.layouts import GAITPDB_8

    s8, _ = generate_gait(GAITPDB_8, sample_rate_hz=50, duration_s=12, seed=1)
    with pytest.raises(ValueError, match="16 sensors"):
        write_moticon_export(s8, tmp_path / "x.txt")


# -- header parsing and column finding -------------------------------------------------------


def test_header_start_time_with_utc_offset_and_column_aliases(tmp_path):
    # columns in another order, spelt with units, underscores, capitals; time in ms; extra IMU,
    # COP and steps columns; an unknown column is ignored
    cols = (["Time [ms]", "steps", "Left_Acceleration_X (g)", "unknown thing"]
            + [f"Left Pressure {i} [N/cm²]" for i in range(16, 0, -1)]
            + ["left centre of pressure Y", "left COP velocity X", "Left total force [N]"])
    rows = []
    for k in range(5):
        cells = [f"{k * 10}", "11" if k == 2 else "0", "0.5", "abc"]
        # the column at position j is 'pressure 17 - j' and holds (17 - j) * 0.5 N/cm^2
        cells += [f"{(17 - j) * 0.5:.1f}" for j in range(1, 17)]
        cells += ["0.1", "0.2", "700"]
        rows.append("\t".join(cells))
    p = _write(tmp_path, "m.txt", _header() + "\t".join(cols) + "\n" + "\n".join(rows) + "\n")
    s = read_moticon_export(p, utc_offset=timedelta(hours=1))
    assert s.start == datetime(2026, 3, 15, 9, 30, 15, 250_000,
                               tzinfo=timezone(timedelta(hours=1)))
    assert s.start.astimezone(UTC).hour == 8
    assert s.right is None and s.left.shape == (5, 16)
    np.testing.assert_allclose(s.time_s, [0.0, 0.01, 0.02, 0.03, 0.04])
    assert s.sample_rate_hz == pytest.approx(100.0)
    # so pressure i holds i * 0.5 N/cm^2 = 5 i kPa, wherever its column stands
    np.testing.assert_allclose(s.left[0], [5.0 * i for i in range(1, 17)])
    rec = read_moticon_recording(p)
    assert set(rec.columns) >= {"left acceleration x", "left cop y", "left cop_velocity x",
                                "left total force", "steps"}
    assert read_moticon_steps(p)["left"]["heel_strike_s"].tolist() == [0.02]


def test_kpa_unit_in_header_is_not_scaled(tmp_path):
    cols = ["time"] + [f"right pressure {i} [kPa]" for i in range(1, 17)]
    text = _header() + "\t".join(cols) + "\n" + "\t".join(_row(0.0, 1)) + "\n"
    s = read_moticon_export(_write(tmp_path, "k.txt", text))
    assert s.left is None
    assert s.right[0, 0] == pytest.approx(1.0)


def test_missing_insole_gives_none(tmp_path):
    text = _header(**{"Sensor insoles": "left"}) + "\t".join(_columns(("left",))) + "\n"
    text += "\n".join("\t".join(_row(k / 100, 1)) for k in range(10)) + "\n"
    s = read_moticon_export(_write(tmp_path, "l.txt", text))
    assert s.right is None and s.feet() == ("left",)
    assert s.left.shape == (10, 16)
    assert s.left[0, 1] == pytest.approx(11.0)  # 1.1 N/cm^2


def test_header_as_last_comment_line(tmp_path):
    text = _header() + "# " + "\t".join(_columns()) + "\n" + "\t".join(_row(0.0)) + "\n"
    s = read_moticon_export(_write(tmp_path, "c.txt", text))
    assert s.n_samples == 1 and s.right is not None


# -- bad input -------------------------------------------------------------------------------


def _good_lines(n: int) -> list[str]:
    return ["\t".join(_row(k / 100)) for k in range(n)]


def test_bad_rows_are_skipped_with_line_and_column(tmp_path):
    head = _header() + "\t".join(_columns()) + "\n"
    n_head = head.count("\n")  # 9: data line k (0-based) is file line n_head + k + 1
    lines = _good_lines(12)
    lines[2] = lines[2] + "\t9.9"  # wrong cell count
    cells = lines[4].split("\t")
    cells[3] = "n/a"  # column 'left pressure 3'
    lines[4] = "\t".join(cells)
    cells = lines[7].split("\t")
    cells[0] = "0.01"  # time goes back
    lines[7] = "\t".join(cells)
    lines[11] = "\t".join(lines[11].split("\t")[:10])  # truncated, no final newline
    p = _write(tmp_path, "bad.txt", head + "\n".join(lines))
    s = read_moticon_export(p)
    assert s.n_samples == 12 - 4
    msgs = [str(pr) for pr in s.problems]
    assert len(msgs) == 4, msgs
    by_row = {pr.row: pr for pr in s.problems}
    assert set(by_row) == {n_head + 3, n_head + 5, n_head + 8, n_head + 12}
    assert "expected 33" in by_row[n_head + 3].message and "34" in by_row[n_head + 3].message
    assert by_row[n_head + 5].field == "left pressure 3" and "n/a" in by_row[n_head + 5].message
    assert by_row[n_head + 8].field == "time" and "does not increase" in by_row[n_head + 8].message
    assert "truncated" in by_row[n_head + 12].message
    for pr in s.problems:
        assert "bad.txt" in str(pr) and f"row {pr.row}" in str(pr)
    # the kept rows are exactly the good ones, values intact
    np.testing.assert_allclose(s.time_s, [0, .01, .03, .05, .06, .08, .09, .10])
    assert np.isfinite(s.left).all() and s.left[0, 0] == pytest.approx(10.0)


def test_empty_cells_are_nan_not_errors(tmp_path):
    lines = _good_lines(3)
    cells = lines[1].split("\t")
    cells[20] = ""
    lines[1] = "\t".join(cells)
    s = read_moticon_export(_write(tmp_path, "e.txt",
                                   _header() + "\t".join(_columns()) + "\n" + "\n".join(lines)
                                   + "\n"))
    assert s.n_samples == 3 and s.problems == ()
    assert np.isnan(s.right[1, 3]) and np.isfinite(s.right[0]).all()


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ("timestamp,foot,site,temperature_c\n2026-03-01T00:00:00Z,left,heel,30\n", "time"),
        ("", "no column header"),
        (_header() + "time\tleft acceleration X\n0\t1\n", "no pressure columns"),
        (_header() + "\t".join(["time"] + [f"left pressure {i}" for i in range(1, 15)]) + "\n",
         r"missing \['left pressure 15', 'left pressure 16'\]"),
        (_header() + "\t".join(_columns()) + "\n" + "x\t" * 32 + "x\n", "no valid data row"),
        (_header(**{"Start time": "2026-03-15 09:00"}) + "\t".join(_columns()) + "\n"
         + "\t".join(_row(0.0)) + "\n", "Start time"),
    ],
)
def test_wrong_kind_of_file_raises(tmp_path, content, match):
    p = _write(tmp_path, "w.txt", content)
    with pytest.raises(InputError, match=match) as err:
        read_moticon_export(p)
    assert "w.txt" in str(err.value)


def test_binary_file_raises(tmp_path):
    p = tmp_path / "b.txt"
    p.write_bytes(b"\x00\x01\x02" * 100)
    with pytest.raises(InputError, match="binary"):
        read_moticon_export(p)


def test_steps_missing_raises(tmp_path):
    p = _write(tmp_path, "n.txt", _header() + "\t".join(_columns()) + "\n"
               + "\t".join(_row(0.0)) + "\n")
    with pytest.raises(InputError, match="steps"):
        read_moticon_steps(p)


# -- UDP lines -------------------------------------------------------------------------------


def _udp_values() -> list[float]:
    vals = [12.5]
    for foot in (0, 1):
        vals += [0.1 + foot, 0.2, 0.3]  # acceleration
        vals += [1.0, 2.0, 3.0 + foot]  # angular rate
        vals += [0.05, -0.2]  # COP
        vals += [0.5 * i + foot for i in range(16)]  # pressures, N/cm^2
        vals += [400.0 + foot]  # total force
    return vals


def test_udp_full_line():
    vals = _udp_values()
    assert len(vals) == 51 == udp_line_length("full")
    s = parse_moticon_udp_line(" ".join(f"{v:g}" for v in vals) + "\r\n")
    assert s.time_s == 12.5
    assert s.left.acceleration == pytest.approx((0.1, 0.2, 0.3))
    assert s.right.angular == pytest.approx((1.0, 2.0, 4.0))
    assert s.left.cop == pytest.approx((0.05, -0.2))
    np.testing.assert_allclose(s.left.pressure_kpa, [5.0 * i for i in range(16)])
    np.testing.assert_allclose(s.right.pressure_kpa, [5.0 * i + 10.0 for i in range(16)])
    assert s.left.total_force_n == 400.0 and s.right.total_force_n == 401.0
    # tabs and bytes work too
    assert parse_moticon_udp_line("\t".join(map(str, vals)).encode()).time_s == 12.5


def test_udp_shrunk_layouts():
    line = " ".join(["3"] + ["1"] * 16 + ["2"] * 16)
    s = parse_moticon_udp_line(line, layout="pressure")
    assert udp_line_length("pressure") == 33
    assert s.left.acceleration is None and s.left.total_force_n is None
    np.testing.assert_allclose(s.right.pressure_kpa, 20.0)
    s2 = parse_moticon_udp_line(" ".join(["0"] + ["1"] * 17 + ["2"] * 17),
                                layout=["total_force", "pressure"])
    assert s2.right.total_force_n == 2.0 and s2.left.pressure_kpa.shape == (16,)


def test_udp_wrong_count_and_non_number():
    vals = _udp_values()
    with pytest.raises(InputError, match=r"expected 51 values.*found 50"):
        parse_moticon_udp_line(" ".join(map(str, vals[:-1])))
    bad = [str(v) for v in vals]
    bad[9] = "oops"
    with pytest.raises(InputError, match="value 9 is not a number") as err:
        parse_moticon_udp_line(" ".join(bad))
    assert err.value.field == "[9]"
    with pytest.raises(ValueError, match="unknown UDP layout"):
        parse_moticon_udp_line("1", layout="everything")


@settings(max_examples=25, deadline=None)
@given(
    values=arrays(np.float64, (7, 16), elements=st.one_of(
        st.floats(0, 1000, allow_nan=False), st.just(np.nan))),
    rate_hz=st.sampled_from([50.0, 100.0, 200.0]),
)
def test_round_trip_any_values(tmp_path_factory, values, rate_hz):
    t = np.arange(7) / rate_hz
    stream = PressureStream(time_s=t, left=values, right=None, layout=SOLEWATCH_16, unit="kPa",
                            sample_rate_hz=rate_hz, start=START)
    path = write_moticon_export(stream, tmp_path_factory.mktemp("h") / "h.txt", decimals=3)
    back = read_moticon_export(path)
    assert back.right is None and back.problems == ()
    np.testing.assert_array_equal(np.isnan(back.left), np.isnan(values))
    np.testing.assert_allclose(back.left, values, atol=0.0051, equal_nan=True)
    assert back.sample_rate_hz == pytest.approx(rate_hz)


def test_time_without_unit_in_milliseconds_is_recognised(tmp_path):
    text = _header() + "\t".join(_columns()) + "\n"
    text += "\n".join("\t".join([str(10 * k), *_row(0.0)[1:]]) for k in range(5)) + "\n"
    s = read_moticon_export(_write(tmp_path, "ms.txt", text))
    np.testing.assert_allclose(s.time_s, [0.0, 0.01, 0.02, 0.03, 0.04])
    assert s.sample_rate_hz == pytest.approx(100.0)
    assert len(s.problems) == 1 and "milliseconds" in s.problems[0].message
    assert s.problems[0].field == "time" and s.problems[0].row == 9


def test_other_spellings_timestamp_and_pressure_sensor(tmp_path):
    cols = ["Timestamp (s)"] + [f"Right-Pressure-Sensor-{i}" for i in range(1, 17)]
    text = _header() + "\t".join(cols) + "\n" + "\t".join(_row(0.5, 1)) + "\n"
    s = read_moticon_export(_write(tmp_path, "alt.txt", text))
    assert s.left is None and s.right.shape == (1, 16)
    assert s.time_s.tolist() == [0.5] and s.right[0, 15] == pytest.approx(25.0)
