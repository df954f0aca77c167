"""Demo data of the registry: the real open lists shipped in data/places/, plus clearly labelled fictitious
places so that every tiers-lieu typology and every région appears, and demo accounts to try the manager
pages. What other apps add to the demo (resources, members) is loaded above, by relais/site/demo.py."""

from django.conf import settings
from django.db import transaction

from relais.accounts.access import sync_admin_access
from relais.accounts.models import PlaceRole, User
from relais.accounts.two_factor import set_recovery_codes
from relais.privacy.audit import Actor
from relais.territory.models import Commune, Region

from . import proposals, services
from .models import Place
from .opendata.importer import import_places

DEMO_SOURCE = "Relais — lieux de démonstration (fictifs)"
DEMO_DESCRIPTION = "Lieu fictif créé pour la démonstration de Relais : il est placé au centre de la commune."
DEMO_PASSWORD = "demo-relais-2026"  # demo accounts only, created by `load_demo` (make run)
# The team's demo accounts must give a second factor: published single-use recovery codes let a newcomer in
# without a phone (each works once; `load_demo` gives back those used). Demo accounts only, DEBUG only.
DEMO_SECOND_FACTOR_CODES = [f"demo{n:04d}" for n in range(1, 21)]
DEMO_MEMBER = "adherent"  # the demo account that is a member of the demo sites
DEMO_PROPOSER = "porteur"  # the demo account that proposes a place and asks to manage another

REAL_LISTS = [
    ("places/france_services_2024-08-01.csv", "france-services"),
    ("places/lieux_mediation_numerique_2022.csv.gz", "mednum-2022"),
]

