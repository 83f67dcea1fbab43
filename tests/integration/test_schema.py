"""The target schemas: nomasx1 tables, views, alembic versioning, and the nomajde mirror.

Runs against a real PostgreSQL (fixtures in tests/conftest.py): every test gets a fresh database.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from alembic import command

from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.schema import bootstrap, nomajde, nomasx1, views

HEAD = "0013"

# DESIGN.md §5.2: table -> (key columns, columns it must also carry)
REQUIRED = {
    "security_users": (
        ["apps_id", "user_id"],
        [
            "user_name",
            "address_number",
            "enabled",
            "created_date",
            "last_login_date",
            "password_changed_date",
            "privileged",
            "dormant",
            "duplicate_of",
        ],
    ),
    "security_roles": (["apps_id", "role_id"], ["description", "sequence"]),
    "security_assignments": (
        ["apps_id", "user_id", "role_id", "effective_date"],
        ["expiration_date", "include_in_all", "status"],
    ),
    "security_menus": (
        ["apps_id", "task_view", "path"],
        ["task_id", "label", "level", "object_name", "form_name", "version"],
    ),
    "security_rights_roles": (
        ["apps_id", "role_id", "object_name", "form_name", "version"],
        [*nomasx1.RIGHT_FLAGS, "decided_by"],
    ),
    "security_rights_users": (
        ["apps_id", "user_id", "object_name", "form_name", "version"],
        [*nomasx1.RIGHT_FLAGS, "decided_level", "decided_by", "decided_object"],
    ),
    "security_rights_audit": (
        ["apps_id", "principal", "object_name", "form_name", "version", "detected_at"],
        [
            "change",
            *(f"before_{f}" for f in nomasx1.RIGHT_FLAGS),
            *(f"after_{f}" for f in nomasx1.RIGHT_FLAGS),
        ],
    ),
    "sod_conflict_details": (
        ["apps_id", "process_id", "activity1_id", "activity2_id", "user_id", "object1", "object2"],
        ["risk_id", "risk_level", "role1", "role2", "mitigated"],
    ),
    "sod_conflict_summary": (
        ["apps_id", "process_id", "activity1_id", "activity2_id"],
        ["risk_id", "risk_level", "users_count", "mitigated_count"],
    ),
    "collect_audit": (
        ["dag_id", "run_id", "step"],
        [
            "apps_id",
            "dag_id",
            "table_name",
            "rows_written",
            "started_at",
            "finished_at",
            "status",
            "attempt",
            "message",
            "details",
        ],
    ),
    "settings_applications": (
        ["apps_id"],
        [
            "apps_name",
            "apps_type",
            "source_conn_id",
            "role_sequence_direction",
            "signin_mode",
            "security_type_codes",
            "dormant_days",
            "out_purge",
            "out_retention_days",
            "audit_conn_id",
            "audit_scn",
            "audit_last",
            "created_at",
            "updated_at",
        ],
    ),
    "settings_jdedwards": (["apps_id"], ["system_schema", "data_schema", "control_schema", "task_views"]),
}

EXPECTED_TYPES = {
    ("security_users", "enabled"): "boolean",
    ("security_users", "privileged"): "boolean",
    ("security_users", "dormant"): "boolean",
    ("security_users", "created_date"): "date",
    ("security_users", "last_login_date"): "date",
    ("security_users", "password_changed_date"): "date",
    ("security_assignments", "effective_date"): "date",
    ("security_assignments", "expiration_date"): "date",
    ("security_assignments", "include_in_all"): "boolean",
    ("security_rights_users", "can_run"): "boolean",
    ("security_rights_users", "can_copy"): "boolean",
    ("security_rights_audit", "detected_at"): "timestamp with time zone",
    ("security_rights_audit", "before_can_run"): "boolean",
    ("security_rights_audit", "after_can_copy"): "boolean",
    ("sod_conflict_details", "mitigated"): "boolean",
    ("collect_audit", "rows_written"): "bigint",
    ("collect_audit", "started_at"): "timestamp with time zone",
    ("collect_audit", "attempt"): "integer",
    ("collect_audit", "details"): "jsonb",
    ("settings_applications", "apps_id"): "integer",
    ("settings_applications", "security_type_codes"): "jsonb",
    ("settings_applications", "audit_scn"): "bigint",
    ("settings_applications", "audit_last"): "timestamp with time zone",
    ("security_users", "refreshed_at"): "timestamp with time zone",
}

DDL = re.compile(r"^\s*(CREATE|ALTER|DROP|COMMENT|TRUNCATE|REFRESH|GRANT|INSERT|UPDATE|DELETE)\b", re.I)


@contextlib.contextmanager
def capture(engine: sa.Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine sends while the block runs."""
    statements: list[str] = []

    def before(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    sa.event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        sa.event.remove(engine, "before_cursor_execute", before)


def columns(engine: sa.Engine, schema: str) -> dict[str, dict[str, dict[str, object]]]:
    """table -> column -> {type, nullable, default, position} from information_schema."""
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT table_name, column_name, data_type, is_nullable, column_default, ordinal_position "
                "FROM information_schema.columns WHERE table_schema = :s"
            ),
            {"s": schema},
        )
        out: dict[str, dict[str, dict[str, object]]] = {}
        for t, c, typ, nullable, default, pos in rows:
            out.setdefault(t, {})[c] = {
                "type": typ,
                "nullable": nullable == "YES",
                "default": default,
                "position": pos,
            }
    return out


