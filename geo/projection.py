"""Coordinate conversions: WGS84 radii, a local metric frame, and spherical Web Mercator.

Shapely works in a plane, so every metric computation (areas, buffers, bounding circles) is
done in a local east/north frame centred on the zone, where a metre is a metre to within
~0.1 % over a 5 km zone. Web Mercator is only used to hand geometries to PostGIS.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

WGS84_A = 6_378_137.0
WGS84_F = 1 / 298.257223563
WGS84_B = WGS84_A * (1 - WGS84_F)
WGS84_E2 = WGS84_F * (2 - WGS84_F)

# Spherical Web Mercator (EPSG:3857) uses the equatorial radius as a sphere radius; this is
# what PostGIS ST_Transform(geom, 3857) computes, so matching must use the same formula.
MERCATOR_R = WGS84_A


def meridional_radius(lat: float) -> float:
    """M(φ): radius of curvature along the meridian, in metres."""
    s = math.sin(math.radians(lat))
    return float(WGS84_A * (1 - WGS84_E2) / (1 - WGS84_E2 * s * s) ** 1.5)


def prime_vertical_radius(lat: float) -> float:
    """N(φ): radius of curvature perpendicular to the meridian, in metres."""
    s = math.sin(math.radians(lat))
    return WGS84_A / math.sqrt(1 - WGS84_E2 * s * s)


def metres_per_degree_lat(lat: float) -> float:
    return meridional_radius(lat) * math.pi / 180


def metres_per_degree_lon(lat: float) -> float:
    return prime_vertical_radius(lat) * math.cos(math.radians(lat)) * math.pi / 180


@dataclass(frozen=True)
class LocalFrame:
    """Tangent-plane east/north frame in metres around (lon0, lat0).

    The map is affine in lon/lat, so straight lon/lat edges (GeoJSON and PostGIS geometry
    semantics) stay straight and polygons are transformed exactly; only lengths carry the
    small scale error of being away from the origin.
    """

    lon0: float
    lat0: float
    kx: float  # metres per degree of longitude at lat0
    ky: float  # metres per degree of latitude at lat0

    @classmethod
    def at(cls, lon0: float, lat0: float) -> LocalFrame:
        return cls(lon0, lat0, metres_per_degree_lon(lat0), metres_per_degree_lat(lat0))

    def to_local(self, lon: float, lat: float) -> tuple[float, float]:
        return ((lon - self.lon0) * self.kx, (lat - self.lat0) * self.ky)

    def to_lonlat(self, x: float, y: float) -> tuple[float, float]:
        return (self.lon0 + x / self.kx, self.lat0 + y / self.ky)

    def geometry_to_local(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(
            geom, lambda c: np.column_stack(((c[:, 0] - self.lon0) * self.kx,
                                             (c[:, 1] - self.lat0) * self.ky))
        )

    def geometry_to_lonlat(self, geom: BaseGeometry) -> BaseGeometry:
        return shapely.transform(
            geom, lambda c: np.column_stack((self.lon0 + c[:, 0] / self.kx,
                                             self.lat0 + c[:, 1] / self.ky))
        )


def to_mercator(lon: float, lat: float) -> tuple[float, float]:
    """(lon, lat) in degrees to EPSG:3857 (x, y) in metres."""
    return (
        MERCATOR_R * math.radians(lon),
        # asinh(tan φ) == ln tan(π/4 + φ/2), in the numerically stable form PROJ uses.
        MERCATOR_R * math.asinh(math.tan(math.radians(lat))),
    )


def from_mercator(x: float, y: float) -> tuple[float, float]:
    """EPSG:3857 (x, y) to (lon, lat) in degrees."""
    return (
        math.degrees(x / MERCATOR_R),
        math.degrees(math.atan(math.sinh(y / MERCATOR_R))),
    )


def _coords_to_mercator(c: np.ndarray) -> np.ndarray:
    lon = np.radians(c[:, 0])
    lat = np.radians(c[:, 1])
    return np.column_stack((MERCATOR_R * lon, MERCATOR_R * np.arcsinh(np.tan(lat))))


def _coords_from_mercator(c: np.ndarray) -> np.ndarray:
    lon = np.degrees(c[:, 0] / MERCATOR_R)
    lat = np.degrees(np.arctan(np.sinh(c[:, 1] / MERCATOR_R)))
    return np.column_stack((lon, lat))


def geometry_to_mercator(geom: BaseGeometry) -> BaseGeometry:
    """Map every vertex of a lon/lat geometry to EPSG:3857."""
    return shapely.transform(geom, _coords_to_mercator)


def geometry_from_mercator(geom: BaseGeometry) -> BaseGeometry:
    """Map every vertex of an EPSG:3857 geometry back to lon/lat."""
    return shapely.transform(geom, _coords_from_mercator)
