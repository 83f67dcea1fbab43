"""The `nomasx1` command: demo, synthetic JDE, spec validation and schema maintenance.

Airflow is imported only by the sub-commands that need it, so `nomasx1 --help` stays instant.
Every failure a user can fix ends as one line ``nomasx1: error: ...`` on stderr and exit code 2
(see :func:`main`); option values are checked by the parser before anything runs.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import logging
import os
import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, NoReturn

from airflow_provider_nomasx1 import __version__
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error, sqlstate


def _cmd_demo(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.demo.runner import run_demo

    return run_demo(profile=args.profile, workdir=Path(args.workdir), pg_url=args.pg_url, keep=args.keep)


def _cmd_jde_generate(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.demo.jde_generator import generate

    summary = generate(
        args.url, profile=args.profile, seed=args.seed, as_of=args.as_of, log=logging.getLogger("nomasx1")
    )
    print(summary)
    return 0


def _cmd_spec_validate(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.dagspec.bundle import build_bundle
    from airflow_provider_nomasx1.dagspec.loader import find_jobs_dir, spec_files
    from airflow_provider_nomasx1.resources import bundle_dir

    # the bundle folder (dags, holding jobs/) or the jobs folder itself; a missing one: exit 2
    jobs = find_jobs_dir(Path(args.jobs_dir) if args.jobs_dir else bundle_dir())
    if not any(spec_files(jobs)):
        print(
            f"ERROR no job spec (*.yaml) in {jobs}: give the bundle folder (e.g. dags) or its jobs folder",
            file=sys.stderr,
        )
        return 1
    dags, problems = build_bundle(jobs)
    for problem in problems:
        print(f"ERROR {problem}", file=sys.stderr)
    print(f"{len(dags)} DAG(s) built from {jobs}, {len(problems)} problem(s)")
    return 1 if problems else 0


def _engine(url: str):
    """An engine on ``--url``, with the hooks' connect timeout unless the URL sets its own (a
    server that accepts TCP and never answers would otherwise hang the command 130 s)."""
    import sqlalchemy as sa

    from airflow_provider_nomasx1.hooks.timeouts import CONNECT_TIMEOUT, Timeouts, driver_args
    from airflow_provider_nomasx1.pg.admin import normalise_url

    target = normalise_url(url)
    args = {} if "connect_timeout" in target.query else driver_args("postgres", Timeouts(CONNECT_TIMEOUT, 0))
    return sa.create_engine(target, connect_args=args)


def _target_engine(args: argparse.Namespace):
    """The nomasx1 database: --url, else --conn (an Airflow connection), else $NOMASX1_URL."""
    if getattr(args, "url", None):
        return _engine(args.url)
    if getattr(args, "conn", None):
        from airflow_provider_nomasx1.hooks.nomasx1 import Nomasx1Hook

        return Nomasx1Hook(args.conn).engine
    if os.environ.get("NOMASX1_URL"):
        try:
            return _engine(_pg_url(os.environ["NOMASX1_URL"]))
        except argparse.ArgumentTypeError as exc:
            raise ConfigurationError(f"NOMASX1_URL: {exc}") from None
    raise Nomasx1Error("say which nomasx1 database: --url URL, --conn AIRFLOW_CONN_ID, or set NOMASX1_URL")


def _open_target(args: argparse.Namespace):
    """:func:`_target_engine`, after checking that the database answers and ``--schema`` is a
    nomasx1 schema there: a mistyped schema name gets its own message instead of "relation ...
    does not exist" at the first query (or, worse, an empty listing)."""
    import sqlalchemy as sa

    from airflow_provider_nomasx1.pg.catalogue import table_exists

    engine = _target_engine(args)
    try:
        with engine.connect() as conn:
            exists = conn.execute(
                sa.text("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = :s)"), {"s": args.schema}
            ).scalar()
            registry = table_exists(conn, args.schema, "settings_applications")
    except BaseException:
        engine.dispose()
        raise
    if not (exists and registry):
        engine.dispose()
        where = f"database {engine.url.database}" if engine.url.database else "the database"
        what = "does not exist" if not exists else "has no nomasx1 tables (no settings_applications)"
        raise ConfigurationError(
            f"schema {args.schema} {what} in {where}: check --schema, or create it with "
            f"`nomasx1 schema init --url URL --schema {args.schema}`"
        )
    return engine


_APP_SETTINGS = {  # CLI option -> registry setting
    "name": "apps_name",
    "type": "apps_type",
    "description": "description",
    "source_conn": "source_conn_id",
    "role_sequence": "role_sequence_direction",
    "signin_mode": "signin_mode",
    "security_type_codes": "security_type_codes",
    "coded_values": "coded_values",
    "collapse_max_shrink": "collapse_max_shrink",
    "dormant_days": "dormant_days",
    "out_purge": "out_purge",
    "out_retention_days": "out_retention_days",
    "jde_out_purge": "jde_out_purge",
    "jde_out_purge_connector": "jde_out_purge_connector",
    "jde_out_retention_days": "jde_out_retention_days",
    "license_max_sessions": "license_max_sessions",
    "generic_user_patterns": "generic_user_patterns",
    "reconcile_apps": "reconcile_apps",
    "match_rules": "match_rules",
    "audit_conn": "audit_conn_id",
}


