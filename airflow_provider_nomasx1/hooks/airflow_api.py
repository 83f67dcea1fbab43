"""AirflowApiHook: Airflow's own REST API, for the one job that must create a connection.

Airflow 3 tasks cannot write to the metadata database; the supported way to create a connection
from a task is the public REST API (``POST /api/v2/connections``). The API connection (type
``http``) holds the api-server URL in *host* and, unless the deployment runs without login
(``simple_auth_manager_all_admins``), a user allowed to manage connections.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any

import requests
from airflow.sdk import BaseHook

from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error
from airflow_provider_nomasx1.hooks.connection import get_connection


class AirflowApiError(Nomasx1Error):
    """The Airflow REST API refused a request."""


class AirflowApiHook(BaseHook):
    """Minimal client of the Airflow 3 REST API (connections only)."""

    conn_name_attr = "api_conn_id"
    default_conn_name = "airflow_api"
    conn_type = "http"
    hook_name = "Airflow REST API"

    def __init__(self, api_conn_id: str = default_conn_name, timeout: float = 30, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.api_conn_id = api_conn_id
        self.timeout = timeout

    @cached_property
    def connection(self) -> Any:
        return get_connection(self.api_conn_id, "Airflow REST API (to create connections)", "http")

    @property
    def base_url(self) -> str:
        conn = self.connection
        host = (conn.host or "").rstrip("/")
        if not host:
            raise ConfigurationError(f"connection {self.api_conn_id!r}: host must be the api-server URL")
        if "://" not in host:
            host = f"{conn.schema or 'http'}://{host}"
        return f"{host}:{conn.port}" if conn.port and host.count(":") < 2 else host

    @cached_property
    def session(self) -> requests.Session:
        session = requests.Session()
        conn = self.connection
        if conn.login:
            response = session.post(
                f"{self.base_url}/auth/token",
                timeout=self.timeout,
                json={"username": conn.login, "password": conn.password or ""},
            )
            if response.status_code >= 400:
                raise AirflowApiError(
                    f"login to the Airflow API as {conn.login!r} failed ({response.status_code}); "
                    f"check connection {self.api_conn_id!r}"
                )
            session.headers["Authorization"] = f"Bearer {response.json()['access_token']}"
        return session

    def _call(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            return self.session.request(method, f"{self.base_url}/api/v2{path}", timeout=self.timeout, **kwargs)
        except requests.ConnectionError as exc:
            raise AirflowApiError(
                f"cannot reach the Airflow API at {self.base_url} (connection {self.api_conn_id!r}): {exc}"
            ) from None

    def connection_exists(self, conn_id: str) -> bool:
        response = self._call("GET", f"/connections/{conn_id}")
        if response.status_code == 404:
            return False
        if response.status_code >= 400:
            raise AirflowApiError(f"GET connection {conn_id!r}: {_reason(response)}")
        return True

    def create_connection(self, payload: dict[str, Any]) -> None:
        response = self._call("POST", "/connections", json=payload)
        if response.status_code >= 400:
            raise AirflowApiError(f"creating connection {payload.get('connection_id')!r} failed: {_reason(response)}")

    def copy_connection(self, source: Any, connection_id: str, *, schema: str | None, description: str) -> None:
        """Create ``connection_id`` with the fields of the Airflow connection ``source`` (its
        credentials included) but ``schema``: the secret goes from one connection to the other
        inside this hook, never through the caller."""
        self.create_connection(
            {
                "connection_id": connection_id,
                "conn_type": source.conn_type,
                "description": description,
                "host": source.host,
                "port": source.port,
                "login": source.login,
                "password": source.password,
                "schema": schema,
                "extra": source.extra,
            }
        )

    def dispose(self) -> None:
        """Close the HTTP session, if one was opened (the step operator calls this after the step)."""
        if "session" in self.__dict__:
            self.session.close()


def _reason(response: requests.Response) -> str:
    """Status and the API's messages, without the request body FastAPI echoes (it holds the password)."""
    try:
        detail = response.json().get("detail")
    except ValueError:
        detail = None
    if isinstance(detail, list):  # validation errors: keep where and what, drop the echoed input
        detail = "; ".join(f"{'.'.join(map(str, d.get('loc', [])))}: {d.get('msg')}" for d in detail)
    return f"HTTP {response.status_code}" + (f": {detail}" if detail else "")
