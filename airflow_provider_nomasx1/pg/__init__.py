"""PostgreSQL target mechanics, written once: identifiers, admin (roles, databases, grants),
catalogue look-ups, stage-then-swap, advisory locks and the schema version check."""
