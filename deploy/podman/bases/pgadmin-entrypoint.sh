#!/usr/bin/env bash
# First start: pgAdmin's login (PGADMIN_DEFAULT_EMAIL, password from
# PGADMIN_DEFAULT_PASSWORD_FILE) and the servers of /pgadmin4/servers.json;
# then the web app on port 80.
set -euo pipefail
app="$(python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/pgadmin4"
if [ ! -f /var/lib/pgadmin/pgadmin4.db ]; then
    password_file="${PGADMIN_DEFAULT_PASSWORD_FILE:-}"
    if [ -z "${PGADMIN_DEFAULT_EMAIL:-}" ] || [ -z "$password_file" ] || [ ! -s "$password_file" ]; then
        echo "pgadmin entrypoint: PGADMIN_DEFAULT_EMAIL and a non-empty PGADMIN_DEFAULT_PASSWORD_FILE are needed (file: ${password_file:-<unset>})" >&2
        exit 1
    fi
    PGADMIN_SETUP_EMAIL="$PGADMIN_DEFAULT_EMAIL" PGADMIN_SETUP_PASSWORD="$(cat "$password_file")" \
        python "$app/setup.py" setup-db
    if [ -f /pgadmin4/servers.json ]; then
        python "$app/setup.py" load-servers /pgadmin4/servers.json --user "$PGADMIN_DEFAULT_EMAIL"
    fi
fi
exec gunicorn --bind '[::]:80' --workers 1 --threads 25 --timeout 60 \
    --access-logfile - --chdir "$app" pgAdmin4:app
