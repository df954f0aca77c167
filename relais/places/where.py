"""The "where" of a directory search: what a citizen typed, turned into a point or an area.

A commune (« Aurillac », « 15000 », « Saint-Étienne (42000) »), a commune with its département or postal
code (« Murat Cantal », « Murat 15 », « Murat, Cantal », « Murat (15) », « Murat 15300 »), a municipal
arrondissement of Paris, Lyon or Marseille (« 75011 », « 75111 », « Paris 11e », « Marseille 13 »), a
département or a région — or the communes to choose from, with a French explanation.

A commune or an arrondissement is a point (its centre) with a radius; places keep their commune (an
arrondissement only moves the centre of the search). Plain functions: `directory.run` calls them.
"""

import re
from dataclasses import dataclass, field

from django.core.cache import cache
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from relais.core.text import normalize_name
from relais.territory.models import Commune, Department, Region
from relais.territory.services import memory_commune_lookup

# Reference data change about never (loads): its derived tables are cached a minute.
REFERENCE_CACHE_SECONDS = 60
CHOICES_LIMIT = 8

POSTAL_SUFFIX = re.compile(r"^(.*\S)\s*\((\d{5})\)$")
# On a normalised text: « paris 11e arrondissement », « marseille 13 », « lyon 1er », « paris 16eme ».
ARRONDISSEMENT = re.compile(
    r"^(?P<commune>\D+?) (?P<number>\d{1,2}) ?(?:er|re|ere|e|eme|ieme)?"
    r"(?: (?:arrondissement|arrondt|arrdt|arrt|arr|ardt))?$"
)
DEPARTMENT_CODE = re.compile(r"^(?:\d{2}|2a|2b|97[1-6])$")
ARTICLES = ("la ", "le ", "les ", "l ")


@dataclass
class Where:
    """The resolved "where": a point with a radius (a commune's or an arrondissement's centre, the user's
    position) or an area (département, région)."""

    kind: str  # "position", "commune", "arrondissement", "department", "region"
    label: str
    code: str = ""
    lat: float | None = None
    lon: float | None = None

    @property
    def is_point(self):
        return self.lat is not None


@dataclass
class WhereAnswer:
    where: Where | None = None
    choices: list = field(default_factory=list)  # communes to choose from (shared postal code, homonyms…)
    message: str = ""  # why the user is asked to choose, or what is wrong


def _commune_where(commune):
    label = f"{commune.name} ({commune.department_id})"
    if commune.latitude is None:
        return Where("commune", label, commune.code_insee)
    return Where("commune", label, commune.code_insee, commune.latitude, commune.longitude)


def _arrondissement_where(arrondissement):
    return Where(
        "arrondissement",
        arrondissement.label,
        arrondissement.code_insee,
        arrondissement.latitude,
        arrondissement.longitude,
    )


def _did_you_mean(needle, limit=6):
    """Communes whose name is close to `needle` (typing errors), the most populated first among equals."""
    lookup = memory_commune_lookup()
    matches = process.extract(needle, lookup.names(), scorer=fuzz.ratio, limit=limit * 3, score_cutoff=82)
    communes = []
    for name, score, _position in matches:
        for commune in lookup.by_name(name):
            communes.append((-round(score), -commune.population, commune.code_insee, commune))
    communes.sort(key=lambda row: row[:3])
    return [row[3] for row in communes[:limit]]


def area_names():
    """{normalised name: (kind, name, code)} of the départements and régions (reference data, cached)."""

    def load():
        areas = {}
        for model, kind in ((Region, "region"), (Department, "department")):  # a département wins a tie
            for code, name in model.objects.values_list("code", "name"):
                areas[normalize_name(name)] = (kind, name, code)
        return areas

    return cache.get_or_set("directory:areas", load, REFERENCE_CACHE_SECONDS)


