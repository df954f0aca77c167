from django.contrib.gis.db import models
from django.contrib.postgres.fields import ArrayField
from django.contrib.postgres.indexes import GinIndex


class PeerPlace(models.Model):
    """What the peer searches: one row per located place of the registry, same id as the Relais place."""

    id = models.UUIDField(primary_key=True)
    status = models.CharField(max_length=20)
    location = models.PointField(geography=True, srid=4326)  # spatial_index=True: a GiST index
    services = ArrayField(models.CharField(max_length=40), default=list)
    opening_hours = models.TextField(blank=True)
    time_zone = models.CharField(max_length=40)  # IANA name, e.g. Europe/Paris, Indian/Reunion

    class Meta:
        db_table = "bench_peer_place"
        indexes = [GinIndex(fields=["services"], name="bench_peer_place_services")]