def _cmd_apps(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.applications import Registry

    if args.action != "list" and args.apps_id is None:
        raise Nomasx1Error(f"apps {args.action} needs --apps-id")
    engine = _open_target(args)
    registry = Registry(engine, args.schema)
    settings = {key: getattr(args, opt, None) for opt, key in _APP_SETTINGS.items()}
    try:
        if args.action == "list":
            _print_apps(registry.list())
        elif args.action == "show":
            for key, value in registry.show(args.apps_id).items():
                print(f"{key:<24} {json.dumps(value) if isinstance(value, (dict, list)) else value}")
        elif args.action == "add":
            name = settings.pop("apps_name")
            if not name:
                raise Nomasx1Error("apps add needs --name")
            _print_apps([registry.add(args.apps_id, name, **settings)])
        elif args.action == "update":
            _print_apps([registry.update(args.apps_id, **settings)])
        elif args.action == "remove":
            if not args.yes:
                raise Nomasx1Error(
                    f"apps remove deletes application {args.apps_id} and all its collected rows: add --yes"
                )
            for table, rows in registry.remove(args.apps_id).items():
                print(f"{table:<32} {rows:>10,} rows deleted")
    finally:
        engine.dispose()
    return 0


def _cmd_reference(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.reference.bundle import build_curated_bundle, verify_bundle

    if args.action in ("build", "export"):
        _check_writable(args.output, "--output")
    if args.action == "build":
        path = build_curated_bundle(Path(args.output), apps_id=args.apps_id or [10])
        manifest = verify_bundle(path)
        print(
            f"{path}: {manifest.total_rows:,} rows in {len(manifest.tables)} tables (schema {manifest.schema_revision})"
        )
        return 0
    if args.action == "verify":
        if not args.bundle:
            raise ConfigurationError("reference verify needs --bundle PATH (a .tar.gz reference bundle)")
        manifest = verify_bundle(Path(args.bundle))
        print(f"{args.bundle}: format {manifest.format_version}, schema {manifest.schema_revision}, {manifest.source}")
        for table in manifest.tables:
            print(f"  {table.name:<28} {table.rows:>8,} rows  sha256 {table.sha256[:16]}...")
        return 0
    from airflow_provider_nomasx1.collectors import preload

    engine = _open_target(args)
    try:
        if args.action == "export":
            report = preload.export_reference_bundle(engine, args.schema, args.output)
        else:
            report = preload.import_reference_bundle(
                engine, args.schema, args.bundle or None, replace=args.replace, target_apps_ids=args.apps_ids or ""
            )
        print(report.summary())
    finally:
        engine.dispose()
    return 0


def _print_exceptions(rows: list[dict]) -> None:
    print(
        f"{'apps_id':>7}  {'exception_id':<14} {'principal':<18} {'process':<8} {'rule':<16} "
        f"{'valid_from':<10} {'valid_to':<10} {'control':<12} approver"
    )
    for r in rows:
        principal = f"user {r['user_id']}" if r["user_id"] else f"role {r['role_id']}"
        print(
            f"{r['apps_id']:>7}  {r['exception_id']:<14} {principal:<18} {r['process_id']:<8} "
            f"{r['activity1_id'] + ' x ' + r['activity2_id']:<16} {r['valid_from']!s:<10} {r['valid_to'] or '-'!s:<10} "
            f"{r['control_id'] or '-':<12} {r['approver'] or '-'}"
        )
    if not rows:
        print("(no exception)")


def _cmd_sod_exception(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.collectors.sod.mitigations import ExceptionStore

    if args.action != "list" and args.apps_id is None:
        raise Nomasx1Error(f"sod exception {args.action} needs --apps-id")
    if args.action in ("show", "end") and not args.id:
        raise Nomasx1Error(
            f"sod exception {args.action} needs --id EXCEPTION_ID (see `nomasx1 sod exception list --apps-id N`)"
        )
    return _register_action(args, ExceptionStore, "SoD", _sod_exception_action)


def _sod_exception_action(store, args: argparse.Namespace) -> None:
    """One `nomasx1 sod exception` action against ``store`` (an ExceptionStore)."""
    if args.action == "add":
        row = store.add(
            args.apps_id,
            activity1_id=args.activity1,
            activity2_id=args.activity2,
            approver=args.approver,
            justification=args.justification,
            user_id=args.user,
            role_id=args.role,
            process_id=args.process,
            valid_from=args.valid_from,
            valid_to=args.valid_to,
            control_id=args.control,
            exception_id=args.id,
            created_by=args.created_by,
            allow_unknown_principal=args.allow_unknown,
        )
        _print_exceptions([row])
    elif args.action == "list":
        _print_exceptions(store.list(args.apps_id, valid_on=args.valid_on, user_id=args.user, role_id=args.role))
    elif args.action == "show":
        for key, value in store.show(args.apps_id, args.id).items():
            print(f"{key:<14} {'' if value is None else value}")
    else:
        row = store.end(args.apps_id, args.id, valid_to=args.valid_to, delete=args.delete)
        if row is None:
            print(f"exception {args.id} of application {args.apps_id} deleted")
        else:
            print(f"exception {args.id} of application {args.apps_id} ends on {row['valid_to']} (last valid day)")


def _print_table(headers: Sequence[str], rows: Sequence[Sequence[Any]], empty: str) -> None:
    """An aligned table: each column as wide as its widest cell; None shown as ``-``."""
    cells = [[("-" if v is None else str(v)) for v in row] for row in rows]
    widths = [max([len(h), *(len(r[i]) for r in cells)]) for i, h in enumerate(headers)]
    for line in [list(headers), *cells]:
        print("  ".join(c.ljust(w) for c, w in zip(line, widths, strict=True)).rstrip())
    if not rows:
        print(empty)


def _print_entitlements(rows: list[dict]) -> None:
    headers = ("apps_id", "entitlement_id", "csi", "component", "metric", "quantity", "start", "end", "support", "note")
    _print_table(
        headers,
        [
            (
                r["apps_id"],
                r["entitlement_id"],
                r["csi"],
                f"{r['component_id']} {r['component'] or '?'}",
                f"{r['metric_id']} {r['metric'] or '?'}",
                r["quantity"],
                r["start_date"],
                r["end_date"],
                r["support_status"],
                r["note"],
            )
            for r in rows
        ],
        "(no entitlement line)",
    )


#: the options `nomasx1 licence entitlement ACTION` needs (besides --apps-id)
_ENTITLEMENT_NEEDS = {
    "add": ("csi", "component", "metric", "quantity"),
    "end": ("id",),
    "import": ("file",),
}


def _cmd_licence_entitlement(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.collectors.licence.entitlements import EntitlementStore

    if args.action != "list" and args.apps_id is None:
        raise Nomasx1Error(f"licence entitlement {args.action} needs --apps-id")
    missing = [f"--{name}" for name in _ENTITLEMENT_NEEDS.get(args.action, ()) if getattr(args, name) in (None, "")]
    if missing:
        raise Nomasx1Error(
            f"licence entitlement {args.action} needs {', '.join(missing)} "
            f"(see `nomasx1 licence entitlement --help`, or docs/license.md)"
        )
    return _register_action(args, EntitlementStore, "licence entitlement", _licence_entitlement_action)


def _register_action(
    args: argparse.Namespace, store_class: Any, tables: str, action: Callable[[Any, argparse.Namespace], None]
) -> int:
    """One action on a hand-kept register (``store_class`` on the target, its tables guarded)."""
    from airflow_provider_nomasx1.collectors.registers import schema_guard

    engine = _open_target(args)
    try:
        with schema_guard(args.schema, tables):
            action(store_class(engine, args.schema), args)
    finally:
        engine.dispose()
    return 0


def _licence_entitlement_action(store, args: argparse.Namespace) -> None:
    """One `nomasx1 licence entitlement` action against ``store`` (an EntitlementStore)."""
    if args.action == "add":
        row = store.add(
            args.apps_id,
            csi=args.csi,
            component_id=args.component,
            metric_id=args.metric,
            quantity=args.quantity,
            start_date=args.start or dt.date.today(),
            end_date=args.end,
            support_status=args.support_status,
            note=args.note,
            entitlement_id=args.id,
            created_by=args.created_by,
        )
        _print_entitlements([row])
    elif args.action == "list":
        _print_entitlements(store.list(args.apps_id, active_on=args.active_on, component_id=args.component))
    elif args.action == "import":
        print(store.import_csv(args.apps_id, args.file, replace=args.replace, created_by=args.created_by).summary())
    else:
        row = store.end(args.apps_id, args.id, end_date=args.end, delete=args.delete)
        if row is None:
            print(f"entitlement line {args.id} of application {args.apps_id} deleted")
        else:
            print(
                f"entitlement line {args.id} of application {args.apps_id} ends on {row['end_date']} (last day covered)"
            )


def _cmd_report_sod(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.collectors.registers import schema_guard
    from airflow_provider_nomasx1.reports import sod

    return _write_report(args, sod, schema_guard(args.schema))


def _cmd_report_licence(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.reports import licence

    # the licence report names missing tables itself
    return _write_report(args, licence, contextlib.nullcontext())


def _cmd_report_directory(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.reports import directory

    # the directory report names missing tables itself
    return _write_report(args, directory, contextlib.nullcontext(), jde_apps_id=args.jde_apps_id)


def _cmd_report_database(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.reports import database

    # the database report names missing tables itself
    return _write_report(args, database, contextlib.nullcontext(), as_of=args.as_of)


def _cmd_report_directory_departments(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.reports import directory

    # the folder is checked before the database is read
    _check_writable(str(directory.resolve_folder(args.output, args.apps_id)), "--output")
    engine = _open_target(args)
    try:
        written = directory.write_departments(
            engine, args.apps_id, args.output, jde_apps_id=args.jde_apps_id, schema=args.schema, force=args.force
        )
    finally:
        engine.dispose()
    print(written.summary())
    return 0


def _file_report(
    report_sub: Any, name: str, description: str, apps_help: str, default_name: str, func: Any
) -> argparse.ArgumentParser:
    """The parser of a report written as one file (`nomasx1 report sod|licence|directory`)."""
    parser = report_sub.add_parser(name, help=description)
    parser.add_argument("--apps-id", type=_apps_id, required=True, help=apps_help)
    parser.add_argument("--format", choices=["csv", "xlsx", "html"], default="html", help="default html")
    parser.add_argument("--output", help=f"file or existing folder (default: ./{default_name}.<ext>)")
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    _target_options(parser)
    parser.set_defaults(func=func)
    return parser


def _write_report(
    args: argparse.Namespace, report: Any, guard: contextlib.AbstractContextManager, **options: Any
) -> int:
    """Write one report (``nomasx1 report sod``, ``licence`` or ``directory``): ``report`` is its
    module, with ``resolve_output`` and ``write_report`` (both given ``options``, if any)."""
    # the file name and folder are checked before the database is read
    _check_writable(str(report.resolve_output(args.output, args.apps_id, args.format, **options)), "--output")
    engine = _open_target(args)
    try:
        with guard:
            written = report.write_report(
                engine, args.apps_id, args.format, args.output, schema=args.schema, force=args.force, **options
            )
    finally:
        engine.dispose()
    print(written.summary())
    return 0


def _print_apps(apps: list[dict]) -> None:
    print(f"{'apps_id':>7}  {'name':<24} {'type':<8} {'source':<16} {'sequence':<10} {'dormant':>7}")
    for a in apps:
        print(
            f"{a['apps_id']:>7}  {a['apps_name']:<24} {a['apps_type']:<8} {a['source_conn_id'] or '-':<16} "
            f"{a['role_sequence_direction']:<10} {a['dormant_days']:>7}"
        )


def _cmd_schema(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.schema import bootstrap

    engine = _engine(args.url)
    try:
        if args.action == "init":
            print(bootstrap.init_schema(engine, args.schema).summary())
            return 0
        exists = _schema_exists(engine, args.schema)
        init = f"`nomasx1 schema init --url URL --schema {args.schema}`"
        if args.action == "upgrade":
            if not exists:  # a mistyped --schema would otherwise get a whole new schema
                raise ConfigurationError(
                    f"schema {args.schema} does not exist in database {engine.url.database}: check --schema, "
                    f"or create it with {init}"
                )
            print(bootstrap.upgrade_schema(engine, args.schema).summary())
        else:
            current = bootstrap.current_revision(engine, args.schema)
            note = "" if exists else f" (the schema does not exist: create it with {init})"
            print(f"schema {args.schema}: revision {current or 'none'}, head {bootstrap.head_revision()}{note}")
    finally:
        engine.dispose()
    return 0


def _schema_exists(engine, schema: str) -> bool:
    import sqlalchemy as sa

    with engine.connect() as conn:
        found = conn.execute(sa.text("SELECT 1 FROM pg_namespace WHERE nspname = :s"), {"s": schema}).first()
    return found is not None


# --------------------------------------------------------------------------------------------------
# option values, checked by the parser (argparse `type=`) before any command runs
# --------------------------------------------------------------------------------------------------

#: settings_applications.apps_id (and every apps_id column) is a PostgreSQL integer
MAX_APPS_ID = 2_147_483_647
_WHOLE = re.compile(r"[+-]?[0-9]{1,20}")


def _int_in(low: int, high: int, what: str) -> Callable[[str], int]:
    """An argparse type: a whole number from ``low`` to ``high`` (``what`` names it in the message)."""

    def parse(text: str) -> int:
        value = int(text) if _WHOLE.fullmatch(text.strip()) else None
        if value is None or not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}: give a whole number from {low} to {high}")
        return value

    return parse


_apps_id = _int_in(1, MAX_APPS_ID, "an application id")

#: license_entitlements.support_status (schema SUPPORT_STATUSES, spelled out for the same reason;
#: a test keeps them equal)
SUPPORT_STATUSES = ("active", "lapsed", "terminated")

#: bounds of --license-max-sessions: applications.LICENSE_MAX_SESSIONS, spelled out so that the
#: parser does not import SQLAlchemy (`nomasx1 --help` stays instant); a test keeps them equal
LICENSE_MAX_SESSIONS = (1, 32)


def _apps_ids(text: str) -> str:
    """A comma list of application ids (``10,11``), each in range; returned normalised."""
    items = [item.strip() for item in text.split(",") if item.strip()]
    if not items:
        raise argparse.ArgumentTypeError(
            f"{text!r} lists no application id: give ids from 1 to {MAX_APPS_ID} such as 10,11"
        )
    return ",".join(str(_apps_id(item)) for item in items)


def _pg_url(text: str) -> str:
    """A PostgreSQL URL (``postgresql://USER:PASSWORD@HOST:PORT/DATABASE``); the password is never echoed."""
    from sqlalchemy.engine import make_url

    shown = mask_secrets(text)
    try:
        url = make_url(text)
        port = url.port
    except Exception:  # ArgumentError (no scheme) or ValueError (port not a number)
        raise argparse.ArgumentTypeError(
            f"{shown!r} is not a URL: use postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
        ) from None
    if url.get_backend_name() not in ("postgresql", "postgres"):
        raise argparse.ArgumentTypeError(
            f"{shown!r} is not a PostgreSQL URL: use postgresql://USER:PASSWORD@HOST:PORT/DATABASE"
        )
    if port is not None and not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{shown!r}: port {port} is out of range (1 to 65535)")
    return text


def _identifier(text: str) -> str:
    """A schema name that can be used in SQL (letters, digits, ``_``, ``$``; 63 characters at most)."""
    from airflow_provider_nomasx1.pg.identifiers import checked

    try:
        return checked(text, "schema")
    except ConfigurationError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _iso_date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: use YYYY-MM-DD, e.g. 2026-01-31") from None


_JSON_EXAMPLE = """'{"1": "application", "2": "action"}'"""


def _json_object(text: str) -> str:
    """JSON text of an object (``{"1": "application"}``); the registry checks the values."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        message = f"{text!r} is not valid JSON ({exc}): give an object such as {_JSON_EXAMPLE}"
        raise argparse.ArgumentTypeError(message) from None
    if not isinstance(value, dict):
        raise argparse.ArgumentTypeError(f"{text!r} is not a JSON object: give one such as {_JSON_EXAMPLE}")
    return text


def _check_writable(output: str | None, option: str) -> None:
    """Fail before any work when the folder an output goes to cannot be written (a missing
    folder is left to the command, which says to create it). A real file is tried: permission
    bits alone lie for root and for read-only mounts."""
    path = Path(output).expanduser() if output else Path.cwd()
    folder = path if path.is_dir() else path.parent
    if not folder.is_dir():
        return
    try:
        with tempfile.TemporaryFile(dir=folder):
            pass
    except OSError as exc:
        raise ConfigurationError(
            f"{option} {path}: cannot write in the folder {folder} ({exc.strerror or exc}): "
            "give a folder you can write to"
        ) from None


# --------------------------------------------------------------------------------------------------
# the error boundary
# --------------------------------------------------------------------------------------------------


class UsageError(Nomasx1Error):
    """The command line itself is wrong (unknown option, bad value, missing argument)."""


class _Parser(argparse.ArgumentParser):
    """argparse, raising :class:`UsageError` instead of printing the usage block and exiting, so
    that :func:`main` prints the one error line every other failure gets."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see `{self.prog} --help`)")


#: ``scheme://user:password@`` (the placeholder PASSWORD of our own examples is left alone)
_URL_PASSWORD = re.compile(r"(\b[A-Za-z][A-Za-z0-9+.-]*://[^:/?#@\s]*:)(?!PASSWORD@)[^\s/?#]*@")
_KEYWORD_PASSWORD = re.compile(r"(?i)\b(password\s*=\s*)('[^']*'|\S+)")


def mask_secrets(text: str) -> str:
    """``text`` with the password of any URL (``scheme://user:***@host``) or ``password=`` masked."""
    return _KEYWORD_PASSWORD.sub(r"\1***", _URL_PASSWORD.sub(r"\1***@", text))


def _first_line(text: str) -> str:
    return next((line.strip() for line in text.splitlines() if line.strip()), "")


def _database_message(exc: BaseException) -> str:
    """What a database refusal means for a CLI user: the server's first line (never the SQL
    statement or its parameters, which SQLAlchemy appends) and what to do."""
    state = sqlstate(exc)
    reason = _first_line(str(getattr(exc, "orig", None) or exc))
    operational = type(getattr(exc, "orig", None) or exc).__name__ == "OperationalError"
    if operational and (not state or state[:2] in ("08", "28", "3D", "57")):
        return (
            f"cannot connect to the database: {reason}; check the URL (--url, --conn or NOMASX1_URL) "
            "and that the server runs and accepts this login"
        )
    if state in ("42P01", "3F000", "42703"):
        return (
            f"{reason}: the schema lacks a table or column this version needs: check --schema, or upgrade "
            "it with `nomasx1 schema upgrade --url URL --schema SCHEMA`"
        )
    if state == "42501":
        return f"{reason}: the login lacks a privilege; use the schema owner's login or grant it"
    if state[:2] in ("22", "23"):
        return f"the database refused a value: {reason}"
    if state in ("40001", "40P01", "55P03"):
        return f"{reason}: another session holds what this command needs; retry when it has finished"
    return f"database error{f' (SQLSTATE {state})' if state else ''}: {reason}"


def diagnose(exc: BaseException) -> str | None:
    """The one-line message for a failure the user can act on, or None for anything else.

    Diagnosed: our own errors (:class:`Nomasx1Error` and subclasses, parse errors included),
    database refusals (SQLAlchemy's DBAPIError family and raw psycopg errors: connection,
    missing table, privilege, bad value), files that cannot be read or written (OSError) and bad
    JSON. Everything else is a bug in the product: :func:`main` lets it raise, because its
    traceback is what a maintainer needs and a one-line message would hide where it happened.
    """
    if isinstance(exc, Nomasx1Error):
        return str(exc)
    sa_exc, psycopg = sys.modules.get("sqlalchemy.exc"), sys.modules.get("psycopg")
    if (sa_exc is not None and isinstance(exc, sa_exc.DBAPIError)) or (
        psycopg is not None and isinstance(exc, psycopg.Error)
    ):
        return _database_message(exc)
    if isinstance(exc, json.JSONDecodeError):
        return f"invalid JSON ({exc}): fix the JSON text given"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{exc.strerror or exc}: check the path and its permissions"
    return None


def _one_line(text: str) -> str:
    return " / ".join(line.strip() for line in text.splitlines() if line.strip())


def _target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", type=_pg_url, help="PostgreSQL URL of the nomasx1 database (or $NOMASX1_URL)")
    parser.add_argument("--conn", help="an Airflow connection id instead of --url")
    parser.add_argument("--schema", type=_identifier, default="nomasx1", help="default nomasx1")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="nomasx1", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the pipeline on synthetic JDE data (embedded PostgreSQL)")
    demo.add_argument("--profile", default="demo", choices=["tiny", "demo", "large"])
    demo.add_argument("--workdir", default=".demo", help="Airflow home and embedded server live here")
    demo.add_argument(
        "--pg-url", type=_pg_url, help="use this PostgreSQL server (superuser) instead of an embedded one"
    )
    demo.add_argument("--keep", action="store_true", help="leave the embedded server running at the end")
    demo.set_defaults(func=_cmd_demo)

    jde = sub.add_parser("jde", help="synthetic JD Edwards source").add_subparsers(dest="jde_command", required=True)
    gen = jde.add_parser("generate", help="create the JDE tables with synthetic data in a PostgreSQL database")
    gen.add_argument("--profile", default="tiny", choices=["tiny", "demo", "large"])
    gen.add_argument("--url", type=_pg_url, required=True, help="PostgreSQL URL of the database to fill")
    gen.add_argument("--seed", type=_int_in(0, 2**31 - 1, "a seed"), default=1)
    gen.add_argument("--as-of", type=_iso_date, help="the date the data is relative to (YYYY-MM-DD)")
    gen.set_defaults(func=_cmd_jde_generate)

    spec = sub.add_parser("spec", help="job specs").add_subparsers(dest="spec_command", required=True)
    val = spec.add_parser("validate", help="validate every job spec and build its DAG (exit 1 on a problem)")
    val.add_argument(
        "jobs_dir", nargs="?", help="the bundle folder (holding jobs/) or its jobs folder (default: the bundled jobs)"
    )
    val.set_defaults(func=_cmd_spec_validate)

    apps = sub.add_parser("apps", help="the application registry (settings_applications)")
    apps.add_argument("action", choices=["add", "update", "list", "show", "remove"])
    apps.add_argument("--apps-id", type=_apps_id, help="application id (add, update, show, remove)")
    _target_options(apps)
    apps.add_argument("--name", help="display name")
    apps.add_argument("--type", choices=["JDE", "DATABASE", "LDAP", "WEBLOGIC", "CUSTOM"], help="default JDE")
    apps.add_argument("--description")
    apps.add_argument("--source-conn", help="Airflow connection of the source (e.g. jdedwards)")
    apps.add_argument(
        "--role-sequence",
        "--role-sequence-direction",
        dest="role_sequence",
        choices=["ascending", "descending"],
        help="which AUSEQNO wins (setting role_sequence_direction)",
    )
    apps.add_argument("--signin-mode", help="role set at sign-in (default *ALL)")
    apps.add_argument("--security-type-codes", type=_json_object, help=f"FSSETY code map as JSON: {_JSON_EXAMPLE}")
    apps.add_argument(
        "--coded-values",
        help='coded JDE values as JSON, e.g. \'{"include_in_all_values": {"set": ["Y"], "not_set": ["N", ""]}}\' '
        "(docs/applications.md); '{}' = the defaults",
    )
    apps.add_argument(
        "--collapse-max-shrink",
        type=float,
        help="largest share (0..1) a required source or derived table may shrink by between runs (0.5; 1 = off)",
    )
    days = _int_in(1, MAX_APPS_ID, "a number of days")
    apps.add_argument("--dormant-days", type=days, help="no sign-on for this many days = dormant (90)")
    apps.add_argument(
        "--out-purge",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="nomasx1-out-1 purges its raw OUT rows (license_jde_out_daily) beyond --out-retention-days (on)",
    )
    apps.add_argument("--out-retention-days", type=days, help="days of raw OUT rows kept in nomasx1 (90)")
    apps.add_argument(
        "--jde-out-purge",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="also delete JDE's own F98911 rows already loaded and older than --jde-out-retention-days (off; "
        "needs --jde-out-purge-connector)",
    )
    apps.add_argument(
        "--jde-out-purge-connector",
        metavar="CONN_ID",
        help="Airflow connection allowed to DELETE from F98911 (the JDE purge's only writable connection; '' clears)",
    )
    apps.add_argument("--jde-out-retention-days", type=days, help="days of F98911 rows kept in JDE (400)")
    apps.add_argument(
        "--license-max-sessions",
        type=_int_in(*LICENSE_MAX_SESSIONS, "a number of sessions"),
        metavar="N",
        help="JDE tables nomasx1-license-1 reads at once, one read-only JDE connection each (4; the job param "
        "max_sessions overrides it for one run)",
    )
    apps.add_argument(
        "--generic-user-patterns",
        metavar="JSON",
        help="generic, batch and service user ids of the licence data quality: a JSON list of PostgreSQL regular "
        """expressions matched case-insensitively, e.g. '["^JDE$", "BATCH", "^SVC"]' ('[]' = none)""",
    )
    apps.add_argument(
        "--reconcile-apps",
        metavar="IDS",
        help="directory application (--type LDAP): the JDE applications nomasx1-ldap-1 reconciles with it, a comma "
        "list such as 10,11, or 'all' (default: every JDE application)",
    )
    apps.add_argument(
        "--match-rules",
        metavar="RULES",
        help="directory application: the match rules in the order they are tried, a comma list of employee_id, "
        "account, mail (default employee_id,account,mail; docs/ldap.md)",
    )
    apps.add_argument("--audit-conn", help="Airflow connection of the LogMiner audit source")
    apps.add_argument("--yes", action="store_true", help="confirm remove")
    apps.set_defaults(func=_cmd_apps)

    ref = sub.add_parser("reference", help="reference bundles: build the curated one, verify, export, import")
    ref.add_argument("action", choices=["build", "verify", "export", "import"])
    _target_options(ref)
    ref.add_argument("--output", default=".", help="build/export: a .tar.gz path or a folder")
    ref.add_argument("--bundle", help="verify/import: the bundle (import default: the curated data)")
    ref.add_argument("--apps-id", type=_apps_id, action="append", help="build: application(s) stamped on SoD rows (10)")
    ref.add_argument("--apps-ids", type=_apps_ids, help="import: comma list of target applications (default: all)")
    ref.add_argument("--replace", action="store_true", help="import: replace the rows instead of adding missing ones")
    ref.set_defaults(func=_cmd_reference)

    sod = sub.add_parser("sod", help="segregation of duties: mitigations (exceptions)")
    sod_sub = sod.add_subparsers(dest="sod_command", required=True)
    exc = sod_sub.add_parser(
        "exception", help="SoD exceptions: a user or role allowed to hold one rule, for a period (sod_exceptions)"
    )
    exc.add_argument("action", choices=["add", "list", "show", "end"])
    exc.add_argument("--apps-id", type=_apps_id, help="application id (list: optional filter)")
    _target_options(exc)
    exc.add_argument("--id", help="exception id (show, end; add: default EXC-<apps>-<n>)")
    exc.add_argument("--user", help="add: the user covered; list: filter")
    exc.add_argument("--role", help="add: the role covered (instead of --user); list: filter")
    exc.add_argument("--activity1", help="add: one activity of the matrix rule (the pair in any order)")
    exc.add_argument("--activity2", help="add: the other activity of the rule")
    exc.add_argument("--process", help="add: the rule's process (only when the pair is a rule of several)")
    exc.add_argument("--valid-from", type=_iso_date, help="add: first day it mitigates, YYYY-MM-DD (default today)")
    exc.add_argument("--valid-to", type=_iso_date, help="add: last day it mitigates (default: open); end: today")
    exc.add_argument("--control", help="add: the mitigating control id")
    exc.add_argument("--approver", help="add: who approved it (required)")
    exc.add_argument("--justification", help="add: the business reason (required)")
    exc.add_argument("--created-by", help="add: who records it (default: the login name)")
    exc.add_argument("--allow-unknown", action="store_true", help="add: accept a user/role not collected yet")
    exc.add_argument("--valid-on", type=_iso_date, help="list: only exceptions valid on this day (YYYY-MM-DD)")
    exc.add_argument("--delete", action="store_true", help="end: delete the record (made in error) instead")
    exc.set_defaults(func=_cmd_sod_exception)

    licence = sub.add_parser("licence", help="licence usage: the entitlement register (what was bought)")
    licence_sub = licence.add_subparsers(dest="licence_command", required=True)
    ent = licence_sub.add_parser(
        "entitlement", help="contract lines: CSI, component, metric, quantity, dates (license_entitlements)"
    )
    ent.add_argument("action", choices=["add", "list", "end", "import"])
    ent.add_argument("--apps-id", type=_apps_id, help="application id (list: optional filter)")
    _target_options(ent)
    ent.add_argument("--id", help="entitlement line id (end; add: default ENT-<apps>-<n>)")
    ent.add_argument("--csi", help="add: the contract's Oracle Customer Support Identifier")
    ent.add_argument("--component", help="add: the licensed component, id or exact name; list: filter")
    ent.add_argument("--metric", help="add: the licence metric, id or exact name (e.g. 'Application User')")
    ent.add_argument("--quantity", help="add: the quantity bought under the metric (a number, 0 or more)")
    ent.add_argument("--start", type=_iso_date, help="add: first day covered, YYYY-MM-DD (default today)")
    ent.add_argument("--end", type=_iso_date, help="add: last day covered (default: open); end: today")
    ent.add_argument("--support-status", choices=SUPPORT_STATUSES, default="active", help="add: default active")
    ent.add_argument("--note", help="add: free text (order number, clause)")
    ent.add_argument("--created-by", help="add, import: who records the lines (default: the login name)")
    ent.add_argument("--active-on", type=_iso_date, help="list: only lines active on this day (YYYY-MM-DD)")
    ent.add_argument("--delete", action="store_true", help="end: delete the line (recorded in error) instead")
    ent.add_argument("--file", metavar="CSV", help="import: the CSV file of lines (docs/license.md)")
    ent.add_argument(
        "--replace", action="store_true", help="import: the file replaces the application's whole register"
    )
    ent.set_defaults(func=_cmd_licence_entitlement)

    report = sub.add_parser("report", help="reports built from the nomasx1 tables")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    _file_report(
        report_sub, "sod", "the SoD report of one application (scope, user x rule, roles)",
        "application id", "sod-report-<apps>-<date>", _cmd_report_sod,
    )  # fmt: skip
    _file_report(
        report_sub, "licence",
        "the licence report of one application (scope, components, users, data quality, entitlements)",
        "application id", "licence-report-<apps>-<as-of>", _cmd_report_licence,
    )  # fmt: skip
    ldap = _file_report(
        report_sub, "directory",
        "the reconciliation findings of one directory application (nomasx1-ldap-1): leavers still enabled "
        "in JDE, ambiguous matches, accounts without a JDE user; scope and summary (docs/directory-report.md)",
        "the directory application (type LDAP)", "directory-report-<apps>-<date>", _cmd_report_directory,
    )  # fmt: skip
    ldap.add_argument("--jde-apps-id", type=_apps_id, help="only this JDE application (default: every one reconciled)")
    database = _file_report(
        report_sub, "database",
        "the Oracle database of one application (nomasx1-database-1): properties, the licence verdict of every "
        "product with its evidence, the findings first (docs/database-report.md)",
        "application id", "database-report-<apps>-<as-of>", _cmd_report_database,
    )  # fmt: skip
    database.add_argument(
        "--as-of", type=_iso_date, help="the collection of this date, YYYY-MM-DD (default: the latest)"
    )
    dept = report_sub.add_parser(
        "directory-departments",
        help="users by applications: one xlsx workbook per department of a directory application, a sheet per "
        "JDE application reconciled and one of every account, written into one new folder all or nothing",
    )
    dept.add_argument("--apps-id", type=_apps_id, required=True, help="the directory application (type LDAP)")
    dept.add_argument(
        "--jde-apps-id", type=_apps_id, help="only this JDE application's sheet (default: every one reconciled)"
    )
    dept.add_argument(
        "--output",
        help="the folder to create, or an existing folder to create it in (default: "
        "./directory-departments-<apps>-<date>)",
    )
    dept.add_argument("--force", action="store_true", help="replace an earlier export of the same folder")
    _target_options(dept)
    dept.set_defaults(func=_cmd_report_directory_departments)

    schema = sub.add_parser("schema", help="create, upgrade or inspect a nomasx1 schema directly")
    schema.add_argument("action", choices=["init", "upgrade", "revision"])
    schema.add_argument("--url", type=_pg_url, required=True, help="PostgreSQL URL of the nomasx1 database")
    schema.add_argument("--schema", type=_identifier, default="nomasx1", help="default nomasx1")
    schema.set_defaults(func=_cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None, *, handler: Callable[[argparse.Namespace], Any] | None = None) -> int:
    """Run one command; returns the exit code (0 done, 1 spec problems found, 2 error).

    The one error boundary of the CLI: a failure :func:`diagnose` recognises (a bad option, our
    own diagnosed errors, a database that refuses the connection or a statement, a file that
    cannot be read or written, bad JSON) prints ONE line ``nomasx1: error: ...`` on stderr, with
    any password in a URL masked, and returns 2. Any other exception is a bug and keeps its
    traceback on purpose: it is the only trace of where the bug is. ``handler``: runs the parsed
    command instead of the command's own function (tests put a failure behind the boundary).
    """
    try:
        args = build_parser().parse_args(argv)
        logging.basicConfig(
            level=logging.INFO if args.verbose else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        return int((handler or args.func)(args) or 0)
    except Exception as exc:
        message = diagnose(exc)
        if message is None:
            raise
        print(f"nomasx1: error: {mask_secrets(_one_line(message))}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
