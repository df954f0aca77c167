"""The national standard of lieux de médiation numérique (schema v1.0.2), and its 2022 predecessor.

Rows are read into Relais' plain place data (the shape `services.clean_place_data` takes) and places
are written back as rows of the standard. Enumerated values are the standard's, spelled exactly.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from relais.core.text import normalize_name

from .. import validators
from .. import vocabularies as voc
from ..models import Label, Public, Service, Typology
from .identifiers import source_id_from
from .repairs import TYPOLOGY, Repair

COLUMNS = [
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
]
REQUIRED = ["id", "nom", "code_postal", "date_maj"]
V0_MARKERS = {"labels_nationaux", "publics_accueillis", "conditions_acces"}
NO_PIVOT = "0" * 14

# Columns of the closed lists stored on the place: standard column → (place field, [(code, value)]).
LIST_COLUMNS = {
    "prise_en_charge_specifique": ("specific_support", voc.SPECIFIC_SUPPORT),
    "frais_a_charge": ("fees", voc.FEES),
    "modalites_acces": ("access_modes", voc.ACCESS_MODES),
    "modalites_accompagnement": ("accompaniment_modes", voc.ACCOMPANIMENT_MODES),
    "itinerance": ("itinerancy", voc.ITINERANCY),
}


def split(value):
    return [v.strip() for v in (value or "").split("|") if v.strip()]


class Codebook:
    """Two-way maps between the standard's values and Relais codes, loaded once per import or export."""

    def __init__(self):
        typologies = list(Typology.objects.all())
        self.typology_codes = {t.code for t in typologies}
        self.typology_from_value = {}
        for t in typologies:
            self.typology_from_value.setdefault(t.mednum_value, t.code)
        for t in typologies:  # an exact code wins over a typology that merely exports as it
            self.typology_from_value[t.code] = t.code
        for old, new in voc.TYPOLOGY_ALIASES.items():
            self.typology_from_value.setdefault(old, new)
        self.typology_value = {t.code: t.mednum_value for t in typologies}
        self.service_from_value = {s.mednum_value: s.code for s in Service.objects.all() if s.mednum_value}
        self.service_value = {s.code: s.mednum_value for s in Service.objects.all()}
        self.public_from_value = {p.mednum_value: p.code for p in Public.objects.all() if p.mednum_value}
        self.public_value = {p.code: p.mednum_value for p in Public.objects.all()}
        labels = list(Label.objects.all())
        self.label_from_value = {lab.mednum_value: lab.code for lab in labels if lab.mednum_value}
        self.label_from_value.update(voc.LABEL_ALIASES)
        self.label_column = {lab.code: (lab.mednum_field, lab.mednum_value) for lab in labels}
        self.label_name = {lab.code: lab.name for lab in labels}
        self.list_from_value = {
            col: {v: c for c, v in choices} for col, (_f, choices) in LIST_COLUMNS.items()
        }
        self.list_value = {field: dict(choices) for _col, (field, choices) in LIST_COLUMNS.items()}

    def codes(self, values, mapping, what, errors):
        codes = []
        for value in values:
            code = mapping.get(value)
            if code is None:
                errors.append(
                    _("%(column)s : valeur « %(value)s » inconnue du standard.")
                    % {"column": what, "value": value}
                )
            else:
                codes.append(code)
        return list(dict.fromkeys(codes))


