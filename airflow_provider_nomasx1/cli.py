"""The `nomasx1` command: demo, synthetic JDE, spec validation and schema maintenance.

Airflow is imported only by the sub-commands that need it, so `nomasx1 --help` stays instant.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from airflow_provider_nomasx1 import __version__
from airflow_provider_nomasx1.errors import Nomasx1Error


def _cmd_demo(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.demo.runner import run_demo

    return run_demo(profile=args.profile, workdir=Path(args.workdir), pg_url=args.pg_url, keep=args.keep)


def _cmd_jde_generate(args: argparse.Namespace) -> int:
    import datetime as dt

    from airflow_provider_nomasx1.demo.jde_generator import generate

    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    summary = generate(args.url, profile=args.profile, seed=args.seed, as_of=as_of, log=logging.getLogger("nomasx1"))
    print(summary)
    return 0


def _cmd_spec_validate(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.dagspec.bundle import build_bundle
    from airflow_provider_nomasx1.resources import bundle_dir

    jobs = Path(args.jobs_dir) if args.jobs_dir else bundle_dir() / "jobs"
    dags, problems = build_bundle(jobs)
    for problem in problems:
        print(f"ERROR {problem}", file=sys.stderr)
    print(f"{len(dags)} DAG(s) built from {jobs}, {len(problems)} problem(s)")
    return 1 if problems else 0


def _engine(url: str):
    import sqlalchemy as sa

    from airflow_provider_nomasx1.pgadmin import normalise_url

    return sa.create_engine(normalise_url(url))


def _target_engine(args: argparse.Namespace):
    """The nomasx1 database: --url, else --conn (an Airflow connection), else $NOMASX1_URL."""
    if getattr(args, "url", None):
        return _engine(args.url)
    if getattr(args, "conn", None):
        from airflow_provider_nomasx1.hooks.nomasx1 import Nomasx1Hook

        return Nomasx1Hook(args.conn).engine
    if os.environ.get("NOMASX1_URL"):
        return _engine(os.environ["NOMASX1_URL"])
    raise Nomasx1Error("say which nomasx1 database: --url URL, --conn AIRFLOW_CONN_ID, or set NOMASX1_URL")


_APP_SETTINGS = {  # CLI option -> registry setting
    "name": "apps_name",
    "type": "apps_type",
    "description": "description",
    "source_conn": "source_conn_id",
    "role_sequence": "role_sequence_direction",
    "signin_mode": "signin_mode",
    "security_type_codes": "security_type_codes",
    "dormant_days": "dormant_days",
    "out_purge": "out_purge",
    "out_retention_days": "out_retention_days",
    "audit_conn": "audit_conn_id",
}


def _cmd_apps(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.registry import Registry

    if args.action != "list" and args.apps_id is None:
        raise Nomasx1Error(f"apps {args.action} needs --apps-id")
    engine = _target_engine(args)
    registry = Registry(engine, args.schema)
    settings = {key: getattr(args, opt, None) for opt, key in _APP_SETTINGS.items()}
    try:
        if args.action == "list":
            _print_apps(registry.list())
        elif args.action == "show":
            for key, value in registry.show(args.apps_id).items():
                print(f"{key:<24} {json.dumps(value) if isinstance(value, dict) else value}")
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

    if args.action == "build":
        path = build_curated_bundle(Path(args.output), apps_id=args.apps_id or [10])
        manifest = verify_bundle(path)
        print(
            f"{path}: {manifest.total_rows:,} rows in {len(manifest.tables)} tables (schema {manifest.schema_revision})"
        )
        return 0
    if args.action == "verify":
        manifest = verify_bundle(Path(args.bundle))
        print(f"{args.bundle}: format {manifest.format_version}, schema {manifest.schema_revision}, {manifest.source}")
        for table in manifest.tables:
            print(f"  {table.name:<28} {table.rows:>8,} rows  sha256 {table.sha256[:16]}...")
        return 0
    from airflow_provider_nomasx1.collectors import preload

    engine = _target_engine(args)
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
    from airflow_provider_nomasx1.sod_exceptions import ExceptionStore, schema_guard

    if args.action != "list" and args.apps_id is None:
        raise Nomasx1Error(f"sod exception {args.action} needs --apps-id")
    if args.action in ("show", "end") and not args.id:
        raise Nomasx1Error(
            f"sod exception {args.action} needs --id EXCEPTION_ID (see `nomasx1 sod exception list --apps-id N`)"
        )
    engine = _target_engine(args)
    store = ExceptionStore(engine, args.schema)
    try:
        with schema_guard(args.schema):
            _sod_exception_action(store, args)
    finally:
        engine.dispose()
    return 0


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


def _cmd_report_sod(args: argparse.Namespace) -> int:
    from airflow_provider_nomasx1.reports.sod import write_report
    from airflow_provider_nomasx1.sod_exceptions import schema_guard

    engine = _target_engine(args)
    try:
        with schema_guard(args.schema):
            written = write_report(engine, args.apps_id, args.format, args.output, schema=args.schema, force=args.force)
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
        elif args.action == "upgrade":
            print(bootstrap.upgrade_schema(engine, args.schema).summary())
        else:
            current = bootstrap.current_revision(engine, args.schema)
            print(f"schema {args.schema}: revision {current or 'none'}, head {bootstrap.head_revision()}")
    finally:
        engine.dispose()
    return 0


def _target_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--url", help="PostgreSQL URL of the nomasx1 database (or $NOMASX1_URL)")
    parser.add_argument("--conn", help="an Airflow connection id instead of --url")
    parser.add_argument("--schema", default="nomasx1")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nomasx1", description=__doc__.splitlines()[0])
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress")
    sub = parser.add_subparsers(dest="command", required=True)

    demo = sub.add_parser("demo", help="run the pipeline on synthetic JDE data (embedded PostgreSQL)")
    demo.add_argument("--profile", default="demo", choices=["tiny", "demo", "large"])
    demo.add_argument("--workdir", default=".demo", help="Airflow home and embedded server live here")
    demo.add_argument("--pg-url", help="use this PostgreSQL server (superuser) instead of an embedded one")
    demo.add_argument("--keep", action="store_true", help="leave the embedded server running at the end")
    demo.set_defaults(func=_cmd_demo)

    jde = sub.add_parser("jde", help="synthetic JD Edwards source").add_subparsers(dest="jde_command", required=True)
    gen = jde.add_parser("generate", help="create the JDE tables with synthetic data in a PostgreSQL database")
    gen.add_argument("--profile", default="tiny", choices=["tiny", "demo", "large"])
    gen.add_argument("--url", required=True, help="SQLAlchemy/libpq URL of the database to fill")
    gen.add_argument("--seed", type=int, default=1)
    gen.add_argument("--as-of", help="the date the data is relative to (YYYY-MM-DD)")
    gen.set_defaults(func=_cmd_jde_generate)

    spec = sub.add_parser("spec", help="job specs").add_subparsers(dest="spec_command", required=True)
    val = spec.add_parser("validate", help="validate every job spec and build its DAG (exit 1 on a problem)")
    val.add_argument("jobs_dir", nargs="?", help="folder of *.yaml specs (default: the bundled jobs)")
    val.set_defaults(func=_cmd_spec_validate)

    apps = sub.add_parser("apps", help="the application registry (settings_applications)")
    apps.add_argument("action", choices=["add", "update", "list", "show", "remove"])
    apps.add_argument("--apps-id", type=int, help="application id (add, update, show, remove)")
    _target_options(apps)
    apps.add_argument("--name", help="display name")
    apps.add_argument("--type", choices=["JDE", "DATABASE", "LDAP", "WEBLOGIC", "CUSTOM"], help="default JDE")
    apps.add_argument("--description")
    apps.add_argument("--source-conn", help="Airflow connection of the source (e.g. jdedwards)")
    apps.add_argument("--role-sequence", choices=["ascending", "descending"], help="which AUSEQNO wins")
    apps.add_argument("--signin-mode", help="role set at sign-in (default *ALL)")
    apps.add_argument("--security-type-codes", help='FSSETY code map as JSON: {"1": "application", ...}')
    apps.add_argument("--dormant-days", type=int, help="no sign-on for this many days = dormant (90)")
    apps.add_argument("--out-purge", action=argparse.BooleanOptionalAction, default=None)
    apps.add_argument("--out-retention-days", type=int)
    apps.add_argument("--audit-conn", help="Airflow connection of the LogMiner audit source")
    apps.add_argument("--yes", action="store_true", help="confirm remove")
    apps.set_defaults(func=_cmd_apps)

    ref = sub.add_parser("reference", help="reference bundles: build the curated one, verify, export, import")
    ref.add_argument("action", choices=["build", "verify", "export", "import"])
    _target_options(ref)
    ref.add_argument("--output", default=".", help="build/export: a .tar.gz path or a folder")
    ref.add_argument("--bundle", help="verify/import: the bundle (import default: the curated data)")
    ref.add_argument("--apps-id", type=int, action="append", help="build: application(s) stamped on SoD rows (10)")
    ref.add_argument("--apps-ids", help="import: comma list of target applications (default: all in the bundle)")
    ref.add_argument("--replace", action="store_true", help="import: replace the rows instead of adding missing ones")
    ref.set_defaults(func=_cmd_reference)

    sod = sub.add_parser("sod", help="segregation of duties: mitigations (exceptions)")
    sod_sub = sod.add_subparsers(dest="sod_command", required=True)
    exc = sod_sub.add_parser(
        "exception", help="SoD exceptions: a user or role allowed to hold one rule, for a period (sod_exceptions)"
    )
    exc.add_argument("action", choices=["add", "list", "show", "end"])
    exc.add_argument("--apps-id", type=int, help="application id (list: optional filter)")
    _target_options(exc)
    exc.add_argument("--id", help="exception id (show, end; add: default EXC-<apps>-<n>)")
    exc.add_argument("--user", help="add: the user covered; list: filter")
    exc.add_argument("--role", help="add: the role covered (instead of --user); list: filter")
    exc.add_argument("--activity1", help="add: one activity of the matrix rule (the pair in any order)")
    exc.add_argument("--activity2", help="add: the other activity of the rule")
    exc.add_argument("--process", help="add: the rule's process (only when the pair is a rule of several)")
    exc.add_argument("--valid-from", help="add: first day it mitigates, YYYY-MM-DD (default today)")
    exc.add_argument("--valid-to", help="add: last day it mitigates (default open-ended); end: default today")
    exc.add_argument("--control", help="add: the mitigating control id")
    exc.add_argument("--approver", help="add: who approved it (required)")
    exc.add_argument("--justification", help="add: the business reason (required)")
    exc.add_argument("--created-by", help="add: who records it (default: the login name)")
    exc.add_argument("--allow-unknown", action="store_true", help="add: accept a user/role not collected yet")
    exc.add_argument("--valid-on", help="list: only exceptions valid on this day (YYYY-MM-DD)")
    exc.add_argument("--delete", action="store_true", help="end: delete the record (made in error) instead")
    exc.set_defaults(func=_cmd_sod_exception)

    report = sub.add_parser("report", help="reports built from the nomasx1 tables")
    report_sub = report.add_subparsers(dest="report_command", required=True)
    rep = report_sub.add_parser("sod", help="the SoD report of one application (scope, user x rule, roles)")
    rep.add_argument("--apps-id", type=int, required=True, help="application id")
    rep.add_argument("--format", choices=["csv", "xlsx", "html"], default="html", help="default html")
    rep.add_argument("--output", help="file or existing folder (default: ./sod-report-<apps>-<date>.<ext>)")
    rep.add_argument("--force", action="store_true", help="replace an existing file")
    _target_options(rep)
    rep.set_defaults(func=_cmd_report_sod)

    schema = sub.add_parser("schema", help="create, upgrade or inspect a nomasx1 schema directly")
    schema.add_argument("action", choices=["init", "upgrade", "revision"])
    schema.add_argument("--url", required=True, help="PostgreSQL URL of the nomasx1 database")
    schema.add_argument("--schema", default="nomasx1")
    schema.set_defaults(func=_cmd_schema)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    try:
        return int(args.func(args) or 0)
    except Nomasx1Error as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
