-- F9312 security history: 05 add user, 01 sign-on / 02 sign-off pairs, 03 password change,
-- 13/14/15 role relationship added / removed / changed, 06 delete user (FORMER1 no longer exists).
CREATE TEMP TABLE tmp_fx_signon (id text NOT NULL, days int NOT NULL, hhmmss int NOT NULL);
INSERT INTO tmp_fx_signon VALUES
('JDE', -1, 70000), ('ADMIN1', -1, 80510), ('ADMIN1', -3, 80100),
('AUDITOR1', -2, 81530), ('AUDITOR1', -10, 90000),
('APCLRK1', -1, 93015), ('APCLRK1', -5, 93015), ('APCLRK2', 0, 74500),
('APMGR1', -40, 100000), ('GLUSER1', -89, 111111), ('SALES1', -91, 140000), ('SALES1', -120, 90000),
('SALES2', -5, 83000), ('BUYER1', -30, 90500), ('DORMANT1', -200, 100000), ('DORMANT1', -400, 100000),
('NOROLE1', -15, 120000), ('NESTED1', -7, 73000), ('GHOSTED1', -60, 95959),
('LEAVER1', -50, 64500), ('LEAVER1', -65, 64500), ('PWDOLD1', -3, 101010), ('MULTI1', -1, 60001),
('FORMUSR1', -4, 84500), ('FORMER1', -700, 90000);

INSERT INTO {{system}}.f9312 (shuser, shevtyp, shusr0, shpid, shjobn, shupmj, shupmt)
-- fixtures: sign-on then sign-off eight hours later (or at 23:59:59)
SELECT id, '01', id, 'JDENET', 'WEBSRV01', pg_temp.ja(days), hhmmss FROM tmp_fx_signon
UNION ALL
SELECT id, '02', id, 'JDENET', 'WEBSRV01', pg_temp.ja(days), least(hhmmss + 80000, 235959) FROM tmp_fx_signon
UNION ALL
SELECT id, '05', CASE WHEN id = 'JDE' THEN 'JDE' ELSE 'ADMIN1' END, 'P0092', 'WEBSRV01', pg_temp.ja(created), 90000
FROM tmp_fx_user
UNION ALL
SELECT id, '03', id, 'P98OWSEC', 'WEBSRV01', pg_temp.ja(seclst), 85000 FROM tmp_fx_user WHERE seclst IS NOT NULL
UNION ALL
SELECT member, '13', 'ADMIN1', 'P95921', 'WEBSRV01', pg_temp.ja(least(eff, 0)), 140000 FROM tmp_fx_assign
UNION ALL
SELECT 'AUDITOR1', '15', 'ADMIN1', 'P95921', 'WEBSRV01', pg_temp.ja(-30), 141500
UNION ALL
SELECT 'FORMER1', '05', 'ADMIN1', 'P0092', 'WEBSRV01', pg_temp.ja(-1500), 90000
UNION ALL
SELECT 'FORMER1', '14', 'ADMIN1', 'P95921', 'WEBSRV01', pg_temp.ja(-600), 90000
UNION ALL
SELECT 'FORMER1', '06', 'ADMIN1', 'P0092', 'WEBSRV01', pg_temp.ja(-600), 90500;

-- generated users: creation, sign-on/sign-off pairs (dormant users only long ago), password change
INSERT INTO {{system}}.f9312 (shuser, shevtyp, shusr0, shpid, shjobn, shupmj, shupmt)
SELECT id, '05', 'ADMIN1', 'P0092', 'WEBSRV01', pg_temp.ja(created), pg_temp.hms(u, 601, 8, 17)
FROM tmp_user
UNION ALL
SELECT id, '03', id, 'P98OWSEC', 'WEBSRV01', pg_temp.ja(greatest(created, -pg_temp.ri(u, 501, 0, 500))),
       pg_temp.hms(u, 504, 7, 19)
FROM tmp_user
UNION ALL
SELECT s.id, e.ev, s.id, 'JDENET', pg_temp.pick(ARRAY['WEBSRV01', 'WEBSRV02', 'WEBSRV03'], s.k, 602),
       pg_temp.ja(s.days),
       CASE WHEN e.ev = '01' THEN pg_temp.hms(s.k, 603, 6, 10) ELSE pg_temp.hms(s.k, 606, 15, 20) END
FROM (
    SELECT u.id, u.u::bigint * 1000 + i AS k,
           CASE WHEN u.dormant THEN -pg_temp.ri(u.u::bigint * 1000 + i, 610, 91, least(720, -u.created))
                ELSE -pg_temp.ri(u.u::bigint * 1000 + i, 611, 0, 180) END AS days
    FROM tmp_user u CROSS JOIN LATERAL generate_series(1, u.nsign) AS i
) AS s
CROSS JOIN (VALUES ('01'), ('02')) AS e(ev);

-- generated role relationship events (13 added) for assignments already effective
INSERT INTO {{system}}.f9312 (shuser, shevtyp, shusr0, shpid, shjobn, shupmj, shupmt)
SELECT a.rltorole, '13', 'ADMIN1', 'P95921', 'WEBSRV01', a.rlupmj, a.rlupmt
FROM {{system}}.f95921 a JOIN tmp_user u ON u.id = rtrim(a.rltorole);