def row_to_data(row, book, errors, warnings, *, default_source=""):
    """Plain place data from a row of the standard v1.0.2; problems go to `errors`/`warnings`."""
    pivot = row.get("pivot", "")
    siret, rna = "", ""
    if pivot and pivot != NO_PIVOT:
        if re.fullmatch(r"W\d{9}", pivot, re.I):
            rna = pivot
        else:
            siret = pivot
    data = {
        "source_id": source_id_from(row.get("id", ""), row.get("source") or default_source),
        "source": row.get("source") or default_source,
        "name": row.get("nom", ""),
        "commune_name": row.get("commune", ""),
        "postal_code": row.get("code_postal", ""),
        "code_insee": row.get("code_insee", ""),
        "address": row.get("adresse", ""),
        "address_complement": row.get("complement_adresse", ""),
        "latitude": row.get("latitude", ""),
        "longitude": row.get("longitude", ""),
        "phone": row.get("telephone", ""),
        "emails": split(row.get("courriels")),
        "websites": split(row.get("site_web")),
        "opening_hours": row.get("horaires", ""),
        "summary": row.get("presentation_resume", ""),
        "description": row.get("presentation_detail", ""),
        "parent_organisation": row.get("structure_parente", ""),
        "data_updated_on": row.get("date_maj", ""),
        "other_labels": row.get("autres_formations_labels", ""),
        "accessibility_url": row.get("fiche_acces_libre", ""),
        "booking_url": row.get("prise_rdv", ""),
        "siret": siret,
        "rna": rna,
    }
    data["typologies"] = book.codes(
        split(row.get("typologie")), book.typology_from_value, "typologie", errors
    )
    data["services"] = book.codes(split(row.get("services")), book.service_from_value, "services", errors)
    data["publics"] = book.codes(
        split(row.get("publics_specifiquement_adresses")),
        book.public_from_value,
        "publics_specifiquement_adresses",
        errors,
    )
    labels = []
    for column in ("dispositif_programmes_nationaux", "formations_labels"):
        labels += book.codes(split(row.get(column)), book.label_from_value, column, errors)
    data["labels"] = list(dict.fromkeys(labels))
    for column, (field, _choices) in LIST_COLUMNS.items():
        data[field] = book.codes(split(row.get(column)), book.list_from_value[column], column, errors)
    return data


def place_to_row(place, book, ids=None):
    """A row of the standard v1.0.2 for a place (values the standard does not know are left out); `ids`
    (identifiers.ExportIds) makes the `id` column unique across sources."""
    labels = {"dispositif_programmes_nationaux": [], "formations_labels": []}
    for label in place.labels.all():
        column, value = book.label_column[label.code]
        if column:
            labels[column].append(value)
    other_labels = [place.other_labels] if place.other_labels else []
    other_labels += [label.name for label in place.labels.all() if not book.label_column[label.code][0]]
    row = {
        "id": ids.of(place) if ids is not None else place.source_id,
        "pivot": place.siret or place.rna or NO_PIVOT,
        "nom": place.name,
        "commune": place.commune.name,
        "code_postal": place.postal_code or _first_postal_code(place),
        "code_insee": place.commune_id,
        "adresse": place.address or place.commune.name,
        "complement_adresse": place.address_complement,
        "latitude": _coordinate(place.latitude),
        "longitude": _coordinate(place.longitude),
        "typologie": "|".join(dict.fromkeys(book.typology_value[t.code] for t in place.typologies.all())),
        "telephone": place.phone,
        "courriels": "|".join(place.emails),
        "site_web": "|".join(place.websites),
        "horaires": place.opening_hours,
        "presentation_resume": place.summary,
        "presentation_detail": place.description,
        "source": place.source,
        "itinerance": _values(place.itinerancy, book.list_value["itinerancy"]),
        "structure_parente": place.parent_organisation,
        "date_maj": place.data_updated_on.isoformat(),
        "services": "|".join(v for v in (book.service_value[s.code] for s in place.services.all()) if v),
        "publics_specifiquement_adresses": "|".join(
            v for v in (book.public_value[p.code] for p in place.publics.all()) if v
        ),
        "prise_en_charge_specifique": _values(place.specific_support, book.list_value["specific_support"]),
        "frais_a_charge": _values(place.fees, book.list_value["fees"]),
        "dispositif_programmes_nationaux": "|".join(labels["dispositif_programmes_nationaux"]),
        "formations_labels": "|".join(labels["formations_labels"]),
        "autres_formations_labels": "|".join(other_labels),
        "modalites_acces": _values(place.access_modes, book.list_value["access_modes"]),
        "modalites_accompagnement": _values(
            place.accompaniment_modes, book.list_value["accompaniment_modes"]
        ),
        "fiche_acces_libre": place.accessibility_url,
        "prise_rdv": place.booking_url,
    }
    return row


