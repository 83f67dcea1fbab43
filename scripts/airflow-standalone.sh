#!/usr/bin/env bash
# `make airflow`: Airflow 3.3 standalone (api-server, scheduler, dag-processor, triggerer; SQLite,
# LocalExecutor) serving the nomasx1 bundle from the installed package. UI: http://127.0.0.1:${PORT}
# (no login: simple auth manager, all admins). Create the connections first: docs/connections.md.
set -euo pipefail
cd "$(dirname "$0")/.."
PORT="${AIRFLOW_PORT:-8080}"
export PATH="$PWD/.venv/bin:$PATH"
export AIRFLOW_HOME="${AIRFLOW_HOME:-$PWD/.airflow}"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
export AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_ALL_ADMINS=True
export AIRFLOW__API__HOST=127.0.0.1
export AIRFLOW__API__PORT="$PORT"
export AIRFLOW__CORE__EXECUTION_API_SERVER_URL="http://127.0.0.1:${PORT}/execution/"
export AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST='[{"name": "nomasx1", "classpath": "airflow_provider_nomasx1.dagspec.bundle.Nomasx1DagBundle", "kwargs": {}}]'
echo "Airflow home: $AIRFLOW_HOME  UI: http://127.0.0.1:${PORT}"
exec airflow standalone
