"""Forms of the team's configuration pages: resources, prices, closures, qualifications, members.

They turn what people type into the models' values (durations with a unit into minutes, euros with a decimal
comma into cents, one equipment per line into a list); every rule is the models' own `clean()` (run by the
model forms) and the checks below, with French messages shown next to their field.
"""

import datetime
import decimal
import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.utils.translation import gettext_lazy as _

from relais.accounts.lookup import AccountField, resolve_person
from relais.members.models import Member
from relais.places import tenancy

from .enums import PriceUnit
from .models import Closure, PriceRule, Qualification, Resource, UserQualification
from .services.hours import aware

MINUTES, HOURS, DAYS = "minutes", "heures", "jours"
UNIT_MINUTES = {MINUTES: 1, HOURS: 60, DAYS: 1440}
UNIT_CHOICES = [(MINUTES, _("minutes")), (HOURS, _("heures")), (DAYS, _("jours"))]


def date_input():
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def time_input():
    return forms.TimeInput(attrs={"type": "time", "step": 60}, format="%H:%M")


# --- Durations: a number and a unit -----------------------------------------------------------------------


class DurationWidget(forms.MultiWidget):
    """A number and its unit (minutes, heures, jours), side by side; the unit list has its own name."""

    template_name = "spaces/config/_duration_widget.html"
    use_fieldset = False  # the label names the number; the unit list has its own name

    def __init__(self, attrs=None):
        widgets = [
            forms.NumberInput(
                attrs={"min": 0, "step": 1, "inputmode": "numeric", "class": "duration-number"}
            ),
            forms.Select(choices=UNIT_CHOICES, attrs={"class": "duration-unit"}),
        ]
        super().__init__(widgets, attrs)

    def id_for_label(self, id_):
        return f"{id_}_0" if id_ else id_  # the label names the number

    def decompress(self, value):
        if value is None or value == "":
            return [None, HOURS]
        value = int(value)
        # « 24 heures » rather than « 1 jours »: days from two of them.
        if value >= 2 * UNIT_MINUTES[DAYS] and value % UNIT_MINUTES[DAYS] == 0:
            return [value // UNIT_MINUTES[DAYS], DAYS]
        if value and value % UNIT_MINUTES[HOURS] == 0:
            return [value // UNIT_MINUTES[HOURS], HOURS]
        return [value, MINUTES]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        # The select is named after the field: « Unité : Durée minimale ».
        context["widget"]["subwidgets"][1]["attrs"]["aria-label"] = str(
            _("unité de « %(label)s »") % {"label": self.field_label}
        )
        return context

    field_label = ""


class DurationField(forms.MultiValueField):
    """A duration typed as « 24 » + « heures », cleaned to whole minutes (1440)."""

    default_error_messages = {
        "invalid": _("indiquez un nombre entier, par exemple 30 minutes ou 2 heures."),
        "required": _("indiquez une durée."),
        "incomplete": _("indiquez une durée."),
    }

    def __init__(self, *, label, **kwargs):
        fields = (
            forms.IntegerField(
                min_value=0,
                error_messages={
                    "invalid": _("indiquez un nombre entier, par exemple 30 minutes ou 2 heures."),
                    "min_value": _("la durée ne peut pas être négative."),
                },
            ),
            forms.ChoiceField(choices=UNIT_CHOICES),
        )
        widget = DurationWidget()
        widget.field_label = label
        super().__init__(fields, label=label, widget=widget, require_all_fields=True, **kwargs)

    def compress(self, data_list):
        if not data_list or data_list[0] in (None, ""):
            return None
        return int(data_list[0]) * UNIT_MINUTES[data_list[1]]


# --- Euros with a decimal comma ---------------------------------------------------------------------------


AMOUNT_RE = re.compile(r"^\d{1,7}([.,]\d{1,2})?$")


def parse_euros(text):
    """« 3,50 », « 3.50 », « 3,50 € », « 12 » → cents (350, 350, 350, 1200); None if unreadable."""
    cleaned = re.sub(r"[\s\u00a0\u202f€]", "", text or "")
    if not AMOUNT_RE.match(cleaned):
        return None
    amount = decimal.Decimal(cleaned.replace(",", "."))
    return int((amount * 100).to_integral_value())


def euros_text(cents):
    """350 → « 3,50 » (what the field shows back)."""
    return f"{cents // 100},{cents % 100:02d}"


class EuroField(forms.CharField):
    """An amount in euros, with a decimal comma or point and up to two decimals, cleaned to cents."""

    def __init__(self, **kwargs):
        # No max_length: its validator would run on the cents; the parser refuses long text.
        kwargs.setdefault(
            "widget", forms.TextInput(attrs={"inputmode": "decimal", "class": "amount", "maxlength": 20})
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return euros_text(value) if isinstance(value, int) else value

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        cents = parse_euros(value)
        if cents is None:
            raise forms.ValidationError(
                _("montant illisible : « %(value)s ». Écrivez par exemple 3,50 (euros et centimes)."),
                code="invalid",
                params={"value": value},
            )
        return cents


# --- Equipment: one item per line -------------------------------------------------------------------------


class LinesField(forms.CharField):
    """A list of labels typed one per line (empty lines and repeated spaces dropped)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 4}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(str(v) for v in value)
        return value

    def to_python(self, value):
        text = super().to_python(value) or ""
        return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


# --- Resources --------------------------------------------------------------------------------------------


DURATION_FIELDS = {
    "min_duration_minutes": _("Durée minimale d'une réservation"),
    "max_duration_minutes": _("Durée maximale d'une réservation"),
    "granularity_minutes": _("Pas des réservations"),
    "min_notice_minutes": _("Réserver au plus tard"),
    "buffer_minutes": _("Temps de préparation entre deux réservations"),
    "cancellation_deadline_minutes": _("Annulation possible jusqu'à"),
}
DURATION_HELP = {
    "granularity_minutes": _(
        "Les réservations commencent et finissent sur ce pas, compté depuis minuit (par exemple 30 minutes)."
    ),
    "min_notice_minutes": _("Avant le début du créneau ; 0 : jusqu'au dernier moment."),
    "buffer_minutes": _("Le temps de ranger ou de nettoyer ; 0 : aucun."),
    "cancellation_deadline_minutes": _(
        "Avant le début de la réservation, par exemple 24 heures ; 0 : jusqu'au dernier moment."
    ),
}
RESOURCE_FIELDS = [
    "kind",
    "name",
    "description",
    "booking_policy",
    "capacity",
    "people_capacity",
    "equipment",
    "required_qualification",
    "bookable_hours",
    *DURATION_FIELDS,
    "max_horizon_days",
    "is_active",
]


class ResourceForm(forms.ModelForm):
    equipment = LinesField(
        label=_("Équipements"),
        help_text=_("Un équipement par ligne, par exemple « vidéoprojecteur »."),
    )

    class Meta:
        model = Resource
        fields = RESOURCE_FIELDS
        labels = {
            "kind": _("Type de ressource"),
            "name": _("Nom"),
            "description": _("Description"),
            "booking_policy": _("Qui réserve en ligne"),
            "capacity": _("Capacité"),
            "people_capacity": _("Nombre de personnes"),
            "required_qualification": _("Habilitation requise"),
            "bookable_hours": _("Horaires de réservation"),
            "max_horizon_days": _("Réservable jusqu'à (jours à l'avance)"),
            "is_active": _("Réservable (décochez pour désactiver la ressource)"),
        }
        help_texts = {
            "bookable_hours": _(
                "Syntaxe OpenStreetMap, par exemple « Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off "
                "» (Mo lundi, Tu mardi, We mercredi, Th jeudi, Fr vendredi, Sa samedi, Su dimanche ; "
                "PH off : fermé les jours fériés). Vide : les horaires d'ouverture du lieu. Toujours limités "
                "aux horaires d'ouverture du lieu."
            ),
        }
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, place, **kwargs):
        super().__init__(*args, **kwargs)
        self.place = place
        self.instance.place = place
        for name, label in DURATION_FIELDS.items():
            self.fields[name] = DurationField(label=label, help_text=DURATION_HELP.get(name, ""))
            # A new instance gives the form no initial values: start from the model's defaults.
            self.initial.setdefault(name, getattr(self.instance, name))
        capacity = self.fields["capacity"]
        capacity.validators.append(MinValueValidator(1, _("au moins 1.")))
        capacity.widget.attrs["min"] = 1
        qualifications = self.fields["required_qualification"]
        qualifications.queryset = Qualification.objects.filter(place=place).order_by("name")
        qualifications.empty_label = _("aucune")
        self.order_fields(RESOURCE_FIELDS)

    def clean_bookable_hours(self):
        return " ".join((self.cleaned_data.get("bookable_hours") or "").split())


class PriceRuleForm(forms.ModelForm):
    """A price of the resource in euros (« 3,50 »), for an audience and a unit of time."""

    amount = EuroField(
        label=_("Montant (€)"),
        required=False,
        help_text=_("En euros TTC, par exemple 3,50. Inutile pour « gratuit »."),
    )

    class Meta:
        model = PriceRule
        fields = ["audience", "unit"]
        labels = {"audience": _("Pour qui"), "unit": _("Unité")}

    def __init__(self, *args, resource, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.resource = resource
        if self.instance.pk:
            self.initial.setdefault("amount", self.instance.amount_cents)
        # Django's blank choice is « --------- »: say what to do instead.
        unit = self.fields["unit"]
        unit.choices = [("", _("choisissez l'unité")), *[(v, label) for v, label in unit.choices if v != ""]]

    def clean(self):
        data = super().clean()
        unit, amount = data.get("unit"), data.get("amount")
        if unit == PriceUnit.FREE:
            data["amount"] = 0
        elif unit and amount is None and "amount" not in self.errors:
            self.add_error("amount", _("indiquez le montant en euros, par exemple 3,50."))
        audience = data.get("audience")
        if (
            unit
            and audience
            and PriceRule.objects.filter(resource=self.instance.resource, audience=audience, unit=unit)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            self.add_error("unit", _("cette ressource a déjà un tarif pour ce public et cette unité."))
        return data

    def save(self, commit=True):
        self.instance.amount_cents = self.cleaned_data.get("amount") or 0
        return super().save(commit)


# --- Closures ---------------------------------------------------------------------------------------------


class ClosureForm(forms.ModelForm):
    """A closure of the place or of one resource, typed as days and times of the place."""

    start_date = forms.DateField(label=_("Premier jour"), widget=date_input())
    start_time = forms.TimeField(
        label=_("Heure de début"), required=False, widget=time_input(), help_text=_("Vide : dès minuit.")
    )
    end_date = forms.DateField(label=_("Dernier jour"), widget=date_input())
    end_time = forms.TimeField(
        label=_("Heure de fin"),
        required=False,
        widget=time_input(),
        help_text=_("Vide : jusqu'au soir (le dernier jour compris)."),
    )

    class Meta:
        model = Closure
        fields = ["resource", "reason"]
        labels = {"resource": _("Ce qui est fermé"), "reason": _("Motif")}
        help_texts = {"reason": _("Par exemple « congés d'été » ou « maintenance ».")}

    def __init__(self, *args, place, **kwargs):
        super().__init__(*args, **kwargs)
        self.place = place
        self.instance.place = place
        resources = self.fields["resource"]
        resources.queryset = Resource.objects.filter(place=place).order_by("name")
        resources.empty_label = _("tout le lieu")
        resources.help_text = ""
        if self.instance.pk:
            tz = place.timezone
            start, end = self.instance.start.astimezone(tz), self.instance.end.astimezone(tz)
            self.initial.update(start_date=start.date(), start_time=start.time())
            if end.time() == datetime.time(0):
                self.initial.update(end_date=end.date() - datetime.timedelta(days=1), end_time=None)
            else:
                self.initial.update(end_date=end.date(), end_time=end.time())
        self.order_fields(["resource", "start_date", "start_time", "end_date", "end_time", "reason"])

    def clean(self):
        data = super().clean()
        tz = self.place.timezone
        if data.get("start_date"):
            start = datetime.datetime.combine(data["start_date"], data.get("start_time") or datetime.time(0))
            self.instance.start = aware(start, tz)
        if data.get("end_date"):
            if data.get("end_time"):
                end = datetime.datetime.combine(data["end_date"], data["end_time"])
            else:
                end = datetime.datetime.combine(
                    data["end_date"] + datetime.timedelta(days=1), datetime.time(0)
                )
            self.instance.end = aware(end, tz)
        return data

    def _update_errors(self, errors):
        # The model speaks of « start » and « end »: the form's are its first and last days.
        if hasattr(errors, "error_dict"):
            names = {"start": "start_date", "end": "end_date"}
            errors = ValidationError({names.get(k, k): v for k, v in errors.error_dict.items()})
        super()._update_errors(errors)


# --- Qualifications ---------------------------------------------------------------------------------------


class QualificationForm(forms.ModelForm):
    class Meta:
        model = Qualification
        fields = ["name", "description"]
        labels = {"name": _("Nom de l'habilitation"), "description": _("Description")}
        help_texts = {"name": _("Par exemple « découpe laser » : la formation qui la donne.")}
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, place, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.place = place

    def clean_name(self):
        name = " ".join(self.cleaned_data["name"].split())
        if (
            Qualification.objects.filter(place=self.instance.place, name__iexact=name)
            .exclude(pk=self.instance.pk)
            .exists()
        ):
            raise forms.ValidationError(_("le lieu a déjà une habilitation de ce nom."))
        return name


class GrantForm(forms.ModelForm):
    """A person known to the place holds the qualification since their training."""

    user = AccountField(label=_("Personne (identifiant ou e-mail)"))

    class Meta:
        model = UserQualification
        fields = ["user", "granted_on"]
        labels = {"granted_on": _("Formation suivie le")}
        widgets = {"granted_on": date_input()}

    def __init__(self, *args, qualification, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.qualification = qualification
        self.fields["granted_on"].initial = datetime.date.today

    def clean(self):
        data = super().clean()
        user = resolve_person(self, "user", self.instance.qualification.place, tenancy.find_known_person)
        if (
            user is not None
            and UserQualification.objects.filter(
                user=user, qualification=self.instance.qualification
            ).exists()
        ):
            self.add_error("user", _("cette personne a déjà cette habilitation."))
        return data


# --- Members ----------------------------------------------------------------------------------------------


class MemberForm(forms.ModelForm):
    """A member with an account known to the place, or a person without account (a name and a contact)."""

    user = AccountField(
        label=_("Compte de la personne (identifiant ou e-mail)"),
        required=False,
        help_text=_(
            "Si la personne est déjà connue du lieu (venue, de l'équipe) ; sinon laissez vide et indiquez "
            "son nom et un téléphone ou un e-mail."
        ),
    )

    class Meta:
        model = Member
        fields = ["user", "name", "contact", "joined_on", "ends_on"]
        labels = {
            "name": _("Nom de la personne"),
            "contact": _("Téléphone ou e-mail"),
            "joined_on": _("Adhérent depuis le"),
            "ends_on": _("Adhésion valable jusqu'au"),
        }
        help_texts = {
            "name": _("Obligatoire pour une personne sans compte."),
            "ends_on": _("Vide : sans date de fin."),
        }
        widgets = {"joined_on": date_input(), "ends_on": date_input()}

    def __init__(self, *args, place, **kwargs):
        super().__init__(*args, **kwargs)
        self.instance.place = place
        if self.instance.pk and self.instance.user_id:
            # The account of an existing membership is not changed here: end it and add another.
            del self.fields["user"]

    def clean(self):
        data = super().clean()
        if "user" in self.fields:
            resolve_person(self, "user", self.instance.place, tenancy.find_known_person)
        return data


class EndMembershipForm(forms.Form):
    ends_on = forms.DateField(
        label=_("Dernier jour de l'adhésion"), widget=date_input(), initial=datetime.date.today
    )
