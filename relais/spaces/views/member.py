"""The pages of a person with an account: booking (once, weekly, or a place on the waiting list), their
bookings, changing and cancelling one (the team uses the same pages for anyone's), their calendar feed.

The views parse the forms, call the domain services and turn a `DomainError` into a form error next to the
field it names (or a message). No booking rule is checked here.
"""

import contextlib
import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from relais.core.errors import DomainError
from relais.core.forms import add_domain_error
from relais.members import services as members
from relais.places import tenancy
from relais.places.models import Place
from relais.privacy.audit import Actor, AuditAction, record

from .. import feeds, services
from ..enums import Audience, BookingStatus, PriceUnit, WaitlistStatus
from ..forms import FIELD_MAP, BookingForm, CancelForm, ChangeForm
from ..models import Booking, CalendarFeedToken, Resource, WaitlistEntry
from ..wording import duration_text, price_text
from .common import booking_period, is_pooled, naive_local, next_url, visible_booking, with_local_times

# Rows of "my bookings" shown at most.
MAX_UPCOMING = 200
MAX_PAST = 50


def LONG_MOMENT():  # noqa: N802 (a constant, translated at call time)
    # Translators: Django date format of a day and time; escape letters with a backslash ("\a\t").
    return _("l j F Y à H:i")


def _initial_from_query(request):
    initial = {}
    for key, name, parse in (
        ("date", "date", datetime.date.fromisoformat),
        ("date_fin", "end_date", datetime.date.fromisoformat),
        ("debut", "start_time", datetime.time.fromisoformat),
        ("fin", "end_time", datetime.time.fromisoformat),
    ):
        with contextlib.suppress(ValueError):
            initial[name] = parse(request.GET.get(key, ""))
    with contextlib.suppress(ValueError):
        initial["quantity"] = max(1, int(request.GET.get("quantite", "")))
    return initial


def price_lines(resource):
    """The resource's prices in words, e.g. « 5,00 € de l'heure (adhérents) »."""
    lines = []
    rules = sorted(resource.price_rules.all(), key=lambda r: (list(Audience).index(r.audience), r.unit))
    for rule in rules:
        audience = "" if rule.audience == Audience.ALL else f" ({rule.get_audience_display()})"
        if rule.unit == PriceUnit.FREE:
            lines.append(_("Gratuit%(audience)s.") % {"audience": audience})
        else:
            lines.append(
                _("%(price)s %(unit)s%(audience)s.")
                % {
                    "price": price_text(rule.amount_cents),
                    "unit": rule.get_unit_display(),
                    "audience": audience,
                }
            )
    return lines


def _policy_notice(resource, user, staff, tz):
    """Why the user cannot book this resource online at all (None if they may try), as a sentence."""
    periods = members.membership_days(resource.place, user)
    today = timezone.now().astimezone(tz).date()
    error = services.refusal(resource, staff=staff, membership=periods, today=today)
    return None if error is None else error.message[:1].upper() + error.message[1:]


def _late_warning(resource, start, staff):
    """The sentence that warns, before confirming, that the booking could not be cancelled online (its
    cancellation deadline is already past), or None."""
    if staff or start is None or not services.too_late_to_cancel_online(resource, start, timezone.now()):
        return None
    return _(
        # Translators: %(delay)s is a duration, e.g. « 1 jour »
        "Cette réservation ne pourra pas être annulée en ligne : le délai d'annulation (%(delay)s avant) "
        "est déjà passé."
    ) % {"delay": duration_text(resource.cancellation_deadline_minutes)}


