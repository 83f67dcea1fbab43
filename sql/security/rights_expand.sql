-- Every specific (non-*ALL) record reachable by each subject through its levels. Order key of a record for a subject:
-- rank * 1e15 + spec * 1e13 + rec_id, so min() picks the first level, then the most specific.
DROP TABLE IF EXISTS pg_temp.sec_exp;
CREATE TEMP TABLE sec_exp AS
SELECT l.subject, r.kind, r.o, r.f, r.v,
       l.rank::bigint * 1000000000000000 + r.spec * 10000000000000 + r.rec_id AS okey
FROM sec_level l
JOIN sec_rec r ON r.principal = l.principal
WHERE r.spec < 5;
ANALYZE sec_exp;
