"""What every security step shares: the application's settings and one target transaction.

A step (:func:`security_session`) runs in ONE transaction on the nomasx1 target: it reads the
JDE rows it needs into TEMP tables (:class:`~airflow_provider_nomasx1.collectors.extract.JdeReader`),
then runs the SQL files of ``sql/security/`` that replace the application's rows of its tables
(``DELETE ... WHERE apps_id`` + ``INSERT ... SELECT``). Readers see the previous rows until the
commit, a failure leaves them untouched, and a re-run gives the same rows (idempotent).

SQL files use ``{{token}}`` markers: ``{{schema}}`` (quoted identifier), ``{{apps_id}}``,
``{{as_of}}``, ``{{run_id}}`` and step-specific ones, all rendered as SQL literals by psycopg.
Statements are separated by a line ending in ``;`` and timed one by one in the log.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa
from psycopg import sql as pgsql

from airflow_provider_nomasx1.collectors.extract import JdeReader, SourceTable, create_session_functions
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.resources import read_sql
from airflow_provider_nomasx1.schema.nomasx1 import (
    DEFAULT_SECURITY_TYPE_CODES,
    DEFAULT_TASK_VIEWS,
    ROLE_SEQUENCE_DIRECTIONS,
)
from airflow_provider_nomasx1.sqlident import checked, quote

#: time zone of the job schedules: "today" for the as-of date when no param gives it
LOCAL_TZ = ZoneInfo("Europe/Paris")
#: sign-in modes the resolution supports (JDE-SOURCE.md section 3, rule 1)
SIGNIN_MODES = ("*ALL",)

_STATEMENT_END = re.compile(r";[ \t]*(?:--[^\n]*)?\n")


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

    def __post_init__(self) -> None:
        if self.role_sequence_direction not in ROLE_SEQUENCE_DIRECTIONS:
            raise ConfigurationError(
                f"application {self.apps_id}: role_sequence_direction {self.role_sequence_direction!r} is not one "
                f"of {list(ROLE_SEQUENCE_DIRECTIONS)}; fix it with `nomasx1 apps update {self.apps_id} "
                "--role-sequence-direction ascending|descending`."
            )
        if self.signin_mode not in SIGNIN_MODES:
            raise ConfigurationError(
                f"application {self.apps_id}: sign-in mode {self.signin_mode!r} is not supported "
                f"(supported: {list(SIGNIN_MODES)})."
            )

    def task_view_ids(self, secured_only: bool = False) -> list[str]:
        return [str(tv["task_view"]) for tv in self.task_views if not secured_only or bool(tv.get("security", True))]


def as_of_date(ctx: StepContext) -> dt.date:
    """Param ``as_of_date`` (YYYY-MM-DD) when given, else the run's logical date in Europe/Paris
    (the same for every step and retry of a run, even one that crosses midnight), else today."""
    raw = ctx.params.get("as_of_date")
    if raw in (None, ""):
        moment = ctx.logical_date or dt.datetime.now(dt.UTC)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(LOCAL_TZ).date()
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
    app = (
        conn.execute(
            sa.text(
                f"SELECT role_sequence_direction, signin_mode, security_type_codes, dormant_days "
                f"FROM {s}.settings_applications WHERE apps_id = :a"
            ),
            {"a": apps_id},
        )
        .mappings()
        .first()
    )
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
    )


@dataclass
class SecuritySession:
    """One step's target transaction, its settings, and (on demand) the JDE source."""

    ctx: StepContext
    conn: sa.Connection
    settings: SecuritySettings
    _reader: JdeReader | None = None
    _source: Any = None

    @property
    def schema(self) -> str:
        return self.ctx.schema

    @property
    def apps_id(self) -> int:
        return self.settings.apps_id

    @property
    def cursor(self) -> Any:
        """A psycopg cursor inside the step's transaction (COPY, multi-statement SQL)."""
        return self.conn.connection.driver_connection.cursor()

    @property
    def reader(self) -> JdeReader:
        if self._reader is None:
            self._reader = JdeReader(self.ctx.source(), self.ctx.log)
        return self._reader

    def extract(self, temp: str, table: SourceTable, where: str | None = None) -> int:
        """Copy a JDE table's logical columns into TEMP table ``temp`` (one source snapshot per step)."""
        with self.reader.hook.engine.connect() as inspect_conn:
            select, columns = self.reader.select_sql(inspect_conn, table, where)
        return self.extract_query(temp, select, columns)

    def extract_query(self, temp: str, select: str, columns: list[str]) -> int:
        """Run a hand-written source ``select`` (plain SQL valid on every JDE database, physical
        names from :meth:`source_table` / :meth:`source_column`) into TEMP table ``temp``, in the
        step's source snapshot."""
        if self._source is None:
            self._source = self._stack.enter_context(self.reader.snapshot())
        with self.cursor as cur:
            return self.reader.copy_to_temp(self._source, cur, temp, select, columns)

    def source_table(self, table: SourceTable) -> str:
        """Physical qualified name of a JDE table (for WHERE sub-queries on the source)."""
        return self.reader.qualified(table)

    def source_column(self, table: SourceTable, logical: str) -> str:
        return self.reader.column(table, logical)

    def literal(self, value: Any) -> str:
        return pgsql.Literal(value).as_string(self.conn.connection.driver_connection)

    def render(self, text: str, tokens: Mapping[str, Any] | None = None) -> str:
        values = {
            "schema": quote(self.schema, "schema"),
            "apps_id": self.literal(self.apps_id),
            "as_of": f"{self.literal(self.settings.as_of)}::date",
            "run_id": self.literal(self.ctx.run_id),
        }
        for name, value in (tokens or {}).items():
            values[name] = value if isinstance(value, SqlText) else self.literal(value)

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in values:
                raise ConfigurationError(f"SQL token {{{{{name}}}}} has no value")
            return str(values[name])

        return re.sub(r"\{\{(\w+)\}\}", replace, text)

    def run_sql(self, name: str, tokens: Mapping[str, Any] | None = None) -> dict[str, int]:
        """Run ``sql/security/<name>.sql`` statement by statement; returns {label: rowcount} of the
        statements that carry a ``-- count: <label>`` comment on their first line."""
        text = self.render(read_sql("security", f"{name}.sql"), tokens)
        counts: dict[str, int] = {}
        with self.cursor as cur:
            for statement in split_statements(text):
                started = time.monotonic()
                cur.execute(statement)
                label = _count_label(statement)
                if label:
                    counts[label] = counts.get(label, 0) + max(cur.rowcount, 0)
                self.ctx.log.debug(
                    "%s: %.2f s: %s", name, time.monotonic() - started, " ".join(statement.split())[:100]
                )
        return counts

    def scalar(self, query: str, tokens: Mapping[str, Any] | None = None) -> Any:
        return self.conn.exec_driver_sql(self.render(query, tokens)).scalar()

    def require_rows(self, table: str, what_to_run: str) -> None:
        """Fail, changing nothing, when ``table`` holds no row of the application: this step reads
        what an earlier step or job wrote there (``what_to_run`` says which)."""
        found = self.scalar(
            f"SELECT EXISTS (SELECT 1 FROM {{{{schema}}}}.{checked(table, 'table')} WHERE apps_id = {{{{apps_id}}}})"
        )
        if not found:
            raise ConfigurationError(
                f"{self.schema}.{table} has no rows for application {self.apps_id}: run {what_to_run} first "
                "(this step reads its results); nothing was changed."
            )

    _stack: Any = None


