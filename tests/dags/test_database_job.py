"""nomasx1-database-1 end to end through Airflow on the three emulated Oracle dictionaries
(oracle/emulation.py): every product's verdict asserted against what the usage ladder gives by
hand for each fixture, and a missing grant that fails the run at once, naming the view and the
GRANT to ask for."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.collectors.preload import import_reference_bundle
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error
from airflow_provider_nomasx1.oracle import emulation
from airflow_provider_nomasx1.schema import bootstrap

AS_OF = "2026-11-30"
UTC = dt.UTC


@dataclass
class Site:
    engine: sa.Engine
    oracle: URL
    env: dict[str, str]

    def run(self, apps_id: int, fixture: str, conn_id: str | None = None, **extra: Any) -> testing.DagRunOutcome:
        conn_id = conn_id or f"oracle-{fixture.replace('_', '-')}"
        env = self.env | testing.connection_env(conn_id, self.oracle, emulated_dictionary=f"ora_{fixture}", **extra)
        conf = {"apps_id": apps_id, "source_connector": conn_id, "as_of_date": AS_OF}
        return testing.run_bundled_dag("nomasx1-database-1", env=env, conf=conf)

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        with self.engine.connect() as conn:
            return [tuple(r) for r in conn.execute(sa.text(sql), params)]

    def verdicts(self, apps_id: int) -> dict[str, tuple[Any, ...]]:
        """product -> (usage, used, severity) of the run's as-of date."""
        return {r[0]: r[1:] for r in self.rows(
            "SELECT product, usage, used, severity FROM nomasx1.db_ora_licenses WHERE apps_id = :a "
            "AND as_of_date = :d", a=apps_id, d=AS_OF)}  # fmt: skip


@pytest.fixture(scope="module")
def site(pg_server: URL, airflow_db: str) -> Iterator[Site]:
    target = testing.create_database(pg_server, "nomasx1_e2e_db")
    oracle = testing.create_database(pg_server, "oracle_e2e")
    engine, dictionary = sa.create_engine(target), sa.create_engine(oracle)
    try:
        bootstrap.init_schema(engine, "nomasx1")
        registry = Registry(engine, "nomasx1")
        registry.add(10, "JDE production", apps_type="JDE")
        registry.add(11, "JDE standard edition", apps_type="JDE")
        registry.add(60, "Disaster recovery standby", apps_type="DATABASE")
        import_reference_bundle(engine, "nomasx1", target_apps_ids=(10, 11))
        with engine.begin() as conn:  # the standby's contract: Enterprise Edition and Active Data Guard
            conn.execute(sa.text(
                "INSERT INTO nomasx1.license_entitlements (apps_id, entitlement_id, csi, component_id, metric_id, "
                "quantity, start_date) VALUES (60, 'EE', 'CSI-7', 2003, 10, 4, '2024-01-01'), "
                "(60, 'ADG', 'CSI-7', 2103, 10, 4, '2024-01-01')"))  # fmt: skip
        for fixture in emulation.FIXTURES:
            emulation.install_fixture(dictionary, f"ora_{fixture}", fixture)
        yield Site(engine, oracle, testing.connection_env("nomasx1", target))
    finally:
        engine.dispose()
        dictionary.dispose()
        testing.drop_database(target)
        testing.drop_database(oracle)


def _assert_verdicts(got: dict[str, tuple[Any, ...]], expected: dict[str, tuple[Any, ...]], silent: str) -> None:
    """Every product named in ``expected`` as given; every other one at ``silent``, unused, no finding."""
    for product, verdict in got.items():
        assert verdict == expected.get(product, (silent, False, None)), product
    assert set(expected) <= set(got)


def test_19c_standard_edition_2_has_nothing_to_report(site: Site) -> None:
    run = site.run(11, "19c_se2")
    assert run.state == "success", run
    assert run.tasks == dict.fromkeys(
        ["DB_ORA_PROPERTIES", "DB_ORA_OPTIONS", "DB_ORA_FEATURES", "DB_ORA_PARTITIONS", "DB_ORA_LICENSES",
         "REFRESH_VIEWS"], "success")  # fmt: skip
    no_current = ("NO_CURRENT_USAGE", False, None)
    _assert_verdicts(site.verdicts(11), {
        "Standard Edition 2": ("CURRENT_USAGE", True, None),  # Technology Foundation's own edition
        "Partitioning": no_current, "Real Application Clusters": no_current, "Diagnostics Pack": no_current,
        "Tuning Pack": no_current, "Advanced Compression": no_current, "Advanced Security": no_current,
    }, "NO_PAST_USAGE")  # fmt: skip
    assert site.rows("SELECT owner FROM nomasx1.db_ora_partitions WHERE apps_id = 11") == []  # AUDSYS left out
    props = site.rows("SELECT edition, full_version, major_version, instance_count, total_users, open_users, "
                      "data_guard, active_data_guard, user_pdbs, size_gb FROM nomasx1.db_ora_properties "
                      "WHERE apps_id = 11")  # fmt: skip
    assert props == [("Standard Edition 2", "19.21.0.0.0", 19, 1, 10, 7, False, False, None, 12)]


