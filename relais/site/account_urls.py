"""The routes of « Mon espace » under /comptes/, in the `accounts` namespace: `relais/urls.py` includes them
together with `relais/accounts/urls.py` (accounts cannot import the site layer, which sits above it)."""

from django.urls import path

from . import dashboard, data_export

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    path("mes-donnees/", data_export.my_data, name="my-data"),
    path("signalements/<uuid:report_id>/traiter/", dashboard.resolve_report, name="resolve-report"),
    path(
        "propositions/<uuid:proposal_id>/<str:decision>/",
        dashboard.review_proposal,
        name="review-proposal",
    ),
]
