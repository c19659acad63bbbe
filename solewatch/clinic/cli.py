"""``solewatch reanalyze``: recompute many wearers' days on a Dask cluster (solewatch/cli.py
registers it)."""

from __future__ import annotations

import argparse
import sys
from datetime import date
from typing import Any

EXIT_OK = 0
EXIT_SOME_FAILED = 1
EXIT_USAGE = 2


def _day(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a day YYYY-MM-DD, found {text!r}") from None


def cmd_reanalyze(args: argparse.Namespace) -> int:
    from analysis.config import AnalysisConfig
    from solewatch.clinic.reanalyze import ClinicError, reanalyze
    from solewatch.settings import load_config

    config = load_config(args.config) if args.config else AnalysisConfig()
    if args.workers is not None and args.workers < 1:
        print(f"solewatch reanalyze: --workers must be >= 1, found {args.workers}",
              file=sys.stderr)
        return EXIT_USAGE
    try:
        report = reanalyze(args.db, wearers=args.wearer, start=args.start, end=args.end,
                           scheduler=args.scheduler, n_workers=args.workers,
                           threads_per_worker=args.threads, config=config)
    except ClinicError as exc:
        print(f"solewatch reanalyze: {exc}", file=sys.stderr)
        return EXIT_USAGE
    print(report.summary())
    return EXIT_OK if report.ok else EXIT_SOME_FAILED


def add_parser(sub: Any) -> None:
    """Register ``solewatch reanalyze`` on the CLI's subparsers."""
    p = sub.add_parser(
        "reanalyze", help="recompute many wearers' days on a Dask cluster (clinic scale)",
        description="Recompute every wearer-day the stored recordings cover (or those of "
        "--wearer, from --from to --to) on a Dask cluster, one task per wearer, and write "
        "the daily rows and alerts to the PostgreSQL store (SQLite is refused: use "
        "'solewatch daily'). Needs the clinic extra (dask.distributed). Exit codes: 0 all "
        "done; 1 done, but some wearer-days failed or left a recording out (listed); "
        "2 usage, an unreachable scheduler, an SQLite store.")
    p.add_argument("--db", metavar="URL", required=True,
                   help="PostgreSQL store URL, e.g. postgresql+psycopg://user@host/solewatch")
    p.add_argument("--scheduler", metavar="ADDR", default="local",
                   help="'local' (default: a cluster of worker processes on this machine) or "
                   "a scheduler address such as tcp://host:8786")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="local: worker processes (default: one per core); with an address: "
                   "wait until the cluster has N workers")
    p.add_argument("--threads", type=int, default=1, metavar="N",
                   help="threads per local worker (default 1: the analysis holds the GIL)")
    p.add_argument("--wearer", action="append", metavar="W", help="only this wearer "
                   "(repeatable; default: every wearer in the store)")
    p.add_argument("--from", dest="start", type=_day, metavar="DAY",
                   help="first day, YYYY-MM-DD (inclusive)")
    p.add_argument("--to", dest="end", type=_day, metavar="DAY",
                   help="last day, YYYY-MM-DD (inclusive)")
    p.add_argument("--config", metavar="TOML", help="override thresholds (see 'settings')")
    p.set_defaults(func=cmd_reanalyze)
