-- F4101 item master: fixture items 1001.. (tmp_fx_act), then {{activity_rows}} x 3 % generated
-- items 100001.. (the order lines of F4211 / F4311 point at these numbers).
INSERT INTO {{data}}.f4101 (imitm, imlitm, imdsc1, imstkt, imuom1, imglpt, imuser, impid, imjobn, imupmj, imupmt)
SELECT 1000 + f.k, 'SYN-' || lpad((1000 + f.k)::text, 7, '0'),
       left((pg_temp.words('entity'))[1 + f.k % 40] || ' ' || (pg_temp.words('udc'))[1 + f.k % 16], 30),
       CASE WHEN f.k % 5 = 0 THEN 'N' ELSE 'S' END, 'EA', 'IN30', f.usr, f.pid, f.jobn, f.jd, f.hhmmss
FROM tmp_fx_rows f WHERE f.tbl = 'F4101';

INSERT INTO {{data}}.f4101 (imitm, imlitm, imdsc1, imstkt, imuom1, imglpt, imuser, impid, imjobn, imupmj, imupmt)
SELECT 100000 + a.n, 'SYN-' || lpad((100000 + a.n)::text, 7, '0'),
       left((pg_temp.words('entity'))[1 + a.n % 40] || ' ' || (pg_temp.words('udc'))[1 + a.n / 40 % 16], 30),
       CASE WHEN a.n % 5 = 0 THEN 'N' ELSE 'S' END,
       (ARRAY['EA', 'EA', 'BX', 'KG', 'LT'])[1 + a.n % 5], (ARRAY['IN30', 'IN30', 'IN40', 'IN50'])[1 + a.n % 4],
       a.usr, a.pid, a.jobn, a.upmj, a.upmt
FROM pg_temp.activity('F4101', {{activity_rows}}::bigint * 30 / 1000, 1701) AS a;
