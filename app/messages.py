"""French for the messages people read: API errors are written in English where they are raised,
and put into French here when the caller reads French (the console, by default)."""

from __future__ import annotations

import re

# (English pattern, French template): the groups of the pattern fill the template's {1}, {2}…
_FRENCH: list[tuple[re.Pattern[str], str]] = [
    (re.compile(p), f) for p, f in [
        (r"^the e-mail or the password is wrong$", "l'e-mail ou le mot de passe est incorrect"),
        (r"^too many failed logins; wait 15 minutes, or ask your administrator to reset your password$",
         ("trop d'échecs de connexion : attendez 15 minutes, ou demandez à votre administrateur de "
         "réinitialiser votre mot de passe")),
        (r"^you are not logged in to the console$", "vous n'êtes pas connecté à la console"),
        (r"^log in to the console, or send your API token: (.*)$",
         "connectez-vous à la console, ou envoyez votre jeton d'API : {1}"),
        (r"^this request lacks the console's CSRF token \(X-CSRF-Token\); reload the page$",
         "cette requête n'a pas le jeton anti-CSRF de la console (X-CSRF-Token) : rechargez la page"),
        (r"^cross-site requests cannot change anything here$",
         "une requête venant d'un autre site ne peut rien modifier ici"),
        (r"^requests from (.*) cannot change anything here$",
         "les requêtes venant de {1} ne peuvent rien modifier ici"),
        (r"^the password must have at least (\d+) characters$",
         "le mot de passe doit avoir au moins {1} caractères"),
        (r"^this invitation link is unknown, was already used or has expired; ask for a new one$",
         "ce lien d'invitation est inconnu, déjà utilisé ou expiré : demandez-en un nouveau"),
        (r"^no station called (.*) among yours$", "aucune de vos stations ne s'appelle {1}"),
        (r"^no such alert among your stations' alerts$", "aucune alerte de ce nom parmi celles de vos stations"),
        (r"^no such saved zone$", "cette zone enregistrée n'existe pas"),
        (r"^your role on this station does not allow this; it needs one of: (.*)$",
         "votre rôle sur cette station ne le permet pas ; il faut l'un de ces rôles : {1}"),
        (r"^only a municipality can alert everyone present in an area; this station can alert its followers$",
         ("seule une commune peut alerter toutes les personnes présentes dans une zone ; cette station "
         "peut alerter ses abonnés")),
        (r"^only a municipality creates stations for the associations and schools of its commune$",
         "seule une commune crée les stations des associations et écoles de son territoire"),
        (r"^the zone goes (\d+) m beyond the commune of (.*) \((\d+) m are tolerated\); draw it inside the commune$",
         ("la zone dépasse de {1} m le territoire de la commune de {2} ({3} m sont tolérés) : "
         "dessinez-la à l'intérieur de la commune")),
        (r"^this station already has a zone called (.*); choose another name$",
         "cette station a déjà une zone appelée {1} : choisissez un autre nom"),
        (r"^a station called (.*) already exists; choose another name$",
         "une station appelée {1} existe déjà : choisissez un autre nom"),
        # CAP imports
        (r"^the CAP document is larger than (\d+) KiB$", "le document CAP dépasse {1} Kio"),
        (r"^the CAP document is empty; send the XML in the request body$",
         "le document CAP est vide : envoyez le XML dans le corps de la requête"),
        (r"^the CAP document is not well-formed XML \(line (\d+): (.*)\)$",
         "le document CAP n'est pas du XML bien formé (ligne {1} : {2})"),
        (r"^the CAP document declares a DOCTYPE; DOCTYPE and entity declarations are refused$",
         "le document CAP déclare un DOCTYPE : les DOCTYPE et les déclarations d'entités sont refusés"),
        (r"^this is not a CAP 1\.2 document: its root element is (.*), not (.*)$",
         "ce n'est pas un document CAP 1.2 : son élément racine est {1}, et non {2}"),
        (r"^this is not a CAP 1\.2 document: <alert> is in (.*), not (.*)$",
         "ce n'est pas un document CAP 1.2 : <alert> est dans l'espace de noms {1}, et non {2}"),
        (r"^the CAP document does not follow the CAP 1\.2 schema \(line (\d+): (.*)\)$",
         "le document CAP ne respecte pas le schéma CAP 1.2 (ligne {1} : {2})"),
        (r"^the CAP document has no (<\w+>)$", "le document CAP n'a pas de {1}"),
        (r"^(<\w+>) is not a CAP date and time such as (.*) \(got (.*)\)$",
         "{1} n'est pas une date et heure CAP comme {2} (reçu : {3})"),
        (r"^(<\w+>) must carry a time zone offset such as \+01:00 \(got (.*)\)$",
         "{1} doit indiquer un décalage horaire comme +01:00 (reçu : {2})"),
        (r"^(<\w+>) has a point that is not \"latitude,longitude\" \(got (.*)\)$",
         "{1} a un point qui n'est pas « latitude,longitude » (reçu : {2})"),
        (r"^(<\w+>) has a point out of range: latitude (.*), longitude (.*)$",
         "{1} a un point hors limites : latitude {2}, longitude {3}"),
        (r"^<circle> must be \"latitude,longitude radius_km\" \(got (.*)\)$",
         "<circle> doit être « latitude,longitude rayon_km » (reçu : {1})"),
        (r"^<circle> has a radius that is not a number of km \(got (.*)\)$",
         "<circle> a un rayon qui n'est pas un nombre de km (reçu : {1})"),
        (r"^<circle> has a radius out of range \((.*) km\)$", "<circle> a un rayon hors limites ({1} km)"),
        (r"^<polygon> must have at least 4 points, the last the same as the first \(got (\d+)\)$",
         "<polygon> doit avoir au moins 4 points, le dernier identique au premier (reçu : {1})"),
        (r"^send the CAP document as XML, with Content-Type: (.*) \(got (.*)\)$",
         "envoyez le document CAP en XML, avec Content-Type : {1} (reçu : {2})"),
        (r"^no such CAP import among your stations' imports$",
         "aucun import CAP de ce nom parmi ceux de vos stations"),
        (r"^this CAP import was rejected; it cannot be accepted any more$",
         "cet import CAP a été refusé : il ne peut plus être accepté"),
        (r"^this CAP import was already accepted and rebroadcast; cancel the alert from its page$",
         "cet import CAP a déjà été accepté et rediffusé : annulez l'alerte depuis sa page"),
        ((r"^this CAP message cancels an earlier alert; a Cancel cannot be rebroadcast: cancel the rebroadcast "
          r"alert from its page in the console$"),
         ("ce message CAP annule une alerte précédente ; une annulation ne peut pas être rediffusée : annulez "
          "l'alerte rediffusée depuis sa page dans la console")),
        (r"^only CAP Alert and Update messages can be rebroadcast \(this one is (.*)\)$",
         "seuls les messages CAP Alert et Update peuvent être rediffusés (celui-ci est {1})"),
        (r"^only CAP messages with status Actual, Exercise or Test can be rebroadcast \(this one is (.*)\)$",
         "seuls les messages CAP de statut Actual, Exercise ou Test peuvent être rediffusés (celui-ci est {1})"),
        (r"^this CAP message has no <info> with a language Tocsin can use$",
         "ce message CAP n'a aucun <info> dans une langue utilisable par Tocsin"),
        (r"^this CAP alert expired at (.*); an expired alert cannot be rebroadcast$",
         "cette alerte CAP a expiré le {1} : une alerte expirée ne peut pas être rediffusée"),
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
        (r"^email must be an e-mail address such as (.*) \(got (.*)\)$",
         "email doit être une adresse e-mail comme {1} (reçu : {2})"),
        (r"^key must be 2 to 63 lower-case letters, digits or dashes, such as (.*)$",
         "la clé doit faire 2 à 63 caractères : minuscules, chiffres ou tirets, comme {1}"),
        (r"^texts needs at least one language among: (.*)$",
         "les textes doivent être donnés dans au moins une de ces langues : {1}"),
        (r"^this station has no edited or own template called (.*)$",
         "cette station n'a pas de modèle modifié ou propre appelé {1}"),
        (r"^(\S+) must be true or false$", "{1} doit être true ou false"),
        (r"^slug must be 2 to 63 lower-case letters, digits or dashes, such as (.*)$",
         "l'identifiant doit faire 2 à 63 caractères : minuscules, chiffres ou tirets, comme {1}"),
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
