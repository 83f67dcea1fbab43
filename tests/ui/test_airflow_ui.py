"""The Airflow UI in a real browser (issue 12): Debian's chromium driven by playwright against
`make airflow` on the demo's data (tests/ui/conftest.py), as a user in Paris sees it.

1. the DAG list: every bundled DAG, paused, by its display name, with its schedule (the cron and,
   on hover, Airflow's description of it); each description on the DAG's details page;
2. every trigger form opens with its params labelled, its Trigger button enabled on the defaults,
   submits, and the run succeeds; in the demo's order, with application 10 registered once the
   schema exists (`nomasx1 apps add`). A cron job is unpaused first with its switch: Airflow then
   runs its latest slot (catchup off), shown at 03:00 Paris time for the security job, and the
   next run at 03:00 tomorrow;
3. a broken spec of the BUNDLE copy is an import error naming the file, the key and the reason;
4. the connection forms of the two types show their labelled fields;
5. screenshots (docs/ui-tour.md): a temporary folder, or docs/screenshots/ with NOMASX1_UPDATE_SCREENSHOTS=1.

The tests share one server and run in file order: the list is checked before the triggers unpause.
"""

from __future__ import annotations

import collections
import datetime as dt
import itertools
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

import pytest
import sqlalchemy as sa
from airflow.sdk import DAG
from playwright.sync_api import Locator, Page, expect
from support import standalone
from support.standalone import Served

from airflow_provider_nomasx1.dagspec.bundle import CHECK_FILE, build_bundle
from airflow_provider_nomasx1.dagspec.loader import SpecProblem
from airflow_provider_nomasx1.get_provider_info import get_provider_info
from airflow_provider_nomasx1.resources import bundle_dir

pytestmark = [pytest.mark.airflow, pytest.mark.browser]

PARIS = ZoneInfo("Europe/Paris")
#: milliseconds for a page or an element to show
UI = 20_000
#: seconds for one run to end (the security job, the longest, takes ~25 s on 2 cores)
RUN_SECONDS = 300
#: the bundled cron jobs: the cron, what Airflow's UI says of it (on hover), the time it fires in Paris
SCHEDULES = {
    "nomasx1-security-1": ("0 3 * * *", "At 03:00", dt.time(3, 0)),
    "nomasx1-sod-1": ("30 4 * * *", "At 04:30", dt.time(4, 30)),
    "nomajde-daily-sync": ("30 2 * * *", "At 02:30", dt.time(2, 30)),
    "nomasx1-employees-1": ("0 6 * * 1", "At 06:00, only on Monday", dt.time(6, 0)),
    "nomasx1-out-1": ("0 4 * * *", "At 04:00", dt.time(4, 0)),
    "nomasx1-license-1": ("30 3 * * *", "At 03:30", dt.time(3, 30)),
    "nomasx1-ldap-1": ("30 4 * * *", "At 04:30", dt.time(4, 30)),
    "nomasx1-database-1": ("0 5 1 * *", "At 05:00, on day 1 of the month", dt.time(5, 0)),
}
#: the cron jobs the test unpauses to see their latest daily slot run (the interval jobs, whose
#: timetable the dagspec tests check, are triggered through their form like the manual jobs)
UNPAUSED = ("nomasx1-security-1", "nomasx1-sod-1", "nomajde-daily-sync")
#: the trigger forms in the demo's order (runner.py); the DAGs of one wave run side by side
WAVES = (
    ("deploy-databases",),
    ("nomasx1-upgrade-schema-1",),
    ("nomasx1-init-schema-1",),
    ("nomasx1-import-reference", "nomajde-daily-sync", "nomasx1-init-db"),
    ("nomasx1-refresh-views", "nomasx1-export-reference", "nomasx1-security-1"),
    (
        "nomasx1-sod-1",
        "nomasx1-employees-1",
        "nomasx1-license-1",
        "nomasx1-out-1",
        "nomasx1-ldap-1",
        "nomasx1-database-1",
    ),
)
#: `nomasx1 apps add --apps-id 10` once this job made the schema (the demo registers it there too)
REGISTER_AFTER = "nomasx1-init-schema-1"
SHOWN = "%Y-%m-%d %H:%M:%S"  # how the UI writes a moment (in the browser's zone)


