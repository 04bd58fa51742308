"""A station's alert templates: the built-in library, edits, resets, its own templates, who may
do what, and what a refused edit says."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import psycopg
import pytest

from app import alert_templates, cli
from app.settings import Settings
from tests import infra

BASE = "/api/v1/stations/saint-etienne/templates"
OWN = {
    "texts": {"fr": {"name": "Marché annulé", "title": "Marché du [jour] annulé",
                     "body": "Le marché du [jour] n'aura pas lieu en raison de [motif]."}},
    "category": "Other", "severity": "Minor",
}


@pytest.fixture(scope="module")
def tokens(settings: Settings, stations: dict[str, str]) -> dict[str, str]:
    """API tokens: the town's admin and publisher, and the admin of a neighbouring town."""
    cli.import_commune(settings, cli.DEMO_COMMUNES, "42330", "villars")
    cli.create_operator(settings, "Modèles", "templates-admin@test.invalid", "saint-etienne", "admin")
    cli.create_operator(settings, "Voisin", "templates-villars@test.invalid", "villars", "admin")
    return {
        "admin": cli.create_token(settings, "templates-admin@test.invalid", "test"),
        "publisher": stations["saint-etienne"],
        "other_town": cli.create_token(settings, "templates-villars@test.invalid", "test"),
    }


@pytest.fixture
def http(api_url: str, stack: infra.Stack) -> Iterator[httpx.Client]:
    with psycopg.connect(stack.database_url) as conn:
        conn.execute("DELETE FROM station_templates")
    with httpx.Client(base_url=api_url, timeout=30) as client:
        yield client


def as_(token: str, lang: str = "en") -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Accept-Language": lang}


def listed(http: httpx.Client, token: str) -> dict[str, dict]:
    response = http.get(BASE, headers=as_(token))
    assert response.status_code == 200, response.text
    return {t["key"]: t for t in response.json()["templates"]}


def test_the_library_is_listed_for_anyone_on_the_station(http: httpx.Client, tokens: dict[str, str]) -> None:
    templates = listed(http, tokens["publisher"])
    assert list(templates) == [t.key for t in alert_templates.BUILTIN]
    boil = templates["boil-water"]
    assert boil["builtin"] is True and boil["edited"] is False
    assert (boil["category"], boil["severity"], boil["urgent"]) == ("Health", "Severe", True)
    assert set(boil["texts"]) == {"fr", "en"}
    assert boil["texts"]["fr"]["title"] == "Eau du robinet : à faire bouillir avant de la boire"
    assert "[quartier]" in boil["blanks"]["fr"] and "[area]" in boil["blanks"]["en"]
    assert http.get(BASE, headers=as_(tokens["other_town"])).status_code == 404  # not theirs: not there
    assert http.get(BASE).status_code == 401


def test_an_admin_edits_a_builtin_template_then_resets_it(
    http: httpx.Client, tokens: dict[str, str], stack: infra.Stack
) -> None:
    edit = {"texts": {"fr": {"name": "Eau non potable", "title": "Eau non potable : [quartier]",
                             "body": "Ne buvez pas l'eau du robinet à [quartier] jusqu'au [date]."}},
            "category": "Health", "severity": "Extreme"}
    saved = http.put(f"{BASE}/boil-water", json=edit, headers=as_(tokens["admin"]))
    assert saved.status_code == 200, saved.text
    body = saved.json()
    assert body["builtin"] is True and body["edited"] is True and body["severity"] == "Extreme"
    assert body["urgent"] is True  # the built-in's, when the edit does not say
    assert body["blanks"]["fr"] == ["[quartier]", "[date]"]
    templates = listed(http, tokens["publisher"])
    assert templates["boil-water"]["texts"]["fr"]["title"] == "Eau non potable : [quartier]"
    # the language the edit left out keeps the library's words
    assert templates["boil-water"]["texts"]["en"]["title"] == alert_templates.BUILTIN_BY_KEY["boil-water"].texts["en"].title
    assert templates["road-closure"]["edited"] is False

    assert http.delete(f"{BASE}/boil-water", headers=as_(tokens["admin"])).status_code == 204
    back = listed(http, tokens["publisher"])["boil-water"]
    assert back["edited"] is False and back["severity"] == "Severe"
    assert back["texts"]["fr"]["title"] == "Eau du robinet : à faire bouillir avant de la boire"
    missing = http.delete(f"{BASE}/boil-water", headers=as_(tokens["admin"]))  # nothing left to reset
    assert missing.status_code == 404

    with psycopg.connect(stack.database_url) as conn:
        rows = conn.execute(
            "SELECT action, actor, detail->>'key', station_id IS NOT NULL FROM audit_log"
            " WHERE action LIKE 'template_%%' AND detail->>'key' = 'boil-water' ORDER BY id DESC LIMIT 2"
        ).fetchall()
    assert rows == [("template_delete", "Modèles", "boil-water", True), ("template_edit", "Modèles", "boil-water", True)]


