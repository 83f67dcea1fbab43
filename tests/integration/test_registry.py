"""The application registry and `nomasx1 apps`."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1.applications import ApplicationNotFoundError, Registry
from airflow_provider_nomasx1.cli import main
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.schema import bootstrap


@pytest.fixture
def registry(pg_engine: sa.Engine) -> Registry:
    bootstrap.init_schema(pg_engine, "nomasx1")
    return Registry(pg_engine, "nomasx1")


def test_add_show_update_list(registry: Registry) -> None:
    app = registry.add(10, "JDE PROD", source_conn_id="jdedwards", dormant_days=60)
    assert (app["apps_id"], app["apps_type"], app["role_sequence_direction"], app["signin_mode"]) == (
        10,
        "JDE",
        "ascending",
        "*ALL",
    )
    assert app["dormant_days"] == 60 and app["security_type_codes"]["1"] == "application"
    assert app["license_max_sessions"] == 4  # the schema's default, no settings_jdedwards row yet
    changed = registry.update(
        10,
        role_sequence_direction="descending",
        out_purge=True,
        out_retention_days=30,
        security_type_codes='{"1": "application", "2": "action"}',
    )
    assert (changed["role_sequence_direction"], changed["out_purge"], changed["out_retention_days"]) == (
        "descending",
        True,
        30,
    )
    assert changed["security_type_codes"] == {"1": "application", "2": "action"}
    assert changed["updated_at"] >= changed["created_at"]
    registry.add(11, "JDE TEST", apps_type="JDE")
    assert [a["apps_id"] for a in registry.list()] == [10, 11]
    assert registry.existing({10, 11, 12}) == {10, 11}


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"apps_type": "SAP"}, "apps_type must be one of"),
        ({"role_sequence_direction": "up"}, "role_sequence_direction must be one of"),
        ({"dormant_days": 0}, "dormant_days must be at least 1"),
        ({"security_type_codes": {"1": "magic"}}, "security_type_codes must map FSSETY codes"),
        ({"colour": "red"}, "unknown application setting"),
        ({"license_max_sessions": 0}, r"license_max_sessions must be a whole number from 1 to 32 .*got 0; nothing"),
        ({"license_max_sessions": 33}, r"license_max_sessions must be a whole number from 1 to 32 .*got 33; nothing"),
    ],
)
def test_bad_settings_change_nothing(registry: Registry, settings: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        registry.add(10, "JDE PROD", **settings)
    assert registry.list() == []


def test_license_max_sessions(registry: Registry, pg_engine: sa.Engine) -> None:
    registry.add(10, "JDE PROD")
    assert registry.update(10, license_max_sessions="8")["license_max_sessions"] == 8
    for bad in (0, 33, 2.5, "many"):
        with pytest.raises(ConfigurationError, match="from 1 to 32 .*nothing was changed"):
            registry.update(10, apps_name="renamed", license_max_sessions=bad)
    app = registry.show(10)
    assert (app["apps_name"], app["license_max_sessions"]) == ("JDE PROD", 8)
    with pg_engine.connect() as conn:
        stored = conn.execute(sa.text("SELECT license_max_sessions FROM nomasx1.settings_jdedwards")).all()
    assert stored == [(8,)]
    check = "ck_settings_jdedwards_license_max_sessions"  # the schema refuses it too
    with pytest.raises(sa.exc.IntegrityError, match=check), pg_engine.begin() as conn:
        conn.execute(sa.text("UPDATE nomasx1.settings_jdedwards SET license_max_sessions = 33"))


def test_duplicate_and_missing_applications(registry: Registry) -> None:
    registry.add(10, "JDE PROD")
    with pytest.raises(ConfigurationError, match="already exists: change it with `nomasx1 apps update --apps-id 10`"):
        registry.add(10, "again")
    with pytest.raises(ApplicationNotFoundError, match="nomasx1 apps add --apps-id 42"):
        registry.show(42)
    with pytest.raises(ApplicationNotFoundError):
        registry.update(42, apps_name="x")


def test_remove_deletes_every_row_of_the_application(registry: Registry, pg_engine: sa.Engine) -> None:
    registry.add(10, "JDE PROD")
    registry.add(11, "JDE TEST")
    with pg_engine.begin() as conn:
        for apps_id in (10, 11):
            conn.execute(
                sa.text(
                    "INSERT INTO nomasx1.security_roles (apps_id, role_id, description, sequence) "
                    "VALUES (:a, 'APCLERK', 'AP clerk', 10)"
                ),
                {"a": apps_id},
            )
            conn.execute(
                sa.text(
                    "INSERT INTO nomasx1.sod_process (apps_id, process_id, name) VALUES (:a, 'P2P', 'Procure to pay')"
                ),
                {"a": apps_id},
            )
    deleted = registry.remove(10)
    assert deleted == {"security_roles": 1, "sod_process": 1, "settings_applications": 1}
    with pg_engine.connect() as conn:
        left = conn.execute(sa.text("SELECT apps_id FROM nomasx1.security_roles")).scalars().all()
    assert left == [11]
    assert [a["apps_id"] for a in registry.list()] == [11]


def test_cli(pg_url: URL, registry: Registry, capsys: pytest.CaptureFixture) -> None:
    url = pg_url.render_as_string(hide_password=False)
    assert (
        main(["apps", "add", "--apps-id", "10", "--name", "JDE PROD", "--source-conn", "jdedwards", "--url", url]) == 0
    )
    assert (
        main(["apps", "update", "--apps-id", "10", "--role-sequence", "descending", "--no-out-purge", "--url", url])
        == 0
    )
    assert main(["apps", "list", "--url", url]) == 0
    out = capsys.readouterr().out
    assert "JDE PROD" in out and "descending" in out
    assert main(["apps", "show", "--apps-id", "10", "--url", url]) == 0
    assert '"1": "application"' in capsys.readouterr().out
    assert main(["apps", "remove", "--apps-id", "10", "--url", url]) == 2
    assert "add --yes" in capsys.readouterr().err
    assert main(["apps", "remove", "--apps-id", "10", "--yes", "--url", url]) == 0
    assert registry.list() == []
    assert main(["apps", "show", "--url", url]) == 2
    assert "needs --apps-id" in capsys.readouterr().err