def base_tables(engine: sa.Engine, schema: str) -> set[str]:
    """Tables of ``schema``; partitions (per-application parts of a partitioned table) excluded."""
    with engine.connect() as conn:
        return set(
            conn.execute(
                sa.text(
                    "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = :s AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
                ),
                {"s": schema},
            ).scalars()
        )


def primary_key(engine: sa.Engine, schema: str, table: str) -> list[str]:
    with engine.connect() as conn:
        return sa.inspect(conn).get_pk_constraint(table, schema=schema)["constrained_columns"]


def catalog(engine: sa.Engine, schema: str) -> dict[str, object]:
    """Everything that defines a schema, with the schema name blanked out, for comparisons."""

    def norm(text: str | None) -> str | None:
        return None if text is None else re.sub(rf'\b"?{schema}"?\.', "<schema>.", text)

    with engine.connect() as conn:
        params = {"s": schema}
        constraints = conn.execute(
            sa.text(
                "SELECT c.conrelid::regclass::text, c.conname, c.contype, pg_get_constraintdef(c.oid) "
                "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
                "WHERE n.nspname = :s ORDER BY 2, 1"
            ),
            params,
        ).all()
        indexes = conn.execute(
            sa.text("SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = :s ORDER BY 1"),
            params,
        ).all()
        matviews = conn.execute(
            sa.text("SELECT matviewname, ispopulated, definition FROM pg_matviews WHERE schemaname = :s ORDER BY 1"),
            params,
        ).all()
        comments = conn.execute(
            sa.text(
                "SELECT c.relname, a.attname, col_description(c.oid, a.attnum), obj_description(c.oid) "
                "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped "
                "WHERE n.nspname = :s AND c.relkind = 'r' ORDER BY 1, 2"
            ),
            params,
        ).all()
    return {
        "columns": columns(engine, schema),
        "constraints": [(norm(t), name, kind, norm(d)) for t, name, kind, d in constraints],
        "indexes": [(name, norm(d)) for name, d in indexes],
        "matviews": [(name, populated, norm(d)) for name, populated, d in matviews],
        "comments": [tuple(r) for r in comments],
    }


# --------------------------------------------------------------------------------------------------
# init_schema
# --------------------------------------------------------------------------------------------------


def test_init_schema_creates_every_design_table_with_required_columns(pg_engine: sa.Engine) -> None:
    report = bootstrap.init_schema(pg_engine)

    assert report.schema == "nomasx1"
    assert report.created_schema is True
    assert sorted(report.created_tables) == sorted(nomasx1.metadata.tables)
    assert report.created_views == [v.name for v in views.VIEWS]
    assert report.skipped_views == {}
    assert report.stamped is True
    assert report.revision == report.head == bootstrap.head_revision() == HEAD
    assert report.upgrade_needed is False

    cols = columns(pg_engine, "nomasx1")
    assert set(REQUIRED) <= set(cols)
    for table, (key, also) in REQUIRED.items():
        missing = [c for c in key + also if c not in cols[table]]
        assert missing == [], f"{table} lacks {missing}"
        assert primary_key(pg_engine, "nomasx1", table) == key
    for (table, column), expected in EXPECTED_TYPES.items():
        assert cols[table][column]["type"] == expected, (table, column)

    # every business table starts with apps_id (integer, not null)
    for table in nomasx1.BUSINESS_TABLES:
        first = min(cols[table], key=lambda c: cols[table][c]["position"])
        assert first == "apps_id"
        assert cols[table]["apps_id"] == {
            "type": "integer",
            "nullable": False,
            "default": None,
            "position": 1,
        }
    assert cols["security_assignments"]["expiration_date"]["nullable"] is True
    assert cols["settings_applications"]["dormant_days"]["default"] == "90"
    assert cols["settings_applications"]["signin_mode"]["default"].startswith("'*ALL'")

    # the version table lives inside the target schema, nowhere else
    assert "alembic_version" in base_tables(pg_engine, "nomasx1")
    assert "alembic_version" not in base_tables(pg_engine, "public")
    assert bootstrap.current_revision(pg_engine, "nomasx1") == HEAD


