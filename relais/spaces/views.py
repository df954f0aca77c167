"""Pages for the staff and the members of a place: availability, bookings, "my bookings".

The views parse the forms, call the domain services (`services.py`) and turn a `DomainError` into a form
error next to the field it names (or a message). No booking rule is checked here.
"""

import contextlib
import datetime
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import formats, timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from relais.core.errors import DomainError
from relais.members import services as members
from relais.places.models import Place
from relais.privacy.audit import Actor

from . import feeds, services
from .enums import Audience, BookingStatus, PriceUnit, WaitlistStatus
from .forms import BookingForm, CancelForm, ChangeForm
from .models import POOLED_KINDS, Booking, CalendarFeedToken, Resource, WaitlistEntry
from .services.hours import local_day_bounds
from .wording import duration_text, period_text, price_text

# Rows of "my bookings" shown at most.
MAX_UPCOMING = 200
MAX_PAST = 50


# --- Helpers ---------------------------------------------------------------------------------------


def _naive_local(moment, tz):
    """The wall-clock time of the place, naive: templates show it as is (no conversion to Paris)."""
    return moment.astimezone(tz).replace(tzinfo=None)


# Days further than this from today are not shown (nor computed): a typed URL cannot reach year 9999.
MAX_DAYS_AWAY = 3660


def _day_param(request, default):
    """The `jour` of the URL, or `default` when it is missing, invalid or more than ten years away."""
    try:
        day = datetime.date.fromisoformat(request.GET.get("jour", ""))
    except ValueError:
        return default
    if abs((day - default).days) > MAX_DAYS_AWAY:
        return default
    return day


def _next_url(request, default):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _visible_places():
    return Place.objects.visible().select_related("commune")


def _with_local_times(bookings):
    for booking in bookings:
        tz = booking.place.timezone
        booking.local_start = _naive_local(booking.start, tz)
        booking.local_end = _naive_local(booking.end, tz)
        booking.same_day = booking.local_start.date() == booking.local_end.date()
    return bookings


def LONG_MOMENT():  # noqa: N802 (a constant, translated at call time)
    # Translators: Django date format of a day and time; escape letters with a backslash ("\a\t").
    return _("l j F Y à H:i")


def _period_text(booking, tz):
    return period_text(booking.start, booking.end, tz)


def _is_pooled(resource):
    return resource.kind in POOLED_KINDS and resource.capacity > 1


# --- Index ----------------------------------------------------------------------------------------


def index(request):
    """The places whose resources can be booked."""
    places = (
        _visible_places()
        .filter(resources__is_active=True)
        .distinct()
        .order_by("name")
        .select_related("commune")
    )
    return render(request, "spaces/index.html", {"places": places[:500]})


# --- Availability ---------------------------------------------------------------------------------


# What an unavailable slot says (`services.slot_reason`).
SLOT_TEXTS = {
    "past": gettext_lazy("passé"),
    "notice": gettext_lazy("trop tard pour réserver"),
    "horizon": gettext_lazy("pas encore réservable"),
    "closure": gettext_lazy("fermeture exceptionnelle"),
    "full": gettext_lazy("complet"),
    "closed": gettext_lazy("fermé"),
}


# Rows (times of day) whose slots are all in these states are left out: the night, the past hours.
HIDDEN_STATES = ("closed", "past")


# Who books a free slot the viewer may not book online, by the code of the `services.refusal`.
WHO_BOOKS = {
    "staff_only": gettext_lazy("réservation par l'équipe"),
    "members_only": gettext_lazy("adhérents"),
}


def _who_books(resource, staff, periods, today):
    """Who books a free slot of `resource`, when it is not the viewer (None when they may, online)."""
    error = services.refusal(resource, staff=staff, membership=periods, today=today)
    return None if error is None else WHO_BOOKS[error.code]


