-- Application and action security records of the application (jde_sec_objects), one per
-- (principal, kind, object, form, version). Duplicates are a data anomaly: the most restrictive
-- record counts (most flags secured, then secured before allowed flag by flag), as in
-- airflow_provider_nomasx1/jde/resolution.py. A blank flag means "not secured" (allowed).
-- spec: 1 object+form+version, 2 object+version, 3 object+form, 4 object, 5 *ALL.
DROP TABLE IF EXISTS pg_temp.sec_rec;
CREATE TEMP TABLE sec_rec AS
SELECT DISTINCT ON (principal, kind, o, f, v)
       record_no AS rec_id, principal, kind, o, f, v, spec,
       can_run, can_add, can_change, can_delete, can_ok, can_copy, can_scroll
FROM (
    SELECT record_no, principal, security_type AS kind,
           object_name AS o, form_name AS f, version AS v,
           CASE WHEN object_name = '*ALL' THEN 5
                WHEN form_name <> '' AND version <> '' THEN 1
                WHEN version <> '' THEN 2
                WHEN form_name <> '' THEN 3
                ELSE 4 END AS spec,
           coalesce(can_run, true) AS can_run,
           coalesce(can_add, true) AS can_add,
           coalesce(can_change, true) AS can_change,
           coalesce(can_delete, true) AS can_delete,
           coalesce(can_ok, true) AS can_ok,
           coalesce(can_copy, true) AS can_copy,
           coalesce(can_scroll, true) AS can_scroll
    FROM {{schema}}.jde_sec_objects
    WHERE apps_id = {{apps_id}} AND security_type IN ('application', 'action')
) AS r
ORDER BY principal, kind, o, f, v,
         CASE WHEN kind = 'application' THEN (NOT can_run)::int
              ELSE (NOT can_add)::int + (NOT can_change)::int + (NOT can_delete)::int
                   + (NOT can_ok)::int + (NOT can_copy)::int + (NOT can_scroll)::int END DESC,
         CASE WHEN kind = 'application' THEN can_run END,
         CASE WHEN kind = 'action' THEN can_add END,
         CASE WHEN kind = 'action' THEN can_change END,
         CASE WHEN kind = 'action' THEN can_delete END,
         CASE WHEN kind = 'action' THEN can_ok END,
         CASE WHEN kind = 'action' THEN can_copy END,
         CASE WHEN kind = 'action' THEN can_scroll END,
         record_no;
CREATE UNIQUE INDEX ON sec_rec (rec_id);
ANALYZE sec_rec;
