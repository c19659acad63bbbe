"""The Live dashboard page: frames drawn per second in headless Chromium, and the server's CPU
(issue "Dashboard", item 3).

Run with ``python -m benchmarks.live`` (``scripts/bench.sh`` runs it; about 2 x ``--seconds``
plus 20 s). Real time. Not a pass/fail test.

* **Server**: a separate process (this module with ``--serve``) runs the real dashboard,
  ``create_app`` with ``LiveHub(demo=True, demo_wearer=...)`` (two virtual insoles paired
  and streamed over the virtual radio through the real pipeline, frames published at 30 Hz),
  served by werkzeug's threaded server on a free local port, over an empty SQLite store in a
  temp folder. Its CPU is read from ``os.times()`` of that process (all its threads: hub loop,
  radio, publishing, HTTP), through a benchmark-only route ``/bench/stats`` that also returns
  ``hub.stats()``. The browser's CPU is measured apart (its processes, from ``/proc``).
* **Browser**: Debian's chromium, headless, driven by Playwright (``executable_path``; never
  Playwright's own browser download). Each tab is a page in its own browser context, so every
  tab is a visible foreground page. Phase 0: no tab (the hub's own cost); phase 1: one tab
  on ``/live`` for ``--seconds``; phase 2: three tabs at once for ``--seconds``. Figures per
  tab come from the page's own frame counter (``data-frames``: frames drawn,
  ``data-versions``: frames received, ``data-version``: the newest version received) read
  at the start and end of each phase (after ``--warmup`` s), and the bus's publication count
  at the same moments.

Writes ``benchmarks/results/live.json`` and ``live.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results"
TARGET_HEADLESS_FPS = 20.0
TARGET_DESKTOP_FPS = 30.0
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--no-first-run"]
STATS_ROUTE = "/bench/stats"


# ------------------------------------------------------------------ the server process

def serve(port: int, wearer: str, home: Path) -> None:
    """The dashboard with a demo LiveHub; prints "PORT <n>" when it is ready."""
    from flask import jsonify
    from werkzeug.serving import make_server

    from dashboard.app import create_app
    from dashboard.live.hub import LiveHub
    from dashboard.serve import quiet_request_logs
    from solewatch.store import Store

    url = f"sqlite:///{home / 'store.db'}"
    store = Store.open(url)
    store.migrate()
    store.close()
    quiet_request_logs()
    hub = LiveHub(demo=True, demo_wearer=wearer).start()
    app = create_app(url, token="", hub=hub)

    @app.server.route(STATS_ROUTE)
    def _stats() -> Any:
        t = os.times()
        return jsonify({"cpu_s": t.user + t.system, "wall_s": time.monotonic(),
                        "hub": hub.stats(), "version": hub.bus.latest()[0]})

    server = make_server("127.0.0.1", port, app, threaded=True)
    print(f"PORT {server.server_port}", flush=True)
    try:
        server.serve_forever()
    finally:
        hub.stop()


# ------------------------------------------------------------------ measuring

def _get_json(base: str, path: str) -> dict:
    import urllib.request

    with urllib.request.urlopen(base + path, timeout=10) as resp:  # local server only
        return json.loads(resp.read())


def _proc_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) of process ``pid`` from /proc; 0 if it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> set[int]:
    out: set[int] = set()
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            kids = Path(f"/proc/{p}/task/{p}/children").read_text().split()
        except OSError:
            continue
        for k in map(int, kids):
            if k not in out:
                out.add(k)
                todo.append(k)
    return out


def _browser_pids() -> list[int]:
    """This process's chromium descendants (the browser and its renderers, GPU, network)."""
    pids = []
    for pid in _children(os.getpid()):
        try:
            name = Path(f"/proc/{pid}/comm").read_text().strip()
        except OSError:
            continue
        if "chrom" in name:
            pids.append(pid)
    return pids


COUNTER_JS = """id => { const el = document.getElementById(id); if (!el) return null;
  const d = el.dataset; return {frames: +d.frames, versions: +d.versions, version: +d.version,
  fps: +d.fps, requests: +(d.requests || 0), draw_ms: +(d.drawMs || 0),
  fetch_ms: +(d.fetchMs || 0), visible: document.visibilityState}; }"""


