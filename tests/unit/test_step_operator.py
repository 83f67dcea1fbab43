"""The step operator without a database: a missing target connection, the apps_id param, the hooks
each role builds. The audit rows and the lock on PostgreSQL are tests/integration/test_step_operator.py."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from airflow.sdk import DAG
from airflow.sdk.exceptions import AirflowFailException
from support.steps import LOG, PARAMS, record_params  # noqa: F401  (the operator resolves f"{__name__}:record_params")

from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import (
    ConfigurationError,
    MissingConnectionError,
)
from airflow_provider_nomasx1.operators.step import HookCache, Nomasx1StepOperator


def test_missing_target_connection_fails_clearly(airflow_context: Callable[[dict], dict]) -> None:
    with DAG("nomasx1-test-2", schedule=None, params=PARAMS):
        op = Nomasx1StepOperator(task_id="REC", callable_path=f"{__name__}:record_params")
    # a missing connection is permanent: the task fails at once (AirflowFailException, no retry)
    with pytest.raises(AirflowFailException, match="'nomasx1_missing'.*airflow connections add nomasx1_missing") as err:
        op.execute(airflow_context({"apps_id": 10, "target_connector": "nomasx1_missing"}))
    assert isinstance(err.value.__cause__, MissingConnectionError)


@pytest.mark.parametrize("value", ["abc", -1, 0, "1.5", True, "", 2.5])
def test_apps_id_must_be_a_whole_number_from_1(value: object, make_ctx: Callable[..., StepContext]) -> None:
    with pytest.raises(ConfigurationError, match=r"param apps_id must be a registered application id, .* got "):
        make_ctx(apps_id=value).apps_id  # noqa: B018
    assert make_ctx(apps_id="12").apps_id == 12 and make_ctx(apps_id=None).apps_id is None


def test_hooks_come_from_the_role_table(caplog: pytest.LogCaptureFixture, make_ctx: Callable[..., StepContext]) -> None:
    """Each role builds its hook class on the connection its param names, else the role's default."""
    from airflow_provider_nomasx1.hooks.airflow_api import AirflowApiHook
    from airflow_provider_nomasx1.hooks.jde import JdeHook
    from airflow_provider_nomasx1.hooks.ldap import LdapHook
    from airflow_provider_nomasx1.hooks.nomasx1 import Nomasx1Hook
    from airflow_provider_nomasx1.hooks.roles import HOOK_ROLES

    assert set(HOOK_ROLES) == {"jde", "jde_purge", "target", "admin", "api", "ldap", "oracle"}
    hooks = HookCache()
    ctx = make_ctx(source_connector="jdedwards", mirror_connector="nomajde")
    assert isinstance(ctx.source(), JdeHook) and ctx.source().jde_conn_id == "jdedwards"
    purge = hooks("jde_purge", "jde_out_admin")  # the OUT purge's JDE connection: the only writable one
    assert isinstance(purge, JdeHook) and (purge.jde_conn_id, purge.writable, ctx.source().writable) == (
        "jde_out_admin",
        True,
        False,
    )
    assert isinstance(ctx.target(), Nomasx1Hook) and ctx.target().nomasx1_conn_id == "nomasx1"
    assert ctx.hook("mirror_connector", "target").nomasx1_conn_id == "nomajde"
    admin, api = ctx.hook_for("admin"), ctx.hook_for("api")
    assert isinstance(admin, Nomasx1Hook) and (admin.nomasx1_conn_id, admin.purpose.split()[0]) == ("default", "admin")
    assert isinstance(api, AirflowApiHook) and api.api_conn_id == "airflow_api"
    assert ctx.hook_for("api") is api  # one hook per (role, connection) and step
    directory = make_ctx(source_connector="corp_ad").hook_for("ldap")  # the directory job's source
    assert isinstance(directory, LdapHook) and directory.ldap_conn_id == "corp_ad"
    named = StepContext(dag_id="d", step="s", run_id="r", log=LOG, hook_factory=hooks, params={"api_connector": "api2"})
    assert named.hook_for("api").api_conn_id == "api2"
    with pytest.raises(ConfigurationError, match="unknown hook role 'nope'"):
        ctx.hook_for("nope")
    with pytest.raises(ConfigurationError, match="unknown hook role 'nope'"):
        hooks("nope", "x")
    with pytest.raises(ConfigurationError, match="param 'target_connector' is empty"):
        named.target()
    ctx.hook_factory.close()
    hooks.close()
    assert "could not dispose" not in caplog.text


def test_a_backfill_run_of_a_snapshot_job_fails_at_once_before_any_connection(
    airflow_context: Callable[[dict], dict],
) -> None:
    """The refusal comes before the target is opened: the missing connection is never reached."""
    import datetime as dt
    from types import SimpleNamespace

    from airflow.utils.types import DagRunType

    from airflow_provider_nomasx1.errors import RunRefusedError

    with DAG("nomasx1-test-2", schedule=None, params=PARAMS):
        op = Nomasx1StepOperator(task_id="REC", callable_path=f"{__name__}:record_params", job_kind="snapshot")
    context = airflow_context({"apps_id": 10, "target_connector": "nomasx1_missing"})
    logical = dt.datetime(2026, 11, 28, 2, tzinfo=dt.UTC)
    context["dag_run"] = SimpleNamespace(
        logical_date=logical,
        data_interval_start=logical,
        data_interval_end=logical,
        run_after=logical,
        run_type=DagRunType.BACKFILL_JOB,
    )
    with pytest.raises(AirflowFailException, match=r"RunRefusedError: nomasx1-test-2 is a snapshot job") as err:
        op.execute(context)
    assert isinstance(err.value.__cause__, RunRefusedError)
    assert "as it was on 2026-11-28" in str(err.value)

    context["dag_run"].run_type = DagRunType.SCHEDULED  # the same run, scheduled: goes on to the target
    with pytest.raises(AirflowFailException, match="'nomasx1_missing'"):
        op.execute(context)
