"""Reference bundles on real PostgreSQL: the verifier's refusals change nothing, and the export /
import steps (replace or not, target applications, schema checks, the audit row)."""

from __future__ import annotations

import gzip
import json
import re
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from support.reference_bundles import APP_ROWS, FIXTURE_CSV, GLOBAL_ROWS, WHEN, members, rebuild, tar_bytes

from airflow_provider_nomasx1.collectors import preload
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error
from airflow_provider_nomasx1.operators.step import HookCache, run_step
from airflow_provider_nomasx1.reference import bundle as rb
from airflow_provider_nomasx1.schema import bootstrap, nomasx1


@pytest.fixture
def hooks() -> Iterator[HookCache]:
    cache = HookCache()
    yield cache
    cache.close()


@pytest.fixture
def target(reference_target: sa.Engine) -> sa.Engine:
    """The reference tests' target (tests/conftest.py), under this module's short name."""
    return reference_target


@pytest.fixture(scope="session", name="do_import")
def do_import_fixture(reference_ctx: Callable[..., StepContext]) -> Callable[..., StepContext]:
    """``do_import(hooks, data_dir=None, **params)``: run the IMPORT_REFERENCE step (curated data
    from ``data_dir`` when the bundle path is empty)."""

    def do_import(hooks: HookCache, *, data_dir: Path | None = None, **params: Any) -> StepContext:
        ctx = reference_ctx(hooks, **{"bundle_path": "", "replace": False, "target_apps_ids": "", **params})
        preload.import_reference(ctx, data_dir=data_dir)
        return ctx

    return do_import


def snapshot(engine: sa.Engine, schema: str = "nomasx1") -> dict[str, list[tuple]]:
    """Every row of every reference table, ordered by primary key."""
    out = {}
    with engine.connect() as conn:
        for name in nomasx1.REFERENCE_TABLES:
            table = nomasx1.metadata.tables[name]
            rows = conn.execute(
                sa.select(table).order_by(*table.primary_key.columns),
                execution_options={"schema_translate_map": {None: schema}},
            )
            out[name] = [tuple(r) for r in rows]
    return out


