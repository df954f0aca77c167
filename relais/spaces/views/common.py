"""What the pages of the spaces app share: reading the query string, local times, scoped fetches."""

import datetime

from django.utils.http import url_has_allowed_host_and_scheme

from relais.places import tenancy
from relais.places.models import Place

from ..models import POOLED_KINDS, Booking
from ..services.bounds import within_reach
from ..wording import period_text


def naive_local(moment, tz):
    """The wall-clock time of the place, naive: templates show it as is (no conversion to Paris)."""
    return moment.astimezone(tz).replace(tzinfo=None)


def day_param(request, default):
    """The `jour` of the URL, or `default` (today) when it is missing, invalid or more than ten years away:
    days that far are not shown, nor computed (a typed URL cannot reach year 9999)."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("jour", ""))
    except ValueError:
        return default
    return day if within_reach(day, default) else default


def next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def visible_places():
    return Place.objects.visible().select_related("commune")


def with_local_times(bookings):
    for booking in bookings:
        tz = booking.place.timezone
        booking.local_start = naive_local(booking.start, tz)
        booking.local_end = naive_local(booking.end, tz)
        booking.same_day = booking.local_start.date() == booking.local_end.date()
    return bookings


def booking_period(booking, tz):
    return period_text(booking.start, booking.end, tz)


def is_pooled(resource):
    return resource.kind in POOLED_KINDS and resource.capacity > 1


def visible_booking(request, booking_id):
    """A booking of the user's own or of a place whose team they belong to, else 404."""
    return tenancy.get_for_team_or_404(
        Booking.objects.select_related("resource", "place__commune"),
        request.user,
        person=True,
        public_id=booking_id,
    )
