"""nomasx1-ldap-1 end to end through Airflow on the demo profile: the generator's directory for the
demo site (demo/directory_generator.py) served by a real slapd over LDAPS, loaded and reconciled
with JDE application 10, every fixture user's match rule and findings asserted by value."""

from __future__ import annotations

from pathlib import Path

import sqlalchemy as sa
from support.demo_site import DEMO_AS_OF, DemoSite
from support.directory import ldap_connection_env, require_slapd

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.applications import Registry
from airflow_provider_nomasx1.demo.directory_generator import DIRECTORY_ONLY, FIXTURE_DIRECTORY, jde_directory_entries
from airflow_provider_nomasx1.demo.ldap_server import start_directory_server
from airflow_provider_nomasx1.jde.schema_map import JdeSchemaMap
from airflow_provider_nomasx1.schema.nomasx1 import LDAP_FINDING_SEVERITIES, LDAP_MATCH_RULES

BASE = "dc=nomasx1,dc=test"


def _rows(engine: sa.Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def test_directory_job_through_airflow_on_the_demo_profile(demo_site: DemoSite, tmp_path: Path) -> None:
    require_slapd()
    source = sa.create_engine(demo_site.source)
    try:
        entries = jde_directory_entries(source, JdeSchemaMap(), base_dn=BASE, as_of=DEMO_AS_OF)
        server = start_directory_server(tmp_path / "slapd", base_dn=BASE, entries=entries)
    finally:
        source.dispose()
    engine = demo_site.engine
    with server:
        Registry(engine, "nomasx1").add(50, "Corporate directory", apps_type="LDAP", reconcile_apps="10")
        env = demo_site.env | ldap_connection_env(server, excluded_ous="OU=Disabled Users", page_size=200)
        run = testing.run_bundled_dag("nomasx1-ldap-1", env=env, conf={"apps_id": 50})
    assert run.state == "success", run
    assert run.tasks == dict.fromkeys(["SECURITY_LDAP", "LDAP_RECONCILE", "REFRESH_VIEWS"], "success")

    matched = dict(_rows(engine, "SELECT user_id, min(rule) FROM nomasx1.security_ldap_matches GROUP BY 1"))
    findings: dict[str, set[str]] = {}
    for finding, user_id in _rows(engine, "SELECT finding, user_id FROM nomasx1.security_ldap_findings"):
        findings.setdefault(user_id, set()).add(finding)
    for user_id, expected in FIXTURE_DIRECTORY.items():
        if expected.ou == "Disabled Users":  # the excluded OU: that account is not loaded
            assert user_id not in matched, user_id
            continue
        assert matched.get(user_id) == expected.rule, (user_id, expected)
        got = findings.get(user_id, set()) - {"generic_without_directory"}
        assert got == set(expected.findings), (user_id, expected)
    directory_only = {r[0] for r in _rows(engine, "SELECT account FROM nomasx1.security_ldap_findings "
                                                  "WHERE finding = 'directory_only'")}  # fmt: skip
    assert set(DIRECTORY_ONLY) <= directory_only

    # the generated users reach JDE through every rule, and every kind of finding occurs
    assert {r[0] for r in _rows(engine, "SELECT DISTINCT rule FROM nomasx1.security_ldap_matches")} == set(
        LDAP_MATCH_RULES
    )
    kinds = {r[0] for r in _rows(engine, "SELECT DISTINCT finding FROM nomasx1.security_ldap_findings")}
    assert kinds >= set(LDAP_FINDING_SEVERITIES) - {"generic_without_directory"}
    audit = _rows(
        engine,
        "SELECT step, status FROM nomasx1.collect_audit WHERE dag_id = 'nomasx1-ldap-1' ORDER BY started_at",
    )
    assert audit == [("SECURITY_LDAP", "success"), ("LDAP_RECONCILE", "success"), ("REFRESH_VIEWS", "success")]
    loaded = _rows(engine, "SELECT count(*), count(*) FILTER (WHERE disabled) FROM nomasx1.security_ldap")[0]
    assert loaded[0] > 450 and loaded[1] > 0
