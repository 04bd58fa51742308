"""Valid zones: shapes, measures and GeoJSON round trips."""

from __future__ import annotations

import dataclasses
import math

import pytest
import shapely
from shapely.geometry import MultiPolygon, Point, Polygon

from geo import MAX_VERTICES, MIN_AREA_M2, Zone, distance_m, parse_zone
from geo.projection import LocalFrame
from tests.unit.geo.helpers import ST_ETIENNE, offset, ring_from_local, square_ring


@pytest.mark.parametrize("radius", [300, 300.0, 1234.5, 5000])
@pytest.mark.parametrize("center", [[4.39, 45.44], [0, 0], [-70.65, -33.45], [25, 60], [10, -85]])
def test_circle_polygon_contains_the_true_circle(radius: float, center: list[float]) -> None:
    zone = parse_zone({"type": "Circle", "center": center, "radius_m": radius})
    assert zone.kind == "circle"
    assert zone.center == (float(center[0]), float(center[1]))
    assert zone.radius_m == radius
    assert zone.area_m2 == pytest.approx(math.pi * radius**2)
    assert isinstance(zone.shape, Polygon) and zone.shape.is_valid
    ring = list(zone.shape.exterior.coords)[:-1]
    assert len(ring) >= 128
    # The edge midpoints are the closest the polygon gets to the centre: never inside the
    # circle by more than a millimetre, and vertices never far outside it.
    midpoints = [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in zip(ring, ring[1:] + ring[:1])]
    assert min(distance_m(zone.center, m) for m in midpoints) >= radius - 0.001
    assert max(distance_m(zone.center, v) for v in ring) <= radius + 0.1


def test_circle_to_geojson_is_normalised() -> None:
    zone = parse_zone({"type": "Circle", "center": [4, 45], "radius_m": 500})
    assert zone.to_geojson() == {"type": "Circle", "center": [4.0, 45.0], "radius_m": 500.0}
    assert parse_zone(zone.to_geojson()) == zone


def test_square_polygon_measures() -> None:
    ring = square_ring(ST_ETIENNE, 700)
    zone = parse_zone({"type": "Polygon", "coordinates": [ring]})
    assert zone.kind == "polygon"
    assert zone.area_m2 == pytest.approx(1400 * 1400, rel=1e-3)
    assert zone.radius_m == pytest.approx(700 * math.sqrt(2), rel=1e-3)
    assert distance_m(zone.center, ST_ETIENNE) < 1
    assert zone.to_geojson() == {"type": "Polygon", "coordinates": [ring]}


def test_polygon_with_hole() -> None:
    outer, hole = square_ring(ST_ETIENNE, 1000), square_ring(ST_ETIENNE, 400)
    zone = parse_zone({"type": "Polygon", "coordinates": [outer, hole]})
    assert zone.area_m2 == pytest.approx(2000**2 - 800**2, rel=1e-3)
    assert not zone.shape.contains(Point(ST_ETIENNE))
    assert zone.to_geojson()["coordinates"] == [outer, hole]


def test_multipolygon_measures_both_parts() -> None:
    west = square_ring(offset(ST_ETIENNE, -2000, 0), 500)
    east = square_ring(offset(ST_ETIENNE, 2000, 0), 500)
    zone = parse_zone({"type": "MultiPolygon", "coordinates": [[west], [east]]})
    assert isinstance(zone.shape, MultiPolygon)
    assert zone.area_m2 == pytest.approx(2 * 1000**2, rel=1e-3)
    assert zone.radius_m == pytest.approx(math.hypot(2500, 500), rel=1e-3)
    assert distance_m(zone.center, ST_ETIENNE) < 2
    assert zone.to_geojson() == {"type": "MultiPolygon", "coordinates": [[west], [east]]}


def test_feature_wrapper_gives_the_same_zone() -> None:
    geometry = {"type": "Polygon", "coordinates": [square_ring(ST_ETIENNE, 700)]}
    feature = {"type": "Feature", "properties": {"name": "centre"}, "id": 7, "geometry": geometry}
    zone = parse_zone(feature)
    assert zone == parse_zone(geometry)
    assert zone.to_geojson() == geometry


def test_altitude_ignored_and_duplicates_tolerated() -> None:
    ring = square_ring(ST_ETIENNE, 700)
    with_altitude = [[*p, 512.0] for p in ring]
    duplicated = [ring[0], ring[1], ring[1], ring[2], ring[3], ring[4]]
    assert parse_zone({"type": "Polygon", "coordinates": [with_altitude]}).shape.equals(
        parse_zone({"type": "Polygon", "coordinates": [ring]}).shape
    )
    zone = parse_zone({"type": "Polygon", "coordinates": [duplicated]})
    assert zone.area_m2 == pytest.approx(1400**2, rel=1e-3)


def test_size_limits_are_inclusive_enough() -> None:
    # A square just inside the 5 km bounding circle and one just above the minimum area.
    assert parse_zone({"type": "Polygon", "coordinates": [square_ring(ST_ETIENNE, 3530)]})
    side = math.sqrt(MIN_AREA_M2) / 2 + 1
    assert parse_zone({"type": "Polygon", "coordinates": [square_ring(ST_ETIENNE, side)]})


def test_exactly_max_vertices_accepted() -> None:
    ring = ring_from_local(
        ST_ETIENNE,
        [(1000 * math.cos(2 * math.pi * k / MAX_VERTICES),
          1000 * math.sin(2 * math.pi * k / MAX_VERTICES)) for k in range(MAX_VERTICES)],
    )
    assert parse_zone({"type": "Polygon", "coordinates": [ring]}).kind == "polygon"


def test_zone_is_frozen() -> None:
    zone = parse_zone({"type": "Circle", "center": [4.39, 45.44], "radius_m": 500})
    assert isinstance(zone, Zone)
    with pytest.raises(dataclasses.FrozenInstanceError):
        zone.radius_m = 10  # type: ignore[misc]


def test_match_area_grows_by_the_promised_margin() -> None:
    from geo import MATCH_GROWTH_M, geometry_from_mercator

    zone = parse_zone({"type": "Polygon", "coordinates": [square_ring(ST_ETIENNE, 700)]})
    area = geometry_from_mercator(zone.match_area_mercator())
    frame = LocalFrame.at(*ST_ETIENNE)
    local = frame.geometry_to_local(area)
    assert local.is_valid
    # Straight sides move out by the growth; corners are rounded.
    _, miny, maxx, _ = local.bounds
    assert maxx == pytest.approx(700 + MATCH_GROWTH_M, abs=0.2)
    assert miny == pytest.approx(-700 - MATCH_GROWTH_M, abs=0.2)
    corner = shapely.distance(Point(700, 700), local.exterior)
    assert MATCH_GROWTH_M - 1e-6 <= corner <= MATCH_GROWTH_M + 0.2