def _slot_cell(resource, start, free, state, tz):
    """What one slot says, in words (never colour alone), and the booking link for a free one."""
    local = _naive_local(start, tz)
    cell = {"start": local, "resource": resource}
    if free > 0:
        cell["state"] = "free"
        cell["text"] = (
            ngettext("%(n)s place libre", "%(n)s places libres", free) % {"n": free}
            if _is_pooled(resource)
            else _("libre")
        )
        if resource.who_books:
            cell["text"] = _("%(free)s (%(who)s)") % {"free": cell["text"], "who": resource.who_books}
        length = max(resource.min_duration_minutes, resource.granularity_minutes)
        finish = local + datetime.timedelta(minutes=length)
        query = {"date": local.date().isoformat(), "debut": f"{local:%H:%M}", "fin": f"{finish:%H:%M}"}
        if finish.date() != local.date():
            query["date_fin"] = finish.date().isoformat()
        cell["url"] = reverse("spaces:book", args=[resource.pk]) + "?" + urlencode(query)
    else:
        cell["state"], cell["text"] = state, SLOT_TEXTS[state]
    return cell


# How far ahead « the next day with slots » is looked for.
NEXT_OPEN_DAYS = 31


def _next_open_day(target, after, now):
    """The first local day after `after` with a slot open for booking (free or taken), or None."""
    first = after + datetime.timedelta(days=1)
    grids = services.availability(target, first, first + datetime.timedelta(days=NEXT_OPEN_DAYS - 1), now=now)
    if isinstance(grids, services.ResourceAvailability):
        grids = {target.pk: grids}
    tz = (target if isinstance(target, Place) else target.place).timezone
    days = [
        _naive_local(start, tz).date()
        for grid in grids.values()
        for start, _end, _free, state in grid.slots_with_states()
        if state not in HIDDEN_STATES
    ]
    return min(days) if days else None


def availability(request, place_id):
    """Free capacity of a place's resources, a day (resources × slots) or a week (days × slots)."""
    place = get_object_or_404(_visible_places(), pk=place_id)
    tz = place.timezone
    now = timezone.now()
    today = now.astimezone(tz).date()
    day = _day_param(request, today)
    week = request.GET.get("vue") == "semaine"
    resources = list(Resource.objects.active().filter(place=place).order_by("name"))
    staff = services.is_place_staff(request.user, place)
    periods = members.membership_days(place, request.user if request.user.is_authenticated else None)
    for resource in resources:
        resource.place = place
        resource.who_books = _who_books(resource, staff, periods, today)
    selected = None
    if request.GET.get("ressource"):
        selected = next((r for r in resources if str(r.pk) == request.GET["ressource"]), None)
        if selected is None:
            raise Http404
    shown = [selected] if selected else resources
    first = day - datetime.timedelta(days=day.weekday()) if week else day
    last = first + datetime.timedelta(days=6) if week else day
    step = datetime.timedelta(days=7 if week else 1)
    if selected:
        grids = {selected.pk: services.availability(selected, first, last, now=now)}
    else:
        grids = services.availability(place, first, last, now=now) if resources else {}

    days = [first + datetime.timedelta(days=i) for i in range((last - first).days + 1)]
    tables = []
    if week:
        # One table per resource: a row per time of day, a column per day.
        for resource in shown:
            cells = {}
            for start, _end, free, state in grids[resource.pk].slots_with_states():
                cell = _slot_cell(resource, start, free, state, tz)
                cells[(cell["start"].date(), cell["start"].time())] = cell
            times = sorted({t for (_d, t), c in cells.items() if c["state"] not in HIDDEN_STATES})
            rows = [{"time": t, "cells": [cells.get((d, t)) for d in days]} for t in times]
            tables.append({"resource": resource, "rows": rows})
    else:
        cells = {}
        for resource in shown:
            for start, _end, free, state in grids[resource.pk].slots_with_states():
                cell = _slot_cell(resource, start, free, state, tz)
                cells[(resource.pk, cell["start"].time())] = cell
        times = sorted({t for (_r, t), c in cells.items() if c["state"] not in HIDDEN_STATES})
        rows = [{"time": t, "cells": [cells.get((r.pk, t)) for r in shown]} for t in times]
        tables.append({"resource": None, "rows": rows})
    next_open = None
    if shown and not any(table["rows"] for table in tables):
        next_open = _next_open_day(selected or place, last, now)

    def link(target_day, **extra):
        query = {"jour": target_day.isoformat(), "vue": "semaine" if week else "jour"}
        if selected:
            query["ressource"] = selected.pk
        query.update(extra)
        return "?" + urlencode(query)

    return render(
        request,
        "spaces/availability.html",
        {
            "place": place,
            "resources": resources,
            "shown": shown,
            "selected": selected,
            "week": week,
            "day": day,
            "first": first,
            "last": last,
            "days": days,
            "tables": tables,
            "previous_url": link(first - step),
            "next_url": link(first + step),
            "today_url": link(today),
            "day_view_url": link(day, vue="jour"),
            "week_view_url": link(day, vue="semaine"),
            "is_staff": staff,
            "next_open": next_open,
            "next_open_url": link(next_open) if next_open else None,
        },
    )


