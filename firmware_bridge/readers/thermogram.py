"""The Plantar Thermogram Database's regional means (Hernandez-Contreras et al., IEEE Access
7:161296, 2019): one barefoot thermogram per subject, ``;``-separated, UTF-8 with BOM, CRLF.

Columns in the file: ``Subject`` (DM### diabetes, CG### control), ``Gender``, and per foot
(``_right``, ``_left``) the mean plantar temperature (°C) of the whole sole (``General``) and of
four angiosomes (``LCA`` lateral calcaneal, ``LPA`` lateral plantar, ``MCA`` medial calcaneal,
``MPA`` medial plantar artery), and a thermal change index ``TCI``.

:func:`read_plantar_thermogram` returns one row per subject with columns ``subject``,
``group`` ("diabetes" or "control"), ``gender``, ``{region}_{foot}_c`` for region in
:data:`REGIONS` and foot in left/right, and ``tci_{foot}``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.errors import DataProblem, InputError

REGIONS = ("general", "lca", "lpa", "mca", "mpa")
_GROUPS = {"DM": "diabetes", "CG": "control"}


def read_plantar_thermogram(path: str | Path) -> pd.DataFrame:
    """Read the regional-means CSV (see module docstring). Rows with a missing or non-numeric
    temperature are dropped and listed in ``df.attrs["problems"]`` (DataProblem, 1-based file
    line); a file without the expected columns raises InputError."""
    path = Path(path)
    src = str(path)
    try:
        raw = pd.read_csv(path, sep=";", encoding="utf-8-sig", dtype=str,
                          keep_default_na=False)
    except FileNotFoundError:
        raise InputError("file not found", source=src) from None
    raw.columns = [c.strip() for c in raw.columns]
    expected = ["Subject", "Gender"] + [
        f"{r.upper() if r != 'general' else 'General'}_{f}"
        for f in ("right", "left") for r in REGIONS
    ] + ["TCI_right", "TCI_left"]
    missing = [c for c in expected if c not in raw.columns]
    if missing:
        raise InputError(
            f"not the plantar thermogram regional means: expected columns "
            f"{', '.join(expected)}; found {', '.join(raw.columns)}; missing "
            f"{', '.join(missing)}",
            source=src,
        )
    out = pd.DataFrame({"subject": raw["Subject"].str.strip()})
    out["group"] = out["subject"].str[:2].str.upper().map(_GROUPS)
    out["gender"] = raw["Gender"].str.strip()
    problems: list[DataProblem] = []
    bad = pd.Series(False, index=raw.index)
    for foot in ("left", "right"):
        for r in REGIONS:
            col = f"{'General' if r == 'general' else r.upper()}_{foot}"
            # Decimal commas would be a locale variant of the same file: accept them.
            vals = pd.to_numeric(raw[col].str.strip().str.replace(",", ".", regex=False),
                                 errors="coerce")
            out[f"{r}_{foot}_c"] = vals
            for i in vals.index[vals.isna()]:
                problems.append(DataProblem(src, f"not a temperature: {raw.at[i, col]!r}",
                                            row=int(i) + 2, field=col))
            bad |= vals.isna()
        out[f"tci_{foot}"] = pd.to_numeric(raw[f"TCI_{foot}"].str.strip(), errors="coerce")
    unknown = out["group"].isna()
    for i in out.index[unknown]:
        problems.append(DataProblem(src, "subject id is neither DM### nor CG###",
                                    row=int(i) + 2, field="Subject"))
    out = out[~bad & ~unknown].reset_index(drop=True)
    if out.empty:
        raise InputError("no valid subject rows", source=src)
    out.attrs["problems"] = tuple(problems)
    out.attrs["source"] = src
    return out
