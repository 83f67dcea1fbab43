"""Reference bundles: format, writer, the verifier's refusals, and the export / import jobs on real PostgreSQL."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import logging
import re
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.collectors import preload
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error
from airflow_provider_nomasx1.operators.step import HookCache, run_step
from airflow_provider_nomasx1.reference import bundle as rb
from airflow_provider_nomasx1.schema import bootstrap, nomasx1

LOG = logging.getLogger("test.reference")
WHEN = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)

# --------------------------------------------------------------------------------------------------
# a small curated data set (every reference table, foreign keys satisfied)
# --------------------------------------------------------------------------------------------------

FIXTURE_CSV = {
    "settings_lic_metrics": "metric_id,name,description\n10,Application User,Named user of JD Edwards\n20,Processor,\n",
    "settings_lic_components": (
        "component_id,price_list,family,name,description\n"
        '1000,JD Edwards,Financial Management,General Accounting,"GL, AP and AR"\n'
        "2003,Technology,Database,Oracle Database Enterprise Edition,\n"
        "2106,Technology,Database Options,Advanced Compression,Compression avancée\n"
    ),
    "settings_jde_sy": (
        "system_code,description,module,e1_component,component_id\n"
        "09,General Accounting,Finance,General Accounting,1000\n"
        "00,Foundation,,,\n"
    ),
    "settings_jde_rclst": 'object_name,system_code,reason\nP03013,09,"counted with ""GL"""\n',
    "settings_jde_prereq": "component_id,prerequisite_id\n2106,2003\n",
    "settings_jde_restrictions": "component_id,restriction_id,restriction\n2003,1,Restricted use with JD Edwards\n",
    "settings_db_versions": "edition,component_id\nEnterprise Edition,2003\n",
    "settings_db_options": (
        "option_name,component_id,requires_edition,description\nAdvanced Compression,2106,Enterprise Edition,\n"
    ),
    "settings_db_features": (
        "feature_name,option_name,condition,description\n"
        "Advanced Index Compression,Advanced Compression,,\n"
        "OLTP Table Compression,Advanced Compression,,\n"
    ),
    "sod_process": "process_id,name,description\nP2P,Procure to pay,\nR2R,Record to report,Close the books\n",
    "sod_risks": "risk_id,name,description,default_level\nR01,Fictitious vendor,,High\n",
    "sod_activities": (
        "activity_id,process_id,name,description,action\n"
        "P2P01,P2P,Maintain vendors,,run\n"
        "P2P02,P2P,Enter vouchers,,add\n"
        "P2P03,P2P,Pay vouchers,,\n"
    ),
    "sod_objects": (
        "activity_id,object_name,form_name,version,description\n"
        "P2P01,P01012,,,\n"
        "P2P02,P0411,W0411A,,\n"
        "P2P03,P04571,,ZJDE0001,\n"
    ),
    "sod_matrix": (
        "process_id,activity1_id,activity2_id,risk_id,risk_level,description\n"
        "P2P,P2P01,P2P02,R01,High,\n"
        "P2P,P2P02,P2P03,,Medium,\n"
    ),
}
GLOBAL_ROWS = 14  # rows of the settings_* fixtures
APP_ROWS = 11  # rows of the sod_* fixtures, per application


