"""Writing rows to CSV, ODS and GeoJSON (see relais.core.tables)."""

import csv
import datetime
import decimal
import io
import itertools
import json
import math
from dataclasses import dataclass
from pathlib import Path

from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Dialect:
    delimiter: str
    bom: bool
    decimal_comma: bool
    true_false: tuple = ("true", "false")


SPREADSHEET = Dialect(";", bom=True, decimal_comma=True, true_false=("oui", "non"))
OPEN_DATA = Dialect(",", bom=False, decimal_comma=False)


# --- Writing ------------------------------------------------------------------------------------------


def _columns_and_rows(rows, columns):
    rows = iter(rows)
    if columns is not None:
        return list(columns), rows
    first = next(rows, None)
    if first is None:
        return [], iter(())
    return list(first), itertools.chain([first], rows)


def _csv_text(value, dialect):
    if value is None:
        return ""
    if isinstance(value, bool):
        return dialect.true_false[0] if value else dialect.true_false[1]
    if isinstance(value, (float, decimal.Decimal)):
        text = str(value)
        return text.replace(".", ",") if dialect.decimal_comma else text
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    return str(value)


def write_csv(stream, rows, columns=None, dialect=SPREADSHEET):
    """Write a header line then one line per row; with no columns and no rows, nothing. Returns the count."""
    columns, rows = _columns_and_rows(rows, columns)
    if not columns:
        return 0
    if dialect.bom:
        stream.write("\ufeff")
    writer = csv.writer(stream, delimiter=dialect.delimiter, lineterminator="\n")
    writer.writerow(columns)
    count = 0
    for row in rows:
        writer.writerow([_csv_text(row.get(column), dialect) for column in columns])
        count += 1
    return count


def csv_bytes(rows, columns=None, dialect=SPREADSHEET):
    out = io.StringIO()
    write_csv(out, rows, columns, dialect)
    return out.getvalue().encode("utf-8")


def _ods_cell(value):
    from odf.table import TableCell
    from odf.text import P

    if value is None or value == "":
        return TableCell()
    if isinstance(value, bool):
        cell = TableCell(valuetype="boolean", booleanvalue="true" if value else "false")
        text = _("oui") if value else _("non")
    elif isinstance(value, (int, float, decimal.Decimal)) and math.isfinite(value):
        cell, text = TableCell(valuetype="float", value=value), str(value)
    elif isinstance(value, (datetime.date, datetime.datetime)):
        if isinstance(value, datetime.datetime):
            value = value.replace(tzinfo=None)  # ODS dates have no time zone: callers pass local times
        text = value.isoformat()
        cell = TableCell(valuetype="date", datevalue=text)
    else:
        cell, text = TableCell(valuetype="string"), str(value)
    cell.addElement(P(text=text))
    return cell


def _ods_document(sheets):
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table, TableRow

    document = OpenDocumentSpreadsheet()
    for name, content in sheets.items():
        if isinstance(content, tuple):
            columns, rows = _columns_and_rows(content[1], content[0])
        else:
            columns, rows = _columns_and_rows(content, None)
        table = Table(name=name)
        lines = itertools.chain([columns] if columns else [], ([row.get(c) for c in columns] for row in rows))
        for values in lines:
            table_row = TableRow()
            for value in values:
                table_row.addElement(_ods_cell(value))
            table.addElement(table_row)
        document.spreadsheet.addElement(table)
    return document


def write_ods(target, sheets):
    """Write an OpenDocument spreadsheet, one sheet per entry of `sheets`, to a path or a binary stream."""
    document = _ods_document(sheets)
    if isinstance(target, (str, Path)):
        document.save(str(target))
    else:
        document.write(target)
    return target


def ods_bytes(sheets):
    out = io.BytesIO()
    write_ods(out, sheets)
    return out.getvalue()


def point_feature(longitude, latitude, properties, id=None):
    """A GeoJSON Feature at (longitude, latitude) — in that order —, without geometry when either is None."""
    geometry = None
    if longitude is not None and latitude is not None:
        geometry = {"type": "Point", "coordinates": [float(longitude), float(latitude)]}
    feature = {"type": "Feature", "geometry": geometry, "properties": properties}
    if id is not None:
        feature["id"] = id
    return feature


def write_geojson(stream, features):
    """A FeatureCollection written feature by feature (one per line) into a text stream; returns the count."""
    stream.write('{"type": "FeatureCollection", "features": [')
    count = 0
    for feature in features:
        stream.write(("," if count else "") + "\n" + json.dumps(feature, ensure_ascii=False))
        count += 1
    stream.write("\n]}\n")
    return count
