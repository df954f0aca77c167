"""The "Logo et documents" pages of a place, under /lieux/<uuid>/ (in the `places` namespace)."""

from django.urls import path

from . import document_views

urlpatterns = [
    path("documents/", document_views.place_documents, name="documents"),
    path(
        "documents/<uuid:document_id>/supprimer/",
        document_views.place_document_delete,
        name="document-delete",
    ),
    path("logo/", document_views.place_logo, name="logo"),
    path("logo/retirer/", document_views.place_logo_remove, name="logo-remove"),
]