@login_required
def book(request, resource_id):
    resource = get_object_or_404(
        Resource.objects.active().select_related("place__commune").filter(place__in=Place.objects.visible()),
        public_id=resource_id,
    )
    place = resource.place
    tz = place.timezone
    staff = services.is_place_staff(request.user, place)
    conflicts, offer_waitlist, offer_extra, late_warning, confirm_late = None, False, False, None, False
    if request.method == "POST":
        form = BookingForm(request.POST, resource=resource, staff=staff)
        if form.is_valid():
            late_warning = _late_warning(resource, form.start(), staff)
            # Warned before confirming: the person books again, knowing it (or joins the waiting list).
            confirm_late = bool(
                late_warning
                and not request.POST.get("sans_annulation")
                and not request.POST.get("liste_attente")
            )
        if form.is_valid() and not confirm_late:
            actor = Actor.from_request(request)
            data = form.cleaned_data
            try:
                if request.POST.get("liste_attente") and not data["repeat"]:
                    entry = services.join_waitlist(
                        actor,
                        resource,
                        form.start(),
                        form.end(),
                        quantity=form.get_quantity(),
                        **form.person_kwargs(),
                    )
                    messages.success(
                        request,
                        _(
                            "Inscription sur la liste d'attente de « %(r)s » le %(d)s : si une place se "
                            "libère, elle vous sera proposée."
                        )
                        % {
                            "r": resource,
                            "d": formats.date_format(naive_local(entry.start, tz), LONG_MOMENT()),
                        },
                    )
                    return redirect("spaces:my-bookings")
                if data["repeat"]:
                    result = services.book_series(
                        actor,
                        resource,
                        form.start(),
                        form.end(),
                        data["until"],
                        quantity=form.get_quantity(),
                        skip_conflicts=data["skip_conflicts"],
                        notes=data.get("notes", ""),
                        **form.person_kwargs(),
                    )
                    text = ngettext(
                        "Série réservée : %(n)s réservation de « %(r)s ».",
                        "Série réservée : %(n)s réservations de « %(r)s ».",
                        len(result.bookings),
                    ) % {"n": len(result.bookings), "r": resource}
                    if result.skipped:
                        text += " " + ngettext(
                            "%(n)s date en conflit n'a pas été réservée.",
                            "%(n)s dates en conflit n'ont pas été réservées.",
                            len(result.skipped),
                        ) % {"n": len(result.skipped)}
                    booking = result.bookings[0]
                else:
                    booking = services.book(
                        actor,
                        resource,
                        form.start(),
                        form.end(),
                        quantity=form.get_quantity(),
                        notes=data.get("notes", ""),
                        extra_seats=data.get("extra_seats", False),
                        walk_in=data.get("walk_in", False),
                        **form.person_kwargs(),
                    )
                    text = _("Réservation confirmée : « %(r)s », %(when)s.") % {
                        "r": resource,
                        "when": booking_period(booking, tz),
                    }
            except services.SeriesConflict as exc:
                conflicts = [
                    {"start": naive_local(c.start, tz), "end": naive_local(c.end, tz), "message": c.message}
                    for c in exc.conflicts
                ]
                form.add_error(
                    "skip_conflicts",
                    ngettext(
                        "%(n)s date de la série ne peut pas être réservée (liste ci-dessous) : rien n'a été "
                        "réservé. Cochez cette case pour réserver les autres dates.",
                        "%(n)s dates de la série ne peuvent pas être réservées (liste ci-dessous) : rien n'a "
                        "été réservé. Cochez cette case pour réserver les autres dates.",
                        len(conflicts),
                    )
                    % {"n": len(conflicts)},
                )
            except DomainError as exc:
                add_domain_error(form, exc, FIELD_MAP)
                offer_waitlist = exc.code in ("overlap", "capacity") and not data["repeat"]
                offer_extra = exc.code == "duplicate"
            else:
                messages.success(request, text)
                if staff and booking.person_id != request.user.pk:
                    day = naive_local(booking.start, tz).date()
                    return redirect(
                        reverse("spaces:place-bookings", args=[place.pk]) + "?" + urlencode({"jour": day})
                    )
                return redirect("spaces:my-bookings")
    else:
        initial = _initial_from_query(request)
        if staff and request.GET.get("sur_place"):
            initial["walk_in"] = True
        form = BookingForm(initial=initial, resource=resource, staff=staff)
        # « complet » on the availability page leads here: the waiting list for that slot.
        offer_waitlist = bool(request.GET.get("attente"))
        if "date" in initial and "start_time" in initial:
            late_warning = _late_warning(
                resource, datetime.datetime.combine(initial["date"], initial["start_time"]), staff
            )
    return render(
        request,
        "spaces/book.html",
        {
            "blocked": _policy_notice(resource, request.user, staff, tz),
            "price_lines": price_lines(resource),
            "cancellation_text": duration_text(resource.cancellation_deadline_minutes),
            "durations": {
                "min": duration_text(resource.min_duration_minutes),
                "max": duration_text(resource.max_duration_minutes),
                "step": duration_text(resource.granularity_minutes),
            },
            "form": form,
            "resource": resource,
            "place": place,
            "staff": staff,
            "conflicts": conflicts,
            "offer_waitlist": offer_waitlist,
            "offer_extra": offer_extra,
            "late_warning": late_warning,
            "confirm_late": confirm_late,
            "late_confirmed": request.method == "POST" and bool(request.POST.get("sans_annulation")),
            "pooled": is_pooled(resource),
        },
    )


