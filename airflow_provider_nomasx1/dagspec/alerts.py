"""Long-run alert: the callback of the DeadlineAlert built from ``long_run_alert_minutes``.

It warns and, when the spec lists e-mail recipients, sends a mail through an SMTP connection. It
never stops the run: a slow collection is still worth finishing. Airflow runs it in the triggerer
(an ``AsyncCallback``), with a context holding the DAG run and the deadline.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Any

log = logging.getLogger(__name__)

#: set to ``off`` to build the DAGs without their deadline alerts
DEADLINES_ENV = "NOMASX1_DEADLINES"


def deadlines_enabled() -> bool:
    """False under ``airflow dags test`` / ``dag.test()`` runs made by our harness.

    Airflow 3.3.2's ``dag.test()`` keeps the DAG's deadline alerts as serialized dicts where the
    scheduler has their database ids, and crashes when the test run succeeds
    (``DeadlineAlertModel.get_by_id(<dict>)``: "'dict' object has no attribute 'hex'"). The
    scheduler path is not affected. So a test run is built without its alerts; the alert has no
    meaning for a run in the foreground anyway.
    """
    if os.environ.get(DEADLINES_ENV, "").lower() in ("off", "0", "false"):
        return False
    argv = [a for a in sys.argv[1:] if not a.startswith("-")]
    return argv[:2] != ["dags", "test"]


def alert_text(context: dict[str, Any], dag_id: str, minutes: int) -> tuple[str, str]:
    """Subject and body of the alert (plain words an operator can act on)."""
    run = context.get("dag_run") or {}
    run_id = run.get("dag_run_id") or run.get("run_id") or "?"
    deadline = (context.get("deadline") or {}).get("deadline_time")
    subject = f"[nomasx1] {dag_id} still running after {minutes} min"
    body = (
        f"Run {run_id} of {dag_id} was queued at {run.get('queued_at', '?')} and was still not finished "
        f"at its long-run deadline {deadline}. It has not been stopped. Check the task logs for progress "
        f"(rows done / rate) and the source database load; raise long_run_alert_minutes in the job's "
        f"spec if this duration is now normal."
    )
    return subject, body


async def long_run_alert(
    context: dict[str, Any],
    dag_id: str,
    minutes: int,
    email: list[str] | None = None,
    smtp_conn_id: str = "smtp_default",
) -> None:
    """Log a warning, and mail ``email`` if given. Never raises for a failed mail: it logs it."""
    subject, body = alert_text(context, dag_id, minutes)
    log.warning("%s: %s", subject, body)
    if not email:
        return
    try:
        from airflow.providers.smtp.notifications.smtp import SmtpNotifier

        notifier = SmtpNotifier(to=email, subject=subject, html_content=f"<p>{body}</p>", smtp_conn_id=smtp_conn_id)
        # Airflow hands deadline callbacks a plain dict (triggers/callback.py), not the task Context it annotates
        await notifier.async_notify(context)  # type: ignore[arg-type]
    except Exception:  # the warning above is already logged; a broken mail must not hide it
        log.exception("long-run alert e-mail to %s through %s failed", email, smtp_conn_id)
