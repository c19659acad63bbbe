"""`solewatch demo`: the history it pre-fills (through the real daily job) and the command end
to end in a subprocess (the dashboard answering, both virtual insoles live over the virtual
radio, a clean stop on Ctrl-C, no health data in its output)."""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from analysis.alerts import CONTRALATERAL_SITE, PEAK_PRESSURE
from analysis.config import PressureConfig, TemperatureConfig
from analysis.sites import FEET, SITES
from dashboard.app import TOKEN_ENV
from firmware_bridge.ble.pairing import HOME_ENV
from solewatch.cli import main
from solewatch.demo import (
    DEMO_WEARER,
    MIN_DAYS,
    DemoError,
    check_home,
    default_home,
    prefill,
    store_url,
)
from solewatch.store import Store
from tests._http import free_port, http_get, until

REPO = Path(__file__).resolve().parents[1]
#: The fewest days that still raise the hotspot's alert (solewatch.demo.MIN_DAYS explains).
DAYS = MIN_DAYS
N_SENSORS = 16  # the virtual insoles' layout, solewatch-16


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    """A demo home pre-filled once with DAYS days (shared by the history tests)."""
    home = tmp_path_factory.mktemp("demo-home")
    lines: list[str] = []
    result = prefill(home, days=DAYS, log=lines.append)
    return home, result, lines


def _contralateral(store: Store):
    return [a for a in store.alerts(DEMO_WEARER) if a.rule == CONTRALATERAL_SITE]


def test_prefill_stores_days_and_the_hotspot_alert_with_evidence(filled):
    home, result, _ = filled
    assert not result.reused and result.files_written == 2 * DAYS  # temperatures + walk a day
    assert result.days_computed == DAYS and result.problems == []
    with Store.open(store_url(home)) as store:
        alerts = _contralateral(store)
        assert len(alerts) == 1, [a.describe() for a in store.alerts(DEMO_WEARER)]
        a = alerts[0]
        assert a.status == "open"
        # fixtures.clinic puts the hotspot at the left MTH1.
        assert (a.foot, a.site) == ("left", "mth1") and a.site in SITES and a.foot in FEET
        ev = a.evidence
        threshold = TemperatureConfig().contralateral_site_delta_c
        assert ev["threshold_c"] == threshold
        over = [d for d in ev["days"] if d["over"]]
        assert len(over) >= ev["consecutive_days"] >= 2
        for d in over:
            assert result.first_day <= date.fromisoformat(d["date"]) <= result.last_day
            assert d["delta_c"] > threshold
            assert d["left_c"] > d["right_c"]  # the hotspot's foot is the warmer one
        assert a.first_day == date.fromisoformat(over[0]["date"])
        gait = store.daily_gait(DEMO_WEARER)
        assert len(gait) == DAYS
        assert all(g.cadence_steps_per_min and g.cadence_steps_per_min > 0 for g in gait)
        # every chart of the Gait and balance page has data: coordination (PCI needs a bout
        # of 30 strides), standing balance and the insole-counted exercises
        assert any(g.pci_pct is not None for g in gait)
        assert {b.day for b in store.daily_balance(DEMO_WEARER)}
        assert sum(e.repetitions for e in store.daily_exercise(DEMO_WEARER)) > 0
        assert len({r.day for r in store.daily_temperature(DEMO_WEARER)}) == DAYS
        assert len({r.day for r in store.daily_pressure(DEMO_WEARER)}) == DAYS
        # The generated walks load the heel at about 330 kPa, above the 200 kPa in-shoe target
        # (Bus 2011/2013): exactly the regions whose walking peak is over it every day alert.
        target = PressureConfig().peak_target_kpa
        rows = store.daily_pressure(DEMO_WEARER)
        over_daily = {(r.foot, r.region) for r in rows
                      if all(q.step_peak_kpa > target for q in rows
                             if (q.foot, q.region) == (r.foot, r.region))}
        others = [a for a in store.alerts(DEMO_WEARER, status="open")
                  if a.rule != CONTRALATERAL_SITE]
        assert {a.rule for a in others} <= {PEAK_PRESSURE}
        assert {(a.foot, a.site) for a in others} == over_daily
    assert result.gait_days == result.temperature_days == result.pressure_days == DAYS
    assert result.alerts_open == 1 + len(over_daily)


def test_prefill_again_adds_nothing(filled):
    home, first, _ = filled
    with Store.open(store_url(home)) as store:
        before = store.counts()
    again = prefill(home, days=DAYS)
    assert again.reused and again.files_written == 0
    assert again.files_ingested == 0 and again.days_computed == 0
    assert (again.first_day, again.last_day) == (first.first_day, first.last_day)
    with Store.open(store_url(home)) as store:
        assert store.counts() == before


def test_prefill_logs_counts_and_durations_only(filled):
    _, _, lines = filled
    assert lines, "prefill said nothing"
    _assert_no_health_data("\n".join(lines))


def test_fresh_starts_over(filled, tmp_path):
    home = tmp_path / "demo"
    shutil.copytree(filled[0], home)  # a filled demo home of its own
    (home / "inbox" / DEMO_WEARER / "stray.txt").write_text("not a recording")
    again = prefill(home, days=DAYS + 1, fresh=True)
    assert not again.reused and again.files_written == 2 * (DAYS + 1)
    assert not (home / "inbox" / DEMO_WEARER / "stray.txt").exists()
    with Store.open(store_url(home)) as store:
        assert len(store.daily_gait(DEMO_WEARER)) == DAYS + 1
        assert len(_contralateral(store)) == 1


