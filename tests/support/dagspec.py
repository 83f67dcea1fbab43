"""A good job spec the spec and bundle tests vary key by key (plain data)."""

from __future__ import annotations

GOOD = {
    "dag_id": "nomasx1-demo-1",
    "family": "maintenance",
    "display_name": "Demo job",
    "description": "A job for the tests.\nSecond line.",
    "schedule": "30 2 * * *",
    "retries": 2,
    "retry_delay": 90,
    "long_run_alert_minutes": 30,
    "tags": ["demo"],
    "params": {
        "apps_id": None,
        "target_connector": None,
        "target_schema": None,
        "mode": {"default": "full", "type": "string", "enum": ["full", "delta"], "title": "Mode"},
    },
    "steps": [
        {"id": "FIRST", "callable": "airflow_provider_nomasx1.collectors.db:refresh_views"},
        {
            "id": "SECOND",
            "callable": "airflow_provider_nomasx1.collectors.db:refresh_views",
            "params": {"mode": "delta"},
        },
    ],
}
