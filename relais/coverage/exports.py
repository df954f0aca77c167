"""The files of a coverage analysis, written through `relais.core.tables` like every other export.

The `coverage` command writes them all into a folder (`write_exports`); the coverage page offers the same
files for download, built in memory from the analysis shown (`export_file`), nothing stored."""

import io
from pathlib import Path

from relais.core import tables

# Analysts open these files in a spreadsheet and in scripts (pandas, R) alike: `;` as separator, but a decimal
# point and no byte-order mark, as the coverage files have always been written.
COVERAGE_CSV = tables.Dialect(";", bom=False, decimal_comma=False)
# The page writes the OpenDocument spreadsheet of at most this many communes (any région: Grand Est has
# 5,121): odfpy builds it in memory, about a minute for all of France, too long for a web request. The
# command writes it whatever the size; the CSV and GeoJSON files of all of France take a second.
PAGE_ODS_MAX_COMMUNES = 6000
# The files of an analysis, by name, with their media type.
CONTENT_TYPES = {
    "communes.csv": "text/csv; charset=utf-8",
    "summary.csv": "text/csv; charset=utf-8",
    "recommended.csv": "text/csv; charset=utf-8",
    "coverage.ods": "application/vnd.oasis.opendocument.spreadsheet",
    "communes.geojson": "application/geo+json",
}


def sheets_of(result):
    """The tables of an analysis: communes, summary and, with a recommendation, recommended."""
    sheets = {"communes": result.communes, "summary": result.summary}
    if result.recommended:
        sheets["recommended"] = result.recommended
    return sheets


def write_exports(result, output_dir):
    """communes.csv, summary.csv and, with a recommendation, recommended.csv; the same tables in one
    OpenDocument spreadsheet (coverage.ods); communes as GeoJSON points with their figures. Returns the paths
    written."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    sheets = sheets_of(result)
    written = []
    for name, rows in sheets.items():
        path = output_dir / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            tables.write_csv(handle, rows, dialect=COVERAGE_CSV)
        written.append(path)
    written.append(tables.write_ods(output_dir / "coverage.ods", sheets))
    written.append(write_communes_geojson(output_dir / "communes.geojson", result))
    return written


def export_file(result, name):
    """The bytes of one file of `write_exports` (a name of CONTENT_TYPES), or None when the analysis has no
    such file (recommended.csv without a recommendation)."""
    sheets = sheets_of(result)
    if name.endswith(".csv"):
        rows = sheets.get(name.removesuffix(".csv"))
        if rows is None:
            return None
        out = io.StringIO(newline="")
        tables.write_csv(out, rows, dialect=COVERAGE_CSV)
        return out.getvalue().encode("utf-8")
    if name == "coverage.ods":
        return tables.ods_bytes(sheets)
    if name == "communes.geojson":
        out = io.StringIO()
        _write_geojson(out, result)
        return out.getvalue().encode("utf-8")
    return None


def write_communes_geojson(path, result):
    """The analysed communes as points, with their figures and their rank among the recommended sites."""
    with open(path, "w", encoding="utf-8") as handle:
        _write_geojson(handle, result)
    return path


def _write_geojson(handle, result):
    rank = {r["code_insee"]: r["rank"] for r in result.recommended}
    features = (
        tables.point_feature(
            c["longitude"],
            c["latitude"],
            {
                **{k: v for k, v in c.items() if k not in ("latitude", "longitude")},
                "recommended_rank": rank.get(c["code_insee"]),
            },
        )
        for c in result.communes
    )
    tables.write_geojson(handle, features)
