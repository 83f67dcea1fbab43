"""Commands quoted in product messages and in the docs, and whether the real parsers accept them.

Shared by tests/unit/test_docs_commands.py (every quoted `nomasx1 ...` / `airflow ...` command
parses) and the CLI error checks of tests/conftest.py (the commands an error message prints parse
too). Parse only: nothing runs.

A quoted command is found
- in Markdown: inside backticks, or on a line of a fenced code block (``\\`` continuations joined);
- in Python string literals (f-strings with ``{...}`` parts as placeholders): inside backticks, or
  bare when it carries at least one ``--option`` (bare prose such as "the nomasx1 schema" is not a
  command).
Placeholders (``N``, ``URL``, ``PATH``, ``...``, ``{apps_id}``) are replaced by a plausible value of
the option before them; ``a|b|c`` alternatives are each tried. A quote made of command names only
(``nomasx1 sod exception``) names a command: it must exist, its arguments are not required.
"""

from __future__ import annotations

import argparse
import ast
import contextlib
import functools
import io
import itertools
import re
import shlex
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "airflow_provider_nomasx1"
PROGRAMS = ("nomasx1", "airflow")
#: the value a placeholder stands for, by the option it follows
VALUES = {
    "--url": "postgresql://nomasx1@pg.example.com:5432/nomasx1",
    "--pg-url": "postgresql://postgres@127.0.0.1:5432/postgres",
    "--apps-id": "10",
    "--apps-ids": "10,11",
    "--schema": "nomasx1",
    "--output": "/tmp",
    "--bundle": "/tmp/bundle.tar.gz",
    "--as-of": "2026-01-31",
    "--valid-from": "2026-01-01",
    "--valid-to": "2026-12-31",
    "--valid-on": "2026-06-30",
    "--seed": "1",
    "--dormant-days": "90",
    "--out-retention-days": "30",
    "--security-type-codes": '{"1": "application"}',
    "--conn-port": "5432",
    "--conf": '{"apps_id": 10}',
    "-c": '{"apps_id": 10}',
}
_PLACEHOLDER = re.compile(r"\{\}|\.\.\.|…|<[^>]*>|[A-Z][A-Z0-9_]*(?:-[A-Z0-9_]+)*|'\.\.\.'")
_SHELL_OPERATORS = {"|", "||", "&&", ";", ">", ">>", "<", "2>&1", "&"}
_BACKTICKS = re.compile(r"`([^`]+)`")
_BARE = re.compile(r"(?<![\w`/.@:-])(?:nomasx1|airflow) (?=[a-z])")
_BARE_END = re.compile(r"[)\];\n]|, |\. |\.$| \(|: ")


@dataclass(frozen=True)
class Quoted:
    """One quoted command and where it was found (``path:line``)."""

    where: str
    command: str


def _is_command(text: str) -> bool:
    """``nomasx1 WORD ...`` where WORD is one of the program's commands, or any quote with an
    option (so a misspelled command with options is still checked; prose such as the comment
    "nomasx1 synthetic JDE (generator v1)" is not)."""
    words = text.split()
    if len(words) < 2 or words[0] not in PROGRAMS or not re.match(r"[a-z]", words[1]):
        return False
    return words[1] in top_commands(words[0]) or " --" in text


def commands_in_message(text: str) -> list[str]:
    """Commands quoted in one message: backtick spans, and bare ones that carry an option."""
    found, spans = [], []
    for match in _BACKTICKS.finditer(text):
        spans.append(match.span())
        inner = " ".join(match.group(1).split())
        if _is_command(inner):
            found.append(inner)
    for match in _BARE.finditer(text):
        if any(start <= match.start() < end for start, end in spans):
            continue
        command = " ".join(_bare_command(text[match.start() :]).split())
        if " --" in command and _is_command(command):
            found.append(command)
    return found


def _bare_command(rest: str) -> str:
    """The command at the start of ``rest``: up to the first end of sentence outside quotes."""
    quote = ""
    for index, char in enumerate(rest):
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif _BARE_END.match(rest, index):
            return rest[:index]
    return rest


def commands_in_markdown(path: Path) -> list[Quoted]:
    """Commands in a Markdown file: code-block lines and inline code spans."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found: list[Quoted] = []
    prose: list[str] = []
    fence: str | None = None
    pending, pending_line = "", 0
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            fence = None if fence else stripped[:3]
            prose.append("")
            continue
        if fence is None:
            prose.append(line)
            continue
        prose.append("")
        if not pending:
            pending_line = number
        pending += stripped.removeprefix("$ ")
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        if _is_command(pending):
            found.append(Quoted(f"{path.relative_to(REPO)}:{pending_line}", pending))
        pending = ""
    text = "\n".join(prose)
    for match in _BACKTICKS.finditer(text):
        inner = " ".join(match.group(1).split())
        if _is_command(inner):
            line = text.count("\n", 0, match.start()) + 1
            found.append(Quoted(f"{path.relative_to(REPO)}:{line}", inner))
    return found


def _literals(tree: ast.AST) -> list[tuple[int, str]]:
    """Every string literal of a module; an f-string's ``{...}`` parts become ``{}``."""
    parts: set[int] = set()
    out: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = ""
            for value in node.values:
                parts.add(id(value))
                text += value.value if isinstance(value, ast.Constant) else "{}"
            out.append((node.lineno, text))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in parts:
            out.append((node.lineno, node.value))
    return out


