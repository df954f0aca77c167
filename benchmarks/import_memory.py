"""Benchmark: peak memory of a place import, as a function of the file's size.

    RELAIS_TESTING=1 .venv/bin/python benchmarks/import_memory.py [--megabytes 50] [--format mednum-csv]
        [--code-root PATH] [--dry-run] [--keep]

In a temporary SQLite database (never db.sqlite3) the script migrates and loads the reference geography,
then writes a synthetic file in the national standard (`mednum-csv`, `,`-separated UTF-8) or its JSON
form (`mednum-json`) of about `--megabytes` MB: valid places at real communes (reference point, a postal
code of the commune), with a description long enough to give rows of about 450 bytes, as the national
export has. It then runs `manage.py import_places` on that file in a child process and reads the child's
peak resident memory (`ru_maxrss` from `os.wait4`), beside the peak of `manage.py check` (what Django and
Relais take before reading anything). `--code-root` runs the import with another checkout of the code
(e.g. an older commit extracted with `git archive`), to compare before and after a change. Timings are
printed for information only.

Measured on 2026-12-03 (2 shared cores, SQLite, DEBUG off), peak resident memory of the import process:
    50 MB mednum-csv (77,200 rows): 1,283 MB when the file was read whole, 232 MB streamed;
    50 MB mednum-json (37,400 objects): 725 MB, then 229 MB; 10 MB mednum-csv streamed: 212 MB.
What remains is Django and the commune lookup (~130 MB before any row) and the index of the ids already
seen, to refuse duplicates (~330 bytes a row).
"""

import argparse
import csv
import io
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SEED = 20261203
WORDS = """accompagnement numérique ateliers démarches administratives accès libre ordinateurs imprimante
scanner médiatrice conseiller rendez-vous permanence bibliothèque tiers-lieu coworking familles seniors
jeunes formation initiation smartphone tablette messagerie sécurité emploi santé""".split()  # noqa: SIM905
HOURS = ["Mo-Fr 09:00-12:00,14:00-17:00; PH off", "Tu,Th 13:30-17:30", "", "Mo-Sa 10:00-19:00"]
SERVICES = [
    "Aide aux démarches administratives",
    "Maîtrise des outils numériques du quotidien",
    "Accès internet et matériel informatique",
]


def log(message):
    print(message, file=sys.stderr, flush=True)


def communes():
    """(code INSEE, name, postal code, latitude, longitude) of communes with a reference point."""
    from relais.territory.models import Commune

    rows = []
    for commune in Commune.objects.exclude(latitude=None).prefetch_related("postal_codes"):
        codes = sorted(p.code for p in commune.postal_codes.all())
        if codes:
            rows.append((commune.code_insee, commune.name, codes[0], commune.latitude, commune.longitude))
    return rows


def synthetic_rows():
    """Rows of the standard, without end."""
    from relais.places.opendata.mednum import COLUMNS, NO_PIVOT

    rng = random.Random(SEED)
    places = communes()
    number = 0
    while True:
        number += 1
        code, name, postal_code, lat, lon = rng.choice(places)
        row = dict.fromkeys(COLUMNS, "")
        row |= {
            "id": f"bench-{number}",
            "pivot": NO_PIVOT,
            "nom": f"Espace numérique n° {number} de {name}",
            "commune": name,
            "code_postal": postal_code,
            "code_insee": code,
            "adresse": f"{rng.randint(1, 120)} rue de la Mairie",
            "latitude": f"{lat:.6f}",
            "longitude": f"{lon:.6f}",
            "horaires": rng.choice(HOURS),
            "presentation_detail": " ".join(rng.choices(WORDS, k=rng.randint(25, 45))).capitalize() + ".",
            "source": "Banc d'essai",
            "date_maj": "2026-01-15",
            "services": "|".join(rng.sample(SERVICES, rng.randint(1, 3))),
            "frais_a_charge": "Gratuit",
        }
        yield row


