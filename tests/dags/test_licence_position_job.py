"""The licence position end to end through Airflow on the demo profile: nomasx1-security-1, then
the three licence jobs (each ending with LICENSE_POSITION), against counts the test makes itself
from the tables the jobs wrote.

The hand-built cases of every rule are in tests/integration/test_licence_position.py; this test
proves the wiring (the jobs run the step, its inputs are what the collectors wrote) and that the
counts agree with a second, independent formulation of each rule on a realistic site.
"""

from __future__ import annotations

from decimal import Decimal

import sqlalchemy as sa
from support.demo_site import DEMO_AS_OF as AS_OF
from support.demo_site import DEMO_LICENCE_JOBS as LICENCE_JOBS
from support.demo_site import DemoSite

FINANCIALS, FOUNDATION, PAYROLL = 1501, 1504, 1702

#: component -> JD Edwards component objects' users who may run them, counted independently:
#: per user the set of components of the objects the user may run (no temp tables, no levels)
AUTHORISED = """
SELECT sy.component_id, count(DISTINCT r.user_id)
FROM nomasx1.security_rights_users r
JOIN nomasx1.security_users u ON u.apps_id = r.apps_id AND u.user_id = r.user_id
JOIN nomasx1.jde_objects o ON o.apps_id = r.apps_id AND o.object_name = r.object_name
JOIN nomasx1.settings_jde_sy sy ON sy.system_code = o.system_code
JOIN nomasx1.settings_lic_components c ON c.component_id = sy.component_id
WHERE r.apps_id = 10 AND r.can_run AND u.enabled AND c.price_list = 'JD Edwards'
GROUP BY 1
"""
TRANSACTING_90D = """
SELECT sy.component_id, count(DISTINCT u.user_id)
FROM nomasx1.license_jde_users u
JOIN nomasx1.license_jde_tables t USING (apps_id, schema_name, table_name)
JOIN nomasx1.settings_jde_sy sy ON sy.system_code = t.system_code
JOIN nomasx1.settings_lic_components c ON c.component_id = sy.component_id
WHERE u.apps_id = 10 AND u.transaction_date BETWEEN DATE '2026-11-28' - 90 AND DATE '2026-11-28'
  AND c.price_list = 'JD Edwards'
GROUP BY 1
"""
USING_90D = """
SELECT sy.component_id, count(DISTINCT d.user_id)
FROM nomasx1.license_jde_out_daily d
JOIN nomasx1.jde_objects o ON o.apps_id = d.apps_id AND o.object_name = d.object_name
JOIN nomasx1.settings_jde_sy sy ON sy.system_code = o.system_code
JOIN nomasx1.settings_lic_components c ON c.component_id = sy.component_id
WHERE d.apps_id = 10 AND d.usage_date BETWEEN DATE '2026-11-28' - 90 AND DATE '2026-11-28'
  AND c.price_list = 'JD Edwards'
GROUP BY 1
"""


def _rows(engine: sa.Engine, sql: str) -> list[tuple]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(sa.text(sql))]


def _column(engine: sa.Engine, column: str) -> dict[int, int]:
    """component -> ``column`` of license_position, for the components with a non-zero value."""
    return {c: v for c, v in _rows(engine, f"SELECT component_id, {column} FROM nomasx1.license_position") if v}


def test_licence_position_through_airflow_on_the_demo_profile(demo_site: DemoSite) -> None:
    """The demo site (conftest.demo_site: security, then the three licence jobs) against the counts."""
    engine = demo_site.engine
    assert _rows(
        engine,
        "SELECT dag_id, status FROM nomasx1.collect_audit WHERE step = 'LICENSE_POSITION' ORDER BY dag_id",
    ) == [(dag_id, "success") for dag_id in sorted(LICENCE_JOBS)]

    authorised = dict(_rows(engine, AUTHORISED))
    assert len(authorised) >= 5, authorised  # the demo site reaches several modules
    assert _column(engine, "authorised_users") == authorised
    assert _column(engine, "transacting_users_90d") == dict(_rows(engine, TRANSACTING_90D))
    assert _column(engine, "using_users_90d") == dict(_rows(engine, USING_90D))

    # System Foundation is every module's prerequisite: it counts every authorised user
    every_authorised = _rows(
        engine,
        "SELECT count(DISTINCT r.user_id) FROM nomasx1.security_rights_users r "
        "JOIN nomasx1.security_users u ON u.apps_id = r.apps_id AND u.user_id = r.user_id AND u.enabled "
        "JOIN nomasx1.jde_objects o ON o.apps_id = r.apps_id AND o.object_name = r.object_name "
        "JOIN nomasx1.settings_jde_sy sy ON sy.system_code = o.system_code "
        "JOIN nomasx1.settings_lic_components c ON c.component_id = sy.component_id "
        "AND c.price_list = 'JD Edwards' WHERE r.apps_id = 10 AND r.can_run",
    )[0][0]
    position = {
        row[0]: row[1:]
        for row in _rows(
            engine,
            "SELECT component_id, required_users, compared_count, entitled_quantity, exposure, status, "
            "employees FROM nomasx1.license_position",
        )
    }
    required, compared, quantity, exposure, status, employees = position[FOUNDATION]
    assert required == compared == every_authorised > 25
    assert (quantity, exposure, status) == (25, every_authorised - 25, "exposed")
    assert position[FINANCIALS][3:5] == (position[FINANCIALS][1] - 100000, "compliant")
    internal = _rows(
        engine,
        "SELECT count(*) FROM nomasx1.license_jde_employees WHERE apps_id = 10 AND extract_date = "
        "'2026-11-28' AND internal AND NOT terminated",
    )[0][0]
    assert position[PAYROLL][1:] == (
        internal,
        Decimal(3),
        internal - 3,
        "exposed" if internal > 3 else "compliant",
        internal,
    )

    # the drill-down adds up to the counts; the history has the as-of date once
    assert (
        _rows(
            engine,
            "SELECT p.component_id FROM nomasx1.license_position p "
            "LEFT JOIN (SELECT component_id, count(*) FILTER (WHERE authorised) AS a, "
            "count(*) FILTER (WHERE candidate_to_revoke) AS c FROM nomasx1.license_position_users GROUP BY 1) u "
            "USING (component_id) WHERE coalesce(u.a, 0) <> p.authorised_users OR coalesce(u.c, 0) <> "
            "p.candidates_to_revoke",
        )
        == []
    )
    assert _rows(engine, "SELECT DISTINCT as_of_date FROM nomasx1.license_position_history") == [(AS_OF,)]

    # the generator's writers unknown to JDE security are listed, none else
    unknown = {
        r[0]
        for r in _rows(engine, "SELECT subject FROM nomasx1.license_data_quality WHERE check_name = 'unknown_user'")
    }
    assert unknown, "the demo profile writes with ids unknown to F0092"
    assert unknown == {
        r[0]
        for r in _rows(
            engine,
            "SELECT DISTINCT user_id FROM nomasx1.license_position_users WHERE NOT known_user",
        )
    }
    assert not unknown & {r[0] for r in _rows(engine, "SELECT user_id FROM nomasx1.security_users")}
