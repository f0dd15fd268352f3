#!/usr/bin/env bash
# A real CKAN on 127.0.0.1 for the publishing integration tests (tests/integration).
#
#   scripts/ckan-dev.sh install   apt packages (PostgreSQL, Redis), CKAN in $CKAN_HOME/venv, config,
#                                 database, admin user, test organisation (idempotent)
#   scripts/ckan-dev.sh start     start PostgreSQL, Redis, the Solr stand-in and two CKAN processes on
#                                 the same database: one with a file store (CKAN_URL) and one without,
#                                 like data.overheid.nl, where an upload is refused (CKAN_NOSTORE_URL)
#   scripts/ckan-dev.sh token     print a fresh API token of the admin user (stdout only)
#   scripts/ckan-dev.sh env       print shell exports for the tests (CKAN_URL, CKAN_NOSTORE_URL,
#                                 CKAN_ORG, the token file); the tests read the same output
#   scripts/ckan-dev.sh status    what is running
#   scripts/ckan-dev.sh stop      stop what this checkout started (PostgreSQL only when no other
#                                 checkout still holds a lease on it)
#   scripts/ckan-dev.sh reset     stop, drop the database, storage and index, then install again
#
# Everything per checkout comes from the environment, with defaults derived from the checkout's
# path, so two checkouts on one machine never share a database, a port or a process:
#   CKAN_HOME (.ckan), CKAN_DB (ckan_omh_<id>), CKAN_PORT, CKAN_NOSTORE_PORT, SOLR_PORT,
#   REDIS_PORT (30000 + 4 * (<id> mod 5000) + 0..3), CKAN_ORG, CKAN_VERSION.
#
# CKAN ${CKAN_VERSION} from PyPI with its own pinned requirements, ckanext-scheming with a
# DCAT-AP-DONL 1.1 schema generated from src/opendata_mh/data/donl (scripts/ckan/donl_schema.py),
# real PostgreSQL and Redis from Debian, real file storage in $CKAN_HOME/storage. Apache Solr
# cannot be installed here: scripts/ckan/fakesolr.py stands in for the search index (see its
# docstring). Everything listens on 127.0.0.1 only. Needs root (or sudo) for apt-get and the
# postgres superuser.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"

# a number that identifies this checkout (its absolute path)
CHECKOUT_ID="$(printf '%s' "$ROOT" | cksum | cut -d' ' -f1)"
SLOT=$((CHECKOUT_ID % 5000))
BASE_PORT=$((30000 + 4 * SLOT))
CKAN_VERSION="${CKAN_VERSION:-2.11.6}"
SCHEMING_VERSION="${SCHEMING_VERSION:-3.1.0}"
CKAN_HOME="${CKAN_HOME:-$ROOT/.ckan}"
CKAN_PORT="${CKAN_PORT:-$BASE_PORT}"
CKAN_NOSTORE_PORT="${CKAN_NOSTORE_PORT:-$((BASE_PORT + 1))}"
SOLR_PORT="${SOLR_PORT:-$((BASE_PORT + 2))}"
REDIS_PORT="${REDIS_PORT:-$((BASE_PORT + 3))}"
CKAN_ORG="${CKAN_ORG:-opendata-mh-test}"
PYTHON="${PYTHON:-python3}"
VENV="$CKAN_HOME/venv"
INI="$CKAN_HOME/ckan.ini"
NOSTORE_INI="$CKAN_HOME/ckan-nostore.ini"
DB="${CKAN_DB:-ckan_omh_$CHECKOUT_ID}"
DBUSER="${CKAN_DB_USER:-$DB}"
DBPASS="${CKAN_DB_PASSWORD:-$DB}"
URL="http://127.0.0.1:$CKAN_PORT"
NOSTORE_URL="http://127.0.0.1:$CKAN_NOSTORE_PORT"
# leases on the shared PostgreSQL cluster: one file per checkout that uses it
LEASES="${TMPDIR:-/tmp}/opendata-mh-ckan-pg"
LEASE="$LEASES/$CHECKOUT_ID"

