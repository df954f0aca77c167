"""The files of a coverage analysis, written through `relais.core.tables` like every other export."""

from pathlib import Path

from relais.core import tables

# Analysts open these files in a spreadsheet and in scripts (pandas, R) alike: `;` as separator, but a decimal
# point and no byte-order mark, as the coverage files have always been written.
COVERAGE_CSV = tables.Dialect(";", bom=False, decimal_comma=False)


def write_exports(result, output_dir):
    """communes.csv, summary.csv and, with a recommendation, recommended.csv; the same tables in one
    OpenDocument spreadsheet (coverage.ods); communes as GeoJSON points with their figures. Returns the paths
    written."""
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    sheets = {"communes": result.communes, "summary": result.summary}
    if result.recommended:
        sheets["recommended"] = result.recommended
    written = []
    for name, rows in sheets.items():
        path = output_dir / f"{name}.csv"
        with open(path, "w", encoding="utf-8", newline="") as handle:
            tables.write_csv(handle, rows, dialect=COVERAGE_CSV)
        written.append(path)
    written.append(tables.write_ods(output_dir / "coverage.ods", sheets))
    written.append(write_communes_geojson(output_dir / "communes.geojson", result))
    return written


def write_communes_geojson(path, result):
    """The analysed communes as points, with their figures and their rank among the recommended sites."""
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
    with open(path, "w", encoding="utf-8") as handle:
        tables.write_geojson(handle, features)
    return path
