from django import forms
from django.utils.translation import gettext_lazy as _

from .models import AuditAction

DATE_ERRORS = {"invalid": _("Saisissez une date valide, par exemple 31/12/2026.")}


def _date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PeriodForm(forms.Form):
    since = forms.DateField(label=_("Du"), required=False, widget=_date_input(), error_messages=DATE_ERRORS)
    until = forms.DateField(label=_("Au"), required=False, widget=_date_input(), error_messages=DATE_ERRORS)
    action = forms.ChoiceField(
        label=_("Action"),
        required=False,
        choices=[("", _("Toutes"))] + list(AuditAction.choices),
        error_messages={"invalid_choice": _("Choisissez une action de la liste.")},
    )

    def clean(self):
        data = super().clean()
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            self.add_error("until", _("La date « Au » doit être le même jour que « Du » ou après."))
        return data

    @property
    def filters(self):
        if not self.is_valid():
            return {}
        return {k: self.cleaned_data.get(k) for k in ("since", "until", "action")}


class AccountSearchForm(PeriodForm):
    q = forms.CharField(
        label=_("Compte (adresse e-mail ou identifiant)"),
        required=False,
        max_length=254,
        error_messages={"max_length": _("254 caractères au plus.")},
    )
    field_order = ["q", "since", "until", "action"]


class PersonSearchForm(PeriodForm):
    q = forms.CharField(
        label=_("Personne (adresse e-mail, identifiant du compte, ou téléphone tel qu'enregistré)"),
        required=False,
        max_length=254,
        error_messages={"max_length": _("254 caractères au plus.")},
    )
    field_order = ["q", "since", "until", "action"]
