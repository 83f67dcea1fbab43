-- Helper: who writes the transaction tables (81..88) and when. Rows are dated over the 400 days
-- up to the as-of date (A-399 .. A), never after it; a few carry UPMJ 0 (no date).
--
-- Fixture rows (every profile, identical for every seed: no hashing) come from tmp_fx_act, one
-- line per (table, user, program): rows on days d0, d0 + step, ... <= d1, per_day rows a day one
-- minute apart from t0 (HHMMSS); d0 NULL = per_day rows with UPMJ 0 and UPMT 0.
-- docs/synthetic-jde.md lists what each line exercises.
--
-- Generated rows (demo, large: {{activity_rows}} over the tables) are written by tmp_writer: the
-- generated users whose employee job (F060116.YAJBCD, same hash) works in the table's module, each
-- between A-399 and its last sign-on (F9312 01) or termination, whichever is earlier (users who
-- never signed on in that window write nothing); 1 row in 10 (all of them when no user qualifies)
-- by the batch, interface and unknown accounts of tmp_special.

-- day offsets -410..0 and their Julian dates: generated rows index this array (cheaper than
-- formatting a date per row); the business dates go up to 10 days before UPMJ
CREATE TEMP TABLE tmp_day AS SELECT d, pg_temp.ja(d) AS jd FROM generate_series(-410, 0) AS d;
CREATE UNIQUE INDEX ON tmp_day (jd);

