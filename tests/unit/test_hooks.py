"""Hooks without a database: connection lookup errors, URL building with hostile passwords, the
connection forms and the provider's registration with Airflow."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from support.connections import HOSTILE

from airflow_provider_nomasx1.errors import ConfigurationError, MissingConnectionError
from airflow_provider_nomasx1.get_provider_info import get_provider_info
from airflow_provider_nomasx1.hooks.jde import JdeHook
from airflow_provider_nomasx1.hooks.nomasx1 import Nomasx1Hook
from airflow_provider_nomasx1.jde.schema_map import JdeSchemaMap


def test_missing_connection_says_what_to_do() -> None:
    with pytest.raises(MissingConnectionError) as info:
        _ = Nomasx1Hook("no_such_conn").engine
    message = str(info.value)
    assert "'no_such_conn'" in message
    assert "airflow connections add no_such_conn" in message
    assert "AIRFLOW_CONN_NO_SUCH_CONN" in message


def test_target_url_keeps_hostile_password(monkeypatch: pytest.MonkeyPatch, set_conn: Callable[..., None]) -> None:
    set_conn(
        monkeypatch,
        "t1",
        conn_type="nomasx1",
        host="db.local",
        port=6543,
        login="nx",
        password=HOSTILE,
        schema="nomasx1",
        extra={"sslmode": "require"},
    )
    url = Nomasx1Hook("t1").url
    assert (url.host, url.port, url.username, url.password, url.database) == (
        "db.local",
        6543,
        "nx",
        HOSTILE,
        "nomasx1",
    )
    assert url.query["sslmode"] == "require"
    assert HOSTILE not in repr(url) and HOSTILE not in str(url)  # SQLAlchemy masks it in logs


def test_oracle_url_variants(monkeypatch: pytest.MonkeyPatch, set_conn: Callable[..., None]) -> None:
    set_conn(
        monkeypatch,
        "ora1",
        conn_type="jdedwards",
        host="ora.local",
        login="JDE",
        password=HOSTILE,
        extra={"db_type": "oracle", "service_name": "JDEPROD"},
    )
    url = JdeHook("ora1").url
    assert url.drivername == "oracle+oracledb" and url.port == 1521 and url.password == HOSTILE
    assert url.query == {"service_name": "JDEPROD"}
    assert JdeHook("ora1").schemas.system == "SY920"  # Oracle keeps upper-case names
    set_conn(
        monkeypatch, "ora2", conn_type="oracle", host="ora.local", login="JDE", password="x", extra={"sid": "ORCL"}
    )
    assert JdeHook("ora2").url.database == "ORCL"
    set_conn(
        monkeypatch,
        "ora3",
        conn_type="oracle",
        host="h",
        login="JDE",
        password="x",
        extra={"sid": "ORCL", "service_name": "S"},
    )
    with pytest.raises(ConfigurationError, match="either extras.service_name or extras.sid"):
        _ = JdeHook("ora3").url


def test_unknown_db_type_and_schema_key(monkeypatch: pytest.MonkeyPatch, set_conn: Callable[..., None]) -> None:
    set_conn(monkeypatch, "jx", conn_type="jdedwards", host="h", extra={"db_type": "db2"})
    with pytest.raises(ConfigurationError, match="extras.db_type to one of"):
        _ = JdeHook("jx").db_type
    set_conn(
        monkeypatch, "jy", conn_type="jdedwards", host="h", extra={"db_type": "postgres", "schemas": {"sytem": "SY920"}}
    )
    with pytest.raises(ConfigurationError, match=r"Unknown JDE schema key\(s\) \['sytem'\]"):
        _ = JdeHook("jy").schemas
    with pytest.raises(ConfigurationError, match="Invalid JDE schema"):
        JdeSchemaMap(system="SY920; DROP")


def test_provider_info_declares_connection_forms() -> None:
    info = get_provider_info()
    types = {c["connection-type"]: c for c in info["connection-types"]}
    assert set(types) == {"jdedwards", "nomasx1", "nomasx1_ldap"}
    ldap = types["nomasx1_ldap"]
    assert ldap["hook-class-name"] == "airflow_provider_nomasx1.hooks.ldap.LdapHook"
    assert ldap["conn-fields"]["tls_mode"]["schema"]["enum"] == ["ldaps", "starttls", "none"]
    assert ldap["conn-fields"]["directory_kind"]["schema"]["enum"] == ["active_directory", "openldap"]
    assert {"base_dn", "ca_bundle", "search_filter", "page_size", "excluded_ous", "attribute_map"} <= set(
        ldap["conn-fields"]
    )
    assert ldap["ui-field-behaviour"]["relabeling"]["login"] == "Bind DN"
    jde = types["jdedwards"]
    assert jde["hook-class-name"] == "airflow_provider_nomasx1.hooks.jde.JdeHook"
    assert jde["conn-fields"]["db_type"]["schema"]["enum"] == ["oracle", "mssql", "postgres"]
    assert jde["conn-fields"]["schema_system"]["schema"]["default"] == "SY920"
    assert jde["conn-fields"]["schema_control"]["label"].startswith("Schema: Control")
    target = next(c for c in info["connection-types"] if c["connection-type"] == "nomasx1")
    for form in (jde, target):
        assert {"connect_timeout", "statement_timeout"} <= form["conn-fields"].keys()


def test_provider_is_registered_with_airflow() -> None:
    from airflow.providers_manager import ProvidersManager

    manager = ProvidersManager()
    assert "airflow-provider-nomasx1" in manager.providers
    behaviours = manager.field_behaviours
    assert behaviours["nomasx1"]["relabeling"] == {"schema": "Database"}
    assert "extra__jdedwards__db_type" in manager.connection_form_widgets


def test_mssql_validates_the_server_certificate_by_default(
    monkeypatch: pytest.MonkeyPatch, set_conn: Callable[..., None]
) -> None:
    set_conn(
        monkeypatch,
        "ms1",
        conn_type="jdedwards",
        host="sql.local",
        login="jde",
        password=HOSTILE,
        schema="JDE_PRODUCTION",
        extra={"db_type": "mssql"},
    )
    url = JdeHook("ms1").url
    assert (url.drivername, url.port, url.database, url.password) == ("mssql+pyodbc", 1433, "JDE_PRODUCTION", HOSTILE)
    assert url.query["TrustServerCertificate"] == "no"
    set_conn(
        monkeypatch,
        "ms2",
        conn_type="jdedwards",
        host="sql.local",
        login="jde",
        password="x",
        extra={"db_type": "mssql", "trust_server_certificate": True},
    )
    assert JdeHook("ms2").url.query["TrustServerCertificate"] == "yes"


def test_schemas_object_wins_over_form_fields() -> None:
    extras = {"schema_control": "PS920CTL", "schemas": {"control": "PRODCTL"}}
    assert JdeSchemaMap.from_extras(extras).control == "PRODCTL"


def test_oracle_target_hook_reads_oracle_or_an_emulated_dictionary(
    monkeypatch: pytest.MonkeyPatch, set_conn: Callable[..., None]
) -> None:
    from airflow_provider_nomasx1.hooks.oracle_target import OracleTargetHook

    set_conn(monkeypatch, "oracle-target", conn_type="oracle", host="db", port=1522, login="r", password="p@ss",
             extra={"service_name": "JDEPRD"})  # fmt: skip
    hook = OracleTargetHook()
    assert (hook.db_type, hook.dialect.name, hook.user) == ("oracle", "oracle", "r")
    url = hook.engine.url
    assert (url.drivername, url.host, url.port, url.query["service_name"]) == ("oracle+oracledb", "db", 1522, "JDEPRD")
    set_conn(monkeypatch, "emulated", conn_type="postgres", host="127.0.0.1", login="u",
             extra={"emulated_dictionary": "ora_19c_se2"})  # fmt: skip
    assert OracleTargetHook("emulated").dialect.name == "emulated"
    set_conn(monkeypatch, "plain-pg", conn_type="postgres", host="127.0.0.1", login="u")
    with pytest.raises(ConfigurationError, match="connection 'plain-pg' is of type 'postgres'.*type oracle"):
        _ = OracleTargetHook("plain-pg").db_type
