"""Reference geography: loading the vendored files, lookups and the commune spatial index."""

import csv
import gzip
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from django.dispatch import Signal
from django.utils.translation import gettext as _

from relais.core.errors import DomainError, NotFound
from relais.core.text import normalize_name

from .geo import SphereIndex
from .models import (
    Commune,
    CommuneAlias,
    Department,
    Epci,
    MunicipalArrondissement,
    PostalCode,
    Region,
    is_commune_code,
)

BATCH = 2000

# Sent (inside the loading transaction) once the reference geography has been loaded or updated.
territory_loaded = Signal()


def _open_csv(path):
    path = Path(path)
    opener = gzip.open if path.suffix == ".gz" else open
    return opener(path, "rt", encoding="utf-8", newline="")


def _rows(path):
    with _open_csv(path) as handle:
        yield from csv.DictReader(handle)


def _float(value):
    return float(value) if value not in (None, "") else None


@dataclass
class LoadReport:
    regions: int = 0
    departments: int = 0
    epcis: int = 0
    communes: int = 0
    postal_codes: int = 0
    aliases: int = 0
    arrondissements: int = 0
    without_coordinates: int = 0


def _upsert(model, objects, fields):
    model.objects.bulk_create(
        objects,
        batch_size=BATCH,
        update_conflicts=True,
        unique_fields=[model._meta.pk.name],
        update_fields=fields,
    )


@transaction.atomic
def load_territory(data_dir=None, progress=None):
    """Load régions, départements, EPCI, communes, postal codes, passage codes and the municipal
    arrondissements of Paris, Lyon and Marseille; idempotent.

    `progress(step, advance, total)` is called as rows are processed (for a progress bar).
    """
    data_dir = Path(data_dir or settings.RELAIS_DATA_DIR)
    report = LoadReport()
    tick = progress or (lambda *args: None)

    regions = [
        Region(
            code=r["code"],
            name=r["nom"],
            chef_lieu=r["chef_lieu"],
            zone=r["zone"],
            population=int(r["population"] or 0),
        )
        for r in _rows(data_dir / "regions.csv")
    ]
    _upsert(Region, regions, ["name", "chef_lieu", "zone", "population"])
    report.regions = len(regions)

    departments = [
        Department(
            code=r["code"],
            name=r["nom"],
            region_id=r["reg_code"],
            chef_lieu=r["chef_lieu"],
            zone=r["zone"],
            population=int(r["population"] or 0),
        )
        for r in _rows(data_dir / "departements.csv")
    ]
    _upsert(Department, departments, ["name", "region", "chef_lieu", "zone", "population"])
    report.departments = len(departments)

    epcis = [
        Epci(
            siren=r["code"],
            name=r["nom"],
            kind=r["type"],
            financing=r["mode_financement"],
            population=int(r["population"] or 0),
            department_codes=r["departements"],
        )
        for r in _rows(data_dir / "epci.csv")
    ]
    _upsert(Epci, epcis, ["name", "kind", "financing", "population", "department_codes"])
    report.epcis = len(epcis)

    rows = list(_rows(data_dir / "communes.csv.gz"))
    tick("communes", 0, len(rows))
    communes, postal_codes = [], []
    for r in rows:
        commune = Commune(
            code_insee=r["code_insee"],
            name=r["nom"],
            search_name=normalize_name(r["nom"]),
            department_id=r["dep_code"],
            region_id=r["reg_code"],
            epci_id=r["epci_code"] or None,
            zone=r["zone"],
            population=int(r["population"] or 0),
            latitude=_float(r["latitude"]),
            longitude=_float(r["longitude"]),
            coord_source=r["coord_source"],
            area_km2=_float(r["superficie_km2"]),
            density=_float(r["densite_hab_km2"]),
            siren=r["siren_commune"],
        )
        if commune.latitude is None:
            report.without_coordinates += 1
        communes.append(commune)
        postal_codes.extend(
            PostalCode(code=code, commune_id=commune.code_insee) for code in r["codes_postaux"].split()
        )
        if len(communes) >= BATCH:
            _upsert(Commune, communes, _COMMUNE_FIELDS)
            tick("communes", len(communes), len(rows))
            report.communes += len(communes)
            communes = []
    _upsert(Commune, communes, _COMMUNE_FIELDS)
    tick("communes", len(communes), len(rows))
    report.communes += len(communes)

    # Postal codes and passage codes are owned by the reference data: replaced as a whole.
    PostalCode.objects.all().delete()
    PostalCode.objects.bulk_create(postal_codes, batch_size=BATCH)
    report.postal_codes = len(postal_codes)

    aliases = [
        CommuneAlias(code=r["code_insee_source"], commune_id=r["code_insee_actuel"], relation=r["relation"])
        for r in _rows(data_dir / "communes_passage.csv")
    ]
    CommuneAlias.objects.all().delete()
    CommuneAlias.objects.bulk_create(aliases, batch_size=BATCH)
    report.aliases = len(aliases)

    arrondissements = [
        MunicipalArrondissement(
            code_insee=r["code_insee"],
            name=r["nom"],
            commune_id=r["commune_code"],
            number=arrondissement_number(r["nom"]),
            postal_codes=r["codes_postaux"],
            population=int(r["population"] or 0),
            latitude=float(r["latitude"]),
            longitude=float(r["longitude"]),
            coord_source=r["coord_source"],
        )
        for r in _rows(data_dir / "arrondissements.csv")
    ]
    MunicipalArrondissement.objects.all().delete()
    MunicipalArrondissement.objects.bulk_create(arrondissements)
    report.arrondissements = len(arrondissements)

    transaction.on_commit(reset_commune_index)
    territory_loaded.send(sender=Commune, report=report)
    return report


