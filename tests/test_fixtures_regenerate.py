"""The committed fixtures are exactly what `python -m fixtures.regenerate` writes."""

from __future__ import annotations

import gzip
import json

import numpy as np
import pytest

from firmware_bridge.readers import load_input
from firmware_bridge.readers.moticon import read_moticon_steps
from fixtures.regenerate import FIXTURES, regenerate, tree_digest


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    out = tmp_path_factory.mktemp("fixtures")
    regenerate(out)
    return out


def test_regeneration_is_byte_identical_to_the_committed_files(regenerated, fixture_data):
    committed = tree_digest(fixture_data)
    fresh = tree_digest(regenerated)
    assert sorted(fresh) == sorted(k for k in committed if k in fresh)
    changed = [k for k in fresh if committed.get(k) != fresh[k]]
    # tell a different zlib build (same content, other compressed bytes) from changed content
    same_content = [
        k for k in changed if k.endswith(".gz")
        and gzip.decompress((fixture_data / k).read_bytes())
        == gzip.decompress((regenerated / k).read_bytes())
    ]
    assert not changed, (
        f"{changed} differ from fixtures/data "
        + (f"(only the gzip compression differs for {same_content}: another zlib build?) "
           if same_content else "")
        + "- run .venv/bin/python -m fixtures.regenerate and commit, or find what made the "
        "generator non-deterministic"
    )


def test_regenerating_twice_gives_the_same_bytes(regenerated, tmp_path):
    # a second run in another folder (and another process state) gives the same bytes
    regenerate(tmp_path)
    assert tree_digest(tmp_path) == tree_digest(regenerated)


def test_fixtures_are_small_and_load(fixture_data):
    total = sum(p.stat().st_size for p in fixture_data.rglob("*") if p.is_file())
    assert total < 8_000_000
    for spec in FIXTURES:
        rec = load_input(fixture_data / spec.folder)
        assert rec.pressure is not None and rec.temperature is not None
        assert rec.pressure.sample_rate_hz == pytest.approx(100.0)
        assert rec.pressure.left.shape == (18_000, 16)
        assert rec.temperature.values_c.shape[1:] == (2, 6)
        truth = json.loads((fixture_data / spec.folder / "truth.json").read_text())
        steps = read_moticon_steps(fixture_data / spec.folder / "pressure.txt.gz")
        np.testing.assert_allclose(steps["left"]["heel_strike_s"],
                                   truth["gait"]["initial_contact_s"]["left"], atol=0.006)
        assert truth["gait"]["calf_raise_count"] == 10


def test_demo_shows_a_hotspot_on_consecutive_days(fixture_data):
    truth = json.loads((fixture_data / "demo" / "truth.json").read_text())
    days = [d for d, foot, site in truth["temperature"]["inflamed"]
            if (foot, site) == ("left", "mth1")]
    assert len(days) >= 2
    ordinals = np.array([np.datetime64(d).astype(int) for d in days])
    assert np.any(np.diff(ordinals) == 1)
