from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import ApiToken, PlaceRole, User


class PlaceRoleInline(admin.TabularInline):
    model = PlaceRole
    extra = 0
    autocomplete_fields = ["place"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    fieldsets = [*BaseUserAdmin.fieldsets, ("Relais", {"fields": ["is_network_admin"]})]
    list_display = ["username", "email", "is_network_admin", "is_staff", "is_active"]
    inlines = [PlaceRoleInline]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    readonly_fields = ["key_hash", "prefix", "created_at", "last_used_at"]
