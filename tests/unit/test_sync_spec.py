"""The mirror sync's copy spec without a database: validation, and the same copy options refused by
the run and by the spec check (the engine itself runs on PostgreSQL in tests/integration/test_sync.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from airflow_provider_nomasx1.collectors.sync import (
    CopySpec,
)
from airflow_provider_nomasx1.errors import ConfigurationError


def test_spec_validation() -> None:
    with pytest.raises(ConfigurationError, match="Unknown sql_copy option"):
        CopySpec.from_options({"source_table": "F0005", "source_schema": "control", "moda": "append"})
    with pytest.raises(ConfigurationError, match="needs a key"):
        CopySpec.from_options({"source_table": "F0005", "source_schema": "control", "mode": "upsert"})
    with pytest.raises(ConfigurationError, match="mode"):
        CopySpec.from_options({"source_table": "F0005", "source_schema": "control", "mode": "merge"})
    with pytest.raises(ConfigurationError, match="source_schema"):
        CopySpec.from_options({"source_table": "F0005"})
    with pytest.raises(ConfigurationError, match="Invalid"):
        CopySpec.from_options({"source_table": "F0005; drop", "source_schema": "control"})
    with pytest.raises(ConfigurationError, match="filter"):
        CopySpec.from_options({"source_table": "F0005", "source_schema": "control", "filter": "1=1; drop table x"})
    spec = CopySpec.from_options(
        {"source_table": "F0005", "source_schema": "control", "strip_both_columns": ["DRKY"], "key": ["DRSY"]}
    )
    assert spec.target_table == "f0005" and spec.strip_both_columns == ("drky",) and spec.key == ("drsy",)


# --- one model for the spec check and the run ----------------------------------------------------

#: sql_copy blocks the run refuses and the spec check must refuse too (the same model): reason expected
REFUSED_COPY_OPTIONS = [
    ({"filter": "drsy = '55'; drop table x"}, "without ';' or comments"),
    ({"filter": "drsy = '55' -- all"}, "without ';' or comments"),
    ({"filter": "  "}, "non-empty SQL condition"),
    ({"target_table": "t" * 57}, "too long: at most 56 bytes"),
    ({"source_table": "F" * 57}, "too long: at most 56 bytes"),
    ({"target_table": "f0005__stage"}, "may not end in '__stage'"),
    ({"target_table": "mirror_refresh"}, "a table the sync keeps itself"),
    ({"key": ["drsy"], "columns": ["drrt", "drky"]}, "must be among the copied columns"),
    ({"columns": ["drky", "DRKY"]}, "listed twice"),
    ({"allow_empty": "yes"}, 'must be true or false, not "yes"'),
    ({"key": "drsy"}, 'must be a list, not "drsy"'),
]


@pytest.mark.parametrize(("change", "reason"), REFUSED_COPY_OPTIONS)
def test_run_and_spec_check_refuse_the_same_copy_options(tmp_path: Path, change: dict, reason: str) -> None:
    from airflow_provider_nomasx1.dagspec.loader import SpecFileError, read_spec

    options = {"source_schema": "control", "source_table": "F0005", **change}
    with pytest.raises(ConfigurationError, match=re.escape(reason)):
        CopySpec.from_options(options)
    spec = {
        "dag_id": "nomasx1-copy-1",
        "family": "sync",
        "display_name": "copy",
        "description": "one copy",
        "steps": [{"id": "COPY", "sql_copy": options}],
    }
    path = tmp_path / "nomasx1-copy-1.yaml"
    path.write_text(yaml.safe_dump(spec))
    with pytest.raises(SpecFileError) as info:
        read_spec(path)
    [problem] = info.value.problems
    assert problem.key.startswith("steps[0].sql_copy") and reason in problem.reason, problem


def test_copy_spec_built_directly_is_checked_by_the_model() -> None:
    with pytest.raises(ConfigurationError, match="without ';' or comments"):
        CopySpec(source_table="F0005", source_schema="control", filter="1=1; drop table x")
    spec = CopySpec.from_options({"source_schema": "control", "source_table": "F0005", "columns": ["DRKY"]})
    assert spec.target_table == "f0005" and spec.columns == ("drky",)