def write_fixture(folder: Path, **overrides: str | None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for table, text in {**FIXTURE_CSV, **overrides}.items():
        if text is not None:
            (folder / f"{table}.csv").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return write_fixture(tmp_path / "data")


@pytest.fixture
def curated(tmp_path: Path, data_dir: Path) -> Path:
    """A curated bundle of the fixture data, SoD rows for applications 10 and 11."""
    return rb.build_curated_bundle(tmp_path / "curated.tar.gz", apps_id=[10, 11], data_dir=data_dir, created_at=WHEN)


# --------------------------------------------------------------------------------------------------
# database fixtures and helpers
# --------------------------------------------------------------------------------------------------


@pytest.fixture
def target(pg_url: URL, monkeypatch: pytest.MonkeyPatch) -> Iterator[sa.Engine]:
    """A bootstrapped nomasx1 schema with applications 10 and 11, as Airflow connection `nomasx1`."""
    for key, value in testing.connection_env("nomasx1", pg_url).items():
        monkeypatch.setenv(key, value)
    engine = sa.create_engine(pg_url)
    bootstrap.init_schema(engine, "nomasx1")
    register(engine, "nomasx1", 10, 11)
    yield engine
    engine.dispose()


@pytest.fixture
def hooks() -> Iterator[HookCache]:
    cache = HookCache()
    yield cache
    cache.close()


def register(engine: sa.Engine, schema: str, *apps_ids: int) -> None:
    with engine.begin() as conn:
        for apps_id in apps_ids:
            conn.execute(
                sa.text(f"INSERT INTO {schema}.settings_applications (apps_id, apps_name) VALUES (:a, :n)"),
                {"a": apps_id, "n": f"JDE {apps_id}"},
            )


def make_ctx(hooks: HookCache, step: str = "IMPORT_REFERENCE", **params: Any) -> StepContext:
    return StepContext(
        dag_id="nomasx1-import-reference" if step == "IMPORT_REFERENCE" else "nomasx1-export-reference",
        step=step,
        run_id="manual__test",
        params={"target_connector": "nomasx1", "target_schema": "nomasx1", "schema": "nomasx1", **params},
        log=LOG,
        hook_factory=hooks,
    )


def do_import(hooks: HookCache, **params: Any) -> StepContext:
    ctx = make_ctx(hooks, **{"bundle_path": "", "replace": False, "target_apps_ids": "", **params})
    preload.import_reference(ctx)
    return ctx


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


def counts(engine: sa.Engine, schema: str = "nomasx1") -> dict[str, int]:
    with engine.connect() as conn:
        return {
            name: conn.execute(sa.text(f"SELECT count(*) FROM {schema}.{name}")).scalar()
            for name in nomasx1.REFERENCE_TABLES
        }


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


# --------------------------------------------------------------------------------------------------
# hand-crafted archives
# --------------------------------------------------------------------------------------------------


def tar_bytes(entries: list[tuple[tarfile.TarInfo | str, bytes | None]], fmt: int = tarfile.GNU_FORMAT) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tar:
        for info, data in entries:
            if isinstance(info, str):
                info = tarfile.TarInfo(info)
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return gzip.compress(raw.getvalue(), mtime=0)


def rebuild(
    good: Path,
    out: Path,
    *,
    manifest: Callable[[dict], Any] | None = None,
    files: Callable[[dict[str, bytes]], Any] | None = None,
    extra: list[tuple[tarfile.TarInfo | str, bytes | None]] = (),
    rehash: bool = False,
) -> Path:
    """Copy a good bundle with its manifest and/or members edited (``rehash``: fix the sha256s)."""
    content = members(good)
    doc = json.loads(content.pop("manifest.json"))
    if files:
        files(content)
    if rehash:
        for table in doc["tables"]:
            if table["file"] in content:
                table["sha256"] = hashlib.sha256(content[table["file"]]).hexdigest()
    if manifest:
        manifest(doc)
    entries = [("manifest.json", json.dumps(doc).encode()), *content.items(), *extra]
    out.write_bytes(tar_bytes(entries))
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


# --------------------------------------------------------------------------------------------------
# building bundles
# --------------------------------------------------------------------------------------------------


def test_curated_bundle_layout_and_manifest(curated: Path) -> None:
    content = members(curated)
    with tarfile.open(curated, "r:gz") as tar:
        infos = tar.getmembers()
    assert [m.name for m in infos] == ["manifest.json"] + [f"{t}.jsonl" for t in nomasx1.REFERENCE_TABLES]
    assert all(m.isreg() and m.mode == 0o644 and m.uid == 0 and m.mtime == int(WHEN.timestamp()) for m in infos)
    doc = json.loads(content["manifest.json"])
    assert doc["format"] == "nomasx1-reference" and doc["format_version"] == 1
    assert doc["schema_revision"] == bootstrap.head_revision()
    assert doc["created_at"] == "2026-11-28T12:00:00Z"
    assert "apps_id 10, 11" in doc["source"]
    assert [t["name"] for t in doc["tables"]] == list(nomasx1.REFERENCE_TABLES)
    for table in doc["tables"]:
        data = content[table["file"]]
        assert table["sha256"] == hashlib.sha256(data).hexdigest()
        assert table["rows"] == data.count(b"\n")
    sod = {t["name"]: t for t in doc["tables"]}["sod_objects"]
    assert sod["columns"] == ["apps_id", "activity_id", "object_name", "form_name", "version", "description"]
    assert sod["rows"] == 6  # 3 rows stamped for each of the two applications


def test_csv_cells_are_typed_by_column(curated: Path) -> None:
    content = members(curated)

    def rows(table: str) -> list[dict]:
        return [json.loads(line) for line in content[f"{table}.jsonl"].decode().splitlines()]

    assert rows("settings_lic_metrics") == [
        {"metric_id": 10, "name": "Application User", "description": "Named user of JD Edwards"},
        {"metric_id": 20, "name": "Processor", "description": None},  # empty nullable cell -> null
    ]
    assert rows("settings_lic_components")[0]["description"] == "GL, AP and AR"
    assert rows("settings_lic_components")[2]["description"] == "Compression avancée"  # UTF-8 kept
    assert rows("settings_jde_sy")[1] == {
        "system_code": "00",  # a code stays text
        "description": "Foundation",
        "module": None,
        "e1_component": None,
        "component_id": None,
    }
    assert rows("settings_jde_rclst")[0]["reason"] == 'counted with "GL"'
    objects = rows("sod_objects")
    assert objects[0] == {
        "apps_id": 10,
        "activity_id": "P2P01",
        "object_name": "P01012",
        "form_name": "",  # NOT NULL with a '' default -> ''
        "version": "",
        "description": None,
    }
    assert {o["apps_id"] for o in objects} == {10, 11}
    assert rows("sod_activities")[2]["action"] == "run"  # NOT NULL with a literal default -> that default


def test_same_data_gives_the_same_bytes(tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    one = rb.build_curated_bundle(tmp_path / "one.tar.gz", data_dir=data_dir, created_at=WHEN)
    two = rb.build_curated_bundle(tmp_path / "two.tar.gz", data_dir=data_dir, created_at=WHEN)
    assert one.read_bytes() == two.read_bytes()
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(int(WHEN.timestamp())))
    three = rb.build_curated_bundle(tmp_path / "three.tar.gz", data_dir=data_dir)
    assert three.read_bytes() == one.read_bytes()


def test_a_folder_output_gets_a_file_name(tmp_path: Path, data_dir: Path) -> None:
    path = rb.build_curated_bundle(tmp_path, data_dir=data_dir, created_at=WHEN)
    assert path == tmp_path / "nomasx1-reference-curated.tar.gz" and path.is_file()
    assert rb.verify_bundle(path).total_rows == GLOBAL_ROWS + APP_ROWS


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"sod_matrix": None}, r"lacks sod_matrix\.csv"),
        ({"sod_process": "apps_id,process_id,name\n10,P2P,x\n"}, "remove the apps_id column"),
        ({"settings_lic_metrics": "metric_id,name,colour\n1,a,red\n"}, "unknown column\\(s\\) 'colour'"),
        ({"settings_lic_metrics": "metric_id,description\n1,a\n"}, r"required column\(s\) name missing"),
        (
            {"settings_lic_metrics": "metric_id,name\n10,a\nten,b\n"},
            r"settings_lic_metrics\.csv line 3: column 'metric_id': expected an integer, got 'ten'",
        ),
        ({"settings_lic_metrics": "metric_id,name\n10,a\n11\n"}, r"line 3: 1 cells for 2 columns"),
        ({"settings_lic_metrics": "metric_id,name\n10,\n"}, r"column 'name' is required \(NOT NULL\)"),
        ({"settings_lic_metrics": "metric_id,name\n10,a\n10,b\n"}, r"line 3: duplicate key \{'metric_id': 10\}"),
        ({"settings_lic_metrics": ""}, "is empty"),
    ],
)
def test_bad_curated_data_is_refused(tmp_path: Path, overrides: dict, expected: str) -> None:
    folder = write_fixture(tmp_path / "data", **overrides)
    if overrides.get("sod_matrix", "") is None:
        (folder / "sod_matrix.csv").unlink(missing_ok=True)
    with pytest.raises(ConfigurationError, match=expected):
        rb.build_curated_bundle(tmp_path / "out.tar.gz", data_dir=folder, created_at=WHEN)
    assert not (tmp_path / "out.tar.gz").exists()
    assert not list(tmp_path.glob(".out.tar.gz.*")), "a temporary file was left behind"