def write_file(path, fmt, target_bytes):
    """Rows until the file reaches `target_bytes`; returns their count."""
    from relais.places.opendata.mednum import COLUMNS, row_to_json

    count = 0
    with open(path, "wb") as raw, io.TextIOWrapper(raw, encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=COLUMNS, lineterminator="\n")
        handle.write("[\n" if fmt == "mednum-json" else "")
        if fmt == "mednum-csv":
            writer.writeheader()
        for row in synthetic_rows():
            if fmt == "mednum-csv":
                writer.writerow(row)
            else:
                handle.write(("," if count else "") + json.dumps(row_to_json(row), ensure_ascii=False) + "\n")
            count += 1
            if count % 200 == 0:
                handle.flush()
                if raw.tell() >= target_bytes:
                    break
        handle.write("]\n" if fmt == "mednum-json" else "")
    return count


def peak_of(command, env, cwd):
    """(peak resident memory in MB, seconds, exit status, stdout) of a child process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        child = subprocess.Popen(command, env=env, cwd=cwd, stdout=out, stderr=err)
        # os.wait4 reaps the child and gives its own resource usage (Popen.wait would lose it).
        _pid, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        if child.returncode:
            log(err.read().decode(errors="replace")[-3000:])
        return usage.ru_maxrss / 1024, seconds, child.returncode, out.read().decode(errors="replace").strip()


def main():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--megabytes", type=float, default=50)
    parser.add_argument("--format", choices=["mednum-csv", "mednum-json"], default="mednum-csv")
    parser.add_argument("--code-root", default=str(ROOT), help="checkout whose import is measured")
    parser.add_argument("--dry-run", action="store_true", help="validate only (import_places --dry-run)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary database and file")
    args = parser.parse_args()

    tmp = Path(tempfile.mkdtemp(prefix="relais-import-memory-"))
    env = dict(
        os.environ,
        RELAIS_TESTING="1",
        DEBUG="0",  # as in production: with DEBUG on, Django keeps the last 9,000 queries' SQL in memory
        DJANGO_SETTINGS_MODULE="relais.settings",
        DATABASE_URL=f"sqlite:///{tmp}/bench.sqlite3",
    )
    code_root = Path(args.code_root).resolve()
    manage = [sys.executable, str(code_root / "manage.py")]
    try:
        log(f"database {env['DATABASE_URL']}; code {code_root}")
        subprocess.run([*manage, "migrate", "-v", "0"], env=env, cwd=code_root, check=True)
        subprocess.run([*manage, "load_territory", "-v", "0"], env=env, cwd=code_root, check=True)
        path = tmp / ("lieux.csv" if args.format == "mednum-csv" else "lieux.json")
        generate = [sys.executable, __file__, "--write", str(path), args.format, str(args.megabytes)]
        subprocess.run(generate, env=env, cwd=ROOT, check=True)
        size_mb = path.stat().st_size / 1e6
        baseline, _s, _status, _out = peak_of([*manage, "check"], env, code_root)
        command = [*manage, "import_places", str(path), "--format", args.format, "-v", "0"]
        if args.dry_run:
            command.append("--dry-run")
        peak, seconds, status, out = peak_of(command, env, code_root)
        print(f"file={path.name} format={args.format} size_mb={size_mb:.1f} dry_run={int(args.dry_run)}")
        print(f"import: {out or 'failed'} exit={status} seconds={seconds:.0f}")
        print(f"peak_rss_mb={peak:.0f} baseline_rss_mb={baseline:.0f} (manage.py check)")
        above = peak - baseline
        print(f"peak_above_baseline_mb={above:.0f} ratio_to_file_size={above / size_mb:.2f}")
    finally:
        if args.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)


def write_main(path, fmt, megabytes):
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    count = write_file(path, fmt, int(megabytes * 1e6))
    log(f"wrote {count} rows to {path}")


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1] == "--write":
        write_main(sys.argv[2], sys.argv[3], float(sys.argv[4]))
    else:
        main()
