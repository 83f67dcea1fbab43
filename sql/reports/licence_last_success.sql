-- Licence report scope: the last successful run of one source step (:step a LIKE pattern, :dag
-- the job or NULL for any job), as collect_last_refresh finds it. No row: it never succeeded.
SELECT finished_at, run_id, step, dag_id
FROM {{schema}}.collect_audit
WHERE apps_id = :a
  AND status = 'success'
  AND finished_at IS NOT NULL
  AND step LIKE :step
  AND (CAST(:dag AS varchar) IS NULL OR dag_id = CAST(:dag AS varchar))
ORDER BY finished_at DESC, run_id DESC
LIMIT 1
