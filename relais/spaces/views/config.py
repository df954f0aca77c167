"""The team's configuration pages of a place, instead of the Django admin: resources and their prices,
closures, qualifications and who holds them (members: `config_members.py`).

Who may do what is what the apps declare for their team groups (`team_permissions` in `spaces/apps.py` and
`members/apps.py`, the rules of the admin too): managers configure everything, staff what their group may
(who holds a qualification, members). Anyone else gets a 404, the same answer as for a place that does not
exist. Objects are reached through the place (resources and members by their `public_id`; prices,
closures and qualifications by their number, always within the place). Each change is one transaction and
is written to the audit trail with the values before and after, as the admin does.
"""

import datetime
import uuid

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count, ProtectedError, RestrictedError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from relais.places import hours as place_hours
from relais.places import tenancy
from relais.privacy.audit import Actor, AuditAction, diff, record
from relais.territory.timezones import time_zone_text

from .. import services
from ..config_forms import ClosureForm, GrantForm, PriceRuleForm, QualificationForm, ResourceForm
from ..enums import ResourceKind
from ..models import KIND_DEFAULTS, Closure, PriceRule, Qualification, Resource, UserQualification
from ..wording import duration_text
from .common import naive_local
from .member import price_lines
from .public import HIDDEN_STATES, _slot_cell

# --- Who may: the apps' declared permissions of each role -------------------------------------------------


def roles_allowed(app_label, model, action):
    """The roles whose group may `action` ("add", "change", "delete", "view") `model` of `app_label`."""
    declared = getattr(apps.get_app_config(app_label), "team_permissions", {})
    return tuple(role for role, models in declared.items() if action in models.get(model, ()))


# What each part of the configuration needs (app, model, action).
NEEDS = {
    "resources": ("spaces", "resource", "change"),
    "prices": ("spaces", "pricerule", "change"),
    "closures": ("spaces", "closure", "change"),
    "qualifications": ("spaces", "qualification", "change"),
    "grants": ("spaces", "userqualification", "add"),
    "revoke": ("spaces", "userqualification", "delete"),
    "members": ("members", "member", "add"),
    "member_change": ("members", "member", "change"),
}


def configuring_roles():
    """The roles that may open the configuration pages of their place (at least one part of them)."""
    return {role for spec in NEEDS.values() for role in roles_allowed(*spec)}


def place_for(request, place_id, *needs):
    """The place, if the user's role in it may do one of `needs` (keys of NEEDS), else 404."""
    roles = {role for need in needs for role in roles_allowed(*NEEDS[need])}
    if not roles:
        raise Http404
    return tenancy.get_place_for_team_or_404(request.user, place_id, roles=tuple(roles))


def abilities(user, place):
    """{part: bool} of what the user may configure in `place` (the links and buttons shown)."""
    held = tenancy.roles_in(user, place)
    return {need: bool(held & set(roles_allowed(*spec))) for need, spec in NEEDS.items()}


def config_context(request, place, **extra):
    return {
        "place": place,
        "may": abilities(request.user, place),
        "time_zone": time_zone_text(place.timezone),
        **extra,
    }


# --- The audit trail, as the admin writes it --------------------------------------------------------------

RESOURCE_AUDIT = (
    "place_id",
    "kind",
    "name",
    "description",
    "is_active",
    "booking_policy",
    "capacity",
    "people_capacity",
    "equipment",
    "required_qualification_id",
    "bookable_hours",
    "min_duration_minutes",
    "max_duration_minutes",
    "granularity_minutes",
    "min_notice_minutes",
    "max_horizon_days",
    "buffer_minutes",
    "cancellation_deadline_minutes",
)
PRICE_AUDIT = ("resource_id", "audience", "unit", "amount_cents")
CLOSURE_AUDIT = ("place_id", "resource_id", "start", "end", "reason")
QUALIFICATION_AUDIT = ("place_id", "name", "description")
GRANT_AUDIT = ("user_id", "qualification_id", "granted_on", "granted_by_id")


def snapshot(obj, fields):
    values = {}
    for name in fields:
        value = getattr(obj, name)
        values[name] = str(value) if value is not None else None
    return values


def save_audited(request, form, place, fields, **values):
    """Save a valid model form (with `values` set on its instance) and record the creation or change,
    in one transaction."""
    obj = form.instance
    with transaction.atomic():
        created = obj.pk is None
        before = {} if created else snapshot(type(obj)._default_manager.get(pk=obj.pk), fields)
        for name, value in values.items():
            setattr(obj, name, value)
        obj = form.save()
        record(
            Actor.from_request(request),
            AuditAction.CREATE if created else AuditAction.UPDATE,
            obj,
            changes=diff(before, snapshot(obj, fields)),
            place=place,
        )
    return obj


