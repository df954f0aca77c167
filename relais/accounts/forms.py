"""Forms of the account pages: opening an account (name, e-mail, password)."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.template.loader import render_to_string
from django.utils.translation import gettext_lazy as _

from relais.core import mail

from . import signup
from .security import may_send_anonymous_mail


class SignupForm(forms.Form):
    first_name = forms.CharField(
        label=_("Prénom"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Nom de famille"),
        max_length=150,
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    email = forms.EmailField(
        label=_("Adresse e-mail"),
        help_text=_(
            "Elle sert d'identifiant ; nous y envoyons un lien pour la confirmer, puis vos réservations."
        ),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Au moins 12 caractères ; une phrase de quelques mots fait un bon mot de passe."),
    )
    password2 = forms.CharField(
        label=_("Mot de passe, encore une fois"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    website = forms.CharField(label=_("Laissez ce champ vide"), required=False)  # a trap for robots

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"autocomplete": "off", "tabindex": "-1"})

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("les deux mots de passe ne sont pas identiques."))
        elif p1:
            from django.contrib.auth import get_user_model

            probe = get_user_model()(  # no username on this form: the address is compared as the address
                username="",
                email=data.get("email", ""),
                first_name=data.get("first_name", ""),
                last_name=data.get("last_name", ""),
            )
            try:
                password_validation.validate_password(p1, probe)
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data

    @property
    def is_robot(self):
        return bool(self.cleaned_data.get("website"))


class LoginForm(AuthenticationForm):
    """Login; an account not opened yet is told so, to the one who knows its password (who may ask for the
    link again, see the views)."""

    pending_user = None

    def clean(self):
        try:
            return super().clean()
        except forms.ValidationError:
            self.pending_user = signup.pending_account(
                self.cleaned_data.get("username"), self.cleaned_data.get("password")
            )
            if self.pending_user is not None:
                raise forms.ValidationError(
                    _(
                        "votre compte n'est pas encore ouvert : confirmez votre adresse e-mail en suivant le "
                        "lien que nous vous avons envoyé. Vous ne le trouvez pas ? Demandez-en un nouveau."
                    ),
                    code="pending",
                ) from None
            raise


class ResetForm(PasswordResetForm):
    """« Mot de passe oublié » also reaches an account whose address was never confirmed: it gets its
    confirmation link (its password works once the address is confirmed).

    The page answers the same, as fast, whether or not an account has the address: the e-mail leaves from
    the background task (`core.mail.send_later`), and past the caps on e-mails an anonymous form may
    trigger nothing leaves (security.MAIL_CAPS)."""

    def save(self, *args, request=None, **kwargs):
        if request is not None and not may_send_anonymous_mail(request, self.cleaned_data["email"]):
            return
        super().save(*args, request=request, **kwargs)
        if request is not None:
            for user in signup.pending_accounts_of(self.cleaned_data["email"]):
                signup.send_account_mail(request.build_absolute_uri, "pending", user)

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        mail.send_later(to_email, subject, render_to_string(email_template_name, context))
