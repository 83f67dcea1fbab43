-- F559999 custom interface staging (system 55, prefix Q9): a table WITHOUT audit columns (no
-- Q9USER / Q9UPMJ), so it gives no transaction users. 25 fixture rows (keys 1..25, batches of 5)
-- in every profile, then {{activity_rows}} x 5 % generated ones (keys 100001.., batches of 50).
INSERT INTO {{data}}.f559999 (q9ukid, q9edbt, q9edsp, q9doc, q9dct, q9an8, q9ag)
SELECT k, 'B' || lpad((1 + (k - 1) / 5)::text, 9, '0'), CASE WHEN k % 10 = 0 THEN 'N' WHEN k > 20 THEN ' ' ELSE 'Y' END,
       k, 'PV', 2001, 10000 + k * 7919 % 2500000
FROM generate_series(1, 25) AS k;

INSERT INTO {{data}}.f559999 (q9ukid, q9edbt, q9edsp, q9doc, q9dct, q9an8, q9ag)
SELECT 100000 + n, 'G' || lpad((1 + (n - 1) / 50)::text, 9, '0'),
       CASE WHEN n % 97 = 0 THEN 'N' WHEN n % 10 = 0 THEN ' ' ELSE 'Y' END,
       100000 + n, CASE WHEN n % 2 = 0 THEN 'PV' ELSE 'RI' END, 2001, 10000 + n * 7919 % 2500000
FROM generate_series(1, {{activity_rows}}::bigint * 50 / 1000) AS n;
