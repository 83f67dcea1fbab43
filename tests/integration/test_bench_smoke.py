"""Every benchmark still runs: ``bench/*.py --smoke`` (tiny sizes, one round, our code and its anchor).

The seven scripts start together, each in its own subprocess against the test PostgreSQL server and
with its own Airflow home, so the module costs about as long as the slowest of them rather than
their sum. Anchors that live in the ``bench`` extra (dag-factory, dlt) are skipped, with the reason,
when that extra is not installed (``make test`` installs only ``.[test]``); bench/ldap.py needs
OpenLDAP's slapd, and is skipped without it like the other LDAP tests (failed with
NOMASX1_REQUIRE_LDAP=1). The ratios of a smoke run mean nothing; only that each script ends with
one is checked.
"""

from __future__ import annotations

import importlib.util
import math
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import URL

from airflow_provider_nomasx1 import testing
from airflow_provider_nomasx1.demo import ldap_server

REPO = next(p for p in Path(__file__).resolve().parents if (p / "pyproject.toml").is_file())
BENCH = REPO / "bench"
TIMEOUT_SECONDS = 300
#: the benchmark's last line: "ratio ...: 0.24", "scaling ratio ... = 1.24 (goal <= 2.2)..." or
#: "ratios: users_full=1.10 (goal 1.3) ..." (the first of several)
RATIO = re.compile(r"\bratios?\b[^:=]*[:=]\s*(?:[\w/]+=)?(\d+(?:\.\d+)?)")
#: bench/license.py's last line: every ratio by name
LICENSE_RATIOS = ("users_full", "users_incremental", "out", "rss_tiny/tiny")
#: bench/ldap.py's last line: every ratio by name (its smoke sizes are 200 and 400 users)
LDAP_RATIOS = ("rate", "rss_400/200")
BENCH_EXTRA = "the bench extra is not installed (pip install -c constraints.txt -e '.[test,bench]')"


