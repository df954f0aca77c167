"""The processing of the members app, declared in the personal-data inventory (privacy/inventory.py)."""

from django.utils.translation import gettext_lazy as _

from relais.privacy.inventory import EndAction, LegalBasis, PersonCategory, Processing, Retention, register

register(
    Processing(
        code="members",
        purpose=_("Gestion des adhésions aux lieux : qui est adhérent, depuis quand, comment le joindre."),
        legal_basis=LegalBasis.CONTRACT,
        people=(PersonCategory.MEMBERS, PersonCategory.TEAMS),
        recipients=(_("l'équipe du lieu"),),
        retention=Retention(36, _("la fin de l'adhésion"), EndAction.DELETE),
    ),
)
