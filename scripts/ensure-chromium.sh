#!/bin/sh
# Browser tests drive Debian's chromium; install it when missing (the project's machines run as root).
set -e
if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "chromium est absent : installez le paquet Debian « chromium » (apt-get install chromium)." >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