def change_audited(request, obj, place, fields, **values):
    """Set `values` on `obj`, save it and record the change, in one transaction."""
    with transaction.atomic():
        before = snapshot(type(obj)._default_manager.get(pk=obj.pk), fields)
        for name, value in values.items():
            setattr(obj, name, value)
        obj.full_clean()
        obj.save()
        record(
            Actor.from_request(request),
            AuditAction.UPDATE,
            obj,
            changes=diff(before, snapshot(obj, fields)),
            place=place,
        )
    return obj


def delete_audited(request, obj, place):
    with transaction.atomic():
        record(Actor.from_request(request), AuditAction.DELETE, obj, place=place)
        obj.delete()


# --- Home of the configuration ----------------------------------------------------------------------------


@login_required
def home(request, place_id):
    place = place_for(request, place_id, *NEEDS)
    counts = {
        "resources": Resource.objects.filter(place=place).count(),
        "closures": Closure.objects.filter(place=place, end__gt=timezone.now()).count(),
        "qualifications": Qualification.objects.filter(place=place).count(),
    }
    return render(request, "spaces/config/home.html", config_context(request, place, counts=counts))


# --- Resources --------------------------------------------------------------------------------------------


def _resource_of(place, resource_id):
    return get_object_or_404(
        Resource.objects.filter(place=place).select_related("required_qualification"), public_id=resource_id
    )


@login_required
def resources(request, place_id):
    place = place_for(request, place_id, "resources")
    items = list(
        Resource.objects.filter(place=place)
        .select_related("required_qualification")
        .order_by("-is_active", "name")
    )
    return render(
        request,
        "spaces/config/resources.html",
        config_context(request, place, resources=items, kinds=ResourceKind.choices),
    )


@login_required
def resource_new(request, place_id):
    place = place_for(request, place_id, "resources")
    kind = request.GET.get("type", "")
    initial = {"kind": kind, **KIND_DEFAULTS[kind]} if kind in KIND_DEFAULTS else {}
    form = ResourceForm(request.POST or None, place=place, initial=initial)
    if request.method == "POST" and form.is_valid():
        resource = save_audited(request, form, place, RESOURCE_AUDIT)
        messages.success(request, _("Ressource créée : « %(name)s ».") % {"name": resource.name})
        return redirect("spaces:config-resource", place.pk, resource.public_id)
    return render(
        request,
        "spaces/config/resource.html",
        config_context(request, place, form=form, resource=None, hours=_hours_shown(form, place)),
    )


@login_required
def resource_edit(request, place_id, resource_id):
    place = place_for(request, place_id, "resources")
    resource = _resource_of(place, resource_id)
    form = ResourceForm(request.POST or None, instance=resource, place=place)
    if request.method == "POST" and form.is_valid():
        save_audited(request, form, place, RESOURCE_AUDIT)
        messages.success(request, _("Ressource enregistrée : « %(name)s ».") % {"name": resource.name})
        return redirect("spaces:config-resource", place.pk, resource.public_id)
    saved = Resource.objects.get(pk=resource.pk)  # the rules as saved, not as typed, for the preview
    saved.place = place
    return render(
        request,
        "spaces/config/resource.html",
        config_context(
            request,
            place,
            form=form,
            resource=saved,
            hours=_hours_shown(form, place),
            prices=PriceRule.objects.filter(resource=saved).order_by("audience", "unit"),
            price_lines=price_lines(saved),
            closures=_upcoming_closures(place).filter(resource=saved),
            preview=_preview(saved, place),
            durations={
                "min": duration_text(saved.min_duration_minutes),
                "max": duration_text(saved.max_duration_minutes),
                "step": duration_text(saved.granularity_minutes),
            },
        ),
    )


@login_required
@require_POST
def resource_active(request, place_id, resource_id):
    """Deactivate a resource (no longer bookable, its bookings kept), or make it bookable again."""
    place = place_for(request, place_id, "resources")
    resource = _resource_of(place, resource_id)
    active = request.POST.get("actif") == "1"
    change_audited(request, resource, place, RESOURCE_AUDIT, is_active=active)
    if active:
        messages.success(request, _("« %(name)s » est de nouveau réservable.") % {"name": resource.name})
    else:
        messages.success(
            request,
            _("« %(name)s » est désactivée : plus personne ne peut la réserver ; ses réservations restent.")
            % {"name": resource.name},
        )
    return redirect("spaces:config-resources", place.pk)


def _hours_shown(form, place):
    """The bookable hours as typed (or saved) and the place's hours, in words: an ordinary week."""
    if form.is_bound:
        expression = " ".join(form.data.get("bookable_hours", "").split())
    else:
        expression = form.initial.get("bookable_hours") or ""
    department = place.commune.department_id
    return {
        "expression": expression,
        "typed": place_hours.hours_of(expression, department) if expression else None,
        "place": place_hours.hours_of(place.opening_hours, department) if place.opening_hours else None,
    }


