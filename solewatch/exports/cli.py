"""``solewatch export`` and ``solewatch report``: a wearer's history as tables or a report."""

from __future__ import annotations

import argparse
from pathlib import Path

from solewatch.exports.tables import FORMATS, ExportError, parse_day


def _open(url: str | None):
    from solewatch.store import Store, resolve_url

    parsed = resolve_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        path = Path(parsed.database).expanduser()
        if not path.is_file():
            raise ExportError(f"no history store at {path}: nothing has been stored yet (or "
                              "give --db URL, or set SOLEWATCH_DB_URL)")
    return Store.open(parsed)


def _cmd_export(args: argparse.Namespace) -> int:
    from solewatch.exports.tables import export_tables

    start, end = parse_day(args.start, "--from"), parse_day(args.end, "--to")
    formats = [f for f in args.format.split(",") if f.strip()]
    out = Path(args.out) if args.out else Path(
        f"solewatch-export_{args.wearer}_{start.isoformat()}_{end.isoformat()}")
    with _open(args.db) as store:
        paths = export_tables(store, args.wearer, start, end, out, formats=formats)
    for p in paths:
        print(p)
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from solewatch.exports.report import write_report

    start, end = parse_day(args.start, "--from"), parse_day(args.end, "--to")
    out = Path(args.out) if args.out else Path(
        f"solewatch-report_{args.wearer}_{start.isoformat()}_{end.isoformat()}.html")
    with _open(args.db) as store:
        path = write_report(store, args.wearer, start, end, out)
    print(path)
    return 0


def add_parsers(sub: argparse._SubParsersAction) -> None:
    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("wearer", metavar="WEARER", help="the wearer's name in the store")
        p.add_argument("--from", dest="start", required=True, metavar="DATE",
                       help="first local day, YYYY-MM-DD")
        p.add_argument("--to", dest="end", required=True, metavar="DATE",
                       help="last local day (inclusive), YYYY-MM-DD")
        p.add_argument("--db", metavar="URL", help="the history store (default: "
                       "$SOLEWATCH_DB_URL, else the SQLite file in the data folder)")

    e = sub.add_parser(
        "export", help="write a wearer's history as CSV and Parquet tables",
        description="Write daily temperature, gait and pressure, alerts (with evidence and "
        "lifecycle), alert history, notes and sessions of WEARER from --from to --to, one "
        "file per table and format; prints the paths.")
    common(e)
    e.add_argument("--out", metavar="DIR", help="output folder (default: "
                   "./solewatch-export_WEARER_FROM_TO)")
    e.add_argument("--format", default=",".join(FORMATS), metavar="LIST",
                   help=f"comma-separated formats (default: {','.join(FORMATS)})")
    e.set_defaults(func=_cmd_export)

    r = sub.add_parser(
        "report", help="write a clinician report (one self-contained HTML file)",
        description="Write a printable HTML report for WEARER from --from to --to: alerts "
        "with evidence and lifecycle, temperature, gait and pressure charts, notes and "
        "shoes. It loads nothing from the network. It is not a diagnosis.")
    common(r)
    r.add_argument("--out", metavar="FILE.html", help="output file (default: "
                   "./solewatch-report_WEARER_FROM_TO.html)")
    r.set_defaults(func=_cmd_report)
