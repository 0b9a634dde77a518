#!/bin/sh
# Runs once, when the postgres container starts on an empty data volume (docker-entrypoint-initdb.d).
# One database per service: a service never reads another service's database.
# PORTAL_DATABASES (space separated) names them; POSTGRES_USER owns them all in this development stack.
set -eu

for database in ${PORTAL_DATABASES:-identity billing payment servicedesk}; do
    case "$database" in
        *[!a-z0-9_]*|"") echo "refusing database name '$database'" >&2; exit 1 ;;
    esac
    echo "creating database $database"
    psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE DATABASE "$database" OWNER "$POSTGRES_USER";
SQL
done
