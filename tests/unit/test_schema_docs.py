"""The target schemas without a database: the view registry matches its SQL files, and
docs/schema.md describes every table, column and view."""

from __future__ import annotations

import re
from pathlib import Path

from airflow_provider_nomasx1.schema import nomajde, nomasx1, views


def test_view_registry_matches_sql_files() -> None:
    for view in views.VIEWS:
        sql = view.select_sql()
        assert sql.lstrip().startswith("--") or sql.lstrip().upper().startswith("SELECT")
        for table in view.depends_on:
            assert table in nomasx1.metadata.tables
            assert re.search(rf"\b{table}\b", sql), (view.name, table)


def test_docs_describe_every_table_column_and_view() -> None:
    doc = (Path(__file__).resolve().parents[2] / "docs" / "schema.md").read_text(encoding="utf-8")
    parts = re.split(r"^### `([a-z0-9_]+)`", doc, flags=re.M)
    sections = dict(zip(parts[1::2], parts[2::2], strict=True))
    for metadata in (nomasx1.metadata, nomajde.metadata):
        for table in metadata.tables.values():
            assert table.name in sections, f"docs/schema.md has no section for {table.name}"
            undocumented = [c.name for c in table.columns if f"`{c.name}`" not in sections[table.name]]
            assert undocumented == [], f"{table.name}: {undocumented}"
    for view in views.VIEWS:
        assert view.name in sections, f"docs/schema.md has no section for view {view.name}"
        for column in view.unique_columns:
            assert f"`{column}`" in sections[view.name]