CREATE TEMP TABLE tmp_fx_act (
    seq serial, tbl text NOT NULL, usr text NOT NULL, pid text NOT NULL, jobn text NOT NULL,
    d0 int, d1 int, step int NOT NULL DEFAULT 1, per_day int NOT NULL DEFAULT 1, t0 int NOT NULL
);
INSERT INTO tmp_fx_act (tbl, usr, pid, jobn, d0, d1, step, per_day, t0) VALUES
-- F0411 AP vouchers: AP clerks, the AP manager, a user without role (user-level P0411), the
-- payment batch under the system account, a proxy (interface) account and an unknown user
('F0411',    'APCLRK1',   'EP0411',   'WEBSRV01', -395, -5,   10, 1, 93000),
('F0411',    'APCLRK1',   'EP0411',   'WEBSRV01', -3,   -3,   1,  3, 100000),
('F0411',    'APCLRK2',   'EP0411',   'WEBSRV02', -390, 0,    30, 1, 140000),
('F0411',    'APMGR1',    'EP0411',   'WEBSRV01', -300, -60,  40, 1, 110000),
('F0411',    'NOROLE1',   'EP0411',   'WEBSRV01', -15,  -15,  1,  1, 120500),
('F0411',    'MULTI1',    'EP0411',   'WEBSRV03', -80,  -10,  10, 1, 83000),
('F0411',    'JDE',       'R04570',   'ENTSRV01', -360, 0,    60, 1, 23000),
('F0411',    'EXUSER1',   'EP0411',   'WEBSRV01', -380, -200, 60, 1, 91500),
('F0411',    'JDEPROXY',  'R04110Z',  'INTSRV01', -100, -10,  30, 1, 10000),
-- F0911 GL: the GL user (until its last sign-on A-89), the GL distribution of AP clerk 1's and
-- MULTI1's vouchers (program P0411), the GL post under JDE and a batch service account, the
-- interface (two lines without a date)
('F0911',    'GLUSER1',   'EP0911',   'WEBSRV01', -397, -89,  7,  1, 101500),
('F0911',    'APCLRK1',   'EP0411',   'WEBSRV01', -190, -10,  20, 1, 150000),
('F0911',    'MULTI1',    'EP0411',   'WEBSRV03', -85,  -5,   20, 1, 160000),
('F0911',    'JDE',       'R09801',   'ENTSRV01', -390, 0,    30, 1, 20000),
('F0911',    'BATCHSVC',  'R09801',   'ENTSRV02', -45,  -15,  15, 1, 30000),
('F0911',    'INTERFACE', 'R0911Z1',  'INTSRV01', -364, 0,    91, 1, 40000),
('F0911',    'INTERFACE', 'R0911Z1',  'INTSRV01', NULL, NULL, 1,  2, 0),
-- F03B11 AR invoices: the sales update (JDE), a sales user's manual invoices (SALESREP holds the
-- 03B inquiry P03B2002), the interface
('F03B11',   'JDE',       'R42800',   'ENTSRV01', -360, 0,    30, 1, 21500),
('F03B11',   'SALES2',    'EP03B11',  'WEBSRV02', -140, -5,   15, 1, 113000),
('F03B11',   'INTERFACE', 'R03B11Z1', 'INTSRV01', -300, -20,  70, 1, 50000),
-- F4211 sales orders: SALES1 only until A-95 (dormant), LEAVER1 until its termination A-60,
-- GLUSER1 while its SALESREP assignment runs (from A-100, last sign-on A-89)
('F4211',    'SALES1',    'EP4210',   'WEBSRV02', -395, -95,  20, 1, 103000),
('F4211',    'SALES2',    'EP4210',   'WEBSRV02', -145, -5,   10, 1, 104500),
('F4211',    'LEAVER1',   'EP4210',   'WEBSRV01', -390, -60,  30, 1, 90000),
('F4211',    'FORMUSR1',  'EP4210',   'WEBSRV03', -58,  -4,   6,  1, 141500),
('F4211',    'GLUSER1',   'EP4210',   'WEBSRV01', -98,  -89,  9,  1, 153000),
('F4211',    'MULTI1',    'EP4210',   'WEBSRV03', -88,  -8,   20, 1, 170000),
('F4211',    'JDE',       'R42800',   'ENTSRV01', -360, 0,    30, 1, 21000),
('F4211',    'INTERFACE', 'R4210Z',   'INTSRV01', -200, -20,  45, 1, 43000),
-- F4311 purchase orders: BUYER1 until A-30 (disabled since), PWDOLD1, MULTI1, the print batch
('F4311',    'BUYER1',    'EP4310',   'WEBSRV01', -390, -30,  20, 1, 94500),
('F4311',    'PWDOLD1',   'EP4310',   'WEBSRV02', -360, -3,   21, 1, 131000),
('F4311',    'MULTI1',    'EP4310',   'WEBSRV03', -85,  -5,   16, 1, 173000),
('F4311',    'BATCHSVC',  'R43500',   'ENTSRV02', -300, 0,    50, 1, 33000),
-- F4101 items: buyers, the item interface, three items converted without a date
('F4101',    'PWDOLD1',   'EP4101',   'WEBSRV02', -350, -50,  50, 1, 134500),
('F4101',    'BUYER1',    'EP4101',   'WEBSRV01', -380, -80,  100, 1, 95000),
('F4101',    'INTERFACE', 'R4101Z1I', 'INTSRV01', -90,  -30,  30, 1, 44000),
('F4101',    'JDE',       'R4101Z1I', 'ENTSRV01', NULL, NULL, 1,  3, 0),
-- F5501001 custom approvals (system 55): only *ALL roles reach P550001, so the administrator
('F5501001', 'ADMIN1',    'EP550001', 'WEBSRV01', -120, -10,  10, 1, 163000),
('F5501001', 'JDEPROXY',  'R550001',  'INTSRV01', -399, -6,   57, 1, 11500);

-- the fixture rows, numbered k = 1.. per table in (day, time) order
CREATE TEMP TABLE tmp_fx_rows AS
SELECT a.tbl, row_number() OVER (PARTITION BY a.tbl ORDER BY coalesce(d.day, -9999), a.seq, s)::int AS k,
       a.usr, a.pid, a.jobn, coalesce(d.day, 0) AS day, pg_temp.ja(d.day) AS jd,
       CASE WHEN d.day IS NULL THEN 0 ELSE a.t0 + s * 100 END AS hhmmss