def _phase(browser: Any, base: str, n_tabs: int, seconds: float, warmup: float,
           counter_id: str) -> dict:
    contexts = [browser.new_context(viewport={"width": 1280, "height": 800})
                for _ in range(n_tabs)]
    pages = [c.new_page() for c in contexts]
    problems: list[str] = []
    try:
        for p in pages:
            p.on("pageerror", lambda e: problems.append(str(e)))
            p.goto(base + "/live")
            p.wait_for_selector(f"#{counter_id}")
        for p in pages:
            p.wait_for_function(f"() => +document.getElementById('{counter_id}')"
                                ".dataset.frames > 0", timeout=60_000)
        time.sleep(warmup if pages else 0.0)
        s0 = _get_json(base, STATS_ROUTE)
        b0 = sum(_proc_cpu_s(pid) for pid in _browser_pids())
        t0 = time.monotonic()
        c0 = [p.evaluate(COUNTER_JS, counter_id) for p in pages]
        time.sleep(seconds)
        c1 = [p.evaluate(COUNTER_JS, counter_id) for p in pages]
        t1 = time.monotonic()
        s1 = _get_json(base, STATS_ROUTE)
        b1 = sum(_proc_cpu_s(pid) for pid in _browser_pids())
    finally:
        for c in contexts:
            c.close()
    wall = t1 - t0
    published = s1["hub"]["frames_published"] - s0["hub"]["frames_published"]
    tabs = []
    for a, b in zip(c0, c1, strict=True):
        drawn, received = b["frames"] - a["frames"], b["versions"] - a["versions"]
        tabs.append({
            "fps": round(drawn / wall, 1), "fps_page_last_2s": b["fps"],
            "frames_drawn": drawn, "frames_received": received,
            "requests": b["requests"] - a["requests"],
            "drawn_per_received": round(drawn / received, 3) if received else None,
            "received_per_published": round(received / published, 3) if published else None,
            "draw_ms": b["draw_ms"], "request_ms": b["fetch_ms"], "visibility": b["visible"],
        })
    server_wall = s1["wall_s"] - s0["wall_s"]
    return {
        "tabs": n_tabs, "seconds": round(wall, 2),
        "per_tab": tabs,
        "fps_min": min((t["fps"] for t in tabs), default=None),
        "server_cpu_pct": round(100 * (s1["cpu_s"] - s0["cpu_s"]) / server_wall, 1),
        "browser_cpu_pct": round(100 * (b1 - b0) / wall, 1),
        "bus_published": published,
        "published_per_s": round(published / server_wall, 1),
        "bus_reads": s1["hub"]["bus_reads"] - s0["hub"]["bus_reads"],
        "bus_not_modified": s1["hub"]["bus_not_modified"] - s0["hub"]["bus_not_modified"],
        "hub_at_start": {k: s0["hub"][k] for k in ("readers", "sessions_started")},
        "hub_at_end": {k: s1["hub"][k] for k in ("readers", "sessions_started")},
        "hub_late_ticks": s1["hub"]["late_ticks"] - s0["hub"]["late_ticks"],
        "page_errors": problems,
    }


def _chromium_version(path: str) -> str:
    try:
        return subprocess.run([path, "--version"], capture_output=True, text=True,
                              timeout=30).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"


