"""The ``solewatch`` command line: the edge where files meet the analysis core."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence

from analysis.config import AnalysisConfig, describe
from analysis.errors import SolewatchError
from solewatch.settings import load_config

EXIT_OK = 0
EXIT_INPUT_FAILED = 1
EXIT_USAGE = 2


def _cmd_analyze(args: argparse.Namespace) -> int:
    from analysis.pipeline import analyze
    from firmware_bridge.readers import load_input
    from solewatch.report import render_text, to_json_dict

    try:
        config = load_config(args.config) if args.config else AnalysisConfig()
    except SolewatchError as exc:
        print(f"solewatch: {exc}", file=sys.stderr)
        return EXIT_USAGE
    status = EXIT_OK
    for path in args.paths:
        try:
            recording = load_input(path)
            result = analyze(
                pressure=recording.pressure,
                temperature=recording.temperature,
                source=recording.source,
                problems=recording.problems,
                config=config,
            )
        except SolewatchError as exc:
            # One bad input never stops the others; say which and why.
            print(f"solewatch: cannot analyse {exc}", file=sys.stderr)
            status = EXIT_INPUT_FAILED
            if args.json:
                print(json.dumps({"source": str(path), "error": str(exc)}))
            continue
        if args.json:
            print(json.dumps(to_json_dict(result), allow_nan=False))
        else:
            print(render_text(result))
    return status


def _cmd_settings(args: argparse.Namespace) -> int:
    config = load_config(args.config) if args.config else AnalysisConfig()
    if args.markdown:
        print(settings_markdown(config), end="")
        return EXIT_OK
    for row in describe(config):
        print(f"[{row['section']}] {row['name']} = {row['value']} {row['unit']}")
        print(f"    {row['source']}")
    return EXIT_OK


def settings_markdown(config: AnalysisConfig) -> str:
    """The thresholds table of docs/clinical.md (a test keeps the two in step)."""
    lines = ["| setting | default | unit | source |", "|---|---|---|---|"]
    for row in describe(config):
        value = row["value"]
        shown = f"{value:.4g}" if isinstance(value, float) else str(value)
        source = row["source"].replace("|", "/")
        lines.append(f"| `{row['section']}.{row['name']}` | {shown} | {row['unit']} | {source} |")
    return "\n".join(lines) + "\n"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="solewatch",
        description="Foot temperature and gait monitor for sensor insoles. "
        "It is not a diagnosis: talk to your foot care team about what it shows.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser(
        "analyze",
        help="analyse recordings and print a report",
        description="Analyse recordings (files or session folders) and print a report per "
        "input. Formats: PhysioNet gaitpdb/gaitndd, Moticon OpenGo export, temperature CSV.",
    )
    p.add_argument("paths", nargs="+", metavar="PATH", help="a recording file or session folder")
    p.add_argument("--json", action="store_true", help="print one JSON object per input")
    p.add_argument("--config", metavar="TOML", help="override thresholds (see 'settings')")
    p.set_defaults(func=_cmd_analyze)

    s = sub.add_parser("settings", help="list every threshold with its unit and source")
    s.add_argument("--config", metavar="TOML", help="show the values after this override")
    s.add_argument("--markdown", action="store_true", help="print the table docs/clinical.md holds")
    s.set_defaults(func=_cmd_settings)

    from solewatch.live import add_parsers

    add_parsers(sub)  # scan, pair, unpair, stream, record, replay, simulate (BLE)
    from solewatch.exports.cli import add_parsers as add_export_parsers

    add_export_parsers(sub)  # export, report (history store)
    from solewatch.daily import add_parser as add_daily_parser

    add_daily_parser(sub)  # daily (the history job)
    from solewatch.clinic.cli import add_parser as add_clinic_parser

    add_clinic_parser(sub)  # reanalyze (clinic scale, on Dask)
    from dashboard.serve import add_parser as add_dashboard_parser

    add_dashboard_parser(sub)  # dashboard (Dash, in the browser)
    from solewatch.demo import add_parser as add_demo_parser

    add_demo_parser(sub)  # demo (the dashboard over a generated history and virtual insoles)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, extra = parser.parse_known_args(argv)
    if extra and not getattr(args, "takes_extra", False):
        parser.error(f"unrecognized arguments: {' '.join(extra)}")
    try:
        if getattr(args, "takes_extra", False):
            return int(args.func(args, extra))
        return int(args.func(args))
    except SolewatchError as exc:
        print(f"solewatch: {exc}", file=sys.stderr)
        return EXIT_INPUT_FAILED
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # The reader of our output went away (e.g. `| head`): not an error of ours.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