def test_writer_failure_leaves_no_file(tmp_path: Path) -> None:
    output = tmp_path / "b.tar.gz"
    output.write_bytes(b"previous bundle")

    def rows() -> Iterator[tuple]:
        yield (1, "a", None)
        raise RuntimeError("source went away")

    with pytest.raises(RuntimeError), rb.BundleWriter(output, source="test", schema_revision="0002") as writer:
        writer.add_table("settings_lic_metrics", rows())
    assert output.read_bytes() == b"previous bundle"
    assert [p.name for p in tmp_path.iterdir()] == ["b.tar.gz"]


def test_writer_checks_values_and_columns(tmp_path: Path) -> None:
    writer = rb.BundleWriter(tmp_path / "b.tar.gz", source="test", schema_revision="0002")
    with pytest.raises(ConfigurationError, match=r"row 1: column 'metric_id': expected an integer, got '1'"):
        writer.add_table("settings_lic_metrics", [("1", "a", None)])
    with pytest.raises(ConfigurationError, match=r"row 1: column 'name' is NOT NULL but the value is null"):
        writer.add_table("settings_lic_metrics", [(1, None, None)])
    with pytest.raises(ConfigurationError, match=r"has no column\(s\) colour"):
        writer.add_table("settings_lic_metrics", [], columns=["metric_id", "name", "colour"])
    with pytest.raises(ConfigurationError, match="'settings_applications' is not a reference table"):
        writer.add_table("settings_applications", [])
    writer.discard()


