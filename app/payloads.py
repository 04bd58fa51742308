"""How much text an alert may carry so that it fits in one push on every channel."""

from __future__ import annotations

import json

# Every channel caps a push near 4 KB: Web Push 4096 bytes once encrypted (3993 of JSON),
# APNs 4096 bytes of JSON, FCM 4096 bytes of notification + data. The fields other than the
# texts take at most ~600 bytes, so title and body, JSON-encoded, must fit in the rest.
# (Providers still check each payload and shorten the body, never the title, if need be.)
PAYLOAD_TEXT_LIMIT = 3300


def alert_payload_size(title: str, body: str) -> int:
    return len(json.dumps({"title": title, "body": body}, ensure_ascii=False).encode())