# --- My bookings ----------------------------------------------------------------------------------


def _calendar_url():
    try:
        return reverse("spaces:my-calendar")
    except NoReverseMatch:
        return None


@login_required
def my_bookings(request):
    now = timezone.now()
    mine = Booking.objects.filter(person=request.user).select_related("resource", "place__commune")
    coming = mine.filter(end__gte=now).order_by("start", "id")
    upcoming = with_local_times(list(coming.exclude(status=BookingStatus.CANCELLED)[:MAX_UPCOMING]))
    cancelled = with_local_times(list(coming.filter(status=BookingStatus.CANCELLED)[:MAX_PAST]))
    past = with_local_times(list(mine.filter(end__lt=now).order_by("-start", "-id")[:MAX_PAST]))
    waiting = list(
        WaitlistEntry.objects.filter(
            person=request.user,
            status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED),
            start__gte=now,
        )
        .select_related("resource", "place__commune")
        .order_by("start")[:MAX_PAST]
    )
    with_local_times(waiting)
    actor = Actor.from_request(request)
    for booking in upcoming:  # what the life cycle allows now (the services check again)
        booking.actions = Booking.workflow.available(booking, actor, at=now)
    return render(
        request,
        "spaces/my_bookings.html",
        {
            "upcoming": upcoming,
            "cancelled": cancelled,
            "past": past,
            "waiting": waiting,
            "calendar_url": _calendar_url(),
        },
    )


@login_required
@require_POST
def leave_waitlist(request, entry_id):
    """The person leaves a waiting list (or the team withdraws someone from it)."""
    entry = tenancy.get_for_team_or_404(
        WaitlistEntry.objects.select_related("resource", "place"),
        request.user,
        person=True,
        public_id=entry_id,
    )
    try:
        services.leave_waitlist(Actor.from_request(request), entry)
    except DomainError as exc:
        messages.error(request, exc.message[:1].upper() + exc.message[1:])
    else:
        messages.success(
            request, _("Vous n'êtes plus sur la liste d'attente de « %(r)s ».") % {"r": entry.resource}
        )
    return redirect(next_url(request, reverse("spaces:my-bookings")))


def _record_team_view(request, booking):
    """Someone of the team opening another person's booking: a view of that person's file (audit)."""
    if booking.person_id != request.user.pk:
        record(Actor.from_request(request), AuditAction.VIEW, booking, place=booking.place)


@login_required
def change(request, booking_id):
    booking = visible_booking(request, booking_id)
    booking.resource.place = booking.place
    tz = booking.place.timezone
    staff = services.is_place_staff(request.user, booking.place)
    back = next_url(request, reverse("spaces:my-bookings"))
    if request.method == "POST":
        form = ChangeForm(request.POST, resource=booking.resource, staff=staff)
        if form.is_valid():
            try:
                services.change(
                    Actor.from_request(request),
                    booking,
                    start=form.start(),
                    end=form.end(),
                    quantity=form.get_quantity(),
                    override_deadline=form.cleaned_data.get("override_deadline", False),
                )
            except DomainError as exc:
                add_domain_error(form, exc, FIELD_MAP)
            else:
                booking.refresh_from_db()
                messages.success(
                    request,
                    _("La réservation est modifiée : « %(r)s », %(when)s.")
                    % {"r": booking.resource, "when": booking_period(booking, tz)},
                )
                return redirect(back)
    else:
        start, end = naive_local(booking.start, tz), naive_local(booking.end, tz)
        initial = {
            "date": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "quantity": booking.quantity,
        }
        if end.date() != start.date():
            initial["end_date"] = end.date()
        form = ChangeForm(initial=initial, resource=booking.resource, staff=staff)
        _record_team_view(request, booking)
    return render(
        request,
        "spaces/change.html",
        {"form": form, "booking": with_local_times([booking])[0], "next": back},
    )


