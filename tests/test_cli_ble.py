"""The BLE commands of the CLI over the virtual radio (no mock of bleak).

With $SOLEWATCH_BLE_TRANSPORT unset the CLI starts two virtual insoles in-process; set to
``virtual`` it uses the same radio without them (nothing to find).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from firmware_bridge.ble.pairing import PairingStore
from firmware_bridge.recording import read_log, repair
from solewatch.cli import main
from solewatch.live import NO_INSOLE, VIRTUAL_NOTE

REPO = Path(__file__).resolve().parents[1]
LEFT, RIGHT = "D4:5E:00:00:3A:7F", "D4:5E:00:00:3A:80"


@pytest.fixture()
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SOLEWATCH_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("SOLEWATCH_BLE_TRANSPORT", raising=False)
    return tmp_path / "home"


def test_scan_lists_the_two_virtual_insoles(home, capsys):
    assert main(["scan", "--timeout", "0.3"]) == 0
    out, err = capsys.readouterr()
    assert VIRTUAL_NOTE in err
    rows = [line.split() for line in out.splitlines()[1:]]
    assert [r[:3] for r in rows] == [["SWL-3A7F", "left", LEFT], ["SWR-3A80", "right", RIGHT]]
    assert all(r[3] == "-50" and r[5] == "87%" for r in rows)  # RSSI dBm, battery


def test_scan_with_no_insole_says_so_and_fails(home, capsys, monkeypatch):
    monkeypatch.setenv("SOLEWATCH_BLE_TRANSPORT", "virtual")
    assert main(["scan", "--timeout", "0.3"]) == 1
    out, _ = capsys.readouterr()
    assert out.startswith("No insole found. Is it charged and near?")
    assert out.strip() == NO_INSOLE


def test_pair_and_unpair_round_trip(home, capsys):
    assert main(["pair", "ann", "--auto", "--timeout", "0.3"]) == 0
    out, _ = capsys.readouterr()
    assert "paired to ann" in out and "bonded" in out
    assert main(["pair", "bob", LEFT.lower(), RIGHT]) == 0
    store = PairingStore(home)
    assert set(store.load()) == {"ann", "bob"}
    assert store.get("bob").left.address == LEFT
    assert main(["pair", "eve", RIGHT, LEFT]) == 1  # sides swapped: refused
    assert "is a right insole" in capsys.readouterr().err
    assert main(["unpair", "ann"]) == 0
    assert set(PairingStore(home).load()) == {"bob"}
    assert main(["unpair", "ann"]) == 1
    assert "no insoles are paired to 'ann'" in capsys.readouterr().err
    assert main(["pair", "ann"]) == 2  # neither addresses nor --auto


def test_stream_prints_a_line_a_second(home, capsys):
    assert main(["stream", "--seconds", "2.5"]) == 0
    out, err = capsys.readouterr()
    assert "streaming the two virtual insoles as wearer 'demo'" in err
    lines = [x for x in out.splitlines() if x.count("|") >= 3]
    assert len(lines) >= 2
    assert "L up -50dBm loss 0.0% bat 87%" in lines[-1] and "R up" in lines[-1]
    assert "left: " in out and "0 lost" in out


def test_record_killed_then_recovered_replayed_and_analysed(home, tmp_path, capsys):
    """`solewatch record` in its own process (virtual insoles in that process), SIGKILL after
    13 summary lines (the demo walk starts about 8 s in), then repair, replay, analyze."""
    assert main(["pair", "ann", "--auto", "--timeout", "0.3"]) == 0
    log = tmp_path / "walk.swlog"
    env = {**os.environ, "SOLEWATCH_HOME": str(home), "PYTHONUNBUFFERED": "1"}
    env.pop("SOLEWATCH_BLE_TRANSPORT", None)
    proc = subprocess.Popen(
        [sys.executable, "-m", "solewatch", "record", "ann", str(log), "--seconds", "60"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines = 0
        deadline = time.monotonic() + 40
        while lines < 13 and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            lines += "|" in line
        assert lines >= 13, proc.stderr.read() if proc.poll() is not None else "too slow"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == -signal.SIGKILL
    before = read_log(log)
    assert {d.side for d in before.devices} == {"left", "right"}
    assert before.session["wearer"] == "ann"
    removed = repair(log)  # recover: cut a torn last record, if the kill left one
    after = read_log(log)
    assert after.ignored_bytes == 0 and removed == before.ignored_bytes
    span = after.host_time_s[-1] - after.host_time_s[0]
    assert span > 11.0
    capsys.readouterr()
    assert main(["replay", str(log), "--speed", "0"]) == 0
    out, _ = capsys.readouterr()
    assert sum("|" in x for x in out.splitlines()) >= 11
    assert "left: " in out and "pressure samples on the grid" in out
    assert main(["analyze", str(log), "--json"]) == 0
    result = json.loads(capsys.readouterr().out.splitlines()[0])
    for foot in ("left", "right"):
        assert len(result["gait"][foot]["initial_contacts_s"]) >= 2
    print(f"\nkilled after {span:.1f} s recorded; {removed} torn bytes cut; contacts "
          f"L {len(result['gait']['left']['initial_contacts_s'])} "
          f"R {len(result['gait']['right']['initial_contacts_s'])}")


def test_simulate_runs_insoles_in_their_own_process_and_scan_finds_them(home, capsys,
                                                                        monkeypatch):
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, "-m", "solewatch", "simulate", "--port", str(port), "--right",
         "--faults", "drop=0.01,drift-ppm=50"],
        cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        assert proc.stdout.readline().startswith(f"listening on 127.0.0.1:{port} with SWR-")
        monkeypatch.setenv("SOLEWATCH_BLE_TRANSPORT", f"tcp-client:127.0.0.1:{port}")
        assert main(["scan", "--timeout", "0.5"]) == 0
        out, err = capsys.readouterr()
        assert VIRTUAL_NOTE not in err
        assert [line.split()[:2] for line in out.splitlines()[1:]] == [["SWR-3A80", "right"]]
    finally:
        proc.terminate()
        proc.wait(10)


def test_unreachable_transport_is_a_clear_error(tmp_path, monkeypatch, capsys):
    """A transport nobody listens on: one sentence naming it and what to check, exit 1."""
    from solewatch.cli import main

    monkeypatch.setenv("SOLEWATCH_HOME", str(tmp_path))
    monkeypatch.setenv("SOLEWATCH_BLE_TRANSPORT", "tcp-client:127.0.0.1:9")
    assert main(["scan", "--timeout", "1"]) == 1
    err = capsys.readouterr().err
    assert "tcp-client:127.0.0.1:9" in err and "solewatch simulate" in err
    assert "Traceback" not in err


def test_simulator_streams_a_recording_or_says_why_not(fixture_data, shared_data, capsys):
    from firmware_bridge.ble.peripheral import VirtualInsole
    from firmware_bridge.ble.simulate import _recording_streams, main

    pressure, temperature = _recording_streams(str(fixture_data / "demo"))
    assert pressure.unit == "kPa" and temperature is not None
    insole = VirtualInsole("left", pressure=pressure, temperature=temperature)
    assert insole.layout is pressure.layout
    # a recording in N without sensor areas cannot become calibrated counts: said, not crashed
    gaitpdb = shared_data / "gaitpdb" / "GaCo01_01.txt"
    assert main(["--recording", str(gaitpdb), "--port", "9"]) == 1
    assert "pressure in N without sensor areas" in capsys.readouterr().err
