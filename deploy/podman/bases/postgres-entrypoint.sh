#!/usr/bin/env bash
# The part of the official postgres image's entrypoint that Chorus's compose
# file relies on: on an empty data folder, initdb with the superuser's password
# from POSTGRES_PASSWORD_FILE, run /docker-entrypoint-initdb.d/* against a
# server that listens on its Unix socket only, stop it; then run the server on
# every interface (password logins over TCP). Runs as root, serves as postgres.
set -euo pipefail

if [ "$(id -u)" = 0 ]; then
    chown postgres:postgres "$PGDATA" /var/run/postgresql
    chmod 0700 "$PGDATA"
    exec setpriv --reuid=postgres --regid=postgres --init-groups "$0" "$@"
fi

user="${POSTGRES_USER:-postgres}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    password_file="${POSTGRES_PASSWORD_FILE:-}"
    if [ -z "$password_file" ] || [ ! -s "$password_file" ]; then
        echo "postgres entrypoint: POSTGRES_PASSWORD_FILE is not set or the file is missing or empty: ${password_file:-<unset>}" >&2
        exit 1
    fi
    initdb --username="$user" --pwfile="$password_file" --auth-local=trust \
        --auth-host=scram-sha-256 --encoding=UTF8 -D "$PGDATA" >/dev/null
    echo "host all all all scram-sha-256" >>"$PGDATA/pg_hba.conf"
    pg_ctl -D "$PGDATA" -o "-c listen_addresses=''" -w start >/dev/null
    db="${POSTGRES_DB:-$user}"
    if [ "$db" != postgres ]; then
        psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$user" --dbname postgres \
            --set db="$db" <<<'CREATE DATABASE :"db";'
    fi
    for script in /docker-entrypoint-initdb.d/*; do
        case "$script" in
            *.sh) echo "postgres entrypoint: running $script"; bash "$script" ;;
            *.sql) echo "postgres entrypoint: running $script"
                   psql --no-psqlrc -v ON_ERROR_STOP=1 --username "$user" --dbname "$db" -f "$script" ;;
            *) ;;
        esac
    done
    pg_ctl -D "$PGDATA" -m fast -w stop >/dev/null
    echo "postgres entrypoint: initialised $PGDATA"
fi
if [ "$1" = postgres ]; then
    exec "$@" -c listen_addresses='*'
fi
exec "$@"
