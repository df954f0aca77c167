"""Members in the Django admin: the team of the place sees and edits its own members only; each opening of
a member's file, each creation and change is written to the audit trail."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from relais.accounts.lookup import AccountField
from relais.places.admin_scope import PlaceScopedAdmin
from relais.privacy.audit import Actor, AuditAction, diff, record

from .models import Member

AUDITED_FIELDS = ("place_id", "user_id", "name", "contact", "joined_on", "ends_on")


def _snapshot(member):
    return {
        name: str(getattr(member, name)) if getattr(member, name) is not None else None
        for name in AUDITED_FIELDS
    }


class MemberForm(forms.ModelForm):
    user = AccountField(
        label=_("compte"),
        required=False,
        help_text=_(
            "L'identifiant ou l'adresse e-mail de son compte ; vide pour une personne sans compte (indiquez "
            "alors son nom et un téléphone ou un e-mail)."
        ),
    )

    class Meta:
        model = Member
        fields = ["place", "user", "name", "contact", "joined_on", "ends_on"]


@admin.register(Member)
class MemberAdmin(PlaceScopedAdmin):
    people_records = True
    list_display = ["display_name", "place", "user", "joined_on", "ends_on"]
    list_filter = ["ends_on"]
    list_select_related = ["place", "user"]
    search_fields = ["name", "user__username", "user__last_name", "user__email"]
    form = MemberForm
    fields = ["place", "user", "name", "contact", "joined_on", "ends_on"]

    @admin.display(description=_("adhérent"))
    def display_name(self, obj):
        return obj.display_name

    def save_model(self, request, obj, form, change):
        before = _snapshot(Member.objects.get(pk=obj.pk)) if change else {}
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        record(
            Actor.from_request(request, channel="admin"),
            AuditAction.UPDATE if change else AuditAction.CREATE,
            obj,
            changes=diff(before, _snapshot(obj)),
            place=obj.place,
        )

    def delete_model(self, request, obj):
        record(Actor.from_request(request, channel="admin"), AuditAction.DELETE, obj, place=obj.place)
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        actor = Actor.from_request(request, channel="admin")
        for member in queryset.select_related("place"):
            record(actor, AuditAction.DELETE, member, place=member.place)
        super().delete_queryset(request, queryset)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        member = self.get_queryset(request).filter(pk=object_id).first()
        if member is not None and request.method == "GET":
            record(Actor.from_request(request, channel="admin"), AuditAction.VIEW, member, place=member.place)
        return response