def _values(codes, names):
    return "|".join(names[c] for c in codes)


def _coordinate(value):
    return "" if value is None else f"{value:.6f}".rstrip("0").rstrip(".")


def _first_postal_code(place):
    codes = sorted(p.code for p in place.commune.postal_codes.all())
    return codes[0] if codes else ""


# --- JSON (the model of the standard's npm library: nested address, localisation, contact…) ----------


def json_to_row(item):
    """A flat row of the standard from a JSON object, nested (npm library model) or already flat."""
    if not isinstance(item, dict):
        return None
    if "adresse" not in item or not isinstance(item.get("adresse"), dict):
        return {k: _flatten_value(v) for k, v in item.items()}
    adresse = item.get("adresse") or {}
    localisation = item.get("localisation") or {}
    contact = item.get("contact") or {}
    presentation = item.get("presentation") or {}
    row = {
        "id": item.get("id", ""),
        "pivot": item.get("pivot", ""),
        "nom": item.get("nom", ""),
        "commune": adresse.get("commune", ""),
        "code_postal": adresse.get("code_postal", ""),
        "code_insee": adresse.get("code_insee", ""),
        "adresse": adresse.get("voie", ""),
        "complement_adresse": adresse.get("complement_adresse", ""),
        "latitude": localisation.get("latitude", ""),
        "longitude": localisation.get("longitude", ""),
        "telephone": contact.get("telephone", ""),
        "courriels": contact.get("courriels", []),
        "site_web": contact.get("site_web", []),
        "presentation_resume": presentation.get("resume", ""),
        "presentation_detail": presentation.get("detail", ""),
        "typologie": item.get("typologies", item.get("typologie", [])),
    }
    for column in COLUMNS:
        if column not in row and column in item:
            row[column] = item[column]
    return {k: _flatten_value(v) for k, v in row.items()}


def _flatten_value(value):
    if value is None:
        return ""
    if isinstance(value, list):
        return "|".join(str(v) for v in value)
    return str(value).strip()


def row_to_json(row):
    def listed(column):
        return split(row[column])

    item = {
        "id": row["id"],
        "pivot": row["pivot"],
        "nom": row["nom"],
        "adresse": {
            "voie": row["adresse"],
            "complement_adresse": row["complement_adresse"] or None,
            "code_postal": row["code_postal"],
            "code_insee": row["code_insee"] or None,
            "commune": row["commune"],
        },
        "localisation": (
            {"latitude": float(row["latitude"]), "longitude": float(row["longitude"])}
            if row["latitude"]
            else None
        ),
        "typologies": listed("typologie"),
        "contact": {
            "telephone": row["telephone"] or None,
            "courriels": listed("courriels"),
            "site_web": listed("site_web"),
        },
        "horaires": row["horaires"] or None,
        "presentation": {
            "resume": row["presentation_resume"] or None,
            "detail": row["presentation_detail"] or None,
        },
        "source": row["source"] or None,
        "structure_parente": row["structure_parente"] or None,
        "date_maj": row["date_maj"],
    }
    for column in COLUMNS[COLUMNS.index("services") :]:
        if column in ("fiche_acces_libre", "prise_rdv", "autres_formations_labels"):
            item[column] = row[column] or None
        else:
            item[column] = listed(column)
    item["itinerance"] = listed("itinerance")
    return item


# --- The 2022 format (schema v0.x, as in data/places/lieux_mediation_numerique_2022.csv.gz) -----------

V0_SOURCE_NAMES = {
    "conseiller-numerique": "Conseillers numériques France Services (ANCT, 2022)",
}
# The typology the 2022 list implies for its places that have none (5,858 of 6,196): the first rule that
# matches, (column, values that imply it, typology code). A place labelled France Services is one; every
# other place of this list of lieux de médiation numérique offers free access to computers, internet or
# digital-skills support (its `services`), which is what an espace public numérique is.
V0_TYPOLOGY_RULES = [
    ("labels_nationaux", {"France Services"}, "FRANCE_SERVICES"),
    ("services", set(voc.SERVICE_ALIASES_V0), "EPN"),
]
TYPOLOGY_NAMES = {code: name for code, name, _value in voc.TIERS_LIEUX_TYPOLOGIES}


