"""Coded JDE values per application, the collapse guard and the source row counts it compares.

- ``settings_applications.coded_values``: the application's overrides of the coded values the
  collectors interpret (``airflow_provider_nomasx1/jde/coded_values.py``); ``{}`` = the defaults.
- ``settings_applications.collapse_max_shrink``: the largest share (0..1) a required JDE source
  table or a derived table may shrink by since the last run before the step refuses it (1 = off).
- ``collect_source_counts``: rows of each required JDE table at the last collection, written in
  the same transaction as the step's rows.
- ``security_users.dormant`` becomes nullable: unknown when the sign-on history (F9312) is missing.

Frozen like 0001: the columns are spelled out here.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

from airflow_provider_nomasx1.schema.migrations import target_schema
from airflow_provider_nomasx1.pg.identifiers import quote

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema = target_schema()
    op.add_column(
        "settings_applications",
        sa.Column(
            "coded_values",
            JSONB(),
            server_default=sa.text("'{}'::jsonb"),
            nullable=False,
            comment="overrides of the coded JDE values (jde/coded_values.py); {} = the defaults",
        ),
        schema=schema,
    )
    op.add_column(
        "settings_applications",
        sa.Column(
            "collapse_max_shrink",
            sa.Numeric(4, 3),
            server_default=sa.text("0.5"),
            nullable=False,
            comment="largest share a required source or derived table may shrink by between runs (1 = guard off)",
        ),
        schema=schema,
    )
    op.create_check_constraint(
        op.f("ck_settings_applications_collapse_max_shrink"),
        "settings_applications",
        "collapse_max_shrink BETWEEN 0 AND 1",
        schema=schema,
    )
    op.alter_column(
        "security_users",
        "dormant",
        existing_type=sa.Boolean(),
        nullable=True,
        comment="enabled and no sign-on within dormant_days (null: no sign-on history, F9312 missing)",
        existing_comment="enabled and no sign-on within dormant_days",
        schema=schema,
    )
    op.create_table(
        "collect_source_counts",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column(
            "table_name", sa.String(), nullable=False, comment="JDE table (F95921, ...), as the collectors name it"
        ),
        sa.Column("row_count", sa.BigInteger(), nullable=False, comment="rows read by the last successful step"),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run that read them"),
        sa.Column("counted_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("apps_id", "table_name", name=op.f("pk_collect_source_counts")),
        comment="rows of each required JDE source table at the last collection (the collapse guard compares with it)",
        schema=schema,
    )


def downgrade() -> None:
    schema = target_schema()
    op.drop_table("collect_source_counts", schema=schema)
    op.execute(f"UPDATE {quote(schema, 'schema')}.security_users SET dormant = false WHERE dormant IS NULL")
    op.alter_column(
        "security_users",
        "dormant",
        existing_type=sa.Boolean(),
        nullable=False,
        comment="enabled and no sign-on within dormant_days",
        existing_comment="enabled and no sign-on within dormant_days (null: no sign-on history, F9312 missing)",
        schema=schema,
    )
    op.drop_constraint(
        op.f("ck_settings_applications_collapse_max_shrink"), "settings_applications", type_="check", schema=schema
    )
    op.drop_column("settings_applications", "collapse_max_shrink", schema=schema)
    op.drop_column("settings_applications", "coded_values", schema=schema)
