"""Where recommended sites may go: the candidate communes a person allows, as a mask for the engine.

By default every analysed commune is a candidate, the smallest hamlets included. A person may restrict them:
a minimum population of the commune, a list of communes (INSEE codes or names), and leaving out the communes
already within the radius of a place. `candidate_mask` turns those choices into one boolean per analysed
commune (engine.recommend_sites(candidate_mask=...)); every item of the list that names no analysed commune
is reported in one French message.
"""

import re

import numpy as np
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core.errors import DomainError
from relais.core.text import normalize_name
from relais.territory.models import Commune, is_commune_code

# The largest commune (Paris) has about 2.1 million inhabitants: a higher minimum would leave no candidate.
MAX_CANDIDATE_MIN_POPULATION = 3_000_000
# A list of candidate communes: at most this many items (a département has at most ~900 communes), each at
# most this long (the longest commune name has 45 characters).
MAX_CANDIDATE_COMMUNES = 2000
MAX_CANDIDATE_ITEM_CHARS = 100
# The list as typed (the page's text area, the API's parameter): at most this many characters.
MAX_CANDIDATE_TEXT_CHARS = 40_000
MAX_REPORTED_ITEMS = 10
_SEPARATORS = re.compile(r"[\n\r,;]+")
# "Aurillac (15014)", as the page's tables name a commune.
_NAME_WITH_CODE = re.compile(r"\((\w{5})\)\s*$")


def split_communes(text):
    """The items of a list of communes typed one per line or separated by commas (or semicolons): a tuple of
    stripped, non-empty items, in order, repeated items kept once. A DomainError when the text is too long."""
    if len(text or "") > MAX_CANDIDATE_TEXT_CHARS:
        raise DomainError(
            _("communes candidates : la liste dépasse %(max)s caractères.")
            % {"max": MAX_CANDIDATE_TEXT_CHARS},
            field="candidate_communes",
        )
    items = (item.strip() for item in _SEPARATORS.split(text or ""))
    return tuple(dict.fromkeys(item for item in items if item))


def check_candidate_params(params):
    """(ok, field, message) checks of the candidate restrictions, for CoverageParams.validate."""
    minimum = params.candidate_min_population
    items = params.candidate_communes
    return (
        (
            isinstance(minimum, int)
            and not isinstance(minimum, bool)
            and 0 <= minimum <= MAX_CANDIDATE_MIN_POPULATION,
            "candidate_min_population",
            _(
                "population minimale des communes candidates : un nombre entier entre 0 et %(max)s est "
                "attendu."
            )
            % {"max": MAX_CANDIDATE_MIN_POPULATION},
        ),
        (
            len(items) <= MAX_CANDIDATE_COMMUNES,
            "candidate_communes",
            _("communes candidates : %(max)s communes au plus (reçu : %(count)s).")
            % {"max": MAX_CANDIDATE_COMMUNES, "count": len(items)},
        ),
        (
            all(isinstance(item, str) and 0 < len(item) <= MAX_CANDIDATE_ITEM_CHARS for item in items),
            "candidate_communes",
            _(
                "communes candidates : chaque commune est un code INSEE ou un nom de %(max)s caractères "
                "au plus."
            )
            % {"max": MAX_CANDIDATE_ITEM_CHARS},
        ),
    )


def restricted(params):
    """Whether the person restricted the candidate communes at all."""
    return bool(
        params.candidate_min_population or params.candidate_communes or params.candidate_exclude_covered
    )


def candidate_mask(demand, params, nearest_km):
    """One boolean per analysed commune: may a recommended site go there? None when nothing is restricted.
    `nearest_km` is each commune's distance to the nearest place of the analysis."""
    if not restricted(params):
        return None
    mask = np.ones(len(demand), dtype=bool)
    if params.candidate_min_population:
        mask &= demand.population >= params.candidate_min_population
    if params.candidate_communes:
        listed = np.zeros(len(demand), dtype=bool)
        listed[resolve_communes(params.candidate_communes, demand)] = True
        mask &= listed
    if params.candidate_exclude_covered:
        mask &= np.asarray(nearest_km, dtype=float) > params.radius_km
    return mask


def resolve_communes(items, demand):
    """Indices into the demand of the communes the items name (INSEE code, name, or "Name (code)"); a
    DomainError on the field `candidate_communes` lists every item that names no analysed commune."""
    index_of_code = {code: i for i, code in enumerate(demand.codes)}
    by_name = {}
    for i, name in enumerate(demand.names):
        by_name.setdefault(normalize_name(name), []).append(i)
    found, problems = [], []
    for item in items:
        index, problem = _resolve(item, index_of_code, by_name, demand)
        if problem:
            problems.append(problem)
        else:
            found.append(index)
    if problems:
        shown = problems[:MAX_REPORTED_ITEMS]
        message = ngettext(
            "communes candidates : %(count)s commune non reconnue : %(items)s.",
            "communes candidates : %(count)s communes non reconnues : %(items)s.",
            len(problems),
        ) % {"count": len(problems), "items": " ; ".join(shown)}
        if len(problems) > len(shown):
            more = len(problems) - len(shown)
            message += " " + ngettext("… et %(count)s autre.", "… et %(count)s autres.", more) % {
                "count": more
            }
        raise DomainError(message, field="candidate_communes")
    return found


def _resolve(item, index_of_code, by_name, demand):
    """(index, None) for an item naming one analysed commune, else (None, what is wrong, in French)."""
    named = _NAME_WITH_CODE.search(item)
    code = named.group(1).upper() if named else item.upper()
    if is_commune_code(code):
        if code in index_of_code:
            return index_of_code[code], None
        if code in demand.excluded:
            return None, _("%(code)s n'a pas de coordonnées : aucun site ne peut y être recommandé") % {
                "code": code
            }
        commune = Commune.objects.filter(code_insee=code).first()
        if commune is None:
            return None, _("code INSEE %(code)s inconnu") % {"code": code}
        return None, _("%(name)s (%(code)s) est hors du territoire analysé") % {
            "name": commune.name,
            "code": code,
        }
    matches = by_name.get(normalize_name(item), [])
    if len(matches) == 1:
        return matches[0], None
    if matches:
        codes = ", ".join(demand.codes[i] for i in matches)
        return None, _("plusieurs communes s'appellent « %(name)s » : donnez son code INSEE (%(codes)s)") % {
            "name": item,
            "codes": codes,
        }
    return None, _("aucune commune « %(name)s » dans le territoire analysé") % {"name": item}
