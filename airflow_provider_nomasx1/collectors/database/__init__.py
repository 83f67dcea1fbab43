"""nomasx1-database-1: an Oracle database's properties, options, feature usage and segments, and
the licences they call for (docs/database.md)."""
