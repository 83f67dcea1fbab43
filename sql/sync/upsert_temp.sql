-- The upsert's load table: the target's columns and defaults, gone with the transaction.
CREATE TEMP TABLE {temp} (LIKE {target} INCLUDING DEFAULTS) ON COMMIT DROP
