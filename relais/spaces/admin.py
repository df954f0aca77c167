"""Django admin for resources and bookings, scoped to the places of the user.

Configuration (resources, prices, closures, qualifications) is shown to the managers of the place (and to
network admins); people's records (bookings, waiting list, who holds a qualification) only to the team of
the place — network-level roles do not see people's files (superusers, the operators, see everything).
Bookings are read here and changed only through the domain services (cancel, no-show), so that every rule
and the audit trail apply.
"""

import decimal

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from relais.accounts.lookup import AccountField, resolve_person
from relais.core.errors import DomainError
from relais.places import tenancy
from relais.places.admin_scope import PlaceScopedAdmin
from relais.privacy.audit import Actor

from . import services
from .enums import ResourceKind
from .models import (
    KIND_DEFAULTS,
    Booking,
    BookingSeries,
    BookingTransition,
    Closure,
    PriceRule,
    Qualification,
    Resource,
    UserQualification,
    WaitlistEntry,
)


class PriceRuleForm(forms.ModelForm):
    """The amount in euros (12,50), stored in cents."""

    amount = forms.DecimalField(
        label=_("montant (€)"), min_value=0, max_digits=9, decimal_places=2, localize=True
    )

    class Meta:
        model = PriceRule
        fields = ["audience", "unit", "amount"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["amount"] = decimal.Decimal(self.instance.amount_cents) / 100

    def save(self, commit=True):
        self.instance.amount_cents = int((self.cleaned_data["amount"] * 100).to_integral_value())
        return super().save(commit)


class PriceRuleInline(admin.TabularInline):
    model = PriceRule
    form = PriceRuleForm
    extra = 0


@admin.register(Resource)
class ResourceAdmin(PlaceScopedAdmin):
    list_display = ["name", "place", "kind", "capacity", "granularity_minutes", "is_active"]
    search_fields = ["name", "place__name"]
    list_select_related = ["place"]
    list_filter = ["kind", "is_active", "place"]
    inlines = [PriceRuleInline]
    change_list_template = "admin/spaces/resource/change_list.html"

    def get_changeform_initial_data(self, request):
        """A new resource of a kind (?kind=meeting_room) starts from that kind's usual rules."""
        initial = super().get_changeform_initial_data(request)
        defaults = KIND_DEFAULTS.get(initial.get("kind") or request.GET.get("kind"), {})
        return {**defaults, **initial}

    def changelist_view(self, request, extra_context=None):
        kinds = [(value, label) for value, label in ResourceKind.choices]
        return super().changelist_view(request, {**(extra_context or {}), "resource_kinds": kinds})


@admin.register(Closure)
class ClosureAdmin(PlaceScopedAdmin):
    list_display = ["place", "resource", "start", "end", "reason"]
    list_select_related = ["place", "resource"]
    list_filter = ["place"]
    date_hierarchy = "start"


@admin.register(Qualification)
class QualificationAdmin(PlaceScopedAdmin):
    list_display = ["name", "place"]
    search_fields = ["name", "place__name"]
    list_filter = ["place"]


class UserQualificationForm(forms.ModelForm):
    user = AccountField(label=_("personne"))

    class Meta:
        model = UserQualification
        fields = ["user", "qualification", "granted_on"]

    def clean(self):
        data = super().clean()
        qualification = data.get("qualification")
        place = qualification.place if qualification is not None else None
        resolve_person(self, "user", place, tenancy.find_known_person)
        return data


@admin.register(UserQualification)
class UserQualificationAdmin(PlaceScopedAdmin):
    place_path = "qualification__place"
    people_records = True
    form = UserQualificationForm
    list_display = ["user", "qualification", "granted_on", "granted_by"]
    list_select_related = ["user", "qualification", "granted_by"]
    readonly_fields = ["granted_by"]
    search_fields = ["user__username", "user__last_name", "qualification__name"]

    def save_model(self, request, obj, form, change):
        if not change or obj.granted_by_id is None:
            obj.granted_by = request.user
        super().save_model(request, obj, form, change)


class TransitionInline(admin.TabularInline):
    model = BookingTransition
    extra = 0
    can_delete = False
    readonly_fields = ["transition", "from_status", "to_status", "at", "by_label", "reason"]
    fields = readonly_fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Booking)
class BookingAdmin(PlaceScopedAdmin):
    people_records = True
    list_display = ["resource", "start", "end", "quantity", "person_display", "status"]
    list_filter = ["status", "resource__kind"]
    list_select_related = ["resource", "person"]
    date_hierarchy = "start"
    search_fields = ["resource__name", "person_name", "person__username", "person__last_name"]
    readonly_fields = [
        "resource",
        "place",
        "person",
        "person_name",
        "person_contact",
        "booked_by",
        "start",
        "end",
        "quantity",
        "status",
        "series",
        "price_cents",
        "member_rate",
        "price_audience",
        "notes",
        "created_at",
        "cancelled_at",
        "checked_in_at",
        "reminder_sent_at",
    ]
    inlines = [TransitionInline]
    actions = ["cancel_bookings", "mark_no_shows"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _apply(self, request, queryset, operation, done):
        actor = Actor.from_request(request, channel="admin")
        count = 0
        for booking in queryset:
            try:
                operation(actor, booking)
                count += 1
            except DomainError as exc:
                self.message_user(request, f"{booking} : {exc.message}", messages.ERROR)
        if count:
            self.message_user(request, done % {"count": count}, messages.SUCCESS)

    @admin.action(description=_("Annuler les réservations choisies (délai d'annulation levé)"))
    def cancel_bookings(self, request, queryset):
        self._apply(
            request,
            queryset,
            lambda actor, b: services.cancel(actor, b, override_deadline=True, reason="administration"),
            ngettext_lazy("%(count)d réservation annulée.", "%(count)d réservations annulées.", "count"),
        )

    @admin.action(description=_("Noter l'absence des personnes"))
    def mark_no_shows(self, request, queryset):
        self._apply(
            request,
            queryset,
            services.mark_no_show,
            ngettext_lazy("%(count)d absence notée.", "%(count)d absences notées.", "count"),
        )


@admin.register(BookingSeries)
class BookingSeriesAdmin(PlaceScopedAdmin):
    people_records = True
    list_display = ["resource", "first_start", "until", "person_display"]
    list_select_related = ["resource", "person"]
    readonly_fields = [f.name for f in BookingSeries._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WaitlistEntry)
class WaitlistEntryAdmin(PlaceScopedAdmin):
    people_records = True
    list_display = ["resource", "start", "end", "quantity", "person_display", "status", "offered_at"]
    list_filter = ["status"]
    list_select_related = ["resource", "person"]
    readonly_fields = [f.name for f in WaitlistEntry._meta.fields if f.name != "status"]

    def has_add_permission(self, request):
        return False
