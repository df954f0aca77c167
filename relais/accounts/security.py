"""What protects the accounts beyond the password: who must use a second factor, the lock-out's view of an
attempt (django-axes), caps on the e-mails anonymous forms can trigger, and the idle expiry of the team's
sessions. The pages of the second factor are in `two_factor.py`."""

import datetime

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from relais.core import ratelimit
from relais.privacy.audit import Actor

from .models import PlaceRole

Role = PlaceRole.Role
# The roles that reach other people's data or the back office: a second factor is required (optional for
# members, volunteers included until their app holds beneficiaries' files).
SECOND_FACTOR_ROLES = {Role.MANAGER, Role.STAFF, Role.PARTNER, Role.DPO}


def requires_second_factor(user):
    """True for the accounts that must log in with a second factor."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or user.is_staff or getattr(user, "is_network_admin", False):
        return True
    return PlaceRole.objects.filter(user=user, role__in=SECOND_FACTOR_ROLES).exists()


# --- django-axes ------------------------------------------------------------------------------------


def axes_username(request, credentials):
    """The identifier an attempt is counted under: the one typed, whatever its case."""
    credentials = credentials or {}
    value = credentials.get("username") or (request.POST.get("username") if request is not None else "")
    return (value or "").strip().lower()


def client_ip(request):
    """The client's address, as the audit trail records it (X-Forwarded-For only behind a trusted proxy)."""
    return Actor.from_request(request).ip_address


# --- E-mails triggered by anonymous forms -----------------------------------------------------------

HOUR = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)
MAIL_CAPS = (  # (bucket, what is counted, limit, per)
    ("mail-address-hour", "address", 3, HOUR),
    ("mail-address-day", "address", 6, DAY),
    ("mail-ip-hour", "ip", 10, HOUR),
    ("mail-ip-day", "ip", 30, DAY),
)


def may_send_anonymous_mail(request, address):
    """Count an e-mail an anonymous form wants to send to `address` and say whether it may leave.

    The caller says nothing different on the page when it may not (the page must not tell whether an
    account exists): the person who really asked finds the earlier e-mail, or asks again later."""
    ip = client_ip(request) or "inconnue"
    allowed = True
    for bucket, counted, limit, per in MAIL_CAPS:
        key = address.strip().lower() if counted == "address" else ip
        allowed = ratelimit.allow(bucket, key, limit=limit, per=per) and allowed
    return allowed


# --- Idle expiry of the team's sessions ---------------------------------------------------------------

LAST_SEEN_KEY = "relais_last_seen"
TEAM_KEY = "relais_team_session"  # [user id, whether the account must use a second factor]


def staff_idle_limit():
    return datetime.timedelta(minutes=getattr(settings, "RELAIS_STAFF_IDLE_MINUTES", 30))


class IdleTimeoutMiddleware:
    """Logs out an account that must use a second factor after RELAIS_STAFF_IDLE_MINUTES without a request
    (a session left open on the desk's computer); members keep their session (SESSION_COOKIE_AGE)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and self.is_team(request, user):
            now = timezone.now().timestamp()
            last_seen = request.session.get(LAST_SEEN_KEY)
            if last_seen is not None and now - last_seen > staff_idle_limit().total_seconds():
                logout(request)
                messages.info(
                    request,
                    _(
                        "Votre session s'est fermée après %(minutes)s minutes sans activité : "
                        "reconnectez-vous."
                    )
                    % {"minutes": int(staff_idle_limit().total_seconds() // 60)},
                )
                return redirect(
                    reverse("accounts:login") + "?" + urlencode({"next": request.get_full_path()})
                )
            if last_seen is None or now - last_seen > 60:  # write the session at most once a minute
                request.session[LAST_SEEN_KEY] = now
        return self.get_response(request)

    @staticmethod
    def is_team(request, user):
        """requires_second_factor, worked out once per session (no query on each request)."""
        known = request.session.get(TEAM_KEY)
        if known and known[0] == user.pk:
            return known[1]
        team = requires_second_factor(user)
        request.session[TEAM_KEY] = [user.pk, team]
        return team


def lockout_response(request, original_response, credentials):
    """django-axes' answer to a locked-out attempt: a French page (429) saying for how long and what to do;
    the API gets the shared JSON error."""
    from django.shortcuts import render

    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        detail = _("Trop d'essais manqués depuis votre adresse : réessayez dans %(minutes)s minutes.") % {
            "minutes": minutes
        }
        return JsonResponse({"detail": detail, "field": None, "code": "too_many"}, status=429)
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "accounts/locked_out.html", context, status=429)


def on_login(sender, request, user, **kwargs):
    """At login, note once whether the session is a team's (the idle expiry reads it on each request)."""
    if request is not None and hasattr(request, "session"):
        request.session[TEAM_KEY] = [user.pk, requires_second_factor(user)]
        request.session[LAST_SEEN_KEY] = timezone.now().timestamp()
