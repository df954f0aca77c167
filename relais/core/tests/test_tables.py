"""CSV, ODS and GeoJSON in and out (relais.core.tables): what spreadsheets and open-data tools expect,
files as people send them, bounded memory, French messages that never quote raw bytes."""

import csv
import datetime
import gzip
import io
import json

import pytest
from odf.opendocument import load
from odf.table import Table, TableCell, TableRow

from relais.core import tables
from relais.core.errors import DomainError

ROWS = [
    {"nom": "Café ; numérique", "taux": 12.5, "places": 3, "ouvert": True, "note": None},
    {"nom": "Fablab", "taux": 0.0, "places": 0, "ouvert": False, "note": "à voir"},
]


def read_ods(data):
    rows = []
    for table in load(io.BytesIO(data)).spreadsheet.getElementsByType(Table):
        for row in table.getElementsByType(TableRow):
            rows.append([(c.getAttribute("valuetype"), str(c)) for c in row.getElementsByType(TableCell)])
    return rows


def table_of(path):
    with tables.open_table(path) as table:
        return table.kind, table.encoding, table.delimiter, table.header, list(table)


def items_of(path):
    with tables.open_json(path) as items:
        found = list(items)
        return items.container, found, items.members


# --- Writing ------------------------------------------------------------------------------------------


def test_spreadsheet_csv_has_a_bom_semicolons_and_decimal_commas():
    data = tables.csv_bytes(ROWS)

    assert data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8-sig").splitlines() == [
        "nom;taux;places;ouvert;note",
        '"Café ; numérique";12,5;3;oui;',
        "Fablab;0,0;0;non;à voir",
    ]


def test_open_data_csv_is_what_table_schemas_read():
    data = tables.csv_bytes(ROWS, columns=["places", "taux", "ouvert"], dialect=tables.OPEN_DATA)

    assert data.decode("utf-8").splitlines() == ["places,taux,ouvert", "3,12.5,true", "0,0.0,false"]


def test_csv_streams_rows_from_a_generator_and_writes_the_header_alone_when_empty():
    out = io.StringIO()
    count = tables.write_csv(out, (dict(r) for r in ROWS), dialect=tables.OPEN_DATA)
    assert count == 2
    assert tables.csv_bytes([], columns=["a", "b"]) == "\ufeffa;b\n".encode()
    assert tables.csv_bytes([]) == b""


def test_ods_keeps_numbers_as_numbers_and_one_sheet_per_table():
    data = tables.ods_bytes({"lieux": ROWS, "vide": (["code", "nom"], [])})

    document = load(io.BytesIO(data))
    names = [t.getAttribute("name") for t in document.spreadsheet.getElementsByType(Table)]
    assert names == ["lieux", "vide"]
    rows = read_ods(data)
    assert rows[0] == [("string", c) for c in ["nom", "taux", "places", "ouvert", "note"]]
    assert rows[1] == [
        ("string", "Café ; numérique"),
        ("float", "12.5"),
        ("float", "3"),
        ("boolean", "oui"),
        (None, ""),
    ]
    assert rows[3] == [("string", "code"), ("string", "nom")]


def test_geojson_is_a_feature_collection_written_feature_by_feature():
    out = io.StringIO()
    features = (
        tables.point_feature(lon, lat, {"n": n}, id=str(n)) for n, (lon, lat) in enumerate([(2.5, 45.1)])
    )
    count = tables.write_geojson(out, [*features, tables.point_feature(None, 45.0, {"n": 9})])

    payload = json.loads(out.getvalue())
    assert count == 2
    assert payload["type"] == "FeatureCollection"
    assert payload["features"][0] == {
        "type": "Feature",
        "id": "0",
        "geometry": {"type": "Point", "coordinates": [2.5, 45.1]},
        "properties": {"n": 0},
    }
    assert payload["features"][1]["geometry"] is None