# How many days the resource page previews.
PREVIEW_DAYS = 7


def _preview(resource, place):
    """The resource's slots of the next seven days, as its availability page shows them."""
    now = timezone.now()
    tz = place.timezone
    today = now.astimezone(tz).date()
    days = [today + datetime.timedelta(days=i) for i in range(PREVIEW_DAYS)]
    resource.who_books = None
    grid = services.availability(resource, days[0], days[-1], now=now)
    cells = {}
    for start, _end, free, state in grid.slots_with_states():
        cell = _slot_cell(resource, start, free, state, tz)
        if not resource.is_active:
            cell.pop("url", None)
        cells[(cell["start"].date(), cell["start"].time())] = cell
    times = sorted({t for (_d, t), c in cells.items() if c["state"] not in HIDDEN_STATES})
    rows = [{"time": t, "cells": [cells.get((d, t)) for d in days]} for t in times]
    return {"days": days, "rows": rows, "first": days[0], "last": days[-1]}


# --- Price rules ------------------------------------------------------------------------------------------


def _price_of(resource, rule_id):
    return get_object_or_404(PriceRule, resource=resource, public_id=rule_id)


def _price_page(request, place, resource, rule=None):
    form = PriceRuleForm(request.POST or None, instance=rule, resource=resource)
    if request.method == "POST" and form.is_valid():
        save_audited(request, form, place, PRICE_AUDIT)
        messages.success(request, _("Tarif enregistré."))
        return redirect(reverse("spaces:config-resource", args=[place.pk, resource.public_id]) + "#tarifs")
    title = _("Modifier un tarif — %(name)s") if rule else _("Nouveau tarif — %(name)s")
    return render(
        request,
        "spaces/config/form.html",
        config_context(
            request,
            place,
            form=form,
            title=title % {"name": resource.name},
            back_url=reverse("spaces:config-resource", args=[place.pk, resource.public_id]) + "#tarifs",
            back_text=_("Retour à la ressource"),
        ),
    )


@login_required
def price_new(request, place_id, resource_id):
    place = place_for(request, place_id, "prices")
    return _price_page(request, place, _resource_of(place, resource_id))


@login_required
def price_edit(request, place_id, resource_id, rule_id):
    place = place_for(request, place_id, "prices")
    resource = _resource_of(place, resource_id)
    return _price_page(request, place, resource, _price_of(resource, rule_id))


@login_required
@require_POST
def price_delete(request, place_id, resource_id, rule_id):
    place = place_for(request, place_id, "prices")
    resource = _resource_of(place, resource_id)
    delete_audited(request, _price_of(resource, rule_id), place)
    messages.success(request, _("Tarif supprimé."))
    return redirect(reverse("spaces:config-resource", args=[place.pk, resource.public_id]) + "#tarifs")


# --- Closures ---------------------------------------------------------------------------------------------


def _upcoming_closures(place):
    return (
        Closure.objects.filter(place=place, end__gt=timezone.now())
        .select_related("resource", "place__commune")
        .order_by("start")
    )


def with_local_bounds(closures, tz):
    for closure in closures:
        closure.local_start = naive_local(closure.start, tz)
        closure.local_end = naive_local(closure.end, tz)
    return closures


@login_required
def closures(request, place_id):
    place = place_for(request, place_id, "closures")
    initial = {}
    wanted = request.GET.get("ressource")
    if wanted:
        initial["resource"] = Resource.objects.filter(place=place, public_id__in=_uuids(wanted)).first()
    form = ClosureForm(request.POST or None, place=place, initial=initial)
    if request.method == "POST" and form.is_valid():
        save_audited(request, form, place, CLOSURE_AUDIT)
        messages.success(request, _("Fermeture enregistrée."))
        return redirect("spaces:config-closures", place.pk)
    tz = place.timezone
    past = Closure.objects.filter(place=place, end__lte=timezone.now()).select_related("resource")
    return render(
        request,
        "spaces/config/closures.html",
        config_context(
            request,
            place,
            form=form,
            upcoming=with_local_bounds(list(_upcoming_closures(place)), tz),
            past=with_local_bounds(list(past.order_by("-start")[:20]), tz),
        ),
    )


def _uuids(value):
    try:
        return [uuid.UUID(value)]
    except ValueError:
        return []


