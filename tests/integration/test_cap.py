"""Every CAP 1.2 document Tocsin writes validates against the OASIS schema, and says what the alert says."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import httpx
import psycopg
import pytest
from lxml import etree

from app.cap.export import CAP_NS, cap_document
from app.cap.feeds import poll_feed
from app.db.cap import CapAlert
from app.db.pool import open_pool
from tests import cap_samples, infra
from tests.cap_samples import cap_xml
from tests.integration.conftest import CENTRE, Client, offset

pytestmark = pytest.mark.usefixtures("worker", "beat")
SCHEMA = etree.XMLSchema(etree.parse(str(Path(__file__).resolve().parents[2] / "data" / "cap" / "CAP-v1.2.xsd")))
NS = {"cap": CAP_NS, "atom": "http://www.w3.org/2005/Atom"}


def valid(xml: bytes | httpx.Response) -> etree._Element:
    if isinstance(xml, httpx.Response):
        assert xml.status_code == 200, xml.text
        xml = xml.content
    document = etree.fromstring(xml)
    SCHEMA.assertValid(document)
    return document


def test_circle_and_polygon_alerts_as_cap_documents_and_in_the_feed(client: Client) -> None:
    # (Moderate: a Severe alert of a town waits for a second operator's approval, unpublished)
    circle = client.send("saint-etienne", zone={"type": "Circle", "center": list(CENTRE), "radius_m": 1200},
                         severity="Moderate", title="Crue du Furan", body="Montez dans les étages & restez <à l'abri>.")
    corners = [offset(CENTRE, 700, b) for b in (0, 90, 180, 270)]
    polygon = client.send("saint-etienne", severity="Moderate", category="Infra", title="Coupure d'eau",
                          zone={"type": "Polygon", "coordinates": [[list(c) for c in [*corners, corners[0]]]]})

    got = valid(client.http.get(f"/cap/alerts/{circle}.xml"))
    assert got.findtext("cap:identifier", namespaces=NS) == circle
    assert got.findtext("cap:status", namespaces=NS) == "Actual"
    info = got.find("cap:info", NS)
    assert info.findtext("cap:severity", namespaces=NS) == "Moderate"
    assert info.findtext("cap:description", namespaces=NS) == "Montez dans les étages & restez <à l'abri>."
    lat_lon, radius = info.findtext("cap:area/cap:circle", namespaces=NS).split()
    assert [float(v) for v in lat_lon.split(",")] == pytest.approx([CENTRE[1], CENTRE[0]])
    assert float(radius) == 1.2
    public = client.http.get(f"/api/v1/alerts/{circle}/public").json()
    assert info.findtext("cap:expires", namespaces=NS) == datetime.fromisoformat(public["expires"]).astimezone(
        UTC).replace(microsecond=0).isoformat()

    ring = valid(client.http.get(f"/cap/alerts/{polygon}.xml")).findtext(
        "cap:info/cap:area/cap:polygon", namespaces=NS).split()
    assert len(ring) == 5 and ring[0] == ring[-1]

    for alert_id in (circle, polygon):  # the feed lists alerts once they are going out
        assert client.wait_complete("saint-etienne", alert_id)["state"] == "complete"
    feed = etree.fromstring(client.http.get("/cap/stations/saint-etienne.atom").content)
    links = [e.get("href") for e in feed.findall("atom:entry/atom:link", NS)]
    assert [link.rsplit("/", 1)[1] for link in links] == [f"{polygon}.xml", f"{circle}.xml"]
    assert client.http.get(f"/cap/alerts/{uuid.uuid4()}.xml").status_code == 404


def test_a_multipolygon_and_a_zoneless_post_are_valid_cap_too() -> None:
    now = datetime.now(UTC)
    square = [[4.38, 45.43], [4.39, 45.43], [4.39, 45.44], [4.38, 45.44], [4.38, 45.43]]
    other = [[4.40, 45.43], [4.41, 45.43], [4.41, 45.44], [4.40, 45.43]]
    for zone in ({"type": "MultiPolygon", "coordinates": [[square], [other]]}, None):
        alert = CapAlert(uuid.uuid4(), "club-de-judo", "Club de judo", "Entraînement annulé", "Gymnase fermé.",
                         "Minor", "Other", now, now + timedelta(hours=2), zone, "actual", "Alert", "fr",
                         {"fr": {"title": "Entraînement annulé", "body": "Gymnase fermé."}}, None, None, None, None)
        document = valid(cap_document(alert, "https://alertes.example.fr"))
        assert len(document.findall("cap:info/cap:area/cap:polygon", NS)) == (2 if zone else 0)
        assert document.findtext("cap:sender", namespaces=NS) == "club-de-judo@alertes.example.fr"



# ---------------------------------------------------------------------------------- export


def _info(document: etree._Element, language: str) -> etree._Element:
    found = [i for i in document.findall("cap:info", NS) if i.findtext("cap:language", namespaces=NS) == language]
    assert len(found) == 1, f"one <info> in {language}"
    return found[0]


def _follow_up(database_url: str, original: str, msg_type: str, title: str) -> str:
    """An Update or a Cancel of `original`, as the lifecycle API would write it (built here in SQL)."""
    with psycopg.connect(database_url) as conn:
        row = conn.execute(
            "INSERT INTO alerts (station_id, operator_id, title, body, severity, category, audience, zone,"
            " zone_shape, match_area, expires_at, state, msg_type, references_id, thread_id, language, texts, status)"
            " SELECT station_id, operator_id, %(title)s, body, severity, category, audience, zone, zone_shape,"
            " match_area, expires_at, 'complete', %(type)s, id, thread_id, language,"
            " jsonb_set(texts, ARRAY[language, 'title'], to_jsonb(%(title)s::text)), status"
            " FROM alerts WHERE id = %(id)s RETURNING id",
            {"id": original, "type": msg_type, "title": title}).fetchone()
        assert row is not None
        conn.execute("UPDATE alerts SET state = 'replaced', replaced_by = %s WHERE id = %s", (row[0], original))
        return str(row[0])


def _feed(client: Client) -> set[str]:
    feed = etree.fromstring(client.http.get("/cap/stations/saint-etienne.atom").content)
    return {e.get("href").rsplit("/", 1)[1] for e in feed.findall("atom:entry/atom:link", NS)}


def test_multilingual_exercise_update_and_cancel_documents(client: Client, stack: infra.Stack) -> None:
    zone = {"type": "Circle", "center": list(CENTRE), "radius_m": 900}
    texts = {"fr": {"title": "Fuite de gaz", "body": "Restez chez vous, fenêtres fermées."},
             "en": {"title": "Gas leak", "body": "Stay at home with the windows closed."}}
    first = client.send("saint-etienne", title=None, body=None, texts=texts, zone=zone, severity="Moderate",
                        category="Safety")
    got = valid(client.http.get(f"/cap/alerts/{first}.xml"))
    assert [i.findtext("cap:language", namespaces=NS) for i in got.findall("cap:info", NS)] == ["fr", "en"]
    assert _info(got, "en").findtext("cap:headline", namespaces=NS) == "Gas leak"
    assert _info(got, "en").findtext("cap:description", namespaces=NS) == "Stay at home with the windows closed."
    assert _info(got, "fr").findtext("cap:area/cap:circle", namespaces=NS) == _info(got, "en").findtext(
        "cap:area/cap:circle", namespaces=NS)
    assert got.findtext("cap:msgType", namespaces=NS) == "Alert" and got.find("cap:references", NS) is None
    first_sent = got.findtext("cap:sent", namespaces=NS)
    sender = got.findtext("cap:sender", namespaces=NS)

    update = _follow_up(stack.database_url, first, "Update", "Fuite de gaz : périmètre élargi")
    updated = valid(client.http.get(f"/cap/alerts/{update}.xml"))
    assert updated.findtext("cap:msgType", namespaces=NS) == "Update"
    assert updated.findtext("cap:references", namespaces=NS) == f"{sender},{first},{first_sent}"
    assert _info(updated, "fr").findtext("cap:headline", namespaces=NS) == "Fuite de gaz : périmètre élargi"
    assert _feed(client) == {f"{update}.xml"}  # the live message of the story, not the one it replaced
    cancel = _follow_up(stack.database_url, update, "Cancel", "Fin de l'alerte")
    cancelled = valid(client.http.get(f"/cap/alerts/{cancel}.xml"))
    assert cancelled.findtext("cap:msgType", namespaces=NS) == "Cancel"
    assert cancelled.findtext("cap:references", namespaces=NS).startswith(f"{sender},{update},")
    # the replaced messages stay readable by id
    assert client.http.get(f"/cap/alerts/{first}.xml").status_code == 200

    exercise = client.send("saint-etienne", status="exercise", zone=zone, severity="Minor", title="Exercice",
                           body="Exercice d'évacuation du quartier.")
    drill = valid(client.http.get(f"/cap/alerts/{exercise}.xml"))
    assert drill.findtext("cap:status", namespaces=NS) == "Exercise"
    with psycopg.connect(stack.database_url) as conn:
        waiting = conn.execute(
            "INSERT INTO alerts (station_id, title, body, severity, category, audience, expires_at, state, texts,"
            " thread_id) SELECT station_id, 'Attente', 'En attente', 'Extreme', 'Met', 'followers', now() + interval '1 hour',"
            " 'awaiting_approval', '{\"fr\": {\"title\": \"Attente\", \"body\": \"En attente\"}}', gen_random_uuid()"
            " FROM alerts WHERE id = %s RETURNING id", (first,)).fetchone()[0]
    assert client.http.get(f"/cap/alerts/{waiting}.xml").status_code == 404  # never published

    # after the cancel, nothing of that story is in the feed; the exercise and the waiting one never are
    assert _feed(client) == set()


# ---------------------------------------------------------------------------------- import


def _upload(client: Client, xml: bytes, station: str = "saint-etienne",
            content_type: str = "application/cap+xml"):  # type: ignore[no-untyped-def]
    return client.http.post(f"/api/v1/stations/{station}/cap-imports", content=xml,
                            headers={**client.as_operator(station), "Content-Type": content_type})


def _accept(client: Client, import_id: str, station: str = "saint-etienne", **body: object):  # type: ignore[no-untyped-def]
    return client.http.post(f"/api/v1/cap-imports/{import_id}/accept", json=body or None,
                            headers=client.as_operator(station))


def _ring(text: str) -> list[tuple[float, float]]:
    return [tuple(float(v) for v in pair.split(",")) for pair in text.split()]  # type: ignore[misc]


def test_a_cap_alert_from_another_system_is_rebroadcast_and_keeps_its_identity(
    client: Client, push_service, stack: infra.Stack
) -> None:
    inside, outside = push_service.new_subscription(), push_service.new_subscription()
    client.register(inside, home=offset(CENTRE, 200, 45))
    client.register(outside, home=offset(CENTRE, 3000, 0))
    sent = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    expires = sent + timedelta(hours=5)
    identifier = f"2.49.0.1.250.0.FR.{uuid.uuid4().hex[:12]}.CRUES"

    uploaded = _upload(client, cap_xml(identifier, sent=sent, expires=expires))
    assert uploaded.status_code == 201, uploaded.text
    summary = uploaded.json()
    assert (summary["identifier"], summary["sender"], summary["status"], summary["msg_type"]) == (
        identifier, cap_samples.SENDER, "Actual", "Alert")
    assert datetime.fromisoformat(summary["sent"]) == sent and datetime.fromisoformat(summary["expires"]) == expires
    assert summary["headline"] == {"fr": cap_samples.HEADLINE_FR, "en": cap_samples.HEADLINE_EN}
    assert summary["severity"] == "Moderate" and summary["zone"]["type"] == "Polygon"
    assert summary["state"] == "received"

    accepted = _accept(client, summary["id"])
    assert accepted.status_code == 202, accepted.text
    alert_id = accepted.json()["alert_id"]
    again = _accept(client, summary["id"])
    assert again.status_code == 200 and again.json()["alert_id"] == alert_id  # once only
    assert client.wait_complete("saint-etienne", alert_id)["state"] == "complete"
    received = push_service.count_by_endpoint()
    assert received == {inside.endpoint: 1}, "only the device in the CAP area got it, once"
    payload = json.loads(push_service.received_for(inside)[0].payload)
    assert payload["title"] == cap_samples.HEADLINE_FR

    document = valid(client.http.get(f"/cap/alerts/{alert_id}.xml"))
    assert document.findtext("cap:identifier", namespaces=NS) == identifier
    assert document.findtext("cap:sender", namespaces=NS) == cap_samples.SENDER
    assert datetime.fromisoformat(document.findtext("cap:sent", namespaces=NS)) == sent
    assert document.findtext("cap:status", namespaces=NS) == "Actual"
    for language, headline, description in (("fr", cap_samples.HEADLINE_FR, cap_samples.DESCRIPTION_FR),
                                            ("en", cap_samples.HEADLINE_EN, cap_samples.DESCRIPTION_EN)):
        info = _info(document, language)
        assert info.findtext("cap:headline", namespaces=NS) == headline
        assert info.findtext("cap:description", namespaces=NS) == description
        assert datetime.fromisoformat(info.findtext("cap:expires", namespaces=NS)) == expires
        assert info.findtext("cap:category", namespaces=NS) == "Met"
        ring = _ring(info.findtext("cap:area/cap:polygon", namespaces=NS))
        assert [v for p in ring for v in p] == pytest.approx([v for p in cap_samples.POLYGON for v in p])

    listed = client.http.get("/api/v1/stations/saint-etienne/cap-imports",
                             headers=client.as_operator("saint-etienne")).json()["imports"]
    assert [(i["id"], i["state"], i["alert_id"]) for i in listed] == [(summary["id"], "accepted", alert_id)]
    with psycopg.connect(stack.database_url) as conn:
        actions = [r[0] for r in conn.execute(
            "SELECT action FROM audit_log WHERE detail->>'import_id' = %s ORDER BY id", (summary["id"],))]
    assert actions == ["cap_import", "cap_accept"]

    # a circle comes back as the same circle; an exercise keeps its status
    circle = _upload(client, cap_xml(f"{identifier}-2", area="circle", status="Exercise")).json()
    exercise = _accept(client, circle["id"], audience="followers").json()["alert_id"]
    info = valid(client.http.get(f"/cap/alerts/{exercise}.xml"))
    assert info.findtext("cap:status", namespaces=NS) == "Exercise"
    centre, radius = info.findtext("cap:info/cap:area/cap:circle", namespaces=NS).split()
    assert [float(v) for v in centre.split(",")] == pytest.approx(cap_samples.CIRCLE[:2])
    assert float(radius) == cap_samples.CIRCLE[2]


def test_bad_uploads_and_decisions_get_clear_answers(client: Client, stack: infra.Stack) -> None:
    def refused(xml: bytes, says: str) -> None:
        response = _upload(client, xml)
        assert response.status_code == 422, response.text
        assert says in response.json()["error"]["message"] and response.json()["error"]["field"] == "document"

    refused(b"Crue du Furan, montez dans les etages", "not well-formed XML")
    refused(b'<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
            b'<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2"><identifier>&x;</identifier></alert>',
            "declares a DOCTYPE")
    refused(b'<feed xmlns="http://www.w3.org/2005/Atom"/>', "not a CAP 1.2 document")
    refused(cap_xml("bad", severity="Terrible"), "schema (line")
    french = client.http.post("/api/v1/stations/saint-etienne/cap-imports", content=b"<nope",
                              headers={**client.as_operator("saint-etienne"), "Content-Type": "text/xml",
                                       "Accept-Language": "fr"})
    assert "n'est pas du XML bien formé" in french.json()["error"]["message"]
    assert _upload(client, cap_xml("json"), content_type="application/json").status_code == 415
    assert _upload(client, b"<a>" + b" " * (1024 * 1024 + 1) + b"</a>").status_code == 413

    first = _upload(client, cap_xml("same-one"))
    second = _upload(client, cap_xml("same-one"))
    assert (first.status_code, second.status_code) == (201, 200)
    assert first.json()["id"] == second.json()["id"]
    with psycopg.connect(stack.database_url) as conn:
        assert conn.execute("SELECT count(*) FROM cap_imports WHERE identifier = 'same-one'").fetchone()[0] == 1

    # another town's operator sees none of it
    other = client.http.post(f"/api/v1/cap-imports/{first.json()['id']}/accept", headers=client.as_operator(
        "club-de-judo"))
    assert other.status_code == 404
    assert client.http.post(f"/api/v1/cap-imports/{uuid.uuid4()}/reject",
                            headers=client.as_operator("saint-etienne")).status_code == 404

    cancel = _upload(client, cap_xml("cancel-1", msg_type="Cancel",
                                     references=f"{cap_samples.SENDER},same-one,2026-01-12T05:00:00+01:00")).json()
    refusal = _accept(client, cancel["id"])
    assert refusal.status_code == 422 and "cancel the rebroadcast alert from its page" in refusal.json()["error"]["message"]
    stale = _upload(client, cap_xml("stale", sent=datetime.now(UTC) - timedelta(hours=3),
                                    expires=datetime.now(UTC) - timedelta(hours=1))).json()
    expired = _accept(client, stale["id"])
    assert expired.status_code == 409 and "expired" in expired.json()["error"]["message"]

    rejected = client.http.post(f"/api/v1/cap-imports/{first.json()['id']}/reject",
                                headers=client.as_operator("saint-etienne"))
    assert rejected.status_code == 200 and rejected.json()["state"] == "rejected"
    assert _accept(client, first.json()["id"]).status_code == 409
    listed = client.http.get("/api/v1/stations/saint-etienne/cap-imports",
                             headers=client.as_operator("saint-etienne")).json()["imports"]
    assert [i["identifier"] for i in listed] == ["stale", "cancel-1", "same-one"]  # newest first
    assert listed[2]["state"] == "rejected"


# ---------------------------------------------------------------------------------- feeds


class _Feeds(BaseHTTPRequestHandler):
    documents: ClassVar[dict[str, tuple[str, bytes]]] = {}
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.hits.append(self.path)
        found = self.documents.get(self.path)
        if found is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", found[0])
        self.send_header("Content-Length", str(len(found[1])))
        self.end_headers()
        self.wfile.write(found[1])

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def feed_server() -> Iterator[tuple[str, type[_Feeds]]]:
    handler = type("Feeds", (_Feeds,), {"documents": {}, "hits": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", handler
    server.shutdown()
    server.server_close()


def test_feeds_are_polled_into_imports_once(client: Client, stack: infra.Stack, feed_server) -> None:
    base, handler = feed_server
    embedded = cap_xml("feed-embedded").split(b"?>", 1)[1]
    handler.documents.update({
        "/vigilance.atom": ("application/atom+xml", b"""<?xml version="1.0" encoding="UTF-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><id>urn:x</id><title>Vigilance</title>
  <entry><id>1</id><title>Crues</title><link rel="alternate" type="application/cap+xml" href="/cap/1.xml"/></entry>
  <entry><id>2</id><title>Orages</title><link href="cap/2.xml"/></entry>
  <entry><id>3</id><title>Vent</title><content type="application/cap+xml">""" + embedded + b"""</content></entry>
  <entry><id>4</id><title>Absent</title><link type="application/cap+xml" href="/cap/missing.xml"/></entry>
  <entry><id>5</id><title>Pas du CAP</title><link type="application/cap+xml" href="/cap/junk.xml"/></entry>
