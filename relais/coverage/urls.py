from django.urls import path

from . import views

app_name = "coverage"
urlpatterns = [
    path("", views.coverage_page, name="page"),
    path("carte.json", views.coverage_map_data, name="map-data"),
    path("conserver/", views.keep_analysis, name="keep"),
    path("telecharger/<str:name>", views.coverage_export, name="export"),
]