@login_required
def closure_edit(request, place_id, closure_id):
    place = place_for(request, place_id, "closures")
    closure = get_object_or_404(Closure, place=place, public_id=closure_id)
    form = ClosureForm(request.POST or None, instance=closure, place=place)
    if request.method == "POST" and form.is_valid():
        save_audited(request, form, place, CLOSURE_AUDIT)
        messages.success(request, _("Fermeture enregistrée."))
        return redirect("spaces:config-closures", place.pk)
    return render(
        request,
        "spaces/config/form.html",
        config_context(
            request,
            place,
            form=form,
            title=_("Modifier une fermeture"),
            show_time_zone=True,
            back_url=reverse("spaces:config-closures", args=[place.pk]),
            back_text=_("Retour aux fermetures"),
            delete_url=reverse("spaces:config-closure-delete", args=[place.pk, closure.public_id]),
            delete_text=_("Supprimer cette fermeture"),
        ),
    )


@login_required
@require_POST
def closure_delete(request, place_id, closure_id):
    place = place_for(request, place_id, "closures")
    delete_audited(request, get_object_or_404(Closure, place=place, public_id=closure_id), place)
    messages.success(request, _("Fermeture supprimée."))
    return redirect("spaces:config-closures", place.pk)


# --- Qualifications and who holds them --------------------------------------------------------------------


@login_required
def qualifications(request, place_id):
    place = place_for(request, place_id, "qualifications", "grants")
    may = abilities(request.user, place)
    form = QualificationForm(request.POST or None, place=place) if may["qualifications"] else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            qualification = save_audited(request, form, place, QUALIFICATION_AUDIT)
            messages.success(request, _("Habilitation créée : « %(name)s ».") % {"name": qualification.name})
            return redirect("spaces:config-qualification", place.pk, qualification.public_id)
    items = Qualification.objects.filter(place=place).annotate(holder_count=Count("holders")).order_by("name")
    return render(
        request, "spaces/config/qualifications.html", config_context(request, place, form=form, items=items)
    )


@login_required
def qualification(request, place_id, qualification_id):
    place = place_for(request, place_id, "qualifications", "grants")
    may = abilities(request.user, place)
    item = get_object_or_404(Qualification, place=place, public_id=qualification_id)
    post = request.POST if request.method == "POST" else None
    action = request.POST.get("action") if post else None
    edit_form = None
    if may["qualifications"]:
        edit_form = QualificationForm(post if action == "modifier" else None, instance=item, place=place)
    grant_form = None
    if may["grants"]:
        grant_form = GrantForm(post if action == "accorder" else None, qualification=item, prefix="accorder")
    if post:
        form = {"modifier": edit_form, "accorder": grant_form}.get(action)
        if form is None:
            raise Http404
        if form.is_valid():
            if action == "modifier":
                save_audited(request, form, place, QUALIFICATION_AUDIT)
                messages.success(request, _("Habilitation enregistrée."))
            else:
                grant = save_audited(request, form, place, GRANT_AUDIT, granted_by=request.user)
                messages.success(
                    request,
                    _("Habilitation « %(q)s » accordée à %(who)s.") % {"q": item.name, "who": grant.user},
                )
            return redirect("spaces:config-qualification", place.pk, item.public_id)
    holders = UserQualification.objects.filter(qualification=item).select_related("user", "granted_by")
    return render(
        request,
        "spaces/config/qualification.html",
        config_context(
            request,
            place,
            item=item,
            edit_form=edit_form,
            grant_form=grant_form,
            holders=holders.order_by("user__last_name", "user__first_name", "user__username"),
            resources=Resource.objects.filter(place=place, required_qualification=item).order_by("name"),
        ),
    )


@login_required
@require_POST
def qualification_revoke(request, place_id, qualification_id, holder_id):
    place = place_for(request, place_id, "revoke")
    item = get_object_or_404(Qualification, place=place, public_id=qualification_id)
    grant = get_object_or_404(
        UserQualification.objects.select_related("user"), qualification=item, public_id=holder_id
    )
    delete_audited(request, grant, place)
    messages.success(
        request, _("Habilitation « %(q)s » retirée à %(who)s.") % {"q": item.name, "who": grant.user}
    )
    return redirect("spaces:config-qualification", place.pk, item.public_id)


@login_required
@require_POST
def qualification_delete(request, place_id, qualification_id):
    place = place_for(request, place_id, "qualifications")
    item = get_object_or_404(Qualification, place=place, public_id=qualification_id)
    try:
        delete_audited(request, item, place)
    except (ProtectedError, RestrictedError):
        messages.error(
            request,
            _(
                "« %(q)s » est demandée par une ressource : changez d'abord l'habilitation requise de la "
                "ressource."
            )
            % {"q": item.name},
        )
        return redirect("spaces:config-qualification", place.pk, item.public_id)
    messages.success(request, _("Habilitation supprimée : « %(q)s ».") % {"q": item.name})
    return redirect("spaces:config-qualifications", place.pk)