</feed>"""),
        "/cap/1.xml": ("application/cap+xml", cap_xml("feed-1")),
        "/cap/2.xml": ("application/cap+xml", cap_xml("feed-2", area="circle")),
        "/cap/junk.xml": ("application/cap+xml", b"<html>oops</html>"),
        "/not-a-feed": ("text/html", b"<html><body>maintenance</body></html>"),
        "/broken": ("application/xml", b"<feed"),
    })
    pool = open_pool(stack.database_url)
    try:
        first = poll_feed(pool, "saint-etienne", f"{base}/vigilance.atom")
        assert (first.documents, first.new) == (5, 3)
        assert len(first.errors) == 2  # the missing one and the junk one, logged and skipped
        again = poll_feed(pool, "saint-etienne", f"{base}/vigilance.atom")
        assert (again.documents, again.new) == (5, 0)
        for url in (f"{base}/not-a-feed", f"{base}/broken", f"{base}/nowhere", "http://127.0.0.1:9/closed"):
            assert poll_feed(pool, "saint-etienne", url).errors  # never raises
    finally:
        pool.close()
    with psycopg.connect(stack.database_url) as conn:
        rows = conn.execute("SELECT identifier, source, state FROM cap_imports ORDER BY identifier").fetchall()
    assert rows == [("feed-1", "feed", "received"), ("feed-2", "feed", "received"),
                    ("feed-embedded", "feed", "received")]
    listed = client.http.get("/api/v1/stations/saint-etienne/cap-imports",
                             headers=client.as_operator("saint-etienne")).json()["imports"]
    assert {i["identifier"] for i in listed} == {"feed-1", "feed-2", "feed-embedded"}
    assert all(i["source"] == "feed" for i in listed)
