#!/bin/sh
# write-dev-env.sh FILE — a development checkout's settings (DEBUG on, a random secret), written once, so that
# `pytest` and `manage.py` work in the checkout without exporting anything. Never used in production:
# settings.py reads the file only when it exists, and the process environment wins over it.
set -e
file=${1:-.env}
[ -f "$file" ] && exit 0
secret=$(python3 -c 'import secrets; print(secrets.token_urlsafe(50))')
umask 077
cat > "$file" <<ENV
# Development settings of this checkout, written by \`make install\` (scripts/write-dev-env.sh).
# Do not copy this file to a production server.
DEBUG=1
SECRET_KEY=$secret
ENV
