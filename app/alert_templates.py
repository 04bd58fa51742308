"""The built-in library of municipal alert templates, in French and English, with blanks to fill.

Blanks are written in square brackets, in the template's language: ``[rue]``, ``[date]``,
``[street]``. A blank's label starts with a letter and holds letters, digits, spaces, apostrophes
and dashes (40 characters at most); any other bracketed text (``[1]``, ``[ ]``) is plain text.
An alert must not be sent while its title or body still contains a blank: see unfilled_blanks.

Each station may edit a built-in template or add its own (app/services/templates.py); this module
holds only the defaults and knows nothing of the database, so that the alert service can import
it freely.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.vocab import BODY_MAX, TITLE_MAX, Category, Severity  # noqa: F401  (the limits re-exported)

LANGUAGES = ("fr", "en")
# the CAP 1.2 vocabularies (app/vocab.py), as the alert service accepts them (a unit test checks
# they agree); the categories in CAP 1.2's order, which refusals list
SEVERITIES = tuple(Severity)
CATEGORIES = (Category.GEO, Category.MET, Category.SAFETY, Category.SECURITY, Category.RESCUE, Category.FIRE,
              Category.HEALTH, Category.ENV, Category.TRANSPORT, Category.INFRA, Category.CBRNE, Category.OTHER)
NAME_MAX = 80

_BLANK = re.compile(r"\[([^\W\d_][\w '’-]{0,39})\]")


def unfilled_blanks(text: str) -> list[str]:
    """The blanks still in a text, as written (``[rue]``), each once, in order of appearance."""
    if "[" not in text:
        return []
    seen: dict[str, None] = {}
    for match in _BLANK.finditer(text):
        seen.setdefault(match.group(0), None)
    return list(seen)


@dataclass(frozen=True)
class TemplateText:
    name: str
    title: str
    body: str

    def blanks(self) -> list[str]:
        return unfilled_blanks(f"{self.title}\n{self.body}")


@dataclass(frozen=True)
class Template:
    key: str
    category: str
    severity: str
    urgent: bool
    texts: dict[str, TemplateText]


def _t(name: str, title: str, body: str) -> TemplateText:
    return TemplateText(name, title, body)


BUILTIN: tuple[Template, ...] = (
    Template("boil-water", Category.HEALTH, Severity.SEVERE, True, {
        "fr": _t("Eau à faire bouillir",
                 "Eau du robinet : à faire bouillir avant de la boire",
                 "Suite à [cause], l'eau du robinet n'est plus potable à [quartier] depuis le [date]. "
                 "Pour boire, cuisiner ou vous brosser les dents, faites-la bouillir 1 minute ou utilisez "
                 "de l'eau en bouteille. Vous pouvez l'utiliser sans précaution pour la douche et le "
                 "ménage. Distribution de bouteilles : [lieu de distribution]. Nous vous préviendrons dès "
                 "que l'eau sera de nouveau potable."),
        "en": _t("Boil-water notice",
                 "Tap water: boil it before drinking",
                 "Because of [cause], tap water in [area] has not been safe to drink since [date]. "
                 "To drink, cook or brush your teeth, boil it for 1 minute or use bottled water. You can "
                 "use it as usual for showering and cleaning. Bottled water is handed out at "
                 "[distribution point]. We will tell you as soon as the water is safe again."),
    }),
    Template("road-closure", Category.TRANSPORT, Severity.MINOR, False, {
        "fr": _t("Route fermée",
                 "Circulation interdite : [rue]",
                 "En raison de [motif], la circulation est interdite [rue] du [date de début] au "
                 "[date de fin]. Déviation par [itinéraire de déviation]. Merci de votre compréhension."),
        "en": _t("Road closure",
                 "Road closed: [street]",
                 "Because of [reason], [street] is closed to traffic from [start date] to [end date]. "
                 "Please follow the diversion via [diversion route]. Thank you for your understanding."),
    }),
    Template("flood-warning", Category.MET, Severity.SEVERE, True, {
        "fr": _t("Risque d'inondation",
                 "Risque d'inondation : [secteur]",
                 "La montée des eaux de [cours d'eau] menace [secteur] à partir de [heure]. Mettez vos "
                 "biens à l'abri en hauteur, coupez l'électricité et le gaz s'ils sont menacés, et ne "
                 "descendez pas dans les sous-sols et parkings. Ne prenez pas votre voiture et ne "
                 "traversez jamais une zone inondée. En cas de danger immédiat, appelez le 112."),
        "en": _t("Flood warning",
                 "Flood risk: [area]",
                 "Rising water in [river] threatens [area] from [time]. Move your belongings upstairs, "
                 "turn off electricity and gas if they are at risk, and keep out of basements and "
                 "underground car parks. Do not drive and never cross a flooded road. In immediate "
                 "danger, call 112."),
    }),
    Template("heatwave", Category.MET, Severity.MODERATE, False, {
        "fr": _t("Canicule",
                 "Canicule : fortes chaleurs jusqu'au [date]",
                 "De fortes chaleurs sont attendues jusqu'au [date]. Buvez de l'eau régulièrement, "
                 "restez au frais et fermez volets et fenêtres le jour. Prenez des nouvelles de vos "
                 "proches âgés ou isolés. Salle rafraîchie ouverte : [lieu], [horaires]. Personnes "
                 "fragiles : inscrivez-vous au registre de la mairie au [téléphone]."),
        "en": _t("Heatwave",
                 "Heatwave: very hot weather until [date]",
                 "Very hot weather is expected until [date]. Drink water often, stay somewhere cool and "
                 "keep shutters and windows closed during the day. Check on elderly or isolated "
                 "relatives and neighbours. A cooled room is open at [place], [opening hours]. "
                 "Vulnerable people can register with the town hall on [phone number]."),
    }),
    Template("school-closure", Category.OTHER, Severity.MINOR, False, {
        "fr": _t("Fermeture d'école",
                 "École [nom de l'école] fermée le [date]",
                 "En raison de [motif], l'école [nom de l'école] sera fermée le [date]. Un accueil est "
                 "assuré pour les enfants dont les parents ne peuvent pas les garder : [lieu d'accueil]. "
                 "Renseignements : [téléphone]."),
        "en": _t("School closure",
                 "[school name] closed on [date]",
                 "Because of [reason], [school name] will be closed on [date]. Children whose parents "
                 "cannot look after them will be cared for at [care location]. Information: "
                 "[phone number]."),
    }),
    Template("canteen-change", Category.OTHER, Severity.MINOR, False, {
        "fr": _t("Cantine : changement",
                 "Cantine : changement le [date]",
                 "En raison de [motif], le service de restauration scolaire est modifié le [date] : "
                 "[changement]. Pensez à prévoir [à prévoir]. Merci de votre compréhension."),
        "en": _t("Canteen change",
                 "School canteen: change on [date]",
                 "Because of [reason], school meals change on [date]: [change]. Please remember to "
                 "provide [what to bring]. Thank you for your understanding."),
    }),
    Template("event-cancelled", Category.OTHER, Severity.MINOR, False, {
        "fr": _t("Événement annulé",
                 "Annulation : [événement] du [date]",
                 "En raison de [motif], [événement] prévu le [date] à [lieu] est annulé. [report ou "
                 "remboursement]. Nous vous prions de nous excuser pour la gêne occasionnée."),
        "en": _t("Event cancelled",
                 "Cancelled: [event] on [date]",
                 "Because of [reason], [event] planned on [date] at [place] is cancelled. [postponement "
                 "or refund]. We apologise for the inconvenience."),
    }),
    Template("power-cut", Category.INFRA, Severity.MODERATE, False, {
        "fr": _t("Coupure d'électricité",
                 "Coupure d'électricité : [secteur]",
                 "Une coupure d'électricité touche [secteur] depuis [heure]. Retour prévu : [heure de "
                 "rétablissement]. Débranchez vos appareils sensibles et gardez le réfrigérateur fermé. "
                 "Personnes sous assistance respiratoire ou médicale à domicile : appelez le "
                 "[téléphone]. N'utilisez pas de groupe électrogène ou de chauffage d'appoint à "
                 "l'intérieur."),
        "en": _t("Power cut",
                 "Power cut: [area]",
                 "A power cut has affected [area] since [time]. Power should be back by [restoration "
                 "time]. Unplug sensitive appliances and keep the fridge closed. If you depend on "
                 "medical equipment at home, call [phone number]. Never run a generator or a portable "
                 "heater indoors."),
    }),
    Template("shelter-in-place", Category.SAFETY, Severity.EXTREME, True, {
        "fr": _t("Mise à l'abri",
                 "Mettez-vous à l'abri immédiatement : [secteur]",
                 "En raison de [danger], mettez-vous immédiatement à l'abri dans le bâtiment le plus "
                 "proche. Fermez portes et fenêtres, arrêtez ventilation et climatisation. N'allez pas "
                 "chercher vos enfants à l'école : ils y sont mis à l'abri. Ne téléphonez qu'en cas "
                 "d'urgence, pour laisser les lignes aux secours. Écoutez [radio] et attendez la fin "
                 "de l'alerte."),
        "en": _t("Shelter in place",
                 "Take shelter now: [area]",
                 "Because of [danger], take shelter at once in the nearest building. Close doors and "
                 "windows, turn off ventilation and air conditioning. Do not fetch your children from "
                 "school: they are sheltered there. Only phone in an emergency, to keep the lines free "
                 "for the rescue services. Listen to [radio station] and wait for the all-clear."),
    }),
    Template("evacuation", Category.SAFETY, Severity.EXTREME, True, {
        "fr": _t("Évacuation",
                 "Évacuation immédiate : [secteur]",
                 "En raison de [danger], quittez immédiatement [secteur]. Emportez papiers, "
                 "médicaments, téléphone et chargeur, des vêtements chauds. Fermez le gaz, "
                 "l'électricité et votre logement. Rejoignez [point de rassemblement] par [itinéraire]. "
                 "Pensez à vos voisins qui ont besoin d'aide. Accueil et hébergement : [lieu "
                 "d'hébergement]."),
        "en": _t("Evacuation",
                 "Evacuate now: [area]",
                 "Because of [danger], leave [area] at once. Take your ID papers, medicines, phone and "
                 "charger, and warm clothes. Turn off gas and electricity and lock your home. Go to "
                 "[assembly point] via [route]. Help neighbours who need it. Reception and shelter: "
                 "[shelter location]."),
    }),
)

BUILTIN_BY_KEY: dict[str, Template] = {t.key: t for t in BUILTIN}
