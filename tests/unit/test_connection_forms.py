"""The connection forms as Airflow 3.3's UI shows them: the fields the api server serves for our
connection types (HookMetaService, what /ui/connections/hook_meta returns), read with the UI's own
rendering rules, and the defaults the forms save behaving like the defaults the hooks use."""

from __future__ import annotations

import socket
import time
from collections.abc import Callable
from typing import Any

import pytest
from support.connections import SECRET

from airflow_provider_nomasx1.errors import MissingConnectionError
from airflow_provider_nomasx1.hooks.jde import PROBE_QUERIES, JdeHook
from airflow_provider_nomasx1.hooks.nomasx1 import Nomasx1Hook
from airflow_provider_nomasx1.jde.schema_map import data_sources

#: every sslmode libpq accepts
LIBPQ_SSL_MODES = ["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]


@pytest.fixture(scope="module")
def forms() -> dict[str, dict[str, Any]]:
    """Extra fields per connection type, as the api server serves them to the UI."""
    from airflow.api_fastapi.core_api.services.ui.connections import HookMetaService

    return {meta.connection_type: meta.extra_fields or {} for meta in HookMetaService.hook_meta_data()}


def _non_null_type(schema: dict[str, Any]) -> str:
    """The UI's type of a field: the first type that is not "null" (FlexibleForm's inferType)."""
    kind = schema.get("type", "string")
    return next((t for t in kind if t != "null"), "string") if isinstance(kind, list) else kind


def _dropdown_choices(field: dict[str, Any]) -> list[str]:
    """The labels of the UI's dropdown (shown for a string/number/integer field with an enum):
    each enum value as text, None as "null" unless values_display renames it."""
    schema = field["schema"]
    assert _non_null_type(schema) in ("string", "number", "integer") and isinstance(schema.get("enum"), list)
    display = schema.get("values_display") or {}
    return [display.get("null" if v is None else str(v), "null" if v is None else str(v)) for v in schema["enum"]]


def _required(field: dict[str, Any]) -> bool:
    """The UI requires a value unless the field's type allows null."""
    kind = field["schema"].get("type")
    return bool(kind) and not (isinstance(kind, list) and "null" in kind)


def test_sslmode_offers_the_libpq_modes_and_may_stay_empty(forms: dict[str, dict[str, Any]]) -> None:
    field = forms["nomasx1"]["sslmode"]
    assert _dropdown_choices(field) == LIBPQ_SSL_MODES  # no "null" choice
    assert not _required(field)  # the dropdown's clear button leaves it empty
    assert field["value"] is None  # empty by default: libpq's own default
    assert "libpq" in field["description"]


def test_sslmode_left_empty_reaches_no_driver(monkeypatch: pytest.MonkeyPatch, set_conn: Callable[..., None]) -> None:
    set_conn(monkeypatch, "ssl_empty", conn_type="nomasx1", host="db.local", schema="nx", extra={"sslmode": None})
    assert "sslmode" not in Nomasx1Hook("ssl_empty").url.query


def test_jde_form_has_the_driver_fields_with_the_code_defaults(forms: dict[str, dict[str, Any]]) -> None:
    jde = forms["jdedwards"]
    expected = {
        "arraysize": ("integer", 5000),
        "odbc_driver": ("string", "ODBC Driver 18 for SQL Server"),
        "trust_server_certificate": ("boolean", False),
    }
    for name, (kind, default) in expected.items():
        field = jde[name]
        assert field["schema"]["title"] and field["description"], name
        assert _non_null_type(field["schema"]) == kind, name
        assert field["value"] == default, name


def test_jde_form_schema_defaults_come_from_the_schema_map(forms: dict[str, dict[str, Any]]) -> None:
    jde = forms["jdedwards"]
    for source in data_sources():
        assert jde[f"schema_{source.key}"]["value"] == source.default


def _form_defaults(forms: dict[str, dict[str, Any]], *names: str) -> dict[str, Any]:
    return {name: forms["jdedwards"][name]["value"] for name in names}


def test_saved_mssql_defaults_act_as_no_extras(
    forms: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch, set_conn: Callable[..., None]
) -> None:
    saved = _form_defaults(forms, "odbc_driver", "trust_server_certificate")
    fields = {"conn_type": "jdedwards", "host": "sql.local", "login": "jde", "schema": "JDE"}
    set_conn(monkeypatch, "ms_form", **fields, extra={"db_type": "mssql", **saved})
    set_conn(monkeypatch, "ms_bare", **fields, extra={"db_type": "mssql"})
    assert JdeHook("ms_form").url == JdeHook("ms_bare").url
    assert JdeHook("ms_form").url.query["TrustServerCertificate"] == "no"


def test_saved_oracle_arraysize_is_the_engine_default(
    forms: dict[str, dict[str, Any]], monkeypatch: pytest.MonkeyPatch, set_conn: Callable[..., None]
) -> None:
    pytest.importorskip("oracledb")
    saved = _form_defaults(forms, "arraysize")
    fields = {"conn_type": "jdedwards", "host": "ora.local", "login": "JDE", "schema": "JDEPROD"}
    set_conn(monkeypatch, "ora_form", **fields, extra={"db_type": "oracle", **saved})
    set_conn(monkeypatch, "ora_bare", **fields, extra={"db_type": "oracle"})
    engines = [JdeHook(conn_id).engine for conn_id in ("ora_form", "ora_bare")]
    assert engines[0].dialect.arraysize == engines[1].dialect.arraysize == 5000


@pytest.mark.parametrize(("hook", "conn_type"), [(Nomasx1Hook, "nomasx1"), (JdeHook, "jdedwards")])
def test_missing_connection_hint_names_the_hook_conn_type(hook: type, conn_type: str) -> None:
    with pytest.raises(MissingConnectionError) as info:
        _ = hook("no_such_conn").connection
    assert f"airflow connections add no_such_conn --conn-type {conn_type} " in str(info.value)
    assert "--conn-type postgres" not in str(info.value)


def test_jde_hook_has_its_own_test_connection() -> None:
    """Airflow's "Test" button calls the hook's test_connection(); BaseHook has none."""
    assert "test_connection" in vars(JdeHook)


def test_jde_test_connection_on_a_closed_port_fails_fast_without_the_password(
    monkeypatch: pytest.MonkeyPatch, set_conn: Callable[..., None]
) -> None:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()  # nothing listens there: the connection is refused
    set_conn(
        monkeypatch,
        "jde_closed",
        conn_type="jdedwards",
        host="127.0.0.1",
        port=port,
        login="jde",
        password=SECRET,
        schema="jde",
        extra={"db_type": "postgres", "connect_timeout": 2},
    )
    started = time.monotonic()
    ok, message = JdeHook("jde_closed").test_connection()
    assert not ok
    assert time.monotonic() - started < 10
    assert f"127.0.0.1:{port}" in message and "jde_closed" in message
    assert SECRET not in message


@pytest.mark.parametrize(
    ("db_type", "query"), [("oracle", "SELECT 1 FROM DUAL"), ("mssql", "SELECT 1"), ("postgres", "SELECT 1")]
)
def test_jde_probe_query_per_database(db_type: str, query: str) -> None:
    assert PROBE_QUERIES[db_type] == query
