"""A zone in a request body: a Circle, or a GeoJSON Polygon / MultiPolygon (or a Feature holding one),
checked by geo.parse_zone. geo's refusals (geo.ZoneError: a code, the field's path and the values)
become the contract's errors here; their words are in app/locale/*/LC_MESSAGES/zones.po.

    class ZoneToSave(Body):
        zone: Zone                       # a geo.Zone once decoded; published with ZONE_SCHEMA

Code that parses a zone or a position outside a model raises ``zone_refusal(exc)``.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import PlainSerializer, PlainValidator, ValidationInfo, WithJsonSchema
from pydantic_core import PydanticCustomError

import geo
from app.errors import InvalidInput

_LON = {"type": "number", "minimum": -180, "maximum": 180}
_LAT = {"type": "number", "minimum": -geo.positions.MAX_ABS_LAT, "maximum": geo.positions.MAX_ABS_LAT}
_POSITION = {"type": "array", "prefixItems": [_LON, _LAT], "items": {"type": "number"}, "minItems": 2, "maxItems": 3,
             "description": "[longitude, latitude] (an altitude, if any, is ignored)"}
_RING = {"type": "array", "items": _POSITION, "minItems": 4,
         "description": "closed: the last position repeats the first"}
_POLYGON = {"type": "array", "items": _RING, "minItems": 1, "description": "the outer ring, then any holes"}
_POLYGON_OBJECT = {"type": "object", "title": "Polygon", "required": ["type", "coordinates"],
                   "properties": {"type": {"const": "Polygon"}, "coordinates": _POLYGON}}
_MULTIPOLYGON_OBJECT = {"type": "object", "title": "MultiPolygon", "required": ["type", "coordinates"],
                        "properties": {"type": {"const": "MultiPolygon"},
                                       "coordinates": {"type": "array", "items": _POLYGON, "minItems": 1}}}

ZONE_SCHEMA: dict[str, Any] = {
    "description": (
        f"A Circle (center [longitude, latitude], radius_m {geo.MIN_RADIUS_M:g} to {geo.MAX_RADIUS_M:g}), or a GeoJSON "
        f"Polygon or MultiPolygon (or a Feature holding one) that fits in a circle of {geo.MAX_RADIUS_M:g} m radius, "
        f"covers at least a {geo.MIN_RADIUS_M:g} m circle's area and has at most {geo.MAX_VERTICES} vertices. "
        "A station's zone stays within its commune."),
    "oneOf": [
        {"type": "object", "title": "Circle", "required": ["type", "center", "radius_m"], "additionalProperties": False,
         "properties": {"type": {"const": "Circle"},
                        "center": {**_POSITION, "maxItems": 2, "description": "[longitude, latitude]"},
                        "radius_m": {"type": "number", "minimum": geo.MIN_RADIUS_M, "maximum": geo.MAX_RADIUS_M}}},
        _POLYGON_OBJECT,
        _MULTIPOLYGON_OBJECT,
        {"type": "object", "title": "Feature", "required": ["type", "geometry"],
         "properties": {"type": {"const": "Feature"}, "geometry": {"oneOf": [_POLYGON_OBJECT, _MULTIPOLYGON_OBJECT]}}},
    ],
}


def zone_refusal(exc: geo.ZoneError) -> InvalidInput:
    """geo's refusal as the API's (422, the code, the field's path and the values)."""
    return InvalidInput(exc.code, exc.field, **exc.values)


def _parse(value: object, info: ValidationInfo) -> geo.Zone:
    if isinstance(value, geo.Zone):
        return value
    try:
        return geo.parse_zone(value, info.field_name or "zone")
    except geo.ZoneError as exc:
        # the code is looked up in the catalogue like any other; "field" is the path inside the zone
        raise PydanticCustomError(exc.code, exc.code, {"field": exc.field, **exc.values}) from None


def _geojson(zone: geo.Zone) -> dict[str, Any]:
    return zone.to_geojson()


# A zone field of a request body: GeoJSON in, geo.Zone once decoded, GeoJSON when dumped.
Zone = Annotated[geo.Zone, PlainValidator(_parse), PlainSerializer(_geojson, return_type=dict[str, Any]),
                 WithJsonSchema(ZONE_SCHEMA)]
