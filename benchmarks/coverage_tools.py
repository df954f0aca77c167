"""Data and helpers shared by the coverage benchmark's sections (benchmarks/coverage.py)."""

import csv
import gzip
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

COMMUNES = ROOT / "data" / "communes.csv.gz"
FRANCE_SERVICES = ROOT / "data" / "places" / "france_services_2024-08-01.csv"


# ---------------------------------------------------------------------------------------------- data


def load_communes():
    codes, dep, reg, lat, lon, pop = [], [], [], [], [], []
    with gzip.open(COMMUNES, "rt", encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if not row["latitude"] or not row["longitude"]:
                continue  # 4 communes have no coordinates
            codes.append(row["code_insee"])
            dep.append(row["dep_code"])
            reg.append(row["reg_code"])
            lat.append(float(row["latitude"]))
            lon.append(float(row["longitude"]))
            pop.append(float(row["population"] or 0))
    return {
        "code": np.array(codes, dtype=object),
        "dep": np.array(dep, dtype=object),
        "reg": np.array(reg, dtype=object),
        "lat": np.array(lat),
        "lon": np.array(lon),
        "pop": np.array(pop),
    }


def load_places():
    dep, lat, lon = [], [], []
    with open(FRANCE_SERVICES, encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if not row["latitude"] or not row["longitude"]:
                continue
            dep.append(row["dep_code"])
            lat.append(float(row["latitude"]))
            lon.append(float(row["longitude"]))
    return {"dep": np.array(dep, dtype=object), "lat": np.array(lat), "lon": np.array(lon)}


# ------------------------------------------------------------------------------------------- helpers


def timed(fn, repeats):
    """(median seconds, last result) over `repeats` calls."""
    times, result = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def fmt_s(seconds):
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_ratio(ratio, lower=False):
    if ratio is None:
        return "—"
    prefix = "> " if lower else ""
    return f"{prefix}{ratio:,.0f}×" if ratio >= 10 else f"{prefix}{ratio:.1f}×"


def covered(matrix, weights, picks):
    """Weight covered by the picked candidates (rows of the candidates × demand matrix)."""
    if not len(picks):
        return 0.0
    reached = np.asarray(matrix[list(picks)].sum(axis=0)).ravel() > 0
    return float(weights[reached].sum())


def print_table(title, header, rows):
    print(f"\n{title}")
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=True)]
    line = "  ".join(f"{h:<{w}}" for h, w in zip(header, widths, strict=True))
    print(line)
    print("-" * len(line))
    for row in rows:
        print("  ".join(f"{str(c):<{w}}" for c, w in zip(row, widths, strict=True)))


def share(part, whole):
    return part / whole if whole else 1.0


def proof(rec):
    """'opt' for a proven optimum, else the proven gap."""
    return "opt" if rec.exact else f"gap {rec.gap * 100:.2f} %"