_ORDINAL = re.compile(r"\b(\d{1,2})(?:er|e)\b")


def arrondissement_number(name):
    """11 for « Paris 11e Arrondissement », 1 for « Lyon 1er Arrondissement »."""
    match = _ORDINAL.search(name)
    if match is None:
        raise ValueError(f"no arrondissement number in {name!r}")
    return int(match.group(1))


_COMMUNE_FIELDS = [
    "name",
    "search_name",
    "department",
    "region",
    "epci",
    "zone",
    "population",
    "latitude",
    "longitude",
    "coord_source",
    "area_km2",
    "density",
    "siren",
]


# --- Lookups -------------------------------------------------------------------------------------


def get_commune(code):
    """The current commune for an INSEE code, following old, delegated and arrondissement codes."""
    return resolve_commune(code_insee=code)


def communes_for_postal_code(postal_code):
    postal_code = (postal_code or "").strip()
    if not (len(postal_code) == 5 and postal_code.isdigit()):
        raise DomainError(
            _("« %(code)s » n'est pas un code postal (5 chiffres).") % {"code": postal_code},
            field="code_postal",
        )
    communes = DbCommuneLookup().by_postal_code(postal_code)
    if not communes:
        raise NotFound(_("code postal inconnu : « %(code)s ».") % {"code": postal_code}, field="code_postal")
    return communes


def search_communes(query, limit=10):
    return list(Commune.objects.search(query).select_related("department")[:limit])


class DbCommuneLookup:
    """Commune lookups against the database (pages, API)."""

    def by_code(self, code):
        commune = Commune.objects.select_related("department").filter(code_insee=code).first()
        if commune is None:
            alias = CommuneAlias.objects.select_related("commune__department").filter(code=code).first()
            commune = alias.commune if alias else None
        return commune

    def by_postal_code(self, postal_code):
        return list(
            Commune.objects.filter(postal_codes__code=postal_code)
            .select_related("department")
            .order_by("-population")
        )

    def by_name(self, normalized_name):
        return list(Commune.objects.filter(search_name=normalized_name).select_related("department"))

    def postal_codes(self, commune):
        return set(commune.postal_codes.values_list("code", flat=True))


