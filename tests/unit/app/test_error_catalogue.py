"""Every refusal has its words in French and in English, naming the same values; every code raised
in the code base is in the catalogue."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app import catalogue

ROOT = Path(__file__).resolve().parents[3]
ERROR_CLASSES = {"DomainError", "InvalidInput", "Unauthorized", "Forbidden", "NotFound", "Conflict",
                 "PayloadTooLarge", "UnsupportedMediaType", "Unavailable", "TooManyRequests", "ZoneError"}


def raised_codes() -> dict[str, str]:
    """code → where, for every error built with a literal code in app/, geo/, workers/."""
    found: dict[str, str] = {}
    for folder in ("app", "geo", "workers"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ERROR_CLASSES
                        and node.args and isinstance(node.args[0], ast.Constant)
                        and isinstance(node.args[0].value, str)):
                    found[node.args[0].value] = f"{path.relative_to(ROOT)}:{node.lineno}"
    return found


@pytest.mark.parametrize("code", sorted(catalogue.codes()))
def test_every_code_has_french_and_english_with_the_same_values(code: str) -> None:
    english, french = catalogue.entries("en").get(code), catalogue.entries("fr").get(code)
    assert english and french, f"{code} lacks a text in {'French' if english else 'English'}"
    assert catalogue.placeholders(english) == catalogue.placeholders(french), code
    assert english != code and french != code


def test_the_french_catalogue_has_no_code_the_english_one_lacks() -> None:
    assert set(catalogue.entries("fr")) <= set(catalogue.entries("en"))


def test_every_raised_code_is_in_the_catalogue() -> None:
    missing = {code: where for code, where in raised_codes().items() if not catalogue.known(code)}
    assert not missing, f"codes without words: {missing}"


def test_a_message_names_its_values_and_the_field_in_each_language() -> None:
    assert catalogue.message("input.too_long", "fr", {"length": 131, "max": 120}, field="texts.fr.title") == (
        "le titre (fr) est trop long (131 caractères) ; 120 au plus")
    assert catalogue.message("input.too_long", "en", {"length": 131, "max": 120}, field="title") == (
        "title is too long (131 characters); at most 120")
    assert catalogue.message("input.required", "de", {}, field="title") == "title is required"  # English otherwise