def test_19c_enterprise_edition_rac_on_a_jde_database(site: Site) -> None:
    run = site.run(10, "19c_ee_rac")
    assert run.state == "success", run
    risk_current = ("CURRENT_USAGE", True, "risk")
    _assert_verdicts(site.verdicts(10), {
        "Enterprise Edition": risk_current,  # a JDE database: Technology Foundation has Standard Edition only
        "Real Application Clusters": risk_current,
        "Partitioning": risk_current,
        "Diagnostics Pack": risk_current,
        "Advanced Compression": risk_current,  # HeapCompression on 19c, and two ADVANCED segments
        "Tuning Pack": ("NO_CURRENT_USAGE", False, "warning"),  # allowed by DIAGNOSTIC+TUNING, never used
        "Database In-Memory": ("SUPPRESSED_DUE_TO_BUG", False, None),  # 12.1.0.2's known false positive
        "Active Data Guard": ("NO_CURRENT_USAGE", False, None),  # the standby is mounted, not open
        "Active Data Guard or Real Application Clusters": ("NO_CURRENT_USAGE", False, None),
        "Advanced Security": ("NO_CURRENT_USAGE", False, None),  # Data Pump: "encryption used: 0 times"
    }, "NO_PAST_USAGE")  # fmt: skip
    since = dict(site.rows("SELECT product, first_usage_date FROM nomasx1.db_ora_licenses WHERE apps_id = 10 "
                           "AND used AND product_kind <> 'edition'"))  # fmt: skip
    assert since == {
        "Real Application Clusters": dt.datetime(2016, 9, 12, tzinfo=UTC),  # the 12.1 row set, before the upgrade
        "Partitioning": dt.datetime(2016, 9, 12, tzinfo=UTC),
        "Diagnostics Pack": dt.datetime(2023, 2, 10, tzinfo=UTC),
        "Advanced Compression": dt.datetime(2025, 6, 1, tzinfo=UTC),
    }
    partitions = site.rows("SELECT owner, object_type, object_name, partitions FROM nomasx1.db_ora_partitions "
                           "WHERE apps_id = 10 ORDER BY 1, 2, 3")  # fmt: skip
    assert partitions == [
        ("PRODDTA", "INDEX PARTITION", "F0911_0", 3),
        ("PRODDTA", "TABLE PARTITION", "F0911", 3),
        ("PRODDTA", "TABLE PARTITION", "F43199", 2),
        ("RPTUSER", "TABLE SUBPARTITION", "SALES_HIST", 4),
    ]
    compressed = site.rows("SELECT object_type, object_name, compress_for FROM nomasx1.db_ora_compression "
                           "WHERE apps_id = 10 ORDER BY 1")  # fmt: skip
    assert compressed == [("TABLE", "F42199", "ADVANCED"), ("TABLE PARTITION", "F43199", "ADVANCED")]
    evidence = dict(site.rows("SELECT product, evidence FROM nomasx1.db_ora_licenses WHERE apps_id = 10"))
    assert "2 instances in GV$INSTANCE" in evidence["Real Application Clusters"]
    assert "4 partitioned objects in PRODDTA, RPTUSER" in evidence["Partitioning"]
    assert "control_management_pack_access = DIAGNOSTIC+TUNING allows the pack" in evidence["Tuning Pack"]
    props = site.rows("SELECT instance_count, data_guard, active_data_guard, cpu_count, cpu_cores, cpu_sockets "
                      "FROM nomasx1.db_ora_properties WHERE apps_id = 10")  # fmt: skip
    assert props == [(2, True, False, 16, 8, 2)]
    # a re-run the same day replaces its rows: the history holds one row set per as-of date
    assert site.run(10, "19c_ee_rac").state == "success"
    assert site.rows("SELECT count(*) FROM nomasx1.db_ora_properties WHERE apps_id = 10") == [(1,)]


def test_23ai_active_data_guard_standby_with_past_usage_and_entitlements(site: Site) -> None:
    run = site.run(60, "23ai_ee_adg")
    assert run.state == "success", run
    _assert_verdicts(site.verdicts(60), {
        "Enterprise Edition": ("CURRENT_USAGE", True, None),  # entitled
        "Active Data Guard": ("CURRENT_USAGE", True, None),  # open read-only with apply, entitled
        "Advanced Compression": ("PAST_USAGE", True, "risk"),  # RMAN HIGH compression in early 2025 only
        "Advanced Security": ("PAST_OR_CURRENT_USAGE", True, "risk"),  # Data Pump: "encryption used: 2 times"
        "Multitenant": ("NO_CURRENT_USAGE", False, None),  # two user PDBs: up to three need no licence on 23ai
        "Diagnostics Pack": ("NO_CURRENT_USAGE", False, None),
        "Partitioning": ("NO_CURRENT_USAGE", False, None),
    }, "NO_PAST_USAGE")  # fmt: skip
    past = site.rows("SELECT first_usage_date, last_usage_date, entitled FROM nomasx1.db_ora_licenses "
                     "WHERE apps_id = 60 AND product = 'Advanced Compression'")  # fmt: skip
    assert past == [(dt.datetime(2025, 2, 10, tzinfo=UTC), dt.datetime(2025, 3, 2, tzinfo=UTC), False)]
    props = site.rows("SELECT cdb, user_pdbs, database_role, active_data_guard, major_version FROM "
                      "nomasx1.db_ora_properties WHERE apps_id = 60")  # fmt: skip
    assert props == [(True, 2, "PHYSICAL STANDBY", True, 23)]
    # the PDB's own Multitenant row does not count: only the root's
    containers = site.rows("SELECT DISTINCT con_id FROM nomasx1.db_ora_license_features WHERE apps_id = 60 "
                           "AND product = 'Multitenant'")  # fmt: skip
    assert containers == [(1,)]


