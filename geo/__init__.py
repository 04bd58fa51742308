"""Pure geometry for Tocsin: zones, privacy-preserving positions, projections, territories.

Deliberately free of database, web and worker imports so it can be tested and reused alone.
"""

from geo.errors import ZoneError
from geo.positions import (
    GRID_M,
    MATCH_GROWTH_M,
    MATCH_MARGIN_M,
    OVERSHOOT_BOUND_M,
    SNAP_ERROR_M,
    distance_m,
    parse_position,
    snap_position,
)
from geo.projection import (
    LocalFrame,
    from_mercator,
    geometry_from_mercator,
    geometry_to_mercator,
    to_mercator,
)
from geo.territories import Commune, CommuneNotFoundError, find_commune, load_communes
from geo.zones import MAX_RADIUS_M, MAX_VERTICES, MIN_AREA_M2, MIN_RADIUS_M, Zone, parse_zone

__all__ = [
    "GRID_M",
    "MATCH_GROWTH_M",
    "MATCH_MARGIN_M",
    "MAX_RADIUS_M",
    "MAX_VERTICES",
    "MIN_AREA_M2",
    "MIN_RADIUS_M",
    "OVERSHOOT_BOUND_M",
    "SNAP_ERROR_M",
    "Commune",
    "CommuneNotFoundError",
    "LocalFrame",
    "Zone",
    "ZoneError",
    "distance_m",
    "find_commune",
    "from_mercator",
    "geometry_from_mercator",
    "geometry_to_mercator",
    "load_communes",
    "parse_position",
    "parse_zone",
    "snap_position",
    "to_mercator",
]