def v0_row_to_data(row, book, errors, warnings, lookup):
    """Plain place data from a 2022 row; the old lists are mapped to v1.0.2 and repairs are reported."""
    v1 = {
        "id": row.get("id", ""),
        "pivot": row.get("pivot", ""),
        "nom": row.get("nom", ""),
        "commune": row.get("commune_source", ""),
        "code_postal": row.get("code_postal", ""),
        "code_insee": row.get("code_insee", ""),
        "adresse": row.get("adresse", ""),
        "complement_adresse": row.get("complement_adresse", ""),
        "latitude": row.get("latitude", ""),
        "longitude": row.get("longitude", ""),
        "typologie": row.get("typologie", ""),
        "horaires": row.get("horaires", ""),
        "site_web": row.get("site_web", ""),
        "prise_rdv": row.get("prise_rdv", ""),
        "date_maj": row.get("date_maj", ""),
    }
    source = row.get("source", "")
    data = row_to_data(v1, book, errors, warnings, default_source=source)
    data["source"] = f"Médiation numérique 2022 — {V0_SOURCE_NAMES.get(source, source)}"
    data["services"] = list(
        dict.fromkeys(_map(split(row.get("services")), voc.SERVICE_ALIASES_V0, "services", warnings))
    )
    publics, support = [], []
    for value in split(row.get("publics_accueillis")):
        if value in voc.PUBLIC_ALIASES_V0:
            publics.append(voc.PUBLIC_ALIASES_V0[value])
        elif value in voc.SPECIFIC_SUPPORT_ALIASES_V0:
            support.append(voc.SPECIFIC_SUPPORT_ALIASES_V0[value])
        elif value.startswith("Handicaps mentaux") or value.startswith("Handicaps psychiques"):
            support.append("HANDICAPS_MENTAUX")
        else:
            warnings.append(_unmapped("publics_accueillis", value))
    data["publics"] = list(dict.fromkeys(publics))
    data["specific_support"] = list(dict.fromkeys(support))
    data["accompaniment_modes"] = list(
        dict.fromkeys(
            _map(
                [v.split(" :", 1)[0].strip() for v in split(row.get("modalites_accompagnement"))],
                voc.ACCOMPANIMENT_ALIASES_V0,
                "modalites_accompagnement",
                warnings,
            )
        )
    )
    fees, conditions = [], []
    for value in split(row.get("conditions_acces")):
        head = value.split(" :", 1)[0].strip()
        code = {
            "Gratuit": "GRATUIT",
            "Gratuit sous condition": "GRATUIT_SOUS_CONDITION",
            "Payant": "PAYANT",
        }.get(head)
        if code:
            fees.append(code)
        else:
            conditions.append(value)
    data["fees"] = list(dict.fromkeys(fees))
    data["access_conditions"] = " ".join(conditions)
    data["labels"] = list(
        dict.fromkeys(
            _map(split(row.get("labels_nationaux")), book.label_from_value, "labels_nationaux", warnings)
        )
    )
    if not data["typologies"] and not split(row.get("typologie")):
        v0_typology(row, data, book, warnings)
    repair_optional_fields(data, warnings, lookup)
    if row.get("cp_coherent") == "non":
        warnings.append(_("le code postal de la source ne correspond pas à la commune des coordonnées."))
    return data


def v0_typology(row, data, book, warnings):
    """Give a 2022 place without a typology the one its source implies (V0_TYPOLOGY_RULES), and say so."""
    for column, values, code in V0_TYPOLOGY_RULES:
        found = next((v for v in split(row.get(column)) if v in values), None)
        if found is not None and code in book.typology_codes:
            data["typologies"] = [code]
            warnings.append(
                Repair(
                    TYPOLOGY,
                    _("typologie déduite de la source : %(typology)s (%(column)s « %(value)s »).")
                    % {"typology": TYPOLOGY_NAMES.get(code, code), "column": column, "value": found},
                )
            )
            return True
    return False


