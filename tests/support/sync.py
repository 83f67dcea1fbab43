"""The date the sync tests generate their synthetic JDE source as of (plain data)."""

from __future__ import annotations

import datetime as dt

AS_OF = dt.date(2025, 6, 30)