@pytest.fixture(scope="module")
def served(ui_server: Served) -> tuple[dict[str, DAG], list[SpecProblem]]:
    """The DAGs the served BUNDLE copy defines (tenant-stamped when a tenants.yaml says so) and its problems."""
    dags, problems = build_bundle(ui_server.bundle / "jobs")
    shipped, shipped_problems = build_bundle(bundle_dir() / "jobs")
    assert shipped_problems == []
    assert set(dags) == set(shipped)  # the broken spec is the only addition, and defines no DAG
    return dags, problems


def _api(ui: Served, path: str) -> Any:
    return standalone.get_json(f"{ui.base}/api/v2{path}")


def _label(title: str) -> re.Pattern[str]:
    """A form label: the title, and the ``*`` of a required field."""
    return re.compile(rf"^\s*{re.escape(title)}\s*\*?\s*$")


def _utc(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))


def _slots(at: dt.time, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The latest daily slot at ``at`` (Paris time) not after ``now``, and the slot after it."""
    latest = dt.datetime.combine(now.date(), at, tzinfo=PARIS)
    if latest > now:
        latest = dt.datetime.combine(now.date() - dt.timedelta(days=1), at, tzinfo=PARIS)
    return latest, dt.datetime.combine(latest.date() + dt.timedelta(days=1), at, tzinfo=PARIS)


def _tooltip_of(page: Page, target: Locator) -> Locator:
    """The tooltip hovering ``target`` opens (hovered again while the list re-renders under the mouse).

    Only an open tooltip counts: the previous card's one lingers in the page, closed, while it fades.
    """
    tooltip = page.locator('[role="tooltip"][data-state="open"]')
    for _ in range(5):
        target.hover()
        try:
            expect(tooltip).to_be_visible(timeout=2_000)
            return tooltip
        except AssertionError:
            page.mouse.move(0, 0)
    return tooltip


# --------------------------------------------------------------------------------------------------
# 1. the DAG list and the details pages
# --------------------------------------------------------------------------------------------------


def test_the_dag_list_shows_every_bundled_dag_paused_by_its_name_and_schedule(
    page: Page, served: tuple[dict[str, DAG], list[SpecProblem]], shoot
) -> None:
    dags, _ = served
    crons = {dag_id: dag.timetable.expression for dag_id, dag in dags.items() if hasattr(dag.timetable, "expression")}
    assert crons == {dag_id: cron for dag_id, (cron, _, _) in SCHEDULES.items()}
    assert {str(dags[dag_id].timetable.timezone) for dag_id in crons} == {"Europe/Paris"}
    page.goto("/dags")
    cards = page.get_by_test_id("dag-card")
    expect(cards).to_have_count(len(dags), timeout=UI)
    expect(page.get_by_text(f"{len(dags)} Dags", exact=True)).to_be_visible()
    for dag_id, dag in sorted(dags.items()):
        name = page.get_by_role("link", name=dag.dag_display_name, exact=True)
        card = cards.filter(has=name)
        expect(card).to_have_count(1)
        expect(card.get_by_role("link", name=dag.dag_display_name, exact=True)).to_have_attribute(
            "href", f"/dags/{dag_id}"
        )
        expect(card.get_by_test_id("toggle-pause")).to_have_attribute("data-state", "unchecked")  # paused
        schedule = card.get_by_test_id("schedule")
        if dag_id not in SCHEDULES:
            expect(schedule).to_have_text("Schedule")  # the label alone: manual only
            continue
        cron, described, _ = SCHEDULES[dag_id]
        expect(schedule).to_have_text(f"Schedule {cron}")
        expect(_tooltip_of(page, schedule.get_by_text(cron))).to_have_text(described)
        page.mouse.move(0, 0)
        expect(card.get_by_test_id("next-run")).to_have_text("Next Run")  # none while paused
    page.goto("/dags")  # the top of the list, no tooltip, for the picture
    expect(cards).to_have_count(len(dags), timeout=UI)
    shoot(page, "dag-list")


def test_each_dags_description_is_on_its_details_page(
    page: Page, served: tuple[dict[str, DAG], list[SpecProblem]], shoot
) -> None:
    dags, _ = served
    assert dags["nomasx1-security-1"].description.endswith(" · runs 03:00 Europe/Paris")
    for dag_id, dag in sorted(dags.items()):
        page.goto(f"/dags/{dag_id}/details")
        row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="Description", exact=True))
        expect(row.get_by_role("cell").nth(1)).to_have_text(dag.description, timeout=UI)
        expect(page.get_by_role("row").filter(has=page.get_by_role("cell", name="Dag ID", exact=True))).to_contain_text(
            dag_id
        )
    page.goto("/dags/nomasx1-security-1/details")
    expect(page.get_by_text(" · runs 03:00 Europe/Paris", exact=False)).to_be_visible(timeout=UI)
    shoot(page, "dag-details")


def test_the_details_page_names_the_dags_timezone(page: Page, served) -> None:
    """Airflow 3.3's details page shows [core] default_timezone (DagModel.timezone), not the start
    date's zone: `make airflow` sets it to Europe/Paris, the zone of the bundled schedules."""
    page.goto("/dags/nomasx1-security-1/details")
    row = page.get_by_role("row").filter(has=page.get_by_role("cell", name="Timezone", exact=True))
    expect(row).to_have_count(1, timeout=UI)
    assert row.get_by_role("cell").nth(1).inner_text().strip() == "Europe/Paris"


# --------------------------------------------------------------------------------------------------
# 3. the import error of a broken spec
# --------------------------------------------------------------------------------------------------


def test_a_broken_spec_is_an_import_error_naming_its_file_key_and_reason(
    page: Page, ui_server: Served, served: tuple[dict[str, DAG], list[SpecProblem]], shoot
) -> None:
    _, problems = served
    assert ui_server.broken_spec is not None
    spec = f"jobs/{ui_server.broken_spec.name}"
    assert [(str(p.path), p.key) for p in problems] == [(spec, "retry")]
    assert problems[0].reason.startswith("unknown key")
    page.goto("/dags")
    page.get_by_role("button", name="Dag Import Error").click()
    dialog = page.get_by_role("dialog")
    entry = dialog.get_by_role("button", name=re.compile(re.escape(CHECK_FILE)))
    expect(entry).to_have_text(re.compile(rf"Bundle Name: nomasx1\s*{re.escape(CHECK_FILE)}"), timeout=UI)
    entry.click()
    expect(dialog).to_contain_text(f"SpecFileError: {spec}: retry: unknown key")
    expect(dialog).to_contain_text(f"SpecFileError: {problems[0]}")
    shoot(page, "import-error")


# --------------------------------------------------------------------------------------------------
# 4. the connection forms
# --------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("conn_type", ["nomasx1", "jdedwards"])
def test_the_connection_form_shows_the_labelled_fields_of_its_type(
    page: Page, ui_server, conn_type: str, shoot
) -> None:
    kind = {c["connection-type"]: c for c in get_provider_info()["connection-types"]}[conn_type]
    behaviour = kind["ui-field-behaviour"]
    page.goto("/connections")
    page.get_by_role("button", name="Add Connection").click()
    dialog = page.get_by_role("dialog")
    chooser = dialog.get_by_role("combobox")
    chooser.click()
    for other in ("nomasx1 target (PostgreSQL)", "JD Edwards EnterpriseOne database"):
        expect(page.get_by_role("option", name=other, exact=True)).to_be_visible()
    chooser.fill(kind["hook-name"])
    page.get_by_role("option", name=kind["hook-name"], exact=True).click()
    # the standard fields, relabelled and with placeholders (ui-field-behaviour)
    for field, label in behaviour["relabeling"].items():
        expect(dialog.locator("label").filter(has_text=_label(label))).to_have_count(1, timeout=UI)
        expect(dialog.locator(f"input[name={field}]")).to_be_visible()
    for field, placeholder in behaviour["placeholders"].items():
        expect(dialog.locator(f"input[name={field}]")).to_have_attribute("placeholder", placeholder)
    # the extra fields (conn-fields), each by its label and with its description
    dialog.get_by_role("button", name="Extra Fields", exact=True).click()
    for field in kind["conn-fields"].values():
        expect(dialog.locator("label").filter(has_text=_label(field["label"]))).to_be_visible(timeout=UI)
        if "description" in field:
            expect(dialog.get_by_text(field["description"], exact=True)).to_be_visible()
    shoot(page, f"connection-{conn_type}")


# --------------------------------------------------------------------------------------------------
# 2. every trigger form, and its run
# --------------------------------------------------------------------------------------------------


def _ended(ui: Served, dag_id: str, run_id: str) -> dict[str, Any]:
    """The run once it ended; fails naming the state of each task when it did not succeed."""
    path = f"/dags/{dag_id}/dagRuns/{quote(run_id, safe='')}"

    def probe() -> dict[str, Any] | None:
        run = _api(ui, path)
        return run if run and run["state"] in ("success", "failed") else None

    run = standalone.wait_for(probe, RUN_SECONDS, f"the end of {dag_id} {run_id}", ui.log, every=2)
    tasks = _api(ui, f"{path}/taskInstances")["task_instances"]
    assert run["state"] == "success", f"{dag_id} {run_id}: { ({t['task_id']: t['state'] for t in tasks}) }"
    return run


def _unpause_and_run_the_latest_slot(page: Page, ui: Served, dag_id: str) -> dict[str, Any]:
    """Unpause a cron job with its switch: Airflow runs its latest slot (catchup is off) at once."""
    _, _, at = SCHEDULES[dag_id]
    latest, following = _slots(at, dt.datetime.now(PARIS))
    page.goto(f"/dags/{dag_id}")
    switch = page.get_by_test_id("toggle-pause").first
    expect(switch).to_have_attribute("data-state", "unchecked", timeout=UI)
    switch.click()
    expect(switch).to_have_attribute("data-state", "checked")

    def scheduled() -> dict[str, Any] | None:
        runs = (_api(ui, f"/dags/{dag_id}/dagRuns") or {}).get("dag_runs", [])
        return next((r for r in runs if r["run_type"] == "scheduled"), None)

    run = standalone.wait_for(scheduled, 60, f"the scheduled run of {dag_id}", ui.log)
    assert _utc(run["logical_date"]) == latest  # the slot in Paris time (02:00 UTC in winter for 03:00)
    run = _ended(ui, dag_id, run["dag_run_id"])
    assert _utc(_api(ui, f"/dags/{dag_id}")["next_dagrun_run_after"]) == following
    # what the user in Paris reads: the run at the slot's hour, the next run at the same hour tomorrow
    page.goto(f"/dags/{dag_id}")
    expect(page.get_by_test_id("stat").filter(has_text="Next Run")).to_have_text(
        f"Next Run{following.strftime(SHOWN)}", timeout=UI
    )
    page.goto(f"/dags/{dag_id}/runs")
    row = page.get_by_role("row").filter(has_text=run["dag_run_id"])
    expect(row).to_contain_text(latest.strftime(SHOWN), timeout=UI)
    expect(row).to_contain_text("Success")
    return run


def _submit_the_form(page: Page, dag_id: str, dag: DAG, paused: bool, shoot=None) -> str:
    """Open the DAG's trigger form, check it, submit its defaults; returns the run's page (the UI goes there)."""
    page.goto(f"/dags/{dag_id}")
    page.get_by_test_id("trigger-dag-button").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Trigger Dag - {dag.dag_display_name}", timeout=UI)
    titles = collections.Counter(dag.params.get_param(name).schema.get("title", name) for name in dag.params)
    for title, count in titles.items():
        expect(dialog.locator("label").filter(has_text=_label(title))).to_have_count(count)
    unpause = dialog.get_by_text(f"Unpause {dag.dag_display_name} on trigger", exact=True)
    expect(unpause).to_have_count(1 if paused else 0)
    button = dialog.get_by_role("button", name="Trigger", exact=True)
    expect(button).to_be_enabled()
    if shoot is not None:
        shoot(page, "trigger-form")
    button.click()
    page.wait_for_url(re.compile(rf"/dags/{re.escape(dag_id)}/runs/manual__"), timeout=UI)
    # unpaused on trigger: wait for it before leaving the page (leaving cancels the UI's request)
    expect(page.get_by_test_id("toggle-pause").first).to_have_attribute("data-state", "checked", timeout=UI)
    return page.url


def _register_application(ui: Served) -> None:
    """What an administrator does once (`nomasx1 apps add --apps-id 10`, and 50 for the
    directory), as the demo does."""
    from airflow_provider_nomasx1.applications import Registry
    from airflow_provider_nomasx1.demo.runner import DEMO_APPS_ID, DEMO_LOGINS, register_directory

    login, password = DEMO_LOGINS["nomasx1"]
    engine = sa.create_engine(ui.server_url.set(username=login, password=password, database="nomasx1"))
    try:
        Registry(engine).add(DEMO_APPS_ID, "JDE demo (synthetic)", source_conn_id="jdedwards")
    finally:
        engine.dispose()
    register_directory(sa.create_engine(engine.url))  # the directory application (50) too


def _seconds(run: dict[str, Any]) -> float:
    return (_utc(run["end_date"]) - _utc(run["start_date"])).total_seconds()


def test_every_trigger_form_submits_its_defaults_and_the_run_succeeds(
    page: Page, ui_server: Served, served: tuple[dict[str, DAG], list[SpecProblem]], shoot, capsys
) -> None:
    dags, _ = served
    assert sorted(itertools.chain(*WAVES)) == sorted(dags)
    started, took = time.monotonic(), {}
    for wave in WAVES:
        for dag_id in wave:
            if dag_id in UNPAUSED:
                took[f"{dag_id} (scheduled)"] = _seconds(_unpause_and_run_the_latest_slot(page, ui_server, dag_id))
        submitted = {
            dag_id: _submit_the_form(
                page,
                dag_id,
                dags[dag_id],
                paused=dag_id not in UNPAUSED,
                shoot=shoot if dag_id == "nomasx1-security-1" else None,
            )
            for dag_id in wave
        }
        for dag_id, url in submitted.items():
            run = _ended(ui_server, dag_id, url.rsplit("/runs/", 1)[1])
            took[dag_id] = _seconds(run)
            page.goto(url)
            expect(page.get_by_test_id("header-card").get_by_test_id("state-badge")).to_have_text("Success", timeout=UI)
        if REGISTER_AFTER in wave:
            _register_application(ui_server)
    # the grid of the security job: its scheduled and its manual run, every step green
    page.goto("/dags/nomasx1-security-1")
    expect(page.get_by_test_id("task-state-badge")).to_have_count(2 * len(dags["nomasx1-security-1"].tasks), timeout=UI)
    shoot(page, "run-grid")
    with capsys.disabled():
        runs = ", ".join(f"{dag_id} {seconds:.0f}s" for dag_id, seconds in took.items())
        print(f"\nUI trigger forms: every run succeeded in {time.monotonic() - started:.0f}s ({runs})")


def test_the_screenshots_are_named_in_the_tour() -> None:
    tour = (standalone.REPO / "docs" / "ui-tour.md").read_text()
    names = {"dag-list", "dag-details", "trigger-form", "run-grid", "import-error"}
    names |= {"connection-nomasx1", "connection-jdedwards"}
    assert set(re.findall(r"\(screenshots/([a-z0-9-]+)\.png\)", tour)) == names
    assert all((Path(standalone.REPO / "docs" / "screenshots" / f"{n}.png")).is_file() for n in names)
