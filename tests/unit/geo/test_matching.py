"""The recall / overshoot promise of match areas, checked on many random positions.

recall:    a position inside the zone always has its snapped cell centre in the match area.
overshoot: a position whose snapped cell centre is in the match area is at most
           OVERSHOOT_BOUND_M (geodesic) from the zone.

Polygon edges are straight in lon/lat (GeoJSON and PostGIS geometry semantics); "inside" a
circle means a geodesic distance to the centre of at most the radius.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

import numpy as np
import pytest
import shapely
from shapely.geometry import Point

from geo import (
    MATCH_GROWTH_M,
    OVERSHOOT_BOUND_M,
    Zone,
    distance_m,
    parse_zone,
    snap_position,
    to_mercator,
)
from geo.positions import cell_bounds
from geo.projection import LocalFrame
from tests.unit.geo.helpers import ring_from_local

LATITUDES = [0.0, 45.0, 60.0, -33.0, 84.9]
LONGITUDE = 4.39


def rotated(points: list[tuple[float, float]], degrees: float = 17.0) -> list[tuple[float, float]]:
    # Edges parallel to the grid would sit at one fixed offset from the cell centres; a
    # rotation makes them sweep all offsets so worst cases actually occur.
    a = math.radians(degrees)
    return [(x * math.cos(a) - y * math.sin(a), x * math.sin(a) + y * math.cos(a))
            for x, y in points]


def concave_zone(centre: tuple[float, float]) -> dict:
    # A "C" open to the east: a deep notch makes the buffer meet itself and exercises
    # both convex and reflex corners.
    c_shape = [(-1500, -1500), (1500, -1500), (1500, -800), (-300, -800), (-300, 800),
               (1500, 800), (1500, 1500), (-1500, 1500)]
    return {"type": "Polygon", "coordinates": [ring_from_local(centre, rotated(c_shape))]}


def holed_zone(centre: tuple[float, float]) -> dict:
    outer = [(-2500, -2000), (2500, -2000), (2500, 2000), (-2500, 2000)]
    hole = [(-600, -600), (-600, 600), (600, 600), (600, -600)]
    return {"type": "Polygon",
            "coordinates": [ring_from_local(centre, rotated(outer)),
                            ring_from_local(centre, rotated(hole))]}


ZONE_KINDS = {
    "circle-300": lambda c: {"type": "Circle", "center": list(c), "radius_m": 300},
    "circle-5000": lambda c: {"type": "Circle", "center": list(c), "radius_m": 5000},
    "concave": concave_zone,
    "holed": holed_zone,
}


@dataclass(frozen=True)
class Case:
    zone: Zone
    frame: LocalFrame  # centred on the zone, for drawing random points

    def distance_to_zone(self, p: tuple[float, float]) -> float:
        """Geodesic distance from p to the zone (0 inside)."""
        if self.zone.kind == "circle":
            return max(0.0, distance_m(self.zone.center, p) - self.zone.radius_m)
        if self.zone.shape.covers(Point(p)):
            return 0.0
        # Nearest boundary point found in a frame centred on p, where the few hundred
        # metres involved are measured with negligible distortion; then measured exactly.
        frame = LocalFrame.at(*p)
        local = frame.geometry_to_local(self.zone.shape)
        nearest = shapely.shortest_line(Point(0, 0), local).coords[1]
        return distance_m(p, frame.to_lonlat(*nearest))

    def inside(self, p: tuple[float, float]) -> bool:
        return self.distance_to_zone(p) == 0.0

    def matched(self, points: list[tuple[float, float]]) -> np.ndarray:
        area = self.zone.match_area_mercator()
        shapely.prepare(area)
        xy = np.array([to_mercator(*snap_position(*p)) for p in points])
        return shapely.contains_xy(area, xy[:, 0], xy[:, 1])

    def boundary_points(self, rng: random.Random, count: int) -> list[tuple[float, float]]:
        """Points on the zone boundary, in lon/lat."""
        if self.zone.kind == "circle":
            boundary = shapely.Point(0, 0).buffer(self.zone.radius_m, quad_segs=256).exterior
        else:
            boundary = self.frame.geometry_to_local(self.zone.shape).boundary
        points = []
        for _ in range(count):
            q = boundary.interpolate(rng.random(), normalized=True)
            points.append(self.frame.to_lonlat(q.x, q.y))
        return points


def make_case(kind: str, lat: float) -> Case:
    zone = parse_zone(ZONE_KINDS[kind]((LONGITUDE, lat)))
    return Case(zone, LocalFrame.at(*zone.center))


def jitter(rng: random.Random, p: tuple[float, float], max_m: float) -> tuple[float, float]:
    frame = LocalFrame.at(*p)
    angle, r = rng.uniform(0, 2 * math.pi), max_m * math.sqrt(rng.random())
    return frame.to_lonlat(r * math.cos(angle), r * math.sin(angle))


CASES = [(kind, lat) for kind in ZONE_KINDS for lat in LATITUDES]


@pytest.mark.parametrize(("kind", "lat"), CASES, ids=[f"{k}@{lat:g}" for k, lat in CASES])
def test_recall_every_inside_position_matches(kind: str, lat: float) -> None:
    case = make_case(kind, lat)
    rng = random.Random(f"recall-{kind}-{lat}")
    r = case.zone.radius_m
    # Anywhere inside, and a dense band within 3 m inside the edge where recall is tightest.
    candidates = [case.frame.to_lonlat(rng.uniform(-r, r), rng.uniform(-r, r))
                  for _ in range(1500)]
    candidates += [jitter(rng, p, 3.0) for p in case.boundary_points(rng, 1500)]
    inside = [p for p in candidates if case.inside(p)]
    assert len(inside) > 1000
    matched = case.matched(inside)
    missed = [p for p, ok in zip(inside, matched, strict=True) if not ok]
    assert not missed, f"{len(missed)} inside positions not matched, e.g. {missed[:3]}"


@pytest.mark.parametrize(("kind", "lat"), CASES, ids=[f"{k}@{lat:g}" for k, lat in CASES])
def test_overshoot_matched_positions_are_close(kind: str, lat: float) -> None:
    case = make_case(kind, lat)
    rng = random.Random(f"overshoot-{kind}-{lat}")
    # Positions 0-200 m outside the edge (some land inside notches/holes: that's fine).
    points = [jitter(rng, p, 200.0) for p in case.boundary_points(rng, 2500)]
    matched = case.matched(points)
    distances = [case.distance_to_zone(p) for p, ok in zip(points, matched, strict=True) if ok]
    assert max(distances) <= OVERSHOOT_BOUND_M
    # Not vacuous: some matched positions really are far outside, close to the bound.
    assert max(distances) > MATCH_GROWTH_M + 30
    unmatched = [case.distance_to_zone(p) for p, ok in zip(points, matched, strict=True)
                 if not ok]
    # The converse of recall: nothing matched is refused from inside the zone.
    assert min(unmatched) > 0


@pytest.mark.parametrize(("kind", "lat"), CASES, ids=[f"{k}@{lat:g}" for k, lat in CASES])
def test_overshoot_worst_case_cell_corners(kind: str, lat: float) -> None:
    # Random positions rarely combine the two worst cases. Here: every matched cell near
    # the edge of the match area, and the corners of that cell (the positions farthest
    # from its centre), which are the positions that can overshoot the most.
    case = make_case(kind, lat)
    rng = random.Random(f"corners-{kind}-{lat}")
    points = [jitter(rng, p, 200.0) for p in case.boundary_points(rng, 1500)]
    centres = sorted({snap_position(*p) for p in points})
    matched = case.matched(centres)  # a cell centre snaps to itself
    edge = [c for c, ok in zip(centres, matched, strict=True) if ok]
    centre_distances = [case.distance_to_zone(c) for c in edge]
    # The centres themselves are within the growth distance, up to sub-metre approximation.
    # (Lower bounds only check the test is not vacuous: a 300 m circle has few edge cells.)
    assert MATCH_GROWTH_M - 20 < max(centre_distances) <= MATCH_GROWTH_M + 0.5
    worst = 0.0
    eps = 1e-9
    for centre, d in zip(edge, centre_distances, strict=True):
        if d < MATCH_GROWTH_M - 20:
            continue
        west, south, east, north = cell_bounds(*centre)
        for corner in ((west + eps, south + eps), (east - eps, south + eps),
                       (west + eps, north - eps), (east - eps, north - eps)):
            assert snap_position(*corner) == centre
            worst = max(worst, case.distance_to_zone(corner))
    assert MATCH_GROWTH_M + 45 < worst <= OVERSHOOT_BOUND_M
