"""Finding the same place listed several times: the computational core (no Django import).

The open lists overlap (the 2022 médiation numérique list repeats most of the 2024 France Services list).
`find_duplicates(entries)` compares only the pairs worth comparing (blocking: places within RADIUS_M of
each other, places of the same commune with the same normalised name or the same SIRET), scores each pair
from several signals and sorts them into sure matches (merged without review), unsure pairs (reviewed by a
network admin) and the rest (dropped). Each score comes with its reasons: `Reason(code, points, detail)`,
the codes being turned into sentences by the Django layer (dedup.py), which translates them.

Signals and their points (a sum, not a probability; the thresholds were set on the real lists):
identifiers (SIRET, RNA), distance, name similarity once the words every such place shares are removed
(« espace », « France Services », « de »… and the commune's own name), address similarity, the same phone
or e-mail, the France Services label on both, a shared typology or label, the same commune, the same list.
An itinerant place (a bus) and a fixed one are never a sure match: of one list, they are not a pair at all.
"""

import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
from rapidfuzz import fuzz

from relais.territory.geo import SphereIndex, haversine_km

SURE = 65  # at or above: the same place, merged without review
UNSURE = 45  # at or above (and below SURE): shown to a network admin
RADIUS_M = 300  # spatial blocking: pairs of places at most this far apart are compared

# Words every name of such places may contain: they tell nothing about which place it is.
GENERIC_NAME_WORDS = frozenset(
    {"a", "au", "aux", "d", "de", "des", "du", "en", "et", "l", "la", "le", "les", "sur", "sous", "un", "une"}
    | {"espace", "espaces", "france", "service", "services", "fs", "maison", "maisons", "msap", "mfs", "amp"}
)
STREET_WORDS = {
    "av": "avenue",
    "ave": "avenue",
    "bd": "boulevard",
    "bld": "boulevard",
    "blvd": "boulevard",
    "boul": "boulevard",
    "r": "rue",
    "pl": "place",
    "imp": "impasse",
    "ch": "chemin",
    "chem": "chemin",
    "rte": "route",
    "all": "allee",
    "sq": "square",
    "fg": "faubourg",
    "faub": "faubourg",
    "st": "saint",
    "ste": "sainte",
    "crs": "cours",
    "res": "residence",
    "qu": "quai",
    "pte": "porte",
    "prom": "promenade",
}
ADDRESS_STOP_WORDS = frozenset(
    {"a", "au", "aux", "d", "de", "des", "du", "l", "la", "le", "les", "et", "bis", "ter", "quater", "cedex"}
)
FRANCE_SERVICES = "FRANCE_SERVICES"

_SEPARATORS = re.compile(r"[^a-z0-9]+")
_NUMBER = re.compile(r"^\d+")


def fold(text):
    """Lower case, no accents, punctuation and spaces one space: "L'Étang-Salé" → "l etang sale"."""
    if not text:
        return ""
    text = str(text).replace("œ", "oe").replace("Œ", "oe").replace("æ", "ae").replace("Æ", "ae")
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return _SEPARATORS.sub(" ", text.lower()).strip()


def name_tokens(name, commune_name=""):
    """The words of a name that tell which place it is: no generic word, not the commune's name."""
    commune = set(fold(commune_name).split()) - GENERIC_NAME_WORDS
    return [
        w
        for w in fold(name).split()
        if w not in GENERIC_NAME_WORDS and w not in commune and not (len(w) == 1 and w.isalpha())
    ]


def address_parts(address, postal_code="", commune_name=""):
    """(house number, street words) of an address, abbreviations spelt out: "12 bis av. J. Jaurès" →
    ("12", ["avenue", "j", "jaures"])."""
    noise = set(fold(commune_name).split()) | ({postal_code} if postal_code else set())
    words = [STREET_WORDS.get(w, w) for w in fold(address).split()]
    number = ""
    if words and _NUMBER.match(words[0]):
        number = _NUMBER.match(words[0]).group()
        words = words[1:]
    return number, [w for w in words if w not in ADDRESS_STOP_WORDS and w not in noise]


def clean_siret(value):
    """14 digits, or "" (placeholders such as 00000000000000 are no identifier)."""
    digits = re.sub(r"\D", "", str(value or ""))
    return digits if len(digits) == 14 and len(set(digits)) > 1 else ""


def clean_phone(value):
    digits = re.sub(r"\D", "", str(value or ""))
    if digits.startswith("33") and len(digits) == 11:
        digits = "0" + digits[2:]
    return digits if len(digits) >= 9 and len(set(digits)) > 1 else ""


