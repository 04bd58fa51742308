"""The words of every refusal, in French and English: gettext catalogues (app/locale/<lang>/LC_MESSAGES/
*.po, one file per feature) whose message ids are the stable error codes and whose texts name their
values as ``{placeholders}``. Field labels ("le titre") are the entries ``field.<path>``.

Read with Babel when first needed; a code missing from a language falls back to English, and a test
(tests/unit/app/test_error_catalogue.py) checks that no code is missing from either.
"""

from __future__ import annotations

import string
from functools import cache
from pathlib import Path
from typing import Any

from babel.messages.pofile import read_po

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
LANGUAGES = ("en", "fr")
DEFAULT_LANGUAGE = "en"
FIELD_PREFIX = "field."


@cache
def entries(language: str) -> dict[str, str]:
    """Every code and its text in one language, from all the feature catalogues."""
    found: dict[str, str] = {}
    for path in sorted((LOCALE_DIR / language / "LC_MESSAGES").glob("*.po")):
        with path.open("rb") as f:
            for entry in read_po(f, locale=language):
                if entry.id and isinstance(entry.id, str) and isinstance(entry.string, str) and entry.string:
                    found[entry.id] = entry.string
    return found


def known(code: str) -> bool:
    return code in entries(DEFAULT_LANGUAGE)


def codes() -> set[str]:
    """Every error code (not the field labels)."""
    return {c for c in entries(DEFAULT_LANGUAGE) if not c.startswith(FIELD_PREFIX)}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def field_label(path: str, language: str | None) -> str:
    """How a person calls a field: 'le titre (fr)' for texts.fr.title in French; the path itself
    when there is no label."""
    table = entries(language if language in LANGUAGES else DEFAULT_LANGUAGE)
    return table.get(FIELD_PREFIX + path, path)


def message(code: str, language: str | None, params: dict[str, Any], field: str | None = None) -> str:
    language = language if language in LANGUAGES else DEFAULT_LANGUAGE
    text = entries(language).get(code) or entries(DEFAULT_LANGUAGE).get(code) or code
    values = {name: _shown(value) for name, value in params.items()}
    values.setdefault("field", field_label(field, language) if field else "")
    try:
        return text.format_map(values)
    except (KeyError, IndexError, ValueError):
        # a catalogue asking for a value the code did not give: show the words, never fail a refusal
        return text


def _shown(value: Any) -> str:
    if isinstance(value, (list, tuple, set, frozenset)):
        return ", ".join(str(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
