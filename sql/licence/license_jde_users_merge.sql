-- LICENSE_JDE_USERS (one table, write): the days read replace the table's rows of those days
-- (from_day on; NULL = the whole window was read: every row of the table), the days before the
-- window start are trimmed, days after the as-of date (a backfill to an earlier date) go; then
-- the table's row of license_jde_tables with its watermark (the last transaction date loaded),
-- in the same transaction as the rows.
-- count: replaced
DELETE FROM {{schema}}.license_jde_users
WHERE apps_id = {{apps_id}} AND schema_name = {{schema_name}} AND table_name = {{table_name}}
  AND ({{from_day}}::date IS NULL OR transaction_date >= {{from_day}}::date
       OR transaction_date < {{window_start}}::date OR transaction_date > {{as_of}});
-- count: license_jde_users
INSERT INTO {{schema}}.license_jde_users
    (apps_id, user_id, schema_name, table_name, transaction_date, transactions, run_id)
SELECT {{apps_id}}, user_id, {{schema_name}}, {{table_name}}, transaction_date, transactions, {{run_id}}
FROM tmp_users_new;
-- count: license_jde_tables
INSERT INTO {{schema}}.license_jde_tables AS t
    (apps_id, schema_name, table_name, system_code, user_column, date_column, status, reason, watermark,
     window_start, rows_read, transactions, seconds, full_scan, run_id)
SELECT {{apps_id}}, {{schema_name}}, {{table_name}}, {{system_code}}, {{user_column}}, {{date_column}}, 'scanned',
       NULL, max(transaction_date), {{window_start}}::date, {{rows_read}}, coalesce(sum(transactions), 0),
       {{seconds}}, {{full_scan}}, {{run_id}}
FROM {{schema}}.license_jde_users
WHERE apps_id = {{apps_id}} AND schema_name = {{schema_name}} AND table_name = {{table_name}}
ON CONFLICT (apps_id, schema_name, table_name) DO UPDATE
SET system_code = EXCLUDED.system_code, user_column = EXCLUDED.user_column, date_column = EXCLUDED.date_column,
    status = 'scanned', reason = NULL, watermark = EXCLUDED.watermark, window_start = EXCLUDED.window_start,
    rows_read = EXCLUDED.rows_read, transactions = EXCLUDED.transactions, seconds = EXCLUDED.seconds,
    full_scan = EXCLUDED.full_scan, refreshed_at = now(), run_id = EXCLUDED.run_id;