# --------------------------------------------------------------------------------------------------
# the verifier
# --------------------------------------------------------------------------------------------------


def test_good_bundle_verifies_and_reads_typed_rows(curated: Path) -> None:
    with rb.open_bundle(curated) as bundle:
        assert bundle.apps_ids["sod_process"] == {10, 11}
        assert bundle.all_apps_ids == {10, 11}
        rows = list(bundle.rows("sod_objects"))
    assert rows[0] == (10, "P2P01", "P01012", "", "", None)


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
    case: str, tmp_path: Path, curated: Path, target: sa.Engine, hooks: HookCache
) -> None:
    do_import(hooks, bundle_path=str(curated))
    before = snapshot(target)
    make, expected = BAD_BUNDLES[case]
    bad = make(curated, tmp_path / "bad.tar.gz")
    with pytest.raises(rb.BundleError, match=expected) as caught:
        do_import(hooks, bundle_path=str(bad), replace=True)
    assert str(bad) in str(caught.value) and "Nothing was changed" in str(caught.value)
    assert snapshot(target) == before


def test_oversized_member_is_refused(tmp_path: Path, curated: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rb, "MAX_MEMBER_BYTES", 200)
    with pytest.raises(rb.BundleError, match=r"member manifest.json is [0-9,]+ bytes, over the 200-byte member limit"):
        rb.verify_bundle(curated)


def test_duplicate_keys_in_a_bundle_are_refused(tmp_path: Path, curated: Path, target: sa.Engine, hooks: HookCache):
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
    assert all(n == 0 for n in counts(target).values())


def test_missing_bundle_file(tmp_path: Path, target: sa.Engine, hooks: HookCache) -> None:
    with pytest.raises(rb.BundleError, match="no such file"):
        do_import(hooks, bundle_path=str(tmp_path / "nope.tar.gz"))


# --------------------------------------------------------------------------------------------------
# import and export
# --------------------------------------------------------------------------------------------------


def test_round_trip_export_import_gives_identical_rows(
    tmp_path: Path, curated: Path, target: sa.Engine, hooks: HookCache
) -> None:
    do_import(hooks, bundle_path=str(curated))
    exports = tmp_path / "exports"
    exports.mkdir()
    ctx = make_ctx(hooks, step="EXPORT_REFERENCE", source_connector="nomasx1", output_path=str(exports))
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
    curated: Path, target: sa.Engine, hooks: HookCache
) -> None:
    first = do_import(hooks, bundle_path=str(curated))
    assert sum(first.result.rows.values()) == GLOBAL_ROWS + 2 * APP_ROWS
    assert first.result.rows["sod_objects"] == 6
    before = snapshot(target)
    second = do_import(hooks, bundle_path=str(curated))
    assert second.result.rows == dict.fromkeys(nomasx1.REFERENCE_TABLES, 0)
    assert snapshot(target) == before


def test_replace_false_keeps_local_edits_and_adds_missing_rows(
    curated: Path, target: sa.Engine, hooks: HookCache
) -> None:
    do_import(hooks, bundle_path=str(curated))
    with target.begin() as conn:
        conn.execute(sa.text("UPDATE nomasx1.settings_lic_metrics SET name = 'Local name' WHERE metric_id = 10"))
        conn.execute(sa.text("DELETE FROM nomasx1.settings_lic_metrics WHERE metric_id = 20"))
    ctx = do_import(hooks, bundle_path=str(curated))
    assert ctx.result.rows["settings_lic_metrics"] == 1
    assert [r[:2] for r in snapshot(target)["settings_lic_metrics"]] == [(10, "Local name"), (20, "Processor")]


