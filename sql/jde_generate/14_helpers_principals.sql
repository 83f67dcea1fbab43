-- Helper: the generated roles and users (the named fixtures are written by each table's file).
-- Cardinalities depend on the profile only (index arithmetic); the seed picks names, windows,
-- dates and flags.
CREATE TEMP TABLE tmp_role AS
WITH r AS (
    SELECT r, floor(pg_temp.u(r, 101) * (SELECT count(*) FROM tmp_exec))::int AS start
    FROM generate_series(1, {{gen_roles}}) AS r
)
SELECT r.r, r.start,
       e.sy || 'R' || lpad(r.r::text, 5, '0') AS id,
       left(s.descr, 30) || ' ' || pg_temp.pick(
           ARRAY['Clerk','Supervisor','Manager','Inquiry','Analyst','Approver','Administrator','Specialist'],
           r.r, 102) || ' ' || r.r AS descr,
       CASE WHEN r.r % 100 = 0 THEN 99 + r.r ELSE 100 + r.r END AS seq,   -- every 100th role ties
       least({{role_slots}} / 2 + (r.r * 7919) % ({{role_slots}} + 1),
             (SELECT count(*) FROM tmp_exec))::int AS slots,
       (r.r % 20 = 0) AS composite
FROM r JOIN tmp_exec e ON e.gidx = r.start JOIN tmp_sy s ON s.sy = e.sy;
CREATE UNIQUE INDEX ON tmp_role (r);
ANALYZE tmp_role;

CREATE TEMP TABLE tmp_user AS
WITH u AS (
    SELECT u,
           pg_temp.pick(pg_temp.words('last'), u, 201) AS last,
           pg_temp.pick(pg_temp.words('first'), u, 202) AS first
    FROM generate_series(1, {{gen_users}}) AS u
)
SELECT u.u,
       left(u.last, 10 - length(u.u::text)) || u.u::text AS id,
       u.first, u.last,
       CASE WHEN u.u % 97 = 0 THEN 100000 + u.u - 1 ELSE 100000 + u.u END AS an8,  -- shared address numbers
       -pg_temp.ri(u.u, 203, 730, 3000) AS created,                               -- days before as-of
       u.u % ({{signons}} + 1) AS nsign,                                          -- 0 = never signed on
       (u.u % 10 = 3) AS dormant,
       pg_temp.u(u.u, 204) >= 0.08 AS enabled,
       floor(pg_temp.u(u.u, 205) * (SELECT count(*) FROM tmp_exec))::int AS start,
       u.u % (2 * {{user_slots}} + 1) AS slots,
       CASE WHEN {{gen_roles}} = 0 OR u.u % 53 = 0 THEN 0                           -- profiles with no role
            ELSE least(1 + u.u % {{roles_per_user}}, {{gen_roles}}) END AS nroles,
       CASE WHEN {{gen_roles}} = 0 THEN 0
            ELSE floor(pg_temp.u(u.u, 206) * {{gen_roles}})::int END AS role0,
       CASE WHEN u.u % 29 = 0 THEN 'X' ELSE 'E' END AS abat1,
       CASE WHEN pg_temp.u(u.u, 207) < 0.04 THEN -pg_temp.ri(u.u, 208, 1, 700) END AS terminated
FROM u;
CREATE UNIQUE INDEX ON tmp_user (u);
ANALYZE tmp_user;
