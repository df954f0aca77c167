"""Serving uploaded files (/fichiers/<folder>/<uuid>/): never by the web server nor whitenoise, always here,
after the owning app said who may read the file (relais/core/uploads.py, `find`)."""

from django.http import FileResponse, Http404
from django.views.decorators.http import require_GET

from . import uploads


@require_GET
def serve_file(request, folder, file_id):
    """Anyone may ask; the owning app decides (a published place's logo: anyone; a team document: the
    place's team). A file the person may not read, or that does not exist, is a 404 — the same answer."""
    served = uploads.find(request.user, folder, file_id)
    if served is None:
        raise Http404
    try:
        handle = uploads.storage().open(served.name, "rb")
    except OSError:  # the record outlived its file (removed by hand): nothing to serve
        raise Http404 from None
    kind = served.kind
    response = FileResponse(
        handle,
        content_type=kind.content_type,
        as_attachment=served.attachment,
        filename=served.download_name or "",
    )
    response["X-Content-Type-Options"] = "nosniff"
    # Whatever the file holds, the browser runs nothing from it and it can be framed nowhere.
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    if served.public:
        # A new file gets a new address (random name), so the same address always holds the same bytes.
        response["Cache-Control"] = "public, max-age=86400"
    else:
        response["Cache-Control"] = "private, no-store"
        response["Vary"] = "Cookie"
    return response
