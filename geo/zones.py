"""Alert zones: parsing and validation of operator input, metric measures, match areas."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from geo.errors import ZoneError, describe
from geo.positions import (
    MATCH_GROWTH_M,
    _number,
    distance_m,
    parse_lat,
    parse_lon,
)
from geo.projection import LocalFrame, geometry_to_mercator

__all__ = [
    "MAX_RADIUS_M",
    "MAX_VERTICES",
    "MIN_AREA_M2",
    "MIN_RADIUS_M",
    "Zone",
    "ZoneError",
    "parse_zone",
]

MIN_RADIUS_M = 300.0
MAX_RADIUS_M = 5000.0
MIN_AREA_M2 = math.pi * MIN_RADIUS_M**2
MAX_VERTICES = 1000

# 512 sides: the circumscribed polygon overshoots a 5 km circle by only r·(sec(π/n) − 1) ≈ 9 cm,
# which keeps the overshoot promise tight, and stays tiny for the database.
CIRCLE_VERTICES = 512
# Round joins of the match-area buffer: 16 segments per quarter circle; the buffer distance
# is inflated by sec(π/64) so chord midpoints, not just vertices, reach the true buffer.
BUFFER_QUAD_SEGS = 16
# Edges are straight in lon/lat but not in Web Mercator; densifying before the conversion
# keeps the bend between the two below a millimetre.
DENSIFY_M = 50.0

_CIRCLE_KEYS = ("type", "center", "radius_m")


@dataclass(frozen=True)
class Zone:
    kind: str  # "circle" | "polygon"
    shape: BaseGeometry  # lon/lat Polygon or MultiPolygon; a circle's polygon contains the circle
    center: tuple[float, float]  # (lon, lat) of the circle, or of the minimum bounding circle
    radius_m: float  # circle radius, or minimum bounding circle radius
    area_m2: float

    def to_geojson(self) -> dict[str, Any]:
        """The zone as the operator gave it (normalised), suitable for storing and echoing."""
        if self.kind == "circle":
            return {"type": "Circle", "center": list(self.center), "radius_m": self.radius_m}
        geometry = _lists(mapping(self.shape))
        assert isinstance(geometry, dict)
        return geometry

    def local_frame(self) -> LocalFrame:
        return LocalFrame.at(*self.center)

    def match_area_lonlat(self) -> BaseGeometry:
        """The zone grown by MATCH_GROWTH_M, in lon/lat.

        Buffering is done in the local metric frame so the growth is in metres in every
        direction; the polygonal buffer lies outside the true buffer (see BUFFER_QUAD_SEGS).
        """
        frame = self.local_frame()
        local = frame.geometry_to_local(self.shape)
        distance = MATCH_GROWTH_M / math.cos(math.pi / (4 * BUFFER_QUAD_SEGS))
        grown = shapely.segmentize(local.buffer(distance, quad_segs=BUFFER_QUAD_SEGS), DENSIFY_M)
        return frame.geometry_to_lonlat(grown)

    def match_area_mercator(self) -> BaseGeometry:
        """Match area in EPSG:3857, to test ST_Intersects against snapped positions in 3857."""
        return geometry_to_mercator(self.match_area_lonlat())


def _lists(value: object) -> object:
    if isinstance(value, dict):
        return {k: _lists(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_lists(v) for v in value]
    return value


def parse_zone(data: object, field: str = "zone") -> Zone:
    """Validate an operator's zone and build a Zone. Raises ZoneError; never repairs input."""
    if not isinstance(data, dict):
        raise ZoneError("zone.not_an_object", field, got=describe(data))
    kind = _type_of(data, field)
    if kind == "Feature":
        geometry = data.get("geometry")
        if not isinstance(geometry, dict):
            raise ZoneError("zone.feature_without_geometry", f"{field}.geometry", got=describe(geometry))
        geometry_type = _type_of(geometry, f"{field}.geometry")
        if geometry_type not in ("Polygon", "MultiPolygon"):
            raise ZoneError("zone.feature_not_polygonal", f"{field}.geometry.type", got=describe(geometry_type))
        return _parse_polygonal(geometry, f"{field}.geometry")
    if kind == "Circle":
        return _parse_circle(data, field)
    if kind in ("Polygon", "MultiPolygon"):
        return _parse_polygonal(data, field)
    if kind.lower() in ("circle", "polygon", "multipolygon", "feature"):
        raise ZoneError("zone.type_wrong_case", f"{field}.type", got=describe(kind))
    raise ZoneError("zone.unknown_type", f"{field}.type", got=describe(kind))


def _type_of(data: dict[str, Any], field: str) -> str:
    if "type" not in data:
        raise ZoneError("zone.type_missing", f"{field}.type")
    kind = data["type"]
    if not isinstance(kind, str):
        raise ZoneError("zone.type_not_text", f"{field}.type", got=describe(kind))
    return kind


