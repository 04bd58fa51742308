"""The built-in template library: both languages, within the limits, blanks that parse."""

from __future__ import annotations

import pytest

from app import alert_templates as library
from app.alert_templates import BUILTIN, unfilled_blanks
from app.payloads import PAYLOAD_TEXT_LIMIT, alert_payload_size

KEYS = ["boil-water", "road-closure", "flood-warning", "heatwave", "school-closure", "canteen-change",
        "event-cancelled", "power-cut", "shelter-in-place", "evacuation"]


def test_the_ten_municipal_templates_are_there_with_stable_keys() -> None:
    assert [t.key for t in BUILTIN] == KEYS


def test_the_vocabularies_are_the_alert_services() -> None:
    from app.vocab import Category, Severity

    assert library.SEVERITIES == tuple(Severity)
    assert sorted(library.CATEGORIES) == sorted(Category)


@pytest.mark.parametrize("template", BUILTIN, ids=lambda t: t.key)
def test_each_template_is_complete_in_french_and_english(template: library.Template) -> None:
    assert template.category in library.CATEGORIES
    assert template.severity in library.SEVERITIES
    assert set(template.texts) == {"fr", "en"}
    for text in template.texts.values():
        assert 0 < len(text.name) <= library.NAME_MAX
        assert 0 < len(text.title) <= library.TITLE_MAX
        assert 0 < len(text.body) <= library.BODY_MAX
        assert text.title == text.title.strip() and text.body == text.body.strip()
        assert alert_payload_size(text.title, text.body) <= PAYLOAD_TEXT_LIMIT
        # every template has something to fill, and every bracket is a well-formed blank
        assert text.blanks()
        assert text.title.count("[") + text.body.count("[") == sum(
            (text.title + text.body).count(b) for b in text.blanks())
    # the same situation in both languages: as many kinds of blanks, or nearly
    fr, en = template.texts["fr"].blanks(), template.texts["en"].blanks()
    assert abs(len(fr) - len(en)) <= 1, (fr, en)


def test_unfilled_blanks_lists_each_blank_once_in_order() -> None:
    assert unfilled_blanks("Rue [rue] fermée du [date] au [date de fin], [rue]") == ["[rue]", "[date]", "[date de fin]"]
    assert unfilled_blanks("École [nom de l'école] — [à prévoir]") == ["[nom de l'école]", "[à prévoir]"]
    assert unfilled_blanks("Routes fermées") == []
    assert unfilled_blanks("") == []


@pytest.mark.parametrize("text", ["voir [1]", "[ ]", "[]", "[ rue]", "[" + "x" * 41 + "]", "a [b\nc] d", "[rue"])
def test_other_brackets_are_plain_text(text: str) -> None:
    assert unfilled_blanks(text) == []


def test_a_filled_template_has_no_blank_left() -> None:
    text = library.BUILTIN_BY_KEY["road-closure"].texts["fr"]
    filled = text.body.replace("[motif]", "travaux").replace("[rue]", "rue de la Paix") \
        .replace("[date de début]", "3 mars").replace("[date de fin]", "5 mars") \
        .replace("[itinéraire de déviation]", "le cours Fauriel")
    assert unfilled_blanks(filled) == []
