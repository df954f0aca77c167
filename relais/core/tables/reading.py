"""Reading CSV files as people send them, in chunks (see relais.core.tables)."""

import codecs
import csv
import gzip
import io
import itertools
import math
import re
import zipfile
import zlib
from pathlib import Path

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from relais.core.errors import DomainError

# A file, and its gunzipped content: the demo registry's export in the standard is 4 MB for 9,000 places,
# the national cartography (about 20,000 places) some 10 MB; 100 MB leaves room for richer files.
MAX_BYTES = 100_000_000
MAX_ROWS = 500_000
MAX_LINE_BYTES = 1_000_000  # one physical line of a CSV file: beyond, it is not a table
CHUNK = 1024 * 1024
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_CP1252_UNDEFINED = (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")


def printable(text, limit=80):
    """`text` as it can be quoted in a message: no control or direction characters, at most `limit` long."""
    text = _CONTROL.sub("\ufffd", re.sub(r"[\t\n\r]+", " ", str(text)))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def parse_decimal(text):
    """A number as people type it ("12,5", "1 234.5", "1\u202f234"): a float, or None when unreadable."""
    cleaned = re.sub(r"[\s\u00a0\u202f]", "", str(text or "")).replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# --- Reading: bytes, encodings -----------------------------------------------------------------------


class _Bounded(io.RawIOBase):
    """The content of a file (gunzipped when it is a gzip archive), refused past `limit` bytes."""

    def __init__(self, path, limit):
        self.file = open(path, "rb")  # noqa: SIM115 (closed with this stream)
        self.limit, self.count = limit, 0
        magic = self.file.read(2)
        self.file.seek(0)
        self.inner = gzip.GzipFile(fileobj=self.file) if magic == b"\x1f\x8b" else self.file

    def readable(self):
        return True

    def readinto(self, buffer):
        try:
            data = self.inner.read(len(buffer))
        except (OSError, EOFError, zlib.error):
            raise DomainError(_("archive gzip illisible ou tronquée."), field="fichier") from None
        self.count += len(data)
        if self.count > self.limit:
            raise DomainError(
                _("fichier décompressé trop volumineux : plus de %(limit)s Mo.") % {"limit": _mb(self.limit)},
                field="fichier",
            )
        buffer[: len(data)] = data
        return len(data)

    def close(self):
        if self.inner is not self.file:
            self.inner.close()
        self.file.close()
        super().close()


def _mb(size):
    return f"{size / 1e6:.0f}"


def _checked_path(path, max_bytes):
    path = Path(path)
    if not path.is_file():
        raise DomainError(
            _("fichier introuvable : %(name)s.") % {"name": printable(path.name)}, field="fichier"
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise DomainError(
            _("fichier trop volumineux : %(size)s Mo (au plus %(limit)s Mo).")
            % {"size": _mb(size), "limit": _mb(max_bytes)},
            field="fichier",
        )
    return path


def _open_bytes(path, max_bytes):
    return io.BufferedReader(_Bounded(path, max_bytes), buffer_size=CHUNK)


def _binary_error():
    return DomainError(
        _(
            "encodage non reconnu : le fichier contient des octets nuls (fichier binaire, classeur non "
            "enregistré en CSV, ou texte en UTF-16). Enregistrez-le en CSV UTF-8."
        ),
        field="fichier",
    )


def detect_encoding(path, *, max_bytes=None, max_line_bytes=None):
    """The encoding of a text file: "utf-8-sig" (UTF-8 with a BOM), "utf-8" or "cp1252", found by reading it
    once in chunks. DomainError when it is empty, binary, neither UTF-8 nor Windows-1252, too large, or has
    a physical line longer than `max_line_bytes`."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    with _open_bytes(_checked_path(path, max_bytes), max_bytes) as stream:
        chunk = stream.read(CHUNK)
        if not chunk.strip():
            raise DomainError(_("le fichier est vide."), field="fichier")
        bom = chunk.startswith(codecs.BOM_UTF8)
        chunk = chunk[3:] if bom else chunk
        utf8, utf8_error_line, cp1252 = codecs.getincrementaldecoder("utf-8")(), None, True
        line, run = 1, 0
        while chunk:
            if b"\x00" in chunk:
                raise _binary_error()
            if utf8_error_line is None:
                try:
                    utf8.decode(chunk)
                except UnicodeDecodeError as exc:
                    utf8_error_line = line + chunk.count(b"\n", 0, max(exc.start, 0))
            cp1252 = cp1252 and not any(byte in chunk for byte in _CP1252_UNDEFINED)
            if max_line_bytes:
                run = _check_line_lengths(chunk, line, run, max_line_bytes)
            line += chunk.count(b"\n")
            chunk = stream.read(CHUNK)
        if utf8_error_line is None:
            try:
                utf8.decode(b"", final=True)
            except UnicodeDecodeError:
                utf8_error_line = line
    if utf8_error_line is None:
        return "utf-8-sig" if bom else "utf-8"
    if cp1252 and not bom:
        return "cp1252"
    raise DomainError(
        _("encodage non reconnu (ni UTF-8 ni Windows-1252) : octet invalide ligne %(line)s.")
        % {"line": utf8_error_line},
        field="fichier",
    )


def _check_line_lengths(chunk, line, run, limit):
    """The length of the last, unfinished line after `chunk` (`run` bytes of line `line` came before)."""
    pieces = chunk.split(b"\n")
    lengths = [run + len(pieces[0]), *map(len, pieces[1:])]
    too_long = next((i for i, length in enumerate(lengths) if length > limit), None)
    if too_long is not None:
        raise DomainError(
            _("ligne %(line)s : plus de %(limit)s Mo sans retour à la ligne, ce n'est pas un fichier CSV.")
            % {"line": line + too_long, "limit": _mb(limit)},
            field="fichier",
        )
    return lengths[-1]


def sniff_delimiter(header_line):
    counts = {d: header_line.count(d) for d in (";", ",", "\t")}
    best = max(counts, key=counts.get)
    return best if counts[best] else ","


# --- Reading: tables ------------------------------------------------------------------------------------


class Table:
    """Rows of a CSV file or of an ODS sheet; iterate once. See open_table."""

    kind = ""
    encoding = ""
    delimiter = ""

    def __init__(self, header, max_rows):
        self.header = [h.strip().lstrip("\ufeff") for h in header]
        self.max_rows = max_rows
        if not any(self.header):
            raise DomainError(
                _("la première ligne est vide : elle doit donner le nom des colonnes."), field="en-tête"
            )
        duplicated = {h for h in self.header if self.header.count(h) > 1 and h}
        if duplicated:
            raise DomainError(
                _("colonnes en double dans l'en-tête : %(columns)s.")
                % {"columns": printable(", ".join(sorted(duplicated)), 300)},
                field="en-tête",
            )

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def columns_text(self):
        """The header's first columns, for a message."""
        shown = ", ".join(printable(h, 40) for h in self.header[:12])
        return shown + ("…" if len(self.header) > 12 else "")

    def require(self, columns, fmt):
        missing = [c for c in columns if c not in self.header]
        if missing:
            raise DomainError(
                _(
                    "colonnes obligatoires absentes pour le format %(format)s : %(missing)s "
                    "(colonnes lues : %(read)s)."
                )
                % {"format": fmt, "missing": ", ".join(missing), "read": self.columns_text()},
                field="en-tête",
            )

    def _rows(self, numbered_values):
        """(line, row, problem) from (line, [values]): blank rows skipped, row count capped."""
        width = len(self.header)
        for count, (line, values) in enumerate(numbered_values, start=1):
            if count > self.max_rows:
                raise DomainError(
                    _("trop de lignes : au plus %(limit)s.") % {"limit": self.max_rows}, field="fichier"
                )
            if not any(v.strip() for v in values):
                continue
            if len(values) != width:
                yield line, None, self._width_problem(len(values))
                continue
            dirty = next((h for h, v in zip(self.header, values, strict=True) if _CONTROL.search(v)), None)
            if dirty is not None:
                yield (
                    line,
                    None,
                    _("colonne « %(column)s » : caractère de contrôle (fichier binaire ou mal exporté ?).")
                    % {"column": printable(dirty, 40)},
                )
                continue
            yield line, {h: v.strip() for h, v in zip(self.header, values, strict=True)}, None

    def _width_problem(self, count):
        width = len(self.header)
        # Translators: %(values)s is « 3 valeurs », %(columns)s « 2 colonnes »
        return _("%(values)s pour %(columns)s") % {
            "values": ngettext("%(count)s valeur", "%(count)s valeurs", count) % {"count": count},
            "columns": ngettext("%(width)s colonne", "%(width)s colonnes", width) % {"width": width},
        }


class CsvTable(Table):
    kind = "csv"

    def __init__(self, path, encoding, *, max_bytes, max_rows):
        self.encoding = encoding
        self._bytes = _open_bytes(path, max_bytes)
        self._size = path.stat().st_size
        self._text = io.TextIOWrapper(self._bytes, encoding=encoding, newline="")
        first_line = self._text.readline()
        self.delimiter = sniff_delimiter(first_line)
        self._reader = csv.reader(itertools.chain([first_line], self._text), delimiter=self.delimiter)
        try:
            header = next(self._reader, [])
        except csv.Error:
            self.close()
            raise self._unreadable(1) from None
        try:
            super().__init__(header, max_rows)
        except DomainError:
            self.close()
            raise

    def _unreadable(self, line):
        return DomainError(
            _(
                "ligne %(line)s : enregistrement illisible (guillemet non fermé, ou valeur de plus de "
                "%(limit)s caractères)."
            )
            % {"line": line, "limit": csv.field_size_limit()},
            field="fichier",
        )

    def _width_problem(self, count):
        return _(
            "%(count)s valeurs pour %(width)s colonnes (séparateur « %(delimiter)s » ; guillemet non fermé ?)"
        ) % {"count": count, "width": len(self.header), "delimiter": self.delimiter}

    def _values(self):
        reader = self._reader
        start = reader.line_num + 1
        while True:
            try:
                values = next(reader)
            except StopIteration:
                return
            except csv.Error:
                raise self._unreadable(start) from None
            line, start = start, reader.line_num + 1
            yield line, values

    def __iter__(self):
        return self._rows(self._values())

    def progress(self):
        return self._bytes.raw.file.tell(), self._size

    def close(self):
        self._text.close()


def _zip_kind(path):
    """ "ods", "xlsx" or "zip" for a ZIP archive, None otherwise."""
    with open(path, "rb") as handle:
        if handle.read(4) != b"PK\x03\x04":
            return None
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype").strip() == ODS_MIMETYPE:
                return "ods"
            return "xlsx" if "xl/workbook.xml" in names else "zip"
    except zipfile.BadZipFile:
        return "zip"


def open_table(path, *, max_bytes=None, max_rows=None, max_line_bytes=None):
    """A Table (CSV or ODS) to use in a `with` block; file-level problems raise DomainError."""
    max_bytes = MAX_BYTES if max_bytes is None else max_bytes
    max_rows = MAX_ROWS if max_rows is None else max_rows
    path = _checked_path(path, max_bytes)
    kind = _zip_kind(path)
    if kind == "ods":
        from .ods import OdsTable

        return OdsTable(path, max_bytes=max_bytes, max_rows=max_rows)
    if kind == "xlsx":
        raise DomainError(
            _("classeur Excel (XLSX) : enregistrez-le au format CSV UTF-8 ou OpenDocument (ODS)."),
            field="fichier",
        )
    if kind == "zip":
        raise DomainError(_("archive ZIP : envoyez le fichier qu'elle contient."), field="fichier")
    encoding = detect_encoding(
        path, max_bytes=max_bytes, max_line_bytes=MAX_LINE_BYTES if max_line_bytes is None else max_line_bytes
    )
    return CsvTable(path, encoding, max_bytes=max_bytes, max_rows=max_rows)
