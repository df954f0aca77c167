"""The forms of the DPO's pages on data-subject requests (request_views.py)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import SubjectRequestChannel, SubjectRequestKind

REQUIRED = {"required": _("Ce champ est obligatoire.")}
CHOICE = {"invalid_choice": _("Choisissez une valeur de la liste."), **REQUIRED}
DATE = {"invalid": _("Saisissez une date valide, par exemple 31/12/2026."), **REQUIRED}


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RequestForm(forms.Form):
    kind = forms.ChoiceField(label=_("Demande"), choices=SubjectRequestKind.choices, error_messages=CHOICE)
    channel = forms.ChoiceField(
        label=_("Reçue par"), choices=SubjectRequestChannel.choices, error_messages=CHOICE
    )
    received_on = forms.DateField(
        label=_("Reçue le"),
        required=False,
        widget=_date_input(),
        error_messages=DATE,
        help_text=_("Vide : aujourd'hui."),
    )
    place = forms.ChoiceField(label=_("Lieu concerné"), required=False, error_messages=CHOICE)
    person = forms.CharField(
        label=_(
            "Compte ou adhésion de la personne (adresse e-mail, identifiant, ou téléphone tel qu'enregistré)"
        ),
        required=False,
        max_length=254,
        error_messages={"max_length": _("254 caractères au plus.")},
    )
    person_name = forms.CharField(
        label=_("Nom donné par la personne"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("200 caractères au plus.")},
    )
    person_contact = forms.CharField(
        label=_("Adresse e-mail ou téléphone pour lui répondre"),
        required=False,
        max_length=200,
        error_messages={"max_length": _("200 caractères au plus.")},
    )
    identity_checked = forms.BooleanField(label=_("Identité vérifiée"), required=False)
    identity_check = forms.CharField(
        label=_("Comment l'identité a été vérifiée"),
        required=False,
        max_length=300,
        error_messages={"max_length": _("300 caractères au plus.")},
    )

    def __init__(self, *args, places, place_required, **kwargs):
        super().__init__(*args, **kwargs)
        empty = [] if place_required else [("", _("Aucun en particulier"))]
        self.fields["place"].choices = empty + [(str(p.pk), p.name) for p in places]
        self.fields["place"].required = place_required


class ExtensionForm(forms.Form):
    extended_to = forms.DateField(label=_("Nouvelle échéance"), widget=_date_input(), error_messages=DATE)
    extension_reason = forms.CharField(
        label=_("Motif de la prolongation"),
        max_length=500,
        error_messages={**REQUIRED, "max_length": _("500 caractères au plus.")},
    )


class RefusalForm(forms.Form):
    reason = forms.CharField(
        label=_("Motif du refus"),
        max_length=300,
        error_messages={**REQUIRED, "max_length": _("300 caractères au plus.")},
    )


class RectificationForm(forms.Form):
    """What the person asks to correct: an account's names and address, or a membership's name and contact.
    Only the fields filled in are changed (and their copies, e.g. the name on the bookings)."""

    first_name = forms.CharField(label=_("Prénom (compte)"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom (compte)"), max_length=150, required=False)
    email = forms.EmailField(label=_("Adresse e-mail (compte)"), required=False)
    name = forms.CharField(label=_("Nom (adhésion)"), max_length=200, required=False)
    contact = forms.CharField(label=_("Téléphone ou e-mail (adhésion)"), max_length=200, required=False)

    def clean(self):
        data = super().clean()
        if not any(data.get(f) for f in self.fields):
            raise forms.ValidationError(_("Indiquez au moins une donnée à corriger."))
        return data

    def changes(self):
        return {field: value for field, value in self.cleaned_data.items() if value}
