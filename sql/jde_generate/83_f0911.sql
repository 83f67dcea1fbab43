-- F0911 account ledger: fixture journal lines (documents 1..), then {{activity_rows}} x 35 %
-- generated ones (documents 100001..). Lines written through P0411 are voucher distributions (PV).
INSERT INTO {{data}}.f0911 (glkco, gldct, gldoc, gldgj, gljeln, gllt, glani, glmcu, glaa, glexa, glpost,
                            gluser, glpid, gljobn, glupmj, glupmt)
SELECT '00001', CASE WHEN f.pid = 'EP0411' THEN 'PV' ELSE 'JE' END, f.k, f.jd, 10, 'AA',
       '30.' || (1110 + f.k % 7 * 1000)::text, '          30',
       (10000 + f.k * 6007 % 900000) * CASE WHEN f.k % 2 = 0 THEN -1 ELSE 1 END,
       left('Journal ' || (pg_temp.words('entity'))[1 + f.k % 40], 30),
       CASE WHEN f.pid = 'R09801' OR f.day < -7 THEN 'P' ELSE ' ' END, f.usr, f.pid, f.jobn, f.jd, f.hhmmss
FROM tmp_fx_rows f WHERE f.tbl = 'F0911';

INSERT INTO {{data}}.f0911 (glkco, gldct, gldoc, gldgj, gljeln, gllt, glani, glmcu, glaa, glexa, glpost,
                            gluser, glpid, gljobn, glupmj, glupmt)
SELECT (ARRAY['00001', '00050', '00200'])[1 + a.n % 3], CASE WHEN a.pid = 'EP0411' THEN 'PV' ELSE 'JE' END,
       100000 + a.n, j.a[a.day + 411], 10 * (1 + a.n % 4), 'AA',
       (10 + 10 * (a.n % 9))::text || '.' || (1110 + a.n % 7 * 1000)::text, lpad((10 + 10 * (a.n % 9))::text, 12),
       (10000 + a.n * 6007 % 900000) * CASE WHEN a.n % 2 = 0 THEN -1 ELSE 1 END,
       left('Journal ' || (pg_temp.words('entity'))[1 + a.n % 40], 30),
       CASE WHEN a.day < -7 THEN 'P' ELSE ' ' END, a.usr, a.pid, a.jobn, a.upmj, a.upmt
FROM pg_temp.activity('F0911', {{activity_rows}}::bigint * 350 / 1000, 1721) AS a
CROSS JOIN (SELECT array_agg(jd ORDER BY d) AS a FROM tmp_day) AS j;
