"""Public pages: the places whose resources can be booked, and the availability of a place's resources
(a day or a week), open to everyone; booking itself needs an account (`member.py`)."""

import datetime
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from relais.members import services as members
from relais.places.models import Place

from .. import services
from ..models import Resource, UserQualification
from .common import day_param, is_pooled, naive_local, visible_places


def index(request):
    """The places whose resources can be booked."""
    places = (
        visible_places()
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
    # Short, so that a week fits the screen: the legend under the table says it in full (_slots_legend.html).
    "buffer": gettext_lazy("préparation"),
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
    local = naive_local(start, tz)
    cell = {"start": local, "resource": resource}
    if free > 0 and getattr(resource, "lacks_qualification", False):
        # Free, but not for this person: say why before they try (no booking link).
        cell["state"], cell["text"] = "qualification", _("habilitation requise")
    elif free > 0:
        cell["state"] = "free"
        cell["text"] = (
            ngettext("%(n)s place libre", "%(n)s places libres", free) % {"n": free}
            if is_pooled(resource)
            else _("libre")
        )
        who = resource.who_books or (
            _("habilitation requise") if getattr(resource, "qualification_hint", False) else None
        )
        if who:
            cell["text"] = _("%(free)s (%(who)s)") % {"free": cell["text"], "who": who}
        cell["url"] = (
            reverse("spaces:book", args=[resource.public_id]) + "?" + urlencode(_slot_query(resource, local))
        )
    else:
        cell["state"], cell["text"] = state, SLOT_TEXTS[state]
        if state == "full" and getattr(resource, "offers_waitlist", False):
            # The booking page of that slot offers its waiting list.
            cell["text"] = _("complet — liste d'attente")
            cell["waitlist"] = True
            cell["url"] = (
                reverse("spaces:book", args=[resource.public_id])
                + "?"
                + urlencode({**_slot_query(resource, local), "attente": "1"})
            )
    return cell


def _slot_query(resource, local):
    """The booking form's query for the slot starting at `local` (its shortest booking)."""
    length = max(resource.min_duration_minutes, resource.granularity_minutes)
    finish = local + datetime.timedelta(minutes=length)
    query = {"date": local.date().isoformat(), "debut": f"{local:%H:%M}", "fin": f"{finish:%H:%M}"}
    if finish.date() != local.date():
        query["date_fin"] = finish.date().isoformat()
    return query


def _qualifications_of(user):
    return set(UserQualification.objects.filter(user=user).values_list("qualification_id", flat=True))


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
        naive_local(start, tz).date()
        for grid in grids.values()
        for start, _end, _free, state in grid.slots_with_states()
        if state not in HIDDEN_STATES
    ]
    return min(days) if days else None


def availability(request, place_id):
    """Free capacity of a place's resources, a day (resources × slots) or a week (days × slots)."""
    place = get_object_or_404(visible_places(), pk=place_id)
    tz = place.timezone
    now = timezone.now()
    today = now.astimezone(tz).date()
    day = day_param(request, today)
    week = request.GET.get("vue") == "semaine"
    resources = list(Resource.objects.active().filter(place=place).order_by("name"))
    staff = services.is_place_staff(request.user, place)
    periods = members.membership_days(place, request.user if request.user.is_authenticated else None)
    qualified = _qualifications_of(request.user) if request.user.is_authenticated and not staff else None
    for resource in resources:
        resource.place = place
        resource.who_books = _who_books(resource, staff, periods, today)
        resource.offers_waitlist = resource.who_books is None  # a full slot: its waiting list
        # The team books for people who hold it; someone unknown (not logged in) may hold it.
        needs = resource.required_qualification_id
        resource.lacks_qualification = qualified is not None and needs is not None and needs not in qualified
        resource.qualification_hint = needs is not None and not staff and qualified is None  # not logged in
    selected = None
    if request.GET.get("ressource"):
        selected = next((r for r in resources if str(r.public_id) == request.GET["ressource"]), None)
        if selected is None:
            raise Http404
    shown = [selected] if selected else resources
    first = day  # a week is the seven days from the day shown (today by default), not from a Monday
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
            query["ressource"] = selected.public_id
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
