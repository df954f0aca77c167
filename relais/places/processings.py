"""The processings of the registry app (declared in the personal-data inventory, relais/privacy/inventory.py).

A place's phone and e-mail addresses are declared personal: most are a structure's public contact, but an
individual entrepreneur's phone or a volunteer's address is a person's. Its name and address are the
structure's and its premises' (published in the open data), not a person's.
"""

from django.utils.translation import gettext_lazy as _

from relais.privacy.inventory import EndAction, LegalBasis, PersonCategory, Processing, Retention, register

NETWORK_ADMINS = _("les administrateurs du réseau")

register(
    Processing(
        code="registry",
        purpose=_(
            "Tenue du registre public des lieux et de ses données ouvertes : coordonnées des structures, "
            "données des sources importées, fusion des doublons."
        ),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        people=(PersonCategory.STRUCTURE_CONTACTS, PersonCategory.NETWORK_ADMINS),
        recipients=(_("le public (annuaire et données ouvertes)"), NETWORK_ADMINS),
        retention=Retention(12, _("la fermeture définitive du lieu"), EndAction.ANONYMISE),
    ),
    Processing(
        code="error_reports",
        purpose=_(
            "Correction des fiches des lieux signalées inexactes, et réponse aux personnes qui signalent."
        ),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        people=(PersonCategory.PUBLIC, PersonCategory.TEAMS),
        recipients=(_("les gérants du lieu concerné"), NETWORK_ADMINS),
        retention=Retention(12, _("le traitement du signalement"), EndAction.DELETE),
    ),
    Processing(
        code="place_proposals",
        purpose=_("Examen des propositions de nouveaux lieux et des demandes de gestion d'un lieu."),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        people=(PersonCategory.ACCOUNT_HOLDERS, PersonCategory.NETWORK_ADMINS),
        recipients=(NETWORK_ADMINS,),
        retention=Retention(36, _("la décision sur la proposition"), EndAction.ANONYMISE),
    ),
    Processing(
        code="place_documents",
        purpose=_(
            "Mise à disposition des documents d'un lieu (règlement, tarifs…), publics ou réservés à son "
            "équipe ; un document peut contenir des données personnelles."
        ),
        legal_basis=LegalBasis.LEGITIMATE_INTERESTS,
        people=(PersonCategory.TEAMS, PersonCategory.STRUCTURE_CONTACTS),
        recipients=(_("l'équipe du lieu"), _("le public, pour les documents publics")),
        retention=Retention(12, _("la fermeture définitive du lieu"), EndAction.DELETE),
    ),
)
