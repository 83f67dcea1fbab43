"""Fixtures of the browser tests: `make airflow` (scripts/airflow-standalone.sh) on the demo's data,
and Debian's chromium driven by playwright (no browser download: ``executable_path``).

The server is real and shared by the module: a dedicated embedded PostgreSQL holding the demo's
synthetic JDE database (``jde_demo``, profile ``demo``), the demo's state written by
:func:`runner.save_state` (so the script imports the demo's connections), a fresh Airflow home, and
a BUNDLE copy of the shipped jobs plus one broken spec (for the import error). A dedicated server,
not the suite's: the jobs create cluster-wide roles and databases (deploy-databases, init-db).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.engine import URL, make_url
from support import standalone
from support.directory import require_slapd

CHROMIUM = Path("/usr/bin/chromium")
#: the browser's zone: a user in Paris, where the bundled schedules fire
BROWSER_TIMEZONE = "Europe/Paris"
VIEWPORT = {"width": 1280, "height": 800}
#: a spec with an unknown key (``retry`` for ``retries``), beside the shipped ones in the BUNDLE copy
BROKEN_SPEC = "nomasx1-broken-example"
SCREENSHOTS = standalone.REPO / "docs" / "screenshots"


def _chromium() -> Path:
    if not CHROMIUM.exists():
        pytest.skip(f"no chromium binary at {CHROMIUM}: apt-get install chromium (as .ci/run does)")
    return CHROMIUM


def _broken_copy_of(bundle: Path) -> Path:
    """A spec like nomasx1-refresh-views with ``retry`` where ``retries`` belongs."""
    data = yaml.safe_load((bundle / "jobs" / "nomasx1-refresh-views.yaml").read_text())
    data["dag_id"] = BROKEN_SPEC
    data["display_name"] = "A broken example"
    data["retry"] = data.pop("retries")
    path = bundle / "jobs" / f"{BROKEN_SPEC}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _jde_demo(server_url: URL) -> None:
    """The demo's synthetic JDE source (what `make demo` generates), in database jde_demo."""
    from airflow_provider_nomasx1.demo.jde_generator import generate
    from airflow_provider_nomasx1.demo.runner import JDE_DATABASE
    from airflow_provider_nomasx1.pg import admin as pg_admin

    engine = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        pg_admin.create_database(conn, JDE_DATABASE)
    engine.dispose()
    generate(server_url.set(database=JDE_DATABASE), profile="demo", seed=1)


def _bundle_dags_and_import_error(base: str) -> tuple[set[str], list] | None:
    dags = standalone.get_json(f"{base}/api/v2/dags?limit=100")
    errors = standalone.get_json(f"{base}/api/v2/importErrors")
    bundled = {d["dag_id"] for d in dags["dags"] if d["bundle_name"] == "nomasx1"} if dags else set()
    if not bundled or not errors or not errors["import_errors"]:
        return None
    return bundled, errors["import_errors"]


@pytest.fixture(scope="module")
def ui_server(
    tmp_path_factory: pytest.TempPathFactory, bundle_copy: Callable[[Path], Path]
) -> Iterator[standalone.Served]:
    """`make airflow BUNDLE=<copy>` after `make demo`, on a free port; every process killed at the end."""
    from airflow_provider_nomasx1.demo import runner
    from airflow_provider_nomasx1.demo.embedded_pg import EmbeddedPostgres

    _chromium()  # no server for nothing
    root = tmp_path_factory.mktemp("ui")
    server = EmbeddedPostgres.temporary()
    proc = None
    try:
        server_url = make_url(server.url())
        _jde_demo(server_url)
        demo_dir = root / "demo"
        demo_dir.mkdir()
        # the demo's directory, stopped: `make airflow` serves it again (detached) and stops it
        require_slapd()
        jde_url = server_url.set(database=runner.JDE_DATABASE)
        runner.build_directory(demo_dir, jde_url, dt.date.today()).stop()
        runner.build_oracle_dictionary(server_url)  # what `oracle-target` reads (emulated)
        runner.save_state(demo_dir, server_url, None)
        bundle = bundle_copy(root)
        broken = _broken_copy_of(bundle)
        home = root / "home"
        home.mkdir()
        port = standalone.free_port()
        base = f"http://127.0.0.1:{port}"
        log = root / "standalone.log"
        env = standalone.script_env(
            AIRFLOW_HOME=str(home), AIRFLOW_PORT=str(port), DEMO_DIR=str(demo_dir), BUNDLE=str(bundle)
        )
        proc = standalone.start_script(env, log)
        standalone.wait_for(lambda: standalone.get_json(f"{base}/api/v2/monitor/health"), 180, "the api-server", log)
        standalone.wait_for(
            lambda: _bundle_dags_and_import_error(base), 120, "the bundle's DAGs and its import error", log
        )
        # nomasx1-init-db creates its connection through the REST API (hooks/airflow_api.py); the demo
        # has no such connection: the api-server itself, no login (every visitor is admin)
        standalone.send_json(
            "POST", f"{base}/api/v2/connections", {"connection_id": "airflow_api", "conn_type": "http", "host": base}
        )
        yield standalone.Served(base=base, log=log, bundle=bundle, server_url=server_url, broken_spec=broken)
    finally:
        if proc is not None:
            standalone.stop_script(proc)  # kills the process groups: the script's own trap does not run
        runner.stop_directory(root / "demo")  # detached, in a session of its own
        server.destroy()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Debian's chromium, headless (--no-sandbox: CI runs as root)."""
    from playwright.sync_api import sync_playwright

    executable = _chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(executable), headless=True, args=["--no-sandbox"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, ui_server: standalone.Served) -> Iterator[object]:
    """A fresh page (own cookies and local storage) on the server, 1280x800, in Paris time, in English."""
    context = browser.new_context(
        base_url=ui_server.base, viewport=VIEWPORT, timezone_id=BROWSER_TIMEZONE, locale="en-US"
    )
    context.set_default_timeout(20_000)
    tab = context.new_page()
    yield tab
    context.close()


@pytest.fixture(scope="session")
def screenshot_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """docs/screenshots/ when NOMASX1_UPDATE_SCREENSHOTS=1, else a temporary folder."""
    if os.environ.get("NOMASX1_UPDATE_SCREENSHOTS") == "1":
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        return SCREENSHOTS
    return tmp_path_factory.mktemp("screenshots")


@pytest.fixture
def shoot(screenshot_dir: Path) -> Callable[[object, str], Path]:
    """``shoot(page, name)``: the viewport as ``<name>.png``; returns the file, checked to be a 1280x800 PNG."""

    def take(tab, name: str) -> Path:
        path = screenshot_dir / f"{name}.png"
        tab.mouse.move(0, 0)  # no hover state or tooltip left in the picture
        tab.screenshot(path=str(path))
        head = path.read_bytes()[:24]
        assert head[:8] == b"\x89PNG\r\n\x1a\n", path
        size = (int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big"))
        assert size == (VIEWPORT["width"], VIEWPORT["height"]), (path, size)
        return path

    return take
