from django.urls import path

from relais.urls import urlpatterns as relais_urlpatterns

from .api import api

# Relais's routes first and unchanged; the peer's API after them.
urlpatterns = [*relais_urlpatterns, path("bench/postgis/", api.urls)]
