"""Reading the first sheet of an OpenDocument spreadsheet as a stream (see relais.core.tables)."""

import zipfile
from xml.etree import ElementTree

from django.utils.translation import gettext as _

from relais.core.errors import DomainError

from .reading import Table, _mb

_ODS = {
    "table": "urn:oasis:names:tc:opendocument:xmlns:table:1.0",
    "text": "urn:oasis:names:tc:opendocument:xmlns:text:1.0",
    "office": "urn:oasis:names:tc:opendocument:xmlns:office:1.0",
}
MAX_ODS_COLUMNS = 1000


def _q(prefix, name):
    return f"{{{_ODS[prefix]}}}{name}"


def _ods_text(element):
    parts = [element.text or ""]
    for child in element:
        if child.tag == _q("text", "s"):
            parts.append(" " * int(child.get(_q("text", "c"), "1")))
        elif child.tag == _q("text", "tab"):
            parts.append("\t")
        elif child.tag == _q("text", "line-break"):
            parts.append("\n")
        else:
            parts.append(_ods_text(child))
        parts.append(child.tail or "")
    return "".join(parts)


def _ods_value(cell):
    kind = cell.get(_q("office", "value-type"))
    if kind in ("float", "percentage", "currency"):
        return cell.get(_q("office", "value"), "")
    if kind == "date":
        return cell.get(_q("office", "date-value"), "").removesuffix("T00:00:00")
    if kind == "boolean":
        return cell.get(_q("office", "boolean-value"), "")
    paragraphs = [c for c in cell if c.tag in (_q("text", "p"), _q("text", "h"))]
    return "\n".join(_ods_text(p) for p in paragraphs)


def _ods_row_values(row):
    runs = []
    for cell in row:
        if cell.tag in (_q("table", "table-cell"), _q("table", "covered-table-cell")):
            runs.append((_ods_value(cell), int(cell.get(_q("table", "number-columns-repeated"), "1"))))
    while runs and not runs[-1][0]:  # spreadsheets pad rows with repeated empty cells
        runs.pop()
    if sum(repeat for _value, repeat in runs) > MAX_ODS_COLUMNS:
        raise DomainError(
            _("tableur : plus de %(limit)s colonnes.") % {"limit": MAX_ODS_COLUMNS}, field="fichier"
        )
    return [value for value, repeat in runs for _i in range(repeat)]


class OdsTable(Table):
    """The first sheet of an OpenDocument spreadsheet, parsed as a stream (defusedxml: no entities)."""

    kind = "ods"

    def __init__(self, path, *, max_bytes, max_rows):
        self.max_rows = max_rows
        try:
            self._zip = zipfile.ZipFile(path)
            info = self._zip.getinfo("content.xml")
        except (zipfile.BadZipFile, KeyError):
            raise DomainError(_("tableur ODS illisible."), field="fichier") from None
        if info.file_size > max_bytes:
            self._zip.close()
            raise DomainError(
                _("tableur trop volumineux : plus de %(limit)s Mo.") % {"limit": _mb(max_bytes)},
                field="fichier",
            )
        self._content = self._zip.open(info)
        self._size = info.file_size
        self._lines = self._numbered_rows()
        first = next(((line, values) for line, values in self._lines if any(v.strip() for v in values)), None)
        try:
            super().__init__(first[1] if first else [], max_rows)
        except DomainError:
            self.close()
            raise

    def _numbered_rows(self):
        from defusedxml import DefusedXmlException
        from defusedxml.ElementTree import iterparse

        stack, line, depth = [], 0, 0
        try:
            for event, element in iterparse(self._content, events=("start", "end")):
                if event == "start":
                    stack.append(element)
                    depth += element.tag == _q("table", "table")
                    continue
                stack.pop()
                if element.tag == _q("table", "table"):
                    return  # the first sheet only
                if element.tag != _q("table", "table-row") or depth != 1:
                    continue
                values = _ods_row_values(element)
                repeat = int(element.get(_q("table", "number-rows-repeated"), "1"))
                if stack:
                    stack[-1].remove(element)  # what was read is let go: memory stays flat
                if not values:
                    line += repeat
                    continue
                for _i in range(min(repeat, self.max_rows + 1)):
                    line += 1
                    yield line, values
        except (
            ElementTree.ParseError,
            DefusedXmlException,
            ValueError,
            zipfile.BadZipFile,
            OSError,
            EOFError,
        ):
            # The XML parser's own messages (English, quoting the content) do not reach people.
            raise DomainError(
                _("tableur ODS illisible (contenu XML invalide) après la ligne %(line)s.") % {"line": line},
                field="fichier",
            ) from None

    def __iter__(self):
        width = len(self.header)  # spreadsheets drop the empty cells that end a row
        return self._rows((line, values + [""] * (width - len(values))) for line, values in self._lines)

    def progress(self):
        return self._content.tell(), self._size

    def close(self):
        self._content.close()
        self._zip.close()
