"""The Relais JSON API: one NinjaAPI object, each app contributes its router.

Schema at /api/openapi.json, documentation page at /api/docs.
"""

from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError

from relais.core.errors import DomainError, NotFound, ValidationFailed

api = NinjaAPI(
    title="API Relais",
    version="1.0",
    description=(
        "Registre ouvert des tiers-lieux, France Services et lieux de médiation numérique. "
        "Lecture libre ; écriture réservée aux gérants, avec un jeton (`Authorization: Bearer …`)."
    ),
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(ValidationFailed)
def on_validation_failed(request, exc):
    return api.create_response(request, {"detail": exc.message, "errors": exc.errors}, status=422)


@api.exception_handler(NotFound)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=404)


@api.exception_handler(DomainError)
def on_domain_error(request, exc):
    return api.create_response(request, {"detail": exc.message, "field": exc.field}, status=400)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(request, {"detail": _("Jeton d'API absent ou invalide.")}, status=401)


@api.exception_handler(ValidationError)
def on_schema_error(request, exc):
    errors = {}
    for error in exc.errors:
        loc = [str(p) for p in error.get("loc", []) if p not in ("query", "body", "path", "payload")]
        errors.setdefault(".".join(loc) or "requête", []).append(_french_pydantic(error))
    detail = " ; ".join(f"{field} : {' '.join(msgs)}" for field, msgs in errors.items())
    return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def _french_pydantic(error):
    kind = error.get("type", "")
    messages = {
        "missing": "champ obligatoire.",
        "float_parsing": "un nombre est attendu.",
        "int_parsing": "un nombre entier est attendu.",
        "bool_parsing": "une valeur booléenne est attendue (true ou false).",
        "greater_than_equal": "valeur trop petite.",
        "less_than_equal": "valeur trop grande.",
        "greater_than": "valeur trop petite.",
        "string_too_long": "texte trop long.",
        "list_type": "une liste est attendue.",
        "string_type": "un texte est attendu.",
        "json_invalid": "JSON invalide.",
        "uuid_parsing": "identifiant invalide.",
    }
    return messages.get(kind, "valeur invalide.")


from relais.places.api import router as places_router  # noqa: E402
from relais.territory.api import router as territory_router  # noqa: E402

api.add_router("/places", places_router)
api.add_router("/communes", territory_router)