def _unmapped(column, value):
    return _("%(column)s : « %(value)s » sans équivalent dans le standard, ignoré.") % {
        "column": column,
        "value": value,
    }


def _ignored(exc):
    return _("%(problem)s Valeur ignorée.") % {"problem": exc.messages[0]}


def _map(values, mapping, what, warnings):
    codes = []
    for value in values:
        if value in mapping:
            codes.append(mapping[value])
        else:
            warnings.append(_unmapped(what, value))
    return codes


def _same_department(department, postal_code):
    if department in ("2A", "2B"):
        return postal_code.startswith("20")
    return postal_code.startswith(department)


def repair_optional_fields(data, warnings, lookup):
    """For the legacy open lists: set aside optional values that are invalid, and say so.

    Invalid opening hours move to the hours notes, an invalid SIRET, phone, e-mail or web address is
    dropped, a postal code that does not belong to the commune is replaced by the commune's: the place
    stays usable and every repair is reported as a warning on its line.
    """
    if data.get("opening_hours"):
        try:
            validators.clean_opening_hours(data["opening_hours"])
        except ValidationError as exc:
            warnings.append(
                _("%(problem)s Conservés en précision sur les horaires.") % {"problem": exc.messages[0]}
            )
            data["opening_hours_notes"] = data["opening_hours"][:500]
            data["opening_hours"] = ""
    for name, clean in (("siret", validators.clean_siret), ("phone", validators.clean_phone)):
        if data.get(name):
            try:
                clean(data[name])
            except ValidationError as exc:
                warnings.append(_ignored(exc))
                data[name] = ""
    for name, clean in (("emails", validators.clean_emails), ("websites", validators.clean_urls)):
        kept = []
        for value in data.get(name) or []:
            try:
                clean([value])
                kept.append(value)
            except ValidationError as exc:
                warnings.append(_ignored(exc))
        data[name] = kept
    for name in ("booking_url", "accessibility_url"):
        if data.get(name):
            try:
                validators.clean_url(data[name])
            except ValidationError as exc:
                warnings.append(_ignored(exc))
                data[name] = ""
    code = (data.get("code_insee") or "").strip()
    postal_code = data.get("postal_code") or ""
    if not code and postal_code and data.get("commune_name") and not lookup.by_postal_code(postal_code):
        # A CEDEX or mistyped postal code: find the commune by its name within the postal code's département.
        wanted = normalize_name(re.sub(r"\bcedex\b.*$", "", data["commune_name"], flags=re.I))
        matching = [c for c in lookup.by_name(wanted) if _same_department(c.department_id, postal_code)]
        if len(matching) == 1:
            code = data["code_insee"] = matching[0].code_insee
            warnings.append(
                _(
                    "code postal %(postal_code)s inconnu (CEDEX ?) : commune trouvée par son nom, "
                    "%(name)s (%(code)s)."
                )
                % {"postal_code": postal_code, "name": matching[0].name, "code": code}
            )
            data["postal_code"] = postal_code = ""
    commune = lookup.by_code(code) if code else None
    if commune is not None and postal_code:
        codes = lookup.postal_codes(commune)
        if codes and postal_code not in codes:
            replacement = sorted(codes)[0] if len(codes) == 1 else ""
            warnings.append(
                (
                    _(
                        "le code postal %(postal_code)s n'est pas celui de %(name)s (%(code)s) : "
                        "remplacé par %(new)s."
                    )
                    if replacement
                    else _("le code postal %(postal_code)s n'est pas celui de %(name)s (%(code)s) : retiré.")
                )
                % {
                    "postal_code": postal_code,
                    "name": commune.name,
                    "code": commune.code_insee,
                    "new": replacement,
                }
            )
            data["postal_code"] = replacement