# --- circles -----------------------------------------------------------------------------


def _parse_circle(data: dict[str, Any], field: str) -> Zone:
    for key in data:
        if key not in _CIRCLE_KEYS:
            raise ZoneError("zone.circle_unknown_property", f"{field}.{key}", name=repr(key))
    if "center" not in data:
        raise ZoneError("zone.center_missing", f"{field}.center")
    center = data["center"]
    if not isinstance(center, list):
        raise ZoneError("zone.center_not_a_list", f"{field}.center", got=describe(center))
    if len(center) != 2:
        raise ZoneError("zone.center_wrong_length", f"{field}.center", count=len(center))
    lon = parse_lon(center[0], f"{field}.center[0]")
    lat = parse_lat(center[1], f"{field}.center[1]")
    if "radius_m" not in data:
        raise ZoneError("zone.radius_missing", f"{field}.radius_m", min=f"{MIN_RADIUS_M:g}",
                        max=f"{MAX_RADIUS_M:g}")
    radius = _number(data["radius_m"], f"{field}.radius_m", "radius_m")
    if not MIN_RADIUS_M <= radius <= MAX_RADIUS_M:
        raise ZoneError("zone.radius_out_of_range", f"{field}.radius_m", min=f"{MIN_RADIUS_M:g}",
                        max=f"{MAX_RADIUS_M:g}", got=f"{radius:g}")
    frame = LocalFrame.at(lon, lat)
    _check_antimeridian_clearance(lon - radius / frame.kx, lon + radius / frame.kx, frame,
                                  f"{field}.center")
    return Zone(
        kind="circle",
        shape=geodesic_circle_polygon(lon, lat, radius),
        center=(lon, lat),
        radius_m=radius,
        area_m2=math.pi * radius**2,
    )


def circumscribed_circle(radius: float, vertices: int) -> Polygon:
    """Regular polygon centred on (0, 0) whose edges touch the circle from outside."""
    vertex_radius = radius / math.cos(math.pi / vertices)
    ring = [
        (vertex_radius * math.cos(2 * math.pi * k / vertices),
         vertex_radius * math.sin(2 * math.pi * k / vertices))
        for k in range(vertices)
    ]
    return Polygon(ring)


def geodesic_circle_polygon(
    lon: float, lat: float, radius: float, vertices: int = CIRCLE_VERTICES
) -> Polygon:
    """Lon/lat polygon containing the geodesic circle of `radius` metres around (lon, lat).

    Vertices are laid out in the local frame, then each is slid along its ray until its
    geodesic distance is exactly the circumscribed radius. Without that correction the
    flat frame is off by r·tan(φ)·Δφ/2: 1.3 m at 60° and 8.6 m at 85° for a 5 km circle,
    more than the match margin can absorb.
    """
    frame = LocalFrame.at(lon, lat)
    target = radius / math.cos(math.pi / vertices)
    ring = []
    for x, y in circumscribed_circle(radius, vertices).exterior.coords[:-1]:
        for _ in range(6):
            vertex = frame.to_lonlat(x, y)
            error = distance_m((lon, lat), vertex) / target
            if abs(error - 1) < 1e-9:
                break
            x, y = x / error, y / error
        ring.append(frame.to_lonlat(x, y))
    return Polygon(ring)


def _check_antimeridian_clearance(
    west: float, east: float, frame: LocalFrame, field: str
) -> None:
    # Snapped positions never have |lon| > 180, so a match area spilling over the 180°
    # meridian would silently miss people on the other side: refuse instead.
    clearance = MATCH_GROWTH_M / frame.kx
    if west - clearance < -180 or east + clearance > 180:
        raise ZoneError("zone.near_antimeridian", field, margin_m=f"{MATCH_GROWTH_M:.0f}")


# --- polygons ----------------------------------------------------------------------------