def test_a_missing_grant_fails_at_once_naming_the_view_and_the_grant(site: Site) -> None:
    with sa.create_engine(site.oracle).begin() as conn:
        emulation.grant_reader(conn, "ora_19c_se2", "ora_reader")
        conn.exec_driver_sql('REVOKE SELECT ON ora_19c_se2."gv$option" FROM ora_reader')
    url = site.oracle.set(username="ora_reader", password=None)
    env = site.env | testing.connection_env("oracle-reader", url, emulated_dictionary="ora_19c_se2")
    conf = {"apps_id": 11, "source_connector": "oracle-reader", "as_of_date": "2026-12-01"}
    run = testing.run_bundled_dag("nomasx1-database-1", env=env, conf=conf)
    assert run.state == "failed", run
    assert run.tasks["DB_ORA_PROPERTIES"] == "success" and run.tasks["DB_ORA_OPTIONS"] == "failed", run
    assert run.tries["DB_ORA_OPTIONS"] == 1, run  # permanent: not retried
    (message,) = site.rows(
        "SELECT message FROM nomasx1.collect_audit WHERE dag_id = 'nomasx1-database-1' "
        "AND step = 'DB_ORA_OPTIONS' AND status <> 'success' ORDER BY started_at DESC LIMIT 1"
    )[0]
    assert "cannot read GV$OPTION" in message and "GRANT SELECT ON SYS.GV_$OPTION TO ORA_READER;" in message
    assert site.rows(
        "SELECT count(*) FROM nomasx1.db_ora_options WHERE apps_id = 11 AND as_of_date = '2026-12-01'"
    ) == [(0,)]


def test_the_database_report_in_each_format(site: Site, tmp_path: Path) -> None:
    """After the runs above: application 10's report (the RAC shape), findings first, each format."""
    from airflow_provider_nomasx1 import cli
    from airflow_provider_nomasx1.reports import database

    written = database.write_report(site.engine, 10, "csv", tmp_path)
    assert written.path.name == f"database-report-10-{AS_OF}.csv" and written.result == "risk: 5, warning: 1"
    text = written.path.read_text(encoding="utf-8")
    assert "# edition: Enterprise Edition" in text and "# instance_count: 2" in text
    body = list(csv.reader(line for line in text.splitlines() if not line.startswith("#")))
    assert body[0][:4] == ["product", "product_kind", "severity", "finding"]
    assert [row[2] for row in body[1:8]] == ["risk"] * 5 + ["warning", ""]
    assert body[1][:3] == ["Advanced Compression", "option", "risk"]  # options before the edition, by name

    with site.engine.begin() as conn:  # data is escaped: a finding text with markup
        conn.execute(sa.text("UPDATE nomasx1.db_ora_licenses SET finding = finding || ' <script>alert(1)</script>' "
                             "WHERE apps_id = 10 AND product = 'Tuning Pack'"))  # fmt: skip
    page = database.write_report(site.engine, 10, "html", tmp_path).path.read_text(encoding="utf-8")
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "Enterprise Edition on a JD Edwards database without an entitlement line" in page

    from openpyxl import load_workbook

    book = load_workbook(database.write_report(site.engine, 60, "xlsx", tmp_path).path, read_only=True)
    assert book.sheetnames == ["Scope", "Findings", "Products", "Features", "Segments", "Options"]
    findings = [row for row in book["Findings"].iter_rows(min_row=2, values_only=True)]
    assert [(r[0], r[2]) for r in findings] == [("Advanced Compression", "risk"), ("Advanced Security", "risk")]

    with pytest.raises(ConfigurationError, match=f"no database collection as of 2020-01-01: it has {AS_OF}"):
        database.write_report(site.engine, 60, "csv", tmp_path / "x.csv", as_of=dt.date(2020, 1, 1))
    Registry(site.engine, "nomasx1").add(12, "Not collected", apps_type="DATABASE")
    with pytest.raises(Nomasx1Error, match="no database collection for application 12: run nomasx1-database-1"):
        database.write_report(site.engine, 12, "csv", tmp_path / "y.csv")
    url = site.engine.url.render_as_string(hide_password=False)
    out = tmp_path / "cli.csv"
    assert cli.main(["report", "database", "--apps-id", "60", "--format", "csv", "--output", str(out),
                     "--url", url, "--as-of", AS_OF]) == 0  # fmt: skip
    assert "# active_data_guard: yes" in out.read_text(encoding="utf-8")
