"""Members in the Django admin: the team of the place sees and edits its own members only; each opening of
a member's file, each creation and change is written to the audit trail."""

from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from relais.accounts.lookup import AccountField, resolve_person
from relais.places import tenancy
from relais.places.admin_scope import PlaceScopedAdmin

from .models import Member


class MemberForm(forms.ModelForm):
    user = AccountField(
        label=_("compte"),
        required=False,
        help_text=_(
            "L'identifiant ou l'adresse e-mail de son compte, si la personne est déjà connue du lieu (venue, "
            "de l'équipe) ; sinon laissez vide et indiquez son nom et un téléphone ou un e-mail."
        ),
    )

    class Meta:
        model = Member
        fields = ["place", "user", "name", "contact", "joined_on", "ends_on"]

    def clean(self):
        data = super().clean()
        resolve_person(self, "user", data.get("place"), tenancy.find_known_person)
        return data


@admin.register(Member)
class MemberAdmin(PlaceScopedAdmin):
    people_records = True
    audited_fields = ("place_id", "user_id", "name", "contact", "joined_on", "ends_on")
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
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