# --- Booking --------------------------------------------------------------------------------------


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


@login_required
def book(request, resource_id):
    resource = get_object_or_404(
        Resource.objects.active().select_related("place__commune").filter(place__in=Place.objects.visible()),
        pk=resource_id,
    )
    place = resource.place
    tz = place.timezone
    staff = services.is_place_staff(request.user, place)
    conflicts, offer_waitlist = None, False
    if request.method == "POST":
        form = BookingForm(request.POST, resource=resource, staff=staff)
        if form.is_valid():
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
                            "d": formats.date_format(_naive_local(entry.start, tz), LONG_MOMENT()),
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
                        **form.person_kwargs(),
                    )
                    text = _("Réservation confirmée : « %(r)s », %(when)s.") % {
                        "r": resource,
                        "when": _period_text(booking, tz),
                    }
            except services.SeriesConflict as exc:
                conflicts = [
                    {"start": _naive_local(c.start, tz), "end": _naive_local(c.end, tz), "message": c.message}
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
                form.add_domain_error(exc)
                offer_waitlist = exc.code in ("overlap", "capacity") and not data["repeat"]
            else:
                messages.success(request, text)
                if staff and booking.person_id != request.user.pk:
                    day = _naive_local(booking.start, tz).date()
                    return redirect(
                        reverse("spaces:place-bookings", args=[place.pk]) + "?" + urlencode({"jour": day})
                    )
                return redirect("spaces:my-bookings")
    else:
        form = BookingForm(initial=_initial_from_query(request), resource=resource, staff=staff)
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
            "pooled": _is_pooled(resource),
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
    upcoming = _with_local_times(list(coming.exclude(status=BookingStatus.CANCELLED)[:MAX_UPCOMING]))
    cancelled = _with_local_times(list(coming.filter(status=BookingStatus.CANCELLED)[:MAX_PAST]))
    past = _with_local_times(list(mine.filter(end__lt=now).order_by("-start", "-id")[:MAX_PAST]))
    waiting = list(
        WaitlistEntry.objects.filter(
            person=request.user,
            status__in=(WaitlistStatus.WAITING, WaitlistStatus.OFFERED),
            start__gte=now,
        )
        .select_related("resource", "place__commune")
        .order_by("start")[:MAX_PAST]
    )
    _with_local_times(waiting)
    return render(
        request,
        "spaces/my_bookings.html",
        {
            "upcoming": upcoming,
            "cancelled": cancelled,
            "past": past,
            "waiting": waiting,
            "calendar_url": _calendar_url(),
            "confirmed": BookingStatus.CONFIRMED,
        },
    )


def _visible_booking(request, booking_id):
    return get_object_or_404(
        Booking.objects.visible_to(request.user).select_related("resource", "place__commune"), pk=booking_id
    )


@login_required
def change(request, booking_id):
    booking = _visible_booking(request, booking_id)
    booking.resource.place = booking.place
    tz = booking.place.timezone
    staff = services.is_place_staff(request.user, booking.place)
    back = _next_url(request, reverse("spaces:my-bookings"))
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
                form.add_domain_error(exc)
            else:
                booking.refresh_from_db()
                messages.success(
                    request,
                    _("La réservation est modifiée : « %(r)s », %(when)s.")
                    % {"r": booking.resource, "when": _period_text(booking, tz)},
                )
                return redirect(back)
    else:
        start, end = _naive_local(booking.start, tz), _naive_local(booking.end, tz)
        initial = {
            "date": start.date(),
            "start_time": start.time(),
            "end_time": end.time(),
            "quantity": booking.quantity,
        }
        if end.date() != start.date():
            initial["end_date"] = end.date()
        form = ChangeForm(initial=initial, resource=booking.resource, staff=staff)
    return render(
        request,
        "spaces/change.html",
        {"form": form, "booking": _with_local_times([booking])[0], "next": back},
    )


@login_required
def cancel(request, booking_id):
    """GET: confirm; POST: cancel (the services check the deadline and who may)."""
    booking = _visible_booking(request, booking_id)
    staff = services.is_place_staff(request.user, booking.place)
    back = _next_url(request, reverse("spaces:my-bookings"))
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
                                "when": _period_text(kept, kept.place.timezone),
                                "why": message,
                            },
                        )
                return redirect(back)
    else:
        form = CancelForm(staff=staff, series=series)
    return render(
        request,
        "spaces/cancel.html",
        {"form": form, "booking": _with_local_times([booking])[0], "next": back},
    )