def test_init_schema_second_run_creates_nothing(pg_engine: sa.Engine) -> None:
    bootstrap.init_schema(pg_engine)
    before = catalog(pg_engine, "nomasx1")
    with capture(pg_engine) as statements:
        report = bootstrap.init_schema(pg_engine)
    assert report.created == []
    assert report.changed is False
    assert report.stamped is False
    assert report.revision == HEAD
    assert "nothing to create" in report.summary()
    assert [s for s in statements if DDL.match(s)] == []
    assert catalog(pg_engine, "nomasx1") == before


def test_constraints_reject_invalid_values(pg_engine: sa.Engine) -> None:
    bootstrap.init_schema(pg_engine)
    md = nomasx1.metadata
    with pg_engine.begin() as conn:
        conn = conn.execution_options(schema_translate_map={None: "nomasx1"})
        conn.execute(md.tables["settings_applications"].insert(), {"apps_id": 10, "apps_name": "JDE prod"})
        app = conn.execute(sa.select(md.tables["settings_applications"])).mappings().one()
        assert app["apps_type"] == "JDE"
        assert app["role_sequence_direction"] == "ascending"
        assert app["signin_mode"] == "*ALL"
        assert app["dormant_days"] == 90
        assert app["out_purge"] is False
        assert app["security_type_codes"] == nomasx1.DEFAULT_SECURITY_TYPE_CODES
        conn.execute(md.tables["settings_jdedwards"].insert(), {"apps_id": 10, "system_schema": "SY920"})
        jde = conn.execute(sa.select(md.tables["settings_jdedwards"])).mappings().one()
        assert jde["task_views"] == nomasx1.DEFAULT_TASK_VIEWS
        assert jde["collect_standard_menus"] is True

    bad = [
        ("settings_applications", {"apps_id": 11, "apps_name": "x", "apps_type": "SAP"}),
        ("settings_applications", {"apps_id": 12, "apps_name": "x", "role_sequence_direction": "up"}),
        (
            "security_assignments",
            {
                "apps_id": 10,
                "user_id": "U",
                "role_id": "R",
                "effective_date": dt.date(2024, 1, 1),
                "status": "x",
            },
        ),
        (
            "security_rights_users",
            {
                "apps_id": 10,
                "user_id": "U",
                "object_name": "P01012",
                **dict.fromkeys(nomasx1.RIGHT_FLAGS, True),
                "decided_level": "GROUP",
            },
        ),
        (
            "security_rights_audit",
            {
                "apps_id": 10,
                "principal": "U",
                "object_name": "P01012",
                "detected_at": dt.datetime(2024, 1, 1, tzinfo=dt.UTC),
                "change": "ADDED",
            },
        ),
        ("collect_audit", {"run_id": "r", "step": "S", "dag_id": "d", "status": "done"}),
        ("settings_jdedwards", {"apps_id": 99}),  # no such application (FK)
    ]
    for table, row in bad:
        with pytest.raises(sa.exc.IntegrityError), pg_engine.begin() as conn:
            conn.execution_options(schema_translate_map={None: "nomasx1"}).execute(md.tables[table].insert(), row)

    # deleting an application cascades to its JDE settings
    with pg_engine.begin() as conn:
        conn = conn.execution_options(schema_translate_map={None: "nomasx1"})
        conn.execute(md.tables["settings_applications"].delete())
        assert conn.execute(sa.select(sa.func.count()).select_from(md.tables["settings_jdedwards"])).scalar() == 0


