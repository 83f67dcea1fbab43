"""Every error path of the `nomasx1` command a user can meet without a database: ONE line
`nomasx1: error: ...` on stderr saying what is wrong and what to do, exit code 2, no traceback, no
password, and only options and commands that exist (quoted commands parse with the real parsers).
The paths a real database refuses are tests/integration/test_cli_errors_db.py."""

from __future__ import annotations

import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from support.cli import SECRET

from airflow_provider_nomasx1.cli import main, mask_secrets

NOMASX1 = Path(sys.executable).with_name("nomasx1")
#: a syntactically valid URL nothing is ever opened on (the parser refuses the command first)
NEVER = "postgresql://nomasx1@nomasx1-never.invalid:5432/nomasx1"


def _run(*argv: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(NOMASX1), *argv], capture_output=True, text=True, timeout=120, env=env)


@pytest.fixture
def closed_url() -> str:
    """A URL on a loopback port nothing listens on (connection refused at once), with a password."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"postgresql://nomasx1:{SECRET}@127.0.0.1:{port}/nomasx1"


# --------------------------------------------------------------------------------------------------
# refused by the parser: nothing runs, no database needed
# --------------------------------------------------------------------------------------------------

BAD_IDS = ["0", "-1", "2147483648", "99999999999", "abc", "1.5", ""]


@pytest.mark.parametrize(
    ("argv", "phrases"),
    [
        ([], ["the following arguments are required: command", "`nomasx1 --help`"]),
        (["frob"], ["invalid choice: 'frob'"]),
        (["spec", "validate", "/nonexistent/nomasx1-jobs"], ["/nonexistent/nomasx1-jobs does not exist"]),
        (["spec", "validate", "README.md"], ["README.md is not a folder"]),
        (["jde", "generate"], ["the following arguments are required: --url", "`nomasx1 jde generate --help`"]),
        (["jde", "generate", "--url", "notaurl"], ["'notaurl' is not a URL", "postgresql://"]),
        (["jde", "generate", "--url", NEVER, "--as-of", "2025-13-01"], ["'2025-13-01' is not a date", "YYYY-MM-DD"]),
        (["jde", "generate", "--url", NEVER, "--seed", "-1"], ["'-1' is not a seed", "0 to 2147483647"]),
        (["jde", "generate", "--url", NEVER, "--profile", "huge"], ["invalid choice: 'huge'"]),
        (["apps", "show"], ["apps show needs --apps-id"]),
        (["apps", "remove", "--url", NEVER], ["apps remove needs --apps-id"]),
        (["apps", "list", "--url", "mysql://u:x@h/db"], ["is not a PostgreSQL URL"]),
        (["apps", "list", "--url", f"postgresql://u:{SECRET}@h:notaport/db"], ["is not a URL", "u:***@h"]),
        (["apps", "list", "--url", "postgresql://h:70000/db"], ["port 70000 is out of range"]),
        (["apps", "list", "--url", NEVER, "--schema", "x;drop"], ["Invalid schema 'x;drop'"]),
        (["apps", "update", "--apps-id", "10", "--security-type-codes", "{x"], ["'{x' is not valid JSON"]),
        (["apps", "update", "--apps-id", "10", "--security-type-codes", "[1]"], ["is not a JSON object"]),
        (["apps", "add", "--apps-id", "10", "--dormant-days", "0"], ["'0' is not a number of days"]),
        (["apps", "update", "--apps-id", "10", "--out-retention-days", "-3"], ["'-3' is not a number of days"]),
        (["apps", "add", "--apps-id", "10", "--type", "SAP"], ["invalid choice: 'SAP'"]),
        (["apps", "update", "--apps-id", "10", "--role-sequence", "sideways"], ["invalid choice: 'sideways'"]),
        (["reference", "verify"], ["reference verify needs --bundle PATH"]),
        (["reference", "verify", "--bundle", "/nonexistent/b.tar.gz"], ["refused: no such file"]),
        (["reference", "build", "--output", "/proc/nomasx1-ref.tar.gz"], ["cannot write in the folder /proc"]),
        (["reference", "export", "--url", NEVER, "--output", "/proc"], ["cannot write in the folder /proc"]),
        (["reference", "import", "--url", NEVER, "--apps-ids", "10,x"], ["'x' is not an application id"]),
        (["reference", "import", "--url", NEVER, "--apps-ids", ","], ["lists no application id"]),
        (["sod", "exception", "show", "--apps-id", "10"], ["needs --id EXCEPTION_ID"]),
        (["sod", "exception", "frob"], ["invalid choice: 'frob'"]),
        (["sod", "exception", "add", "--apps-id", "10", "--valid-from", "2026-02-30"], ["is not a date"]),
        (["sod", "exception", "list", "--valid-on", "tomorrow"], ["'tomorrow' is not a date"]),
        (["report", "sod"], ["the following arguments are required: --apps-id"]),
        (["report", "sod", "--apps-id", "10", "--format", "pdf"], ["invalid choice: 'pdf'"]),
        (["report", "sod", "--apps-id", "10", "--output", "/proc/r.html"], ["cannot write in the folder /proc"]),
        (["schema", "init"], ["the following arguments are required: --url"]),
        (["schema", "init", "--url", NEVER, "--schema", "x;drop"], ["Invalid schema"]),
        (["schema", "frob", "--url", NEVER], ["invalid choice: 'frob'"]),
        (["demo", "--pg-url", "bad"], ["'bad' is not a URL"]),
        (["demo", "--profile", "huge"], ["invalid choice: 'huge'"]),
    ],
)
def test_bad_command_lines(
    argv: list[str], phrases: list[str], capsys: pytest.CaptureFixture[str], cli_fails: Callable[..., str]
) -> None:
    cli_fails(capsys, argv, *phrases)


def test_unknown_option_is_named(capsys: pytest.CaptureFixture[str], cli_fails: Callable[..., str]) -> None:
    cli_fails(capsys, ["apps", "list", "--frob"], "unrecognized arguments: --frob", allow=frozenset({"--frob"}))


@pytest.mark.parametrize("value", BAD_IDS)
@pytest.mark.parametrize(
    "argv",
    [
        ["apps", "show", "--url", NEVER, "--apps-id"],
        ["sod", "exception", "list", "--url", NEVER, "--apps-id"],
        ["report", "sod", "--url", NEVER, "--apps-id"],
        ["reference", "build", "--apps-id"],
        ["reference", "import", "--url", NEVER, "--apps-ids"],
    ],
    ids=["apps", "sod-exception", "report", "reference-build", "reference-import"],
)
def test_out_of_range_application_ids(
    argv: list[str], value: str, capsys: pytest.CaptureFixture[str], cli_fails: Callable[..., str]
) -> None:
    cli_fails(capsys, [*argv, value], "application id", "1 to 2147483647")


def test_no_target_database(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], cli_fails: Callable[..., str]
) -> None:
    monkeypatch.delenv("NOMASX1_URL", raising=False)
    cli_fails(capsys, ["apps", "list"], "say which nomasx1 database: --url URL, --conn AIRFLOW_CONN_ID")
    monkeypatch.setenv("NOMASX1_URL", f"postgresql://u:{SECRET}@h:x/db")
    cli_fails(capsys, ["apps", "list"], "NOMASX1_URL: ", "is not a URL")


def test_report_extension_mismatch_is_refused_before_the_database(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_fails: Callable[..., str],
) -> None:
    out = tmp_path / "x.csv"
    cli_fails(
        capsys,
        ["report", "sod", "--apps-id", "10", "--url", NEVER, "--format", "html", "--output", str(out)],
        "does not end with .html but the report format is html",
        "x.html, or give --format csv",
    )
    cli_fails(capsys, ["report", "sod", "--apps-id", "10", "--url", NEVER, "--output", str(tmp_path / "report")])
    assert list(tmp_path.iterdir()) == []


def test_missing_output_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], cli_fails: Callable[..., str]
) -> None:
    cli_fails(capsys, ["reference", "build", "--output", str(tmp_path / "no" / "b.tar.gz")], "does not exist")
    cli_fails(
        capsys,
        ["report", "sod", "--apps-id", "10", "--url", NEVER, "--output", str(tmp_path / "no" / "r.html")],
        "does not exist; create it first",
    )


def test_masking() -> None:
    assert mask_secrets("postgresql://u:p@ss@h:5/db and postgresql://v:x@h/d") == (
        "postgresql://u:***@h:5/db and postgresql://v:***@h/d"
    )
    assert mask_secrets("host=h password='a b' user=u") == "host=h password=*** user=u"
    assert mask_secrets("postgresql://h:5432/db postgresql://u@h/db") == "postgresql://h:5432/db postgresql://u@h/db"


# --------------------------------------------------------------------------------------------------
# the database refuses: unreachable, missing schema, unknown application
# --------------------------------------------------------------------------------------------------


CANNOT_CONNECT = (
    "cannot connect to the database",
    "Connection refused",
    "check the URL (--url, --conn or NOMASX1_URL)",
)


@pytest.mark.parametrize(
    ("argv", "phrases"),
    [
        (["apps", "list"], CANNOT_CONNECT),
        (["apps", "show", "--apps-id", "10"], CANNOT_CONNECT),
        (["sod", "exception", "list"], CANNOT_CONNECT),
        (["report", "sod", "--apps-id", "10", "--output", "{tmp}"], CANNOT_CONNECT),
        (["reference", "import"], CANNOT_CONNECT),
        (["reference", "export", "--output", "{tmp}"], CANNOT_CONNECT),
        (["schema", "init"], CANNOT_CONNECT),
        (["schema", "revision"], CANNOT_CONNECT),
        (["jde", "generate"], ("generation failed and changed nothing", "Connection refused")),
    ],
    ids=lambda a: "-".join(a[:2]) if isinstance(a, list) else "",
)
def test_unreachable_database(
    argv: list[str],
    phrases: tuple[str, ...],
    closed_url: str,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    cli_fails: Callable[..., str],
) -> None:
    argv = [a.replace("{tmp}", str(tmp_path)) for a in argv]
    cli_fails(capsys, [*argv, "--url", closed_url], *phrases)


def test_missing_airflow_connection_names_the_nomasx1_type(
    capsys: pytest.CaptureFixture[str], cli_fails: Callable[..., str]
) -> None:
    line = cli_fails(
        capsys,
        ["apps", "list", "--conn", "no_such_conn"],
        "Airflow connection 'no_such_conn' (nomasx1 target PostgreSQL) does not exist",
        "`airflow connections add no_such_conn --conn-type nomasx1 ",
        "--conn of the nomasx1 command",
    )
    assert "--conn-type postgres" not in line


# --------------------------------------------------------------------------------------------------
# the installed command (a real process: exit status, stderr, nothing else)
# --------------------------------------------------------------------------------------------------


def test_installed_command(closed_url: str, tmp_path: Path, cli_one_error: Callable[..., str]) -> None:
    for argv, phrase in [
        (["spec", "validate", str(tmp_path / "missing")], "missing does not exist"),
        (["apps", "show", "--apps-id", "0", "--url", NEVER], "'0' is not an application id"),
        (["apps", "list", "--url", closed_url], "cannot connect to the database"),
        (["demo", "--workdir", "/proc/nomasx1-demo"], "/proc/nomasx1-demo"),
        (["demo", "--workdir", str(tmp_path / "demo"), "--pg-url", closed_url], "cannot connect to the database"),
    ]:
        run = _run(*argv)
        assert run.returncode == 2, (argv, run.stderr)
        cli_one_error(run.stderr, phrase)


# --------------------------------------------------------------------------------------------------
# the boundary itself
# --------------------------------------------------------------------------------------------------


def test_database_refusals_are_one_line_without_the_statement() -> None:
    import json

    import psycopg

    from airflow_provider_nomasx1.cli import diagnose

    def wrapped(cls: type, orig: Exception) -> Exception:
        return cls("SELECT secret_column FROM t WHERE x = %(x)s", {"x": SECRET}, orig)

    missing = wrapped(sa.exc.ProgrammingError, psycopg.errors.UndefinedTable('relation "t" does not exist\nLINE 1'))
    assert diagnose(missing) == (
        'relation "t" does not exist: the schema lacks a table or column this version needs: check --schema, '
        "or upgrade it with `nomasx1 schema upgrade --url URL --schema SCHEMA`"
    )
    denied = wrapped(sa.exc.ProgrammingError, psycopg.errors.InsufficientPrivilege("permission denied for table t"))
    assert diagnose(denied).startswith("permission denied for table t: the login lacks a privilege")
    too_long = wrapped(sa.exc.DataError, psycopg.errors.StringDataRightTruncation("value too long"))
    assert diagnose(too_long) == "the database refused a value: value too long"
    assert diagnose(psycopg.errors.LockNotAvailable("lock timeout")).startswith("lock timeout: another session")
    for exc in (missing, denied, too_long):
        assert "SELECT" not in diagnose(exc) and SECRET not in diagnose(exc)
    assert diagnose(PermissionError(13, "Permission denied", "/srv/out.csv")) == (
        "/srv/out.csv: Permission denied: check the path and its permissions"
    )
    assert diagnose(json.JSONDecodeError("Expecting value", "x", 0)).startswith("invalid JSON (Expecting value")
    assert diagnose(RuntimeError("a bug")) is None and diagnose(KeyError("k")) is None


def test_a_bug_keeps_its_traceback() -> None:
    """An error nobody diagnosed is a bug: it is raised, not turned into a one-line message."""

    def broken(args) -> int:
        raise ZeroDivisionError("a bug")

    with pytest.raises(ZeroDivisionError, match="a bug"):
        main(["apps", "list", "--url", NEVER], handler=broken)