def test_what_is_written_reads_back(tmp_path):
    (tmp_path / "t.csv").write_bytes(tables.csv_bytes(ROWS))
    (tmp_path / "t.ods").write_bytes(tables.ods_bytes({"lieux": ROWS}))

    csv_kind, encoding, delimiter, header, csv_rows = table_of(tmp_path / "t.csv")
    ods_kind, _e, _d, ods_header, ods_rows = table_of(tmp_path / "t.ods")

    assert (csv_kind, encoding, delimiter) == ("csv", "utf-8-sig", ";")
    assert ods_kind == "ods"
    assert header == ods_header == ["nom", "taux", "places", "ouvert", "note"]
    assert [row["nom"] for _line, row, _p in csv_rows] == ["Café ; numérique", "Fablab"]
    assert ods_rows[0] == (
        2,
        {"nom": "Café ; numérique", "taux": "12.5", "places": "3", "ouvert": "true", "note": ""},
        None,
    )
    assert [line for line, _row, _p in ods_rows] == [2, 3]


# --- Reading CSV --------------------------------------------------------------------------------------


def test_windows_1252_and_semicolons_are_recognised(tmp_path):
    path = tmp_path / "w.csv"
    path.write_bytes("nom;ville\nCafé;Été\n".encode("cp1252"))

    assert table_of(path)[:4] == ("csv", "cp1252", ";", ["nom", "ville"])
    assert table_of(path)[4] == [(2, {"nom": "Café", "ville": "Été"}, None)]


def test_a_byte_invalid_in_both_encodings_is_located(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(b"nom,ville\nA,B\n\xc3\x81\x81\n")

    with pytest.raises(DomainError, match="ni UTF-8 ni Windows-1252.*ligne 3"):
        table_of(path)


def test_gzip_blank_lines_and_quoted_line_breaks_keep_the_line_numbers(tmp_path):
    path = tmp_path / "t.csv.gz"
    path.write_bytes(gzip.compress(b'id,nom\n1,"deux\nlignes"\n\n2,B,en trop\n3,C\n'))

    rows = table_of(path)[4]

    assert rows[0] == (2, {"id": "1", "nom": "deux\nlignes"}, None)
    assert rows[1][:2] == (5, None) and "3 valeurs pour 2 colonnes" in rows[1][2]
    assert rows[2] == (6, {"id": "3", "nom": "C"}, None)


def test_a_row_with_control_characters_is_refused_without_quoting_them(tmp_path):
    path = tmp_path / "t.csv"
    path.write_bytes(b"id,nom\n1,A\x01\x1b[2J\n")

    ((line, row, problem),) = table_of(path)[4]

    assert (line, row) == (2, None)
    assert "colonne « nom » : caractère de contrôle" in problem
    assert "\x01" not in problem and "\x1b" not in problem


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "le fichier est vide"),
        (b"  \n\n", "le fichier est vide"),
        (b"\nnom,ville\n", "la première ligne est vide"),
        (b"\x00\x01\x02\xff\xfe", "octets nuls"),
        ("\ufeffnom;nom\n".encode(), "colonnes en double dans l'en-tête : nom"),
        (b'id,nom\n1,"jamais ferm\xc3\xa9\n' + b"x" * 140_000 + b"\n", "ligne 2 : enregistrement illisible"),
        (b"PK\x03\x04 pas une archive", "archive ZIP"),
    ],
)
def test_unreadable_files_get_a_french_message(tmp_path, content, message):
    # The csv module's field limit is global to the process, and libraries raise it when imported
    # (frictionless does): the unclosed-quote case is checked at the standard limit.
    standard = 131_072
    previous = csv.field_size_limit(standard)
    path = tmp_path / "f.csv"
    path.write_bytes(content)

    try:
        with pytest.raises(DomainError, match=message) as caught:
            table_of(path)
    finally:
        csv.field_size_limit(previous)
    assert not tables.reading._CONTROL.search(str(caught.value))


