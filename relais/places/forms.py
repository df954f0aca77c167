from django import forms
from django.utils.translation import gettext_lazy as _

from . import vocabularies as voc
from .models import (
    Accessibility,
    ErrorReport,
    Label,
    LegalForm,
    PlaceStatus,
    PositionSource,
    Public,
    Service,
    Typology,
)


def _codes(model):
    return [(t.code, t.name) for t in model.objects.all()]


class PlaceForm(forms.Form):
    """The place's data as its managers edit it; validation and saving are done by `services`."""

    name = forms.CharField(label=_("Nom"), max_length=250)
    status = forms.ChoiceField(label=_("Statut"), choices=PlaceStatus.choices)
    summary = forms.CharField(
        label=_("Présentation courte"),
        max_length=280,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("280 caractères au plus."),
    )
    description = forms.CharField(
        label=_("Présentation détaillée"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    typologies = forms.MultipleChoiceField(
        label=_("Typologies"), required=False, widget=forms.CheckboxSelectMultiple
    )
    services = forms.MultipleChoiceField(
        label=_("Services"), required=False, widget=forms.CheckboxSelectMultiple
    )
    publics = forms.MultipleChoiceField(
        label=_("Publics spécifiquement accueillis"), required=False, widget=forms.CheckboxSelectMultiple
    )
    labels = forms.MultipleChoiceField(
        label=_("Labels et programmes"), required=False, widget=forms.CheckboxSelectMultiple
    )
    opening_hours = forms.CharField(
        label=_("Horaires d'ouverture"),
        required=False,
        max_length=1000,
        help_text=_(
            "Syntaxe OpenStreetMap, par exemple « Mo-Fr 09:00-12:00,14:00-18:00; Sa 09:00-12:00; PH off »."
        ),
    )
    opening_hours_notes = forms.CharField(
        label=_("Précisions sur les horaires"), required=False, max_length=500
    )
    address = forms.CharField(label=_("Adresse"), required=False, max_length=250)
    address_complement = forms.CharField(label=_("Complément d'adresse"), required=False, max_length=250)
    postal_code = forms.CharField(label=_("Code postal"), required=False, max_length=5)
    code_insee = forms.CharField(label=_("Code INSEE de la commune"), max_length=5)
    latitude = forms.FloatField(label=_("Latitude"), required=False)
    longitude = forms.FloatField(label=_("Longitude"), required=False)
    wheelchair = forms.ChoiceField(
        label=_("Accessibilité en fauteuil roulant"), choices=Accessibility.choices, required=False
    )
    accessibility_notes = forms.CharField(
        label=_("Précisions sur l'accessibilité"), required=False, max_length=500
    )
    accessibility_url = forms.CharField(
        label=_("Fiche Acceslibre (adresse web)"), required=False, max_length=500
    )
    access_modes = forms.MultipleChoiceField(
        label=_("Modalités d'accès"),
        choices=voc.ACCESS_MODES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    accompaniment_modes = forms.MultipleChoiceField(
        label=_("Modalités d'accompagnement"),
        choices=voc.ACCOMPANIMENT_MODES,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    fees = forms.MultipleChoiceField(
        label=_("Frais à charge"), choices=voc.FEES, required=False, widget=forms.CheckboxSelectMultiple
    )
    access_conditions = forms.CharField(
        label=_("Conditions d'accès"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    phone = forms.CharField(label=_("Téléphone"), required=False, max_length=30)
    emails = forms.CharField(label=_("Adresses e-mail"), required=False, help_text=_("Séparées par « | »."))
    websites = forms.CharField(label=_("Sites web"), required=False, help_text=_("Séparés par « | »."))
    booking_url = forms.CharField(label=_("Lien de prise de rendez-vous"), required=False, max_length=500)
    legal_form = forms.ChoiceField(
        label=_("Forme juridique"), choices=[("", "—"), *LegalForm.choices], required=False
    )
    siret = forms.CharField(label=_("SIRET"), required=False, max_length=20)
    parent_organisation = forms.CharField(
        label=_("Structure parente ou réseau"), required=False, max_length=250
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["typologies"].choices = _codes(Typology)
        self.fields["services"].choices = _codes(Service)
        self.fields["publics"].choices = _codes(Public)
        self.fields["labels"].choices = _codes(Label)

    @classmethod
    def initial_from(cls, data):
        initial = dict(data)
        initial["emails"] = " | ".join(data.get("emails") or [])
        initial["websites"] = " | ".join(data.get("websites") or [])
        return initial

    def to_data(self):
        data = dict(self.cleaned_data)
        for name in ("latitude", "longitude"):
            if data.get(name) is None:
                data[name] = None
        # Coordinates typed here are the team's: `services` keeps an unchanged position's own origin.
        data["position_source"] = PositionSource.TEAM
        return data

    def add_domain_errors(self, errors):
        for field, messages in errors.items():
            target = field if field in self.fields else None
            if field == "commune":
                target = "code_insee"
            for message in messages:
                self.add_error(target, message)


class ErrorReportForm(forms.Form):
    """The "Signaler une erreur" form of a place page; `website` is a trap for robots (hidden from people)."""

    kind = forms.ChoiceField(
        label=_("Qu'est-ce qui est inexact ?"),
        choices=ErrorReport.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Qu'est-ce qui est inexact ? : choisissez une réponse (horaires, adresse…)."),
            "invalid_choice": _("Qu'est-ce qui est inexact ? : choisissez une réponse de la liste."),
        },
    )
    message = forms.CharField(
        label=_("Votre message"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Ce qui est inexact et, si vous la connaissez, l'information juste (2000 caractères au plus)."
        ),
        error_messages={
            "required": _("Votre message : décrivez ce qui est inexact."),
            "max_length": _("Votre message : %(show_value)d caractères, %(limit_value)d au plus."),
        },
    )
    email = forms.EmailField(
        label=_("Votre adresse e-mail (facultatif)"),
        required=False,
        max_length=254,
        help_text=_(
            "Uniquement pour vous répondre : seuls les gérants de ce lieu et les administrateurs du réseau "
            "la verront."
        ),
        error_messages={
            "invalid": _("Votre adresse e-mail : adresse invalide (exemple : prenom.nom@exemple.fr)."),
            "max_length": _("Votre adresse e-mail : %(show_value)d caractères, %(limit_value)d au plus."),
        },
    )
    website = forms.CharField(label=_("Laissez ce champ vide"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    @property
    def is_robot(self):
        """The hidden field was filled in: a robot (people never see it)."""
        return bool(self.data.get("website", "").strip())
