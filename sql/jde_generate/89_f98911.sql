-- F98911 Object Usage Tracking detail: one row per tracked access to an application (with its
-- form) or a batch program, with the version, the role signed in with (*ALL or one of the user's
-- roles), the environment and its path code, over the 400 days up to the as-of date. Fixture rows
-- (every profile, no hashing) from tmp_fx_use, like tmp_fx_act; then {{usage_rows}} generated rows:
-- 49 in 50 by generated users (tmp_actor with at least one role) opening objects of one of their
-- roles' windows, the rest by the batch account JDE and the deleted users EXUSER1 / EXUSER2.
-- Generated usage follows the role windows, not the resolved rights: a few of those objects are
-- secured for the user (a real OUT would not record them); every fixture row is an access the
-- fixture's effective rights allow (JDE-SOURCE.md section 3, ascending role sequence).
CREATE TEMP TABLE tmp_fx_use (
    seq serial, usr text NOT NULL, obj text NOT NULL, form text NOT NULL, ver text NOT NULL,
    role text NOT NULL, env text NOT NULL, d0 int NOT NULL, d1 int NOT NULL, step int NOT NULL DEFAULT 1,
    per_day int NOT NULL DEFAULT 1, t0 int NOT NULL
);
INSERT INTO tmp_fx_use (usr, obj, form, ver, role, env, d0, d1, step, per_day, t0) VALUES
('AUDITOR1', 'P0411',    'W0411A',    'ZJDE0001', '*ALL',     'JPD920', -10,  -2,   8,  1, 82000),
('AUDITOR1', 'P0911',    'W0911I',    'ZJDE0001', '*ALL',     'JPD920', -62,  -2,   4,  1, 83000),
('AUDITOR1', 'R0006P',   '',          'XJDE0001', '*ALL',     'JPD920', -30,  -30,  1,  1, 84000),
('ADMIN1',   'P0092',    'W0092A',    'ZJDE0001', '*ALL',     'JPD920', -390, -10,  20, 1, 81000),
('ADMIN1',   'P00950',   'W00950A',   'ZJDE0001', 'SYSADMIN', 'JPD920', -100, -1,   11, 1, 81500),
('ADMIN1',   'P98OWSEC', 'W98OWSECE', 'ZJDE0001', '*ALL',     'JDV920', -200, -20,  45, 1, 90000),
('APCLRK1',  'P0411',    'W0411G',    'ZJDE0001', 'APCLERK',  'JPD920', -395, -5,   10, 1, 92500),
('APCLRK1',  'P0411',    'W0411A',    'ZJDE0001', '*ALL',     'JPD920', -3,   -3,   1,  3, 95500),
('APCLRK1',  'R04570',   '',          'XJDE0001', '*ALL',     'JPD920', -120, -1,   17, 1, 163000),
('APCLRK2',  'P0411',    'W0411G',    'ZJDE0002', '*ALL',     'JPD920', -390, 0,    30, 1, 135500),
('APCLRK2',  'P04012',   'W04012B',   'ZJDE0001', '*ALL',     'JPD920', -50,  -10,  20, 1, 133000),
('APMGR1',   'P0411',    'W0411A',    'ZJDE0001', '*ALL',     'JPD920', -300, -60,  40, 1, 105500),
('ADMIN1',   'P550001',  'W550001A',  'ZJDE0001', '*ALL',     'JPD920', -120, -10,  10, 1, 162500),
('GLUSER1',  'P0911',    'W0911A',    'ZJDE0001', '*ALL',     'JPD920', -397, -89,  7,  1, 100500),
('GLUSER1',  'P4210',    'W4210A',    'ZJDE0001', '*ALL',     'JPD920', -98,  -89,  9,  1, 152500),
('SALES1',   'P4210',    'W4210A',    'ZJDE0001', 'SALESREP', 'JPD920', -395, -95,  20, 1, 102500),
('SALES2',   'P4210',    'W4210A',    'ZJDE0001', '*ALL',     'JPD920', -145, -5,   10, 1, 104000),
('SALES2',   'P4210',    'W4210E',    'ZJDE0001', '*ALL',     'JPD920', -145, -5,   35, 1, 111000),
('BUYER1',   'P4310',    'W4310A',    'ZJDE0001', '*ALL',     'JPD920', -390, -30,  20, 1, 94000),
('DORMANT1', 'P0911',    'W0911I',    'ZJDE0001', '*ALL',     'JPD920', -200, -200, 1,  1, 100500),
('NOROLE1',  'P0411',    'W0411G',    'ZJDE0001', '*ALL',     'JPD920', -15,  -15,  1,  1, 120000),
('LEAVER1',  'P4210',    'W4210A',    'ZJDE0001', '*ALL',     'JPD920', -390, -60,  30, 1, 85500),
('LEAVER1',  'P4210',    'W4210E',    'ZJDE0001', '*ALL',     'JPD920', -50,  -50,  1,  1, 65000),
('PWDOLD1',  'P4310',    'W4310G',    'ZJDE0001', '*ALL',     'JPD920', -360, -3,   21, 1, 130500),
('PWDOLD1',  'P41026',   'W41026A',   'ZJDE0001', '*ALL',     'JPD920', -350, -50,  50, 1, 134000),
('MULTI1',   'P0411',    'W0411G',    'ZJDE0001', '*ALL',     'JPD920', -80,  -10,  10, 1, 82500),
('MULTI1',   'P4310',    'W4310A',    'ZJDE0001', '*ALL',     'JPD920', -85,  -5,   16, 1, 172500),
('MULTI1',   'P4210',    'W4210A',    'ZJDE0001', 'SALESREP', 'JPD920', -88,  -8,   20, 1, 165500),
('FORMUSR1', 'P4210',    'W4210A',    'ZJDE0001', '*ALL',     'JPD920', -58,  -4,   6,  1, 141000),
('FORMUSR1', 'R42800',   '',          'XJDE0001', '*ALL',     'JPD920', -32,  -4,   7,  1, 150000),
('JDE',      'R09801',   '',          'XJDE0001', '*ALL',     'JPD920', -390, 0,    30, 1, 15500),
('EXUSER1',  'P01012',   'W01012B',   'ZJDE0001', '*ALL',     'JPD920', -380, -200, 60, 1, 91000);