def commands_in_package() -> list[Quoted]:
    """Commands quoted in the string literals of the product (messages, help, docstrings)."""
    found: list[Quoted] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, text in _literals(tree):
            found += [Quoted(f"{path.relative_to(REPO)}:{line}", c) for c in commands_in_message(text)]
    return found


# --------------------------------------------------------------------------------------------------
# parsing
# --------------------------------------------------------------------------------------------------


def variants(command: str) -> list[list[str]]:
    """The argument lists a quoted command stands for (placeholders filled, alternatives expanded)."""
    tokens = shlex.split(command, comments=True)
    for index, token in enumerate(tokens):
        if token in _SHELL_OPERATORS:
            tokens = tokens[:index]
            break
    filled: list[str] = []
    for token in tokens:
        previous = filled[-1] if filled else ""
        if token in ("...", "…"):
            if previous in VALUES:
                filled.append(VALUES[previous])
            elif previous.startswith("-"):
                filled.append(token)  # the value of an option: --conn-password '...'
            continue  # else "more options"
        if previous in VALUES and (_PLACEHOLDER.fullmatch(token) or "{}" in token):
            token = VALUES[previous]
        filled.append(token)
    choices = [t.split("|") if "|" in t and not t.startswith(("{", "'", '"')) else [t] for t in filled]
    return [list(v) for v in itertools.islice(itertools.product(*choices), 64)]


def _names_a_command(parser: argparse.ArgumentParser, words: list[str]) -> bool:
    """True when ``words`` (no option among them) walk down existing sub-commands/actions."""
    for position, word in enumerate(words):
        choices = [a for a in parser._actions if a.choices and not a.option_strings]
        if not choices or word not in choices[0].choices:
            return False
        action = choices[0]
        if isinstance(action, argparse._SubParsersAction):
            parser = action.choices[word]
        elif position != len(words) - 1:
            return all(not w.startswith("-") for w in words)  # positional values after an action
    return True


@functools.cache
def _airflow_parser() -> argparse.ArgumentParser:
    from airflow.cli.cli_parser import get_parser

    return get_parser()


def _nomasx1_parser() -> argparse.ArgumentParser:
    from airflow_provider_nomasx1.cli import build_parser

    return build_parser()


@functools.cache
def top_commands(program: str) -> frozenset[str]:
    """The first-level commands of ``nomasx1`` or ``airflow``."""
    parser = _nomasx1_parser() if program == "nomasx1" else _airflow_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return frozenset(sub.choices)


def problem(command: str) -> str | None:
    """Why ``command`` does not parse with its program's real parser, or None when it does."""
    try:
        argv_variants = variants(command)
    except ValueError as exc:  # unbalanced quotes
        return f"cannot be split into arguments: {exc}"
    for argv in argv_variants:
        program, args = argv[0], argv[1:]
        parser = _nomasx1_parser() if program == "nomasx1" else _airflow_parser()
        if not any(a.startswith("-") for a in args) and _names_a_command(parser, args):
            continue
        sink = io.StringIO()
        try:
            with contextlib.redirect_stderr(sink), contextlib.redirect_stdout(sink):
                parser.parse_args(args)
        except SystemExit as exc:
            if exc.code not in (0, None):
                return f"{' '.join(argv)!r}: {sink.getvalue().strip().splitlines()[-1:]}"
        except Exception as exc:  # our parser raises UsageError
            return f"{' '.join(argv)!r}: {exc}"
    return None


def options_in_package() -> list[tuple[str, str]]:
    """``(path:line, --option)`` for every option named in a string literal of the product."""
    found: list[tuple[str, str]] = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for line, text in _literals(tree):
            for option in sorted(set(re.findall(r"(?<![\w-])--[a-z][a-z0-9-]*", text))):
                found.append((f"{path.relative_to(REPO)}:{line}", option))
    return found


def option_names(program: str = "nomasx1") -> set[str]:
    """Every option string of the ``nomasx1`` (or ``airflow``) parser, in every sub-command."""
    names: set[str] = set()
    pending = [_nomasx1_parser() if program == "nomasx1" else _airflow_parser()]
    while pending:
        parser = pending.pop()
        for action in parser._actions:
            names.update(action.option_strings)
            if isinstance(action, argparse._SubParsersAction):
                pending.extend(action.choices.values())
    return names
