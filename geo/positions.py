"""Device positions: validation, privacy snapping to a ~100 m grid, geodesic distance."""

from __future__ import annotations

import math
from functools import lru_cache

from geo.errors import ZoneError, describe
from geo.projection import (
    WGS84_A,
    WGS84_B,
    WGS84_F,
    meridional_radius,
    metres_per_degree_lon,
)

GRID_M = 100.0
# Constant band height in degrees; 111_320 m is roughly one degree of latitude, so bands are
# 99.3 m (equator) to 100.3 m (pole) tall. Using a fixed degree step keeps band edges global.
LAT_STEP_DEG = GRID_M / 111_320

MAX_ABS_LAT = 85.0  # Web Mercator (EPSG:3857) maps are cut at ~85.05°
MAX_ABS_LON = 180.0

# Slack on top of the computed worst case. It is spent by the overshoot promise: the match
# area is the zone grown by SNAP_ERROR_M + MATCH_MARGIN_M, so a position whose (true,
# smaller) snap error is below SNAP_ERROR_M leaves this much room for projection and
# polygon-approximation error before OVERSHOOT_BOUND_M could be exceeded.
SNAP_HEADROOM_M = 1.0


def _band_index(lat: float) -> int:
    return math.floor(lat / LAT_STEP_DEG)


def _band_centre_lat(band: int) -> float:
    return (band + 0.5) * LAT_STEP_DEG


@lru_cache(maxsize=65_536)
def _cells_in_band(band: int) -> int:
    # An integer number of cells per band makes the grid wrap cleanly at ±180°; rounding up
    # keeps every cell at most GRID_M wide at the band's centre latitude.
    circumference_m = 360 * metres_per_degree_lon(_band_centre_lat(band))
    return max(1, math.ceil(circumference_m / GRID_M))


def snap_error_bound(max_abs_lat: float = MAX_ABS_LAT) -> float:
    """Worst distance (m) from a position with |lat| <= max_abs_lat to its cell centre.

    The farthest point of a cell from its centre is a corner on the equator-ward edge
    (widest side); half-height uses the largest meridional radius in the band. Both grow
    with |lat|, so the band holding max_abs_lat is the worst. Over ~71 m the plane and the
    ellipsoid differ by far less than a millimetre.
    """
    band = _band_index(max_abs_lat)
    centre = _band_centre_lat(band)
    poleward = centre + LAT_STEP_DEG / 2
    equatorward = centre - LAT_STEP_DEG / 2
    half_height = LAT_STEP_DEG / 2 * meridional_radius(poleward) * math.pi / 180
    cell_width_deg = 360 / _cells_in_band(band)
    half_width = cell_width_deg / 2 * metres_per_degree_lon(equatorward)
    return math.hypot(half_height, half_width)


def _round_up(value: float, step: float) -> float:
    return math.ceil(value / step) * step


SNAP_ERROR_M = round(_round_up(snap_error_bound() + SNAP_HEADROOM_M, 0.1), 1)
MATCH_MARGIN_M = 5.0  # absorbs local-projection and polygon-approximation error
MATCH_GROWTH_M = SNAP_ERROR_M + MATCH_MARGIN_M
OVERSHOOT_BOUND_M = 2 * SNAP_ERROR_M + MATCH_MARGIN_M
assert OVERSHOOT_BOUND_M <= 150, "the README promises alerts overshoot by at most 150 m"


def snap_position(lon: float, lat: float) -> tuple[float, float]:
    """(lon, lat) of the centre of the global grid cell holding the position."""
    band = _band_index(lat)
    n = _cells_in_band(band)
    width = 360 / n
    cell = math.floor((lon + 180) / width) % n  # lon 180 and -180 are the same meridian
    return (-180 + (cell + 0.5) * width, _band_centre_lat(band))


def cell_bounds(lon: float, lat: float) -> tuple[float, float, float, float]:
    """(west, south, east, north) of the grid cell holding the position, in degrees."""
    band = _band_index(lat)
    width = 360 / _cells_in_band(band)
    west = -180 + (math.floor((lon + 180) / width) % _cells_in_band(band)) * width
    south = band * LAT_STEP_DEG
    return (west, south, west + width, south + LAT_STEP_DEG)