INSERT INTO {{system}}.f98911 (ouobnm, oufmnm, ouvers, ouuser, ourole, ouenhv, oupathcd, oufuno, ouupmj, ouupmt)
SELECT f.obj, f.form, f.ver, f.usr, f.role, f.env, substr(f.env, 2), o.funo, pg_temp.ja(d.day), f.t0 + s * 100
FROM tmp_fx_use f
JOIN tmp_obj o ON o.obnm = f.obj
CROSS JOIN LATERAL generate_series(f.d0, f.d1, f.step) AS d(day)
CROSS JOIN LATERAL generate_series(0, f.per_day - 1) AS s;

-- generated users with a role, numbered w = 0..
CREATE TEMP TABLE tmp_useract AS
SELECT (row_number() OVER (ORDER BY u) - 1)::int AS w, id, hi, nroles, role0, py
FROM tmp_actor WHERE nroles > 0;
CREATE UNIQUE INDEX ON tmp_useract (w);
ANALYZE tmp_useract;

INSERT INTO {{system}}.f98911 (ouobnm, oufmnm, ouvers, ouuser, ourole, ouenhv, oupathcd, oufuno, ouupmj, ouupmt)
SELECT e.obnm,
       CASE WHEN e.funo = 'UBE' THEN ''
            WHEN e.curated THEN e.first_form
            ELSE 'W' || substr(e.obnm, 2) || chr(65 + x.f % (1 + e.n % 4)) END,
       CASE WHEN e.curated THEN e.first_ver
            WHEN e.funo = 'UBE' THEN 'XJDE000' || (1 + x.f % (1 + e.n % 3))
            ELSE 'ZJDE000' || (1 + x.f % (1 + e.n % 2)) END,
       a.id, CASE WHEN x.n % 8 = 0 THEN r.id ELSE '*ALL' END,
       CASE WHEN a.py AND x.n % 10 = 0 THEN 'JPY920' ELSE 'JPD920' END,
       CASE WHEN a.py AND x.n % 10 = 0 THEN 'PY920' ELSE 'PD920' END,
       e.funo, j.a[-399 + floor(pg_temp.u(x.n, 1804) * (a.hi + 400))::int + 411],
       (7 + x.n % 13) * 10000 + (x.n * 7) % 60 * 100 + (x.n * 13) % 60
FROM (
    SELECT n, floor(pg_temp.u(n, 1801) ^ 1.5 * (SELECT count(*) FROM tmp_useract))::int AS w,
           floor(pg_temp.u(n, 1802) * 12)::int AS f, pg_temp.u(n, 1803) AS t
    FROM generate_series(1, CASE WHEN EXISTS (SELECT 1 FROM tmp_useract)
                                 THEN {{usage_rows}}::bigint - {{usage_rows}}::bigint / 50 ELSE 0 END) AS n
) AS x
JOIN tmp_useract a ON a.w = x.w
JOIN tmp_role r ON r.r = 1 + (a.role0 + floor(x.t * a.nroles)::int * {{role_step}}) % {{gen_roles_nz}}
JOIN tmp_exec e ON e.gidx = (r.start + floor(pg_temp.u(x.n, 1805) * r.slots)::int) % (SELECT count(*) FROM tmp_exec)
CROSS JOIN (SELECT array_agg(jd ORDER BY d) AS a FROM tmp_day) AS j;

-- the batch account and the deleted users
INSERT INTO {{system}}.f98911 (ouobnm, oufmnm, ouvers, ouuser, ourole, ouenhv, oupathcd, oufuno, ouupmj, ouupmt)
SELECT s.obj, s.form, s.ver, s.usr, '*ALL', 'JPD920', 'PD920', s.funo,
       j.a[s.lo + floor(pg_temp.u(n, 1811) * (s.hi - s.lo + 1))::int + 411],
       (s.h0 + n % (s.h1 - s.h0 + 1)) * 10000 + (n * 7) % 60 * 100 + (n * 13) % 60
FROM generate_series(1, {{usage_rows}}::bigint - CASE WHEN EXISTS (SELECT 1 FROM tmp_useract)
                                                     THEN {{usage_rows}}::bigint - {{usage_rows}}::bigint / 50
                                                     ELSE 0 END) AS n
JOIN (VALUES
    (0, 'JDE',     'R09801', '',        'XJDE0001', 'UBE',  -399, 0,    1, 5),
    (1, 'JDE',     'R42800', '',        'XJDE0001', 'UBE',  -399, 0,    1, 5),
    (2, 'JDE',     'R04570', '',        'XJDE0001', 'UBE',  -399, 0,    1, 5),
    (3, 'EXUSER1', 'P01012', 'W01012B', 'ZJDE0001', 'APPL', -399, -200, 8, 17),
    (4, 'EXUSER2', 'P4210',  'W4210A',  'ZJDE0001', 'APPL', -399, -150, 8, 17)
) AS s(i, usr, obj, form, ver, funo, lo, hi, h0, h1) ON s.i = n % 5
CROSS JOIN (SELECT array_agg(jd ORDER BY d) AS a FROM tmp_day) AS j;
