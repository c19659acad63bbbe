"""Exports of a wearer's history (an edge package): tables as CSV and Parquet, and a
clinician-readable report as one self-contained HTML file. See docs/storage.md.

::

    from solewatch.exports import export_tables, write_report
    export_tables(store, "ann", "2026-03-01", "2026-03-31", "out/")   # -> [Path, ...]
    write_report(store, "ann", "2026-03-01", "2026-03-31", "ann-march.html")
"""

from solewatch.exports.report import render_report, write_report
from solewatch.exports.tables import COLUMNS, FORMATS, TABLES, ExportError, export_tables

__all__ = ["COLUMNS", "FORMATS", "TABLES", "ExportError", "export_tables", "render_report",
           "write_report"]