FROM tmp_fx_act a
CROSS JOIN LATERAL (
    SELECT g AS day FROM generate_series(a.d0, a.d1, a.step) AS g WHERE a.d0 IS NOT NULL
    UNION ALL
    SELECT NULL WHERE a.d0 IS NULL
) AS d
CROSS JOIN LATERAL generate_series(0, a.per_day - 1) AS s;

-- generated users who can write: the day of their last sign-on within the window (F9312 01)
CREATE TEMP TABLE tmp_actor AS
WITH last AS (
    SELECT rtrim(shuser) AS id, max(shupmj) AS jd FROM {{system}}.f9312 WHERE shevtyp = '01' GROUP BY 1
)
SELECT u.u, u.id, u.nroles, u.role0, (u.u % 3 = 0) AS py,
       pg_temp.pick(ARRAY['CLERK', 'ACCT', 'SALES', 'BUYER', 'MGR', 'ANALYS', 'ENGR'], u.an8::bigint, 1102) AS job,
       least(d.d, coalesce(u.terminated, 0)) AS hi
FROM tmp_user u
JOIN last l ON l.id = u.id
JOIN tmp_day d ON d.jd = l.jd
WHERE least(d.d, coalesce(u.terminated, 0)) >= -399;

-- which jobs write which table, with the program they stamp (AP clerks' vouchers write the GL
-- distribution under P0411); ANALYS users only read (they appear in F98911, not here)
CREATE TEMP TABLE tmp_job_table (tbl text NOT NULL, job text NOT NULL, pid text NOT NULL);
INSERT INTO tmp_job_table VALUES
('F0411', 'CLERK', 'EP0411'), ('F0411', 'MGR', 'EP0413M'),
('F0911', 'ACCT', 'EP0911'), ('F0911', 'CLERK', 'EP0411'),
('F03B11', 'ACCT', 'EP03B11'),
('F4211', 'SALES', 'EP4210'),
('F4311', 'BUYER', 'EP4310'),
('F4101', 'ENGR', 'EP4101'), ('F4101', 'BUYER', 'EP4101'),
('F5501001', 'MGR', 'EP550001');

-- batch, interface and unknown accounts: JDE is the system profile of F0092; JDEPROXY, BATCHSVC,
-- INTERFACE (service identities stamped by the batch server / middleware) and EXUSER1, EXUSER2
-- (users deleted from F0092, no history left) are in no security table
CREATE TEMP TABLE tmp_special (
    tbl text NOT NULL, id text NOT NULL, pid text NOT NULL, jobn text NOT NULL, lo int NOT NULL,
    hi int NOT NULL, h0 int NOT NULL, h1 int NOT NULL
);
INSERT INTO tmp_special VALUES
('F0411', 'JDE', 'R04570', 'ENTSRV01', -399, 0, 1, 5),
('F0411', 'JDEPROXY', 'R04110Z', 'INTSRV01', -399, 0, 0, 23),
('F0411', 'EXUSER1', 'EP0411', 'WEBSRV01', -399, -200, 8, 17),
('F0911', 'JDE', 'R09801', 'ENTSRV01', -399, 0, 1, 5),
('F0911', 'BATCHSVC', 'R09801', 'ENTSRV02', -399, 0, 20, 23),
('F0911', 'INTERFACE', 'R0911Z1', 'INTSRV01', -399, 0, 0, 23),
('F0911', 'EXUSER1', 'EP0911', 'WEBSRV01', -399, -200, 8, 17),
('F03B11', 'JDE', 'R42800', 'ENTSRV01', -399, 0, 1, 5),
('F03B11', 'INTERFACE', 'R03B11Z1', 'INTSRV01', -399, 0, 0, 23),
('F4211', 'JDE', 'R42800', 'ENTSRV01', -399, 0, 1, 5),
('F4211', 'INTERFACE', 'R4210Z', 'INTSRV01', -399, 0, 0, 23),
('F4211', 'EXUSER2', 'EP4210', 'WEBSRV02', -399, -150, 8, 17),
('F4311', 'BATCHSVC', 'R43500', 'ENTSRV02', -399, 0, 20, 23),
('F4311', 'JDEPROXY', 'R4311Z1', 'INTSRV01', -399, 0, 0, 23),
('F4101', 'INTERFACE', 'R4101Z1I', 'INTSRV01', -399, 0, 0, 23),
('F4101', 'JDE', 'R4101Z1I', 'ENTSRV01', -399, 0, 1, 5),
('F5501001', 'JDEPROXY', 'R550001', 'INTSRV01', -399, 0, 0, 23);