# root here; on a GitHub runner (not root) the privileged steps go through sudo
SUDO=""
if [ "$(id -u)" != 0 ]; then SUDO="sudo"; fi

log() { printf '[ckan-dev] %s\n' "$*" >&2; }
ckan() { "$VENV/bin/ckan" -c "$INI" "$@" 2> >(grep -v -e 'CSRF protection' -e 'solr' -e 'Traceback' >&2 || true); }
psql_su() { (cd / && $SUDO runuser -u postgres -- psql -v ON_ERROR_STOP=1 -qAt "$@"); }
pg_version() { ls /usr/lib/postgresql 2>/dev/null | sort -n | tail -1; }
up() { curl -fsS -m 2 "$1" >/dev/null 2>&1; }

apt_install() {
  local need=()
  for p in postgresql redis-server libpq-dev build-essential python3-dev libmagic1 curl; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
  if [ "${#need[@]}" -gt 0 ]; then
    log "apt-get install ${need[*]}"
    $SUDO apt-get update -qq
    $SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 \
      --no-install-recommends "${need[@]}" >/dev/null
  fi
}

pg_ready() { (cd / && $SUDO runuser -u postgres -- pg_isready -q -h 127.0.0.1) 2>/dev/null; }

start_postgres() {
  # The cluster is shared by every checkout: take a lease first, so that another checkout's
  # 'stop' leaves it running while this one uses it.
  local v; v="$(pg_version)"
  mkdir -p "$LEASES"
  printf '%s\n' "$ROOT" >"$LEASE"
  if ! pg_ready; then
    log "starting PostgreSQL $v"
    $SUDO pg_ctlcluster "$v" main start
    touch "$LEASES/started-by-ckan-dev"
    for _ in $(seq 50); do pg_ready && break; sleep 0.2; done
  fi
}

stop_postgres() {
  # only when a checkout of this script started it and no other checkout holds a lease
  rm -f "$LEASE"
  local other
  other="$(find "$LEASES" -maxdepth 1 -type f -regex '.*/[0-9]+$' 2>/dev/null | head -1)"
  if [ -f "$LEASES/started-by-ckan-dev" ] && [ -z "$other" ]; then
    $SUDO pg_ctlcluster "$(pg_version)" main stop || true
    rm -f "$LEASES/started-by-ckan-dev"
  elif [ -n "$other" ]; then
    log "PostgreSQL left running: still used by $(cat "$other")"
  fi
}

start_redis() {
  if ! redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --daemonize yes --port "$REDIS_PORT" --bind 127.0.0.1 --save '' \
      --pidfile "$CKAN_HOME/redis.pid" --logfile "$CKAN_HOME/redis.log" --dir "$CKAN_HOME"
  fi
}

solr_schema() { echo "$VENV/lib/python3.11/site-packages/ckan/config/solr/schema.xml"; }

start_solr() {
  if ! up "http://127.0.0.1:$SOLR_PORT/solr/ckan/admin/ping"; then
    nohup "$VENV/bin/python" "$ROOT/scripts/ckan/fakesolr.py" --port "$SOLR_PORT" \
      --schema "$(solr_schema)" --data "$CKAN_HOME/solr-docs.json" \
      >"$CKAN_HOME/fakesolr.log" 2>&1 &
    echo $! >"$CKAN_HOME/fakesolr.pid"
    for _ in $(seq 50); do up "http://127.0.0.1:$SOLR_PORT/solr/ckan/admin/ping" && break; sleep 0.1; done
  fi
}

