"""Forms of the booking pages: they only parse what people type; every rule is checked by the services."""

import datetime

from django import forms
from django.utils.translation import gettext_lazy as _

from relais.accounts.lookup import UNKNOWN_PERSON
from relais.members.models import Member
from relais.places import tenancy

from .models import POOLED_KINDS

# Where a DomainError's `field` is shown in the forms below (None: at the top of the form).
FIELD_MAP = {
    "start": "start_time",
    "end": "end_time",
    "quantity": "quantity",
    "person": "person_account",
    "member": "member",
    "person_contact": "person_contact",
    "person_name": "person_name",
    "until": "until",
    "interval_weeks": "until",
}


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_input():
    return forms.TimeInput(attrs={"type": "time", "step": 60}, format="%H:%M")


class SlotForm(forms.Form):
    """When: a day, a start time, an end time (and an end day for loans over several days)."""

    date = forms.DateField(label=_("Jour"), widget=date_input())
    start_time = forms.TimeField(label=_("Heure de début"), widget=time_input())
    end_date = forms.DateField(
        label=_("Jour de fin"),
        required=False,
        widget=date_input(),
        help_text=_("Seulement si la réservation finit un autre jour (prêt de matériel)."),
    )
    end_time = forms.TimeField(label=_("Heure de fin"), widget=time_input())
    quantity = forms.IntegerField(label=_("Nombre de places"), min_value=1, initial=1)

    def __init__(self, *args, resource, **kwargs):
        super().__init__(*args, **kwargs)
        self.resource = resource
        if resource.kind in POOLED_KINDS and resource.capacity > 1:
            self.fields["quantity"].widget.attrs["max"] = resource.capacity
            self.fields["quantity"].help_text = _("Au plus %(n)s.") % {"n": resource.capacity}
        else:
            del self.fields["quantity"]
        self.order_fields(["date", "start_time", "end_time", "end_date", "quantity"])

    def start(self):
        """Wall-clock start (naive: the place's local time)."""
        return datetime.datetime.combine(self.cleaned_data["date"], self.cleaned_data["start_time"])

    def end(self):
        day = self.cleaned_data.get("end_date") or self.cleaned_data["date"]
        return datetime.datetime.combine(day, self.cleaned_data["end_time"])

    def get_quantity(self):
        return self.cleaned_data.get("quantity") or 1


class BookingForm(SlotForm):
    """A booking, possibly weekly until a date; the team may book for someone else."""

    notes = forms.CharField(label=_("Remarques"), required=False, max_length=500)
    repeat = forms.BooleanField(label=_("Répéter chaque semaine"), required=False)
    until = forms.DateField(
        label=_("Jusqu'au"),
        required=False,
        widget=date_input(),
        help_text=_("Dernier jour de la série (inclus)."),
    )
    skip_conflicts = forms.BooleanField(
        label=_("Réserver la série sans les dates en conflit"), required=False
    )
    extra_seats = forms.BooleanField(label=_("Réserver des places en plus"), required=False)
    walk_in = forms.BooleanField(
        label=_("Arrivée sans réservation"),
        required=False,
        help_text=_(
            "La personne est là : le créneau peut avoir commencé il y a au plus 30 minutes ; sa présence "
            "est pointée."
        ),
    )
    member = forms.ModelChoiceField(
        label=_("Adhérent du lieu"),
        queryset=Member.objects.none(),
        to_field_name="public_id",
        required=False,
        help_text=_("Le tarif adhérent s'applique si l'adhésion couvre le jour réservé."),
    )
    person_account = forms.CharField(
        label=_("Compte de la personne (identifiant ou e-mail)"),
        required=False,
        max_length=254,
        help_text=_("Laissez vide pour réserver pour vous-même ou pour une personne sans compte."),
    )
    person_name = forms.CharField(
        label=_("Ou nom de la personne (sans compte)"), required=False, max_length=200
    )
    person_contact = forms.CharField(
        label=_("Téléphone ou e-mail de la personne"), required=False, max_length=200
    )

    STAFF_FIELDS = ("member", "person_account", "person_name", "person_contact", "walk_in")

    def __init__(self, *args, staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.staff = staff
        if "quantity" not in self.fields:  # a resource booked whole: no seats to add
            del self.fields["extra_seats"]
        if not staff:
            for name in self.STAFF_FIELDS:
                del self.fields[name]
            return
        members = Member.objects.filter(place=self.resource.place).select_related("user")
        if members.exists():
            self.fields["member"].queryset = members.order_by("name", "user__last_name", "id")
            self.fields["member"].label_from_instance = self._member_label
        else:
            del self.fields["member"]

    @staticmethod
    def _member_label(member):
        if member.ends_on:
            return _("%(name)s (jusqu'au %(date)s)") % {
                "name": member.display_name,
                "date": member.ends_on.strftime("%d/%m/%Y"),
            }
        return member.display_name

    def clean_person_account(self):
        value = self.cleaned_data.get("person_account", "").strip()
        if not value:
            return None
        user = tenancy.find_known_person(value, self.resource.place)
        if user is None:
            raise forms.ValidationError(UNKNOWN_PERSON, params={"value": value})
        return user

    def clean(self):
        data = super().clean()
        if data.get("repeat") and not data.get("until"):
            self.add_error("until", _("indiquez jusqu'à quel jour répéter la réservation."))
        if self.staff:
            chosen = [n for n in ("member", "person_account", "person_name") if data.get(n)]
            if len(chosen) > 1:
                self.add_error(
                    chosen[1],
                    _(
                        "choisissez un seul des trois : un adhérent, un compte ou le nom d'une personne "
                        "sans compte."
                    ),
                )
        return data

    def person_kwargs(self):
        if not self.staff:
            return {}
        return {
            "person": self.cleaned_data.get("person_account"),
            "person_name": self.cleaned_data.get("person_name", ""),
            "person_contact": self.cleaned_data.get("person_contact", ""),
            "member": self.cleaned_data.get("member"),
        }


class ChangeForm(SlotForm):
    """Move or resize a booking."""

    override_deadline = forms.BooleanField(
        label=_("Passer outre le délai d'annulation (équipe du lieu)"), required=False
    )

    def __init__(self, *args, staff=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["override_deadline"]


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Motif (facultatif)"), required=False, max_length=300)
    whole_series = forms.BooleanField(
        label=_("Annuler aussi les dates suivantes de cette réservation régulière (celles d'avant restent)"),
        required=False,
    )
    override_deadline = forms.BooleanField(
        label=_("Passer outre le délai d'annulation (équipe du lieu)"), required=False
    )

    def __init__(self, *args, staff=False, series=False, **kwargs):
        super().__init__(*args, **kwargs)
        if not staff:
            del self.fields["override_deadline"]
        if not series:
            del self.fields["whole_series"]
