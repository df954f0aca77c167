"""Finding an account from what a person types (an identifier or an e-mail address), for the forms where
the team names someone — without listing the accounts of the instance."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def find_account(value):
    """The one active account whose identifier or e-mail address is `value` (any case), else None."""
    value = (value or "").strip()
    if not value:
        return None
    matches = list(
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(username__iexact=value) | Q(email__iexact=value))[:2]
    )
    return matches[0] if len(matches) == 1 else None


class AccountField(forms.CharField):
    """An account typed as its identifier or e-mail address; cleans to a User (or None when empty)."""

    default_error_messages = {
        "unknown": _(
            "aucun compte (ou plusieurs) ne correspond à « %(value)s » : vérifiez l'identifiant ou l'adresse "
            "e-mail."
        )
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 254)
        kwargs.setdefault(
            "help_text", _("L'identifiant ou l'adresse e-mail de la personne (elle doit avoir un compte).")
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

    def clean(self, value):
        value = super().clean(value)
        if not value:
            return None
        user = find_account(value)
        if user is None:
            raise forms.ValidationError(
                self.error_messages["unknown"], code="unknown", params={"value": value}
            )
        return user
