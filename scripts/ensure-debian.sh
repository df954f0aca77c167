#!/bin/sh
# ensure-debian.sh COMMAND PACKAGE... — install Debian's PACKAGEs when COMMAND is missing (the project's
# machines run as root): chromium for the browser tests, nodejs and npm for the front-end libraries.
set -e
command_name=$1
shift
if command -v "$command_name" >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != "0" ]; then
  echo "$command_name est absent : installez les paquets Debian « $* » (apt-get install $*)." >&2
  exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
