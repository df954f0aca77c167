"""The second factor (django-otp): a TOTP application on the phone (Aegis, FreeOTP, Google Authenticator…)
with ten single-use recovery codes for the day the phone is lost. Required for the accounts of
`security.requires_second_factor` — in the site's pages and in the Django admin alike —, optional for the
others, who can turn it on from their account.

`SecondFactorMiddleware` sends a logged-in account that must use a second factor (or has turned one on)
to set it up or to give a code before anything else; django-otp's `OTPMiddleware` tells it whether the
session is verified."""

from base64 import b32encode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django_otp import devices_for_user, user_has_device
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from relais.privacy.audit import Actor, AuditAction, record

from .security import requires_second_factor

RECOVERY_CODES = 10
SETUP_SESSION_KEY = "relais_totp_setup"
# What an unverified session may still reach: the second factor's own pages, logging out, static files.
OPEN_PREFIXES = ("/static/", "/sante/", "/i18n/", "/carte/", "/favicon")
OPEN_URL_NAMES = ("accounts:second-factor-setup", "accounts:second-factor-verify", "accounts:logout")


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code à 6 chiffres (ou un code de secours)"),
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self):
        return "".join(self.cleaned_data["code"].split()).lower()


def _next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("accounts:dashboard")


def _open_path(request):
    if request.path.startswith(OPEN_PREFIXES):
        return True
    return any(request.path == reverse(name) for name in OPEN_URL_NAMES)


class SecondFactorMiddleware:
    """After django_otp.middleware.OTPMiddleware."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not user.is_verified() and not _open_path(request):
            if user_has_device(user):
                target = "accounts:second-factor-verify"
            elif requires_second_factor(user):
                target = "accounts:second-factor-setup"
            else:
                return self.get_response(request)
            return redirect(reverse(target) + "?" + urlencode({"next": request.get_full_path()}))
        return self.get_response(request)


def new_recovery_codes(user):
    """Replace the account's recovery codes by ten new ones; returns them (shown once)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery")
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
    return codes


def set_recovery_codes(user, codes):
    """Give the account exactly these recovery codes (the demo's published ones: `places.demo`)."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="recovery")
    known = set(device.token_set.values_list("token", flat=True))
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes if c not in known])


def _pending_device(request):
    """The TOTP device being set up in this session (created unconfirmed on first visit)."""
    device = None
    device_id = request.session.get(SETUP_SESSION_KEY)
    if device_id:
        device = TOTPDevice.objects.filter(pk=device_id, user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="application", confirmed=False)
        request.session[SETUP_SESSION_KEY] = device.pk
    return device


def _grouped(secret):
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@login_required
def setup(request):
    """Scan the QR code with an application, type the code it shows: the factor is on, here are the codes."""
    if user_has_device(request.user) and not request.user.is_verified():
        return redirect(reverse("accounts:second-factor-verify") + "?" + urlencode({"next": _next(request)}))
    device = _pending_device(request)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                TOTPDevice.objects.filter(user=request.user, confirmed=True).delete()
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                codes = new_recovery_codes(request.user)
                record(
                    Actor.from_request(request),
                    AuditAction.UPDATE,
                    request.user,
                    changes={"second_factor": [None, "totp"]},
                )
            request.session.pop(SETUP_SESSION_KEY, None)
            otp_login(request, device)
            return render(
                request, "accounts/second_factor_codes.html", {"codes": codes, "next": _next(request)}
            )
        form.add_error(
            "code", _("ce code ne correspond pas : vérifiez l'heure du téléphone et tapez le code affiché.")
        )
    secret = b32encode(device.bin_key).decode()
    return render(
        request,
        "accounts/second_factor_setup.html",
        {
            "form": form,
            "config_url": device.config_url,
            "secret": _grouped(secret),
            "required": requires_second_factor(request.user),
            "next": _next(request),
        },
    )


@login_required
def verify(request):
    """The second step of a login: a code of the application, or one recovery code (used once)."""
    if request.user.is_verified():
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = _matching_device(request.user, form)
        if device is not None:
            otp_login(request, device)
            if isinstance(device, StaticDevice):
                left = device.token_set.count()
                messages.warning(
                    request,
                    ngettext(
                        "Code de secours utilisé : il vous en reste %(left)s. Créez-en de "
                        "nouveaux depuis votre compte.",
                        "Code de secours utilisé : il vous en reste %(left)s. Créez-en de "
                        "nouveaux depuis votre compte.",
                        left,
                    )
                    % {"left": left},
                )
            return redirect(_next(request))
    return render(request, "accounts/second_factor_verify.html", {"form": form, "next": _next(request)})


@transaction.atomic  # the devices are locked while a code is checked (django-otp: select_for_update)
def _matching_device(user, form):
    """The device that accepts the form's code, or None with the reason added to the form."""
    code = form.cleaned_data["code"]
    for device in devices_for_user(user, for_verify=True):
        allowed, _data = device.verify_is_allowed()
        if not allowed:
            form.add_error(
                "code", _("trop de codes faux à la suite : patientez une minute avant de réessayer.")
            )
            return None
        if device.verify_token(code):
            return device
    form.add_error("code", _("ce code n'est pas le bon, ou il a expiré : tapez le code affiché maintenant."))
    return None


@login_required
@require_POST
def regenerate_codes(request):
    codes = new_recovery_codes(request.user)
    record(
        Actor.from_request(request),
        AuditAction.UPDATE,
        request.user,
        changes={"recovery_codes": [None, "new"]},
    )
    return render(
        request, "accounts/second_factor_codes.html", {"codes": codes, "next": reverse("accounts:dashboard")}
    )


@login_required
@require_POST
def disable(request):
    """Members may turn the second factor off; the accounts that require it may not."""
    if requires_second_factor(request.user):
        messages.error(
            request, _("Votre rôle demande une double authentification : elle ne peut pas être retirée.")
        )
        return redirect("accounts:dashboard")
    with transaction.atomic():
        for device in devices_for_user(request.user, confirmed=None):
            device.delete()
        record(
            Actor.from_request(request),
            AuditAction.UPDATE,
            request.user,
            changes={"second_factor": ["totp", None]},
        )
    messages.success(request, _("La double authentification est retirée de votre compte."))
    return redirect("accounts:dashboard")
