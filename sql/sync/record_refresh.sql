-- The mirror_refresh row of the table, written in the transaction that loaded the rows it counts.
-- Values: table_name, rows, run_id, source.
INSERT INTO {mirror_refresh} (table_name, rows, refreshed_at, run_id, source)
VALUES (%s, %s, now(), %s, %s)
ON CONFLICT (table_name) DO UPDATE SET rows = EXCLUDED.rows, refreshed_at = EXCLUDED.refreshed_at,
    run_id = EXCLUDED.run_id, source = EXCLUDED.source