install() {
  local t0=$SECONDS
  mkdir -p "$CKAN_HOME/storage"
  apt_install
  local have=""
  [ -x "$VENV/bin/ckan" ] && have="$("$VENV/bin/pip" show ckan 2>/dev/null || true)"
  if ! grep -q "^Version: $CKAN_VERSION$" <<<"$have"; then
    log "pip install ckan[requirements]==$CKAN_VERSION ckanext-scheming==$SCHEMING_VERSION"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/pip" install -q --upgrade pip
    "$VENV/bin/pip" install -q "ckan[requirements]==$CKAN_VERSION" "ckanext-scheming==$SCHEMING_VERSION"
  fi
  PYTHONPATH="$ROOT/src" "$PYTHON" "$ROOT/scripts/ckan/donl_schema.py" "$CKAN_HOME/donl_schema.json"
  start_postgres
  start_redis
  if [ "$(psql_su -c "SELECT 1 FROM pg_roles WHERE rolname='$DBUSER'")" != "1" ]; then
    psql_su -c "CREATE ROLE $DBUSER LOGIN PASSWORD '$DBPASS'"
  fi
  if [ "$(psql_su -c "SELECT 1 FROM pg_database WHERE datname='$DB'")" != "1" ]; then
    psql_su -c "CREATE DATABASE $DB OWNER $DBUSER ENCODING 'utf-8' TEMPLATE template0"
  fi
  if [ ! -f "$INI" ]; then
    "$VENV/bin/ckan" generate config "$INI" >/dev/null
  fi
  "$VENV/bin/ckan" config-tool "$INI" \
    "sqlalchemy.url=postgresql://$DBUSER:$DBPASS@127.0.0.1/$DB" \
    "ckan.site_url=$URL" \
    "ckan.site_id=opendata_mh_dev_$CHECKOUT_ID" \
    "ckan.storage_path=$CKAN_HOME/storage" \
    "ckan.max_resource_size=100" \
    "ckan.redis.url=redis://127.0.0.1:$REDIS_PORT/0" \
    "solr_url=http://127.0.0.1:$SOLR_PORT/solr/ckan" \
    "ckan.plugins=scheming_datasets" \
    "scheming.dataset_schemas=file://$CKAN_HOME/donl_schema.json" \
    "scheming.presets=ckanext.scheming:presets.json" \
    "ckan.auth.create_unowned_dataset=false" \
    "ckan.datasets_per_page=50" >/dev/null 2>&1
  # the same portal without a file store (data.overheid.nl is a register: links only)
  grep -v '^ckan.storage_path' "$INI" >"$NOSTORE_INI"
  "$VENV/bin/ckan" config-tool "$NOSTORE_INI" "ckan.site_url=$NOSTORE_URL" >/dev/null 2>&1
  start_solr
  ckan db init >/dev/null
  if ckan user show admin 2>/dev/null | grep -q "User: None"; then
    ckan user add admin email=admin@example.org password='Admin-pass-123' >/dev/null
    ckan sysadmin add admin >/dev/null
  fi
  log "installed CKAN $CKAN_VERSION in $((SECONDS - t0)) s"
}

start_ckan() {  # start_ckan NAME INI PORT
  local name="$1" ini="$2" port="$3" url="http://127.0.0.1:$3"
  if ! up "$url/api/3/action/status_show"; then
    nohup "$VENV/bin/ckan" -c "$ini" run -H 127.0.0.1 -p "$port" --disable-reloader --threaded \
      >"$CKAN_HOME/$name.log" 2>&1 &
    echo $! >"$CKAN_HOME/$name.pid"
  fi
}

wait_ckan() {  # wait_ckan NAME PORT
  local url="http://127.0.0.1:$2/api/3/action/status_show"
  for _ in $(seq 150); do up "$url" && return; sleep 0.2; done
  log "CKAN ($1) did not start; see $CKAN_HOME/$1.log"; tail -20 "$CKAN_HOME/$1.log" >&2; exit 1
}

