"""A person typed in a form by the team of a place (an identifier or an e-mail address) — resolved among the
people *known to that place* only (`relais.places.tenancy.find_known_person`), never among the instance's
accounts: the forms never list accounts, and an address that has an account elsewhere gets the same answer
as one that has none (no e-mail oracle)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

UNKNOWN_PERSON = _(
    "personne inconnue du lieu : « %(value)s » n'est ni adhérent, ni de l'équipe, ni déjà venu. Vérifiez "
    "l'identifiant ou l'adresse e-mail, ou enregistrez la personne avec son nom et un contact."
)


class AccountField(forms.CharField):
    """An account typed as its identifier or e-mail address. Cleans to the typed text: the form resolves it
    with the place (`resolve_person`), once the place is known."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "help_text",
            _("L'identifiant ou l'adresse e-mail de la personne (adhérente, de l'équipe ou déjà venue)."),
        )
        super().__init__(**kwargs)

    def prepare_value(self, value):
        User = get_user_model()
        if isinstance(value, User):
            return value.get_username()
        if isinstance(value, int) or (isinstance(value, str) and value.isdigit()):
            user = User.objects.filter(pk=value).first()
            return user.get_username() if user else value
        return value


def resolve_person(form, field, place, find):
    """Replace the typed text of `field` by the account `find(text, place)` returns, or put the one message
    that says the person is unknown to the place."""
    value = form.cleaned_data.get(field)
    if not value:
        form.cleaned_data[field] = None
        return None
    user = find(value, place) if place is not None else None
    if user is None:
        form.add_error(field, forms.ValidationError(UNKNOWN_PERSON, code="unknown", params={"value": value}))
        return None
    form.cleaned_data[field] = user
    return user
