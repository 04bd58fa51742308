"""Position validation, privacy snapping and geodesic distance."""

from __future__ import annotations

import math
import random

import pytest

from geo import (
    GRID_M,
    MATCH_GROWTH_M,
    MATCH_MARGIN_M,
    OVERSHOOT_BOUND_M,
    SNAP_ERROR_M,
    ZoneError,
    distance_m,
    parse_position,
    snap_position,
)
from geo.positions import LAT_STEP_DEG, snap_error_bound
from geo.projection import meridional_radius
from tests.unit.geo.helpers import english

# --- parse_position ------------------------------------------------------------------------


def test_parse_position_returns_lon_lat() -> None:
    assert parse_position({"lat": 45.44, "lon": 4.39}, "p") == (4.39, 45.44)
    assert parse_position({"lat": -85, "lon": 180, "accuracy": 12}, "p") == (180.0, -85.0)


BAD_POSITIONS = [
    ("list", [45.44, 4.39], "places[0]", "must be an object"),
    ("null", None, "places[0]", "got null"),
    ("no lat", {"lon": 4.39}, "places[0].lat", "lat is missing"),
    ("no lon", {"lat": 45.44}, "places[0].lon", "lon is missing"),
    ("lat text", {"lat": "45.44", "lon": 4.39}, "places[0].lat", "must be a number"),
    ("lat bool", {"lat": True, "lon": 4.39}, "places[0].lat", "got true"),
    ("lon null", {"lat": 45.44, "lon": None}, "places[0].lon", "got null"),
    ("lat nan", {"lat": math.nan, "lon": 4.39}, "places[0].lat", "finite"),
    ("lon inf", {"lat": 45.44, "lon": -math.inf}, "places[0].lon", "finite"),
    ("lat 86", {"lat": 86, "lon": 4.39}, "places[0].lat", "Web Mercator"),
    ("lon 181", {"lat": 45.44, "lon": 181}, "places[0].lon", "between -180 and 180"),
]


@pytest.mark.parametrize(
    ("data", "field", "phrase"), [c[1:] for c in BAD_POSITIONS], ids=[c[0] for c in BAD_POSITIONS]
)
def test_bad_position_is_refused(data: object, field: str, phrase: str) -> None:
    with pytest.raises(ZoneError) as excinfo:
        parse_position(data, "places[0]")
    assert excinfo.value.field == field
    assert phrase in english(excinfo.value)


# --- constants -----------------------------------------------------------------------------


def test_constants_are_consistent() -> None:
    assert 70.8 < snap_error_bound() <= SNAP_ERROR_M < 72
    assert MATCH_GROWTH_M == SNAP_ERROR_M + MATCH_MARGIN_M
    assert OVERSHOOT_BOUND_M == 2 * SNAP_ERROR_M + MATCH_MARGIN_M
    assert OVERSHOOT_BOUND_M <= 150


# --- snapping ------------------------------------------------------------------------------

LATITUDES = [0.0, 12.3, 45.44, -33.45, 60.0, -60.0, 84.99, -84.99]