def _installed(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


HAS_DAGFACTORY = _installed("dagfactory")
HAS_DLT = _installed("dlt")
HAS_SLAPD = ldap_server.slapd_path() is not None


@dataclass
class SmokeRun:
    """One benchmark subprocess, its output going to files (four pipes read in turn could block)."""

    name: str
    process: subprocess.Popen
    stdout: Path
    stderr: Path

    def finish(self) -> tuple[int, list[str], str]:
        """Exit code, printed lines and the tail of stderr, once the script has ended."""
        try:
            code = self.process.wait(timeout=TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
            pytest.fail(f"bench/{self.name}.py --smoke did not finish within {TIMEOUT_SECONDS} s")
        return code, self.stdout.read_text().strip().splitlines(), self.stderr.read_text()[-3000:]


def _arguments(name: str) -> list[str]:
    args = [sys.executable, str(BENCH / f"{name}.py"), "--smoke"]
    if name == "sync" and not HAS_DLT:
        args.append("--skip-dlt")
    return args


def _start(name: str, server: URL, folder: Path) -> SmokeRun:
    env = dict(os.environ)
    env.pop("AIRFLOW__CORE__DAGS_FOLDER", None)
    env.update(
        {
            testing.ENV_PG_URL: server.render_as_string(hide_password=False),
            "AIRFLOW_HOME": str(folder / "airflow"),
        }
    )
    stdout, stderr = folder / "stdout.txt", folder / "stderr.txt"
    with stdout.open("wb") as out, stderr.open("wb") as err:
        process = subprocess.Popen(_arguments(name), stdout=out, stderr=err, env=env, cwd=REPO)
    return SmokeRun(name, process, stdout, stderr)


@pytest.fixture(scope="module")
def smoke_runs(pg_server: URL, tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, SmokeRun]]:
    """All the runnable smoke benchmarks, started at once; any still running at the end is killed."""
    names = ["sync", "security", "sod", "license", "license_position"] + (["parse"] if HAS_DAGFACTORY else [])
    names += ["ldap"] if HAS_SLAPD else []
    runs = {name: _start(name, pg_server, tmp_path_factory.mktemp(f"bench-{name}")) for name in names}
    yield runs
    for run in runs.values():
        if run.process.poll() is None:
            run.process.kill()
            run.process.wait()


def _finished(runs: dict[str, SmokeRun], name: str) -> list[str]:
    """The printed lines of a benchmark that exited 0, else a failure showing its stderr."""
    code, lines, stderr = runs[name].finish()
    assert code == 0, f"bench/{name}.py --smoke exited {code}:\n{stderr}"
    assert lines, f"bench/{name}.py --smoke printed nothing"
    return lines


def _require_slapd(request: pytest.FixtureRequest) -> None:
    """Without slapd, the LDAP tests' own verdict: the directory_server fixture skips (or fails,
    with NOMASX1_REQUIRE_LDAP=1) before it starts anything."""
    if not HAS_SLAPD:
        request.getfixturevalue("directory_server")


@pytest.mark.parametrize("name", ["parse", "sync", "security", "sod", "license", "license_position", "ldap"])
def test_smoke_run_ends_with_a_ratio(
    name: str, smoke_runs: dict[str, SmokeRun], request: pytest.FixtureRequest
) -> None:
    if name == "parse" and not HAS_DAGFACTORY:
        pytest.skip(f"bench/parse.py's anchor dag-factory: {BENCH_EXTRA}")
    if name == "ldap":
        _require_slapd(request)
    last = _finished(smoke_runs, name)[-1]
    match = RATIO.search(last)
    assert match, f"bench/{name}.py --smoke: last line has no ratio: {last!r}"
    assert math.isfinite(float(match.group(1))) and float(match.group(1)) > 0, last


def test_sync_smoke_ends_with_the_dlt_ratio(smoke_runs: dict[str, SmokeRun]) -> None:
    if not HAS_DLT:
        pytest.skip(f"bench/sync.py's anchor dlt: {BENCH_EXTRA}")
    lines = _finished(smoke_runs, "sync")
    assert lines[-1].startswith("ratio nomasx1 sql_copy / dlt rows per second: "), lines[-1]
    assert lines[-2].startswith("ratio nomasx1 sql_copy / raw COPY rows per second: "), lines[-2]
    assert any(line.startswith("dlt sql_table ") for line in lines), lines


def test_license_smoke_ends_with_every_ratio(smoke_runs: dict[str, SmokeRun]) -> None:
    last = _finished(smoke_runs, "license")[-1]
    assert last.startswith("ratios: users_full="), last
    values = dict(re.findall(r"([\w/]+)=(\d+(?:\.\d+)?)", last))
    assert sorted(values) == sorted(LICENSE_RATIOS), last
    assert all(math.isfinite(float(v)) and float(v) > 0 for v in values.values()), last
    # one size in a smoke run: its peak RSS over itself
    assert values["rss_tiny/tiny"] == "1.00", last


def test_license_position_smoke_times_three_runs(smoke_runs: dict[str, SmokeRun]) -> None:
    lines = _finished(smoke_runs, "license_position")
    runs = [line for line in lines if re.match(r"\s*LICENSE_POSITION run \d ", line)]
    assert len(runs) == 3, lines
    # one size in a smoke run: its median over itself
    assert lines[-1].startswith("ratio license_position time(tiny) / time(tiny) = 1.00 (goal <= 2.2); tiny "), lines[-1]


def test_ldap_smoke_ends_with_the_rate_and_memory_ratios(
    smoke_runs: dict[str, SmokeRun], request: pytest.FixtureRequest
) -> None:
    _require_slapd(request)
    lines = _finished(smoke_runs, "ldap")
    last = lines[-1]
    assert last.startswith("ratios: rate="), last
    values = dict(re.findall(r"([\w/]+)=(\d+(?:\.\d+)?)", last))
    assert sorted(values) == sorted(LDAP_RATIOS), last
    assert all(math.isfinite(float(v)) and float(v) > 0 for v in values.values()), last
    # each size read whole by the step: its users and the 8 groups
    steps = [re.search(r" (\d[\d,]*) entries in ", line) for line in lines if line.startswith("  SECURITY_LDAP ")]
    assert [m.group(1) for m in steps if m] == ["208", "408"], lines
    assert sum(line.startswith("  anchor: ldap3, bare process ") for line in lines) == 2, lines
    # and every user became an account row
    loaded = [re.search(r"'security_ldap': (\d+),", line) for line in lines if line.lstrip().startswith("rows: ")]
    assert [m.group(1) for m in loaded if m] == ["200", "400"], lines
