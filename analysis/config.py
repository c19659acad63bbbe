"""Every threshold and tuning constant of the analysis, with its unit and its source.

Each setting is a dataclass field made with :func:`setting`: a default, a unit, and the
citation or reasoning behind it. Names carry the unit (``_c``, ``_s``, ``_kpa``, ``_pct``).
A TOML file overrides any of them::

    [temperature]
    contralateral_site_delta_c = 2.0   # Skafjeld 2015

    [pressure]
    sustained_duration_s = 1200

:func:`load_config` checks names and types and says which line is wrong. The clinical
references are summarised in docs/clinical.md (from ../shared/reference/clinical.md).
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.errors import InputError

#: 1 mmHg in kPa (133.322 Pa).
MMHG_KPA = 0.133322


def setting(default: Any, *, unit: str, source: str) -> Any:
    """A configurable threshold: its default, unit and the citation behind the default."""
    return field(default=default, metadata={"unit": unit, "source": source})


@dataclass(frozen=True)
class GaitConfig:
    """Gait-event detection and gait metrics."""

    min_stance_s: float = setting(
        0.2, unit="s",
        source="Shortest plausible stance: stance is about 60% of a 0.8-1.6 s stride even "
        "when running slowly; shorter contacts are sensor noise or shuffles.",
    )
    min_swing_s: float = setting(
        0.15, unit="s",
        source="Shortest plausible swing (about 40% of the shortest walking stride, "
        "0.9 s): shorter gaps inside a stance are sensor drop-outs.",
    )
    dfa_min_strides: int = setting(
        100, unit="strides",
        source="DFA alpha needs at least 100-200 strides (Hausdorff 1995/1996; "
        "clinical.md). Below this dfa_alpha is null.",
    )


@dataclass(frozen=True)
class PressureConfig:
    """Plantar-pressure alerts."""

    sustained_kpa: float = setting(
        35.0 * MMHG_KPA, unit="kPa",
        source="Orpyx SurroSense Rx alerts when a region stays above 35-50 mmHg "
        "(4.7-6.7 kPa) for more than 15 minutes (Abbott 2019, Lancet Digital Health).",
    )
    sustained_duration_s: float = setting(
        15 * 60.0, unit="s",
        source="Abbott 2019: more than 15 minutes above the sustained-pressure threshold.",
    )
    peak_target_kpa: float = setting(
        200.0, unit="kPa",
        source="In-shoe peak pressure target below 200 kPa (Bus 2011/2013).",
    )


@dataclass(frozen=True)
class TemperatureConfig:
    """Temperature-asymmetry and absolute-temperature alert rules."""

    contralateral_site_delta_c: float = setting(
        2.2, unit="°C",
        source="Lavery 2004/2007, Armstrong 2007: same site > 4 °F (2.2 °C) warmer than "
        "the other foot; Frykberg 2017: 97% sensitivity at 2.22 °C.",
    )
    consecutive_days: int = setting(
        2, unit="days",
        source="Confirmation on the next day cuts false alarms from 8.5% to 0.3% of "
        "readings (Wijlens 2017); Skafjeld 2015 rule: two consecutive days.",
    )
    foot_mean_delta_c: float = setting(
        1.35, unit="°C",
        source="Mean of all sites, left minus right: 1.35 °C separated urgent from "
        "non-urgent cases (sensitivity 89%, specificity 78%); clinical.md.",
    )
    ipsilateral_delta_c: float = setting(
        2.0, unit="°C",
        source="Local complications > 2 °C above the own-foot mean; healthy feet never "
        "above 1.5 °C (clinical.md, ipsilateral hotspot).",
    )


@dataclass(frozen=True)
class AnalysisConfig:
    gait: GaitConfig = field(default_factory=GaitConfig)
    pressure: PressureConfig = field(default_factory=PressureConfig)
    temperature: TemperatureConfig = field(default_factory=TemperatureConfig)


def describe(config: AnalysisConfig | None = None) -> list[dict[str, Any]]:
    """Every setting as {section, name, value, unit, source}: for docs, --help and reports."""
    config = config or AnalysisConfig()
    rows = []
    for section in dataclasses.fields(config):
        sub = getattr(config, section.name)
        for f in dataclasses.fields(sub):
            rows.append(
                {
                    "section": section.name,
                    "name": f.name,
                    "value": getattr(sub, f.name),
                    "unit": f.metadata.get("unit", ""),
                    "source": f.metadata.get("source", ""),
                }
            )
    return rows


def config_from_mapping(data: dict[str, Any], *, source: str = "<config>") -> AnalysisConfig:
    """Build a config from nested ``{section: {name: value}}``, checking names and types."""
    base = AnalysisConfig()
    sections = {f.name: f for f in dataclasses.fields(base)}
    changes = {}
    for sec_name, values in data.items():
        if sec_name not in sections:
            raise InputError(
                f"unknown section [{sec_name}]; known: {sorted(sections)}", source=source
            )
        if not isinstance(values, dict):
            raise InputError(f"[{sec_name}] must be a table", source=source)
        sub = getattr(base, sec_name)
        known = {f.name: f for f in dataclasses.fields(sub)}
        sub_changes = {}
        for name, value in values.items():
            if name not in known:
                raise InputError(
                    f"unknown setting; known in [{sec_name}]: {sorted(known)}",
                    source=source,
                    field=f"{sec_name}.{name}",
                )
            default = getattr(sub, name)
            if isinstance(default, bool):
                ok = isinstance(value, bool)
            elif isinstance(default, int):
                ok = isinstance(value, int) and not isinstance(value, bool)
            elif isinstance(default, float):
                ok = isinstance(value, int | float) and not isinstance(value, bool)
                value = float(value) if ok else value
            else:
                ok = isinstance(value, type(default))
            if not ok:
                unit = known[name].metadata.get("unit", "")
                raise InputError(
                    f"expected {type(default).__name__} in {unit}, found {value!r}",
                    source=source,
                    field=f"{sec_name}.{name}",
                )
            sub_changes[name] = value
        changes[sec_name] = dataclasses.replace(sub, **sub_changes)
    return dataclasses.replace(base, **changes)


def load_config(path: str | Path) -> AnalysisConfig:
    """Read a TOML override file (see module docstring)."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("config file not found", source=str(p)) from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"not valid TOML: {exc}", source=str(p)) from None
    return config_from_mapping(data, source=str(p))
