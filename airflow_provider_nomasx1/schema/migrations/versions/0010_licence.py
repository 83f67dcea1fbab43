"""Licence usage: employees, transacting users, the scanned tables and Object Usage Tracking.

Tables of nomasx1-employees-1 (license_jde_employees), nomasx1-license-1 (license_jde_users,
license_jde_tables with the per-table watermarks) and nomasx1-out-1 (license_jde_out_daily,
license_jde_out, license_jde_out_objects, license_jde_out_users, license_jde_out_state), and the OUT
retention settings and the licence read parallelism (license_max_sessions) of settings_jdedwards
(docs/license.md), and the view license_jde_user_transactions. Frozen like 0001: the columns and
the view's SELECT are spelled out here.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 22:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from airflow_provider_nomasx1.pg.identifiers import qualified
from airflow_provider_nomasx1.schema.migrations import target_schema
from airflow_provider_nomasx1.schema.views import create_materialized_view

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_TABLES = (
    "license_jde_employees",
    "license_jde_users",
    "license_jde_tables",
    "license_jde_out_daily",
    "license_jde_out",
    "license_jde_out_objects",
    "license_jde_out_users",
    "license_jde_out_state",
)
_OLD_JDE_COMMENT = "per-application JD Edwards settings (schema overrides, menu flags, task views)"
_JDE_COMMENT = "per-application JD Edwards settings (schema overrides, menu flags, task views, OUT retention)"
_SETTINGS_COLUMNS = (
    "out_purge",
    "out_retention_days",
    "jde_out_purge",
    "jde_out_purge_connector",
    "jde_out_retention_days",
    "license_max_sessions",
)
#: check constraints of settings_jdedwards added here: name -> condition
_SETTINGS_CHECKS = {
    "out_retention_days": "out_retention_days >= 1",
    "jde_out_retention_days": "jde_out_retention_days >= 1",
    "license_max_sessions": "license_max_sessions BETWEEN 1 AND 32",
}

#: the view on the transacting users, frozen as this revision creates it
_VIEW = "license_jde_user_transactions"
_VIEW_SQL = """
-- license_jde_user_transactions: per application, transacting user and system code (the table's
-- F9860 SISY, or its reclassification) over what license_jde_users holds (the window of the last
-- nomasx1-license-1 run): the tables written, the transactions, the first and last transaction
-- date, the licence component of the system code (settings_jde_sy), and whether the user is a
-- JDE account (security_users): an unknown user (deleted account, batch or proxy id) is kept
-- and flagged, never dropped. '' = a table without system code.
SELECT u.apps_id,
       u.user_id,
       coalesce(t.system_code, '') AS system_code,
       sy.component_id,
       count(DISTINCT u.schema_name || '.' || u.table_name) AS tables,
       sum(u.transactions)::bigint AS transactions,
       min(u.transaction_date) AS first_transaction,
       max(u.transaction_date) AS last_transaction,
       EXISTS (SELECT 1 FROM security_users AS k WHERE k.apps_id = u.apps_id AND k.user_id = u.user_id) AS known_user
FROM license_jde_users AS u
JOIN license_jde_tables AS t
  ON t.apps_id = u.apps_id AND t.schema_name = u.schema_name AND t.table_name = u.table_name
