"""The directory steps' settings: the directory application (apps_type LDAP) and its
``settings_ldap`` row (which JDE applications it is reconciled with, the match rules in order).

A directory job names the directory application in ``apps_id``; the JDE applications it is
compared with come from the settings, so one directory can serve several JDE environments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import sqlalchemy as sa

from airflow_provider_nomasx1.applications import check_match_rules, check_reconcile_apps
from airflow_provider_nomasx1.collectors.security.base import as_of_date
from airflow_provider_nomasx1.collectors.session import StepSession, step_session
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.jde import coded_values
from airflow_provider_nomasx1.jde.coded_values import CodedValues
from airflow_provider_nomasx1.pg.identifiers import quote
from airflow_provider_nomasx1.schema.nomasx1 import LDAP_MATCH_RULES


@dataclass(frozen=True)
class DirectorySettings:
    """What the directory steps depend on, per directory application (docs/ldap.md, "Settings")."""

    apps_id: int
    as_of: dt.date
    collapse_max_shrink: float
    #: the JDE applications reconciled with the directory; None: every application of type JDE
    reconcile_apps: tuple[int, ...] | None = None
    match_rules: tuple[str, ...] = LDAP_MATCH_RULES
    coded_values: CodedValues = coded_values.DEFAULTS


def load_directory_settings(conn: sa.Connection, schema: str, apps_id: int | None, as_of: dt.date) -> DirectorySettings:
    """The directory application's settings; it must be registered with apps_type LDAP."""
    if apps_id is None:
        raise ConfigurationError("param apps_id is required: the directory application (apps_type LDAP)")
    s = quote(schema, "schema")
    app = conn.execute(
        sa.text(f"SELECT apps_type, collapse_max_shrink FROM {s}.settings_applications WHERE apps_id = :a"),
        {"a": apps_id},
    ).first()
    if app is None:
        raise ConfigurationError(
            f"application {apps_id} is not registered: add the directory with `nomasx1 apps add --apps-id {apps_id} "
            "--name NAME --type LDAP --url URL` (docs/ldap.md); nothing was changed."
        )
    if app[0] != "LDAP":
        raise ConfigurationError(
            f"application {apps_id} is of type {app[0]}, not LDAP: the directory jobs read a directory application "
            f"(param apps_id); register one with `nomasx1 apps add --apps-id 50 --name Directory --type LDAP --url URL`"
            " (docs/ldap.md); nothing was changed."
        )
    row = conn.execute(
        sa.text(f"SELECT reconcile_apps, match_rules FROM {s}.settings_ldap WHERE apps_id = :a"), {"a": apps_id}
    ).first()
    return DirectorySettings(
        apps_id=apps_id,
        as_of=as_of,
        collapse_max_shrink=float(app[1]),
        reconcile_apps=check_reconcile_apps(row[0], apps_id) if row else None,
        match_rules=check_match_rules(row[1], apps_id) if row else LDAP_MATCH_RULES,
    )


#: a session of the directory steps: the directory settings, the SQL of ``sql/ldap/``
DirectorySession = StepSession[DirectorySettings]


@contextmanager
def directory_session(ctx: StepContext) -> Iterator[DirectorySession]:
    """ONE target transaction running the files of ``sql/ldap/`` with the directory's settings;
    the as-of date (the run's Paris day) is checked before any connection is opened."""
    as_of = as_of_date(ctx)
    with step_session(ctx, "ldap", lambda conn: load_directory_settings(conn, ctx.schema, ctx.apps_id, as_of)) as s:
        yield s
