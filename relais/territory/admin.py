from django.contrib import admin

from .models import Commune, Department, Epci, MunicipalArrondissement, Region


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["code_insee", "name", "department", "population"]
    search_fields = ["code_insee", "name", "search_name"]
    list_filter = ["region"]


admin.site.register(Department, list_display=["code", "name", "region"])
admin.site.register(Region, list_display=["code", "name"])
admin.site.register(Epci, list_display=["siren", "name", "kind"], search_fields=["name", "siren"])
admin.site.register(
    MunicipalArrondissement, list_display=["code_insee", "name", "postal_codes", "population"]
)
