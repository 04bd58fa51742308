"""The words of an alert in each language: exercise framing, phrasing only a live alert may use,
and the pre-written texts of a cancel. Pure functions, no database."""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.vocab import FRAME_WORDS, CancelReason, Status

STATUSES = tuple(Status)


@dataclass(frozen=True)
class Text:
    title: str
    body: str

    def as_json(self) -> dict[str, str]:
        return {"title": self.title, "body": self.body}


def frame_word(status: str, language: str) -> str:
    words = FRAME_WORDS[Status(status)]
    return words.get(language, words["en"])


def frame(status: str, language: str, text: Text) -> Text:
    """An exercise says so at the start and at the end of its title and body, in its own language,
    so that no one reading half of it can take it for a live alert (the Hawaii 2018 lesson)."""
    if status == Status.ACTUAL:
        return text
    word = frame_word(status, language)
    title = text.title if text.title.startswith(word) else f"{word} – {text.title}"
    body = text.body
    if not body.startswith(word):
        body = f"{word}\n{body}"
    if not body.endswith(word):
        body = f"{body}\n{word}"
    return Text(title, body)


# What only a live alert may say: "this is not an exercise" in an exercise is how drills are
# mistaken for the real thing.
_LIVE_ONLY = re.compile(
    r"ceci n.est pas un (exercice|test)|ce n.est pas un (exercice|test)|pas un exercice|"
    r"not an? (exercise|drill|test)|this is not a drill|real emergency|"
    r"kein(e)? (übung|test)|no es un simulacro|non è un.esercitazione",
    re.IGNORECASE,
)


def live_only_phrase(text: str) -> str | None:
    found = _LIVE_ONLY.search(text)
    return found.group(0) if found else None


CANCEL_REASONS = tuple(CancelReason)

_CANCEL: dict[str, dict[str, Text]] = {
    CancelReason.ERROR: {
        "fr": Text("ANNULATION – {title}",
                   "L'alerte « {title} » a été envoyée par erreur. Elle est annulée : "
                   "vous n'avez rien à faire. Toutes nos excuses."),
        "en": Text("CANCELLED – {title}",
                   "The alert \"{title}\" was sent in error. It is cancelled: there is nothing you need to do. "
                   "We apologise."),
    },
    CancelReason.ALL_CLEAR: {
        "fr": Text("FIN D'ALERTE – {title}",
                   "Le danger est passé : l'alerte « {title} » est levée. "
                   "Vous pouvez reprendre vos activités normalement."),
        "en": Text("ALL CLEAR – {title}",
                   "The danger has passed: the alert \"{title}\" is lifted. You can go back to your usual activities."),
    },
}


def cancel_text(reason: str, language: str, original: Text) -> Text:
    """The pre-written cancel of `original`, in its language (English for languages we lack)."""
    by_language = _CANCEL[reason]
    template = by_language.get(language, by_language["en"])
    title = original.title
    if len(title) > 80:
        title = title[:79].rstrip() + "…"
    return Text(template.title.format(title=title), template.body.format(title=title))


def normalise_language(tag: str) -> str:
    """'fr-FR', 'FR' and 'fr' are one language for choosing a text."""
    return tag.split("-")[0].split("_")[0].lower()


def pick_text(texts: dict[str, Text], device_locale: str, station_language: str, main_language: str) -> tuple[str, Text]:
    """The device's language if the alert has it, else the station's, else the alert's main one."""
    for language in (normalise_language(device_locale), station_language, main_language):
        if language in texts:
            return language, texts[language]
    language = next(iter(texts))
    return language, texts[language]
