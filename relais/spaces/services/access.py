"""Who acts: the account behind an `Actor`, whether it is the place's team, and whom a booking is for."""

from django.utils.translation import gettext as _

from relais.core.errors import DomainError, Forbidden
from relais.members import services as members
from relais.places import tenancy


def is_place_staff(user, place):
    """The user is the team of the place (manager or staff). Network admins do not see people's bookings."""
    return tenancy.works_for(user, place)


def acting_user(actor):
    user = actor.user
    return user if user is not None and getattr(user, "is_authenticated", False) else None


def resolve_person(actor, place, person, person_name, person_contact, member=None):
    """Who the booking is for, whether the place's team books it, and the person's membership periods.

    Only the place's team books for someone else: an account, a name and a contact (by phone), or one of
    the place's members (`member`, with or without an account). The pages and the API resolve an account
    among the people known to the place only (`tenancy.find_known_person`, `tenancy.known_people`).
    """
    user = acting_user(actor)
    if user is None:
        raise Forbidden(_("connectez-vous pour réserver."), field="person", code="forbidden")
    staff = is_place_staff(user, place)
    if member is not None:
        if not staff:
            raise Forbidden(
                _("seule l'équipe du lieu peut réserver pour un adhérent."), field="person", code="forbidden"
            )
        if member.place_id != place.pk:
            raise DomainError(_("cet adhérent est celui d'un autre lieu."), field="person", code="invalid")
        periods = [(member.joined_on, member.ends_on)]
        if member.user_id:
            return member.user, "", "", staff, periods
        return None, member.name, member.contact, staff, periods
    if person is None and not person_name:
        person = user
    if not staff and (person != user or person_name):
        raise Forbidden(
            _("seule l'équipe du lieu peut réserver pour une autre personne."),
            field="person",
            code="forbidden",
        )
    if person is None and not person_contact:
        raise DomainError(
            _("indiquez un téléphone ou un e-mail pour joindre la personne."),
            field="person_contact",
            code="required",
        )
    return person, person_name.strip(), person_contact.strip(), staff, members.membership_days(place, person)
