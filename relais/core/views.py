import os
import re
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.http import (
    FileResponse,
    HttpResponse,
    HttpResponseNotModified,
    JsonResponse,
    StreamingHttpResponse,
)
from django.utils.http import http_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET, require_safe


@require_GET
@cache_control(public=True, max_age=86400)
@gzip_page
def department_outline(request):
    """The outline of the départements (vendored reference data, see data/README.md): the map's base layer
    when no tile server is configured."""
    path = settings.RELAIS_DATA_DIR / "departements-contours.geojson"
    return FileResponse(path.open("rb"), content_type="application/geo+json")


BYTE_RANGE = re.compile(r"^bytes=(\d*)-(\d*)$")
CHUNK = 64 * 1024
IN_MEMORY = 1024 * 1024  # a range up to this size is read at once (tiles, directories); larger ones stream


class _FilePart:
    """`length` bytes of `f` from `start`, in chunks; the server's close() of the response closes the file."""

    def __init__(self, f, start, length):
        self.f, self.start, self.length = f, start, length

    def __iter__(self):
        self.f.seek(self.start)
        left = self.length
        while left > 0:
            data = self.f.read(min(CHUNK, left))
            if not data:
                break
            left -= len(data)
            yield data

    def close(self):
        self.f.close()


def _byte_range(header, size):
    """(start, end) inclusive of one `bytes=` range, None to serve the whole file (no range, another unit,
    several ranges), or "unsatisfiable"."""
    if not header:
        return None
    match = BYTE_RANGE.match(header.strip())
    if not match:
        return None if not header.strip().startswith("bytes=") or "," in header else "unsatisfiable"
    first, last = match.groups()
    if not first and not last:
        return "unsatisfiable"
    if not first:  # the last N bytes
        length = int(last)
        if length == 0 or size == 0:
            return "unsatisfiable"
        return max(0, size - length), size - 1
    start = int(first)
    end = min(int(last), size - 1) if last else size - 1
    if start >= size or (last and int(last) < start):
        return "unsatisfiable"
    return start, end


@require_safe
def basemap(request):
    """The vector basemap (PMTiles, settings.RELAIS_BASEMAP_PATH), read by the map with HTTP range requests:
    `Range: bytes=a-b` → 206 Partial Content, a range beyond the file → 416, no range → the whole file. No
    session, no cookie: the same bytes for everyone, cached a day and revalidated by ETag."""
    path = Path(settings.RELAIS_BASEMAP_PATH)
    try:
        f = path.open("rb")
    except OSError:
        message = _("Le fond de carte n’est pas encore construit : lancez « manage.py build_basemap ».")
        return HttpResponse(message, status=404, content_type="text/plain; charset=utf-8")
    stat = os.fstat(f.fileno())
    size = stat.st_size
    etag = f'"{stat.st_mtime_ns:x}-{size:x}"'
    headers = {
        "Accept-Ranges": "bytes",
        "ETag": etag,
        "Last-Modified": http_date(stat.st_mtime),
        "Cache-Control": "public, max-age=86400",
    }
    if request.headers.get("If-None-Match") == etag and "Range" not in request.headers:
        f.close()
        response = HttpResponseNotModified()
        for name, value in headers.items():
            response[name] = value
        return response
    byte_range = _byte_range(request.headers.get("Range"), size)
    if_range = request.headers.get("If-Range")
    if byte_range is not None and if_range and if_range != etag:
        byte_range = None  # the file changed since the client's copy: send it whole
    if byte_range == "unsatisfiable":
        f.close()
        response = HttpResponse(status=416, content_type="text/plain; charset=utf-8")
        response["Content-Range"] = f"bytes */{size}"
        for name, value in headers.items():
            response[name] = value
        return response
    start, end = byte_range or (0, size - 1)
    length = max(0, end - start + 1)
    status = 206 if byte_range else 200
    if request.method == "HEAD" or length <= IN_MEMORY:
        with f:
            f.seek(start)
            content = b"" if request.method == "HEAD" else f.read(length)
        response = HttpResponse(content, status=status, content_type="application/vnd.pmtiles")
    else:
        response = StreamingHttpResponse(
            _FilePart(f, start, length), status=status, content_type="application/vnd.pmtiles"
        )
    response["Content-Length"] = str(length)
    if byte_range:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    for name, value in headers.items():
        response[name] = value
    return response


@require_safe
@never_cache
def health(request):
    """For the reverse proxy and the service manager: 200 when the app answers and reaches its database, 503
    otherwise. Public (it says nothing but "ok"), exempt from the HTTPS redirect (a local probe)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except DatabaseError:
        return JsonResponse({"status": "indisponible", "database": False}, status=503)
    return JsonResponse({"status": "ok", "database": True})
