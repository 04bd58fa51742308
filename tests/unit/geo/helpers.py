"""Shared helpers for the geo unit tests."""

from __future__ import annotations

from app import catalogue
from geo.errors import ZoneError
from geo.projection import LocalFrame

ST_ETIENNE = (4.39, 45.44)


def offset(origin: tuple[float, float], east_m: float, north_m: float) -> tuple[float, float]:
    """(lon, lat) of a point east_m/north_m metres from origin (flat-frame approximation)."""
    return LocalFrame.at(*origin).to_lonlat(east_m, north_m)


def ring_from_local(
    origin: tuple[float, float], points_m: list[tuple[float, float]]
) -> list[list[float]]:
    """A closed GeoJSON ring from corners given in metres around origin."""
    ring = [list(offset(origin, x, y)) for x, y in points_m]
    return [*ring, ring[0]]


def square_ring(origin: tuple[float, float], half_side_m: float) -> list[list[float]]:
    h = half_side_m
    return ring_from_local(origin, [(-h, -h), (h, -h), (h, h), (-h, h)])


def english(error: ZoneError) -> str:
    """The words an operator reads for this refusal (geo gives the code and the values; the
    application's catalogue, zones.po, has the words)."""
    assert catalogue.known(error.code), f"{error.code} has no words in app/locale/*/zones.po"
    return catalogue.message(error.code, "en", dict(error.values), field=error.field)