# (typology, name pattern, services, labels, publics, hours, summary)
KINDS = [
    (
        "COWORKING",
        "Coworking de {commune}",
        ["POSTE_TRAVAIL", "SALLE_REUNION", "DOMICILIATION", "ACCES_INTERNET"],
        [],
        ["INDEPENDANTS"],
        "Mo-Fr 08:30-19:00; PH off",
        "Postes en open space (25 € la journée, 300 à 500 € par mois), bureaux et salle de réunion.",
    ),
    (
        "FABLAB",
        "Fablab de {commune}",
        ["MACHINES_FABLAB", "FORMATION", "LOISIRS_CREATION"],
        [],
        ["JEUNES", "TOUS"],
        "We 14:00-19:00; Sa 10:00-18:00; PH off",
        "Impression 3D, découpe laser et électronique, avec formation obligatoire avant usage des machines.",
    ),
    (
        "EPN",
        "Espace public numérique de {commune}",
        ["OUTILS_QUOTIDIEN", "ACCES_INTERNET", "DEMARCHES"],
        ["CONSEILLER_NUMERIQUE"],
        ["SENIORS", "TOUS"],
        "Tu-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00; PH off",
        "Ateliers d'initiation au numérique et accès libre aux ordinateurs.",
    ),
    (
        "TELECENTRE",
        "Télécentre de {commune}",
        ["POSTE_TRAVAIL", "BUREAU_PRIVATIF", "VISIO_GUICHET"],
        [],
        ["INDEPENDANTS"],
        "Mo-Fr 08:00-18:30; PH off",
        "Bureaux équipés pour télétravailler près de chez soi.",
    ),
    (
        "FRANCE_SERVICES",
        "Espace France Services de démonstration à {commune}",
        ["DEMARCHES", "ACCES_INTERNET", "VISIO_GUICHET"],
        ["FRANCE_SERVICES", "AIDANTS_CONNECT"],
        ["TOUS"],
        "Mo-Fr 09:00-12:00,13:30-17:00; PH off",
        "Aide aux démarches administratives avec les partenaires nationaux.",
    ),
    (
        "MICRO_FOLIE",
        "Micro-Folie de {commune}",
        ["EVENEMENTS_CULTURELS", "LOISIRS_CREATION"],
        ["MICRO_FOLIE"],
        ["FAMILLES", "JEUNES"],
        "We,Sa 10:00-18:00; PH off",
        "Musée numérique, espace de réalité virtuelle et fablab.",
    ),
    (
        "CAMPUS_CONNECTE",
        "Campus connecté de {commune}",
        ["POSTE_TRAVAIL", "ACCES_INTERNET", "FORMATION"],
        ["CAMPUS_CONNECTE"],
        ["ETUDIANTS"],
        "Mo-Fr 08:30-18:00; PH off",
        "Suivre des études supérieures à distance avec un tuteur, près de chez soi.",
    ),
    (
        "ATELIER_PARTAGE",
        "Atelier partagé de {commune}",
        ["MACHINES_FABLAB", "PRET_MATERIEL", "REEMPLOI"],
        [],
        ["TOUS"],
        "Tu,Th 17:00-21:00; Sa 09:00-13:00",
        "Bois, métal et outillage partagés entre artisans et habitants.",
    ),
    (
        "RESSOURCERIE",
        "Ressourcerie de {commune}",
        ["REEMPLOI", "MATERIEL_SOLIDAIRE"],
        [],
        ["TOUS"],
        "We-Sa 10:00-18:00; PH off",
        "Collecte, réparation et revente d'objets de seconde main.",
    ),
    (
        "GARAGE_SOLIDAIRE",
        "Garage solidaire de {commune}",
        ["REEMPLOI", "MOBILITE"],
        [],
        ["DEMANDEURS_EMPLOI"],
        "Mo-Fr 08:30-12:00,13:30-17:30",
        "Entretien et réparation de véhicules à prix solidaire, location sociale.",
    ),
    (
        "CAFE_ASSOCIATIF",
        "Café associatif de {commune}",
        ["RESTAURATION", "EVENEMENTS_CULTURELS", "AMAP"],
        [],
        ["TOUS"],
        "Th-Sa 11:00-22:00; Su 10:00-14:00",
        "Café, concerts, distribution des paniers de l'AMAP le jeudi.",
    ),
    (
        "JARDIN_PARTAGE",
        "Jardin partagé de {commune}",
        ["FORMATION"],
        [],
        ["FAMILLES", "SENIORS"],
        "Apr-Oct: We,Sa 09:00-19:00",
        "Parcelles collectives et ateliers de jardinage au naturel.",
    ),
    (
        "TIERS_LIEUX",
        "Tiers-lieu de {commune}",
        ["POSTE_TRAVAIL", "POINT_RELAIS", "CONCIERGERIE", "IMPRESSION"],
        ["FABRIQUE_TERRITOIRE"],
        ["TOUS"],
        "Mo-Fr 09:00-18:00; Sa 10:00-13:00; PH off",
        "Fabrique de territoire : coworking, point relais colis, conciergerie et ateliers.",
    ),
    (
        "FABRIQUE",
        "Fabrique numérique de {commune}",
        ["FORMATION", "MACHINES_FABLAB", "INSERTION_PRO"],
        ["FABRIQUE_TERRITOIRE", "FABRIQUE_NUMERIQUE"],
        ["JEUNES", "DEMANDEURS_EMPLOI"],
        "Mo-Fr 09:00-17:30; PH off",
        "Formations aux métiers du numérique et accompagnement de projets.",
    ),
    (
        "LIVING_LAB",
        "Laboratoire citoyen de {commune}",
        ["FORMATION", "CULTURE_NUMERIQUE"],
        [],
        ["TOUS"],
        "Tu-Sa 10:00-18:00; PH off",
        "Expérimentations citoyennes autour des données et des services publics.",
    ),
]


def demo_places():
    """Plain data of the demo places: two per région, typologies in turn, at the région's chef-lieu and at
    the chef-lieu of its most populated département (positions are the communes' reference points)."""
    places = []
    regions = list(Region.objects.order_by("code"))
    number = 0
    for region in regions:
        departments = sorted(region.departments.all(), key=lambda d: -d.population)
        sites = [region.chef_lieu] + [d.chef_lieu for d in departments if d.chef_lieu != region.chef_lieu][:1]
        for code in sites:
            kind = KINDS[number % len(KINDS)]
            typology, pattern, service_codes, labels, publics, hours, summary = kind
            commune = Commune.objects.get(code_insee=code)
            places.append(
                {
                    "source": DEMO_SOURCE,
                    "source_id": f"demo-{number + 1:03d}",
                    "name": "[Démo] " + pattern.format(commune=commune.name),
                    "typologies": [typology],
                    "services": service_codes,
                    "labels": labels,
                    "publics": publics,
                    "opening_hours": hours,
                    "summary": summary,
                    "description": DEMO_DESCRIPTION,
                    "address": "Adresse fictive",
                    "code_insee": commune.code_insee,
                    "latitude": commune.latitude,
                    "longitude": commune.longitude,
                    "wheelchair": ["yes", "partial", "no", ""][number % 4],
                    "fees": ["GRATUIT"]
                    if typology in {"EPN", "FRANCE_SERVICES", "JARDIN_PARTAGE"}
                    else ["PAYANT"],
                    "access_modes": ["SE_PRESENTER", "TELEPHONER"],
                    "accompaniment_modes": ["INDIVIDUEL", "ATELIER_COLLECTIF"],
                    "itinerancy": ["FIXE"],
                    "legal_form": ["association", "scic", "commune", "epci"][number % 4],
                    "is_demo": True,
                }
            )
            number += 1
    return places