class SqlText(str):
    """A token value inserted verbatim (an identifier or SQL fragment built by the code)."""


def split_statements(text: str) -> list[str]:
    """Statements of a SQL file: split after a line ending in ``;`` (files avoid ``$$`` bodies)."""
    parts = _STATEMENT_END.split(text + "\n")
    return [p.strip() for p in parts if _has_code(p)]


def _has_code(part: str) -> bool:
    return any(line.strip() and not line.strip().startswith("--") for line in part.splitlines())


def _count_label(statement: str) -> str | None:
    for line in statement.splitlines():
        match = re.match(r"\s*--\s*count:\s*(\w+)", line)
        if match:
            return match.group(1)
    return None


@contextmanager
def security_session(ctx: StepContext) -> Iterator[SecuritySession]:
    """The step's session: settings loaded, pg_temp helpers created, ONE transaction committed at
    the end (rolled back on error). The source snapshot, when used, is closed with it."""
    from contextlib import ExitStack

    engine = ctx.target().engine
    as_of = as_of_date(ctx)
    with ExitStack() as stack:
        conn = stack.enter_context(engine.begin())
        conn.exec_driver_sql("SET LOCAL work_mem = '256MB'")
        settings = load_settings(conn, ctx.schema, ctx.apps_id, as_of)
        session = SecuritySession(ctx=ctx, conn=conn, settings=settings)
        session._stack = stack
        with session.cursor as cur:
            create_session_functions(cur)
        yield session


def table_literal_list(values: list[str]) -> SqlText:
    """``('a', 'b')``-style SQL list of string literals (empty list -> a list matching nothing)."""
    if not values:
        return SqlText("(NULL)")
    return SqlText("(" + ", ".join(pgsql.Literal(v).as_string(None) for v in values) + ")")
