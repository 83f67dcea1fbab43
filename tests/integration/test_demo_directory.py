"""The demo's directory after `make demo`: `make airflow` serves it again (detached slapd, the
`ldap` connection in connections.json) and stops it at the end."""

from __future__ import annotations

import json
import os
from pathlib import Path

import ldap3
import pytest
from sqlalchemy.engine import URL
from support.directory import require_slapd

from airflow_provider_nomasx1.demo import ldap_server, runner


def test_resume_serves_the_demos_directory_detached_and_stop_directory_ends_it(tmp_path: Path, pg_server: URL) -> None:
    require_slapd()
    folder = tmp_path / "ldap"
    entry = ("cn=Ann,dc=nomasx1,dc=test", {"objectClass": ["top", "person"], "cn": "Ann", "sn": "A"})
    with ldap_server.start_directory_server(folder, entries=[entry]) as server:
        state = {"workdir": str(folder), "base_dn": server.base_dn, "password": server.password,
                 "port": server.port, "ldaps_port": server.ldaps_port, "ca_file": str(server.ca_file)}  # fmt: skip
    (tmp_path / runner.DIRECTORY_STATE_FILE).write_text(json.dumps(state))
    try:
        assert runner.resume_directory(tmp_path) is True
        assert runner.resume_directory(tmp_path) is False  # already running: left alone
        pid = ldap_server.detached_pid(folder)
        assert pid is not None
        tls = ldap3.Tls(ca_certs_file=state["ca_file"])
        conn = ldap3.Connection(
            ldap3.Server("127.0.0.1", port=state["ldaps_port"], use_ssl=True, tls=tls),
            user=f"cn=admin,{state['base_dn']}", password=state["password"], auto_bind=True,
        )  # fmt: skip
        assert conn.search(state["base_dn"], "(cn=Ann)") and len(conn.entries) == 1  # the data survived
        conn.unbind()
        fields = runner._connection_fields(pg_server, tmp_path)["ldap"]
        assert (fields["conn_type"], fields["port"]) == ("nomasx1_ldap", state["ldaps_port"])
        assert json.loads(fields["extra"])["ca_bundle"] == state["ca_file"]
    finally:
        runner.stop_directory(tmp_path)
    assert ldap_server.detached_pid(folder) is None
    with pytest.raises(ChildProcessError):  # ended and reaped
        os.waitpid(pid, 0)
