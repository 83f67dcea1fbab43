"""The JDE tables and columns the security collection reads (JDE-SOURCE.md section 2).

Logical column names (left) are what our SQL uses; the physical JDE names (right) are the
defaults, overridable per connection with extras ``catalogue`` (``"F95921.include_in_all":
"RLCUSTOM"``). Columns marked optional may be missing at a site: they read as NULL and the SQL
applies the documented fallback (e.g. every assignment counts as included in *ALL).
"""

from __future__ import annotations

from airflow_provider_nomasx1.collectors.extract import SourceTable

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
)

F00926 = SourceTable(
    "system",
    "F00926",
    {"role_id": "AUUSER", "description": "AUROLEDESC", "sequence": "AUSEQNO"},
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
)

F9312 = SourceTable(
    "system",
    "F9312",
    {"user_id": "SHUSER", "event_type": "SHEVTYP", "event_date": "SHUPMJ", "event_time": "SHUPMT"},
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
)

F9860 = SourceTable(
    "object_librarian",
    "F9860",
    {"object_name": "SIOBNM", "description": "SIMD", "system_code": "SISY", "object_type": "SIFUNO"},
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
)

F9001 = SourceTable(
    "control",
    "F9001",
    {"task_view": "TRRLTYPE", "parent_task_id": "TRPARNTTSK", "child_task_id": "TRCHILDTSK", "sequence": "TRPRSSEQ"},
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
)

F01151 = SourceTable(
    "data",
    "F01151",
    {"address_number": "EAAN8", "line": "EAIDLN", "email": "EAEMAL", "email_type": "EAETP"},
)
