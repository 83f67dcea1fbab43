-- LICENSE_JDE_USERS (scope): the tables the transaction scan covers. In: src_tble (the F9860
-- objects of type TBLE), src_audit_catalogue (the physical tables of the data and control
-- schemas with their candidate audit columns, jde/dictionary.py) and tmp_audit_overrides (the
-- connection's extras.catalogue "<TABLE>.audit_user" / ".audit_date"). A table is in scope when
-- it is a TBLE object AND exists physically; its audit columns are the overrides, else F9860's
-- column prefix (SIPFX) + USER / UPMJ; without both it is skipped, with the reason. Its system
-- code is the reclassification's (settings_jde_rclst) when there is one, else F9860.SISY.
DROP TABLE IF EXISTS pg_temp.tmp_users_tble;
CREATE TEMP TABLE tmp_users_tble AS
SELECT upper(btrim(object_name)) AS table_name,
       max(nullif(upper(btrim(system_code)), '')) AS sisy,
       max(nullif(upper(btrim(column_prefix)), '')) AS prefix
FROM src_tble
WHERE upper(btrim(object_type)) = 'TBLE' AND btrim(object_name) <> ''
GROUP BY 1;

DROP TABLE IF EXISTS pg_temp.tmp_users_scope;
CREATE TEMP TABLE tmp_users_scope AS
WITH physical AS (
    SELECT schema_key, table_name, array_remove(array_agg(DISTINCT column_name), NULL) AS columns
    FROM src_audit_catalogue GROUP BY schema_key, table_name
), candidate AS (
    SELECT p.schema_key,
           CASE p.schema_key WHEN 'data' THEN {{data_schema}} ELSE {{control_schema}} END AS schema_name,
           o.table_name,
           coalesce(r.system_code, o.sisy) AS system_code,
           o.prefix,
           coalesce(ov.audit_user, o.prefix || 'USER') AS user_column,
           coalesce(ov.audit_date, o.prefix || 'UPMJ') AS date_column,
           p.columns
    FROM tmp_users_tble AS o
    JOIN physical AS p ON p.table_name = o.table_name
    LEFT JOIN {{schema}}.settings_jde_rclst AS r ON r.object_name = o.table_name
    LEFT JOIN tmp_audit_overrides AS ov ON ov.table_name = o.table_name
)
SELECT schema_key, schema_name, table_name, system_code, user_column, date_column,
       CASE WHEN user_column = ANY (columns) AND date_column = ANY (columns) THEN 'scanned' ELSE 'skipped' END
           AS status,
       CASE
           WHEN user_column IS NULL OR date_column IS NULL THEN
               'F9860 gives no column prefix (SIPFX) for this table and no audit column is set for it: name them '
               || 'with extras.catalogue {"' || table_name || '.audit_user": "<COLUMN>", "' || table_name
               || '.audit_date": "<COLUMN>"} if it has audit columns'
           WHEN NOT (user_column = ANY (columns) AND date_column = ANY (columns)) THEN
               'no audit column ' || concat_ws(' and ',
                   CASE WHEN NOT user_column = ANY (columns) THEN user_column END,
                   CASE WHEN NOT date_column = ANY (columns) THEN date_column END)
               || ' (F9860 prefix ' || coalesce(prefix, 'none') || '): no transaction users counted; if the site '
               || 'names them otherwise, set extras.catalogue {"' || table_name || '.audit_user": "<COLUMN>", "'
               || table_name || '.audit_date": "<COLUMN>"}'
       END AS reason
FROM candidate;

-- the tables no longer in scope (dropped, no longer TBLE, schema map changed) or now skipped
-- lose their rows: license_jde_users says only what the tables in scope hold
-- count: dropped_users
DELETE FROM {{schema}}.license_jde_users AS u
WHERE u.apps_id = {{apps_id}}
  AND NOT EXISTS (SELECT 1 FROM tmp_users_scope AS s WHERE s.status = 'scanned'
                  AND s.schema_name = u.schema_name AND s.table_name = u.table_name);
-- count: dropped_tables
DELETE FROM {{schema}}.license_jde_tables AS t
WHERE t.apps_id = {{apps_id}}
  AND NOT EXISTS (SELECT 1 FROM tmp_users_scope AS s WHERE s.schema_name = t.schema_name
                  AND s.table_name = t.table_name);
-- count: skipped
INSERT INTO {{schema}}.license_jde_tables AS t
    (apps_id, schema_name, table_name, system_code, user_column, date_column, status, reason, watermark,
     window_start, rows_read, transactions, seconds, full_scan, run_id)
SELECT {{apps_id}}, schema_name, table_name, system_code, user_column, date_column, 'skipped', reason, NULL,
       NULL, NULL, NULL, NULL, NULL, {{run_id}}
FROM tmp_users_scope WHERE status = 'skipped'
ON CONFLICT (apps_id, schema_name, table_name) DO UPDATE
SET system_code = EXCLUDED.system_code, user_column = EXCLUDED.user_column, date_column = EXCLUDED.date_column,
    status = 'skipped', reason = EXCLUDED.reason, watermark = NULL, window_start = NULL, rows_read = NULL,
    transactions = NULL, seconds = NULL, full_scan = NULL, refreshed_at = now(), run_id = EXCLUDED.run_id;
