"""Geocoding the places' addresses (`manage.py geocode_places`) through the `Geocoder` interface.

The command is run with `FakeGeocoder` (a table of answers); the BAN backend is run against a real HTTP
server on 127.0.0.1 that answers as the BAN's CSV endpoint does.
"""

import csv
import email.parser
import email.policy
import http.server
import io
import socket
import threading
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from relais.core.errors import ValidationFailed
from relais.places import search
from relais.places.forms import PlaceForm
from relais.places.geocoding import AddressQuery, GeocodingUnavailable, get_geocoder
from relais.places.geocoding.ban import BanGeocoder, build_request, parse_response
from relais.places.geocoding.fake import FakeGeocoder, address_key
from relais.places.models import Place, PositionSource
from relais.places.services import snapshot, update_place
from relais.privacy.audit import Actor
from relais.privacy.models import AuditAction, AuditEvent
from relais.territory.models import Commune
from relais.testing import PlaceFactory, UserFactory, form_data, place_in

pytestmark = pytest.mark.django_db

KM = 1 / 111.2  # degrees of latitude in one kilometre


def _near(code, km_north):
    commune = Commune.objects.get(pk=code)
    return commune.latitude + km_north * KM, commune.longitude


# address → answer of the fake geocoder, as the BAN would give it: (km north of the commune's reference
# point, score, result type, label, citycode); the commune of the place asking is the key's second part.
ANSWERS = {
    ("10 rue des Carmes", "15014"): (0.5, 0.93, "housenumber", "10 Rue des Carmes 15000 Aurillac", "15014"),
    ("rue vague", "15014"): (0.3, 0.41, "street", "Rue de la Vague 15000 Aurillac", "15014"),
    ("2 place de la gare", "15014"): (40.0, 0.88, "housenumber", "2 Place de la Gare 15200 Mauriac", "15120"),
    ("1 avenue lointaine", "15014"): (45.0, 0.9, "street", "Avenue Lointaine 15000 Aurillac", "15014"),
    ("le bourg", "15014"): (0.0, 0.95, "municipality", "Aurillac", "15014"),
    ("12 rue de la roquette", "75056"): (
        0.8,
        0.97,
        "housenumber",
        "12 Rue de la Roquette 75011 Paris",
        "75111",
    ),
}


def table_geocoder():
    """The geocoder named by RELAIS_GEOCODER in these tests: the fake, answering from ANSWERS."""
    table = {}
    for (address, code), (km, score, kind, label, citycode) in ANSWERS.items():
        lat, lon = _near(code, km)
        table[address_key(address, code)] = (lat, lon, score, kind, label, citycode)
    return FakeGeocoder(table)


@pytest.fixture
def fake(settings):
    settings.RELAIS_GEOCODER = "relais.places.tests.test_geocoding.table_geocoder"


def approximate(address, code="15014", **kwargs):
    return place_in(code, address=address, location_approximate=True, **kwargs)


def run(*args):
    out = StringIO()
    call_command("geocode_places", *args, stdout=out, verbosity=0)
    return out.getvalue()


def fresh(place):
    return Place.objects.get(pk=place.pk)


# --- The command, with the fake backend -------------------------------------------------------------


def test_a_dry_run_reports_and_writes_nothing(fake):
    place = approximate("10 rue des Carmes")
    before = snapshot(place)
    events = AuditEvent.objects.count()

    output = run()

    assert "1 lieu à géocoder, 1 adresse trouvée, 1 position acceptée" in output
    assert "selected=1 found=1 accepted=1 written=0 dry_run=1" in output
    assert "Simulation : rien n'a été écrit" in output
    assert snapshot(fresh(place)) == before
    assert fresh(place).position_source == PositionSource.COMMUNE
    assert AuditEvent.objects.count() == events


def test_a_wet_run_moves_an_approximate_place_to_its_address_and_keeps_the_score(fake):
    place = approximate("10 rue des Carmes")

    output = run("--wet-run")

    place = fresh(place)
    assert (place.latitude, place.longitude) == pytest.approx(_near("15014", 0.5))
    assert place.location_approximate is False
    assert place.position_source == PositionSource.GEOCODED
    assert place.geocode_score == 0.93
    assert place.geocoded_at is not None
    assert "1 lieu déplacé." in output
    assert "selected=1 found=1 accepted=1 written=1 dry_run=0" in output


