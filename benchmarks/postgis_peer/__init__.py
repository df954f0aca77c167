"""The benchmarks' PostGIS peer: the near-a-point search as a Django team would deploy it with GeoDjango.

A `geography(Point, 4326)` column with a GiST index, the service codes as a GIN-indexed array, the radius
(`ST_DWithin`) and the service filter in SQL, the distance (`ST_Distance`) and the order in SQL, "open now"
evaluated in Python on the candidates with each place's time zone (`relais.places.hours.is_open`). Both
measure on the same sphere as Relais (`use_spheroid => false`: the mean Earth radius), so that the two
answers can be compared id for id.

Only the benchmarks load it, with `postgis_peer.settings` (Relais's settings plus GeoDjango and a second
connection, `gis`, to the same PostgreSQL database): the app itself never needs GDAL, GEOS or PostGIS.
`scripts/ensure-postgis.sh` installs them from Debian.
"""
