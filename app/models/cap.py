"""CAP 1.2: documents of Tocsin's alerts and stations' Atom feeds (XML), and CAP messages received
from other systems, kept as imports until an operator accepts (rebroadcasts) or rejects them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import Field, JsonValue

from app.contract import Body, Media, Reply
from app.vocab import Audience, Category, Severity

CAP_MEDIA_TYPE = "application/cap+xml"
ATOM_MEDIA_TYPE = "application/atom+xml"
# what an upload may be sent as
CAP_CONTENT_TYPES = (CAP_MEDIA_TYPE, "application/xml", "text/xml")

CAP_DOCUMENT = Media(CAP_MEDIA_TYPE, {"type": "string", "description": "an OASIS CAP 1.2 <alert> document"})
ATOM_FEED = Media(ATOM_MEDIA_TYPE, {"type": "string", "description": "an Atom feed whose entries link to CAP "
                                                                     "documents"})

ImportState = Literal["received", "accepted", "rejected"]


# ---------------------------------------------------------------------------------------------
# Requests


class CapDecision(Body):
    """Who gets the rebroadcast alert: by default everyone in the zone for a municipality's import
    that has a zone, the station's followers otherwise."""

    audience: Audience | None = None


# ---------------------------------------------------------------------------------------------
# Responses


class CapText(Reply):
    title: str
    body: str


class CapImportSummary(Reply):
    """What an operator needs to decide: who sent what, where, until when."""

    id: uuid.UUID
    identifier: str
    sender: str
    sent: datetime
    status: Literal["Actual", "Exercise", "System", "Test", "Draft"]  # CAP's words
    msg_type: Literal["Alert", "Update", "Cancel", "Ack", "Error"]
    references: str | None  # CAP's "sender,identifier,sent …" of what an Update or a Cancel replaces
    sender_name: str | None
    headline: dict[str, str]  # language → headline
    texts: dict[str, CapText]  # language → full words
    severity: Severity | None
    category: Category
    zone: dict[str, JsonValue] | None = Field(description="the CAP area as a Tocsin zone")
    expires: datetime | None
    state: ImportState
    source: Literal["upload", "feed"]
    received_at: datetime
    alert_id: uuid.UUID | None  # the rebroadcast alert, once accepted


class CapImports(Reply):
    imports: list[CapImportSummary]  # newest first


class CapAccepted(Reply):
    id: uuid.UUID
    state: ImportState
    alert_id: uuid.UUID
    status_url: str


class CapRejected(Reply):
    id: uuid.UUID
    state: ImportState
