"""The processing of the coverage app (declared in the personal-data inventory, relais/privacy/inventory.py):
an analysis kept on request names who kept it."""

from django.utils.translation import gettext_lazy as _

from relais.privacy.inventory import EndAction, LegalBasis, PersonCategory, Processing, Retention, register

register(
    Processing(
        code="coverage_runs",
        purpose=_("Conservation des analyses de maillage demandées par une personne, avec son nom."),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        people=(PersonCategory.ACCOUNT_HOLDERS,),
        recipients=(_("les administrateurs du réseau"),),
        retention=Retention(36, _("la conservation de l'analyse"), EndAction.ANONYMISE),
    ),
)
