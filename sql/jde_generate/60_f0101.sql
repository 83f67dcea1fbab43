-- F0101 address book: the people behind the user profiles (search type E employee, X other),
-- plus employees without a JDE account, customers (C) and suppliers (V). ABMCU business units are
-- right-justified ('          30'); ABALKY holds the user id for the fixtures.
INSERT INTO {{data}}.f0101 (aban8, abalky, abtax, abalph, abdc, abmcu, abat1, ablngp, abac01, abac02,
                            abuser, abpid, abjobn, abupmj, abupmt)
SELECT DISTINCT ON (an8) an8, id, '', last || ', ' || first, upper(last || first),
       lpad((10 + 10 * (an8 % 9))::text, 12), abat1, ' ', 'EU',
       CASE WHEN id LIKE 'AP%' THEN 'FIN' WHEN id LIKE 'GL%' THEN 'FIN' WHEN id LIKE 'SALES%' THEN 'SLS'
            WHEN id LIKE 'BUY%' THEN 'PUR' ELSE 'ADM' END,
       'ADMIN1', 'P01012', 'WEBSRV01', pg_temp.ja(created - 10), 100000
FROM tmp_fx_user
ORDER BY an8, id;

INSERT INTO {{data}}.f0101 (aban8, abalky, abalph, abdc, abmcu, abat1, abac01, abac02, abuser, abpid, abupmj, abjobn, abupmt)
VALUES
(100,  'SYNTH',   'Synthetic Industries Inc.', 'SYNTHETICINDUSTRIESINC', '           1', 'X', 'EU', '', 'JDE', 'P01012', 0, 'WEBSRV01', 0),
(1020, 'EMP1020', 'EMPLOYEE, Erin',   'EMPLOYEEERIN',   '          50', 'E', 'EU', 'SLS', 'ADMIN1', 'P01012', 0, 'WEBSRV01', 0),
(1021, 'EMP1021', 'FORMER, Frank',    'FORMERFRANK',    '          60', 'E', 'EU', 'FIN', 'ADMIN1', 'P01012', 0, 'WEBSRV01', 0),
(2001, 'ACME',    'Acme Supplies Ltd', 'ACMESUPPLIESLTD', '          30', 'V', 'NA', '', 'ADMIN1', 'P01012', 0, 'WEBSRV01', 0),
(3001, 'GLOBEX',  'Globex Corporation', 'GLOBEXCORPORATION', '          30', 'C', 'NA', '', 'ADMIN1', 'P01012', 0, 'WEBSRV01', 0);
UPDATE {{data}}.f0101 SET abupmj = pg_temp.ja(-1500), abupmt = 100000 WHERE abupmj = 0;

-- generated: one record per distinct address number of the generated users ...
INSERT INTO {{data}}.f0101 (aban8, abalky, abtax, abalph, abdc, abmcu, abat1, ablngp, abac01, abac02,
                            abuser, abpid, abjobn, abupmj, abupmt)
SELECT DISTINCT ON (an8) an8, 'E' || an8, lpad((an8::bigint * 7919 % 1000000000)::text, 9, '0'),
       left(last || ', ' || first, 40), left(upper(last || first), 40),
       lpad((10 + 10 * pg_temp.ri(an8, 1001, 0, 8))::text, 12), abat1, ' ',
       pg_temp.pick(ARRAY['EU', 'NA', 'AP', 'LA'], an8, 1002),
       pg_temp.pick(ARRAY['FIN', 'SLS', 'PUR', 'MFG', 'HR', 'IT', 'ADM'], an8, 1003),
       'ADMIN1', 'P01012', 'WEBSRV01', pg_temp.ja(created - 10), pg_temp.hms(an8, 1004, 8, 18)
FROM tmp_user
ORDER BY an8, u;

-- ... and {{extra_address_book}} x users other records: customers, suppliers, employees without an account
INSERT INTO {{data}}.f0101 (aban8, abalky, abtax, abalph, abdc, abmcu, abat1, ablngp, abac01, abac02,
                            abuser, abpid, abjobn, abupmj, abupmt)
SELECT 500000 + i, 'A' || (500000 + i), lpad(((500000 + i)::bigint * 104729 % 1000000000)::text, 9, '0'),
       x.alph, left(upper(replace(replace(x.alph, ', ', ''), ' ', '')), 40),
       lpad((10 + 10 * pg_temp.ri(i, 1011, 0, 8))::text, 12), x.at1, ' ',
       pg_temp.pick(ARRAY['EU', 'NA', 'AP', 'LA'], i, 1012),
       CASE WHEN x.at1 = 'E' THEN pg_temp.pick(ARRAY['FIN', 'SLS', 'PUR', 'MFG', 'HR'], i, 1013) ELSE '' END,
       'ADMIN1', 'P01012', 'WEBSRV01', pg_temp.ja(-pg_temp.ri(i, 1014, 1, 4000)), pg_temp.hms(i, 1015, 8, 18)
FROM generate_series(1, {{gen_users}} * {{extra_address_book}}) AS i
CROSS JOIN LATERAL (
    SELECT CASE WHEN i % 10 < 4 THEN 'C' WHEN i % 10 < 7 THEN 'V' ELSE 'E' END AS at1
) AS t
CROSS JOIN LATERAL (
    SELECT t.at1,
           CASE WHEN t.at1 = 'E'
                THEN pg_temp.pick(pg_temp.words('last'), i, 1016) || ', '
                     || pg_temp.pick(pg_temp.words('first'), i, 1017)
                ELSE left(pg_temp.pick(pg_temp.words('last'), i, 1016) || ' '
                     || pg_temp.pick(pg_temp.words('entity'), i, 1018) || ' '
                     || pg_temp.pick(ARRAY['Ltd', 'Inc.', 'GmbH', 'SA', 'SpA', 'BV'], i, 1019), 40)
           END AS alph
) AS x;
