"""The licence position: the entitlement register, the position per component and user, its
history and the data-quality list; the metric's counting basis and the generic user-id patterns.

- ``license_entitlements``: contract lines per application (CSI, component, metric, quantity,
  start / end, support status), kept by ``nomasx1 licence entitlement``.
- ``license_position``, ``license_position_users``, ``license_position_history``,
  ``license_data_quality``: written by step LICENSE_POSITION of the licence jobs (docs/license.md).
- ``settings_lic_metrics.counted_by``: which count a metric compares with the quantity bought
  (``authorised``, ``employees``, ``not_countable``); the curated metrics Application User (10) and
  Employee (30) are set here, any other metric stays not countable until a bundle says otherwise.
- ``settings_jdedwards.generic_user_patterns``: regular expressions of generic, batch and service
  user ids (the data-quality panel).

Frozen like 0001: the columns are spelled out here.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 18:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from airflow_provider_nomasx1.pg.identifiers import qualified
from airflow_provider_nomasx1.schema.migrations import target_schema

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None

_TABLES = (
    "license_entitlements",
    "license_position",
    "license_position_users",
    "license_position_history",
    "license_data_quality",
)
#: the curated metrics whose count the position compares (the others are not countable)
_COUNTED_BY = {10: "authorised", 30: "employees"}
_GENERIC_USER_PATTERNS = '["^JDE$", "BATCH", "PROXY", "INTERFACE", "SERVICE", "^SVC", "^SCHED", "^INTEG"]'


def upgrade() -> None:
    schema = target_schema()
    _add_settings(schema)
    op.create_table(
        "license_data_quality",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column(
            "check_name",
            sa.String(),
            nullable=False,
            comment="enabled_without_role, disabled_with_roles, unknown_user, ...",
        ),
        sa.Column("subject", sa.String(), nullable=False, comment="the user id or object concerned"),
        sa.Column("component_id", sa.Integer(), nullable=True, comment="licence component concerned, if one"),
        sa.Column("detail", sa.Text(), nullable=True, comment="what was found"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.CheckConstraint(
            "check_name IN ('enabled_without_role', 'disabled_with_roles', 'unknown_user', 'duplicate_person', "
            "'generic_id', 'public_object')",
            name=op.f("ck_license_data_quality_check_name"),
        ),
        sa.PrimaryKeyConstraint("apps_id", "check_name", "subject", name=op.f("pk_license_data_quality")),
        schema=schema,
        comment="what inflates or blurs the licence counts: the clean-up list computed with the position",
    )
    op.create_table(
        "license_entitlements",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column(
            "entitlement_id", sa.String(), nullable=False, comment="contract line id (default ENT-<apps_id>-<n>)"
        ),
        sa.Column("csi", sa.String(), nullable=False, comment="Oracle Customer Support Identifier of the contract"),
        sa.Column("component_id", sa.Integer(), nullable=False, comment="licensed component (settings_lic_components)"),
        sa.Column(
            "metric_id", sa.Integer(), nullable=False, comment="licence metric of the line (settings_lic_metrics)"
        ),
        sa.Column("quantity", sa.Numeric(), nullable=False, comment="quantity bought under the metric"),
        sa.Column("start_date", sa.Date(), nullable=False, comment="first day the line covers"),
        sa.Column("end_date", sa.Date(), nullable=True, comment="last day the line covers (null = open)"),
        sa.Column("support_status", sa.String(), server_default=sa.text("'active'"), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("created_by", sa.String(), nullable=True, comment="who recorded the line"),
        sa.CheckConstraint(
            "support_status IN ('active', 'lapsed', 'terminated')", name=op.f("ck_license_entitlements_support_status")
        ),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name=op.f("ck_license_entitlements_validity")),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_license_entitlements_quantity")),
        sa.ForeignKeyConstraint(
            ["component_id"],
            [f"{schema}.settings_lic_components.component_id"],
            name=op.f("fk_license_entitlements_component_id_settings_lic_components"),
        ),
        sa.ForeignKeyConstraint(
            ["metric_id"],
            [f"{schema}.settings_lic_metrics.metric_id"],
            name=op.f("fk_license_entitlements_metric_id_settings_lic_metrics"),
        ),
        sa.PrimaryKeyConstraint("apps_id", "entitlement_id", name=op.f("pk_license_entitlements")),
        schema=schema,
        comment="the entitlement register: contract lines (CSI, component, metric, quantity, dates) per application",
    )
    op.create_index(
        op.f("ix_license_entitlements_apps_id_component_id"),
        "license_entitlements",
        ["apps_id", "component_id"],
        unique=False,
        schema=schema,
    )
    op.create_table(
        "license_position",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("as_of_date", sa.Date(), nullable=False, comment="date the position was computed for"),
        sa.Column(
            "authorised_users",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="enabled users whose effective rights run an object of the component",
        ),
        sa.Column(
            "authorised_public_only",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="of them, reaching it only through *PUBLIC grants",
        ),
        sa.Column(
            "authorised_default_only",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="of them, reaching it only through open default (no security record)",
        ),
        sa.Column(
            "required_users",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="authorised users of the component and of the components requiring it",
        ),
        sa.Column(
            "transacting_users_90d",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="users with a transaction in its tables over the last 90 days",
        ),
        sa.Column(
            "transacting_users_12m",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="the same over 12 months (from transactions_from when later)",
        ),
        sa.Column(
            "using_users_90d",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="users of its objects in Object Usage Tracking over the last 90 days",
        ),
        sa.Column(
            "using_users_12m",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="the same over 12 months (from usage_from when later)",
        ),
        sa.Column("employees", sa.Integer(), nullable=True, comment="internal, not terminated (null: no snapshot)"),
        sa.Column(
            "candidates_to_revoke",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="authorised, neither transacting nor using in 12 months",
        ),
        sa.Column("transactions_from", sa.Date(), nullable=True, comment="first day license_jde_users covers"),
        sa.Column("usage_from", sa.Date(), nullable=True, comment="first day Object Usage Tracking covers"),
        sa.Column("employees_extract_date", sa.Date(), nullable=True, comment="employees snapshot counted"),
        sa.Column("last_transaction", sa.Date(), nullable=True),
        sa.Column("last_use", sa.Date(), nullable=True),
        sa.Column("entitlement_lines", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("metric_id", sa.Integer(), nullable=True, comment="metric of the active entitlement lines"),
        sa.Column(
            "counted_by", sa.String(), nullable=True, comment="count the metric compares (authorised, employees)"
        ),
        sa.Column("entitled_quantity", sa.Numeric(), nullable=True, comment="quantity of the active lines"),
        sa.Column("compared_count", sa.Integer(), nullable=True, comment="the count compared (null: not countable)"),
        sa.Column("exposure", sa.Numeric(), nullable=True, comment="compared_count - entitled_quantity (> 0: short)"),
        sa.Column("status", sa.String(), nullable=False, comment="compliant, exposed, not_countable, not_entitled ..."),
        sa.Column("missing_prerequisites", sa.Text(), nullable=True, comment="prerequisite components not entitled"),
        sa.Column("restrictions", sa.Text(), nullable=True, comment="restricted-use clauses of the component"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.CheckConstraint(
            "status IN ('compliant', 'exposed', 'not_countable', 'not_entitled', 'conflicting_metrics')",
            name=op.f("ck_license_position_status"),
        ),
        sa.ForeignKeyConstraint(
            ["component_id"],
            [f"{schema}.settings_lic_components.component_id"],
            name=op.f("fk_license_position_component_id_settings_lic_components"),
        ),
        sa.PrimaryKeyConstraint("apps_id", "component_id", name=op.f("pk_license_position")),
        schema=schema,
        comment="licence position per component: authorised, transacting and using users against the entitlements",
    )
    op.create_table(
        "license_position_history",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("as_of_date", sa.Date(), nullable=False),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column(
            "authorised_users",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="enabled users whose effective rights run an object of the component",
        ),
        sa.Column(
            "authorised_public_only",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="of them, reaching it only through *PUBLIC grants",
        ),
        sa.Column(
            "authorised_default_only",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="of them, reaching it only through open default (no security record)",
        ),
        sa.Column(
            "required_users",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="authorised users of the component and of the components requiring it",
        ),
        sa.Column(
            "transacting_users_90d",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="users with a transaction in its tables over the last 90 days",
        ),
        sa.Column(
            "transacting_users_12m",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="the same over 12 months (from transactions_from when later)",
        ),
        sa.Column(
            "using_users_90d",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="users of its objects in Object Usage Tracking over the last 90 days",
        ),
        sa.Column(
            "using_users_12m",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="the same over 12 months (from usage_from when later)",
        ),
        sa.Column("employees", sa.Integer(), nullable=True, comment="internal, not terminated (null: no snapshot)"),
        sa.Column(
            "candidates_to_revoke",
            sa.Integer(),
            server_default=sa.text("0"),
            nullable=False,
            comment="authorised, neither transacting nor using in 12 months",
        ),
        sa.Column("metric_id", sa.Integer(), nullable=True, comment="metric of the active entitlement lines"),
        sa.Column(
            "counted_by", sa.String(), nullable=True, comment="count the metric compares (authorised, employees)"
        ),
        sa.Column("entitled_quantity", sa.Numeric(), nullable=True, comment="quantity of the active lines"),
        sa.Column("compared_count", sa.Integer(), nullable=True, comment="the count compared (null: not countable)"),
        sa.Column("exposure", sa.Numeric(), nullable=True, comment="compared_count - entitled_quantity (> 0: short)"),
        sa.Column("status", sa.String(), nullable=False, comment="compliant, exposed, not_countable, not_entitled ..."),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.CheckConstraint(
            "status IN ('compliant', 'exposed', 'not_countable', 'not_entitled', 'conflicting_metrics')",
            name=op.f("ck_license_position_history_status"),
        ),
        sa.ForeignKeyConstraint(
            ["component_id"],
            [f"{schema}.settings_lic_components.component_id"],
            name=op.f("fk_license_position_history_component_id_settings_lic_components"),
        ),
        sa.PrimaryKeyConstraint("apps_id", "as_of_date", "component_id", name=op.f("pk_license_position_history")),
        schema=schema,
        comment="the position per as-of date (a re-run on the same date replaces it): trends",
    )
    op.create_table(
        "license_position_users",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.String(), nullable=False),
        sa.Column("known_user", sa.Boolean(), nullable=False, comment="a JDE account (security_users)"),
        sa.Column("enabled", sa.Boolean(), nullable=True, comment="account enabled (null: unknown user)"),
        sa.Column(
            "generic",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="generic, batch or service id (no person, or a generic pattern)",
        ),
        sa.Column("authorised", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("authorised_level", sa.String(), nullable=True, comment="best grant: USER, ROLE, PUBLIC or DEFAULT"),
        sa.Column("via_roles", sa.Text(), nullable=True, comment="roles whose grants reach the component"),
        sa.Column("objects", sa.Integer(), server_default=sa.text("0"), nullable=False, comment="objects it may run"),
        sa.Column("transacting_90d", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("transacting_12m", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("transactions_12m", sa.BigInteger(), server_default=sa.text("0"), nullable=False),
        sa.Column("last_transaction", sa.Date(), nullable=True),
        sa.Column("using_90d", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("using_12m", sa.Boolean(), server_default=sa.text("false"), nullable=False),
        sa.Column("last_use", sa.Date(), nullable=True),
        sa.Column("last_login_date", sa.Date(), nullable=True),
        sa.Column(
            "candidate_to_revoke",
            sa.Boolean(),
            server_default=sa.text("false"),
            nullable=False,
            comment="authorised, neither transacting nor using in 12 months",
        ),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.ForeignKeyConstraint(
            ["component_id"],
            [f"{schema}.settings_lic_components.component_id"],
            name=op.f("fk_license_position_users_component_id_settings_lic_components"),
        ),
        sa.PrimaryKeyConstraint("apps_id", "component_id", "user_id", name=op.f("pk_license_position_users")),
        schema=schema,
        comment="per component and user: authorised (how), transacting, using, last dates, candidate to revoke",
    )
    op.create_index(
        op.f("ix_license_position_users_apps_id_user_id"),
        "license_position_users",
        ["apps_id", "user_id"],
        unique=False,
        schema=schema,
    )


def _add_settings(schema: str) -> None:
    """settings_lic_metrics.counted_by (set for the curated metrics) and
    settings_jdedwards.generic_user_patterns (appended: the models list them last)."""
    op.add_column(
        "settings_lic_metrics",
        sa.Column(
            "counted_by",
            sa.String(),
            server_default=sa.text("'not_countable'"),
            nullable=False,
            comment="count the licence position compares: authorised, employees or not_countable",
        ),
        schema=schema,
    )
    op.create_check_constraint(
        op.f("ck_settings_lic_metrics_counted_by"),
        "settings_lic_metrics",
        "counted_by IN ('authorised', 'employees', 'not_countable')",
        schema=schema,
    )
    for metric_id, basis in _COUNTED_BY.items():
        op.execute(
            sa.text(
                f"UPDATE {qualified(schema, 'settings_lic_metrics')} SET counted_by = :b WHERE metric_id = :m"
            ).bindparams(b=basis, m=metric_id)
        )
    op.add_column(
        "settings_jdedwards",
        sa.Column(
            "generic_user_patterns",
            postgresql.JSONB(astext_type=sa.Text()),
            server_default=sa.text(f"'{_GENERIC_USER_PATTERNS}'::jsonb"),
            nullable=False,
            comment="regular expressions of generic, batch and service user ids (licence data quality)",
        ),
        schema=schema,
    )


def downgrade() -> None:
    schema = target_schema()
    for table in reversed(_TABLES):
        op.drop_table(table, schema=schema)
    op.drop_column("settings_jdedwards", "generic_user_patterns", schema=schema)
    op.drop_constraint(op.f("ck_settings_lic_metrics_counted_by"), "settings_lic_metrics", schema=schema)
    op.drop_column("settings_lic_metrics", "counted_by", schema=schema)
