"""The Base Adresse Nationale's geocoder (api-adresse.data.gouv.fr, or a self-hosted addok).

Addresses are sent by batches to the CSV endpoint (`POST {base}/search/csv/`), the documented way to
geocode many addresses at once: one multipart request per batch, the file in `data`, the columns to read
in `columns`, the column that filters the results on the commune in `citycode`. The answer is the same
CSV with the result's columns added (`latitude`, `longitude`, `result_score`, `result_type`…).
"""

import csv
import http.client
import io
import time
import urllib.error
import urllib.request
import uuid

from django.conf import settings
from django.utils.translation import gettext as _

from . import RESULT_TYPES, Geocoder, GeocodeResult, GeocodingUnavailable

DEFAULT_URL = "https://api-adresse.data.gouv.fr"
BATCH_ROWS = 2000  # the service takes files up to 50 MB; 2,000 addresses is about 150 kB and 10–30 s
TIMEOUT_S = 120  # one batch, sent and answered
RETRIES = 4  # after the first attempt, on 429, 5xx and network failures
BACKOFF_S = 2.0  # doubled after each failed attempt
MAX_WAIT_S = 60  # the longest pause, whatever Retry-After asks
# In Paris, Lyon and Marseille the BAN's addresses carry the municipal arrondissement's code (75111), not
# the commune's (75056): a filter on the commune's code would find nothing, so these rows go unfiltered.
COMMUNES_WITH_ARRONDISSEMENTS = {"75056", "69123", "13055"}
COLUMNS = ["id", "adresse", "code_postal", "commune", "citycode"]
USER_AGENT = "Relais (registre des tiers-lieux)"


class BanGeocoder(Geocoder):
    def __init__(
        self,
        base_url=None,
        *,
        timeout=TIMEOUT_S,
        retries=RETRIES,
        backoff=BACKOFF_S,
        batch_rows=BATCH_ROWS,
        sleep=time.sleep,
    ):
        base_url = base_url or getattr(settings, "RELAIS_GEOCODER_URL", "") or DEFAULT_URL
        self.url = base_url.rstrip("/") + "/search/csv/"
        self.timeout, self.retries, self.backoff, self.batch_rows = timeout, retries, backoff, batch_rows
        self.sleep = sleep

    def geocode(self, queries):
        found = {}
        for start in range(0, len(queries), self.batch_rows):
            batch = queries[start : start + self.batch_rows]
            found.update(parse_response(self._post(*build_request(batch))))
        return found

    def _post(self, body, content_type):
        request = urllib.request.Request(
            self.url,
            data=body,
            method="POST",
            headers={"Content-Type": content_type, "User-Agent": USER_AGENT, "Accept": "text/csv"},
        )
        wait = self.backoff
        for attempt in range(self.retries + 1):
            last = attempt == self.retries
            try:
                with urllib.request.urlopen(request, timeout=self.timeout) as response:
                    return response.read().decode("utf-8-sig")
            except urllib.error.HTTPError as exc:
                with exc:  # the error is the response: read what it says, and close it
                    detail = exc.read(500).decode("utf-8", "replace").strip()
                if exc.code != 429 and exc.code < 500:
                    raise GeocodingUnavailable(
                        _(
                            "le service de géocodage (%(url)s) a refusé la demande "
                            "(HTTP %(status)s) : %(detail)s"
                        )
                        % {"url": self.url, "status": exc.code, "detail": detail or exc.reason}
                    ) from None
                if last:
                    raise GeocodingUnavailable(
                        _(
                            "le service de géocodage (%(url)s) ne répond pas "
                            "(HTTP %(status)s après %(count)s essais)."
                        )
                        % {"url": self.url, "status": exc.code, "count": attempt + 1}
                    ) from None
                pause = _retry_after(exc.headers.get("Retry-After"), wait)
            except (urllib.error.URLError, http.client.HTTPException, TimeoutError, ConnectionError) as exc:
                if last:
                    reason = getattr(exc, "reason", exc)
                    raise GeocodingUnavailable(
                        _("le service de géocodage (%(url)s) est injoignable (%(reason)s, %(count)s essais).")
                        % {"url": self.url, "reason": reason, "count": attempt + 1}
                    ) from None
                pause = wait
            self.sleep(min(pause, MAX_WAIT_S))
            wait *= 2
        raise AssertionError("unreachable")  # the last attempt returns or raises


def _retry_after(header, default):
    """Seconds asked by a Retry-After header (its date form is not used by the BAN): the default otherwise."""
    try:
        return max(0.0, float(header))
    except (TypeError, ValueError):
        return default


def build_request(queries):
    """(body, content type) of the multipart request for a batch of AddressQuery."""
    rows = io.StringIO()
    writer = csv.writer(rows, lineterminator="\n")
    writer.writerow(COLUMNS)
    for query in queries:
        citycode = "" if query.code_insee in COMMUNES_WITH_ARRONDISSEMENTS else query.code_insee
        writer.writerow(
            [query.id, _one_line(query.address), query.postal_code, _one_line(query.city), citycode]
        )
    fields = [
        ("columns", "adresse"),
        ("columns", "code_postal"),
        ("columns", "commune"),
        ("citycode", "citycode"),
    ]
    boundary = f"relais-{uuid.uuid4().hex}"
    parts = []
    for name, value in fields:
        parts.append(
            f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        )
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="data"; filename="adresses.csv"\r\n'
        "Content-Type: text/csv; charset=utf-8\r\n\r\n".encode()
        + rows.getvalue().encode("utf-8")
        + b"\r\n"
    )
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


def _one_line(text):
    return " ".join(str(text or "").split())


def parse_response(text):
    """{id: GeocodeResult} of the rows of a BAN CSV answer that found something."""
    lines = text.splitlines()
    if not lines or "id" not in lines[0]:
        raise GeocodingUnavailable(
            _("réponse illisible du service de géocodage : « %(start)s ».") % {"start": text[:80]}
        )
    delimiter = ";" if lines[0].count(";") > lines[0].count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    missing = {"id", "latitude", "longitude", "result_score"} - set(reader.fieldnames or ())
    if missing:
        raise GeocodingUnavailable(
            _("réponse du service de géocodage sans les colonnes %(columns)s.")
            % {"columns": ", ".join(sorted(missing))}
        )
    found = {}
    for row in reader:
        if row.get("result_status", "ok") not in ("ok", "") or not row.get("latitude"):
            continue  # not found, skipped or failed: left out
        try:
            result = GeocodeResult(
                id=row["id"],
                latitude=float(row["latitude"]),
                longitude=float(row["longitude"]),
                score=float(row["result_score"]),
                result_type=row.get("result_type") or "",
                label=row.get("result_label") or "",
                citycode=row.get("result_citycode") or "",
            )
        except ValueError:
            continue  # a row whose numbers do not read is not a result
        if result.result_type in RESULT_TYPES or not result.result_type:
            found[result.id] = result
    return found
