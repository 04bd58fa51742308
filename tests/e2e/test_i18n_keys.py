"""Every string the console shows exists in French and in English (no browser needed); so does
every string the shared core (app/static/core/) asks for, in both front-ends' dictionaries."""

from __future__ import annotations

import json
import re
from pathlib import Path

STATIC = Path(__file__).resolve().parents[2] / "app" / "static"
CONSOLE = STATIC / "console"
CORE = STATIC / "core"
# the API's words the console labels through a computed key (core/vocab.js and the pages)
COMPUTED = {
    "severity.{}": ["Extreme", "Severe", "Moderate", "Minor", "Unknown"],
    "severity.short.{}": ["Extreme", "Severe", "Moderate", "Minor", "Unknown"],
    "category.{}": ["Geo", "Met", "Safety", "Security", "Rescue", "Fire", "Health", "Env", "Transport",
                    "Infra", "CBRNE", "Other"],
    "channel.{}": ["webpush", "apns", "fcm"],
    "delivery.{}": ["pending", "sending", "sent", "gone", "failed", "expired", "replaced"],
    "state.{}": ["pending", "sending", "complete", "expired", "awaiting_approval", "scheduled", "withdrawn",
                 "replaced", "cancelled"],
    "state.explain.{}": ["pending", "sending", "complete", "expired", "awaiting_approval", "scheduled", "withdrawn",
                         "replaced", "cancelled"],
    "mode.{}": ["actual", "exercise", "test"],
    "mode.{}.hint": ["actual", "exercise", "test"],
    "mode.band.{}": ["actual", "exercise", "test"],
    "mode.short.{}": ["actual", "exercise", "test"],
    "mode.page.{}": ["actual", "exercise", "test"],
    "confirm.lede.{}": ["actual", "exercise", "test"],
    "confirm.send.{}": ["exercise", "test", "scheduled"],
    "msg.{}": ["Alert", "Update", "Cancel"],
    "lifecycle.reason.{}": ["error", "all_clear"],
    "role.{}": ["admin", "publisher", "approver"],
    "kind.{}": ["municipality", "association", "institution"],
    "audience.{}": ["followers", "everyone"],
    "audience.{}.hint": ["followers", "everyone"],
    "audience.short.{}": ["followers", "everyone"],
    "zone.help.{}": ["circle", "polygon"],
    "lang.name.{}": ["fr", "en"],
    "lang.switchTo.{}": ["fr", "en"],
    "cap.state.{}": ["received", "accepted", "rejected"],
    "cap.source.{}": ["upload", "feed"],
}


def dictionary(lang: str, front_end: Path = CONSOLE) -> dict[str, str | dict[str, str]]:
    entries = json.loads((front_end / "i18n" / f"{lang}.json").read_text())
    assert isinstance(entries, dict)
    return entries


def keys(lang: str, front_end: Path = CONSOLE) -> set[str]:
    return set(dictionary(lang, front_end))


def used_keys(*folders: Path) -> set[str]:
    found: set[str] = set()
    for folder in folders or (CONSOLE, CORE):
        for path in folder.rglob("*.js"):
            if path.parent.name == "i18n":
                continue
            found |= set(re.findall(r"\bt\('([\w.]+)'", path.read_text()))
    return found


def test_french_and_english_have_the_same_keys() -> None:
    fr, en = keys("fr"), keys("en")
    assert len(fr) > 200
    assert fr - en == set(), "missing in English"
    assert en - fr == set(), "missing in French"


def test_every_entry_is_a_text_or_plural_forms() -> None:
    """The JSON dictionaries hold what the engine (core/i18n.js) reads: a text, or {one, other}
    (the plural categories of Intl.PluralRules, "other" always)."""
    plural_forms = {"zero", "one", "two", "few", "many", "other"}
    for front_end in (CONSOLE, STATIC / "app"):
        for lang in ("fr", "en"):
            for key, value in dictionary(lang, front_end).items():
                where = f"{front_end.name}/i18n/{lang}.json: {key}"
                assert re.fullmatch(r"[\w.-]+", key), where
                if isinstance(value, dict):
                    assert "other" in value and set(value) <= plural_forms, where
                    assert all(isinstance(form, str) for form in value.values()), where
                else:
                    assert isinstance(value, str), where


def test_every_string_the_code_asks_for_exists() -> None:
    wanted = used_keys() | {template.format(word) for template, words in COMPUTED.items() for word in words}
    assert wanted - keys("fr") == set()


def test_the_resident_app_has_every_string_the_core_asks_for() -> None:
    wanted = used_keys(CORE)
    assert wanted, "the core asks for no string?"
    for lang in ("fr", "en"):
        assert wanted - keys(lang, STATIC / "app") == set(), lang


def test_no_user_visible_text_is_hard_coded_in_the_pages() -> None:
    """Text nodes are built with h(tag, attrs, ...children); a literal French or English sentence
    as a child would escape translation."""
    for path in [*CONSOLE.rglob("*.js"), *CORE.rglob("*.js")]:
        if path.parent.name == "i18n":
            continue
        for literal in re.findall(r"h\('[a-z0-9]+', \{[^}]*\}, '([^']+)'", path.read_text()):
            assert False, f"{path.name}: hard-coded text {literal!r}"