@dataclass(frozen=True)
class Entry:
    """What the core knows of a place; `key` is the caller's identifier, returned in the pairs."""

    key: object
    name: str
    source: str = ""
    commune: str = ""  # INSEE code
    commune_name: str = ""
    address: str = ""
    postal_code: str = ""
    latitude: float | None = None
    longitude: float | None = None
    approximate: bool = False  # the position is the commune's reference point
    siret: str = ""
    rna: str = ""
    phone: str = ""
    emails: tuple = ()
    labels: frozenset = frozenset()
    typologies: frozenset = frozenset()
    itinerant: bool = False  # a bus: its position is where it is kept, not where it serves

    @property
    def located(self):
        return self.latitude is not None and self.longitude is not None and not self.approximate


@dataclass(frozen=True)
class Reason:
    code: str
    points: int
    detail: str = ""


@dataclass
class Pair:
    a: object
    b: object
    score: int
    reasons: list = field(default_factory=list)

    @property
    def keys(self):
        return (self.a, self.b)


@dataclass
class Result:
    sure: list
    unsure: list
    compared: int


class _Prepared:
    """An entry with its normalised parts computed once."""

    __slots__ = ("entry", "tokens", "name_text", "number", "street", "siret", "phone", "emails")

    def __init__(self, entry):
        self.entry = entry
        self.tokens = name_tokens(entry.name, entry.commune_name)
        self.name_text = " ".join(self.tokens)
        self.number, street = address_parts(entry.address, entry.postal_code, entry.commune_name)
        self.street = " ".join(street)
        self.siret = clean_siret(entry.siret)
        self.phone = clean_phone(entry.phone)
        self.emails = {e.strip().lower() for e in entry.emails if e and "@" in e}


def _distance_points(km):
    metres = km * 1000
    if metres <= 50:
        return 25
    if metres <= 150:
        return 18
    if metres <= 300:
        return 10
    if metres <= 1000:
        return 0
    if metres <= 5000:
        return -25  # the same organisation (SIRET) often runs several sites in a commune
    return -40


def _name_points(a, b):
    if not a.tokens and not b.tokens:
        return Reason("name_generic", 30)  # "France Services de X" and "Espace France Services X"
    if not a.tokens or not b.tokens:
        return Reason("name_one_generic", 0)
    # token_set alone calls "pays" and "mission locale pays" the same: half of it, half token_sort.
    similarity = (
        fuzz.token_set_ratio(a.name_text, b.name_text) + fuzz.token_sort_ratio(a.name_text, b.name_text)
    ) / 200
    detail = f"{similarity:.2f}"
    if similarity >= 0.92:
        return Reason("name_same", 30, detail)
    if similarity >= 0.8:
        return Reason("name_close", 20, detail)
    if similarity >= 0.65:
        return Reason("name_alike", 8, detail)
    if similarity < 0.45:
        return Reason("name_different", -20, detail)
    return Reason("name_unlike", 0, detail)


def _address_points(a, b):
    if not a.street or not b.street:
        return None
    similarity = fuzz.token_sort_ratio(a.street, b.street) / 100
    detail = f"{similarity:.2f}"
    if a.number and b.number and a.number != b.number and similarity >= 0.75:
        return Reason("address_other_number", -5, f"{a.number} / {b.number}")
    if similarity >= 0.9:
        return Reason("address_same", 15, detail)
    if similarity >= 0.75:
        return Reason("address_close", 8, detail)
    return None


