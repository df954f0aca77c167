"""Geocoding addresses through an interface: `Geocoder.geocode(queries)` answers a batch of addresses.

The production backend is the Base Adresse Nationale (`ban.BanGeocoder`, its CSV batch endpoint); tests use
`fake.FakeGeocoder`, which answers from a table it is given. The setting `RELAIS_GEOCODER` names the backend
(a dotted path to a class or a factory called without arguments). A geocoder is called from commands only
(`manage.py geocode_places`), never during a web request: it may take minutes.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from relais.core.errors import DomainError

DEFAULT_GEOCODER = "relais.places.geocoding.ban.BanGeocoder"
# What a result located, from the most to the least precise (the BAN's `result_type`), as people read it.
RESULT_TYPES = {
    "housenumber": _("numéro dans la voie"),
    "street": _("voie"),
    "locality": _("lieu-dit"),
    "municipality": _("commune"),
}


@dataclass(frozen=True)
class AddressQuery:
    """One address to locate. `id` is the caller's (a place's UUID as text), given back with its result."""

    id: str
    address: str
    postal_code: str = ""
    code_insee: str = ""  # the commune the address must be in (the backend filters on it when it can)
    city: str = ""  # the commune's name, read with the address


@dataclass(frozen=True)
class GeocodeResult:
    id: str
    latitude: float
    longitude: float
    score: float  # the geocoder's confidence, 0 to 1
    result_type: str  # one of RESULT_TYPES
    label: str  # the address as the geocoder found it
    citycode: str  # INSEE code of the commune (or municipal arrondissement) found


class GeocodingUnavailable(DomainError):
    """The geocoding service cannot be reached or does not answer usably."""

    def __init__(self, message):
        super().__init__(message, code="geocoding_unavailable")


class Geocoder:
    """A geocoding backend. Subclasses implement `geocode`."""

    def geocode(self, queries):
        """{query id: GeocodeResult} for the queries (a list of AddressQuery) the backend located; an
        address it did not find is left out. Raises GeocodingUnavailable when the service fails."""
        raise NotImplementedError


def get_geocoder():
    """The geocoder the setting `RELAIS_GEOCODER` names (the BAN by default)."""
    return import_string(getattr(settings, "RELAIS_GEOCODER", DEFAULT_GEOCODER))()
