"""Spherical Web Mercator conversions (what PostGIS ST_Transform(…, 3857) computes)."""

from __future__ import annotations

import math
import random

import pytest
from shapely.geometry import Polygon

from geo import from_mercator, geometry_from_mercator, geometry_to_mercator, to_mercator
from geo.projection import LocalFrame, metres_per_degree_lat, metres_per_degree_lon

HALF_WORLD = 20_037_508.342789244  # EPSG:3857 x at 180°, and y at ~85.0511°


def test_known_mercator_values() -> None:
    assert to_mercator(0, 0) == (0.0, 0.0)
    assert to_mercator(180, 0)[0] == pytest.approx(HALF_WORLD, abs=1e-6)
    assert to_mercator(-180, 0)[0] == pytest.approx(-HALF_WORLD, abs=1e-6)
    assert to_mercator(0, 85.0511287798066)[1] == pytest.approx(HALF_WORLD, abs=1e-3)
    # y = R·ln tan(π/4 + φ/2) at 45°: R·asinh(1).
    assert to_mercator(0, 45)[1] == pytest.approx(6_378_137 * math.asinh(1), abs=1e-6)


def test_round_trip() -> None:
    rng = random.Random(3857)
    for _ in range(1000):
        lon, lat = rng.uniform(-180, 180), rng.uniform(-85, 85)
        back = from_mercator(*to_mercator(lon, lat))
        assert back == pytest.approx((lon, lat), abs=1e-9)


def test_geometry_conversion_matches_pointwise() -> None:
    ring = [(4.38, 45.43), (4.40, 45.43), (4.40, 45.45), (4.38, 45.45)]
    merc = geometry_to_mercator(Polygon(ring))
    for (x, y), (lon, lat) in zip(merc.exterior.coords, [*ring, ring[0]], strict=True):
        assert (x, y) == pytest.approx(to_mercator(lon, lat), abs=1e-6)
    back = geometry_from_mercator(merc)
    assert back.equals_exact(Polygon(ring), tolerance=1e-9)


def test_local_frame_scales() -> None:
    # One degree of latitude is ~110.6 km at the equator, ~111.7 km at the poles.
    assert metres_per_degree_lat(0) == pytest.approx(110_574.3, abs=0.5)
    assert metres_per_degree_lat(90) == pytest.approx(111_693.9, abs=0.5)
    assert metres_per_degree_lon(0) == pytest.approx(111_319.49, abs=0.01)
    frame = LocalFrame.at(4.39, 45.44)
    assert frame.to_lonlat(*frame.to_local(4.41, 45.47)) == pytest.approx((4.41, 45.47))
