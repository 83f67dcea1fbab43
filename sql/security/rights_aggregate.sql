-- One pass over every record reachable by every subject through its levels (sec_level x
-- sec_rec), grouped by key: for each (subject, object, form, version) named by a record, the
-- smallest order key of the records with exactly that key, per kind. Order key = rank * 1e15 +
-- spec * 1e13 + record id, so min() picks the first level, then the most specific record, and
-- still says which record it is. Keys of sec_extra (menus, SoD objects) join with no record.
-- One batch of subjects at a time (rights_batches.sql).
DROP TABLE IF EXISTS pg_temp.sec_ex;
CREATE TEMP TABLE sec_ex AS
SELECT subject, o, f, v, min(app) AS app_exact, min(act) AS act_exact
FROM (
    SELECT l.subject, r.o, r.f, r.v,
           CASE WHEN r.kind = 1 THEN l.rank::bigint * 1000000000000000 + r.spec * 10000000000000 + r.rec_id END AS app,
           CASE WHEN r.kind = 2 THEN l.rank::bigint * 1000000000000000 + r.spec * 10000000000000 + r.rec_id END AS act
    FROM sec_level_b l
    JOIN sec_rec r ON r.principal = l.principal
    WHERE r.spec < 5 AND l.batch = {{batch}} {{record_filter}}
    UNION ALL
    SELECT subject, o, f, v, NULL::bigint, NULL::bigint FROM sec_extra_b WHERE batch = {{batch}}
) AS x
GROUP BY subject, o, f, v;
ANALYZE sec_ex;
