"""Malformed zones are refused with a field path and an actionable message."""

from __future__ import annotations

import math

import pytest

from geo import ZoneError, parse_zone
from tests.unit.geo.helpers import ST_ETIENNE, english, ring_from_local, square_ring

SQUARE = square_ring(ST_ETIENNE, 700)


def circle(**overrides: object) -> dict:
    return {"type": "Circle", "center": [4.39, 45.44], "radius_m": 1000, **overrides}


def polygon(*rings: list) -> dict:
    return {"type": "Polygon", "coordinates": list(rings)}


def with_position(index: int, position: object) -> dict:
    ring = [list(p) for p in SQUARE]
    ring[index] = position
    return polygon(ring)


def regular_ring(vertices: int, radius_m: float = 1000) -> list[list[float]]:
    return ring_from_local(
        ST_ETIENNE,
        [(radius_m * math.cos(2 * math.pi * k / vertices),
          radius_m * math.sin(2 * math.pi * k / vertices)) for k in range(vertices)],
    )


BOWTIE = ring_from_local(ST_ETIENNE, [(-800, -800), (800, 800), (800, -800), (-800, 800)])
FAR_HOLE = square_ring((4.5, 45.44), 100)
ANTIMERIDIAN = [[179.99, 0.0], [-179.99, 0.0], [-179.99, 0.02], [179.99, 0.02], [179.99, 0.0]]
OVERLAPPING = {
    "type": "MultiPolygon",
    "coordinates": [[SQUARE], [square_ring((4.392, 45.44), 700)]],
}
OPEN_SECOND = {
    "type": "MultiPolygon",
    "coordinates": [[SQUARE], [square_ring((4.45, 45.44), 500)[:-1] + [[4.45, 45.44]]]],
}