class MemoryCommuneLookup:
    """The same lookups from memory, for imports that resolve thousands of addresses."""

    def __init__(self):
        communes = {c.code_insee: c for c in Commune.objects.all()}
        self._by_code = dict(communes)
        for code, target in CommuneAlias.objects.values_list("code", "commune_id"):
            self._by_code.setdefault(code, communes[target])
        self._postal = {}
        self._codes_of = {}
        for code, commune_id in PostalCode.objects.values_list("code", "commune_id"):
            self._postal.setdefault(code, []).append(communes[commune_id])
            self._codes_of.setdefault(commune_id, set()).add(code)
        for candidates in self._postal.values():
            candidates.sort(key=lambda c: -c.population)
        self._names = {}
        for commune in communes.values():
            self._names.setdefault(commune.search_name, []).append(commune)
        self._arrondissements = {}
        self._arrondissement_postal = {}
        self._arrondissement_number = {}
        for arrondissement in MunicipalArrondissement.objects.all():
            arrondissement.commune = communes[arrondissement.commune_id]
            self._arrondissements[arrondissement.code_insee] = arrondissement
            for code in arrondissement.postal_code_list:
                self._arrondissement_postal.setdefault(code, []).append(arrondissement)
            key = (arrondissement.commune.search_name, arrondissement.number)
            self._arrondissement_number[key] = arrondissement

    def by_code(self, code):
        return self._by_code.get(code)

    def by_postal_code(self, postal_code):
        return list(self._postal.get(postal_code, []))

    def by_name(self, normalized_name):
        return list(self._names.get(normalized_name, []))

    def postal_codes(self, commune):
        return self._codes_of.get(commune.code_insee, set())

    def names(self):
        """The distinct normalised commune names (for "did you mean" suggestions)."""
        return list(self._names)

    def arrondissement(self, code):
        """The municipal arrondissement of an INSEE code (75111), or None."""
        return self._arrondissements.get(code)

    def arrondissement_of_postal_code(self, postal_code):
        """The one municipal arrondissement a postal code serves (75011 → Paris 11e), or None."""
        found = self._arrondissement_postal.get(postal_code, [])
        return found[0] if len(found) == 1 else None

    def arrondissement_by_number(self, normalized_commune_name, number):
        """(« paris », 11) → Paris 11e arrondissement, or None."""
        return self._arrondissement_number.get((normalized_commune_name, number))


# Saint-Pierre-et-Miquelon, Saint-Barthélemy, Saint-Martin, and the Pacific: outside the COG tables used.
_COM_PREFIXES = ("975", "977", "978", "98")


def _com_hint(code):
    if code.startswith(_COM_PREFIXES) or code == "97150":
        return " " + _("(collectivité d'outre-mer : hors du périmètre des communes de Relais)")
    return ""


