"""The command line end to end: real files in, the documented JSON and text out."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from analysis.config import AnalysisConfig
from solewatch.cli import main, settings_markdown

REPO = Path(__file__).resolve().parents[1]
SUMMARY_KEYS = {
    "cadence_steps_per_min", "stride_time_cv_pct", "swing_time_cv_pct", "double_support_pct",
    "gait_asymmetry", "pci_pct", "dfa_alpha",
}
ALERT_KEYS = {"rule", "foot", "site", "first_day", "confirmed_day", "delta_c", "message"}


def _run_json(capsys, *paths: str) -> tuple[int, list[dict]]:
    code = main(["analyze", "--json", *paths])
    out = capsys.readouterr().out
    return code, [json.loads(line) for line in out.splitlines() if line.strip()]


def _check_schema(obj: dict) -> None:
    assert {"source", "duration_s", "gait", "temperature", "alerts"} <= set(obj)
    for foot in ("left", "right"):
        assert isinstance(obj["gait"][foot]["initial_contacts_s"], list)
        assert isinstance(obj["gait"][foot]["final_contacts_s"], list)
    assert SUMMARY_KEYS <= set(obj["gait"]["summary"])
    assert isinstance(obj["temperature"]["daily"], list)
    for alert in obj["alerts"]:
        assert ALERT_KEYS <= set(alert)


def test_gaitpdb_file_json(capsys, shared_data):
    code, objs = _run_json(capsys, str(shared_data / "gaitpdb" / "GaCo01_01.txt"))
    assert code == 0
    (obj,) = objs
    _check_schema(obj)
    assert obj["duration_s"] > 60
    left = obj["gait"]["left"]["initial_contacts_s"]
    assert len(left) > 20 and left == sorted(left)
    s = obj["gait"]["summary"]
    # An adult walking at usual pace (gaitpdb control): cadence in the normal adult range.
    assert 80 < s["cadence_steps_per_min"] < 140
    assert obj["temperature"]["daily"] == []


def test_temperature_only_input_has_null_gait(capsys, fixture_data):
    temp = next((fixture_data / "healthy").glob("temperature.csv*"))
    code, (obj,) = _run_json(capsys, str(temp))
    assert code == 0
    _check_schema(obj)
    assert obj["gait"]["left"]["initial_contacts_s"] == []
    assert all(v is None for k, v in obj["gait"]["summary"].items() if k in SUMMARY_KEYS)
    assert obj["temperature"]["daily"]
    row = obj["temperature"]["daily"][0]
    assert {"date", "site", "left_c", "right_c", "delta_c"} <= set(row)


def test_demo_session_raises_hotspot_alert_with_evidence(capsys, fixture_data):
    code, (obj,) = _run_json(capsys, str(fixture_data / "demo"))
    assert code == 0
    _check_schema(obj)
    assert obj["gait"]["left"]["initial_contacts_s"], "the demo has walking"
    rules = [a["rule"] for a in obj["alerts"]]
    assert "contralateral_site" in rules
    alert = next(a for a in obj["alerts"] if a["rule"] == "contralateral_site")
    assert alert["delta_c"] > 2.2
    assert alert["first_day"] < alert["confirmed_day"]
    assert alert["evidence"], "an alert carries its evidence"


def test_bad_input_does_not_stop_good_input(capsys, tmp_path, shared_data):
    bad = tmp_path / "notes.txt"
    bad.write_text("this is a shopping list\nmilk\n")
    good = shared_data / "gaitpdb" / "GaCo01_01.txt"
    code = main(["analyze", "--json", str(bad), str(good)])
    captured = capsys.readouterr()
    assert code == 1
    assert "notes.txt" in captured.err and "unknown format" in captured.err
    objs = [json.loads(line) for line in captured.out.splitlines()]
    assert objs[0]["source"] == str(bad) and "error" in objs[0]
    assert objs[1]["source"] == str(good) and objs[1]["gait"]["left"]["initial_contacts_s"]


def test_missing_path_and_bad_config(capsys, tmp_path):
    assert main(["analyze", str(tmp_path / "nope.csv")]) == 1
    assert "no such file" in capsys.readouterr().err
    cfg = tmp_path / "c.toml"
    cfg.write_text("[temperature]\nno_such = 1\n")
    assert main(["analyze", "--config", str(cfg), str(tmp_path)]) == 2
    assert "temperature.no_such" in capsys.readouterr().err


def test_human_report_is_plain_and_says_not_a_diagnosis(capsys, fixture_data):
    assert main(["analyze", str(fixture_data / "demo")]) == 0
    text = capsys.readouterr().out
    assert "not a medical device" in text and "diagnosis" in text
    assert "What to do:" in text
    assert "°C" in text


def test_docs_list_every_setting():
    """docs/clinical.md holds the generated settings table: thresholds are defined once."""
    doc = (REPO / "docs" / "clinical.md").read_text(encoding="utf-8")
    table = settings_markdown(AnalysisConfig())
    assert table in doc, "run: .venv/bin/solewatch settings --markdown, paste into docs/clinical.md"


def test_console_script_runs():
    out = subprocess.run(
        [sys.executable, "-m", "solewatch", "settings"], capture_output=True, text=True, check=True
    ).stdout
    assert "contralateral_site_delta_c = 2.2 °C" in out


@pytest.mark.parametrize("argv", [["analyze"], ["nonsense"]])
def test_usage_errors(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