def _staff_action(request, booking_id, operation, success):
    booking = _visible_booking(request, booking_id)
    tz = booking.place.timezone
    day = _naive_local(booking.start, tz).date()
    default = reverse("spaces:place-bookings", args=[booking.place_id]) + "?" + urlencode({"jour": day})
    try:
        operation(Actor.from_request(request), booking)
    except DomainError as exc:
        messages.error(request, exc.message[:1].upper() + exc.message[1:])
    else:
        messages.success(request, success % {"p": booking.person_display, "r": booking.resource})
    return redirect(_next_url(request, default))


@login_required
@require_POST
def check_in(request, booking_id):
    return _staff_action(request, booking_id, services.check_in, _("Présence pointée : %(p)s, « %(r)s »."))


@login_required
@require_POST
def no_show(request, booking_id):
    return _staff_action(request, booking_id, services.mark_no_show, _("Absence notée : %(p)s, « %(r)s »."))


# --- Staff: the day's bookings of a place ------------------------------------------------------------


@login_required
def place_bookings(request, place_id):
    place = get_object_or_404(Place.objects.select_related("commune"), pk=place_id)
    if not services.is_place_staff(request.user, place):
        raise Http404
    tz = place.timezone
    today = timezone.now().astimezone(tz).date()
    day = _day_param(request, today)
    start, end = local_day_bounds(day, day, tz)
    bookings = _with_local_times(
        list(
            Booking.objects.filter(place=place, start__lt=end, end__gt=start)
            .select_related("resource", "person", "place__commune")
            .order_by("start", "resource__name", "id")
        )
    )
    now = timezone.now()
    for booking in bookings:  # the buttons that can work now (the services check again)
        opens = booking.start - datetime.timedelta(minutes=services.CHECK_IN_OPENS_MINUTES)
        booking.can_check_in = opens <= now <= booking.end
        booking.can_mark_absent = now >= booking.start
    here = request.get_full_path()
    return render(
        request,
        "spaces/place_bookings.html",
        {
            "place": place,
            "day": day,
            "bookings": bookings,
            "resources": Resource.objects.active().filter(place=place).order_by("name"),
            "previous_url": "?" + urlencode({"jour": day - datetime.timedelta(days=1)}),
            "next_url": "?" + urlencode({"jour": day + datetime.timedelta(days=1)}),
            "today_url": "?" + urlencode({"jour": today}),
            "here": here,
            "statuses": BookingStatus,
            "month_first": day.replace(day=1),
            "month_last": (day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            - datetime.timedelta(days=1),
        },
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
            .filter(place__roles__user=request.user)
            .select_related("place")
            .order_by("place__name", "name")
            .distinct()
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
