"""The processings of the accounts app, declared in the personal-data inventory (privacy/inventory.py)."""

from django.utils.translation import gettext_lazy as _

from relais.privacy.erasure import register_guard
from relais.privacy.inventory import EndAction, LegalBasis, PersonCategory, Processing, Retention, register

register(
    Processing(
        code="accounts",
        purpose=_(
            "Gestion des comptes : connexion, identité et adresse e-mail, jetons d'API et adresses "
            "d'abonnement au calendrier."
        ),
        legal_basis=LegalBasis.CONTRACT,
        people=(PersonCategory.ACCOUNT_HOLDERS, PersonCategory.TEAMS, PersonCategory.NETWORK_ADMINS),
        recipients=(_("l'exploitant de l'instance (support)"),),
        retention=Retention(36, _("la dernière connexion"), EndAction.DELETE),
    ),
    Processing(
        code="team_roles",
        purpose=_("Organisation des équipes des lieux : qui travaille pour quel lieu, avec quel rôle."),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        people=(PersonCategory.TEAMS,),
        recipients=(_("les gérants du lieu"), _("les administrateurs du réseau")),
        retention=Retention(12, _("la fin du rôle dans le lieu"), EndAction.DELETE),
    ),
)


def _last_manager_of_a_place(subject):
    """An account that is the only manager of a place cannot be erased: the place would have no one left to
    run its page and its team."""
    from .models import PlaceRole

    if subject.user is None:
        return []
    managed = PlaceRole.objects.filter(user=subject.user, role=PlaceRole.Role.MANAGER).select_related("place")
    others = set(
        PlaceRole.objects.filter(role=PlaceRole.Role.MANAGER, place_id__in=[r.place_id for r in managed])
        .exclude(user=subject.user)
        .values_list("place_id", flat=True)
    )
    alone = sorted((r.place for r in managed if r.place_id not in others), key=lambda place: place.name)
    return [
        _(
            "Ce compte est le seul gérant du lieu « %(place)s » : nommez un autre gérant de ce lieu avant "
            "de l'effacer."
        )
        % {"place": place.name}
        for place in alone
    ]


register_guard(_last_manager_of_a_place)
