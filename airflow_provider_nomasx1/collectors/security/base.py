"""The security steps' settings: what the rules of ``sql/security/`` depend on, per application.

Each security step runs in a :func:`security_session`: the generic step session of
:mod:`airflow_provider_nomasx1.collectors.session` (one target transaction, TEMP tables read from
JDE, the SQL files of ``sql/security/``, the never-wrong-silently guards) opened with the
:class:`SecuritySettings` of the application (role-sequence direction, sign-in mode, security-type
codes, task views, coded values, collapse guard) and the run's as-of date (:func:`as_of_date`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from airflow_provider_nomasx1.collectors.session import StepSession, step_session
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError, sqlstate
from airflow_provider_nomasx1.jde import coded_values
from airflow_provider_nomasx1.jde.coded_values import CodedValues
from airflow_provider_nomasx1.jde.security_defaults import DEFAULT_SECURITY_TYPE_CODES, DEFAULT_TASK_VIEWS
from airflow_provider_nomasx1.pg.identifiers import quote
from airflow_provider_nomasx1.run_order import run_day
from airflow_provider_nomasx1.schema.nomasx1 import ROLE_SEQUENCE_DIRECTIONS

#: sign-in modes the resolution supports (JDE-SOURCE.md section 3, rule 1)
SIGNIN_MODES = ("*ALL",)


@dataclass(frozen=True)
class SecuritySettings:
    """Per-application settings the security rules depend on (recorded with the results)."""

    apps_id: int
    as_of: dt.date
    role_sequence_direction: str = "ascending"
    signin_mode: str = "*ALL"
    security_type_codes: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_SECURITY_TYPE_CODES))
    dormant_days: int = 90
    task_views: tuple[Mapping[str, Any], ...] = tuple(DEFAULT_TASK_VIEWS)
    coded_values: CodedValues = coded_values.DEFAULTS
    #: largest share a required source or derived table may shrink by since the last run (1 = off)
    collapse_max_shrink: float = 0.5

    def __post_init__(self) -> None:
        if self.role_sequence_direction not in ROLE_SEQUENCE_DIRECTIONS:
            raise ConfigurationError(
                f"application {self.apps_id}: role_sequence_direction {self.role_sequence_direction!r} is not one "
                f"of {list(ROLE_SEQUENCE_DIRECTIONS)}; fix it with `nomasx1 apps update --apps-id {self.apps_id} "
                "--role-sequence ascending|descending --url URL`."
            )
        if self.signin_mode not in SIGNIN_MODES:
            raise ConfigurationError(
                f"application {self.apps_id}: sign-in mode {self.signin_mode!r} is not supported "
                f"(supported: {list(SIGNIN_MODES)})."
            )

    def task_view_ids(self, secured_only: bool = False) -> list[str]:
        return [str(tv["task_view"]) for tv in self.task_views if not secured_only or bool(tv.get("security", True))]


def as_of_date(ctx: StepContext, moment: dt.datetime | None = None) -> dt.date:
    """Param ``as_of_date`` (YYYY-MM-DD) when given, else the day in Europe/Paris of ``moment``
    (default: the run's logical date, or when it was due for a manual run without one: the same
    for every step and retry of a run, even one that crosses midnight), else today."""
    raw = ctx.params.get("as_of_date")
    if raw in (None, ""):
        return run_day(moment or ctx.run_moment or dt.datetime.now(dt.UTC))
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError as exc:
        raise ConfigurationError(f"param as_of_date {raw!r} is not a date: use YYYY-MM-DD or leave it empty") from exc


def load_settings(conn: sa.Connection, schema: str, apps_id: int | None, as_of: dt.date) -> SecuritySettings:
    """Settings of ``apps_id`` from settings_applications / settings_jdedwards."""
    if apps_id is None:
        raise ConfigurationError("param apps_id is required: the application whose security is collected")
    s = quote(schema, "schema")
    try:
        app = (
            conn.execute(
                sa.text(
                    f"SELECT role_sequence_direction, signin_mode, security_type_codes, dormant_days, "
                    f"coded_values, collapse_max_shrink FROM {s}.settings_applications WHERE apps_id = :a"
                ),
                {"a": apps_id},
            )
            .mappings()
            .first()
        )
    except DBAPIError as exc:
        if sqlstate(exc) != "42703":  # undefined_column: a schema older than migration 0008
            raise
        raise ConfigurationError(
            f"schema {schema} predates the coded-value settings (migration 0008): run the job "
            "nomasx1-upgrade-schema-1 first; nothing was changed."
        ) from exc
    if app is None:
        raise ConfigurationError(
            f"application {apps_id} is not registered in {schema}.settings_applications: add it first with "
            f"`nomasx1 apps add --apps-id {apps_id} --name NAME --url URL` (see docs/applications.md)."
        )
    jde = (
        conn.execute(sa.text(f"SELECT task_views FROM {s}.settings_jdedwards WHERE apps_id = :a"), {"a": apps_id})
        .mappings()
        .first()
    )
    task_views = tuple(jde["task_views"]) if jde and jde["task_views"] else tuple(DEFAULT_TASK_VIEWS)
    for tv in task_views:
        checked_view = str(tv.get("task_view", ""))
        if not checked_view.strip():
            raise ConfigurationError(
                f"application {apps_id}: settings_jdedwards.task_views has an entry without task_view"
            )
    return SecuritySettings(
        apps_id=apps_id,
        as_of=as_of,
        role_sequence_direction=app["role_sequence_direction"],
        signin_mode=app["signin_mode"],
        security_type_codes={str(k): str(v) for k, v in (app["security_type_codes"] or {}).items()},
        dormant_days=int(app["dormant_days"]),
        task_views=task_views,
        coded_values=_coded_values(apps_id, app["coded_values"]),
        collapse_max_shrink=float(app["collapse_max_shrink"]),
    )


def _coded_values(apps_id: int, overrides: Any) -> CodedValues:
    """The application's coded values; a stored override that no longer validates (edited by
    hand) names the command that fixes it."""
    try:
        return coded_values.resolve(coded_values.validate_overrides(overrides or {}))
    except ConfigurationError as exc:
        raise ConfigurationError(
            f"application {apps_id}: settings_applications.coded_values is invalid ({exc}); fix it with "
            f"`nomasx1 apps update --apps-id {apps_id} --coded-values '{{}}'` (back to the defaults) or give "
            "the codes of your site (docs/applications.md)."
        ) from exc


#: a session of the security steps: the application's security settings, the SQL of ``sql/security/``
SecuritySession = StepSession[SecuritySettings]


def settings_loader(ctx: StepContext) -> Callable[[sa.Connection], SecuritySettings]:
    """What :func:`~airflow_provider_nomasx1.collectors.session.step_session` calls to load the
    application's settings; the as-of date is checked now, before any connection is opened."""
    as_of = as_of_date(ctx)
    return lambda conn: load_settings(conn, ctx.schema, ctx.apps_id, as_of)


@contextmanager
def security_session(ctx: StepContext) -> Iterator[SecuritySession]:
    """The session of a security step (:func:`~airflow_provider_nomasx1.collectors.session.step_session`):
    ONE target transaction running the files of ``sql/security/``."""
    with step_session(ctx, "security", settings_loader(ctx)) as session:
        yield session
