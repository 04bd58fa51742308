"""A station's alert templates: the built-in library (app/alert_templates.py) with the station's
edits laid over it, and the templates it added. Anyone on the station reads them; admins edit."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from psycopg_pool import ConnectionPool

from app import alert_templates as library
from app.db import audit
from app.db import templates as db
from app.db.pool import transaction
from app.db.stations import Operator
from app.errors import InvalidInput, NotFound
from app.payloads import PAYLOAD_TEXT_LIMIT, alert_payload_size
from app.services.operators import require_station_role
from app.services.stations import _mine
from app.validation import get_bool, get_str, reject_unknown, require_object

ADMIN = frozenset({"admin"})
_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{1,62}$")
_TEXT_FIELDS = {"name", "title", "body"}


@dataclass(frozen=True)
class StationTemplate:
    key: str
    builtin: bool
    edited: bool
    category: str
    severity: str
    urgent: bool
    texts: dict[str, dict[str, str]]

    def blanks(self) -> dict[str, list[str]]:
        return {lang: library.unfilled_blanks(f"{t['title']}\n{t['body']}") for lang, t in self.texts.items()}

    def as_json(self) -> dict[str, Any]:
        return {
            "key": self.key, "builtin": self.builtin, "edited": self.edited, "category": self.category,
            "severity": self.severity, "urgent": self.urgent, "texts": self.texts, "blanks": self.blanks(),
        }


def _builtin(template: library.Template) -> StationTemplate:
    texts = {lang: {"name": t.name, "title": t.title, "body": t.body} for lang, t in template.texts.items()}
    return StationTemplate(template.key, True, False, template.category, template.severity, template.urgent, texts)


def _merge(row: db.StationTemplate) -> StationTemplate:
    """A built-in key's edit replaces the languages it gives; the others stay the default."""
    default = library.BUILTIN_BY_KEY.get(row.key)
    texts = dict(_builtin(default).texts) if default else {}
    texts.update({lang: row.texts[lang] for lang in library.LANGUAGES if lang in row.texts})
    return StationTemplate(row.key, default is not None, True, row.category, row.severity, row.urgent, texts)


def _templates(conn: Any, station_id: int) -> list[StationTemplate]:
    edited = {row.key: _merge(row) for row in db.station_templates(conn, station_id)}
    builtins = [edited.pop(t.key) if t.key in edited else _builtin(t) for t in library.BUILTIN]
    return builtins + sorted(edited.values(), key=lambda t: t.key)  # the library's order, then the station's own


def list_templates(pool: ConnectionPool, operator: Operator, slug: str) -> list[StationTemplate]:
    with transaction(pool) as conn:
        return _templates(conn, _mine(conn, operator, slug).id)


def _parse(key: str, body: Any) -> tuple[dict[str, dict[str, str]], str, str, bool | None]:
    if not _KEY.match(key):
        raise InvalidInput(
            "key must be 2 to 63 lower-case letters, digits or dashes, such as 'marche-annule'", "key")
    data = require_object(body, "")
    reject_unknown(data, {"texts", "category", "severity", "urgent"})
    if data.get("texts") is None:
        raise InvalidInput("texts is required", "texts")
    raw_texts = require_object(data["texts"], "texts")
    if not raw_texts:
        raise InvalidInput("texts needs at least one language among: " + ", ".join(library.LANGUAGES), "texts")
    reject_unknown(raw_texts, set(library.LANGUAGES), "texts")
    texts: dict[str, dict[str, str]] = {}
    for lang, raw in raw_texts.items():
        where = f"texts.{lang}"
        text = require_object(raw, where)
        reject_unknown(text, _TEXT_FIELDS, where)
        name = get_str(text, "name", f"{where}.name", max_len=library.NAME_MAX)
        title = get_str(text, "title", f"{where}.title", max_len=library.TITLE_MAX)
        body_text = get_str(text, "body", f"{where}.body", max_len=library.BODY_MAX)
        assert name is not None and title is not None and body_text is not None
        if alert_payload_size(title, body_text) > PAYLOAD_TEXT_LIMIT:
            raise InvalidInput(
                "title and body together are too long for a push notification; shorten the body", f"{where}.body")
        texts[lang] = {"name": name, "title": title, "body": body_text}
    category = get_str(data, "category", "category", max_len=20)
    severity = get_str(data, "severity", "severity", max_len=20)
    assert category is not None and severity is not None
    if category not in library.CATEGORIES:
        raise InvalidInput(f"category must be one of {', '.join(library.CATEGORIES)} (got {category!r})", "category")
    if severity not in library.SEVERITIES:
        raise InvalidInput(f"severity must be one of {', '.join(library.SEVERITIES)} (got {severity!r})", "severity")
    urgent = get_bool(data, "urgent", "urgent", False) if "urgent" in data else None
    return texts, category, severity, urgent


def save_template(pool: ConnectionPool, operator: Operator, slug: str, key: str, body: Any) -> StationTemplate:
    """Edit a built-in template or create/replace one of the station's own (admins only)."""
    texts, category, severity, urgent = _parse(key, body)
    if urgent is None:
        default = library.BUILTIN_BY_KEY.get(key)
        urgent = default.urgent if default else False
    with transaction(pool) as conn:
        station = _mine(conn, operator, slug)
        require_station_role(operator, station.id, ADMIN)
        row = db.save_template(conn, station.id, key, texts, category, severity, urgent, operator.id)
        audit.record(conn, actor=operator, action="template_edit", station_id=station.id, detail={"key": key})
    return _merge(row)


def delete_template(pool: ConnectionPool, operator: Operator, slug: str, key: str) -> None:
    """A built-in template goes back to its default (returned); one of the station's own is removed."""
    with transaction(pool) as conn:
        station = _mine(conn, operator, slug)
        require_station_role(operator, station.id, ADMIN)
        if not db.delete_template(conn, station.id, key):
            raise NotFound(f"this station has no edited or own template called {key!r}")
        audit.record(conn, actor=operator, action="template_delete", station_id=station.id, detail={"key": key})