def random_positions(count: int, seed: int) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    points = [(rng.uniform(-180, 180), rng.uniform(-85, 85)) for _ in range(count)]
    points += [(rng.uniform(-180, 180), lat + rng.uniform(-0.01, 0.01))
               for lat in LATITUDES for _ in range(count // 10)]
    return [(lon, max(-85.0, min(85.0, lat))) for lon, lat in points]


def test_snap_is_deterministic_idempotent_and_bounded() -> None:
    for lon, lat in random_positions(4000, seed=1):
        snapped = snap_position(lon, lat)
        assert snap_position(lon, lat) == snapped
        assert snap_position(*snapped) == snapped
        error = distance_m((lon, lat), snapped)
        assert error <= snap_error_bound(abs(lat)) + 1e-6
        assert error <= SNAP_ERROR_M


def test_snap_error_bound_is_reached_at_cell_corners() -> None:
    # The bound is tight: a position at a cell corner is almost exactly that far away.
    for lat in (0.0, 45.0, 84.99):
        lon_c, lat_c = snap_position(4.39, lat)
        worst = 0.0
        for dx in (-1, 1):
            for dy in (-1, 1):
                corner = (lon_c + dx * 1e-9, lat_c + dy * (LAT_STEP_DEG / 2 - 1e-12))
                # Walk to the edge of the cell in longitude.
                step = 1e-7
                while snap_position(corner[0] + dx * step, corner[1]) == (lon_c, lat_c):
                    corner = (corner[0] + dx * step, corner[1])
                worst = max(worst, distance_m(corner, (lon_c, lat_c)))
        assert snap_error_bound(abs(lat)) - 0.05 < worst <= snap_error_bound(abs(lat))


@pytest.mark.parametrize("lat", LATITUDES)
def test_cells_are_about_grid_sized(lat: float) -> None:
    lon_c, lat_c = snap_position(4.39, lat)
    north = snap_position(lon_c, lat_c + LAT_STEP_DEG)
    assert north[1] == pytest.approx(lat_c + LAT_STEP_DEG)
    height = LAT_STEP_DEG * meridional_radius(lat_c) * math.pi / 180
    assert 99 < height < 100.5
    # The next cell east: its centre is one cell width away, at most GRID_M.
    east = lon_c
    while snap_position(east, lat_c) == (lon_c, lat_c):
        east += 1e-5
    width = distance_m((lon_c, lat_c), snap_position(east, lat_c))
    assert GRID_M - 0.1 < width <= GRID_M + 1e-6


def test_distinct_positions_share_cells() -> None:
    a = snap_position(4.39001, 45.44001)
    b = snap_position(4.39002, 45.44002)  # ~1.3 m away
    assert a == b or distance_m(a, b) <= GRID_M + 1


def test_antimeridian_is_one_meridian() -> None:
    assert snap_position(180.0, 10.0) == snap_position(-180.0, 10.0)
    lon, _ = snap_position(179.99999, 10.0)
    assert -180 < lon < 180


# --- distance ------------------------------------------------------------------------------


def dms(deg: int, minutes: int, seconds: float) -> float:
    return math.copysign(abs(deg) + minutes / 60 + seconds / 3600, deg)


def meridian_arc(lat1: float, lat2: float, steps: int = 2000) -> float:
    """Independent reference: Simpson integration of M(φ) dφ."""
    h = (lat2 - lat1) / steps
    total = meridional_radius(lat1) + meridional_radius(lat2)
    for i in range(1, steps):
        total += (4 if i % 2 else 2) * meridional_radius(lat1 + i * h)
    return total * h / 3 * math.pi / 180


def mid_latitude_distance(a: tuple[float, float], b: tuple[float, float]) -> float:
    from geo.projection import metres_per_degree_lat, metres_per_degree_lon

    mid = (a[1] + b[1]) / 2
    return math.hypot((b[0] - a[0]) * metres_per_degree_lon(mid),
                      (b[1] - a[1]) * metres_per_degree_lat(mid))


def haversine(a: tuple[float, float], b: tuple[float, float]) -> float:
    lon1, lat1, lon2, lat2 = map(math.radians, (*a, *b))
    h = (math.sin((lat2 - lat1) / 2) ** 2
         + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2)
    return 2 * 6_371_008.8 * math.asin(math.sqrt(h))


def test_distance_vincenty_reference_line() -> None:
    # Flinders Peak → Buninyong, the worked example of Vincenty (1975): 54 972.271 m.
    flinders = (dms(144, 25, 29.52440), dms(-37, 57, 3.72030))
    buninyong = (dms(143, 55, 35.38390), dms(-37, 39, 10.15610))
    assert distance_m(flinders, buninyong) == pytest.approx(54_972.271, abs=0.001)
    assert distance_m(buninyong, flinders) == pytest.approx(54_972.271, abs=0.001)


def test_distance_along_equator_and_meridian() -> None:
    assert distance_m((0, 0), (1, 0)) == pytest.approx(6_378_137 * math.pi / 180, abs=1e-3)
    assert distance_m((4.39, 0), (4.39, 1)) == pytest.approx(meridian_arc(0, 1), abs=1e-3)
    assert distance_m((4.39, 45), (4.39, 45.09)) == pytest.approx(meridian_arc(45, 45.09),
                                                                  abs=1e-3)
    assert distance_m((4.39, 45.44), (4.39, 45.44)) == 0


@pytest.mark.parametrize("lat", [0.0, 45.0, 60.0, -33.0])
def test_distance_at_10_km_offsets(lat: float) -> None:
    rng = random.Random(lat)
    for _ in range(50):
        angle = rng.uniform(0, 2 * math.pi)
        a = (4.39, lat)
        # ~10 km away; the mid-latitude formula is good to centimetres at this range.
        b = (4.39 + 0.09 * math.cos(angle) / math.cos(math.radians(lat)),
             lat + 0.09 * math.sin(angle))
        assert distance_m(a, b) == pytest.approx(mid_latitude_distance(a, b), abs=0.1)


def test_haversine_would_not_be_accurate_enough() -> None:
    a, b = (4.39, 45.0), (4.39, 45.09)
    assert abs(haversine(a, b) - distance_m(a, b)) > 0.5
