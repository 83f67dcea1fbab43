-- LICENSE_JDE_OUT: the watermark moves with the rows it covers (same transaction). users_through
-- goes back to the first replaced day when the load replaced days already aggregated into
-- license_jde_out_users (NULL = aggregate every day again), so LICENSE_JDE_OUT_USERS re-reads them.
INSERT INTO {{schema}}.license_jde_out_state
    (apps_id, watermark_date, watermark_time, users_through, rows_read, run_id)
VALUES ({{apps_id}}, {{watermark_date}}::date, {{watermark_time}}::int, NULL, {{rows_read}}, {{run_id}})
ON CONFLICT (apps_id) DO UPDATE
SET watermark_date = EXCLUDED.watermark_date,
    watermark_time = EXCLUDED.watermark_time,
    users_through = CASE WHEN license_jde_out_state.users_through IS NULL OR {{from_day}}::date IS NULL THEN NULL
                         ELSE least(license_jde_out_state.users_through, {{from_day}}::date) END,
    rows_read = EXCLUDED.rows_read,
    refreshed_at = now(),
    run_id = EXCLUDED.run_id;
