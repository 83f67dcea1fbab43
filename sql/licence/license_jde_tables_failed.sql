-- LICENSE_JDE_USERS (one table, its read or write failed): the table is marked failed with the
-- reason, in a transaction of its own; its rows and watermark stay as the last scan left them,
-- so the next run reads it again from there.
-- count: license_jde_tables
INSERT INTO {{schema}}.license_jde_tables AS t
    (apps_id, schema_name, table_name, system_code, user_column, date_column, status, reason, run_id)
VALUES ({{apps_id}}, {{schema_name}}, {{table_name}}, {{system_code}}, {{user_column}}, {{date_column}}, 'failed',
        {{reason}}, {{run_id}})
ON CONFLICT (apps_id, schema_name, table_name) DO UPDATE
SET status = 'failed', reason = EXCLUDED.reason, refreshed_at = now(), run_id = EXCLUDED.run_id;
