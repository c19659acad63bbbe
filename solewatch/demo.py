"""``solewatch demo``: the dashboard over a generated history and two virtual insoles.

No hardware and no real data needed::

    solewatch demo                  # http://127.0.0.1:8050/
    solewatch demo --fresh          # start the demo's history over
    solewatch demo --no-live        # the history only, no virtual insoles

What it does, in order:

1. **Its own home** (``--home``, default ``$SOLEWATCH_HOME/demo``): a SQLite store, an inbox and
   the BLE pairings of the demo wearer ``demo``, so the demo never mixes with a person's data.
2. **History** (:func:`prefill`): ``--days`` wearer-days written by
   :func:`fixtures.clinic.write_wearer` into the demo inbox (in-shoe temperatures a minute and a
   daily walk recorded as BLE logs, with a hotspot at the left MTH1), then the real daily job
   (:func:`solewatch.daily.run_daily`) into the demo store: daily temperatures, gait and
   pressure, and the hotspot's contralateral-site alert with its evidence. Run again, it reuses
   what is there (the files are not rewritten and the job skips known files by SHA-256);
   ``--fresh`` starts over.
3. **Live** (unless ``--no-live``): a :class:`dashboard.live.hub.LiveHub` on the virtual radio
   with two virtual insoles paired to ``demo`` and streamed into the live pipeline.
4. **Dashboard**: served as ``solewatch dashboard`` serves it (dashboard/serve.py: the same
   host/token refusal, the same quiet request logs); Ctrl-C or SIGTERM stops everything, exit 0.

Privacy: the progress lines carry counts and durations only, never a health value.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

#: The demo's one wearer.
DEMO_WEARER: Final = "demo"
#: Seed of the generated history. Checked for 4 to 30 days: the hotspot then always raises
#: the contralateral-site alert (with some other seeds and few days the noise makes the
#: ipsilateral rule fire first instead; tests/test_demo.py keeps this checked).
DEMO_SEED: Final = 7
#: Days of history by default. Source: measured on the project's shared 2-core machine
#: (2026-11-22): pre-filling 14 days with 60 s walks took 5-8 s (about 2 s writing the files,
#: the rest the daily job), 30 s once with the machine loaded about 5x over by other test
#: runs; with the 2-minute walks of WALK_S about 10 s. That is within the ~30 s budget for
#: a first start, so the default keeps two full weeks: enough for the temperature page to
#: show a trend and the gait trends to vary.
DEFAULT_DAYS: Final = 14
#: Fewest days accepted. The hotspot starts HOTSPOT_DAYS_BEFORE_END days before the end and is
#: full a day later. A difference already there in the first days of monitoring is a baseline
#: finding, not an alert (analysis/temperature/offset.py), so the hotspot must start after most
#: of the 7 baseline days: with 10 days it starts on day 4.5, five of the seven baseline days
#: are healthy (their median is the wearer's usual difference) and the contralateral-site rule
#: confirms the alert on the 2nd day over 2.2 °C.
MIN_DAYS: Final = 10
#: How many days before the end of the history the hotspot starts warming: the weeks before
#: look healthy, then the left MTH1 warms over a day and the alert is confirmed on the second
#: day over 2.2 °C, a few days before today, so the history shows the hotspot developing.
HOTSPOT_DAYS_BEFORE_END: Final = 5.5
#: Longest history accepted (a year: the Temperature page's longest range).
MAX_DAYS: Final = 365
#: Length of each day's recorded walk, s. Two minutes: long enough for a walking bout of the
#: 30 strides the coordination index needs (GaitConfig.pci_min_strides; with 60 s walks no
#: day had one), a quiet stand for the balance chart and the generator's calf raises, so every
#: chart of the Gait and balance page has data (checked 2026-11-22: PCI on 13 of 14 days,
#: balance on 14, 10 calf raises a day). Each day costs about 0.7 s to write and analyse.
WALK_S: Final = 120.0
#: The marker the demo writes once its inbox is complete: what was generated, so a rerun
#: reuses it instead of writing again.
MARKER: Final = "demo-history.json"
STORE_FILE: Final = "solewatch.db"
#: What --fresh removes from the demo home (only what the demo itself makes there).
OWNED: Final = (STORE_FILE, f"{STORE_FILE}-wal", f"{STORE_FILE}-shm", f"{STORE_FILE}-journal",
                MARKER, "pairings.json", "inbox")
DEMO_SUBDIR: Final = "demo"

EXIT_OK: Final = 0
EXIT_USAGE: Final = 2


class DemoError(Exception):
    """The demo cannot start as asked (the message says why and what to do)."""


@dataclass
class PrefillResult:
    """What :func:`prefill` did (counts and durations only)."""

    reused: bool
    days_generated: int
    files_written: int
    first_day: date
    last_day: date
    files_ingested: int
    days_computed: int
    temperature_days: int
    gait_days: int
    pressure_days: int
    alerts_open: int
    generate_s: float
    store_s: float
    problems: list[str]


def default_home() -> Path:
    """``$SOLEWATCH_HOME/demo`` (``~/.local/share/solewatch/demo`` by default)."""
    from firmware_bridge.ble.pairing import data_home

    return data_home() / DEMO_SUBDIR


def check_home(home: Path) -> Path:
    """The demo home, refused when it is the person's own solewatch data folder (the demo
    would then write into their real store and pairings)."""
    from firmware_bridge.ble.pairing import data_home

    home = Path(home).expanduser()
    if home.resolve() == data_home().resolve():
        raise DemoError(f"--home {home} is your own solewatch data folder; the demo keeps its "
                        f"data apart: use another folder (default {default_home()})")
    if home.exists() and not home.is_dir():
        raise DemoError(f"--home {home} exists and is not a folder")
    return home


def store_url(home: Path) -> str:
    """The SQLite URL of the demo store in ``home``."""
    return f"sqlite:///{Path(home).resolve() / STORE_FILE}"


def inbox_of(home: Path) -> Path:
    return Path(home) / "inbox" / DEMO_WEARER


def replay_roots() -> list[Path]:
    """Where the Replay page finds recordings and fixtures: the committed fixtures."""
    import fixtures

    data = Path(fixtures.__file__).resolve().parent / "data"
    return [data / "recordings", data]


def clear(home: Path) -> list[str]:
    """Remove what the demo made in ``home`` (--fresh); returns the names removed."""
    removed = []
    for name in OWNED:
        path = Path(home) / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        else:
            continue
        removed.append(name)
    return removed


def _read_marker(home: Path) -> dict[str, Any] | None:
    path = Path(home) / MARKER
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return data if isinstance(data, dict) and "first_day" in data else None
    except (OSError, ValueError):
        return None  # missing or half-written: the history is generated (again)


def prefill(home: Path, *, days: int = DEFAULT_DAYS, fresh: bool = False,
            today: date | None = None, log: Callable[[str], None] | None = None
            ) -> PrefillResult:
    """Fill the demo store in ``home`` with ``days`` days of generated history ending yesterday
    (local time of the fixtures), through the real daily job; reuse it when it is already there
    (unless ``fresh``). ``log`` gets short progress lines (counts and durations only)."""
    from fixtures.clinic import TZ, write_wearer
    from solewatch.daily import DailySettings, open_store, run_daily

    log = log or (lambda text: None)
    if not MIN_DAYS <= days <= MAX_DAYS:
        raise DemoError(f"--days {days}: give {MIN_DAYS} to {MAX_DAYS} days (the hotspot alert "
                        f"needs at least {MIN_DAYS})")
    home = check_home(home)
    if fresh:
        removed = clear(home)
        if removed:
            log(f"history: --fresh: removed the demo's {', '.join(removed)}")
    home.mkdir(parents=True, exist_ok=True)
    inbox = inbox_of(home)
    marker = _read_marker(home)
    t0 = time.perf_counter()
    files = 0
    if marker is not None:
        first_day = date.fromisoformat(marker["first_day"])
        generated = int(marker["days"])
        if generated != days:
            log(f"history: keeping the existing {generated} days (--fresh --days {days} "
                "starts over)")
    else:
        today = today or datetime.now(TZ).date()
        first_day = today - timedelta(days=days)  # complete days, the last one yesterday
        generated = days
        log(f"history: generating {days} days of recordings (temperatures every minute, a "
            f"{WALK_S:g} s walk a day) ...")
        written = write_wearer(inbox, DEMO_WEARER, days=days, seed=DEMO_SEED,
                               first_day=first_day, walk_s=WALK_S, hotspot=True,
                               hotspot_onset_day=max(0.5, days - HOTSPOT_DAYS_BEFORE_END))
        files = sum(len(wd.files) for wd in written)
        (home / MARKER).write_text(json.dumps({
            "wearer": DEMO_WEARER, "days": days, "seed": DEMO_SEED,
            "first_day": first_day.isoformat(), "walk_s": WALK_S}) + "\n", encoding="utf-8")
    t1 = time.perf_counter()
    if files:
        log(f"history: {files} files written in {t1 - t0:.1f} s; running the daily job ...")
    # The demo wrote these files itself and completely: no settle time for them.
    settings = DailySettings(settle_s=0.0)
    store = open_store(store_url(home), settings=settings, log=log)
    try:
        report = run_daily(store, wearers=[DEMO_WEARER], inbox=inbox, settings=settings,
                           log=log)
        temperature_days = len({r.day for r in store.daily_temperature(DEMO_WEARER)})
        gait_days = len(store.daily_gait(DEMO_WEARER))
        pressure_days = len({r.day for r in store.daily_pressure(DEMO_WEARER)})
        alerts_open = len(store.alerts(DEMO_WEARER, status="open"))
    finally:
        store.close()
    t2 = time.perf_counter()
    problems = [s.reason for s in report.skipped] + list(report.errors)
    return PrefillResult(
        reused=marker is not None, days_generated=generated, files_written=files,
        first_day=first_day, last_day=first_day + timedelta(days=generated - 1),
        files_ingested=len(report.ingested), days_computed=len(report.days),
        temperature_days=temperature_days, gait_days=gait_days, pressure_days=pressure_days,
        alerts_open=alerts_open, generate_s=t1 - t0, store_s=t2 - t1, problems=problems)


def _say(text: str) -> None:
    print(f"solewatch demo: {text}", flush=True)


def _summary(r: PrefillResult) -> str:
    what = "reused" if r.reused and not r.files_ingested else "ready"
    return (f"history {what} in {r.generate_s + r.store_s:.1f} s: {r.days_generated} days "
            f"({r.first_day.isoformat()} to {r.last_day.isoformat()}); stored "
            f"{r.temperature_days} days of temperatures, {r.gait_days} of gait, "
            f"{r.pressure_days} of pressure; {r.files_ingested} new files, "
            f"{r.days_computed} days computed; {r.alerts_open} open alert(s)")


def cmd_demo(args: argparse.Namespace) -> int:
    from dashboard.serve import ServeError, access_token, bind, serve_until_stopped
    from firmware_bridge.ble.pairing import HOME_ENV
    from solewatch.store import DB_URL_ENV

    try:
        token = access_token(args.host)  # refused before anything is written or started
        home = check_home(Path(args.home) if args.home else default_home())
    except (ServeError, DemoError) as exc:
        print(f"solewatch demo: {exc}", file=sys.stderr)
        return EXIT_USAGE
    home = home.resolve()
    _say(f"home {home} (the demo's own store, inbox and insole pairings)")
    try:
        result = prefill(home, days=args.days, fresh=args.fresh, log=lambda t: _say(t))
    except DemoError as exc:
        print(f"solewatch demo: {exc}", file=sys.stderr)
        return EXIT_USAGE
    # From here on, everything in this process that looks for "the" data folder or database
    # (pairings, inbox, store) finds the demo's, never the person's own.
    os.environ[HOME_ENV] = str(home)
    os.environ.pop(DB_URL_ENV, None)
    _say(_summary(result))
    for reason in result.problems[:5]:
        _say(f"note: {reason}")

    from dashboard.app import create_app

    hub = None
    if not args.no_live:
        from dashboard.live.hub import LiveHub

        # The live insoles show today's feet: the hotspot of the history is still there.
        hub = LiveHub(transport="virtual", demo=True, demo_wearer=DEMO_WEARER,
                      demo_scenario="hotspot", pairing_home=home, replay_roots=replay_roots())
    app = create_app(store_url(home), wearer=DEMO_WEARER, token=token, hub=hub)
    try:
        server = bind(app, args.host, args.port)
    except ServeError as exc:
        print(f"solewatch demo: {exc}", file=sys.stderr)
        return EXIT_USAGE
    on_stop: list[Callable[[], None]] = []
    if hub is not None:
        t0 = time.perf_counter()
        try:
            hub.start()
        except BaseException:
            server.server_close()
            raise
        on_stop.append(hub.stop)
        _say(f"live: two virtual insoles (left and right) streaming over the virtual radio "
             f"(started in {time.perf_counter() - t0:.1f} s)")
    else:
        _say("live: off (--no-live): the dashboard shows the history only")
    shown = f"[{args.host}]" if ":" in args.host else args.host
    _say(f"open http://{shown}:{args.port}/ in your browser (Ctrl-C stops the demo)")
    return serve_until_stopped(server, on_stop=on_stop, log=_say)


def add_parser(sub: Any) -> None:
    """Register ``solewatch demo`` on the CLI's subparsers."""
    from dashboard.serve import DEFAULT_HOST, DEFAULT_PORT

    p = sub.add_parser(
        "demo", help="the dashboard over a generated history and two virtual insoles",
        description="Start the dashboard on a demo history (generated recordings with a "
        "hotspot that raises an alert, run through the daily job) and two virtual insoles "
        "streaming over a virtual radio. Needs no hardware and never touches your own data: "
        "the demo keeps its own store, inbox and pairings in --home. Ctrl-C stops it. "
        "Listens on 127.0.0.1; another --host is refused unless SOLEWATCH_DASHBOARD_TOKEN "
        "is set.")
    p.add_argument("--host", default=DEFAULT_HOST, help=f"address to listen on ({DEFAULT_HOST})")
    p.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port ({DEFAULT_PORT})")
    p.add_argument("--home", metavar="DIR", help="the demo's own folder (default: "
                   "$SOLEWATCH_HOME/demo, i.e. ~/.local/share/solewatch/demo)")
    p.add_argument("--days", type=int, default=DEFAULT_DAYS,
                   help=f"days of generated history ({DEFAULT_DAYS}; {MIN_DAYS} to {MAX_DAYS})")
    p.add_argument("--fresh", action="store_true",
                   help="start the demo's history over (removes the demo's store, inbox and "
                   "pairings in --home)")
    p.add_argument("--no-live", action="store_true",
                   help="no virtual insoles: the dashboard over the history only")
    p.set_defaults(func=cmd_demo)


__all__ = ["DEFAULT_DAYS", "DEMO_WEARER", "MIN_DAYS", "DemoError", "PrefillResult",
           "add_parser", "check_home", "cmd_demo", "default_home", "prefill", "replay_roots",
           "store_url"]