def test_replace_true_replaces_global_rows_and_the_target_applications_rows(
    curated: Path, target: sa.Engine, hooks: HookCache
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
    tmp_path: Path, curated: Path, target: sa.Engine, hooks: HookCache
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


def test_target_apps_ids_restricts_app_scoped_rows(curated: Path, target: sa.Engine, hooks: HookCache) -> None:
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
    tmp_path: Path, data_dir: Path, target: sa.Engine, hooks: HookCache
) -> None:
    bundle = rb.build_curated_bundle(tmp_path / "b.tar.gz", apps_id=[10, 12, 13], data_dir=data_dir, created_at=WHEN)
    with pytest.raises(ConfigurationError) as caught:
        do_import(hooks, bundle_path=str(bundle))
    message = str(caught.value)
    assert "application(s) 12, 13 not registered in nomasx1.settings_applications" in message
    assert "`nomasx1 apps add --apps-id 12 --name NAME --url URL`" in message
    assert "`nomasx1 apps add --apps-id 13 --name NAME --url URL`" in message
    assert all(n == 0 for n in counts(target).values())
    do_import(hooks, bundle_path=str(bundle), target_apps_ids="10")  # the registered one alone is fine
    assert {r[0] for r in snapshot(target)["sod_matrix"]} == {10}


def test_empty_bundle_path_builds_the_curated_bundle(
    data_dir: Path, target: sa.Engine, hooks: HookCache, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rb, "DEFAULT_DATA_DIR", data_dir)
    ctx = do_import(hooks)  # bundle_path "" -> curated, stamped for application 10
    assert {r[0] for r in snapshot(target)["sod_objects"]} == {10}
    assert sum(ctx.result.rows.values()) == GLOBAL_ROWS + APP_ROWS
    do_import(hooks, target_apps_ids="11")  # curated stamped for 11 this time
    assert {r[0] for r in snapshot(target)["sod_objects"]} == {10, 11}


@pytest.mark.parametrize("param", ["schema", "target_schema"])
@pytest.mark.parametrize("step", ["IMPORT_REFERENCE", "EXPORT_REFERENCE"])
def test_bad_schema_param_is_rejected_before_any_sql(step: str, param: str, tmp_path: Path) -> None:
    calls: list = []
    ctx = make_ctx(
        lambda role, conn_id: calls.append((role, conn_id)),  # type: ignore[arg-type]
        step=step,
        source_connector="nomasx1",
        output_path=str(tmp_path),
        **{param: "x; drop table y", **({"schema": ""} if param == "target_schema" else {})},
    )
    function = preload.import_reference if step == "IMPORT_REFERENCE" else preload.export_reference
    with pytest.raises(ConfigurationError, match="Invalid schema name 'x; drop table y'"):
        function(ctx)
    assert calls == [], "a connection was opened before the schema name was checked"


def test_schema_not_initialised_or_too_old(tmp_path: Path, curated: Path, target: sa.Engine, hooks: HookCache) -> None:
    with pytest.raises(ConfigurationError, match="schema 'other' does not exist .* run the nomasx1-init-schema-1 job"):
        do_import(hooks, bundle_path=str(curated), schema="other")
    with target.begin() as conn:
        conn.execute(sa.text("CREATE SCHEMA old"))
        command.upgrade(bootstrap.alembic_config(conn, "old"), "0001")
    with pytest.raises(ConfigurationError, match="revision 0001, older .* run the nomasx1-upgrade-schema-1 job"):
        do_import(hooks, bundle_path=str(curated), schema="old")
    ctx = make_ctx(hooks, step="EXPORT_REFERENCE", source_connector="nomasx1", output_path=str(tmp_path), schema="old")
    with pytest.raises(ConfigurationError, match="nomasx1-upgrade-schema-1"):
        preload.export_reference(ctx)
    assert not list(tmp_path.glob("nomasx1-reference-*"))


def test_target_table_lacking_a_bundle_column_is_refused(curated: Path, target: sa.Engine, hooks: HookCache) -> None:
    with target.begin() as conn:
        conn.execute(sa.text("ALTER TABLE nomasx1.sod_risks DROP COLUMN default_level"))
    with pytest.raises(ConfigurationError, match=r"nomasx1.sod_risks has no column\(s\) default_level"):
        do_import(hooks, bundle_path=str(curated))
    assert all(n == 0 for n in counts(target).values())