def test_the_move_is_in_the_place_audit_trail(fake):
    place = approximate("10 rue des Carmes")

    run("--wet-run")

    event = AuditEvent.objects.get(target_id=str(place.pk), action=AuditAction.UPDATE)
    assert (event.channel, event.actor_label) == ("command", "géocodage")
    assert event.changes["location_approximate"] == [True, False]
    assert event.changes["position_source"] == ["commune", "geocoded"]
    assert event.changes["geocode_score"] == [None, 0.93]
    assert event.changes["latitude"][1] == pytest.approx(_near("15014", 0.5)[0])


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("rue vague", "score trop bas : 1"),
        ("2 place de la gare", "adresse trouvée dans une autre commune : 1"),
        ("1 avenue lointaine", "position trop loin de la commune : 1"),
        ("le bourg", "seule la commune a été trouvée : 1"),
        ("7 impasse inconnue", "adresse introuvable : 1"),
    ],
    ids=["low-score", "other-citycode", "too-far", "municipality", "not-found"],
)
def test_an_unsure_answer_is_refused_and_the_place_stays_approximate(fake, address, reason):
    place = approximate(address)
    before = snapshot(place)

    output = run("--wet-run")

    assert reason in output
    assert "accepted=0 written=0" in output
    assert snapshot(fresh(place)) == before
    assert fresh(place).position_source == PositionSource.COMMUNE
    assert not AuditEvent.objects.filter(target_id=str(place.pk), action=AuditAction.UPDATE).exists()


def test_the_threshold_is_an_option(fake):
    place = approximate("rue vague")

    output = run("--wet-run", "--min-score", "0.4")

    assert "1 lieu déplacé." in output
    assert (
        "Une position est acceptée si son score atteint 0,40, si elle est dans la commune du lieu" in output
    )
    assert fresh(place).geocode_score == 0.41


def test_an_address_in_a_municipal_arrondissement_is_in_its_commune(fake):
    place = approximate("12 rue de la Roquette", code="75056")

    run("--wet-run")

    assert fresh(place).position_source == PositionSource.GEOCODED


def test_the_report_gives_the_score_distribution_and_the_precision(fake):
    approximate("10 rue des Carmes")
    approximate("rue vague")
    approximate("le bourg")

    output = run()

    lines = output.splitlines()
    assert "Scores des adresses trouvées :" in lines
    assert "  0,90 – 1 : 2" in lines  # 0.93 and 0.95
    assert "  0,00 – 0,50 : 1" in lines  # 0.41
    assert "  0,80 – 0,90 : 0" in lines
    assert "  numéro dans la voie : 1" in lines
    assert "  commune : 1" in lines


def test_only_approximate_places_by_default_all_with_an_address_with_all(fake):
    precise = PlaceFactory(address="10 rue des Carmes")  # its position is the source list's
    team = PlaceFactory(address="10 rue des Carmes", position_source=PositionSource.TEAM)
    without_address = approximate("")

    assert "selected=0" in run("--wet-run")
    output = run("--wet-run", "--all")

    assert "1 lieu à géocoder" in output  # never the team's position, never without an address
    assert fresh(precise).position_source == PositionSource.GEOCODED
    assert fresh(team).position_source == PositionSource.TEAM
    assert fresh(without_address).location_approximate is True


def test_commune_and_department_select_the_places(fake):
    paris = approximate("12 rue de la Roquette", code="75056")
    aurillac = approximate("10 rue des Carmes")

    assert "1 lieu à géocoder" in run("--commune", "75056")
    assert "1 lieu à géocoder" in run("--department", "15")
    run("--wet-run", "--department", "75")

    assert fresh(paris).position_source == PositionSource.GEOCODED
    assert fresh(aurillac).position_source == PositionSource.COMMUNE


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--min-score", "1.5"], "--min-score doit être compris entre 0 et 1 (reçu : 1.5)."),
        (["--max-km", "0"], "--max-km doit être positif (reçu : 0.0)."),
    ],
)
def test_bad_options_are_refused_in_french(fake, args, message):
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        run(*args)


