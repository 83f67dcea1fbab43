"""The licence steps' settings and session: the security settings of the application (coded values,
collapse guard) plus the OUT retention, the licence read parallelism and the generic-id patterns of
settings_jdedwards, and the as-of date of an interval job.

The licence jobs are *interval* jobs (docs/operations.md, "Backfills"): a run stands for the data
interval that just ended, so its as-of date is the Paris day of the interval's end (a backfill of
last Tuesday counts up to last Tuesday), unless the ``as_of_date`` param says otherwise.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from airflow_provider_nomasx1.collectors.security.base import as_of_date, load_settings
from airflow_provider_nomasx1.collectors.session import StepSession, step_session
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.jde.coded_values import CodedValues
from airflow_provider_nomasx1.pg.identifiers import quote
from airflow_provider_nomasx1.schema.nomasx1 import DEFAULT_GENERIC_USER_PATTERNS


@dataclass(frozen=True)
class LicenceSettings:
    """What the licence rules depend on, per application (docs/license.md, "Settings")."""

    apps_id: int
    as_of: dt.date
    coded_values: CodedValues
    collapse_max_shrink: float
    #: purge the project's raw OUT rows (license_jde_out_daily) older than out_retention_days
    out_purge: bool = True
    out_retention_days: int = 90
    #: also delete JDE's own F98911 rows, through jde_out_purge_connector (off by default)
    jde_out_purge: bool = False
    jde_out_purge_connector: str | None = None
    jde_out_retention_days: int = 400
    #: JDE tables LICENSE_JDE_USERS reads at once, one source session each (param max_sessions
    #: overrides it for one run)
    license_max_sessions: int = 4
    #: PostgreSQL regular expressions of generic, batch and service user ids, matched
    #: case-insensitively (the licence data-quality list); empty: no id is generic by its name
    generic_user_patterns: tuple[str, ...] = DEFAULT_GENERIC_USER_PATTERNS


def licence_as_of(ctx: StepContext) -> dt.date:
    """The run's as-of date: param ``as_of_date``, else the Paris day of the data interval's end
    (the run's logical date when it has no interval), else today."""
    return as_of_date(ctx, ctx.data_interval_end)


def load_licence_settings(conn: sa.Connection, schema: str, apps_id: int | None, as_of: dt.date) -> LicenceSettings:
    """The application's settings (it must be registered; its coded values must validate)."""
    base = load_settings(conn, schema, apps_id, as_of)
    row = (
        conn.execute(
            sa.text(
                "SELECT out_purge, out_retention_days, jde_out_purge, jde_out_purge_connector, "
                "jde_out_retention_days, license_max_sessions, generic_user_patterns "
                f"FROM {quote(schema, 'schema')}.settings_jdedwards WHERE apps_id = :a"
            ),
            {"a": base.apps_id},
        )
        .mappings()
        .first()
    )
    values = dict(row) if row else {}
    if "generic_user_patterns" in values:
        values["generic_user_patterns"] = tuple(values["generic_user_patterns"])
    settings = LicenceSettings(
        apps_id=base.apps_id,
        as_of=as_of,
        coded_values=base.coded_values,
        collapse_max_shrink=base.collapse_max_shrink,
        **values,
    )
    if settings.jde_out_purge and not (settings.jde_out_purge_connector or "").strip():
        raise ConfigurationError(
            f"application {base.apps_id}: settings_jdedwards.jde_out_purge is on but jde_out_purge_connector is "
            "empty: name the Airflow connection that may DELETE from F98911 (`nomasx1 apps update --apps-id "
            f"{base.apps_id} --jde-out-purge-connector CONN_ID`) or turn the JDE purge off "
            "(`--no-jde-out-purge`). Nothing was changed."
        )
    return settings


#: a session of the licence steps: the application's licence settings, the SQL of ``sql/licence/``
LicenceSession = StepSession[LicenceSettings]


@contextmanager
def licence_session(ctx: StepContext) -> Iterator[LicenceSession]:
    """ONE target transaction running the files of ``sql/licence/`` with the licence settings; the
    as-of date is checked before any connection is opened."""
    as_of = licence_as_of(ctx)
    with step_session(ctx, "licence", lambda conn: load_licence_settings(conn, ctx.schema, ctx.apps_id, as_of)) as s:
        yield s
