"""The JDE tables and columns the security collection reads (JDE-SOURCE.md section 2).

Logical column names (left) are what our SQL uses; the physical JDE names (right) are the
defaults, overridable per connection with extras ``catalogue`` (``"F95921.include_in_all":
"RLCUSTOM"``). Columns marked optional may be missing at a site: they read as NULL and the SQL
applies the documented fallback (e.g. every assignment counts as included in *ALL).

Tables are required (the step fails at once when one is missing, naming the physical table) or
enrichment (``required=False``: F9312, F0101, F01151, F9000, F9001, read as no rows with a
warning and a note in collect_audit when missing). The tables every JDE system fills
(``never_empty``: F0092, F00926, F95921, F98OWSEC, F00950, F9860) are refused when empty and
guarded against a collapse between runs (docs/security.md, "Required and optional tables").
"""

from __future__ import annotations

from airflow_provider_nomasx1.jde.source_table import SourceTable

F0092 = SourceTable(
    "system",
    "F0092",
    {
        "user_id": "ULUSER",
        "address_number": "ULAN8",
        "user_group": "ULUGRP",
        "language": "ULLNGP",
        "date_format": "ULFRMT",
        "country": "ULCTR",
        "updated_date": "ULUPMJ",
    },
    optional=frozenset({"language", "date_format", "country", "updated_date"}),
    never_empty=True,
)

F00926 = SourceTable(
    "system",
    "F00926",
    {"role_id": "AUUSER", "description": "AUROLEDESC", "sequence": "AUSEQNO"},
    never_empty=True,
)

F95921 = SourceTable(
    "system",
    "F95921",
    {
        "role_id": "RLFRROLE",
        "member_id": "RLTOROLE",
        "effective": "RLEFFDATE",
        "expiration": "RLEXPIRDATE",
        "include_in_all": "RLCUSTOM",
    },
    optional=frozenset({"include_in_all"}),
    never_empty=True,
)

F98OWSEC = SourceTable(
    "system",
    "F98OWSEC",
    {
        "user_id": "SCUSER",
        "status": "SCEUSER",
        "password_changed": "SCSECLST",
        "password_frequency": "SCSECFRQ",
    },
    optional=frozenset({"password_changed", "password_frequency"}),
    never_empty=True,
)

F9312 = SourceTable(
    "system",
    "F9312",
    {"user_id": "SHUSER", "event_type": "SHEVTYP", "event_date": "SHUPMJ", "event_time": "SHUPMT"},
    required=False,
)

F00950 = SourceTable(
    "security",
    "F00950",
    {
        "principal": "FSUSER",
        "object_name": "FSOBNM",
        "form_name": "FSFMNM",
        "version": "FSVER",
        "type_code": "FSSETY",
        "system_code": "FSSY",
        "data_item": "FSDTAI",
        "from_value": "FSFRDV",
        "thru_value": "FSTHDV",
        "can_run": "FSRUN",
        "can_view": "FSVWYN",
        "can_add": "FSA",
        "can_change": "FSCHNG",
        "can_delete": "FSDLT",
        "can_ok": "FSIOK",
        "can_copy": "FSCOPY",
        "can_scroll": "FSSCRL",
        "updated_by": "FSMUSE",
        "updated_date": "FSUPMJ",
    },
    optional=frozenset({"can_copy", "can_scroll", "can_view", "updated_by", "updated_date", "system_code"}),
    never_empty=True,
)

F9860 = SourceTable(
    "object_librarian",
    "F9860",
    {
        "object_name": "SIOBNM",
        "description": "SIMD",
        "system_code": "SISY",
        "object_type": "SIFUNO",
        "column_prefix": "SIPFX",
    },
    optional=frozenset({"column_prefix"}),
    never_empty=True,
)

F983051 = SourceTable(
    "central_objects",
    "F983051",
    {"object_name": "VRPID", "version": "VRVERS", "description": "VRJD"},
)

F9000 = SourceTable(
    "control",
    "F9000",
    {
        "task_id": "TMTASKID",
        "task_name": "TMTASKNM",
        "task_type": "TMTASKTYPE",
        "object_name": "TMOBNM",
        "form_name": "TMFMNM",
        "version": "TMVERS",
    },
    required=False,
)

F9001 = SourceTable(
    "control",
    "F9001",
    {"task_view": "TRRLTYPE", "parent_task_id": "TRPARNTTSK", "child_task_id": "TRCHILDTSK", "sequence": "TRPRSSEQ"},
    required=False,
)

F0101 = SourceTable(
    "data",
    "F0101",
    {
        "address_number": "ABAN8",
        "name": "ABALPH",
        "search_type": "ABAT1",
        "business_unit": "ABMCU",
        **{f"ac{n:02d}": f"ABAC{n:02d}" for n in range(1, 31)},
    },
    optional=frozenset(f"ac{n:02d}" for n in range(1, 31)),
    required=False,
)

F01151 = SourceTable(
    "data",
    "F01151",
    {"address_number": "EAAN8", "line": "EAIDLN", "email": "EAEMAL", "email_type": "EAETP"},
    required=False,
)

F0005 = SourceTable(
    "control",
    "F0005",
    {"product_code": "DRSY", "record_type": "DRRT", "code": "DRKY", "description": "DRDL01"},
    required=False,
)

F060116 = SourceTable(
    "data",
    "F060116",
    {
        "address_number": "YAAN8",
        "pay_status": "YAPAST",
        "start_date": "YADST",
        "termination_date": "YADT",
        "company": "YAHMCO",
    },
    optional=frozenset({"pay_status", "company"}),
    required=False,
)

#: the audit columns of a JDE business table are ``<prefix>`` + these suffixes (F9860.SIPFX);
#: a connection's extras ``catalogue`` may name them per table: ``"F0911.audit_user": "GLUSER"``
AUDIT_COLUMN_SUFFIXES = {"audit_user": "USER", "audit_date": "UPMJ"}

#: Object Usage Tracking detail. Oracle does not publish its physical columns (JDE-SOURCE.md
#: section 2): these OU-prefixed names are our reading of the Tools 9.2 layout (unverified), listed
#: in docs/license.md and overridable with extras ``catalogue`` (``"F98911.user_id": "OUUSER"``).
F98911 = SourceTable(
    "system",
    "F98911",
    {
        "object_name": "OUOBNM",
        "form_name": "OUFMNM",
        "version": "OUVERS",
        "user_id": "OUUSER",
        "role": "OUROLE",
        "environment": "OUENHV",
        "path_code": "OUPATHCD",
        "object_type": "OUFUNO",
        "used_date": "OUUPMJ",
        "used_time": "OUUPMT",
    },
    optional=frozenset({"form_name", "version", "role", "environment", "path_code", "object_type"}),
    unverified=True,
)
