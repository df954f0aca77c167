from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.core.errors import DomainError
from relais.privacy.audit import Actor

from . import signup
from .forms import LoginForm, SignupForm
from .models import DEFAULT_TOKEN_DAYS, TOKEN_LIFETIMES, ApiToken, Scope
from .security import may_send_anonymous_mail


@login_required
def tokens(request):
    raw = None
    if request.method == "POST":
        name = request.POST.get("name", "").strip()[:100]
        scopes = [s for s in request.POST.getlist("scopes") if s in Scope.values]
        days = request.POST.get("days", "")
        if not name:
            messages.error(request, _("Donnez un nom au jeton (par exemple, l'outil qui l'utilisera)."))
        elif not scopes:
            messages.error(request, _("Cochez au moins une chose que le jeton permet."))
        elif not days.isdigit() or int(days) not in TOKEN_LIFETIMES:
            messages.error(request, _("Choisissez une durée de validité dans la liste."))
        else:
            _token, raw = ApiToken.issue(request.user, name, scopes=scopes, days=int(days))
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": request.user.api_tokens.active(),
            "raw_token": raw,
            "scopes": Scope.choices,
            "lifetimes": TOKEN_LIFETIMES,
            "default_days": DEFAULT_TOKEN_DAYS,
        },
    )


@login_required
@require_POST
def revoke_token(request, token_id):
    token = get_object_or_404(request.user.api_tokens.active(), public_id=token_id)
    token.revoke()
    messages.success(request, _("Le jeton a été révoqué."))
    return redirect("accounts:tokens")


# --- Opening an account -------------------------------------------------------------------------------


def _safe_next(request):
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return ""


def signup_view(request):
    """Create an account (name, e-mail, password); it opens once the address is confirmed."""
    if request.user.is_authenticated:
        return redirect(_safe_next(request) or "accounts:dashboard")
    next_url = _safe_next(request)
    if request.method == "POST":
        form = SignupForm(request.POST)
        if form.is_valid():
            email = form.cleaned_data["email"]
            # A robot sees the same page, and nothing is created; past the caps on e-mails an anonymous
            # form may trigger, the page is the same too and nothing leaves (security.MAIL_CAPS).
            if not form.is_robot and may_send_anonymous_mail(request, email):
                kind, user = signup.request_account(
                    first_name=form.cleaned_data["first_name"],
                    last_name=form.cleaned_data["last_name"],
                    email=email,
                    password=form.cleaned_data["password1"],
                    actor=Actor.from_request(request),
                )
                transaction.on_commit(
                    lambda: signup.send_account_mail(request.build_absolute_uri, kind, user, next_url)
                )
            request.session["signup_email"] = email
            return redirect("accounts:signup-sent")
    else:
        form = SignupForm()
    return render(request, "accounts/signup.html", {"form": form, "next": next_url})


def signup_sent(request):
    return render(request, "accounts/signup_sent.html", {"email": request.session.get("signup_email", "")})


def activate(request, uidb64, token):
    """The link of the confirmation e-mail: the account opens and its owner is logged in (the first time)."""
    try:
        user, first_time = signup.activate(uidb64, token, actor=Actor.from_request(request))
    except DomainError as exc:
        messages.error(request, exc.message[:1].upper() + exc.message[1:])
        return redirect("accounts:login")
    if not first_time:
        messages.info(request, _("Votre compte est déjà ouvert : connectez-vous."))
        return redirect("accounts:login")
    login(request, user, backend="relais.accounts.backends.UsernameOrEmailBackend")
    messages.success(request, _("Votre adresse est confirmée : votre compte est ouvert."))
    return redirect(_safe_next(request) or "spaces:index")


# The account whose password was just given right but whose address is not confirmed yet: the only one
# « resend the link » sends to (nothing else tells who has an account).
PENDING_SESSION_KEY = "accounts_pending_user"


class LoginView(auth_views.LoginView):
    """The login page; an account whose address is not confirmed yet is told so and offered its link
    again (only when the password is right)."""

    template_name = "accounts/login.html"
    form_class = LoginForm

    def form_invalid(self, form):
        if form.pending_user is not None:
            self.request.session[PENDING_SESSION_KEY] = form.pending_user.pk
        return super().form_invalid(form)


@require_POST
def resend_activation(request):
    """Send the confirmation link again to the account the login page has just recognised."""
    user_id = request.session.pop(PENDING_SESSION_KEY, None)
    user = signup.pending_user(user_id)
    if user is not None and not may_send_anonymous_mail(request, user.email):
        messages.error(
            request,
            _(
                "Plusieurs liens sont déjà partis vers votre adresse : regardez votre messagerie, ou "
                "réessayez dans une heure."
            ),
        )
    elif signup.resend_link(request.build_absolute_uri, user_id, _safe_next(request)):
        messages.success(
            request, _("Un nouveau lien de confirmation vient de partir : regardez votre messagerie.")
        )
    return redirect("accounts:login")
