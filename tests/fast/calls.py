"""The only places the fast tests call services that take a request body.

TRANSITION (#11): these services take `body: Any` (the JSON dict) today and are being converted
to typed request models; when one changes, only its function here needs to follow."""

from __future__ import annotations

import uuid
from typing import Any

from app.db.stations import Operator
from app.services import alerts, lifecycle
from app.settings import Settings
from tests.fast.support import FakePool, RecordedWakeUps

ALERT = {"title": "Crue du Furan", "body": "Montez dans les étages.", "severity": "Moderate",
         "category": "Met", "expires_in": 3600}


def alert_body(**fields: Any) -> dict[str, Any]:
    return {**ALERT, **fields}


def send(pool: FakePool, wakeups: RecordedWakeUps, operator: Operator, slug: str, *, key: str | None = None,
         **fields: Any) -> alerts.Sent:
    return alerts.send_alert(pool, wakeups, operator, slug, alert_body(**fields), key)  # type: ignore[arg-type]


def preview(pool: FakePool, operator: Operator, slug: str, **fields: Any) -> alerts.Reach:
    return alerts.preview_alert(pool, operator, slug, fields)  # type: ignore[arg-type]


def approve(pool: FakePool, wakeups: RecordedWakeUps, settings: Settings, operator: Operator,
            alert_id: uuid.UUID, content_hash: str) -> str:
    return lifecycle.approve_alert(pool, wakeups, settings, operator, str(alert_id),  # type: ignore[arg-type]
                                   {"content_hash": content_hash})


def edit(pool: FakePool, wakeups: RecordedWakeUps, operator: Operator, alert_id: uuid.UUID, **fields: Any) -> str:
    return lifecycle.edit_alert(pool, wakeups, operator, str(alert_id), alert_body(**fields))  # type: ignore[arg-type]
