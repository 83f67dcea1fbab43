"""DB_ORA_LICENSES on hand-built feature rows: the usage ladder at the edges of the map's version
ranges, conditions met and not, a feature used in the past only, one suppressed due to a known
bug, an INVALID rule, a never-sampled row set, entitlements and the JD Edwards angle."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

import pytest
import sqlalchemy as sa

from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.database import licences
from airflow_provider_nomasx1.collectors.preload import import_reference_bundle
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.operators.step import run_step
from airflow_provider_nomasx1.schema import bootstrap

AS_OF = dt.date(2026, 11, 30)
LOG = logging.getLogger("nomasx1.tests.database")
JDE_APP, DB_APP = 21, 20
T = dt.datetime


@pytest.fixture
def site(pg_engine: sa.Engine) -> sa.Engine:
    bootstrap.init_schema(pg_engine, "nomasx1")
    registry = Registry(pg_engine, "nomasx1")
    registry.add(DB_APP, "Reporting database", apps_type="DATABASE")
    registry.add(JDE_APP, "JDE production", apps_type="JDE")
    import_reference_bundle(pg_engine, "nomasx1", target_apps_ids=(JDE_APP,))
    return pg_engine


def _properties(engine: sa.Engine, apps_id: int, edition: str = "Enterprise Edition", **values: Any) -> None:
    row = {"apps_id": apps_id, "as_of_date": AS_OF, "dbid": 42, "db_name": "DB", "cdb": False,
           "product": f"Oracle Database 19c {edition} Release 19.0.0.0.0 - Production", "edition": edition,
           "full_version": "19.22.0.0.0", "major_version": 19, "instance_count": 1, "total_users": 10,
           "open_users": 5, "oracle_maintained_users": 3, "data_guard": False, "active_data_guard": False,
           "cloud_package": False, "management_pack_access": "NONE"} | values  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.text(f"INSERT INTO nomasx1.db_ora_properties ({', '.join(row)}) "
                             f"VALUES ({', '.join(':' + k for k in row)})"), row)  # fmt: skip


def _features(engine: sa.Engine, apps_id: int, *rows: tuple[Any, ...]) -> None:
    """rows: (name, version, detected, currently_used, current_entry, feature_info, extra columns)."""
    with engine.begin() as conn:
        for name, version, detected, used, current, info, *extra in rows:
            values = {"apps_id": apps_id, "as_of_date": AS_OF, "con_id": 0, "dbid": 42, "version": version,
                      "name": name, "detected_usages": detected, "total_samples": 100, "currently_used": used,
                      "first_usage_date": T(2024, 1, 1) if detected else None,
                      "last_usage_date": T(2026, 11, 1) if detected else None,
                      "last_sample_date": T(2026, 11, 29), "feature_info": info, "current_entry": current,
                      **(extra[0] if extra else {})}  # fmt: skip
            conn.execute(sa.text(f"INSERT INTO nomasx1.db_ora_features ({', '.join(values)}) "
                                 f"VALUES ({', '.join(':' + k for k in values)})"), values)  # fmt: skip


def _run(engine: sa.Engine, apps_id: int) -> StepContext:
    class Target:
        pass

    Target.engine = engine  # type: ignore[attr-defined]
    ctx = StepContext(
        dag_id="nomasx1-database-1", step="DB_ORA_LICENSES", run_id=f"manual__{apps_id}",
        params={"apps_id": apps_id, "target_connector": "nomasx1", "target_schema": "nomasx1",
                "as_of_date": AS_OF.isoformat()},
        log=LOG, hook_factory=lambda role, conn_id: Target(),
    )  # fmt: skip
    run_step(licences.db_ora_licenses, ctx, job_id="nomasx1-database-1", job_kind="snapshot")
    return ctx


def _rows(engine: sa.Engine, sql: str, **params: Any) -> list[tuple[Any, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql), params)]


def _feature_usage(engine: sa.Engine, apps_id: int) -> dict[tuple[str, str, str], str]:
    return {(r[0], r[1], r[2]): r[3] for r in _rows(
        engine, "SELECT feature_name, version, product, usage FROM nomasx1.db_ora_license_features WHERE apps_id = :a",
        a=apps_id)}  # fmt: skip


def _products(engine: sa.Engine, apps_id: int) -> dict[str, tuple[Any, ...]]:
    return {r[0]: r[1:] for r in _rows(
        engine, "SELECT product, usage, used, severity, first_usage_date, entitled FROM nomasx1.db_ora_licenses "
        "WHERE apps_id = :a", a=apps_id)}  # fmt: skip


ZEROS_121 = ("compression used: 2 times (BASIC algorithm used: 0 times, LOW algorithm used: 0 times, "
             "MEDIUM algorithm used: 0 times, HIGH algorithm used: 0 times)")  # fmt: skip


def test_the_ladder_at_the_edges_of_the_version_ranges_and_conditions(site: sa.Engine) -> None:
    _properties(site, DB_APP)
    _features(
        site, DB_APP,
        # Flashback Data Archive: counts up to 11.2.0.3, INVALID (never counts) from 11.2.0.4
        ("Flashback Data Archive", "11.2.0.3.0", 5, False, False, None),
        ("Flashback Data Archive", "11.2.0.4.0", 5, False, False, None),
        # Heat Map: a known false positive on 12.1, counted from 12.2
        ("Heat Map", "12.1.0.2.0", 7, False, False, None),
        ("Heat Map", "12.2.0.1.0", 7, False, False, None),
        # In-Memory Column Store: suppressed on 12.1.0.2 only
        ("In-Memory Column Store", "12.1.0.2.0", 3, False, False, None),
        # the current row set (19c)
        ("Heat Map", "19.0.0.0.0", 0, False, True, None),
        ("Backup HIGH Compression", "19.0.0.0.0", 3, False, True, None),  # used in the past only
        ("Oracle Utility Datapump (Export)", "19.0.0.0.0", 9, True, True,
         "compression used: 3 times, encryption used: 0 times"),  # C001 met (counter), C002 not
        ("Oracle Utility Datapump (Export)", "12.1.0.2.0", 4, False, False, ZEROS_121),  # the 12.1 bug text
        ("AWR Report", "19.0.0.0.0", 12, True, True, None),
        ("Real Application Clusters (RAC)", "19.0.0.0.0", 0, False, True, None),
        ("Oracle Multitenant", "19.0.0.0.0", 10, True, True, None, {"con_id": 1, "aux_count": 3}),  # C005: 3 free
        ("Oracle Multitenant", "12.2.0.1.0", 10, False, False, None, {"con_id": 1, "aux_count": 2}),  # C003: > 1
        ("Partitioning (user)", "19.0.0.0.0", 8, True, True, None, {"total_samples": 0}),  # never sampled
        ("Automatic SQL Tuning Advisor", "19.0.0.0.0", 99, True, True, None),  # INVALID: system use
        ("Data Guard", "beta", 1, True, True, "compression used: TRUE"),  # not a version: left out, reported
    )  # fmt: skip
    ctx = _run(site, DB_APP)
    usage = _feature_usage(site, DB_APP)
    assert usage[("Flashback Data Archive", "11.2.0.3.0", "Advanced Compression")] == "PAST_USAGE"
    assert not [k for k in usage if k[:2] == ("Flashback Data Archive", "11.2.0.4.0")]
    assert usage[("Heat Map", "12.1.0.2.0", "Advanced Compression")] == "SUPPRESSED_DUE_TO_BUG"
    assert usage[("Heat Map", "12.2.0.1.0", "Advanced Compression")] == "PAST_USAGE"
    assert usage[("Heat Map", "19.0.0.0.0", "Advanced Compression")] == "NO_CURRENT_USAGE"
    assert usage[("In-Memory Column Store", "12.1.0.2.0", "Database In-Memory")] == "SUPPRESSED_DUE_TO_BUG"
    assert usage[("Backup HIGH Compression", "19.0.0.0.0", "Advanced Compression")] == "PAST_USAGE"
    assert usage[("Oracle Utility Datapump (Export)", "19.0.0.0.0", "Advanced Compression")] == "PAST_OR_CURRENT_USAGE"
    assert usage[("Oracle Utility Datapump (Export)", "19.0.0.0.0", "Advanced Security")] == "NO_CURRENT_USAGE"
    assert usage[("Oracle Utility Datapump (Export)", "12.1.0.2.0", "Advanced Compression")] == "NO_PAST_USAGE"
    assert usage[("AWR Report", "19.0.0.0.0", "Diagnostics Pack")] == "CURRENT_USAGE"
    assert usage[("Oracle Multitenant", "19.0.0.0.0", "Multitenant")] == "NO_CURRENT_USAGE"
    assert usage[("Oracle Multitenant", "12.2.0.1.0", "Multitenant")] == "PAST_USAGE"
    assert not [k for k in usage if k[0] in ("Partitioning (user)", "Automatic SQL Tuning Advisor", "Data Guard")]
    assert "1 feature-usage row(s) with a version that is not a number (e.g. 'beta')" in (ctx.result.message or "")

    products = _products(site, DB_APP)
    assert products["Advanced Compression"][:3] == ("PAST_OR_CURRENT_USAGE", True, "risk")
    # the dates of the rows that count: 2024-01-01 for every used row here; suppressed rows pull none
    assert products["Advanced Compression"][3] == T(2024, 1, 1, tzinfo=dt.UTC)
    assert products["Database In-Memory"][:3] == ("SUPPRESSED_DUE_TO_BUG", False, None)
    assert products["Diagnostics Pack"][:3] == ("CURRENT_USAGE", True, "risk")
    assert products["Multitenant"][:3] == ("PAST_USAGE", True, "risk")
    assert products["Real Application Clusters"][:3] == ("NO_CURRENT_USAGE", False, None)
    assert products["Partitioning"][:3] == ("NO_PAST_USAGE", False, None)
    assert products["Advanced Security"][:3] == ("NO_CURRENT_USAGE", False, None)
    assert products["Enterprise Edition"][:3] == ("CURRENT_USAGE", True, "risk")


def test_entitlements_and_the_jde_angle(site: sa.Engine) -> None:
    for apps_id in (DB_APP, JDE_APP):
        _properties(site, apps_id, management_pack_access="DIAGNOSTIC+TUNING")
        _features(site, apps_id, ("AWR Report", "19.0.0.0.0", 12, True, True, None),
                  ("SQL Tuning Advisor", "19.0.0.0.0", 0, False, True, None))  # fmt: skip
        with site.begin() as conn:  # Enterprise Edition and the Diagnostics Pack are on the contract
            conn.execute(sa.text(
                "INSERT INTO nomasx1.license_entitlements (apps_id, entitlement_id, csi, component_id, metric_id, "
                "quantity, start_date) VALUES (:a, 'EE', 'CSI-9', 2003, 10, 2, '2020-01-01'), "
                "(:a, 'DIAG', 'CSI-9', 2200, 10, 2, '2020-01-01')"), {"a": apps_id})  # fmt: skip
        _run(site, apps_id)
    other, jde = _products(site, DB_APP), _products(site, JDE_APP)
    # any other database: entitled = nothing to say; the Tuning Pack allowed but not used is a warning
    assert (other["Enterprise Edition"][2], other["Diagnostics Pack"][2]) == (None, None)
    assert other["Diagnostics Pack"][4] is True
    assert other["Tuning Pack"][:3] == ("NO_CURRENT_USAGE", False, "warning")
    # a JD Edwards database: entitled lines may be Technology Foundation's restricted use
    assert (jde["Enterprise Edition"][2], jde["Diagnostics Pack"][2]) == ("warning", "warning")
    finding = _rows(site, "SELECT finding FROM nomasx1.db_ora_licenses WHERE apps_id = :a AND product = 'Tuning Pack'",
                    a=JDE_APP)[0][0]  # fmt: skip
    assert "control_management_pack_access to DIAGNOSTIC or NONE" in finding


def test_standard_edition_with_an_option_used_is_a_risk_and_a_jde_se_database_is_covered(site: sa.Engine) -> None:
    _properties(site, JDE_APP, edition="Standard Edition 2")
    _features(site, JDE_APP, ("Partitioning (user)", "19.0.0.0.0", 0, False, True, None))
    _run(site, JDE_APP)
    assert _rows(site, "SELECT count(*) FROM nomasx1.db_ora_licenses WHERE apps_id = :a AND severity IS NOT NULL",
                 a=JDE_APP) == [(0,)]  # fmt: skip
    _features(site, DB_APP, ("AWR Report", "19.0.0.0.0", 1, True, True, None))
    _properties(site, DB_APP, edition="Standard Edition 2")
    _run(site, DB_APP)
    products = _products(site, DB_APP)
    assert products["Diagnostics Pack"][:3] == ("CURRENT_USAGE", True, "risk")
    assert products["Standard Edition 2"][:3] == ("CURRENT_USAGE", True, "risk")  # no entitlement line


def test_an_empty_usage_map_fails_and_changes_nothing(site: sa.Engine) -> None:
    _properties(site, DB_APP)
    _features(site, DB_APP, ("AWR Report", "19.0.0.0.0", 1, True, True, None))
    with site.begin() as conn:
        conn.execute(sa.text("DELETE FROM nomasx1.settings_db_features"))
    with pytest.raises(ConfigurationError, match="settings_db_features is empty.*nomasx1-import-reference"):
        _run(site, DB_APP)
    assert _rows(site, "SELECT count(*) FROM nomasx1.db_ora_licenses") == [(0,)]
