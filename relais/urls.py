from django.contrib import admin
from django.urls import include, path

from relais.api.api import api
from relais.core import views as core_views
from relais.site import views as site_views

urlpatterns = [
    path("", site_views.home, name="home"),
    path("carte/departements.geojson", core_views.department_outline, name="department-outline"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("comptes/", include("relais.accounts.urls")),
    path("lieux/", include("relais.places.urls")),
    path("maillage/", include("relais.coverage.urls")),
    path("espaces/", include("relais.spaces.urls")),
    path("territoires/", include("relais.places.territory_urls")),
    path("api/", api.urls),
    path("admin/", admin.site.urls),
]
