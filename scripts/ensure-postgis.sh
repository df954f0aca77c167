#!/bin/sh
# ensure-postgis.sh [PG_MAJOR...] — install what the benchmarks' PostGIS peer needs (benchmarks/postgis_peer):
# the PostGIS extension of the local PostgreSQL server(s) and the GDAL and GEOS libraries that GeoDjango
# loads. Debian's postgresql-N-postgis-3 depends on the GDAL and GEOS runtime libraries of the release, so
# that one package brings all three. Without arguments: every server version under /usr/lib/postgresql.
# The app itself never needs any of this; only the benchmarks do (`make bench`).
set -e
if [ "$#" -eq 0 ]; then
  for dir in /usr/lib/postgresql/*/; do
    [ -d "$dir" ] && set -- "$@" "$(basename "$dir")"
  done
fi
if [ "$#" -eq 0 ]; then
  echo "Aucun serveur PostgreSQL local (/usr/lib/postgresql) : indiquez sa version (ensure-postgis.sh 15)." >&2
  exit 1
fi
missing=""
for major in "$@"; do
  if [ ! -f "/usr/share/postgresql/$major/extension/postgis.control" ]; then
    missing="$missing postgresql-$major-postgis-3"
  fi
done
libraries_found() {
  ldconfig -p | grep -q 'libgdal\.so' && ldconfig -p | grep -q 'libgeos_c\.so'
}
if [ -z "$missing" ] && libraries_found; then
  exit 0
fi
if [ -z "$missing" ]; then
  missing="postgresql-$1-postgis-3"
fi
if [ "$(id -u)" != "0" ]; then
  echo "PostGIS, GDAL ou GEOS est absent : installez les paquets Debian «$missing » (apt-get install$missing)." >&2
  exit 1
fi
apt-get update -qq
# shellcheck disable=SC2086 (one word per package)
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
if ! libraries_found; then
  echo "GDAL (libgdal) ou GEOS (libgeos_c) reste introuvable après l'installation de$missing." >&2
  exit 1
fi