def test_a_binary_file_never_has_its_bytes_echoed(tmp_path):
    path = tmp_path / "image.csv"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x01\x02\x7f" + bytes(range(32)))

    with pytest.raises(DomainError) as caught:
        table_of(path)

    assert "binaire" in caught.value.message
    assert not tables.reading._CONTROL.search(str(caught.value))


def test_a_header_with_control_characters_is_quoted_harmlessly(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"nom\x07,\x1b[31mville\n")

    with tables.open_table(path) as table, pytest.raises(DomainError) as caught:
        table.require(["code_postal"], "mednum-csv")

    assert "colonnes obligatoires absentes pour le format mednum-csv : code_postal" in caught.value.message
    assert "\x07" not in caught.value.message and "\x1b" not in caught.value.message


def test_sizes_are_capped(tmp_path):
    path = tmp_path / "f.csv"
    path.write_bytes(b"a,b\n" + b"1,2\n" * 50)
    bomb = tmp_path / "bomb.csv.gz"
    bomb.write_bytes(gzip.compress(b"a,b\n" + b"1,2\n" * 100_000))
    long_line = tmp_path / "long.csv"
    long_line.write_bytes(b"a,b\n1," + b"2" * 3000 + b"\n")

    with pytest.raises(DomainError, match="fichier trop volumineux"):
        tables.open_table(path, max_bytes=100)
    with pytest.raises(DomainError, match="fichier décompressé trop volumineux"):
        tables.open_table(bomb, max_bytes=100_000)
    with (
        tables.open_table(path, max_rows=10) as table,
        pytest.raises(DomainError, match="trop de lignes : au plus 10"),
    ):
        list(table)
    with pytest.raises(DomainError, match="ligne 2 : plus de"):
        tables.open_table(long_line, max_line_bytes=1000)


def test_reading_is_done_in_chunks(tmp_path, monkeypatch):
    # A file several times the chunk size reads whole, rows intact at every chunk boundary.
    monkeypatch.setattr(tables.reading, "CHUNK", 64)
    path = tmp_path / "f.csv"
    rows = [{"id": str(n), "nom": f"Lieu é n° {n}"} for n in range(500)]
    with open(path, "w", encoding="utf-8", newline="") as handle:
        tables.write_csv(handle, rows, dialect=tables.OPEN_DATA)

    assert [row for _line, row, _p in table_of(path)[4]] == rows


# --- Reading ODS --------------------------------------------------------------------------------------


def test_an_ods_sheet_gives_text_as_typed_and_numbers_as_stored(tmp_path):
    path = tmp_path / "f.ods"
    path.write_bytes(
        tables.ods_bytes(
            {
                "lieux": (
                    ["code_insee", "nom", "ouvert le"],
                    [{"code_insee": "15014", "nom": "  Aurillac  ", "ouvert le": datetime.date(2024, 5, 2)}],
                ),
                "autre": [{"x": "ignorée"}],
            }
        )
    )

    assert table_of(path)[3:] == (
        ["code_insee", "nom", "ouvert le"],
        [(2, {"code_insee": "15014", "nom": "Aurillac", "ouvert le": "2024-05-02"}, None)],
    )


def test_an_xlsx_workbook_is_refused_with_what_to_do(tmp_path):
    import zipfile

    path = tmp_path / "classeur.csv"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")

    with pytest.raises(DomainError, match="classeur Excel .XLSX. : enregistrez-le au format CSV"):
        table_of(path)


# --- Reading JSON lists -------------------------------------------------------------------------------


def test_the_objects_of_a_feature_collection_come_one_by_one_with_their_line(tmp_path):
    path = tmp_path / "f.geojson"
    out = io.StringIO()
    tables.write_geojson(out, [tables.point_feature(2, 45, {"n": n}) for n in range(3)])
    path.write_text(out.getvalue(), encoding="utf-8")

    container, found, members = items_of(path)

    assert container == "features"
    assert members == {"type": "FeatureCollection"}
    assert [(line, item["properties"]["n"]) for line, item in found] == [(2, 0), (3, 1), (4, 2)]