def test_a_geocoded_place_is_no_longer_penalised_nor_said_approximate(fake, client):
    place = approximate("10 rue des Carmes", name="Médiathèque des Carmes")
    lat, lon = _near("15014", 0)
    precise = place_in("15014", name="Précis à 1 km", latitude=lat + 1 * KM)
    assert search.nearest_places(lat, lon, k=1).ids == [precise.pk]  # ranked 2 km farther than the centre
    html = client.get(reverse("places:list"), {"where": "Aurillac"}).content.decode()
    assert "dans la commune, position approximative" in html

    run("--wet-run")

    assert search.nearest_places(lat, lon, k=1).ids == [place.pk]  # at 0.5 km, its own position
    html = client.get(reverse("places:list"), {"where": "Aurillac"}).content.decode()
    assert "position approximative" not in html
    page = client.get(reverse("places:detail", args=[place.pk])).content.decode()
    assert "position approximative" not in page


def test_a_source_list_that_only_knows_the_commune_does_not_undo_a_geocoded_position(fake):
    from relais.places.opendata.importer import import_places

    place = approximate("10 rue des Carmes", source="Liste", source_id="l-1")
    run("--wet-run")
    geocoded = fresh(place)
    path = _relais_csv(geocoded, latitude="", longitude="", location_approximate="")

    import_places(path)

    after = fresh(place)
    assert (after.latitude, after.longitude) == (geocoded.latitude, geocoded.longitude)
    assert (after.position_source, after.geocode_score, after.location_approximate) == (
        "geocoded",
        0.93,
        False,
    )


def _relais_csv(place, **changes):
    """A Relais CSV file (`export_places --format csv`) of the place, with changed columns."""
    from relais.places.opendata.relais_csv import COLUMNS, place_to_row

    row = {**place_to_row(place), **changes}
    path = _tmp_file("lieux.csv")
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=COLUMNS, delimiter=";")
        writer.writeheader()
        writer.writerow(row)
    return path


def _tmp_file(name):
    import tempfile
    from pathlib import Path

    return Path(tempfile.mkdtemp()) / name


# --- Positions set by the team, origins on edit ------------------------------------------------------


def test_the_team_form_setting_a_position_says_it_was_set_by_the_team(client):
    manager = UserFactory()
    place = approximate("10 rue des Carmes", managers=[manager])
    client.force_login(manager)
    form = client.get(reverse("places:edit", args=[place.pk])).context["form"]
    lat, lon = _near("15014", 0.7)

    client.post(
        reverse("places:edit", args=[place.pk]), form_data(form, latitude=str(lat), longitude=str(lon))
    )

    place = fresh(place)
    assert (place.position_source, place.location_approximate, place.geocode_score) == ("team", False, None)


def test_saving_the_team_form_without_moving_the_place_keeps_a_geocoded_position(fake, client):
    manager = UserFactory()
    place = approximate("10 rue des Carmes", managers=[manager])
    run("--wet-run")
    client.force_login(manager)
    form = client.get(reverse("places:edit", args=[place.pk])).context["form"]

    client.post(reverse("places:edit", args=[place.pk]), form_data(form, name="Nouveau nom"))

    place = fresh(place)
    assert place.name == "Nouveau nom"
    assert (place.position_source, place.geocode_score) == ("geocoded", 0.93)


def test_the_form_data_states_the_team_as_the_origin():
    form = PlaceForm(data={"name": "x", "status": "open", "code_insee": "15014"})
    assert form.is_valid(), form.errors
    assert form.to_data()["position_source"] == PositionSource.TEAM


def test_an_update_with_a_geocoded_score_out_of_range_names_the_field():
    place = approximate("10 rue des Carmes")
    lat, lon = _near("15014", 0.5)
    data = {"latitude": lat, "longitude": lon, "position_source": "geocoded", "geocode_score": 3}

    with pytest.raises(ValidationFailed) as caught:
        update_place(place, data, Actor(channel="command", label="test"))

    assert caught.value.errors == {
        "position_source": ["le score du géocodage doit être compris entre 0 et 1."]
    }


def test_the_default_geocoder_is_the_ban_at_the_configured_address(settings):
    settings.RELAIS_GEOCODER_URL = "http://127.0.0.1:9/addok/"
    geocoder = get_geocoder()
    assert isinstance(geocoder, BanGeocoder)
    assert geocoder.url == "http://127.0.0.1:9/addok/search/csv/"


# --- The BAN backend, against a real local HTTP server --------------------------------------------

