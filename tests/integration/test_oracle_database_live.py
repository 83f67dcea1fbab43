"""Live Oracle check of the database job's dictionary reads, run only when NOMASX1_TEST_ORACLE_DSN
names a database (user/password@host:port/service_name). Read-only: every query of
oracle/dictionary.py runs through OracleTargetHook as the job sends it; nothing is written there.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator

import pytest

from airflow_provider_nomasx1.collectors.database.properties import read_properties
from airflow_provider_nomasx1.hooks.oracle_target import OracleTargetHook
from airflow_provider_nomasx1.oracle import dictionary as q
from airflow_provider_nomasx1.oracle.properties import EDITIONS, UNKNOWN_EDITION

DSN = os.environ.get("NOMASX1_TEST_ORACLE_DSN")
pytestmark = [pytest.mark.oracle, pytest.mark.skipif(not DSN, reason="NOMASX1_TEST_ORACLE_DSN is not set")]


@pytest.fixture
def hook(monkeypatch: pytest.MonkeyPatch) -> Iterator[OracleTargetHook]:
    match = re.fullmatch(r"(?P<user>[^/]+)/(?P<password>.*)@(?P<host>[^:/]+)(:(?P<port>\d+))?/(?P<service>.+)", DSN)
    assert match, "NOMASX1_TEST_ORACLE_DSN must look like user/password@host:port/service_name"
    monkeypatch.setenv("AIRFLOW_CONN_ORACLE-TARGET", json.dumps({
        "conn_type": "oracle", "host": match["host"], "port": int(match["port"] or 1521), "login": match["user"],
        "password": match["password"], "extra": json.dumps({"service_name": match["service"]}),
    }))  # fmt: skip
    target = OracleTargetHook()
    yield target
    target.dispose()


def test_every_dictionary_query_runs_or_names_its_grant(hook: OracleTargetHook) -> None:
    """Each query returns rows, or (an account without that grant) the message naming the view."""
    for query in q.QUERIES:
        if query is q.PDBS or query is q.CDB_FEATURES:
            continue  # CDB views: read only in a container database, below
        try:
            rows = hook.dictionary.rows(query)
        except q.MissingPrivilegeError as exc:
            assert query.view in str(exc) and q.grant_object(query.view) in str(exc)
            continue
        assert isinstance(rows, list), query.view
        if query in (q.DATABASE, q.VERSION, q.INSTANCE, q.INSTANCES, q.USERS, q.FEATURES):
            assert rows, f"{query.view} returned no row"


def test_the_properties_row_reads_as_the_job_stores_it(hook: OracleTargetHook) -> None:
    try:
        properties = read_properties(hook.dictionary)
    except q.MissingPrivilegeError as exc:
        pytest.skip(f"the test account lacks a grant: {exc}")
    assert properties["edition"] in (*[e.replace("Personal Oracle", "Personal Edition") for e in EDITIONS],
                                     UNKNOWN_EDITION)  # fmt: skip
    assert properties["major_version"] >= 11 and properties["instance_count"] >= 1
    assert properties["total_users"] >= properties["open_users"] >= 1
    if properties["cdb"]:
        assert hook.dictionary.rows(q.CDB_FEATURES), "a CDB has CDB_FEATURE_USAGE_STATISTICS rows"
