"""``solewatch dashboard`` end to end, in a subprocess: it sets up a fresh store, brings its
live source (the saved pairing streamed over the configured transport; unset: the virtual
radio with two virtual insoles) and stops cleanly; ``--no-live`` serves the history only."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

from analysis.sites import FEET
from dashboard.app import TOKEN_ENV
from firmware_bridge.ble.pairing import HOME_ENV, PairedInsole, Pairing, PairingStore
from firmware_bridge.ble.peripheral import DEFAULT_ADDRESSES
from firmware_bridge.ble.radio import TRANSPORT_ENV
from tests._http import free_port, http_get, until

REPO = Path(__file__).resolve().parents[1]


def _env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in (TOKEN_ENV, "SOLEWATCH_DB_URL", TRANSPORT_ENV)}
    env[HOME_ENV] = str(home)
    return env


def _run(home: Path, *extra: str) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "solewatch.cli", "dashboard", "--port", str(port), *extra],
        cwd=REPO, env=_env(home), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    until(lambda: proc.poll() is not None or http_get(f"{base}/")[0] == 200,
          "the dashboard answers", 120)
    assert proc.poll() is None, proc.communicate()[1]
    return proc, base


def _stop(proc: subprocess.Popen) -> tuple[str, str]:
    proc.send_signal(signal.SIGINT)
    try:
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    return out, err


def _live_frame(base: str) -> dict | None:
    status, body, _ = http_get(f"{base}/live/frame")
    return json.loads(body) if status == 200 else None


def test_dashboard_streams_the_saved_pairing_and_stops_cleanly(tmp_path):
    home = tmp_path / "home"
    PairingStore(home).put(Pairing("ada", PairedInsole(DEFAULT_ADDRESSES["left"]),
                                   PairedInsole(DEFAULT_ADDRESSES["right"])))
    proc, base = _run(home)
    try:
        frame = until(lambda: (lambda f: f if f and f["source"] == "live" and all(
            f["feet"][s]["present"] and not f["feet"][s]["stale"] for s in FEET) else None)(
            _live_frame(base)), "the saved pairing streaming live", 60)
        assert frame["label"].startswith("ada: ")
    finally:
        _, err = _stop(proc)
    assert "virtual insoles" in err and "streaming the insoles paired to ada" in err
    assert (home / "solewatch.db").is_file()  # a fresh machine's store, created and migrated


def test_dashboard_without_live_source(tmp_path):
    proc, base = _run(tmp_path / "home", "--no-live")
    try:
        assert http_get(f"{base}/live/frame")[0] == 503
        status, body, _ = http_get(f"{base}/_dash-layout")
        assert status == 200 and b"solewatch" in body
    finally:
        _stop(proc)