RESULT_COLUMNS = [
    "latitude",
    "longitude",
    "result_label",
    "result_score",
    "result_score_next",
    "result_type",
    "result_id",
    "result_housenumber",
    "result_name",
    "result_street",
    "result_postcode",
    "result_city",
    "result_context",
    "result_citycode",
    "result_oldcitycode",
    "result_oldcity",
    "result_district",
    "result_status",
]
# adresse → (latitude, longitude, label, score, type, citycode): what the local "BAN" knows.
BAN_KNOWS = {
    "10 rue des Carmes": (
        "44.928112",
        "2.444871",
        "10 Rue des Carmes 15000 Aurillac",
        "0.9312",
        "housenumber",
        "15014",
    ),
    "12 rue de la Roquette": (
        "48.854291",
        "2.372542",
        "12 Rue de la Roquette 75011 Paris",
        "0.97",
        "housenumber",
        "75111",
    ),
}


class BanServer:
    """A BAN-shaped CSV endpoint on 127.0.0.1: answers `statuses` in turn (then 200), records each request."""

    def __init__(self, statuses=()):
        self.statuses = list(statuses)
        self.requests = []
        server = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                server.requests.append((self.path, self.headers["Content-Type"], body))
                status = server.statuses.pop(0) if server.statuses else 200
                if status != 200:
                    self.send_response(status)
                    self.send_header("Retry-After", "0")
                    self.end_headers()
                    self.wfile.write(b'{"code": %d, "message": "Bad request"}' % status)
                    return
                answer = server.answer(self.headers["Content-Type"], body).encode("utf-8")
                self.send_response(200)
                self.send_header("Content-Type", "text/csv; charset=utf-8")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def answer(self, content_type, body):
        form = parse_multipart(content_type, body)
        rows = list(csv.DictReader(io.StringIO(form["data"][0])))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([*rows[0].keys(), *RESULT_COLUMNS] if rows else ["id", *RESULT_COLUMNS])
        citycode_column = form.get("citycode", [""])[0]
        for row in rows:
            known = BAN_KNOWS.get(row["adresse"])
            wanted = row.get(citycode_column, "") if citycode_column else ""
            if known is None or (wanted and known[5] != wanted):  # the citycode filter, as the BAN applies it
                writer.writerow([*row.values(), *[""] * (len(RESULT_COLUMNS) - 1), "not-found"])
                continue
            lat, lon, label, score, kind, citycode = known
            values = {
                "latitude": lat,
                "longitude": lon,
                "result_label": label,
                "result_score": score,
                "result_type": kind,
                "result_citycode": citycode,
                "result_status": "ok",
            }
            writer.writerow([*row.values(), *[values.get(c, "") for c in RESULT_COLUMNS]])
        return out.getvalue()

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()


def parse_multipart(content_type, body):
    """{field: [values]} of a multipart/form-data body, read by the standard library's e-mail parser."""
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    fields = {}
    for part in message.iter_parts():
        fields.setdefault(part.get_param("name", header="content-disposition"), []).append(
            part.get_payload(decode=True).decode("utf-8")
        )
    return fields


def queries():
    return [
        AddressQuery("a", "10 rue des Carmes", "15000", "15014", "Aurillac"),
        AddressQuery("b", "12 rue de la Roquette", "75011", "75056", "Paris"),
        AddressQuery("c", "3 chemin inconnu", "15000", "15014", "Aurillac"),
    ]


def test_the_request_is_a_csv_with_the_columns_to_read_and_the_citycode_filter():
    body, content_type = build_request(queries())
    form = parse_multipart(content_type, body)

    assert form["columns"] == ["adresse", "code_postal", "commune"]
    assert form["citycode"] == ["citycode"]
    rows = list(csv.DictReader(io.StringIO(form["data"][0])))
    assert rows[0] == {
        "id": "a",
        "adresse": "10 rue des Carmes",
        "code_postal": "15000",
        "commune": "Aurillac",
        "citycode": "15014",
    }
    assert rows[1]["citycode"] == ""  # Paris: the BAN's addresses carry the arrondissement's code


def test_the_ban_backend_geocodes_a_batch_over_http():
    with BanServer() as server:
        found = BanGeocoder(server.url).geocode(queries())

    assert set(found) == {"a", "b"}  # "c" was not found: left out
    assert found["a"].latitude == 44.928112 and found["a"].longitude == 2.444871
    assert (found["a"].score, found["a"].result_type, found["a"].citycode) == (0.9312, "housenumber", "15014")
    assert found["a"].label == "10 Rue des Carmes 15000 Aurillac"
    assert found["b"].citycode == "75111"
    [(path, content_type, _body)] = server.requests
    assert path == "/search/csv/"
    assert content_type.startswith("multipart/form-data; boundary=")


