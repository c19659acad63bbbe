"""The architecture holds: data flows firmware_bridge -> analysis -> edges, and analysis is pure."""

from __future__ import annotations

import ast
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]

# What each package may import from the project's own packages.
ALLOWED = {
    "analysis": {"analysis"},
    "firmware_bridge": {"firmware_bridge", "analysis.streams", "analysis.layouts",
                        "analysis.sites", "analysis.errors"},
    "fixtures": {"fixtures", "analysis.streams", "analysis.layouts", "analysis.sites",
                 "analysis.errors", "firmware_bridge.readers",
                 # fixtures/recordings.py encodes frames and writes raw logs
                 "firmware_bridge.profile", "firmware_bridge.recording"},
}
# Single modules allowed more than their package: the BLE simulator's default data is the
# fixture generator's (a test and demo tool, never on the path of real insole data).
MODULE_EXTRA = {
    "firmware_bridge/ble/demo_data.py": {"fixtures"},
    # The confounder suite's truth names the rule it expects (unsafe_temperature), and its
    # scorer runs the temperature analysis and scores the alerts (a test tool at the edge).
    "fixtures/confounders/generate.py": {"analysis.alerts"},
    "fixtures/confounders/score.py": {"analysis.alerts", "analysis.config",
                                      "analysis.temperature"},
}
OWN = ("analysis", "firmware_bridge", "dashboard", "fixtures", "solewatch")
# Calls that do I/O or read clocks; the analysis core must not make them.
IMPURE_CALLS = {"open", "print", "input"}
IMPURE_MODULES = {"os", "pathlib", "time", "socket", "subprocess", "sqlite3", "logging"}


def _imports(path: Path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module, node.lineno
    return tree


def _allowed(module: str, allowed: set[str]) -> bool:
    return any(module == a or module.startswith(a + ".") for a in allowed)


def test_imports_flow_one_way():
    wrong = []
    for package, allowed in ALLOWED.items():
        for path in (REPO / package).rglob("*.py"):
            extra = MODULE_EXTRA.get(path.relative_to(REPO).as_posix(), set())
            for module, line in _imports(path):
                if module.split(".")[0] in OWN and not _allowed(module, allowed | extra):
                    wrong.append(f"{path.relative_to(REPO)}:{line} imports {module}")
    assert not wrong, "imports against the data flow:\n" + "\n".join(wrong)


def test_analysis_does_no_io_and_reads_no_clock():
    wrong = []
    for path in (REPO / "analysis").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in IMPURE_CALLS:
                    wrong.append(f"{path.relative_to(REPO)}:{node.lineno} calls {node.func.id}")
            if isinstance(node, ast.Attribute) and node.attr in {"now", "today", "utcnow"}:
                wrong.append(f"{path.relative_to(REPO)}:{node.lineno} reads the clock")
        for module, line in _imports(path):
            if module.split(".")[0] in IMPURE_MODULES:
                wrong.append(f"{path.relative_to(REPO)}:{line} imports {module}")
    assert not wrong, "the analysis core must stay pure:\n" + "\n".join(wrong)
