from django.contrib import admin
from django.db import models
from django.utils import timezone

from relais.privacy.audit import Actor, AuditAction, build_event, diff

from .models import ErrorReport, Label, Place, Public, Service, Typology
from .services import snapshot


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    """Changes made here are recorded in the audit trail like those of the pages and the API."""

    list_display = ["name", "commune", "status", "source", "data_updated_on"]
    list_filter = ["status", "is_demo", "typologies"]
    search_fields = ["name", "search_text", "siret"]
    autocomplete_fields = ["commune"]
    filter_horizontal = ["typologies", "services", "publics", "labels"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def save_model(self, request, obj, form, change):
        # The values before the change (the form has already written the new ones to `obj`).
        request._place_before = snapshot(Place.objects.get(pk=obj.pk)) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        place = form.instance
        changes = diff(getattr(request, "_place_before", {}), snapshot(place))
        if changes:
            action = AuditAction.UPDATE if change else AuditAction.CREATE
            build_event(
                Actor.from_request(request, channel="admin"), action, place, changes=changes, place=place
            ).save()

    def delete_model(self, request, obj):
        actor = Actor.from_request(request, channel="admin")
        build_event(actor, AuditAction.DELETE, obj, changes=diff(snapshot(obj), {})).save()
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        actor = Actor.from_request(request, channel="admin")
        for place in queryset:
            build_event(actor, AuditAction.DELETE, place, changes=diff(snapshot(place), {})).save()
        super().delete_queryset(request, queryset)


@admin.register(ErrorReport)
class ErrorReportAdmin(admin.ModelAdmin):
    """Reports are handled by the places' managers from their dashboard; here, read and filtered."""

    list_display = ["place", "kind", "status", "created_at", "resolved_by"]
    list_filter = ["status", "kind"]
    search_fields = ["place__name", "message"]
    date_hierarchy = "created_at"
    list_select_related = ["place", "resolved_by"]
    readonly_fields = [
        "place",
        "kind",
        "message",
        "reporter_email",
        "created_at",
        "resolved_by",
        "resolved_at",
    ]
    fields = [*readonly_fields[:5], "status", "resolved_by", "resolved_at"]

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        if "status" in form.changed_data:
            before = form.initial.get("status")
            if obj.status == ErrorReport.Status.RESOLVED and obj.resolved_at is None:
                obj.resolved_by, obj.resolved_at = request.user, timezone.now()
            elif obj.status == ErrorReport.Status.OPEN:
                obj.resolved_by = obj.resolved_at = None
            super().save_model(request, obj, form, change)
            build_event(
                Actor.from_request(request, channel="admin"),
                AuditAction.UPDATE,
                obj,
                changes={"status": [before, obj.status]},
                place=obj.place,
            ).save()
        else:
            super().save_model(request, obj, form, change)


for model in (Typology, Service, Public, Label):
    admin.site.register(
        model, list_display=["code", "name", "mednum_value", "position"], search_fields=["code", "name"]
    )
