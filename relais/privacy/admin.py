from django.contrib import admin

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    list_display = ["at", "actor_label", "action", "target_type", "target_label", "channel"]
    list_filter = ["action", "target_type", "channel"]
    search_fields = ["target_id", "target_label", "actor_label"]
    # The chain's fields are shown on each row's page (read-only, like every field here).
    readonly_fields = ["previous_hash", "hash"]

    # The audit trail is append-only, also from the admin.
    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
