from django.urls import path

from . import request_views, views

app_name = "privacy"
urlpatterns = [
    path("", views.index, name="dpo"),
    path("compte/", views.account_search, name="account"),
    path("compte/export.csv", views.account_export, name="account-csv"),
    path("personne/", views.person_search, name="person"),
    path("personne/export.csv", views.person_export, name="person-csv"),
    path("demandes/", request_views.request_list, name="requests"),
    path("demandes/nouvelle/", request_views.request_create, name="request-create"),
    path("demandes/<uuid:request_id>/", request_views.request_detail, name="request"),
    path("demandes/<uuid:request_id>/<slug:action>/", request_views.request_action, name="request-action"),
]
