"""Admin pages scoped to the places of the user: the team of a place configures it in the Django admin and
sees only its own rows; network admins see configuration but not people's records. Creations, changes and
deletions of a place's records, and each opening of a person's record, are written to the audit trail
(`audited_fields`)."""

import functools
from urllib.parse import parse_qs

from django import forms
from django.contrib import admin
from django.utils import timezone

from relais.privacy.audit import Actor, AuditAction, diff, record

from . import tenancy
from .models import Place


class PlaceScopedAdmin(admin.ModelAdmin):
    """Rows of the places the user may see; foreign keys to a place, or to a record of a place, limited to
    those places."""

    place_path = "place"
    people_records = False  # True: only the team of the place (not network admins) sees the rows
    # Fields written to the audit trail (before/after) on creation and change; () = no audit.
    audited_fields = ()

    # --- Rows and choices of the user's places -----------------------------------------------------

    def allowed_places(self, request):
        if request.user.is_superuser:
            return Place.objects.all()
        if self.people_records:
            return tenancy.places_of(request.user, tenancy.TEAM)
        return tenancy.editable_places(request.user)

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        if request.user.is_superuser:
            return qs
        return qs.filter(**{f"{self.place_path}__in": self.allowed_places(request)})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        related = db_field.related_model
        of_a_place = any(f.name == "place" and f.related_model is Place for f in related._meta.get_fields())
        if not request.user.is_superuser:
            places = self.allowed_places(request)
            if related is Place:
                kwargs["queryset"] = places
                kwargs["widget"] = forms.Select  # a list of one's places, not an identifier to type
            elif of_a_place:
                kwargs["queryset"] = related.objects.filter(place__in=places).select_related("place")
        formfield = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if of_a_place and formfield is not None:
            # Two places may both have a « Salle de réunion »: say whose.
            formfield.label_from_instance = lambda obj: f"{obj} — {obj.place.name}"
        return formfield

    def get_list_filter(self, request):
        """Filters on a place (or on a record of a place) list the user's own, not the whole registry."""
        return [
            (name, OwnPlacesFilter) if isinstance(name, str) and self._is_place_relation(name) else name
            for name in super().get_list_filter(request)
        ]

    def _is_place_relation(self, name):
        try:
            field = self.model._meta.get_field(name)
        except Exception:
            return False
        related = getattr(field, "related_model", None)
        return related is Place or (related is not None and _has_place(related))

    # --- Audit trail ---------------------------------------------------------------------------------

    def _place_of(self, obj):
        return functools.reduce(getattr, self.place_path.split("__"), obj)

    def _snapshot(self, obj):
        values = {}
        for name in self.audited_fields:
            value = getattr(obj, name)
            values[name] = str(value) if value is not None else None
        return values

    def save_model(self, request, obj, form, change):
        if not self.audited_fields:
            return super().save_model(request, obj, form, change)
        before = self._snapshot(type(obj).objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)
        record(
            Actor.from_request(request, channel="admin"),
            AuditAction.UPDATE if change else AuditAction.CREATE,
            obj,
            changes=diff(before, self._snapshot(obj)),
            place=self._place_of(obj),
        )

    def delete_model(self, request, obj):
        if self.audited_fields:
            record(
                Actor.from_request(request, channel="admin"),
                AuditAction.DELETE,
                obj,
                place=self._place_of(obj),
            )
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        if self.audited_fields:
            actor = Actor.from_request(request, channel="admin")
            for obj in queryset:
                record(actor, AuditAction.DELETE, obj, place=self._place_of(obj))
        super().delete_queryset(request, queryset)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if self.people_records and request.method == "GET" and getattr(response, "status_code", 0) == 200:
            obj = self.get_queryset(request).filter(pk=object_id).first()
            if obj is not None:
                record(
                    Actor.from_request(request, channel="admin"),
                    AuditAction.VIEW,
                    obj,
                    place=self._place_of(obj),
                )
        return response

    # --- The place's own clock: dates and times are read and shown in the place's time zone -----------

    def _place_of_request(self, request, object_id=None):
        if object_id:
            obj = self.get_object(request, object_id)
            if obj is not None:
                return functools.reduce(getattr, self.place_path.split("__"), obj)
        wanted = request.POST.get("place") or request.GET.get("place") or self._filtered_place(request)
        places = self.allowed_places(request)
        if wanted:
            return places.filter(pk=wanted).select_related("commune").first() if _is_uuid(wanted) else None
        if not request.user.is_superuser:
            mine = list(places.select_related("commune")[:2])
            if len(mine) == 1:
                return mine[0]
        return None

    def _filtered_place(self, request):
        filters = parse_qs(request.GET.get("_changelist_filters", ""))
        value = request.GET.get(f"{self.place_path}__id__exact") or filters.get(
            f"{self.place_path}__id__exact"
        )
        return value[0] if isinstance(value, list) else value

    def _place_zone(self, request, object_id=None):
        place = self._place_of_request(request, object_id)
        return place.timezone if place is not None else None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        zone = self._place_zone(request, object_id)
        if zone is None:
            return super().changeform_view(request, object_id, form_url, extra_context)
        with timezone.override(zone):
            extra_context = {**(extra_context or {}), "place_time_zone": str(zone)}
            return _rendered(super().changeform_view(request, object_id, form_url, extra_context))

    def changelist_view(self, request, extra_context=None):
        zone = self._place_zone(request)
        if zone is None:
            return super().changelist_view(request, extra_context)
        with timezone.override(zone):
            return _rendered(super().changelist_view(request, extra_context))

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        if self.place_path == "place" and "place" not in initial:
            place = self._place_of_request(request)
            if place is not None:
                initial["place"] = place.pk
        return initial


def _has_place(model):
    return any(f.name == "place" and f.related_model is Place for f in model._meta.get_fields())


class OwnPlacesFilter(admin.RelatedFieldListFilter):
    """The choices of a filter on a place, or on a record of a place, limited to the user's places."""

    def field_choices(self, field, request, model_admin):
        ordering = self.field_admin_ordering(field, request, model_admin)
        if request.user.is_superuser:
            return field.get_choices(include_blank=False, ordering=ordering)
        places = model_admin.allowed_places(request)
        limit = {"pk__in": places} if field.related_model is Place else {"place__in": places}
        return field.get_choices(include_blank=False, ordering=ordering, limit_choices_to=limit)


def _rendered(response):
    """Render a template response now, while the place's time zone is active (not after the view)."""
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


def _is_uuid(value):
    import uuid

    try:
        uuid.UUID(str(value))
    except ValueError:
        return False
    return True
