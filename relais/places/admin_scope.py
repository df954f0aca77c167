"""Admin pages scoped to the places of the user: the team of a place configures it in the Django admin and
sees only its own rows; network admins see configuration but not people's records."""

import functools
from urllib.parse import parse_qs

from django import forms
from django.contrib import admin
from django.utils import timezone

from .models import Place


def managed_places(user):
    return Place.objects.managed_by(user)


def worked_places(user):
    """Places whose team the user belongs to (manager or staff)."""
    if not user.is_authenticated:
        return Place.objects.none()
    return Place.objects.filter(roles__user=user).distinct()


class PlaceScopedAdmin(admin.ModelAdmin):
    """Rows of the places the user may see; foreign keys to a place, or to a record of a place, limited to
    those places."""

    place_path = "place"
    people_records = False  # True: only the team of the place (not network admins) sees the rows

    def allowed_places(self, request):
        if request.user.is_superuser:
            return Place.objects.all()
        return worked_places(request.user) if self.people_records else managed_places(request.user)

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
