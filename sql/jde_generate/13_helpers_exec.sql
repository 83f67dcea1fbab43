-- Helper: executable objects (applications and batch programs) numbered 0..M-1 in (system code,
-- name) order, with their first form and first version. Generated principals take windows of
-- this list, so a role's objects cluster around one or two modules like real roles do.
CREATE TEMP TABLE tmp_exec AS
SELECT (row_number() OVER (ORDER BY o.sy, o.obnm) - 1)::int AS gidx,
       o.obnm, o.sy, o.funo, o.curated, o.n,
       coalesce(f.first_form, '') AS first_form, v.first_ver
FROM tmp_obj o
LEFT JOIN (SELECT obnm, min(fmnm) AS first_form FROM tmp_form GROUP BY obnm) AS f ON f.obnm = o.obnm
LEFT JOIN (SELECT pid, min(vers) AS first_ver FROM tmp_ver GROUP BY pid) AS v ON v.pid = o.obnm
WHERE o.funo IN ('APPL', 'UBE');
CREATE UNIQUE INDEX ON tmp_exec (gidx);
ANALYZE tmp_exec;

-- applications only, numbered 0..A-1
CREATE TEMP TABLE tmp_appl AS
SELECT (row_number() OVER (ORDER BY gidx) - 1)::int AS aidx, obnm, sy, first_form
FROM tmp_exec WHERE funo = 'APPL';
CREATE UNIQUE INDEX ON tmp_appl (aidx);
