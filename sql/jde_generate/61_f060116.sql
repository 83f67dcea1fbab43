-- F060116 employee master for every address book record with search type E. YADT = 0 while
-- employed. YASAL (annual salary) has 2 implied decimals and YAPHRT (hourly rate) 3, as the
-- data dictionary says (F9210.FRCDEC of SAL and PHRT): 5500000 = 55,000.00; 26442 = 26.442.
INSERT INTO {{data}}.f060116 (yaan8, yaalph, yaoemp, yapast, yadst, yadt, yahmco, yahmcu, yajbcd, yajbst,
                              yaanpa, yasal, yaphrt, yauser, yapid, yaupmj, yajobn)
SELECT DISTINCT ON (f.an8) f.an8, f.last || ', ' || f.first, lpad(f.an8::text, 8, '0'),
       CASE WHEN f.termin IS NULL THEN '0' ELSE 'T' END, pg_temp.ja(f.started), pg_temp.ja(f.termin),
       '00001', lpad((10 + 10 * (f.an8 % 9))::text, 12), 'CLERK', 'A',
       1001, 5500000 + (f.an8 % 10) * 100000, round((5500000 + (f.an8 % 10) * 100000) / 100.0 / 2080 * 1000),
       'ADMIN1', 'P0801', pg_temp.ja(coalesce(f.termin, f.started)), 'WEBSRV01'
FROM tmp_fx_user f
WHERE f.started IS NOT NULL
ORDER BY f.an8, f.id;

INSERT INTO {{data}}.f060116 (yaan8, yaalph, yaoemp, yapast, yadst, yadt, yahmco, yahmcu, yajbcd, yajbst,
                              yaanpa, yasal, yaphrt, yauser, yapid, yaupmj, yajobn)
VALUES
(1020, 'EMPLOYEE, Erin', '00001020', '0', 0, 0, '00001', '          50', 'SALES', 'B', 1001, 4200000, 20192,
 'ADMIN1', 'P0801', 0, 'WEBSRV01'),
(1021, 'FORMER, Frank',  '00001021', 'T', 0, 0, '00001', '          60', 'ACCT',  'A', 1001, 6100000, 29327,
 'ADMIN1', 'P0801', 0, 'WEBSRV01');
UPDATE {{data}}.f060116 SET yadst = pg_temp.ja(-3000), yaupmj = pg_temp.ja(-400) WHERE yaan8 IN (1020, 1021);
UPDATE {{data}}.f060116 SET yadt = pg_temp.ja(-400) WHERE yaan8 = 1021;

-- generated employees: users' people with search type E and address book employees without an account
INSERT INTO {{data}}.f060116 (yaan8, yaalph, yaoemp, yapast, yadst, yadt, yahmco, yahmcu, yajbcd, yajbst,
                              yaanpa, yasal, yaphrt, yauser, yapid, yaupmj, yajobn)
SELECT a.aban8, a.abalph, lpad((a.aban8 % 100000000)::text, 8, '0'),
       CASE WHEN e.termin IS NULL THEN '0' ELSE 'T' END,
       pg_temp.ja(e.started), pg_temp.ja(e.termin),
       pg_temp.pick(ARRAY['00001', '00001', '00050', '00200'], a.aban8::bigint, 1101), a.abmcu,
       pg_temp.pick(ARRAY['CLERK', 'ACCT', 'SALES', 'BUYER', 'MGR', 'ANALYS', 'ENGR'], a.aban8::bigint, 1102),
       pg_temp.pick(ARRAY['A', 'B', 'C'], a.aban8::bigint, 1103),
       1001, e.sal, round(e.sal / 100.0 / 2080 * 1000),
       'ADMIN1', 'P0801', pg_temp.ja(coalesce(e.termin, e.started)), 'WEBSRV01'
FROM {{data}}.f0101 a
LEFT JOIN tmp_user u ON u.an8 = a.aban8 AND u.u % 97 <> 0        -- the first user of a shared number
CROSS JOIN LATERAL (
    SELECT coalesce(u.created - pg_temp.ri(a.aban8::bigint, 1104, 30, 3000), -pg_temp.ri(a.aban8::bigint, 1105, 30, 6000)) AS started
) AS s
CROSS JOIN LATERAL (
    SELECT s.started,
           CASE WHEN u.u IS NOT NULL THEN u.terminated                                    -- after the account
                WHEN pg_temp.u(a.aban8::bigint, 1106) < 0.15
                THEN s.started + pg_temp.ri(a.aban8::bigint, 1107, 1, -s.started - 1) END AS termin, -- between start and as-of
           pg_temp.ri(a.aban8::bigint, 1108, 300, 1500) * 10000 AS sal
) AS e
WHERE a.abat1 = 'E' AND a.aban8 >= 100000;