def resolve_commune(*, code_insee="", postal_code="", name="", lookup=None):
    """Find the commune of an address and check that its parts agree with each other.

    Raises a DomainError naming the field at fault: unknown INSEE or postal code, a postal code that
    does not belong to the commune, or a name that matches none (or several) of the communes.
    """
    lookup = lookup or DbCommuneLookup()
    code_insee = (code_insee or "").strip().upper()
    postal_code, name = (postal_code or "").strip(), (name or "").strip()
    if code_insee:
        if not is_commune_code(code_insee):
            raise DomainError(
                _("« %(code)s » n'est pas un code INSEE de commune (5 caractères).") % {"code": code_insee},
                field="code_insee",
            )
        commune = lookup.by_code(code_insee)
        if commune is None:
            raise NotFound(
                _("code INSEE inconnu : « %(code)s »%(hint)s.")
                % {"code": code_insee, "hint": _com_hint(code_insee)},
                field="code_insee",
            )
        if postal_code:
            codes = lookup.postal_codes(commune)
            if codes and postal_code not in codes:
                raise DomainError(
                    _(
                        "le code postal %(postal_code)s ne correspond pas à la commune %(commune)s "
                        "(%(code_insee)s), dont les codes postaux sont %(codes)s."
                    )
                    % {
                        "postal_code": postal_code,
                        "commune": commune.name,
                        "code_insee": commune.code_insee,
                        "codes": ", ".join(sorted(codes)),
                    },
                    field="code_postal",
                )
        return commune
    if postal_code:
        if not (len(postal_code) == 5 and postal_code.isdigit()):
            raise DomainError(
                _("« %(code)s » n'est pas un code postal (5 chiffres).") % {"code": postal_code},
                field="code_postal",
            )
        candidates = lookup.by_postal_code(postal_code)
        if not candidates:
            raise NotFound(
                _("code postal inconnu : « %(code)s »%(hint)s.")
                % {"code": postal_code, "hint": _com_hint(postal_code)},
                field="code_postal",
            )
        if len(candidates) == 1:
            return candidates[0]
        if name:
            wanted = normalize_name(name)
            matching = [c for c in candidates if c.search_name == wanted]
            if len(matching) == 1:
                return matching[0]
            raise DomainError(
                _(
                    "la commune « %(name)s » ne correspond pas au code postal %(postal_code)s "
                    "(communes de ce code : %(communes)s)."
                )
                % {
                    "name": name,
                    "postal_code": postal_code,
                    "communes": ", ".join(c.name for c in candidates[:8]),
                },
                field="commune",
            )
        raise DomainError(
            _("le code postal %(postal_code)s est partagé par %(n)s communes : précisez le code INSEE.")
            % {"postal_code": postal_code, "n": len(candidates)},
            field="code_postal",
        )
    if name:
        matching = lookup.by_name(normalize_name(name))
        if len(matching) == 1:
            return matching[0]
        if matching:
            raise DomainError(
                _("plusieurs communes s'appellent « %(name)s » : précisez le code postal ou le code INSEE.")
                % {"name": name},
                field="commune",
            )
        raise NotFound(_("commune inconnue : « %(name)s ».") % {"name": name}, field="commune")
    raise DomainError(_("la commune est obligatoire (code INSEE, code postal ou nom)."), field="commune")


# --- Spatial index of communes -------------------------------------------------------------------


class CommuneIndex:
    def __init__(self):
        rows = list(
            Commune.objects.with_coordinates()
            .order_by("code_insee")
            .values_list("code_insee", "latitude", "longitude")
        )
        self.codes = np.array([r[0] for r in rows], dtype=object)
        self.index = SphereIndex([r[1] for r in rows], [r[2] for r in rows])

    def within(self, lat, lon, radius_km):
        idx, dist = self.index.within(lat, lon, radius_km)
        return list(zip(self.codes[idx].tolist(), dist.tolist(), strict=True))

    def nearest(self, lat, lon, k=1):
        idx, dist = self.index.nearest(lat, lon, k)
        return list(zip(self.codes[idx].tolist(), dist.tolist(), strict=True))


_index_lock = threading.Lock()
_index = None


def commune_index():
    """The process-wide spatial index of communes (reference data: built once, reset after a load)."""
    global _index
    with _index_lock:
        if _index is None:
            _index = CommuneIndex()
        return _index


_memory_lookup = None


def memory_commune_lookup():
    """The process-wide in-memory lookup (reference data: built once, reset after a load)."""
    global _memory_lookup
    with _index_lock:
        if _memory_lookup is None:
            _memory_lookup = MemoryCommuneLookup()
        return _memory_lookup


def reset_commune_index():
    global _index, _memory_lookup
    with _index_lock:
        _index = None
        _memory_lookup = None


def communes_within(lat, lon, radius_km):
    """[(code_insee, distance_km)] of the communes within `radius_km` of the point, nearest first."""
    return commune_index().within(lat, lon, radius_km)


def nearest_communes(lat, lon, k=1):
    return commune_index().nearest(lat, lon, k)
