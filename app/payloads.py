"""What a device receives for an alert: one small JSON document, the same on every channel."""

from __future__ import annotations

import json

from app.db.alerts import AlertToSend

# A Web Push message is at most 4096 bytes once encrypted; aes128gcm adds 86 bytes of header,
# a 16-byte tag and a padding delimiter, leaving 3993 for the JSON. The fields other than the
# texts take at most ~600 bytes, so title and body, JSON-encoded, must fit in the rest.
PAYLOAD_TEXT_LIMIT = 3300


def alert_payload_size(title: str, body: str) -> int:
    return len(json.dumps({"title": title, "body": body}, ensure_ascii=False).encode())


def alert_payload(alert: AlertToSend, public_url: str) -> bytes:
    return json.dumps(
        {
            "id": str(alert.id),
            "station": alert.station_name[:100],
            "title": alert.title,
            "body": alert.body,
            "severity": alert.severity,
            "category": alert.category,
            "sent": alert.created_at.isoformat(timespec="seconds"),
            "expires": alert.expires_at.isoformat(timespec="seconds"),
            "url": f"{public_url}/alerts/{alert.id}",
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).encode()
