from django.urls import include, path

from . import dedup_views, views

app_name = "places"
urlpatterns = [
    path("", views.place_list, name="list"),
    path("carte.json", views.place_list_map, name="map"),
    path("<uuid:place_id>/", views.place_detail, name="detail"),
    path("<uuid:place_id>/modifier/", views.place_edit, name="edit"),
    path("<uuid:place_id>/historique/", views.place_history, name="history"),
    path("<uuid:place_id>/fiche/", views.place_sheet, name="sheet"),
    path("<uuid:place_id>/signaler/", views.place_report, name="report"),
    path("<uuid:place_id>/confirmer/", views.place_confirm, name="confirm"),
    path("<uuid:place_id>/", include("relais.places.document_urls")),
    path("doublons/", dedup_views.duplicate_list, name="duplicates"),
    path("doublons/<uuid:candidate_id>/", dedup_views.duplicate_decide, name="duplicate-decide"),
]
