"""Admin pages scoped to the places of the user: the team of a place configures it in the Django admin and
sees only its own rows; network admins see configuration but not people's records."""

from django.contrib import admin

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
        if not request.user.is_superuser:
            places = self.allowed_places(request)
            related = db_field.related_model
            if related is Place:
                kwargs["queryset"] = places
            elif any(f.name == "place" and f.related_model is Place for f in related._meta.get_fields()):
                kwargs["queryset"] = related.objects.filter(place__in=places)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)
