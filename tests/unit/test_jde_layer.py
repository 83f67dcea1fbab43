"""jde/ is the bottom layer of JDE knowledge: what it may import, and the facts written there once."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

from airflow_provider_nomasx1 import resources
from airflow_provider_nomasx1.get_provider_info import get_provider_info
from airflow_provider_nomasx1.jde import databases
from airflow_provider_nomasx1.jde.julian import text_hhmmss_sql, text_julian_sql
from airflow_provider_nomasx1.jde.schema_map import JdeSchemaMap
from airflow_provider_nomasx1.jde.session_functions import session_functions

JDE_DIR = Path(databases.__file__).parent
#: what jde/ may import besides the standard library and itself
ALLOWED = (
    "sqlalchemy",
    "airflow_provider_nomasx1.errors",
    "airflow_provider_nomasx1.pg.identifiers",
    "airflow_provider_nomasx1.resources",
)


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.add(node.module)
    return found


def _allowed(module: str) -> bool:
    if module.split(".")[0] in sys.stdlib_module_names or module == "__future__":
        return True
    if module == "airflow_provider_nomasx1.jde" or module.startswith("airflow_provider_nomasx1.jde."):
        return True
    if module.startswith("airflow_provider_nomasx1.pg.identifiers"):
        return True
    return any(module == allowed or module.startswith(f"{allowed}.") for allowed in ALLOWED)


def test_jde_imports_nothing_above_it() -> None:
    wrong = {
        f"{path.name}: {module}" for path in JDE_DIR.glob("*.py") for module in _imports(path) if not _allowed(module)
    }
    assert not wrong


def test_jde_sql_is_shipped_under_sql() -> None:
    assert resources.sql_path("jde", "session_functions.sql").is_file()


def test_session_functions_carry_the_julian_rule() -> None:
    ddl = session_functions()
    names = [statement.split("pg_temp.")[1].split("(")[0] for statement in ddl]
    assert names == ["jde_date", "jde_time", "jde_flag", "jde_str"]
    assert text_julian_sql("v") in ddl[0] and text_hhmmss_sql("v") in ddl[1]
    assert not any("{{" in statement for statement in ddl)


def test_one_db_type_map() -> None:
    assert databases.DB_TYPES == ("oracle", "mssql", "postgres")
    assert databases.BY_CONN_TYPE == {
        "oracle": "oracle",
        "mssql": "mssql",
        "postgres": "postgres",
        "postgresql": "postgres",
    }
    assert {databases.DIALECTS[db] for db in databases.DB_TYPES} == {"oracle", "mssql", "postgresql"}
    assert databases.physical_name("F0092", "postgresql") == "f0092"
    assert databases.physical_name("f0092", "oracle") == "F0092"


def test_connection_form_defaults_are_the_schema_map_defaults() -> None:
    info = get_provider_info()
    form = next(c for c in info["connection-types"] if c["connection-type"] == "jdedwards")["conn-fields"]
    defaults = {
        key.removeprefix("schema_"): field["schema"].get("default")
        for key, field in form.items()
        if key.startswith("schema_")
    }
    assert defaults == JdeSchemaMap().as_dict()
    assert form["db_type"]["schema"]["enum"] == list(databases.DB_TYPES)
