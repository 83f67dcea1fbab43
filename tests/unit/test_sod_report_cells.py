"""The SoD report's CSV cells: numbers kept, formulas neutralised (no database)."""

from __future__ import annotations

from airflow_provider_nomasx1.reports import writers


def test_csv_cell_rules() -> None:
    from decimal import Decimal

    assert [writers.csv_cell(v) for v in (-5, 2.5, Decimal("-1.5"), 0)] == [-5, 2.5, Decimal("-1.5"), 0]
    assert [writers.csv_cell(v) for v in ("=A1", "+1", "-1", "@x", "\tx", "\rx")] == [
        "'=A1",
        "'+1",
        "'-1",
        "'@x",
        "'\tx",
        "'\rx",
    ]
    assert [writers.csv_cell(v) for v in ("a=b", " =x", None, True, "")] == ["a=b", " =x", "", "yes", ""]