def score(a, b, *, sure_at=SURE, unsure_at=UNSURE):
    """(score, reasons) of two entries (`Entry` or prepared); `sure_at` and `unsure_at` are the thresholds
    the pair is sorted by (a bus and a fixed site are kept below them, see the end)."""
    a = a if isinstance(a, _Prepared) else _Prepared(a)
    b = b if isinstance(b, _Prepared) else _Prepared(b)
    ea, eb = a.entry, b.entry
    reasons = []
    name = _name_points(a, b)
    if a.siret and b.siret:
        if a.siret == b.siret:
            # Clearly other names under one SIRET: one organisation, maybe several places.
            reasons.append(Reason("siret_same", 20 if name.points < 0 else 45, a.siret))
        elif a.siret[:9] == b.siret[:9]:
            reasons.append(Reason("siren_same", 10, a.siret[:9]))
        else:
            reasons.append(Reason("siret_different", -15, f"{a.siret} / {b.siret}"))
    if ea.rna and eb.rna and ea.rna.upper() == eb.rna.upper():
        reasons.append(Reason("rna_same", 40, ea.rna.upper()))
    km = None
    if ea.located and eb.located:
        km = float(haversine_km(ea.latitude, ea.longitude, eb.latitude, eb.longitude))
        reasons.append(Reason("distance", _distance_points(km), f"{round(km * 1000)}"))
    elif ea.latitude is not None and eb.latitude is not None:
        reasons.append(Reason("position_approximate", 0))
    reasons.append(name)
    address = _address_points(a, b)
    if address is not None:
        reasons.append(address)
    if a.phone and a.phone == b.phone:
        reasons.append(Reason("phone_same", 15, a.phone))
    shared_emails = a.emails & b.emails
    if shared_emails:
        reasons.append(Reason("email_same", 10, min(shared_emails)))
    if FRANCE_SERVICES in ea.labels and FRANCE_SERVICES in eb.labels:
        # One France Services per spot: two of them within 150 m are the same one.
        reasons.append(Reason("both_france_services", 20 if km is not None and km <= 0.15 else 10))
    else:
        shared = (ea.labels & eb.labels) | (ea.typologies & eb.typologies)
        if shared:
            reasons.append(Reason("shared_terms", 5, ", ".join(sorted(shared))))
    if ea.commune and eb.commune:
        if ea.commune == eb.commune:
            reasons.append(Reason("same_commune", 5, ea.commune))
        else:
            reasons.append(Reason("other_commune", -5, f"{ea.commune} / {eb.commune}"))
    if ea.source and ea.source == eb.source:
        reasons.append(Reason("same_source", -10))
        if ea.itinerant or eb.itinerant:  # a list's bus and its fixed site, or two buses of one garage
            reasons.append(Reason("itinerant_same_list", -25))
    elif ea.itinerant != eb.itinerant:  # a bus and a fixed site of two lists: maybe its home, maybe not
        reasons.append(Reason("one_itinerant", -10))
    reasons = [r for r in reasons if r.points or r.code.startswith(("name_", "position_"))]
    total = sum(r.points for r in reasons)
    if ea.itinerant != eb.itinerant:
        # A bus takes the name, address, phone and SIRET of the site where it is kept, so that no penalty
        # outweighs what they share (on the real lists every bus merged with its home was wrong): a bus
        # and a fixed site of one list are two places of that list, dropped; of two lists, a person
        # decides, never merged without review.
        same_list = bool(ea.source) and ea.source == eb.source
        ceiling = (unsure_at if same_list else sure_at) - 1
        if total > ceiling:
            code = "itinerant_fixed_same_list" if same_list else "itinerant_review"
            reasons.append(Reason(code, ceiling - total))
            total = ceiling
    return total, reasons


def candidate_pairs(prepared, radius_m=RADIUS_M):
    """Index pairs (i < j) worth scoring: close enough, or same commune and same name or SIRET."""
    pairs = set()
    located = [i for i, p in enumerate(prepared) if p.entry.located]
    if located:
        index = SphereIndex(
            np.array([prepared[i].entry.latitude for i in located]),
            np.array([prepared[i].entry.longitude for i in located]),
        )
        for position, i in enumerate(located):
            entry = prepared[i].entry
            neighbours, _distances = index.within(entry.latitude, entry.longitude, radius_m / 1000)
            for other in neighbours:
                if other > position:
                    pairs.add((i, located[other]))
    blocks = {}
    for i, p in enumerate(prepared):
        if not p.entry.commune:
            continue
        blocks.setdefault(("name", p.entry.commune, p.name_text), []).append(i)
        if p.siret:
            blocks.setdefault(("siret", p.entry.commune, p.siret), []).append(i)
        if FRANCE_SERVICES in p.entry.labels:
            blocks.setdefault(("france-services", p.entry.commune), []).append(i)
    for members in blocks.values():
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                pairs.add((min(i, j), max(i, j)))
    return pairs


def find_duplicates(entries, *, sure=SURE, unsure=UNSURE, radius_m=RADIUS_M, skip=frozenset()):
    """Sure and unsure pairs among `entries`, best first. `skip` holds key pairs already decided (either
    order): never proposed again."""
    prepared = [_Prepared(e) for e in entries]
    found_sure, found_unsure = [], []
    pairs = candidate_pairs(prepared, radius_m)
    for i, j in sorted(pairs):
        a, b = prepared[i], prepared[j]
        if (a.entry.key, b.entry.key) in skip or (b.entry.key, a.entry.key) in skip:
            continue
        total, reasons = score(a, b, sure_at=sure, unsure_at=unsure)
        if total >= unsure:
            pair = Pair(a.entry.key, b.entry.key, total, reasons)
            (found_sure if total >= sure else found_unsure).append(pair)
    order = lambda p: (-p.score, str(p.a), str(p.b))  # noqa: E731
    return Result(
        sure=sorted(found_sure, key=order), unsure=sorted(found_unsure, key=order), compared=len(pairs)
    )