@pytest.mark.parametrize(
    ("text", "container", "members"),
    [
        ('[{"a": 1}, {"a": 2}]', "", {}),
        ('{"data": [{"a": 1}, {"a": 2}], "total": 2}', "data", {"total": 2}),
        ('{"meta": {"x": [1]}, "lieux": [{"a": 1}, {"a": 2}]}', "lieux", {}),
        (
            '{"features": [{"a": 1}, {"a": 2}], "type": "FeatureCollection"}',
            "features",
            {"type": "FeatureCollection"},
        ),
    ],
)
def test_the_list_is_found_where_the_formats_put_it(tmp_path, text, container, members):
    path = tmp_path / "f.json"
    path.write_text(text, encoding="utf-8")

    assert items_of(path) == (container, [(1, {"a": 1}), (1, {"a": 2})], members)


def test_json_is_read_in_a_window_whatever_its_size(tmp_path, monkeypatch):
    monkeypatch.setattr(tables.jsonlist, "CHUNK", 50)
    path = tmp_path / "f.json"
    items = [{"id": n, "texte": "é" * n, "x": 1.5 * n, "ok": n % 2 == 0} for n in range(300)]
    path.write_text(json.dumps({"type": "liste", "data": items}, indent=1), encoding="utf-8")
    lines = path.read_text(encoding="utf-8").split("\n")

    container, found, members = items_of(path)

    assert [item for _line, item in found] == items
    assert all(lines[line - 1] == "  {" for line, _item in found)
    assert members == {"type": "liste"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[{"a": 1},\n {"b": 2,}]', "JSON invalide ligne 2"),
        ('[{"a": 1}', "JSON invalide ligne 1"),
        ('[\n{"a": 1},\n{"b" 2}\n]', "JSON invalide ligne 3"),
        ("[1, 2] en trop", "JSON invalide ligne 1 .caractère 8."),
        ('"texte"', "une liste d'objets est attendue"),
        ("", "le fichier est vide"),
    ],
)
def test_invalid_json_is_located_in_french(tmp_path, text, message):
    path = tmp_path / "f.json"
    path.write_text(text, encoding="utf-8")

    with pytest.raises(DomainError, match=message):
        items_of(path)


def test_an_object_larger_than_the_window_allows_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(tables.jsonlist, "CHUNK", 100)  # the window grows by 100 characters at a time
    path = tmp_path / "f.json"
    path.write_text(json.dumps([{"a": "x" * 5000}]), encoding="utf-8")

    with (
        tables.open_json(path, max_item_chars=1000) as items,
        pytest.raises(DomainError, match="dépasse 1000"),
    ):
        list(items)


# --- Helpers ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("12,5", 12.5),
        ("1 234,5", 1234.5),
        ("1\u202f234", 1234.0),
        ("-3", -3.0),
        ("abc", None),
        ("", None),
        ("nan", None),
    ],
)
def test_numbers_as_people_type_them(text, value):
    assert tables.parse_decimal(text) == value


def test_printable_replaces_control_characters_and_cuts_long_text():
    assert tables.printable("a\x00b\x1b[31m\u202ec\nd") == "a\ufffdb\ufffd[31m\ufffdc d"
    assert tables.printable("x" * 200, limit=10) == "x" * 9 + "…"


def test_csv_output_is_parsed_back_by_the_csv_module():
    text = tables.csv_bytes([{"a": 'guillemets " et ;', "b": "deux\nlignes"}]).decode("utf-8-sig")

    assert list(csv.reader(io.StringIO(text), delimiter=";")) == [
        ["a", "b"],
        ['guillemets " et ;', "deux\nlignes"],
    ]
