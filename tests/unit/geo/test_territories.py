"""Commune boundaries from the Loire sample file."""

from __future__ import annotations

from pathlib import Path

import pytest
from shapely.geometry import MultiPolygon, Point

from geo import Commune, CommuneNotFoundError, find_commune, load_communes

LOIRE = Path(__file__).resolve().parents[3] / "data" / "communes-42-loire.geojson"


def test_load_all_communes_as_multipolygons() -> None:
    communes = load_communes(LOIRE)
    assert len(communes) == 326
    assert all(isinstance(c, Commune) and isinstance(c.boundary, MultiPolygon) for c in communes)
    assert len({c.code for c in communes}) == len(communes)


def test_saint_etienne() -> None:
    commune = find_commune(LOIRE, "42218")
    assert commune.name == "Saint-Étienne"
    assert isinstance(commune.boundary, MultiPolygon)
    assert commune.boundary.is_valid
    assert commune.boundary.contains(Point(4.39, 45.44))
    centroid = commune.boundary.centroid
    assert abs(centroid.x - 4.39) < 0.05 and abs(centroid.y - 45.44) < 0.05


def test_missing_commune_is_a_clear_key_error() -> None:
    with pytest.raises(CommuneNotFoundError) as excinfo:
        find_commune(LOIRE, "75056")
    assert isinstance(excinfo.value, KeyError)
    assert "no commune with code '75056'" in str(excinfo.value)
