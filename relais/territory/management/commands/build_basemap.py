import json
import os
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from relais.territory.models import Commune, Department, MunicipalArrondissement, Region
from relais.territory.vectortiles import MAX_ZOOM, RANK_ARRONDISSEMENT, Place, build_basemap


def basemap_places():
    """The communes with coordinates as `Place`: rank 1 for a chef-lieu de région, 2 for a préfecture; and
    the municipal arrondissements (« Paris 11e »), rank 4, named at high zooms only."""
    region_seats = set(Region.objects.exclude(chef_lieu="").values_list("chef_lieu", flat=True))
    department_seats = set(Department.objects.exclude(chef_lieu="").values_list("chef_lieu", flat=True))
    rows = Commune.objects.with_coordinates().values_list(
        "code_insee", "name", "latitude", "longitude", "population"
    )
    communes = [
        Place(
            name,
            latitude,
            longitude,
            population,
            1 if code in region_seats else 2 if code in department_seats else 3,
        )
        for code, name, latitude, longitude, population in rows.iterator(chunk_size=5000)
    ]
    arrondissements = [
        Place(
            arrondissement.short_name,
            arrondissement.latitude,
            arrondissement.longitude,
            arrondissement.population,
            RANK_ARRONDISSEMENT,
        )
        for arrondissement in MunicipalArrondissement.objects.all()
    ]
    return communes + arrondissements


class Command(BaseCommand):
    help = (
        "Construit le fond de carte vectoriel par défaut (fichier PMTiles) depuis les tables du territoire : "
        "contours des régions et des départements, noms des communes selon leur population et le zoom, "
        "et ceux des arrondissements de Paris, Lyon et Marseille aux zooms les plus proches."
    )

    def add_arguments(self, parser):
        parser.add_argument("--output", help="fichier à écrire (par défaut : RELAIS_BASEMAP_PATH)")
        parser.add_argument(
            "--contours",
            help="GeoJSON des contours des départements (par défaut : data/departements-contours.geojson)",
        )
        parser.add_argument(
            "--max-zoom", type=int, default=MAX_ZOOM, help="dernier niveau de zoom des tuiles"
        )
        parser.add_argument(
            "--if-missing", action="store_true", help="ne rien faire si le fichier existe déjà"
        )

    def handle(self, *args, output=None, contours=None, max_zoom=MAX_ZOOM, if_missing=False, **options):
        path = Path(output or settings.RELAIS_BASEMAP_PATH)
        if if_missing and path.exists():
            self.stdout.write(f"{path} existe déjà.")
            return
        if not Commune.objects.exists():
            raise CommandError("Aucune commune : chargez d’abord le territoire (manage.py load_territory).")
        contours_path = Path(contours or settings.RELAIS_DATA_DIR / "departements-contours.geojson")
        collection = json.loads(contours_path.read_text()) if contours_path.exists() else {"features": []}
        started = time.monotonic()
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        report = build_basemap(
            partial,
            collection,
            dict(Department.objects.values_list("code", "region_id")),
            dict(Region.objects.values_list("code", "name")),
            basemap_places(),
            max_zoom=max_zoom,
        )
        os.replace(partial, path)
        self.stdout.write(
            f"{path}: tiles={report.tiles} size={report.size} places={report.places} "
            f"departments={report.departments} max_zoom={report.max_zoom} "
            f"seconds={time.monotonic() - started:.1f}"
        )
