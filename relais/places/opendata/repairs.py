"""Repairs the importer makes to the rows of the open lists, each reported on its line and counted.

- HTML entities left in the texts by the sources ("Clic' &amp; Ressources") are decoded;
- the hours of public-service structures, which close on public holidays, get "PH off" when they say
  nothing of public holidays;
- the places of the 2022 list of lieux de médiation numérique, which come without a typology, get the
  one their source implies (see `mednum.v0_typology`).

A repair's message is a `Repair`: a str that knows its kind, so that the report counts the places
repaired by kind (`ImportReport.repairs`) while the message stays one of the row's warnings.
"""

import html
import re

from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core.text import fold

from .. import hours
from ..models import Place

HTML_ENTITIES = "html_entities"
PUBLIC_HOLIDAYS = "public_holidays"
TYPOLOGY = "typology"
KINDS = (HTML_ENTITIES, PUBLIC_HOLIDAYS, TYPOLOGY)

# The texts decoded, in the order the messages name them (not the identifiers, nor web addresses, where
# "&x;" may be meant).
UNESCAPED_FIELDS = [
    "name",
    "address",
    "address_complement",
    "commune_name",
    "summary",
    "description",
    "access_conditions",
    "opening_hours_notes",
    "accessibility_notes",
    "other_labels",
    "parent_organisation",
]
ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
MAX_ROUNDS = 5  # "&amp;amp;eacute;" takes three

# Public-service structures, closed on public holidays: what identifies them.
PUBLIC_SERVICE = {
    # Typology codes (vocabularies.py): France Services, mairies, CCAS/CIAS, La Poste, France Travail,
    # CAF, CPAM, MSA, centres des finances publiques.
    "typologies": {
        "FRANCE_SERVICES",
        "RFS",
        "MSAP",
        "MUNI",
        "CCAS",
        "CIAS",
        "LA_POSTE",
        "FT",
        "CAF",
        "CPAM",
        "MSA",
        "CFP",
    },
    "labels": {"FRANCE_SERVICES"},
    # Words of the name, folded (lower case, no accents, punctuation as spaces), matched as whole words.
    "name_keywords": [
        "france services",
        "france service",
        "maison de services au public",
        "msap",
        "mairie",
        "hotel de ville",
        "ccas",
        "cias",
        "centre communal d action sociale",
        "centre intercommunal d action sociale",
        "agence postale",
        "la poste",
        "bureau de poste",
        "pole emploi",
        "france travail",
        "caf",
        "caisse d allocations familiales",
        "cpam",
        "caisse primaire d assurance maladie",
        "msa",
        "mutualite sociale agricole",
        "impots",
        "centre des finances publiques",
        "service des impots",
    ],
}
PUBLIC_HOLIDAYS_OFF = "PH off"
_COMMENT = re.compile(r'"[^"]*"')
_PH = re.compile(r"\bPH\b")


class Repair(str):
    """A warning that says what was repaired; `kind` is one of KINDS."""

    def __new__(cls, kind, message):
        repair = super().__new__(cls, message)
        repair.kind = kind
        return repair


def repaired_kinds(messages):
    return {m.kind for m in messages if isinstance(m, Repair)}


def report_lines(counts):
    """The French lines of an import report that say how many places each repair changed."""
    lines = []
    for kind in KINDS:
        count = counts.get(kind, 0)
        if not count:
            continue
        if kind == HTML_ENTITIES:
            text = ngettext(
                "entités HTML décodées : %(count)s lieu",
                "entités HTML décodées : %(count)s lieux",
                count,
            )
        elif kind == PUBLIC_HOLIDAYS:
            text = ngettext(
                "PH off ajouté (structure de service public fermée les jours fériés) : %(count)s lieu",
                "PH off ajouté (structure de service public fermée les jours fériés) : %(count)s lieux",
                count,
            )
        else:
            text = ngettext(
                "typologie déduite de la source : %(count)s lieu",
                "typologie déduite de la source : %(count)s lieux",
                count,
            )
        lines.append(text % {"count": count})
    return lines


# --- HTML entities ------------------------------------------------------------------------------


def unescape(text):
    """`text` with its HTML entities decoded, again until none is left ("&amp;eacute;" → "é")."""
    for _round in range(MAX_ROUNDS):
        decoded = ENTITY.sub(lambda match: html.unescape(match.group()), text)
        if decoded == text:
            break
        text = decoded
    return text


def unescape_texts(data, warnings):
    """Decode the HTML entities of the texts of `data`; a Repair in `warnings` names the fields."""
    fields = []
    for name in UNESCAPED_FIELDS:
        value = data.get(name)
        if isinstance(value, str) and "&" in value and ";" in value:
            decoded = unescape(value)
            if decoded != value:
                data[name] = decoded
                fields.append(name)
    if fields:
        warnings.append(
            Repair(
                HTML_ENTITIES,
                _("entités HTML décodées : %(fields)s.") % {"fields": ", ".join(_label(f) for f in fields)},
            )
        )
    return bool(fields)


def _label(name):
    if name == "commune_name":
        name = "commune"
    try:
        return str(Place._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:  # a field of the import data only: its own name
        return name


# --- Public holidays ----------------------------------------------------------------------------


def is_public_service(data):
    if PUBLIC_SERVICE["typologies"] & set(data.get("typologies") or []):
        return True
    if PUBLIC_SERVICE["labels"] & set(data.get("labels") or []):
        return True
    name = f" {fold(data.get('name') or '')} "
    return any(f" {keyword} " in name for keyword in PUBLIC_SERVICE["name_keywords"])


def has_public_holiday_rule(expression):
    """True when the hours say something of public holidays ("PH off", "Mo-Fr,PH 10:00-12:00"…), False
    when they do not, None when they cannot be read."""
    parsed = hours.parsed_hours(expression)
    if parsed is None:
        return None
    return bool(_PH.search(_COMMENT.sub("", str(parsed.normalize()))))


def close_on_public_holidays(data, warnings):
    """Append "PH off" to the hours of a public-service structure that say nothing of public holidays."""
    expression = (data.get("opening_hours") or "").strip()
    if not expression or not is_public_service(data) or has_public_holiday_rule(expression) is not False:
        return False
    completed = f"{expression}; {PUBLIC_HOLIDAYS_OFF}"
    if hours.parsed_hours(completed) is None:
        return False
    data["opening_hours"] = completed
    warnings.append(
        Repair(PUBLIC_HOLIDAYS, _("PH off ajouté : structure de service public fermée les jours fériés."))
    )
    return True


def repair(data, warnings):
    """The repairs every open list gets (the 2022 list's typology is `mednum.v0_typology`'s)."""
    unescape_texts(data, warnings)
    close_on_public_holidays(data, warnings)