def _git() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT,
                              capture_output=True, text=True).stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def markdown(result: dict) -> str:
    m = result["machine"]
    lines = [
        "# Live dashboard page",
        "",
        f"Run {m['date_utc']} on commit {m['git_commit']}, {m['nproc']} CPUs ({m['cpu']}), "
        f"load average {m['load_average_at_start']} at start, {m['load_average_at_end']} at "
        f"end; {m['chromium']}, {m['browser_mode']}. Command: `{result['command']}`.",
        "",
        "| tabs | frames drawn/s per tab | drawn / received | received / published | "
        "server CPU | browser CPU | published/s | bus reads | bus 'nothing new' | "
        "hub readers, sessions started (start -> end) |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for ph in result["phases"]:
        tabs = ph["per_tab"]
        lines.append(
            f"| {ph['tabs']} | {', '.join(str(t['fps']) for t in tabs) or '-'} | "
            f"{', '.join(str(t['drawn_per_received']) for t in tabs) or '-'} | "
            f"{', '.join(str(t['received_per_published']) for t in tabs) or '-'} | "
            f"{ph['server_cpu_pct']}% | {ph['browser_cpu_pct']}% | {ph['published_per_s']} | "
            f"{ph['bus_reads']} | {ph['bus_not_modified']} | "
            f"{ph['hub_at_start']['readers']}, {ph['hub_at_start']['sessions_started']} -> "
            f"{ph['hub_at_end']['readers']}, {ph['hub_at_end']['sessions_started']} |")
    lines += [
        "",
        "Tabs 0: the hub alone (two insoles streamed, frames published), no page open. "
        f"CPU in % of one core. Target in this mode: >= {result['target_fps']:g} frames/s per "
        f"tab ({'met' if result['target_met'] else 'NOT met'} by every tab). Issue targets: "
        f">= {TARGET_HEADLESS_FPS:g} in headless Chromium, >= {TARGET_DESKTOP_FPS:g} in a "
        "desktop browser (run with --headed for a desktop Chromium window; here on a virtual "
        "display without GPU).",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks.live", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=float, default=20.0, help="length of each phase (20)")
    ap.add_argument("--warmup", type=float, default=3.0, help="s before measuring (3)")
    ap.add_argument("--wearer", default="ann", help="the demo wearer (ann)")
    ap.add_argument("--out", type=Path, default=RESULTS, help="results folder")
    ap.add_argument("--headed", action="store_true",
                    help="a desktop (headed) Chromium window instead of headless: on $DISPLAY, "
                    "else on a private Xvfb virtual display started for the run (Debian's "
                    "xvfb); results in live-headed.json / .md")
    ap.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, default=0, help=argparse.SUPPRESS)
    ap.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.serve:
        serve(args.port, args.wearer, args.home)
        return 0

    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("benchmarks.live needs Playwright for Python (pip install 'playwright>=1.50,<2'; "
              "never run its browser download: Debian's chromium is used)", file=sys.stderr)
        return 1
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("benchmarks.live needs Debian's chromium: apt-get install chromium",
              file=sys.stderr)
        return 1
    given = sys.argv[1:] if argv is None else argv
    cmd = " ".join(["python -m benchmarks.live", *given])
    machine = {
        "date_utc": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(), "cpu": _cpu_model(), "platform": platform.platform(),
        "python": platform.python_version(), "chromium": _chromium_version(chromium),
        "git_commit": _git(),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }
    display_env: dict[str, str] = {}
    xvfb = None
    if args.headed and not os.environ.get("DISPLAY"):
        xvfb, display = _start_xvfb()
        if xvfb is None:
            print("benchmarks.live --headed needs a display: set DISPLAY or install Debian's "
                  "xvfb (apt-get install xvfb)", file=sys.stderr)
            return 1
        display_env["DISPLAY"] = display
    mode = ("headed (a desktop Chromium window on " +
            ("$DISPLAY" if not display_env else "an Xvfb virtual display") +
            ", software rendering)") if args.headed else "headless, software rendering"
    machine["browser_mode"] = mode
    try:
        phases = _run(args, chromium, display_env, sync_playwright)
    finally:
        if xvfb is not None:
            xvfb.terminate()
            xvfb.wait(10)
    machine["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    target = TARGET_DESKTOP_FPS if args.headed else TARGET_HEADLESS_FPS
    result = {
        "command": cmd, "machine": machine, "phases": phases, "headed": args.headed,
        "target_headless_fps": TARGET_HEADLESS_FPS, "target_desktop_fps": TARGET_DESKTOP_FPS,
        "target_fps": target,
        "target_met": all(ph["fps_min"] >= target for ph in phases if ph["tabs"]),
    }
    name = "live-headed" if args.headed else "live"
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
    md = markdown(result)
    (args.out / f"{name}.md").write_text(md)
    print(md)
    return 0


def _start_xvfb() -> tuple[subprocess.Popen | None, str]:
    """A private Xvfb on the first free display number :90-:99 (None when xvfb is missing)."""
    exe = shutil.which("Xvfb")
    if exe is None:
        return None, ""
    for n in range(90, 100):
        if Path(f"/tmp/.X11-unix/X{n}").exists() or Path(f"/tmp/.X{n}-lock").exists():
            continue
        proc = subprocess.Popen([exe, f":{n}", "-screen", "0", "1280x1024x24", "-nolisten",
                                 "tcp"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for _ in range(50):  # up to 5 s for the socket to appear
            if Path(f"/tmp/.X11-unix/X{n}").exists():
                return proc, f":{n}"
            if proc.poll() is not None:
                break
            time.sleep(0.1)
        proc.kill()
    return None, ""


def _run(args: argparse.Namespace, chromium: str, display_env: dict[str, str],
         sync_playwright) -> list[dict]:
    from dashboard import ids

    with tempfile.TemporaryDirectory(prefix="solewatch-live-bench-") as home:
        server = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.live", "--serve", "--wearer", args.wearer,
             "--home", home], cwd=ROOT, stdout=subprocess.PIPE, text=True)
        try:
            line = _read_line(server, timeout_s=120.0)
            if not line.startswith("PORT "):
                raise RuntimeError(f"the dashboard process did not start (said {line!r})")
            base = f"http://127.0.0.1:{int(line.split()[1])}"
            phases = []
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=chromium,
                                            headless=not args.headed, args=FLAGS,
                                            env={**os.environ, **display_env})
                try:
                    for n in (0, 1, 3):  # 0: the hub alone, nothing served
                        print(f"== {n} tab(s), {args.seconds:g} s", file=sys.stderr)
                        phases.append(_phase(browser, base, n, args.seconds, args.warmup,
                                             ids.LIVE_COUNTER))
                finally:
                    browser.close()
        finally:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
    return phases


def _read_line(proc: subprocess.Popen, timeout_s: float) -> str:
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout_s)
    return box[0].strip() if box else ""


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown"


if __name__ == "__main__":
    sys.exit(main())
