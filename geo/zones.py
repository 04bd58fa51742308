"""Alert zones: parsing and validation of operator input, metric measures, match areas."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import shapely
from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.geometry.base import BaseGeometry

from geo.errors import ZoneError
from geo.positions import (
    MATCH_GROWTH_M,
    _describe,
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

_ZONE_TYPES = "Circle, Polygon or MultiPolygon (or a GeoJSON Feature holding a polygon)"
_CIRCLE_KEYS = ("type", "center", "radius_m")


@dataclass(frozen=True)
class Zone:
    kind: str  # "circle" | "polygon"
    shape: BaseGeometry  # lon/lat Polygon or MultiPolygon; a circle's polygon contains the circle
    center: tuple[float, float]  # (lon, lat) of the circle, or of the minimum bounding circle
    radius_m: float  # circle radius, or minimum bounding circle radius
    area_m2: float

    def to_geojson(self) -> dict:
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
        raise ZoneError(
            field, f"the zone must be a JSON object with a type: {_ZONE_TYPES} "
            f"(got {_describe(data)})"
        )
    kind = _type_of(data, field)
    if kind == "Feature":
        geometry = data.get("geometry")
        if not isinstance(geometry, dict):
            raise ZoneError(
                f"{field}.geometry",
                f"the Feature must have a geometry object of type Polygon or MultiPolygon "
                f"(got {_describe(geometry)})",
            )
        geometry_type = _type_of(geometry, f"{field}.geometry")
        if geometry_type not in ("Polygon", "MultiPolygon"):
            raise ZoneError(
                f"{field}.geometry.type",
                f"a Feature's geometry must be a Polygon or MultiPolygon (got {geometry_type!r})",
            )
        return _parse_polygonal(geometry, f"{field}.geometry")
    if kind == "Circle":
        return _parse_circle(data, field)
    if kind in ("Polygon", "MultiPolygon"):
        return _parse_polygonal(data, field)
    hint = ""
    if kind.lower() in ("circle", "polygon", "multipolygon", "feature"):
        hint = " (names are case-sensitive)"
    raise ZoneError(f"{field}.type", f"unknown zone type {kind!r}{hint}; use {_ZONE_TYPES}")


def _type_of(data: dict, field: str) -> str:
    if "type" not in data:
        raise ZoneError(f"{field}.type", f"type is missing; use {_ZONE_TYPES}")
    kind = data["type"]
    if not isinstance(kind, str):
        raise ZoneError(
            f"{field}.type", f"type must be a text such as \"Circle\" (got {_describe(kind)})"
        )
    return kind


# --- circles -----------------------------------------------------------------------------


def _parse_circle(data: dict, field: str) -> Zone:
    for key in data:
        if key not in _CIRCLE_KEYS:
            raise ZoneError(
                f"{field}.{key}",
                f"unknown property {key!r}; a Circle has only type, center and radius_m",
            )
    if "center" not in data:
        raise ZoneError(f"{field}.center", "center is missing; give it as [longitude, latitude]")
    center = data["center"]
    if not isinstance(center, list) or len(center) != 2:
        got = f"{len(center)} values" if isinstance(center, list) else _describe(center)
        raise ZoneError(
            f"{field}.center", f"center must be a list [longitude, latitude] (got {got})"
        )
    lon = parse_lon(center[0], f"{field}.center[0]")
    lat = parse_lat(center[1], f"{field}.center[1]")
    if "radius_m" not in data:
        raise ZoneError(
            f"{field}.radius_m", "radius_m is missing; give the radius in metres, 300 to 5000"
        )
    radius = _number(data["radius_m"], f"{field}.radius_m", "radius_m")
    if not MIN_RADIUS_M <= radius <= MAX_RADIUS_M:
        raise ZoneError(
            f"{field}.radius_m", f"radius_m must be between 300 and 5000 metres (got {radius:g})"
        )
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
        raise ZoneError(
            field,
            f"the zone reaches within {MATCH_GROWTH_M:.0f} m of the 180° meridian "
            f"(antimeridian), which is not supported; move it further away",
        )


# --- polygons ----------------------------------------------------------------------------


def _parse_polygonal(data: dict, field: str) -> Zone:
    kind = data["type"]
    if "coordinates" not in data:
        raise ZoneError(f"{field}.coordinates", f"coordinates are missing for the {kind}")
    coordinates = data["coordinates"]
    path = f"{field}.coordinates"
    if kind == "Polygon":
        polygons = [(path, coordinates)]
    else:
        if not isinstance(coordinates, list) or not coordinates:
            raise ZoneError(
                path, f"a MultiPolygon's coordinates must be a non-empty list of polygons "
                f"(got {_describe(coordinates)})"
            )
        polygons = [(f"{path}[{i}]", polygon) for i, polygon in enumerate(coordinates)]

    # Check the nesting and count vertices before looking at numbers, so an oversized
    # payload is refused without parsing it all.
    total = 0
    for polygon_path, rings in polygons:
        _check_rings_structure(rings, polygon_path)
        total += sum(len(ring) - 1 for ring in rings)
    if total > MAX_VERTICES:
        raise ZoneError(path, f"too many vertices ({total}); at most {MAX_VERTICES}")

    parts = [_parse_polygon(rings, polygon_path) for polygon_path, rings in polygons]
    shape: BaseGeometry = parts[0] if kind == "Polygon" else MultiPolygon(parts)
    if not shapely.is_valid(shape):
        reason = shapely.is_valid_reason(shape)
        raise ZoneError(path, f"the shape is not a valid polygon: {_explain(reason)}")

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
        raise ZoneError(
            path,
            f"the zone is too large: it only fits in a circle of {radius / 1000:.2f} km radius; "
            f"it must fit inside a circle of 5 km radius",
        )
    if area < MIN_AREA_M2:
        raise ZoneError(
            path,
            f"the zone is too small: it covers {area:,.0f} m²; it must cover at least "
            f"{MIN_AREA_M2:,.0f} m² (the area of a circle of 300 m radius)",
        )
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
        raise ZoneError(
            path, f"a polygon must be a list of rings: the outer ring, then any holes "
            f"(got {_describe(rings)})"
        )
    for i, ring in enumerate(rings):
        if not isinstance(ring, list):
            raise ZoneError(
                f"{path}[{i}]", f"a ring must be a list of positions (got {_describe(ring)})"
            )
        if len(ring) < 4:
            raise ZoneError(
                f"{path}[{i}]",
                f"a ring needs at least 4 positions (3 corners, then the first one repeated); "
                f"got {len(ring)}",
            )


def _parse_polygon(rings: list, path: str) -> Polygon:
    parsed = [_parse_ring(ring, f"{path}[{i}]") for i, ring in enumerate(rings)]
    return Polygon(parsed[0], parsed[1:])


def _parse_ring(ring: list, path: str) -> list[tuple[float, float]]:
    positions = [_parse_position(p, f"{path}[{j}]") for j, p in enumerate(ring)]
    if positions[0] != positions[-1]:
        first = f"[{positions[0][0]:g}, {positions[0][1]:g}]"
        raise ZoneError(
            path,
            f"the ring is not closed: its last position must repeat its first one {first}",
        )
    for j in range(1, len(positions)):
        if abs(positions[j][0] - positions[j - 1][0]) > 180:
            raise ZoneError(
                f"{path}[{j}]",
                "the polygon crosses the 180° meridian (antimeridian), which is not supported; "
                "keep every zone on one side of it",
            )
    return positions


def _parse_position(value: object, path: str) -> tuple[float, float]:
    if not isinstance(value, list) or len(value) not in (2, 3):
        got = f"{len(value)} values" if isinstance(value, list) else _describe(value)
        raise ZoneError(path, f"a position must be [longitude, latitude] (got {got})")
    lon = parse_lon(value[0], f"{path}[0]")
    lat = parse_lat(value[1], f"{path}[1]")
    if len(value) == 3:
        _number(value[2], f"{path}[2]", "altitude")  # accepted but ignored
    return (lon, lat)


_REASONS = {
    "Self-intersection": "its edges cross each other",
    "Ring Self-intersection": "a ring touches or crosses itself",
    "Hole lies outside shell": "a hole lies outside its outer ring",
    "Holes are nested": "a hole lies inside another hole",
    "Interior is disconnected": "the holes cut the polygon into separate pieces",
    "Nested shells": "one part lies inside another part",
    "Duplicate Rings": "the same ring appears twice",
    "Too few points": "a ring has fewer than 3 distinct corners",
    "Invalid Coordinate": "a coordinate is not a valid number",
}


def _explain(reason: str) -> str:
    match = re.match(r"([^\[]*)(?:\[(\S+) (\S+)\])?", reason)
    label = match.group(1).strip() if match else reason
    text = _REASONS.get(label, label)
    if match and match.group(2):
        text += f" near longitude {float(match.group(2)):.6f}, latitude {float(match.group(3)):.6f}"
    return f"{text} ({reason}). Edges must not cross, holes must lie inside the outer ring " \
        "and parts must not overlap"