def test_custom_schema_name(pg_engine: sa.Engine) -> None:
    report = bootstrap.init_schema(pg_engine, "tenant_b")
    assert report.schema == "tenant_b"
    assert set(nomasx1.metadata.tables) | {"alembic_version"} == base_tables(pg_engine, "tenant_b")
    assert base_tables(pg_engine, "nomasx1") == set()
    assert bootstrap.current_revision(pg_engine, "tenant_b") == HEAD
    assert bootstrap.current_revision(pg_engine, "nomasx1") is None

    # the views read tenant_b's tables
    with pg_engine.begin() as conn:
        conn.execution_options(schema_translate_map={None: "tenant_b"}).execute(
            nomasx1.security_users.insert(), [{"apps_id": 1, "user_id": "A"}, {"apps_id": 1, "user_id": "B"}]
        )
    counts = bootstrap.refresh_views(pg_engine, "tenant_b")
    assert counts == {
        "security_user_overview": 2,
        "security_role_overview": 0,
        "collect_last_refresh": 0,
        "license_jde_user_transactions": 0,
    }


@pytest.mark.parametrize(
    "call",
    [
        bootstrap.init_schema,
        bootstrap.init_mirror,
        bootstrap.upgrade_schema,
        bootstrap.current_revision,
        bootstrap.refresh_views,
    ],
)
def test_invalid_schema_is_rejected_before_any_sql(pg_engine: sa.Engine, call) -> None:
    with capture(pg_engine) as statements, pytest.raises(ConfigurationError, match="Invalid schema name"):
        call(pg_engine, "x; drop")
    assert statements == []


