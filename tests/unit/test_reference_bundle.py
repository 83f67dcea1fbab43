"""Reference bundles without a database: format, writer, the verifier, the job specs. The import and
export on PostgreSQL are tests/integration/test_reference_bundle.py."""

from __future__ import annotations

import hashlib
import json
import tarfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support.reference_bundles import APP_ROWS, GLOBAL_ROWS, WHEN, members, rebuild

from airflow_provider_nomasx1.collectors import preload
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.errors import ConfigurationError
from airflow_provider_nomasx1.reference import bundle as rb
from airflow_provider_nomasx1.schema import bootstrap, nomasx1

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
def test_bad_curated_data_is_refused(
    tmp_path: Path, overrides: dict, expected: str, write_fixture: Callable[..., Path]
) -> None:
    folder = write_fixture(tmp_path / "data", **overrides)
    if overrides.get("sod_matrix", "") is None:
        (folder / "sod_matrix.csv").unlink(missing_ok=True)
    with pytest.raises(ConfigurationError, match=expected):
        rb.build_curated_bundle(tmp_path / "out.tar.gz", data_dir=folder, created_at=WHEN)
    assert not (tmp_path / "out.tar.gz").exists()
    assert not list(tmp_path.glob(".out.tar.gz.*")), "a temporary file was left behind"


#: settings_lic_metrics without counted_by (optional: it has a server default)
METRIC_COLUMNS = ("metric_id", "name", "description")


def test_writer_failure_leaves_no_file(tmp_path: Path) -> None:
    output = tmp_path / "b.tar.gz"
    output.write_bytes(b"previous bundle")

    def rows() -> Iterator[tuple]:
        yield (1, "a", None)
        raise RuntimeError("source went away")

    with pytest.raises(RuntimeError), rb.BundleWriter(output, source="test", schema_revision="0002") as writer:
        writer.add_table("settings_lic_metrics", rows(), columns=METRIC_COLUMNS)
    assert output.read_bytes() == b"previous bundle"
    assert [p.name for p in tmp_path.iterdir()] == ["b.tar.gz"]


def test_writer_checks_values_and_columns(tmp_path: Path) -> None:
    writer = rb.BundleWriter(tmp_path / "b.tar.gz", source="test", schema_revision="0002")
    with pytest.raises(ConfigurationError, match=r"row 1: column 'metric_id': expected an integer, got '1'"):
        writer.add_table("settings_lic_metrics", [("1", "a", None)], columns=METRIC_COLUMNS)
    with pytest.raises(ConfigurationError, match=r"row 1: column 'name' is NOT NULL but the value is null"):
        writer.add_table("settings_lic_metrics", [(1, None, None)], columns=METRIC_COLUMNS)
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


def test_oversized_member_is_refused(tmp_path: Path, curated: Path) -> None:
    with pytest.raises(rb.BundleError, match=r"member manifest.json is [0-9,]+ bytes, over the 200-byte member limit"):
        rb.verify_bundle(curated, max_member_bytes=200)


@pytest.mark.parametrize("param", ["schema", "target_schema"])
@pytest.mark.parametrize("step", ["IMPORT_REFERENCE", "EXPORT_REFERENCE"])
def test_bad_schema_param_is_rejected_before_any_sql(
    step: str, param: str, tmp_path: Path, reference_ctx: Callable[..., StepContext]
) -> None:
    calls: list = []
    ctx = reference_ctx(
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


def test_output_path_must_be_a_folder_or_a_tar_gz(tmp_path: Path) -> None:
    assert preload.resolve_output(tmp_path, WHEN) == tmp_path / "nomasx1-reference-20261128T120000Z.tar.gz"
    assert preload.resolve_output(tmp_path / "x.tar.gz") == tmp_path / "x.tar.gz"
    with pytest.raises(ConfigurationError, match="neither an existing folder nor"):
        preload.resolve_output(tmp_path / "missing-folder")
    with pytest.raises(ConfigurationError, match="does not exist"):
        preload.resolve_output(tmp_path / "missing" / "x.tar.gz")


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
