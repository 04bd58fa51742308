"""CAP 1.2 documents "written by another system", for the import tests: a Météo-France-like flood
warning in French and English over Saint-Étienne, with the trimmings real producers add (eventCode,
parameters, geocodes, onset, contact) that Tocsin reads past."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from xml.sax.saxutils import escape

# a quadrilateral of about 1.4 km around the centre, as CAP writes it: "lat,lon" closed
POLYGON = [(45.4460, 4.3872), (45.4397, 4.3962), (45.4334, 4.3872), (45.4397, 4.3782), (45.4460, 4.3872)]
CIRCLE = (45.4397, 4.3872, 1.5)  # lat, lon, km
SENDER = "vigilance@meteo.example.fr"
HEADLINE_FR = "Vigilance orange crues : le Furan en crue"
HEADLINE_EN = "Orange flood warning: the Furan is rising"
DESCRIPTION_FR = ("Montée rapide des eaux du Furan à Saint-Étienne. Évitez les berges & les passages "
                  "souterrains ; ne prenez pas votre véhicule.")
DESCRIPTION_EN = ("The Furan is rising fast in Saint-Étienne. Keep away from the banks & underpasses; "
                  "do not drive.")


def cap_time(moment: datetime, offset_h: int = 1) -> str:
    """As a French producer writes it: local time with its offset."""
    return moment.astimezone(timezone(timedelta(hours=offset_h))).replace(microsecond=0).isoformat()


def cap_xml(identifier: str, *, sent: datetime | None = None, expires: datetime | None = None,
            status: str = "Actual", msg_type: str = "Alert", references: str | None = None,
            severity: str = "Moderate", area: str = "polygon", sender: str = SENDER) -> bytes:
    sent = sent or datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
    expires = expires or datetime.now(UTC).replace(microsecond=0) + timedelta(hours=6)
    if area == "polygon":
        shape = "<polygon>" + " ".join(f"{lat},{lon}" for lat, lon in POLYGON) + "</polygon>"
    elif area == "circle":
        shape = f"<circle>{CIRCLE[0]},{CIRCLE[1]} {CIRCLE[2]}</circle>"
    else:
        shape = ""
    refs = f"<references>{escape(references)}</references>" if references else ""

    def info(language: str, event: str, headline: str, description: str, area_desc: str) -> str:
        return f"""
  <info>
    <language>{language}</language>
    <category>Met</category>
    <category>Env</category>
    <event>{escape(event)}</event>
    <responseType>Prepare</responseType>
    <urgency>Expected</urgency>
    <severity>{severity}</severity>
    <certainty>Likely</certainty>
    <eventCode><valueName>MFR-VIGILANCE</valueName><value>CRUES-ORANGE</value></eventCode>
    <effective>{cap_time(sent)}</effective>
    <onset>{cap_time(sent + timedelta(minutes=30))}</onset>
    <expires>{cap_time(expires)}</expires>
    <senderName>Météo-France (exemple)</senderName>
    <headline>{escape(headline)}</headline>
    <description>{escape(description)}</description>
    <web>https://vigilance.meteo.example.fr/</web>
    <contact>vigilance@meteo.example.fr</contact>
    <parameter><valueName>awareness_level</valueName><value>3; orange; Moderate</value></parameter>
    <area>
      <areaDesc>{escape(area_desc)}</areaDesc>
      {shape}
      <geocode><valueName>INSEE</valueName><value>42218</value></geocode>
    </area>
  </info>"""

    return f"""<?xml version="1.0" encoding="UTF-8"?>
<alert xmlns="urn:oasis:names:tc:emergency:cap:1.2">
  <identifier>{escape(identifier)}</identifier>
  <sender>{escape(sender)}</sender>
  <sent>{cap_time(sent)}</sent>
  <status>{status}</status>
  <msgType>{msg_type}</msgType>
  <source>Vigilance</source>
  <scope>Public</scope>
  <code>IPAWSv1.0</code>
  {refs}
  {info("fr-FR", "Crues", HEADLINE_FR, DESCRIPTION_FR, "Loire : Saint-Étienne, vallée du Furan")}
  {info("en-GB", "Floods", HEADLINE_EN, DESCRIPTION_EN, "Loire: Saint-Étienne, Furan valley")}
</alert>
""".encode()
