"""Reference data: licence catalogue, JDE system codes, Oracle options mapping, SoD matrix.

Frozen like 0001: the tables are spelled out here. Filled by ``nomasx1-import-reference``.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-28 15:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from airflow_provider_nomasx1.schema.migrations import target_schema

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    schema = target_schema()
    op.create_table(
        "settings_lic_components",
        sa.Column("component_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("price_list", sa.String(), nullable=False, comment="JD Edwards or Technology"),
        sa.Column("family", sa.String(), nullable=False, comment="product family (Financial Management, ...)"),
        sa.Column("name", sa.String(), nullable=False, comment="licensable component"),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "price_list IN ('JD Edwards', 'Technology')", name=op.f("ck_settings_lic_components_price_list")
        ),
        sa.PrimaryKeyConstraint("component_id", name=op.f("pk_settings_lic_components")),
        comment="licensable components of Oracle's price lists (JD Edwards and Technology)",
        schema=schema,
    )
    op.create_table(
        "settings_lic_metrics",
        sa.Column("metric_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("name", sa.String(), nullable=False, comment="e.g. Application User, Processor, Employee"),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("metric_id", name=op.f("pk_settings_lic_metrics")),
        comment="licence metrics (how a component is counted)",
        schema=schema,
    )
    op.create_table(
        "sod_process",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("process_id", sa.String(), nullable=False, comment="P2P, O2C, R2R, INV, HR, FA, IT"),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("apps_id", "process_id", name=op.f("pk_sod_process")),
        comment="SoD business processes",
        schema=schema,
    )
    op.create_table(
        "sod_risks",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("risk_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True, comment="what could go wrong"),
        sa.Column("default_level", sa.String(), nullable=True, comment="High, Medium, Low (or a number)"),
        sa.PrimaryKeyConstraint("apps_id", "risk_id", name=op.f("pk_sod_risks")),
        comment="SoD risks",
        schema=schema,
    )
    op.create_table(
        "settings_db_options",
        sa.Column("option_name", sa.String(), nullable=False, comment="option or pack name"),
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column(
            "requires_edition", sa.String(), nullable=True, comment="edition the option needs (Enterprise Edition)"
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["component_id"],
            [f"{schema}.settings_lic_components.component_id"],
            name=op.f("fk_settings_db_options_component_id_settings_lic_components"),
        ),
        sa.PrimaryKeyConstraint("option_name", name=op.f("pk_settings_db_options")),
        comment="Oracle Database options and management packs -> licence component",
        schema=schema,
    )
    op.create_table(
        "settings_db_versions",
        sa.Column("edition", sa.String(), nullable=False, comment="V$VERSION edition (Enterprise Edition, ...)"),
        sa.Column("component_id", sa.Integer(), nullable=False, comment="database edition component"),
        sa.ForeignKeyConstraint(
            ["component_id"],
            [f"{schema}.settings_lic_components.component_id"],
            name=op.f("fk_settings_db_versions_component_id_settings_lic_components"),
        ),
        sa.PrimaryKeyConstraint("edition", name=op.f("pk_settings_db_versions")),
        comment="Oracle Database edition -> licence component",
        schema=schema,
    )
    op.create_table(
        "settings_jde_prereq",
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("prerequisite_id", sa.Integer(), nullable=False, comment="component required by component_id"),
        sa.CheckConstraint("component_id <> prerequisite_id", name=op.f("ck_settings_jde_prereq_not_self")),
        sa.ForeignKeyConstraint(
            ["component_id"],
            [f"{schema}.settings_lic_components.component_id"],
            name=op.f("fk_settings_jde_prereq_component_id_settings_lic_components"),
        ),
        sa.ForeignKeyConstraint(
            ["prerequisite_id"],
            [f"{schema}.settings_lic_components.component_id"],
            name=op.f("fk_settings_jde_prereq_prerequisite_id_settings_lic_components"),
        ),
        sa.PrimaryKeyConstraint("component_id", "prerequisite_id", name=op.f("pk_settings_jde_prereq")),
        comment="component prerequisites: using component_id requires a licence for prerequisite_id",
        schema=schema,
    )
    op.create_table(
        "settings_jde_restrictions",
        sa.Column("component_id", sa.Integer(), nullable=False),
        sa.Column("restriction_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("restriction", sa.Text(), nullable=False, comment="restricted-use clause"),
        sa.ForeignKeyConstraint(
            ["component_id"],
            [f"{schema}.settings_lic_components.component_id"],
            name=op.f("fk_settings_jde_restrictions_component_id_settings_lic_components"),
        ),
        sa.PrimaryKeyConstraint("component_id", "restriction_id", name=op.f("pk_settings_jde_restrictions")),
        comment="restricted-use clauses attached to a component",
        schema=schema,
    )
    op.create_table(
        "settings_jde_sy",
        sa.Column("system_code", sa.String(), nullable=False, comment="JDE product code (F9860.SISY), e.g. 03B"),
        sa.Column("description", sa.String(), nullable=False),
        sa.Column("module", sa.String(), nullable=True, comment="functional module"),
        sa.Column("e1_component", sa.String(), nullable=True, comment="Oracle's E1 component label"),
        sa.Column("component_id", sa.Integer(), nullable=True, comment="licence component the system code belongs to"),
        sa.ForeignKeyConstraint(
            ["component_id"],
            [f"{schema}.settings_lic_components.component_id"],
            name=op.f("fk_settings_jde_sy_component_id_settings_lic_components"),
        ),
        sa.PrimaryKeyConstraint("system_code", name=op.f("pk_settings_jde_sy")),
        comment="JDE system code -> module -> licence component",
        schema=schema,
    )
    op.create_table(
        "sod_activities",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("activity_id", sa.String(), nullable=False, comment="e.g. P2P01"),
        sa.Column("process_id", sa.String(), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column(
            "action",
            sa.String(),
            server_default=sa.text("'run'"),
            nullable=False,
            comment="right needed on the objects: run, or add/change/delete (action security)",
        ),
        sa.CheckConstraint("action IN ('run', 'add', 'change', 'delete')", name=op.f("ck_sod_activities_action")),
        sa.ForeignKeyConstraint(
            ["apps_id", "process_id"],
            [f"{schema}.sod_process.apps_id", f"{schema}.sod_process.process_id"],
            name=op.f("fk_sod_activities_apps_id_process_id_sod_process"),
        ),
        sa.PrimaryKeyConstraint("apps_id", "activity_id", name=op.f("pk_sod_activities")),
        comment="SoD activities (duties), each bound to JDE objects in sod_objects",
        schema=schema,
    )
    op.create_table(
        "settings_db_features",
        sa.Column("feature_name", sa.String(), nullable=False, comment="DBA_FEATURE_USAGE_STATISTICS.NAME"),
        sa.Column("option_name", sa.String(), nullable=False),
        sa.Column("condition", sa.Text(), nullable=True, comment="extra condition for the usage to count"),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["option_name"],
            [f"{schema}.settings_db_options.option_name"],
            name=op.f("fk_settings_db_features_option_name_settings_db_options"),
        ),
        sa.PrimaryKeyConstraint("feature_name", name=op.f("pk_settings_db_features")),
        comment="feature-usage name -> option/pack it bills (Oracle's options-and-packs mapping)",
        schema=schema,
    )
    op.create_table(
        "settings_jde_rclst",
        sa.Column("object_name", sa.String(), nullable=False, comment="JDE object (P03013, F4117, ...)"),
        sa.Column("system_code", sa.String(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["system_code"],
            [f"{schema}.settings_jde_sy.system_code"],
            name=op.f("fk_settings_jde_rclst_system_code_settings_jde_sy"),
        ),
        sa.PrimaryKeyConstraint("object_name", name=op.f("pk_settings_jde_rclst")),
        comment="object reclassification: the system code that counts for licensing, overriding F9860.SISY",
        schema=schema,
    )
    op.create_table(
        "sod_matrix",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("process_id", sa.String(), nullable=False),
        sa.Column("activity1_id", sa.String(), nullable=False),
        sa.Column("activity2_id", sa.String(), nullable=False),
        sa.Column("risk_id", sa.String(), nullable=True),
        sa.Column("risk_level", sa.String(), nullable=False, comment="High, Medium, Low (or a number: 100, 50)"),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint("activity1_id < activity2_id", name=op.f("ck_sod_matrix_ordered_pair")),
        sa.ForeignKeyConstraint(
            ["apps_id", "activity1_id"],
            [f"{schema}.sod_activities.apps_id", f"{schema}.sod_activities.activity_id"],
            name=op.f("fk_sod_matrix_apps_id_activity1_id_sod_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["apps_id", "activity2_id"],
            [f"{schema}.sod_activities.apps_id", f"{schema}.sod_activities.activity_id"],
            name=op.f("fk_sod_matrix_apps_id_activity2_id_sod_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["apps_id", "process_id"],
            [f"{schema}.sod_process.apps_id", f"{schema}.sod_process.process_id"],
            name=op.f("fk_sod_matrix_apps_id_process_id_sod_process"),
        ),
        sa.ForeignKeyConstraint(
            ["apps_id", "risk_id"],
            [f"{schema}.sod_risks.apps_id", f"{schema}.sod_risks.risk_id"],
            name=op.f("fk_sod_matrix_apps_id_risk_id_sod_risks"),
        ),
        sa.PrimaryKeyConstraint("apps_id", "process_id", "activity1_id", "activity2_id", name=op.f("pk_sod_matrix")),
        comment="SoD rules: two activities one person must not both perform",
        schema=schema,
    )
    op.create_table(
        "sod_objects",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column("activity_id", sa.String(), nullable=False),
        sa.Column("object_name", sa.String(), nullable=False, comment="JDE application or batch (P0411, R04570)"),
        sa.Column(
            "form_name",
            sa.String(),
            server_default=sa.text("''"),
            nullable=False,
            comment="form ('' = any form of the object)",
        ),
        sa.Column(
            "version", sa.String(), server_default=sa.text("''"), nullable=False, comment="version ('' = any version)"
        ),
        sa.Column("description", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["apps_id", "activity_id"],
            [f"{schema}.sod_activities.apps_id", f"{schema}.sod_activities.activity_id"],
            name=op.f("fk_sod_objects_apps_id_activity_id_sod_activities"),
        ),
        sa.PrimaryKeyConstraint(
            "apps_id", "activity_id", "object_name", "form_name", "version", name=op.f("pk_sod_objects")
        ),
        comment="JDE objects that perform an SoD activity",
        schema=schema,
    )
    op.create_index(
        op.f("ix_sod_objects_apps_id_object_name"),
        "sod_objects",
        ["apps_id", "object_name"],
        unique=False,
        schema=schema,
    )


def downgrade() -> None:
    schema = target_schema()
    for table in (
        "sod_objects",
        "sod_matrix",
        "settings_jde_rclst",
        "settings_db_features",
        "sod_activities",
        "settings_jde_sy",
        "settings_jde_restrictions",
        "settings_jde_prereq",
        "settings_db_versions",
        "settings_db_options",
        "sod_risks",
        "sod_process",
        "settings_lic_metrics",
        "settings_lic_components",
    ):
        op.drop_table(table, schema=schema)
