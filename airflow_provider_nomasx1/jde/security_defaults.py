"""JDE security defaults an application starts with: the FSSETY code map and the menu task views.

Both are JDE knowledge (JDE-SOURCE.md §2): the target schema uses them as the server defaults of
``settings_applications.security_type_codes`` and ``settings_jdedwards.task_views``
(:mod:`airflow_provider_nomasx1.schema.nomasx1`), the security collection falls back on them, and an
application may override either.
"""

from __future__ import annotations

#: FSSETY security-type codes → meaning (JDE-SOURCE.md §2 defaults; overridable per application)
DEFAULT_SECURITY_TYPE_CODES: dict[str, str] = {
    "1": "application",
    "2": "action",
    "3": "row",
    "4": "column",
    "5": "processing_option",
    "6": "tab",
    "7": "hyper_exit",
    "8": "external_calls",
    "9": "exclusive_application",
}

#: task views walked for menus when an application does not list its own (reference rows 91, 93)
DEFAULT_TASK_VIEWS: list[dict[str, object]] = [
    {"task_view": "91", "name": "EnterpriseOne Menus", "security": True},
    {"task_view": "93", "name": "Content Development Tools", "security": True},
]
