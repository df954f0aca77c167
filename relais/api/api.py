"""The Relais JSON API: one NinjaAPI object, each app contributes its router.

Schema at /api/openapi.json, documentation page at /api/docs.
"""

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError

from relais.core.errors import DomainError, NotFound, ValidationFailed

api = NinjaAPI(
    title="API Relais",
    version="1.0",
    description=(
        "Registre ouvert des tiers-lieux, France Services et lieux de médiation numérique. "
        "Lecture libre ; écriture réservée aux gérants, avec un jeton (`Authorization: Bearer …`)."
    ),
    urls_namespace="api",
    # Swagger UI's files are served by the app itself (ninja's static folder, no CDN, since "ninja" is in
    # INSTALLED_APPS). No online validator either (validator.swagger.io): no request to a third-party host.
    docs=Swagger(settings={"validatorUrl": None}),
    docs_url="/docs",
)


@api.exception_handler(ValidationFailed)
def on_validation_failed(request, exc):
    return api.create_response(request, {"detail": exc.message, "errors": exc.errors}, status=422)


@api.exception_handler(NotFound)
def on_not_found(request, exc):
    return api.create_response(request, {"detail": str(exc), "field": exc.field}, status=404)


@api.exception_handler(DomainError)
def on_domain_error(request, exc):
    # "field : message", as in the 422 answers, so that the detail alone says which parameter is wrong.
    return api.create_response(request, {"detail": str(exc), "field": exc.field}, status=400)


@api.exception_handler(AuthenticationError)
def on_auth_error(request, exc):
    return api.create_response(request, {"detail": _("Jeton d'API absent ou invalide.")}, status=401)


@api.exception_handler(HttpError)
def on_http_error(request, exc):
    # ninja's own messages are in English; the body parser's is the one people meet.
    if exc.status_code == 400:
        detail = _("Corps de la requête illisible : un objet JSON est attendu.")
    else:
        detail = _("La requête n'a pas pu être traitée (code %(code)s).") % {"code": exc.status_code}
    return api.create_response(request, {"detail": detail}, status=exc.status_code)


@api.exception_handler(Http404)
def on_http_404(request, exc):
    return api.create_response(request, {"detail": _("Ressource introuvable.")}, status=404)


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
        "uuid_type": "identifiant invalide.",
        "float_type": "un nombre est attendu.",
        "int_type": "un nombre entier est attendu.",
        "bool_type": "une valeur booléenne est attendue (true ou false).",
        "finite_number": "un nombre fini est attendu.",
        "date_parsing": "date invalide (format attendu : AAAA-MM-JJ).",
        "date_from_datetime_parsing": "date invalide (format attendu : AAAA-MM-JJ).",
        "date_from_datetime_inexact": "date invalide (format attendu : AAAA-MM-JJ).",
        "date_type": "date invalide (format attendu : AAAA-MM-JJ).",
        "model_attributes_type": "un objet JSON est attendu.",
        "model_type": "un objet JSON est attendu.",
        "dict_type": "un objet JSON est attendu.",
    }
    return messages.get(kind, "valeur invalide.")


from relais.coverage.api import router as coverage_router  # noqa: E402
from relais.places.api import router as places_router  # noqa: E402
from relais.spaces.api import router as spaces_router  # noqa: E402
from relais.territory.api import router as territory_router  # noqa: E402

api.add_router("/places", places_router)
api.add_router("/communes", territory_router)
api.add_router("/coverage", coverage_router)
api.add_router("/spaces", spaces_router)
