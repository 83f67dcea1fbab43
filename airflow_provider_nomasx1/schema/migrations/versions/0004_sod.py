"""Segregation of duties: grant paths, scores and mitigations on the conflict details; exceptions,
per-run history and self-conflicting roles.

Frozen like 0001: the tables and columns are spelled out here. Written by ``nomasx1-sod-1``
(``sod_exceptions`` by the SoD exceptions CLI).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from airflow_provider_nomasx1.schema.migrations import target_schema

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_LEVELS = "('USER', 'ROLE', 'PUBLIC', 'DEFAULT')"


def _refresh_columns() -> list[sa.Column]:
    return [
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
    ]


def upgrade() -> None:
    schema = target_schema()
    apps_comment = "source application (settings_applications)"

    # sod_conflict_details: how each side is granted, the normalised score, the mitigating exception
    for column in (
        sa.Column(
            "grant1_level", sa.String(), nullable=True, comment="how object1 is granted: USER, ROLE, PUBLIC, DEFAULT"
        ),
        sa.Column("grant2_level", sa.String(), nullable=True, comment="how object2 is granted"),
        sa.Column("risk_score", sa.Integer(), nullable=True, comment="normalised level: High 100, Medium 50, Low 10"),
        sa.Column("exception_id", sa.String(), nullable=True, comment="the sod_exceptions row that mitigates it"),
    ):
        op.add_column("sod_conflict_details", column, schema=schema)
    for side in ("grant1_level", "grant2_level"):
        op.create_check_constraint(
            op.f(f"ck_sod_conflict_details_{side}"),
            "sod_conflict_details",
            f"{side} IS NULL OR {side} IN {_LEVELS}",
            schema=schema,
        )

    op.create_table(
        "sod_conflict_history",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment=apps_comment),
        sa.Column("run_id", sa.String(), nullable=False, comment="Airflow run that computed the summary"),
        sa.Column("computed_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("process_id", sa.String(), nullable=False),
        sa.Column("activity1_id", sa.String(), nullable=False),
        sa.Column("activity2_id", sa.String(), nullable=False),
        sa.Column("risk_id", sa.String(), nullable=True),
        sa.Column("risk_level", sa.String(), nullable=True),
        sa.Column("users_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("mitigated_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("privileged_users_count", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("as_of_date", sa.Date(), nullable=True, comment="date the rights and exceptions were evaluated for"),
        sa.PrimaryKeyConstraint(
            "apps_id", "run_id", "process_id", "activity1_id", "activity2_id", name=op.f("pk_sod_conflict_history")
        ),
        comment="sod_conflict_summary of every run (trend); a re-run replaces its own rows",
        schema=schema,
    )
    op.create_index(
        op.f("ix_sod_conflict_history_apps_id_computed_at"),
        "sod_conflict_history",
        ["apps_id", "computed_at"],
        unique=False,
        schema=schema,
    )

    op.create_table(
        "sod_role_conflicts",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment=apps_comment),
        sa.Column(
            "role_id", sa.String(), nullable=False, comment="role (or *PUBLIC) whose own rights reach both activities"
        ),
        sa.Column("process_id", sa.String(), nullable=False),
        sa.Column("activity1_id", sa.String(), nullable=False),
        sa.Column("activity2_id", sa.String(), nullable=False),
        sa.Column("object1", sa.String(), nullable=False, comment="object that gives activity 1"),
        sa.Column("object2", sa.String(), nullable=False, comment="object that gives activity 2"),
        sa.Column("risk_id", sa.String(), nullable=True),
        sa.Column("risk_level", sa.String(), nullable=True, comment="matrix level, else the risk's level (normalised)"),
        sa.Column("risk_score", sa.Integer(), nullable=True),
        *_refresh_columns(),
        sa.PrimaryKeyConstraint(
            "apps_id",
            "role_id",
            "process_id",
            "activity1_id",
            "activity2_id",
            "object1",
            "object2",
            name=op.f("pk_sod_role_conflicts"),
        ),
        comment="self-conflicting roles: one role grants both activities of a rule by itself",
        schema=schema,
    )

    op.create_table(
        "sod_exceptions",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment=apps_comment),
        sa.Column("exception_id", sa.String(), nullable=False, comment="mitigation id"),
        sa.Column("user_id", sa.String(), nullable=True, comment="user the exception covers (or role_id)"),
        sa.Column("role_id", sa.String(), nullable=True, comment="role the exception covers (or user_id)"),
        sa.Column("process_id", sa.String(), nullable=False),
        sa.Column("activity1_id", sa.String(), nullable=False),
        sa.Column("activity2_id", sa.String(), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False, comment="first day it mitigates"),
        sa.Column("valid_to", sa.Date(), nullable=True, comment="last day it mitigates (null = open-ended)"),
        sa.Column("control_id", sa.String(), nullable=True, comment="mitigating control"),
        sa.Column("approver", sa.String(), nullable=True),
        sa.Column("justification", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.String(), nullable=True),
        sa.CheckConstraint("(user_id IS NULL) <> (role_id IS NULL)", name=op.f("ck_sod_exceptions_one_principal")),
        sa.CheckConstraint("valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_sod_exceptions_validity")),
        sa.ForeignKeyConstraint(
            ["apps_id", "process_id", "activity1_id", "activity2_id"],
            [
                f"{schema}.sod_matrix.apps_id",
                f"{schema}.sod_matrix.process_id",
                f"{schema}.sod_matrix.activity1_id",
                f"{schema}.sod_matrix.activity2_id",
            ],
            name=op.f("fk_sod_exceptions_rule"),
        ),
        sa.PrimaryKeyConstraint("apps_id", "exception_id", name=op.f("pk_sod_exceptions")),
        comment="SoD mitigations: a user's or role's conflict on one rule accepted under a control, for a period",
        schema=schema,
    )
    op.create_index(
        op.f("ix_sod_exceptions_apps_id_process_id_activity1_id_activity2_id"),
        "sod_exceptions",
        ["apps_id", "process_id", "activity1_id", "activity2_id"],
        unique=False,
        schema=schema,
    )


def downgrade() -> None:
    schema = target_schema()
    for table in ("sod_exceptions", "sod_role_conflicts", "sod_conflict_history"):
        op.drop_table(table, schema=schema)
    for side in ("grant1_level", "grant2_level"):
        op.drop_constraint(op.f(f"ck_sod_conflict_details_{side}"), "sod_conflict_details", schema=schema)
    for column in ("exception_id", "risk_score", "grant2_level", "grant1_level"):
        op.drop_column("sod_conflict_details", column, schema=schema)
