-- collect_last_refresh: per application and table, the latest successful collection step.
-- module = the table name up to its first '_' (security, sod, license...), for the "Last refresh" tree.
SELECT DISTINCT ON (apps_id, table_name)
    apps_id,
    table_name,
    split_part(table_name, '_', 1) AS module,
    dag_id,
    run_id,
    step,
    rows_written,
    finished_at AS last_refreshed_at
FROM collect_audit
WHERE status = 'success'
  AND apps_id IS NOT NULL
  AND table_name IS NOT NULL
  AND finished_at IS NOT NULL
ORDER BY apps_id, table_name, finished_at DESC, run_id DESC