MALFORMED = [
    # (id, data, field, phrase)
    ("list", [], "zone", "must be a JSON object"),
    ("null", None, "zone", "got null"),
    ("string", "Circle", "zone", "must be a JSON object"),
    ("no type", {}, "zone.type", "type is missing"),
    ("type not text", {"type": 3}, "zone.type", "must be a text"),
    ("point", {"type": "Point", "coordinates": [4.39, 45.44]}, "zone.type", "unknown zone type"),
    ("lowercase", circle(type="circle"), "zone.type", "case-sensitive"),
    ("no center", {"type": "Circle", "radius_m": 1000}, "zone.center", "center is missing"),
    ("center string", circle(center="4.39,45.44"), "zone.center", "must be a list"),
    ("center 3 values", circle(center=[4.39, 45.44, 0]), "zone.center", "got 3 values"),
    ("lon string", circle(center=["4.39", 45.44]), "zone.center[0]", "must be a number"),
    ("lat bool", circle(center=[4.39, True]), "zone.center[1]", "number (got true)"),
    ("lat null", circle(center=[4.39, None]), "zone.center[1]", "number (got null)"),
    ("lon range", circle(center=[200, 45.44]), "zone.center[0]", "between -180 and 180"),
    ("lat range", circle(center=[4.39, 86]), "zone.center[1]", "Web Mercator"),
    ("lat nan", circle(center=[4.39, math.nan]), "zone.center[1]", "finite"),
    ("lon inf", circle(center=[math.inf, 45.44]), "zone.center[0]", "finite"),
    ("no radius", {"type": "Circle", "center": [4.39, 45.44]}, "zone.radius_m", "is missing"),
    ("radius big", circle(radius_m=12000), "zone.radius_m",
     "radius_m must be between 300 and 5000 metres (got 12000)"),
    ("radius small", circle(radius_m=299.9), "zone.radius_m", "(got 299.9)"),
    ("radius string", circle(radius_m="1000"), "zone.radius_m", "must be a number"),
    ("radius bool", circle(radius_m=True), "zone.radius_m", "must be a number"),
    ("radius nan", circle(radius_m=math.nan), "zone.radius_m", "finite"),
    ("radius -inf", circle(radius_m=-math.inf), "zone.radius_m", "finite"),
    ("unknown key", circle(radius=1000), "zone.radius", "unknown property 'radius'"),
    ("circle at 180", circle(center=[179.995, 0]), "zone.center", "antimeridian"),
    ("no coordinates", {"type": "Polygon"}, "zone.coordinates", "missing"),
    ("coordinates text", {"type": "Polygon", "coordinates": "abc"}, "zone.coordinates",
     "list of rings"),
    ("no rings", polygon(), "zone.coordinates", "list of rings"),
    ("ring not list", polygon(5), "zone.coordinates[0]", "list of positions"),
    ("ring too short", polygon(SQUARE[:2] + SQUARE[:1]), "zone.coordinates[0]",
     "at least 4 positions"),
    ("ring not closed", polygon(SQUARE[:-1] + [[4.0, 45.0]]), "zone.coordinates[0]",
     "not closed"),
    ("position short", with_position(2, [4.38]), "zone.coordinates[0][2]",
     "[longitude, latitude]"),
    ("position object", with_position(2, {"lon": 4.3, "lat": 45.4}), "zone.coordinates[0][2]",
     "[longitude, latitude]"),
    ("position text", with_position(1, ["4.3", 45.44]), "zone.coordinates[0][1][0]",
     "must be a number"),
    ("position lat", with_position(1, [4.39, 89.0]), "zone.coordinates[0][1][1]",
     "Web Mercator"),
    ("position bool", with_position(1, [4.39, False]), "zone.coordinates[0][1][1]",
     "got false"),
    ("altitude text", with_position(1, [4.39, 45.44, "high"]), "zone.coordinates[0][1][2]",
     "altitude must be a number"),
    ("bowtie", polygon(BOWTIE), "zone.coordinates", "edges cross each other"),
    ("hole outside", polygon(SQUARE, FAR_HOLE), "zone.coordinates", "hole lies outside"),
    ("degenerate ring", polygon([[4.38, 45.44], [4.39, 45.44], [4.40, 45.44], [4.38, 45.44]]),
     "zone.coordinates", "not a valid polygon"),
    ("too many vertices", polygon(regular_ring(1001)), "zone.coordinates",
     "too many vertices (1001); at most 1000"),
    ("too large", polygon(square_ring(ST_ETIENNE, 10_000)), "zone.coordinates",
     "too large: it only fits in a circle of 14.14 km radius"),
    ("too small", polygon(square_ring(ST_ETIENNE, 100)), "zone.coordinates",
     "too small: it covers 40,000 m²"),
    ("antimeridian", polygon(ANTIMERIDIAN), "zone.coordinates[0][1]", "180° meridian"),
    ("multi empty", {"type": "MultiPolygon", "coordinates": []}, "zone.coordinates",
     "non-empty list of polygons"),
    ("multi overlap", OVERLAPPING, "zone.coordinates", "not a valid polygon"),
    ("multi open ring", OPEN_SECOND, "zone.coordinates[1][0]", "not closed"),
    ("multi vertices", {"type": "MultiPolygon", "coordinates": [[regular_ring(600)],
                                                                [regular_ring(600)]]},
     "zone.coordinates", "too many vertices (1200)"),
    ("feature no geometry", {"type": "Feature", "properties": {}}, "zone.geometry",
     "geometry object"),
    ("feature point", {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}},
     "zone.geometry.type", "Polygon or MultiPolygon"),
    ("feature circle", {"type": "Feature", "geometry": circle()}, "zone.geometry.type",
     "Polygon or MultiPolygon"),
    ("feature bad lat", {"type": "Feature", "geometry": with_position(0, [4.39, 90])},
     "zone.geometry.coordinates[0][0][1]", "between -85 and 85"),
]


@pytest.mark.parametrize(
    ("data", "field", "phrase"),
    [case[1:] for case in MALFORMED],
    ids=[case[0] for case in MALFORMED],
)
def test_malformed_zone_is_refused(data: object, field: str, phrase: str) -> None:
    with pytest.raises(ZoneError) as excinfo:
        parse_zone(data)
    assert excinfo.value.field == field
    assert phrase in english(excinfo.value)


def test_enough_malformed_cases() -> None:
    assert len(MALFORMED) >= 30


def test_field_prefix_is_configurable() -> None:
    with pytest.raises(ZoneError) as excinfo:
        parse_zone(circle(radius_m=12000), field="alerts[2].zone")
    assert excinfo.value.field == "alerts[2].zone.radius_m"
    assert str(excinfo.value).startswith("alerts[2].zone.radius_m: ")


def test_zone_error_is_a_value_error_with_a_code_and_values() -> None:
    error = ZoneError("zone.radius_out_of_range", "zone.radius_m", min="300", max="5000", got="12000")
    assert isinstance(error, ValueError)
    assert (error.code, error.field, error.values) == (
        "zone.radius_out_of_range", "zone.radius_m", {"min": "300", "max": "5000", "got": "12000"})
    assert english(error) == "radius_m must be between 300 and 5000 metres (got 12000)"


def test_invalid_reason_mentions_location() -> None:
    with pytest.raises(ZoneError) as excinfo:
        parse_zone(polygon(BOWTIE))
    assert excinfo.value.code == "zone.edges_cross"
    assert "Self-intersection" in english(excinfo.value)
    assert "near longitude 4.39" in english(excinfo.value)