def test_a_station_adds_and_removes_its_own_template(http: httpx.Client, tokens: dict[str, str]) -> None:
    created = http.put(f"{BASE}/marche-annule", json=OWN, headers=as_(tokens["admin"]))
    assert created.status_code == 200, created.text
    assert created.json()["builtin"] is False and created.json()["edited"] is True
    templates = listed(http, tokens["publisher"])
    assert list(templates)[-1] == "marche-annule"  # after the library
    assert set(templates["marche-annule"]["texts"]) == {"fr"}
    assert templates["marche-annule"]["blanks"] == {"fr": ["[jour]", "[motif]"]}
    again = {**OWN, "severity": "Moderate"}
    assert http.put(f"{BASE}/marche-annule", json=again, headers=as_(tokens["admin"])).json()["severity"] == "Moderate"

    assert http.delete(f"{BASE}/marche-annule", headers=as_(tokens["admin"])).status_code == 204
    assert "marche-annule" not in listed(http, tokens["publisher"])
    assert http.delete(f"{BASE}/marche-annule", headers=as_(tokens["admin"])).status_code == 404


def test_only_admins_of_the_station_edit(http: httpx.Client, tokens: dict[str, str]) -> None:
    for method in ("PUT", "DELETE"):
        body = OWN if method == "PUT" else None
        publisher = http.request(method, f"{BASE}/boil-water", json=body, headers=as_(tokens["publisher"]))
        assert publisher.status_code == 403, publisher.text
        other = http.request(method, f"{BASE}/boil-water", json=body, headers=as_(tokens["other_town"]))
        assert other.status_code == 404, other.text
        anonymous = http.request(method, f"{BASE}/boil-water", json=body)
        assert anonymous.status_code == 401
    assert listed(http, tokens["publisher"])["boil-water"]["edited"] is False


@pytest.mark.parametrize(("key", "change", "field", "phrase"), [
    ("Not A Key", {}, "key", "key must be 2 to 63 lower-case letters"),
    ("ok-key", {"texts": {}}, "texts", "at least one language among: fr, en"),
    ("ok-key", {"texts": {"de": {"name": "x", "title": "x", "body": "x"}}}, "texts.de", "unknown field 'de'"),
    ("ok-key", {"texts": {"fr": {"name": "x", "title": "x"}}}, "texts.fr.body", "texts.fr.body is required"),
    ("ok-key", {"texts": {"fr": {"name": "x", "title": "x" * 121, "body": "x"}}}, "texts.fr.title",
     "texts.fr.title is too long (121 characters); at most 120"),
    ("ok-key", {"texts": {"en": {"name": "x", "title": "x", "body": "x" * 1001}}}, "texts.en.body",
     "at most 1000"),
    ("ok-key", {"texts": {"fr": {"name": "x" * 81, "title": "x", "body": "x"}}}, "texts.fr.name", "at most 80"),
    ("ok-key", {"category": "Weather"}, "category", "category must be one of Geo, Met"),
    ("ok-key", {"severity": "High"}, "severity", "severity must be one of Extreme"),
    ("ok-key", {"urgent": "yes"}, "urgent", "urgent must be true or false"),
    ("ok-key", {"colour": "red"}, "colour", "unknown field 'colour'"),
])
def test_a_refused_edit_names_the_field_and_why(
    http: httpx.Client, tokens: dict[str, str], key: str, change: dict, field: str, phrase: str
) -> None:
    response = http.put(f"{BASE}/{key}", json={**OWN, **change}, headers=as_(tokens["admin"]))
    assert response.status_code == 422, response.text
    error = response.json()["error"]
    assert error["field"] == field and phrase in error["message"], error


def test_a_long_text_that_would_not_fit_in_a_push_is_refused(http: httpx.Client, tokens: dict[str, str]) -> None:
    heavy = {**OWN, "texts": {"fr": {"name": "x", "title": "🚨" * 120, "body": "🚨" * 1000}}}
    response = http.put(f"{BASE}/lourd", json=heavy, headers=as_(tokens["admin"]))
    assert response.status_code == 422 and response.json()["error"]["field"] == "texts.fr.body"


def test_refusals_are_in_french_for_a_french_reader(http: httpx.Client, tokens: dict[str, str]) -> None:
    response = http.put(f"{BASE}/ok-key", json={**OWN, "texts": {}}, headers=as_(tokens["admin"], "fr"))
    assert response.json()["error"]["message"] == "les textes doivent être donnés dans au moins une de ces langues : fr, en"
    response = http.put(f"{BASE}/Bad", json=OWN, headers=as_(tokens["admin"], "fr"))
    assert response.json()["error"]["message"].startswith("la clé doit faire 2 à 63 caractères")
    response = http.put(f"{BASE}/ok-key", json={**OWN, "texts": {"fr": {"name": "x", "title": "x" * 121, "body": "x"}}},
                        headers=as_(tokens["admin"], "fr"))
    assert response.json()["error"]["message"] == "le titre (fr) est trop long (121 caractères) ; 120 au plus"
    response = http.delete(f"{BASE}/inconnu", headers=as_(tokens["admin"], "fr"))
    assert response.status_code == 404
    assert response.json()["error"]["message"] == "cette station n'a pas de modèle modifié ou propre appelé 'inconnu'"
