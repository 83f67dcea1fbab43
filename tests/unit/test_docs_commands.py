"""Every `nomasx1 ...` and `airflow ...` command quoted in a product message or a doc parses with
the real parser (argparse of `nomasx1`, Airflow's own `get_parser()`): a user who copies it gets
the command, not "unrecognized arguments". Parse only; nothing runs."""

from __future__ import annotations

import pytest
from support.quoted_commands import (
    REPO,
    commands_in_markdown,
    commands_in_message,
    commands_in_package,
    option_names,
    options_in_package,
    problem,
)

from airflow_provider_nomasx1.errors import CREATE_CONNECTION, MissingConnectionError

DOCS = [*sorted((REPO / "docs").glob("*.md")), REPO / "README.md"]


def test_commands_quoted_in_product_messages_parse() -> None:
    quoted = commands_in_package()
    assert len(quoted) > 20  # the scan finds the messages (registry, preload, security, CLI...)
    bad = [f"{q.where}: {q.command} -> {why}" for q in quoted if (why := problem(q.command))]
    assert bad == [], "\n".join(bad)


#: files whose literals hold other programs' options: initdb's, alembic's
OTHER_TOOLS = ("airflow_provider_nomasx1/demo/embedded_pg.py", "airflow_provider_nomasx1/schema/migrations/env.py")


def test_options_named_in_product_messages_exist() -> None:
    """A message that says "add --yes" or "give --apps-id" names an option of nomasx1 (or Airflow)."""
    known = option_names("nomasx1") | option_names("airflow")
    named = [(where, option) for where, option in options_in_package() if not where.startswith(OTHER_TOOLS)]
    assert len(named) > 20
    assert [f"{where}: {option}" for where, option in named if option not in known] == []


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_commands_quoted_in_docs_parse(doc) -> None:
    bad = [f"{q.where}: {q.command} -> {why}" for q in commands_in_markdown(doc) if (why := problem(q.command))]
    assert bad == [], "\n".join(bad)


def test_the_docs_quote_commands_at_all() -> None:
    quoted = [q.command for doc in DOCS for q in commands_in_markdown(doc)]
    assert any(c.startswith("nomasx1 report sod") for c in quoted)
    assert any(c.startswith("airflow connections add") for c in quoted)


@pytest.mark.parametrize("conn_type", sorted(CREATE_CONNECTION))
def test_missing_connection_command_parses_and_names_the_hook_type(conn_type: str) -> None:
    message = str(MissingConnectionError("my-conn", "a purpose", conn_type))
    (command,) = [c for c in commands_in_message(message) if c.startswith("airflow ")]
    assert command.startswith(f"airflow connections add my-conn --conn-type {conn_type} ")
    assert problem(command) is None


@pytest.mark.parametrize(
    "command",
    [
        "nomasx1 apps update 10 --role-sequence ascending",  # the id is --apps-id, not a positional
        "nomasx1 apps update --apps-id 10 --role-sequence-directions ascending",
        "nomasx1 report sod --apps-id N --format pdf",
        "nomasx1 reference import --url URL --target-apps-ids 11",
        "nomasx1 jde generate --profile tiny",  # --url is required
        "nomasx1 sod exceptions list",
        "airflow connections add x --conn-kind nomasx1",
        "airflow dags tset deploy-databases",
    ],
)
def test_the_check_rejects_wrong_commands(command: str) -> None:
    assert problem(command) is not None


def test_placeholders_alternatives_and_extraction() -> None:
    assert problem("nomasx1 apps add|update|list|show|remove") is None  # a command name only
    assert problem("nomasx1 report sod --apps-id N --format csv|xlsx|html --url ...") is None
    assert problem("nomasx1 sod exception") is None
    text = (
        "fix it with `nomasx1 apps update --apps-id {} --role-sequence ascending|descending --url URL`; "
        "(nomasx1 apps add --apps-id 10 ...) and the nomasx1 schema revision: not a command"
    )
    assert commands_in_message(text) == [
        "nomasx1 apps update --apps-id {} --role-sequence ascending|descending --url URL",
        "nomasx1 apps add --apps-id 10 ...",
    ]