def department_qualifiers():
    """{normalised name or code: département code}: « cantal », « 15 », « reunion » and « la reunion »."""

    def load():
        qualifiers = {}
        for code, name in Department.objects.values_list("code", "name"):
            folded = normalize_name(name)
            qualifiers[folded] = code
            qualifiers[code.lower()] = code
            for article in ARTICLES:
                if folded.startswith(article):
                    qualifiers[folded[len(article) :]] = code
        return qualifiers

    return cache.get_or_set("directory:department-qualifiers", load, REFERENCE_CACHE_SECONDS)


def _arrondissement_of_postal_code(lookup, postal_code, candidates):
    """The arrondissement a postal code serves, when it serves no other commune (75011 → Paris 11e)."""
    arrondissement = lookup.arrondissement_of_postal_code(postal_code)
    if arrondissement is not None and all(c.code_insee == arrondissement.commune_id for c in candidates):
        return arrondissement
    return None


def _arrondissement_by_name(lookup, needle):
    """« paris 11e arrondissement », « marseille 13 », « lyon 3e » → that arrondissement, or None."""
    match = ARRONDISSEMENT.match(needle)
    if match is None:
        return None
    return lookup.arrondissement_by_number(match.group("commune"), int(match.group("number")))


def _split_qualifier(needle):
    """(name, "department" or "postal_code", code) when the text ends with a département (name or number)
    or a postal code after a commune name: « murat cantal », « murat 15 », « murat 15300 »; else None."""
    words = needle.split()
    if len(words) < 2:
        return None
    last = words[-1]
    if len(last) == 5 and last.isdigit():
        return " ".join(words[:-1]), "postal_code", last
    qualifiers = department_qualifiers()
    if DEPARTMENT_CODE.match(last):
        code = qualifiers.get(last)
        return (" ".join(words[:-1]), "department", code) if code else None
    for start in range(1, len(words)):  # the longest département name first (« haute loire »)
        code = qualifiers.get(" ".join(words[start:]))
        if code is not None:
            return " ".join(words[:start]), "department", code
    return None


def _qualified(lookup, needle, text, *, loose=False):
    """A commune name narrowed by its département or postal code; None when nothing matches, so that
    the text is read as a whole. First (`loose=False`) only the communes of exactly that name; then,
    once the text as a whole matched nothing, those whose name starts with or contains it."""
    split = _split_qualifier(needle)
    if split is None:
        return None
    name, kind, code = split
    if kind == "postal_code":
        candidates = lookup.by_postal_code(code)
        arrondissement = _arrondissement_of_postal_code(lookup, code, candidates)
        if arrondissement is not None and arrondissement.commune.search_name == name:
            return WhereAnswer(_arrondissement_where(arrondissement))
        if loose:
            matching = [c for c in candidates if name in c.search_name]
        else:
            matching = [c for c in candidates if c.search_name == name]
    elif loose:
        matching = list(
            Commune.objects.search(name)
            .filter(department_id=code)
            .select_related("department")[:CHOICES_LIMIT]
        )
    else:
        matching = [c for c in lookup.by_name(name) if c.department_id == code]
    if len(matching) == 1:
        return WhereAnswer(_commune_where(matching[0]))
    if matching:
        if not loose:
            matching.sort(key=lambda c: -c.population)
        return WhereAnswer(
            choices=matching[:CHOICES_LIMIT],
            message=_("Plusieurs communes correspondent à « %(name)s » : laquelle ?") % {"name": text},
        )
    return None


def _picked(lookup, code, text):
    """The commune (or arrondissement) picked from a list, while the field still shows its name."""
    arrondissement = lookup.arrondissement(code)
    if arrondissement is not None:
        if not text or normalize_name(text) in (
            normalize_name(arrondissement.name),
            arrondissement.commune.search_name,
        ):
            return WhereAnswer(_arrondissement_where(arrondissement))
        return None
    commune = lookup.by_code(code)
    if commune is None:
        return WhereAnswer(message=_("Code de commune inconnu : « %(code)s ».") % {"code": code})
    if not text or normalize_name(text) == commune.search_name:
        return WhereAnswer(_commune_where(commune))
    return None


