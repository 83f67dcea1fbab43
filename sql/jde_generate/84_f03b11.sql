-- F03B11 customer ledger (AR invoices, prefix RP as in JDE): fixture invoices (documents 1..),
-- then {{activity_rows}} x 10 % generated ones (documents 100001..).
INSERT INTO {{data}}.f03b11 (rpkco, rpdoc, rpdct, rpsfx, rpan8, rpdivj, rpag, rpcrcd, rpmcu, rppst,
                             rpuser, rppid, rpjobn, rpupmj, rpupmt)
SELECT '00001', f.k, 'RI', '001', 3001, f.jd, 20000 + f.k * 4211 % 3000000, 'EUR', '          30',
       CASE WHEN f.day < -45 THEN 'P' ELSE 'A' END, f.usr, f.pid, f.jobn, f.jd, f.hhmmss
FROM tmp_fx_rows f WHERE f.tbl = 'F03B11';

INSERT INTO {{data}}.f03b11 (rpkco, rpdoc, rpdct, rpsfx, rpan8, rpdivj, rpag, rpcrcd, rpmcu, rppst,
                             rpuser, rppid, rpjobn, rpupmj, rpupmt)
SELECT (ARRAY['00001', '00050', '00200'])[1 + a.n % 3], 100000 + a.n, CASE WHEN a.n % 20 = 0 THEN 'RM' ELSE 'RI' END,
       '001',
       CASE WHEN {{gen_users}} * {{extra_address_book}} >= 10
            THEN 500001 + 10 * (a.n % ({{gen_users}} * {{extra_address_book}} / 10)) + a.n % 3 ELSE 3001 END,
       j.a[a.day + 411], 20000 + a.n * 4211 % 3000000, (ARRAY['EUR', 'EUR', 'USD'])[1 + a.n % 3],
       lpad((10 + 10 * (a.n % 9))::text, 12), CASE WHEN a.day < -45 THEN 'P' ELSE 'A' END,
       a.usr, a.pid, a.jobn, a.upmj, a.upmt
FROM pg_temp.activity('F03B11', {{activity_rows}}::bigint * 100 / 1000, 1731) AS a
CROSS JOIN (SELECT array_agg(jd ORDER BY d) AS a FROM tmp_day) AS j;