def special(name: str, kind: bytes, linkname: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = linkname
    return info, None


def edit_line(content: dict[str, bytes], file: str, change: Callable[[dict], None]) -> None:
    lines = content[file].decode().splitlines()
    row = json.loads(lines[0])
    change(row)
    lines[0] = json.dumps(row)
    content[file] = ("\n".join(lines) + "\n").encode()


BAD_BUNDLES: dict[str, tuple[Callable[[Path, Path], Path], str]] = {
    "not gzip": (lambda good, out: _write(out, b"PK\x03\x04 this is a zip"), "not a gzip file"),
    "truncated": (lambda good, out: _write(out, good.read_bytes()[: good.stat().st_size // 2]), "truncated"),
    "truncated trailer": (lambda good, out: _write(out, good.read_bytes()[:-4]), "truncated"),
    "not a tar": (lambda good, out: _write(out, gzip.compress(b"hello" * 300)), "not a valid tar archive"),
    "missing manifest": (
        lambda good, out: _write(out, tar_bytes([(n, d) for n, d in members(good).items() if n != "manifest.json"])),
        "no manifest.json in the archive",
    ),
    "manifest not JSON": (
        lambda good, out: _write(
            out,
            tar_bytes([(n, b"{not json" if n == "manifest.json" else d) for n, d in members(good).items()]),
        ),
        "manifest.json is not valid JSON",
    ),
    "manifest lacks keys": (
        lambda good, out: rebuild(good, out, manifest=lambda d: d.pop("source")),
        r"manifest.json lacks the key\(s\) source",
    ),
    "table entry lacks keys": (
        lambda good, out: rebuild(good, out, manifest=lambda d: d["tables"][3].pop("sha256")),
        r"tables\[3\] lacks the key\(s\) sha256",
    ),
    "unknown format": (
        lambda good, out: rebuild(good, out, manifest=lambda d: d.update(format="something-else")),
        "unknown format 'something-else'",
    ),
    "unknown version": (
        lambda good, out: rebuild(good, out, manifest=lambda d: d.update(format_version=2)),
        "unknown format_version 2",
    ),
    "absolute member": (
        lambda good, out: rebuild(good, out, extra=[("/etc/cron.d/evil", b"x")]),
        "member '/etc/cron.d/evil' has an absolute path",
    ),
    "dot-dot member": (
        lambda good, out: rebuild(good, out, extra=[("../evil.jsonl", b"x")]),
        r"member '../evil.jsonl' contains '\.\.'",
    ),
    "member in a sub-folder": (
        lambda good, out: rebuild(good, out, extra=[("data/sod_risks.jsonl", b"x")]),
        "is in a sub-folder",
    ),
    "symlink": (
        lambda good, out: rebuild(
            good,
            out,
            files=lambda c: c.pop("sod_matrix.jsonl"),
            extra=[special("sod_matrix.jsonl", tarfile.SYMTYPE, "/etc/passwd")],
        ),
        "member 'sod_matrix.jsonl' is a symbolic link",
    ),
    "hardlink": (
        lambda good, out: rebuild(
            good,
            out,
            files=lambda c: c.pop("sod_matrix.jsonl"),
            extra=[special("sod_matrix.jsonl", tarfile.LNKTYPE, "sod_risks.jsonl")],
        ),
        "member 'sod_matrix.jsonl' is a hard link",
    ),
    "device": (
        lambda good, out: rebuild(good, out, extra=[special("null", tarfile.CHRTYPE)]),
        "member 'null' is a device file",
    ),
    "fifo": (lambda good, out: rebuild(good, out, extra=[special("pipe", tarfile.FIFOTYPE)]), "is a fifo"),
    "directory entry": (
        lambda good, out: rebuild(good, out, extra=[special("data", tarfile.DIRTYPE)]),
        "member 'data' is a directory entry",
    ),
    "duplicate member": (
        lambda good, out: rebuild(good, out, extra=[("sod_risks.jsonl", b"")]),
        "member sod_risks.jsonl appears twice",
    ),
    "listed but absent": (
        lambda good, out: rebuild(good, out, files=lambda c: c.pop("sod_matrix.jsonl")),
        r"member\(s\) sod_matrix.jsonl listed in manifest.json but absent",
    ),
    "present but not listed": (
        lambda good, out: rebuild(good, out, extra=[("notes.jsonl", b"{}\n")]),
        r"member\(s\) notes.jsonl present but not listed",
    ),
    "sha256 mismatch": (
        lambda good, out: rebuild(
            good, out, files=lambda c: edit_line(c, "sod_risks.jsonl", lambda r: r.update(name="Changed"))
        ),
        "sha256 mismatch for sod_risks.jsonl",
    ),
    "row count mismatch": (
        lambda good, out: rebuild(good, out, manifest=lambda d: d["tables"][0].update(rows=3)),
        "row count mismatch for settings_lic_metrics.jsonl: the manifest says 3, found 2",
    ),
    "table not a reference table": (
        lambda good, out: rebuild(
            good,
            out,
            manifest=lambda d: d["tables"][0].update(name="security_users"),
        ),
        "table 'security_users' is not a reference table",
    ),
    "unknown column": (
        lambda good, out: rebuild(
            good,
            out,
            files=lambda c: edit_line(c, "settings_lic_metrics.jsonl", lambda r: r.update(colour="red")),
            manifest=lambda d: d["tables"][0]["columns"].append("colour"),
            rehash=True,
        ),
        r"table settings_lic_metrics has no column\(s\) colour",
    ),
    "value of the wrong type": (
        lambda good, out: rebuild(
            good,
            out,
            files=lambda c: edit_line(c, "settings_lic_components.jsonl", lambda r: r.update(component_id="1000")),
            rehash=True,
        ),
        r"settings_lic_components.jsonl line 1: column 'component_id': expected an integer, got '1000'",
    ),
    "null in a NOT NULL column": (
        lambda good, out: rebuild(
            good,
            out,
            files=lambda c: edit_line(c, "sod_risks.jsonl", lambda r: r.update(name=None)),
            rehash=True,
        ),
        "sod_risks.jsonl line 1: column 'name' is NOT NULL but the value is null",
    ),
    "row keys differ from the columns": (
        lambda good, out: rebuild(
            good,
            out,
            files=lambda c: edit_line(c, "sod_risks.jsonl", lambda r: r.pop("description")),
            rehash=True,
        ),
        "sod_risks.jsonl line 1: keys differ from the manifest's columns; missing description",
    ),
}


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("case", list(BAD_BUNDLES))
def test_bad_bundle_is_refused_and_changes_nothing(
    case: str,
    tmp_path: Path,
    curated: Path,
    target: sa.Engine,
    hooks: HookCache,
    do_import: Callable[..., StepContext],
) -> None:
    do_import(hooks, bundle_path=str(curated))
    before = snapshot(target)
    make, expected = BAD_BUNDLES[case]
    bad = make(curated, tmp_path / "bad.tar.gz")
    with pytest.raises(rb.BundleError, match=expected) as caught:
        do_import(hooks, bundle_path=str(bad), replace=True)
    assert str(bad) in str(caught.value) and "Nothing was changed" in str(caught.value)
    assert snapshot(target) == before


def test_duplicate_keys_in_a_bundle_are_refused(
    tmp_path: Path,
    curated: Path,
    target: sa.Engine,
    hooks: HookCache,
    reference_counts: Callable[..., dict[str, int]],
    do_import: Callable[..., StepContext],
):
    def duplicate(content: dict[str, bytes]) -> None:
        first = content["settings_lic_metrics.jsonl"].splitlines(keepends=True)[0]
        content["settings_lic_metrics.jsonl"] += first

    bad = rebuild(
        curated,
        tmp_path / "dupe.tar.gz",
        files=duplicate,
        manifest=lambda d: d["tables"][0].update(rows=3),
        rehash=True,
    )
    with pytest.raises(rb.BundleError, match=r"table settings_lic_metrics: key \{'metric_id': 10\} appears more than"):
        do_import(hooks, bundle_path=str(bad))
    assert all(n == 0 for n in reference_counts(target).values())


def test_missing_bundle_file(
    tmp_path: Path, target: sa.Engine, hooks: HookCache, do_import: Callable[..., StepContext]
) -> None:
    with pytest.raises(rb.BundleError, match="no such file"):
        do_import(hooks, bundle_path=str(tmp_path / "nope.tar.gz"))


# --------------------------------------------------------------------------------------------------
# import and export
# --------------------------------------------------------------------------------------------------


def test_round_trip_export_import_gives_identical_rows(
    tmp_path: Path,
    curated: Path,
    target: sa.Engine,
    hooks: HookCache,
    reference_ctx: Callable[..., StepContext],
    register: Callable[..., None],
    do_import: Callable[..., StepContext],
) -> None:
    do_import(hooks, bundle_path=str(curated))
    exports = tmp_path / "exports"
    exports.mkdir()
    ctx = reference_ctx(hooks, step="EXPORT_REFERENCE", source_connector="nomasx1", output_path=str(exports))
    preload.export_reference(ctx)
    [exported] = exports.iterdir()
    assert re.fullmatch(r"nomasx1-reference-\d{8}T\d{6}Z\.tar\.gz", exported.name)
    assert ctx.result.rows == {
        name: (len(FIXTURE_CSV[name].splitlines()) - 1) * (2 if name.startswith("sod_") else 1)
        for name in nomasx1.REFERENCE_TABLES
    }
    manifest = rb.verify_bundle(exported)
    assert manifest.schema_revision == bootstrap.current_revision(target, "nomasx1")
    assert "connection 'nomasx1'" in manifest.source and "schema nomasx1" in manifest.source

    bootstrap.init_schema(target, "copy")  # an empty schema in the same database
    register(target, "copy", 10, 11)
    ctx = do_import(hooks, bundle_path=str(exported), schema="copy")
    assert sum(ctx.result.rows.values()) == 2 * APP_ROWS + GLOBAL_ROWS
    original, copy = snapshot(target), snapshot(target, "copy")
    assert all(original[name] for name in nomasx1.REFERENCE_TABLES)
    for name in nomasx1.REFERENCE_TABLES:
        assert copy[name] == original[name], name

    # rows ordered by key, fixed mtimes and no gzip timestamp: equal data, equal bytes
    a = preload.export_reference_bundle(target, "nomasx1", tmp_path / "a.tar.gz", source="s", created_at=WHEN)
    b = preload.export_reference_bundle(target, "copy", tmp_path / "b.tar.gz", source="s", created_at=WHEN)
    assert a.path.read_bytes() == b.path.read_bytes()


def test_replace_false_twice_inserts_nothing_the_second_time(
    curated: Path,
    target: sa.Engine,
    hooks: HookCache,
    do_import: Callable[..., StepContext],
) -> None:
    first = do_import(hooks, bundle_path=str(curated))
    assert sum(first.result.rows.values()) == GLOBAL_ROWS + 2 * APP_ROWS
    assert first.result.rows["sod_objects"] == 6
    before = snapshot(target)
    second = do_import(hooks, bundle_path=str(curated))
    assert second.result.rows == dict.fromkeys(nomasx1.REFERENCE_TABLES, 0)
    assert snapshot(target) == before


def test_replace_false_keeps_local_edits_and_adds_missing_rows(
    curated: Path,
    target: sa.Engine,
    hooks: HookCache,
    do_import: Callable[..., StepContext],
) -> None:
    do_import(hooks, bundle_path=str(curated))
    with target.begin() as conn:
        conn.execute(sa.text("UPDATE nomasx1.settings_lic_metrics SET name = 'Local name' WHERE metric_id = 10"))
        conn.execute(sa.text("DELETE FROM nomasx1.settings_lic_metrics WHERE metric_id = 20"))
    ctx = do_import(hooks, bundle_path=str(curated))
    assert ctx.result.rows["settings_lic_metrics"] == 1
    assert [r[:2] for r in snapshot(target)["settings_lic_metrics"]] == [(10, "Local name"), (20, "Processor")]


def test_replace_true_replaces_global_rows_and_the_target_applications_rows(
    curated: Path,
    target: sa.Engine,
    hooks: HookCache,
    do_import: Callable[..., StepContext],
) -> None:
    do_import(hooks, bundle_path=str(curated))
    expected = snapshot(target)
    with target.begin() as conn:
        conn.execute(sa.text("UPDATE nomasx1.sod_process SET name = 'edited' WHERE apps_id = 10"))
        conn.execute(sa.text("UPDATE nomasx1.sod_process SET name = 'kept' WHERE apps_id = 11 AND process_id = 'R2R'"))
        conn.execute(sa.text("INSERT INTO nomasx1.sod_process VALUES (10, 'XX', 'local only', NULL)"))
        conn.execute(sa.text("INSERT INTO nomasx1.settings_lic_metrics VALUES (99, 'Local metric', NULL)"))
    ctx = do_import(hooks, bundle_path=str(curated), replace=True, target_apps_ids="10")
    assert ctx.result.rows["sod_process"] == 2 and ctx.result.rows["settings_lic_metrics"] == 2
    after = snapshot(target)
    for name in nomasx1.REFERENCE_TABLES:
        if name != "sod_process":
            assert after[name] == expected[name], name
    # application 10: exactly the bundle; application 11: untouched (its local edit stays)
    assert [r for r in after["sod_process"] if r[0] == 10] == [r for r in expected["sod_process"] if r[0] == 10]
    assert [r[2] for r in after["sod_process"] if r[0] == 11] == ["Procure to pay", "kept"]
    assert "replaced" in ctx.result.message and "skipped" in ctx.result.message


def test_failure_half_way_leaves_the_previous_rows(
    tmp_path: Path,
    curated: Path,
    target: sa.Engine,
    hooks: HookCache,
    do_import: Callable[..., StepContext],
) -> None:
    do_import(hooks, bundle_path=str(curated))
    before = snapshot(target)
    # a well-formed bundle whose last table breaks a constraint: the pair must be ordered
    with (
        rb.open_bundle(curated) as good,
        rb.BundleWriter(tmp_path / "broken.tar.gz", source="test", schema_revision="0002") as writer,
    ):
        for entry in good.tables:
            rows = list(good.rows(entry.name))
            if entry.name == "sod_matrix":
                rows.append((10, "P2P", "P2P03", "P2P01", None, "High", None))
            writer.add_table(entry.name, rows, entry.columns)
    rb.verify_bundle(tmp_path / "broken.tar.gz")
    with pytest.raises(Nomasx1Error, match="inserting into sod_matrix.*ck_sod_matrix_ordered_pair.*rolled back"):
        do_import(hooks, bundle_path=str(tmp_path / "broken.tar.gz"), replace=True)
    assert snapshot(target) == before


def test_target_apps_ids_restricts_app_scoped_rows(
    curated: Path, target: sa.Engine, hooks: HookCache, do_import: Callable[..., StepContext]
) -> None:
    ctx = do_import(hooks, bundle_path=str(curated), target_apps_ids="11")
    rows = snapshot(target)
    for name in nomasx1.REFERENCE_TABLES:
        if name.startswith("sod_"):
            assert rows[name] and {r[0] for r in rows[name]} == {11}, name
        else:
            assert len(rows[name]) == len(FIXTURE_CSV[name].splitlines()) - 1, name
    assert ctx.result.rows["sod_objects"] == 3
    with pytest.raises(ConfigurationError, match="names application\\(s\\) 12 but the bundle .* has SoD rows only for"):
        do_import(hooks, bundle_path=str(curated), target_apps_ids="11, 12")
    with pytest.raises(ConfigurationError, match="'x' is not an application id"):
        do_import(hooks, bundle_path=str(curated), target_apps_ids="10,x")


def test_missing_application_is_refused_with_the_command(
    tmp_path: Path,
    data_dir: Path,
    target: sa.Engine,
    hooks: HookCache,
    reference_counts: Callable[..., dict[str, int]],
    do_import: Callable[..., StepContext],
) -> None:
    bundle = rb.build_curated_bundle(tmp_path / "b.tar.gz", apps_id=[10, 12, 13], data_dir=data_dir, created_at=WHEN)
    with pytest.raises(ConfigurationError) as caught:
        do_import(hooks, bundle_path=str(bundle))
    message = str(caught.value)
    assert "application(s) 12, 13 not registered in nomasx1.settings_applications" in message
    assert "`nomasx1 apps add --apps-id 12 --name NAME --url URL`" in message
    assert "`nomasx1 apps add --apps-id 13 --name NAME --url URL`" in message
    assert all(n == 0 for n in reference_counts(target).values())
    do_import(hooks, bundle_path=str(bundle), target_apps_ids="10")  # the registered one alone is fine
    assert {r[0] for r in snapshot(target)["sod_matrix"]} == {10}


def test_empty_bundle_path_builds_the_curated_bundle(
    data_dir: Path,
    target: sa.Engine,
    hooks: HookCache,
    do_import: Callable[..., StepContext],
) -> None:
    ctx = do_import(hooks, data_dir=data_dir)  # bundle_path "" -> curated, stamped for application 10
    assert {r[0] for r in snapshot(target)["sod_objects"]} == {10}
    assert sum(ctx.result.rows.values()) == GLOBAL_ROWS + APP_ROWS
    do_import(hooks, target_apps_ids="11", data_dir=data_dir)  # curated stamped for 11 this time
    assert {r[0] for r in snapshot(target)["sod_objects"]} == {10, 11}


def test_schema_not_initialised_or_too_old(
    tmp_path: Path,
    curated: Path,
    target: sa.Engine,
    hooks: HookCache,
    reference_ctx: Callable[..., StepContext],
    do_import: Callable[..., StepContext],
) -> None:
    with pytest.raises(ConfigurationError, match="schema 'other' does not exist .* run the nomasx1-init-schema-1 job"):
        do_import(hooks, bundle_path=str(curated), schema="other")
    with target.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA old"))
        command.upgrade(bootstrap.alembic_config(conn, "old"), "0001")
    with pytest.raises(ConfigurationError, match="revision 0001, older .* run the nomasx1-upgrade-schema-1 job"):
        do_import(hooks, bundle_path=str(curated), schema="old")
    ctx = reference_ctx(
        hooks, step="EXPORT_REFERENCE", source_connector="nomasx1", output_path=str(tmp_path), schema="old"
    )
    with pytest.raises(ConfigurationError, match="nomasx1-upgrade-schema-1"):
        preload.export_reference(ctx)
    assert not list(tmp_path.glob("nomasx1-reference-*"))


def test_target_table_lacking_a_bundle_column_is_refused(
    curated: Path,
    target: sa.Engine,
    hooks: HookCache,
    reference_counts: Callable[..., dict[str, int]],
    do_import: Callable[..., StepContext],
) -> None:
    with target.begin() as conn:
        conn.execute(sa.text("ALTER TABLE nomasx1.sod_risks DROP COLUMN default_level"))
    with pytest.raises(ConfigurationError, match=r"nomasx1.sod_risks has no column\(s\) default_level"):
        do_import(hooks, bundle_path=str(curated))
    assert all(n == 0 for n in reference_counts(target).values())


def test_run_step_writes_the_audit_row(
    curated: Path, target: sa.Engine, hooks: HookCache, reference_ctx: Callable[..., StepContext]
) -> None:
    ctx = reference_ctx(hooks, bundle_path=str(curated), replace="false", target_apps_ids="10")
    out = run_step(preload.import_reference, ctx, job_id="nomasx1-import-reference")
    assert out["rows"]["sod_matrix"] == 2
    with target.connect() as conn:
        row = conn.execute(sa.text("SELECT status, rows_written, message FROM nomasx1.collect_audit")).one()
    assert row.status == "success" and row.rows_written == GLOBAL_ROWS + APP_ROWS
    assert row.message.startswith(f"imported {GLOBAL_ROWS + APP_ROWS} rows into 14 reference tables")


@pytest.mark.skipif(
    not all((rb.DEFAULT_DATA_DIR / f"{t}.csv").is_file() for t in nomasx1.REFERENCE_TABLES),
    reason="the curated CSV files are not in reference/data yet",
)
def test_the_shipped_curated_data_imports_and_round_trips(tmp_path: Path, target: sa.Engine) -> None:
    built = rb.build_curated_bundle(tmp_path / "curated.tar.gz")
    manifest = rb.verify_bundle(built)
    report = preload.import_reference_bundle(target, "nomasx1", built, target_apps_ids="10")
    assert report.inserted == {t.name: t.rows for t in manifest.tables}
    again = preload.import_reference_bundle(target, "nomasx1", None)
    assert sum(again.inserted.values()) == 0
    exported = preload.export_reference_bundle(target, "nomasx1", tmp_path)
    assert exported.rows == report.inserted
