"""Oracle database properties (nomasx1-database-1) and the usage map with version ranges.

- ``db_ora_properties``, ``db_ora_options``, ``db_ora_features``, ``db_ora_partitions``,
  ``db_ora_compression``: what the dictionary steps read, one row set per application and as-of
  date (a re-run on the same date replaces it, earlier dates stay: the history).
- ``db_ora_licenses``, ``db_ora_license_features``: step DB_ORA_LICENSES, the verdict per
  product and the ladder per feature row behind it.
- ``settings_db_features`` is rebuilt with a version range and a coded condition per rule (one
  feature may bill several products, or one product differently per version): its rows come
  back with the next reference import (``nomasx1-import-reference``).
- ``settings_db_options``: ``product_kind`` (option, pack, other) and a component that may be
  null (products without a price-list line of their own).

Frozen like 0001: the columns are spelled out here.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-05 01:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from airflow_provider_nomasx1.schema.migrations import target_schema

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

_USAGE_LEVELS = (
    "usage IN ('NO_PAST_USAGE', 'NO_CURRENT_USAGE', 'SUPPRESSED_DUE_TO_BUG', 'PAST_USAGE', "
    "'PAST_OR_CURRENT_USAGE', 'CURRENT_USAGE')"
)

_TABLES = (
    "db_ora_properties",
    "db_ora_options",
    "db_ora_features",
    "db_ora_partitions",
    "db_ora_compression",
    "db_ora_licenses",
    "db_ora_license_features",
)


def upgrade() -> None:
    schema = target_schema()
    op.drop_table("settings_db_features", schema=schema)
    op.alter_column(
        "settings_db_options",
        "option_name",
        comment="product of the usage map (option, pack, ...)",
        existing_comment="option or pack name",
        existing_nullable=False,
        schema=schema,
    )
    op.alter_column(
        "settings_db_options",
        "component_id",
        nullable=True,
        comment="licence component (null: no price-list line of its own)",
        existing_nullable=False,
        schema=schema,
    )
    op.add_column(
        "settings_db_options",
        sa.Column(
            "product_kind",
            sa.String(),
            server_default=sa.text("'option'"),
            nullable=False,
            comment="option, pack or other (hardware, storage, separate products: informational)",
        ),
        schema=schema,
    )
    op.add_column(
        "settings_db_options",
        sa.Column(
            "object_check", sa.String(), nullable=True, comment="dictionary evidence of use besides feature usage"
        ),
        schema=schema,
    )
    op.create_check_constraint(
        op.f("ck_settings_db_options_object_check"),
        "settings_db_options",
        "object_check IN ('instances', 'partitions', 'compression', 'active_data_guard', 'pdbs', "
        "'diagnostics_access', 'tuning_access')",
        schema=schema,
    )
    op.create_check_constraint(
        op.f("ck_settings_db_options_product_kind"),
        "settings_db_options",
        "product_kind IN ('option', 'pack', 'other')",
        schema=schema,
    )
    op.create_table(
        "db_ora_properties",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column(
            "as_of_date",
            sa.Date(),
            nullable=False,
            comment="as-of date of the run (a re-run on the same date replaces its rows)",
        ),
        sa.Column("dbid", sa.BigInteger(), nullable=False, comment="V$DATABASE.DBID"),
        sa.Column("db_name", sa.String(), nullable=False, comment="V$DATABASE.NAME"),
        sa.Column("db_unique_name", sa.String(), nullable=True),
        sa.Column("database_role", sa.String(), nullable=True, comment="PRIMARY, PHYSICAL STANDBY, ..."),
        sa.Column("open_mode", sa.String(), nullable=True, comment="READ WRITE, READ ONLY WITH APPLY, ..."),
        sa.Column("log_mode", sa.String(), nullable=True, comment="ARCHIVELOG or NOARCHIVELOG"),
        sa.Column("cdb", sa.Boolean(), nullable=False, comment="a container database (V$DATABASE.CDB)"),
        sa.Column("product", sa.Text(), nullable=False, comment="V$VERSION banner of the database"),
        sa.Column("edition", sa.String(), nullable=False, comment="Enterprise Edition, Standard Edition 2, ..."),
        sa.Column("full_version", sa.String(), nullable=False, comment="V$INSTANCE.VERSION_FULL (else VERSION)"),
        sa.Column("major_version", sa.Integer(), nullable=False, comment="11, 12, 18, 19, 21, 23"),
        sa.Column("host_name", sa.String(), nullable=True, comment="V$INSTANCE.HOST_NAME of the instance read"),
        sa.Column("instance_count", sa.Integer(), nullable=False, comment="GV$INSTANCE rows (more than one: RAC)"),
        sa.Column("cpu_count", sa.Integer(), nullable=True, comment="parameter cpu_count"),
        sa.Column("cpu_cores", sa.Integer(), nullable=True, comment="V$OSSTAT NUM_CPU_CORES"),
        sa.Column("cpu_sockets", sa.Integer(), nullable=True, comment="V$OSSTAT NUM_CPU_SOCKETS"),
        sa.Column("total_users", sa.Integer(), nullable=False, comment="DBA_USERS rows"),
        sa.Column("open_users", sa.Integer(), nullable=False, comment="DBA_USERS with ACCOUNT_STATUS OPEN"),
        sa.Column("oracle_maintained_users", sa.Integer(), nullable=False, comment="of them, Oracle-maintained"),
        sa.Column("data_guard", sa.Boolean(), nullable=False, comment="a standby role or a standby destination"),
        sa.Column(
            "active_data_guard",
            sa.Boolean(),
            nullable=False,
            comment="a physical standby open read-only with redo apply (here or at a destination)",
        ),
        sa.Column(
            "user_pdbs", sa.Integer(), nullable=True, comment="pluggable databases besides the seed (null: no CDB)"
        ),
        sa.Column("management_pack_access", sa.String(), nullable=True, comment="control_management_pack_access"),
        sa.Column("cloud_package", sa.Boolean(), nullable=False, comment="an Oracle Cloud package banner (%Perf%)"),
        sa.Column("size_gb", sa.Numeric(), nullable=True, comment="allocated segment size (DBA_SEGMENTS), GB"),
        sa.Column("last_sample_date", sa.DateTime(timezone=True), nullable=True, comment="latest feature-usage sample"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "as_of_date", name=op.f("pk_db_ora_properties")),
        schema=schema,
        comment="the Oracle database of an application: identity, edition, version, size, cluster and standby",
    )
    op.create_table(
        "db_ora_options",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column(
            "as_of_date",
            sa.Date(),
            nullable=False,
            comment="as-of date of the run (a re-run on the same date replaces its rows)",
        ),
        sa.Column("inst_id", sa.Integer(), nullable=False, comment="instance (GV$OPTION.INST_ID)"),
        sa.Column(
            "parameter",
            sa.String(),
            nullable=False,
            comment="V$OPTION.PARAMETER (Partitioning, Real Application Clusters, ...)",
        ),
        sa.Column("value", sa.Boolean(), nullable=False, comment="installed (TRUE) or not"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint("apps_id", "as_of_date", "inst_id", "parameter", name=op.f("pk_db_ora_options")),
        schema=schema,
        comment="options installed per instance (installed is not used: the licences come from usage)",
    )
    op.create_table(
        "db_ora_features",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column(
            "as_of_date",
            sa.Date(),
            nullable=False,
            comment="as-of date of the run (a re-run on the same date replaces its rows)",
        ),
        sa.Column("con_id", sa.Integer(), nullable=False, comment="container (0: not a CDB, 1: root)"),
        sa.Column("dbid", sa.BigInteger(), nullable=False),
        sa.Column(
            "version",
            sa.String(),
            nullable=False,
            comment="database version of the row set (upgrades and clones leave old sets)",
        ),
        sa.Column("name", sa.String(), nullable=False, comment="DBA_FEATURE_USAGE_STATISTICS.NAME"),
        sa.Column("detected_usages", sa.Integer(), nullable=False),
        sa.Column("total_samples", sa.Integer(), nullable=False),
        sa.Column("currently_used", sa.Boolean(), nullable=False),
        sa.Column("first_usage_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_usage_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_sample_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("aux_count", sa.Numeric(), nullable=True),
        sa.Column("feature_info", sa.Text(), nullable=True, comment="FEATURE_INFO (CLOB), first 4,000 characters"),
        sa.Column("current_entry", sa.Boolean(), nullable=False, comment="row of the newest sample of its container"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint(
            "apps_id", "as_of_date", "con_id", "dbid", "version", "name", name=op.f("pk_db_ora_features")
        ),
        schema=schema,
        comment="feature usage statistics as sampled by the database (DBA_ / CDB_FEATURE_USAGE_STATISTICS)",
    )
    op.create_table(
        "db_ora_partitions",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column(
            "as_of_date",
            sa.Date(),
            nullable=False,
            comment="as-of date of the run (a re-run on the same date replaces its rows)",
        ),
        sa.Column("owner", sa.String(), nullable=False, comment="schema (Oracle-maintained schemas left out)"),
        sa.Column("object_type", sa.String(), nullable=False, comment="TABLE PARTITION, INDEX SUBPARTITION, ..."),
        sa.Column("object_name", sa.String(), nullable=False, comment="the partitioned table or index"),
        sa.Column("partitions", sa.Integer(), nullable=False, comment="partitions or subpartitions"),
        sa.Column("min_created", sa.DateTime(timezone=True), nullable=True, comment="oldest partition creation"),
        sa.Column("max_last_ddl", sa.DateTime(timezone=True), nullable=True, comment="latest DDL on a partition"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.PrimaryKeyConstraint(
            "apps_id", "as_of_date", "owner", "object_type", "object_name", name=op.f("pk_db_ora_partitions")
        ),
        schema=schema,
        comment="partitioned segments per schema: evidence of the Partitioning option",
    )
    op.create_table(
        "db_ora_compression",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column(
            "as_of_date",
            sa.Date(),
            nullable=False,
            comment="as-of date of the run (a re-run on the same date replaces its rows)",
        ),
        sa.Column("owner", sa.String(), nullable=False, comment="schema (Oracle-maintained schemas left out)"),
        sa.Column("object_type", sa.String(), nullable=False, comment="TABLE or TABLE PARTITION"),
        sa.Column("object_name", sa.String(), nullable=False, comment="the table"),
        sa.Column(
            "compress_for",
            sa.String(),
            nullable=False,
            comment="ADVANCED, OLTP or FOR ALL OPERATIONS (BASIC is free and left out)",
        ),
        sa.Column("segments", sa.Integer(), nullable=False, comment="tables or partitions so compressed"),
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
            "as_of_date",
            "owner",
            "object_type",
            "object_name",
            "compress_for",
            name=op.f("pk_db_ora_compression"),
        ),
        schema=schema,
        comment="tables compressed with Advanced Compression: evidence of the option",
    )
    op.create_table(
        "db_ora_licenses",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column(
            "as_of_date",
            sa.Date(),
            nullable=False,
            comment="as-of date of the run (a re-run on the same date replaces its rows)",
        ),
        sa.Column(
            "product", sa.String(), nullable=False, comment="edition, option, pack or other product of the usage map"
        ),
        sa.Column("product_kind", sa.String(), nullable=False, comment="edition, option, pack or other"),
        sa.Column(
            "component_id",
            sa.Integer(),
            nullable=True,
            comment="licence component (settings_db_versions / settings_db_options)",
        ),
        sa.Column("usage", sa.String(), nullable=False, comment="the ladder's level from feature usage"),
        sa.Column("used", sa.Boolean(), nullable=False, comment="needs a licence: past or current usage, or objects"),
        sa.Column("evidence", sa.Text(), nullable=True, comment="what shows the usage, in words"),
        sa.Column("first_usage_date", sa.DateTime(timezone=True), nullable=True, comment="since when (earliest evidence)"),
        sa.Column("last_usage_date", sa.DateTime(timezone=True), nullable=True),
        sa.Column("features_used", sa.Integer(), nullable=False, comment="features of the product counting as usage"),
        sa.Column("entitled", sa.Boolean(), nullable=True, comment="an active entitlement line for the component"),
        sa.Column("severity", sa.String(), nullable=True, comment="risk, warning or information (null: no finding)"),
        sa.Column("finding", sa.Text(), nullable=True, comment="what to verify, in words"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.CheckConstraint(
            "product_kind IN ('edition', 'option', 'pack', 'other')", name=op.f("ck_db_ora_licenses_product_kind")
        ),
        sa.CheckConstraint("severity IN ('risk', 'warning', 'information')", name=op.f("ck_db_ora_licenses_severity")),
        sa.CheckConstraint(
            _USAGE_LEVELS,
            name=op.f("ck_db_ora_licenses_usage"),
        ),
        sa.ForeignKeyConstraint(
            ["component_id"],
            [f"{schema}.settings_lic_components.component_id"],
            name=op.f("fk_db_ora_licenses_component_id_settings_lic_components"),
        ),
        sa.PrimaryKeyConstraint("apps_id", "as_of_date", "product", name=op.f("pk_db_ora_licenses")),
        schema=schema,
        comment="per licensable product: used or not, on what evidence, since when, and the finding",
    )
    op.create_table(
        "db_ora_license_features",
        sa.Column("apps_id", sa.Integer(), nullable=False, comment="source application (settings_applications)"),
        sa.Column(
            "as_of_date",
            sa.Date(),
            nullable=False,
            comment="as-of date of the run (a re-run on the same date replaces its rows)",
        ),
        sa.Column("product", sa.String(), nullable=False),
        sa.Column("feature_name", sa.String(), nullable=False),
        sa.Column("con_id", sa.Integer(), nullable=False),
        sa.Column("dbid", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.String(), nullable=False),
        sa.Column("condition", sa.String(), nullable=True, comment="condition of the usage map's rule"),
        sa.Column("condition_met", sa.Boolean(), nullable=True, comment="null: the rule has no condition"),
        sa.Column("usage", sa.String(), nullable=False, comment="the ladder's level of this feature row"),
        sa.Column("detected_usages", sa.Integer(), nullable=False),
        sa.Column("currently_used", sa.Boolean(), nullable=False),
        sa.Column("current_entry", sa.Boolean(), nullable=False),
        sa.Column("first_usage_date", sa.DateTime(timezone=True), nullable=True, comment="blank when the condition is not met"),
        sa.Column("last_usage_date", sa.DateTime(timezone=True), nullable=True, comment="blank when the condition is not met"),
        sa.Column("feature_info", sa.Text(), nullable=True, comment="FEATURE_INFO excerpt"),
        sa.Column(
            "refreshed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
            comment="when the collector wrote the row",
        ),
        sa.Column("run_id", sa.String(), nullable=True, comment="Airflow run id of the writing run"),
        sa.CheckConstraint(
            _USAGE_LEVELS,
            name=op.f("ck_db_ora_license_features_usage"),
        ),
        sa.PrimaryKeyConstraint(
            "apps_id",
            "as_of_date",
            "product",
            "feature_name",
            "con_id",
            "dbid",
            "version",
            name=op.f("pk_db_ora_license_features"),
        ),
        comment="the ladder per feature row: the details behind each product's verdict",
    )
    op.create_table(
        "settings_db_features",
        sa.Column("feature_name", sa.String(), nullable=False, comment="DBA_FEATURE_USAGE_STATISTICS.NAME (exact)"),
        sa.Column("option_name", sa.String(), nullable=False),
        sa.Column(
            "min_version", sa.String(), nullable=False, comment="first database version the rule holds for (11.2)"
        ),
        sa.Column(
            "below_version", sa.String(), nullable=True, comment="first version it no longer holds for (null: none)"
        ),
        sa.Column("condition", sa.String(), nullable=True, comment="C001..C005, BUG or INVALID (null: usage counts)"),
        sa.Column("description", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "condition IN ('C001', 'C002', 'C003', 'C004', 'C005', 'BUG', 'INVALID')",
            name=op.f("ck_settings_db_features_condition"),
        ),
        sa.CheckConstraint(
            "min_version ~ '^[0-9]+(\\.[0-9]+)*$' "
            "AND (below_version IS NULL OR below_version ~ '^[0-9]+(\\.[0-9]+)*$')",
            name=op.f("ck_settings_db_features_versions"),
        ),
        sa.ForeignKeyConstraint(
            ["option_name"],
            [f"{schema}.settings_db_options.option_name"],
            name=op.f("fk_settings_db_features_option_name_settings_db_options"),
        ),
        sa.PrimaryKeyConstraint("feature_name", "option_name", "min_version", name=op.f("pk_settings_db_features")),
        schema=schema,
        comment="feature-usage name and version range -> the product it bills, with its condition (usage map)",
    )


def downgrade() -> None:
    schema = target_schema()
    for table in reversed(_TABLES):
        op.drop_table(table, schema=schema)
    op.drop_table("settings_db_features", schema=schema)
    op.drop_constraint(op.f("ck_settings_db_options_product_kind"), "settings_db_options", schema=schema)
    op.drop_constraint(op.f("ck_settings_db_options_object_check"), "settings_db_options", schema=schema)
    op.drop_column("settings_db_options", "object_check", schema=schema)
    op.drop_column("settings_db_options", "product_kind", schema=schema)
    op.execute(f'DELETE FROM "{schema}".settings_db_options WHERE component_id IS NULL')
    op.alter_column("settings_db_options", "component_id", nullable=False, schema=schema)
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
        schema=schema,
        comment="feature-usage name -> option/pack it bills (Oracle's options-and-packs mapping)",
    )
