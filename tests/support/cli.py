"""Values the `nomasx1` command-line tests put on command lines (plain data)."""

from __future__ import annotations

#: a password no message of the command may show
SECRET = "s3cret-Pw"
