from django.urls import path

from . import views

app_name = "places"
urlpatterns = [
    path("", views.place_list, name="list"),
    path("<uuid:place_id>/", views.place_detail, name="detail"),
    path("<uuid:place_id>/modifier/", views.place_edit, name="edit"),
    path("<uuid:place_id>/historique/", views.place_history, name="history"),
]
