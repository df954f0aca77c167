"""One mapping from errors to JSON API answers, and one error schema, for every app's router.

`ErrorOut` is the body of every 4xx; `error_responses(400, 404…)` declares them in a route's OpenAPI
responses; `install(api)` registers the handlers once on the NinjaAPI object. The kind of a domain error
decides its status (see `relais.core.errors`).
"""

from django.core.exceptions import RequestDataTooBig
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from .errors import Conflict, DomainError, Forbidden, NotFound, TooManyRequests, ValidationFailed


class ErrorOut(Schema):
    """What every 4xx answer of the API holds: a French `detail` saying what is wrong and where."""

    detail: str
    field: str | None = None
    code: str | None = None
    errors: dict[str, list[str]] | None = None


def error_responses(*statuses):
    """{status: ErrorOut} for a route's `response=`, so that the OpenAPI schema lists each 4xx it answers."""
    return dict.fromkeys(statuses, ErrorOut)


def status_of(exc):
    if isinstance(exc, ValidationFailed):
        return 422
    if isinstance(exc, NotFound):
        return 404
    if isinstance(exc, Forbidden):
        return 403
    if isinstance(exc, Conflict):
        return 409
    if isinstance(exc, TooManyRequests):
        return 429
    return 400


def body_of(exc):
    body = {"detail": str(exc), "field": exc.field, "code": exc.code}
    if isinstance(exc, ValidationFailed):
        body["errors"] = exc.errors
    return body


def install(api):
    """Register the handlers on `api` (a NinjaAPI)."""

    @api.exception_handler(DomainError)
    def on_domain_error(request, exc):
        # "field : message", so that the detail alone says which parameter is wrong.
        return api.create_response(request, body_of(exc), status=status_of(exc))

    @api.exception_handler(AuthenticationError)
    def on_auth_error(request, exc):
        return api.create_response(request, {"detail": _("Jeton d'API absent ou invalide.")}, status=401)

    @api.exception_handler(RequestDataTooBig)
    def on_too_big(request, exc):
        detail = _("Corps de la requête trop volumineux : la limite est de %(size)s Mo.") % {
            "size": _megabytes(),
        }
        return api.create_response(request, {"detail": detail}, status=413)

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
            errors.setdefault(".".join(loc) or _("requête"), []).append(_french_pydantic(error))
        detail = " ; ".join(f"{field} : {' '.join(msgs)}" for field, msgs in errors.items())
        return api.create_response(request, {"detail": detail, "errors": errors}, status=422)


def _megabytes():
    from django.conf import settings

    return f"{settings.DATA_UPLOAD_MAX_MEMORY_SIZE / 1_000_000:g}"


def _french_pydantic(error):
    kind = error.get("type", "")
    context = error.get("ctx") or {}
    limits = {
        "greater_than_equal": _("valeur trop petite (minimum %(limit)s)."),
        "less_than_equal": _("valeur trop grande (maximum %(limit)s)."),
        "greater_than": _("valeur trop petite (doit dépasser %(limit)s)."),
        "less_than": _("valeur trop grande (doit rester sous %(limit)s)."),
        "string_too_long": _("texte trop long (%(limit)s caractères au plus)."),
        "string_too_short": _("texte trop court (%(limit)s caractères au moins)."),
    }
    if kind in limits:
        limit = next(
            (context[k] for k in ("ge", "le", "gt", "lt", "max_length", "min_length") if k in context), ""
        )
        return limits[kind] % {"limit": limit}
    messages = {
        "missing": _("champ obligatoire."),
        "float_parsing": _("un nombre est attendu."),
        "int_parsing": _("un nombre entier est attendu."),
        "bool_parsing": _("une valeur booléenne est attendue (true ou false)."),
        "list_type": _("une liste est attendue."),
        "string_type": _("un texte est attendu."),
        "json_invalid": _("JSON invalide."),
        "uuid_parsing": _("identifiant invalide."),
        "uuid_type": _("identifiant invalide."),
        "float_type": _("un nombre est attendu."),
        "int_type": _("un nombre entier est attendu."),
        "bool_type": _("une valeur booléenne est attendue (true ou false)."),
        "finite_number": _("un nombre fini est attendu."),
        "date_parsing": _("date invalide (format attendu : AAAA-MM-JJ)."),
        "date_from_datetime_parsing": _("date invalide (format attendu : AAAA-MM-JJ)."),
        "date_from_datetime_inexact": _("date invalide (format attendu : AAAA-MM-JJ)."),
        "date_type": _("date invalide (format attendu : AAAA-MM-JJ)."),
        "datetime_parsing": _("date et heure invalides (format attendu : AAAA-MM-JJTHH:MM)."),
        "datetime_from_date_parsing": _("date et heure invalides (format attendu : AAAA-MM-JJTHH:MM)."),
        "datetime_type": _("date et heure invalides (format attendu : AAAA-MM-JJTHH:MM)."),
        "model_attributes_type": _("un objet JSON est attendu."),
        "model_type": _("un objet JSON est attendu."),
        "dict_type": _("un objet JSON est attendu."),
        "enum": _("valeur inconnue (valeurs possibles : %(expected)s).")
        % {"expected": context.get("expected", "")},
        "literal_error": _("valeur inconnue (valeurs possibles : %(expected)s).")
        % {"expected": context.get("expected", "")},
    }
    return messages.get(kind, _("valeur invalide."))
