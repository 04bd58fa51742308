"""French for the messages people read: API errors are written in English where they are raised,
and put into French here when the caller reads French (the console, by default)."""

from __future__ import annotations

import re

# (English pattern, French template): the groups of the pattern fill the template's {1}, {2}…
_FRENCH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), f) for p, f in [
        (r"^no such alert among your stations' alerts$", "aucune alerte de ce nom parmi celles de vos stations"),
        (r"^only a municipality can alert everyone present in an area; this station can alert its followers$",
         ("seule une commune peut alerter toutes les personnes présentes dans une zone ; cette station "
         "peut alerter ses abonnés")),
        (r"^the zone goes (\d+) m beyond the commune of (.*) \((\d+) m are tolerated\); draw it inside the commune$",
         ("la zone dépasse de {1} m le territoire de la commune de {2} ({3} m sont tolérés) : "
         "dessinez-la à l'intérieur de la commune")),
        (r"^an alert for everyone in an area needs a zone$", "une alerte pour tous dans une zone demande une zone"),
        (r"^title and body together are too long for a push notification; shorten the body$",
         "le titre et le texte sont trop longs ensemble pour une notification : raccourcissez le texte"),
        (r"^the alert must expire between 1 minute and 7 days from now$",
         "l'alerte doit expirer entre 1 minute et 7 jours à partir de maintenant"),
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
        # zones (geo/): those a person drawing on the console's map can meet
        (r"^radius_m must be between 300 and 5000 metres \(got (.*)\)$",
         "le rayon doit être entre 300 et 5000 mètres (reçu : {1})"),
        (r"^the zone is too large: it only fits in a circle of (.*) km radius; it must fit inside a circle of 5 km radius$",
         ("la zone est trop grande : elle ne tient que dans un cercle de {1} km de rayon ; elle doit tenir "
         "dans un cercle de 5 km de rayon")),
        (r"^the zone is too small: it covers (.*) m²; it must cover at least (.*) m² \(the area of a circle of 300 m radius\)$",
         ("la zone est trop petite : elle couvre {1} m² ; il faut au moins {2} m² (l'aire d'un cercle de "
         "300 m de rayon)")),
        (r"^the shape is not a valid polygon: (.*)$",
         "la forme n'est pas un polygone valide : ses côtés ne doivent pas se croiser ({1})"),
        (r"^too many vertices \((\d+)\); at most (\d+)$", "trop de sommets ({1}) ; {2} au plus"),
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
