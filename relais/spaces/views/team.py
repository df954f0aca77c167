"""The team's pages: the day's bookings of a place, checking people in and noting absences. Only the
place's team sees them; anyone else gets a 404."""

import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.core.errors import DomainError
from relais.places import tenancy
from relais.privacy.audit import Actor

from .. import services
from ..models import Booking, Resource
from ..services.hours import local_day_bounds
from .common import day_param, naive_local, next_url, visible_booking, with_local_times


def _staff_action(request, booking_id, operation, success, *, team_only=False):
    """`team_only`: an action only the place's team may take, so that the booked person gets the 404 anyone
    else gets (before any guard), not a refusal that tells what the page would do."""
    if team_only:
        booking = tenancy.get_for_team_or_404(
            Booking.objects.select_related("resource", "place__commune"), request.user, public_id=booking_id
        )
    else:
        booking = visible_booking(request, booking_id)
    tz = booking.place.timezone
    day = naive_local(booking.start, tz).date()
    default = reverse("spaces:place-bookings", args=[booking.place_id]) + "?" + urlencode({"jour": day})
    try:
        operation(Actor.from_request(request), booking)
    except DomainError as exc:
        messages.error(request, exc.message[:1].upper() + exc.message[1:])
    else:
        messages.success(request, success % {"p": booking.person_display, "r": booking.resource})
    return redirect(next_url(request, default))


@login_required
@require_POST
def check_in(request, booking_id):
    return _staff_action(request, booking_id, services.check_in, _("Présence pointée : %(p)s, « %(r)s »."))


@login_required
@require_POST
def no_show(request, booking_id):
    return _staff_action(
        request, booking_id, services.mark_no_show, _("Absence notée : %(p)s, « %(r)s »."), team_only=True
    )


@login_required
@require_POST
def undo_check_in(request, booking_id):
    """A mistaken check-in: the booking is confirmed again, with the reason given (logged)."""
    reason = request.POST.get("motif", "")[:300]
    return _staff_action(
        request,
        booking_id,
        lambda actor, booking: services.undo_check_in(actor, booking, reason=reason),
        _("Pointage annulé : %(p)s, « %(r)s »."),
        team_only=True,
    )


# --- Staff: the day's bookings of a place ------------------------------------------------------------


@login_required
def place_bookings(request, place_id):
    place = tenancy.get_place_for_team_or_404(request.user, place_id)
    tz = place.timezone
    today = timezone.now().astimezone(tz).date()
    day = day_param(request, today)
    start, end = local_day_bounds(day, day, tz)
    bookings = with_local_times(
        list(
            Booking.objects.filter(place=place, start__lt=end, end__gt=start)
            .select_related("resource", "person", "place__commune")
            .order_by("start", "resource__name", "id")
        )
    )
    now, actor = timezone.now(), Actor.from_request(request)
    for booking in bookings:  # the buttons that can work now, from the life cycle (the services check again)
        booking.actions = Booking.workflow.available(booking, actor, at=now)
    here = request.get_full_path()
    resources = list(Resource.objects.active().filter(place=place).order_by("name"))
    walk_ins = []
    if day == today:  # someone there without a booking: the slot of each resource that has started
        local_now = naive_local(now, tz)
        minutes = local_now.hour * 60 + local_now.minute
        for r in resources:
            g = r.granularity_minutes
            begin = (minutes // g) * g
            finish = min(begin + max(r.min_duration_minutes, g), 1440 - 1)
            query = {
                "date": today.isoformat(),
                "debut": f"{begin // 60:02d}:{begin % 60:02d}",
                "fin": f"{finish // 60:02d}:{finish % 60:02d}",
                "sur_place": "1",
            }
            walk_ins.append((r, reverse("spaces:book", args=[r.public_id]) + "?" + urlencode(query)))
    return render(
        request,
        "spaces/place_bookings.html",
        {
            "place": place,
            "day": day,
            "bookings": bookings,
            "resources": resources,
            "previous_url": "?" + urlencode({"jour": day - datetime.timedelta(days=1)}),
            "next_url": "?" + urlencode({"jour": day + datetime.timedelta(days=1)}),
            "today_url": "?" + urlencode({"jour": today}),
            "here": here,
            "walk_ins": walk_ins,
            "month_first": day.replace(day=1),
            "month_last": (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            - datetime.timedelta(days=1),
        },
    )
