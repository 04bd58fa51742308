"""Operators' accounts and stations (app/services/sessions.py, stations.py, templates.py): logging
in and its throttle, invitations used once, who may create stations, save zones and edit
templates, and the codes each refusal carries."""

from __future__ import annotations

import psycopg
import pytest

from app.cap import export
from app.contract import parse_body
from app.db import sessions as sessions_db
from app.db import stations as stations_db
from app.db.stations import Operator
from app.errors import Conflict, Forbidden, InvalidInput, NotFound, TooManyRequests, Unauthorized
from app.models.operators import Credentials, RoleGrant
from app.models.stations import ChildStation, ZoneToSave
from app.models.templates import TemplateToSave
from app.services import sessions, stations, templates
from tests.fast.support import CENTRE, FakePool

PASSWORD = "correct horse battery staple"
PUBLIC_URL = "https://alertes.example.fr"


def child(slug: str, kind: str = "institution") -> ChildStation:
    return parse_body(f'{{"slug": "{slug}", "name": "École {slug}", "kind": "{kind}"}}'.encode(), ChildStation)


def zone(name: str, radius_m: int = 800) -> ZoneToSave:
    lon, lat = CENTRE
    raw = f'{{"name": "{name}", "zone": {{"type": "Circle", "center": [{lon}, {lat}], "radius_m": {radius_m}}}}}'
    return parse_body(raw.encode(), ZoneToSave)


def template(urgent: str | None = None) -> TemplateToSave:
    extra = f', "urgent": {urgent}' if urgent is not None else ""
    raw = ('{"texts": {"fr": {"name": "Marché annulé", "title": "Marché du [jour] annulé", "body": "Pas de marché."}},'
           ' "category": "Other", "severity": "Minor"' + extra + "}")
    return parse_body(raw.encode(), TemplateToSave)


def reloaded(conn: psycopg.Connection, operator: Operator) -> Operator:
    found = stations_db.load_operator(conn, operator.id)
    assert found is not None
    return found


# ---------------------------------------------------------------------------------- sessions


def test_a_login_opens_a_session_and_wrong_passwords_are_throttled(
    conn: psycopg.Connection, pool: FakePool, mayor: Operator,
) -> None:
    sessions_db.set_password_hash(conn, mayor.id, sessions.hash_password(PASSWORD))
    assert mayor.email is not None
    session = sessions.login(pool, Credentials(email=mayor.email, password=PASSWORD), "192.0.2.1")
    assert session.operator.id == mayor.id and session.cookie and session.csrf_token
    assert sessions.current_session(pool, session.cookie) == sessions.Session(session.operator, session.csrf_token)

    for _ in range(sessions.MAX_FAILURES_PER_EMAIL):
        with pytest.raises(Unauthorized) as wrong:
            sessions.login(pool, Credentials(email=mayor.email, password="not the password"), "192.0.2.1")
        assert wrong.value.code == "session.wrong_password"
    with pytest.raises(TooManyRequests) as blocked:  # even with the right password, for a while
        sessions.login(pool, Credentials(email=mayor.email, password=PASSWORD), "192.0.2.1")
    assert blocked.value.code == "session.too_many_failures" and blocked.value.retry_after_s == 900
    assert "wait 15 minutes" in blocked.value.message


def test_an_unknown_email_gets_the_same_answer(pool: FakePool) -> None:
    with pytest.raises(Unauthorized) as wrong:
        sessions.login(pool, Credentials(email="nobody@fast.invalid", password=PASSWORD), "192.0.2.2")
    assert wrong.value.code == "session.wrong_password" and wrong.value.field is None


def test_an_invitation_is_used_once_with_a_long_enough_password(pool: FakePool, mayor: Operator) -> None:
    grant = parse_body(b'{"name": "Jeanne", "email": "Jeanne@Fast.Invalid", "role": "publisher"}', RoleGrant)
    url = stations.invite_operator(pool, PUBLIC_URL, mayor, "saint-etienne", grant)
    assert url is not None and url.startswith(f"{PUBLIC_URL}/console/invitation/")
    token = url.rsplit("/", 1)[1]

    with pytest.raises(InvalidInput) as short:
        sessions.accept_invitation(pool, token, "short")
    assert (short.value.code, short.value.field) == ("session.password_too_short", "password")
    sessions.accept_invitation(pool, token, PASSWORD)
    with pytest.raises(NotFound) as used:
        sessions.accept_invitation(pool, token, PASSWORD)
    assert used.value.code == "session.invitation_unknown"
    # she has a password now: a second role needs no invitation
    again = parse_body(b'{"name": "Jeanne", "email": "jeanne@fast.invalid", "role": "approver"}', RoleGrant)
    assert stations.invite_operator(pool, PUBLIC_URL, mayor, "saint-etienne", again) is None
    listed = {name: (roles, active) for name, _, roles, active in stations.list_operators(pool, mayor, "saint-etienne")}
    assert listed["Jeanne"] == (["approver", "publisher"], True)


