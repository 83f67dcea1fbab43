-- Rules 4-6 for one security kind ({{kind}}) over sec_key: best = the smallest order key among
-- the matching specific records and the matching *ALL records of the subject's levels; NULL
-- when no level has a record (DEFAULT: allowed). Result in sec_best (subject, o, f, v, okey).
DROP TABLE IF EXISTS pg_temp.sec_spec;
CREATE TEMP TABLE sec_spec AS
SELECT k.subject, k.o, k.f, k.v, min(e.okey) AS okey
FROM sec_key k
JOIN sec_exp e ON e.subject = k.subject AND e.o = k.o
WHERE e.kind = {{kind}} AND (e.f = k.f OR e.f = '') AND (e.v = k.v OR e.v = '')
GROUP BY k.subject, k.o, k.f, k.v;
ANALYZE sec_spec;
-- *ALL records: with blank form and version (the normal case) one per subject ...
DROP TABLE IF EXISTS pg_temp.sec_all;
CREATE TEMP TABLE sec_all AS
SELECT l.subject, min(l.rank::bigint * 1000000000000000 + 50000000000000 + r.rec_id) AS okey
FROM sec_level l JOIN sec_rec r ON r.principal = l.principal
WHERE r.kind = {{kind}} AND r.spec = 5 AND r.f = '' AND r.v = ''
GROUP BY l.subject;
-- ... and the rare *ALL records that name a form or version, matched key by key
DROP TABLE IF EXISTS pg_temp.sec_all_fv;
CREATE TEMP TABLE sec_all_fv AS
SELECT l.subject, r.f, r.v, l.rank::bigint * 1000000000000000 + 50000000000000 + r.rec_id AS okey
FROM sec_level l JOIN sec_rec r ON r.principal = l.principal
WHERE r.kind = {{kind}} AND r.spec = 5 AND (r.f <> '' OR r.v <> '');
DROP TABLE IF EXISTS pg_temp.sec_best;
CREATE TEMP TABLE sec_best AS
SELECT k.subject, k.o, k.f, k.v, least(s.okey, a.okey, x.okey) AS okey
FROM sec_key k
LEFT JOIN sec_spec s ON s.subject = k.subject AND s.o = k.o AND s.f = k.f AND s.v = k.v
LEFT JOIN sec_all a ON a.subject = k.subject
LEFT JOIN (
    SELECT k2.subject, k2.o, k2.f, k2.v, min(fv.okey) AS okey
    FROM sec_key k2
    JOIN sec_all_fv fv ON fv.subject = k2.subject AND fv.f IN (k2.f, '') AND fv.v IN (k2.v, '')
    GROUP BY k2.subject, k2.o, k2.f, k2.v
) AS x ON x.subject = k.subject AND x.o = k.o AND x.f = k.f AND x.v = k.v;