def clusters(pairs):
    """Groups of keys linked by `pairs` (union-find), each group's keys in first-seen order."""
    parent = {}

    def root(key):
        parent.setdefault(key, key)
        while parent[key] != key:
            parent[key] = parent[parent[key]]
            key = parent[key]
        return key

    for pair in pairs:
        ra, rb = root(pair.a), root(pair.b)
        if ra != rb:
            parent[rb] = ra
    groups = {}
    for key in list(parent):
        groups.setdefault(root(key), []).append(key)
    return [g for g in groups.values() if len(g) > 1]


# --- Merging the data of several records of one place ---------------------------------------------------

# Not merged: which row of which list the place is, and whether it is a demo place.
IDENTITY_FIELDS = frozenset({"source", "source_id", "source_url", "is_demo"})
# Taken together from one record, so that they stay coherent (the lead field decides which record).
FIELD_GROUPS = {
    "position": ("latitude", "longitude", "location_approximate"),
    "address": ("address", "address_complement", "postal_code", "code_insee"),
    "hours": ("opening_hours", "opening_hours_notes"),
}
# Lists whose values add up: every record's typologies, services, publics, labels, e-mails, websites.
UNION_FIELDS = frozenset({"typologies", "services", "publics", "labels", "emails", "websites"})


@dataclass
class Candidate:
    """One version of a place's data: `label` names where it comes from, `confirmed_on` (an ISO date or
    None) when it was last said to be current."""

    label: object
    confirmed_on: str | None
    data: dict


@dataclass
class Merged:
    values: dict  # field → value kept
    provenance: dict  # field → label of the candidate whose value was kept
    conflicts: list  # [{"field", "kept", "kept_from", "others": [[label, value], ...]}]


def _empty(value):
    return value is None or value == "" or value == [] or value == {}


def _newest_first(candidates):
    # Stable: among candidates confirmed the same day, the caller's order decides.
    return sorted(candidates, key=lambda c: c.confirmed_on or "", reverse=True)


def merge_values(candidates):
    """The newest confirmed non-empty value of each field (groups of fields taken together from one
    candidate, lists added up), where each value kept comes from, and the fields on which the candidates
    disagree."""
    ordered = _newest_first(candidates)
    names = []
    for candidate in ordered:
        names.extend(n for n in candidate.data if n not in names and n not in IDENTITY_FIELDS)
    grouped = {name: group for group, members in FIELD_GROUPS.items() for name in members}
    values, provenance, conflicts = {}, {}, []
    for name in names:
        if name in values:
            continue
        if name in UNION_FIELDS:
            union = []
            for candidate in ordered:
                for item in candidate.data.get(name) or []:
                    if item not in union:
                        union.append(item)
            values[name] = sorted(union) if name not in ("emails", "websites") else union
            givers = [c.label for c in ordered if c.data.get(name)]
            if givers:
                provenance[name] = givers[0]
            continue
        if name == "data_updated_on":
            dates = [c.data.get(name) for c in ordered if c.data.get(name)]
            values[name] = max(dates) if dates else None
            if dates:
                provenance[name] = next(c.label for c in ordered if c.data.get(name) == values[name])
            continue
        members = FIELD_GROUPS[grouped[name]] if name in grouped else (name,)
        lead = members[0]
        usable = [c for c in ordered if not _empty(c.data.get(lead))]
        if grouped.get(name) == "position":  # a real position rather than the commune's reference point
            usable.sort(key=lambda c: bool(c.data.get("location_approximate")))
        if name in grouped and grouped[name] == "address" and not usable:
            usable = [c for c in ordered if not _empty(c.data.get("code_insee"))]
        chosen = usable[0] if usable else (ordered[0] if ordered else None)
        for member in members:
            values[member] = chosen.data.get(member) if chosen is not None else None
            if chosen is not None and not _empty(values[member]):
                provenance[member] = chosen.label
        others = []
        for candidate in ordered:
            if candidate is chosen or _empty(candidate.data.get(lead)):
                continue
            tolerance = 1e-3 if lead == "latitude" else 1e-6  # 100 m apart: the same position
            value = candidate.data.get(lead)
            if not _same(value, values[lead], tolerance) and not any(
                _same(value, v, tolerance) for _l, v in others
            ):
                others.append([candidate.label, candidate.data.get(lead)])
        if others:
            conflicts.append(
                {"field": lead, "kept": values[lead], "kept_from": provenance.get(lead), "others": others}
            )
    return Merged(values=values, provenance=provenance, conflicts=conflicts)


def _same(a, b, tolerance=1e-6):
    if isinstance(a, str) and isinstance(b, str):
        return fold(a) == fold(b)
    if isinstance(a, float) or isinstance(b, float):
        try:
            return abs(float(a) - float(b)) <= tolerance
        except (TypeError, ValueError):
            return False
    return a == b
