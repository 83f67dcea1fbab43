-- *ALL records (rule 4's last resort inside a level). With a blank form and version (the normal
-- case) they match every key: one order key per subject and kind. The rare *ALL record naming a
-- form or version matches only keys with that form / version: kept apart in sec_all_fv.
DROP TABLE IF EXISTS pg_temp.sec_all;
CREATE TEMP TABLE sec_all AS
SELECT l.subject,
       min(CASE WHEN r.kind = 1 THEN l.rank::bigint * 1000000000000000 + 50000000000000 + r.rec_id END) AS app,
       min(CASE WHEN r.kind = 2 THEN l.rank::bigint * 1000000000000000 + 50000000000000 + r.rec_id END) AS act
FROM sec_level l
JOIN sec_rec r ON r.principal = l.principal
WHERE r.spec = 5 AND r.f = '' AND r.v = ''
GROUP BY l.subject;
ANALYZE sec_all;
DROP TABLE IF EXISTS pg_temp.sec_all_fv;
CREATE TEMP TABLE sec_all_fv AS
SELECT l.subject, r.f, r.v,
       CASE WHEN r.kind = 1 THEN l.rank::bigint * 1000000000000000 + 50000000000000 + r.rec_id END AS app,
       CASE WHEN r.kind = 2 THEN l.rank::bigint * 1000000000000000 + 50000000000000 + r.rec_id END AS act
FROM sec_level l
JOIN sec_rec r ON r.principal = l.principal
WHERE r.spec = 5 AND (r.f <> '' OR r.v <> '');
ANALYZE sec_all_fv;
