-- F95921 role relationships: fixtures, generated user assignments (1..roles_per_user distinct
-- roles, some expired / future / expiring today / not in *ALL), composite roles containing the
-- two previous roles, and a few assignments to roles that do not exist (DELETED0..DELETED6).
INSERT INTO {{system}}.f95921 (rlfrrole, rltorole, rleffdate, rlexpirdate, rlcustom,
                               rluser, rlpid, rljobn, rlupmj, rlupmt)
SELECT role, member, pg_temp.ja(eff), pg_temp.ja(exp), incl,
       'ADMIN1', 'P95921', 'WEBSRV01', pg_temp.ja(least(eff, 0)), 140000
FROM tmp_fx_assign;

INSERT INTO {{system}}.f95921 (rlfrrole, rltorole, rleffdate, rlexpirdate, rlcustom,
                               rluser, rlpid, rljobn, rlupmj, rlupmt)
WITH a AS (
    SELECT u.u, u.id AS member, j, r.id AS role, u.u::bigint * 64 + j AS k,
           pg_temp.u(u.u::bigint * 64 + j, 401) AS v
    FROM tmp_user u
    CROSS JOIN LATERAL generate_series(0, u.nroles - 1) AS j
    JOIN tmp_role r ON r.r = 1 + (u.role0 + j * {{role_step}}) % {{gen_roles_nz}}
), d AS (
    SELECT a.*,
           CASE WHEN v < 0.06 THEN -pg_temp.ri(k, 402, 1, 400)                       -- expired
                WHEN v < 0.09 THEN NULL                                             -- future
                WHEN v < 0.10 THEN 0                                                -- expires today
                WHEN v < 0.11 THEN 1                                                -- last day today
                WHEN v < 0.30 THEN pg_temp.ri(k, 403, 2, 400)                        -- expires later
                ELSE NULL END AS exp
    FROM a
)
SELECT role, member,
       CASE WHEN v >= 0.06 AND v < 0.09 THEN pg_temp.ja(pg_temp.ri(k, 404, 1, 60))
            WHEN exp IS NOT NULL THEN pg_temp.ja(exp - pg_temp.ri(k, 405, 30, 900))
            ELSE pg_temp.ja(-pg_temp.ri(k, 406, 1, 1500)) END,
       pg_temp.ja(exp),
       CASE WHEN pg_temp.u(k, 407) < 0.07 THEN '0' ELSE '1' END,
       'ADMIN1', 'P95921', 'WEBSRV01', pg_temp.ja(-pg_temp.ri(k, 408, 1, 900)), pg_temp.hms(k, 409, 8, 18)
FROM d;

-- composite roles: role r (r % 20 = 0) contains roles r-1 and r-2
INSERT INTO {{system}}.f95921 (rlfrrole, rltorole, rleffdate, rlexpirdate, rlcustom,
                               rluser, rlpid, rljobn, rlupmj, rlupmt)
SELECT c.id, m.id, pg_temp.ja(-pg_temp.ri(c.r * 4 + d, 411, 100, 2000)), 0, '1',
       'ADMIN1', 'P95921', 'WEBSRV01', pg_temp.ja(-100), 100000
FROM tmp_role c
CROSS JOIN LATERAL (VALUES (1), (2)) AS x(d)
JOIN tmp_role m ON m.r = c.r - x.d
WHERE c.composite;

-- assignments to roles that do not exist in F0092 / F00926
INSERT INTO {{system}}.f95921 (rlfrrole, rltorole, rleffdate, rlexpirdate, rlcustom,
                               rluser, rlpid, rljobn, rlupmj, rlupmt)
SELECT 'DELETED' || (u % 7), id, pg_temp.ja(-pg_temp.ri(u, 421, 400, 2000)), 0, '1',
       'ADMIN1', 'P95921', 'WEBSRV01', pg_temp.ja(-400), 100000
FROM tmp_user
WHERE u % 211 = 0;