start() {
  local t0=$SECONDS
  [ -x "$VENV/bin/ckan" ] || { log "not installed: run scripts/ckan-dev.sh install"; exit 1; }
  [ -f "$NOSTORE_INI" ] || { log "old install without $NOSTORE_INI: run scripts/ckan-dev.sh install"; exit 1; }
  start_postgres
  start_redis
  start_solr
  start_ckan ckan "$INI" "$CKAN_PORT"
  start_ckan ckan-nostore "$NOSTORE_INI" "$CKAN_NOSTORE_PORT"
  wait_ckan ckan "$CKAN_PORT"
  wait_ckan ckan-nostore "$CKAN_NOSTORE_PORT"
  # the test organisation (idempotent; through the API so that the index sees it)
  local tok; tok="$(token)"
  if ! curl -fsS -m 10 "$URL/api/3/action/organization_show?id=$CKAN_ORG" >/dev/null 2>&1; then
    curl -fsS -m 30 -H "Authorization: $tok" -H 'Content-Type: application/json' \
      -d "{\"name\": \"$CKAN_ORG\", \"title\": \"opendata-mh test organisation\"}" \
      "$URL/api/3/action/organization_create" >/dev/null
  fi
  log "CKAN $CKAN_VERSION up at $URL (file store) and $NOSTORE_URL (no file store) in $((SECONDS - t0)) s (organisation $CKAN_ORG)"
}

token() {
  # a fresh token each call; cached in .ckan/token for the env command
  if [ -s "$CKAN_HOME/token" ] && curl -fsS -m 5 -H "Authorization: $(cat "$CKAN_HOME/token")" \
      "$URL/api/3/action/api_token_list?user_id=admin" >/dev/null 2>&1; then
    cat "$CKAN_HOME/token"; return
  fi
  local t
  t="$(ckan user token add admin opendata-mh-tests 2>/dev/null | tail -n1 | tr -d '[:space:]')"
  (umask 077; printf '%s' "$t" >"$CKAN_HOME/token")
  printf '%s' "$t"
}

env_() {
  echo "export CKAN_URL=$URL"
  echo "export CKAN_NOSTORE_URL=$NOSTORE_URL"
  echo "export CKAN_ORG=$CKAN_ORG"
  echo "export CKAN_HOME=$CKAN_HOME"
  echo "export CKAN_DB=$DB"
  echo "export OPENDATA_MH_CKAN_TOKEN_FILE=$CKAN_HOME/token"
}

stop_pid() {
  local f="$CKAN_HOME/$1.pid"
  if [ -f "$f" ]; then
    local pid; pid="$(cat "$f")"
    if kill -0 "$pid" 2>/dev/null; then kill "$pid" 2>/dev/null || true; fi
    rm -f "$f"
  fi
}

stop() {
  stop_pid ckan
  stop_pid ckan-nostore
  stop_pid fakesolr
  if [ -f "$CKAN_HOME/redis.pid" ]; then redis-cli -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true; rm -f "$CKAN_HOME/redis.pid"; fi
  stop_postgres
  log "stopped"
}

status() {
  up "$URL/api/3/action/status_show" && echo "ckan: up ($URL)" || echo "ckan: down"
  up "$NOSTORE_URL/api/3/action/status_show" && echo "ckan without file store: up ($NOSTORE_URL)" || echo "ckan without file store: down"
  up "http://127.0.0.1:$SOLR_PORT/solr/ckan/admin/ping" && echo "fakesolr: up" || echo "fakesolr: down"
  redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && echo "redis: up" || echo "redis: down"
  pg_ready && echo "postgres: up (database $DB)" || echo "postgres: down"
}

reset() {
  stop_pid ckan
  stop_pid ckan-nostore
  stop_pid fakesolr
  start_postgres
  psql_su -c "DROP DATABASE IF EXISTS $DB"
  rm -rf "$CKAN_HOME/storage" "$CKAN_HOME/solr-docs.json" "$CKAN_HOME/token"
  install
}

case "${1:-}" in
  install) install ;;
  start) start ;;
  token) token; echo ;;
  env) env_ ;;
  status) status ;;
  stop) stop ;;
  reset) reset ;;
  *) echo "usage: $0 {install|start|token|env|status|stop|reset}" >&2; exit 2 ;;
esac
