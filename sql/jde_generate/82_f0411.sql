-- F0411 accounts payable ledger: fixture vouchers (documents 1..), then {{activity_rows}} x 15 %
-- generated ones (documents 100001..). The invoice date is up to 4 days before the entry date.
INSERT INTO {{data}}.f0411 (rpkco, rpdoc, rpdct, rpsfx, rpan8, rpdivj, rpag, rpcrcd, rpmcu, rppst,
                            rpuser, rppid, rpjobn, rpupmj, rpupmt)
SELECT '00001', f.k, CASE WHEN f.pid = 'EP0413M' THEN 'PM' ELSE 'PV' END, '001', 2001,
       pg_temp.ja(f.day - f.k % 5), 10000 + f.k * 7919 % 2500000, 'EUR', '          30',
       CASE WHEN f.day < -30 THEN 'P' ELSE 'A' END, f.usr, f.pid, f.jobn, f.jd, f.hhmmss
FROM tmp_fx_rows f WHERE f.tbl = 'F0411';

INSERT INTO {{data}}.f0411 (rpkco, rpdoc, rpdct, rpsfx, rpan8, rpdivj, rpag, rpcrcd, rpmcu, rppst,
                            rpuser, rppid, rpjobn, rpupmj, rpupmt)
SELECT (ARRAY['00001', '00050', '00200'])[1 + a.n % 3], 100000 + a.n,
       CASE WHEN a.pid = 'EP0413M' THEN 'PM' ELSE 'PV' END, '001',
       CASE WHEN {{gen_users}} * {{extra_address_book}} >= 10
            THEN 500004 + 10 * (a.n % ({{gen_users}} * {{extra_address_book}} / 10)) + a.n % 3 ELSE 2001 END,
       j.a[a.day - a.n % 5 + 411], 10000 + a.n * 7919 % 2500000, (ARRAY['EUR', 'EUR', 'USD'])[1 + a.n % 3],
       lpad((10 + 10 * (a.n % 9))::text, 12), CASE WHEN a.day < -30 THEN 'P' ELSE 'A' END,
       a.usr, a.pid, a.jobn, a.upmj, a.upmt
FROM pg_temp.activity('F0411', {{activity_rows}}::bigint * 150 / 1000, 1711) AS a
CROSS JOIN (SELECT array_agg(jd ORDER BY d) AS a FROM tmp_day) AS j;
