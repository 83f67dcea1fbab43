-- F5501001 custom approval log (system 55, prefix Q1): approvals of F0411 vouchers. Fixture rows
-- (keys 1..), then {{activity_rows}} x 2 % generated ones (keys 100001..).
INSERT INTO {{data}}.f5501001 (q1ukid, q1kco, q1doc, q1dct, q1an8, q1ev01, q1dsc1,
                               q1user, q1pid, q1jobn, q1upmj, q1upmt)
SELECT f.k, '00001', f.k, 'PV', 2001, CASE WHEN f.k % 6 = 0 THEN 'R' ELSE 'A' END,
       CASE WHEN f.k % 6 = 0 THEN 'Rejected: missing receipt' ELSE 'Approved' END,
       f.usr, f.pid, f.jobn, f.jd, f.hhmmss
FROM tmp_fx_rows f WHERE f.tbl = 'F5501001';

INSERT INTO {{data}}.f5501001 (q1ukid, q1kco, q1doc, q1dct, q1an8, q1ev01, q1dsc1,
                               q1user, q1pid, q1jobn, q1upmj, q1upmt)
SELECT 100000 + a.n, (ARRAY['00001', '00050', '00200'])[1 + a.n % 3],
       100001 + a.n * 7 % greatest({{activity_rows}}::bigint * 150 / 1000, 1), 'PV',
       CASE WHEN {{gen_users}} * {{extra_address_book}} >= 10
            THEN 500004 + 10 * (a.n % ({{gen_users}} * {{extra_address_book}} / 10)) + a.n % 3 ELSE 2001 END,
       CASE WHEN a.n % 6 = 0 THEN 'R' ELSE 'A' END,
       CASE WHEN a.n % 6 = 0 THEN 'Rejected: missing receipt' ELSE 'Approved' END,
       a.usr, a.pid, a.jobn, a.upmj, a.upmt
FROM pg_temp.activity('F5501001', {{activity_rows}}::bigint * 20 / 1000, 1761) AS a;
