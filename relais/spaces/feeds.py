"""iCalendar feeds and exports of a place's resources and bookings.

- `/espaces/calendrier/<secret>.ics`: a person's bookings, behind a secret address a calendar application
  subscribes to (no login there). The secret is issued on demand (`issue_feed_token`), only its SHA-256 is
  stored, and issuing a new one or `revoke_feed_tokens` ends the old address.
- `/espaces/ressources/<id>/calendrier.ics`: a resource's bookings, for the team of its place.
- `/espaces/lieux/<place_id>/export/disponibilites.csv|.ods?semaine=AAAA-MM-JJ` and
  `/espaces/lieux/<place_id>/export/occupation.csv|.ods?du=AAAA-MM-JJ&au=AAAA-MM-JJ`: for the team.

Whatever a person may not see answers 404, as if it did not exist.
"""

import datetime

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from relais.accounts.models import hash_secret, new_secret
from relais.places import tenancy

from . import exports, ical
from .models import Booking, CalendarFeedToken, Resource
from .services import bounds

# How far back the feeds go: calendar applications keep what they already have.
FEED_PAST_DAYS = 90
FEED_CACHE_SECONDS = 300
CALENDAR_CONTENT_TYPE = "text/calendar; charset=utf-8"
CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "ods": "application/vnd.oasis.opendocument.spreadsheet",
}


# --- Secrets of the personal feeds ------------------------------------------------------------------


def issue_feed_token(user):
    """A new secret for the user's feed (the previous ones revoked); returns the raw secret, shown once."""
    raw, key_hash = new_secret()
    with transaction.atomic():
        revoke_feed_tokens(user)
        CalendarFeedToken.objects.create(user=user, key_hash=key_hash, prefix=raw[:8])
    return raw


def revoke_feed_tokens(user):
    """Ends every feed address of the user; returns how many were active."""
    return CalendarFeedToken.objects.filter(user=user, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


def feed_url(raw):
    return reverse("spaces:personal_feed", args=[raw])


def resource_feed_url(raw, resource):
    """The staff feed of a resource, for calendar applications (no session): the secret of a member of
    the place's team."""
    return reverse("spaces:resource_feed_secret", args=[raw, resource.public_id])


def user_for_feed_token(raw):
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(key_hash=hash_secret(raw or ""), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=timezone.now())
    return token.user


# --- Feeds ------------------------------------------------------------------------------------------


def _calendar_response(data, filename):
    response = HttpResponse(data, content_type=CALENDAR_CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = f"private, max-age={FEED_CACHE_SECONDS}"
    return response


def _feed_bookings():
    since = timezone.now() - datetime.timedelta(days=FEED_PAST_DAYS)
    return Booking.objects.filter(end__gte=since).select_related("resource", "place__commune", "person")


@require_GET
def personal_feed(request, token):
    user = user_for_feed_token(token)
    if user is None:
        raise Http404(_("adresse de calendrier inconnue ou révoquée."))
    bookings = _feed_bookings().filter(person=user).order_by("start", "id")
    response = _calendar_response(ical.calendar(bookings, "Mes réservations — Relais"), "reservations.ics")
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
@login_required
def resource_feed(request, resource_id):
    resource = tenancy.get_for_team_or_404(
        Resource.objects.select_related("place__commune"), request.user, public_id=resource_id
    )
    bookings = _feed_bookings().filter(resource=resource).order_by("start", "id")
    name = f"{resource.name} — {resource.place.name}"
    return _calendar_response(
        ical.calendar(bookings, name, for_team=True), f"ressource-{resource.public_id}.ics"
    )


@require_GET
def resource_feed_by_secret(request, token, resource_id):
    """The same feed as `resource_feed`, for a calendar application: the secret of someone of the team."""
    user = user_for_feed_token(token)
    resource = (
        Resource.objects.for_team(user).select_related("place__commune").filter(public_id=resource_id).first()
    )
    if user is None or resource is None:
        raise Http404(_("adresse de calendrier inconnue ou révoquée."))
    bookings = _feed_bookings().filter(resource=resource).order_by("start", "id")
    name = f"{resource.name} — {resource.place.name}"
    response = _calendar_response(
        ical.calendar(bookings, name, for_team=True), f"ressource-{resource.public_id}.ics"
    )
    response["X-Robots-Tag"] = "noindex"
    return response


# --- Exports ----------------------------------------------------------------------------------------


def _date(request, name):
    """The date of a query parameter; None when invalid or more than ten years away from today (a typed
    address cannot ask for year 9999)."""
    value = request.GET.get(name, "").strip()
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return None
    return day if bounds.within_reach(day, timezone.localdate()) else None


def _bad_request(message):
    return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")


def _export_response(data, fmt, filename):
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


def _team_place(request, place_id):
    return tenancy.get_place_for_team_or_404(request.user, place_id)


@require_GET
@login_required
def availability_export(request, place_id, fmt):
    place = _team_place(request, place_id)
    if request.GET.get("semaine"):
        week = _date(request, "semaine")
        if week is None:
            return _bad_request(
                _(
                    "Semaine invalide : indiquez une date au format AAAA-MM-JJ (ex. 2026-03-02), à moins de "
                    "%(years)s ans d'aujourd'hui."
                )
                % {"years": bounds.MAX_YEARS_AWAY}
            )
    else:
        week = timezone.localtime(timezone.now(), place.timezone).date()
    monday = exports.week_start(week)
    write = exports.availability_csv if fmt == "csv" else exports.availability_ods
    return _export_response(write(place, monday), fmt, f"disponibilites-{monday.isoformat()}")


@require_GET
@login_required
def occupancy_export(request, place_id, fmt):
    place = _team_place(request, place_id)
    first, last = _date(request, "du"), _date(request, "au")
    if first is None or last is None:
        return _bad_request(
            _(
                "Période invalide : indiquez ?du=AAAA-MM-JJ&au=AAAA-MM-JJ (ex. du=2026-03-01&au=2026-03-31), "
                "à moins de %(years)s ans d'aujourd'hui."
            )
            % {"years": bounds.MAX_YEARS_AWAY}
        )
    if last < first:
        return _bad_request(_("Période invalide : la date de fin précède la date de début."))
    if (last - first).days + 1 > exports.MAX_OCCUPANCY_DAYS:
        return _bad_request(
            _("Période trop longue : %(days)s jours au plus.") % {"days": exports.MAX_OCCUPANCY_DAYS}
        )
    write = exports.occupancy_csv if fmt == "csv" else exports.occupancy_ods
    return _export_response(
        write(place, first, last), fmt, f"occupation-{first.isoformat()}-{last.isoformat()}"
    )


def _formats(pattern, view, name):
    return [path(f"{pattern}.{fmt}", view, {"fmt": fmt}, name=f"{name}_{fmt}") for fmt in ("csv", "ods")]


urlpatterns = [
    path("calendrier/<str:token>.ics", personal_feed, name="personal_feed"),
    path("ressources/<uuid:resource_id>/calendrier.ics", resource_feed, name="resource_feed"),
    path(
        "calendrier/<str:token>/ressources/<uuid:resource_id>.ics",
        resource_feed_by_secret,
        name="resource_feed_secret",
    ),
    *_formats("lieux/<uuid:place_id>/export/disponibilites", availability_export, "availability_export"),
    *_formats("lieux/<uuid:place_id>/export/occupation", occupancy_export, "occupancy_export"),
]
