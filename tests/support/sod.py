"""The application and date of the SoD tests (plain data)."""

from __future__ import annotations

import datetime as dt

AS_OF = dt.date(2026, 11, 28)
APPS = 10
