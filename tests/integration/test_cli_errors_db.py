"""The `nomasx1` command's errors from a real database (missing schema, unknown or duplicate
application, no results yet): ONE line `nomasx1: error: ...` saying what to do, as in
tests/unit/test_cli_errors.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1.cli import main
from airflow_provider_nomasx1.schema import bootstrap


@pytest.fixture
def target(pg_url: URL) -> str:
    """A nomasx1 schema (no application registered); its URL as text."""
    url = pg_url.render_as_string(hide_password=False)
    engine = sa.create_engine(pg_url)
    bootstrap.init_schema(engine, "nomasx1")
    engine.dispose()
    return url


@pytest.mark.parametrize(
    "argv",
    [
        ["apps", "list"],
        ["sod", "exception", "list"],
        ["report", "sod", "--apps-id", "10", "--output", "{tmp}"],
        ["reference", "export", "--output", "{tmp}"],
        ["reference", "import"],
    ],
    ids=lambda a: "-".join(a[:2]),
)
def test_missing_schema(
    argv: list[str], target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], cli_fails: Callable[..., str]
) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    cli_fails(
        capsys,
        [*argv, "--url", target, "--schema", "nomasx1_typo"],
        "schema nomasx1_typo does not exist in database",
        "check --schema, or create it with `nomasx1 schema init --url URL --schema nomasx1_typo`",
    )
    cli_fails(capsys, [*argv, "--url", target, "--schema", "public"], "schema public has no nomasx1 tables")
    assert list(tmp_path.iterdir()) == []


def test_schema_upgrade_never_creates_a_mistyped_schema(
    target: str, capsys: pytest.CaptureFixture[str], cli_fails: Callable[..., str]
) -> None:
    cli_fails(capsys, ["schema", "upgrade", "--url", target, "--schema", "nomasx1_typo"], "does not exist in database")
    assert main(["schema", "revision", "--url", target, "--schema", "nomasx1_typo"]) == 0
    assert "revision none" in (out := capsys.readouterr().out) and "the schema does not exist" in out
    engine = sa.create_engine(target)
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT count(*) FROM pg_namespace WHERE nspname = 'nomasx1_typo'")).scalar() == 0
    engine.dispose()


def test_registry_errors(target: str, capsys: pytest.CaptureFixture[str], cli_fails: Callable[..., str]) -> None:
    url = ["--url", target]
    cli_fails(capsys, ["apps", "show", "--apps-id", "42", *url], "application 42 is not registered")
    cli_fails(capsys, ["apps", "add", "--apps-id", "42", *url], "apps add needs --name")
    assert main(["apps", "add", "--apps-id", "42", "--name", "JDE", *url]) == 0
    capsys.readouterr()
    cli_fails(capsys, ["apps", "add", "--apps-id", "42", "--name", "x", *url], "application 42 already exists")
    cli_fails(capsys, ["apps", "update", "--apps-id", "42", *url], "nothing to change")
    cli_fails(capsys, ["apps", "remove", "--apps-id", "42", *url], "add --yes")
    cli_fails(
        capsys,
        ["apps", "update", "--apps-id", "42", "--security-type-codes", '{"1": "nope"}', *url],
        "security_type_codes must map FSSETY codes",
    )


def test_role_sequence_option_names_the_setting(target: str, capsys: pytest.CaptureFixture[str]) -> None:
    """`--role-sequence-direction` (the setting's name, quoted by messages) and `--role-sequence` both work."""
    url = ["--url", target]
    add = ["apps", "add", "--apps-id", "42", "--name", "JDE"]
    assert main([*add, "--role-sequence-direction", "descending", *url]) == 0
    assert main(["apps", "update", "--apps-id", "42", "--role-sequence", "ascending", *url]) == 0
    assert main(["apps", "update", "--apps-id", "42", "--role-sequence-direction", "descending", *url]) == 0
    capsys.readouterr()
    assert main(["apps", "show", "--apps-id", "42", *url]) == 0
    assert re.search(r"role_sequence_direction\s+descending", capsys.readouterr().out)


def test_reference_import_names_the_cli_option(
    target: str, capsys: pytest.CaptureFixture[str], cli_fails: Callable[..., str]
) -> None:
    cli_fails(
        capsys,
        ["reference", "import", "--url", target, "--apps-ids", "11"],
        "`nomasx1 apps add --apps-id 11 --name NAME --url URL`",
        "target_apps_ids (`--apps-ids` of `nomasx1 reference import`)",
    )


def test_report_without_results(
    target: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], cli_fails: Callable[..., str]
) -> None:
    assert main(["apps", "add", "--apps-id", "42", "--name", "JDE", "--url", target]) == 0
    capsys.readouterr()
    cli_fails(
        capsys,
        ["report", "sod", "--apps-id", "42", "--url", target, "--output", str(tmp_path)],
        "application 42 has no SoD results yet: run the nomasx1-sod-1 job",
    )
    assert list(tmp_path.iterdir()) == []