def test_init_schema_adds_missing_index_and_reports_missing_column_without_altering(
    pg_engine: sa.Engine,
) -> None:
    bootstrap.init_schema(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX nomasx1.ix_security_assignments_apps_id_role_id_user_id"))
        conn.execute(sa.text("ALTER TABLE nomasx1.security_users DROP COLUMN duplicate_of"))
        conn.execute(sa.text("DROP TABLE nomasx1.security_roles CASCADE"))  # drops security_role_overview

    report = bootstrap.init_schema(pg_engine)
    assert report.created_tables == ["security_roles"]
    assert report.created_indexes == ["ix_security_assignments_apps_id_role_id_user_id"]
    assert report.created_views == ["security_role_overview"]
    assert report.missing_columns == {"security_users": ["duplicate_of"]}
    assert any("lacks column(s) ['duplicate_of']" in m for m in report.messages)
    assert "duplicate_of" not in columns(pg_engine, "nomasx1")["security_users"]  # never altered


def test_failure_rolls_back_everything(pg_engine: sa.Engine) -> None:
    # a relation squatting the name of a view's unique index makes the last DDL statement fail
    with pg_engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA broken"))
        conn.execute(sa.text("CREATE TABLE broken.ux_collect_last_refresh (id int)"))
    with pytest.raises(sa.exc.ProgrammingError, match="already exists"):
        bootstrap.init_schema(pg_engine, "broken")
    assert base_tables(pg_engine, "broken") == {"ux_collect_last_refresh"}
    assert bootstrap.current_revision(pg_engine, "broken") is None


# --------------------------------------------------------------------------------------------------
# alembic: upgrade_schema
# --------------------------------------------------------------------------------------------------


def test_upgrade_on_empty_schema_equals_the_models(pg_engine: sa.Engine) -> None:
    report = bootstrap.upgrade_schema(pg_engine, "migrated")
    assert (report.from_revision, report.to_revision, report.changed) == (None, HEAD, True)
    assert bootstrap.current_revision(pg_engine, "migrated") == bootstrap.head_revision()

    bootstrap.init_schema(pg_engine, "modelled")  # create_all from the models + views + stamp

    migrated = catalog(pg_engine, "migrated")
    modelled = catalog(pg_engine, "modelled")
    # the frozen migration cannot drift from the models: columns (name, type, nullability,
    # default, order), constraints, indexes, comments and views are identical
    for table in nomasx1.metadata.tables:
        assert migrated["columns"][table] == modelled["columns"][table], table
    assert migrated["columns"] == modelled["columns"]
    assert migrated["constraints"] == modelled["constraints"]
    assert migrated["indexes"] == modelled["indexes"]
    assert migrated["comments"] == modelled["comments"]
    assert migrated["matviews"] == modelled["matviews"]
    assert [m[0] for m in migrated["matviews"]] == sorted(v.name for v in views.VIEWS)
    assert all(populated is False for _, populated, _ in migrated["matviews"])

    # and both agree with the SQLAlchemy types of the models
    type_names = {
        sa.Integer: "integer",
        sa.BigInteger: "bigint",
        sa.Numeric: "numeric",
        sa.String: "character varying",
        sa.Text: "text",
        sa.Boolean: "boolean",
        sa.Date: "date",
        sa.DateTime: "timestamp with time zone",
    }
    for table in nomasx1.metadata.sorted_tables:
        for column in table.columns:
            expected = next(
                (name for kind, name in type_names.items() if type(column.type) is kind),
                "jsonb",
            )
            assert migrated["columns"][table.name][column.name]["type"] == expected, (table.name, column.name)
            assert migrated["columns"][table.name][column.name]["nullable"] == column.nullable


def test_upgrade_at_head_is_a_noop_without_ddl(pg_engine: sa.Engine) -> None:
    bootstrap.upgrade_schema(pg_engine)
    with capture(pg_engine) as statements:
        report = bootstrap.upgrade_schema(pg_engine)
    assert (report.from_revision, report.to_revision, report.changed) == (HEAD, HEAD, False)
    assert "nothing to do" in report.summary()
    assert [s for s in statements if DDL.match(s)] == []

    # a schema created by init_schema is stamped at head: upgrade is a no-op too
    bootstrap.init_schema(pg_engine, "other")
    assert bootstrap.upgrade_schema(pg_engine, "other").changed is False


def test_upgrade_refuses_unversioned_schema_that_has_tables(pg_engine: sa.Engine) -> None:
    with pg_engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA legacy"))
        nomasx1.metadata.create_all(
            conn.execution_options(schema_translate_map={None: "legacy"}), tables=[nomasx1.collect_audit]
        )
    with pytest.raises(ConfigurationError, match="nomasx1-init-schema-1"):
        bootstrap.upgrade_schema(pg_engine, "legacy")
    assert base_tables(pg_engine, "legacy") == {"collect_audit"}


def test_init_schema_does_not_upgrade_an_older_revision(pg_engine: sa.Engine) -> None:
    """A schema at 0001 (before the reference tables): init reports it, the upgrade job moves it."""
    assert bootstrap.head_revision() == HEAD == "0013"
    with pg_engine.begin() as conn:
        command.upgrade(bootstrap.alembic_config(conn, "nomasx1"), "0001")
    assert bootstrap.current_revision(pg_engine, "nomasx1") == "0001"

    with capture(pg_engine) as statements:
        report = bootstrap.init_schema(pg_engine)
    assert report.upgrade_needed is True
    assert (report.revision, report.head) == ("0001", HEAD)
    assert report.created == []
    assert any("nomasx1-upgrade-schema-1" in m for m in report.messages)
    assert [s for s in statements if DDL.match(s)] == []
    assert bootstrap.current_revision(pg_engine, "nomasx1") == "0001"
    assert "settings_lic_components" not in base_tables(pg_engine, "nomasx1")

    upgraded = bootstrap.upgrade_schema(pg_engine)
    assert (upgraded.from_revision, upgraded.to_revision, upgraded.changed) == ("0001", HEAD, True)
    assert set(nomasx1.REFERENCE_TABLES) <= base_tables(pg_engine, "nomasx1")
    again = bootstrap.init_schema(pg_engine)
    assert (again.upgrade_needed, again.created, again.revision) == (False, [], HEAD)


# --------------------------------------------------------------------------------------------------
# materialised views
# --------------------------------------------------------------------------------------------------


def _matviews(engine: sa.Engine, schema: str) -> dict[str, bool]:
    with engine.connect() as conn:
        return views.materialized_views(conn, schema)


def test_views_created_with_no_data_then_refresh_populates(pg_engine: sa.Engine) -> None:
    bootstrap.init_schema(pg_engine)
    assert _matviews(pg_engine, "nomasx1") == {v.name: False for v in views.VIEWS}
    with pytest.raises(sa.exc.OperationalError, match="has not been populated"), pg_engine.connect() as conn:
        conn.execute(sa.text("SELECT * FROM nomasx1.security_user_overview"))

    today = dt.date(2024, 6, 1)

    def assignment(user: str, role: str, status: str) -> dict[str, object]:
        return {"apps_id": 10, "user_id": user, "role_id": role, "effective_date": today, "status": status}

    def right(user: str, obj: str, level: str, by: str, run: bool = True) -> dict[str, object]:
        flags = {**dict.fromkeys(nomasx1.RIGHT_FLAGS, True), "can_run": run}
        return {
            "apps_id": 10,
            "user_id": user,
            "object_name": obj,
            **flags,
            "decided_level": level,
            "decided_by": by,
        }

    def conflict(object1: str) -> dict[str, object]:
        ids = {"process_id": "PTP001", "activity1_id": "PTP01", "activity2_id": "PTP05"}
        return {"apps_id": 10, **ids, "user_id": "ALICE", "object1": object1, "object2": "P0413M"}

    def audit(run_id: str, apps_id: int | None, table: str | None, rows: int, status: str, day: int):
        finished = dt.datetime(2024, 6, day, 2, tzinfo=dt.UTC)
        return {
            "run_id": run_id,
            "step": table.upper() if table else "INIT",
            "apps_id": apps_id,
            "dag_id": "nomasx1-security-1",
            "table_name": table,
            "rows_written": rows,
            "status": status,
            "finished_at": finished,
        }

    with pg_engine.begin() as conn:
        conn = conn.execution_options(schema_translate_map={None: "nomasx1"})
        conn.execute(
            nomasx1.security_users.insert(),
            [
                {"apps_id": 10, "user_id": "ALICE"},
                {"apps_id": 10, "user_id": "BOB"},
                {"apps_id": 11, "user_id": "ALICE"},
            ],
        )
        conn.execute(
            nomasx1.security_roles.insert(),
            [
                {"apps_id": 10, "role_id": "AP", "sequence": 10},
                {"apps_id": 10, "role_id": "GL", "sequence": 20},
            ],
        )
        conn.execute(
            nomasx1.security_assignments.insert(),
            [
                assignment("ALICE", "AP", "active"),
                assignment("ALICE", "GL", "expired"),
                assignment("BOB", "GL", "active"),
            ],
        )
        role_right = {k: v for k, v in right("", "P0411", "ROLE", "AP").items() if k != "user_id"}
        conn.execute(nomasx1.security_rights_roles.insert(), [{**role_right, "role_id": "AP"}])
        conn.execute(
            nomasx1.security_rights_users.insert(),
            [
                right("ALICE", "P0411", "ROLE", "AP"),
                right("ALICE", "P0413M", "ROLE", "AP"),
                right("ALICE", "P0911", "PUBLIC", "*PUBLIC", run=False),
            ],
        )
        conn.execute(nomasx1.sod_conflict_details.insert(), [conflict("P0411"), conflict("P04012")])
        conn.execute(
            nomasx1.collect_audit.insert(),
            [
                audit("r1", 10, "security_users", 2, "success", 1),
                audit("r2", 10, "security_users", 3, "success", 2),
                audit("r3", 10, "security_users", 0, "failed", 3),
                audit("r3", None, None, 0, "success", 3),
            ],
        )

    with capture(pg_engine) as statements:
        counts = bootstrap.refresh_views(pg_engine)
    assert counts == {
        "security_user_overview": 3,
        "security_role_overview": 2,
        "collect_last_refresh": 1,
        "license_jde_user_transactions": 0,
    }
    refreshes = [s for s in statements if s.startswith("REFRESH")]
    assert len(refreshes) == len(views.VIEWS) and not any("CONCURRENTLY" in s for s in refreshes)  # first: plain
    assert _matviews(pg_engine, "nomasx1") == {v.name: True for v in views.VIEWS}

    with pg_engine.connect() as conn:
        users = {
            (r.apps_id, r.user_id): r for r in conn.execute(sa.text("SELECT * FROM nomasx1.security_user_overview"))
        }
        roles = {r.role_id: r for r in conn.execute(sa.text("SELECT * FROM nomasx1.security_role_overview"))}
        last = conn.execute(sa.text("SELECT * FROM nomasx1.collect_last_refresh")).one()
    alice = users[(10, "ALICE")]
    assert (alice.roles_count, alice.active_roles_count, alice.rights_count) == (2, 1, 2)
    assert (alice.conflicts_count, alice.conflict_rules_count) == (2, 1)
    bob = users[(10, "BOB")]
    assert (bob.roles_count, bob.active_roles_count, bob.rights_count, bob.conflicts_count) == (1, 1, 0, 0)
    assert users[(11, "ALICE")].roles_count == 0
    assert (roles["AP"].users_count, roles["AP"].granted_count, roles["AP"].deciding_users_count) == (1, 1, 1)
    assert (roles["GL"].users_count, roles["GL"].active_users_count) == (2, 1)
    assert (last.apps_id, last.table_name, last.module, last.run_id, last.rows_written) == (
        10,
        "security_users",
        "security",
        "r2",
        3,
    )

    # populated + unique index: the next refresh runs concurrently and sees new rows
    with pg_engine.begin() as conn:
        conn.execution_options(schema_translate_map={None: "nomasx1"}).execute(
            nomasx1.security_users.insert(), {"apps_id": 10, "user_id": "CAROL"}
        )
    with capture(pg_engine) as statements:
        counts = bootstrap.refresh_views(pg_engine)
    assert counts["security_user_overview"] == 4
    refreshes = [s for s in statements if s.startswith("REFRESH")]
    assert len(refreshes) == len(views.VIEWS) and all("CONCURRENTLY" in s for s in refreshes)


def test_views_are_skipped_when_their_sources_are_missing(pg_engine: sa.Engine) -> None:
    with pg_engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA partial"))
        nomasx1.metadata.create_all(
            conn.execution_options(schema_translate_map={None: "partial"}),
            tables=[nomasx1.collect_audit, nomasx1.security_users],
        )
        result = views.create_views(conn, "partial")
    assert result.created == ["collect_last_refresh"]
    assert result.skipped == {
        "security_user_overview": ["security_assignments", "security_rights_users", "sod_conflict_details"],
        "security_role_overview": [
            "security_roles",
            "security_assignments",
            "security_rights_roles",
            "security_rights_users",
        ],
        "license_jde_user_transactions": ["license_jde_users", "license_jde_tables", "settings_jde_sy"],
    }
    assert _matviews(pg_engine, "partial") == {"collect_last_refresh": False}
    # refresh only touches what exists
    assert bootstrap.refresh_views(pg_engine, "partial") == {"collect_last_refresh": 0}
    with pg_engine.begin() as conn:
        again = views.create_views(conn, "partial")
    assert (again.created, again.existing) == ([], ["collect_last_refresh"])


# --------------------------------------------------------------------------------------------------
# nomajde mirror
# --------------------------------------------------------------------------------------------------

MIRROR_KEYS = {
    "f0004": ["dtsy", "dtrt"],
    "f0005": ["drsy", "drrt", "drky"],
    "f9200": ["frdtai"],
    "f9202": ["frdtai", "frlngp", "frsyr"],
    "f9210": ["frdtai"],
    "f9860": ["siobnm"],
    "f9865": ["swfmnm"],
    "mirror_refresh": ["table_name"],
}


def test_init_mirror_creates_the_seven_mirror_tables(pg_engine: sa.Engine) -> None:
    report = bootstrap.init_mirror(pg_engine)
    assert report.schema == "nomajde"
    assert report.created_schema is True
    assert sorted(report.created_tables) == sorted([*nomajde.MIRROR_TABLES, "mirror_refresh"])
    assert report.revision is None and report.stamped is False
    assert base_tables(pg_engine, "nomajde") == set(MIRROR_KEYS)  # no alembic_version: not versioned
    for table, key in MIRROR_KEYS.items():
        assert primary_key(pg_engine, "nomajde", table) == key

    cols = columns(pg_engine, "nomajde")
    assert list(cols["f0005"]) and all(c == c.lower() for t in cols.values() for c in t)
    assert [c for c, _ in sorted(cols["f0005"].items(), key=lambda kv: kv[1]["position"])] == [
        "drsy",
        "drrt",
        "drky",
        "drdl01",
        "drdl02",
        "drsphd",
        "drudco",
        "drhrdc",
        "druser",
        "drpid",
        "drupmj",
        "drjobn",
        "drupmt",
    ]
    assert cols["f0005"]["drky"]["type"] == "character varying"
    assert cols["f0005"]["drupmj"]["type"] == "date"  # Julian -> date
    assert cols["f0005"]["drupmt"]["type"] == "numeric"
    assert cols["f9210"]["frdtas"]["type"] == "numeric"
    assert len(cols["f9210"]) == 47
    assert len(cols["f0004"]) == 15
    assert len(cols["f9200"]) == 9
    assert len(cols["f9202"]) == 7
    assert cols["mirror_refresh"]["rows"]["type"] == "bigint"
    assert cols["mirror_refresh"]["refreshed_at"]["type"] == "timestamp with time zone"

    again = bootstrap.init_mirror(pg_engine)
    assert again.created == [] and again.changed is False

    custom = bootstrap.init_mirror(pg_engine, "nomajde_b")
    assert sorted(custom.created_tables) == sorted(MIRROR_KEYS)


def test_a_revision_unknown_to_this_provider_is_refused(pg_engine: sa.Engine) -> None:
    bootstrap.init_schema(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(sa.text("UPDATE nomasx1.alembic_version SET version_num = '9999'"))
    for call in (bootstrap.init_schema, bootstrap.upgrade_schema):
        with pytest.raises(ConfigurationError, match="unknown to this provider version"):
            call(pg_engine)
    assert bootstrap.current_revision(pg_engine) == "9999"


def test_upgrade_to_0005_partitions_the_rights_and_keeps_rows(pg_engine: sa.Engine) -> None:
    """0005 re-creates security_rights_users / _snapshot partitioned by application, rows, views
    and indexes kept."""
    with pg_engine.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA nomasx1"))
        command.upgrade(bootstrap.alembic_config(conn, "nomasx1"), "0004")
        for apps_id in (10, 11):
            conn.execute(
                sa.text(
                    "INSERT INTO nomasx1.security_rights_users (apps_id, user_id, object_name, can_run, can_add, "
                    "can_change, can_delete, can_ok, can_copy, decided_level) "
                    "VALUES (:a, 'ALICE', 'P0411', true, true, false, true, true, true, 'ROLE')"
                ),
                {"a": apps_id},
            )
    upgraded = bootstrap.upgrade_schema(pg_engine)
    assert (upgraded.from_revision, upgraded.to_revision) == ("0004", HEAD)
    with pg_engine.connect() as conn:
        kinds = dict(
            conn.execute(
                sa.text(
                    "SELECT c.relname, c.relkind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                    "WHERE n.nspname = 'nomasx1' AND c.relname LIKE 'security_rights_users%' "
                    "AND c.relkind IN ('r', 'p')"
                )
            ).all()
        )
        rows = conn.execute(
            sa.text(
                "SELECT tableoid::regclass::text, apps_id, can_change FROM nomasx1.security_rights_users ORDER BY 2"
            )
        ).all()
        views = conn.execute(
            sa.text("SELECT matviewname FROM pg_matviews WHERE schemaname = 'nomasx1' ORDER BY 1")
        ).scalars()
        view_names = list(views)
    assert kinds == {
        "security_rights_users": "p",
        "security_rights_users_default": "r",
        "security_rights_users_a10": "r",
        "security_rights_users_a11": "r",
    }
    assert rows == [
        ("nomasx1.security_rights_users_a10", 10, False),
        ("nomasx1.security_rights_users_a11", 11, False),
    ]
    assert {"security_user_overview", "security_role_overview"} <= set(view_names)
    assert primary_key(pg_engine, "nomasx1", "security_rights_users") == [
        "apps_id",
        "user_id",
        "object_name",
        "form_name",
        "version",
    ]
    assert bootstrap.refresh_views(pg_engine)["security_user_overview"] >= 0


def test_downgrade_from_0005_keeps_the_rights_rows(pg_engine: sa.Engine) -> None:
    """0005's downgrade folds the partitions back into plain tables, rows and views kept."""
    bootstrap.init_schema(pg_engine)
    with pg_engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.security_rights_users (apps_id, user_id, object_name, can_run, can_add, "
                "can_change, can_delete, can_ok, can_copy, decided_level) "
                "VALUES (12, 'BOB', 'P4210', false, true, true, true, true, true, 'PUBLIC')"
            )
        )
        command.downgrade(bootstrap.alembic_config(conn, "nomasx1"), "0004")
    with pg_engine.connect() as conn:
        kind = conn.execute(
            sa.text("SELECT relkind FROM pg_class WHERE oid = 'nomasx1.security_rights_users'::regclass")
        ).scalar()
        rows = conn.execute(sa.text("SELECT apps_id, user_id, can_run FROM nomasx1.security_rights_users")).all()
        views = set(conn.execute(sa.text("SELECT matviewname FROM pg_matviews WHERE schemaname = 'nomasx1'")).scalars())
    assert kind == "r"
    assert rows == [(12, "BOB", False)]
    assert {"security_user_overview", "security_role_overview"} <= views
    assert bootstrap.upgrade_schema(pg_engine).to_revision == HEAD
