-- Application (kind 1) and action (kind 2) security records of the application. spec: 1 object +
-- form + version, 2 object + version, 3 object + form, 4 object, 5 *ALL. A blank flag means "not
-- secured" (allowed). Two records of one principal on the same object / form / version and kind
-- are a data anomaly: the most restrictive counts (most flags secured, then secured before allowed
-- flag by flag), as in airflow_provider_nomasx1/jde/resolution.py.
DROP TABLE IF EXISTS pg_temp.sec_rec;
CREATE TEMP TABLE sec_rec AS
SELECT record_no AS rec_id, principal,
       CASE WHEN security_type = 'application' THEN 1 ELSE 2 END AS kind,
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
WHERE apps_id = {{apps_id}} AND security_type IN ('application', 'action');
DELETE FROM sec_rec AS d
USING (
    SELECT rec_id
    FROM (
        SELECT rec_id,
               row_number() OVER (
                   PARTITION BY principal, kind, o, f, v
                   ORDER BY CASE WHEN kind = 1 THEN (NOT can_run)::int
                                 ELSE (NOT can_add)::int + (NOT can_change)::int + (NOT can_delete)::int
                                      + (NOT can_ok)::int + (NOT can_copy)::int + (NOT can_scroll)::int END DESC,
                            CASE WHEN kind = 1 THEN can_run END,
                            CASE WHEN kind = 2 THEN can_add END,
                            CASE WHEN kind = 2 THEN can_change END,
                            CASE WHEN kind = 2 THEN can_delete END,
                            CASE WHEN kind = 2 THEN can_ok END,
                            CASE WHEN kind = 2 THEN can_copy END,
                            CASE WHEN kind = 2 THEN can_scroll END,
                            rec_id) AS rn
        FROM sec_rec
        WHERE (principal, kind, o, f, v) IN (
            SELECT principal, kind, o, f, v FROM sec_rec GROUP BY principal, kind, o, f, v HAVING count(*) > 1)
    ) AS ranked
    WHERE rn > 1
) AS duplicate
WHERE d.rec_id = duplicate.rec_id;
CREATE UNIQUE INDEX ON sec_rec (rec_id);
ANALYZE sec_rec;