def _number(value: object, field: str, what: str) -> float:
    # bool is a subclass of int: `true` must not silently become 1.
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ZoneError("position.not_a_number", field, what=what, got=describe(value))
    number = float(value)
    if not math.isfinite(number):
        raise ZoneError("position.not_finite", field, what=what, got=str(value))
    return number


def parse_lon(value: object, field: str) -> float:
    lon = _number(value, field, "longitude")
    if not -MAX_ABS_LON <= lon <= MAX_ABS_LON:
        raise ZoneError("position.longitude_out_of_range", field, got=f"{lon:g}")
    return lon


def parse_lat(value: object, field: str) -> float:
    lat = _number(value, field, "latitude")
    if not -MAX_ABS_LAT <= lat <= MAX_ABS_LAT:
        raise ZoneError("position.latitude_out_of_range", field, got=f"{lat:g}")
    return lat


def parse_position(data: object, field: str) -> tuple[float, float]:
    """Validate {"lat": .., "lon": ..} and return (lon, lat). Other keys are ignored."""
    if not isinstance(data, dict):
        raise ZoneError("position.not_an_object", field, got=describe(data))
    prefix = f"{field}." if field else ""  # "" when the position is the whole request body
    for key in ("lat", "lon"):
        if key not in data:
            raise ZoneError("position.missing", prefix + key, name=key)
    lat = parse_lat(data["lat"], prefix + "lat")
    lon = parse_lon(data["lon"], prefix + "lon")
    return (lon, lat)


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Geodesic distance in metres on the WGS84 ellipsoid between (lon, lat) points.

    Vincenty's inverse formula (sub-millimetre). It may fail to converge only for nearly
    antipodal points, which never occur at alert scales; those fall back to a spherical
    estimate rather than raising.
    """
    lon1, lat1 = a
    lon2, lat2 = b
    if lon1 == lon2 and lat1 == lat2:
        return 0.0
    f = WGS84_F
    u1 = math.atan((1 - f) * math.tan(math.radians(lat1)))
    u2 = math.atan((1 - f) * math.tan(math.radians(lat2)))
    big_l = math.radians(lon2 - lon1)
    sin_u1, cos_u1 = math.sin(u1), math.cos(u1)
    sin_u2, cos_u2 = math.sin(u2), math.cos(u2)
    lam = big_l
    for _ in range(200):
        sin_lam, cos_lam = math.sin(lam), math.cos(lam)
        sin_sigma = math.hypot(cos_u2 * sin_lam, cos_u1 * sin_u2 - sin_u1 * cos_u2 * cos_lam)
        if sin_sigma == 0:
            return 0.0
        cos_sigma = sin_u1 * sin_u2 + cos_u1 * cos_u2 * cos_lam
        sigma = math.atan2(sin_sigma, cos_sigma)
        sin_alpha = cos_u1 * cos_u2 * sin_lam / sin_sigma
        cos2_alpha = 1 - sin_alpha * sin_alpha
        cos_2sm = cos_sigma - 2 * sin_u1 * sin_u2 / cos2_alpha if cos2_alpha != 0 else 0.0
        c = f / 16 * cos2_alpha * (4 + f * (4 - 3 * cos2_alpha))
        lam_prev = lam
        lam = big_l + (1 - c) * f * sin_alpha * (
            sigma + c * sin_sigma * (cos_2sm + c * cos_sigma * (-1 + 2 * cos_2sm * cos_2sm))
        )
        if abs(lam - lam_prev) < 1e-12:
            break
    else:
        return WGS84_A * sigma
    u_sq = cos2_alpha * (WGS84_A**2 - WGS84_B**2) / WGS84_B**2
    big_a = 1 + u_sq / 16384 * (4096 + u_sq * (-768 + u_sq * (320 - 175 * u_sq)))
    big_b = u_sq / 1024 * (256 + u_sq * (-128 + u_sq * (74 - 47 * u_sq)))
    delta_sigma = big_b * sin_sigma * (
        cos_2sm
        + big_b / 4 * (
            cos_sigma * (-1 + 2 * cos_2sm * cos_2sm)
            - big_b / 6 * cos_2sm * (-3 + 4 * sin_sigma * sin_sigma) * (-3 + 4 * cos_2sm * cos_2sm)
        )
    )
    return WGS84_B * big_a * (sigma - delta_sigma)
