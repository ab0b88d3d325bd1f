#!/usr/bin/env bash
# Creates the Chorus databases and roles, once, on a new PostgreSQL data volume.
#
# The official postgres image runs this from /docker-entrypoint-initdb.d/ as
# the postgres user, before the server accepts TCP connections (the compose
# health check asks over TCP, so nothing migrates before this has finished).
# Passwords are read from the compose secrets, inside psql (never on a command
# line, never in an environment value). deploy/README.md explains each role;
# tests/deploy/test_compose_database.py runs this script against a real
# PostgreSQL, then the migrations and both services as these roles.
#
# Every name can be changed by an env value (the test uses unique ones):
#   CHORUS_AUTH_DB (chorus_auth)                     auth database, and the role that owns it
#   CHORUS_RESOURCE_DB (chorus_resource)             resource database
#   CHORUS_RESOURCE_OWNER (chorus_resource_owner)    owns the resource tables, runs migrations
#   CHORUS_RESOURCE_APP_ROLE (chorus_resource_app)   NOLOGIN group the migrations grant rights to
#   CHORUS_RESOURCE_LOGIN (chorus_resource)          the resource service's login, in that group
#   CHORUS_SECRETS_DIR (/run/secrets)                where the password files are
set -euo pipefail

secrets_dir="${CHORUS_SECRETS_DIR:-/run/secrets}"
for name in auth-db-password resource-owner-db-password resource-db-password; do
    if [ ! -s "$secrets_dir/$name" ]; then
        echo "init-chorus-databases: missing secret $secrets_dir/$name" >&2
        exit 1
    fi
done

psql --no-psqlrc --set ON_ERROR_STOP=1 --username "${POSTGRES_USER:-postgres}" --dbname postgres \
    --set auth_db="${CHORUS_AUTH_DB:-chorus_auth}" \
    --set resource_db="${CHORUS_RESOURCE_DB:-chorus_resource}" \
    --set resource_owner="${CHORUS_RESOURCE_OWNER:-chorus_resource_owner}" \
    --set resource_app="${CHORUS_RESOURCE_APP_ROLE:-chorus_resource_app}" \
    --set resource_login="${CHORUS_RESOURCE_LOGIN:-chorus_resource}" \
    --set auth_password_file="$secrets_dir/auth-db-password" \
    --set resource_owner_password_file="$secrets_dir/resource-owner-db-password" \
    --set resource_password_file="$secrets_dir/resource-db-password" <<'SQL'
\set auth_password `cat :'auth_password_file'`
\set resource_owner_password `cat :'resource_owner_password_file'`
\set resource_password `cat :'resource_password_file'`

-- auth: one role owns the database, runs the migrations and the service.
CREATE ROLE :"auth_db" LOGIN PASSWORD :'auth_password';
CREATE DATABASE :"auth_db" OWNER :"auth_db";
REVOKE ALL ON DATABASE :"auth_db" FROM PUBLIC;

-- resource: the owner runs the migrations; the service logs in as a role that
-- owns nothing and cannot bypass row-level security, a member of the group
-- role the migrations grant the table rights to.
CREATE ROLE :"resource_owner" LOGIN PASSWORD :'resource_owner_password';
CREATE DATABASE :"resource_db" OWNER :"resource_owner";
REVOKE ALL ON DATABASE :"resource_db" FROM PUBLIC;
CREATE ROLE :"resource_app" NOLOGIN NOBYPASSRLS;
CREATE ROLE :"resource_login" LOGIN PASSWORD :'resource_password' NOBYPASSRLS IN ROLE :"resource_app";
GRANT CONNECT ON DATABASE :"resource_db" TO :"resource_app";
SQL
echo "init-chorus-databases: created ${CHORUS_AUTH_DB:-chorus_auth} and ${CHORUS_RESOURCE_DB:-chorus_resource}"
