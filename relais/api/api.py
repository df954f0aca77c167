"""The Relais JSON API: one NinjaAPI object, each app contributes its router.

Schema at /api/openapi.json, documentation page at /api/docs.
"""

from ninja import NinjaAPI, Swagger

from relais.core.api_errors import install

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


install(api)

from relais.coverage.api import router as coverage_router  # noqa: E402
from relais.places.api import router as places_router  # noqa: E402
from relais.spaces.api import router as spaces_router  # noqa: E402
from relais.territory.api import router as territory_router  # noqa: E402

api.add_router("/places", places_router)
api.add_router("/communes", territory_router)
api.add_router("/coverage", coverage_router)
api.add_router("/spaces", spaces_router)