LEFT JOIN settings_jde_sy AS sy ON sy.system_code = t.system_code
GROUP BY u.apps_id, u.user_id, coalesce(t.system_code, ''), sy.component_id
"""


def upgrade() -> None:
    schema = target_schema()
    _add_settings(schema)
    op.create_table(
        "license_jde_employees",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("extract_date", sa.Date(), nullable=False, comment="as-of date of the snapshot (one per run date)"),
        sa.Column("address_number", sa.BigInteger(), nullable=False, comment="F0101 ABAN8 / F060116 YAAN8"),
        sa.Column("name", sa.String(), nullable=True, comment="F0101 ABALPH"),
        sa.Column("search_type", sa.String(), nullable=True, comment="F0101 ABAT1 (E = employee)"),
        sa.Column("search_type_description", sa.String(), nullable=True, comment="UDC 01/ST"),
        sa.Column(
            "internal",
            sa.Boolean(),
            nullable=False,
            comment="search type in the application's employee search types (default E)",
        ),
        sa.Column("in_hr_master", sa.Boolean(), nullable=False, comment="has an F060116 employee master record"),
        sa.Column("pay_status", sa.String(), nullable=True, comment="F060116 YAPAST"),
        sa.Column("company", sa.String(), nullable=True, comment="F060116 YAHMCO home company"),
        sa.Column("start_date", sa.Date(), nullable=True, comment="F060116 YADST"),
        sa.Column("termination_date", sa.Date(), nullable=True, comment="F060116 YADT (termination or last worked)"),
        sa.Column("terminated", sa.Boolean(), nullable=False, comment="termination date on or before the extract date"),
        sa.Column(
            "jde_users",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="accounts of security_users linked to this address number",
        ),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "extract_date", "address_number", name=op.f("pk_license_jde_employees")),
        schema=schema,
        comment="dated snapshots of the people behind JDE: HR employees and the address book records of the accounts",
    )
    op.create_table(
        "license_jde_users",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("user_id", sa.String(), nullable=False, comment="the table's <prefix>USER audit column, trimmed"),
        sa.Column("schema_name", sa.String(), nullable=False, comment="JDE schema of the table (PRODDTA, PRODCTL ...)"),
        sa.Column("table_name", sa.String(), nullable=False, comment="JDE table (F0911 ...)"),
        sa.Column("transaction_date", sa.Date(), nullable=False, comment="the table's <prefix>UPMJ audit date"),
        sa.Column("transactions", sa.BigInteger(), nullable=False, comment="rows last written by the user that day"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint(
            "apps_id", "user_id", "schema_name", "table_name", "transaction_date", name=op.f("pk_license_jde_users")
        ),
        schema=schema,
        comment="who wrote in JDE: rows per user, table and day over the window (audit columns)",
    )
    op.create_index(
        "ix_license_jde_users_table_date",
        "license_jde_users",
        ["apps_id", "schema_name", "table_name", "transaction_date"],
        schema=schema,
    )
    op.create_table(
        "license_jde_tables",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("schema_name", sa.String(), nullable=False, comment="JDE schema of the table"),
        sa.Column("table_name", sa.String(), nullable=False, comment="JDE table (an F9860 TBLE object)"),
        sa.Column("system_code", sa.String(), nullable=True, comment="F9860 SISY after reclassification"),
        sa.Column("user_column", sa.String(), nullable=True, comment="physical audit user column read"),
        sa.Column("date_column", sa.String(), nullable=True, comment="physical audit date column read"),
        sa.Column("status", sa.String(), nullable=False, comment="scanned, skipped (reason) or failed"),
        sa.Column("reason", sa.Text(), nullable=True, comment="why the table is skipped or failed"),
        sa.Column(
            "watermark",
            sa.Date(),
            nullable=True,
            comment="last transaction date loaded (moved with the rows): the next run reads from it",
        ),
        sa.Column("window_start", sa.Date(), nullable=True, comment="first date of the window of the last scan"),
        sa.Column(
            "rows_read", sa.BigInteger(), nullable=True, comment="result rows the last scan read from the source"
        ),
        sa.Column("transactions", sa.BigInteger(), nullable=True, comment="transactions of the table in the window"),
        sa.Column("seconds", sa.Numeric(), nullable=True, comment="duration of the last scan"),
        sa.Column("full_scan", sa.Boolean(), nullable=True, comment="the last scan re-read the whole window"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.CheckConstraint(
            "status IN ('scanned', 'skipped', 'failed')",
            name=op.f("ck_license_jde_tables_status"),
        ),
        sa.PrimaryKeyConstraint("apps_id", "schema_name", "table_name", name=op.f("pk_license_jde_tables")),
        schema=schema,
        comment="the JDE tables the transaction scan covers or skips, with their watermark",
    )
    op.create_table(
        "license_jde_out_daily",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("usage_date", sa.Date(), nullable=False, comment="F98911 date"),
        sa.Column("object_name", sa.String(), nullable=False, comment="F98911 object (P0411, R09801 ...)"),
        sa.Column("form_name", sa.String(), server_default=sa.text("''"), nullable=False, comment="form ('' = none)"),
        sa.Column("version", sa.String(), server_default=sa.text("''"), nullable=False, comment="version ('' = none)"),
        sa.Column("user_id", sa.String(), nullable=False, comment="F98911 user"),
        sa.Column(
            "role", sa.String(), server_default=sa.text("''"), nullable=False, comment="sign-on role ('' = none)"
        ),
        sa.Column(
            "environment", sa.String(), server_default=sa.text("''"), nullable=False, comment="environment ('' = none)"
        ),
        sa.Column("object_type", sa.String(), nullable=True, comment="APPL, UBE ... (F98911, else F9860)"),
        sa.Column("uses", sa.BigInteger(), nullable=False, comment="F98911 rows of that day"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint(
            "apps_id",
            "usage_date",
            "object_name",
            "form_name",
            "version",
            "user_id",
            "role",
            "environment",
            name=op.f("pk_license_jde_out_daily"),
        ),
        schema=schema,
        comment="the project's raw Object Usage Tracking rows, per day (purged beyond out_retention_days)",
    )
    op.create_table(
        "license_jde_out",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("object_name", sa.String(), nullable=False, comment="F98911 object"),
        sa.Column("form_name", sa.String(), server_default=sa.text("''"), nullable=False, comment="form ('' = none)"),
        sa.Column("version", sa.String(), server_default=sa.text("''"), nullable=False, comment="version ('' = none)"),
        sa.Column("user_id", sa.String(), nullable=False, comment="F98911 user"),
        sa.Column("object_type", sa.String(), nullable=True, comment="APPL, UBE ..."),
        sa.Column("first_used", sa.Date(), nullable=False, comment="first usage loaded"),
        sa.Column("last_used", sa.Date(), nullable=False, comment="last usage (merged: the latest date is kept)"),
        sa.Column("uses", sa.BigInteger(), nullable=False, comment="F98911 rows loaded since the first usage"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint(
            "apps_id", "object_name", "form_name", "version", "user_id", name=op.f("pk_license_jde_out")
        ),
        schema=schema,
        comment="last usage per object, form, version and user (Object Usage Tracking), kept beyond any purge",
    )
    op.create_table(
        "license_jde_out_objects",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("object_name", sa.String(), nullable=False, comment="F98911 object"),
        sa.Column("object_type", sa.String(), nullable=True),
        sa.Column("system_code", sa.String(), nullable=True, comment="jde_objects system code (reclassified)"),
        sa.Column("users", sa.Integer(), nullable=False, comment="distinct users"),
        sa.Column("uses", sa.BigInteger(), nullable=False, comment="F98911 rows loaded"),
        sa.Column("first_used", sa.Date(), nullable=False),
        sa.Column("last_used", sa.Date(), nullable=False),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "object_name", name=op.f("pk_license_jde_out_objects")),
        schema=schema,
        comment="per object: users, uses and last use (from license_jde_out)",
    )
    op.create_table(
        "license_jde_out_users",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("user_id", sa.String(), nullable=False, comment="F98911 user"),
        sa.Column("usage_date", sa.Date(), nullable=False),
        sa.Column(
            "role", sa.String(), server_default=sa.text("''"), nullable=False, comment="sign-on role ('' = none)"
        ),
        sa.Column(
            "environment", sa.String(), server_default=sa.text("''"), nullable=False, comment="environment ('' = none)"
        ),
        sa.Column("objects", sa.Integer(), nullable=False, comment="distinct objects used"),
        sa.Column("uses", sa.BigInteger(), nullable=False, comment="F98911 rows"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint(
            "apps_id", "user_id", "usage_date", "role", "environment", name=op.f("pk_license_jde_out_users")
        ),
        schema=schema,
        comment="per user and day: the sign-on roles and environments used (kept beyond any purge)",
    )
    op.create_table(
        "license_jde_out_state",
        sa.Column("apps_id", sa.Integer(), nullable=False, autoincrement=False),
        sa.ForeignKeyConstraint(
            ["apps_id"],
            [f"{schema}.settings_applications.apps_id"],
            name=op.f("fk_license_jde_out_state_apps_id_settings_applications"),
            ondelete="CASCADE",
        ),
        sa.Column("watermark_date", sa.Date(), nullable=True, comment="date of the last F98911 row loaded"),
        sa.Column("watermark_time", sa.Integer(), nullable=True, comment="its time (HHMMSS as in F98911)"),
        sa.Column("users_through", sa.Date(), nullable=True, comment="last day aggregated into license_jde_out_users"),
        sa.Column("rows_read", sa.BigInteger(), nullable=True, comment="result rows the last load read"),
        sa.Column("purged_through", sa.Date(), nullable=True, comment="raw rows before this date were purged"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", name=op.f("pk_license_jde_out_state")),
        schema=schema,
        comment="Object Usage Tracking watermarks: what the next run of nomasx1-out-1 reads from",
    )
    create_materialized_view(op.get_bind(), schema, _VIEW, _VIEW_SQL, ("apps_id", "user_id", "system_code"))


def _add_settings(schema: str) -> None:
    """The OUT retention settings and license_max_sessions of settings_jdedwards (appended: the
    models list them last)."""
    for column in (
        sa.Column(
            "out_purge",
            sa.Boolean(),
            server_default=sa.text("true"),
            nullable=False,
            comment="purge the project's raw OUT rows beyond out_retention_days",
        ),
        sa.Column(
            "out_retention_days",
            sa.Integer(),
            server_default=sa.text("90"),
            nullable=False,
            comment="days of raw OUT rows (license_jde_out_daily) kept",
        ),
        sa.Column(
            "jde_out_purge",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="also delete JDE's own F98911 rows (needs a DELETE grant)",
        ),
        sa.Column(
            "jde_out_purge_connector",
            sa.String(),
            nullable=True,
            comment="connection with DELETE rights on F98911, required when jde_out_purge",
        ),
        sa.Column(
            "jde_out_retention_days",
            sa.Integer(),
            server_default=sa.text("400"),
            nullable=False,
            comment="days of F98911 rows kept in JDE when jde_out_purge (only rows already loaded go)",
        ),
        sa.Column(
            "license_max_sessions",
            sa.Integer(),
            server_default=sa.text("4"),
            nullable=False,
            comment="JDE tables nomasx1-license-1 reads at once (one source session each)",
        ),
    ):
        op.add_column("settings_jdedwards", column, schema=schema)
    for name, condition in _SETTINGS_CHECKS.items():
        op.create_check_constraint(
            op.f(f"ck_settings_jdedwards_{name}"), "settings_jdedwards", condition, schema=schema
        )
    op.create_table_comment("settings_jdedwards", _JDE_COMMENT, existing_comment=_OLD_JDE_COMMENT, schema=schema)


def downgrade() -> None:
    schema = target_schema()
    op.execute(f"DROP MATERIALIZED VIEW IF EXISTS {qualified(schema, _VIEW)}")
    for table in reversed(_TABLES):
        op.drop_table(table, schema=schema)
    for name in _SETTINGS_CHECKS:
        op.drop_constraint(op.f(f"ck_settings_jdedwards_{name}"), "settings_jdedwards", schema=schema)
    for column in _SETTINGS_COLUMNS:
        op.drop_column("settings_jdedwards", column, schema=schema)
    op.create_table_comment("settings_jdedwards", _OLD_JDE_COMMENT, existing_comment=_JDE_COMMENT, schema=schema)