def test_only_admins_list_and_invite(pool: FakePool, publisher: Operator) -> None:
    grant = parse_body(b'{"name": "X", "email": "x@fast.invalid", "role": "admin"}', RoleGrant)
    with pytest.raises(Forbidden) as refused:
        stations.invite_operator(pool, PUBLIC_URL, publisher, "saint-etienne", grant)
    assert refused.value.code == "operator.role_needed" and refused.value.params == {"roles": ["admin"]}
    with pytest.raises(Forbidden):
        stations.list_operators(pool, publisher, "saint-etienne")


# ---------------------------------------------------------------------------------- stations


def test_a_municipality_admin_creates_stations_in_its_commune(
    conn: psycopg.Connection, pool: FakePool, mayor: Operator,
) -> None:
    school = stations.create_child_station(pool, mayor, "saint-etienne", child("ecole-jules-ferry"))
    assert (school.slug, school.kind, school.parent_slug) == ("ecole-jules-ferry", "institution", "saint-etienne")
    assert reloaded(conn, mayor).roles[school.id] == frozenset({"admin"})  # to invite the school's own operators

    with pytest.raises(Conflict) as taken:
        stations.create_child_station(pool, mayor, "saint-etienne", child("ecole-jules-ferry", "association"))
    assert (taken.value.code, taken.value.field, taken.value.params) == (
        "station.slug_taken", "slug", {"slug": "ecole-jules-ferry"})
    # a school does not create stations, even for its admin
    with pytest.raises(Forbidden) as not_a_town:
        stations.create_child_station(pool, reloaded(conn, mayor), "ecole-jules-ferry", child("club-de-l-ecole"))
    assert not_a_town.value.code == "station.not_a_municipality"


def test_someone_elses_station_does_not_exist_for_them(pool: FakePool, judo: Operator) -> None:
    with pytest.raises(NotFound) as missing:
        stations.create_child_station(pool, judo, "saint-etienne", child("ecole-x"))
    assert missing.value.code == "station.not_found" and missing.value.message == (
        "no station called 'saint-etienne' among yours")
    with pytest.raises(Forbidden):  # their own, but they are not its admin
        stations.create_child_station(pool, judo, "club-de-judo", child("ecole-y"))


def test_saved_zones_have_unique_names_and_are_deleted_by_id(
    pool: FakePool, publisher: Operator, approver: Operator,
) -> None:
    saved = stations.save_zone(pool, publisher, "saint-etienne", zone("Centre-ville"))
    assert [z.name for z in stations.list_zones(pool, approver, "saint-etienne")] == ["Centre-ville"]
    with pytest.raises(Conflict) as taken:
        stations.save_zone(pool, publisher, "saint-etienne", zone("Centre-ville", 900))
    assert (taken.value.code, taken.value.field) == ("station.zone_name_taken", "name")
    with pytest.raises(Forbidden):  # an approver reads them, but does not change them
        stations.delete_zone(pool, approver, "saint-etienne", saved.id)

    stations.delete_zone(pool, publisher, "saint-etienne", saved.id)
    for gone in (saved.id, None):  # deleted, or an id that cannot be one
        with pytest.raises(NotFound) as missing:
            stations.delete_zone(pool, publisher, "saint-etienne", gone)
        assert missing.value.code == "station.zone_not_found"


# ---------------------------------------------------------------------------------- templates


def test_only_admins_edit_templates_and_urgent_follows_the_library(pool: FakePool, mayor: Operator,
                                                                    publisher: Operator) -> None:
    with pytest.raises(Forbidden):
        templates.save_template(pool, publisher, "saint-etienne", "boil-water", template())
    assert templates.save_template(pool, mayor, "saint-etienne", "boil-water", template()).urgent is True
    assert templates.save_template(pool, mayor, "saint-etienne", "boil-water", template("null")).urgent is False
    assert templates.save_template(pool, mayor, "saint-etienne", "marche-annule", template()).urgent is False

    templates.delete_template(pool, mayor, "saint-etienne", "marche-annule")
    with pytest.raises(NotFound) as missing:
        templates.delete_template(pool, mayor, "saint-etienne", "marche-annule")
    assert missing.value.code == "template.not_found" and missing.value.params == {"key": "marche-annule"}


def test_names_the_database_cannot_hold_are_simply_not_found(pool: FakePool, mayor: Operator) -> None:
    for call in (lambda: stations.station_detail(pool, mayor, "saint\x00etienne"),
                 lambda: export.station_feed(pool, "saint\x00etienne"),
                 lambda: templates.delete_template(pool, mayor, "saint-etienne", "boil\x00water")):
        with pytest.raises(NotFound):
            call()