def test_the_ban_backend_sends_batches_of_the_given_size():
    with BanServer() as server:
        found = BanGeocoder(server.url, batch_rows=2).geocode(queries())

    assert len(server.requests) == 2
    assert set(found) == {"a", "b"}


def test_the_ban_backend_waits_and_retries_after_429_then_5xx():
    pauses = []
    with BanServer(statuses=[429, 503]) as server:
        found = BanGeocoder(server.url, backoff=0.5, sleep=pauses.append).geocode(queries())

    assert set(found) == {"a", "b"}
    assert len(server.requests) == 3
    assert pauses == [0.0, 0.0]  # Retry-After: 0 was asked each time


def test_the_ban_backend_gives_up_after_its_retries_with_a_french_error():
    pauses = []
    with BanServer(statuses=[500, 500, 500]) as server, pytest.raises(GeocodingUnavailable) as caught:
        BanGeocoder(server.url, retries=2, sleep=pauses.append).geocode(queries())

    assert caught.value.message == (
        f"le service de géocodage ({server.url}/search/csv/) ne répond pas (HTTP 500 après 3 essais)."
    )
    assert len(server.requests) == 3


def test_a_refused_request_is_not_retried():
    refused = pytest.raises(GeocodingUnavailable, match=r"a refusé la demande \(HTTP 400\)")
    with BanServer(statuses=[400]) as server, refused:
        BanGeocoder(server.url, sleep=lambda s: None).geocode(queries())
    assert len(server.requests) == 1


def test_an_unreachable_service_is_a_french_error_after_backing_off():
    with socket.socket() as probe:  # a port nobody listens on once closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    pauses = []

    with pytest.raises(GeocodingUnavailable) as caught:
        BanGeocoder(f"http://127.0.0.1:{port}", retries=2, backoff=1.5, sleep=pauses.append).geocode(
            queries()
        )

    assert caught.value.message.startswith(
        f"le service de géocodage (http://127.0.0.1:{port}/search/csv/) est injoignable"
    )
    assert caught.value.message.endswith(", 3 essais).")
    assert pauses == [1.5, 3.0]


def test_a_response_that_is_not_the_ban_csv_is_a_french_error():
    with pytest.raises(GeocodingUnavailable, match="réponse illisible du service de géocodage"):
        parse_response("<html>maintenance</html>")


def test_the_command_through_the_ban_backend(settings):
    place = approximate("10 rue des Carmes")
    with BanServer() as server:
        settings.RELAIS_GEOCODER_URL = server.url
        output = run("--wet-run")

    assert "1 lieu déplacé." in output
    place = fresh(place)
    assert (place.latitude, place.longitude, place.geocode_score) == (44.928112, 2.444871, 0.9312)


def test_the_command_reports_a_refusing_service_in_french(settings):
    approximate("10 rue des Carmes")
    with BanServer(statuses=[400]) as server:
        settings.RELAIS_GEOCODER_URL = server.url
        with pytest.raises(CommandError, match="le service de géocodage .* a refusé la demande"):
            run("--wet-run")


def test_the_history_tells_the_origin_of_the_new_position_in_french(fake):
    from relais.places.services import place_history_page

    place = approximate("10 rue des Carmes")
    run("--wet-run")

    [event] = place_history_page(fresh(place)).events  # the factory records no creation
    rows = {row.label: (row.before, row.after) for row in event.rows}
    assert rows["origine de la position"] == ("centre de la commune", "géocodée depuis l'adresse")
    assert rows["score du géocodage"] == ("—", "0,93")
    assert event.author == "géocodage"


def test_the_migration_gives_existing_places_the_origin_of_their_position():
    from importlib import import_module

    from django.apps import apps

    migration = import_module("relais.places.migrations.0008_position_source")
    centre = approximate("")
    listed = PlaceFactory()
    nowhere = PlaceFactory(latitude=None, longitude=None)
    Place.objects.update(position_source="source")  # as the new column's default leaves them

    migration.set_position_source(apps, None)

    assert [fresh(p).position_source for p in (centre, listed, nowhere)] == ["commune", "source", ""]