@transaction.atomic
def load_demo_places(actor):
    created = updated = 0
    existing = {p.source_id: p for p in Place.objects.filter(source=DEMO_SOURCE)}
    for data in demo_places():
        place = existing.get(data["source_id"])
        if place is None:
            services.create_place(data, actor)
            created += 1
        else:
            services.update_place(place, data, actor)
            updated += 1
    return created, updated


def demo_sites():
    """The two demo places that the demo manager runs and where the other apps put their demo data."""
    return list(Place.objects.filter(source=DEMO_SOURCE).order_by("source_id")[:2])


@transaction.atomic
def load_demo_accounts(sites):
    """A network admin, a manager of the demo `sites` and the account of a person whom the site's demo makes
    a member of them (DEBUG only: fixed, published passwords). The usernames, none when DEBUG is off."""
    if not settings.DEBUG:
        return []
    accounts = []
    for username, is_admin in (("admin", True), ("gerant", False), (DEMO_MEMBER, False)):
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"is_network_admin": is_admin, "is_staff": is_admin, "is_superuser": is_admin},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        accounts.append(username)
    for username in ("admin", "gerant"):
        set_recovery_codes(User.objects.get(username=username), DEMO_SECOND_FACTOR_CODES)
    manager = User.objects.get(username="gerant")
    for place in sites:
        PlaceRole.objects.get_or_create(user=manager, place=place, defaults={"role": PlaceRole.Role.MANAGER})
    sync_admin_access(manager)  # the manager configures the place's resources and members in the admin
    member = User.objects.get(username=DEMO_MEMBER)
    if not member.first_name:
        member.first_name, member.last_name, member.email = "Camille", "Adhérente", "adherent@example.org"
        member.save(update_fields=["first_name", "last_name", "email"])
    return accounts


@transaction.atomic
def load_demo_proposals():
    """What a network admin reviews on « Mon espace » (DEBUG only, idempotent): a new place proposed by the
    demo account `porteur`, and its request to manage a demo place it says it runs."""
    if not settings.DEBUG:
        return 0
    user, created = User.objects.get_or_create(
        username=DEMO_PROPOSER,
        defaults={"first_name": "Dominique", "last_name": "Porteur (démo)", "email": "porteur@example.org"},
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save()
    if user.place_proposals.exists():
        return 0
    actor = Actor(user=user, channel="command", label="démonstration")
    data = demo_places()[-1] | {"name": "[Démo] La Fabrique, tiers-lieu proposé (fictif)"}
    data.pop("source", None)
    data.pop("source_id", None)
    data.pop("is_demo", None)
    proposals.propose_place(
        data,
        actor,
        message="Proposition fictive de la démonstration : un tiers-lieu associatif ouvert en 2026.",
    )
    third = Place.objects.filter(source=DEMO_SOURCE).order_by("source_id")[2:3].first()
    if third is not None:
        proposals.claim_place(
            third, actor, message="Demande fictive de la démonstration : je coordonne ce lieu."
        )
    return 2 if third is not None else 1


def load_demo(out=print, progress=None):
    """The registry's demo: the real open lists, then the demo places (one line of `out` for each)."""
    actor = Actor(channel="command", label="démonstration")
    base = settings.RELAIS_DATA_DIR
    for relative, fmt in REAL_LISTS:
        path = base / relative
        if not path.exists():
            out(f"absent : {relative} (ignoré)")
            continue
        report = import_places(
            path,
            fmt=fmt,
            skip_invalid=True,
            actor=Actor(channel="command", label="import"),
            progress=progress,
        )
        out(f"{relative} : {report.summary()}")
        for problem in report.rejected[:5]:
            out(f"  rejet {problem}")
    if any((base / relative).exists() for relative, _fmt in REAL_LISTS):
        from .dedup import dedupe_registry  # the open lists overlap: the same place listed several times

        run = dedupe_registry(Actor(channel="command", label="dédoublonnage"))
        out(f"doublons : fusionnés={run.merged}, à examiner={run.queued}")
    created, updated = load_demo_places(actor)
    out(f"lieux de démonstration : created={created} updated={updated}")
