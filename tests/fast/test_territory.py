"""A zone must stay within the station's commune (its own, or its parent's), give or take 50 m,
and a refusal says how far it goes beyond (app/services/stations.py check_territory)."""

from __future__ import annotations

import math
import re

import psycopg
import pytest
from shapely.geometry import Polygon

from app.db import stations as stations_db
from app.db.stations import Station
from app.errors import DomainError, InvalidInput
from app.services.stations import TERRITORY_TOLERANCE_M, check_territory
from tests.fast.support import CENTRE, circle, offset, parsed_zone


def distances_told(error: DomainError) -> list[float]:
    """The distances a refusal tells, in metres: from its words ("… 812 m …") or its parameters."""
    told = [float(m) for m in re.findall(r"(\d+(?:\.\d+)?) ?m\b", error.message)]
    return told + [float(v) for v in error.params.values() if isinstance(v, int | float)]


def westmost_vertex(conn: psycopg.Connection, slug: str) -> tuple[float, float]:
    row = conn.execute(
        "SELECT ST_X(p.geom), ST_Y(p.geom) FROM stations s, ST_DumpPoints(s.territory) p"
        " WHERE s.slug = %s ORDER BY ST_X(p.geom) LIMIT 1", (slug,),
    ).fetchone()
    assert row is not None
    return float(row[0]), float(row[1])


def test_a_zone_inside_the_commune_is_accepted(conn: psycopg.Connection, town: Station) -> None:
    check_territory(conn, town.id, parsed_zone(circle(CENTRE, 1000)))


def test_a_zone_beyond_the_commune_is_refused_with_how_far(conn: psycopg.Connection, town: Station) -> None:
    # a 1 km circle centred on the westmost point of Saint-Étienne's boundary: its western
    # edge is 1 km beyond the commune
    edge = westmost_vertex(conn, "saint-etienne")

    with pytest.raises(InvalidInput) as refused:
        check_territory(conn, town.id, parsed_zone(circle(edge, 1000)))

    assert refused.value.field == "zone"
    assert any(990 <= d <= 1010 for d in distances_told(refused.value)), refused.value.message


def test_an_association_keeps_to_its_towns_commune(
    conn: psycopg.Connection, town: Station, association: Station,
) -> None:
    edge = westmost_vertex(conn, "saint-etienne")

    check_territory(conn, association.id, parsed_zone(circle(CENTRE, 500)))
    with pytest.raises(InvalidInput) as refused:
        check_territory(conn, association.id, parsed_zone(circle(edge, 1000)))
    assert refused.value.field == "zone"
    assert stations_db.commune_name(conn, association.id) == "Saint-Étienne"


@pytest.fixture
def square_town(conn: psycopg.Connection) -> int:
    """A municipality whose commune is a 10 km square centred on the town hall (edges north-south
    and east-west), so that distances to its western edge are known exactly."""
    half = 5000 * math.sqrt(2)
    corners = [offset(CENTRE, half, bearing) for bearing in (45, 135, 225, 315)]
    return stations_db.upsert_municipality(conn, "carre", "Carré", "99999", Polygon(corners).wkb)


def _west_edge(metres_inside: float) -> tuple[float, float]:
    return offset(offset(CENTRE, 5000, 270), metres_inside, 90)


def test_50_m_beyond_the_commune_are_tolerated(conn: psycopg.Connection, square_town: int) -> None:
    assert TERRITORY_TOLERANCE_M == 50
    # a 300 m circle reaching 30 m west of the western edge
    check_territory(conn, square_town, parsed_zone(circle(_west_edge(270), 300)))


def test_100_m_beyond_the_commune_are_not(conn: psycopg.Connection, square_town: int) -> None:
    with pytest.raises(InvalidInput) as refused:
        check_territory(conn, square_town, parsed_zone(circle(_west_edge(200), 300)))
    assert any(95 <= d <= 105 for d in distances_told(refused.value)), refused.value.message
