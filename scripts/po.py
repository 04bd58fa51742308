"""Write a pair of gettext catalogues (en, fr) for one feature from a table of
(code, English, French): `python scripts/po.py FEATURE < table.py`, or import `write_catalogues`.
Kept for adding a feature's catalogue; afterwards the .po files are edited directly."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

LOCALE = Path(__file__).resolve().parents[1] / "app" / "locale"
HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n"Language: {lang}\\n"\n'


def _quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def write_catalogues(feature: str, rows: list[tuple[str, str, str]]) -> None:
    for index, lang in ((1, "en"), (2, "fr")):
        lines = [HEADER.format(lang=lang)]
        for row in rows:
            lines.append(f"msgid {_quote(row[0])}\nmsgstr {_quote(row[index])}\n")
        path = LOCALE / lang / "LC_MESSAGES" / f"{feature}.po"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    table: list[tuple[str, str, str]] = ast.literal_eval(sys.stdin.read())
    write_catalogues(sys.argv[1], table)