def _parse_polygonal(data: dict[str, Any], field: str) -> Zone:
    kind = data["type"]
    if "coordinates" not in data:
        raise ZoneError("zone.coordinates_missing", f"{field}.coordinates", kind=kind)
    coordinates = data["coordinates"]
    path = f"{field}.coordinates"
    if kind == "Polygon":
        polygons = [(path, coordinates)]
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise ZoneError("zone.multipolygon_empty", path, got=describe(coordinates))
        polygons = [(f"{path}[{i}]", polygon) for i, polygon in enumerate(coordinates)]

    # Check the nesting and count vertices before looking at numbers, so an oversized
    # payload is refused without parsing it all.
    total = 0
    for polygon_path, rings in polygons:
        _check_rings_structure(rings, polygon_path)
        total += sum(len(ring) - 1 for ring in rings)
    if total > MAX_VERTICES:
        raise ZoneError("zone.too_many_vertices", path, count=total, max=MAX_VERTICES)

    parts = [_parse_polygon(rings, polygon_path) for polygon_path, rings in polygons]
    shape: BaseGeometry = parts[0] if kind == "Polygon" else MultiPolygon(parts)
    if not shapely.is_valid(shape):
        raise _invalid(shapely.is_valid_reason(shape), path)

    # Two passes: the first frame only finds the bounding circle's centre; measuring again
    # in a frame centred there keeps scale error symmetric and minimal.
    lon_min, lat_min, lon_max, lat_max = shape.bounds
    frame = LocalFrame.at((lon_min + lon_max) / 2, (lat_min + lat_max) / 2)
    for _ in range(2):
        local = frame.geometry_to_local(shape)
        mbc_centre = shapely.minimum_bounding_circle(local).centroid
        frame = LocalFrame.at(*frame.to_lonlat(mbc_centre.x, mbc_centre.y))
    local = frame.geometry_to_local(shape)
    radius = float(shapely.minimum_bounding_radius(local))
    area = float(local.area)
    if radius > MAX_RADIUS_M:
        raise ZoneError("zone.too_large", path, radius_km=f"{radius / 1000:.2f}",
                        max_km=f"{MAX_RADIUS_M / 1000:g}")
    if area < MIN_AREA_M2:
        raise ZoneError("zone.too_small", path, area_m2=f"{area:,.0f}", min_m2=f"{MIN_AREA_M2:,.0f}",
                        min_radius_m=f"{MIN_RADIUS_M:g}")
    _check_antimeridian_clearance(lon_min, lon_max, frame, path)
    return Zone(
        kind="polygon",
        shape=shape,
        center=(frame.lon0, frame.lat0),
        radius_m=radius,
        area_m2=area,
    )


def _check_rings_structure(rings: object, path: str) -> None:
    if not isinstance(rings, list) or not rings:
        raise ZoneError("zone.not_a_list_of_rings", path, got=describe(rings))
    for i, ring in enumerate(rings):
        if not isinstance(ring, list):
            raise ZoneError("zone.ring_not_a_list", f"{path}[{i}]", got=describe(ring))
        if len(ring) < 4:
            raise ZoneError("zone.ring_too_short", f"{path}[{i}]", count=len(ring))


def _parse_polygon(rings: list[Any], path: str) -> Polygon:
    parsed = [_parse_ring(ring, f"{path}[{i}]") for i, ring in enumerate(rings)]
    return Polygon(parsed[0], parsed[1:])


def _parse_ring(ring: list[Any], path: str) -> list[tuple[float, float]]:
    positions = [_parse_position(p, f"{path}[{j}]") for j, p in enumerate(ring)]
    if positions[0] != positions[-1]:
        first = f"[{positions[0][0]:g}, {positions[0][1]:g}]"
        raise ZoneError("zone.ring_not_closed", path, first=first)
    for j in range(1, len(positions)):
        if abs(positions[j][0] - positions[j - 1][0]) > 180:
            raise ZoneError("zone.crosses_antimeridian", f"{path}[{j}]")
    return positions


def _parse_position(value: object, path: str) -> tuple[float, float]:
    if not isinstance(value, list):
        raise ZoneError("zone.position_not_a_list", path, got=describe(value))
    if len(value) not in (2, 3):
        raise ZoneError("zone.position_wrong_length", path, count=len(value))
    lon = parse_lon(value[0], f"{path}[0]")
    lat = parse_lat(value[1], f"{path}[1]")
    if len(value) == 3:
        _number(value[2], f"{path}[2]", "altitude")  # accepted but ignored
    return (lon, lat)


# GEOS's reasons for an invalid shape, and the code of each (their words are in zones.po)
_REASONS = {
    "Self-intersection": "zone.edges_cross",
    "Ring Self-intersection": "zone.ring_crosses_itself",
    "Hole lies outside shell": "zone.hole_outside",
    "Holes are nested": "zone.holes_nested",
    "Interior is disconnected": "zone.interior_disconnected",
    "Nested shells": "zone.parts_nested",
    "Duplicate Rings": "zone.duplicate_rings",
    "Too few points": "zone.too_few_corners",
    "Invalid Coordinate": "zone.invalid_coordinate",
}


def _invalid(reason: str, path: str) -> ZoneError:
    """The refusal of an invalid shape: what is wrong, where (GEOS gives a point), and GEOS's own words."""
    match = re.match(r"([^\[]*)(?:\[(\S+) (\S+)\])?", reason)
    label = match.group(1).strip() if match else reason
    code = _REASONS.get(label)
    if code is None or match is None or not match.group(2):
        return ZoneError("zone.invalid_polygon", path, detail=reason)
    return ZoneError(code, path, lon=f"{float(match.group(2)):.6f}", lat=f"{float(match.group(3)):.6f}",
                     detail=reason)
