"""The only places the fast tests call services that take a request: the request is built here, from
the same JSON an API client would send, decoded into the service's typed model (app/models/).

When a service's request model changes, only its function here needs to follow."""

from __future__ import annotations

import uuid
from typing import Any

from app.db.stations import Operator
from app.models.alerts import AlertDraft, AlertFields, Approval, CancelRequest, NewAlert
from app.services import alerts, lifecycle
from app.settings import Settings
from tests.fast.support import FakePool, RecordedWakeUps

ALERT = {"title": "Crue du Furan", "body": "Montez dans les étages.", "severity": "Moderate",
         "category": "Met", "expires_in": 3600}


def new_alert(**fields: Any) -> NewAlert:
    return NewAlert.model_validate({**ALERT, **fields})


def send(pool: FakePool, wakeups: RecordedWakeUps, operator: Operator, slug: str, *, key: str | None = None,
         **fields: Any) -> alerts.Sent:
    return alerts.send_alert(pool, wakeups, operator, slug, new_alert(**fields), key)  # type: ignore[arg-type]  # a FakePool


def preview(pool: FakePool, operator: Operator, slug: str, **fields: Any) -> alerts.Reach:
    return alerts.preview_alert(pool, operator, slug, AlertDraft.model_validate(fields))  # type: ignore[arg-type]


def approve(pool: FakePool, wakeups: RecordedWakeUps, settings: Settings, operator: Operator,
            alert_id: uuid.UUID, content_hash: str) -> str:
    return lifecycle.approve_alert(pool, wakeups, settings, operator, alert_id,  # type: ignore[arg-type]
                                   Approval(content_hash=content_hash))


def edit(pool: FakePool, wakeups: RecordedWakeUps, operator: Operator, alert_id: uuid.UUID, **fields: Any) -> str:
    return lifecycle.edit_alert(pool, wakeups, operator, alert_id, new_alert(**fields))  # type: ignore[arg-type]


def cancel(pool: FakePool, wakeups: RecordedWakeUps, operator: Operator, alert_id: uuid.UUID,
           **fields: Any) -> alerts.Sent:
    return lifecycle.cancel_alert(pool, wakeups, operator, alert_id,  # type: ignore[arg-type]
                                  CancelRequest.model_validate(fields))


def update(pool: FakePool, wakeups: RecordedWakeUps, operator: Operator, alert_id: uuid.UUID,
           **fields: Any) -> alerts.Sent:
    return lifecycle.update_alert(pool, wakeups, operator, alert_id,  # type: ignore[arg-type]
                                  AlertFields.model_validate(fields))


def withdraw(pool: FakePool, operator: Operator, alert_id: uuid.UUID) -> None:
    lifecycle.withdraw_alert(pool, operator, alert_id)  # type: ignore[arg-type]