def test_demo_home_is_apart_from_the_persons_data(tmp_path, monkeypatch):
    monkeypatch.setenv(HOME_ENV, str(tmp_path / "mine"))
    assert default_home() == tmp_path / "mine" / "demo"
    with pytest.raises(DemoError, match="your own solewatch data folder"):
        check_home(tmp_path / "mine")
    with pytest.raises(DemoError, match="--days 2"):
        prefill(tmp_path / "demo", days=2)
    assert not (tmp_path / "demo").exists()


def test_public_host_refused_without_token(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv(TOKEN_ENV, raising=False)
    home = tmp_path / "demo"
    assert main(["demo", "--host", "0.0.0.0", "--home", str(home)]) == 2
    err = capsys.readouterr().err
    assert "refusing" in err and TOKEN_ENV in err and "0.0.0.0" in err
    assert not home.exists()  # refused before anything was written or started


# -- end to end ------------------------------------------------------------------------------

#: Words and signs that only appear with health data (a temperature, a site, evidence).
_HEALTH_WORDS = ("°", "delta", "threshold", "left_c", "right_c", "evidence", *SITES)


def _assert_no_health_data(text: str) -> None:
    lowered = text.lower()
    found = [w for w in _HEALTH_WORDS if w.lower() in lowered]
    assert not found, f"health data words in the output: {found}\n{text}"
    # The only numbers with decimals it may print are durations in seconds.
    decimals = re.findall(r"(?<![\w.:])\d+\.\d+(?![\d.])(?! s\b)", text)
    assert not decimals, f"numbers other than durations in the output: {decimals}\n{text}"




def _both_feet_live(base: str):
    status, body, _ = http_get(f"{base}/live/frame")
    if status != 200:
        return None
    frame = json.loads(body)
    for side in FEET:
        foot = frame["feet"][side]
        kpa = foot["kpa"]
        if not (foot["present"] and not foot["stale"] and len(kpa) == N_SENSORS
                and all(isinstance(v, int | float) for v in kpa)):
            return None
    return frame


def _hot_frame(base: str) -> float | None:
    """The live left-minus-right difference at the history's hotspot (left MTH1), °C."""
    frame = _both_feet_live(base)
    if frame is None or len(frame["temp_diff_c"]) != len(SITES):
        return None
    return frame["temp_diff_c"][SITES.index("mth1")]


def test_demo_end_to_end(tmp_path):
    home, port = tmp_path / "demo", free_port()
    env = {k: v for k, v in os.environ.items() if k not in (TOKEN_ENV, "SOLEWATCH_DB_URL")}
    env[HOME_ENV] = str(tmp_path / "person")  # the person's own folder: must stay untouched
    proc = subprocess.Popen(
        [sys.executable, "-m", "solewatch.cli", "demo", "--home", str(home), "--port",
         str(port), "--days", str(DAYS)],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        # Pre-fill, the hub's start (virtual radio, pairing) and the server: generous on a
        # busy shared machine.
        until(lambda: proc.poll() is not None or http_get(f"{base}/")[0] == 200,
              "the dashboard answers", 240)
        assert proc.poll() is None, "the demo ended before serving"
        frame = until(lambda: _both_feet_live(base),
                      "both virtual insoles live with 16 pressure values", 120)
        assert frame["source"] == "live"
        # The live insoles agree with the history: the alert's spot is still warmer on the
        # left than on the right by more than the rule's threshold.
        hot = until(lambda: _hot_frame(base), "the live temperatures of both feet", 60)
        assert hot > TemperatureConfig().contralateral_site_delta_c, hot
        status, body, ctype = http_get(f"{base}/")  # the Alerts page (the dashboard's home)
        assert status == 200 and "text/html" in ctype and b"<title>solewatch" in body
        status, body, _ = http_get(f"{base}/_dash-layout")
        assert status == 200 and b"solewatch" in body
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "Traceback" not in out
    assert f"http://127.0.0.1:{port}/" in out
    assert not (tmp_path / "person").exists()
    assert (home / "pairings.json").is_file()  # the virtual insoles were paired in the demo
    _assert_no_health_data(out + err)


def test_demo_history_only_stops_on_sigterm(filled, tmp_path):
    """--no-live over an existing demo home: served at once (the history is reused), no live
    source; SIGTERM stops it cleanly with exit 0."""
    home, port = tmp_path / "demo", free_port()
    shutil.copytree(filled[0], home)
    env = {k: v for k, v in os.environ.items() if k not in (TOKEN_ENV, "SOLEWATCH_DB_URL")}
    env[HOME_ENV] = str(tmp_path / "person")
    proc = subprocess.Popen(
        [sys.executable, "-m", "solewatch.cli", "demo", "--home", str(home), "--port",
         str(port), "--days", str(DAYS), "--no-live"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        until(lambda: proc.poll() is not None or http_get(f"{base}/")[0] == 200,
              "the dashboard answers", 180)
        assert proc.poll() is None, "the demo ended before serving"
        assert http_get(f"{base}/live/frame")[0] == 503  # no live source with --no-live
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    assert "0 new files" in out and "--no-live" in out
    _assert_no_health_data(out + err)
