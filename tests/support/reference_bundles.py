"""The reference-bundle tests' curated data set and archive helpers.

Plain data (a small curated data set covering every reference table, foreign keys satisfied;
the build time), and the functions that read and hand-craft archives: the tables of bad bundles
(tests/integration/test_reference_bundle.py) call them when pytest collects them, where no
fixture can reach.
"""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

WHEN = dt.datetime(2026, 11, 28, 12, 0, tzinfo=dt.UTC)

FIXTURE_CSV = {
    "settings_lic_metrics": "metric_id,name,description\n10,Application User,Named user of JD Edwards\n20,Processor,\n",
    "settings_lic_components": (
        "component_id,price_list,family,name,description\n"
        '1000,JD Edwards,Financial Management,General Accounting,"GL, AP and AR"\n'
        "2003,Technology,Database,Oracle Database Enterprise Edition,\n"
        "2106,Technology,Database Options,Advanced Compression,Compression avancée\n"
    ),
    "settings_jde_sy": (
        "system_code,description,module,e1_component,component_id\n"
        "09,General Accounting,Finance,General Accounting,1000\n"
        "00,Foundation,,,\n"
    ),
    "settings_jde_rclst": 'object_name,system_code,reason\nP03013,09,"counted with ""GL"""\n',
    "settings_jde_prereq": "component_id,prerequisite_id\n2106,2003\n",
    "settings_jde_restrictions": "component_id,restriction_id,restriction\n2003,1,Restricted use with JD Edwards\n",
    "settings_db_versions": "edition,component_id\nEnterprise Edition,2003\n",
    "settings_db_options": (
        "option_name,component_id,requires_edition,description,product_kind,object_check\n"
        "Advanced Compression,2106,Enterprise Edition,,option,compression\n"
    ),
    "settings_db_features": (
        "feature_name,option_name,min_version,below_version,condition,description\n"
        "Advanced Index Compression,Advanced Compression,12,13,BUG,\n"
        "Advanced Index Compression,Advanced Compression,18,,,\n"
    ),
    "sod_process": "process_id,name,description\nP2P,Procure to pay,\nR2R,Record to report,Close the books\n",
    "sod_risks": "risk_id,name,description,default_level\nR01,Fictitious vendor,,High\n",
    "sod_activities": (
        "activity_id,process_id,name,description,action\n"
        "P2P01,P2P,Maintain vendors,,run\n"
        "P2P02,P2P,Enter vouchers,,add\n"
        "P2P03,P2P,Pay vouchers,,\n"
    ),
    "sod_objects": (
        "activity_id,object_name,form_name,version,description\n"
        "P2P01,P01012,,,\n"
        "P2P02,P0411,W0411A,,\n"
        "P2P03,P04571,,ZJDE0001,\n"
    ),
    "sod_matrix": (
        "process_id,activity1_id,activity2_id,risk_id,risk_level,description\n"
        "P2P,P2P01,P2P02,R01,High,\n"
        "P2P,P2P02,P2P03,,Medium,\n"
    ),
}
GLOBAL_ROWS = 14  # rows of the settings_* fixtures
APP_ROWS = 11  # rows of the sod_* fixtures, per application


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path, "r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def tar_bytes(entries: list[tuple[tarfile.TarInfo | str, bytes | None]], fmt: int = tarfile.GNU_FORMAT) -> bytes:
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w", format=fmt) as tar:
        for info, data in entries:
            if isinstance(info, str):
                info = tarfile.TarInfo(info)
            if data is not None:
                info.size = len(data)
            tar.addfile(info, io.BytesIO(data) if data is not None else None)
    return gzip.compress(raw.getvalue(), mtime=0)


def rebuild(
    good: Path,
    out: Path,
    *,
    manifest: Callable[[dict], Any] | None = None,
    files: Callable[[dict[str, bytes]], Any] | None = None,
    extra: list[tuple[tarfile.TarInfo | str, bytes | None]] = (),
    rehash: bool = False,
) -> Path:
    """Copy a good bundle with its manifest and/or members edited (``rehash``: fix the sha256s)."""
    content = members(good)
    doc = json.loads(content.pop("manifest.json"))
    if files:
        files(content)
    if rehash:
        for table in doc["tables"]:
            if table["file"] in content:
                table["sha256"] = hashlib.sha256(content[table["file"]]).hexdigest()
    if manifest:
        manifest(doc)
    entries = [("manifest.json", json.dumps(doc).encode()), *content.items(), *extra]
    out.write_bytes(tar_bytes(entries))
    return out