def test_output_path_must_be_a_folder_or_a_tar_gz(tmp_path: Path) -> None:
    assert preload.resolve_output(tmp_path, WHEN) == tmp_path / "nomasx1-reference-20261128T120000Z.tar.gz"
    assert preload.resolve_output(tmp_path / "x.tar.gz") == tmp_path / "x.tar.gz"
    with pytest.raises(ConfigurationError, match="neither an existing folder nor"):
        preload.resolve_output(tmp_path / "missing-folder")
    with pytest.raises(ConfigurationError, match="does not exist"):
        preload.resolve_output(tmp_path / "missing" / "x.tar.gz")


def test_run_step_writes_the_audit_row(curated: Path, target: sa.Engine, hooks: HookCache) -> None:
    ctx = make_ctx(hooks, bundle_path=str(curated), replace="false", target_apps_ids="10")
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


def test_duplicate_json_keys_in_a_row_are_refused(tmp_path: Path, curated: Path) -> None:
    def twice(content: dict[str, bytes]) -> None:
        lines = content["sod_risks.jsonl"].split(b"\n")
        lines[0] = lines[0][:-1] + b',"name":"Other"}'
        content["sod_risks.jsonl"] = b"\n".join(lines)

    bad = rebuild(curated, tmp_path / "twice.tar.gz", files=twice, rehash=True)
    with pytest.raises(rb.BundleError, match=r"sod_risks.jsonl line 1: not a JSON object \(key\(s\) name appear twice"):
        rb.verify_bundle(bad)


def test_job_specs() -> None:
    from airflow.sdk.definitions.param import ParamValidationError

    from airflow_provider_nomasx1.dagspec.bundle import build_bundle
    from airflow_provider_nomasx1.resources import bundle_dir

    dags, problems = build_bundle(bundle_dir() / "jobs")
    assert problems == []
    export, imp = dags["nomasx1-export-reference"], dags["nomasx1-import-reference"]
    for dag, step in ((export, "EXPORT_REFERENCE"), (imp, "IMPORT_REFERENCE")):
        assert dag.is_paused_upon_creation and dag.schedule is None and "preload" in dag.tags
        [task] = dag.tasks
        assert task.task_id == step and task.retries == 1
        dag.params.validate()
    assert {k: export.params[k] for k in export.params} == {
        "source_connector": "nomasx1",
        "schema": "nomasx1",
        "output_path": "/tmp",
        "target_connector": "nomasx1",
        "target_schema": "nomasx1",
    }
    assert {k: imp.params[k] for k in imp.params} == {
        "target_connector": "nomasx1",
        "schema": "nomasx1",
        "bundle_path": "",
        "replace": False,
        "target_apps_ids": "",
    }
    apps = imp.params.get_param("target_apps_ids")
    assert apps.resolve(value="10, 11") == "10, 11"
    with pytest.raises(ParamValidationError):
        apps.resolve(value="10;drop")
    with pytest.raises(ParamValidationError):
        imp.params.get_param("schema").resolve(value="x; drop table y")


@pytest.mark.airflow
def test_both_jobs_through_airflow(tmp_path: Path, curated: Path, target: sa.Engine, airflow_db: str) -> None:
    imported = testing.run_bundled_dag(
        "nomasx1-import-reference", conf={"bundle_path": str(curated), "target_apps_ids": "10"}
    )
    assert imported.state == "success" and imported.tasks == {"IMPORT_REFERENCE": "success"}
    assert counts(target)["sod_matrix"] == 2
    exported = testing.run_bundled_dag("nomasx1-export-reference", conf={"output_path": str(tmp_path)})
    assert exported.state == "success"
    [bundle] = tmp_path.glob("nomasx1-reference-*.tar.gz")
    assert rb.verify_bundle(bundle).total_rows == GLOBAL_ROWS + APP_ROWS
    again = testing.run_bundled_dag("nomasx1-import-reference", conf={"bundle_path": str(bundle), "replace": True})
    assert again.state == "success"
    with target.connect() as conn:
        audit = dict(conn.execute(sa.text("SELECT step, rows_written FROM nomasx1.collect_audit")).all())
    assert audit == {"IMPORT_REFERENCE": GLOBAL_ROWS + APP_ROWS, "EXPORT_REFERENCE": GLOBAL_ROWS + APP_ROWS}
