from django.contrib import admin
from django.urls import include, path

from relais.accounts import urls as accounts_urls
from relais.api.api import api
from relais.core import views as core_views
from relais.core import views_files as core_views_files
from relais.site import account_urls as site_account_urls
from relais.site import privacy_notice
from relais.site import views as site_views

urlpatterns = [
    path("", site_views.home, name="home"),
    path("carte/departements.geojson", core_views.department_outline, name="department-outline"),
    path("carte/fond.pmtiles", core_views.basemap, name="basemap"),
    path("sante/", core_views.health, name="health"),
    path("confidentialite/", privacy_notice.privacy_notice, name="privacy-notice"),
    path("fichiers/<slug:folder>/<uuid:file_id>/", core_views_files.serve_file, name="file"),
    path("i18n/", include("django.conf.urls.i18n")),
    # One `accounts` namespace from two layers: the accounts app's own pages, and « Mon espace », which
    # lists places and so lives in the site layer (docs/architecture.md).
    path("comptes/", include((accounts_urls.urlpatterns + site_account_urls.urlpatterns, "accounts"))),
    path("lieux/", include("relais.places.urls")),
    path("maillage/", include("relais.coverage.urls")),
    path("espaces/", include("relais.spaces.urls")),
    path("territoires/", include("relais.places.territory_urls")),
    path("protection-des-donnees/", include("relais.privacy.urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
