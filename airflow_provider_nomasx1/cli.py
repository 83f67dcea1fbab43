"""The `nomasx1` command: demo, synthetic JDE, spec validation and schema maintenance.

Airflow is imported only by the sub-commands that need it, so `nomasx1 --help` stays instant.
"""

from __future__ import annotations

import argparse
import logging
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
