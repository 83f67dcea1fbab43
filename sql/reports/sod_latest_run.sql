-- SoD report: the run it reads. The newest conflict rows name it; with no conflict at all, the
-- audit trail still says when SOD_CONFLICT_DETAILS last succeeded. No row: no SoD results yet.
(SELECT refreshed_at AS run_at, run_id, 1 AS preference
 FROM {{schema}}.sod_conflict_details WHERE apps_id = :a
 ORDER BY refreshed_at DESC LIMIT 1)
UNION ALL
(SELECT finished_at, run_id, 2
 FROM {{schema}}.collect_audit
 WHERE apps_id = :a AND step = 'SOD_CONFLICT_DETAILS' AND status = 'success'
 ORDER BY finished_at DESC LIMIT 1)
ORDER BY preference
LIMIT 1
