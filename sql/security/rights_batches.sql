-- Subjects in batches of about {{batch_rows}} reachable records each, so that each aggregation
-- (rights_aggregate.sql) and the wide-key join stay in memory whatever the size of the site:
-- time grows linearly with the number of batches, memory does not.
DROP TABLE IF EXISTS pg_temp.sec_batch;
CREATE TEMP TABLE sec_batch AS
SELECT subject, floor(sum(w) OVER (ORDER BY subject ROWS UNBOUNDED PRECEDING) / {{batch_rows}})::int AS batch
FROM (
    SELECT l.subject, sum(coalesce(c.n, 0)) + 1 AS w
    FROM sec_level l
    LEFT JOIN (SELECT principal, count(*) AS n FROM sec_rec GROUP BY principal) AS c ON c.principal = l.principal
    GROUP BY l.subject
) AS weights;
ANALYZE sec_batch;
DROP TABLE IF EXISTS pg_temp.sec_level_b;
CREATE TEMP TABLE sec_level_b AS
SELECT l.subject, l.principal, l.rank, b.batch FROM sec_level l JOIN sec_batch b ON b.subject = l.subject;
ANALYZE sec_level_b;
DROP TABLE IF EXISTS pg_temp.sec_extra_b;
CREATE TEMP TABLE sec_extra_b AS
SELECT x.subject, x.o, x.f, x.v, b.batch FROM sec_extra x JOIN sec_batch b ON b.subject = x.subject;
CREATE INDEX ON sec_extra_b (batch);
ANALYZE sec_extra_b;
