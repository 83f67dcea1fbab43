"""Materialised views of the ``nomasx1`` schema: registry, creation and refresh.

Each view's SELECT lives in ``sql/views/<name>.sql`` and names its source tables without a schema:
the view is created with the ``search_path`` set to the target schema for that one statement, so
PostgreSQL binds it to that schema's tables (the binding is stored, later sessions do not depend on
their search_path).

- :func:`create_views` creates each registered view ``WITH NO DATA`` plus its unique index, only
  when all its source tables exist (otherwise it is skipped and reported); existing views are left
  alone (never dropped or altered).
- :func:`refresh_views` refreshes them: ``CONCURRENTLY`` when the view is already populated and has
  a unique index (readers are never blocked), plainly otherwise; it returns the row counts.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

import sqlalchemy as sa

from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.pg.identifiers import checked, qualified, quote
from airflow_provider_nomasx1.resources import read_sql

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class MaterializedView:
    """A registered materialised view."""

    name: str
    #: tables (or views) of the same schema the SELECT reads
    depends_on: tuple[str, ...]
    #: columns of the unique index (required by REFRESH ... CONCURRENTLY)
    unique_columns: tuple[str, ...]
    description: str = ""

    @property
    def sql_file(self) -> str:
        return f"{self.name}.sql"

    @property
    def index_name(self) -> str:
        return f"ux_{self.name}"

    def select_sql(self) -> str:
        """The view's SELECT, from ``sql/views/<name>.sql``, without a trailing semicolon."""
        return read_sql("views", self.sql_file).strip().rstrip(";").rstrip()


VIEWS: tuple[MaterializedView, ...] = (
    MaterializedView(
        name="security_user_overview",
        depends_on=(
            "security_users",
            "security_assignments",
            "security_rights_users",
            "sod_conflict_details",
        ),
        unique_columns=("apps_id", "user_id"),
        description="per application and user: roles, active roles, run rights, SoD conflicts",
    ),
    MaterializedView(
        name="security_role_overview",
        depends_on=(
            "security_roles",
            "security_assignments",
            "security_rights_roles",
            "security_rights_users",
        ),
        unique_columns=("apps_id", "role_id"),
        description="per application and role: users assigned, objects granted, users it decides for",
    ),
    MaterializedView(
        name="collect_last_refresh",
        depends_on=("collect_audit",),
        unique_columns=("apps_id", "table_name"),
        description="per application and table: the latest successful collection step",
    ),
    MaterializedView(
        name="license_jde_user_transactions",
        depends_on=("license_jde_users", "license_jde_tables", "security_users", "settings_jde_sy"),
        unique_columns=("apps_id", "user_id", "system_code"),
        description="per application, transacting user and system code: tables, transactions, component, "
        "whether the user is a JDE account",
    ),
)

VIEWS_BY_NAME = {v.name: v for v in VIEWS}


@dataclass
class ViewsCreation:
    """What :func:`create_views` did."""

    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    #: view name -> source tables that are missing
    skipped: dict[str, list[str]] = field(default_factory=dict)


def existing_relations(conn: sa.Connection, schema: str) -> set[str]:
    """Names of the tables, views, materialised views and foreign tables of ``schema``."""
    rows = conn.execute(
        sa.text(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = :schema AND c.relkind IN ('r', 'p', 'v', 'm', 'f')"
        ),
        {"schema": checked(schema, "schema name")},
    )
    return {r[0] for r in rows}


def materialized_views(conn: sa.Connection, schema: str) -> dict[str, bool]:
    """Materialised views of ``schema`` -> whether they are populated."""
    rows = conn.execute(
        sa.text("SELECT matviewname, ispopulated FROM pg_matviews WHERE schemaname = :schema"),
        {"schema": checked(schema, "schema name")},
    )
    return {r[0]: bool(r[1]) for r in rows}


def create_materialized_view(
    conn: sa.Connection, schema: str, name: str, select_sql: str, unique_columns: tuple[str, ...]
) -> None:
    """``CREATE MATERIALIZED VIEW schema.name AS select WITH NO DATA`` and its unique index.

    The SELECT's unqualified names resolve in ``schema``: the search_path is set for the statement
    and restored right after (both with ``set_config``, bound parameters, no identifier pasting).
    """
    target = qualified(schema, name)
    index = quote(f"ux_{name}", "index name")
    columns = ", ".join(quote(c, "column name") for c in unique_columns)
    previous = conn.execute(sa.text("SELECT current_setting('search_path')")).scalar_one()
    conn.execute(sa.text("SELECT set_config('search_path', :p, true)"), {"p": quote(schema, "schema name")})
    # on failure the transaction is aborted and rolled back, which also undoes the local setting
    conn.execute(sa.text(f"CREATE MATERIALIZED VIEW {target} AS\n{select_sql}\nWITH NO DATA"))
    conn.execute(sa.text("SELECT set_config('search_path', :p, true)"), {"p": previous})
    conn.execute(sa.text(f"CREATE UNIQUE INDEX {index} ON {target} ({columns})"))


def create_views(conn: sa.Connection, schema: str) -> ViewsCreation:
    """Create every registered view missing from ``schema`` whose source tables all exist."""
    checked(schema, "schema name")
    result = ViewsCreation()
    relations = existing_relations(conn, schema)
    for view in VIEWS:
        if view.name in relations:
            result.existing.append(view.name)
            continue
        missing = [t for t in view.depends_on if t not in relations]
        if missing:
            result.skipped[view.name] = missing
            log.warning("View %s.%s not created: missing source table(s) %s", schema, view.name, missing)
            continue
        create_materialized_view(conn, schema, view.name, view.select_sql(), view.unique_columns)
        relations.add(view.name)
        result.created.append(view.name)
    return result


def _has_unique_index(conn: sa.Connection, schema: str, name: str) -> bool:
    return bool(
        conn.execute(
            sa.text(
                "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = :schema AND c.relname = :name AND i.indisunique "
                "AND i.indpred IS NULL AND i.indexprs IS NULL)"
            ),
            {"schema": schema, "name": name},
        ).scalar_one()
    )


def refresh_views(conn: sa.Connection, schema: str, names: list[str] | None = None) -> dict[str, int]:
    """Refresh the registered views that exist in ``schema``; return view name -> row count.

    ``names`` restricts the refresh to some views (unknown names are an error). Views not created
    yet (missing source tables) are skipped and logged.
    """
    checked(schema, "schema name")
    if names is not None:
        unknown = sorted(set(names) - set(VIEWS_BY_NAME))
        if unknown:
            raise ConfigurationError(f"Unknown materialised view(s) {unknown}; known: {sorted(VIEWS_BY_NAME)}.")
    present = materialized_views(conn, schema)
    counts: dict[str, int] = {}
    for view in VIEWS:
        if names is not None and view.name not in names:
            continue
        if view.name not in present:
            log.warning("View %s.%s does not exist (yet): not refreshed", schema, view.name)
            continue
        target = qualified(schema, view.name)
        concurrently = present[view.name] and _has_unique_index(conn, schema, view.name)
        mode = "CONCURRENTLY " if concurrently else ""
        conn.execute(sa.text(f"REFRESH MATERIALIZED VIEW {mode}{target}"))
        counts[view.name] = conn.execute(sa.text(f"SELECT count(*) FROM {target}")).scalar_one()
        log.info("Refreshed %s%s: %d rows", target, " concurrently" if concurrently else "", counts[view.name])
    return counts
