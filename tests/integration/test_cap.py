"""Every CAP 1.2 document Tocsin writes validates against the OASIS schema, and says what the alert says."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from lxml import etree

from app.cap import CAP_NS, cap_document
from app.db.alerts import PublicAlert
from tests.integration.conftest import CENTRE, Client, offset

pytestmark = pytest.mark.usefixtures("worker", "beat")
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).resolve().parents[2] / "data" / "cap" / "CAP-v1.2.xsd")))
NS = {"cap": CAP_NS, "atom": "http://www.w3.org/2005/Atom"}


def valid(xml: bytes) -> etree._Element:
    document = etree.fromstring(xml)
    SCHEMA.assertValid(document)
    return document


def test_circle_and_polygon_alerts_as_cap_documents_and_in_the_feed(client: Client) -> None:
    circle = client.send("saint-etienne", zone={"type": "Circle", "center": list(CENTRE), "radius_m": 1200},
                         title="Crue du Furan", body="Montez dans les étages & restez <à l'abri>.")
    corners = [offset(CENTRE, 700, b) for b in (0, 90, 180, 270)]
    polygon = client.send("saint-etienne", severity="Moderate", category="Infra", title="Coupure d'eau",
                          zone={"type": "Polygon", "coordinates": [[list(c) for c in [*corners, corners[0]]]]})

    got = valid(client.http.get(f"/cap/alerts/{circle}.xml").content)
    assert got.findtext("cap:identifier", namespaces=NS) == circle
    assert got.findtext("cap:status", namespaces=NS) == "Actual"
    info = got.find("cap:info", NS)
    assert info.findtext("cap:severity", namespaces=NS) == "Severe"
    assert info.findtext("cap:description", namespaces=NS) == "Montez dans les étages & restez <à l'abri>."
    lat_lon, radius = info.findtext("cap:area/cap:circle", namespaces=NS).split()
    assert [float(v) for v in lat_lon.split(",")] == pytest.approx([CENTRE[1], CENTRE[0]])
    assert float(radius) == 1.2
    public = client.http.get(f"/api/v1/alerts/{circle}/public").json()
    assert info.findtext("cap:expires", namespaces=NS) == datetime.fromisoformat(public["expires"]).astimezone(
        UTC).replace(microsecond=0).isoformat()

    ring = valid(client.http.get(f"/cap/alerts/{polygon}.xml").content).findtext(
        "cap:info/cap:area/cap:polygon", namespaces=NS).split()
    assert len(ring) == 5 and ring[0] == ring[-1]

    feed = etree.fromstring(client.http.get("/cap/stations/saint-etienne.atom").content)
    links = [e.get("href") for e in feed.findall("atom:entry/atom:link", NS)]
    assert [link.rsplit("/", 1)[1] for link in links] == [f"{polygon}.xml", f"{circle}.xml"]
    assert client.http.get(f"/cap/alerts/{uuid.uuid4()}.xml").status_code == 404


def test_a_multipolygon_and_a_zoneless_post_are_valid_cap_too() -> None:
    now = datetime.now(UTC)
    square = [[4.38, 45.43], [4.39, 45.43], [4.39, 45.44], [4.38, 45.44], [4.38, 45.43]]
    other = [[4.40, 45.43], [4.41, 45.43], [4.41, 45.44], [4.40, 45.43]]
    for zone in ({"type": "MultiPolygon", "coordinates": [[square], [other]]}, None):
        alert = PublicAlert(uuid.uuid4(), "club-de-judo", "Club de judo", "Entraînement annulé", "Gymnase fermé.",
                            "Minor", "Other", now, now + timedelta(hours=2), True, zone)
        document = valid(cap_document(alert, "https://alertes.example.fr"))
        assert len(document.findall("cap:info/cap:area/cap:polygon", NS)) == (2 if zone else 0)
        assert document.findtext("cap:sender", namespaces=NS) == "club-de-judo@alertes.example.fr"
