"""Administrative boundaries (communes) loaded from GeoJSON."""

from __future__ import annotations

import json
from dataclasses import dataclass
from os import PathLike
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon, shape


@dataclass(frozen=True)
class Commune:
    code: str  # INSEE code, e.g. "42218"
    name: str
    boundary: MultiPolygon  # lon/lat


class CommuneNotFoundError(KeyError):
    def __init__(self, code: str, path: str | PathLike[str]) -> None:
        super().__init__(code)
        self.code = code
        self.path = str(path)

    def __str__(self) -> str:  # KeyError would otherwise show only the quoted key
        return f"no commune with code {self.code!r} in {self.path}"


def load_communes(path: str | PathLike[str]) -> list[Commune]:
    """Read a FeatureCollection whose features carry `code` and `nom` properties."""
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    if data.get("type") != "FeatureCollection":
        raise ValueError(f"{path}: expected a GeoJSON FeatureCollection")
    communes = []
    for index, feature in enumerate(data["features"]):
        props = feature.get("properties") or {}
        try:
            code, name = str(props["code"]), str(props["nom"])
        except KeyError as exc:
            raise ValueError(f"{path}: feature {index} has no {exc.args[0]!r} property") from None
        geom = shape(feature["geometry"])
        if isinstance(geom, Polygon):
            geom = MultiPolygon([geom])
        if geom.geom_type != "MultiPolygon":
            raise ValueError(f"{path}: commune {code} is a {geom.geom_type}, not a polygon")
        communes.append(Commune(code=code, name=name, boundary=geom))
    return communes


def find_commune(path: str | PathLike[str], code: str) -> Commune:
    for commune in load_communes(path):
        if commune.code == code:
            return commune
    raise CommuneNotFoundError(code, path)
