"""French for the messages people read: API errors are written in English where they are raised,
and put into French here when the caller reads French (the console, by default)."""

from __future__ import annotations

import re

# (English pattern, French template): the groups of the pattern fill the template's {1}, {2}…
_FRENCH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), f) for p, f in [
        (r"^(\S+) is required$", "{1} est obligatoire"),
        (r"^(\S+) must not be empty$", "{1} ne doit pas être vide"),
        (r"^(\S+) must be a string$", "{1} doit être un texte"),
        (r"^(\S+) is too long \((\d+) characters\); at most (\d+)$", "{1} est trop long ({2} caractères) ; {3} au plus"),
        (r"^(\S+) must be one of (.*) \(got (.*)\)$", "{1} doit être l'un de : {2} (reçu : {3})"),
        (r"^(\S+) must be a JSON object$", "{1} doit être un objet JSON"),
        (r"^unknown field (.*); allowed fields are: (.*)$", "champ inconnu {1} ; champs acceptés : {2}"),
        (r"^the request body is empty; send a JSON object$", "la requête est vide : envoyez un objet JSON"),
        (r"^the request body is not valid JSON(.*)$", "le corps de la requête n'est pas du JSON valide{1}"),
        (r"^(\S+) must be true or false$", "{1} doit être true ou false"),
    ]
]


# the API's field names, as the console's labels say them
_FIELDS = {
    "title": "le titre", "body": "le texte", "severity": "la gravité", "category": "la catégorie",
    "audience": "le public", "zone": "la zone", "expires_in": "la durée", "expires_at": "l'expiration",
    "email": "l'e-mail", "password": "le mot de passe", "name": "le nom", "role": "le rôle",
    "slug": "l'identifiant", "kind": "le type", "key": "la clé", "texts": "les textes",
    "texts.fr.name": "le nom (fr)", "texts.fr.title": "le titre (fr)", "texts.fr.body": "le texte (fr)",
    "texts.en.name": "le nom (en)", "texts.en.title": "le titre (en)", "texts.en.body": "le texte (en)",
}


def translate(message: str, language: str | None) -> str:
    if language != "fr":
        return message
    for pattern, french in _FRENCH:
        match = pattern.match(message)
        if match:
            return french.format(None, *(_FIELDS.get(g, g) for g in match.groups()))
    return message
