from django.contrib import admin

from .models import Label, Place, Public, Service, Typology


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ["name", "commune", "status", "source", "data_updated_on"]
    list_filter = ["status", "is_demo", "typologies"]
    search_fields = ["name", "search_text", "siret"]
    autocomplete_fields = ["commune"]
    filter_horizontal = ["typologies", "services", "publics", "labels"]


for model in (Typology, Service, Public, Label):
    admin.site.register(
        model, list_display=["code", "name", "mednum_value", "position"], search_fields=["code", "name"]
    )
