"""Tables in and out, the same way in every app: CSV, OpenDocument spreadsheets (ODS) and GeoJSON.

Writing. Rows are dicts keyed by column name; `columns` gives the order (by default the keys of the first
row). Values may be text, numbers, booleans, dates or None; rows may come from a generator.

    write_csv(stream, rows, columns=None, dialect=SPREADSHEET) -> number of rows
        into a text stream opened with newline="" (nothing is kept in memory);
    csv_bytes(rows, columns=None, dialect=SPREADSHEET) -> bytes (an HTTP response, an attachment);
    write_ods(target, sheets) -> target, ods_bytes(sheets) -> bytes
        `sheets` is {sheet name: rows} or {sheet name: (columns, rows)}; target a path or a binary stream;
        numbers stay numbers, dates dates; the document is built in memory (exports of a few sheets);
    write_geojson(stream, features) -> number of features, streamed one feature per line;
    point_feature(longitude, latitude, properties, id=None) -> a GeoJSON Feature (no point, no geometry).

    Dialects: SPREADSHEET is `;`, UTF-8 with a byte-order mark, decimal comma, oui/non: what a spreadsheet
    set to French opens as is. OPEN_DATA is `,`, UTF-8 without BOM, decimal point, true/false: what the
    Table Schemas of the national standards expect.

Reading. Files as people send them, read in chunks: memory stays bounded whatever the size. Every problem
is a DomainError with a French message that never quotes raw bytes of the file.

    with open_table(path) as table:        # CSV or ODS, told apart by their content
        table.require(["nom", "code_postal"], "mednum-csv")
        for line, row, problem in table:   # row: {column: stripped text}, or None and a French problem
            ...
    with open_json(path) as items:         # the objects of a JSON list: top-level, or "features",
        for line, item in items:           # "data" or "lieux" of a top-level object, one at a time
            ...

    CSV: UTF-8 with or without BOM, or Windows-1252; `;`, `,` or tab (guessed from the header line);
    gzipped or not. ODS: the first sheet, its first non-empty row as header. Sizes are capped (MAX_BYTES,
    MAX_ROWS, a physical line of a CSV file at MAX_LINE_BYTES). `table.progress()` and `items.progress()`
    give (bytes read, bytes on disk) for a progress bar.

    parse_decimal("1 234,5") -> 1234.5 (None when unreadable); printable(text) -> text safe to quote in
    a message (control characters replaced, long text cut).
"""

from .jsonlist import LIST_KEYS, JsonItems, open_json
from .reading import (
    MAX_BYTES,
    MAX_LINE_BYTES,
    MAX_ROWS,
    CsvTable,
    Table,
    detect_encoding,
    open_table,
    parse_decimal,
    printable,
    sniff_delimiter,
)
from .writing import (
    OPEN_DATA,
    SPREADSHEET,
    Dialect,
    csv_bytes,
    ods_bytes,
    point_feature,
    write_csv,
    write_geojson,
    write_ods,
)

__all__ = [
    "LIST_KEYS",
    "MAX_BYTES",
    "MAX_LINE_BYTES",
    "MAX_ROWS",
    "OPEN_DATA",
    "SPREADSHEET",
    "CsvTable",
    "Dialect",
    "JsonItems",
    "Table",
    "csv_bytes",
    "detect_encoding",
    "ods_bytes",
    "open_json",
    "open_table",
    "parse_decimal",
    "point_feature",
    "printable",
    "sniff_delimiter",
    "write_csv",
    "write_geojson",
    "write_ods",
]
