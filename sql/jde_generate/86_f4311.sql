-- F4311 purchase order detail: fixture order lines (orders 1..), then {{activity_rows}} x 10 %
-- generated ones (orders 100001..), one line (1.000) per order, items of F4101.
INSERT INTO {{data}}.f4311 (pdkcoo, pddoco, pddcto, pdlnid, pdmcu, pdan8, pditm, pdlitm, pduorg, pdaexp,
                            pdlttr, pdnxtr, pdtrdj, pduser, pdpid, pdjobn, pdupmj, pdupmt)
SELECT '00001', f.k, 'OP', 1000, '          30', 2001, i.itm, 'SYN-' || lpad(i.itm::text, 7, '0'),
       1 + f.k % 20, (1 + f.k % 20) * 2500, CASE WHEN f.day < -10 THEN '400' ELSE '220' END,
       CASE WHEN f.day < -10 THEN '999' ELSE '280' END, f.jd, f.usr, f.pid, f.jobn, f.jd, f.hhmmss
FROM tmp_fx_rows f
CROSS JOIN LATERAL (SELECT 1001 + (f.k - 1) % (SELECT count(*) FROM tmp_fx_rows WHERE tbl = 'F4101') AS itm) AS i
WHERE f.tbl = 'F4311';

INSERT INTO {{data}}.f4311 (pdkcoo, pddoco, pddcto, pdlnid, pdmcu, pdan8, pditm, pdlitm, pduorg, pdaexp,
                            pdlttr, pdnxtr, pdtrdj, pduser, pdpid, pdjobn, pdupmj, pdupmt)
SELECT (ARRAY['00001', '00050', '00200'])[1 + a.n % 3], 100000 + a.n, 'OP', 1000, lpad((10 + 10 * (a.n % 9))::text, 12),
       CASE WHEN {{gen_users}} * {{extra_address_book}} >= 10
            THEN 500004 + 10 * (a.n % ({{gen_users}} * {{extra_address_book}} / 10)) + a.n % 3 ELSE 2001 END,
       i.itm, 'SYN-' || lpad(i.itm::text, 7, '0'), 1 + a.n % 50, (1 + a.n % 50) * (500 + a.n * 31 % 20000),
       CASE WHEN a.day < -10 THEN '400' ELSE '220' END, CASE WHEN a.day < -10 THEN '999' ELSE '280' END,
       j.a[a.day - a.n % 3 + 411], a.usr, a.pid, a.jobn, a.upmj, a.upmt
FROM pg_temp.activity('F4311', {{activity_rows}}::bigint * 100 / 1000, 1751) AS a
CROSS JOIN (SELECT array_agg(jd ORDER BY d) AS a FROM tmp_day) AS j
CROSS JOIN LATERAL (
    SELECT CASE WHEN {{activity_rows}}::bigint * 30 / 1000 > 0 THEN 100001 + a.n % ({{activity_rows}}::bigint * 30 / 1000)
                ELSE 1001 + a.n % (SELECT count(*) FROM tmp_fx_rows WHERE tbl = 'F4101') END AS itm
) AS i;