-- the writers of each table numbered w = 0.. : users first (by user number), then the specials
CREATE TEMP TABLE tmp_writer AS
SELECT j.tbl, (row_number() OVER (PARTITION BY j.tbl ORDER BY a.u) - 1)::int AS w, a.id, j.pid,
       NULL::text AS jobn, -399 AS lo, a.hi, 7 AS h0, 19 AS h1
FROM tmp_actor a JOIN tmp_job_table j ON j.job = a.job;
INSERT INTO tmp_writer
SELECT s.tbl, (coalesce(c.n, 0) + row_number() OVER (PARTITION BY s.tbl ORDER BY s.id) - 1)::int,
       s.id, s.pid, s.jobn, s.lo, s.hi, s.h0, s.h1
FROM tmp_special s
LEFT JOIN (SELECT tbl, count(*) AS n FROM tmp_writer GROUP BY tbl) AS c ON c.tbl = s.tbl;
CREATE UNIQUE INDEX ON tmp_writer (tbl, w);
ANALYZE tmp_writer;

CREATE TEMP TABLE tmp_writer_n AS
SELECT t.tbl, count(*) FILTER (WHERE w.jobn IS NULL)::int AS users,
       count(*) FILTER (WHERE w.jobn IS NOT NULL)::int AS specials
FROM (SELECT DISTINCT tbl FROM tmp_special) AS t JOIN tmp_writer w ON w.tbl = t.tbl
GROUP BY t.tbl;

-- cnt generated rows n = 1..cnt of table tbl_name: writer, program, workstation, day offset,
-- UPMJ (0 for every 1000th row) and UPMT. Users write 9 rows in 10, skewed towards the first
-- writers (power 1.5: a few heavy users), the specials the rest.
CREATE OR REPLACE FUNCTION pg_temp.activity(tbl_name text, cnt bigint, salt int)
RETURNS TABLE (n bigint, usr text, pid text, jobn text, day int, upmj int, upmt int)
LANGUAGE sql STABLE AS
$$
SELECT g.n, w.id, w.pid,
       coalesce(w.jobn, (ARRAY['WEBSRV01', 'WEBSRV02', 'WEBSRV03'])[1 + g.n % 3]),
       w.lo + floor(pg_temp.u(g.n, salt + 1) * (w.hi - w.lo + 1))::int,
       CASE WHEN g.n % 1000 = 999 THEN 0
            ELSE j.a[w.lo + floor(pg_temp.u(g.n, salt + 1) * (w.hi - w.lo + 1))::int + 411] END,
       CASE WHEN g.n % 1000 = 999 THEN 0
            ELSE (w.h0 + g.n % (w.h1 - w.h0 + 1)) * 10000 + (g.n * 7) % 60 * 100 + (g.n * 13) % 60 END
FROM generate_series(1, cnt) AS g(n)
CROSS JOIN (SELECT array_agg(jd ORDER BY d) AS a FROM tmp_day) AS j
JOIN tmp_writer_n c ON c.tbl = tbl_name
JOIN tmp_writer w ON w.tbl = tbl_name
 AND w.w = CASE WHEN c.users > 0 AND g.n % 10 <> 0
                THEN floor(power(pg_temp.u(g.n, salt), 1.5) * c.users)::int
                ELSE c.users + floor(pg_temp.u(g.n, salt) * c.specials)::int END
$$;
