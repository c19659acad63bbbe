"""Reading a threshold override file (TOML): the I/O edge of analysis.config."""

from __future__ import annotations

import tomllib
from pathlib import Path

from analysis.config import AnalysisConfig, config_from_mapping
from analysis.errors import InputError


def load_config(path: str | Path) -> AnalysisConfig:
    """Read a TOML override file: ``[section]`` tables of ``name = value`` settings."""
    p = Path(path)
    try:
        data = tomllib.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError("config file not found", source=str(p)) from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"not valid TOML: {exc}", source=str(p)) from None
    return config_from_mapping(data, source=str(p))
