"""The basemap served with HTTP range requests (/carte/fond.pmtiles): what the PMTiles reader in the browser
asks for."""

import pytest
from django.urls import reverse

CONTENT = bytes(range(256)) * 40  # 10,240 bytes, each offset recognisable


@pytest.fixture
def basemap(settings, tmp_path):
    path = tmp_path / "basemap.pmtiles"
    path.write_bytes(CONTENT)
    settings.RELAIS_BASEMAP_PATH = path
    return path


def body(response):
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_a_range_gets_206_with_exactly_those_bytes(client, basemap):
    response = client.get(reverse("basemap"), HTTP_RANGE="bytes=100-227")

    assert response.status_code == 206
    assert body(response) == CONTENT[100:228]
    assert response["Content-Range"] == f"bytes 100-227/{len(CONTENT)}"
    assert response["Content-Length"] == "128"
    assert response["Accept-Ranges"] == "bytes"
    assert response["Content-Type"] == "application/vnd.pmtiles"
    assert "max-age=86400" in response["Cache-Control"] and "public" in response["Cache-Control"]
    assert response["ETag"]
    # Nothing personal: no session, no cookie.
    assert not response.cookies


def test_open_and_suffix_ranges(client, basemap):
    tail = client.get(reverse("basemap"), HTTP_RANGE="bytes=10000-")
    assert tail.status_code == 206
    assert body(tail) == CONTENT[10000:]
    last = client.get(reverse("basemap"), HTTP_RANGE="bytes=-16")
    assert last.status_code == 206
    assert body(last) == CONTENT[-16:]
    beyond_end = client.get(reverse("basemap"), HTTP_RANGE="bytes=10200-99999")
    assert beyond_end.status_code == 206
    assert body(beyond_end) == CONTENT[10200:]


@pytest.mark.parametrize("header", ["bytes=20000-20100", "bytes=500-100", "bytes=-0", "bytes=abc"])
def test_an_unsatisfiable_range_gets_416(client, basemap, header):
    response = client.get(reverse("basemap"), HTTP_RANGE=header)

    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{len(CONTENT)}"


def test_without_a_range_the_whole_file(client, basemap):
    response = client.get(reverse("basemap"))

    assert response.status_code == 200
    assert body(response) == CONTENT
    assert response["Content-Length"] == str(len(CONTENT))
    assert response["Accept-Ranges"] == "bytes"


def test_a_stale_if_range_gets_the_whole_file_and_a_matching_etag_gets_304(client, basemap):
    etag = client.get(reverse("basemap"), HTTP_RANGE="bytes=0-9")["ETag"]

    stale = client.get(reverse("basemap"), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"other"')
    assert stale.status_code == 200
    assert body(stale) == CONTENT
    fresh = client.get(reverse("basemap"), HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE=etag)
    assert fresh.status_code == 206
    assert client.get(reverse("basemap"), HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_head_gives_the_size_without_the_body(client, basemap):
    response = client.head(reverse("basemap"))

    assert response.status_code == 200
    assert response["Content-Length"] == str(len(CONTENT))


def test_a_missing_file_is_a_404_in_french(client, settings, tmp_path):
    settings.RELAIS_BASEMAP_PATH = tmp_path / "absent.pmtiles"

    response = client.get(reverse("basemap"))

    assert response.status_code == 404
    assert "Le fond de carte n’est pas encore construit" in response.content.decode()
    assert "build_basemap" in response.content.decode()


def test_a_large_range_is_streamed_and_the_file_closed(client, basemap, monkeypatch):
    from relais.core import views

    monkeypatch.setattr(views, "IN_MEMORY", 100)
    response = client.get(reverse("basemap"), HTTP_RANGE="bytes=1000-4999")

    assert response.status_code == 206 and response.streaming
    assert body(response) == CONTENT[1000:5000]