def _by_code(lookup, text):
    """A 5-digit text: a postal code (of one commune, of an arrondissement, or shared), else an INSEE code."""
    candidates = lookup.by_postal_code(text)
    arrondissement = _arrondissement_of_postal_code(lookup, text, candidates)
    if arrondissement is not None:
        return WhereAnswer(_arrondissement_where(arrondissement))
    if len(candidates) == 1:
        return WhereAnswer(_commune_where(candidates[0]))
    if candidates:
        return WhereAnswer(
            choices=candidates,
            message=_("Le code postal %(code)s est partagé par %(n)d communes : laquelle ?")
            % {"code": text, "n": len(candidates)},
        )
    arrondissement = lookup.arrondissement(text)
    if arrondissement is not None:
        return WhereAnswer(_arrondissement_where(arrondissement))
    commune = lookup.by_code(text)
    if commune is not None:
        return WhereAnswer(_commune_where(commune))
    return WhereAnswer(
        message=_("Code postal inconnu : « %(code)s ». Vérifiez les 5 chiffres ou indiquez la commune.")
        % {"code": text}
    )


def resolve_where(params):
    """The Where of a search, or the communes to choose from with a French explanation.

    `params` has `where` (the text typed), `commune` (a code picked from the suggestions), `lat`, `lon`.
    """
    # What the user typed last wins: a position or a commune picked from a list holds only while the
    # "where" field is empty or still shows that commune's name.
    text = params.where
    if params.lat is not None and not text:
        return WhereAnswer(Where("position", _("autour de votre position"), lat=params.lat, lon=params.lon))
    lookup = memory_commune_lookup()
    if params.commune:
        picked = _picked(lookup, params.commune, text)
        if picked is not None:
            return picked
    if not text:
        return WhereAnswer()
    with_postal = POSTAL_SUFFIX.match(text)
    if with_postal:  # "Saint-Étienne (42000)", as the suggestions write it
        name, postal_code = with_postal.group(1), with_postal.group(2)
        candidates = [c for c in lookup.by_postal_code(postal_code) if c.search_name == normalize_name(name)]
        if len(candidates) == 1:
            return WhereAnswer(_commune_where(candidates[0]))
        text = name
    if text.isdigit() and len(text) == 5:
        return _by_code(lookup, text)
    needle = normalize_name(text)
    if not needle:
        return WhereAnswer(message=_("Indiquez une commune, un code postal, un département ou une région."))
    exact = lookup.by_name(needle)
    if len(exact) == 1:
        return WhereAnswer(_commune_where(exact[0]))
    if exact:
        exact.sort(key=lambda c: -c.population)
        return WhereAnswer(
            choices=exact,
            message=_("Plusieurs communes s'appellent « %(name)s » : laquelle ?") % {"name": text},
        )
    area = area_names().get(needle)
    if area is not None:
        return WhereAnswer(Where(*area))
    arrondissement = _arrondissement_by_name(lookup, needle)
    if arrondissement is not None:
        return WhereAnswer(_arrondissement_where(arrondissement))
    qualified = _qualified(lookup, needle, text)
    if qualified is not None:
        return qualified
    starting = list(Commune.objects.search(text).select_related("department")[:CHOICES_LIMIT])
    if len(starting) == 1:
        return WhereAnswer(_commune_where(starting[0]))
    if starting:
        return WhereAnswer(
            choices=starting,
            message=_("Plusieurs communes correspondent à « %(name)s » : laquelle ?") % {"name": text},
        )
    qualified = _qualified(lookup, needle, text, loose=True)
    if qualified is not None:
        return qualified
    close = _did_you_mean(needle)
    if close:
        return WhereAnswer(
            choices=close,
            message=_("Aucune commune ne s'appelle « %(name)s ». Vouliez-vous dire :") % {"name": text},
        )
    return WhereAnswer(
        message=_("Commune inconnue : « %(name)s ». Vérifiez l'orthographe ou indiquez le code postal.")
        % {"name": text}
    )