@login_required
def cancel(request, booking_id):
    """GET: confirm; POST: cancel (the services check the deadline and who may)."""
    booking = visible_booking(request, booking_id)
    staff = services.is_place_staff(request.user, booking.place)
    back = next_url(request, reverse("spaces:my-bookings"))
    series = booking.series_id is not None and booking.status == BookingStatus.CONFIRMED
    if request.method == "POST":
        form = CancelForm(request.POST, staff=staff, series=series)
        if form.is_valid():
            options = {
                "reason": form.cleaned_data["reason"],
                "override_deadline": form.cleaned_data.get("override_deadline", False),
            }
            try:
                if form.cleaned_data.get("whole_series"):
                    result = services.cancel_series(
                        Actor.from_request(request), booking.series, starting=booking.start, **options
                    )
                else:
                    services.cancel(Actor.from_request(request), booking, **options)
                    result = None
            except DomainError as exc:
                form.add_error("override_deadline" if exc.code == "deadline" and staff else None, exc.message)
            else:
                if result is None:
                    messages.success(request, _("La réservation est annulée."))
                else:
                    messages.success(
                        request,
                        ngettext(
                            "%(n)s date de la réservation régulière est annulée.",
                            "%(n)s dates de la réservation régulière sont annulées.",
                            len(result.cancelled),
                        )
                        % {"n": len(result.cancelled)},
                    )
                    for kept, message in result.kept:
                        messages.warning(
                            request,
                            _("Toujours réservée, %(when)s : %(why)s")
                            % {
                                "when": booking_period(kept, kept.place.timezone),
                                "why": message,
                            },
                        )
                return redirect(back)
    else:
        form = CancelForm(staff=staff, series=series)
        _record_team_view(request, booking)
    return render(
        request,
        "spaces/cancel.html",
        {"form": form, "booking": with_local_times([booking])[0], "next": back},
    )


# --- My calendar feed -------------------------------------------------------------------------------

NEW_FEED_SESSION_KEY = "spaces_new_calendar_secret"


@login_required
def my_calendar(request):
    """The address of the person's calendar feed: a new one on request (shown once), or none any more."""
    if request.method == "POST":
        if request.POST.get("action") == "revoke":
            feeds.revoke_feed_tokens(request.user)
            messages.success(request, _("L'adresse de votre calendrier ne fonctionne plus."))
            return redirect("spaces:my-calendar")
        # Shown once, on the page this redirects to (reloading that page does not issue another one).
        request.session[NEW_FEED_SESSION_KEY] = feeds.issue_feed_token(request.user)
        return redirect("spaces:my-calendar")
    raw = request.session.pop(NEW_FEED_SESSION_KEY, None)
    address = request.build_absolute_uri(feeds.feed_url(raw)) if raw else None
    # The team's resources, one feed each, with the same secret (shown once too).
    resource_feeds = []
    if raw:
        team_resources = (
            Resource.objects.active()
            .for_team(request.user)
            .select_related("place")
            .order_by("place__name", "name")
        )
        resource_feeds = [
            (resource, request.build_absolute_uri(feeds.resource_feed_url(raw, resource)))
            for resource in team_resources[:200]
        ]
    active = CalendarFeedToken.objects.filter(user=request.user, revoked_at__isnull=True).first()
    return render(
        request,
        "spaces/my_calendar.html",
        {
            "address": address,
            "webcal": "webcal://" + address.split("://", 1)[1] if address else None,
            "resource_feeds": resource_feeds,
            "active": active,
        },
    )
