"""The processings of the spaces app (declared in the personal-data inventory, relais/privacy/inventory.py),
and how a member's bookings are found: through their account, or — for a member without one, booked for
by the team — by the name and contact copied from the membership (`services.access.resolve_person`)."""

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from relais.privacy.inventory import EndAction, LegalBasis, PersonCategory, Processing, Retention, register

TEAM = _("l'équipe du lieu")

register(
    Processing(
        code="bookings",
        purpose=_(
            "Réservation des ressources des lieux (postes, salles, machines, matériel, permanences), "
            "pointage des présences, rappels et abonnement au calendrier."
        ),
        legal_basis=LegalBasis.CONTRACT,
        people=(PersonCategory.USERS, PersonCategory.MEMBERS, PersonCategory.TEAMS),
        recipients=(TEAM,),
        retention=Retention(12, _("la fin du créneau réservé"), EndAction.ANONYMISE),
    ),
    Processing(
        code="waiting_list",
        purpose=_("Liste d'attente des créneaux complets : proposer une place libérée par une annulation."),
        legal_basis=LegalBasis.CONTRACT,
        people=(PersonCategory.USERS, PersonCategory.MEMBERS),
        recipients=(TEAM,),
        retention=Retention(3, _("la date du créneau souhaité"), EndAction.DELETE),
    ),
    Processing(
        code="qualifications",
        purpose=_(
            "Suivi des habilitations aux machines après une formation, pour la sécurité des personnes."
        ),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        people=(PersonCategory.MEMBERS, PersonCategory.USERS, PersonCategory.TEAMS),
        recipients=(TEAM,),
        retention=Retention(12, _("la fin de l'adhésion ou le retrait de l'habilitation"), EndAction.DELETE),
    ),
)


def person_of(prefix=""):
    """A function finding the records (booking, series, waiting-list entry; or through `prefix`, their
    transition logs) of a member, at the member's place."""

    def condition(subject):
        member = subject.member
        if member is None:
            return None
        if member.user_id:
            person = Q(**{f"{prefix}person_id": member.user_id})
        else:
            person = Q(
                **{
                    f"{prefix}person__isnull": True,
                    f"{prefix}person_name": member.name,
                    f"{prefix}person_contact": member.contact,
                }
            )
        return person & Q(**{f"{prefix}place_id": member.place_id})

    return condition


def paths_to_person(prefix):
    """How to find, through `prefix`, the person of a booking, series or waiting-list entry: their account,
    their contact, their membership (for the transition logs)."""
    return {
        "by_user": [f"{prefix}person"],
        "by_email": [f"{prefix}person_contact"],
        "subject": person_of(prefix),
    }


def account_of_member(user_path, place_path):
    """A function finding the records of a member's account (`user_path`) at the member's place."""

    def condition(subject):
        member = subject.member
        if member is None or not member.user_id:
            return None
        return Q(**{f"{user_path}_id": member.user_id, f"{place_path}_id": member.place_id})

    return condition
