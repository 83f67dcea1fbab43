-- F01151 e-mail addresses (EAETP 'E', EAIDLN 0 = the entity itself) of the people with a user
-- profile and of the employees; every 10th generated user also has a second address (EARCK7 2).
INSERT INTO {{data}}.f01151 (eaan8, eaidln, earck7, eaetp, eaemal, eauser, eapid, eaupmj, eajobn, eaupmt)
SELECT DISTINCT ON (an8) an8, 0, 1, 'E', lower(id) || '@synthetic-jde.example',
       'ADMIN1', 'P01111', pg_temp.ja(created), 'WEBSRV01', 100000
FROM tmp_fx_user
ORDER BY an8, id;

INSERT INTO {{data}}.f01151 (eaan8, eaidln, earck7, eaetp, eaemal, eauser, eapid, eaupmj, eajobn, eaupmt)
SELECT DISTINCT ON (an8) an8, 0, 1, 'E', lower(first || '.' || last || u) || '@synthetic-jde.example',
       'ADMIN1', 'P01111', pg_temp.ja(created), 'WEBSRV01', pg_temp.hms(u, 1201, 8, 18)
FROM tmp_user
ORDER BY an8, u;

INSERT INTO {{data}}.f01151 (eaan8, eaidln, earck7, eaetp, eaemal, eauser, eapid, eaupmj, eajobn, eaupmt)
SELECT DISTINCT ON (an8) an8, 0, 2, 'E', lower(left(first, 1) || last || u) || '@legacy.synthetic-jde.example',
       'ADMIN1', 'P01111', pg_temp.ja(created), 'WEBSRV01', pg_temp.hms(u, 1202, 8, 18)
FROM tmp_user
WHERE u % 10 = 5
ORDER BY an8, u;

INSERT INTO {{data}}.f01151 (eaan8, eaidln, earck7, eaetp, eaemal, eauser, eapid, eaupmj, eajobn, eaupmt)
SELECT aban8, 0, 1, 'E', 'employee' || aban8 || '@synthetic-jde.example', 'ADMIN1', 'P01111', abupmj, 'WEBSRV01', abupmt
FROM {{data}}.f0101
WHERE abat1 = 'E' AND (aban8 >= 500000 OR aban8 IN (1020, 1021));
