"""The long-run alert callback: a warning always, a mail through a real SMTP server on loopback."""

from __future__ import annotations

import asyncio
import email
import json
import logging
import socket

import pytest
from aiosmtpd.controller import Controller

from airflow_provider_nomasx1.dagspec.alerts import alert_text, long_run_alert

CONTEXT = {
    "dag_run": {"dag_run_id": "scheduled__2026-11-28T01:30:00+00:00", "queued_at": "2026-11-28T01:30:02Z"},
    "deadline": {"id": "d1", "deadline_time": "2026-11-28T02:00:02Z"},
}


class Inbox:
    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp(monkeypatch: pytest.MonkeyPatch):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    monkeypatch.setenv(
        "AIRFLOW_CONN_SMTP_TEST",
        json.dumps(
            {
                "conn_type": "smtp",
                "host": "127.0.0.1",
                "port": port,
                "extra": json.dumps({"disable_tls": True, "disable_ssl": True, "from_email": "airflow@example.com"}),
            }
        ),
    )
    yield inbox
    controller.stop()


def test_alert_text_says_what_happened_and_what_to_do() -> None:
    subject, body = alert_text(CONTEXT, "nomasx1-security-1", 30)
    assert subject == "[nomasx1] nomasx1-security-1 still running after 30 min"
    assert "scheduled__2026-11-28T01:30:00+00:00" in body and "has not been stopped" in body
    assert "long_run_alert_minutes" in body


def test_alert_logs_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="airflow_provider_nomasx1.dagspec.alerts"):
        asyncio.run(long_run_alert(CONTEXT, dag_id="nomasx1-sod-1", minutes=10))
    assert "nomasx1-sod-1 still running after 10 min" in caplog.text


def test_alert_mails_the_recipients(smtp: Inbox) -> None:
    asyncio.run(
        long_run_alert(
            CONTEXT, dag_id="nomasx1-sod-1", minutes=10, email=["secops@example.com"], smtp_conn_id="smtp_test"
        )
    )
    [message] = smtp.messages
    assert message["Subject"] == "[nomasx1] nomasx1-sod-1 still running after 10 min"
    assert message["To"] == "secops@example.com"


def test_a_broken_mail_does_not_raise(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        asyncio.run(long_run_alert(CONTEXT, dag_id="x", minutes=1, email=["a@b.c"], smtp_conn_id="no_such_smtp"))
    assert "long-run alert e-mail to ['a@b.c'] through no_such_smtp failed" in caplog.text
