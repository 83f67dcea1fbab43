#!/usr/bin/env bash
# `make airflow`: Airflow 3.3 standalone (api-server, scheduler, dag-processor, triggerer; SQLite,
# LocalExecutor) serving the nomasx1 bundle, on the demo's databases and connections after `make demo`.
#
# Settings (environment, or make variables: `make airflow BUNDLE=/path TENANTS=/path/tenants.yaml`):
#   BUNDLE        a copy of the bundle (a folder with jobs/ and the two loader files); default: the installed one
#   TENANTS       a tenants.yaml (NOMASX1_TENANTS_FILE); default: tenants.yaml beside the bundle's jobs/
#   DEMO_DIR      the demo's work folder (default .demo): its PostgreSQL and its directory (slapd) are
#                 started again when not running, and its connections (connections.json) are imported;
#                 absent: none
#   AIRFLOW_HOME  default $DEMO_DIR/airflow after a demo (its runs show in the UI), else .airflow
#   AIRFLOW_PORT  default 8080;  AIRFLOW_PARALLELISM  default: the number of cores (nproc), at least 2
#   AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS  default True (no login); False: log in as admin with
#                 the password standalone writes to $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated
# SIGTERM / SIGINT stop every Airflow process (the whole process group) before the script exits.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT="$PWD"
export PATH="$ROOT/.venv/bin:$PATH"
PYTHON="$ROOT/.venv/bin/python"
PORT="${AIRFLOW_PORT:-8080}"
DEMO_DIR="${DEMO_DIR:-$ROOT/.demo}"
DEMO_PG_STARTED=0
DEMO_LDAP_STARTED=0
DEMO_CONNECTIONS=""

if [[ -f "$DEMO_DIR/demo.json" ]]; then
  resumed="$("$PYTHON" -m airflow_provider_nomasx1.demo.runner resume "$DEMO_DIR")"
  eval "$resumed"
  export AIRFLOW_HOME="${AIRFLOW_HOME:-$DEMO_DIR/airflow}"
else
  echo "No demo in $DEMO_DIR (run \`make demo\` first, or set DEMO_DIR): no connections are created." >&2
  export AIRFLOW_HOME="${AIRFLOW_HOME:-$ROOT/.airflow}"
fi

cores="$(nproc 2>/dev/null || echo 2)"
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW_PARALLELISM:-$((cores > 2 ? cores : 2))}"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
# the zone the bundled schedules fire in: the DAG details page shows [core] default_timezone
export AIRFLOW__CORE__DEFAULT_TIMEZONE="${AIRFLOW__CORE__DEFAULT_TIMEZONE:-Europe/Paris}"
export AIRFLOW__CORE__TEST_CONNECTION=Enabled
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS="${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS:-True}"
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT="$PORT"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:${PORT}/execution/"
bundle_kwargs='{}'
if [[ -n "${BUNDLE:-}" ]]; then
  bundle_kwargs="{\"path\": $("$PYTHON" -c 'import json, os, sys; print(json.dumps(os.path.abspath(sys.argv[1])))' "$BUNDLE")}"
fi
export AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST="[{\"name\": \"nomasx1\", \"classpath\": \"airflow_provider_nomasx1.dagspec.bundle.Nomasx1DagBundle\", \"kwargs\": $bundle_kwargs}]"
if [[ -n "${TENANTS:-}" ]]; then
  export NOMASX1_TENANTS_FILE="$(realpath "$TENANTS")"
fi

if [[ -n "$DEMO_CONNECTIONS" ]]; then
  airflow db migrate >/dev/null
  airflow connections import --overwrite "$DEMO_CONNECTIONS" >/dev/null
  echo "Connections of the demo imported: $(
    "$PYTHON" -c 'import json, sys; print(", ".join(json.load(open(sys.argv[1]))))' "$DEMO_CONNECTIONS")"
fi

echo "Airflow home: $AIRFLOW_HOME  bundle: ${BUNDLE:-the installed package}  tenants: ${NOMASX1_TENANTS_FILE:-beside the bundle}"
echo "UI: http://127.0.0.1:${PORT}  (parallelism $AIRFLOW__CORE__PARALLELISM)"
if [[ "${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS,,}" == "true" ]]; then
  echo "Login: none needed (simple auth manager, every visitor is admin)"
else
  echo "Login: admin, password in $AIRFLOW_HOME/simple_auth_manager_passwords.json.generated (written at first start)"
fi

# Airflow in its own process group, so that a signal reaches every process it forks
setsid airflow standalone &
AIRFLOW_PGID=$!

stop_airflow() {
  trap - TERM INT
  kill -TERM -- "-$AIRFLOW_PGID" 2>/dev/null || true
  for _ in $(seq 1 40); do
    kill -0 -- "-$AIRFLOW_PGID" 2>/dev/null || break
    sleep 0.5
  done
  kill -KILL -- "-$AIRFLOW_PGID" 2>/dev/null || true
  wait "$AIRFLOW_PGID" 2>/dev/null || true
  if [[ "$DEMO_PG_STARTED" == 1 ]]; then
    "$PYTHON" -m airflow_provider_nomasx1.demo.runner stop "$DEMO_DIR" || true
  fi
  if [[ "$DEMO_LDAP_STARTED" == 1 ]]; then
    "$PYTHON" -m airflow_provider_nomasx1.demo.runner stop-directory "$DEMO_DIR" || true
  fi
}
trap 'stop_airflow; exit 143' TERM
trap 'stop_airflow; exit 130' INT
status=0
wait "$AIRFLOW_PGID" || status=$?
stop_airflow
exit "$status"
