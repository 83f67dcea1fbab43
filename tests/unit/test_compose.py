"""docker-compose.yaml is a valid Compose file and agrees with the code: the Airflow version pinned in
constraints.txt, the CeleryExecutor with two workers, the provider's DAG-bundle class and the
connection ids the bundled jobs default to. Docker cannot run here, so this is what keeps the file
from rotting when the code moves."""

from __future__ import annotations

import importlib
import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from airflow_provider_nomasx1.dagspec.loader import read_specs

REPO = Path(__file__).resolve().parents[2]
COMPOSE = REPO / "docker-compose.yaml"
DOCKERFILE = REPO / "docker" / "Dockerfile"
ENV_EXAMPLE = REPO / "docker" / ".env.example"
AIRFLOW_SERVICES = {
    "airflow-init",
    "airflow-apiserver",
    "airflow-scheduler",
    "airflow-dag-processor",
    "airflow-triggerer",
}
BACKING_SERVICES = {"postgres", "redis", "openldap", "oracle"}
#: params that name a connection a job reads; `new_connection` names one the job creates (nomasx1-init-db)
CONNECTION_PARAMS = ("source_connection", "targets")
CREATED_CONNECTION_PARAMS = ("new_connection",)


def _compose() -> dict[str, Any]:
    return yaml.safe_load(COMPOSE.read_text(encoding="utf-8"))


def _common_env() -> dict[str, str]:
    return _compose()["x-airflow-common"]["environment"]


def _pinned_airflow() -> str:
    pins = re.findall(r"^apache-airflow==(\S+)$", (REPO / "constraints.txt").read_text(), flags=re.MULTILINE)
    assert len(pins) == 1, "constraints.txt must pin apache-airflow once"
    return pins[0]


def _env_example() -> dict[str, str]:
    """KEY=VALUE lines of docker/.env.example (single quotes stripped, as Compose reads them)."""
    values: dict[str, str] = {}
    for line in ENV_EXAMPLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value.strip().removeprefix("'").removesuffix("'")
    return values


def _bundled_connection_ids() -> set[str]:
    """Connection ids the bundled jobs' params default to, without those a job creates itself."""
    specs, problems = read_specs(REPO / "dags" / "jobs")
    assert problems == []
    read, created = set(), set()
    for spec in specs:
        for name, param in spec.params.items():
            values = param.default if isinstance(param.default, list) else [param.default]
            if name.endswith("_connector") or name in CONNECTION_PARAMS:
                read.update(v for v in values if v)
            elif name in CREATED_CONNECTION_PARAMS:
                created.update(values)
    return read - created


def test_docker_compose_config_accepts_the_file() -> None:
    binary = shutil.which("docker-compose")
    if binary is None:
        pytest.skip("the docker-compose binary is not installed (apt-get install docker-compose; .ci/run does it)")
    result = subprocess.run(
        [binary, "-f", str(COMPOSE), "--env-file", str(ENV_EXAMPLE), "config", "-q"],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=REPO,
    )
    assert result.returncode == 0, result.stderr


def test_image_is_the_pinned_airflow_on_python_311() -> None:
    version = _pinned_airflow()
    dockerfile = DOCKERFILE.read_text(encoding="utf-8")
    assert f"ARG AIRFLOW_VERSION={version}\n" in dockerfile
    assert "FROM apache/airflow:${AIRFLOW_VERSION}-python3.11\n" in dockerfile
    assert "-c /opt/nomasx1/constraints.txt" in dockerfile
    assert '"apache-airflow[celery]==${AIRFLOW_VERSION}"' in dockerfile  # the executor's extra
    common = _compose()["x-airflow-common"]
    assert common["build"] == {"context": ".", "dockerfile": "docker/Dockerfile", "args": {"AIRFLOW_VERSION": version}}
    assert common["image"].endswith(f":{version}}}")


def test_celery_executor_with_redis_broker_and_postgres_backend() -> None:
    env = _common_env()
    assert env["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor"
    assert env["AIRFLOW__CELERY__BROKER_URL"].startswith("redis://redis:")
    assert env["AIRFLOW__CELERY__RESULT_BACKEND"].startswith("db+postgresql://")


def test_services_and_two_celery_workers() -> None:
    services = _compose()["services"]
    assert set(services) >= AIRFLOW_SERVICES | BACKING_SERVICES
    workers = [name for name, svc in services.items() if svc.get("command") == "celery worker"]
    assert sum(services[name].get("deploy", {}).get("replicas", 1) for name in workers) == 2
    assert services["oracle"]["profiles"] == ["oracle"]
    assert services["oracle"]["image"].startswith("gvenzl/oracle-free:")
    for name in AIRFLOW_SERVICES | set(workers):
        assert services[name]["environment"]["AIRFLOW__CORE__EXECUTOR"] == "CeleryExecutor", name


def test_bundle_class_path_is_the_providers_bundle() -> None:
    from airflow_provider_nomasx1.dagspec.bundle import Nomasx1DagBundle

    (bundle,) = json.loads(_common_env()["AIRFLOW__DAG_PROCESSOR__DAG_BUNDLE_CONFIG_LIST"])
    module, _, name = bundle["classpath"].rpartition(".")
    assert getattr(importlib.import_module(module), name) is Nomasx1DagBundle


def test_connections_are_the_ones_the_bundled_jobs_use() -> None:
    expected = _bundled_connection_ids()
    assert {"default", "nomasx1", "nomajde", "jdedwards"} <= expected
    defined = {key.removeprefix("AIRFLOW_CONN_").lower() for key in _common_env() if key.startswith("AIRFLOW_CONN_")}
    assert defined == expected
    example = {key.removeprefix("AIRFLOW_CONN_").lower() for key in _env_example() if key.startswith("AIRFLOW_CONN_")}
    # a .env variable cannot hold a hyphen: compose maps AIRFLOW_CONN_ORACLE_TARGET to the id's own name
    assert example == {conn_id.replace("-", "_") for conn_id in expected}


def test_env_example_connections_parse_as_airflow_connections() -> None:
    from airflow.models.connection import Connection

    types = {
        "default": "postgres",
        "nomasx1": "nomasx1",
        "nomajde": "nomasx1",
        "jdedwards": "jdedwards",
        "ldap": "nomasx1_ldap",
        "oracle_target": "oracle",
    }
    for key, value in _env_example().items():
        if key.startswith("AIRFLOW_CONN_"):
            conn_id = key.removeprefix("AIRFLOW_CONN_").lower()
            conn = Connection.from_json(value, conn_id=conn_id)
            assert conn.conn_type == types.get(conn_id, "http"), conn_id
            assert conn.password and conn.password.startswith("change-me"), f"{conn_id}: example passwords only"
